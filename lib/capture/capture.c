// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Live capture: the hook, one capture program per action, the ring they
 * write to, and the guard that cleans up after us.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <poll.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <pcap/dlt.h>

#include "xdpcap/capture.h"
#include "xdpcap/kernel.h"
#include "capture_guard.h"
#include "capture_prog.h"
#include "kernel_helpers.h"
#include "hook/hook_program.h"
#include "hook/hook_watch.h"
#include "hook/prog_owner.h"
#include "ring.h"
#include "hook/slot_chain.h"
#include "hook/slot_lock.h"
#include "opts.h"
#include "util.h"

/*
 * The ring is one BPF ring buffer shared by all CPUs, 64 MiB unless told
 * otherwise: about 70 ms of 1500-byte frames at 600 kfps, for the writer's
 * stalls.
 */
#define DEFAULT_RING_KIB (64 * 1024)
#define MIN_RING_KIB 64
/*
 * After the ring wakes us, let packets gather this long before reading:
 * the kernel wakes the reader only when it had read everything, so a
 * reader that came back at once would be woken for nearly every packet,
 * at a cost to the XDP path of microseconds each.
 */
#define WAKEUP_GATHER_US 1000
/* At the end, how long to wait for records still being written. */
#define STOP_DRAIN_MAX_NS (100 * 1000000ull)
/*
 * How often a capture sharing slots looks for itself in their chains: a
 * walk of at most SLOT_CHAIN_MAX programs a slot, a few dozen system
 * calls; packets between a cut and the next look are missed.
 */
#define CHAIN_CHECK_NS (200 * 1000000ull)

struct xdpcap_capture {
	struct xdpcap_hook hook;
	char *filter;
	unsigned int actions;
	uint32_t snaplen;
	bool force;
	bool entry;			/* capture at entry too */
	uint32_t sample, max_rate;	/* opts' */
	uint32_t netmask;		/* opts': for "ip broadcast" */
	int ring_map_fd, areas_map_fd;
	/* prog_owner.h: what tells others this capture runs */
	int alive_map_fd, owner_map_fd;
	/* by slot; the rerun slot's is the hook's own program (entry) */
	int prog_fds[XDPCAP_ENTRY_HOOK_SLOTS];
	uint32_t prog_ids[XDPCAP_ENTRY_HOOK_SLOTS];
	size_t prog_insns[XDPCAP_SLOTS];
	int notes_map_fd;		/* the program's redirect notes, or -1 */
	/* entry: the program's entry states; -1: it marks packets in
	 * their XDP metadata instead (built with xdpcap_hook.h 0.1) */
	int entry_map_fd;
	/* slot_chain.h: to share slots with other captures; -1: keeps
	 * them to itself (entry captures, no CAP_SYS_ADMIN) */
	int next_map_fd;
	/* the maps the program may redirect through, to name a note's map */
	struct hook_program_target_map target_maps[8];
	int n_target_maps;
	struct ring ring;
	bool ring_open;
	uint32_t ring_bytes;
	struct capture_area_layout layout;
	const uint8_t *areas;		/* the areas map, read-only */
	size_t areas_mapped;
	struct capture_guard guard;
	int lock_fd;			/* slot_lock.h; -1 without one */
	struct xdpcap_kernel kernel;	/* what the kernel offers */
	bool started, stopped;
	int64_t realtime_offset_ns;	/* epoch time - monotonic time */
	uint64_t start_ns, end_ns, delivered;
	void (*notice)(const char *msg, void *ctx);
	void *notice_ctx;
	struct xdpcap_busy *busy;	/* the caller's, or NULL */
	struct hook_watch watch;	/* the hook gone or unused, said once */
	bool entry_failed;		/* entry capture given up, said once */
	uint64_t chain_checked_ns;	/* check_chains(), every CHAIN_CHECK_NS */
	unsigned int chains_lost;	/* slots taken over: said once each */
	/* check_chains(): what it found and will say at its next look */
	unsigned int taken_unsaid, rejoined_unsaid;
	int taker_pid;
	uint32_t taker_prog;
	/* the callback of the poll in progress */
	xdpcap_packet_fn fn;
	void *fn_ctx;
	bool fn_stop;
};

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The kernel stamps packets with CLOCK_MONOTONIC; files want the epoch. */
static int64_t realtime_offset(void)
{
	int64_t best = 0;
	uint64_t best_gap = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		uint64_t m1 = clock_ns(CLOCK_MONOTONIC);
		uint64_t r = clock_ns(CLOCK_REALTIME);
		uint64_t m2 = clock_ns(CLOCK_MONOTONIC);

		if (m2 - m1 < best_gap) {
			best_gap = m2 - m1;
			best = (int64_t)r - (int64_t)(m1 + (m2 - m1) / 2);
		}
	}
	return best;
}

