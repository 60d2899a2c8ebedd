// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The operations of an xdp: pcap_t: activation opens and starts a capture
 * at the hook (while the program still has the privileges it opened the
 * device with), reads deliver the ring's packets, statistics are the
 * hook's counters, and cleanup empties the slots. The filter runs in the
 * kernel: each filter compiled for the handle replaces the capture
 * programs in the slots (see pcap_xdp_filter_compiled()).
 */
#ifdef BUILDING_PCAP
#include <config.h>
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/epoll.h>

#include "pcap-xdp-core.h"
#include "xdpcap/capture.h"
#include "xdpcap/hook.h"

#define NSEC_PER_SEC 1000000000ull
/*
 * The ring wakes its reader only once a quarter of it is full, so reads
 * look at it at least this often: packets show up within a slice.
 */
#define SLICE_MS 100
#define IMMEDIATE_SLICE_MS 10

/* Messages are cut to fit: libpcap's are at most PCAP_ERRBUF_SIZE. */
__attribute__((format(printf, 2, 3)))
static void set_error(char *errbuf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, PCAP_ERRBUF_SIZE, fmt, ap);
	va_end(ap);
}

int pcap_xdp_is_device(const char *device)
{
	return device && !strncmp(device, PCAP_XDP_PREFIX, strlen(PCAP_XDP_PREFIX));
}

/* The library's errors, as the pcap_activate() status a program expects. */
static int activate_status(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENODEV:
	case -EINVAL:
	case -ENAMETOOLONG:
		return PCAP_ERROR_NO_SUCH_DEVICE;
	case -EPERM:
	case -EACCES:
		return PCAP_ERROR_PERM_DENIED;
	default:
		return PCAP_ERROR;
	}
}

/*
 * "xdp:NAME" -> hook "xdp:NAME", all actions; "xdp:NAME:drop,tx" -> hook
 * "xdp:NAME", those actions ("entry" among them: each packet as it arrived
 * too). Hook names with a ':' of their own cannot be
 * given this way (interface names never have one), but for xdp:prog:ID.
 */
static int parse_device(const char *device, struct pcap_xdp *px,
			char *errbuf)
{
	const char *name = device + strlen(PCAP_XDP_PREFIX);
	/* xdp:prog:ID[:ACTIONS], a program traced by id */
	const char *colon = strchr(strncmp(name, "prog:", 5) ? name : name + 5, ':');
	size_t name_len = colon ? (size_t)(colon - name) : strlen(name);
	char xerr[XDPCAP_ERRBUF_SIZE];

	if (!name_len) {
		set_error(errbuf, "%s: no hook name: use xdp:NAME or xdp:NAME:ACTIONS (tcpdump -D lists them)",
			 device);
		return PCAP_ERROR_NO_SUCH_DEVICE;
	}
	if (strlen(PCAP_XDP_PREFIX) + name_len >= sizeof(px->hook)) {
		set_error(errbuf, "%.64s...: hook name too long", device);
		return PCAP_ERROR_NO_SUCH_DEVICE;
	}
	snprintf(px->hook, sizeof(px->hook), "%s%.*s", PCAP_XDP_PREFIX,
		 (int)name_len, name);
	px->actions = 0;
	if (colon && xdpcap_parse_actions(colon + 1, &px->actions, xerr)) {
		set_error(errbuf, "%s: %s", device, xerr);
		return PCAP_ERROR;
	}
	return 0;
}

/*
 * Sampling and the rate cap leave out matches that libpcap's programs
 * would otherwise take for all there was: said once on stderr, as they
 * are counted (ps_ifdrop).
 */
static void tell_limits(pcap_t *p, const struct xdpcap_capture_opts *opts)
{
	struct pcap_xdp *px = p->priv;

	if (px->told_limits || (opts->sample <= 1 && !opts->max_rate))
		return;
	px->told_limits = true;
	if (opts->sample > 1)
		fprintf(stderr, "%s: XDPCAP_SAMPLE=%u: 1 in %u matching packets kept, in the kernel; the others count as dropped by interface\n",
			p->opt.device, opts->sample, opts->sample);
	if (opts->max_rate)
		fprintf(stderr, "%s: XDPCAP_MAX_RATE=%u: at most %u matching packets a second kept, in the kernel; the others count as dropped by interface\n",
			p->opt.device, opts->max_rate, opts->max_rate);
}

