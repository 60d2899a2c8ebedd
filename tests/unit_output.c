// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Capture files, checked with the tools people open them with: tshark and
 * capinfos for pcapng, tcpdump and libpcap for pcap. A missing tool is a
 * failure, not a skip: a file nobody read back proves nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <pcap.h>

#include "config.h"
#include "xdpcap/output.h"
#include "tap.h"

#define T0 1700000000123456789ull	/* to the nanosecond */
#define NS 1000000000ull
#define NPKT 49				/* every size with every action */
#define MANY 200000
#define BIG 70000			/* more than the output's buffer */
/* The pcapng file dissector: the blocks and options as they are stored. */
#define BLOCKS "tshark -r %s -X read_format:'MIME Files Format' "
#define OPT "-e pcapng.options.option.data."

static const uint32_t sizes[] = { 0, 1, 3, 60, 1514, 9000, BIG };
static const int actions[] = { -1, 0, 1, 2, 3, 4, 7 };
static const char *const names[] = {
	"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
};
static const struct xdpcap_output_iface ifaces[] = {
	{ .name = "xdp:eth0", .description = "demo hook",
	  .filter = "tcp port 80", .snaplen = 262144, .linktype = 1 },
	/* the same snap length: libpcap refuses files with two */
	{ .name = "xdp:lo", .snaplen = 262144, .linktype = 1 },
};
static const struct xdpcap_output_stats stats[] = {
	{ .start_ns = T0 - 5000000001ull, .end_ns = T0 + 60000000007ull,
	  .received = 1000, .matched = 49, .dropped = 3, .delivered = 46 },
	{ .start_ns = T0 + 1, .end_ns = T0 + 2, .received = 7, .matched = 5,
	  .dropped = 0, .delivered = 5 },
};

static char dir[] = "/tmp/xdpcap-unit-output-XXXXXX";
static char ng_path[64], pcap_path[64], direct_path[64], piped_path[64];
static uint8_t bytes[BIG + 64];
static char errbuf[XDPCAP_ERRBUF_SIZE];

/* Packet i of the pcapng file: all combinations, most truncated. */
static struct xdpcap_output_packet packet(unsigned int i)
{
	uint32_t len = sizes[i % 7];

	return (struct xdpcap_output_packet){
		.iface = i % 2, .ts_ns = T0 + i * 1000000007ull,
		.caplen = len, .wirelen = len + (i % 4 ? 100 : 0),
		.data = bytes + i % 16, .action = actions[i / 7],
		.has_queue = i % 3 != 0, .queue = i * 3, .direction = i % 3,
	};
}

/* Packet i of the pcap file (snap length 65535, one interface). */
static struct xdpcap_output_packet pcap_pkt(unsigned int i)
{
	struct xdpcap_output_packet p = packet(i);

	p.iface = 0;
	p.caplen = p.wirelen = sizes[i % 6];
	return p;
}

/* Run a shell command: its standard output (to free) and exit status. */
__attribute__((format(printf, 2, 3)))
static char *run(int *status, const char *fmt, ...)
{
	size_t len = 0, cap = 4096, n;
	char cmd[2048], *out;
	va_list ap;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	out = malloc(cap);
	if (!f || !out)
		tap_bail("cannot run %s", cmd);
	while ((n = fread(out + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2 && !(out = realloc(out, cap *= 2)))
			tap_bail("out of memory");
	}
	out[len] = '\0';
	st = pclose(f);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

static int create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		tap_bail("cannot create %s: %s", path, strerror(errno));
	return fd;
}

static off_t size_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : st.st_size;
}

