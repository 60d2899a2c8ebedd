// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The writer thread of regular files (file_writer.h): a queue of filled
 * buffers, written in order with pwrite, direct where it can be.
 */
/* (O_DIRECT: _GNU_SOURCE comes from config.h, on the command line) */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_writer.h"

struct job {
	uint8_t *buf;
	size_t len;
	uint64_t offset;
};

struct file_writer {
	int fd;
	int flags;		/* the fd's status flags when we started */
	_Atomic bool direct;	/* O_DIRECT is set on the fd */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;	/* a job came, or stop */
	pthread_cond_t done_cond; /* a job is done */
	/* under lock: */
	struct job jobs[FILE_WRITER_BUFS];
	unsigned int first_job, n_jobs;
	bool writing;		/* the thread holds jobs[first_job] */
	uint8_t *free_bufs[FILE_WRITER_BUFS];
	unsigned int n_free, n_bufs;
	bool stop;
	/* the thread's results, read without the lock */
	_Atomic uint64_t done;
	_Atomic int err;
	uint8_t *filling;
};

/* The file is written up to end (it only grows: a tail is rewritten). */
static void advance(struct file_writer *fw, uint64_t end)
{
	if (end > atomic_load(&fw->done))
		atomic_store(&fw->done, end);
}

/*
 * pwrite every byte; a negative errno on failure. What a write that
 * fails on the way leaves written counts (a file that cannot grow takes
 * what fits).
 */
static int pwrite_all(struct file_writer *fw, const uint8_t *p, size_t len,
		      uint64_t offset)
{
	ssize_t n;

	while (len) {
		n = pwrite(fw->fd, p, len, (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
		advance(fw, offset);
	}
	return 0;
}

static int set_direct(struct file_writer *fw, bool on)
{
	int fl = on ? fw->flags | O_DIRECT : fw->flags & ~O_DIRECT;

	return fcntl(fw->fd, F_SETFL, fl) ? -errno : 0;
}

/*
 * Whole aligned blocks go direct; what is left (a flush's last, partial
 * block, or a job that does not start aligned) through the page cache.
 * A file system that refuses a direct write (EINVAL) gets buffered ones
 * from then on.
 */
static int write_job(struct file_writer *fw, const struct job *j)
{
	bool direct = atomic_load(&fw->direct);
	size_t head = 0;
	int err;

	if (direct && j->offset % FILE_WRITER_ALIGN == 0)
		head = j->len - j->len % FILE_WRITER_ALIGN;
	if (head) {
		err = pwrite_all(fw, j->buf, head, j->offset);
		if (err == -EINVAL) {
			if (set_direct(fw, false))
				return err;
			atomic_store(&fw->direct, false);
			direct = false;
			head = 0;
		} else if (err) {
			return err;
		}
	}
	if (head == j->len)
		return 0;
	if (direct && (err = set_direct(fw, false)))
		return err;
	err = pwrite_all(fw, j->buf + head, j->len - head, j->offset + head);
	if (direct && !err)
		err = set_direct(fw, true);
	return err;
}

static void *writer_thread(void *arg)
{
	struct file_writer *fw = arg;
	struct job j;
	int err;

	pthread_mutex_lock(&fw->lock);
	for (;;) {
		while (!fw->n_jobs && !fw->stop)
			pthread_cond_wait(&fw->wake, &fw->lock);
		if (!fw->n_jobs)
			break;
		j = fw->jobs[fw->first_job];
		fw->writing = true;
		pthread_mutex_unlock(&fw->lock);

		/* after a failure, jobs only come back: the file ends there */
		err = atomic_load(&fw->err) ? 0 : write_job(fw, &j);
		if (err)
			atomic_store(&fw->err, err);

		pthread_mutex_lock(&fw->lock);
		fw->writing = false;
		fw->first_job = (fw->first_job + 1) % FILE_WRITER_BUFS;
		fw->n_jobs--;
		fw->free_bufs[fw->n_free++] = j.buf;
		pthread_cond_broadcast(&fw->done_cond);
	}
	pthread_mutex_unlock(&fw->lock);
	return NULL;
}

static void free_all(struct file_writer *fw)
{
	for (unsigned int i = 0; i < fw->n_free; i++)
		free(fw->free_bufs[i]);
	free(fw->filling);
	free(fw);
}

int file_writer_start(int fd, uint64_t offset, enum file_writer_mode mode,
		      struct file_writer **out)
{
	struct file_writer *fw;
	sigset_t all, old;
	int err;

	*out = NULL;
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return -ENOMEM;
	fw->fd = fd;
	fw->flags = fcntl(fd, F_GETFL);
	if (fw->flags < 0) {
		err = -errno;
		free(fw);
		return err;
	}
	atomic_init(&fw->done, offset);
	atomic_init(&fw->err, 0);
	fw->filling = aligned_alloc(FILE_WRITER_ALIGN, FILE_WRITER_BUF_SIZE);
	for (; fw->n_free < FILE_WRITER_BUFS_START - 1; fw->n_free++) {
		fw->free_bufs[fw->n_free] = aligned_alloc(FILE_WRITER_ALIGN,
							  FILE_WRITER_BUF_SIZE);
		if (!fw->free_bufs[fw->n_free])
			break;
	}
	fw->n_bufs = fw->n_free + 1;
	if (!fw->filling || fw->n_free < FILE_WRITER_BUFS_START - 1) {
		free_all(fw);
		return -ENOMEM;
	}
	pthread_mutex_init(&fw->lock, NULL);
	pthread_cond_init(&fw->wake, NULL);
	pthread_cond_init(&fw->done_cond, NULL);
	/* (a file system without direct I/O refuses the flag here, or at
	 * the first direct write) */
	atomic_init(&fw->direct, mode == FILE_WRITER_AUTO &&
		    !(fw->flags & O_DIRECT) && !set_direct(fw, true));
	/* signals stay with the threads that wait for them */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&fw->thread, NULL, writer_thread, fw);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		fcntl(fd, F_SETFL, fw->flags);
		free_all(fw);
		return err;
	}
	*out = fw;
	return 0;
}

