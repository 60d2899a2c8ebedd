// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Capture programs, assembled from the filter fragment and a few dozen
 * instructions around it:
 *
 *   area = areas + smp_processor_id() * stride    (no lookup: direct)
 *   area.counters[action].received++
 *   wirelen = area.record.wirelen = bpf_xdp_get_buff_len(ctx)
 *                                   (or data_end - data, see below)
 *   result = filter(data, data_end, wirelen)
 *   if (result) {
 *       area.counters[action].matched++
 *       area.record.ts = ktime
 *       caplen = min(result, wirelen[, max_caplen])
 *       area.record.caplen, .action, .ifindex, .rx_queue = ...
 *       copy caplen bytes of the packet to area.packet
 *       if (bpf_ringbuf_output(ring, &area.record, 32 + caplen, 0))
 *           area.counters[action].dropped++
 *   }
 *   return action
 *
 * The copy takes one of two forms, as the kernel allows:
 *
 * - bpf_xdp_load_bytes (Linux 5.18 and later) copies fragments too, so
 *   multi-buffer packets are captured whole (it cannot fail:
 *   1 <= caplen <= wirelen).
 * - Before it, a packet is one buffer, data to data_end, and a loop
 *   copies it with direct packet access: 64-byte blocks, then one last
 *   block that ends at caplen (overlapping the one before it); packets
 *   under 64 bytes go by 8-byte words the same way, under 8 bytes by
 *   bytes. The wire length is then data_end - data, unless the kernel
 *   has bpf_xdp_get_buff_len; caplen never passes data_end.
 *
 * An area is used by one program run at a time: XDP runs in softirq, or
 * with softirqs off, and never nests on a CPU. (BPF_PROG_TEST_RUN of the
 * hook's program without live frames runs with softirqs on; a packet
 * received meanwhile on the same CPU could mix its record with another's.)
 * The ring wakes its reader only when the reader had caught up (flags 0);
 * the reader pauses after each wake-up so that the wake-ups stay few (see
 * capture.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "xdpcap/hook.h"
#include "capture_prog.h"
#include "capture_asm.h"
#include "kernel_helpers.h"
#include "ebpf_insn.h"
#include "util.h"

#define VERIFIER_LOG_SIZE (1 << 22)
/* instructions around the filter, the direct copy included */
#define CAPTURE_EXTRA_INSNS 440


#define CACHE_LINE 64u
#define ROUND_UP(x, to) (((x) + (to) - 1) / (to) * (to))
/*
 * Memory for all CPUs' areas: full-size packets on up to 1024 CPUs. (The
 * verifier also bounds a variable offset into a map value by 2^29.)
 */
#define AREAS_MAX_BYTES (64u << 20)


/* Offset of an action's counter from R_AREA, which points at the record. */
int16_t capture_counter_off(const struct capture_prog_spec *s, size_t field)
{
	return (int16_t)((int32_t)(s->action * sizeof(struct capture_counters) + field) -
			 (int32_t)s->layout.record_off);
}


/* *(u64 *)(R_AREA + off) += 1; each CPU has its own area: no atomics */
void capture_put_count(struct asm_buf *b, int16_t off)
{
	put(b, load_mem(BPF_DW, BPF_REG_1, R_AREA, off));
	put(b, alu64_imm(BPF_ADD, BPF_REG_1, 1));
	put(b, store_reg(BPF_DW, R_AREA, off, BPF_REG_1));
}

/* dst = data_end - data: the first buffer's length */
static void put_linear_len(struct asm_buf *b, uint8_t dst)
{
	put_ctx_load(b, dst, offsetof(struct xdp_md, data_end));
	put_ctx_load(b, BPF_REG_5, offsetof(struct xdp_md, data));
	put(b, alu64_reg(BPF_SUB, dst, BPF_REG_5));
}

/* Offset of the entry state from R_AREA. */
int16_t capture_entry_off(const struct capture_prog_spec *s, size_t field)
{
	return (int16_t)((int32_t)(CAPTURE_ENTRY_OFF + field) - (int32_t)s->layout.record_off);
}

#define LIMIT(field) capture_entry_off(s, CAPTURE_LIMIT_OFF - CAPTURE_ENTRY_OFF + \
				  offsetof(struct capture_limit_state, field))

#define NS_PER_S 1000000000

/*
 * --sample: keep the first of every sample matches (each CPU counts its
 * own); a jump to the skipped count otherwise, at *skip.
 */
static void put_sample(struct asm_buf *b, const struct capture_prog_spec *s, size_t *skip)
{
	put(b, load_mem(BPF_DW, BPF_REG_1, R_AREA, LIMIT(seen)));
	put(b, alu64_reg(BPF_MOV, BPF_REG_2, BPF_REG_1));
	put(b, alu64_imm(BPF_ADD, BPF_REG_2, 1));
	put(b, store_reg(BPF_DW, R_AREA, LIMIT(seen), BPF_REG_2));
	put(b, alu64_imm(BPF_MOD, BPF_REG_1, (int32_t)s->sample));
	*skip = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, 0, 0));
}

