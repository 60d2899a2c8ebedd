// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * xdpcap's probe of tracing XDP programs against the real thing: an XDP
 * program without a hook (tests/bpf/xdp_traced.bpf.c) and an fexit
 * program on it as libbpf builds one (tests/bpf/trace_exit.bpf.c, with
 * CO-RE). Where the probe says yes, the fexit program must load, attach
 * and see each test run's verdict and packet length; where it says no,
 * the kernel must refuse the fexit program with the probe's errno.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "xdpcap/kernel.h"
#include "tap.h"

struct seen {
	__u64 runs;
	__s32 last_ret;
	__u64 last_len;
};

static struct bpf_object *open_object(const char *name)
{
	const char *top = getenv("TOP_BUILDDIR");
	struct bpf_object *obj;
	char path[512];

	snprintf(path, sizeof(path), "%s/tests/bpf/%s", top && *top ? top : ".", name);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		tap_bail("cannot open %s: %s", path, strerror(errno));
	return obj;
}

/* An Ethernet frame of len bytes carrying IPv4 with protocol proto. */
static void frame(__u8 *f, size_t len, __u8 proto)
{
	memset(f, 0, len);
	f[12] = 0x08;
	f[14] = 0x45;
	f[14 + 9] = proto;
}

static bool read_seen(struct bpf_object *obj, struct seen *s)
{
	struct bpf_map *bss = bpf_object__find_map_by_name(obj, ".bss");
	__u32 key = 0;
	__u8 value[64] = { 0 };

	if (!bss || bpf_map__value_size(bss) > sizeof(value) ||
	    bpf_map_lookup_elem(bpf_map__fd(bss), &key, value))
		return false;
	/* the globals in the order the program declares them */
	memcpy(&s->runs, value, 8);
	memcpy(&s->last_ret, value + 8, 4);
	memcpy(&s->last_len, value + 16, 8);
	return true;
}

static void run_and_check(int xdp_fd, struct bpf_object *tracer)
{
	static const struct { size_t len; __u8 proto; __s32 verdict; } runs[] = {
		{ 60, 17, XDP_DROP }, { 98, 1, XDP_PASS }, { 1514, 17, XDP_DROP },
	};
	__u8 pkt[1514];
	struct seen s;

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
			    .data_size_in = (__u32)runs[i].len, .repeat = 1);
		bool ok;

		frame(pkt, runs[i].len, runs[i].proto);
		ok = !bpf_prog_test_run_opts(xdp_fd, &opts) &&
		     (__s32)opts.retval == runs[i].verdict && read_seen(tracer, &s);
		tap_ok(ok && s.runs == i + 1 && s.last_ret == runs[i].verdict &&
		       s.last_len == runs[i].len,
		       "fexit saw run %zu: verdict %d (want %d), %llu bytes (want %zu), %llu runs",
		       i + 1, ok ? s.last_ret : -1, runs[i].verdict,
		       ok ? (unsigned long long)s.last_len : 0ULL, runs[i].len,
		       ok ? (unsigned long long)s.runs : 0ULL);
	}
}

int main(void)
{
	char errbuf[XDPCAP_ERRBUF_SIZE] = "";
	XDPCAP_OPTS(xdpcap_kernel, k);
	struct bpf_object *target, *tracer;
	struct bpf_program *prog;
	struct bpf_link *link;
	int xdp_fd, err;

	tap_require_root();
	libbpf_set_print(NULL);
	if (xdpcap_kernel_probe(&k, errbuf))
		tap_bail("xdpcap_kernel_probe: %s", errbuf);
	tap_diag("the probe: %s (errno %d): %s", k.trace_xdp ? "yes" : "no",
		 k.trace_errno, k.trace_reason);
	tap_ok(k.trace_reason && *k.trace_reason, "the probe says why in a sentence");

	target = open_object("xdp_traced.bpf.o");
	if (bpf_object__load(target))
		tap_bail("cannot load xdp_traced.bpf.o");
	xdp_fd = bpf_program__fd(bpf_object__find_program_by_name(target, "xdp_traced"));

	tracer = open_object("trace_exit.bpf.o");
	prog = bpf_object__find_program_by_name(tracer, "trace_exit");
	if (!prog || bpf_program__set_attach_target(prog, xdp_fd, "xdp_traced"))
		tap_bail("cannot aim trace_exit at xdp_traced");
	err = bpf_object__load(tracer);
	if (err) {
		tap_ok(!k.trace_xdp && -err == k.trace_errno,
		       "the kernel refuses an fexit program on an XDP program (%s), as the probe said (%s)",
		       strerror(-err), k.trace_xdp ? "yes" : strerror(k.trace_errno));
		goto out;
	}
	link = bpf_program__attach_trace(prog);
	err = libbpf_get_error(link);
	tap_ok(k.trace_xdp && !err,
	       "an fexit program loads and attaches to an XDP program (%s), as the probe said (%s)",
	       err ? strerror((int)-err) : "attached", k.trace_xdp ? "yes" : strerror(k.trace_errno));
	if (!err) {
		run_and_check(xdp_fd, tracer);
		bpf_link__destroy(link);
	}
out:
	bpf_object__close(tracer);
	bpf_object__close(target);
	return tap_done();
}
