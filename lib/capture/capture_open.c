// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Opening a capture: the hook and its program, what the kernel offers,
 * the capture's maps and programs; and closing it.
 */
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <pcap/dlt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture_int.h"
#include "clock.h"
#include "kernel_helpers.h"
#include "hook/prog_owner.h"
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

void capture_notice(struct xdpcap_capture *cap, const char *fmt, ...)
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
bool capture_has_capability(unsigned int nr)
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

	return capture_has_capability(cap_bpf) || capture_has_capability(CAP_SYS_ADMIN);
}

static int create_maps(struct xdpcap_capture *cap, char *errbuf)
{
	LIBBPF_OPTS(bpf_map_create_opts, areas_opts, .map_flags = BPF_F_MMAPABLE);
	long page = sysconf(_SC_PAGESIZE);
	int ncpus = libbpf_num_possible_cpus();
	void *areas;
	int err;

	if (ncpus <= 0) {
		xdpcap_err(errbuf, "cannot count the CPUs: %s", strerror(-ncpus));
		return ncpus ? ncpus : -EINVAL;
	}
	/* a traced capture's filter reads a copy: it must hold the packet */
	capture_area_layout(cap->traced ? CAPTURE_MAX_CAPLEN : cap->snaplen, (uint32_t)ncpus,
			    &cap->layout);
	if (cap->layout.max_caplen < cap->snaplen && cap->layout.max_caplen < CAPTURE_MAX_CAPLEN)
		capture_notice(cap, "packets are cut to %u bytes on this machine of %d CPUs",
		       cap->layout.max_caplen, ncpus);
	cap->n_rings = capture_rings_for(cap->n_rings, ncpus);
	err = capture_create_rings(cap);
	if (!err)
		cap->areas_map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xdpcap_areas",
						   sizeof(uint32_t),
						   cap->layout.stride * cap->layout.ncpus,
						   1, &areas_opts);
	if (err || cap->areas_map_fd < 0) {
		err = err ? err : -errno;
		if (err == -EPERM)
			xdpcap_err(errbuf, "creating BPF maps is not permitted: run as root (CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)");
		else
			xdpcap_err(errbuf, "cannot create BPF maps: %s", strerror(-err));
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

/*
 * The capture's filter as an eBPF fragment, with what it means for the
 * capture said; *unbounded: it may return more than an area holds.
 */
static int compile_filter(struct xdpcap_capture *cap, struct xdpcap_ebpf *ebpf,
			  bool *unbounded, char *errbuf)
{
	XDPCAP_OPTS(xdpcap_ebpf_opts, ebpf_opts, .wirelen_off = CAPTURE_WIRELEN_OFF);
	uint32_t snaplen = cap->layout.max_caplen;
	struct xdpcap_cbpf cbpf;
	int err, rounds;

	/* a traced capture's filter reads the copy in the area */
	if (cap->traced) {
		ebpf_opts.buffer_size = cap->layout.max_caplen;
		if (cap->snaplen < snaplen)
			snaplen = cap->snaplen;
	}
	/* libpcap's results are the snap length: keep it within an area */
	err = xdpcap_cbpf_from_expr_mask(cap->filter, DLT_EN10MB, snaplen, cap->netmask,
					 &cbpf, errbuf);
	if (err)
		return err;
	if (xdpcap_cbpf_reads_metadata(&cbpf))
		capture_notice(cap, "the filter tests what XDP cannot know yet (inbound, outbound, or other socket metadata): a packet that reaches such a test is not captured");
	rounds = xdpcap_cbpf_loop_rounds(&cbpf);
	if (rounds > 0)
		capture_notice(cap, "the filter's loop (protochain) goes round at most %d times on a packet in the kernel, one header each, all its loops together: a packet with a longer chain is not captured",
		       rounds);
	*unbounded = false;
	for (size_t i = 0; i < cbpf.len; i++)
		if (cbpf.insns[i].code == (BPF_RET | BPF_A) ||
		    (cbpf.insns[i].code == (BPF_RET | BPF_K) &&
		     cbpf.insns[i].k > cap->layout.max_caplen))
			*unbounded = true;
	err = xdpcap_cbpf_to_ebpf(&cbpf, &ebpf_opts, ebpf, errbuf);
	xdpcap_cbpf_free(&cbpf);
	return err;
}

int capture_load_programs(struct xdpcap_capture *cap, char **log, char *errbuf)
{
	struct capture_prog_spec spec = {
		.n_rings = cap->n_rings,
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
	struct xdpcap_ebpf ebpf;
	char name[16];
	int err;

	memcpy(spec.ring_map_fds, cap->ring_map_fds, sizeof(spec.ring_map_fds));
	err = compile_filter(cap, &ebpf, &spec.result_unbounded, errbuf);
	if (err)
		return err;
	snprintf(name, sizeof(name), "xdpcap_%d", (int)getpid());
	spec.name = name;
	spec.filter = &ebpf;
	if (cap->traced) {
		err = capture_trace_load(cap, &spec, log, errbuf);
		goto out;
	}
	err = capture_prog_probe_kind(cap->hook.map_fd, &spec.kind, errbuf);
	if (err)
		goto out;
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
		hook_name_program(&cap->hook, ids[0]);
	cap->notes_map_fd = hook_program_map(ids[0], XDPCAP_REDIRECT_NOTES_MAP_NAME,
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

	k->sz = sizeof(*k);
	err = xdpcap_kernel_probe(k, errbuf);
	if (err)
		return err;
	if (k->copy == XDPCAP_COPY_NONE)
		return -EOPNOTSUPP;
	if (k->copy != XDPCAP_COPY_DIRECT)
		return 0;
	if (!k->frags)
		capture_notice(cap, "this kernel has no multi-buffer XDP (nor bpf_xdp_load_bytes): frames beyond the first buffer cannot occur, and packets are copied from it directly");
	else
		capture_notice(cap, "XDPCAP_COPY=direct: packets are copied from their first buffer only; fragments of multi-buffer frames are left out");
	return 0;
}

/* Whether the kernel's features could be probed (said later if not). */
static bool kernel_known(struct xdpcap_capture *cap)
{
	char scratch[XDPCAP_ERRBUF_SIZE];

	cap->kernel.sz = sizeof(cap->kernel);
	return !xdpcap_kernel_probe(&cap->kernel, scratch);
}

/* A capture that holds nothing yet, with what the options ask. */
static int capture_new(const char *filter, const struct xdpcap_capture_opts *opts,
		       struct xdpcap_capture **out, char *errbuf)
{
	struct xdpcap_capture *cap = calloc(1, sizeof(*cap));

	*out = cap;
	if (!cap || !(cap->filter = strdup(filter ? filter : ""))) {
		free(cap);
		*out = NULL;
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	cap->hook.map_fd = cap->areas_map_fd = cap->rings_epoll_fd = -1;
	cap->target.prog_fd = -1;
	for (int i = 0; i < 2; i++)
		cap->trace_prog_fds[i] = cap->trace_link_fds[i] = -1;
	for (int i = 0; i < CAPTURE_MAX_RINGS; i++)
		cap->ring_map_fds[i] = -1;
	cap->alive_map_fd = cap->owner_map_fd = -1;
	cap->notes_map_fd = cap->next_map_fd = cap->entry_map_fd = -1;
	cap->guard.pipe_fd = -1;
	cap->lock_fd = slot_lock_open();
	for (int a = 0; a < XDPCAP_ENTRY_HOOK_SLOTS; a++)
		cap->prog_fds[a] = -1;
	for (int a = 0; a < XDPCAP_ACTIONS; a++)
		cap->pred_map_fds[a] = cap->retired_map_fds[a] = -1;
	cap->actions = opts->actions ? opts->actions : (1u << XDPCAP_ACTIONS) - 1;
	cap->snaplen = opts->snaplen ? opts->snaplen : XDPCAP_DEFAULT_SNAPLEN;
	cap->force = opts->force;
	cap->ring_bytes = ring_bytes(opts->ring_kib);
	cap->n_rings = opts->rings;
	cap->notice = opts->notice;
	cap->notice_ctx = opts->notice_ctx;
	cap->busy = opts->busy;
	cap->entry = cap->actions & (1u << XDPCAP_SLOT_ENTRY);
	cap->sample = opts->sample;
	cap->max_rate = opts->max_rate;
	cap->netmask = opts->netmask;
	if (cap->actions & ~((1u << XDPCAP_SLOTS) - 1)) {
		xdpcap_err(errbuf, "xdpcap_capture_opts: unknown action bits 0x%x", cap->actions);
		return -EINVAL;
	}
	if (cap->max_rate > XDPCAP_MAX_RATE) {
		xdpcap_err(errbuf, "a rate cap of %u packets a second is more than xdpcap can count (%u at most)",
			   cap->max_rate, XDPCAP_MAX_RATE);
		return -EINVAL;
	}
	/* root without them fails on every step after: say why at once */
	if (geteuid() == 0 && !may_use_bpf()) {
		xdpcap_err(errbuf, "this process runs as root but without CAP_BPF (nor CAP_SYS_ADMIN): a program that drops them, as dumpcap does for tshark and Wireshark, cannot capture from a hook");
		return -EPERM;
	}
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
			OPTS_KNOWN(xdpcap_capture_opts), opts,
			"xdpcap_capture_opts", errbuf);
	if (err)
		return err;
	err = capture_new(filter, &known, &cap, errbuf);
	/* prog:ID names a program to trace; anything else a hook first */
	if (!err && hook && trace_prog_spec(hook))
		err = probe_kernel(cap, errbuf) ?: capture_trace_open(cap, hook, -ENOENT, errbuf);
	else if (!err)
		err = xdpcap_hook_open(hook, known.hook_dir, &cap->hook, errbuf);
	/* an interface whose program has no hook: trace that program */
	if (err == -ENOENT && hook && !cap->traced && !trace_prog_spec(hook) && kernel_known(cap))
		err = capture_trace_open(cap, hook, err, errbuf);
	if (!err)
		err = probe_kernel(cap, errbuf);
	if (!err && !cap->traced)
		err = find_hook_program(cap, errbuf);
	if (!err)
		err = create_maps(cap, errbuf);
	/*
	 * Sharing slots means opening other captures' programs by id; an
	 * entry capture runs the hook's program again and so keeps its
	 * slots to itself, and so does one that takes slots over (--force):
	 * the captures it replaced are told, and do not come back.
	 */
	if (!err && !cap->traced && !cap->entry && !cap->force &&
	    capture_has_capability(CAP_SYS_ADMIN))
		cap->next_map_fd = slot_chain_create();
	if (!err)
		err = capture_load_programs(cap, known.verifier_log, errbuf);
	if (!err && !cap->traced)
		err = capture_check_slots(cap, true, NULL, errbuf);
	if (err) {
		if (cap)
			xdpcap_capture_close(cap);
		return err;
	}
	cap->realtime_offset_ns = clock_realtime_offset();
	*out = cap;
	return 0;
}

void xdpcap_capture_close(struct xdpcap_capture *cap)
{
	if (!cap)
		return;
	xdpcap_capture_stop(cap, NULL, NULL);
	capture_trace_close(cap);
	capture_rings_close(cap);
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
	for (int a = 0; a < XDPCAP_ACTIONS; a++) {
		if (cap->pred_map_fds[a] >= 0)
			close(cap->pred_map_fds[a]);
		if (cap->retired_map_fds[a] >= 0)
			close(cap->retired_map_fds[a]);
	}
	if (cap->areas_map_fd >= 0)
		close(cap->areas_map_fd);
	if (cap->lock_fd >= 0)
		close(cap->lock_fd);
	xdpcap_hook_close(&cap->hook);
	free(cap->filter);
	free(cap);
}
