// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Ask the running kernel what a capture can use: each feature is probed
 * by loading a tiny program or creating a tiny map, so that backported
 * features count and version numbers never matter (the helpers: see
 * kernel_helpers.c).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "xdpcap/kernel.h"
#include "kernel_helpers.h"
#include "trace_probe.h"
#include "opts.h"
#include "ebpf_insn.h"
#include "util.h"

/*
 * 1 if the kernel takes the XDP program, 0 if it refuses it, or -EPERM
 * if loading programs is not permitted (EACCES is the verifier's answer
 * to a program, not a refusal of the caller)
 */
static int probe_prog(const struct bpf_insn *insns, size_t len, __u32 flags)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .prog_flags = flags);
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdpcap_probe", "Dual BSD/GPL",
			   insns, len, &opts);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno == EPERM ? -EPERM : 0;
}

/* a security module refuses map creation with EACCES */
static int probe_ring_buffer(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "xdpcap_probe", 0, 0,
				(__u32)sysconf(_SC_PAGESIZE), NULL);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno == EPERM || errno == EACCES ? -EPERM : 0;
}

/* a loop of four rounds: a jump backwards */
static int probe_bounded_loops(void)
{
	const struct bpf_insn insns[] = {
		alu64_imm(BPF_MOV, BPF_REG_0, 0),
		alu64_imm(BPF_ADD, BPF_REG_0, 1),
		ebpf_insn(BPF_JMP | BPF_JLT | BPF_K, BPF_REG_0, 0, -2, 4),
		alu32_imm(BPF_MOV, BPF_REG_0, XDP_PASS),
		exit_insn(),
	};

	return probe_prog(insns, ARRAY_SIZE(insns), 0);
}

static int probe_frags(void)
{
	const struct bpf_insn insns[] = {
		alu32_imm(BPF_MOV, BPF_REG_0, XDP_PASS),
		exit_insn(),
	};

	return probe_prog(insns, ARRAY_SIZE(insns), BPF_F_XDP_HAS_FRAGS);
}

const char *xdpcap_copy_name(enum xdpcap_copy copy)
{
	switch (copy) {
	case XDPCAP_COPY_LOAD_BYTES:
		return "load-bytes";
	case XDPCAP_COPY_DIRECT:
		return "direct";
	default:
		return "none";
	}
}

static int choose_copy(struct xdpcap_kernel *k, char *errbuf)
{
	const char *want = getenv("XDPCAP_COPY");

	k->copy = XDPCAP_COPY_NONE;
	k->copy_forced = false;
	if (!k->ring_buffer) {
		xdpcap_err(errbuf, "this kernel has no BPF ring buffer (BPF_MAP_TYPE_RINGBUF, Linux 5.8 and later): xdpcap cannot capture here");
		return 0;
	}
	if (want && *want) {
		k->copy_forced = true;
		if (!strcmp(want, "load-bytes") && k->load_bytes) {
			k->copy = XDPCAP_COPY_LOAD_BYTES;
			return 0;
		}
		if (!strcmp(want, "direct") && k->bounded_loops) {
			k->copy = XDPCAP_COPY_DIRECT;
			return 0;
		}
		xdpcap_err(errbuf, "XDPCAP_COPY=%s: %s", want,
			   strcmp(want, "load-bytes") && strcmp(want, "direct") ?
			   "use load-bytes or direct" : "this kernel cannot copy packets that way");
		return -EINVAL;
	}
	if (k->load_bytes)
		k->copy = XDPCAP_COPY_LOAD_BYTES;
	else if (k->bounded_loops)
		k->copy = XDPCAP_COPY_DIRECT;
	else
		xdpcap_err(errbuf, "this kernel's verifier takes no loops (Linux 5.3 and later do), nor has it bpf_xdp_load_bytes: xdpcap cannot copy packets here");
	return 0;
}

static int probe(struct xdpcap_kernel *k, char *errbuf)
{
	int r;

	memset(k, 0, sizeof(*k));
	r = probe_ring_buffer();
	if (r < 0)
		goto not_permitted;
	k->ring_buffer = r;
	r = probe_bounded_loops();
	if (r < 0)
		goto not_permitted;
	k->bounded_loops = r;
	k->load_bytes = kernel_helper_allowed(BPF_FUNC_xdp_load_bytes) &&
			kernel_helper_allowed(BPF_FUNC_xdp_get_buff_len);
	k->frags = probe_frags() > 0;
	/* the cheap clock a rate cap reads for every match */
	k->coarse_time = kernel_helper_allowed(BPF_FUNC_ktime_get_coarse_ns);
	r = trace_probe_xdp();
	k->trace_xdp = !r;
	k->trace_errno = -r;
	k->trace_reason = trace_probe_reason(r);
	return 0;
not_permitted:
	xdpcap_err(errbuf, "probing the kernel's BPF features is not permitted: run as root (CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)");
	return r;
}

/* The features are kept once probed (a refusal may be retried). */
static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static struct xdpcap_kernel probed;
static bool probe_done;

int xdpcap_kernel_probe(struct xdpcap_kernel *k, char *errbuf)
{
	struct xdpcap_kernel full;
	int err = 0;

	if (opts_size(k) < sizeof(size_t)) {
		xdpcap_err(errbuf, "xdpcap_kernel: its size (sz) is not set");
		return -EINVAL;
	}
	pthread_mutex_lock(&probe_lock);
	if (!probe_done) {
		err = probe(&probed, errbuf);
		probe_done = !err;
	}
	full = probed;
	pthread_mutex_unlock(&probe_lock);
	full.sz = sizeof(full);
	/* XDPCAP_COPY is read each time: a process may capture both ways */
	if (!err)
		err = choose_copy(&full, errbuf);
	opts_out(k, &full, sizeof(full));
	return err;
}
