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

#include "file_writer.h"
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

/* Where what is written ends in the file. */
static uint64_t written_end(struct xdpcap_output *out)
{
	return out->fw ? file_writer_done(out->fw) : out->offset;
}

/* The blocks that are now whole in the file leave the ring. */
static void settle(struct xdpcap_output *out)
{
	uint64_t end = written_end(out);
	struct pending_block *b;

	while (out->n_pending) {
		b = &out->pending[out->pending_first];
		if (b->end > end)
			break;
		out->whole = b->end;
		out->pending_first = (out->pending_first + 1) % out->pending_cap;
		out->n_pending--;
	}
}

/* Twice the room for pending blocks, oldest first again. */
static int pending_grow(struct xdpcap_output *out)
{
	unsigned int cap = out->pending_cap * 2, i;
	struct pending_block *p = malloc(cap * sizeof(*p));

	if (!p)
		return -ENOMEM;
	for (i = 0; i < out->n_pending; i++)
		p[i] = out->pending[(out->pending_first + i) % out->pending_cap];
	free(out->pending);
	out->pending = p;
	out->pending_first = 0;
	out->pending_cap = cap;
	return 0;
}

static void pending_add(struct xdpcap_output *out, uint32_t iface)
{
	unsigned int i = (out->pending_first + out->n_pending) % out->pending_cap;

	out->pending[i] = (struct pending_block){
		.end = out->offset + out->len, .iface = iface,
	};
	out->n_pending++;
}

/*
 * Stop the writer thread (after a failure): from here on the caller
 * writes, with a buffer of its own.
 */
static void give_back_buffer(struct xdpcap_output *out)
{
	if (!out->fw)
		return;
	file_writer_stop(out->fw);
	out->fw = NULL;
	out->buf = out->own_buf;
	out->cap = OUTPUT_BUF_SIZE;
}

/*
 * A write failed: the blocks not whole in the file are given up (their
 * packets counted as unwritten), and a regular file is cut back to the
 * last whole one, so that readers see no block in part.
 */
