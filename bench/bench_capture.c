// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Live-capture benchmark: xdpcap on a stream of frames that the demo XDP
 * program drops or passes, at a chosen rate, against tcpdump.
 *
 * Traffic source: an AF_PACKET socket on the other end of the veth pair
 * (--peer-ifname in --peer-netns) sends frames built here: Ethernet, IPv4
 * 192.0.2.2 -> 192.0.2.1, UDP to port 9 (the demo drops them) or to port
 * 5001 (it passes them). They arrive on --ifname, where the demo program
 * (bpf/examples/xdpcap_demo.bpf.o, loaded here with libbpf, its hook
 * pinned for xdpcap) runs in native XDP: passed frames go up that
 * interface's stack, where tcpdump sees them; dropped ones go nowhere.
 * Frame sizes are as XDP sees them (no FCS). The source runs on one CPU
 * (--cpu), where the veth also runs XDP for what it sends: full speed
 * (sendmmsg back to back) or paced (rate x --tick-us frames, then a sleep
 * until the schedule is met). Its achieved rate is what the table calls
 * offered, and the time spent sending per frame, XDP included, is its
 * cost ("sender ns/frame"). It needs no live BPF_PROG_TEST_RUN, which
 * some kernels refuse.
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
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <linux/magic.h>
#include <bpf/libbpf.h>

#include "common.h"
#include "capture/bench_capture.h"

