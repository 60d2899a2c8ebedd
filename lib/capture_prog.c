// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Capture programs, assembled from the filter fragment and a few dozen
 * instructions around it:
 *
 *   record.action = action          (also the counters' key)
 *   counters[action].received++
 *   record.wirelen = bpf_xdp_get_buff_len(ctx)
 *   result = filter(data, data_end, record.wirelen)
 *   if (result) {
 *       counters[action].matched++
 *       caplen = min(result, record.wirelen)
 *       record.caplen, .ts, .ifindex, .rx_queue = caplen, ktime, from ctx
 *       if (bpf_perf_event_output(ctx, ring, CURRENT_CPU | caplen << 32,
 *                                 &record, sizeof(record)))
 *           counters[action].dropped++
 *   }
 *   return action
 *
 * bpf_perf_event_output copies the packet from the XDP buffer itself,
 * fragments included, so multi-buffer packets are captured whole. The
 * filter is compiled for a snap length within what the ring takes, so its
 * result needs no clamp unless the cBPF returns A.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "xdpcap/hook.h"
#include "capture_prog.h"
#include "ebpf_insn.h"
#include "util.h"

#define VERIFIER_LOG_SIZE (1 << 22)
/* instructions around the filter */
#define CAPTURE_EXTRA_INSNS 64

enum {
	R_CTX = BPF_REG_6,
	R_COUNTERS = BPF_REG_7,
	R_RESULT = BPF_REG_8,
};

struct asm_buf {
	struct bpf_insn *insns;
	size_t len;
};

static void put(struct asm_buf *b, struct bpf_insn insn)
{
	b->insns[b->len++] = insn;
}

/* dst = address of the map behind fd (two instruction slots) */
static void put_map_fd(struct asm_buf *b, uint8_t dst, int fd)
{
	put(b, ebpf_insn(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd));
	put(b, ebpf_insn(0, 0, 0, 0, 0));
}

/* *(u64 *)(R_COUNTERS + off) += 1; the counters are per CPU, no atomics */
static void put_count(struct asm_buf *b, int16_t off)
{
	put(b, load_mem(BPF_DW, BPF_REG_1, R_COUNTERS, off));
	put(b, alu64_imm(BPF_ADD, BPF_REG_1, 1));
	put(b, store_reg(BPF_DW, R_COUNTERS, off, BPF_REG_1));
}

static void put_ctx_load(struct asm_buf *b, uint8_t dst, int16_t off)
{
	put(b, load_mem(BPF_W, dst, R_CTX, off));
}

/* Patch the jump at index at to land on the current end. */
static void land_here(struct asm_buf *b, size_t at)
{
	b->insns[at].off = (int16_t)(b->len - at - 1);
}

#define REC(field) (int16_t)(CAPTURE_RECORD_OFF + (int)offsetof(struct capture_record, field))
#define CNT(field) (int16_t)offsetof(struct capture_counters, field)

static size_t build(struct asm_buf *b, const struct capture_prog_spec *s)
{
	size_t no_counters, no_match, sent;

	put(b, alu64_reg(BPF_MOV, R_CTX, BPF_REG_1));
	/* counters of this action */
	put(b, store_imm(BPF_W, BPF_REG_10, REC(action), (int32_t)s->action));
	put_map_fd(b, BPF_REG_1, s->counters_map_fd);
	put(b, alu64_reg(BPF_MOV, BPF_REG_2, BPF_REG_10));
	put(b, alu64_imm(BPF_ADD, BPF_REG_2, CAPTURE_KEY_OFF));
	put(b, call_helper(BPF_FUNC_map_lookup_elem));
	no_counters = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 0, 0));
	put(b, alu64_reg(BPF_MOV, R_COUNTERS, BPF_REG_0));
	put_count(b, CNT(received));
	/* the filter, on the packet and its full length */
	put(b, alu64_reg(BPF_MOV, BPF_REG_1, R_CTX));
	put(b, call_helper(BPF_FUNC_xdp_get_buff_len));
	put(b, store_reg(BPF_W, BPF_REG_10, REC(wirelen), BPF_REG_0));
	put_ctx_load(b, BPF_REG_2, offsetof(struct xdp_md, data));
	put_ctx_load(b, BPF_REG_3, offsetof(struct xdp_md, data_end));
	memcpy(b->insns + b->len, s->filter->insns,
	       s->filter->len * sizeof(*b->insns));
	b->len += s->filter->len;
	no_match = b->len;
	put(b, ebpf_insn(BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_0, 0, 0, 0));
	put_count(b, CNT(matched));
	/* the time first: the helper call clobbers r0-r5 */
	put(b, alu32_reg(BPF_MOV, R_RESULT, BPF_REG_0));
	put(b, call_helper(BPF_FUNC_ktime_get_ns));
	put(b, store_reg(BPF_DW, BPF_REG_10, REC(ts_mono_ns), BPF_REG_0));
	/* r3 = caplen = min(result, wirelen[, the ring's limit]) */
	put(b, alu32_reg(BPF_MOV, BPF_REG_3, R_RESULT));
	put(b, load_mem(BPF_W, BPF_REG_1, BPF_REG_10, REC(wirelen)));
	put(b, ebpf_insn(BPF_JMP32 | BPF_JLE | BPF_X, BPF_REG_3, BPF_REG_1, 1, 0));
	put(b, alu32_reg(BPF_MOV, BPF_REG_3, BPF_REG_1));
	if (s->result_unbounded) {
		put(b, ebpf_insn(BPF_JMP32 | BPF_JLE | BPF_K, BPF_REG_3, 0, 1,
				 CAPTURE_MAX_CAPLEN));
		put(b, alu32_imm(BPF_MOV, BPF_REG_3, CAPTURE_MAX_CAPLEN));
	}
	put(b, store_reg(BPF_W, BPF_REG_10, REC(caplen), BPF_REG_3));
	/* flags: caplen << 32 | BPF_F_CURRENT_CPU, as (caplen + 1) << 32 - 1 */
	put(b, alu64_imm(BPF_ADD, BPF_REG_3, 1));
	put(b, alu64_imm(BPF_LSH, BPF_REG_3, 32));
	put(b, alu64_imm(BPF_SUB, BPF_REG_3, 1));
	/* the rest of the record */
	put_ctx_load(b, BPF_REG_1, offsetof(struct xdp_md, ingress_ifindex));
	put(b, store_reg(BPF_W, BPF_REG_10, REC(ifindex), BPF_REG_1));
	put_ctx_load(b, BPF_REG_1, offsetof(struct xdp_md, rx_queue_index));
	put(b, store_reg(BPF_W, BPF_REG_10, REC(rx_queue), BPF_REG_1));
	put(b, store_imm(BPF_W, BPF_REG_10, REC(zero), 0));
	put(b, alu64_reg(BPF_MOV, BPF_REG_1, R_CTX));
	put_map_fd(b, BPF_REG_2, s->perf_map_fd);
	put(b, alu64_reg(BPF_MOV, BPF_REG_4, BPF_REG_10));
	put(b, alu64_imm(BPF_ADD, BPF_REG_4, CAPTURE_RECORD_OFF));
	put(b, alu64_imm(BPF_MOV, BPF_REG_5, sizeof(struct capture_record)));
	put(b, call_helper(BPF_FUNC_perf_event_output));
	sent = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 0, 0));
	put_count(b, CNT(dropped));
	land_here(b, no_counters);
	land_here(b, no_match);
	land_here(b, sent);
	put(b, alu32_imm(BPF_MOV, BPF_REG_0, (int32_t)s->action));
	put(b, exit_insn());
	return b->len;
}