/*
 * XDPCAP_SAMPLE=N and XDPCAP_MAX_RATE=PPS: sampling and the rate cap,
 * which libpcap has no option for. Unset or empty: 0 (none).
 */
static int env_number(pcap_t *p, const char *name, unsigned long max, uint32_t *out)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	*out = 0;
	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || *s == '-' || v > max) {
		set_error(p->errbuf, "%s: %s takes 0 to %lu, not '%s'", p->opt.device,
			  name, max, s);
		return PCAP_ERROR;
	}
	*out = (uint32_t)v;
	return 0;
}

static int open_capture(pcap_t *p, const char *filter, bool force,
			struct xdpcap_capture **cap)
{
	struct pcap_xdp *px = p->priv;
	XDPCAP_OPTS(xdpcap_capture_opts, opts,
		.busy = &px->busy,
		.actions = px->actions,
		.snaplen = px->snaplen,
		.ring_kib = px->ring_kib,
		.force = force,
	);
	char xerr[XDPCAP_ERRBUF_SIZE];
	int err;

	if (env_number(p, "XDPCAP_SAMPLE", 0x7fffffffUL, &opts.sample) ||
	    env_number(p, "XDPCAP_MAX_RATE", XDPCAP_MAX_RATE, &opts.max_rate))
		return PCAP_ERROR;
	err = xdpcap_capture_open(px->hook, filter, &opts, cap, xerr);
	if (!err)
		tell_limits(p, &opts);
	if (!err) {
		err = xdpcap_capture_start(*cap, xerr);
		if (err) {
			xdpcap_capture_close(*cap);
			*cap = NULL;
		}
	}
	if (err == -EBUSY)
		set_error(p->errbuf, "%s: %s; %s", p->opt.device, xerr,
			  px->busy.slot.owner_pid ?
			  "stop that capture first (xdpcap list shows who holds what)" :
			  "another program uses it (xdpcap list shows which)");
	else if (err)
		set_error(p->errbuf, "%s: %s", p->opt.device, xerr);
	return err;
}

/*
 * The slots this capture keeps to itself must not have been taken by
 * another live capture since activation, nor be shared: replacing our own
 * programs is forced, but never someone else's.
 */
static int slots_still_ours(pcap_t *p, struct xdpcap_capture *cap)
{
	struct xdpcap_slot slots[XDPCAP_SLOTS];
	char xerr[XDPCAP_ERRBUF_SIZE];
	unsigned int actions = xdpcap_capture_actions(cap);

	if (xdpcap_hook_slots(xdpcap_capture_hook(cap), slots, xerr) ||
	    xdpcap_hook_slot(xdpcap_capture_hook(cap), XDPCAP_SLOT_ENTRY,
			     &slots[XDPCAP_SLOT_ENTRY], xerr)) {
		set_error(p->errbuf, "%s: %s", p->opt.device, xerr);
		return 0;
	}
	for (unsigned int a = 0; a < XDPCAP_SLOTS; a++) {
		const struct xdpcap_slot *s = &slots[a];

		if (!(actions & (1u << a)) || !s->prog_id ||
		    (s->owner_pid == getpid() && !s->n_shared) ||
		    (s->owner_pid && !s->owner_alive && !s->n_shared))
			continue;
		set_error(p->errbuf, "%s: slot %s was taken over by %s %d",
			 p->opt.device, xdpcap_action_name(a),
			 s->owner_pid ? "process" : "program id",
			 s->owner_pid ? s->owner_pid : (int)s->prog_id);
		return 0;
	}
	return 1;
}