/* The kernel wants a power of two pages; round down, within limits. */
static uint32_t ring_bytes(unsigned int kib)
{
	uint32_t bytes;

	if (!kib)
		kib = DEFAULT_RING_KIB;
	if (kib < MIN_RING_KIB)
		kib = MIN_RING_KIB;
	if (kib > (1u << 20))
		kib = 1u << 20;
	bytes = kib * 1024u;
	while (bytes & (bytes - 1))
		bytes &= bytes - 1;
	return bytes;
}

int xdpcap_parse_actions(const char *list, unsigned int *mask, char *errbuf)
{
	static const char *const names[XDPCAP_SLOTS] = {
		"aborted", "drop", "pass", "tx", "redirect", "entry",
	};
	char *copy, *tok;
	int err = 0;

	*mask = 0;
	copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	for (char *next = copy; next && !err; ) {
		const char *name = tok = next;
		unsigned int a;

		next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		if (!*tok) {
			xdpcap_err(errbuf, "empty XDP action in '%s': give names or numbers separated by single commas",
				   list);
			err = -EINVAL;
			break;
		}
		if (!strncasecmp(name, "xdp_", 4))
			name += 4;
		if (!strcasecmp(name, "all")) {
			*mask |= (1u << XDPCAP_ACTIONS) - 1;
			continue;
		}
		for (a = 0; a < XDPCAP_SLOTS; a++)
			if (!strcasecmp(name, names[a]) ||
			    (a < XDPCAP_ACTIONS && name[0] == '0' + (int)a && !name[1]))
				break;
		if (a == XDPCAP_SLOTS) {
			xdpcap_err(errbuf, "unknown XDP action '%s': use aborted, drop, pass, tx, redirect, their numbers 0-4, all, or entry (each packet as it arrived)",
				   tok);
			err = -EINVAL;
			break;
		}
		*mask |= 1u << a;
	}
	if (!err && !*mask) {
		xdpcap_err(errbuf, "no XDP action given: use aborted, drop, pass, tx, redirect, all or entry");
		err = -EINVAL;
	}
	free(copy);
	return err;
}

static void notice(struct xdpcap_capture *cap, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void notice(struct xdpcap_capture *cap, const char *fmt, ...)
{
	char msg[XDPCAP_ERRBUF_SIZE];
	va_list ap;

	if (!cap->notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cap->notice(msg, cap->notice_ctx);
}

/* Whether capability nr is in this process's effective set (or unknown). */
static bool has_capability(unsigned int nr)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return true; /* cannot tell: say nothing about it */
	return data[nr / 32].effective & (1u << (nr % 32));
}

/* Whether CAP_BPF or CAP_SYS_ADMIN is in this process's effective set. */
static bool may_use_bpf(void)
{
	const unsigned int cap_bpf = 39; /* older headers lack CAP_BPF */

	return has_capability(cap_bpf) || has_capability(CAP_SYS_ADMIN);
}

static int create_maps(struct xdpcap_capture *cap, char *errbuf)
{
	LIBBPF_OPTS(bpf_map_create_opts, areas_opts, .map_flags = BPF_F_MMAPABLE);
	long page = sysconf(_SC_PAGESIZE);
	int ncpus = libbpf_num_possible_cpus();
	void *areas;

	if (ncpus <= 0) {
		xdpcap_err(errbuf, "cannot count the CPUs: %s", strerror(-ncpus));
		return ncpus ? ncpus : -EINVAL;
	}
	capture_area_layout(cap->snaplen, (uint32_t)ncpus, &cap->layout);
	if (cap->layout.max_caplen < cap->snaplen && cap->layout.max_caplen < CAPTURE_MAX_CAPLEN)
		notice(cap, "packets are cut to %u bytes on this machine of %d CPUs",
		       cap->layout.max_caplen, ncpus);
	cap->ring_map_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "xdpcap_ring", 0, 0,
					  cap->ring_bytes, NULL);
	if (cap->ring_map_fd >= 0)
		cap->areas_map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xdpcap_areas",
						   sizeof(uint32_t),
						   cap->layout.stride * cap->layout.ncpus,
						   1, &areas_opts);
	if (cap->ring_map_fd < 0 || cap->areas_map_fd < 0) {
		int err = -errno;

		if (err == -EPERM)
			xdpcap_err(errbuf, "creating BPF maps is not permitted: run as root (CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)");
		else
			xdpcap_err(errbuf, "cannot create BPF maps: %s", strerror(errno));
		return err;
	}
	cap->owner_map_fd = prog_owner_create(&cap->alive_map_fd);
	if (cap->owner_map_fd < 0) {
		xdpcap_err(errbuf, "cannot create the capture's owner maps: %s",
			   strerror(-cap->owner_map_fd));
		return cap->owner_map_fd;
	}
	/* the counters, readable without a system call */
	cap->areas_mapped = ((size_t)cap->layout.stride * cap->layout.ncpus + (size_t)page - 1) /
			    (size_t)page * (size_t)page;
	areas = mmap(NULL, cap->areas_mapped, PROT_READ, MAP_SHARED, cap->areas_map_fd, 0);
	if (areas == MAP_FAILED) {
		int err = -errno;

		cap->areas_mapped = 0;
		xdpcap_err(errbuf, "cannot map the capture counters: %s", strerror(errno));
		return err;
	}
	cap->areas = areas;
	return 0;
}

