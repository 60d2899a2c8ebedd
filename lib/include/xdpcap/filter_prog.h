/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * A compiled filter loaded into the kernel as a stand-alone XDP program,
 * and run on packets with BPF_PROG_TEST_RUN. Used to replay capture files
 * through the real in-kernel filter, by the tests and by the benchmarks.
 *
 * The program returns the filter's result (0 = no match). The packet's
 * wire length, which may exceed the bytes given, travels in a 32-byte
 * header in front of the packet; the layout is described in filter_prog.c
 * and, for C programs, in tests/bpf/c_filter_harness.h.
 */
#ifndef XDPCAP_FILTER_PROG_H
#define XDPCAP_FILTER_PROG_H

#include <stddef.h>
#include <stdint.h>

#include "xdpcap/filter.h"

#ifdef __cplusplus
extern "C" {
#endif

struct xdpcap_filter_prog;

/*
 * Load a fragment from xdpcap_cbpf_to_ebpf() (compiled with
 * wirelen_off = XDPCAP_FILTER_PROG_WIRELEN_OFF), or NULL for a program
 * that only returns 0 (to measure the cost of a run). If the verifier
 * refuses it and log is not NULL, *log receives its log (free() it).
 */
#define XDPCAP_FILTER_PROG_WIRELEN_OFF (-68)
XDPCAP_API int xdpcap_filter_prog_load(const struct xdpcap_ebpf *frag,
				       struct xdpcap_filter_prog **prog,
				       char **log, char *errbuf);

/*
 * Load a fragment compiled for a copy of the packet (buffer_size set in
 * xdpcap_ebpf_opts, and wirelen_off = XDPCAP_FILTER_PROG_WIRELEN_OFF):
 * the program first copies the packet, at most buffer_size bytes, into
 * a map value, as a capture by tracing does, and runs the fragment on
 * the copy. The result is libpcap's on the packet cut to buffer_size.
 */
XDPCAP_API int xdpcap_filter_prog_load_copied(const struct xdpcap_ebpf *frag,
					      uint32_t buffer_size,
					      struct xdpcap_filter_prog **prog,
					      char **log, char *errbuf);

/* Load a whole XDP program from instructions (for programs built by hand). */
XDPCAP_API int xdpcap_filter_prog_load_insns(const struct bpf_insn *insns,
					     size_t len,
					     struct xdpcap_filter_prog **prog,
					     char **log, char *errbuf);

/*
 * Use an XDP program loaded elsewhere (for instance built from
 * xdpcap_cbpf_to_c() output) that reads its packet and wire length with
 * the same layout as the programs above. The fd is duplicated.
 */
XDPCAP_API int xdpcap_filter_prog_from_fd(int prog_fd,
					  struct xdpcap_filter_prog **prog,
					  char *errbuf);

XDPCAP_API void xdpcap_filter_prog_close(struct xdpcap_filter_prog *prog);

/* The largest packet a run can take (the kernel's linear XDP buffer). */
XDPCAP_API uint32_t xdpcap_filter_prog_max_caplen(void);

/*
 * Run the program once on caplen bytes of a packet whose wire length is
 * wirelen; *result gets the filter's result. Returns 0 or -errno.
 */
XDPCAP_API int xdpcap_filter_prog_run(struct xdpcap_filter_prog *prog,
				      const void *pkt, uint32_t caplen,
				      uint32_t wirelen, uint32_t *result);

/* Run it repeat times in the kernel; *ns gets the mean time of one run. */
XDPCAP_API int xdpcap_filter_prog_time(struct xdpcap_filter_prog *prog,
				       const void *pkt, uint32_t caplen,
				       uint32_t wirelen, uint32_t repeat,
				       uint32_t *ns);

#ifdef __cplusplus
}
#endif

#endif