static void write_pcapng(void)
{
	struct xdpcap_output_packet pkt;
	struct xdpcap_output *out;
	int fd = create(ng_path), id0, id1, bad = 0;
	unsigned int i;

	tap_ok(!xdpcap_output_open(fd, XDPCAP_FORMAT_PCAPNG, &out, errbuf),
	       "pcapng: open");
	id0 = xdpcap_output_add_iface(out, &ifaces[0], errbuf);
	id1 = xdpcap_output_add_iface(out, &ifaces[1], errbuf);
	tap_ok(id0 == 0 && id1 == 1, "pcapng: interface ids 0 and 1 (%d, %d)",
	       id0, id1);
	for (i = 0; i < NPKT; i++) {
		if (i == 6)
			tap_ok(size_of(fd) == 0, "pcapng: header, interfaces and 6 packets wait in the buffer");
		pkt = packet(i);
		bad += xdpcap_output_write(out, &pkt, errbuf) != 0;
	}
	tap_ok(!bad, "pcapng: %d packets of 0 to %d bytes written", NPKT, BIG);
	tap_ok(size_of(fd) > BIG, "pcapng, written inline: what does not fit the 64 KiB buffer is written before close");
	pkt.iface = 2;
	tap_ok(xdpcap_output_write(out, &pkt, errbuf) == -EINVAL,
	       "pcapng: unknown interface refused: %s", errbuf);
	pkt.iface = 0;
	pkt.caplen = pkt.wirelen + 1;
	tap_ok(xdpcap_output_write(out, &pkt, errbuf) == -EINVAL,
	       "pcapng: caplen > wirelen refused: %s", errbuf);
	tap_ok(xdpcap_output_write_stats(out, 2, &stats[0], errbuf) == -EINVAL,
	       "pcapng: statistics of an unknown interface refused");
	tap_ok(!xdpcap_output_write_stats(out, 0, &stats[0], errbuf) &&
	       !xdpcap_output_write_stats(out, 1, &stats[1], errbuf),
	       "pcapng: statistics blocks written");
	tap_ok(!xdpcap_output_close(out, errbuf), "pcapng: close");
	close(fd);
}

/* What tshark prints for packet i, in the order of the -e options. */
static void tshark_line(unsigned int i, char *buf, size_t size)
{
	struct xdpcap_output_packet p = packet(i);
	char verdict[16] = "", queue[16] = "", direction[16] = "";

	if (p.action >= 0)
		snprintf(verdict, sizeof(verdict), "%d", p.action);
	if (p.has_queue)
		snprintf(queue, sizeof(queue), "%u", p.queue);
	if (p.direction)	/* no flags at all where it is not known */
		snprintf(direction, sizeof(direction), "0x%08x", p.direction);
	snprintf(buf, size, "%u\t%s\t%s\t%s\t%s\t%s\t%u\t%u\t%llu.%09llu",
		 i + 1, p.action < 0 ? "" :
		 p.action < 5 ? names[p.action] : "XDP_UNKNOWN",
		 verdict, queue, direction, ifaces[p.iface].name, p.wirelen, p.caplen,
		 p.ts_ns / NS, p.ts_ns % NS);
}

static void check_pcapng_packets(void)
{
	char want[256], *out, *line, *save = NULL;
	unsigned int i = 0, bad = 0;
	int st;

	out = run(&st, "tshark -r %s -T fields -e frame.number -e frame.comment "
		  "-e frame.verdict.ebpf_xdp -e frame.interface_queue "
		  "-e frame.packet_flags_direction -e frame.interface_name "
		  "-e frame.len -e frame.cap_len -e frame.time_epoch 2>/dev/null",
		  ng_path);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		tshark_line(i, want, sizeof(want));
		if (strcmp(line, want)) {
			bad++;
			tap_diag("tshark: \"%s\", wrote \"%s\"", line, want);
		}
	}
	tap_ok(!st && i == NPKT, "tshark reads %u packets of %d (exit %d)",
	       i, NPKT, st);
	tap_ok(!st && i == NPKT && !bad,
	       "tshark: comment, XDP verdict, queue, direction (in, out or none), interface, lengths, ns time of each packet as written");
	free(out);
}

