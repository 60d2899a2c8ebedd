// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Traced capture programs: fentry or fexit programs on an XDP program
 * that has no hook. They get the kernel's struct xdp_buff, not the XDP
 * context, and cannot read the packet in place, so the packet is copied
 * into the CPU's area first and the filter reads the copy:
 *
 *   xdp = args[0]; (fexit) verdict = args[1], ABORTED if unknown
 *   area = areas + smp_processor_id() * stride
 *   counters = area.counters[verdict or ENTRY]; counters.received++
 *   (fexit) a verdict not asked for: done
 *   len = xdp->data_end - xdp->data   (the first buffer)
 *   copied = min(len, reach); probe_read_kernel(area.packet, copied, xdp->data)
 *            (reach: what the filter may read, at most max_caplen)
 *   result = filter(area.packet, copied, wirelen = len)
 *            (an fexit of an entry capture: the entry's choice instead,
 *            and the copy made after it)
 *   then as in a slot: kept or left out; the rest of a kept packet, up
 *   to min(result, len, max_caplen), copied; the record, the ring
 *   return 0
 *
 * A packet the filter looks at costs the copy of what the filter may
 * read (its headers, for most filters; the whole packet for one whose
 * reads cannot be bounded); a kept packet the rest of its snap length.
 * Fragments of multi-buffer frames are not read.
 */
#include <stddef.h>
#include <string.h>
#include <linux/bpf.h>

#include "capture_asm.h"
#include "capture_prog.h"

/* stack slots of traced programs, below those of every capture */
#define TRACE_COUNTERS_OFF (-80)	/* fexit: this verdict's counters */
#define TRACE_COPIED_OFF (-88)		/* bytes copied into the area */
#define TRACE_DATA_OFF (-96)		/* xdp->data */

#define COUNTER(field) ((int16_t)offsetof(struct capture_counters, field))

/* counters.field++, the verdict's (fexit) or the entry's */
static void put_traced_count(struct asm_buf *b, const struct capture_prog_spec *s,
			     int16_t field)
{
	if (s->trace == CAPTURE_TRACE_ENTRY) {
		capture_put_count(b, (int16_t)(capture_counter_off(s, 0) + field));
		return;
	}
	put(b, load_mem(BPF_DW, BPF_REG_1, BPF_REG_10, TRACE_COUNTERS_OFF));
	put(b, load_mem(BPF_DW, BPF_REG_2, BPF_REG_1, field));
	put(b, alu64_imm(BPF_ADD, BPF_REG_2, 1));
	put(b, store_reg(BPF_DW, BPF_REG_1, field, BPF_REG_2));
}

/*
 * R_CTX = the xdp_buff, R_AT = the verdict (fexit) or the CPU (fentry),
 * R_AREA = this CPU's area, the packet counted as received. Returns the
 * jump to take where the CPU has no area.
 */
static size_t put_traced_area(struct asm_buf *b, const struct capture_prog_spec *s)
{
	const bool exit = s->trace == CAPTURE_TRACE_EXIT;
	size_t no_area, known;

	if (exit) {
		put(b, load_mem(BPF_DW, R_AT, BPF_REG_1, 8));
		put(b, alu32_reg(BPF_MOV, R_AT, R_AT));
		known = b->len;
		put(b, ebpf_insn(BPF_JMP | BPF_JLE | BPF_K, R_AT, 0, 0, XDP_REDIRECT));
		put(b, alu64_imm(BPF_MOV, R_AT, XDP_ABORTED));
		land_here(b, known);
	}
	put(b, load_mem(BPF_DW, R_CTX, BPF_REG_1, 0));
	put(b, call_helper(BPF_FUNC_get_smp_processor_id));
	no_area = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JGE | BPF_K, BPF_REG_0, 0, 0,
			 (int32_t)s->layout.ncpus));
	if (!exit)
		put(b, alu64_reg(BPF_MOV, R_AT, BPF_REG_0));
	put(b, alu64_imm(BPF_MUL, BPF_REG_0, (int32_t)s->layout.stride));
	put(b, ebpf_insn(BPF_LD | BPF_DW | BPF_IMM, R_AREA, BPF_PSEUDO_MAP_VALUE,
			 0, s->areas_map_fd));
	put(b, ebpf_insn(0, 0, 0, 0, (int32_t)s->layout.record_off));
	put(b, alu64_reg(BPF_ADD, R_AREA, BPF_REG_0));
	if (exit) {
		/* counters = area - record_off + verdict * sizeof(counters) */
		put(b, alu64_reg(BPF_MOV, BPF_REG_1, R_AT));
		put(b, alu64_imm(BPF_MUL, BPF_REG_1, sizeof(struct capture_counters)));
		put(b, alu64_reg(BPF_ADD, BPF_REG_1, R_AREA));
		put(b, alu64_imm(BPF_ADD, BPF_REG_1, -(int32_t)s->layout.record_off));
		put(b, store_reg(BPF_DW, BPF_REG_10, TRACE_COUNTERS_OFF, BPF_REG_1));
	}
	put_traced_count(b, s, COUNTER(received));
	return no_area;
}

