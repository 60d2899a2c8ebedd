// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The capture programs' copy of the packet, byte for byte, in each way
 * this kernel offers (bpf_xdp_load_bytes where it has it, and always the
 * direct loop): the demo XDP program, loaded but attached nowhere, is run
 * with BPF_PROG_TEST_RUN on frames of every length from 14 bytes to the
 * largest one buffer holds, and on shorter runs under snap lengths that
 * take each part of the loop (bytes, words, blocks, their edges). Every
 * record must hold exactly the first min(length, snap length) bytes of
 * its frame, the frame's length and its action.
 *
 * Runs as root in a private mount namespace with a bpffs of its own.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "xdpcap/capture.h"
#include "xdpcap/filter_prog.h"
#include "xdpcap/kernel.h"
#include "tap.h"

#define HOOK_DIR "/sys/fs/bpf/xdpcap-copy-test"
#define HOOK_PATH HOOK_DIR "/hook"
#define MAX_FRAME 65536

struct expect {
	const uint8_t *frames;	/* frame i starts at i * MAX_FRAME... */
	uint32_t first_len;	/* ...and is first_len + i bytes long */
	uint32_t count, snaplen, seen, bad;
	char first_bad[160];
};

/* A frame the demo passes on: not IPv4 (a local experimental EtherType). */
static void make_frame(uint8_t *f, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		f[i] = (uint8_t)(seed >> 16);
	}
	f[12] = 0x88;
	f[13] = 0xb5;
}

static int check_record(const struct xdpcap_packet *pkt, void *ctx)
{
	struct expect *e = ctx;
	uint32_t i = e->seen++, len = e->first_len + i;
	uint32_t want = len < e->snaplen ? len : e->snaplen;
	const char *what = NULL;

	if (i >= e->count)
		what = "a record too many";
	else if (pkt->wirelen != len)
		what = "wire length";
	else if (pkt->caplen != want)
		what = "captured length";
	else if (pkt->action != XDP_PASS)
		what = "action";
	else if (memcmp(pkt->data, e->frames + (size_t)(i % 64) * MAX_FRAME, want))
		what = "bytes";
	if (what && !e->bad++)
		snprintf(e->first_bad, sizeof(e->first_bad),
			 "first: frame of %u bytes, %s (caplen %u, wirelen %u, action %u)",
			 len, what, pkt->caplen, pkt->wirelen, pkt->action);
	return 0;
}

/*
 * Capture the demo's XDP_PASS slot with snaplen while it runs on frames
 * of first_len..last_len bytes; the frames are made again from 64 seeds.
 */
static void run_lengths(int demo_fd, const char *copy, uint32_t snaplen,
			uint32_t first_len, uint32_t last_len, uint8_t *frames)
{
	XDPCAP_OPTS(xdpcap_capture_opts, opts,
		.actions = 1u << XDP_PASS,
		.snaplen = snaplen,
		.ring_kib = 64 * 1024,
	);
	struct expect e = {
		.frames = frames, .first_len = first_len,
		.count = last_len - first_len + 1,
		.snaplen = snaplen && snaplen < XDPCAP_MAX_CAPLEN ? snaplen : XDPCAP_MAX_CAPLEN,
	};
	char errbuf[XDPCAP_ERRBUF_SIZE];
	struct xdpcap_capture *cap;
	uint32_t run_failed = 0;

	setenv("XDPCAP_COPY", copy, 1);
	if (xdpcap_capture_open(HOOK_PATH, "", &opts, &cap, errbuf) ||
	    xdpcap_capture_start(cap, errbuf)) {
		tap_ok(false, "copy %s, snap length %u: capture starts (%s)", copy,
		       e.snaplen, errbuf);
		return;
	}
	for (uint32_t len = first_len; len <= last_len; len++) {
		uint8_t *f = frames + (size_t)((len - first_len) % 64) * MAX_FRAME;
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = f, .data_size_in = len,
			    .repeat = 1);

		make_frame(f, len, len);
		if (bpf_prog_test_run_opts(demo_fd, &run) || run.retval != XDP_PASS)
			run_failed++;
		/* collect every 64 frames: the 64 buffers are then reused */
		if ((len - first_len) % 64 == 63)
			while (e.seen < len - first_len + 1 &&
			       xdpcap_capture_poll(cap, 1000, check_record, &e) > 0)
				;
	}
	xdpcap_capture_stop(cap, check_record, &e);
	xdpcap_capture_close(cap);
	tap_ok(!run_failed && e.seen == e.count && !e.bad,
	       "copy %s, snap length %u: frames of %u to %u bytes, each record exact (%u of %u records, %u wrong, %u runs failed)%s%s",
	       copy, e.snaplen, first_len, last_len, e.seen - e.bad, e.count, e.bad,
	       run_failed, e.bad ? "; " : "", e.first_bad);
}

