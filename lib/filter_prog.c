// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A filter fragment wrapped into a stand-alone XDP program and run with
 * BPF_PROG_TEST_RUN.
 *
 * The kernel refuses test packets under 14 bytes, but libpcap filters run
 * on any length, down to 0. So the program takes two layouts, told apart
 * by the length of the XDP metadata:
 *
 *   32 bytes of metadata: u32 wire length, 28 bytes of zeros; the packet
 *                         is the XDP data.
 *   16 bytes of metadata: the packet (0 to 13 bytes) at the end of the
 *                         metadata; the XDP data is u32 wire length,
 *                         u32 packet length, then 6 bytes of zeros.
 *
 * In the second layout the filter reads the metadata as its packet: the
 * verifier checks metadata pointers against data exactly as it checks
 * packet pointers against data_end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "xdpcap/filter_prog.h"
#include "ebpf_insn.h"
#include "util.h"

#define META_BIG 32
#define META_SMALL 16
#define SMALL_DATA 14
#define MIN_DATA 14
#define MAX_RUN_BYTES 65536
#define VERIFIER_LOG_SIZE (1 << 22)
#define WIRELEN_OFF XDPCAP_FILTER_PROG_WIRELEN_OFF
#define PROLOGUE_MAX 32

struct xdpcap_filter_prog {
	int fd;
	uint8_t *buf; /* metadata + packet, reused between runs */
};

enum { R_CTX = BPF_REG_6 };

#define CTX_LOAD(dst, field) \
	load_mem(BPF_W, dst, R_CTX, offsetof(struct xdp_md, field))

/* Leave r2/r3 pointing at the packet and the wire length on the stack. */
static size_t build_prologue(struct bpf_insn *p)
{
	size_t n = 0;

	p[n++] = alu64_reg(BPF_MOV, R_CTX, BPF_REG_1);
	p[n++] = CTX_LOAD(BPF_REG_2, data_meta);
	p[n++] = CTX_LOAD(BPF_REG_3, data);
	p[n++] = alu64_reg(BPF_MOV, BPF_REG_0, BPF_REG_2);
	p[n++] = alu64_imm(BPF_ADD, BPF_REG_0, META_BIG);
	p[n++] = ebpf_insn(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_0, BPF_REG_3, 5, 0);
	/* big metadata: the packet is the XDP data */
	p[n++] = load_mem(BPF_W, BPF_REG_0, BPF_REG_2, 0);
	p[n++] = store_reg(BPF_W, BPF_REG_10, WIRELEN_OFF, BPF_REG_0);
	p[n++] = alu64_reg(BPF_MOV, BPF_REG_2, BPF_REG_3);
	p[n++] = CTX_LOAD(BPF_REG_3, data_end);
	p[n++] = ebpf_insn(BPF_JMP | BPF_JA, 0, 0, 14, 0);
	/* a small packet at the end of the metadata */
	p[n++] = CTX_LOAD(BPF_REG_4, data_end);
	p[n++] = alu64_reg(BPF_MOV, BPF_REG_0, BPF_REG_3);
	p[n++] = alu64_imm(BPF_ADD, BPF_REG_0, 8);
	p[n++] = ebpf_insn(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_0, BPF_REG_4, 6, 0);
	p[n++] = load_mem(BPF_W, BPF_REG_0, BPF_REG_3, 0);
	p[n++] = store_reg(BPF_W, BPF_REG_10, WIRELEN_OFF, BPF_REG_0);
	p[n++] = load_mem(BPF_W, BPF_REG_0, BPF_REG_3, 4);
	p[n++] = alu32_imm(BPF_AND, BPF_REG_0, 15);
	p[n++] = alu32_imm(BPF_MOV, BPF_REG_1, META_SMALL);
	p[n++] = ebpf_insn(BPF_JMP | BPF_JA, 0, 0, 2, 0);
	/* malformed input: no match */
	p[n++] = alu32_imm(BPF_MOV, BPF_REG_0, 0);
	p[n++] = exit_insn();
	p[n++] = alu32_reg(BPF_SUB, BPF_REG_1, BPF_REG_0);
	p[n++] = alu64_reg(BPF_ADD, BPF_REG_2, BPF_REG_1);
	return n;
}

int xdpcap_filter_prog_load_insns(const struct bpf_insn *insns, size_t len,
				  struct xdpcap_filter_prog **out, char **log,
				  char *errbuf)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	struct xdpcap_filter_prog *prog;
	char *vlog = NULL;
	int fd, err;

	*out = NULL;
	if (log)
		*log = NULL;
	prog = calloc(1, sizeof(*prog));
	if (prog) {
		prog->fd = -1;
		prog->buf = malloc(META_BIG + MAX_RUN_BYTES);
	}
	if (!prog || !prog->buf) {
		xdpcap_filter_prog_close(prog);
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdpcap_filter", "Dual BSD/GPL",
			   insns, len, &opts);
	if (fd < 0) {
		err = -errno;
		/* load again with a log, only to explain the refusal */
		vlog = calloc(1, VERIFIER_LOG_SIZE);
		if (vlog) {
			opts.log_buf = vlog;
			opts.log_size = VERIFIER_LOG_SIZE;
			opts.log_level = 1;
			bpf_prog_load(BPF_PROG_TYPE_XDP, "xdpcap_filter",
				      "Dual BSD/GPL", insns, len, &opts);
		}
		if (err == -EPERM)
			xdpcap_err(errbuf, "loading a BPF program is not permitted: run as root (or with CAP_BPF and CAP_NET_ADMIN)");
		else
			xdpcap_err(errbuf, "the kernel refused the filter program (%s)%s",
				   strerror(-err),
				   log ? "" : "; -v shows the verifier's log");
		if (log)
			*log = vlog;
		else
			free(vlog);
		xdpcap_filter_prog_close(prog);
		return err;
	}
	prog->fd = fd;
	*out = prog;
	return 0;
}