static int load(const struct bpf_insn *insns, size_t len, const char *name,
		const struct capture_prog_kind *kind, char *log, size_t log_size)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		.expected_attach_type = kind->expected_attach_type,
		.prog_flags = kind->frags ? BPF_F_XDP_HAS_FRAGS : 0,
		.log_buf = log,
		.log_size = log ? log_size : 0,
		.log_level = log ? 1 : 0,
	);
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "Dual BSD/GPL", insns, len,
			   &opts);
	return fd < 0 ? -errno : fd;
}

int capture_prog_load(const struct capture_prog_spec *spec, char **log,
		      size_t *insn_count, char *errbuf)
{
	struct asm_buf b;
	char *vlog;
	int fd;

	if (log)
		*log = NULL;
	b.len = 0;
	b.insns = calloc(spec->filter->len + CAPTURE_EXTRA_INSNS, sizeof(*b.insns));
	if (!b.insns) {
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	build(&b, spec);
	if (insn_count)
		*insn_count = b.len;
	fd = load(b.insns, b.len, spec->name, &spec->kind, NULL, 0);
	if (fd == -EPERM) {
		xdpcap_err(errbuf, "loading a capture program is not permitted: run as root (CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)");
	} else if (fd < 0) {
		xdpcap_err(errbuf, "the kernel refused the capture program for %s (%s)%s",
			   xdpcap_action_name(spec->action),
			   strerror(-fd), log ? "" : "; -v shows the verifier's log");
		vlog = log ? calloc(1, VERIFIER_LOG_SIZE) : NULL;
		if (vlog) {
			load(b.insns, b.len, spec->name, &spec->kind, vlog,
			     VERIFIER_LOG_SIZE);
			*log = vlog;
		}
	}
	free(b.insns);
	return fd;
}

int capture_prog_probe_kind(int hook_fd, struct capture_prog_kind *kind,
			    char *errbuf)
{
	static const struct capture_prog_kind kinds[] = {
		{ BPF_XDP, false }, { BPF_XDP, true }, { 0, false }, { 0, true },
	};
	struct bpf_insn insns[4];
	struct asm_buf b = { .insns = insns };
	int fd, accepted = 0, err = 0;

	/* refer to the hook so the kernel checks compatibility at load */
	put_map_fd(&b, BPF_REG_1, hook_fd);
	put(&b, alu32_imm(BPF_MOV, BPF_REG_0, XDP_PASS));
	put(&b, exit_insn());
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		fd = load(insns, b.len, "xdpcap_probe", &kinds[i], NULL, 0);
		if (fd >= 0) {
			if (!accepted++)
				*kind = kinds[i];
			close(fd);
		} else if (fd != -EINVAL) {
			err = fd;
		}
	}
	if (accepted)
		return 0;
	if (err == -EPERM) {
		xdpcap_err(errbuf, "loading BPF programs is not permitted: run as root (CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)");
		return err;
	}
	xdpcap_err(errbuf, "the hook's XDP program was loaded in a way no capture program can match (not XDP, or offloaded?)%s%s",
		   err ? ": " : "", err ? strerror(-err) : "");
	return err ? err : -EINVAL;
}
