// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Capture file -> in-kernel filter -> capture file. The output is written
 * with libpcap's own dumper on the input's handle, so its header and
 * records are byte for byte what tcpdump -r IN -w OUT FILTER writes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <pcap.h>
#include <sys/stat.h>

#include "xdpcap/filter_prog.h"
#include "xdpcap/replay.h"
#include "pcap_glue.h"
#include "opts.h"
#include "util.h"

struct xdpcap_replay {
	pcap_t *in;
	struct xdpcap_cbpf cbpf;
	struct xdpcap_ebpf ebpf;
	struct xdpcap_filter_prog *prog;
};

int xdpcap_replay_open(const char *in_path, const char *expr,
		       struct xdpcap_replay **out, char *errbuf)
{
	return xdpcap_replay_open_mask(in_path, expr, 0, out, errbuf);
}

int xdpcap_replay_open_mask(const char *in_path, const char *expr,
			    uint32_t netmask, struct xdpcap_replay **out,
			    char *errbuf)
{
	XDPCAP_OPTS(xdpcap_ebpf_opts, opts,
		.wirelen_off = XDPCAP_FILTER_PROG_WIRELEN_OFF);
	char pcap_err[PCAP_ERRBUF_SIZE];
	struct xdpcap_replay *r;
	int err;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	r->in = pcap_open_offline(in_path, pcap_err);
	if (!r->in) {
		xdpcap_err(errbuf, "cannot read %s: %s", in_path, pcap_err);
		err = -ENOENT;
		goto err;
	}
	err = cbpf_compile_on(r->in, expr, netmask, &r->cbpf, errbuf);
	if (err)
		goto err;
	err = xdpcap_cbpf_to_ebpf(&r->cbpf, &opts, &r->ebpf, errbuf);
	if (err)
		goto err;
	*out = r;
	return 0;
err:
	xdpcap_replay_close(r);
	return err;
}

const struct xdpcap_cbpf *xdpcap_replay_cbpf(const struct xdpcap_replay *r)
{
	return &r->cbpf;
}

const struct xdpcap_ebpf *xdpcap_replay_ebpf(const struct xdpcap_replay *r)
{
	return &r->ebpf;
}

int xdpcap_replay_load(struct xdpcap_replay *r, char **log, char *errbuf)
{
	return xdpcap_filter_prog_load(&r->ebpf, &r->prog, log, errbuf);
}

/* Whether out_path names the file being read (a link or path of it). */
static bool same_file(struct xdpcap_replay *r, const char *out_path)
{
	struct stat in, out;
	FILE *f = pcap_file(r->in);

	return f && strcmp(out_path, "-") && !fstat(fileno(f), &in) &&
	       !stat(out_path, &out) && in.st_dev == out.st_dev &&
	       in.st_ino == out.st_ino;
}

/* xdpcap_replay_run() into the library's full stats. */
static int replay_run(struct xdpcap_replay *r, const char *out_path,
		      struct xdpcap_replay_stats *stats, char *errbuf)
{
	uint32_t max_caplen = xdpcap_filter_prog_max_caplen();
	struct pcap_pkthdr *hdr;
	const u_char *data;
	pcap_dumper_t *dump;
	int err = 0, rc;

	memset(stats, 0, sizeof(*stats));
	if (same_file(r, out_path)) {
		xdpcap_err(errbuf, "the output %s is the input file: refused, it would be overwritten",
			   out_path);
		return -EINVAL;
	}
	dump = pcap_dump_open(r->in, out_path);
	if (!dump) {
		xdpcap_err(errbuf, "cannot write %s: %s", out_path,
			   pcap_geterr(r->in));
		return -EIO;
	}
	while ((rc = pcap_next_ex(r->in, &hdr, &data)) == 1) {
		uint32_t result;

		stats->packets++;
		/*
		 * The kernel's test runs take one page: a longer frame is
		 * filtered on the bytes that fit, with its real length, as
		 * a capture whose snap length is max_caplen would see it.
		 */
		if (hdr->caplen > max_caplen)
			stats->cut++;
		err = xdpcap_filter_prog_run(r->prog, data,
					     hdr->caplen > max_caplen ? max_caplen : hdr->caplen,
					     hdr->len, &result);
		if (err) {
			xdpcap_err(errbuf, "running packet %llu in the kernel failed: %s",
				   (unsigned long long)stats->packets,
				   strerror(-err));
			break;
		}
		if (result) {
			pcap_dump((u_char *)dump, hdr, data);
			stats->matched++;
		}
	}
	if (!err && rc == PCAP_ERROR) {
		/* what was read so far is written; the file itself is bad */
		xdpcap_err(errbuf, "reading the input failed after %llu packets: %s",
			   (unsigned long long)stats->packets, pcap_geterr(r->in));
		err = -EBADMSG;
	}
	if (pcap_dump_flush(dump) && !err) {
		xdpcap_err(errbuf, "cannot write %s", out_path);
		err = -EIO;
	}
	pcap_dump_close(dump);
	return err;
}

int xdpcap_replay_run(struct xdpcap_replay *r, const char *out_path,
		      struct xdpcap_replay_stats *stats, char *errbuf)
{
	struct xdpcap_replay_stats full;
	int err;

	if (opts_size(stats) < sizeof(size_t)) {
		xdpcap_err(errbuf, "xdpcap_replay_stats: its size (sz) is not set");
		return -EINVAL;
	}
	err = replay_run(r, out_path, &full, errbuf);
	opts_out(stats, &full, sizeof(full));
	return err;
}

void xdpcap_replay_close(struct xdpcap_replay *r)
{
	if (!r)
		return;
	xdpcap_filter_prog_close(r->prog);
	xdpcap_ebpf_free(&r->ebpf);
	xdpcap_cbpf_free(&r->cbpf);
	if (r->in)
		pcap_close(r->in);
	free(r);
}