/*
 * The verifier must take the direct copy whatever the snap length: the
 * loop's bounds come from it, and old verifiers refuse some shapes (two
 * did, at lengths 17, 56, 128 and 129, before the loop took its form).
 */
static void check_every_snaplen(const char *copy)
{
	static const uint32_t large[] = { 1000, 1514, 4096, 9000, 65000 };
	XDPCAP_OPTS(xdpcap_capture_opts, opts, .actions = 1u << XDP_PASS, .ring_kib = 64);
	char errbuf[XDPCAP_ERRBUF_SIZE] = "", first[XDPCAP_ERRBUF_SIZE + 32] = "";
	uint32_t tried = 0, refused = 0;

	setenv("XDPCAP_COPY", copy, 1);
	for (uint32_t i = 0; i < 320 + sizeof(large) / sizeof(large[0]); i++) {
		struct xdpcap_capture *cap;

		opts.snaplen = i < 320 ? i + 1 : large[i - 320];
		tried++;
		if (xdpcap_capture_open(HOOK_PATH, "", &opts, &cap, errbuf)) {
			if (!refused++)
				snprintf(first, sizeof(first), "; first: %u: %s", opts.snaplen,
					 errbuf);
			continue;
		}
		xdpcap_capture_close(cap);
	}
	tap_ok(!refused, "copy %s: the verifier takes the capture program for every snap length 1-320 and 5 larger (%u of %u)%s",
	       copy, tried - refused, tried, first);
}

static int private_bpffs(void)
{
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL))
		return -errno;
	return mkdir(HOOK_DIR, 0700) ? -errno : 0;
}

int main(void)
{
	static const uint32_t snaplens[] = {
		1, 5, 7, 8, 9, 13, 16, 17, 56, 63, 64, 65, 72, 100, 127, 128, 129, 192, 200, 1000,
	};
	const char *top = getenv("TOP_BUILDDIR");
	char path[4096], errbuf[XDPCAP_ERRBUF_SIZE] = "";
	XDPCAP_OPTS(xdpcap_kernel, kernel);
	struct bpf_object *obj;
	const char *copies[2];
	size_t ncopies = 0;
	uint32_t max_len;
	uint8_t *frames;
	int demo_fd;

	tap_require_root();
	if (private_bpffs())
		tap_bail("cannot mount a private bpffs: %s", strerror(errno));
	unsetenv("XDPCAP_COPY");
	if (xdpcap_kernel_probe(&kernel, errbuf) || kernel.copy == XDPCAP_COPY_NONE)
		tap_bail("this kernel cannot capture: %s", errbuf);
	copies[ncopies++] = xdpcap_copy_name(kernel.copy);
	if (kernel.copy != XDPCAP_COPY_DIRECT)
		copies[ncopies++] = "direct";

	snprintf(path, sizeof(path), "%s/bpf/examples/xdpcap_demo.bpf.o", top ? top : ".");
	obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj))
		tap_bail("cannot load %s", path);
	demo_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "xdpcap_demo"));
	if (demo_fd < 0 ||
	    bpf_map__pin(bpf_object__find_map_by_name(obj, "xdpcap_hook"), HOOK_PATH))
		tap_bail("cannot find the demo's program or pin its hook");
	/* the largest frame one test run takes in one buffer */
	max_len = xdpcap_filter_prog_max_caplen() + 32;
	tap_ok(max_len >= 1514, "a test run takes frames of up to %u bytes", max_len);
	frames = malloc((size_t)64 * MAX_FRAME);
	if (!frames)
		tap_bail("out of memory");

	for (size_t c = 0; c < ncopies; c++) {
		check_every_snaplen(copies[c]);
		run_lengths(demo_fd, copies[c], 0, 14, max_len, frames);
		for (size_t s = 0; s < sizeof(snaplens) / sizeof(snaplens[0]); s++)
			run_lengths(demo_fd, copies[c], snaplens[s], 14, 300, frames);
	}
	free(frames);
	bpf_object__close(obj);
	return tap_done();
}
