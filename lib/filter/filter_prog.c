// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A filter fragment wrapped into a stand-alone XDP program and run with
 * BPF_PROG_TEST_RUN.
 *
 * The kernel refuses test packets under 14 bytes, but libpcap filters run
 * on any length, down to 0, and a filter also needs the packet's wire
 * length. Both travel in a header in front of the packet, in the XDP
 * data itself:
 *
 *   data + 0    u32 wire length
 *   data + 4    28 bytes of zeros
 *   data + 32   the packet (0 bytes or more), up to data_end
 *
 * The filter reads data + 32 as its packet start. Only the test packet is
 * used: no XDP metadata or input context, which kernels before 5.14 do
 * not take in a test run (they answer EINVAL).
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

#define HEADER 32
#define MAX_RUN_BYTES 65536
#define VERIFIER_LOG_SIZE (1 << 22)
#define WIRELEN_OFF XDPCAP_FILTER_PROG_WIRELEN_OFF
#define PROLOGUE_MAX 16

struct xdpcap_filter_prog {
	int fd;
	uint8_t *buf; /* header + packet, reused between runs */
};

#define CTX_LOAD(dst, field) \
	load_mem(BPF_W, dst, BPF_REG_1, offsetof(struct xdp_md, field))

/* Leave r2/r3 pointing at the packet and the wire length on the stack. */
static size_t build_prologue(struct bpf_insn *p)
{
	size_t n = 0;

	p[n++] = CTX_LOAD(BPF_REG_4, data);
	p[n++] = CTX_LOAD(BPF_REG_3, data_end);
	p[n++] = alu64_reg(BPF_MOV, BPF_REG_2, BPF_REG_4);
	p[n++] = alu64_imm(BPF_ADD, BPF_REG_2, HEADER);
	p[n++] = ebpf_insn(BPF_JMP | BPF_JLE | BPF_X, BPF_REG_2, BPF_REG_3, 2, 0);
	/* malformed input: no match */
	p[n++] = alu32_imm(BPF_MOV, BPF_REG_0, 0);
	p[n++] = exit_insn();
	p[n++] = load_mem(BPF_W, BPF_REG_0, BPF_REG_4, 0);
	p[n++] = store_reg(BPF_W, BPF_REG_10, WIRELEN_OFF, BPF_REG_0);
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
		prog->buf = malloc(HEADER + MAX_RUN_BYTES);
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
			xdpcap_err(errbuf, "loading a BPF program is not permitted: run as root (CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)");
		else
			xdpcap_err(errbuf, "the kernel refused the filter program (%s)%s",
				   err == -E2BIG ? "too complex: the verifier explored its limit of instructions" :
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
		prog->buf = malloc(HEADER + MAX_RUN_BYTES);
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
 * which a filter does not see (data_end ends the first buffer), or, where
 * it has no fragments, refuses the packet. Find the largest packet that
 * stays in one buffer, once, with a program that returns data_end - data.
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
	uint32_t lo = 0, hi = MAX_RUN_BYTES - HEADER;
	struct xdpcap_filter_prog *prog;

	if (xdpcap_filter_prog_load_insns(linear_len, ARRAY_SIZE(linear_len),
					  &prog, NULL, NULL))
		return 0;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			.data_in = prog->buf,
			.data_size_in = HEADER + mid,
			.repeat = 1,
		);

		memset(prog->buf, 0, HEADER + mid);
		if (!bpf_prog_test_run_opts(prog->fd, &opts) &&
		    opts.retval == HEADER + mid)
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
	static bool probed;

	if (!probed) {
		max_caplen = probe_max_caplen();
		probed = true;
	}
	return max_caplen;
}

static int run(struct xdpcap_filter_prog *prog, const void *pkt,
	       uint32_t caplen, uint32_t wirelen, uint32_t repeat,
	       uint32_t *result, uint32_t *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = prog->buf,
		.repeat = repeat,
	);
	uint8_t *b = prog->buf;

	if (caplen > xdpcap_filter_prog_max_caplen())
		return -EMSGSIZE;
	memset(b, 0, HEADER);
	memcpy(b, &wirelen, 4);
	if (caplen)
		memcpy(b + HEADER, pkt, caplen);
	/* at least 32 bytes: the kernel's least test packet is 14 */
	opts.data_size_in = HEADER + caplen;
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