/* Sections, interfaces and statistics, as the pcapng dissector sees them. */
static void check_pcapng_blocks(void)
{
	char want[512], *out, *p;
	uint64_t got[4];
	uint32_t w[2];
	int st, n, fd;

	out = run(&st, BLOCKS "-T fields -E separator='|' "
		  "-e pcapng.section_header.version.major "
		  "-e pcapng.section_header.version.minor "
		  "-e pcapng.section_header.section_length " OPT "user_application "
		  OPT "interface.name " OPT "interface.description "
		  OPT "interface.filter.type " OPT "interface.filter.string "
		  OPT "interface.timestamp_resolution "
		  "-e pcapng.interface_description.link_type "
		  "-e pcapng.interface_description.snap_length "
		  OPT "interface.received " OPT "interface.accepted_by_filter "
		  OPT "interface.dropped_by_os " OPT "interface.delivered_to_user "
		  "-e _ws.expert 2>/dev/null", ng_path);
	snprintf(want, sizeof(want), "1|0|-1|xdpcap %s|xdp:eth0,xdp:lo|demo hook|0|tcp port 80|0x09,0x09|1,1|262144,262144|1000,7|49,5|3,0|46,5|\n",
		 PACKAGE_VERSION);
	tap_ok(!st && !strcmp(out, want),
	       "pcapng blocks: version 1.0, shb_userappl, if_name, if_description, if_filter, if_tsresol, isb counts, no expert info");
	if (strcmp(out, want))
		tap_diag("got  %s# want %s", out, want);
	free(out);

	/* 4.0 names the time options without their values: read them where it says. */
	out = run(&st, BLOCKS "-T pdml 2>/dev/null | grep -E 'data\\.(start|end)_time\"' | "
		  "sed 's/.*pos=\"\\([0-9]*\\)\".*/\\1/'", ng_path);
	fd = open(ng_path, O_RDONLY);
	for (p = out, n = 0; n < 4 && *p; n++, p += strspn(p, "\n")) {
		if (pread(fd, w, 8, strtol(p, &p, 10)) != 8)
			break;
		got[n] = (uint64_t)w[0] << 32 | w[1];
	}
	close(fd);
	tap_ok(n == 4 && got[0] == stats[0].start_ns && got[1] == stats[0].end_ns &&
	       got[2] == stats[1].start_ns && got[3] == stats[1].end_ns,
	       "pcapng blocks: isb_starttime and isb_endtime, high word first");
	free(out);

	out = run(&st, "capinfos -M %s 2>&1", ng_path);
	for (p = out, n = 0; (p = strstr(p, "Number of stat entries = 1\n")); p++)
		n++;
	tap_ok(!st && strstr(out, "Number of packets:   49\n") &&
	       strstr(out, "Number of interfaces in file: 2\n") &&
	       strstr(out, "Capture application: xdpcap ") && n == 2,
	       "capinfos -M accepts the file: 49 packets, 2 interfaces, a statistics block each");
	if (st || n != 2)
		tap_diag("%s", out);
	free(out);
}

/* Read with libpcap at ns precision: how many of n packets are as written. */
static unsigned int libpcap_read(const char *path, bool classic, unsigned int n)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct xdpcap_output_packet p;
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned int i, ok = 0;
	pcap_t *pc;

	pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
						     perr);
	if (!pc) {
		tap_diag("libpcap: %s", perr);
		return 0;
	}
	for (i = 0; i <= n && pcap_next_ex(pc, &h, &data) == 1; i++) {
		p = classic ? pcap_pkt(i) : packet(i);
		ok += i < n && h->ts.tv_sec * NS + h->ts.tv_usec == p.ts_ns &&
		      h->caplen == p.caplen && h->len == p.wirelen &&
		      !memcmp(data, p.data, p.caplen);
	}
	pcap_close(pc);
	return i == n ? ok : 0;
}

