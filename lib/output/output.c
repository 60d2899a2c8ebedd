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

static int write_failed(struct xdpcap_output *out, int err, char *errbuf)
{
	out->err = err;
	/* Half a block may be out already: what is buffered cannot follow it. */
	out->len = 0;
	xdpcap_err(errbuf, "cannot write the capture: %s", strerror(-err));
	return err;
}

/* A file that failed once stays failed, with the same message each time. */
static int check_failed(struct xdpcap_output *out, char *errbuf)
{
	if (out->err)
		xdpcap_err(errbuf, "cannot write the capture: %s",
			   strerror(-out->err));
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
	       char *errbuf)
{
	struct iovec big[OUTPUT_MAX_IOV];
	size_t total = 0;
	uint8_t *p;
	int i, err;

	for (i = 0; i < cnt; i++)
		total += iov[i].iov_len;
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
		return write_all(out, big, cnt, errbuf);
	}
	p = out->buf + out->len;
	for (i = 0; i < cnt; i++) {
		memcpy(p, iov[i].iov_base, iov[i].iov_len);
		p += iov[i].iov_len;
	}
	out->len += total;
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
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_blksize > 0 &&
	    (size_t)st.st_blksize <= OUTPUT_BUF_SIZE / 4 &&
	    !(fcntl(fd, F_GETFL) & O_APPEND)) {
		off_t at = lseek(fd, 0, SEEK_CUR);

		o->block = (uint32_t)st.st_blksize;
		o->offset = at > 0 ? (uint64_t)at : 0;
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
	if (!o->buf) {
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
	free(o->buf);
	free(o);
	return err;
}

int xdpcap_output_add_iface(struct xdpcap_output *out,
			    const struct xdpcap_output_iface *iface,
			    char *errbuf)
{
	int id;

	if (out->err)
		return check_failed(out, errbuf);
	id = out->ops->add_iface(out, iface, errbuf);
	if (id >= 0)
		out->n_ifaces++;
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

int xdpcap_output_write_stats(struct xdpcap_output *out, uint32_t iface,
			      const struct xdpcap_output_stats *stats,
			      char *errbuf)
{
	if (out->err)
		return check_failed(out, errbuf);
	if (iface >= out->n_ifaces) {
		xdpcap_err(errbuf, "statistics of interface %u, but the file has %u",
			   iface, out->n_ifaces);
		return -EINVAL;
	}
	if (!out->ops->write_stats)
		return 0;
	return out->ops->write_stats(out, iface, stats, errbuf);
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
	free(out->buf);
	free(out);
	return err;
}
