/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What the running kernel offers a capture, found by asking it (loading
 * small programs and maps), never from its version number, and the way
 * of copying packets chosen from that.
 */
#ifndef XDPCAP_KERNEL_H
#define XDPCAP_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "xdpcap/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a capture program copies a packet to the ring. */
enum xdpcap_copy {
	XDPCAP_COPY_NONE,	/* this kernel cannot capture */
	/* bpf_xdp_load_bytes: the whole frame, multi-buffer frames too */
	XDPCAP_COPY_LOAD_BYTES,
	/* a loop over the packet's first buffer (data to data_end) */
	XDPCAP_COPY_DIRECT,
};

struct xdpcap_kernel {
	size_t sz;		/* sizeof, set by the caller (XDPCAP_OPTS) */
	bool ring_buffer;	/* BPF_MAP_TYPE_RINGBUF (Linux 5.8) */
	bool bounded_loops;	/* the verifier takes loops (5.3) */
	bool load_bytes;	/* bpf_xdp_load_bytes, bpf_xdp_get_buff_len (5.18) */
	bool frags;		/* multi-buffer XDP, BPF_F_XDP_HAS_FRAGS (5.18) */
	bool coarse_time;	/* bpf_ktime_get_coarse_ns (5.11), for --max-rate */
	enum xdpcap_copy copy;	/* what captures use here */
	bool copy_forced;	/* chosen by XDPCAP_COPY */
	/*
	 * fentry/fexit programs attach to XDP programs (the way in to
	 * programs without a hook), found by attaching one to a probe
	 * program; trace_reason says why not, or what works, in a sentence
	 */
	bool trace_xdp;
	int trace_errno;	/* the kernel's refusal (positive), or 0 */
	const char *trace_reason;
};
#define xdpcap_kernel__last_field trace_reason

/*
 * Probe the running kernel, once per process (later calls return the
 * same features), and choose the copy: XDPCAP_COPY=direct or load-bytes
 * in the environment, read at each call, picks one where the kernel has
 * both (for measurements and tests). Returns 0,
 * or -errno with a message when probing is not permitted (CAP_BPF) or
 * XDPCAP_COPY asks for what the kernel lacks; k->copy is
 * XDPCAP_COPY_NONE when no capture can work, with the reason in errbuf.
 */
XDPCAP_API int xdpcap_kernel_probe(struct xdpcap_kernel *k, char *errbuf);

/*
 * A BPF helper that capture programs call, and whether this kernel's
 * verifier lets an XDP program call it: found by loading a program that
 * calls it, once per process. A kernel may refuse a helper it has.
 */
struct xdpcap_kernel_helper {
	const char *name;	/* "bpf_ringbuf_output" */
	const char *use;	/* what captures call it for */
	bool required;		/* no capture works without it */
	const char *without;	/* what happens where it is refused */
	bool allowed;		/* the verifier took the probe */
};

/*
 * The i-th helper (from 0) in *helper; -ENOENT past the last, or -errno
 * with a message when probing is not permitted.
 */
XDPCAP_API int xdpcap_kernel_helpers(const struct xdpcap_kernel_helper **helper,
				     size_t i, char *errbuf);

/* "load-bytes", "direct" or "none". */
XDPCAP_API const char *xdpcap_copy_name(enum xdpcap_copy copy);

#ifdef __cplusplus
}
#endif

#endif
