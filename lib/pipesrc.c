/*
 * pipesrc: --pipe and --pipepart blocks made into jobs.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fdio.h"
#include "feed.h"
#include "pipesrc.h"
#include "xmalloc.h"

#define BLOCK_DEFAULT	(1024 * 1024)	/* GNU's --block default */

struct pipesrc {
	struct pipesrc_opts	 o;
	int			 fd;		/* the input */
	struct blocker		*blocker;	/* a stream, or NULL */
	struct blocker		*sep_remover;	/* --pipepart --rrs: cuts out
						   record separators */
	off_t			*starts;	/* a file's ranges, or NULL */
	size_t			 nranges, next;
	char			*header;	/* a file's header lines, which
						   each job gets first */
	size_t			 header_len;
	size_t			 grown_from;	/* the file's cuts made blocks */
	size_t			 grown_to;	/* bigger: not yet told */
	char			*dir;		/* --cat's files, --fifo's FIFOs */
	unsigned long		 seq;		/* jobs made */
};

/*
 * --fifo, --cat: a private directory for the jobs' FIFOs and files, which
 * the run's sentinel removes if parx is killed.
 */
static char *
make_dir(const char *tmpdir)
{
	struct buf b;

	buf_init(&b);
	buf_addstr(&b, tmpdir != NULL ? tmpdir : "/tmp");
	buf_addstr(&b, "/parx.XXXXXX");
	if (mkdtemp(b.data) == NULL) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* --fifo: a FIFO named after the job, which run fills with the block. */
static int
make_fifo(const struct pipesrc *p, unsigned long seq, char **path)
{
	struct buf b;
	char num[32];

	buf_init(&b);
	buf_addstr(&b, p->dir);
	snprintf(num, sizeof(num), "/%lu", seq);
	buf_addstr(&b, num);
	if (mkfifo(b.data, 0600) == -1) {
		buf_release(&b);
		return -1;
	}
	*path = buf_detach(&b);
	return 0;
}

/* --cat: the block goes to a file, which run removes when the job ends. */
static int
write_file(const struct pipesrc *p, const char *data, size_t len, char **path)
{
	struct buf b;
	int fd, e;

	buf_init(&b);
	buf_addstr(&b, p->dir);
	buf_addstr(&b, "/cat.XXXXXX");
	if ((fd = mkostemp(b.data, O_CLOEXEC)) == -1) {
		buf_release(&b);
		return -1;
	}
	if (fdio_write_full(fd, data, len) == -1) {
		e = errno;
		close(fd);
		unlink(b.data);
		buf_release(&b);
		errno = e;
		return -1;
	}
	close(fd);
	*path = buf_detach(&b);
	return 0;
}

/* A file's header and range n, read for a --cat file. */
static int
read_range(const struct pipesrc *p, size_t n, char **data, size_t *len)
{
	size_t want = (size_t)(p->starts[n + 1] - p->starts[n]), done = 0;
	ssize_t got;

	*len = p->header_len + want;
	*data = xmalloc(*len);
	if (p->header_len > 0)
		memcpy(*data, p->header, p->header_len);
	while (done < want) {
		got = fdio_pread(p->fd, *data + p->header_len + done,
		    want - done, p->starts[n] + (off_t)done);
		if (got <= 0) {
			if (got == 0)
				errno = EIO;	/* the file shrank */
			free(*data);
			return -1;
		}
		done += (size_t)got;
	}
	return 0;
}

/*
 * Cuts a regular file into ranges.  --block -N: N blocks per slot;
 * --pipepart's default, as GNU's: ten blocks per slot.
 */
static int
cut_file(struct pipesrc *p, off_t size)
{
	struct block_opts blk = p->o.blk;
	ssize_t got;

	if (p->o.block < 0)
		blk.size = (size_t)((double)size /
		    (-p->o.block * (double)p->o.jobs)) + 1;
	else if (p->o.block == 0 && p->o.part)
		blk.size = (size_t)(size / (off_t)(10 * p->o.jobs)) + 1;
	if (blocker_ranges(p->fd, size, &blk, !p->o.part, &p->starts,
	    &p->nranges, &p->header_len) == -1)
		return -1;
	if (blk.size > p->o.blk.size) {
		p->grown_from = p->o.blk.size;
		p->grown_to = blk.size;
	}
	if (p->header_len > 0) {
		p->header = xmalloc(p->header_len);
		got = fdio_pread(p->fd, p->header, p->header_len, 0);
		if (got != (ssize_t)p->header_len) {
			if (got >= 0)
				errno = EIO;
			return -1;
		}
	}
	if (size == (off_t)p->header_len)
		p->nranges = 0;
	return 0;
}

struct pipesrc *
pipesrc_new(int fd, const struct pipesrc_opts *o, enum pipesrc_fail *why)
{
	struct pipesrc *p;
	struct stat st;
	int e;

	p = xcalloc(1, sizeof(*p));
	p->o = *o;
	p->fd = fd;
	if (o->sharder != NULL)
		return p;	/* it reads fd */
	if (p->o.jobs == 0)
		p->o.jobs = 1;
	p->o.blk.size = o->block > 0 ? (size_t)o->block : BLOCK_DEFAULT;
	*why = PIPESRC_DIR;
	if ((o->fifo || o->cat) && (p->dir = make_dir(o->tmpdir)) == NULL)
		goto fail;
	*why = PIPESRC_READ;
	if (fstat(fd, &st) == -1)
		goto fail;
	/*
	 * --pipe from a regular file read from its start is cut the way
	 * --pipepart is, so the blocks are spliced and never copied; the
	 * blocks are the same either way.  -N, -L, --regexp and --csv
	 * depend on all the records before them, and --round-robin feeds
	 * long-lived jobs, so they read the stream.
	 */
	if (!o->part && (o->blk.records > 0 || o->blk.lines > 0 ||
	    o->round_robin || o->blk.regexp || o->blk.csv ||
	    o->blk.remove_sep || o->blk.group_by != NULL ||
	    !S_ISREG(st.st_mode) ||
	    lseek(fd, 0, SEEK_CUR) != 0)) {
		/* A bigger pipe from the producer: fewer, larger reads. */
		if (S_ISFIFO(st.st_mode))
			(void)fcntl(fd, F_SETPIPE_SZ, 1024 * 1024);
		/* run polls for what a job takes itself only with --shard. */
		p->o.blk.timeout_waits = p->o.round_robin;
		p->blocker = blocker_new(fd, &p->o.blk);
		return p;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = PIPESRC_NOT_FILE;
		errno = EINVAL;
		goto fail;
	}
	if (cut_file(p, st.st_size) == -1)
		goto fail;
	/* --pipepart --rrs: the parts are read, and cut by this one. */
	if (o->blk.remove_sep)
		p->sep_remover = blocker_new(-1, &p->o.blk);
	return p;
fail:
	e = errno;
	pipesrc_free(p);
	errno = e;
	return NULL;
}

void
pipesrc_free(struct pipesrc *p)
{
	if (p == NULL)
		return;
	blocker_free(p->blocker);
	blocker_free(p->sep_remover);
	sharder_free(p->o.sharder);
	free(p->starts);
	free(p->header);
	if (p->fd > STDERR_FILENO)
		close(p->fd);
	if (p->dir != NULL)
		(void)rmdir(p->dir);
	free(p->dir);
	free(p);
}

const char *
pipesrc_dir(const struct pipesrc *p)
{
	return p->dir;
}

long
pipesrc_total(const struct pipesrc *p)
{
	return p->starts != NULL ? (long)p->nranges : -1;
}

/* The job's stdin: the header and a file range, or a block in memory. */
static void
set_stdin(const struct pipesrc *p, size_t range, char *block, size_t len,
    struct run_job *job)
{
	if (p->starts != NULL && block == NULL) {
		if (p->header_len > 0)
			job->in_data = xmemdup(p->header, p->header_len);
		job->in_len = p->header_len;
		job->in_fd = p->fd;
		job->in_off = p->starts[range];
		job->in_file_len = (size_t)(p->starts[range + 1] -
		    p->starts[range]);
		return;
	}
	job->in_data = block;
	job->in_len = len;
	job->in_stream = p->o.round_robin || p->o.sharder != NULL;
}

int
pipesrc_next(struct pipesrc *p, struct feed *f, unsigned long slot,
    char *const *fields, size_t nfields, struct run_job *job,
    enum pipesrc_fail *why)
{
	char *data = NULL, *path = NULL;
	size_t len = 0, range = 0;
	int r, e;

	*why = PIPESRC_READ;
	if ((p->o.round_robin || p->o.sharder != NULL) &&
	    p->seq >= p->o.jobs)
		return 0;
	if (p->starts != NULL) {
		if (p->next == p->nranges)
			return 0;
		range = p->next++;
		if ((p->o.cat || p->sep_remover != NULL) &&
		    read_range(p, range, &data, &len) == -1)
			return -1;
		if (p->sep_remover != NULL)
			len = p->header_len + blocker_remove_sep(
			    p->sep_remover, data + p->header_len,
			    len - p->header_len);
	} else if (p->o.sharder == NULL &&
	    (r = blocker_next(p->blocker, &data, &len)) != 1 &&
	    !(r == 0 && p->o.round_robin && nfields > 0))
		return r;
	/*
	 * (As GNU: a --round-robin job for a set of ::: values starts even
	 * when the input has run out, and reads an empty stdin.)
	 */
	*why = p->o.cat ? PIPESRC_CAT : PIPESRC_FIFO;
	if ((p->o.cat && write_file(p, data, len, &path) == -1) ||
	    (p->o.fifo && make_fifo(p, p->seq + 1, &path) == -1)) {
		e = errno;
		free(data);
		errno = e;
		return -1;
	}
	p->seq++;
	if ((path != NULL ? feed_make_job(f, p->seq, slot, &path, 1, job) :
	    feed_make_job(f, p->seq, slot, fields, nfields, job)) == -1) {
		e = errno;
		*why = PIPESRC_JOB;
		job_release(job);
		free(data);
		if (path != NULL)
			unlink(path);
		free(path);
		errno = e;
		return -1;
	}
	if (path != NULL) {
		job->remove_path = path;
		job->in_fifo = p->o.fifo;
		if (p->o.cat) {
			free(data);	/* the job reads the file */
			return 1;
		}
	}
	set_stdin(p, range, data, len, job);
	return 1;
}

size_t
pipesrc_block_grown(struct pipesrc *p, size_t *from)
{
	size_t to = p->grown_to;

	*from = p->grown_from;
	p->grown_from = p->grown_to = 0;
	if (to != 0)
		return to;
	return p->blocker != NULL ? blocker_grown(p->blocker, from) : 0;
}

int
pipesrc_wait_fd(const struct pipesrc *p)
{
	return p->blocker != NULL && p->o.sharder == NULL ?
	    blocker_wait_fd(p->blocker) : -1;
}

double
pipesrc_wake_at(const struct pipesrc *p)
{
	return p->blocker != NULL && p->o.sharder == NULL ?
	    blocker_wake_at(p->blocker) : 0;
}

const char *
pipesrc_key_error(const struct pipesrc *p)
{
	return p != NULL && p->blocker != NULL ?
	    blocker_key_error(p->blocker) : NULL;
}

void
pipesrc_input_closed(struct pipesrc *p, unsigned long seq)
{
	if (p->o.sharder != NULL)
		sharder_closed(p->o.sharder, seq);
}

int
pipesrc_next_input(struct pipesrc *p, unsigned long seq, char **data,
    size_t *len)
{
	if (p->o.sharder != NULL)
		return sharder_next(p->o.sharder, seq, data, len);
	return blocker_next(p->blocker, data, len);
}
