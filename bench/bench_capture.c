// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Live-capture benchmark: xdpcap on a stream of frames that the demo XDP
 * program drops or passes, at a chosen rate, against tcpdump.
 *
 * Traffic source: BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES runs
 * the demo program (bpf/examples/xdpcap_demo.bpf.o, loaded here with
 * libbpf, its hook pinned for xdpcap) on frames built here: Ethernet, IPv4
 * 192.0.2.2 -> 192.0.2.1, UDP to port 9 (the demo drops them) or to port
 * 5001 (it passes them). ctx_in.ingress_ifindex is --ifname, a veth in a
 * network namespace of the benchmark's own: passed frames go up that
 * interface's stack, where tcpdump sees them; dropped ones go nowhere.
 * Frame sizes are as XDP sees them (no FCS). The source runs on one CPU
 * (--cpu), full speed (large test runs back to back) or paced (a test run
 * of rate x --tick-us frames, then a sleep until the schedule is met).
 * Its achieved rate is what the table calls offered, and the time spent in
 * the test runs per frame is its cost ("sender ns/frame").
 *
 * Live-capture table: every scenario is run without capture, with
 * "xdpcap HOOK FILE" (the command, pcapng to a file in --outdir) and for
 * passed frames with "tcpdump -i IFNAME -w FILE -B 65536 -Z root", --runs
 * times each, interleaved; the table shows medians. Captured counts come
 * from the tools' own summaries (--capinfos checks them against the file);
 * "lost" is what the tool reports (xdpcap: packets lost, capture ring full;
 * tcpdump: dropped by kernel), "missing" is frames sent minus frames in the
 * file. For passed frames xdpcap also runs with -B set so that its rings
 * take the 64 MiB tcpdump's -B 65536 takes. The readers run on the CPUs
 * other than the sender's (unless --readers-anywhere); their CPU time
 * (wait4) per captured packet is shown. "Copy alone" is what a memcpy of
 * the record and the frame costs on the sender's CPU, into a ring that a
 * thread on another CPU reads: the least a capture can add.
 *
 * Hook cost: BPF_PROG_TEST_RUN with repeat (not live) of the demo with
 * empty slots, of the same logic without the hook (bench/xdp_nohook.bpf.o)
 * and of the demo with a capture whose filter matches nothing, each minus
 * an empty program, as bench_filter measures filters.
 *
 * Capture program sizes: xdpcap_capture_open() on the hook (it loads, does
 * not attach) for every filter of --filters.
 *
 * Experiments: the capture library in this process (a reader thread with
 * xdpcap_capture_poll and xdpcap_output, as the command does) with other
 * ring sizes (xdpcap_capture_opts.ring_kib); a reader that polls without
 * sleeping; one that hands the file writes to a second thread through a
 * 64 MiB queue; and readers that write to /dev/null or write nothing, to
 * tell the ring from the file.
 *
 * Run it through bench/run_capture_bench.sh, which makes the namespaces,
 * the bpffs and the output directory, and removes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <pcap/dlt.h>

#include "xdpcap/capture.h"
#include "xdpcap/output.h"

#define DEFAULT_DEMO "bpf/examples/xdpcap_demo.bpf.o"
#define DEFAULT_NOHOOK "bench/xdp_nohook.bpf.o"
#define DEFAULT_FILTERS "tests/data/filters.txt"
#define DEFAULT_XDPCAP "./xdpcap"
#define DEFAULT_TCPDUMP "tcpdump"
#define DEFAULT_SECONDS 4.0
#define DEFAULT_EXP_SECONDS 3.0
#define DEFAULT_RUNS 3
#define DEFAULT_RATE_SMALL 3000000.0
#define DEFAULT_RATE_LARGE 600000.0
#define DEFAULT_TICK_US 1000
#define DEFAULT_HOOK_REPEAT 200000
#define DEFAULT_HOOK_ROUNDS 16
#define DEFAULT_EXP_RINGS "1024,4096,16384,65536"
#define SMALL_FRAME 64
#define LARGE_FRAME 1500
#define DROP_PORT 9
#define PASS_PORT 5001
#define MAX_CHILD_LOG 16384
#define MAX_RUNS 64
#define MAX_EXP_RINGS 16
/* the record xdpcap's capture program puts before the packet */
#define CAPTURE_RECORD_BYTES 32
#define COPY_RING_BYTES (4u << 20)
#define QUEUE_BYTES (64u << 20)
#define WRITER_CHUNK (1u << 20)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum tool { TOOL_NONE, TOOL_XDPCAP, TOOL_TCPDUMP, TOOL_LIB };
enum reader {
	READER_FILE,	/* pcapng to the file, as the command writes it */
	READER_BUSY,	/* the same, polling the rings without sleeping */
	READER_QUEUE,	/* pcapng into a 64 MiB queue, a writer thread writes the file */
	READER_NULL,	/* pcapng to /dev/null */
	READER_COUNT,	/* no output at all */
};

struct config {
	const char *ifname;
	const char *pin;
	const char *outdir;
	const char *demo_path;
	const char *nohook_path;
	const char *filters_path;
	const char *xdpcap_path;
	const char *tcpdump_path;
	double seconds, exp_seconds;
	unsigned int runs;
	unsigned int exp_runs;
	double rate_small, rate_large;
	unsigned int tick_us;
	unsigned int batch;
	unsigned int hook_repeat, hook_rounds;
	unsigned int exp_rings[MAX_EXP_RINGS];
	unsigned int n_exp_rings;
	int cpu;
	bool readers_anywhere;	/* do not keep readers off the sender's CPU */
	bool spin;
	bool attach;
	bool markdown;
	bool capinfos;
	bool verbose;		/* show what xdpcap and tcpdump print */
	bool expedite_rcu;
	bool do_live, do_hook, do_sizes, do_exp;
	const char *only;	/* run only scenarios whose name contains this */
};

struct frame {
	uint8_t data[LARGE_FRAME];
	uint32_t len;
};

struct sender {
	int prog_fd;
	int ifindex;
	unsigned int batch, tick_us;
	bool spin;		/* paced: wait by spinning, not sleeping */
};

struct send_result {
	uint64_t frames;
	double seconds;
	double busy_ns;		/* inside test runs */
};

/* One measurement of one configuration. */
struct run {
	double rate;		/* frames/s achieved */
	double busy_ns;		/* sender ns per frame */
	uint64_t sent;
	uint64_t captured;	/* in the file (or delivered, for count-only) */
	uint64_t lost;		/* reported by the tool */
	uint64_t missing;	/* sent - captured, 0 if more */
	uint64_t hook_received;	/* xdpcap: reached the hook's slot */
	double file_mbps;	/* file bytes / sending time */
	double reader_ns;	/* reader CPU ns per captured packet */
	double reader_cpu;	/* reader CPU / sending time */
	uint64_t capinfos;	/* packets capinfos counts, with --capinfos */
	bool ok;
};

struct scenario {
	const char *name;
	unsigned int action;	/* XDP_DROP or XDP_PASS */
	uint32_t len;
	double target;		/* frames/s, 0: full speed */
	bool tcpdump;
};

/* A configuration's runs and their medians. */
struct cell {
	const struct scenario *sc;
	enum tool tool;
	enum reader reader;
	unsigned int ring_kib;
	struct run runs[MAX_RUNS];
	unsigned int n;
	struct run med;
	double loss_frac;	/* median of lost / (captured + lost) */
	double missing_frac;	/* median of missing / sent */
};

static struct config cfg;
static cpu_set_t all_cpus;	/* the affinity we started with */
static cpu_set_t reader_cpus;	/* where xdpcap, tcpdump and reader threads run */
static int sender_cpu;
static uint8_t if_mac[6];
static int if_index;
static pid_t children[8];
static struct frame frames[2][2];	/* [drop, pass][small, large] */
static char hook_path[512];

/* --- utilities ------------------------------------------------------------- */