/* dst = a 64-bit constant (two instruction slots) */
static void put_u64(struct asm_buf *b, uint8_t dst, uint64_t v)
{
	put(b, ebpf_insn(BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (int32_t)(uint32_t)v));
	put(b, ebpf_insn(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)));
}

/*
 * --max-rate, with r0 = now: the CPU's bucket gains max_rate units a
 * nanosecond, holds a second of them (one packet at least), and a packet
 * takes ncpus * 10^9 units: each CPU keeps max_rate / ncpus packets a
 * second, and after a quiet second a burst of as many. A jump to the
 * skipped count when empty, at *skip.
 */
static void put_rate_cap(struct asm_buf *b, const struct capture_prog_spec *s, size_t *skip)
{
	const uint64_t packet = (uint64_t)s->layout.ncpus * NS_PER_S;
	uint64_t burst = (uint64_t)s->max_rate * NS_PER_S;

	if (burst < packet)
		burst = packet;
	put(b, load_mem(BPF_DW, BPF_REG_1, R_AREA, LIMIT(last_ns)));
	put(b, store_reg(BPF_DW, R_AREA, LIMIT(last_ns), BPF_REG_0));
	put(b, alu64_reg(BPF_MOV, BPF_REG_2, BPF_REG_0));
	put(b, alu64_reg(BPF_SUB, BPF_REG_2, BPF_REG_1));
	put(b, ebpf_insn(BPF_JMP | BPF_JLE | BPF_K, BPF_REG_2, 0, 1, NS_PER_S));
	put(b, alu64_imm(BPF_MOV, BPF_REG_2, NS_PER_S));
	put(b, alu64_imm(BPF_MUL, BPF_REG_2, (int32_t)s->max_rate));
	put(b, load_mem(BPF_DW, BPF_REG_1, R_AREA, LIMIT(tokens)));
	put(b, alu64_reg(BPF_ADD, BPF_REG_1, BPF_REG_2));
	put_u64(b, BPF_REG_3, burst);
	put(b, ebpf_insn(BPF_JMP | BPF_JLE | BPF_X, BPF_REG_1, BPF_REG_3, 1, 0));
	put(b, alu64_reg(BPF_MOV, BPF_REG_1, BPF_REG_3));
	put(b, store_reg(BPF_DW, R_AREA, LIMIT(tokens), BPF_REG_1));
	put_u64(b, BPF_REG_3, packet);
	*skip = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JLT | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0));
	put(b, alu64_reg(BPF_SUB, BPF_REG_1, BPF_REG_3));
	put(b, store_reg(BPF_DW, R_AREA, LIMIT(tokens), BPF_REG_1));
}

/*
 * The entry program numbers the packet it matched: the id goes into the
 * record and into the CPU's entry state, where the exit programs find it.
 * R_AT holds the CPU.
 */
static void put_entry_id(struct asm_buf *b, const struct capture_prog_spec *s)
{
	put(b, load_mem(BPF_DW, BPF_REG_1, R_AREA, ENTRY(count)));
	put(b, alu64_reg(BPF_MOV, BPF_REG_2, BPF_REG_1));
	put(b, alu64_imm(BPF_ADD, BPF_REG_2, 1));
	put(b, store_reg(BPF_DW, R_AREA, ENTRY(count), BPF_REG_2));
	put(b, alu64_imm(BPF_MUL, BPF_REG_1, (int32_t)s->layout.ncpus));
	put(b, alu64_reg(BPF_ADD, BPF_REG_1, R_AT));
	put(b, alu64_imm(BPF_ADD, BPF_REG_1, 1));
	put(b, store_reg(BPF_DW, R_AREA, REC(packet_id), BPF_REG_1));
	put(b, store_reg(BPF_DW, R_AREA, ENTRY(current_id), BPF_REG_1));
}

