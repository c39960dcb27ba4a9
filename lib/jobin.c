/*
 * jobin: filling jobs' stdin.  The pipes are made large (1 MiB), so that
 * a block goes in with few wakeups; a block in memory goes in by
 * reference (vmsplice) rather than by copy, and a file range is spliced.
 */
#include "jobin.h"

#include <sys/inotify.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define PIPE_SIZE	(1024 * 1024)

static void
close_fd(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

/*
 * --fifo: parx opens the job's FIFO for reading and writing, so neither
 * side's open waits for the other, and fills it like a stdin pipe.  Its
 * end may only be closed (the job's end of file) once the job has opened
 * the FIFO, or what is in it is lost.
 */
static int
open_fifo(struct jobin *in, struct jobin_fifos *f, const char *path)
{
	if (f->ino == -1 &&
	    (f->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return -1;
	if ((in->pipe = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1)
		return -1;
	(void)fcntl(in->pipe, F_SETPIPE_SZ, PIPE_SIZE);
	if ((in->fifo_wd = inotify_add_watch(f->ino, path, IN_OPEN)) == -1) {
		close_fd(&in->pipe);
		return -1;
	}
	return 0;
}

int
jobin_open(struct jobin *in, struct jobin_fifos *f, const struct run_job *job,
    int devnull, int *job_end)
{
	int p[2], e;

	*job_end = devnull;
	in->pipe = in->held = in->fifo_wd = -1;
	in->fifo_opened = in->fifo_waiting = false;
	in->done = in->file_done = 0;
	in->sent = 0;
	in->stream_waiting = false;
	if (job->in_fifo)
		return open_fifo(in, f, job->remove_path);
	if (job->in_len == 0 && job->in_file_len == 0 && !job->in_stream &&
	    job->in_held) {
		if (pipe2(p, O_CLOEXEC) == -1)
			return -1;
		*job_end = p[0];
		in->held = p[1];
		return 0;
	}
	if (job->in_len == 0 && job->in_file_len == 0 && !job->in_stream)
		return 0;
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	/* Only our end is non-blocking; the job sees a normal pipe. */
	if (fcntl(p[1], F_SETFL, O_NONBLOCK) == -1) {
		e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	(void)fcntl(p[1], F_SETPIPE_SZ, PIPE_SIZE);
	*job_end = p[0];
	in->pipe = p[1];
	return 0;
}

/*
 * Writes the rest of in_data to the pipe: 1 when all is in, 0 when the
 * pipe is full, -1 when the job no longer reads.  By reference the pipe
 * gets our pages instead of a copy, which is safe only while in_data
 * outlives what the job has not read yet.
 */
static int
put_data(struct jobin *in, const struct run_job *j, bool by_reference)
{
	struct iovec iov;
	ssize_t n;

	while (in->done < j->in_len) {
		iov.iov_base = j->in_data + in->done;
		iov.iov_len = j->in_len - in->done;
		n = -1;
		errno = EINVAL;
		if (by_reference)
			n = vmsplice(in->pipe, &iov, 1, SPLICE_F_NONBLOCK);
		if (n == -1 && (errno == EINVAL || errno == ENOSYS))
			n = write(in->pipe, iov.iov_base, iov.iov_len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		in->done += n;
		in->sent += n;
	}
	return 1;
}

/* An in_stream job's stdin closes: the source hears that it is over. */
static void
close_stream(struct jobin *in, struct run_job *j, struct jobin_source *src)
{
	close_fd(&in->pipe);
	in->stream_waiting = false;
	if (src->closed != NULL)
		src->closed(src->arg, j->seq);
}

/*
 * --round-robin, --shard: the job's blocks, copied, since each is freed
 * as soon as it is in.  Returns when the pipe is full, or the source has
 * nothing yet (stream_waiting) or no more.
 */
static void
feed_stream(struct jobin *in, struct run_job *j, struct jobin_source *src)
{
	int put, r;

	for (;;) {
		if ((put = put_data(in, j, false)) <= 0) {
			if (put == -1)
				close_stream(in, j, src);
			return;
		}
		free(j->in_data);
		j->in_data = NULL;
		j->in_len = in->done = 0;
		r = src->next(src->arg, j->seq, &j->in_data, &j->in_len);
		in->stream_waiting = r == 2;
		if (r == 2)
			return;
		if (r != 1) {
			close_stream(in, j, src);
			return;
		}
	}
}

bool
jobin_retry(struct jobin *in, struct run_job *j, struct jobin_source *src)
{
	unsigned long long sent = in->sent;

	if (!j->in_stream || !in->stream_waiting || in->pipe == -1)
		return false;
	feed_stream(in, j, src);
	return !in->stream_waiting || in->sent != sent || in->pipe == -1;
}

void
jobin_feed(struct jobin *in, struct run_job *j, struct jobin_source *src)
{
	loff_t off;
	ssize_t n = 0;
	int put;

	if (j->in_stream) {
		feed_stream(in, j, src);
		return;
	}
	/* The block by reference: in_data is freed only when the job ends. */
	if ((put = put_data(in, j, true)) <= 0) {
		if (put == -1)
			close_fd(&in->pipe);
		return;
	}
	while (in->file_done < j->in_file_len) {
		off = j->in_off + (loff_t)in->file_done;
		n = splice(j->in_fd, &off, in->pipe, NULL,
		    j->in_file_len - in->file_done,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		in->file_done += n;
		in->sent += n;
	}
	if (j->in_fifo && !in->fifo_opened && n != -1) {
		in->fifo_waiting = true;	/* closed when the job opens it */
		return;
	}
	close_fd(&in->pipe);
}

bool
jobin_pollable(const struct jobin *in)
{
	return in->pipe != -1 && !in->fifo_waiting && !in->stream_waiting;
}

void
jobin_fifo_events(struct jobin_fifos *f, void (*opened)(void *arg, int wd),
    void *arg)
{
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *e;
	ssize_t n;
	char *p;

	if (f->ino == -1)
		return;
	while ((n = read(f->ino, ev, sizeof(ev))) > 0)
		for (p = ev; p < ev + n; p += sizeof(*e) + e->len) {
			e = (const struct inotify_event *)p;
			opened(arg, e->wd);
		}
}

void
jobin_fifo_opened(struct jobin *in)
{
	in->fifo_opened = true;
	if (in->fifo_waiting)
		close_fd(&in->pipe);
}

void
jobin_close(struct jobin *in, struct jobin_fifos *f)
{
	close_fd(&in->pipe);
	close_fd(&in->held);
	if (in->fifo_wd != -1) {
		(void)inotify_rm_watch(f->ino, in->fifo_wd);
		in->fifo_wd = -1;
	}
}