/* (fexit) a verdict not asked for: a jump to the end, returned; 0: none */
static size_t put_verdict_wanted(struct asm_buf *b, const struct capture_prog_spec *s)
{
	size_t unwanted;

	if (s->trace != CAPTURE_TRACE_EXIT ||
	    (s->trace_actions & ((1u << XDPCAP_ACTIONS) - 1)) == (1u << XDPCAP_ACTIONS) - 1)
		return 0;
	put(b, alu64_imm(BPF_MOV, BPF_REG_1, 1));
	put(b, alu64_reg(BPF_LSH, BPF_REG_1, R_AT));
	put(b, alu64_imm(BPF_AND, BPF_REG_1, (int32_t)s->trace_actions));
	unwanted = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, 0, 0));
	return unwanted;
}

/*
 * Bytes copied before the filter runs: no more than it may read
 * (xdpcap_ebpf.reach), so that a packet it does not match costs the copy
 * of its headers, not of the whole packet. A match gets the rest after.
 */
static uint32_t filter_copy_limit(const struct capture_prog_spec *s)
{
	const uint32_t max_caplen = s->layout.max_caplen;

	if (s->trace == CAPTURE_TRACE_EXIT && s->at_entry)
		return max_caplen;	/* copied once the entry chose */
	return s->filter->reach < max_caplen ? s->filter->reach : max_caplen;
}

/*
 * The packet's length (its wire length as far as the first buffer
 * goes) and the copy of up to limit bytes of it into the area; returns
 * the jump taken if the copy failed (0: none made).
 */
static size_t put_traced_copy(struct asm_buf *b, const struct capture_prog_spec *s,
			      uint32_t limit)
{
	const struct trace_offsets *o = &s->target->off;
	size_t fits, failed;

	put(b, load_mem(BPF_DW, BPF_REG_1, R_CTX, o->data));
	put(b, store_reg(BPF_DW, BPF_REG_10, TRACE_DATA_OFF, BPF_REG_1));
	put(b, load_mem(BPF_DW, BPF_REG_2, R_CTX, o->data_end));
	put(b, alu64_reg(BPF_SUB, BPF_REG_2, BPF_REG_1));
	put(b, store_reg(BPF_W, BPF_REG_10, CAPTURE_WIRELEN_OFF, BPF_REG_2));
	put(b, store_reg(BPF_W, R_AREA, REC(wirelen), BPF_REG_2));
	fits = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JLE | BPF_K, BPF_REG_2, 0, 0, (int32_t)limit));
	put(b, alu64_imm(BPF_MOV, BPF_REG_2, (int32_t)limit));
	land_here(b, fits);
	put(b, store_reg(BPF_DW, BPF_REG_10, TRACE_COPIED_OFF, BPF_REG_2));
	if (!limit)
		return 0;	/* a filter that reads no byte: nothing yet */
	put(b, alu64_reg(BPF_MOV, BPF_REG_1, R_AREA));
	put(b, alu64_imm(BPF_ADD, BPF_REG_1, sizeof(struct capture_record)));
	put(b, load_mem(BPF_DW, BPF_REG_3, BPF_REG_10, TRACE_DATA_OFF));
	put(b, call_helper(BPF_FUNC_probe_read_kernel));
	failed = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 0, 0));
	return failed;
}