/*
 * An exit program of an entry capture: the packet the entry matched, if
 * any, with its id (taken, so that no other packet gets it); r0 = the
 * snap length as the filter's result, or 0.
 */
void capture_put_entry_match(struct asm_buf *b, const struct capture_prog_spec *s)
{
	size_t none;

	put(b, load_mem(BPF_DW, BPF_REG_1, R_AREA, ENTRY(current_id)));
	put(b, alu64_imm(BPF_MOV, BPF_REG_0, 0));
	none = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, 0, 0));
	put(b, store_reg(BPF_DW, R_AREA, REC(packet_id), BPF_REG_1));
	put(b, store_imm(BPF_DW, R_AREA, ENTRY(current_id), 0));
	put(b, alu64_imm(BPF_MOV, BPF_REG_0, (int32_t)s->layout.max_caplen));
	land_here(b, none);
}

/*
 * r0 = this CPU's element of the per-CPU array map_fd (key 0), and a jump
 * to fill in for where there is none: its position is returned.
 */
static size_t put_percpu_lookup(struct asm_buf *b, int map_fd)
{
	size_t none;

	put(b, store_imm(BPF_W, BPF_REG_10, CAPTURE_KEY_OFF, 0));
	put_map_fd(b, BPF_REG_1, map_fd);
	put(b, alu64_reg(BPF_MOV, BPF_REG_2, BPF_REG_10));
	put(b, alu64_imm(BPF_ADD, BPF_REG_2, CAPTURE_KEY_OFF));
	put(b, call_helper(BPF_FUNC_map_lookup_elem));
	none = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 0, 0));
	return none;
}

/* r0 = this CPU's redirect note of the program, as put_percpu_lookup(). */
static size_t put_note_lookup(struct asm_buf *b, const struct capture_prog_spec *s)
{
	return put_percpu_lookup(b, s->notes_map_fd);
}

/*
 * Exits: take the program's redirect note, if it left one, into the
 * record (struct xdpcap_redirect_note and xdpcap_redirect_info are
 * alike). It comes with XDP_REDIRECT, or with the action the redirect
 * fell back to. The note is left for the captures after this one on the
 * slot; the last one takes it away (put_exit).
 */
/* the record's copy of a note is the note, word for word */
_Static_assert(sizeof(struct xdpcap_redirect_info) == sizeof(struct xdpcap_redirect_note) &&
	       offsetof(struct xdpcap_redirect_info, pending) ==
	       offsetof(struct xdpcap_redirect_note, pending) &&
	       offsetof(struct xdpcap_redirect_info, map_type) ==
	       offsetof(struct xdpcap_redirect_note, map_type) &&
	       offsetof(struct xdpcap_redirect_info, key) == offsetof(struct xdpcap_redirect_note, key) &&
	       offsetof(struct xdpcap_redirect_info, ifindex) ==
	       offsetof(struct xdpcap_redirect_note, ifindex) &&
	       offsetof(struct xdpcap_redirect_info, flags) ==
	       offsetof(struct xdpcap_redirect_note, flags) &&
	       offsetof(struct xdpcap_redirect_info, ret) == offsetof(struct xdpcap_redirect_note, ret),
	       "struct xdpcap_redirect_info is not struct xdpcap_redirect_note");

static void put_redirect_note(struct asm_buf *b, const struct capture_prog_spec *s)
{
	size_t none, unset, done;

	if (s->notes_map_fd < 0) {
		put(b, store_imm(BPF_W, R_AREA, REC(redirect.pending), 0));
		return;
	}
	none = put_note_lookup(b, s);
	put(b, load_mem(BPF_W, BPF_REG_1, BPF_REG_0, 0));
	unset = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, 0, 0));
	for (int16_t at = 0; at < (int16_t)sizeof(struct xdpcap_redirect_info); at += 8) {
		put(b, load_mem(BPF_DW, BPF_REG_1, BPF_REG_0, at));
		put(b, store_reg(BPF_DW, R_AREA, REC(redirect) + at, BPF_REG_1));
	}
	done = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
	land_here(b, none);
	land_here(b, unset);
	put(b, store_imm(BPF_W, R_AREA, REC(redirect.pending), 0));
	land_here(b, done);
}