uint8_t *file_writer_buf(struct file_writer *fw)
{
	return fw->filling;
}

uint8_t *file_writer_queue(struct file_writer *fw, size_t len, uint64_t offset)
{
	pthread_mutex_lock(&fw->lock);
	fw->jobs[(fw->first_job + fw->n_jobs) % FILE_WRITER_BUFS] = (struct job){
		.buf = fw->filling, .len = len, .offset = offset,
	};
	fw->n_jobs++;
	pthread_cond_signal(&fw->wake);
	/* a burst: one more buffer, if memory allows */
	if (!fw->n_free && fw->n_bufs < FILE_WRITER_BUFS) {
		uint8_t *b = aligned_alloc(FILE_WRITER_ALIGN, FILE_WRITER_BUF_SIZE);

		if (b) {
			fw->free_bufs[fw->n_free++] = b;
			fw->n_bufs++;
		}
	}
	while (!fw->n_free)
		pthread_cond_wait(&fw->done_cond, &fw->lock);
	fw->filling = fw->free_bufs[--fw->n_free];
	pthread_mutex_unlock(&fw->lock);
	return fw->filling;
}

bool file_writer_busy(struct file_writer *fw)
{
	bool busy;

	pthread_mutex_lock(&fw->lock);
	busy = fw->n_jobs > 0;
	pthread_mutex_unlock(&fw->lock);
	return busy;
}

void file_writer_wait(struct file_writer *fw)
{
	pthread_mutex_lock(&fw->lock);
	while (fw->n_jobs)
		pthread_cond_wait(&fw->done_cond, &fw->lock);
	pthread_mutex_unlock(&fw->lock);
}

uint64_t file_writer_done(struct file_writer *fw)
{
	return atomic_load(&fw->done);
}

int file_writer_error(struct file_writer *fw)
{
	return atomic_load(&fw->err);
}

ssize_t file_writer_write_now(struct file_writer *fw, const struct iovec *iov,
			      int cnt, uint64_t offset)
{
	uint64_t at = offset;
	int err = 0;

	bool direct;

	file_writer_wait(fw);
	direct = atomic_load(&fw->direct);
	if (direct && (err = set_direct(fw, false)))
		return err;
	for (int i = 0; i < cnt && !err; i++) {
		err = pwrite_all(fw, iov[i].iov_base, iov[i].iov_len, at);
		at += iov[i].iov_len;
	}
	if (direct && !err)
		err = set_direct(fw, true);
	if (err)
		return err;
	return (ssize_t)(at - offset);
}

const char *file_writer_method(struct file_writer *fw)
{
	return atomic_load(&fw->direct) ? "direct I/O" : "buffered";
}

void file_writer_stop(struct file_writer *fw)
{
	if (!fw)
		return;
	pthread_mutex_lock(&fw->lock);
	fw->stop = true;
	pthread_cond_signal(&fw->wake);
	pthread_mutex_unlock(&fw->lock);
	pthread_join(fw->thread, NULL);
	/* the fd goes back as it came, at the end of what was written */
	fcntl(fw->fd, F_SETFL, fw->flags);
	lseek(fw->fd, (off_t)atomic_load(&fw->done), SEEK_SET);
	pthread_cond_destroy(&fw->done_cond);
	pthread_cond_destroy(&fw->wake);
	pthread_mutex_destroy(&fw->lock);
	free_all(fw);
}