static void test_pcap(void)
{
	struct xdpcap_output_iface one = { .name = "xdp:eth0", .snaplen = 65535,
					   .linktype = 1 };
	struct xdpcap_output_packet p = pcap_pkt(0);
	struct pcap_file_header hdr;
	char *txt, *line, *save = NULL, want[64];
	int fd = create(pcap_path), st, bad = 0;
	struct xdpcap_output *out;
	unsigned int i;

	tap_ok(!xdpcap_output_open(fd, XDPCAP_FORMAT_PCAP, &out, errbuf), "pcap: open");
	tap_ok(xdpcap_output_write(out, &p, errbuf) == -EINVAL,
	       "pcap: a packet before the interface is refused: %s", errbuf);
	tap_ok(xdpcap_output_add_iface(out, &one, errbuf) == 0, "pcap: interface id 0");
	tap_ok(xdpcap_output_add_iface(out, &ifaces[1], errbuf) == -EINVAL &&
	       strstr(errbuf, "one interface"), "pcap: a second interface is refused: %s",
	       errbuf);
	for (i = 0; i < 6; i++) {
		p = pcap_pkt(i);
		bad += xdpcap_output_write(out, &p, errbuf) != 0;
	}
	tap_ok(!bad && !xdpcap_output_write_stats(out, 0, &stats[0], errbuf),
	       "pcap: 6 packets written, statistics accepted and left out");
	tap_ok(!xdpcap_output_close(out, errbuf), "pcap: close");
	close(fd);

	fd = open(pcap_path, O_RDONLY);
	tap_ok(read(fd, &hdr, sizeof(hdr)) == sizeof(hdr) && hdr.magic == 0xa1b23c4d &&
	       hdr.version_major == 2 && hdr.version_minor == 4 && hdr.snaplen == 65535 && hdr.linktype == 1,
	       "pcap: header has the ns magic, version 2.4, snaplen 65535, linktype 1");
	close(fd);

	txt = run(&st, "tcpdump -r %s -nn --nano -tt 2>&1", pcap_path);
	line = strtok_r(txt, "\n", &save);
	tap_ok(line && strstr(line, "link-type EN10MB") && strstr(line, "snapshot length 65535"),
	       "tcpdump: %s", line ? line : "(nothing)");
	bad = st != 0;
	for (i = 0; (line = strtok_r(NULL, "\n", &save)); ) {
		if (line[0] == '\t')	/* the hex dump of an unknown ethertype */
			continue;
		p = pcap_pkt(i++);
		snprintf(want, sizeof(want), "%llu.%09llu ", p.ts_ns / NS, p.ts_ns % NS);
		if (!p.caplen)	/* tcpdump prints no time for an empty packet */
			strcpy(want, "[Invalid header: caplen==0");
		bad += strncmp(line, want, strlen(want)) != 0;
	}
	tap_ok(!bad && i == 6, "tcpdump --nano: %u packets of 6 with their ns timestamps", i);
	free(txt);
	tap_ok(libpcap_read(pcap_path, true, 6) == 6,
	       "libpcap (ns precision) reads the pcap packets back byte for byte");
}