/*
 * A match whose copy stopped at limit (filter_copy_limit) while the
 * record takes more: bytes limit to min(result, length, max_caplen)
 * copied after it, and counted as copied. Returns the jump taken if the
 * copy failed.
 */
static size_t put_traced_rest(struct asm_buf *b, const struct capture_prog_spec *s,
			      uint32_t limit)
{
	const uint32_t max_caplen = s->layout.max_caplen;
	size_t done, failed;

	put(b, alu64_reg(BPF_MOV, BPF_REG_2, R_CAPLEN));
	put(b, load_mem(BPF_W, BPF_REG_1, BPF_REG_10, CAPTURE_WIRELEN_OFF));
	put(b, ebpf_insn(BPF_JMP | BPF_JLE | BPF_X, BPF_REG_2, BPF_REG_1, 1, 0));
	put(b, alu64_reg(BPF_MOV, BPF_REG_2, BPF_REG_1));
	put(b, ebpf_insn(BPF_JMP | BPF_JLE | BPF_K, BPF_REG_2, 0, 1, (int32_t)max_caplen));
	put(b, alu64_imm(BPF_MOV, BPF_REG_2, (int32_t)max_caplen));
	done = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JLE | BPF_K, BPF_REG_2, 0, 0, (int32_t)limit));
	put(b, store_reg(BPF_DW, BPF_REG_10, TRACE_COPIED_OFF, BPF_REG_2));
	put(b, alu64_imm(BPF_ADD, BPF_REG_2, -(int32_t)limit));
	put(b, alu64_reg(BPF_MOV, BPF_REG_1, R_AREA));
	put(b, alu64_imm(BPF_ADD, BPF_REG_1, (int32_t)(sizeof(struct capture_record) + limit)));
	put(b, load_mem(BPF_DW, BPF_REG_3, BPF_REG_10, TRACE_DATA_OFF));
	put(b, alu64_imm(BPF_ADD, BPF_REG_3, (int32_t)limit));
	put(b, call_helper(BPF_FUNC_probe_read_kernel));
	failed = b->len;
	put(b, ebpf_insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 0, 0));
	land_here(b, done);
	return failed;
}

/*
 * The filter on the copy (or the entry's choice), a match counted; r0 =
 * the result. Returns the jump taken on no match.
 */
static size_t put_traced_match(struct asm_buf *b, const struct capture_prog_spec *s)
{
	size_t no_match;

	if (s->trace == CAPTURE_TRACE_EXIT && s->at_entry) {
		capture_put_entry_match(b, s);
	} else {
		put(b, alu64_reg(BPF_MOV, BPF_REG_2, R_AREA));
		put(b, alu64_imm(BPF_ADD, BPF_REG_2, sizeof(struct capture_record)));
		put(b, load_mem(BPF_DW, BPF_REG_3, BPF_REG_10, TRACE_COPIED_OFF));
		memcpy(b->insns + b->len, s->filter->insns, s->filter->len * sizeof(*b->insns));
		b->len += s->filter->len;
	}
	no_match = b->len;
	put(b, ebpf_insn(BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_0, 0, 0, 0));
	put_traced_count(b, s, COUNTER(matched));
	return no_match;
}

/*
 * caplen = min(the result, the copy), within max_caplen for the
 * verifier; the record's verdict, interface and queue.
 */