static void kill_children(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(children); i++)
		if (children[i] > 0)
			kill(children[i], SIGTERM);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_capture: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	kill_children();
	exit(1);
}

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_capture: warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_capture: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory");
	return p;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void sleep_until(double t_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(t_ns / 1e9),
		.tv_nsec = (long)fmod(t_ns, 1e9),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void sleep_s(double s)
{
	sleep_until(now_ns() + s * 1e9);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of n values; sorts them. */
static double median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double geomean(const double *v, size_t n)
{
	double s = 0;

	if (!n)
		return NAN;
	for (size_t i = 0; i < n; i++)
		s += log(v[i]);
	return exp(s / (double)n);
}

/* The mean of the middle half of n values (sorts them). */
static double trimmed_mean(double *v, size_t n)
{
	size_t cut = n / 4;
	double s = 0;

	qsort(v, n, sizeof(*v), cmp_double);
	for (size_t i = cut; i < n - cut; i++)
		s += v[i];
	return s / (double)(n - 2 * cut);
}

static long read_sysctl(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_knob(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t len = (ssize_t)strlen(value), n;

	if (fd < 0)
		return -1;
	n = write(fd, value, (size_t)len);
	close(fd);
	return n == len ? 0 : -1;
}

/*
 * A BPF_PROG_TEST_RUN with repeat > 1 of a program that is not attached
 * anywhere adds it to the kernel's XDP dispatcher and takes it out again,
 * and each update waits for an RCU grace period (some 16 ms here). The
 * demo is attached to --ifname (unless --no-attach), so the live test runs
 * leave the dispatcher alone; the reference programs of the hook-cost
 * measurement are not, and for them /sys/kernel/rcu_expedited is set for
 * the run and put back at exit (as bench_filter does).
 */
#define RCU_EXPEDITED "/sys/kernel/rcu_expedited"

static volatile sig_atomic_t rcu_restore_needed;

static void rcu_restore(void)
{
	if (rcu_restore_needed) {
		rcu_restore_needed = 0;
		write_knob(RCU_EXPEDITED, "0");
	}
}

static void on_fatal_signal(int sig)
{
	/* kill, open, write and close are async-signal-safe */
	for (size_t i = 0; i < ARRAY_SIZE(children); i++)
		if (children[i] > 0)
			kill(children[i], SIGTERM);
	rcu_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static const char *rcu_expedite(bool want)
{
	long cur = read_sysctl(RCU_EXPEDITED);

	if (!want)
		return cur > 0 ? "already on" :
		       cfg.do_hook ? "off (--no-expedite-rcu)" : "off (not needed)";
	if (cur > 0)
		return "already on";
	atexit(rcu_restore);
	rcu_restore_needed = 1;
	if (write_knob(RCU_EXPEDITED, "1")) {
		rcu_restore_needed = 0;
		warn("cannot set " RCU_EXPEDITED ": the hook-cost test runs will be slow");
		return "off (cannot set it)";
	}
	return "on for this run";
}

static void read_loadavg(char *buf, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "r");

	snprintf(buf, len, "?");
	if (f) {
		double a, b, c;

		if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
			snprintf(buf, len, "%.2f %.2f %.2f", a, b, c);
		fclose(f);
	}
}

static int pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0) {
		/* the last CPU we may run on: CPU 0 takes more interrupts */
		for (int c = CPU_SETSIZE - 1; c >= 0; c--)
			if (CPU_ISSET(c, &all_cpus)) {
				cpu = c;
				break;
			}
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot pin to CPU %d: %s", cpu, strerror(errno));
	return cpu;
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_size;
}

/* --- frames ---------------------------------------------------------------- */

static uint16_t csum16(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

/*
 * Ethernet (to the interface's own address, from the documentation MAC
 * 00:00:5e:00:53:02), IPv4 192.0.2.2 -> 192.0.2.1 (DF, TTL 64), UDP from
 * port 40000 to dport (no checksum), a counting payload: len bytes.
 */
static void build_frame(struct frame *f, uint32_t len, uint16_t dport)
{
	static const uint8_t src_mac[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02 };
	static const uint8_t saddr[4] = { 192, 0, 2, 2 }, daddr[4] = { 192, 0, 2, 1 };
	uint8_t *p = f->data, *ip, *udp;
	uint16_t ip_len = (uint16_t)(len - 14);

	memset(f->data, 0, sizeof(f->data));
	f->len = len;
	memcpy(p, if_mac, 6);
	memcpy(p + 6, src_mac, 6);
	put16(p + 12, 0x0800);
	ip = p + 14;
	ip[0] = 0x45;
	put16(ip + 2, ip_len);
	put16(ip + 4, 1);
	put16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, saddr, 4);
	memcpy(ip + 16, daddr, 4);
	put16(ip + 10, csum16(ip, 20));
	udp = ip + 20;
	put16(udp, 40000);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(ip_len - 20));
	for (uint32_t i = 42; i < len; i++)
		p[i] = (uint8_t)i;
}

static const struct frame *frame_for(unsigned int action, uint32_t len)
{
	return &frames[action == XDP_PASS][len == LARGE_FRAME];
}

/* --- the traffic source ------------------------------------------------------ */

static int test_run_live(const struct sender *s, const struct frame *f, uint32_t n)
{
	struct xdp_md md = {
		.data_end = f->len,
		.ingress_ifindex = (uint32_t)s->ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = f->data,
		.data_size_in = f->len,
		.ctx_in = &md,
		.ctx_size_in = sizeof(md),
		.repeat = n,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		.batch_size = s->batch,
	);

	return bpf_prog_test_run_opts(s->prog_fd, &opts) ? -errno : 0;
}

/*
 * Send f for seconds, at rate frames/s (paced: test runs of rate x tick
 * frames on a fixed schedule, sleeping when ahead) or, with rate 0, as
 * fast as possible (test runs grown until each takes 2 ms or more).
 */
static struct send_result send_for(const struct sender *s, const struct frame *f,
				   double rate, double seconds)
{
	struct send_result r = { 0 };
	double t0 = now_ns(), end = t0 + seconds * 1e9, t = t0, t1 = t0;
	uint32_t chunk;
	int err;

	if (rate > 0) {
		double c = rate * s->tick_us / 1e6;

		chunk = c < 1 ? 1 : (uint32_t)c;
	} else {
		chunk = 4096;
	}
	for (;;) {
		t = now_ns();
		if (rate > 0) {
			double due = t0 + (double)r.frames / rate * 1e9;

			if (due > t && s->spin) {
				while ((t = now_ns()) < due)
					;
			} else if (due > t) {
				sleep_until(due);
				t = now_ns();
			}
		}
		if (t >= end)
			break;
		err = test_run_live(s, f, chunk);
		t1 = now_ns();
		if (err)
			die("live BPF_PROG_TEST_RUN of %u frames failed: %s", chunk,
			    strerror(-err));
		r.busy_ns += t1 - t;
		r.frames += chunk;
		if (rate <= 0 && t1 - t < 2e6 && chunk < (1u << 24))
			chunk *= 2;
	}
	r.seconds = (t1 - t0) / 1e9;
	return r;
}

/* --- programs -------------------------------------------------------------- */

struct progs {
	struct bpf_object *demo_obj, *nohook_obj;
	int demo_fd, hook_fd, nohook_fd, empty_fd;
	bool attached;
};

static void load_programs(struct progs *p)
{
	struct bpf_program *prog;
	struct bpf_map *hook;

	p->demo_obj = bpf_object__open_file(cfg.demo_path, NULL);
	if (!p->demo_obj || bpf_object__load(p->demo_obj))
		die("cannot load %s: %s", cfg.demo_path, strerror(errno));
	prog = bpf_object__find_program_by_name(p->demo_obj, "xdpcap_demo");
	hook = bpf_object__find_map_by_name(p->demo_obj, "xdpcap_hook");
	if (!prog || !hook)
		die("%s has no program xdpcap_demo or no map xdpcap_hook", cfg.demo_path);
	p->demo_fd = bpf_program__fd(prog);
	p->hook_fd = bpf_map__fd(hook);
	snprintf(hook_path, sizeof(hook_path), "%s", cfg.pin);
	unlink(hook_path);
	if (bpf_map__pin(hook, hook_path))
		die("cannot pin the hook at %s: %s", hook_path, strerror(errno));
	if (cfg.attach) {
		if (bpf_xdp_attach(if_index, p->demo_fd, XDP_FLAGS_DRV_MODE, NULL))
			die("cannot attach the demo to %s: %s", cfg.ifname, strerror(errno));
		p->attached = true;
	}

	p->nohook_obj = bpf_object__open_file(cfg.nohook_path, NULL);
	if (!p->nohook_obj || bpf_object__load(p->nohook_obj))
		die("cannot load %s: %s", cfg.nohook_path, strerror(errno));
	prog = bpf_object__find_program_by_name(p->nohook_obj, "xdpcap_demo");
	if (!prog)
		die("%s has no program xdpcap_demo", cfg.nohook_path);
	p->nohook_fd = bpf_program__fd(prog);
	prog = bpf_object__find_program_by_name(p->nohook_obj, "xdp_empty");
	if (!prog)
		die("%s has no program xdp_empty", cfg.nohook_path);
	p->empty_fd = bpf_program__fd(prog);
}

/* Whether the kernel compiled the demo to machine code. */
static const char *jit_state(int prog_fd)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return "unknown";
	return info.jited_prog_len ? "on" : "off";
}

static void unload_programs(struct progs *p)
{
	if (p->attached)
		bpf_xdp_detach(if_index, XDP_FLAGS_DRV_MODE, NULL);
	unlink(hook_path);
	bpf_object__close(p->demo_obj);
	bpf_object__close(p->nohook_obj);
}

/* Every slot of the hook must be empty for a run without capture. */
static void check_slots_empty(int hook_fd)
{
	for (uint32_t a = 0; a < XDPCAP_ACTIONS; a++) {
		uint32_t id;

		if (!bpf_map_lookup_elem(hook_fd, &a, &id))
			die("slot %u of the hook still holds program %u", a, id);
	}
}

/* --- child processes (xdpcap, tcpdump) -------------------------------------- */

struct child {
	pid_t pid;
	int fd;			/* its stderr */
	char log[MAX_CHILD_LOG];
	size_t len;
	struct rusage ru;
	int status;
};

/* Read what the child wrote, for up to timeout_ms; false at EOF. */
static bool child_read(struct child *c, int timeout_ms)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	ssize_t n;

	if (c->fd < 0 || poll(&pfd, 1, timeout_ms) <= 0)
		return c->fd >= 0;
	if (c->len + 1 >= sizeof(c->log)) {
		/* keep the second half: the summary comes last */
		memmove(c->log, c->log + sizeof(c->log) / 2, c->len - sizeof(c->log) / 2);
		c->len -= sizeof(c->log) / 2;
	}
	n = read(c->fd, c->log + c->len, sizeof(c->log) - 1 - c->len);
	if (n <= 0) {
		close(c->fd);
		c->fd = -1;
		return false;
	}
	c->len += (size_t)n;
	c->log[c->len] = 0;
	return true;
}

static void child_track(pid_t pid, bool add)
{
	for (size_t i = 0; i < ARRAY_SIZE(children); i++) {
		if (add && !children[i]) {
			children[i] = pid;
			return;
		}
		if (!add && children[i] == pid) {
			children[i] = 0;
			return;
		}
	}
}

/*
 * Start argv with stderr to a pipe, on the readers' CPUs, and wait until
 * its stderr says ready.
 */
