// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The traffic source: frames, an AF_PACKET sender on the veth's peer and
 * its pacing, and the programs the benchmark loads.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_capture.h"

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
void build_frame(struct frame *f, uint32_t len, uint16_t dport)
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

const struct frame *frame_for(unsigned int action, uint32_t len)
{
	return &frames[action == XDP_PASS][len == LARGE_FRAME];
}

/* --- the traffic source ------------------------------------------------------ */

/*
 * An AF_PACKET socket on the peer end of the veth pair, in the peer's
 * network namespace (the socket stays there once made): what it sends
 * arrives on --ifname, where the demo runs in native XDP. The qdisc is
 * bypassed, so frames are not queued or dropped before the veth.
 */
int open_sender_socket(const char *netns, const char *ifname)
{
	char path[256];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int home, there, sock, one = 1;

	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	there = open(path, O_RDONLY | O_CLOEXEC);
	if (home < 0 || there < 0 || setns(there, CLONE_NEWNET))
		die("cannot enter network namespace %s: %s", netns, strerror(errno));
	sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sock < 0 || !sll.sll_ifindex ||
	    setsockopt(sock, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) ||
	    bind(sock, (struct sockaddr *)&sll, sizeof(sll)))
		die("cannot send on %s in %s: %s", ifname, netns, strerror(errno));
	if (setns(home, CLONE_NEWNET))
		die("cannot return to the benchmark's network namespace: %s", strerror(errno));
	close(home);
	close(there);
	return sock;
}

/* n copies of f, in sendmmsg calls of the batch size. */
int send_frames(const struct sender *s, const struct frame *f, uint32_t n)
{
	struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov = { .iov_base = (void *)f->data, .iov_len = f->len };
	unsigned int batch = s->batch ? s->batch : DEFAULT_BATCH;
	int sent;

	for (unsigned int i = 0; i < batch; i++)
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };
	while (n) {
		sent = sendmmsg(s->sock, msgs, n < batch ? n : batch, 0);
		if (sent < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == EINTR))
			continue;
		if (sent <= 0)
			return -errno;
		n -= (uint32_t)sent;
	}
	return 0;
}

/*
 * Send f for seconds, at rate frames/s (paced: rate x tick frames on a
 * fixed schedule, sleeping when ahead) or, with rate 0, as fast as
 * possible (chunks grown until each takes 2 ms or more).
 */
struct send_result send_for(const struct sender *s, const struct frame *f,
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
		err = send_frames(s, f, chunk);
		t1 = now_ns();
		if (err)
			die("sending %u frames failed: %s", chunk, strerror(-err));
		r.busy_ns += t1 - t;
		r.frames += chunk;
		if (rate <= 0 && t1 - t < 2e6 && chunk < (1u << 24))
			chunk *= 2;
	}
	r.seconds = (t1 - t0) / 1e9;
	return r;
}

/* --- programs -------------------------------------------------------------- */

void load_programs(struct progs *p)
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

	p->exit_only_obj = bpf_object__open_file(cfg.exit_only_path, NULL);
	if (!p->exit_only_obj || bpf_object__load(p->exit_only_obj))
		die("cannot load %s: %s", cfg.exit_only_path, strerror(errno));
	prog = bpf_object__find_program_by_name(p->exit_only_obj, "xdpcap_demo");
	if (!prog)
		die("%s has no program xdpcap_demo", cfg.exit_only_path);
	p->exit_only_fd = bpf_program__fd(prog);

	p->enter_meta_obj = bpf_object__open_file(cfg.enter_meta_path, NULL);
	if (!p->enter_meta_obj || bpf_object__load(p->enter_meta_obj))
		die("cannot load %s: %s", cfg.enter_meta_path, strerror(errno));
	prog = bpf_object__find_program_by_name(p->enter_meta_obj, "xdpcap_demo");
	if (!prog)
		die("%s has no program xdpcap_demo", cfg.enter_meta_path);
	p->enter_meta_fd = bpf_program__fd(prog);
}

/* Whether the kernel compiled the demo to machine code. */
const char *jit_state(int prog_fd)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return "unknown";
	return info.jited_prog_len ? "on" : "off";
}

void unload_programs(struct progs *p)
{
	if (p->attached)
		bpf_xdp_detach(if_index, XDP_FLAGS_DRV_MODE, NULL);
	unlink(hook_path);
	bpf_object__close(p->demo_obj);
	bpf_object__close(p->nohook_obj);
	bpf_object__close(p->exit_only_obj);
	bpf_object__close(p->enter_meta_obj);
}

/* Every slot of the hook must be empty for a run without capture. */
void check_slots_empty(int hook_fd)
{
	for (uint32_t a = 0; a < XDPCAP_ACTIONS; a++) {
		uint32_t id;

		if (!bpf_map_lookup_elem(hook_fd, &a, &id))
			die("slot %u of the hook still holds program %u", a, id);
	}
}