static int load_programs(struct xdpcap_capture *cap, char **log, char *errbuf)
{
	XDPCAP_OPTS(xdpcap_ebpf_opts, ebpf_opts, .wirelen_off = CAPTURE_WIRELEN_OFF);
	struct capture_prog_spec spec = {
		.ring_map_fd = cap->ring_map_fd,
		.areas_map_fd = cap->areas_map_fd,
		.owner_map_fd = cap->owner_map_fd,
		.layout = cap->layout,
		.copy = cap->kernel.copy,
		.has_buff_len = cap->kernel.load_bytes,
		.at_entry = cap->entry,
		.hook_fd = cap->hook.map_fd,
		.notes_map_fd = cap->notes_map_fd,
		.entry_map_fd = cap->entry_map_fd,
		.next_map_fd = cap->next_map_fd,
		.sample = cap->sample,
		.max_rate = cap->max_rate,
		.coarse_time = cap->kernel.coarse_time,
	};
	struct xdpcap_cbpf cbpf;
	struct xdpcap_ebpf ebpf;
	char name[16];
	int err, rounds;

	/* libpcap's results are the snap length: keep it within an area */
	err = xdpcap_cbpf_from_expr_mask(cap->filter, DLT_EN10MB,
					 cap->layout.max_caplen, cap->netmask,
					 &cbpf, errbuf);
	if (err)
		return err;
	if (xdpcap_cbpf_reads_metadata(&cbpf))
		notice(cap, "the filter tests what XDP cannot know yet (inbound, outbound, or other socket metadata): a packet that reaches such a test is not captured");
	rounds = xdpcap_cbpf_loop_rounds(&cbpf);
	if (rounds > 0)
		notice(cap, "the filter's loop (protochain) goes round at most %d times on a packet in the kernel, one header each, all its loops together: a packet with a longer chain is not captured",
		       rounds);
	for (size_t i = 0; i < cbpf.len; i++)
		if (cbpf.insns[i].code == (BPF_RET | BPF_A) ||
		    (cbpf.insns[i].code == (BPF_RET | BPF_K) &&
		     cbpf.insns[i].k > cap->layout.max_caplen))
			spec.result_unbounded = true;
	err = xdpcap_cbpf_to_ebpf(&cbpf, &ebpf_opts, &ebpf, errbuf);
	xdpcap_cbpf_free(&cbpf);
	if (err)
		return err;
	err = capture_prog_probe_kind(cap->hook.map_fd, &spec.kind, errbuf);
	if (err)
		goto out;
	snprintf(name, sizeof(name), "xdpcap_%d", (int)getpid());
	spec.name = name;
	spec.filter = &ebpf;
	for (unsigned int a = 0; a < XDPCAP_SLOTS; a++) {
		struct bpf_prog_info info = {};
		uint32_t info_len = sizeof(info);
		int fd;

		if (a == XDPCAP_SLOT_ENTRY ? !cap->entry : !(cap->actions & (1u << a)))
			continue;
		spec.action = a;
		fd = capture_prog_load(&spec, log, &cap->prog_insns[a], errbuf);
		if (fd < 0) {
			err = fd;
			goto out;
		}
		cap->prog_fds[a] = fd;
		if (bpf_obj_get_info_by_fd(fd, &info, &info_len)) {
			err = -errno;
			xdpcap_err(errbuf, "cannot read the capture program's id: %s",
				   strerror(errno));
			goto out;
		}
		cap->prog_ids[a] = info.id;
	}
out:
	xdpcap_ebpf_free(&ebpf);
	return err;
}

static int check_slots(struct xdpcap_capture *cap, bool notify, unsigned int *join,
		       char *errbuf);

/*
 * A hook whose program is on no interface of this network namespace
 * still has it: name it after all (no interface, though).
 */
static void name_hook_program(struct xdpcap_hook *hook, uint32_t prog_id)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(prog_id);

	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
		hook->prog_id = prog_id;
		snprintf(hook->prog_name, sizeof(hook->prog_name), "%s", info.name);
	}
	close(fd);
}

/*
 * The hook's own XDP program: an entry capture runs it again (and needs
 * exactly one), and its redirect notes, if it has them, go with captures
 * of XDP_REDIRECT.
 */
