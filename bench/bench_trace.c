// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * What a capture costs an XDP program per packet, through a hook and by
 * tracing (fexit), timed with BPF_PROG_TEST_RUN:
 *
 *   the demo with its hook (bpf/examples/xdpcap_demo.bpf.o), captured
 *   through the hook; the same logic without a hook (bench/xdp_nohook.bpf.o),
 *   captured by tracing it. Each with a filter that matches no frame (one
 *   reading the headers, one reading byte 1500, as far as a traced
 *   capture then copies) and one that matches every frame (a thread
 *   reads the ring meanwhile), on
 *   dropped UDP frames of 64 and 1514 bytes. Each cost is against the same
 *   program timed without a capture just before.
 *
 *   bench_trace [--rounds N] [--repeat N] [--pin PATH] DEMO.o NOHOOK.o
 *
 * Where the kernel refuses tracing programs, the traced rows say so.
 * Needs root and a bpffs at /sys/fs/bpf.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <getopt.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpcap/capture.h"
#include "xdpcap/kernel.h"

#define MAX_FRAME 1514
#define DROP_PORT 9		/* the demo drops UDP to port 9 */

struct frame {
	uint8_t data[MAX_FRAME];
	uint32_t len;
};

static unsigned int rounds = 15, repeat = 20000;
static const char *pin = "/sys/fs/bpf/xdpcap-bench-trace";

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_trace: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Ethernet, IPv4 192.0.2.2 -> 192.0.2.1, UDP to port 9: len bytes */
static void build_frame(struct frame *f, uint32_t len)
{
	uint8_t *p = f->data;

	memset(p, 0, sizeof(f->data));
	f->len = len;
	p[12] = 0x08;
	p[14] = 0x45;
	p[16] = (uint8_t)((len - 14) >> 8);
	p[17] = (uint8_t)(len - 14);
	p[22] = 64;
	p[23] = 17;
	memcpy(p + 26, (const uint8_t[]){ 192, 0, 2, 2, 192, 0, 2, 1 }, 8);
	p[36] = 0;
	p[37] = DROP_PORT;
	p[38] = (uint8_t)((len - 34) >> 8);
	p[39] = (uint8_t)(len - 34);
}

static double run_ns(int fd, const struct frame *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data, .data_size_in = f->len,
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &opts))
		die("BPF_PROG_TEST_RUN failed: %s", strerror(errno));
	return opts.duration;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* the program on f: the median of its rounds */
static double time_prog(int fd, const struct frame *f)
{
	double *v = calloc(rounds, sizeof(double)), m;

	if (!v)
		die("out of memory");
	run_ns(fd, f);	/* warm up */
	for (unsigned int k = 0; k < rounds; k++)
		v[k] = run_ns(fd, f);
	qsort(v, rounds, sizeof(double), cmp_double);
	m = v[rounds / 2];
	free(v);
	return m;
}

/* A capture whose ring a thread empties while the programs run. */
struct running {
	struct xdpcap_capture *cap;
	pthread_t reader;
	atomic_bool stop;
	uint64_t packets;
};

static int count_packet(const struct xdpcap_packet *pkt, void *ctx)
{
	(void)pkt;
	((struct running *)ctx)->packets++;
	return 0;
}

static void *read_ring(void *arg)
{
	struct running *r = arg;

	while (!atomic_load(&r->stop))
		xdpcap_capture_poll(r->cap, 10, count_packet, r);
	return NULL;
}

static bool start(struct running *r, const char *hook, const char *filter, char *why)
{
	XDPCAP_OPTS(xdpcap_capture_opts, opts, .ring_kib = 4096);

	memset(r, 0, sizeof(*r));
	if (xdpcap_capture_open(hook, filter, &opts, &r->cap, why) ||
	    xdpcap_capture_start(r->cap, why)) {
		xdpcap_capture_close(r->cap);
		r->cap = NULL;
		return false;
	}
	if (pthread_create(&r->reader, NULL, read_ring, r))
		die("pthread_create failed");
	return true;
}

static void stop(struct running *r)
{
	if (!r->cap)
		return;
	atomic_store(&r->stop, true);
	pthread_join(r->reader, NULL);
	xdpcap_capture_stop(r->cap, NULL, NULL);
	xdpcap_capture_close(r->cap);
	r->cap = NULL;
}