/* Put capture programs for filter into the slots, in place of ours. */
static int switch_filter(pcap_t *p, const char *filter)
{
	struct pcap_xdp *px = p->priv;
	struct xdpcap_capture *next;
	struct epoll_event ev = { .events = EPOLLIN };
	int err;

	if (!strcmp(xdpcap_capture_filter(px->cap), filter))
		return 0;
	/*
	 * Where captures share slots, the new one joins in front of ours;
	 * slots ours keeps to itself are taken over.
	 */
	err = open_capture(p, filter, false, &next);
	if (err == -EBUSY && px->busy.slot.owner_pid == getpid() &&
	    slots_still_ours(p, px->cap))
		err = open_capture(p, filter, true, &next);
	if (err)
		return -1;
	epoll_ctl(px->epoll_fd, EPOLL_CTL_DEL, xdpcap_capture_fd(px->cap), NULL);
	if (epoll_ctl(px->epoll_fd, EPOLL_CTL_ADD, xdpcap_capture_fd(next), &ev)) {
		set_error(p->errbuf, "%s: epoll: %s",
			 p->opt.device, strerror(errno));
		xdpcap_capture_close(next);
		return -1;
	}
	/* the packets of the old filter are not wanted: not delivered */
	xdpcap_capture_close(px->cap);
	px->cap = next;
	return 0;
}

static void forget_compiled(struct pcap_xdp *px)
{
	free(px->compiled.bf_insns);
	px->compiled.bf_insns = NULL;
	px->compiled.bf_len = 0;
}

int pcap_xdp_filter_compiled(pcap_t *p, const char *text,
			     const struct bpf_program *program)
{
	struct pcap_xdp *px = p->priv;

	forget_compiled(px);
	px->filter_error[0] = '\0';
	if (!pcap_xdp_is_active(p))
		return 0;
	if (program && program->bf_len) {
		size_t size = program->bf_len * sizeof(*program->bf_insns);

		px->compiled.bf_insns = malloc(size);
		if (px->compiled.bf_insns) {
			memcpy(px->compiled.bf_insns, program->bf_insns, size);
			px->compiled.bf_len = program->bf_len;
		}
	}
	if (switch_filter(p, text ? text : "")) {
		set_error(px->filter_error, "%s", p->errbuf);
		return -1;
	}
	return 0;
}

/* libpcap inside calls this with the text of each filter it compiles. */
static void xdp_save_filter(pcap_t *p, const char *text)
{
	pcap_xdp_filter_compiled(p, text, NULL);
}

static int same_program(const struct bpf_program *a, const struct bpf_program *b)
{
	return a->bf_len == b->bf_len &&
	       !memcmp(a->bf_insns, b->bf_insns, a->bf_len * sizeof(*a->bf_insns));
}

static int xdp_setfilter(pcap_t *p, struct bpf_program *fp)
{
	struct pcap_xdp *px = p->priv;

	if (px->filter_error[0]) {
		set_error(p->errbuf, "%s", px->filter_error);
		return PCAP_ERROR;
	}
	/* where the front end sees compiled programs, the text must be fp's */
	if (px->compiled.bf_insns && !same_program(fp, &px->compiled)) {
		set_error(p->errbuf, "%s: the filter runs in the kernel, made from its text: set the filter last compiled with pcap_compile() on this handle",
			 p->opt.device);
		return PCAP_ERROR;
	}
	return 0;
}

static uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void hand_over(pcap_t *p, const struct pcap_pkthdr *hdr, const u_char *data)
{
	struct pcap_xdp *px = p->priv;

	/* pcap_next() keeps the pointer after the ring has moved on */
	if (px->callback == p->oneshot_callback) {
		memcpy(p->buffer, data, hdr->caplen);
		data = p->buffer;
	}
	px->callback(px->user, hdr, data);
	px->delivered++;
}

static int quota_reached(const struct pcap_xdp *px)
{
	return px->max_packets > 0 && px->delivered >= px->max_packets;
}

/* Hand a packet over; stop the library's delivery once the count is met. */
static int deliver(const struct xdpcap_packet *pkt, void *ctx)
{
	pcap_t *p = ctx;
	struct pcap_xdp *px = p->priv;
	struct pcap_pkthdr hdr;
	uint64_t sub = pkt->ts_ns % NSEC_PER_SEC;

	hdr.ts.tv_sec = (time_t)(pkt->ts_ns / NSEC_PER_SEC);
	hdr.ts.tv_usec = (suseconds_t)(p->opt.tstamp_precision == PCAP_TSTAMP_PRECISION_NANO ?
				       sub : sub / 1000);
	hdr.caplen = pkt->caplen < (uint32_t)p->snapshot ? pkt->caplen : (uint32_t)p->snapshot;
	if (hdr.caplen > p->bufsize)
		hdr.caplen = p->bufsize;
	hdr.len = pkt->wirelen;
	hand_over(p, &hdr, pkt->data);
	return quota_reached(px);
}