/* A packet the entry capture could not run the program again for. */
static void put_abort(struct asm_buf *b, const struct capture_prog_spec *s,
		      bool count_failure)
{
	if (count_failure)
		capture_put_count(b, CNT(failed));
	put(b, alu32_imm(BPF_MOV, BPF_REG_0, XDP_ABORTED));
	put(b, exit_insn());
}

/*
 * The entry program's end: set the program's entry state on this CPU to
 * RERUN and run the hook's program again from its start, where
 * xdpcap_enter() sets it back to ON. If the tail call fails (the rerun
 * slot was emptied, or the chain of tail calls is at the kernel's limit),
 * set it back here, count the packet (r7 = R_AREA is valid unless
 * no_area) and abort it: the program was not run on it, so no verdict is
 * known.
 */
static void put_rerun_stated(struct asm_buf *b, const struct capture_prog_spec *s,
			     bool count_failure)
{
	size_t no_state;

	no_state = put_percpu_lookup(b, s->entry_map_fd);
	put(b, store_imm(BPF_W, BPF_REG_0, 0, XDPCAP_ENTRY_RERUN));
	put(b, alu64_reg(BPF_MOV, R_CAPLEN, BPF_REG_0));
	put(b, alu64_reg(BPF_MOV, BPF_REG_1, R_CTX));
	put_map_fd(b, BPF_REG_2, s->hook_fd);
	put(b, alu64_imm(BPF_MOV, BPF_REG_3, XDPCAP_SLOT_RERUN));
	put(b, call_helper(BPF_FUNC_tail_call));
	put(b, store_imm(BPF_W, R_CAPLEN, 0, XDPCAP_ENTRY_ON));
	land_here(b, no_state);
	put_abort(b, s, count_failure);
}

/*
 * The same for a program built with xdpcap_hook.h 0.1, whose
 * xdpcap_enter() looks for a mark in the packet's XDP metadata: add the
 * mark and run the program again. Where the driver gives XDP no metadata
 * room, the packet is aborted and counted.
 */
static void put_rerun_marked(struct asm_buf *b, const struct capture_prog_spec *s,
			     bool count_failure)
{
	size_t no_meta, no_room;

	put(b, alu64_reg(BPF_MOV, BPF_REG_1, R_CTX));
	put(b, alu64_imm(BPF_MOV, BPF_REG_2, -4));
	put(b, call_helper(BPF_FUNC_xdp_adjust_meta));
	no_meta = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 0, 0));
	put_ctx_load(b, BPF_REG_2, offsetof(struct xdp_md, data_meta));
	put_ctx_load(b, BPF_REG_3, offsetof(struct xdp_md, data));
	put(b, alu64_reg(BPF_MOV, BPF_REG_4, BPF_REG_2));
	put(b, alu64_imm(BPF_ADD, BPF_REG_4, 4));
	no_room = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JGT | BPF_X, BPF_REG_4, BPF_REG_3, 0, 0));
	put(b, store_imm(BPF_W, BPF_REG_2, 0, (int32_t)XDPCAP_ENTRY_MARK));
	put(b, alu64_reg(BPF_MOV, BPF_REG_1, R_CTX));
	put_map_fd(b, BPF_REG_2, s->hook_fd);
	put(b, alu64_imm(BPF_MOV, BPF_REG_3, XDPCAP_SLOT_RERUN));
	put(b, call_helper(BPF_FUNC_tail_call));
	/* the program's slot is empty: take the mark back */
	land_here(b, no_room);
	put(b, alu64_reg(BPF_MOV, BPF_REG_1, R_CTX));
	put(b, alu64_imm(BPF_MOV, BPF_REG_2, 4));
	put(b, call_helper(BPF_FUNC_xdp_adjust_meta));
	land_here(b, no_meta);
	put_abort(b, s, count_failure);
}

