// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Finding what a traced capture attaches to: the interface's XDP
 * program, the function in its BTF that is its entry point, and the
 * offsets in the kernel's own structures that the capture program reads
 * (taken from the kernel's BTF, so that they hold on every kernel).
 */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "trace_target.h"
#include "xdp_dispatcher.h"
#include "util.h"

const char *trace_prog_spec(const char *name)
{
	if (!strncmp(name, "xdp:", 4))
		name += 4;
	if (strncmp(name, TRACE_PROG_PREFIX, strlen(TRACE_PROG_PREFIX)))
		return NULL;
	return name + strlen(TRACE_PROG_PREFIX);
}

/* The program XDP runs on ifindex: native mode's first, then generic. */
static uint32_t xdp_prog_of(int ifindex, int *err)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, opts);

	*err = bpf_xdp_query(ifindex, 0, &opts);
	if (*err)
		return 0;
	if (opts.drv_prog_id)
		return opts.drv_prog_id;
	if (opts.skb_prog_id)
		return opts.skb_prog_id;
	return opts.prog_id;
}

/* The byte offset of member name in struct sname of the kernel's BTF. */
static int member_off(const struct btf *btf, const char *sname, const char *name,
		      int16_t *off)
{
	int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_member *m = t ? btf_members(t) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), name))
			continue;
		*off = (int16_t)(btf_member_bit_offset(t, i) / 8);
		return 0;
	}
	return -ENOENT;
}

static int kernel_offsets(struct trace_offsets *o, char *errbuf)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int err;

	if (!btf) {
		xdpcap_err(errbuf, "this kernel has no BTF of its own (/sys/kernel/btf/vmlinux): tracing programs cannot read its packets; capture through a hook instead");
		return -EOPNOTSUPP;
	}
	err = member_off(btf, "xdp_buff", "data", &o->data) ?:
	      member_off(btf, "xdp_buff", "data_end", &o->data_end) ?:
	      member_off(btf, "xdp_buff", "rxq", &o->rxq) ?:
	      member_off(btf, "xdp_rxq_info", "dev", &o->rxq_dev) ?:
	      member_off(btf, "xdp_rxq_info", "queue_index", &o->rxq_queue) ?:
	      member_off(btf, "net_device", "ifindex", &o->dev_ifindex);
	btf__free(btf);
	if (err)
		xdpcap_err(errbuf, "this kernel's BTF lacks a member of struct xdp_buff, xdp_rxq_info or net_device that a traced capture reads");
	return err;
}

/*
 * Whether function ft takes a struct xdp_md * first: what tells an
 * extension program that replaces part of an XDP program (a component
 * under libxdp's dispatcher) from one that extends another kind.
 */
