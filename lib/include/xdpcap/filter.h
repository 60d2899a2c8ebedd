/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Capture filters: pcap-filter text -> libpcap cBPF -> eBPF (or C).
 *
 * The eBPF output is a fragment meant to be embedded in a larger XDP
 * program. Its contract:
 *
 *   on entry   r2 = packet data, r3 = packet data_end (as loaded from
 *              struct xdp_md); if opts->wirelen_off is set, the u32 at
 *              r10 + wirelen_off holds the packet's full length.
 *   clobbers   r0-r5 and the 64 bytes at r10 + opts->scratch_off
 *              (only the scratch words the filter uses are touched);
 *              r6-r9 and the rest of the stack are left alone.
 *   on exit    control falls through past the last instruction with
 *              w0 = the filter's result: 0 = no match, otherwise the
 *              value libpcap's interpreter returns (the snap length).
 *
 * The result equals pcap_offline_filter()'s for every packet, with the
 * packet's caplen = data_end - data and wirelen from wirelen_off. A read
 * past data_end and a division by zero give 0, as in libpcap. Reads that
 * end past 65471 bytes always give 0 (XDP packets are never that long).
 */
#ifndef XDPCAP_FILTER_H
#define XDPCAP_FILTER_H

/* Reads that end past this many bytes give 0 (see above). */
#define XDPCAP_CBPF_MAX_READ 65471u

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/filter.h> /* struct sock_filter: one cBPF instruction */

#include "xdpcap/common.h"

/*
 * struct bpf_insn is <linux/bpf.h>'s eBPF instruction. It is only declared
 * here so that this header can be used next to <pcap.h>, whose cBPF
 * instruction has the same name.
 */
struct bpf_insn;

#ifdef __cplusplus
extern "C" {
#endif

/* A classic BPF program, as libpcap's pcap_compile() produces it. */
struct xdpcap_cbpf {
	struct sock_filter *insns;
	size_t len;
};

/* A compiled eBPF filter fragment (see the contract above). */
struct xdpcap_ebpf {
	struct bpf_insn *insns;
	size_t len;
	/* How many packet bounds checks the fragment makes (for reports). */
	unsigned int bounds_checks;
	/* The filter reads the packet length (cBPF "len"). */
	int reads_wirelen;
	/*
	 * It reads no byte at or past this offset: a copy of the packet's
	 * first reach bytes (r3 = that many, or fewer for a shorter packet)
	 * gives the same result as a longer one. At most the largest packet
	 * (buffer_size; 65535 without), which stands for "any".
	 */
	uint32_t reach;
};

struct xdpcap_ebpf_opts {
	size_t sz; /* sizeof(struct xdpcap_ebpf_opts), for ABI growth */
	/* r10-relative offset of 16 u32 scratch words; 0 means -64. */
	int16_t scratch_off;
	/*
	 * r10-relative offset of a u32 holding the packet's full (wire)
	 * length. 0 means "data_end - data", which the verifier allows only
	 * to programs loaded with CAP_PERFMON (pointer subtraction).
	 */
	int16_t wirelen_off;
	/*
	 * 0: r2 and r3 are packet pointers, as above. Otherwise the filter
	 * reads a copy of the packet: r2 points at buffer_size readable
	 * bytes (a map value), r3 holds how many of them the copy fills (a
	 * scalar, at most buffer_size). The result equals libpcap's with
	 * caplen = r3. (For tracing programs, which cannot read the packet
	 * in place.)
	 */
	uint32_t buffer_size;
};
#define xdpcap_ebpf_opts__last_field buffer_size

/*
 * Compile a pcap-filter expression with libpcap for a link type (a DLT_
 * value, e.g. DLT_EN10MB = 1) and snap length. An empty expression
 * matches everything. On error the message is libpcap's.
 */
XDPCAP_API int xdpcap_cbpf_from_expr(const char *expr, int linktype,
				     uint32_t snaplen,
				     struct xdpcap_cbpf *prog, char *errbuf);

/*
 * The same, with the IPv4 netmask "ip broadcast" tests against, in host
 * byte order (255.255.255.0 is 0xffffff00); the function above passes 0,
 * as tcpdump -r does.
 */
XDPCAP_API int xdpcap_cbpf_from_expr_mask(const char *expr, int linktype,
					  uint32_t snaplen, uint32_t netmask,
					  struct xdpcap_cbpf *prog, char *errbuf);

/* Join argv-style words into one expression, as tcpdump does. */
XDPCAP_API char *xdpcap_expr_join(char *const *words, int count);

XDPCAP_API void xdpcap_cbpf_free(struct xdpcap_cbpf *prog);

/* Print a cBPF program in the form of tcpdump -d. */
XDPCAP_API void xdpcap_cbpf_dump(FILE *out, const struct xdpcap_cbpf *prog);

/*
 * Check that a cBPF program is one libpcap's interpreter runs to a defined
 * result and that this compiler can translate. Returns 0 or -EINVAL.
 */
XDPCAP_API int xdpcap_cbpf_check(const struct xdpcap_cbpf *prog, char *errbuf);

/*
 * Whether the program loads Linux socket metadata (the SKF_AD_* offsets:
 * the packet type that inbound and outbound test, VLAN tags the kernel
 * took out, ...). XDP runs before the kernel knows any of it, so such a
 * load ends the filter without a match, as libpcap's interpreter does.
 */
XDPCAP_API bool xdpcap_cbpf_reads_metadata(const struct xdpcap_cbpf *prog);

/*
 * The first instruction that reads the packet at an offset beyond any
 * XDP packet (a read that ends past 65471 bytes, metadata aside, such as
 * "ether[4294967295]"), or -1 if none does. A packet that reaches such a
 * read does not match, as in libpcap's interpreter on a shorter packet.
 */
XDPCAP_API int xdpcap_cbpf_read_past_packet(const struct xdpcap_cbpf *prog);

/*
 * Loops. libpcap's "protochain" walks the header chain in a loop (a
 * backward jump). The translators unroll it: a packet gets libpcap's
 * result when libpcap's interpreter jumps backwards at most this many
 * times on it (one jump per extension header walked), and no match
 * otherwise. Returns that bound, 0 for a program without loops, or a
 * negative errno if the program cannot be translated.
 */
XDPCAP_API int xdpcap_cbpf_loop_rounds(const struct xdpcap_cbpf *prog);

/* Translate cBPF to an eBPF fragment. Returns 0 or a negative errno. */
XDPCAP_API int xdpcap_cbpf_to_ebpf(const struct xdpcap_cbpf *prog,
				   const struct xdpcap_ebpf_opts *opts,
				   struct xdpcap_ebpf *out, char *errbuf);

XDPCAP_API void xdpcap_ebpf_free(struct xdpcap_ebpf *prog);

/* Print eBPF instructions as readable assembly, one per line. */
XDPCAP_API void xdpcap_ebpf_dump(FILE *out, const struct bpf_insn *insns,
				 size_t len);

/*
 * Write the filter as a C function for clang -target bpf:
 *
 *   static __always_inline __u32 NAME(const __u8 *data,
 *                                     const __u8 *data_end, __u32 wirelen);
 *
 * returning the same value as the eBPF fragment. The C needs
 * <linux/types.h> and __always_inline (from <bpf/bpf_helpers.h>).
 */
XDPCAP_API int xdpcap_cbpf_to_c(FILE *out, const struct xdpcap_cbpf *prog,
				const char *name, char *errbuf);

#ifdef __cplusplus
}
#endif

#endif /* XDPCAP_FILTER_H */