static int find_hook_program(struct xdpcap_capture *cap, char *errbuf)
{
	uint32_t ids[4];
	int n, fd;

	if (cap->entry && cap->hook.max_entries < XDPCAP_ENTRY_HOOK_SLOTS) {
		xdpcap_err(errbuf, "hook %s has %u slots, no entry slot: capturing at entry needs a program that declares it with XDPCAP_HOOK_WITH_ENTRY and calls xdpcap_enter() (xdpcap_hook(3))",
			   cap->hook.name, cap->hook.max_entries);
		return -EINVAL;
	}
	n = hook_programs(&cap->hook, ids, (int)ARRAY_SIZE(ids));
	if (n < 0 && cap->entry) {
		xdpcap_err(errbuf, "cannot find the XDP program of hook %s: %s",
			   cap->hook.name, strerror(-n));
		return n;
	}
	if (n == 0 && cap->entry) {
		xdpcap_err(errbuf, "no XDP program uses hook %s: capturing at entry runs that program again, and needs it loaded",
			   cap->hook.name);
		return -ENOENT;
	}
	if (n > 1 && cap->entry) {
		xdpcap_err(errbuf, "%d XDP programs use hook %s (ids %u, %u%s): capturing at entry runs the program again, and needs the hook to have one",
			   n, cap->hook.name, ids[0], ids[1], n > 2 ? ", ..." : "");
		return -EINVAL;
	}
	if (n != 1)
		return 0;
	if (!cap->hook.prog_id)
		name_hook_program(&cap->hook, ids[0]);
	cap->notes_map_fd = hook_program_map(ids[0], REDIRECT_NOTES_MAP_NAME,
					     BPF_MAP_TYPE_PERCPU_ARRAY,
					     sizeof(struct xdpcap_redirect_info));
	if (cap->notes_map_fd >= 0)
		cap->n_target_maps = hook_program_target_maps(ids[0], cap->target_maps,
							      (int)ARRAY_SIZE(cap->target_maps));
	if (!cap->entry)
		return 0;
	cap->entry_map_fd = hook_program_map(ids[0], XDPCAP_ENTRY_MAP_NAME,
					     BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint32_t));
	if (cap->entry_map_fd < 0 && !kernel_helper_allowed(BPF_FUNC_xdp_adjust_meta)) {
		xdpcap_err(errbuf, "cannot capture at entry on hook %s: its program has no entry state (built with xdpcap_hook.h 0.1, it is told of the second run by a mark in XDP metadata), and this kernel's verifier refuses bpf_xdp_adjust_meta in XDP programs; rebuild the program with this xdpcap_hook.h, or capture without --entry (the exits work)",
			   cap->hook.name);
		return -EOPNOTSUPP;
	}
	fd = bpf_prog_get_fd_by_id(ids[0]);
	if (fd < 0) {
		xdpcap_err(errbuf, "cannot open the XDP program %u of hook %s: %s",
			   ids[0], cap->hook.name, strerror(-fd));
		return fd;
	}
	cap->prog_fds[XDPCAP_SLOT_RERUN] = fd;
	cap->prog_ids[XDPCAP_SLOT_RERUN] = ids[0];
	return 0;
}

/* The kernel's features decide how packets are copied; say what is lost. */
static int probe_kernel(struct xdpcap_capture *cap, char *errbuf)
{
	struct xdpcap_kernel *k = &cap->kernel;
	int err;

	err = xdpcap_kernel_probe(k, errbuf);
	if (err)
		return err;
	if (k->copy == XDPCAP_COPY_NONE)
		return -EOPNOTSUPP;
	if (k->copy != XDPCAP_COPY_DIRECT)
		return 0;
	if (!k->frags)
		notice(cap, "this kernel has no multi-buffer XDP (nor bpf_xdp_load_bytes): frames beyond the first buffer cannot occur, and packets are copied from it directly");
	else
		notice(cap, "XDPCAP_COPY=direct: packets are copied from their first buffer only; fragments of multi-buffer frames are left out");
	return 0;
}

int xdpcap_capture_open(const char *hook, const char *filter,
			const struct xdpcap_capture_opts *opts,
			struct xdpcap_capture **out, char *errbuf)
{
	struct xdpcap_capture_opts known;
	struct xdpcap_capture *cap;
	int err;