static bool first_param_is_xdp_md(const struct btf *btf, const struct btf_type *ft)
{
	const struct btf_type *proto = btf__type_by_id(btf, ft->type);
	const struct btf_type *t;

	if (!proto || !btf_is_func_proto(proto) || !btf_vlen(proto))
		return false;
	t = btf__type_by_id(btf, btf_params(proto)[0].type);
	while (t && (btf_is_const(t) || btf_is_volatile(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_ptr(t))
		return false;
	t = btf__type_by_id(btf, t->type);
	return t && btf_is_struct(t) && !strcmp(btf__name_by_offset(btf, t->name_off), "xdp_md");
}

/* The program's entry point: the first function of its BTF. */
static int entry_function(struct trace_target *t, char *errbuf)
{
	struct bpf_func_info finfo = {};
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	const struct btf_type *ft;
	struct btf *btf;

	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(finfo);
	info.func_info = (uint64_t)(unsigned long)&finfo;
	if (bpf_obj_get_info_by_fd(t->prog_fd, &info, &len)) {
		int err = -errno;

		xdpcap_err(errbuf, "cannot read XDP program %u: %s", t->prog_id, strerror(errno));
		return err;
	}
	snprintf(t->prog_name, sizeof(t->prog_name), "%s", info.name);
	if (!info.btf_id || !info.nr_func_info) {
		xdpcap_err(errbuf, "XDP program %u (%s) has no BTF (built without -g): it cannot be traced; rebuild it with clang -g, or give it a hook (bpf/xdpcap_hook.h)",
			   t->prog_id, t->prog_name);
		return -EOPNOTSUPP;
	}
	btf = btf__load_from_kernel_by_id(info.btf_id);
	ft = btf ? btf__type_by_id(btf, finfo.type_id) : NULL;
	if (!ft || !btf_is_func(ft)) {
		btf__free(btf);
		xdpcap_err(errbuf, "cannot read the BTF of XDP program %u (%s)", t->prog_id,
			   t->prog_name);
		return -EINVAL;
	}
	t->func_id = finfo.type_id;
	snprintf(t->func_name, sizeof(t->func_name), "%s", btf__name_by_offset(btf, ft->name_off));
	t->takes_xdp_md = first_param_is_xdp_md(btf, ft);
	btf__free(btf);
	return 0;
}

int trace_target_open_id(uint32_t prog_id, struct trace_target *t, char *errbuf)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	int err;

	memset(t, 0, sizeof(*t));
	t->prog_id = prog_id;
	t->prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (t->prog_fd < 0) {
		err = -errno;
		if (err == -ENOENT)
			xdpcap_err(errbuf, "no BPF program has id %u (xdpcap list shows the XDP programs and their ids)",
				   prog_id);
		else
			xdpcap_err(errbuf, "cannot open BPF program %u: %s", prog_id, strerror(errno));
		return err;
	}
	if (bpf_obj_get_info_by_fd(t->prog_fd, &info, &len) ||
	    (info.type != BPF_PROG_TYPE_XDP && info.type != BPF_PROG_TYPE_EXT)) {
		xdpcap_err(errbuf, "BPF program %u is not an XDP program", prog_id);
		return -EINVAL;
	}
	t->extension = info.type == BPF_PROG_TYPE_EXT;
	err = entry_function(t, errbuf);
	if (!err && t->extension && !t->takes_xdp_md) {
		xdpcap_err(errbuf, "BPF program %u (%s) extends a program that is not XDP", prog_id,
			   t->prog_name);
		return -EINVAL;
	}
	if (!err)
		err = kernel_offsets(&t->off, errbuf);
	return err;
}

int trace_target_open(const char *ifname, struct trace_target *t, char *errbuf)
{
	int ifindex = (int)if_nametoindex(ifname), err;
	uint32_t prog_id, ids[XDP_DISPATCHER_MAX];

	memset(t, 0, sizeof(*t));
	t->prog_fd = -1;
	if (!ifindex) {
		xdpcap_err(errbuf, "no network interface is named %s", ifname);
		return -ENOENT;
	}
	prog_id = xdp_prog_of(ifindex, &err);
	if (err) {
		xdpcap_err(errbuf, "cannot ask which XDP program %s has: %s", ifname,
			   strerror(-err));
		return err;
	}
	if (!prog_id) {
		xdpcap_err(errbuf, "%s has no XDP program", ifname);
		return -ENOENT;
	}
	/*
	 * libxdp's dispatcher with one program has that program replace its
	 * own function, where a tracing program can no longer attach
	 * (EBUSY): that program is what runs, with the same verdicts.
	 */
	if (xdp_dispatcher_components(ifindex, prog_id, ids) == 1) {
		err = trace_target_open_id(ids[0], t, errbuf);
		t->dispatcher_id = prog_id;
		return err;
	}
	return trace_target_open_id(prog_id, t, errbuf);
}

void trace_target_close(struct trace_target *t)
{
	if (t->prog_fd >= 0)
		close(t->prog_fd);
	t->prog_fd = -1;
}

int trace_target_attach(int prog_fd)
{
	int fd = bpf_raw_tracepoint_open(NULL, prog_fd);

	return fd < 0 ? -errno : fd;
}