/*
 * Deliver what the ring holds; if nothing, wait (in slices, so that a
 * pcap_breakloop() from another thread is seen) until packets come, the
 * packet buffer timeout passes, or a signal or pcap_breakloop() ends it.
 */
static int xdp_read(pcap_t *p, int max_packets, pcap_handler callback, u_char *user)
{
	struct pcap_xdp *px = p->priv;
	uint64_t deadline = p->opt.timeout > 0 ? monotonic_ms() + (uint64_t)p->opt.timeout : 0;
	int slice = p->opt.immediate ? IMMEDIATE_SLICE_MS : SLICE_MS;

	px->callback = callback;
	px->user = user;
	px->max_packets = max_packets;
	px->delivered = 0;
	for (;;) {
		struct epoll_event ev;
		int n = 0, wait_ms = slice;

		if (!quota_reached(px))
			n = xdpcap_capture_poll(px->cap, 0, deliver, p);
		/* a signal (pcap_breakloop()'s, often) cut the look short: look again */
		if (n == -EINTR)
			continue;
		if (n < 0) {
			set_error(p->errbuf, "%s: reading the capture ring: %s",
				 p->opt.device, strerror(-n));
			return PCAP_ERROR;
		}
		if (p->break_loop) {
			if (px->delivered)
				return px->delivered;
			p->break_loop = 0;
			return PCAP_ERROR_BREAK;
		}
		if (px->delivered || px->nonblock)
			return px->delivered;
		if (deadline) {
			uint64_t now = monotonic_ms();

			if (now >= deadline)
				return 0;
			if (deadline - now < (uint64_t)wait_ms)
				wait_ms = (int)(deadline - now);
		}
		if (epoll_wait(px->epoll_fd, &ev, 1, wait_ms) < 0 && errno != EINTR) {
			set_error(p->errbuf, "%s: epoll_wait: %s",
				 p->opt.device, strerror(errno));
			return PCAP_ERROR;
		}
	}
}

/*
 * received by filter: packets the filter accepted at the hook, in the
 * kernel; dropped by kernel: accepted, but the ring had no room; dropped
 * by interface (which tcpdump shows where there are any): accepted, but
 * left out by sampling or the rate cap.
 */
static int xdp_stats(pcap_t *p, struct pcap_stat *ps)
{
	struct pcap_xdp *px = p->priv;
	XDPCAP_OPTS(xdpcap_capture_stats, st);
	uint64_t matched = 0, dropped = 0, skipped = 0;
	int err;

	err = xdpcap_capture_stats(px->cap, &st);
	if (err) {
		set_error(p->errbuf, "%s: cannot read the hook's counters: %s",
			 p->opt.device, strerror(-err));
		return PCAP_ERROR;
	}
	/* "received by filter" = captured + dropped by kernel + by interface */
	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++) {
		matched += st.matched[a];
		dropped += st.dropped[a];
		skipped += st.skipped[a];
	}
	/* as they arrived (xdp:NAME:entry,...) */
	matched += st.entry_matched;
	dropped += st.entry_dropped;
	skipped += st.entry_skipped;
	ps->ps_recv = (u_int)matched;
	ps->ps_drop = (u_int)dropped;
	ps->ps_ifdrop = (u_int)skipped;
	return 0;
}

static int xdp_setnonblock(pcap_t *p, int nonblock)
{
	((struct pcap_xdp *)p->priv)->nonblock = nonblock;
	return 0;
}

static int xdp_getnonblock(pcap_t *p)
{
	return ((struct pcap_xdp *)p->priv)->nonblock;
}

static int xdp_inject(pcap_t *p, const void *buf, int size)
{
	set_error(p->errbuf, "%s: xdp: devices only capture; send on the interface instead",
		 p->opt.device);
	return PCAP_ERROR;
}