static void put_rerun(struct asm_buf *b, const struct capture_prog_spec *s,
		      bool count_failure)
{
	if (s->entry_map_fd >= 0)
		put_rerun_stated(b, s, count_failure);
	else
		put_rerun_marked(b, s, count_failure);
}

/*
 * An exit's end: the next capture sharing the slot, if there is one
 * (slot_chain.h); else the chain ends here, which takes the redirect
 * note away, if the record says there was one (with_area: R_AREA is
 * valid), and returns the action.
 */
static void put_exit(struct asm_buf *b, const struct capture_prog_spec *s, bool with_area)
{
	size_t none, unset;

	if (s->next_map_fd >= 0) {
		put(b, alu64_reg(BPF_MOV, BPF_REG_1, R_CTX));
		put_map_fd(b, BPF_REG_2, s->next_map_fd);
		put(b, alu64_imm(BPF_MOV, BPF_REG_3, (int32_t)s->action));
		put(b, call_helper(BPF_FUNC_tail_call));
	}
	if (s->notes_map_fd >= 0 && with_area) {
		put(b, load_mem(BPF_W, BPF_REG_1, R_AREA, REC(redirect.pending)));
		unset = b->len;
		put(b, ebpf_insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, 0, 0));
		none = put_note_lookup(b, s);
		put(b, store_imm(BPF_W, BPF_REG_0, 0, 0));
		land_here(b, none);
		land_here(b, unset);
	}
	put(b, alu32_imm(BPF_MOV, BPF_REG_0, (int32_t)s->action));
	put(b, exit_insn());
}

/*
 * R_AREA = this CPU's area (no lookup: a direct map value), and the
 * packet counted as received. Returns the jump to take where the CPU
 * has no area.
 */
static size_t put_area(struct asm_buf *b, const struct capture_prog_spec *s)
{
	const bool entry = s->action == XDPCAP_SLOT_ENTRY;
	size_t no_area;

	put(b, alu64_reg(BPF_MOV, R_CTX, BPF_REG_1));
	put(b, call_helper(BPF_FUNC_get_smp_processor_id));
	no_area = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JGE | BPF_K, BPF_REG_0, 0, 0,
			 (int32_t)s->layout.ncpus));
	if (entry)
		put(b, alu64_reg(BPF_MOV, R_AT, BPF_REG_0));
	put(b, alu64_imm(BPF_MUL, BPF_REG_0, (int32_t)s->layout.stride));
	put(b, ebpf_insn(BPF_LD | BPF_DW | BPF_IMM, R_AREA, BPF_PSEUDO_MAP_VALUE,
			 0, s->areas_map_fd));
	/* the offset in the value: R_AREA points at the record */
	put(b, ebpf_insn(0, 0, 0, 0, (int32_t)s->layout.record_off));
	put(b, alu64_reg(BPF_ADD, R_AREA, BPF_REG_0));
	capture_put_count(b, CNT(received));
	return no_area;
}

/*
 * The filter on the packet and its full length (or, at the exits of an
 * entry capture, the entry's choice), and a match counted. Returns the
 * jump to take on no match.
 */
static size_t put_match(struct asm_buf *b, const struct capture_prog_spec *s)
{
	const bool entry = s->action == XDPCAP_SLOT_ENTRY;
	size_t no_match;

	if (entry)
		put(b, store_imm(BPF_DW, R_AREA, ENTRY(current_id), 0));
	else
		put_redirect_note(b, s);
	if (s->has_buff_len) {
		put(b, alu64_reg(BPF_MOV, BPF_REG_1, R_CTX));
		put(b, call_helper(BPF_FUNC_xdp_get_buff_len));
	} else {
		put_linear_len(b, BPF_REG_0);
	}
	put(b, store_reg(BPF_W, BPF_REG_10, CAPTURE_WIRELEN_OFF, BPF_REG_0));
	put(b, store_reg(BPF_W, R_AREA, REC(wirelen), BPF_REG_0));
	if (s->at_entry && !entry) {
		capture_put_entry_match(b, s);
	} else {
		put_ctx_load(b, BPF_REG_2, offsetof(struct xdp_md, data));
		put_ctx_load(b, BPF_REG_3, offsetof(struct xdp_md, data_end));
		memcpy(b->insns + b->len, s->filter->insns,
		       s->filter->len * sizeof(*b->insns));
		b->len += s->filter->len;
	}
	no_match = b->len;
	put(b, ebpf_insn(BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_0, 0, 0, 0));
	capture_put_count(b, CNT(matched));
	return no_match;
}