static int load(const char *path, const char *name, struct bpf_object **obj)
{
	struct bpf_program *prog;

	*obj = bpf_object__open_file(path, NULL);
	if (!*obj || bpf_object__load(*obj))
		die("cannot load %s", path);
	prog = bpf_object__find_program_by_name(*obj, name);
	if (!prog)
		die("%s has no program %s", path, name);
	return bpf_program__fd(prog);
}

static uint32_t prog_id(int fd)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("cannot read a program's id: %s", strerror(errno));
	return info.id;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "pin", required_argument, NULL, 'p' },
		{ 0 },
	};
	/* the second reads to byte 1500: a traced capture copies it all */
	static const char *const filters[3] = { "udp port 7", "ether[1500] = 1", "" };
	static const char *const filter_names[3] = {
		"matches no frame", "matches no frame, reads byte 1500", "matches every frame"
	};
	static const uint32_t lens[2] = { 64, MAX_FRAME };
	XDPCAP_OPTS(xdpcap_kernel, k);
	char errbuf[XDPCAP_ERRBUF_SIZE], traced[32], why[XDPCAP_ERRBUF_SIZE];
	struct bpf_object *demo_obj, *nohook_obj;
	struct frame frames[2];
	int demo_fd, nohook_fd, c;
	struct bpf_map *hook;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'r')
			rounds = (unsigned int)strtoul(optarg, NULL, 10);
		else if (c == 'n')
			repeat = (unsigned int)strtoul(optarg, NULL, 10);
		else if (c == 'p')
			pin = optarg;
		else
			return 2;
	}
	if (argc - optind != 2 || !rounds || !repeat) {
		fprintf(stderr, "usage: bench_trace [--rounds N] [--repeat N] [--pin PATH] DEMO.o NOHOOK.o\n");
		return 2;
	}
	libbpf_set_print(NULL);
	if (xdpcap_kernel_probe(&k, errbuf))
		die("%s", errbuf);
	demo_fd = load(argv[optind], "xdpcap_demo", &demo_obj);
	nohook_fd = load(argv[optind + 1], "xdpcap_demo", &nohook_obj);
	hook = bpf_object__find_map_by_name(demo_obj, "xdpcap_hook");
	unlink(pin);
	if (!hook || bpf_map__pin(hook, pin))
		die("cannot pin the demo's hook at %s: %s", pin, strerror(errno));
	snprintf(traced, sizeof(traced), "prog:%u", prog_id(nohook_fd));
	for (int i = 0; i < 2; i++)
		build_frame(&frames[i], lens[i]);

	printf("Capture cost per packet, BPF_PROG_TEST_RUN of %u frames x %u rounds (medians), dropped UDP frames\n",
	       repeat, rounds);
	printf("tracing XDP programs here: %s (%s)\n\n", k.trace_xdp ? "yes" : "no", k.trace_reason);
	printf("| way in | filter | frame | program ns, no capture | with the capture | cost ns/packet | ratio |\n");
	printf("|---|---|--:|--:|--:|--:|--:|\n");
	for (int way = 0; way < 2; way++) {
		int fd = way ? nohook_fd : demo_fd;

		for (int fl = 0; fl < 3; fl++) {
			struct running r;
			double base[2], with[2];

			for (int fr = 0; fr < 2; fr++)
				base[fr] = time_prog(fd, &frames[fr]);
			if (!start(&r, way ? traced : pin, filters[fl], why)) {
				printf("| %s | %s | | | refused: %s | | |\n",
				       way ? "fexit (no hook)" : "hook", filter_names[fl], why);
				continue;
			}
			for (int fr = 0; fr < 2; fr++)
				with[fr] = time_prog(fd, &frames[fr]);
			stop(&r);
			for (int fr = 0; fr < 2; fr++)
				printf("| %s | %s | %u B | %.1f | %.1f | %.1f | %.2f |\n",
				       way ? "fexit (no hook)" : "hook", filter_names[fl], lens[fr],
				       base[fr], with[fr], with[fr] - base[fr],
				       base[fr] > 0 ? with[fr] / base[fr] : 0.0);
		}
	}
	unlink(pin);
	bpf_object__close(nohook_obj);
	bpf_object__close(demo_obj);
	return 0;
}