static void child_start(struct child *c, char *const argv[], const char *ready)
{
	double deadline;
	int p[2];

	memset(c, 0, sizeof(*c));
	if (pipe2(p, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	c->pid = fork();
	if (c->pid < 0)
		die("fork: %s", strerror(errno));
	if (!c->pid) {
		int null = open("/dev/null", O_RDWR);

		sched_setaffinity(0, sizeof(reader_cpus), &reader_cpus);
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	child_track(c->pid, true);
	close(p[1]);
	c->fd = p[0];
	deadline = now_ns() + 20e9;
	while (!strstr(c->log, ready)) {
		if (!child_read(c, 100) || now_ns() > deadline) {
			kill(c->pid, SIGTERM);
			waitpid(c->pid, NULL, 0);
			child_track(c->pid, false);
			die("%s did not start:\n%s", argv[0], c->log);
		}
	}
}

/* Stop the child as Ctrl-C would; it gets 30 s to finish its file. */
static void child_stop(struct child *c)
{
	double deadline = now_ns() + 30e9;
	bool killed = false;

	kill(c->pid, SIGINT);
	while (child_read(c, 1000))
		if (!killed && now_ns() > deadline) {
			warn("pid %d ignores SIGINT, killing it", (int)c->pid);
			kill(c->pid, SIGKILL);
			killed = true;
		}
	if (wait4(c->pid, &c->status, 0, &c->ru) < 0)
		die("wait4: %s", strerror(errno));
	child_track(c->pid, false);
	if (cfg.verbose)
		fprintf(stderr, "%s", c->log);
}

/* The number at the start of the last line of log that contains what. */
static bool log_count(const char *log, const char *what, uint64_t *v)
{
	const char *hit = NULL, *line;

	for (const char *p = log; (p = strstr(p, what)); p++)
		hit = p;
	if (!hit)
		return false;
	for (line = hit; line > log && line[-1] != '\n' && line[-1] != '\r'; line--)
		;
	return sscanf(line, "%" SCNu64, v) == 1;
}

static double rusage_ns(const struct rusage *ru)
{
	return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e9 +
	       (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1e3;
}

static uint64_t capinfos_count(const char *path)
{
	char cmd[1200], line[1024];
	uint64_t n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "capinfos -T -r -c -M '%s' 2>/dev/null", path);
	f = popen(cmd, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *tab = strrchr(line, '\t');

		if (tab)
			n = strtoull(tab + 1, NULL, 10);
	}
	pclose(f);
	return n;
}

/* Wait until the file stops growing (300 ms without change, 10 s at most). */
static void wait_file_settles(const char *path)
{
	uint64_t last = file_size(path);
	double deadline = now_ns() + 10e9;
	int still = 0;

	while (still < 3 && now_ns() < deadline) {
		uint64_t sz;

		sleep_s(0.1);
		sz = file_size(path);
		still = sz == last ? still + 1 : 0;
		last = sz;
	}
}

/* --- capture with the library, in this process -------------------------- */

struct lib_capture {
	struct xdpcap_capture *cap;
	struct xdpcap_output *out;
	enum reader reader;
	int fd;			/* what the output writes to */
	int file_fd, queue_rd;	/* READER_QUEUE: the writer thread's ends */
	pthread_t thread, writer;
	int writer_err;
	volatile int stop;
	uint64_t delivered;
	int err;
	double cpu_ns;
	char errbuf[XDPCAP_ERRBUF_SIZE];
};

static int lib_packet(const struct xdpcap_packet *pkt, void *ctx)
{
	struct lib_capture *lc = ctx;
	struct xdpcap_output_packet op = {
		.ts_ns = pkt->ts_ns,
		.caplen = pkt->caplen,
		.wirelen = pkt->wirelen,
		.data = pkt->data,
		.action = (int)pkt->action,
		.has_queue = true,
		.queue = pkt->rx_queue,
	};
	int err;

	lc->delivered++;
	if (!lc->out || lc->err)
		return 0;
	err = xdpcap_output_write(lc->out, &op, lc->errbuf);
	if (err)
		lc->err = err;
	return 0;
}

static double thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void *lib_reader(void *arg)
{
	struct lib_capture *lc = arg;
	double c0 = thread_cpu_ns();

	while (!lc->stop) {
		int n = xdpcap_capture_poll(lc->cap, lc->reader == READER_BUSY ? 0 : 100,
					    lib_packet, lc);

		if (n < 0 && n != -EINTR) {
			lc->err = n;
			break;
		}
	}
	lc->cpu_ns = thread_cpu_ns() - c0;
	return NULL;
}

/*
 * READER_QUEUE: move what the reader encodes from the queue to the file.
 * The queue is a Unix stream socket with a send buffer of QUEUE_BYTES
 * (SO_SNDBUFFORCE; a pipe that big needs CAP_SYS_RESOURCE). It costs a
 * copy that a queue inside xdpcap would not.
 */
static void *lib_writer(void *arg)
{
	struct lib_capture *lc = arg;
	uint8_t *buf = xcalloc(1, WRITER_CHUNK);
	ssize_t n;

	while ((n = read(lc->queue_rd, buf, WRITER_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(lc->file_fd, buf, (size_t)n) != n) {
			lc->writer_err = -(errno ? errno : EIO);
			break;
		}
	}
	free(buf);
	return NULL;
}

static void lib_start(struct lib_capture *lc, enum reader reader,
		      unsigned int ring_kib, const char *path)
{
	XDPCAP_OPTS(xdpcap_capture_opts, opts, .ring_kib = ring_kib);
	struct xdpcap_output_iface iface = {
		.name = hook_path,
		.snaplen = XDPCAP_DEFAULT_SNAPLEN,
		.linktype = DLT_EN10MB,
	};
	char errbuf[XDPCAP_ERRBUF_SIZE];
	pthread_attr_t attr;
	int err;

	memset(lc, 0, sizeof(*lc));
	lc->fd = lc->file_fd = lc->queue_rd = -1;
	lc->reader = reader;
	err = xdpcap_capture_open(hook_path, "", &opts, &lc->cap, errbuf);
	if (err)
		die("xdpcap_capture_open: %s", errbuf);
	if (reader == READER_QUEUE) {
		int sv[2], size = QUEUE_BYTES;

		lc->file_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (lc->file_fd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			die("cannot write %s: %s", path, strerror(errno));
		/* CAP_NET_ADMIN may exceed net.core.wmem_max */
		if (setsockopt(sv[1], SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
			die("cannot make a queue of %u MiB: %s", QUEUE_BYTES >> 20,
			    strerror(errno));
		shutdown(sv[0], SHUT_WR);
		shutdown(sv[1], SHUT_RD);
		lc->queue_rd = sv[0];
		lc->fd = sv[1];
		/* the writer may run anywhere: it is what a spare CPU is for */
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(all_cpus), &all_cpus);
		err = pthread_create(&lc->writer, &attr, lib_writer, lc);
		pthread_attr_destroy(&attr);
		if (err)
			die("pthread_create: %s", strerror(err));
	} else if (reader != READER_COUNT) {
		lc->fd = open(reader == READER_NULL ? "/dev/null" : path,
			      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (lc->fd < 0)
			die("cannot write %s: %s", path, strerror(errno));
	}
	if (lc->fd >= 0) {
		if (xdpcap_output_open(lc->fd, XDPCAP_FORMAT_PCAPNG, &lc->out, errbuf) ||
		    xdpcap_output_add_iface(lc->out, &iface, errbuf) < 0)
			die("capture file: %s", errbuf);
	}
	err = xdpcap_capture_start(lc->cap, errbuf);
	if (err)
		die("xdpcap_capture_start: %s", errbuf);
	/* the reader runs where the command would */
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(reader_cpus), &reader_cpus);
	err = pthread_create(&lc->thread, &attr, lib_reader, lc);
	pthread_attr_destroy(&attr);
	if (err)
		die("pthread_create: %s", strerror(err));
}

static void lib_stop(struct lib_capture *lc, struct run *r)
{
	struct xdpcap_capture_stats st;
	char errbuf[XDPCAP_ERRBUF_SIZE];

	lc->stop = 1;
	pthread_join(lc->thread, NULL);
	xdpcap_capture_stop(lc->cap, lib_packet, lc);
	xdpcap_capture_stats(lc->cap, &st);
	if (lc->out) {
		if (xdpcap_output_close(lc->out, errbuf) && !lc->err)
			lc->err = -EIO;
		close(lc->fd);
	}
	if (lc->reader == READER_QUEUE) {
		/* the queue's write end is closed: the writer finishes the file */
		pthread_join(lc->writer, NULL);
		close(lc->queue_rd);
		close(lc->file_fd);
		if (lc->writer_err && !lc->err)
			lc->err = lc->writer_err;
	}
	if (lc->err)
		die("library capture failed: %s", lc->errbuf[0] ? lc->errbuf : strerror(-lc->err));
	r->captured = lc->delivered;
	r->lost = 0;
	r->hook_received = 0;
	for (unsigned int a = 0; a < XDPCAP_ACTIONS; a++) {
		r->lost += st.dropped[a];
		r->hook_received += st.received[a];
	}
	r->reader_ns = lc->delivered ? lc->cpu_ns / (double)lc->delivered : 0;
	r->reader_cpu = lc->cpu_ns;	/* made relative by the caller */
	xdpcap_capture_close(lc->cap);
}

/* --- one run of one configuration ------------------------------------------ */

static void run_one(const struct sender *snd, struct cell *cell, unsigned int run_no,
		    double seconds)
{
	const struct scenario *sc = cell->sc;
	const struct frame *f = frame_for(sc->action, sc->len);
	struct run *r = &cell->runs[cell->n];
	char path[1024], ring[32];
	struct send_result s;
	struct lib_capture lc;
	struct child c;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/run-%u.%s", cfg.outdir, run_no,
		 cell->tool == TOOL_TCPDUMP ? "pcap" : "pcapng");
	/* start clean: no dirty pages of an earlier run being written back */
	sync();

	switch (cell->tool) {
	case TOOL_NONE:
		break;
	case TOOL_XDPCAP: {
		/* as a user would run it; -B only if a ring size is asked for */
		char *argv[] = { (char *)cfg.xdpcap_path, hook_path, path, NULL, NULL, NULL };

		if (cell->ring_kib) {
			snprintf(ring, sizeof(ring), "%u", cell->ring_kib);
			argv[1] = "-B";
			argv[2] = ring;
			argv[3] = hook_path;
			argv[4] = path;
		}
		child_start(&c, argv, "capturing from");
		break;
	}
	case TOOL_TCPDUMP: {
		char *argv[] = { (char *)cfg.tcpdump_path, "-i", (char *)cfg.ifname,
				 "-w", path, "-B", "65536", "-Z", "root", NULL };

		child_start(&c, argv, "listening on");
		break;
	}
	case TOOL_LIB:
		lib_start(&lc, cell->reader, cell->ring_kib, path);
		break;
	}
	/* let the reader settle */
	sleep_s(0.2);

	s = send_for(snd, f, sc->target, seconds);
	r->sent = s.frames;
	r->rate = (double)s.frames / s.seconds;
	r->busy_ns = s.busy_ns / (double)s.frames;

	switch (cell->tool) {
	case TOOL_NONE:
		break;
	case TOOL_XDPCAP:
		/* xdpcap takes everything still in the rings when it stops */
		child_stop(&c);
		if (!WIFEXITED(c.status) || WEXITSTATUS(c.status))
			die("xdpcap failed:\n%s", c.log);
		if (!log_count(c.log, "packets written", &r->captured) ||
		    !log_count(c.log, "packets lost (capture ring full)", &r->lost) ||
		    !log_count(c.log, "packets received at the hook", &r->hook_received))
			die("cannot read xdpcap's summary:\n%s", c.log);
		r->reader_ns = r->captured ? rusage_ns(&c.ru) / (double)r->captured : 0;
		r->reader_cpu = rusage_ns(&c.ru) / (s.seconds * 1e9);
		break;
	case TOOL_TCPDUMP:
		/*
		 * tcpdump stops reading at SIGINT: let it empty its ring first.
		 * Its TPACKET_V3 blocks reach it when full or after its 1 s
		 * timeout, so the last one takes up to a second.
		 */
		sleep_s(1.5);
		wait_file_settles(path);
		child_stop(&c);
		if (!log_count(c.log, "packets captured", &r->captured) ||
		    !log_count(c.log, "packets dropped by kernel", &r->lost))
			die("cannot read tcpdump's summary:\n%s", c.log);
		r->reader_ns = r->captured ? rusage_ns(&c.ru) / (double)r->captured : 0;
		r->reader_cpu = rusage_ns(&c.ru) / (s.seconds * 1e9);
		break;
	case TOOL_LIB:
		lib_stop(&lc, r);
		r->reader_cpu /= s.seconds * 1e9;
		break;
	}
	if (cell->tool != TOOL_NONE) {
		uint64_t bytes = cell->tool == TOOL_LIB && (cell->reader == READER_NULL ||
							    cell->reader == READER_COUNT) ?
				 0 : file_size(path);

		r->file_mbps = (double)bytes / s.seconds / 1e6;
		r->missing = r->sent > r->captured ? r->sent - r->captured : 0;
		if (cfg.capinfos && bytes) {
			r->capinfos = capinfos_count(path);
			if (r->capinfos != r->captured)
				warn("%s: capinfos counts %" PRIu64 " packets, the summary %" PRIu64,
				     sc->name, r->capinfos, r->captured);
		}
		if ((cell->tool == TOOL_XDPCAP || cell->tool == TOOL_LIB) &&
		    r->hook_received != r->sent)
			warn("%s: %" PRIu64 " frames sent, %" PRIu64 " reached the hook's slot",
			     sc->name, r->sent, r->hook_received);
		unlink(path);
	}
	r->ok = true;
	cell->n++;
}

static void cell_finish(struct cell *cell)
{
	double v[8][MAX_RUNS];
	unsigned int n = cell->n;

	for (unsigned int i = 0; i < n; i++) {
		const struct run *r = &cell->runs[i];

		v[0][i] = r->rate;
		v[1][i] = r->busy_ns;
		v[2][i] = (double)r->captured;
		v[3][i] = (double)r->lost;
		v[4][i] = (double)r->missing;
		v[5][i] = r->file_mbps;
		v[6][i] = r->reader_ns;
		v[7][i] = r->reader_cpu;
	}
	cell->med.rate = median(v[0], n);
	cell->med.busy_ns = median(v[1], n);
	cell->med.captured = (uint64_t)median(v[2], n);
	cell->med.lost = (uint64_t)median(v[3], n);
	cell->med.missing = (uint64_t)median(v[4], n);
	cell->med.file_mbps = median(v[5], n);
	cell->med.reader_ns = median(v[6], n);
	cell->med.reader_cpu = median(v[7], n);
	for (unsigned int i = 0; i < n; i++) {
		const struct run *r = &cell->runs[i];
		uint64_t seen = r->captured + r->lost;

		v[0][i] = seen ? (double)r->lost / (double)seen : 0;
		v[1][i] = r->sent ? (double)r->missing / (double)r->sent : 0;
	}
	cell->loss_frac = median(v[0], n);
	cell->missing_frac = median(v[1], n);
}

/* --- output helpers -------------------------------------------------------- */

static const char *fmt_rate(char *buf, size_t len, double fps)
{
	if (fps >= 1e6)
		snprintf(buf, len, "%.2f M", fps / 1e6);
	else if (fps >= 1e3)
		snprintf(buf, len, "%.0f k", fps / 1e3);
	else
		snprintf(buf, len, "%.0f", fps);
	return buf;
}

static const char *fmt_count(char *buf, size_t len, uint64_t n, double frac)
{
	if (!n)
		snprintf(buf, len, "0");
	else if (frac >= 0.0001)
		snprintf(buf, len, "%" PRIu64 " (%.1f%%)", n, frac * 100);
	else
		snprintf(buf, len, "%" PRIu64 " (<0.01%%)", n);
	return buf;
}

static const char *tool_name(const struct cell *c)
{
	static char buf[64];

	switch (c->tool) {
	case TOOL_NONE:
		return "none";
	case TOOL_XDPCAP:
		if (!c->ring_kib)
			return "xdpcap";
		snprintf(buf, sizeof(buf), "xdpcap -B %u", c->ring_kib);
		return buf;
	case TOOL_TCPDUMP:
		return "tcpdump";
	case TOOL_LIB:
		snprintf(buf, sizeof(buf), "%s",
			 c->reader == READER_FILE ? "pcapng to disk" :
			 c->reader == READER_BUSY ? "pcapng to disk, busy polling" :
			 c->reader == READER_QUEUE ? "pcapng to disk via a 64 MiB queue and a writer thread" :
			 c->reader == READER_NULL ? "pcapng to /dev/null" :
						    "count only, no output");
		return buf;
	}
	return "?";
}

static void table_start(const char *const *cols, size_t n)
{
	if (cfg.markdown) {
		printf("|");
		for (size_t i = 0; i < n; i++)
			printf(" %s |", cols[i]);
		printf("\n|");
		for (size_t i = 0; i < n; i++)
			printf(i < 2 ? "---|" : "--:|");
		printf("\n");
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%s%s", i ? " | " : "", cols[i]);
		printf("\n");
	}
}

static void row(const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (cfg.markdown)
			printf("%s %s |", i ? "" : "|", cells[i]);
		else
			printf("%s%s", i ? " | " : "", cells[i]);
	}
	printf("\n");
}

/* --- the live-capture table -------------------------------------------------- */

static struct scenario scenarios[6];
static size_t n_scenarios;

static void make_scenarios(void)
{
	static char names[6][64];
	const struct { unsigned int action; uint32_t len; bool paced; } defs[] = {
		{ XDP_DROP, SMALL_FRAME, true },
		{ XDP_DROP, SMALL_FRAME, false },
		{ XDP_DROP, LARGE_FRAME, true },
		{ XDP_DROP, LARGE_FRAME, false },
		{ XDP_PASS, SMALL_FRAME, false },
		{ XDP_PASS, LARGE_FRAME, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
		struct scenario *sc = &scenarios[n_scenarios];
		double target = !defs[i].paced ? 0 :
				defs[i].len == SMALL_FRAME ? cfg.rate_small : cfg.rate_large;

		snprintf(names[i], sizeof(names[i]), "%s %u B %s",
			 defs[i].action == XDP_DROP ? "dropped" : "passed",
			 defs[i].len, target > 0 ? "paced" : "full speed");
		if (cfg.only && !strstr(names[i], cfg.only))
			continue;
		*sc = (struct scenario){
			.name = names[i],
			.action = defs[i].action,
			.len = defs[i].len,
			.target = target,
			.tcpdump = defs[i].action == XDP_PASS,
		};
		n_scenarios++;
	}
}

struct live_results {
	struct cell *cells;
	size_t n;
};

/* The cell of the scenario and tool with the default ring. */
static struct cell *find_cell(struct cell *cells, size_t n, const struct scenario *sc,
			      enum tool tool)
{
	for (size_t i = 0; i < n; i++)
		if (cells[i].sc == sc && cells[i].tool == tool && !cells[i].ring_kib)
			return &cells[i];
	return NULL;
}

/*
 * The ring per CPU that gives xdpcap the memory tcpdump gets with
 * -B 65536: 64 MiB in all.
 */
static unsigned int tcpdump_like_ring_kib(void)
{
	return 65536 / (unsigned int)libbpf_num_possible_cpus();
}

static void run_live(const struct sender *snd, int hook_fd, struct live_results *out)
{
	struct cell *cells = xcalloc(n_scenarios * 4, sizeof(*cells));
	size_t n = 0;
	unsigned int run_no = 0;

	for (size_t i = 0; i < n_scenarios; i++) {
		cells[n++] = (struct cell){ .sc = &scenarios[i], .tool = TOOL_NONE };
		cells[n++] = (struct cell){ .sc = &scenarios[i], .tool = TOOL_XDPCAP };
		if (scenarios[i].tcpdump) {
			cells[n++] = (struct cell){ .sc = &scenarios[i], .tool = TOOL_XDPCAP,
						    .ring_kib = tcpdump_like_ring_kib() };
			cells[n++] = (struct cell){ .sc = &scenarios[i], .tool = TOOL_TCPDUMP };
		}
	}
	for (unsigned int k = 0; k < cfg.runs; k++) {
		for (size_t i = 0; i < n; i++) {
			/* alternate the order of the tools of a scenario */
			size_t j = i;

			if (k % 2) {
				size_t first = i, last = i;

				while (first > 0 && cells[first - 1].sc == cells[i].sc)
					first--;
				while (last + 1 < n && cells[last + 1].sc == cells[i].sc)
					last++;
				j = first + last - i;
			}
			if (cells[j].tool == TOOL_NONE)
				check_slots_empty(hook_fd);
			progress("run %u/%u: %s, capture: %s", k + 1, cfg.runs,
				 cells[j].sc->name, tool_name(&cells[j]));
			run_one(snd, &cells[j], run_no++, cfg.seconds);
		}
	}
	for (size_t i = 0; i < n; i++)
		cell_finish(&cells[i]);
	out->cells = cells;
	out->n = n;
}

static void print_live(const struct live_results *lr)
{
	static const char *const cols[] = {
		"stream", "capture", "target fps", "offered fps (achieved)",
		"captured", "lost (reported)", "missing (sent - captured)",
		"file MB/s", "reader CPU ns/pkt", "sender fps without capture",
		"sender slowdown", "sender ns/frame without -> with",
	};

	table_start(cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < lr->n; i++) {
		const struct cell *c = &lr->cells[i];
		const struct cell *base = find_cell(lr->cells, lr->n, c->sc, TOOL_NONE);
		char b[12][64];

		if (c->tool == TOOL_NONE)
			continue;
		snprintf(b[0], sizeof(b[0]), "%s", c->sc->name);
		snprintf(b[1], sizeof(b[1]), "%s", tool_name(c));
		if (c->sc->target > 0)
			fmt_rate(b[2], sizeof(b[2]), c->sc->target);
		else
			snprintf(b[2], sizeof(b[2]), "full speed");
		fmt_rate(b[3], sizeof(b[3]), c->med.rate);
		snprintf(b[4], sizeof(b[4]), "%" PRIu64, c->med.captured);
		fmt_count(b[5], sizeof(b[5]), c->med.lost, c->loss_frac);
		fmt_count(b[6], sizeof(b[6]), c->med.missing, c->missing_frac);
		snprintf(b[7], sizeof(b[7]), "%.0f", c->med.file_mbps);
		snprintf(b[8], sizeof(b[8]), "%.0f (%.0f%% CPU)", c->med.reader_ns,
			 c->med.reader_cpu * 100);
		fmt_rate(b[9], sizeof(b[9]), base->med.rate);
		snprintf(b[10], sizeof(b[10]), "%.1f%%",
			 (1 - c->med.rate / base->med.rate) * 100);
		snprintf(b[11], sizeof(b[11]), "%.0f -> %.0f", base->med.busy_ns,
			 c->med.busy_ns);
		row((const char *const[]){ b[0], b[1], b[2], b[3], b[4], b[5], b[6],
					   b[7], b[8], b[9], b[10], b[11] }, 12);
	}
}

/* --- hook cost (BPF_PROG_TEST_RUN with repeat, not live) ------------------- */

struct hook_cost {
	/* [frame: drop, pass][program] ns per run */
	double ns[2][5];
	/* [frame][phase] the empty program and the demo without hook */
	double empty_ns[2][3], nohook_ns[2][3];
	bool ok;
};

enum { HC_EMPTY, HC_NOHOOK, HC_HOOK, HC_TRIVIAL, HC_CAPTURE };

static double run_ns(int fd, const struct frame *f, uint32_t repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = f->data,
		.data_size_in = f->len,
		.repeat = repeat,
	);

	if (bpf_prog_test_run_opts(fd, &opts))
		die("BPF_PROG_TEST_RUN failed: %s", strerror(errno));
	return opts.duration;
}

/*
 * Each round times the three programs on the frame, in an order that
 * rotates from round to round; a program's cost is the mean of the middle
 * half of its rounds.
 */
static void time_three(const int fds[3], const struct frame *f, double out[3])
{
	unsigned int rounds = cfg.hook_rounds;
	double *v[3];

	for (int p = 0; p < 3; p++)
		v[p] = xcalloc(rounds, sizeof(double));
	for (int p = 0; p < 3; p++)
		run_ns(fds[p], f, cfg.hook_repeat / 10 + 1);	/* warm up */
	for (unsigned int k = 0; k < rounds; k++)
		for (int i = 0; i < 3; i++) {
			int p = (int)((i + k) % 3);

			v[p][k] = run_ns(fds[p], f, cfg.hook_repeat);
		}
	for (int p = 0; p < 3; p++) {
		out[p] = trimmed_mean(v[p], rounds);
		free(v[p]);
	}
}

/*
 * Three phases, each with its own empty and no-hook references: the
 * hook's slots empty; every slot holding the empty program (the tail call
 * alone); a capture of every action with a filter that matches nothing.
 */
static void measure_hook_cost(const struct progs *pg, struct hook_cost *hc)
{
	static const int which[3] = { HC_HOOK, HC_TRIVIAL, HC_CAPTURE };
	XDPCAP_OPTS(xdpcap_capture_opts, opts, .ring_kib = 64);
	int fds[3] = { pg->empty_fd, pg->nohook_fd, pg->demo_fd };
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_capture *cap = NULL;
	double t[3];

	check_slots_empty(pg->hook_fd);
	for (int phase = 0; phase < 3; phase++) {
		if (phase == 1) {
			for (uint32_t a = 0; a < XDPCAP_ACTIONS; a++)
				if (bpf_map_update_elem(pg->hook_fd, &a, &pg->empty_fd, BPF_ANY))
					die("cannot put a program into the hook: %s",
					    strerror(errno));
		} else if (phase == 2) {
			for (uint32_t a = 0; a < XDPCAP_ACTIONS; a++)
				bpf_map_delete_elem(pg->hook_fd, &a);
			if (xdpcap_capture_open(hook_path, "udp port 7", &opts, &cap, errbuf) ||
			    xdpcap_capture_start(cap, errbuf))
				die("capture for the hook cost: %s", errbuf);
		}
		for (int fr = 0; fr < 2; fr++) {
			time_three(fds, &frames[fr][0], t);
			hc->empty_ns[fr][phase] = t[0];
			hc->nohook_ns[fr][phase] = t[1];
			hc->ns[fr][which[phase]] = t[2];
		}
	}
	xdpcap_capture_stop(cap, NULL, NULL);
	xdpcap_capture_close(cap);
	for (int fr = 0; fr < 2; fr++) {
		hc->ns[fr][HC_EMPTY] = (hc->empty_ns[fr][0] + hc->empty_ns[fr][1] +
					hc->empty_ns[fr][2]) / 3;
		hc->ns[fr][HC_NOHOOK] = (hc->nohook_ns[fr][0] + hc->nohook_ns[fr][1] +
					 hc->nohook_ns[fr][2]) / 3;
	}
	hc->ok = true;
}

static void print_hook_cost(const struct hook_cost *hc)
{
	static const char *const cols[] = {
		"program (64 B frame, test run with repeat)", "what",
		"dropped frame ns/run", "passed frame ns/run",
		"dropped: minus empty", "passed: minus empty",
	};
	static const char *const names[] = {
		"empty program", "demo logic without the hook",
		"demo with the hook, slots empty",
		"demo with the hook, slots hold a program that returns at once",
		"demo with the hook, capture attached, filter `udp port 7` (no match)",
	};
	static const char *const what[] = {
		"test-run loop", "reference", "+ tail call to an empty slot",
		"+ tail call to a program", "+ tail call, counters, filter",
	};
	static const int phase_of[] = { -1, -1, 0, 1, 2 };
	const char *b = cfg.markdown ? "- " : "";
	char v[4][32];

	table_start(cols, ARRAY_SIZE(cols));
	for (int p = 0; p < 5; p++) {
		snprintf(v[0], sizeof(v[0]), "%.2f", hc->ns[0][p]);
		snprintf(v[1], sizeof(v[1]), "%.2f", hc->ns[1][p]);
		snprintf(v[2], sizeof(v[2]), "%.2f", hc->ns[0][p] - hc->ns[0][HC_EMPTY]);
		snprintf(v[3], sizeof(v[3]), "%.2f", hc->ns[1][p] - hc->ns[1][HC_EMPTY]);
		row((const char *const[]){ names[p], what[p], v[0], v[1], v[2], v[3] }, 6);
	}
	printf("\n");
	/* each against the program without hook timed in the same phase */
	for (int p = HC_HOOK; p <= HC_CAPTURE; p++)
		printf("%s%s: %.2f ns (dropped frame) and %.2f ns (passed frame) more than the demo logic without the hook\n",
		       b, names[p],
		       hc->ns[0][p] - hc->nohook_ns[0][phase_of[p]],
		       hc->ns[1][p] - hc->nohook_ns[1][phase_of[p]]);
}

/* --- capture program sizes ------------------------------------------------- */

struct sizes {
	size_t measured, failed;
	double median, geomean, min, max;
	size_t ip, host_pair, match_all;
};

static char **load_filters(const char *path, size_t *count)
{
	char *line = NULL, **exprs = NULL;
	size_t n = 0, cap = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		die("cannot read %s: %s", path, strerror(errno));
	*count = 0;
	while (getline(&line, &n, f) > 0) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		if (*count == cap) {
			cap = cap ? cap * 2 : 256;
			exprs = realloc(exprs, cap * sizeof(*exprs));
			if (!exprs)
				die("out of memory");
		}
		exprs[*count] = strdup(line);
		if (!exprs[(*count)++])
			die("out of memory");
	}
	free(line);
	fclose(f);
	return exprs;
}

/* The capture program's instructions for expr, 0 if it cannot be made. */
static size_t capture_insns(const char *expr)
{
	XDPCAP_OPTS(xdpcap_capture_opts, opts, .actions = 1u << XDP_DROP, .ring_kib = 8);
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_capture *cap;
	size_t n;

	if (xdpcap_capture_open(hook_path, expr, &opts, &cap, errbuf))
		return 0;
	n = xdpcap_capture_prog_insns(cap, XDP_DROP);
	xdpcap_capture_close(cap);
	return n;
}

static void measure_sizes(struct sizes *sz)
{
	size_t n, m = 0;
	char **exprs = load_filters(cfg.filters_path, &n);
	double *v = xcalloc(n, sizeof(double));

	memset(sz, 0, sizeof(*sz));
	sz->min = INFINITY;
	sz->max = 0;
	for (size_t i = 0; i < n; i++) {
		size_t insns = capture_insns(exprs[i]);

		if (!insns) {
			sz->failed++;
		} else {
			v[m++] = (double)insns;
			if (insns < sz->min)
				sz->min = (double)insns;
			if (insns > sz->max)
				sz->max = (double)insns;
		}
		free(exprs[i]);
	}
	free(exprs);
	sz->measured = m;
	sz->geomean = geomean(v, m);
	sz->median = median(v, m);
	free(v);
	sz->ip = capture_insns("ip");
	sz->host_pair = capture_insns("host 192.0.2.1 or host 2001:db8::1");
	sz->match_all = capture_insns("");
}

static void print_sizes(const struct sizes *sz)
{
	static const char *const cols[] = {
		"capture program (eBPF insns)", "xdpcap", "Cloudflare xdpcap (reference)",
	};
	char b[3][64];

	table_start(cols, ARRAY_SIZE(cols));
	snprintf(b[0], sizeof(b[0]), "%zu", sz->ip);
	row((const char *const[]){ "`ip`", b[0], "61" }, 3);
	snprintf(b[0], sizeof(b[0]), "%zu", sz->host_pair);
	row((const char *const[]){ "`host 192.0.2.1 or host 2001:db8::1`", b[0], "121" }, 3);
	snprintf(b[0], sizeof(b[0]), "%.0f", sz->median);
	snprintf(b[1], sizeof(b[1]), "median over %zu filters", sz->measured);
	row((const char *const[]){ "median", b[0], "" }, 3);
	snprintf(b[0], sizeof(b[0]), "%.1f", sz->geomean);
	row((const char *const[]){ "geometric mean", b[0], "74 (164 real filters)" }, 3);
	snprintf(b[0], sizeof(b[0]), "%zu", sz->match_all);
	row((const char *const[]){ "no filter (everything matches)", b[0], "" }, 3);
	printf("\n%sfilters of %s: %zu loaded as capture programs, %zu refused (by the compiler or the kernel); smallest %.0f, largest %.0f instructions\n",
	       cfg.markdown ? "- " : "", cfg.filters_path, sz->measured, sz->failed,
	       sz->min, sz->max);
}

/* --- experiments with the library ------------------------------------------ */

struct exp_results {
	struct cell *cells;
	size_t n;
};

static void run_experiments(const struct sender *snd, int hook_fd,
			    struct exp_results *out)
{
	static struct scenario exp_sc[2];
	static const enum reader others[] = {
		READER_BUSY, READER_QUEUE, READER_NULL, READER_COUNT,
	};
	size_t nsc = 0, n = 0;
	struct cell *cells;
	unsigned int run_no = 1000;

	/* the goal scenarios */
	exp_sc[nsc++] = (struct scenario){ "dropped 64 B paced", XDP_DROP, SMALL_FRAME, cfg.rate_small, false };
	exp_sc[nsc++] = (struct scenario){ "dropped 1500 B paced", XDP_DROP, LARGE_FRAME, cfg.rate_large, false };
	cells = xcalloc(nsc * (cfg.n_exp_rings + ARRAY_SIZE(others)), sizeof(*cells));
	for (size_t i = 0; i < nsc; i++) {
		if (cfg.only && !strstr(exp_sc[i].name, cfg.only))
			continue;
		for (unsigned int r = 0; r < cfg.n_exp_rings; r++)
			cells[n++] = (struct cell){ .sc = &exp_sc[i], .tool = TOOL_LIB,
						    .reader = READER_FILE,
						    .ring_kib = cfg.exp_rings[r] };
		for (size_t r = 0; r < ARRAY_SIZE(others); r++)
			cells[n++] = (struct cell){ .sc = &exp_sc[i], .tool = TOOL_LIB,
						    .reader = others[r], .ring_kib = 4096 };
	}
	for (unsigned int k = 0; k < cfg.exp_runs; k++)
		for (size_t i = 0; i < n; i++) {
			size_t j = k % 2 ? n - 1 - i : i;

			check_slots_empty(hook_fd);
			progress("experiment run %u/%u: %s, %s, ring %u KiB", k + 1,
				 cfg.exp_runs, cells[j].sc->name, tool_name(&cells[j]),
				 cells[j].ring_kib);
			run_one(snd, &cells[j], run_no++, cfg.exp_seconds);
		}
	for (size_t i = 0; i < n; i++)
		cell_finish(&cells[i]);
	out->cells = cells;
	out->n = n;
}

static void print_experiments(const struct exp_results *er)
{
	static const char *const cols[] = {
		"stream", "reader (library, in-process thread)", "ring KiB per CPU",
		"offered fps (achieved)", "delivered", "lost (ring full)",
		"reader CPU ns/pkt", "file MB/s", "sender ns/frame",
	};
	char b[9][64];

	table_start(cols, ARRAY_SIZE(cols));
	for (size_t i = 0; i < er->n; i++) {
		const struct cell *c = &er->cells[i];

		snprintf(b[0], sizeof(b[0]), "%s", c->sc->name);
		snprintf(b[1], sizeof(b[1]), "%s", tool_name(c));
		snprintf(b[2], sizeof(b[2]), "%u", c->ring_kib);
		fmt_rate(b[3], sizeof(b[3]), c->med.rate);
		snprintf(b[4], sizeof(b[4]), "%" PRIu64, c->med.captured);
		fmt_count(b[5], sizeof(b[5]), c->med.lost, c->loss_frac);
		snprintf(b[6], sizeof(b[6]), "%.0f (%.0f%% CPU)", c->med.reader_ns,
			 c->med.reader_cpu * 100);
		snprintf(b[7], sizeof(b[7]), "%.0f", c->med.file_mbps);
		snprintf(b[8], sizeof(b[8]), "%.0f", c->med.busy_ns);
		row((const char *const[]){ b[0], b[1], b[2], b[3], b[4], b[5], b[6],
					   b[7], b[8] }, 9);
	}
}

/* --- the copy reference ------------------------------------------------------ */

/*
 * What copying a record and a frame into a ring costs by itself: memcpy
 * on the sender's CPU into a 4 MiB ring, ns per frame.
 */
static double copy_ns(uint32_t len)
{
	uint8_t *ring = xcalloc(1, COPY_RING_BYTES);
	uint8_t rec[CAPTURE_RECORD_BYTES] = { 0 };
	const uint8_t *src = frames[0][len == LARGE_FRAME].data;
	size_t step = (CAPTURE_RECORD_BYTES + len + 8 + 7) & ~(size_t)7, off = 0;
	unsigned int n = 2000000;
	double t0, best = INFINITY;

	for (int round = 0; round < 5; round++) {
		t0 = now_ns();
		for (unsigned int i = 0; i < n; i++) {
			if (off + step > COPY_RING_BYTES)
				off = 0;
			memcpy(ring + off, rec, sizeof(rec));
			memcpy(ring + off + sizeof(rec), src, len);
			off += step;
		}
		t0 = (now_ns() - t0) / n;
		if (t0 < best)
			best = t0;
	}
	__asm__ volatile("" : : "r"(ring) : "memory");
	free(ring);
	return best;
}

/*
 * The same copy into a ring that a thread on another CPU reads, every
 * byte, as a capture's reader must: the cache lines move to that CPU and
 * back. The writer publishes its position once per 64 frames and waits
 * when the ring is full; only its copying is timed.
 */
struct shared_ring {
	uint8_t *buf;
	size_t step, slots;
	_Atomic uint64_t head, tail;	/* in frames */
	_Atomic int stop;
	uint64_t sum;
};

static void *shared_ring_reader(void *arg)
{
	struct shared_ring *r = arg;
	uint64_t t = 0, sum = 0;

	for (;;) {
		uint64_t h = atomic_load_explicit(&r->head, memory_order_acquire);

		if (t == h) {
			if (atomic_load_explicit(&r->stop, memory_order_acquire))
				break;
			continue;
		}
		for (; t < h; t++) {
			const uint64_t *p = (const uint64_t *)(r->buf + (t % r->slots) * r->step);

			for (size_t i = 0; i < r->step / 8; i++)
				sum += p[i];
		}
		atomic_store_explicit(&r->tail, t, memory_order_release);
	}
	r->sum = sum;
	return NULL;
}

static double copy_ns_shared(uint32_t len)
{
	struct shared_ring r = { 0 };
	uint8_t rec[CAPTURE_RECORD_BYTES] = { 0 };
	const uint8_t *src = frames[0][len == LARGE_FRAME].data;
	unsigned int n = len == LARGE_FRAME ? 1000000 : 4000000;
	pthread_attr_t attr;
	pthread_t thread;
	double busy = 0;
	uint64_t h = 0;

	r.step = (CAPTURE_RECORD_BYTES + len + 8 + 7) & ~(size_t)7;
	r.slots = COPY_RING_BYTES / r.step;
	r.buf = xcalloc(r.slots, r.step);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(reader_cpus), &reader_cpus);
	if (pthread_create(&thread, &attr, shared_ring_reader, &r))
		die("pthread_create failed");
	pthread_attr_destroy(&attr);
	while (h < n) {
		double t0;

		while (h + 64 - atomic_load_explicit(&r.tail, memory_order_acquire) > r.slots)
			;
		t0 = now_ns();
		for (int i = 0; i < 64; i++, h++) {
			uint8_t *dst = r.buf + (h % r.slots) * r.step;

			memcpy(dst, rec, sizeof(rec));
			memcpy(dst + sizeof(rec), src, len);
		}
		atomic_store_explicit(&r.head, h, memory_order_release);
		busy += now_ns() - t0;
	}
	atomic_store_explicit(&r.stop, 1, memory_order_release);
	pthread_join(thread, NULL);
	free(r.buf);
	return busy / (double)h;
}

/* --- summary ---------------------------------------------------------------- */

static double copy_small, copy_large;		/* into a private ring */
static double copy_small_sh, copy_large_sh;	/* into a ring another CPU reads */

static void print_goals(const struct live_results *lr)
{
	const char *b = cfg.markdown ? "- " : "";

	printf("%scopy alone, on the sender's CPU, of a 32 B record and the frame into a 4 MiB ring: %.1f ns (64 B) and %.1f ns (1500 B) when nobody reads the ring; %.1f ns and %.1f ns when a thread on another CPU reads it (the bar used below)\n",
	       b, copy_small, copy_large, copy_small_sh, copy_large_sh);
	for (size_t i = 0; i < lr->n; i++) {
		const struct cell *c = &lr->cells[i];
		const struct cell *base = find_cell(lr->cells, lr->n, c->sc, TOOL_NONE);
		char r1[32], r2[32];
		double added;

		if (c->tool == TOOL_NONE)
			continue;
		added = c->med.busy_ns - base->med.busy_ns;
		if (c->sc->target > 0) {
			bool rate_ok = c->med.rate >= 0.99 * c->sc->target;

			printf("%s%s, %s: offered %s fps of a target of %s: %s; missing %" PRIu64 " (%.3f%%): %s; sender +%.0f ns/frame (copy alone %.0f ns): %s\n",
			       b, c->sc->name, tool_name(c),
			       fmt_rate(r1, sizeof(r1), c->med.rate),
			       fmt_rate(r2, sizeof(r2), c->sc->target),
			       rate_ok ? "reached" : "NOT reached",
			       c->med.missing, c->missing_frac * 100,
			       !c->med.missing ? "lossless" : "NOT lossless",
			       added, c->sc->len == SMALL_FRAME ? copy_small_sh : copy_large_sh,
			       added <= (c->sc->len == SMALL_FRAME ? copy_small_sh : copy_large_sh) ?
			       "within" : "MORE than the copy");
		} else {
			printf("%s%s, %s: missing %.3f%% of the frames; sender %.1f%% slower (+%.0f ns/frame)\n",
			       b, c->sc->name, tool_name(c), c->missing_frac * 100,
			       (1 - c->med.rate / base->med.rate) * 100, added);
		}
	}
	for (size_t i = 0; i < lr->n; i++) {
		const struct cell *x = &lr->cells[i];
		const struct cell *t = find_cell(lr->cells, lr->n, x->sc, TOOL_TCPDUMP);
		const struct cell *base = find_cell(lr->cells, lr->n, x->sc, TOOL_NONE);

		if (x->tool != TOOL_XDPCAP || !t || !base)
			continue;
		printf("%s%s: %s %s everything (missing %.3f%%) and slows the sender by %.1f%%; tcpdump misses %.3f%% and slows it by %.1f%%: %s\n",
		       b, x->sc->name, tool_name(x),
		       x->med.missing ? "does NOT capture" : "captures",
		       x->missing_frac * 100, (1 - x->med.rate / base->med.rate) * 100,
		       t->missing_frac * 100, (1 - t->med.rate / base->med.rate) * 100,
		       !x->med.missing && x->med.rate > t->med.rate ? "goal met" : "goal NOT met");
	}
}

/* --- setup ----------------------------------------------------------------- */

static void read_if(const char *name)
{
	struct ifreq ifr = { 0 };
	int fd;

	if_index = (int)if_nametoindex(name);
	if (!if_index)
		die("no interface %s in this network namespace", name);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr))
		die("cannot read the address of %s: %s", name, strerror(errno));
	memcpy(if_mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
}

static const char *fs_name(const char *dir)
{
	static char buf[32];
	struct statfs st;

	if (statfs(dir, &st))
		die("cannot stat %s: %s", dir, strerror(errno));
	switch ((unsigned long)st.f_type) {
	case TMPFS_MAGIC:
		return "tmpfs";
	case EXT4_SUPER_MAGIC:
		return "ext4";
	case XFS_SUPER_MAGIC:
		return "xfs";
	case BTRFS_SUPER_MAGIC:
		return "btrfs";
	case RAMFS_MAGIC:
		return "ramfs";
	default:
		snprintf(buf, sizeof(buf), "0x%lx", (unsigned long)st.f_type);
		return buf;
	}
}

static void usage(FILE *out)
{
	fprintf(out,
"usage: bench_capture --ifname IF --pin PATH --outdir DIR [options]\n"
"Run it in the network namespace of IF (bench/run_capture_bench.sh does).\n"
"  --ifname IF        the interface frames enter on (ingress_ifindex)\n"
"  --pin PATH         where to pin the demo's hook (on bpffs)\n"
"  --outdir DIR       capture files go here (a real disk, not tmpfs)\n"
"  --demo OBJ         the demo program (default " DEFAULT_DEMO ")\n"
"  --nohook OBJ       the demo without hook, and the empty program (default " DEFAULT_NOHOOK ")\n"
"  --filters FILE     filters for the program sizes (default " DEFAULT_FILTERS ")\n"
"  --xdpcap PATH      the command (default " DEFAULT_XDPCAP ")\n"
"  --tcpdump PATH     (default " DEFAULT_TCPDUMP ")\n"
"  --seconds S        sending time of a run (default %.0f)\n"
"  --runs N           runs per configuration, medians shown (default %d)\n"
"  --exp-runs N       runs per experiment (default: --runs)\n"
"  --exp-seconds S    sending time of an experiment run (default %.0f)\n"
"  --rate-64 FPS      paced target for 64 B frames (default %.0f)\n"
"  --rate-1500 FPS    paced target for 1500 B frames (default %.0f)\n"
"  --tick-us US       paced: frames per test run = rate x US (default %d)\n"
"  --spin             paced: wait for the next test run by spinning, not sleeping\n"
"  --batch N          live test-run batch size, 1-256 (default: the kernel's, 64)\n"
"  --exp-rings LIST   ring sizes in KiB for the experiments (default " DEFAULT_EXP_RINGS ")\n"
"  --cpu N            the sender's CPU (default the last allowed one)\n"
"  --readers-anywhere let xdpcap, tcpdump and reader threads run on the sender's\n"
"                     CPU too (default: on the other CPUs only)\n"
"  --only TEXT        only scenarios whose name contains TEXT\n"
"  --no-live, --no-hook-cost, --no-sizes, --no-experiments: skip a part\n"
"  --no-attach        do not attach the demo to IF (each test run then waits for RCU)\n"
"  --capinfos         count every capture file with capinfos too\n"
"  --verbose          show what xdpcap and tcpdump print (statistics every second)\n"
"  --no-expedite-rcu  leave /sys/kernel/rcu_expedited alone\n"
"  --markdown         GitHub markdown tables\n",
		DEFAULT_SECONDS, DEFAULT_RUNS, DEFAULT_EXP_SECONDS, DEFAULT_RATE_SMALL, DEFAULT_RATE_LARGE,
		DEFAULT_TICK_US);
}

static double parse_double(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		die("%s wants a number from %g to %g, not '%s'", opt, lo, hi, s);
	return v;
}

static void parse_rings(const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;

	cfg.n_exp_rings = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (cfg.n_exp_rings == MAX_EXP_RINGS)
			die("--exp-rings: at most %d sizes", MAX_EXP_RINGS);
		cfg.exp_rings[cfg.n_exp_rings++] =
			(unsigned int)parse_double("--exp-rings", tok, 8, 1 << 22);
	}
	free(copy);
}

