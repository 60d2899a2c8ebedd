// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Load an instrumented XDP program with libbpf, attach it to an interface
 * and pin its hook, the way an XDP program's own loader would; optionally
 * without an expected attach type, as older loaders do.
 *
 *   xdp_load OBJ IFNAME native|generic [--no-attach-type] [--pin PATH]
 *
 * The attachment outlives this process (netlink XDP attach).
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

int main(int argc, char **argv)
{
	const char *pin = NULL;
	bool no_attach_type = false;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *hook;
	unsigned int ifindex;
	__u32 flags;

	if (argc < 4) {
		fprintf(stderr, "usage: xdp_load OBJ IFNAME native|generic [--no-attach-type] [--pin PATH]\n");
		return 2;
	}
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--no-attach-type"))
			no_attach_type = true;
		else if (!strcmp(argv[i], "--pin") && i + 1 < argc)
			pin = argv[++i];
	}
	flags = !strcmp(argv[3], "generic") ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	ifindex = if_nametoindex(argv[2]);
	if (!ifindex) {
		fprintf(stderr, "xdp_load: no interface %s\n", argv[2]);
		return 1;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "xdp_load: cannot open %s\n", argv[1]);
		return 1;
	}
	prog = bpf_object__next_program(obj, NULL);
	if (prog && no_attach_type)
		bpf_program__set_expected_attach_type(prog, 0);
	if (!prog || bpf_object__load(obj)) {
		fprintf(stderr, "xdp_load: cannot load %s\n", argv[1]);
		return 1;
	}
	if (bpf_xdp_attach((int)ifindex, bpf_program__fd(prog), flags, NULL)) {
		fprintf(stderr, "xdp_load: cannot attach to %s\n", argv[2]);
		return 1;
	}
	hook = bpf_object__find_map_by_name(obj, "xdpcap_hook");
	if (pin && (!hook || bpf_map__pin(hook, pin))) {
		fprintf(stderr, "xdp_load: cannot pin the hook at %s\n", pin);
		return 1;
	}
	bpf_object__close(obj);
	return 0;
}