/*
 * A match kept or left out (--sample, --max-rate: jumps at *sampled,
 * *capped, 0 where none), and the record's time and packet id.
 */
void capture_put_keep(struct asm_buf *b, const struct capture_prog_spec *s,
		     size_t *sampled, size_t *capped)
{
	const bool entry = s->action == XDPCAP_SLOT_ENTRY;
	/* the exits of an entry capture follow the entry's choice */
	const bool limits = !(s->at_entry && !entry);

	/* the time first: the helper call clobbers r0-r5 */
	put(b, alu32_reg(BPF_MOV, R_CAPLEN, BPF_REG_0));
	if (limits && s->sample > 1)
		put_sample(b, s, sampled);
	/*
	 * The rate cap runs on every match: on the coarse clock (a tick's
	 * resolution is enough for it, at a fifth of the cost) where there
	 * is one; the packet's time stamp is taken only if it is kept.
	 */
	if (limits && s->max_rate && s->coarse_time) {
		put(b, call_helper(BPF_FUNC_ktime_get_coarse_ns));
		put_rate_cap(b, s, capped);
	}
	put(b, call_helper(BPF_FUNC_ktime_get_ns));
	put(b, store_reg(BPF_DW, R_AREA, REC(ts_mono_ns), BPF_REG_0));
	if (limits && s->max_rate && !s->coarse_time)
		put_rate_cap(b, s, capped);
	if (entry)
		put_entry_id(b, s);
	else if (!s->at_entry)
		put(b, store_imm(BPF_DW, R_AREA, REC(packet_id), 0));
}

/*
 * caplen = min(result, wirelen[, max_caplen]), proven 1..max_caplen (a
 * direct copy stops at the first buffer's end), and the rest of the
 * record. Returns the jump the verifier needs for the proof, never taken.
 */
static size_t put_record(struct asm_buf *b, const struct capture_prog_spec *s)
{
	const uint32_t max_caplen = s->layout.max_caplen;
	size_t too_long;

	if (s->copy == XDPCAP_COPY_DIRECT)
		put_linear_len(b, BPF_REG_1);
	else
		put(b, load_mem(BPF_W, BPF_REG_1, R_AREA, REC(wirelen)));
	put(b, ebpf_insn(BPF_JMP32 | BPF_JLE | BPF_X, R_CAPLEN, BPF_REG_1, 1, 0));
	put(b, alu32_reg(BPF_MOV, R_CAPLEN, BPF_REG_1));
	if (s->result_unbounded) {
		put(b, ebpf_insn(BPF_JMP32 | BPF_JLE | BPF_K, R_CAPLEN, 0, 1,
				 (int32_t)max_caplen));
		put(b, alu32_imm(BPF_MOV, R_CAPLEN, (int32_t)max_caplen));
	}
	put(b, alu32_imm(BPF_SUB, R_CAPLEN, 1));
	too_long = b->len;
	put(b, ebpf_insn(BPF_JMP32 | BPF_JGT | BPF_K, R_CAPLEN, 0, 0,
			 (int32_t)max_caplen - 1));
	put(b, alu32_imm(BPF_ADD, R_CAPLEN, 1));
	put(b, store_reg(BPF_W, R_AREA, REC(caplen), R_CAPLEN));
	put(b, store_imm(BPF_W, R_AREA, REC(slot), (int32_t)s->action));
	if (s->action == XDPCAP_SLOT_ENTRY)
		put(b, store_imm(BPF_W, R_AREA, REC(redirect.pending), 0));
	put_ctx_load(b, BPF_REG_1, offsetof(struct xdp_md, ingress_ifindex));
	put(b, store_reg(BPF_W, R_AREA, REC(ifindex), BPF_REG_1));
	put_ctx_load(b, BPF_REG_1, offsetof(struct xdp_md, rx_queue_index));
	put(b, store_reg(BPF_W, R_AREA, REC(rx_queue), BPF_REG_1));
	return too_long;
}