static void test_epipe(void)
{
	struct xdpcap_output_packet p = pcap_pkt(3);
	struct xdpcap_output *out;
	int fds[2], w, f;

	signal(SIGPIPE, SIG_IGN);
	if (pipe(fds))
		tap_bail("pipe: %s", strerror(errno));
	close(fds[0]);
	xdpcap_output_open(fds[1], XDPCAP_FORMAT_PCAPNG, &out, errbuf);
	xdpcap_output_add_iface(out, &ifaces[0], errbuf);
	w = xdpcap_output_write(out, &p, errbuf);
	f = xdpcap_output_flush(out, errbuf);
	tap_ok(!w && f == -EPIPE && !strcmp(errbuf, "cannot write the capture: Broken pipe"),
	       "closed pipe: flush gives -EPIPE (%d, %d): %s", w, f, errbuf);
	tap_ok(xdpcap_output_close(out, errbuf) == -EPIPE,
	       "closed pipe: close reports it again");
	close(fds[1]);
	signal(SIGPIPE, SIG_DFL);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

/* MANY small packets on one interface; returns the first error. */
static int write_many(int fd)
{
	struct xdpcap_output_packet p = { .has_queue = true };
	struct xdpcap_output *out;
	int err = 0, res;
	uint32_t i;

	if (xdpcap_output_open(fd, XDPCAP_FORMAT_PCAPNG, &out, errbuf) ||
	    xdpcap_output_add_iface(out, &ifaces[0], errbuf))
		return -1;
	for (i = 0; i < MANY && !err; i++) {
		p.ts_ns = T0 + i * 1001ull;
		p.caplen = p.wirelen = 60 + i % 100;
		p.data = bytes + i % 64;
		p.action = i % 5;
		p.queue = i % 4;
		err = xdpcap_output_write(out, &p, errbuf);
	}
	res = xdpcap_output_close(out, errbuf);
	return err ? err : res;
}

/*
 * The same packets to a file and through a 4 KiB pipe whose writes a
 * timer keeps interrupting, so that they come back short or with EINTR.
 */
static void test_many(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { { 0, 50 }, { 0, 50 } }, stop = { 0 };
	int fd = create(direct_path), fds[2], res, st;
	uint8_t chunk[4096];
	ssize_t n;
	pid_t pid;
	char *txt;

	tap_ok(!write_many(fd), "%d packets to a file", MANY);
	close(fd);
	if (pipe(fds) || fcntl(fds[1], F_SETPIPE_SZ, 4096) < 0)
		tap_bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		fd = create(piped_path);
		while ((n = read(fds[0], chunk, sizeof(chunk))) > 0)
			if (write(fd, chunk, n) != n)
				_exit(1);
		_exit(n < 0);
	}
	close(fds[0]);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	res = write_many(fds[1]);
	setitimer(ITIMER_REAL, &stop, NULL);
	close(fds[1]);
	waitpid(pid, &st, 0);
	tap_ok(!res && WIFEXITED(st) && !WEXITSTATUS(st),
	       "%d packets through a 4 KiB pipe: %s", MANY, res ? errbuf : "ok");
	tap_ok(alarms > 0, "%d timer signals arrived while writing to the pipe", (int)alarms);
	free(run(&st, "cmp %s %s >&2", direct_path, piped_path));
	tap_ok(!st, "the piped file is byte for byte the file written directly");
	txt = run(&st, "capinfos -M -c %s 2>&1", piped_path);
	tap_ok(!st && strstr(txt, "Number of packets:   200000\n"),
	       "capinfos counts %d packets in the piped file", MANY);
	if (st || !strstr(txt, "200000\n"))
		tap_diag("%s", txt);
	free(txt);
}

/*
 * Packets of every size up to HUGE (larger than the writer thread's
 * buffers), a flush every 997 (a partial file block, rewritten by the
 * next direct write), in the writer mode XDPCAP_WRITER names. Returns
 * the first error; *method, how the file was written.
 */
#define HUGE (1100 * 1000)
static int write_mode(const char *path, const char *mode, char *method,
		      size_t size)
{
	static uint8_t huge[HUGE];
	struct xdpcap_output_packet p = { .has_queue = true };
	struct xdpcap_output *out;
	int fd = create(path), err = 0, res;
	uint32_t i;

	setenv("XDPCAP_WRITER", mode, 1);
	res = xdpcap_output_open(fd, XDPCAP_FORMAT_PCAPNG, &out, errbuf);
	unsetenv("XDPCAP_WRITER");
	if (res || xdpcap_output_add_iface(out, &ifaces[0], errbuf) < 0)
		return -1;
	snprintf(method, size, "%s", xdpcap_output_method(out));
	for (i = 0; i < 30000 && !err; i++) {
		p.ts_ns = T0 + i * 1001ull;
		p.caplen = p.wirelen = i == 20000 ? HUGE : 60 + i % 1500;
		p.data = i == 20000 ? huge : bytes + i % 64;
		p.action = i % 5;
		err = xdpcap_output_write(out, &p, errbuf);
		if (!err && i % 997 == 0)
			err = xdpcap_output_flush(out, errbuf);
	}
	res = xdpcap_output_close(out, errbuf);
	close(fd);
	return err ? err : res;
}

