/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The writer of regular files: a thread of its own writes the buffers
 * that the capture fills, so that the rings keep draining while the disk
 * works, and it writes them with O_DIRECT where the file system takes it,
 * so that no copy goes through the page cache. Not installed.
 *
 * A job is a buffer and where it lands in the file. Jobs are written in
 * order; the part of a job that is whole file-system blocks at an aligned
 * offset goes direct, the rest (a flush's partial last block) buffered,
 * so that the file never holds padding.
 */
#ifndef XDPCAP_LIB_FILE_WRITER_H
#define XDPCAP_LIB_FILE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/*
 * Buffers of this size: one filled, the others in flight. Four are made
 * at the start; more, up to FILE_WRITER_BUFS, while a burst comes faster
 * than the disk takes it (they stay until the file is closed). Measured
 * on a disk that takes 500 MB/s direct: 8 MiB in flight lost 15 % of
 * 1500-byte frames at 300 kfps (465 MB/s), 64 MiB nothing.
 */
#define FILE_WRITER_BUF_SIZE (1024 * 1024)
#define FILE_WRITER_BUFS_START 4
#define FILE_WRITER_BUFS 256
/* Direct writes start and end on multiples of this. */
#define FILE_WRITER_ALIGN 4096

enum file_writer_mode {
	FILE_WRITER_AUTO,	/* direct where the file system takes it */
	FILE_WRITER_BUFFERED,	/* through the page cache, on the thread */
};

struct file_writer;

/*
 * Start the thread for fd, a regular file written from offset on.
 * Returns 0 or a negative errno (then the caller writes by itself).
 */
int file_writer_start(int fd, uint64_t offset, enum file_writer_mode mode,
		      struct file_writer **fw);

/* The buffer to fill next (FILE_WRITER_BUF_SIZE bytes, aligned). */
uint8_t *file_writer_buf(struct file_writer *fw);

/*
 * Queue the len bytes of the buffer from file_writer_buf(), landing at
 * offset, and return the next buffer to fill (waiting for one to come
 * back if all are in flight). The queued buffer stays readable until the
 * next call, so that a tail can be copied out of it.
 */
uint8_t *file_writer_queue(struct file_writer *fw, size_t len, uint64_t offset);

/* Whether a queued job is not written yet. */
bool file_writer_busy(struct file_writer *fw);

/* Wait until every queued job is written (or one failed). */
void file_writer_wait(struct file_writer *fw);

/* Where the written part of the file ends: every job up to there done. */
uint64_t file_writer_done(struct file_writer *fw);

/* The first write error (a negative errno), or 0. Later jobs are dropped. */
int file_writer_error(struct file_writer *fw);

/* Write iov now, buffered, at offset, after the queued jobs (a block too
 * big for a buffer). Returns the bytes written or a negative errno. */
ssize_t file_writer_write_now(struct file_writer *fw, const struct iovec *iov,
			      int cnt, uint64_t offset);

/* "direct I/O" or "buffered": what the jobs went through. */
const char *file_writer_method(struct file_writer *fw);

/* Wait, stop the thread, give fd its flags back, free. */
void file_writer_stop(struct file_writer *fw);

#endif
