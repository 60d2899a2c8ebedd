// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Keeping a running capture whole: an entry capture that cannot run the
 * program again is taken out (the exits go on), and a capture cut out of
 * a chain joins again, or says it was taken over.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/capability.h>

#include "capture_int.h"
#include "clock.h"
#include "hook/prog_owner.h"
#include "hook/slot_chain.h"
#include "hook/slot_lock.h"
#include "util.h"

/*
 * How often a capture sharing slots looks for itself in their chains: a
 * walk of at most SLOT_CHAIN_MAX programs a slot, a few dozen system
 * calls; packets between a cut and the next look are missed.
 */
#define CHAIN_CHECK_NS (1000 * 1000000ull)

/*
 * Go on without the entry: exit programs that filter for themselves (and
 * number nothing) replace those that wrote what the entry matched, slot
 * by slot, under a new guard; the old guard's last act is to empty the
 * rerun slot. Returns 0 or -errno with a message.
 */
static int fall_back_to_exits(struct xdpcap_capture *cap, char *errbuf)
{
	struct capture_guard old_guard = cap->guard;
	int old_fds[XDPCAP_ENTRY_HOOK_SLOTS];
	uint32_t old_ids[XDPCAP_ENTRY_HOOK_SLOTS], a;
	int err;

	memcpy(old_fds, cap->prog_fds, sizeof(old_fds));
	memcpy(old_ids, cap->prog_ids, sizeof(old_ids));
	for (a = 0; a < XDPCAP_ENTRY_HOOK_SLOTS; a++) {
		cap->prog_fds[a] = -1;
		cap->prog_ids[a] = 0;
	}
	cap->entry = false;
	err = capture_load_programs(cap, NULL, errbuf);
	for (a = 0; !err && a < XDPCAP_ACTIONS; a++)
		if (cap->prog_ids[a] && cap->lock_fd >= 0)
			err = slot_lock_hold(cap->lock_fd, cap->prog_ids[a]);
	if (!err) {
		struct capture_holding h = capture_holding(cap, cap->lock_fd);

		err = capture_guard_start(&cap->guard, &h, errbuf);
	}
	if (err) {
		for (a = 0; a < XDPCAP_ENTRY_HOOK_SLOTS; a++) {
			if (cap->prog_fds[a] >= 0)
				close(cap->prog_fds[a]);
			if (cap->prog_ids[a] && cap->lock_fd >= 0)
				slot_lock_release(cap->lock_fd, cap->prog_ids[a]);
		}
		memcpy(cap->prog_fds, old_fds, sizeof(old_fds));
		memcpy(cap->prog_ids, old_ids, sizeof(old_ids));
		cap->guard = old_guard;
		cap->entry = true;
		return err;
	}
	for (a = 0; a < XDPCAP_ACTIONS; a++) {
		uint32_t now = 0;

		/* only where ours still is (--force may have taken one) */
		if (cap->prog_fds[a] < 0 || bpf_map_lookup_elem(cap->hook.map_fd, &a, &now) ||
		    now != old_ids[a])
			continue;
		bpf_map_update_elem(cap->hook.map_fd, &a, &cap->prog_fds[a], BPF_ANY);
	}
	capture_guard_stop(&old_guard);
	for (a = 0; a < XDPCAP_ENTRY_HOOK_SLOTS; a++) {
		if (old_fds[a] >= 0)
			close(old_fds[a]);
		if (a < XDPCAP_SLOTS && old_ids[a] && cap->lock_fd >= 0)
			slot_lock_release(cap->lock_fd, old_ids[a]);
	}
	return 0;
}

/*
 * The entry capture could not run the program again and aborted packets:
 * its rerun slot was emptied, a chain of tail calls was at the kernel's
 * limit, or (programs built with xdpcap_hook.h 0.1) the driver gives XDP
 * no metadata room for the mark. Take it out at once, go on at the exits
 * without packet ids, and say so.
 */
static void check_entry(struct xdpcap_capture *cap)
{
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_capture_stats st;
	uint32_t slot = XDPCAP_SLOT_ENTRY, id = 0;

	if (!cap->entry || cap->entry_failed || capture_read_stats(cap, &st) ||
	    !st.entry_failed)
		return;
	cap->entry_failed = true;
	if (!bpf_map_lookup_elem(cap->hook.map_fd, &slot, &id) &&
	    id == cap->prog_ids[XDPCAP_SLOT_ENTRY])
		bpf_map_delete_elem(cap->hook.map_fd, &slot);
	capture_notice(cap, "capture at entry stopped: the program of hook %s could not be run again for %llu packet%s (%s), which were XDP_ABORTED",
	       cap->hook.name, (unsigned long long)st.entry_failed,
	       st.entry_failed == 1 ? "" : "s", cap->entry_map_fd >= 0 ?
	       "its rerun slot was emptied, or the program was at the kernel's limit of tail calls" :
	       "the driver gives XDP no metadata room, or the program left the hook");
	if (fall_back_to_exits(cap, errbuf))
		capture_notice(cap, "the exits cannot go on without it (%s): nothing more is captured", errbuf);
	else
		capture_notice(cap, "capturing on at the exits only, the filter applied there, without packet ids");
}