/*
 * The writer thread, direct or buffered, writes byte for byte what the
 * caller's thread writes; a pipe is written as a stream.
 */
static void test_writer_modes(void)
{
	static const char *const modes[] = { "direct", "buffered", "inline" };
	char path[3][sizeof(dir) + 32], method[3][64];
	struct xdpcap_output *out;
	int fds[2], st, i;

	for (i = 0; i < 3; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/mode-%s.pcapng", dir, modes[i]);
		tap_ok(!write_mode(path[i], modes[i], method[i], sizeof(method[i])),
		       "XDPCAP_WRITER=%s: 30,000 packets and one of %d bytes, a flush every 997, written (%s)",
		       modes[i], HUGE, method[i]);
	}
	tap_ok((!strcmp(method[0], "direct I/O") || !strcmp(method[0], "buffered")) &&
	       !strcmp(method[1], "buffered") &&
	       !strcmp(method[2], "buffered, in the capture's thread"),
	       "the method each says: %s; %s; %s", method[0], method[1], method[2]);
	free(run(&st, "cmp %s %s >&2 && cmp %s %s >&2", path[0], path[2], path[1], path[2]));
	tap_ok(!st, "the files of the writer thread, direct and buffered, are byte for byte the inline one");
	if (pipe(fds))
		tap_bail("pipe: %s", strerror(errno));
	xdpcap_output_open(fds[1], XDPCAP_FORMAT_PCAPNG, &out, errbuf);
	tap_ok(!strcmp(xdpcap_output_method(out), "stream"),
	       "a pipe is written as a stream (%s)", xdpcap_output_method(out));
	xdpcap_output_close(out, errbuf);
	close(fds[0]);
	close(fds[1]);
	setenv("XDPCAP_WRITER", "fast", 1);
	tap_ok(xdpcap_output_open(fds[1], XDPCAP_FORMAT_PCAPNG, &out, errbuf) == -EINVAL &&
	       strstr(errbuf, "XDPCAP_WRITER=fast"),
	       "an unknown XDPCAP_WRITER is refused: %s", errbuf);
	unsetenv("XDPCAP_WRITER");
}

/*
 * What a child that wrote a file until it could not grow reports: the
 * packets the writer took and gave up, where the file was cut back, the
 * errors, and the message.
 */
struct full_report {
	uint64_t taken, unwritten;
	long long size_cut;		/* after the failed write */
	int err, stats_err, close_err;
	char msg[XDPCAP_ERRBUF_SIZE];
};

/* Packets on one interface until a write fails; the count taken. */
static int write_until_full(struct xdpcap_output *out, uint64_t *taken)
{
	struct xdpcap_output_packet p = { .has_queue = true };
	int err = 0;
	uint32_t i;

	*taken = 0;
	for (i = 0; i < MANY && !err; i++) {
		p.ts_ns = T0 + i * 1001ull;
		p.caplen = p.wirelen = 60 + i % 1400;
		p.data = bytes + i % 64;
		p.action = i % 5;
		p.queue = i % 4;
		err = xdpcap_output_write(out, &p, errbuf);
		if (!err)
			(*taken)++;
	}
	return err ? err : xdpcap_output_flush(out, errbuf);
}

/*
 * In a child (the limit stays there): FORMAT to path, packets until the
 * file cannot grow past limit bytes (RLIMIT_FSIZE, as on a full disk);
 * then, with more room (room > 0), the statistics. Or, with few packets
 * (limit 0): all written, then a limit that leaves room bytes, too few
 * for the statistics. The report in *rep.
 */
