// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Starting a capture: who holds the hook's slots, and claiming them: to
 * itself, or joining the captures that share them (slot_chain.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture_int.h"
#include "clock.h"
#include "hook/slot_chain.h"
#include "hook/slot_lock.h"
#include "util.h"

/* -EBUSY, and who holds the slot for the caller. */
static int busy(struct xdpcap_capture *cap, unsigned int action,
		const struct xdpcap_slot *slot)
{
	if (cap->busy)
		*cap->busy = (struct xdpcap_busy){ .action = action, .slot = *slot };
	return -EBUSY;
}

/* Whether the slot's holder or any capture sharing it still runs. */
static bool slot_alive(const struct xdpcap_slot *s)
{
	if (s->owner_alive)
		return true;
	for (unsigned int i = 0; i < s->n_shared; i++)
		if (s->shared[i].owner_alive)
			return true;
	return false;
}

/* A capture on the slot that still runs: its pid. */
static int live_pid(const struct xdpcap_slot *s)
{
	for (unsigned int i = 0; !s->owner_alive && i < s->n_shared; i++)
		if (s->shared[i].owner_alive)
			return s->shared[i].owner_pid;
	return s->owner_pid;
}

/* Say which captures that are gone are taken out of a slot. */
static void say_reclaimed(struct xdpcap_capture *cap, unsigned int a,
			  const struct xdpcap_slot *s)
{
	if (s->owner_pid && !s->owner_alive)
		capture_notice(cap, "reclaiming slot %s of %s, left by xdpcap process %d, which is gone",
		       xdpcap_action_name(a), cap->hook.name, s->owner_pid);
	for (unsigned int i = 0; i < s->n_shared; i++)
		if (s->shared[i].owner_pid && !s->shared[i].owner_alive)
			capture_notice(cap, "reclaiming slot %s of %s, left by xdpcap process %d, which is gone",
			       xdpcap_action_name(a), cap->hook.name, s->shared[i].owner_pid);
}

/*
 * Why a slot that live captures hold cannot be shared with this one
 * (slot_chain.h), or NULL if it can.
 */
static const char *why_not_shared(const struct xdpcap_capture *cap, unsigned int a,
				  const struct xdpcap_slot *s)
{
	unsigned int live = 0;
	uint32_t ids[SLOT_CHAIN_MAX];
	int n, chainable;

	if (a >= XDPCAP_ACTIONS || cap->entry)
		return "a capture at entry keeps its slots to itself";
	if (cap->next_map_fd < 0)
		return "sharing a slot takes CAP_SYS_ADMIN";
	n = slot_chain_read(cap->hook.map_fd, a, ids, &chainable);
	if (n == -E2BIG)
		return "it is shared by as many captures as a slot takes";
	if (n < 0 || !chainable)
		return "that capture keeps the slot to itself (a capture at entry, or one without CAP_SYS_ADMIN)";
	live = s->owner_alive;
	for (unsigned int i = 0; i < s->n_shared; i++)
		live += s->shared[i].owner_alive;
	if (live >= XDPCAP_SLOT_SHARED_MAX)
		return "it is shared by as many captures as a slot takes";
	return NULL;
}

/*
 * Refuse slots that another live capture or program holds, unless
 * forced, or unless the captures on it share it with this one. With
 * join, a bit per slot to join rather than fill.
 */
int capture_check_slots(struct xdpcap_capture *cap, bool notify, unsigned int *join,
		       char *errbuf)
{
	struct xdpcap_slot slots[XDPCAP_SLOTS];
	int err;

	if (join)
		*join = 0;
	err = xdpcap_hook_slots(&cap->hook, slots, errbuf);
	if (!err)
		err = xdpcap_hook_slot(&cap->hook, XDPCAP_SLOT_ENTRY,
				       &slots[XDPCAP_SLOT_ENTRY], errbuf);
	if (err)
		return err;
	for (unsigned int a = 0; a < XDPCAP_SLOTS; a++) {
		const struct xdpcap_slot *s = &slots[a];
		const char *why;

		if (!cap->prog_ids[a] || !s->prog_id)
			continue;
		if (s->unreadable && !cap->force) {
			xdpcap_err(errbuf, "slot %s of %s holds program %u; whose it is cannot be read without CAP_SYS_ADMIN",
				   xdpcap_action_name(a), cap->hook.name, s->prog_id);
			return busy(cap, a, s);
		}
		if (s->owner_pid && !slot_alive(s)) {
			if (notify)
				say_reclaimed(cap, a, s);
			continue;
		}
		if (cap->force) {
			if (notify)
				capture_notice(cap, "taking over slot %s of %s from %s %d",
				       xdpcap_action_name(a), cap->hook.name,
				       s->owner_pid ? "xdpcap process" : "program id",
				       s->owner_pid ? s->owner_pid : (int)s->prog_id);
			continue;
		}
		if (!s->owner_pid) {
			xdpcap_err(errbuf, "slot %s of %s holds program %u (%s), which is not xdpcap's",
				   xdpcap_action_name(a), cap->hook.name, s->prog_id,
				   s->prog_name);
			return busy(cap, a, s);
		}
		why = why_not_shared(cap, a, s);
		if (why) {
			xdpcap_err(errbuf, "slot %s of %s is in use by xdpcap process %d, and cannot be shared (%s)",
				   xdpcap_action_name(a), cap->hook.name, live_pid(s), why);
			return busy(cap, a, s);
		}
		if (notify)
			say_reclaimed(cap, a, s);
		if (join)
			*join |= 1u << a;
	}
	return 0;
}

/*
 * Join the captures on slot a: those that are gone are taken out first,
 * then ours goes in front of the rest (slot_chain.h).
 */
int capture_join_slot(struct xdpcap_capture *cap, uint32_t a)
{
	struct xdpcap_slot s;
	char errbuf[XDPCAP_ERRBUF_SIZE];
	int err = xdpcap_hook_slot(&cap->hook, a, &s, errbuf);

	for (unsigned int i = 0; !err && i < s.n_shared; i++)
		if (!s.shared[i].owner_alive)
			err = slot_chain_leave(cap->hook.map_fd, a, s.shared[i].prog_id, -1);
	if (!err && s.prog_id && !s.owner_alive)
		err = slot_chain_leave(cap->hook.map_fd, a, s.prog_id, -1);
	if (err < 0)
		return err;
	return slot_chain_join(cap->hook.map_fd, a, cap->prog_fds[a], cap->next_map_fd);
}

/* What the capture holds, for the guard and for clearing the slots. */
struct capture_holding capture_holding(const struct xdpcap_capture *cap, int lock_fd)
{
	struct capture_holding h = {
		.hook_fd = cap->hook.map_fd,
		.lock_fd = lock_fd,
		.next_fd = cap->next_map_fd,
		.entry_fd = cap->entry ? cap->entry_map_fd : -1,
		.alive_fd = cap->alive_map_fd,
	};

	memcpy(h.prog_ids, cap->prog_ids, sizeof(h.prog_ids));
	return h;
}

/* Lock our programs' ids, fork the guard and fill (or join) the slots. */
static int claim_slots(struct xdpcap_capture *cap, unsigned int join, char *errbuf)
{
	static const uint32_t fill_order[] = {
		XDPCAP_SLOT_RERUN, XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX,
		XDP_REDIRECT, XDPCAP_SLOT_ENTRY,
	};
	struct capture_holding h;
	uint32_t a;
	int err;

	for (a = 0; a < XDPCAP_SLOTS; a++)
		if (cap->prog_ids[a] && cap->lock_fd >= 0 &&
		    (err = slot_lock_hold(cap->lock_fd, cap->prog_ids[a]))) {
			xdpcap_err(errbuf, "cannot lock %s: %s", SLOT_LOCK_FILE, strerror(-err));
			goto unlock;
		}
	h = capture_holding(cap, cap->lock_fd);
	err = capture_guard_start(&cap->guard, &h, errbuf);
	if (err)
		goto unlock;
	/*
	 * The program to run again before the entry capture that runs it,
	 * and the exits before the entry that numbers their packets.
	 */
	for (size_t i = 0; i < ARRAY_SIZE(fill_order); i++) {
		a = fill_order[i];
		if (cap->prog_fds[a] < 0)
			continue;
		if (join & (1u << a))
			err = capture_join_slot(cap, a);
		else
			err = bpf_map_update_elem(cap->hook.map_fd, &a, &cap->prog_fds[a],
						  BPF_ANY) ? -errno : 0;
		if (err) {
			errno = -err;
			xdpcap_err(errbuf, "cannot put %s program into slot %s of %s: %s",
				   a == XDPCAP_SLOT_RERUN ? "the hook's own" : "the capture",
				   a == XDPCAP_SLOT_RERUN ? "rerun" : xdpcap_action_name(a),
				   cap->hook.name, strerror(errno));
			h.lock_fd = -1;
			capture_clear_slots(&h);
			capture_guard_stop(&cap->guard);
			goto unlock;
		}
	}
	/* the entry capture's programs are in: xdpcap_enter() may call it */
	if (h.entry_fd >= 0 && (err = capture_entry_states_set(h.entry_fd, XDPCAP_ENTRY_ON))) {
		xdpcap_err(errbuf, "cannot turn on the entry states of the program of %s: %s",
			   cap->hook.name, strerror(-err));
		h.lock_fd = -1;
		capture_clear_slots(&h);
		capture_guard_stop(&cap->guard);
		goto unlock;
	}
	return 0;
unlock:
	for (a = 0; a < XDPCAP_SLOTS; a++)
		if (cap->prog_ids[a] && cap->lock_fd >= 0)
			slot_lock_release(cap->lock_fd, cap->prog_ids[a]);
	return err;
}

int xdpcap_capture_start(struct xdpcap_capture *cap, char *errbuf)
{
	unsigned int join;
	int err;

	if (cap->started) {
		xdpcap_err(errbuf, "capture already started");
		return -EALREADY;
	}
	err = cap->ring_open ? 0 : capture_open_ring(cap, errbuf);
	if (err)
		return err;
	if (cap->traced) {
		cap->start_ns = clock_ns(CLOCK_REALTIME);
		err = capture_trace_attach(cap, errbuf);
		cap->started = !err;
		return err;
	}
	/* no other capture may fill slots between our check and our fill */
	if (cap->lock_fd >= 0 && (err = slot_lock_claim_begin(cap->lock_fd))) {
		xdpcap_err(errbuf, "cannot lock %s: %s", SLOT_LOCK_FILE, strerror(-err));
		return err;
	}
	cap->start_ns = clock_ns(CLOCK_REALTIME);
	err = capture_check_slots(cap, false, &join, errbuf);
	if (!err)
		err = claim_slots(cap, join, errbuf);
	if (cap->lock_fd >= 0)
		slot_lock_claim_end(cap->lock_fd);
	if (err)
		return err;
	cap->started = true;
	return 0;
}
