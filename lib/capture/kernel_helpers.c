// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Which BPF helpers this kernel lets an XDP program call: each one is
 * called, with valid arguments, by a tiny XDP program, and the verifier's
 * answer decides. Neither bpftool's feature list nor the kernel's version
 * does: a kernel can refuse a helper it has (seen: bpf_xdp_adjust_meta
 * refused in XDP programs, "program of this type cannot use helper",
 * while bpftool listed it).
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "xdpcap/kernel.h"
#include "kernel_helpers.h"
#include "ebpf_insn.h"
#include "util.h"

/* The maps a probe passes to the helper it calls. */
enum probe_map { NO_MAP, PERCPU_ARRAY, PROG_ARRAY, RINGBUF };

struct helper_probe {
	int func;
	enum probe_map map;
	struct xdpcap_kernel_helper about;
};

/* Every helper a capture program calls, in the order they are probed. */
static struct helper_probe probes[] = {
	{ BPF_FUNC_tail_call, PROG_ARRAY,
	  { "bpf_tail_call", "run the hook's slots and the captures sharing them", true,
	    "no hook can work: xdpcap cannot capture here", false } },
	{ BPF_FUNC_ringbuf_output, RINGBUF,
	  { "bpf_ringbuf_output", "hand packets to xdpcap", true,
	    "xdpcap cannot capture here", false } },
	{ BPF_FUNC_get_smp_processor_id, NO_MAP,
	  { "bpf_get_smp_processor_id", "find the CPU's counters and copy area", true,
	    "xdpcap cannot capture here", false } },
	{ BPF_FUNC_ktime_get_ns, NO_MAP,
	  { "bpf_ktime_get_ns", "time stamp packets", true,
	    "xdpcap cannot capture here", false } },
	{ BPF_FUNC_map_lookup_elem, PERCPU_ARRAY,
	  { "bpf_map_lookup_elem", "set the program's entry state (entry capture), read redirect notes", true,
	    "xdpcap cannot capture here", false } },
	{ BPF_FUNC_xdp_load_bytes, NO_MAP,
	  { "bpf_xdp_load_bytes", "copy whole frames, fragments included", false,
	    "packets are copied from their first buffer by a loop", false } },
	{ BPF_FUNC_xdp_get_buff_len, NO_MAP,
	  { "bpf_xdp_get_buff_len", "the length of multi-buffer frames", false,
	    "the length is that of the first buffer", false } },
	{ BPF_FUNC_ktime_get_coarse_ns, NO_MAP,
	  { "bpf_ktime_get_coarse_ns", "the clock of --max-rate", false,
	    "--max-rate reads bpf_ktime_get_ns", false } },
	{ BPF_FUNC_xdp_adjust_meta, NO_MAP,
	  { "bpf_xdp_adjust_meta", "entry capture of programs built with xdpcap_hook.h 0.1", false,
	    "those programs cannot be captured at entry (nor loaded: rebuild them with this xdpcap_hook.h); captures at their exits work", false } },
};

static int make_map(enum probe_map which)
{
	switch (which) {
	case PERCPU_ARRAY:
		return bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "xdpcap_probe", 4, 4, 1, NULL);
	case PROG_ARRAY:
		return bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "xdpcap_probe", 4, 4, 1, NULL);
	case RINGBUF:
		return bpf_map_create(BPF_MAP_TYPE_RINGBUF, "xdpcap_probe", 0, 0,
				      (__u32)sysconf(_SC_PAGESIZE), NULL);
	default:
		return -1;
	}
}

/*
 * 1 if the verifier lets an XDP program call the helper, 0 if it does
 * not, -EPERM if loading programs is not permitted.
 */
