/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Replay a capture file through a filter running in the kernel: every
 * packet goes through the compiled eBPF with BPF_PROG_TEST_RUN, and the
 * matching ones are written out as tcpdump -r IN -w OUT FILTER would.
 */
#ifndef XDPCAP_REPLAY_H
#define XDPCAP_REPLAY_H

#include <stdint.h>

#include "xdpcap/filter.h"

#ifdef __cplusplus
extern "C" {
#endif

struct xdpcap_replay;

struct xdpcap_replay_stats {
	size_t sz;		/* sizeof, set by the caller (XDPCAP_OPTS) */
	uint64_t packets;	/* read from the input */
	uint64_t matched;	/* written to the output */
	/* longer than the kernel's test runs take (see xdpcap_replay_run) */
	uint64_t cut;
};
#define xdpcap_replay_stats__last_field cut

/*
 * Open a pcap or pcapng file and compile the filter for its link type,
 * as tcpdump -r does. Fails with -ENOENT (or another errno) when the file
 * cannot be read and -EINVAL for a filter libpcap or xdpcap rejects.
 */
XDPCAP_API int xdpcap_replay_open(const char *in_path, const char *expr,
				  struct xdpcap_replay **replay, char *errbuf);

/* The same, with the netmask of "ip broadcast" (xdpcap_capture_opts). */
XDPCAP_API int xdpcap_replay_open_mask(const char *in_path, const char *expr,
				       uint32_t netmask,
				       struct xdpcap_replay **replay,
				       char *errbuf);

/* The cBPF and eBPF of the opened filter (owned by the replay). */
XDPCAP_API const struct xdpcap_cbpf *
xdpcap_replay_cbpf(const struct xdpcap_replay *replay);
XDPCAP_API const struct xdpcap_ebpf *
xdpcap_replay_ebpf(const struct xdpcap_replay *replay);

/* Load the filter into the kernel; on refusal *log gets the verifier log. */
XDPCAP_API int xdpcap_replay_load(struct xdpcap_replay *replay, char **log,
				  char *errbuf);

/*
 * Run every packet and write the matches to out_path ("-" = stdout).
 * The kernel runs test packets of at most xdpcap_filter_prog_max_caplen()
 * bytes (about 3,500): a longer one is filtered on its first bytes and
 * its real length, as a capture with that snap length would see it, and
 * written whole if it matches; stats->cut counts them. Fails with -EINVAL
 * when out_path is the input file and -EBADMSG when the input is damaged
 * (what came before is written).
 */
XDPCAP_API int xdpcap_replay_run(struct xdpcap_replay *replay,
				 const char *out_path,
				 struct xdpcap_replay_stats *stats,
				 char *errbuf);

XDPCAP_API void xdpcap_replay_close(struct xdpcap_replay *replay);

#ifdef __cplusplus
}
#endif

#endif