static void fill_file(const char *path, enum xdpcap_format format, rlim_t limit,
		      rlim_t room, struct full_report *rep)
{
	struct full_report *shared;
	struct xdpcap_output *out;
	int st, fd;
	pid_t pid;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		tap_bail("mmap: %s", strerror(errno));
	memset(shared, 0, sizeof(*shared));
	pid = fork();
	if (pid == 0) {
		struct rlimit lim = { limit ? limit : RLIM_INFINITY, RLIM_INFINITY };
		struct xdpcap_output_iface one = { .name = "xdp:eth0", .snaplen = 65535,
						   .linktype = 1 };

		fd = create(path);
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &lim) ||
		    xdpcap_output_open(fd, format, &out, errbuf) ||
		    xdpcap_output_add_iface(out, &one, errbuf))
			_exit(3);
		if (limit) {
			shared->err = write_until_full(out, &shared->taken);
		} else {
			for (shared->taken = 0; shared->taken < 10; shared->taken++) {
				struct xdpcap_output_packet p = pcap_pkt(3);

				if (xdpcap_output_write(out, &p, errbuf))
					_exit(4);
			}
			if (xdpcap_output_flush(out, errbuf))
				_exit(4);
			lim.rlim_cur = (rlim_t)size_of(fd) + room;
			setrlimit(RLIMIT_FSIZE, &lim);
		}
		shared->size_cut = size_of(fd);
		snprintf(shared->msg, sizeof(shared->msg), "%s", errbuf);
		if (limit && room) {
			lim.rlim_cur = RLIM_INFINITY;
			setrlimit(RLIMIT_FSIZE, &lim);
		}
		shared->stats_err = xdpcap_output_write_stats(out, 0, &stats[0], errbuf);
		if (!limit)
			snprintf(shared->msg, sizeof(shared->msg), "%s", errbuf);
		shared->unwritten = xdpcap_output_unwritten(out, 0);
		shared->close_err = xdpcap_output_close(out, errbuf);
		if (!limit) {
			shared->err = shared->close_err;
			snprintf(shared->msg, sizeof(shared->msg), "%s", errbuf);
		}
		_exit(0);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		tap_bail("the child writing %s failed (status %d)", path, st);
	*rep = *shared;
	munmap(shared, sizeof(*shared));
}

/* tshark reads path to the end without a word: the packets it counts, or -1. */
static long tshark_count(const char *path)
{
	char *txt;
	long n = -1;
	int st;

	txt = run(&st, "tshark -r %s -T fields -e frame.number 2>&1 | grep -v 'could be dangerous' | "
		  "awk '/^[0-9]+$/ { n++; next } { bad++ } END { print bad ? -1 : n + 0 }'", path);
	if (!st)
		n = strtol(txt, NULL, 10);
	free(txt);
	return n;
}

/* The byte where the message says the file was cut back, or -1. */
static long long cut_at(const char *msg)
{
	const char *p = strstr(msg, "cut back to its last whole block, at byte ");

	return p ? strtoll(p + strlen("cut back to its last whole block, at byte "), NULL, 10) : -1;
}

/*
 * A file that cannot grow (RLIMIT_FSIZE, as on a full disk): the write
 * error comes back, the file is cut back to its last whole block, so
 * readers take it without a word, and it holds the packets taken less
 * those counted unwritten.
 */