/* XDP runs on the receive path: every packet is inbound. */
static int xdp_setdirection(pcap_t *p, pcap_direction_t d)
{
	if (d == PCAP_D_OUT) {
		set_error(p->errbuf, "%s: XDP sees received packets only",
			 p->opt.device);
		return PCAP_ERROR;
	}
	p->direction = d;
	return 0;
}

static int xdp_can_set_rfmon(pcap_t *p)
{
	return 0;
}

static void xdp_cleanup(pcap_t *p)
{
	struct pcap_xdp *px = p->priv;

	/* empties the slots, stops the guard */
	xdpcap_capture_close(px->cap);
	px->cap = NULL;
	px->epoll_fd = -1;	/* it is p->fd, closed with it */
	forget_compiled(px);
	pcap_xdp_release(p);
}

static int xdp_activate(pcap_t *p)
{
	struct pcap_xdp *px = p->priv;
	struct epoll_event ev = { .events = EPOLLIN };
	int status, err;

	if (p->opt.rfmon)
		return PCAP_ERROR_RFMON_NOTSUP;
	status = parse_device(p->opt.device, px, p->errbuf);
	if (status)
		return status;
	if (p->snapshot <= 0 || p->snapshot > MAXIMUM_SNAPLEN)
		p->snapshot = MAXIMUM_SNAPLEN;
	px->snaplen = (uint32_t)p->snapshot;
	/* -B: the ring, shared by all CPUs, as xdpcap -B */
	px->ring_kib = p->opt.buffer_size / 1024;

	/* all packets until a filter is compiled: no filter is libpcap's "all" */
	err = open_capture(p, "", false, &px->cap);
	if (err)
		return activate_status(err);
	px->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (px->epoll_fd < 0 ||
	    epoll_ctl(px->epoll_fd, EPOLL_CTL_ADD, xdpcap_capture_fd(px->cap), &ev)) {
		set_error(p->errbuf, "%s: epoll: %s", p->opt.device,
			 strerror(errno));
		goto fail;
	}
	p->bufsize = p->snapshot < XDPCAP_MAX_CAPLEN ? (u_int)p->snapshot : XDPCAP_MAX_CAPLEN;
	p->buffer = malloc(p->bufsize);
	if (!p->buffer) {
		set_error(p->errbuf, "%s: out of memory", p->opt.device);
		goto fail;
	}
	p->linktype = DLT_EN10MB;
	p->fd = px->epoll_fd;
	p->selectable_fd = px->epoll_fd;
	px->select_timeout.tv_sec = 0;
	px->select_timeout.tv_usec = (p->opt.immediate ? IMMEDIATE_SLICE_MS : SLICE_MS) * 1000;
	p->required_select_timeout = &px->select_timeout;

	p->read_op = xdp_read;
	p->setfilter_op = xdp_setfilter;
	p->setdirection_op = xdp_setdirection;
	p->set_datalink_op = NULL;	/* Ethernet only */
	p->getnonblock_op = xdp_getnonblock;
	p->setnonblock_op = xdp_setnonblock;
	p->stats_op = xdp_stats;
	p->inject_op = xdp_inject;
	p->cleanup_op = xdp_cleanup;
	return 0;
fail:
	xdpcap_capture_close(px->cap);
	px->cap = NULL;
	if (px->epoll_fd >= 0)
		close(px->epoll_fd);
	px->epoll_fd = -1;
	p->fd = p->selectable_fd = -1;
	free(p->buffer);
	p->buffer = NULL;
	return PCAP_ERROR;
}

int pcap_xdp_is_active(pcap_t *p)
{
	return p->read_op == xdp_read && ((struct pcap_xdp *)p->priv)->cap;
}