int xdpcap_filter_prog_load(const struct xdpcap_ebpf *frag,
			    struct xdpcap_filter_prog **out, char **log,
			    char *errbuf)
{
	size_t nfrag = frag ? frag->len : 1;
	struct bpf_insn *insns;
	size_t n;
	int err;

	insns = calloc(PROLOGUE_MAX + nfrag + 1, sizeof(*insns));
	if (!insns) {
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	n = build_prologue(insns);
	if (frag)
		memcpy(insns + n, frag->insns, frag->len * sizeof(*insns));
	else
		insns[n] = alu32_imm(BPF_MOV, BPF_REG_0, 0);
	n += nfrag;
	insns[n++] = exit_insn();
	err = xdpcap_filter_prog_load_insns(insns, n, out, log, errbuf);
	free(insns);
	return err;
}

int xdpcap_filter_prog_from_fd(int prog_fd, struct xdpcap_filter_prog **out,
			       char *errbuf)
{
	struct xdpcap_filter_prog *prog;

	*out = NULL;
	prog = calloc(1, sizeof(*prog));
	if (prog)
		prog->buf = malloc(META_BIG + MAX_RUN_BYTES);
	if (!prog || !prog->buf) {
		free(prog);
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	prog->fd = fcntl(prog_fd, F_DUPFD_CLOEXEC, 3);
	if (prog->fd < 0) {
		int err = -errno;

		xdpcap_err(errbuf, "cannot duplicate program fd: %s", strerror(errno));
		free(prog->buf);
		free(prog);
		return err;
	}
	*out = prog;
	return 0;
}

void xdpcap_filter_prog_close(struct xdpcap_filter_prog *prog)
{
	if (!prog)
		return;
	if (prog->fd >= 0)
		close(prog->fd);
	free(prog->buf);
	free(prog);
}

/*
 * Past one page the kernel puts the rest of a test packet into fragments,
 * which a filter does not see (data_end ends the first buffer). Find the
 * largest packet that stays in one buffer, once, with a program that
 * returns data_end - data.
 */
static uint32_t probe_max_caplen(void)
{
	static const struct bpf_insn linear_len[] = {
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_2,
		  .src_reg = BPF_REG_1, .off = offsetof(struct xdp_md, data) },
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_0,
		  .src_reg = BPF_REG_1, .off = offsetof(struct xdp_md, data_end) },
		{ .code = BPF_ALU64 | BPF_SUB | BPF_X, .dst_reg = BPF_REG_0,
		  .src_reg = BPF_REG_2 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	uint32_t lo = MIN_DATA, hi = MAX_RUN_BYTES;
	struct xdpcap_filter_prog *prog;

	if (xdpcap_filter_prog_load_insns(linear_len, ARRAY_SIZE(linear_len),
					  &prog, NULL, NULL))
		return 0;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		struct xdp_md ctx = { .data = META_BIG, .data_end = META_BIG + mid };
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			.data_in = prog->buf,
			.data_size_in = META_BIG + mid,
			.ctx_in = &ctx,
			.ctx_size_in = sizeof(ctx),
			.repeat = 1,
		);

		memset(prog->buf, 0, META_BIG + mid);
		if (!bpf_prog_test_run_opts(prog->fd, &opts) && opts.retval == mid)
			lo = mid;
		else
			hi = mid - 1;
	}
	xdpcap_filter_prog_close(prog);
	return lo;
}

uint32_t xdpcap_filter_prog_max_caplen(void)
{
	static uint32_t max_caplen;

	if (!max_caplen)
		max_caplen = probe_max_caplen();
	return max_caplen ? max_caplen : MIN_DATA;
}

static int run(struct xdpcap_filter_prog *prog, const void *pkt,
	       uint32_t caplen, uint32_t wirelen, uint32_t repeat,
	       uint32_t *result, uint32_t *ns)
{
	struct xdp_md ctx;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = prog->buf,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = repeat,
	);
	uint8_t *b = prog->buf;

	if (caplen > xdpcap_filter_prog_max_caplen())
		return -EMSGSIZE;
	if (caplen < MIN_DATA) {
		memset(b, 0, META_SMALL + SMALL_DATA);
		if (caplen)
			memcpy(b + META_SMALL - caplen, pkt, caplen);
		memcpy(b + META_SMALL, &wirelen, 4);
		memcpy(b + META_SMALL + 4, &caplen, 4);
		ctx = (struct xdp_md){ .data = META_SMALL,
				       .data_end = META_SMALL + SMALL_DATA };
	} else {
		memset(b, 0, META_BIG);
		memcpy(b, &wirelen, 4);
		memcpy(b + META_BIG, pkt, caplen);
		ctx = (struct xdp_md){ .data = META_BIG,
				       .data_end = META_BIG + caplen };
	}
	opts.data_size_in = ctx.data_end;
	if (bpf_prog_test_run_opts(prog->fd, &opts))
		return -errno;
	if (result)
		*result = opts.retval;
	if (ns)
		*ns = opts.duration;
	return 0;
}

int xdpcap_filter_prog_run(struct xdpcap_filter_prog *prog, const void *pkt,
			   uint32_t caplen, uint32_t wirelen, uint32_t *result)
{
	return run(prog, pkt, caplen, wirelen, 1, result, NULL);
}

int xdpcap_filter_prog_time(struct xdpcap_filter_prog *prog, const void *pkt,
			    uint32_t caplen, uint32_t wirelen, uint32_t repeat,
			    uint32_t *ns)
{
	return run(prog, pkt, caplen, wirelen, repeat, NULL, ns);
}