/* "DROP, PASS and TX": the slots of mask, for a message */
static const char *slot_names(unsigned int mask, char *buf, size_t size)
{
	unsigned int n = 0, total = (unsigned int)__builtin_popcount(mask);
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int a = 0; a < XDPCAP_ACTIONS && len < size; a++) {
		if (!(mask & (1u << a)))
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					!n ? "" : n + 1 == total ? " and " : ", ",
					xdpcap_action_name(a));
		n++;
	}
	return buf;
}

/* What check_chains() found and has not said yet, in one line each. */
void capture_say_chains(struct xdpcap_capture *cap)
{
	unsigned int taken = cap->taken_unsaid, rejoined = cap->rejoined_unsaid;
	char names[64];

	cap->taken_unsaid = cap->rejoined_unsaid = 0;
	if (taken)
		capture_notice(cap, "slot%s %s of %s taken over by %s %d: nothing more is captured from %s",
		       taken & (taken - 1) ? "s" : "", slot_names(taken, names, sizeof(names)),
		       cap->hook.name, cap->taker_pid ? "xdpcap process" : "program id",
		       cap->taker_pid ? cap->taker_pid : (int)cap->taker_prog,
		       taken & (taken - 1) ? "them" : "it");
	if (rejoined)
		capture_notice(cap, "this capture was cut out of slot%s %s of %s (a capture sharing %s died with its guard) and joined again: packets in the last %u ms may be missed",
		       rejoined & (rejoined - 1) ? "s" : "", slot_names(rejoined, names, sizeof(names)),
		       cap->hook.name, rejoined & (rejoined - 1) ? "them" : "it",
		       (unsigned int)(CHAIN_CHECK_NS / 1000000));
}

/*
 * Let go of the next map held for slot a, at the next look: a packet may
 * still run through the program that led to it, and must find it whole.
 */
static void retire_predecessor(struct xdpcap_capture *cap, uint32_t a)
{
	if (cap->retired_map_fds[a] >= 0)
		close(cap->retired_map_fds[a]);
	cap->retired_map_fds[a] = cap->pred_map_fds[a];
	cap->pred_map_fds[a] = -1;
	cap->pred_ids[a] = 0;
}

/* Close the maps let go of at the last look, a second ago. */
static void close_retired(struct xdpcap_capture *cap)
{
	for (uint32_t a = 0; a < XDPCAP_ACTIONS; a++) {
		if (cap->retired_map_fds[a] >= 0)
			close(cap->retired_map_fds[a]);
		cap->retired_map_fds[a] = -1;
	}
}

/* Where ours is in slot a's chain (ids, n long): its index, or -1. */
static int place_in_chain(const struct xdpcap_capture *cap, uint32_t a,
			  const uint32_t *ids, int n)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == cap->prog_ids[a])
			return i;
	return -1;
}

/* Whether program id belongs to a capture that is gone, guard and all. */
static bool owner_gone(uint32_t id)
{
	struct prog_owner owner;

	return !prog_owner_read(id, &owner) && !prog_owner_alive(&owner);
}

/*
 * Ours is at ids[at] of slot a's chain. The kernel empties a program
 * array once no process holds it, so a capture that dies with its guard
 * would cut off the captures after it: each capture holds the next map
 * of the program before it, which keeps the chain whole, and takes that
 * program out once its capture is gone (under the slot lock, reading
 * the chain again for the one now before ours). The packets go on
 * through the gone capture's program until then (its filter runs, its
 * ring is full), and none is missed. Two gone in a row still cut the
 * chain, as does one that joined in front of ours and went within a
 * second, before this look: check_chains() joins again.
 */
static void hold_predecessor(struct xdpcap_capture *cap, uint32_t a,
			     const uint32_t *ids, int at)
{
	uint32_t pred = at > 0 ? ids[at - 1] : 0;
	bool locked = false;
	int fd;

	if (pred && owner_gone(pred) &&
	    (cap->lock_fd < 0 || !slot_lock_claim_begin(cap->lock_fd))) {
		uint32_t now[SLOT_CHAIN_MAX];
		int n;

		locked = cap->lock_fd >= 0;
		if (slot_chain_leave(cap->hook.map_fd, a, pred, -1) > 0) {
			n = slot_chain_read(cap->hook.map_fd, a, now, NULL);
			at = place_in_chain(cap, a, now, n);
			pred = at > 0 ? now[at - 1] : 0;
		}
	}
	if (pred != cap->pred_ids[a]) {
		retire_predecessor(cap, a);
		/* the slot itself (a pinned map) needs no holding */
		fd = pred ? slot_chain_next_map(pred) : -1;
		if (fd >= 0) {
			cap->pred_map_fds[a] = fd;
			cap->pred_ids[a] = pred;
		}
	}
	if (locked)
		slot_lock_claim_end(cap->lock_fd);
}