static void test_file_full(void)
{
	char path[sizeof(dir) + 16], *txt;
	struct full_report r;
	struct stat sb;
	long n;
	int st;

	snprintf(path, sizeof(path), "%s/full.pcapng", dir);
	fill_file(path, XDPCAP_FORMAT_PCAPNG, 100000, 4096, &r);
	tap_ok(r.err == -EFBIG && strstr(r.msg, "File too large"),
	       "a file that cannot grow: the writer reports -EFBIG: %s", r.msg);
	tap_ok(r.size_cut > 0 && r.size_cut <= 100000 && cut_at(r.msg) == r.size_cut,
	       "  cut back to byte %lld, as the message says, within the limit", r.size_cut);
	tap_ok(r.unwritten > 0 && r.unwritten < r.taken,
	       "  %llu of the %llu packets taken counted unwritten",
	       (unsigned long long)r.unwritten, (unsigned long long)r.taken);
	n = tshark_count(path);
	tap_ok(n >= 0 && (uint64_t)n == r.taken - r.unwritten,
	       "  tshark reads it without a word: %ld packets, those taken less the unwritten", n);
	if (stat(path, &sb))
		sb.st_size = -1;
	tap_ok(!r.stats_err && r.close_err == -EFBIG && sb.st_size > r.size_cut,
	       "  with room again, the statistics still go after the cut (%d), close keeps the error (%d)",
	       r.stats_err, r.close_err);
	txt = run(&st, "capinfos -M %s 2>&1", path);
	tap_ok(!st && strstr(txt, "Number of stat entries = 1\n"),
	       "  capinfos reads the statistics block at the end");
	if (st || !strstr(txt, "Number of stat entries = 1\n"))
		tap_diag("%s", txt);
	free(txt);

	snprintf(path, sizeof(path), "%s/nostats.pcapng", dir);
	fill_file(path, XDPCAP_FORMAT_PCAPNG, 0, 40, &r);
	if (stat(path, &sb))
		sb.st_size = -1;
	n = tshark_count(path);
	tap_ok(r.err == -EFBIG && !r.unwritten && sb.st_size == r.size_cut && n == 10,
	       "statistics that do not fit: -EFBIG, the file ends after its 10 packets (%ld, %lld of %lld bytes): %s",
	       n, (long long)sb.st_size, r.size_cut, r.msg);

	snprintf(path, sizeof(path), "%s/full.pcap", dir);
	fill_file(path, XDPCAP_FORMAT_PCAP, 50000, 0, &r);
	if (stat(path, &sb))
		sb.st_size = -1;
	n = tshark_count(path);
	tap_ok(r.err == -EFBIG && sb.st_size == r.size_cut && cut_at(r.msg) == r.size_cut &&
	       n >= 0 && (uint64_t)n == r.taken - r.unwritten,
	       "pcap that cannot grow: cut back to a whole record at byte %lld, %ld packets read, %llu taken, %llu unwritten",
	       (long long)sb.st_size, n, (unsigned long long)r.taken,
	       (unsigned long long)r.unwritten);
}

int main(void)
{
	struct xdpcap_output *out;
	size_t i;
	int st;

	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(i * 7 + i / 251);
	if (!mkdtemp(dir))
		tap_bail("mkdtemp: %s", strerror(errno));
	snprintf(ng_path, sizeof(ng_path), "%s/a.pcapng", dir);
	snprintf(pcap_path, sizeof(pcap_path), "%s/a.pcap", dir);
	snprintf(direct_path, sizeof(direct_path), "%s/direct.pcapng", dir);
	snprintf(piped_path, sizeof(piped_path), "%s/piped.pcapng", dir);

	free(run(&st, "command -v tshark capinfos tcpdump"));
	tap_ok(!st, "tshark, capinfos and tcpdump are installed");
	tap_ok(xdpcap_output_open(1, (enum xdpcap_format)7, &out, errbuf) == -EINVAL &&
	       !out, "an unknown format is refused: %s", errbuf);

	setenv("XDPCAP_WRITER", "inline", 1);
	write_pcapng();
	unsetenv("XDPCAP_WRITER");
	check_pcapng_packets();
	check_pcapng_blocks();
	tap_ok(libpcap_read(ng_path, false, NPKT) == NPKT,
	       "libpcap (ns precision) reads the pcapng packets back byte for byte");
	test_pcap();
	test_epipe();
	test_many();
	test_writer_modes();
	test_file_full();

	/* KEEP=1 leaves the files for a look */
	free(run(&st, getenv("KEEP") ? "echo %s" : "rm -rf %s", dir));
	return tap_done();
}