static void parse_args(int argc, char **argv)
{
	enum { O_IF = 256, O_PIN, O_OUT, O_DEMO, O_NOHOOK, O_FILTERS, O_XDPCAP,
	       O_TCPDUMP, O_SECONDS, O_EXP_SECONDS, O_RUNS, O_EXP_RUNS, O_RATE_S, O_RATE_L, O_TICK,
	       O_BATCH, O_RINGS, O_CPU, O_ANYWHERE, O_SPIN, O_ONLY, O_NO_LIVE, O_NO_HOOK, O_NO_SIZES,
	       O_NO_EXP, O_NO_ATTACH, O_CAPINFOS, O_VERBOSE, O_NO_RCU, O_MD, O_HELP };
	static const struct option longopts[] = {
		{ "ifname", required_argument, NULL, O_IF },
		{ "pin", required_argument, NULL, O_PIN },
		{ "outdir", required_argument, NULL, O_OUT },
		{ "demo", required_argument, NULL, O_DEMO },
		{ "nohook", required_argument, NULL, O_NOHOOK },
		{ "filters", required_argument, NULL, O_FILTERS },
		{ "xdpcap", required_argument, NULL, O_XDPCAP },
		{ "tcpdump", required_argument, NULL, O_TCPDUMP },
		{ "seconds", required_argument, NULL, O_SECONDS },
		{ "exp-seconds", required_argument, NULL, O_EXP_SECONDS },
		{ "runs", required_argument, NULL, O_RUNS },
		{ "exp-runs", required_argument, NULL, O_EXP_RUNS },
		{ "rate-64", required_argument, NULL, O_RATE_S },
		{ "rate-1500", required_argument, NULL, O_RATE_L },
		{ "tick-us", required_argument, NULL, O_TICK },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "exp-rings", required_argument, NULL, O_RINGS },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "readers-anywhere", no_argument, NULL, O_ANYWHERE },
		{ "spin", no_argument, NULL, O_SPIN },
		{ "only", required_argument, NULL, O_ONLY },
		{ "no-live", no_argument, NULL, O_NO_LIVE },
		{ "no-hook-cost", no_argument, NULL, O_NO_HOOK },
		{ "no-sizes", no_argument, NULL, O_NO_SIZES },
		{ "no-experiments", no_argument, NULL, O_NO_EXP },
		{ "no-attach", no_argument, NULL, O_NO_ATTACH },
		{ "capinfos", no_argument, NULL, O_CAPINFOS },
		{ "verbose", no_argument, NULL, O_VERBOSE },
		{ "no-expedite-rcu", no_argument, NULL, O_NO_RCU },
		{ "markdown", no_argument, NULL, O_MD },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	bool exp_runs_set = false;

	cfg = (struct config){
		.demo_path = DEFAULT_DEMO,
		.nohook_path = DEFAULT_NOHOOK,
		.filters_path = DEFAULT_FILTERS,
		.xdpcap_path = DEFAULT_XDPCAP,
		.tcpdump_path = DEFAULT_TCPDUMP,
		.seconds = DEFAULT_SECONDS,
		.exp_seconds = DEFAULT_EXP_SECONDS,
		.runs = DEFAULT_RUNS,
		.rate_small = DEFAULT_RATE_SMALL,
		.rate_large = DEFAULT_RATE_LARGE,
		.tick_us = DEFAULT_TICK_US,
		.hook_repeat = DEFAULT_HOOK_REPEAT,
		.hook_rounds = DEFAULT_HOOK_ROUNDS,
		.cpu = -1,
		.attach = true,
		.expedite_rcu = true,
		.do_live = true, .do_hook = true, .do_sizes = true, .do_exp = true,
	};
	parse_rings(DEFAULT_EXP_RINGS);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_IF: cfg.ifname = optarg; break;
		case O_PIN: cfg.pin = optarg; break;
		case O_OUT: cfg.outdir = optarg; break;
		case O_DEMO: cfg.demo_path = optarg; break;
		case O_NOHOOK: cfg.nohook_path = optarg; break;
		case O_FILTERS: cfg.filters_path = optarg; break;
		case O_XDPCAP: cfg.xdpcap_path = optarg; break;
		case O_TCPDUMP: cfg.tcpdump_path = optarg; break;
		case O_SECONDS: cfg.seconds = parse_double("--seconds", optarg, 0.1, 600); break;
		case O_EXP_SECONDS:
			cfg.exp_seconds = parse_double("--exp-seconds", optarg, 0.1, 600);
			break;
		case O_RUNS:
			cfg.runs = (unsigned int)parse_double("--runs", optarg, 1, MAX_RUNS);
			break;
		case O_EXP_RUNS:
			cfg.exp_runs = (unsigned int)parse_double("--exp-runs", optarg, 1, MAX_RUNS);
			exp_runs_set = true;
			break;
		case O_RATE_S: cfg.rate_small = parse_double("--rate-64", optarg, 1, 1e9); break;
		case O_RATE_L: cfg.rate_large = parse_double("--rate-1500", optarg, 1, 1e9); break;
		case O_TICK:
			cfg.tick_us = (unsigned int)parse_double("--tick-us", optarg, 10, 1e6);
			break;
		case O_BATCH:
			cfg.batch = (unsigned int)parse_double("--batch", optarg, 1, 256);
			break;
		case O_RINGS: parse_rings(optarg); break;
		case O_CPU: cfg.cpu = (int)parse_double("--cpu", optarg, 0, CPU_SETSIZE - 1); break;
		case O_ANYWHERE: cfg.readers_anywhere = true; break;
		case O_SPIN: cfg.spin = true; break;
		case O_ONLY: cfg.only = optarg; break;
		case O_NO_LIVE: cfg.do_live = false; break;
		case O_NO_HOOK: cfg.do_hook = false; break;
		case O_NO_SIZES: cfg.do_sizes = false; break;
		case O_NO_EXP: cfg.do_exp = false; break;
		case O_NO_ATTACH: cfg.attach = false; break;
		case O_CAPINFOS: cfg.capinfos = true; break;
		case O_VERBOSE: cfg.verbose = true; break;
		case O_NO_RCU: cfg.expedite_rcu = false; break;
		case O_MD: cfg.markdown = true; break;
		case 'h':
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc || !cfg.ifname || !cfg.pin || !cfg.outdir) {
		usage(stderr);
		exit(2);
	}
	if (!exp_runs_set)
		cfg.exp_runs = cfg.runs;
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct live_results lr = { 0 };
	struct exp_results er = { 0 };
	struct hook_cost hc = { 0 };
	struct sizes sz = { 0 };
	struct progs pg = { 0 };
	struct sender snd;
	struct utsname uts;
	char loadavg[64];
	const char *rcu, *fs;
	double t_start = now_ns();

	parse_args(argc, argv);
	if (sched_getaffinity(0, sizeof(all_cpus), &all_cpus))
		die("sched_getaffinity: %s", strerror(errno));
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		signal(sigs[i], on_fatal_signal);
	libbpf_set_print(NULL);
	read_if(cfg.ifname);
	fs = fs_name(cfg.outdir);
	if (!strcmp(fs, "tmpfs") || !strcmp(fs, "ramfs"))
		die("%s is on %s: the capture files must go to a disk", cfg.outdir, fs);

	build_frame(&frames[0][0], SMALL_FRAME, DROP_PORT);
	build_frame(&frames[0][1], LARGE_FRAME, DROP_PORT);
	build_frame(&frames[1][0], SMALL_FRAME, PASS_PORT);
	build_frame(&frames[1][1], LARGE_FRAME, PASS_PORT);
	load_programs(&pg);
	sender_cpu = pin_self(cfg.cpu);
	reader_cpus = all_cpus;
	if (!cfg.readers_anywhere && CPU_COUNT(&all_cpus) > 1)
		CPU_CLR(sender_cpu, &reader_cpus);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	rcu = rcu_expedite(cfg.expedite_rcu && cfg.do_hook);
	snd = (struct sender){
		.prog_fd = pg.demo_fd,
		.ifindex = if_index,
		.batch = cfg.batch,
		.tick_us = cfg.tick_us,
		.spin = cfg.spin,
	};
	/* the source works here, or says why not */
	for (int a = 0; a < 2; a++)
		for (int l = 0; l < 2; l++) {
			int err = test_run_live(&snd, &frames[a][l], 64);

			if (err)
				die("live BPF_PROG_TEST_RUN on %s failed: %s (kernel 5.18 or later, and root, needed)",
				    cfg.ifname, strerror(-err));
		}
	make_scenarios();

	uname(&uts);
	read_loadavg(loadavg, sizeof(loadavg));
	if (cfg.markdown)
		printf("<!--\n");
	printf("xdpcap live-capture benchmark: kernel %s, %d CPUs, sender on CPU %d, readers %s, BPF JIT %s, rcu_expedited %s\n",
	       uts.release, CPU_COUNT(&all_cpus), sender_cpu,
	       CPU_COUNT(&reader_cpus) < CPU_COUNT(&all_cpus) ? "on the other CPUs" : "anywhere",
	       jit_state(pg.demo_fd), rcu);
	printf("load average at start: %s\n", loadavg);
	printf("frames on %s (ifindex %d) via BPF_PROG_TEST_RUN live frames, batch %u, demo %s the interface; capture files in %s (%s)\n",
	       cfg.ifname, if_index, cfg.batch ? cfg.batch : 64,
	       pg.attached ? "attached to" : "not attached to", cfg.outdir, fs);
	printf("%u runs of %.1f s per configuration (medians), experiments %u of %.1f s; paced: test runs of rate x %u us\n",
	       cfg.runs, cfg.seconds, cfg.exp_runs, cfg.exp_seconds, cfg.tick_us);
	printf(cfg.markdown ? "-->\n\n" : "\n");
	fflush(stdout);

	if (cfg.do_sizes) {
		progress("capture program sizes");
		measure_sizes(&sz);
	}
	if (cfg.do_hook) {
		progress("hook cost");
		measure_hook_cost(&pg, &hc);
		rcu_restore();
	}
	copy_small = copy_ns(SMALL_FRAME);
	copy_large = copy_ns(LARGE_FRAME);
	copy_small_sh = copy_ns_shared(SMALL_FRAME);
	copy_large_sh = copy_ns_shared(LARGE_FRAME);
	if (cfg.do_live && n_scenarios)
		run_live(&snd, pg.hook_fd, &lr);
	if (cfg.do_exp)
		run_experiments(&snd, pg.hook_fd, &er);

	if (lr.n) {
		printf("%sLive capture%s\n\n", cfg.markdown ? "### " : "", cfg.markdown ? "" : ":");
		print_live(&lr);
		printf("\nMedians over the runs. Frames: 64 or 1500 B as XDP sees them, UDP to port %d (dropped)\n"
		       "or %d (passed: up %s's stack to 192.0.2.1, no listener, ICMP errors off, so they\n"
		       "end in udp_rcv). lost: as the tool reports it, %% of what it matched or received;\n"
		       "missing: frames sent that are not in the file, %% of those sent. reader CPU: the\n"
		       "capturing process's CPU time (wait4) per captured packet, and over the sending time.\n"
		       "sender ns/frame: time in the test runs per frame. At full speed a capture that loses\n"
		       "frames costs less per frame (a full ring refuses a record quickly): the paced rows\n"
		       "give the cost of a delivered frame.\n\n",
		       DROP_PORT, PASS_PORT, cfg.ifname);
		print_goals(&lr);
		printf("\n");
	}
	if (hc.ok) {
		printf("%sHook cost%s\n\n", cfg.markdown ? "### " : "", cfg.markdown ? "" : ":");
		print_hook_cost(&hc);
		printf("\n");
	}
	if (sz.measured) {
		printf("%sCapture program sizes%s\n\n", cfg.markdown ? "### " : "", cfg.markdown ? "" : ":");
		print_sizes(&sz);
		printf("\n");
	}
	if (er.n) {
		printf("%sExperiments: the capture library with other rings and readers%s\n\n",
		       cfg.markdown ? "### " : "", cfg.markdown ? "" : ":");
		print_experiments(&er);
		printf("\n");
	}
	read_loadavg(loadavg, sizeof(loadavg));
	printf("%sload average at the end: %s; run time: %.0f s\n", cfg.markdown ? "- " : "",
	       loadavg, (now_ns() - t_start) / 1e9);

	free(lr.cells);
	free(er.cells);
	unload_programs(&pg);
	return 0;
}