/*
 * Join slot a's chain again, unless ours is back in it by the time the
 * slot lock is ours (another capture may have been mending it).
 */
static int join_again(struct xdpcap_capture *cap, uint32_t a)
{
	uint32_t ids[SLOT_CHAIN_MAX];
	int n, err = 0;

	if (cap->lock_fd >= 0)
		err = slot_lock_claim_begin(cap->lock_fd);
	if (err)
		return err;
	n = slot_chain_read(cap->hook.map_fd, a, ids, NULL);
	if (n < 0)
		err = n;
	else if (place_in_chain(cap, a, ids, n) < 0)
		err = capture_join_slot(cap, a);
	if (cap->lock_fd >= 0)
		slot_lock_claim_end(cap->lock_fd);
	return err;
}

/*
 * A capture that shares slots can be cut out of a chain: by two captures
 * before it that died together with their guards (the kernel empties
 * their next maps; see hold_predecessor() for one), and by --force,
 * which puts a program of its own in place of the chain. Once a second,
 * find ours in each chain (and hold the map before it), and join again
 * where it is missing, unless a capture that keeps the slot to itself
 * holds it, or the chain cannot take one more (not after dropping
 * CAP_SYS_ADMIN: the chains cannot be read then). What happened is said
 * once for all the slots it happened to.
 */
static void check_chains(struct xdpcap_capture *cap)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	unsigned int rejoined = 0, taken = 0, lost = 0;
	int taker_pid = 0, lost_err = 0;
	uint32_t taker_prog = 0;
	char names[64];

	if (cap->next_map_fd < 0 || now < cap->chain_checked_ns + CHAIN_CHECK_NS)
		return;
	cap->chain_checked_ns = now;
	close_retired(cap);
	/* a process that dropped its privileges (tcpdump) cannot walk chains */
	if (!capture_has_capability(CAP_SYS_ADMIN)) {
		for (uint32_t a = 0; a < XDPCAP_ACTIONS; a++)
			retire_predecessor(cap, a);
		return;
	}
	for (uint32_t a = 0; a < XDPCAP_ACTIONS; a++) {
		char errbuf[XDPCAP_ERRBUF_SIZE];
		uint32_t ids[SLOT_CHAIN_MAX];
		struct xdpcap_slot s;
		int n, at, chainable, err;

		if (!cap->prog_ids[a] || (cap->chains_lost & (1u << a)))
			continue;
		n = slot_chain_read(cap->hook.map_fd, a, ids, &chainable);
		at = place_in_chain(cap, a, ids, n);
		if (at >= 0)
			hold_predecessor(cap, a, ids, at);
		/* unreadable, too long or a loop: joining would make it worse */
		if (n < 0 || at >= 0 || xdpcap_hook_slot(&cap->hook, a, &s, errbuf))
			continue;
		retire_predecessor(cap, a);
		if (s.prog_id && (!s.owner_pid || !chainable)) {
			cap->chains_lost |= 1u << a;
			taken |= 1u << a;
			taker_pid = s.owner_pid;
			taker_prog = s.prog_id;
			continue;
		}
		err = n >= SLOT_CHAIN_MAX ? -E2BIG : join_again(cap, a);
		if (err) {
			cap->chains_lost |= 1u << a;
			lost |= 1u << a;
			lost_err = err;
		} else {
			rejoined |= 1u << a;
		}
	}
	if (lost)
		capture_notice(cap, "this capture was cut out of slot%s %s of %s (a capture sharing %s died with its guard) and cannot join again (%s): nothing more is captured from %s",
		       lost & (lost - 1) ? "s" : "", slot_names(lost, names, sizeof(names)),
		       cap->hook.name, lost & (lost - 1) ? "them" : "it",
		       lost_err == -E2BIG ? "the chain is full" : strerror(-lost_err),
		       lost & (lost - 1) ? "them" : "it");
	/*
	 * The kernel empties a dead capture's next map, and --force fills
	 * slots, one slot after another: say it once the slots stay as
	 * they are, one look later.
	 */
	cap->taken_unsaid |= taken;
	cap->rejoined_unsaid |= rejoined;
	if (taken)
		cap->taker_pid = taker_pid, cap->taker_prog = taker_prog;
	if (!taken && !rejoined)
		capture_say_chains(cap);
}

void capture_repair(struct xdpcap_capture *cap)
{
	check_entry(cap);
	check_chains(cap);
}
