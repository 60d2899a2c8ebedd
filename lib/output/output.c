// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Capture files: the public calls, the buffer, and the writes to the fd.
 * The file formats only encode blocks (output_pcapng.c, output_pcap.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "output.h"
#include "util.h"

/* "cannot write the capture: REASON", and where the file now ends. */
static void failed_msg(const struct xdpcap_output *out, char *errbuf)
{
	if (out->cut)
		xdpcap_err(errbuf, "cannot write the capture: %s (the file is cut back to its last whole block, at byte %llu)",
			   strerror(-out->err), (unsigned long long)out->whole);
	else if (out->cut_err)
		xdpcap_err(errbuf, "cannot write the capture: %s, and cannot cut the file back to its last whole block, at byte %llu: %s",
			   strerror(-out->err), (unsigned long long)out->whole,
			   strerror(-out->cut_err));
	else
		xdpcap_err(errbuf, "cannot write the capture: %s", strerror(-out->err));
}

/* The blocks that are now whole in the file leave the ring. */
static void settle(struct xdpcap_output *out)
{
	struct pending_block *b;

	while (out->n_pending) {
		b = &out->pending[out->pending_first];
		if (b->end > out->offset)
			break;
		out->whole = b->end;
		out->pending_first = (out->pending_first + 1) % OUTPUT_MAX_PENDING;
		out->n_pending--;
	}
}

static void pending_add(struct xdpcap_output *out, uint32_t iface)
{
	unsigned int i = (out->pending_first + out->n_pending) % OUTPUT_MAX_PENDING;

	out->pending[i] = (struct pending_block){
		.end = out->offset + out->len, .iface = iface,
	};
	out->n_pending++;
}

/*
 * A write failed: the blocks not whole in the file are given up (their
 * packets counted as unwritten), and a regular file is cut back to the
 * last whole one, so that readers see no block in part.
 */
static int write_failed(struct xdpcap_output *out, int err, char *errbuf)
{
	struct pending_block *b;

	settle(out);
	for (; out->n_pending; out->n_pending--) {
		b = &out->pending[out->pending_first];
		if (b->iface < out->n_ifaces)
			out->unwritten[b->iface]++;
		out->pending_first = (out->pending_first + 1) % OUTPUT_MAX_PENDING;
	}
	out->err = err;
	/* Half a block may be out already: what is buffered cannot follow it. */
	out->len = 0;
	if (out->seekable && out->offset > out->whole) {
		if (ftruncate(out->fd, (off_t)out->whole) ||
		    lseek(out->fd, (off_t)out->whole, SEEK_SET) < 0)
			out->cut_err = -errno;
		else
			out->offset = out->whole;
	}
	out->cut = out->seekable && out->offset == out->whole;
	failed_msg(out, errbuf);
	return err;
}

/* A file that failed once stays failed, with the same message each time. */
static int check_failed(struct xdpcap_output *out, char *errbuf)
{
	if (out->err)
		failed_msg(out, errbuf);
	return out->err;
}

/*
 * Write every byte of iov, going on after short writes (a pipe whose
 * reader is slow, a signal) and EINTR. iov is consumed.
 */
static int write_all(struct xdpcap_output *out, struct iovec *iov, int cnt,
		     char *errbuf)
{
	ssize_t n;

	while (cnt) {
		if (!iov->iov_len) {
			iov++;
			cnt--;
			continue;
		}
		n = writev(out->fd, iov, cnt);
		if (n < 0 && errno == EINTR) {
			if (out->cancel && *out->cancel)
				return write_failed(out, -EINTR, errbuf);
			continue;
		}
		if (n < 0)
			return write_failed(out, -errno, errbuf);
		/* Only a zero-length request may write nothing: do not spin. */
		if (n == 0)
			return write_failed(out, -EIO, errbuf);
		out->offset += (uint64_t)n;
		for (; cnt && (size_t)n >= iov->iov_len; iov++, cnt--)
			n -= iov->iov_len;
		if (cnt) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	settle(out);
	return 0;
}

static int drain(struct xdpcap_output *out, char *errbuf)
{
	struct iovec iov = { .iov_base = out->buf, .iov_len = out->len };
	int err;

	err = write_all(out, &iov, 1, errbuf);
	out->len = 0;
	return err;
}

/*
 * Make room in the buffer. On a file, write up to a file block boundary
 * and keep the rest: a write that ends inside a block makes the file
 * system zero that block first, measured at a twentieth of the writer's
 * time with 1500-byte packets.
 */
static int make_room(struct xdpcap_output *out, char *errbuf)
{
	size_t keep = out->block ? (size_t)((out->offset + out->len) % out->block) : 0;
	struct iovec iov = { .iov_base = out->buf, .iov_len = out->len - keep };
	int err;

	if (keep >= out->len)
		return drain(out, errbuf);
	err = write_all(out, &iov, 1, errbuf);
	if (err)
		return err; /* the buffer is emptied: nothing can follow */
	memmove(out->buf, out->buf + out->len - keep, keep);
	out->len = keep;
	return 0;
}

int output_put(struct xdpcap_output *out, const struct iovec *iov, int cnt,
	       uint32_t iface, char *errbuf)
{
	struct iovec big[OUTPUT_MAX_IOV];
	size_t total = 0;
	uint8_t *p;
	int i, err;

	for (i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	if (out->n_pending == OUTPUT_MAX_PENDING) {
		err = drain(out, errbuf);
		if (err)
			return err;
	}
	if (total > OUTPUT_BUF_SIZE - out->len) {
		err = make_room(out, errbuf);
		if (!err && total > OUTPUT_BUF_SIZE - out->len)
			err = drain(out, errbuf);
		if (err)
			return err;
	}
	/* Too big for any buffer: the block goes straight out, uncopied. */
	if (total > OUTPUT_BUF_SIZE) {
		if (cnt > OUTPUT_MAX_IOV) {
			xdpcap_err(errbuf, "a block of %d pieces", cnt);
			return -EINVAL;
		}
		memcpy(big, iov, cnt * sizeof(*iov));
		err = write_all(out, big, cnt, errbuf);
		if (err)
			return err;
		/* (the buffer was empty: nothing else is pending) */
		out->whole = out->offset;
		return 0;
	}
	p = out->buf + out->len;
	for (i = 0; i < cnt; i++) {
		memcpy(p, iov[i].iov_base, iov[i].iov_len);
		p += iov[i].iov_len;
	}
	out->len += total;
	pending_add(out, iface);
	return 0;
}

int xdpcap_output_open(int fd, enum xdpcap_format format,
		       struct xdpcap_output **out, char *errbuf)
{
	struct xdpcap_output *o;
	struct stat st;
	int err;

	*out = NULL;
	o = calloc(1, sizeof(*o));
	if (!o) {
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	o->fd = fd;
	/* (appending, writes do not land where we count) */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    !(fcntl(fd, F_GETFL) & O_APPEND)) {
		off_t at = lseek(fd, 0, SEEK_CUR);

		o->seekable = at >= 0;
		o->offset = at > 0 ? (uint64_t)at : 0;
		o->whole = o->offset;
		if (st.st_blksize > 0 && (size_t)st.st_blksize <= OUTPUT_BUF_SIZE / 4)
			o->block = (uint32_t)st.st_blksize;
	}
	switch (format) {
	case XDPCAP_FORMAT_PCAPNG:
		o->ops = &output_pcapng_ops;
		break;
	case XDPCAP_FORMAT_PCAP:
		o->ops = &output_pcap_ops;
		break;
	default:
		xdpcap_err(errbuf, "unknown capture file format %d", (int)format);
		err = -EINVAL;
		goto err;
	}
	o->buf = malloc(OUTPUT_BUF_SIZE);
	o->pending = malloc(OUTPUT_MAX_PENDING * sizeof(*o->pending));
	if (!o->buf || !o->pending) {
		xdpcap_err(errbuf, "out of memory");
		err = -ENOMEM;
		goto err;
	}
	err = o->ops->start ? o->ops->start(o, errbuf) : 0;
	if (err)
		goto err;
	*out = o;
	return 0;
err:
	free(o->pending);
	free(o->buf);
	free(o);
	return err;
}

int xdpcap_output_add_iface(struct xdpcap_output *out,
			    const struct xdpcap_output_iface *iface,
			    char *errbuf)
{
	uint64_t *unwritten;
	int id;

	if (out->err)
		return check_failed(out, errbuf);
	unwritten = realloc(out->unwritten, (out->n_ifaces + 1) * sizeof(*unwritten));
	if (!unwritten) {
		xdpcap_err(errbuf, "out of memory");
		return -ENOMEM;
	}
	unwritten[out->n_ifaces] = 0;
	out->unwritten = unwritten;
	id = out->ops->add_iface(out, iface, errbuf);
	if (id >= 0) {
		out->n_ifaces++;
		out->ifaces_end = out->offset + out->len;
	}
	return id;
}

int xdpcap_output_write(struct xdpcap_output *out,
			const struct xdpcap_output_packet *pkt, char *errbuf)
{
	if (out->err)
		return check_failed(out, errbuf);
	if (pkt->iface >= out->n_ifaces) {
		xdpcap_err(errbuf, "packet on interface %u, but the file has %u",
			   pkt->iface, out->n_ifaces);
		return -EINVAL;
	}
	/* Readers reject such a record, and the whole file with it. */
	if (pkt->caplen > pkt->wirelen) {
		xdpcap_err(errbuf, "packet of %u bytes captured as %u bytes",
			   pkt->wirelen, pkt->caplen);
		return -EINVAL;
	}
	return out->ops->write(out, pkt, errbuf);
}

/*
 * After a failed write the file was cut back to a whole block: the
 * statistics may still fit (in what the cut freed, say), so that the
 * file itself tells what it lacks. Each block goes out at once, whole or
 * not at all; the first error stays the file's.
 */
static int write_stats_after_cut(struct xdpcap_output *out, uint32_t iface,
				 const struct xdpcap_output_stats *stats,
				 char *errbuf)
{
	int first = out->err, err;

	/* (with no interface block whole, readers would refuse it) */
	if (!out->cut || out->whole < out->ifaces_end)
		return check_failed(out, errbuf);
	out->err = 0;
	err = out->ops->write_stats(out, iface, stats, errbuf);
	if (!err)
		err = drain(out, errbuf);
	out->err = first;
	return err;
}

int xdpcap_output_write_stats(struct xdpcap_output *out, uint32_t iface,
			      const struct xdpcap_output_stats *stats,
			      char *errbuf)
{
	if (out->err && !out->cut)
		return check_failed(out, errbuf);
	if (iface >= out->n_ifaces) {
		xdpcap_err(errbuf, "statistics of interface %u, but the file has %u",
			   iface, out->n_ifaces);
		return -EINVAL;
	}
	if (!out->ops->write_stats)
		return out->err ? check_failed(out, errbuf) : 0;
	if (out->err)
		return write_stats_after_cut(out, iface, stats, errbuf);
	return out->ops->write_stats(out, iface, stats, errbuf);
}

uint64_t xdpcap_output_unwritten(const struct xdpcap_output *out, uint32_t iface)
{
	return iface < out->n_ifaces ? out->unwritten[iface] : 0;
}

void xdpcap_output_set_cancel(struct xdpcap_output *out,
			      volatile sig_atomic_t *cancel)
{
	out->cancel = cancel;
}

uint64_t xdpcap_output_bytes(const struct xdpcap_output *out)
{
	return out->offset + out->len;
}

int xdpcap_output_flush(struct xdpcap_output *out, char *errbuf)
{
	if (out->err)
		return check_failed(out, errbuf);
	return drain(out, errbuf);
}

int xdpcap_output_close(struct xdpcap_output *out, char *errbuf)
{
	int err;

	if (!out)
		return 0;
	err = xdpcap_output_flush(out, errbuf);
	free(out->unwritten);
	free(out->pending);
	free(out->buf);
	free(out);
	return err;
}
