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
#include "capture/capture_asm.h"
#include "capture/capture_prog.h"
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
	int copy_map_fd; /* a copied packet's buffer; -1: none */
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
		prog->copy_map_fd = -1;
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

/*
 * The copy's program: the header's wire length to the stack, the header
 * and packet (at most HEADER + buffer_size bytes, and no more than the
 * filter may read, as a traced capture copies them) into the map value
 * after room for a capture record, with the capture's own direct copy,
 * then the fragment on the packet's part of the copy.
 */
static size_t build_copied(struct asm_buf *b, const struct xdpcap_ebpf *frag,
			   uint32_t buffer_size, int map_fd)
{
	/* what the filter may read is all a capture copies before it */
	const uint32_t copied = frag->reach < buffer_size ? frag->reach : buffer_size;
	const uint32_t total = HEADER + copied;
	size_t malformed, done;

	put(b, alu64_reg(BPF_MOV, R_CTX, BPF_REG_1));
	put_ctx_load(b, BPF_REG_2, offsetof(struct xdp_md, data));
	put_ctx_load(b, BPF_REG_3, offsetof(struct xdp_md, data_end));
	put(b, alu64_reg(BPF_MOV, BPF_REG_4, BPF_REG_2));
	put(b, alu64_imm(BPF_ADD, BPF_REG_4, HEADER));
	malformed = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_4, BPF_REG_3, 0, 0));
	put(b, load_mem(BPF_W, BPF_REG_0, BPF_REG_2, 0));
	put(b, store_reg(BPF_W, BPF_REG_10, WIRELEN_OFF, BPF_REG_0));
	put(b, alu64_reg(BPF_MOV, R_CAPLEN, BPF_REG_3));
	put(b, alu64_reg(BPF_SUB, R_CAPLEN, BPF_REG_2));
	put(b, ebpf_insn(BPF_JMP | BPF_JLE | BPF_K, R_CAPLEN, 0, 1, (int32_t)total));
	put(b, alu64_imm(BPF_MOV, R_CAPLEN, (int32_t)total));
	put(b, ebpf_insn(BPF_LD | BPF_DW | BPF_IMM, R_AREA, BPF_PSEUDO_MAP_VALUE, 0, map_fd));
	put(b, ebpf_insn(0, 0, 0, 0, 0));
	capture_put_direct_copy(b, total);
	for (size_t i = 0; i < b->npending; i++)
		land_here(b, b->pending[i]);
	/*
	 * The length again, from the packet: each round of the copy's loop
	 * leaves R_CAPLEN with other bounds, and the filter would be
	 * verified once for each of them.
	 */
	put_ctx_load(b, BPF_REG_2, offsetof(struct xdp_md, data));
	put_ctx_load(b, BPF_REG_3, offsetof(struct xdp_md, data_end));
	put(b, alu64_reg(BPF_SUB, BPF_REG_3, BPF_REG_2));
	put(b, alu64_imm(BPF_ADD, BPF_REG_3, -HEADER));
	put(b, ebpf_insn(BPF_JMP | BPF_JLE | BPF_K, BPF_REG_3, 0, 1, (int32_t)copied));
	put(b, alu64_imm(BPF_MOV, BPF_REG_3, (int32_t)copied));
	put(b, alu64_reg(BPF_MOV, BPF_REG_2, R_AREA));
	put(b, alu64_imm(BPF_ADD, BPF_REG_2, sizeof(struct capture_record) + HEADER));
	memcpy(b->insns + b->len, frag->insns, frag->len * sizeof(*b->insns));
	b->len += frag->len;
	done = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
	land_here(b, malformed);
	put(b, alu32_imm(BPF_MOV, BPF_REG_0, 0));
	land_here(b, done);
	put(b, exit_insn());
	return b->len;
}

int xdpcap_filter_prog_load_copied(const struct xdpcap_ebpf *frag,
				   uint32_t buffer_size,
				   struct xdpcap_filter_prog **out, char **log,
				   char *errbuf)
{
	struct asm_buf b = { 0 };
	int map_fd, err;

	*out = NULL;
	if (log)
		*log = NULL;
	if (!buffer_size || buffer_size > MAX_RUN_BYTES - HEADER) {
		xdpcap_err(errbuf, "a copy of %u bytes: need 1 to %u", buffer_size,
			   MAX_RUN_BYTES - HEADER);
		return -EINVAL;
	}
	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xdpcap_copy", 4,
				sizeof(struct capture_record) + HEADER + buffer_size,
				1, NULL);
	if (map_fd < 0) {
		err = -errno;
		xdpcap_err(errbuf, "cannot create the copy's map: %s", strerror(errno));
		return err;
	}
	/* the direct copy's loop and checks: a few hundred instructions */
	b.insns = calloc(frag->len + 512, sizeof(*b.insns));
	if (!b.insns) {
		close(map_fd);
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	build_copied(&b, frag, buffer_size, map_fd);
	err = b.too_long ? -E2BIG : 0;
	if (err)
		xdpcap_err(errbuf, "the filter is too long to run on a copy");
	else
		err = xdpcap_filter_prog_load_insns(b.insns, b.len, out, log, errbuf);
	free(b.insns);
	if (err) {
		close(map_fd);
		return err;
	}
	(*out)->copy_map_fd = map_fd;
	return 0;
}

int xdpcap_filter_prog_from_fd(int prog_fd, struct xdpcap_filter_prog **out,
			       char *errbuf)
{
	struct xdpcap_filter_prog *prog;

	*out = NULL;
	prog = calloc(1, sizeof(*prog));
	if (prog) {
		prog->copy_map_fd = -1;
		prog->buf = malloc(HEADER + MAX_RUN_BYTES);
	}
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
	if (prog->copy_map_fd >= 0)
		close(prog->copy_map_fd);
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