/*
 * r1 = this CPU's ring: ring (CPU % n_rings), picked by a chain of
 * compares, since an array of ring maps needs a lookup that older
 * kernels do not offer for rings.
 */
void capture_put_ring(struct asm_buf *b, const struct capture_prog_spec *s)
{
	size_t to_end[CAPTURE_MAX_RINGS], next;
	unsigned int i, n = s->n_rings;

	if (n <= 1) {
		put_map_fd(b, BPF_REG_1, s->ring_map_fds[0]);
		return;
	}
	put(b, call_helper(BPF_FUNC_get_smp_processor_id));
	put(b, alu32_imm(BPF_MOD, BPF_REG_0, (int32_t)n));
	for (i = 0; i + 1 < n; i++) {
		next = b->len;
		put(b, ebpf_insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 0, (int32_t)i));
		put_map_fd(b, BPF_REG_1, s->ring_map_fds[i]);
		to_end[i] = b->len;
		put(b, ebpf_insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
		land_here(b, next);
	}
	put_map_fd(b, BPF_REG_1, s->ring_map_fds[n - 1]);
	for (i = 0; i + 1 < n; i++)
		land_here(b, to_end[i]);
}

size_t capture_put_ring_output(struct asm_buf *b, const struct capture_prog_spec *s)
{
	size_t sent;

	capture_put_ring(b, s);
	put(b, alu64_reg(BPF_MOV, BPF_REG_2, R_AREA));
	put(b, alu64_reg(BPF_MOV, BPF_REG_3, R_CAPLEN));
	put(b, alu64_imm(BPF_ADD, BPF_REG_3, sizeof(struct capture_record)));
	put(b, alu64_imm(BPF_MOV, BPF_REG_4, 0));
	put(b, call_helper(BPF_FUNC_ringbuf_output));
	sent = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 0, 0));
	return sent;
}

/*
 * The packet after the record, then both into the ring; a full ring
 * counted. Returns the jump taken when the ring took the record.
 */
static size_t put_output(struct asm_buf *b, const struct capture_prog_spec *s)
{
	size_t sent;

	if (s->copy == XDPCAP_COPY_DIRECT) {
		capture_put_direct_copy(b, s->layout.max_caplen);
	} else {
		put(b, alu64_reg(BPF_MOV, BPF_REG_1, R_CTX));
		put(b, alu64_imm(BPF_MOV, BPF_REG_2, 0));
		put(b, alu64_reg(BPF_MOV, BPF_REG_3, R_AREA));
		put(b, alu64_imm(BPF_ADD, BPF_REG_3, sizeof(struct capture_record)));
		put(b, alu64_reg(BPF_MOV, BPF_REG_4, R_CAPLEN));
		put(b, call_helper(BPF_FUNC_xdp_load_bytes));
	}
	for (size_t i = 0; i < b->npending; i++)
		land_here(b, b->pending[i]);
	sent = capture_put_ring_output(b, s);
	capture_put_count(b, CNT(dropped));
	return sent;
}