	*out = NULL;
	err = opts_copy(&known, sizeof(known),
			OPTS_KNOWN(xdpcap_capture_opts, netmask), opts,
			"xdpcap_capture_opts", errbuf);
	if (err)
		return err;
	opts = &known;
	cap = calloc(1, sizeof(*cap));
	if (!cap || !(cap->filter = strdup(filter ? filter : ""))) {
		free(cap);
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	cap->hook.map_fd = cap->ring_map_fd = cap->areas_map_fd = -1;
	cap->alive_map_fd = cap->owner_map_fd = -1;
	cap->notes_map_fd = cap->next_map_fd = cap->entry_map_fd = -1;
	cap->guard.pipe_fd = -1;
	cap->lock_fd = slot_lock_open();
	for (int a = 0; a < XDPCAP_ENTRY_HOOK_SLOTS; a++)
		cap->prog_fds[a] = -1;
	cap->actions = opts && opts->actions ? opts->actions : (1u << XDPCAP_ACTIONS) - 1;
	if (cap->actions & ~((1u << XDPCAP_SLOTS) - 1)) {
		xdpcap_err(errbuf, "xdpcap_capture_opts: unknown action bits 0x%x", cap->actions);
		err = -EINVAL;
		goto err;
	}
	cap->snaplen = opts && opts->snaplen ? opts->snaplen : XDPCAP_DEFAULT_SNAPLEN;
	cap->force = opts && opts->force;
	cap->ring_bytes = ring_bytes(opts ? opts->ring_kib : 0);
	cap->notice = opts ? opts->notice : NULL;
	cap->notice_ctx = opts ? opts->notice_ctx : NULL;
	cap->busy = opts ? opts->busy : NULL;
	cap->entry = cap->actions & (1u << XDPCAP_SLOT_ENTRY);
	cap->sample = opts ? opts->sample : 0;
	cap->max_rate = opts ? opts->max_rate : 0;
	cap->netmask = opts->netmask;
	if (cap->max_rate > XDPCAP_MAX_RATE) {
		xdpcap_err(errbuf, "a rate cap of %u packets a second is more than xdpcap can count (%u at most)",
			   cap->max_rate, XDPCAP_MAX_RATE);
		err = -EINVAL;
		goto err;
	}

	/* root without them fails on every step below: say why at once */
	if (geteuid() == 0 && !may_use_bpf()) {
		xdpcap_err(errbuf, "this process runs as root but without CAP_BPF (nor CAP_SYS_ADMIN): a program that drops them, as dumpcap does for tshark and Wireshark, cannot capture from a hook");
		err = -EPERM;
		goto err;
	}
	err = xdpcap_hook_open(hook, opts ? opts->hook_dir : NULL, &cap->hook, errbuf);
	if (err)
		goto err;
	err = probe_kernel(cap, errbuf);
	if (err)
		goto err;
	err = find_hook_program(cap, errbuf);
	if (err)
		goto err;
	err = create_maps(cap, errbuf);
	if (err)
		goto err;
	/*
	 * Sharing slots means opening other captures' programs by id; an
	 * entry capture runs the hook's program again and so keeps its
	 * slots to itself, and so does one that takes slots over (--force):
	 * the captures it replaced are told, and do not come back.
	 */
	if (!cap->entry && !cap->force && has_capability(CAP_SYS_ADMIN))
		cap->next_map_fd = slot_chain_create();
	err = load_programs(cap, opts ? opts->verifier_log : NULL, errbuf);
	if (err)
		goto err;
	err = check_slots(cap, true, NULL, errbuf);
	if (err)
		goto err;
	cap->realtime_offset_ns = realtime_offset();
	*out = cap;
	return 0;
err:
	xdpcap_capture_close(cap);
	return err;
}

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
		notice(cap, "reclaiming slot %s of %s, left by xdpcap process %d, which is gone",
		       xdpcap_action_name(a), cap->hook.name, s->owner_pid);
	for (unsigned int i = 0; i < s->n_shared; i++)
		if (s->shared[i].owner_pid && !s->shared[i].owner_alive)
			notice(cap, "reclaiming slot %s of %s, left by xdpcap process %d, which is gone",
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
static int check_slots(struct xdpcap_capture *cap, bool notify, unsigned int *join,
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
				notice(cap, "taking over slot %s of %s from %s %d",
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

/* The program's one map of that type, if it has one, NULL otherwise. */
static const struct hook_program_target_map *target_map(const struct xdpcap_capture *cap,
							uint32_t type)
{
	const struct hook_program_target_map *found = NULL;

	if (cap->n_target_maps > (int)ARRAY_SIZE(cap->target_maps))
		return NULL;
	for (int i = 0; i < cap->n_target_maps; i++)
		if (cap->target_maps[i].type == type) {
			if (found)
				return NULL;
			found = &cap->target_maps[i];
		}
	return found;
}

/* A record: struct capture_record, then the packet. */
static int on_ring_record(void *ctx, const void *data, uint32_t size)
{
	struct xdpcap_capture *cap = ctx;
	struct capture_record rec;
	struct xdpcap_packet pkt;

	if (size < sizeof(rec))
		return 0;
	memcpy(&rec, data, sizeof(rec));
	pkt = (struct xdpcap_packet){
		.ts_ns = rec.ts_mono_ns + (uint64_t)cap->realtime_offset_ns,
		.caplen = rec.caplen < size - sizeof(rec) ?
			  rec.caplen : (uint32_t)(size - sizeof(rec)),
		.wirelen = rec.wirelen,
		.ifindex = rec.ifindex,
		.rx_queue = rec.rx_queue,
		.action = rec.slot,
		.data = (const uint8_t *)data + sizeof(rec),
		.packet_id = rec.packet_id,
		.redirect = rec.redirect.pending ? &rec.redirect : NULL,
	};
	if (pkt.redirect && rec.redirect.map_type) {
		const struct hook_program_target_map *m = target_map(cap, rec.redirect.map_type);

		if (m) {
			pkt.redirect_map_id = m->id;
			pkt.redirect_map_name = m->name;
		}
	}
	cap->delivered++;
	if (cap->fn && cap->fn(&pkt, cap->fn_ctx)) {
		cap->fn_stop = true;
		return 1;
	}
	return 0;
}

static int open_ring(struct xdpcap_capture *cap, char *errbuf)
{
	int err = ring_open(&cap->ring, cap->ring_map_fd, cap->ring_bytes, errbuf);

	cap->ring_open = !err;
	return err;
}

/*
 * Join the captures on slot a: those that are gone are taken out first,
 * then ours goes in front of the rest (slot_chain.h).
 */
static int join_slot(struct xdpcap_capture *cap, uint32_t a)
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
static struct capture_holding holding(const struct xdpcap_capture *cap, int lock_fd)
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
	h = holding(cap, cap->lock_fd);
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
			err = join_slot(cap, a);
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
	err = cap->ring_open ? 0 : open_ring(cap, errbuf);
	if (err)
		return err;
	/* no other capture may fill slots between our check and our fill */
	if (cap->lock_fd >= 0 && (err = slot_lock_claim_begin(cap->lock_fd))) {
		xdpcap_err(errbuf, "cannot lock %s: %s", SLOT_LOCK_FILE, strerror(-err));
		return err;
	}
	cap->start_ns = clock_ns(CLOCK_REALTIME);
	err = check_slots(cap, false, &join, errbuf);
	if (!err)
		err = claim_slots(cap, join, errbuf);
	if (cap->lock_fd >= 0)
		slot_lock_claim_end(cap->lock_fd);
	if (err)
		return err;
	cap->started = true;
	return 0;
}

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
	err = load_programs(cap, NULL, errbuf);
	for (a = 0; !err && a < XDPCAP_ACTIONS; a++)
		if (cap->prog_ids[a] && cap->lock_fd >= 0)
			err = slot_lock_hold(cap->lock_fd, cap->prog_ids[a]);
	if (!err) {
		struct capture_holding h = holding(cap, cap->lock_fd);

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

	if (!cap->entry || cap->entry_failed || xdpcap_capture_stats(cap, &st) ||
	    !st.entry_failed)
		return;
	cap->entry_failed = true;
	if (!bpf_map_lookup_elem(cap->hook.map_fd, &slot, &id) &&
	    id == cap->prog_ids[XDPCAP_SLOT_ENTRY])
		bpf_map_delete_elem(cap->hook.map_fd, &slot);
	notice(cap, "capture at entry stopped: the program of hook %s could not be run again for %llu packet%s (%s), which were XDP_ABORTED",
	       cap->hook.name, (unsigned long long)st.entry_failed,
	       st.entry_failed == 1 ? "" : "s", cap->entry_map_fd >= 0 ?
	       "its rerun slot was emptied, or the program was at the kernel's limit of tail calls" :
	       "the driver gives XDP no metadata room, or the program left the hook");
	if (fall_back_to_exits(cap, errbuf))
		notice(cap, "the exits cannot go on without it (%s): nothing more is captured", errbuf);
	else
		notice(cap, "capturing on at the exits only, the filter applied there, without packet ids");
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
static void say_chains(struct xdpcap_capture *cap)
{
	unsigned int taken = cap->taken_unsaid, rejoined = cap->rejoined_unsaid;
	char names[64];

	cap->taken_unsaid = cap->rejoined_unsaid = 0;
	if (taken)
		notice(cap, "slot%s %s of %s taken over by %s %d: nothing more is captured from %s",
		       taken & (taken - 1) ? "s" : "", slot_names(taken, names, sizeof(names)),
		       cap->hook.name, cap->taker_pid ? "xdpcap process" : "program id",
		       cap->taker_pid ? cap->taker_pid : (int)cap->taker_prog,
		       taken & (taken - 1) ? "them" : "it");
	if (rejoined)
		notice(cap, "this capture was cut out of slot%s %s of %s (a capture sharing %s died with its guard) and joined again: packets in the last %u ms may be missed",
		       rejoined & (rejoined - 1) ? "s" : "", slot_names(rejoined, names, sizeof(names)),
		       cap->hook.name, rejoined & (rejoined - 1) ? "them" : "it",
		       (unsigned int)(CHAIN_CHECK_NS / 1000000));
}

/*
 * A capture that shares slots can be cut out of a chain: a capture before
 * it that died together with its guard leaves the kernel to empty its
 * next map, and --force puts a program of its own in place of the chain.
 * Five times a second, find ours in each chain, and join again where it
 * is missing, unless a capture that keeps the slot to itself holds it,
 * or the chain cannot take one more (not after dropping CAP_SYS_ADMIN:
 * the chains cannot be read then). What happened is said once for all
 * the slots it happened to.
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
	/* a process that dropped its privileges (tcpdump) cannot walk chains */
	if (!has_capability(CAP_SYS_ADMIN))
		return;
	for (uint32_t a = 0; a < XDPCAP_ACTIONS; a++) {
		char errbuf[XDPCAP_ERRBUF_SIZE];
		uint32_t ids[SLOT_CHAIN_MAX];
		struct xdpcap_slot s;
		int n, chainable, err;
		bool found = false;

		if (!cap->prog_ids[a] || (cap->chains_lost & (1u << a)))
			continue;
		n = slot_chain_read(cap->hook.map_fd, a, ids, &chainable);
		for (int i = 0; i < n; i++)
			found |= ids[i] == cap->prog_ids[a];
		/* unreadable, too long or a loop: joining would make it worse */
		if (n < 0 || found || xdpcap_hook_slot(&cap->hook, a, &s, errbuf))
			continue;
		if (s.prog_id && (!s.owner_pid || !chainable)) {
			cap->chains_lost |= 1u << a;
			taken |= 1u << a;
			taker_pid = s.owner_pid;
			taker_prog = s.prog_id;
			continue;
		}
		err = n >= SLOT_CHAIN_MAX ? -E2BIG : 0;
		if (!err && cap->lock_fd >= 0)
			err = slot_lock_claim_begin(cap->lock_fd);
		if (!err) {
			err = join_slot(cap, a);
			if (cap->lock_fd >= 0)
				slot_lock_claim_end(cap->lock_fd);
		}
		if (err) {
			cap->chains_lost |= 1u << a;
			lost |= 1u << a;
			lost_err = err;
		} else {
			rejoined |= 1u << a;
		}
	}
	if (lost)
		notice(cap, "this capture was cut out of slot%s %s of %s (a capture sharing %s died with its guard) and cannot join again (%s): nothing more is captured from %s",
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
		say_chains(cap);
}

/* Deliver what the ring holds; returns how many or -errno. */
static int drain(struct xdpcap_capture *cap, xdpcap_packet_fn fn, void *ctx)
{
	uint64_t before = cap->delivered;

	cap->fn = fn;
	cap->fn_ctx = ctx;
	cap->fn_stop = false;
	ring_consume(&cap->ring, on_ring_record, cap);
	cap->fn = NULL;
	return (int)(cap->delivered - before);
}

int xdpcap_capture_poll(struct xdpcap_capture *cap, int timeout_ms,
			xdpcap_packet_fn fn, void *ctx)
{
	struct pollfd pfd = { .fd = cap->ring_map_fd, .events = POLLIN };
	int n;

	if (!cap->ring_open)
		return -EINVAL;
	if (cap->started && !cap->stopped) {
		check_entry(cap);
		check_chains(cap);
	}
	if (cap->notice && cap->started && !cap->stopped)
		hook_watch_check(&cap->watch, &cap->hook, clock_ns(CLOCK_MONOTONIC),
				 cap->notice, cap->notice_ctx);
	n = drain(cap, fn, ctx);
	if (n != 0 || !timeout_ms)
		return n;
	/* nothing left: sleep until the kernel wakes us, then let more come */
	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return -errno;
	if (n == 0)
		return 0;
	if (usleep(WAKEUP_GATHER_US) && errno == EINTR) {
		n = drain(cap, fn, ctx);
		return n ? n : -EINTR;
	}
	return drain(cap, fn, ctx);
}

/*
 * Emptying a slot does not wait for a program that was already running
 * from it: capture_wait_for_running_programs() does.
 */
int xdpcap_capture_stop(struct xdpcap_capture *cap, xdpcap_packet_fn fn,
			void *ctx)
{
	struct capture_holding h;

	if (!cap->started || cap->stopped)
		return 0;
	cap->stopped = true;
	say_chains(cap);
	/*
	 * Empty the slots before reading the rest: ourselves if we may, and
	 * the guard, which keeps the privileges we may have dropped.
	 */
	h = holding(cap, cap->lock_fd);
	capture_clear_slots(&h);
	capture_guard_stop(&cap->guard);
	capture_wait_for_running_programs();
	cap->end_ns = clock_ns(CLOCK_REALTIME);
	/* what the programs wrote before they left the slots */
	cap->fn_stop = false;
	if (cap->ring_open && fn) {
		uint64_t give_up = clock_ns(CLOCK_MONOTONIC) + STOP_DRAIN_MAX_NS;

		/* one call reads at most a ring's worth; a record still
		 * being written holds back those after it for a moment */
		while (!cap->fn_stop && ring_pending(&cap->ring)) {
			if (drain(cap, fn, ctx) > 0)
				continue;
			if (clock_ns(CLOCK_MONOTONIC) > give_up)
				break;
			usleep(100);
		}
	}
	return 0;
}

int xdpcap_capture_stats(struct xdpcap_capture *cap,
			 struct xdpcap_capture_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->delivered = cap->delivered;
	st->start_ns = cap->start_ns;
	st->end_ns = cap->end_ns;
	if (!cap->areas)
		return -EINVAL;
	for (uint32_t c = 0; c < cap->layout.ncpus; c++) {
		const uint8_t *area = cap->areas + (size_t)c * cap->layout.stride;

		for (uint32_t a = 0; a < XDPCAP_ACTIONS; a++) {
			const volatile struct capture_counters *cnt =
				(const volatile void *)(area + a * sizeof(struct capture_counters));

			st->received[a] += cnt->received;
			st->matched[a] += cnt->matched;
			st->dropped[a] += cnt->dropped;
			st->skipped[a] += cnt->skipped;
		}
		{
			const volatile struct capture_counters *cnt =
				(const volatile void *)(area + XDPCAP_SLOT_ENTRY *
							sizeof(struct capture_counters));

			st->entry_received += cnt->received;
			st->entry_matched += cnt->matched;
			st->entry_dropped += cnt->dropped;
			st->entry_failed += cnt->failed;
			st->entry_skipped += cnt->skipped;
		}
	}
	return 0;
}

int xdpcap_capture_fd(const struct xdpcap_capture *cap)
{
	return cap->ring_open ? cap->ring_map_fd : -1;
}

const struct xdpcap_hook *xdpcap_capture_hook(const struct xdpcap_capture *cap)
{
	return &cap->hook;
}

unsigned int xdpcap_capture_actions(const struct xdpcap_capture *cap)
{
	return cap->actions;
}

void xdpcap_capture_stats_add(struct xdpcap_capture_stats *sum,
			      const struct xdpcap_capture_stats *st)
{
	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++) {
		sum->received[a] += st->received[a];
		sum->matched[a] += st->matched[a];
		sum->dropped[a] += st->dropped[a];
		sum->skipped[a] += st->skipped[a];
	}
	sum->delivered += st->delivered;
	sum->entry_received += st->entry_received;
	sum->entry_matched += st->entry_matched;
	sum->entry_dropped += st->entry_dropped;
	sum->entry_failed += st->entry_failed;
	sum->entry_skipped += st->entry_skipped;
	if (st->start_ns && (!sum->start_ns || st->start_ns < sum->start_ns))
		sum->start_ns = st->start_ns;
	if (st->end_ns > sum->end_ns)
		sum->end_ns = st->end_ns;
}

bool xdpcap_capture_entry(const struct xdpcap_capture *cap)
{
	return cap->entry;
}

const char *xdpcap_capture_filter(const struct xdpcap_capture *cap)
{
	return cap->filter;
}

uint32_t xdpcap_capture_snaplen(const struct xdpcap_capture *cap)
{
	return cap->snaplen;
}

size_t xdpcap_capture_prog_insns(const struct xdpcap_capture *cap,
				 unsigned int action)
{
	return action < XDPCAP_SLOTS ? cap->prog_insns[action] : 0;
}

void xdpcap_capture_close(struct xdpcap_capture *cap)
{
	if (!cap)
		return;
	xdpcap_capture_stop(cap, NULL, NULL);
	if (cap->ring_open)
		ring_close(&cap->ring);
	if (cap->areas)
		munmap((void *)cap->areas, cap->areas_mapped);
	for (int a = 0; a < XDPCAP_ENTRY_HOOK_SLOTS; a++)
		if (cap->prog_fds[a] >= 0)
			close(cap->prog_fds[a]);
	if (cap->notes_map_fd >= 0)
		close(cap->notes_map_fd);
	if (cap->entry_map_fd >= 0)
		close(cap->entry_map_fd);
	if (cap->owner_map_fd >= 0)
		close(cap->owner_map_fd);
	if (cap->alive_map_fd >= 0)
		close(cap->alive_map_fd);
	if (cap->next_map_fd >= 0)
		close(cap->next_map_fd);
	if (cap->ring_map_fd >= 0)
		close(cap->ring_map_fd);
	if (cap->areas_map_fd >= 0)
		close(cap->areas_map_fd);
	if (cap->lock_fd >= 0)
		close(cap->lock_fd);
	xdpcap_hook_close(&cap->hook);
	free(cap->filter);
	free(cap);
}
