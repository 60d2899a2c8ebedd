// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Declarations shared by the files of the live-capture benchmark
 * (bench/bench_capture.c and bench/capture/).
 */
#ifndef BENCH_CAPTURE_H
#define BENCH_CAPTURE_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "xdpcap/capture.h"
#include "xdpcap/output.h"

#define DEFAULT_DEMO "bpf/examples/xdpcap_demo.bpf.o"
#define DEFAULT_NOHOOK "bench/xdp_nohook.bpf.o"
#define DEFAULT_EXIT_ONLY "bench/xdp_exit_only.bpf.o"
#define DEFAULT_ENTER_META "bench/xdp_enter_meta.bpf.o"
/* the rate cap measured on the paced 64-byte flood */
#define CAPPED_RATE 10000u
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
	const char *peer_netns, *peer_ifname;	/* where the frames are sent from */
	const char *pin;
	const char *outdir;
	const char *demo_path;
	const char *nohook_path;
	const char *exit_only_path;
	const char *enter_meta_path;
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

#define DEFAULT_BATCH 64
#define MAX_BATCH 1024

struct sender {
	int sock;		/* open_sender_socket() */
	unsigned int batch, tick_us;
	bool spin;		/* paced: wait by spinning, not sleeping */
};

struct send_result {
	uint64_t frames;
	double seconds;
	double busy_ns;		/* inside sendmmsg */
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
	bool direct_copy;	/* xdpcap with XDPCAP_COPY=direct */
	const char *writer;	/* xdpcap with XDPCAP_WRITER=this; NULL: the default */
	uint32_t max_rate;	/* xdpcap --max-rate; 0: none */
	struct run runs[MAX_RUNS];
	unsigned int n;
	struct run med;
	double loss_frac;	/* median of lost / (captured + lost) */
	double missing_frac;	/* median of missing / sent */
};

struct progs {
	struct bpf_object *demo_obj, *nohook_obj, *exit_only_obj, *enter_meta_obj;
	int demo_fd, hook_fd, nohook_fd, empty_fd, exit_only_fd, enter_meta_fd;
	bool attached;
};

struct child {
	pid_t pid;
	int fd;			/* its stderr */
	char log[MAX_CHILD_LOG];
	size_t len;
	struct rusage ru;
	int status;
};

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

struct live_results {
	struct cell *cells;
	size_t n;
};

struct hook_cost {
	/* [frame: drop, pass][program] ns per run */
	double ns[2][9];
	/* [frame] the demo without xdpcap_enter, and the demo, timed together */
	double exit_only_ns[2], with_entry_ns[2];
	/* [frame] the demo with 0.1's xdpcap_enter (metadata mark) and
	 * the demo, timed together with the demo without xdpcap_enter */
	double meta_ns[2], flag_ns[2], meta_exit_only_ns[2];
	/* [frame][phase] the empty program and the demo without hook */
	double empty_ns[2][6], nohook_ns[2][6];
	bool ok;
};

struct sizes {
	size_t measured, failed;
	double median, geomean, min, max;
	size_t ip, host_pair, match_all;
};

struct exp_results {
	struct cell *cells;
	size_t n;
};

extern struct config cfg;
extern cpu_set_t all_cpus;	/* the affinity we started with */
extern cpu_set_t reader_cpus;	/* where xdpcap, tcpdump and reader threads run */
extern int sender_cpu;
extern uint8_t if_mac[6];
extern int if_index;
extern pid_t children[8];
extern struct frame frames[2][2];	/* [drop, pass][small, large] */
extern char hook_path[512];
extern double disk_mbps;	/* the output directory's disk, O_DIRECT; 0: not measured */
extern size_t n_scenarios;
extern double copy_small, copy_large;
extern double copy_small_sh, copy_large_sh;

/* util.c */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xcalloc(size_t n, size_t size);
double now_ns(void);
void sleep_until(double t_ns);
void sleep_s(double s);
double median(double *v, size_t n);
double geomean(const double *v, size_t n);
double trimmed_mean(double *v, size_t n);
void on_fatal_signal(int sig);
const char *rcu_expedite(bool want);
int pin_self(int cpu);
uint64_t file_size(const char *path);

/* traffic.c */
void build_frame(struct frame *f, uint32_t len, uint16_t dport);
const struct frame *frame_for(unsigned int action, uint32_t len);
int open_sender_socket(const char *netns, const char *ifname);
int send_frames(const struct sender *s, const struct frame *f, uint32_t n);
double direct_write_mbps(const char *dir);
struct send_result send_for(const struct sender *s, const struct frame *f,
			    double rate, double seconds);
void load_programs(struct progs *p);
const char *jit_state(int prog_fd);
void unload_programs(struct progs *p);
void check_slots_empty(int hook_fd);

/* readers.c */
void child_start(struct child *c, char *const argv[], const char *ready);
void child_stop(struct child *c);
bool log_count(const char *log, const char *what, uint64_t *v);
double rusage_ns(const struct rusage *ru);
uint64_t capinfos_count(const char *path);
void wait_file_settles(const char *path);
void lib_start(struct lib_capture *lc, enum reader reader,
	       unsigned int ring_kib, const char *path);
void lib_stop(struct lib_capture *lc, struct run *r);

/* scenarios.c */
void make_scenarios(void);
struct cell *find_cell(struct cell *cells, size_t n, const struct scenario *sc,
		       enum tool tool);
void run_live(const struct sender *snd, int hook_fd, struct live_results *out);
void run_experiments(const struct sender *snd, int hook_fd,
		     struct exp_results *out);

/* report.c */
const char *tool_name(const struct cell *c);
void table_start(const char *const *cols, size_t n);
void row(const char *const *cells, size_t n);
void print_live(const struct live_results *lr);
void print_experiments(const struct exp_results *er);
void print_goals(const struct live_results *lr);

/* hook_cost.c */
void measure_hook_cost(const struct progs *pg, struct hook_cost *hc);
void print_hook_cost(const struct hook_cost *hc);
double copy_ns(uint32_t len);
double copy_ns_shared(uint32_t len);

/* prog_size.c */
void measure_sizes(struct sizes *sz);
void print_sizes(const struct sizes *sz);

#endif /* BENCH_CAPTURE_H */