static void build(struct asm_buf *b, const struct capture_prog_spec *s)
{
	size_t no_area, no_match, too_long, sent, sampled = 0, capped = 0, done;

	no_area = put_area(b, s);
	no_match = put_match(b, s);
	capture_put_keep(b, s, &sampled, &capped);
	too_long = put_record(b, s);
	sent = put_output(b, s);
	if (sampled || capped) {
		done = b->len;
		put(b, ebpf_insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
		if (sampled)
			land_here(b, sampled);
		if (capped)
			land_here(b, capped);
		capture_put_count(b, CNT(skipped));
		land_here(b, done);
	}
	land_here(b, no_match);
	land_here(b, too_long);
	land_here(b, sent);
	if (s->action == XDPCAP_SLOT_ENTRY)
		put_rerun(b, s, true);
	else
		put_exit(b, s, true);
	land_here(b, no_area);
	/*
	 * A reference only, where no packet goes (a CPU without an area):
	 * the program's maps tell who owns it, at no cost per packet.
	 */
	if (s->owner_map_fd >= 0)
		put_map_fd(b, BPF_REG_1, s->owner_map_fd);
	if (s->action == XDPCAP_SLOT_ENTRY)
		put_rerun(b, s, false);
	else
		put_exit(b, s, false);
}

void capture_area_layout(uint32_t want_caplen, uint32_t ncpus,
			 struct capture_area_layout *l)
{
	const uint32_t record = sizeof(struct capture_record);
	const uint32_t counters = ROUND_UP((uint32_t)(CAPTURE_LIMIT_OFF +
						      sizeof(struct capture_limit_state)),
					   CACHE_LINE);
	uint32_t per_cpu, fit, caplen;

	if (!ncpus)
		ncpus = 1;
	per_cpu = AREAS_MAX_BYTES / ncpus / CACHE_LINE * CACHE_LINE;
	fit = per_cpu > counters + record + CACHE_LINE ? per_cpu - counters - record : CACHE_LINE;
	caplen = want_caplen < CAPTURE_MAX_CAPLEN ? want_caplen : CAPTURE_MAX_CAPLEN;
	if (caplen > fit)
		caplen = fit;
	if (!caplen)
		caplen = 1;
	l->max_caplen = caplen;
	l->record_off = counters;
	l->stride = ROUND_UP(counters + record + caplen, CACHE_LINE);
	l->ncpus = ncpus;
}

static int load(const struct bpf_insn *insns, size_t len,
		const struct capture_prog_spec *s, char *log, size_t log_size)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		.expected_attach_type = s->kind.expected_attach_type,
		.prog_flags = s->kind.frags ? BPF_F_XDP_HAS_FRAGS : 0,
		.log_buf = log,
		.log_size = log ? log_size : 0,
		.log_level = log ? 1 : 0,
	);
	enum bpf_prog_type type = BPF_PROG_TYPE_XDP;
	int fd;

	if (s->trace != CAPTURE_TRACE_NONE) {
		type = BPF_PROG_TYPE_TRACING;
		opts.expected_attach_type = s->trace == CAPTURE_TRACE_ENTRY ?
					    BPF_TRACE_FENTRY : BPF_TRACE_FEXIT;
		opts.prog_flags = 0;
		opts.attach_prog_fd = (__u32)s->target->prog_fd;
		opts.attach_btf_id = s->target->func_id;
	}
	fd = bpf_prog_load(type, s->name, "Dual BSD/GPL", insns, len, &opts);
	return fd < 0 ? -errno : fd;
}

int capture_prog_load(const struct capture_prog_spec *spec, char **log,
		      size_t *insn_count, char *errbuf)
{
	struct asm_buf b = { 0 };
	char *vlog;
	int fd;

	if (log)
		*log = NULL;
	b.insns = calloc(spec->filter->len + CAPTURE_EXTRA_INSNS, sizeof(*b.insns));
	if (!b.insns) {
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	if (spec->trace != CAPTURE_TRACE_NONE)
		capture_build_traced(&b, spec);
	else
		build(&b, spec);
	if (insn_count)
		*insn_count = b.len;
	if (b.too_long) {
		xdpcap_err(errbuf, "the filter is too long for a capture program (%zu eBPF instructions)",
			   spec->filter->len);
		free(b.insns);
		return -E2BIG;
	}
	fd = load(b.insns, b.len, spec, NULL, 0);
	if (fd == -EPERM) {
		xdpcap_err(errbuf, "loading a capture program is not permitted: run as root (CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)");
	} else if (fd < 0 && kernel_helpers_required(errbuf)) {
		/* a helper no capture can do without is refused: said */
	} else if (fd < 0) {
		xdpcap_err(errbuf, "the kernel refused the capture program for %s (%s)%s",
			   spec->trace == CAPTURE_TRACE_EXIT ? "the exits (fexit)" :
			   spec->trace == CAPTURE_TRACE_ENTRY ? "the entry (fentry)" :
			   xdpcap_action_name(spec->action),
			   fd == -E2BIG ? "too complex: the verifier explored its limit of instructions" :
			   strerror(-fd), log ? "" : "; -v shows the verifier's log");
		vlog = log ? calloc(1, VERIFIER_LOG_SIZE) : NULL;
		if (vlog) {
			load(b.insns, b.len, spec, vlog, VERIFIER_LOG_SIZE);
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
		struct capture_prog_spec probe = { .name = "xdpcap_probe", .kind = kinds[i] };

		fd = load(insns, b.len, &probe, NULL, 0);
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