static int probe_helper(const struct helper_probe *p)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	struct bpf_insn insns[16];
	size_t n = 0;
	int map_fd = -1, fd;

	if (p->map != NO_MAP) {
		map_fd = make_map(p->map);
		/* EACCES: a security module's refusal (the verifier's
		 * answer to a program load is another matter) */
		if (map_fd < 0)
			return errno == EPERM || errno == EACCES ? -EPERM : 0;
	}
	insns[n++] = alu64_reg(BPF_MOV, BPF_REG_6, BPF_REG_1);
	insns[n++] = store_imm(BPF_DW, BPF_REG_10, -8, 0);
	if (map_fd >= 0) {
		insns[n++] = ebpf_insn(BPF_LD | BPF_DW | BPF_IMM,
				       p->func == BPF_FUNC_tail_call ? BPF_REG_2 : BPF_REG_1,
				       BPF_PSEUDO_MAP_FD, 0, map_fd);
		insns[n++] = ebpf_insn(0, 0, 0, 0, 0);
	}
	switch (p->func) {
	case BPF_FUNC_tail_call:
		insns[n++] = alu64_reg(BPF_MOV, BPF_REG_1, BPF_REG_6);
		insns[n++] = alu64_imm(BPF_MOV, BPF_REG_3, 0);
		break;
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_ringbuf_output:
		insns[n++] = alu64_reg(BPF_MOV, BPF_REG_2, BPF_REG_10);
		insns[n++] = alu64_imm(BPF_ADD, BPF_REG_2, -8);
		insns[n++] = alu64_imm(BPF_MOV, BPF_REG_3, 8);
		insns[n++] = alu64_imm(BPF_MOV, BPF_REG_4, 0);
		break;
	case BPF_FUNC_xdp_load_bytes:
		insns[n++] = alu64_reg(BPF_MOV, BPF_REG_1, BPF_REG_6);
		insns[n++] = alu64_imm(BPF_MOV, BPF_REG_2, 0);
		insns[n++] = alu64_reg(BPF_MOV, BPF_REG_3, BPF_REG_10);
		insns[n++] = alu64_imm(BPF_ADD, BPF_REG_3, -8);
		insns[n++] = alu64_imm(BPF_MOV, BPF_REG_4, 1);
		break;
	case BPF_FUNC_xdp_adjust_meta:
		insns[n++] = alu64_reg(BPF_MOV, BPF_REG_1, BPF_REG_6);
		insns[n++] = alu64_imm(BPF_MOV, BPF_REG_2, 0);
		break;
	case BPF_FUNC_xdp_get_buff_len:
		insns[n++] = alu64_reg(BPF_MOV, BPF_REG_1, BPF_REG_6);
		break;
	default:
		break;
	}
	insns[n++] = call_helper(p->func);
	insns[n++] = alu32_imm(BPF_MOV, BPF_REG_0, XDP_PASS);
	insns[n++] = exit_insn();
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdpcap_probe", "Dual BSD/GPL", insns, n, &opts);
	if (fd < 0 && errno == EPERM) {
		fd = -EPERM;
	} else if (fd >= 0) {
		close(fd);
		fd = 1;
	} else {
		fd = 0;
	}
	if (map_fd >= 0)
		close(map_fd);
	return fd;
}

/*
 * Each helper is probed when first asked about, once per process: a
 * capture asks about the few its choices depend on, and `xdpcap
 * features` (or a refused capture program) about all.
 */
static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static bool probed[ARRAY_SIZE(probes)];

/* Probe helper i if not done yet: 0, or -EPERM with a message. */
static int probe_one(size_t i, char *errbuf)
{
	int r = 0;

	pthread_mutex_lock(&probe_lock);
	if (!probed[i]) {
		r = probe_helper(&probes[i]);
		if (r >= 0) {
			probes[i].about.allowed = r;
			probed[i] = true;
			r = 0;
		} else {
			xdpcap_err(errbuf, "probing the kernel's BPF features is not permitted: run as root (CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)");
		}
	}
	pthread_mutex_unlock(&probe_lock);
	return r;
}

static int probe_all(char *errbuf)
{
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		int err = probe_one(i, errbuf);

		if (err)
			return err;
	}
	return 0;
}

int xdpcap_kernel_helpers(const struct xdpcap_kernel_helper **out, size_t i, char *errbuf)
{
	int err = probe_all(errbuf);

	if (err)
		return err;
	if (i >= ARRAY_SIZE(probes))
		return -ENOENT;
	*out = &probes[i].about;
	return 0;
}

bool kernel_helper_allowed(int func)
{
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
		if (probes[i].func == func)
			return !probe_one(i, NULL) && probes[i].about.allowed;
	return false;
}

int kernel_helpers_required(char *errbuf)
{
	int err = probe_all(errbuf);

	if (err)
		return err;
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		const struct xdpcap_kernel_helper *h = &probes[i].about;

		if (!h->allowed && probes[i].about.required) {
			xdpcap_err(errbuf, "this kernel's verifier refuses %s in XDP programs, which captures need to %s: %s",
				   h->name, h->use, h->without);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}