static void put_traced_record(struct asm_buf *b, const struct capture_prog_spec *s)
{
	const struct trace_offsets *o = &s->target->off;

	put(b, load_mem(BPF_DW, BPF_REG_1, BPF_REG_10, TRACE_COPIED_OFF));
	put(b, ebpf_insn(BPF_JMP | BPF_JLE | BPF_X, R_CAPLEN, BPF_REG_1, 1, 0));
	put(b, alu64_reg(BPF_MOV, R_CAPLEN, BPF_REG_1));
	put(b, ebpf_insn(BPF_JMP | BPF_JLE | BPF_K, R_CAPLEN, 0, 1,
			 (int32_t)s->layout.max_caplen));
	put(b, alu64_imm(BPF_MOV, R_CAPLEN, (int32_t)s->layout.max_caplen));
	put(b, store_reg(BPF_W, R_AREA, REC(caplen), R_CAPLEN));
	if (s->trace == CAPTURE_TRACE_EXIT)
		put(b, store_reg(BPF_W, R_AREA, REC(slot), R_AT));
	else
		put(b, store_imm(BPF_W, R_AREA, REC(slot), XDPCAP_SLOT_ENTRY));
	put(b, store_imm(BPF_W, R_AREA, REC(redirect.pending), 0));
	put(b, load_mem(BPF_DW, BPF_REG_2, R_CTX, o->rxq));
	put(b, load_mem(BPF_W, BPF_REG_1, BPF_REG_2, o->rxq_queue));
	put(b, store_reg(BPF_W, R_AREA, REC(rx_queue), BPF_REG_1));
	put(b, load_mem(BPF_DW, BPF_REG_2, BPF_REG_2, o->rxq_dev));
	put(b, load_mem(BPF_W, BPF_REG_1, BPF_REG_2, o->dev_ifindex));
	put(b, store_reg(BPF_W, R_AREA, REC(ifindex), BPF_REG_1));
}

/* The record and packet into the ring; a full ring counted. */
static void put_traced_output(struct asm_buf *b, const struct capture_prog_spec *s)
{
	size_t sent = capture_put_ring_output(b, s);

	put_traced_count(b, s, COUNTER(dropped));
	land_here(b, sent);
}

void capture_build_traced(struct asm_buf *b, const struct capture_prog_spec *s)
{
	size_t no_area, unwanted, failed, no_match, sampled = 0, capped = 0, done;
	size_t rest_failed = 0;
	const bool entry_choice = s->trace == CAPTURE_TRACE_EXIT && s->at_entry;
	const uint32_t limit = filter_copy_limit(s);

	no_area = put_traced_area(b, s);
	unwanted = put_verdict_wanted(b, s);
	if (s->trace == CAPTURE_TRACE_ENTRY)
		put(b, store_imm(BPF_DW, R_AREA, ENTRY(current_id), 0));
	if (entry_choice) {
		/* the entry chose: copy only what it chose */
		no_match = put_traced_match(b, s);
		put(b, alu64_reg(BPF_MOV, R_CAPLEN, BPF_REG_0));
		failed = put_traced_copy(b, s, limit);
		put(b, alu64_reg(BPF_MOV, BPF_REG_0, R_CAPLEN));
	} else {
		failed = put_traced_copy(b, s, limit);
		no_match = put_traced_match(b, s);
	}
	capture_put_keep(b, s, &sampled, &capped);
	if (limit < s->layout.max_caplen)
		rest_failed = put_traced_rest(b, s, limit);
	put_traced_record(b, s);
	put_traced_output(b, s);
	if (sampled || capped) {
		done = b->len;
		put(b, ebpf_insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
		if (sampled)
			land_here(b, sampled);
		if (capped)
			land_here(b, capped);
		put_traced_count(b, s, COUNTER(skipped));
		land_here(b, done);
	}
	land_here(b, no_area);
	if (unwanted)
		land_here(b, unwanted);
	if (failed)
		land_here(b, failed);
	if (rest_failed)
		land_here(b, rest_failed);
	land_here(b, no_match);
	/* a reference only: the program's maps tell who owns it */
	if (s->owner_map_fd >= 0)
		put_map_fd(b, BPF_REG_1, s->owner_map_fd);
	put(b, alu64_imm(BPF_MOV, BPF_REG_0, 0));
	put(b, exit_insn());
}