int pcap_xdp_setup(pcap_t *p, char *ebuf)
{
	struct pcap_xdp *px = p->priv;

	px->epoll_fd = -1;
	p->activate_op = xdp_activate;
	p->can_set_rfmon_op = xdp_can_set_rfmon;
	p->save_current_filter_op = xdp_save_filter;
	/* the kernel stamps packets in nanoseconds: both precisions */
	if (!p->tstamp_precision_count) {
		p->tstamp_precision_list = malloc(2 * sizeof(u_int));
		if (!p->tstamp_precision_list) {
			set_error(ebuf, "out of memory");
			return -1;
		}
		p->tstamp_precision_list[0] = PCAP_TSTAMP_PRECISION_MICRO;
		p->tstamp_precision_list[1] = PCAP_TSTAMP_PRECISION_NANO;
		p->tstamp_precision_count = 2;
	}
	return 0;
}

/*
 * Without the right to open BPF objects (dumpcap keeps only CAP_NET_RAW
 * and CAP_NET_ADMIN, and kernels before 6.x want CAP_BPF for any bpf()
 * call), the pinned hooks are still devices, as libpcap lists interfaces
 * it could not open: by their names in the hook directory. Opening one
 * then says what is missing.
 */
static int list_pinned_names(pcap_xdp_add_fn add, void *ctx, char *errbuf)
{
	char name[sizeof(((struct xdpcap_hook *)NULL)->name)];
	char desc[512];
	struct dirent *ent;
	int ret = 0;
	DIR *d;

	d = opendir(xdpcap_hook_dir(NULL));
	if (!d)
		return 0;
	while (!ret && (ent = readdir(d))) {
		if (ent->d_type == DT_DIR || ent->d_name[0] == '.' ||
		    snprintf(name, sizeof(name), "%s%s", PCAP_XDP_PREFIX, ent->d_name) >=
		    (int)sizeof(name) || !pcap_xdp_is_device(name))
			continue;
		snprintf(desc, sizeof(desc),
			 "XDP verdicts at hook %s (pinned; not readable with this process's privileges)",
			 ent->d_name);
		ret = add(ctx, name, desc, errbuf);
	}
	closedir(d);
	return ret;
}

/*
 * The XDP programs without a hook that a capture can trace: each
 * interface's, and those libxdp's dispatcher runs.
 */
static int list_traced_programs(pcap_xdp_add_fn add, void *ctx, char *errbuf)
{
	char xerr[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_hookless *progs;
	size_t count;
	int ret = 0;

	if (xdpcap_hookless_list(&progs, &count, xerr))
		return 0;
	for (size_t i = 0; i < count && !ret; i++) {
		const struct xdpcap_hookless *h = &progs[i];
		char desc[512];

		if (!h->traceable || !pcap_xdp_is_device(h->name))
			continue;
		snprintf(desc, sizeof(desc),
			 "XDP verdicts of program %s on %s, traced (no hook); %s:ACTIONS for some only",
			 h->prog_name, h->ifname, h->name);
		ret = add(ctx, h->name, desc, errbuf);
	}
	xdpcap_hookless_list_free(progs);
	return ret;
}

int pcap_xdp_list_devices(pcap_xdp_add_fn add, void *ctx, char *errbuf)
{
	char xerr[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_hook *hooks;
	size_t count;
	int ret = 0, err;

	/* hooks that cannot be looked for here (no bpffs): none */
	err = xdpcap_hook_list(NULL, &hooks, &count, xerr);
	if (err == -EPERM)
		return list_pinned_names(add, ctx, errbuf);
	if (err)
		return 0;
	for (size_t i = 0; i < count && !ret; i++) {
		const struct xdpcap_hook *h = &hooks[i];
		char where[160] = "";
		char desc[512];

		if (!pcap_xdp_is_device(h->name))
			continue;
		if (h->prog_id)
			snprintf(where, sizeof(where), ", program %s%s%s",
				 h->prog_name[0] ? h->prog_name : "?",
				 h->ifname[0] ? " on " : "", h->ifname);
		snprintf(desc, sizeof(desc),
			 "XDP verdicts at hook %s%s; %s:ACTIONS for some only, e.g. %s:drop,tx",
			 h->name + strlen(PCAP_XDP_PREFIX), where, h->name, h->name);
		ret = add(ctx, h->name, desc, errbuf);
	}
	xdpcap_hook_list_free(hooks, count);
	return ret ?: list_traced_programs(add, ctx, errbuf);
}