static int write_failed(struct xdpcap_output *out, int err, char *errbuf)
{
	struct pending_block *b;
	bool queued = out->fw;

	if (out->fw)
		file_writer_wait(out->fw);
	settle(out);
	for (; out->n_pending; out->n_pending--) {
		b = &out->pending[out->pending_first];
		if (b->iface < out->n_ifaces)
			out->unwritten[b->iface]++;
		out->pending_first = (out->pending_first + 1) % out->pending_cap;
	}
	out->err = err;
	/* Half a block may be out already: what is buffered cannot follow it. */
	out->len = 0;
	/* (what comes after, the statistics, is written here) */
	give_back_buffer(out);
	if (out->seekable && (queued || out->offset > out->whole)) {
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

/* The writer thread's first error, as a failed write of ours. */
static int queued_result(struct xdpcap_output *out, char *errbuf)
{
	int err = file_writer_error(out->fw);

	if (err)
		return write_failed(out, err, errbuf);
	settle(out);
	return 0;
}

/*
 * Hand the buffer but its last keep bytes to the writer thread; those
 * start the next buffer.
 */
static void queue_buffer(struct xdpcap_output *out, size_t len, size_t keep)
{
	uint8_t *old = out->buf;

	out->buf = file_writer_queue(out->fw, len, out->offset);
	memcpy(out->buf, old + out->len - keep, keep);
	out->offset += out->len - keep;
	out->len = keep;
}

/*
 * Write out everything buffered, and wait for it. With a writer thread
 * the last, partial file block is written and also kept, to start the
 * next buffer: direct writes take whole blocks only.
 */
static int drain(struct xdpcap_output *out, char *errbuf)
{
	struct iovec iov = { .iov_base = out->buf, .iov_len = out->len };
	size_t keep;
	int err;

	if (out->fw) {
		keep = (size_t)((out->offset + out->len) % FILE_WRITER_ALIGN);
		if (out->len)
			queue_buffer(out, out->len, keep > out->len ? out->len : keep);
		file_writer_wait(out->fw);
		return queued_result(out, errbuf);
	}
	err = write_all(out, &iov, 1, errbuf);
	out->len = 0;
	return err;
}

int output_push(struct xdpcap_output *out, char *errbuf)
{
	size_t keep;

	if (!out->fw)
		return 0;
	if (out->err)
		return check_failed(out, errbuf);
	if (out->len && !file_writer_busy(out->fw)) {
		/* (the last partial file block is written, and kept, as by drain) */
		keep = (size_t)((out->offset + out->len) % FILE_WRITER_ALIGN);
		queue_buffer(out, out->len, keep > out->len ? out->len : keep);
	}
	/* a writer that failed drops what it is given: say so now */
	return queued_result(out, errbuf);
}

/*
 * Make room in the buffer. On a file, write up to a file block boundary
 * and keep the rest: a write that ends inside a block makes the file
 * system zero that block first, measured at a twentieth of the writer's
 * time with 1500-byte packets; a direct write cannot end there at all.
 */
static int make_room(struct xdpcap_output *out, char *errbuf)
{
	uint32_t block = out->fw ? FILE_WRITER_ALIGN : out->block;
	size_t keep = block ? (size_t)((out->offset + out->len) % block) : 0;
	struct iovec iov = { .iov_base = out->buf, .iov_len = out->len - keep };
	int err;

	if (keep >= out->len)
		return drain(out, errbuf);
	if (out->fw) {
		queue_buffer(out, out->len - keep, keep);
		return queued_result(out, errbuf);
	}
	err = write_all(out, &iov, 1, errbuf);
	if (err)
		return err; /* the buffer is emptied: nothing can follow */
	memmove(out->buf, out->buf + out->len - keep, keep);
	out->len = keep;
	return 0;
}

/*
 * A block larger than any buffer goes straight out, uncopied, after
 * what is buffered.
 */
static int put_big(struct xdpcap_output *out, const struct iovec *iov, int cnt,
		   char *errbuf)
{
	struct iovec big[OUTPUT_MAX_IOV];
	ssize_t n;
	int err;

	if (cnt > OUTPUT_MAX_IOV) {
		xdpcap_err(errbuf, "a block of %d pieces", cnt);
		return -EINVAL;
	}
	err = drain(out, errbuf);
	if (err)
		return err;
	if (out->fw) {
		/* (the kept tail is in the file already) */
		out->offset += out->len;
		out->len = 0;
		n = file_writer_write_now(out->fw, iov, cnt, out->offset);
		if (n < 0)
			return write_failed(out, (int)n, errbuf);
		out->offset += (uint64_t)n;
	} else {
		memcpy(big, iov, cnt * sizeof(*iov));
		err = write_all(out, big, cnt, errbuf);
		if (err)
			return err;
	}
	/* (the buffer was written: nothing else is pending) */
	out->whole = out->offset;
	return 0;
}

int output_put(struct xdpcap_output *out, const struct iovec *iov, int cnt,
	       uint32_t iface, char *errbuf)
{
	size_t total = 0;
	uint8_t *p;
	int i, err;

	for (i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	if (out->n_pending == out->pending_cap) {
		err = out->fw ? pending_grow(out) : drain(out, errbuf);
		if (err == -ENOMEM)
			xdpcap_err(errbuf, "out of memory");
		if (err)
			return err;
	}
	/* (a buffer less its kept tail block may still not take it) */
	if (total > out->cap - FILE_WRITER_ALIGN)
		return put_big(out, iov, cnt, errbuf);
	if (total > out->cap - out->len) {
		err = make_room(out, errbuf);
		if (!err && total > out->cap - out->len)
			err = drain(out, errbuf);
		if (err)
			return err;
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

/*
 * A regular file gets a writer thread, direct where it can be:
 * XDPCAP_WRITER=buffered keeps the page cache, =inline writes from the
 * caller's thread as pipes are written.
 */
static int start_writer(struct xdpcap_output *o, char *errbuf)
{
	const char *want = getenv("XDPCAP_WRITER");
	enum file_writer_mode mode = FILE_WRITER_AUTO;
	int err;

	if (!want || !*want || !strcmp(want, "direct"))
		mode = FILE_WRITER_AUTO;
	else if (!strcmp(want, "buffered"))
		mode = FILE_WRITER_BUFFERED;
	else if (!strcmp(want, "inline"))
		return 0;
	else {
		xdpcap_err(errbuf, "XDPCAP_WRITER=%s: not direct, buffered or inline", want);
		return -EINVAL;
	}
	if (!o->seekable)
		return 0;
	err = file_writer_start(o->fd, o->offset, mode, &o->fw);
	if (err) {
		xdpcap_err(errbuf, "cannot start the file writer: %s", strerror(-err));
		return err;
	}
	o->buf = file_writer_buf(o->fw);
	o->cap = FILE_WRITER_BUF_SIZE;
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
	o->own_buf = malloc(OUTPUT_BUF_SIZE);
	o->pending_cap = OUTPUT_MAX_PENDING;
	o->pending = malloc(o->pending_cap * sizeof(*o->pending));
	if (!o->own_buf || !o->pending) {
		xdpcap_err(errbuf, "out of memory");
		err = -ENOMEM;
		goto err;
	}
	o->buf = o->own_buf;
	o->cap = OUTPUT_BUF_SIZE;
	err = start_writer(o, errbuf);
	if (err)
		goto err;
	err = o->ops->start ? o->ops->start(o, errbuf) : 0;
	if (err)
		goto err;
	*out = o;
	return 0;
err:
	if (o->fw)
		file_writer_stop(o->fw);
	free(o->pending);
	free(o->own_buf);
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

const char *xdpcap_output_method(struct xdpcap_output *out)
{
	if (out->fw)
		return file_writer_method(out->fw);
	return out->seekable ? "buffered, in the capture's thread" : "stream";
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
	give_back_buffer(out);
	free(out->unwritten);
	free(out->pending);
	free(out->own_buf);
	free(out);
	return err;
}
