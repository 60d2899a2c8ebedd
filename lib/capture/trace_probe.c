// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Whether this kernel lets a tracing program (fentry/fexit) attach to an
 * XDP program, the way in to XDP programs without a hook: found by doing
 * it. A small XDP program with BTF of its own is loaded, then an fexit
 * program that reads the packet's xdp_buff is loaded against it and
 * attached. Neither is attached to an interface; both go when closed.
 */
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "ebpf_insn.h"
#include "trace_probe.h"
#include "util.h"

/*
 * BTF for "int xdpcap_probe(struct xdp_md *ctx)": the kernel gives an
 * fexit program on it the kernel's struct xdp_buff, found by the name of
 * the context's type. Returns the BTF fd and the function's type id.
 */
static int load_target_btf(__u32 *func_id)
{
	struct btf *btf = btf__new_empty();
	const void *raw;
	__u32 size;
	int int_id, ctx_id, ptr_id, proto_id, id, fd = -ENOMEM;

	if (!btf)
		return -ENOMEM;
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	ctx_id = btf__add_struct(btf, "xdp_md", 24);
	ptr_id = btf__add_ptr(btf, ctx_id);
	proto_id = btf__add_func_proto(btf, int_id);
	if (int_id > 0 && ctx_id > 0 && ptr_id > 0 && proto_id > 0 &&
	    !btf__add_func_param(btf, "ctx", ptr_id)) {
		id = btf__add_func(btf, "xdpcap_probe", BTF_FUNC_GLOBAL, proto_id);
		raw = id > 0 ? btf__raw_data(btf, &size) : NULL;
		if (raw) {
			fd = bpf_btf_load(raw, size, NULL);
			fd = fd < 0 ? -errno : fd;
			*func_id = (__u32)id;
		}
	}
	btf__free(btf);
	return fd;
}

static int load_target(int btf_fd, __u32 func_id)
{
	const struct bpf_insn insns[] = {
		alu32_imm(BPF_MOV, BPF_REG_0, XDP_PASS),
		exit_insn(),
	};
	const struct bpf_func_info info = { .insn_off = 0, .type_id = func_id };
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		.prog_btf_fd = (__u32)btf_fd,
		.func_info = &info,
		.func_info_cnt = 1,
		.func_info_rec_size = sizeof(info),
	);
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdpcap_probe", "Dual BSD/GPL",
			       insns, ARRAY_SIZE(insns), &opts);

	return fd < 0 ? -errno : fd;
}

/* fexit: the xdp_buff's first word (data), read through its BTF type */
static int load_tracer(int target_fd, __u32 func_id)
{
	const struct bpf_insn insns[] = {
		load_mem(BPF_DW, BPF_REG_2, BPF_REG_1, 0),
		load_mem(BPF_DW, BPF_REG_0, BPF_REG_2, 0),
		alu64_imm(BPF_MOV, BPF_REG_0, 0),
		exit_insn(),
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		.expected_attach_type = BPF_TRACE_FEXIT,
		.attach_prog_fd = (__u32)target_fd,
		.attach_btf_id = func_id,
	);
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "xdpcap_probe", "Dual BSD/GPL",
			       insns, ARRAY_SIZE(insns), &opts);

	return fd < 0 ? -errno : fd;
}

int trace_probe_xdp(void)
{
	int btf_fd, target_fd = -1, tracer_fd = -1, link_fd = -1, err;
	__u32 func_id = 0;

	btf_fd = load_target_btf(&func_id);
	if (btf_fd < 0)
		return btf_fd;
	err = target_fd = load_target(btf_fd, func_id);
	if (target_fd >= 0)
		err = tracer_fd = load_tracer(target_fd, func_id);
	if (tracer_fd >= 0) {
		link_fd = bpf_raw_tracepoint_open(NULL, tracer_fd);
		err = link_fd < 0 ? -errno : 0;
	}
	if (link_fd >= 0)
		close(link_fd);
	if (tracer_fd >= 0)
		close(tracer_fd);
	if (target_fd >= 0)
		close(target_fd);
	close(btf_fd);
	return err;
}

const char *trace_probe_reason(int err)
{
	switch (err) {
	case 0:
		return "fentry/fexit programs attach to XDP programs";
	case -EPERM:
	case -EACCES:
		return "this kernel refuses tracing programs (EPERM: lockdown or a security policy); capture through a hook instead";
	case -EINVAL:
	case -ENOTSUPP_:
	case -EOPNOTSUPP:
		return "this kernel cannot attach fentry/fexit programs to XDP programs (no BPF trampoline, or no BTF of its own); capture through a hook instead";
	default:
		return "tracing XDP programs failed here; capture through a hook instead";
	}
}
