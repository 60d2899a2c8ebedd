// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pcap_module_api DEVICE: the libpcap calls programs other than tcpdump
 * make, on an xdp: device, run by tests/pcap_module*.sh while UDP to port
 * 9 flows through the hook (and nothing to port 7). One line per check,
 * "ok NAME" or "not ok NAME: why"; the script counts them.
 *
 * Needs libpcap with xdp: devices: preloaded or built in.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pcap/pcap.h>

static int failures;

__attribute__((format(printf, 3, 4)))
static void check(bool good, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (good) {
		printf("ok %s\n", name);
		return;
	}
	failures++;
	printf("not ok %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * A time limit stretched as the shell tests stretch theirs on a slow
 * (emulated) CPU: XDPCAP_TEST_TIME_SCALE times ms.
 */
static uint64_t scaled_ms(uint64_t ms)
{
	const char *scale = getenv("XDPCAP_TEST_TIME_SCALE");
	long k = scale ? strtol(scale, NULL, 10) : 1;

	return ms * (uint64_t)(k > 1 ? k : 1);
}

static int set_filter(pcap_t *p, const char *text)
{
	struct bpf_program prog;
	int err;

	if (pcap_compile(p, &prog, text, 1, PCAP_NETMASK_UNKNOWN))
		return -1;
	err = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	return err;
}

struct seen {
	int packets;
	bool all_udp9;
	uint32_t caplen_max;
	long usec_max;
};

/* Ethernet + IPv4 + UDP to port 9 */
static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct seen *s = (struct seen *)user;
	size_t ihl = h->caplen > 14 ? (bytes[14] & 0x0f) * 4u : 0;

	s->packets++;
	if (h->caplen > s->caplen_max)
		s->caplen_max = h->caplen;
	if (h->ts.tv_usec > s->usec_max)
		s->usec_max = h->ts.tv_usec;
	if (h->caplen < 14 + ihl + 4 || bytes[12] != 0x08 || bytes[13] != 0x00 ||
	    bytes[23] != 17 || bytes[14 + ihl + 2] != 0 || bytes[14 + ihl + 3] != 9)
		s->all_udp9 = false;
}

static void *break_later(void *arg)
{
	usleep(300 * 1000);
	pcap_breakloop(arg);
	return NULL;
}

static pcap_t *open_device(const char *device, int snaplen, int precision, char *errbuf)
{
	pcap_t *p = pcap_create(device, errbuf);

	if (!p)
		return NULL;
	pcap_set_snaplen(p, snaplen);
	pcap_set_timeout(p, 1000);
	if (pcap_set_tstamp_precision(p, precision)) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "precision %d refused", precision);
		pcap_close(p);
		return NULL;
	}
	if (pcap_activate(p) < 0) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	return p;
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct seen s = { .all_udp9 = true };
	struct pcap_pkthdr *hdr;
	const u_char *data;
	struct pcap_stat st;
	pthread_t thread;
	uint64_t t0, elapsed;
	u_char first[64];
	pcap_t *p;
	int fd, n, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap_module_api xdp:NAME\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	p = open_device(argv[1], 100, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p) {
		printf("not ok open: %s\n", errbuf);
		return 1;
	}
	check(pcap_datalink(p) == DLT_EN10MB, "datalink", "%d", pcap_datalink(p));
	check(pcap_snapshot(p) == 100, "snapshot", "%d", pcap_snapshot(p));
	check(pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO, "precision",
	      "%d", pcap_get_tstamp_precision(p));
	check(pcap_setdirection(p, PCAP_D_OUT) != 0, "direction-out-refused", "accepted");
	check(pcap_setdirection(p, PCAP_D_IN) == 0, "direction-in", "%s", pcap_geterr(p));

	/* nothing to port 7: reads find nothing */
	rc = set_filter(p, "udp port 7");
	check(rc == 0, "filter-port-7", "%s", pcap_geterr(p));
	check(pcap_setnonblock(p, 1, errbuf) == 0 && pcap_getnonblock(p, errbuf) == 1,
	      "nonblock-set", "%s", errbuf);
	t0 = now_ms();
	n = pcap_dispatch(p, -1, on_packet, (u_char *)&s);
	elapsed = now_ms() - t0;
	check(n == 0 && elapsed < scaled_ms(200), "nonblock-empty", "returned %d after %llu ms", n,
	      (unsigned long long)elapsed);
	pcap_setnonblock(p, 0, errbuf);

	/* blocking, nothing comes: pcap_breakloop() from another thread ends it */
	pthread_create(&thread, NULL, break_later, p);
	t0 = now_ms();
	n = pcap_loop(p, -1, on_packet, (u_char *)&s);
	elapsed = now_ms() - t0;
	pthread_join(thread, NULL);
	check(n == PCAP_ERROR_BREAK && elapsed >= 250 && elapsed < scaled_ms(1500), "breakloop-thread",
	      "returned %d after %llu ms", n, (unsigned long long)elapsed);
	/* the packet buffer timeout (1 s) ends a blocking read with nothing */
	t0 = now_ms();
	n = pcap_dispatch(p, -1, on_packet, (u_char *)&s);
	elapsed = now_ms() - t0;
	check(n == 0 && elapsed >= 900 && elapsed < scaled_ms(2500), "timeout", "returned %d after %llu ms",
	      n, (unsigned long long)elapsed);

	/* port 9 flows: select on the fd, read without blocking */
	rc = set_filter(p, "udp port 9");
	check(rc == 0, "filter-port-9", "%s", pcap_geterr(p));
	fd = pcap_get_selectable_fd(p);
	check(fd >= 0 && pcap_get_required_select_timeout(p) != NULL, "selectable-fd",
	      "fd %d", fd);
	pcap_setnonblock(p, 1, errbuf);
	t0 = now_ms();
	while (s.packets < 5 && now_ms() - t0 < scaled_ms(5000)) {
		const struct timeval *tv = pcap_get_required_select_timeout(p);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		poll(&pfd, 1, tv ? (int)(tv->tv_sec * 1000 + tv->tv_usec / 1000) : 1000);
		if (pcap_dispatch(p, -1, on_packet, (u_char *)&s) < 0)
			break;
	}
	check(s.packets >= 5 && s.all_udp9, "poll-dispatch", "%d packets, all port 9: %d",
	      s.packets, s.all_udp9);
	check(s.caplen_max <= 100 && s.caplen_max >= 42, "snaplen-honoured", "caplen %u",
	      s.caplen_max);
	check(s.usec_max < 1000000000L, "nano-timestamps", "sub-second field %ld", s.usec_max);
	pcap_setnonblock(p, 0, errbuf);

	/* pcap_next_ex(): the data stays valid until the next call */
	rc = pcap_next_ex(p, &hdr, &data);
	while (rc == 0)
		rc = pcap_next_ex(p, &hdr, &data);
	check(rc == 1 && hdr->caplen >= 42, "next-ex", "returned %d", rc);
	if (rc == 1) {
		memcpy(first, data, sizeof(first) < hdr->caplen ? sizeof(first) : hdr->caplen);
		usleep(200 * 1000);	/* more packets reach the ring meanwhile */
		check(!memcmp(first, data, 42), "next-ex-data-stable", "bytes changed");
	}

	rc = pcap_stats(p, &st);
	check(rc == 0 && st.ps_recv >= (u_int)s.packets + 1 && st.ps_drop == 0, "stats",
	      "rc %d recv %u drop %u, %d read", rc, st.ps_recv, st.ps_drop, s.packets + 1);
	check(pcap_inject(p, first, 42) < 0, "inject-refused", "accepted");
	pcap_close(p);

	/* microseconds by default */
	p = open_device(argv[1], 0, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	check(p != NULL, "reopen", "%s", errbuf);
	if (p) {
		memset(&s, 0, sizeof(s));
		s.all_udp9 = true;
		set_filter(p, "udp port 9");
		n = pcap_dispatch(p, 3, on_packet, (u_char *)&s);
		while (n == 0)
			n = pcap_dispatch(p, 3, on_packet, (u_char *)&s);
		check(n > 0 && n <= 3 && s.usec_max < 1000000 && s.all_udp9, "micro-timestamps",
		      "%d packets, sub-second field %ld", n, s.usec_max);
		check(pcap_snapshot(p) == 262144, "default-snaplen", "%d", pcap_snapshot(p));
		pcap_close(p);
	}
	return failures ? 1 : 0;
}