struct config cfg;
cpu_set_t all_cpus;	/* the affinity we started with */
cpu_set_t reader_cpus;	/* where xdpcap, tcpdump and reader threads run */
int sender_cpu;
uint8_t if_mac[6];
int if_index;
pid_t children[8];
double disk_mbps;
struct frame frames[2][2];	/* [drop, pass][small, large] */
char hook_path[512];

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
"  --ifname IF        the interface frames enter on, where the demo runs\n"
"  --peer-netns NS    the network namespace of IF's veth peer\n"
"  --peer-ifname IF   IF's veth peer, where frames are sent from\n"
"  --pin PATH         where to pin the demo's hook (on bpffs)\n"
"  --outdir DIR       capture files go here (a real disk, not tmpfs)\n"
"  --demo OBJ         the demo program (default " DEFAULT_DEMO ")\n"
"  --nohook OBJ       the demo without hook, and the empty program (default " DEFAULT_NOHOOK ")\n"
"  --exit-only OBJ    the demo without xdpcap_enter (default " DEFAULT_EXIT_ONLY ")\n"
"  --enter-meta OBJ   the demo with 0.1's xdpcap_enter (default " DEFAULT_ENTER_META ")\n"
"  --filters FILE     filters for the program sizes (default " DEFAULT_FILTERS ")\n"
"  --xdpcap PATH      the command (default " DEFAULT_XDPCAP ")\n"
"  --tcpdump PATH     (default " DEFAULT_TCPDUMP ")\n"
"  --seconds S        sending time of a run (default %.0f)\n"
"  --runs N           runs per configuration, medians shown (default %d)\n"
"  --exp-runs N       runs per experiment (default: --runs)\n"
"  --exp-seconds S    sending time of an experiment run (default %.0f)\n"
"  --rate-64 FPS      paced target for 64 B frames (default %.0f)\n"
"  --rate-1500 FPS    paced target for 1500 B frames (default %.0f)\n"
"  --tick-us US       paced: frames sent at once = rate x US (default %d)\n"
"  --spin             paced: wait for the next send by spinning, not sleeping\n"
"  --batch N          frames per sendmmsg, 1-1024 (default 64)\n"
"  --exp-rings LIST   ring sizes in KiB for the experiments (default " DEFAULT_EXP_RINGS ")\n"
"  --cpu N            the sender's CPU (default the last allowed one)\n"
"  --readers-anywhere let xdpcap, tcpdump and reader threads run on the sender's\n"
"                     CPU too (default: on the other CPUs only)\n"
"  --only TEXT        only scenarios whose name contains TEXT\n"
"  --no-live, --no-hook-cost, --no-sizes, --no-experiments: skip a part\n"
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
	enum { O_IF = 256, O_PIN, O_OUT, O_DEMO, O_NOHOOK, O_EXIT_ONLY, O_ENTER_META, O_FILTERS, O_XDPCAP,
	       O_TCPDUMP, O_SECONDS, O_EXP_SECONDS, O_RUNS, O_EXP_RUNS, O_RATE_S, O_RATE_L, O_TICK,
	       O_BATCH, O_RINGS, O_CPU, O_ANYWHERE, O_SPIN, O_ONLY, O_NO_LIVE, O_NO_HOOK, O_NO_SIZES,
	       O_NO_EXP, O_PEER_NETNS, O_PEER_IF, O_CAPINFOS, O_VERBOSE, O_NO_RCU, O_MD, O_HELP };
	static const struct option longopts[] = {
		{ "ifname", required_argument, NULL, O_IF },
		{ "pin", required_argument, NULL, O_PIN },
		{ "outdir", required_argument, NULL, O_OUT },
		{ "demo", required_argument, NULL, O_DEMO },
		{ "nohook", required_argument, NULL, O_NOHOOK },
		{ "exit-only", required_argument, NULL, O_EXIT_ONLY },
		{ "enter-meta", required_argument, NULL, O_ENTER_META },
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
		{ "peer-netns", required_argument, NULL, O_PEER_NETNS },
		{ "peer-ifname", required_argument, NULL, O_PEER_IF },
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
		.exit_only_path = DEFAULT_EXIT_ONLY,
		.enter_meta_path = DEFAULT_ENTER_META,
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
		case O_EXIT_ONLY: cfg.exit_only_path = optarg; break;
		case O_ENTER_META: cfg.enter_meta_path = optarg; break;
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
			cfg.batch = (unsigned int)parse_double("--batch", optarg, 1, MAX_BATCH);
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
		case O_PEER_NETNS: cfg.peer_netns = optarg; break;
		case O_PEER_IF: cfg.peer_ifname = optarg; break;
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
	if (optind != argc || !cfg.ifname || !cfg.pin || !cfg.outdir ||
	    !cfg.peer_netns || !cfg.peer_ifname) {
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
		.sock = open_sender_socket(cfg.peer_netns, cfg.peer_ifname),
		.batch = cfg.batch,
		.tick_us = cfg.tick_us,
		.spin = cfg.spin,
	};
	make_scenarios();
	disk_mbps = cfg.do_live ? direct_write_mbps(cfg.outdir) : 0;

	uname(&uts);
	bench_read_loadavg(loadavg, sizeof(loadavg));
	if (cfg.markdown)
		printf("<!--\n");
	printf("xdpcap live-capture benchmark: kernel %s, %d CPUs, sender on CPU %d, readers %s, BPF JIT %s, rcu_expedited %s\n",
	       uts.release, CPU_COUNT(&all_cpus), sender_cpu,
	       CPU_COUNT(&reader_cpus) < CPU_COUNT(&all_cpus) ? "on the other CPUs" : "anywhere",
	       jit_state(pg.demo_fd), rcu);
	printf("load average at start: %s\n", loadavg);
	printf("frames sent from %s (AF_PACKET, sendmmsg of %u, qdisc bypassed) to %s (ifindex %d), the demo attached there in native XDP; capture files in %s (%s)\n",
	       cfg.peer_ifname, cfg.batch ? cfg.batch : DEFAULT_BATCH, cfg.ifname, if_index,
	       cfg.outdir, fs);
	if (disk_mbps)
		printf("that disk takes %.0f MB/s written with O_DIRECT in 1 MiB writes (median of 3 x 1 GiB): the \"of disk\" column's 100%%\n",
		       disk_mbps);
	printf("%u runs of %.1f s per configuration (medians), experiments %u of %.1f s; paced: rate x %u us frames at a time\n",
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
		bench_rcu_restore();
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
		       "sender ns/frame: time in sendmmsg per frame, XDP included. At full speed a capture that loses\n"
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
	bench_read_loadavg(loadavg, sizeof(loadavg));
	printf("%sload average at the end: %s; run time: %.0f s\n", cfg.markdown ? "- " : "",
	       loadavg, (now_ns() - t_start) / 1e9);

	free(lr.cells);
	free(er.cells);
	unload_programs(&pg);
	return 0;
}
