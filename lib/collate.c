/*
 * collate: output ownership, buffering and spilling.
 *
 * Held output is a list of segments per job and stream: memory chunks,
 * or extents of the shared spill file once the memory bound is reached.
 * A spilled extent is written out with sendfile(2) and its space given
 * back with FALLOC_FL_PUNCH_HOLE, so the file does not keep what was
 * already written.
 */
#include "collate.h"

#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fdio.h"
#include "xmalloc.h"

#define COLOR_RESET	"\033[m"
#define SEG_CHUNK	(64 * 1024)

struct seg {
	struct seg	*next;
	char		*mem;		/* NULL: an extent of the spill file */
	off_t		 off;
	size_t		 len;
	size_t		 cap;
};

struct stream {
	struct seg	*head;
	struct seg	*tail;
	bool		 mid_line;	/* the last byte written was no newline */
};

struct collate_job {
	struct collate_job	*next;
	struct collate_job	*prev;
	char			*tag;
	size_t			 taglen;
	const char		*color;
	struct stream		 s[2];
	bool			 ended;
	bool			 wrote;		/* as owner, wrote something */
};

struct collate {
	struct collate_opts	 opts;
	struct collate_job	*head;		/* in start order */
	struct collate_job	*tail;
	struct collate_job	*owner;
	int			 spill_fd;
	off_t			 spill_end;
	size_t			 mem_used;
	int			 write_err[2];
	bool			 out_is_pipe[2];
	int			 spill_err;
	unsigned long long	 written;	/* to our outputs, in all */
	struct buf		 stage;		/* tagged lines being written */
	bool			 no_splice;	/* an output takes none (a tty) */
	bool			 no_spill_splice;
	struct buf		 notices;	/* waiting for a line's end */
	bool			 is_tty[2];	/* the outputs that are terminals */
	bool			 mid_line[2];	/* the last byte out was not \n
					   (or is not known) */
	bool			 status_on;	/* a status line is in use: what
					   goes to a terminal is copied,
					   so its line ends are known */
	bool			 status_shown;	/* a status line is on stderr */
	struct buf		 status;	/* and what it says */
};

/*
 * A status line (--bar) sits on the terminal's last line without a
 * newline: anything written to a terminal first wipes it.  run redraws
 * it on its next tick.
 */
static void
wipe_status(struct collate *c, int s)
{
	static const char wipe[] = "\r\033[K";

	if (!c->status_shown || !c->is_tty[s])
		return;
	c->status_shown = false;
	(void)fdio_write_full(c->opts.fd[COLLATE_STDERR], wipe,
	    sizeof(wipe) - 1);
}

struct collate *
collate_new(const struct collate_opts *opts)
{
	struct collate *c;
	struct stat st;
	int s;

	c = xcalloc(1, sizeof(*c));
	c->opts = *opts;
	c->spill_fd = -1;
	for (s = 0; s < 2; s++) {
		c->out_is_pipe[s] = fstat(opts->fd[s], &st) == -1 ||
		    S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
		c->is_tty[s] = isatty(opts->fd[s]) == 1;
	}
	buf_init(&c->stage);
	buf_init(&c->notices);
	buf_init(&c->status);
	return c;
}

/* Writes to parx's own stream s; after a failure the stream is dropped. */
static int
out(struct collate *c, int s, const char *p, size_t n)
{
	if (c->write_err[s] != 0)
		return 0;
	if (n == 0)
		return 0;
	wipe_status(c, s);
	if (fdio_write_full(c->opts.fd[s], p, n) == -1) {
		c->write_err[s] = errno;
		return -1;
	}
	c->mid_line[s] = p[n - 1] != '\n';
	c->written += n;
	return 0;
}

/* Whether each line of j's output gets something put around it. */
static bool
decorated(const struct collate *c, const struct collate_job *j)
{
	return j->tag != NULL || j->color != NULL || c->opts.end_lines;
}

/* Writes job output, putting the tag before each line. */
static int
emit(struct collate *c, struct collate_job *j, int s, const char *p,
    size_t n)
{
	struct stream *st = &j->s[s];
	const char *nl;
	size_t k;
	int r;

	if (n == 0)
		return 0;
	if (!decorated(c, j)) {
		st->mid_line = p[n - 1] != '\n';
		return out(c, s, p, n);
	}
	buf_reset(&c->stage);
	while (n > 0) {
		/* A line continued from an earlier write is coloured again. */
		if (j->color != NULL)
			buf_addstr(&c->stage, j->color);
		if (!st->mid_line && j->tag != NULL)
			buf_add(&c->stage, j->tag, j->taglen);
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) + 1 : n;
		/* The colour ends before the line does. */
		if (j->color != NULL && nl != NULL) {
			buf_add(&c->stage, p, k - 1);
			buf_addstr(&c->stage, COLOR_RESET "\n");
		} else
			buf_add(&c->stage, p, k);
		if (j->color != NULL && nl == NULL)
			buf_addstr(&c->stage, COLOR_RESET);
		st->mid_line = nl == NULL;
		p += k;
		n -= k;
	}
	r = out(c, s, c->stage.data, c->stage.len);
	if (c->stage.cap > 4 * SEG_CHUNK)
		buf_release(&c->stage);
	return r;
}

static struct seg *
new_seg(struct stream *st)
{
	struct seg *g = xcalloc(1, sizeof(*g));

	if (st->tail != NULL)
		st->tail->next = g;
	else
		st->head = g;
	st->tail = g;
	return g;
}

/* Records n bytes just written at the end of the spill file. */
static void
add_extent(struct collate *c, struct stream *st, size_t n)
{
	struct seg *g = st->tail;

	if (g == NULL || g->mem != NULL || g->off + (off_t)g->len !=
	    c->spill_end) {
		g = new_seg(st);
		g->off = c->spill_end;
	}
	g->len += n;
	c->spill_end += n;
}

/* Spills p to the file; false if that failed (the caller keeps it). */
static bool
spill(struct collate *c, struct stream *st, const char *p, size_t n)
{
	ssize_t w;
	size_t done = 0;

	if (c->spill_err != 0)
		return false;
	if (c->spill_fd == -1 && (c->spill_fd = fdio_tmpfile(c->opts.tmpdir)) == -1) {
		c->spill_err = errno;
		return false;
	}
	while (done < n) {
		w = pwrite(c->spill_fd, p + done, n - done,
		    c->spill_end + done);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			c->spill_err = errno;
			return false;
		}
		done += w;
	}
	add_extent(c, st, n);
	return true;
}

static int
spill_fd(struct collate *c, struct collate_job *j, int s, off_t *off)
{
	if (c->opts.mode == COLLATE_LINE || c->opts.mode == COLLATE_UNGROUP ||
	    (j == c->owner && !c->opts.hold_all) ||
	    c->mem_used < c->opts.mem_limit || c->spill_err != 0)
		return -1;
	if (c->spill_fd == -1 && (c->spill_fd = fdio_tmpfile(c->opts.tmpdir)) == -1) {
		c->spill_err = errno;
		return -1;
	}
	(void)s;
	*off = c->spill_end;
	return c->spill_fd;
}

static void
spilled(struct collate *c, struct collate_job *j, int s, size_t n)
{
	add_extent(c, &j->s[s], n);
}

static void
hold(struct collate *c, struct collate_job *j, int s, const char *p,
    size_t n)
{
	struct stream *st = &j->s[s];
	struct seg *g;
	size_t k;

	if (c->mem_used + n > c->opts.mem_limit && spill(c, st, p, n))
		return;
	while (n > 0) {
		g = st->tail;
		if (g == NULL || g->mem == NULL || g->len == g->cap) {
			g = new_seg(st);
			/*
			 * Start small (many short jobs may be held at
			 * once with -k) and grow towards SEG_CHUNK.
			 */
			g->cap = n > SEG_CHUNK ? n : n > 256 ? SEG_CHUNK : 256;
			g->mem = xmalloc(g->cap);
			c->mem_used += g->cap;
		}
		k = g->cap - g->len < n ? g->cap - g->len : n;
		memcpy(g->mem + g->len, p, k);
		g->len += k;
		p += k;
		n -= k;
	}
}

static int
emit_extent(struct collate *c, struct collate_job *j, int s, off_t off,
    size_t len)
{
	char chunk[SEG_CHUNK];
	off_t pos = off;
	ssize_t n;
	int r = 0;

	/*
	 * sendfile into a pipe would leave it references to the spill
	 * file's pages, which the hole punched below then changes; a pipe
	 * gets a copy instead.
	 */
	if (!decorated(c, j) && c->write_err[s] == 0 && !c->out_is_pipe[s] &&
	    !(c->status_on && c->is_tty[s])) {
		while (len > 0) {
			n = sendfile(c->opts.fd[s], c->spill_fd, &pos, len);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			c->mid_line[s] = true;	/* unknown */
			len -= n;
			c->written += n;
			j->s[s].mid_line = false;
		}
		if (len > 0 && errno != EINVAL && errno != ENOSYS) {
			c->write_err[s] = errno;
			r = -1;
		}
	}
	while (r == 0 && len > 0 && c->write_err[s] == 0) {
		n = pread(c->spill_fd, chunk, len < sizeof(chunk) ? len :
		    sizeof(chunk), pos);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->spill_err = n == 0 ? EIO : errno;
			break;
		}
		r = emit(c, j, s, chunk, n);
		pos += n;
		len -= n;
	}
	fallocate(c->spill_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	    off, pos - off);
	return r;
}

/* Frees what job j holds on stream s, writing it unless drop. */
static int	release_stream(struct collate *, struct collate_job *, int,
		    bool);

/* Writes and frees what job j holds on stream s. */
static int
flush_stream(struct collate *c, struct collate_job *j, int s)
{
	return release_stream(c, j, s, false);
}

static int
release_stream(struct collate *c, struct collate_job *j, int s, bool drop)
{
	struct stream *st = &j->s[s];
	struct seg *g;
	int r = 0;

	while ((g = st->head) != NULL) {
		if (g->mem != NULL) {
			if (!drop && emit(c, j, s, g->mem, g->len) == -1)
				r = -1;
			c->mem_used -= g->cap;
			free(g->mem);
		} else if (drop)
			fallocate(c->spill_fd, FALLOC_FL_PUNCH_HOLE |
			    FALLOC_FL_KEEP_SIZE, g->off, g->len);
		else if (emit_extent(c, j, s, g->off, g->len) == -1)
			r = -1;
		st->head = g->next;
		free(g);
	}
	st->tail = NULL;
	return r;
}

/*
 * end_lines: an ended job's last line gets the newline it lacks (a
 * colour was ended before it already).
 */
static int
end_lines(struct collate *c, struct collate_job *j)
{
	int s, r = 0;

	for (s = 0; s < 2; s++)
		if (c->opts.end_lines && j->ended && j->s[s].mid_line) {
			j->s[s].mid_line = false;
			if (out(c, s, "\n", 1) == -1)
				r = -1;
		}
	return r;
}

static int
flush_job(struct collate *c, struct collate_job *j)
{
	int r = 0;

	if (flush_stream(c, j, COLLATE_STDOUT) == -1)
		r = -1;
	if (flush_stream(c, j, COLLATE_STDERR) == -1)
		r = -1;
	if (end_lines(c, j) == -1)
		r = -1;
	return r;
}

static void
unlink_job(struct collate *c, struct collate_job *j)
{
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		c->head = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	else
		c->tail = j->prev;
	if (c->owner == j)
		c->owner = NULL;
	free(j->tag);
	free(j);
}

static int	next_owner(struct collate *);

void
collate_job_recolor(struct collate_job *j, const char *color)
{
	j->color = color;
}

struct collate_job *
collate_job_start(struct collate *c, const char *tag, const char *color)
{
	struct collate_job *j;

	j = xcalloc(1, sizeof(*j));
	j->color = color;
	if (tag != NULL) {
		j->tag = xstrdup(tag);
		j->taglen = strlen(tag);
	}
	j->prev = c->tail;
	if (c->tail != NULL)
		c->tail->next = j;
	else
		c->head = j;
	c->tail = j;
	if (c->owner == NULL && (c->opts.mode != COLLATE_KEEP || c->head == j))
		c->owner = j;
	return j;
}

/* Line mode: write whatever ends in a newline, hold the rest. */
static int
add_lines(struct collate *c, struct collate_job *j, int s, const char *p,
    size_t n)
{
	const char *nl;
	size_t k;
	int r;

	for (nl = p + n; nl > p && nl[-1] != '\n'; nl--)
		;
	if (nl == p) {
		hold(c, j, s, p, n);
		return 0;
	}
	k = nl - p;
	r = flush_stream(c, j, s);
	if (emit(c, j, s, p, k) == -1)
		r = -1;
	if (k < n)
		hold(c, j, s, p + k, n - k);
	return r;
}

int
collate_add(struct collate *c, struct collate_job *j, int s,
    const void *data, size_t len)
{
	switch (c->opts.mode) {
	case COLLATE_UNGROUP:
		return emit(c, j, s, data, len);
	case COLLATE_LINE:
		return add_lines(c, j, s, data, len);
	default:
		break;
	}
	if (j == c->owner && !c->opts.hold_all) {
		j->wrote = j->wrote || len > 0;
		return emit(c, j, s, data, len);
	}
	hold(c, j, s, data, len);
	return 0;
}

void
collate_job_reset(struct collate *c, struct collate_job *j)
{
	release_stream(c, j, COLLATE_STDOUT, true);
	release_stream(c, j, COLLATE_STDERR, true);
}

int
collate_job_discard(struct collate *c, struct collate_job *j)
{
	bool was_owner = j == c->owner;

	collate_job_reset(c, j);
	unlink_job(c, j);
	return was_owner ? next_owner(c) : 0;
}

/* Gives the output to the next job: finished ones first, whole. */
static int
next_owner(struct collate *c)
{
	struct collate_job *j, *next;
	int r = 0;

	for (j = c->head; j != NULL; j = next) {
		next = j->next;
		if (c->opts.mode == COLLATE_KEEP && !j->ended)
			break;
		if (j->ended) {
			if (flush_job(c, j) == -1)
				r = -1;
			unlink_job(c, j);
		}
	}
	/* Between two owners' output: parx's own notices go out now. */
	if (c->notices.len > 0) {
		if (out(c, COLLATE_STDERR, c->notices.data, c->notices.len) ==
		    -1)
			r = -1;
		buf_reset(&c->notices);
	}
	if ((j = c->head) != NULL) {
		c->owner = j;
		if (c->opts.hold_all)
			return r;
		j->wrote = j->s[0].head != NULL || j->s[1].head != NULL;
		if (flush_job(c, j) == -1)
			r = -1;
	}
	return r;
}

int
collate_job_end(struct collate *c, struct collate_job *j)
{
	int r = 0;

	j->ended = true;
	switch (c->opts.mode) {
	case COLLATE_UNGROUP:
	case COLLATE_LINE:
		r = flush_job(c, j);
		unlink_job(c, j);
		return r;
	default:
		break;
	}
	if (j == c->owner) {
		r = c->opts.hold_all ? flush_job(c, j) : end_lines(c, j);
		unlink_job(c, j);
		return next_owner(c) == -1 ? -1 : r;
	}
	/*
	 * An owner that has written nothing yet can still let a finished
	 * job go first, which keeps output close to completion order.
	 */
	if (c->opts.mode == COLLATE_GROUP && c->owner != NULL &&
	    (!c->owner->wrote || c->opts.hold_all)) {
		r = flush_job(c, j);
		unlink_job(c, j);
	}
	return r;
}

int
collate_free(struct collate *c)
{
	struct collate_job *j, *next;
	int r = 0;

	for (j = c->head; j != NULL; j = next) {
		next = j->next;
		if (flush_job(c, j) == -1)
			r = -1;
		unlink_job(c, j);
	}
	if (c->notices.len > 0 &&
	    out(c, COLLATE_STDERR, c->notices.data, c->notices.len) == -1)
		r = -1;
	buf_release(&c->notices);
	buf_release(&c->status);
	if (c->spill_fd != -1)
		close(c->spill_fd);
	buf_release(&c->stage);
	if (c->write_err[0] != 0 || c->write_err[1] != 0) {
		errno = c->write_err[0] != 0 ? c->write_err[0] :
		    c->write_err[1];
		r = -1;
	}
	free(c);
	return r;
}

static int
direct_fd(struct collate *c, struct collate_job *j, int s)
{
	if (decorated(c, j) || c->write_err[s] != 0 || j->s[s].head != NULL ||
	    (c->status_on && c->is_tty[s]))
		return -1;
	if (c->opts.mode == COLLATE_UNGROUP)
		return c->opts.fd[s];
	if (c->opts.mode == COLLATE_LINE || c->opts.hold_all || j != c->owner)
		return -1;
	return c->opts.fd[s];
}

static void
moved(struct collate *c, struct collate_job *j, int s, size_t n)
{
	c->written += n;
	if (n > 0) {
		j->wrote = true;
		j->s[s].mid_line = true;	/* unknown; only tags care */
	}
}

bool
collate_holds(const struct collate *c, const struct collate_job *j)
{
	if (c->opts.mode == COLLATE_LINE || c->opts.mode == COLLATE_UNGROUP)
		return false;
	return j != c->owner || c->opts.hold_all;
}

static bool
out_is_pipe(const struct collate *c, int s)
{
	return c->out_is_pipe[s];
}

unsigned long long
collate_written(const struct collate *c)
{
	return c->written;
}

void
collate_hold(struct collate *c)
{
	c->opts.hold_all = true;
}

int
collate_write_errno(const struct collate *c, int s)
{
	return c->write_err[s];
}

int
collate_spill_errno(const struct collate *c)
{
	return c->spill_err;
}

/* What move() did. */
enum moved { MOVED, MOVED_EOF, MOVED_NOTHING, MOVED_UNSUPPORTED };

/*
 * Splices up to max bytes from pipe from to out (at *off, or the current
 * position if off is NULL): page references move, no bytes are copied.
 */
static enum moved
move(int from, int out, loff_t *off, size_t max, size_t *n)
{
	ssize_t got;

	do
		got = splice(from, NULL, out, off, max,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	while (got == -1 && errno == EINTR);
	*n = got > 0 ? (size_t)got : 0;
	if (got > 0)
		return MOVED;
	if (got == 0)
		return MOVED_EOF;
	return errno == EAGAIN ? MOVED_NOTHING : MOVED_UNSUPPORTED;
}

/* Bytes waiting in a pipe. */
static bool
has_input(int fd)
{
	int n = 0;

	return ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

/* Copies what was read to the job's tee file; a failure closes it. */
static void
copy_to_tee(int *tee_fd, const char *p, size_t n, struct collate_taken *t)
{
	if (*tee_fd != -1 && fdio_write_full(*tee_fd, p, n) == -1) {
		t->tee_errno = errno;
		close(*tee_fd);
		*tee_fd = -1;
	}
}

/*
 * Splices what the owner may write out straight to parx's output, or
 * held output beyond the memory bound to the spill file.  0: go on to
 * read, 1: moved (go round), -1: stop taking.
 */
static int
take_by_splice(struct collate *c, struct collate_job *j, int s, int from,
    size_t max, struct collate_taken *t)
{
	size_t n;
	loff_t off;
	int fd;

	if (!c->no_splice && (fd = direct_fd(c, j, s)) != -1) {
		wipe_status(c, s);
		switch (move(from, fd, NULL, max, &n)) {
		case MOVED:
			c->mid_line[s] = true;	/* unknown */
			moved(c, j, s, n);
			t->moved += n;
			/*
			 * A short move to a file or device means the job's
			 * pipe is empty: poll says when it is not.  To a
			 * pipe it may mean that pipe is full: asking again
			 * tells which.
			 */
			return n < max && !out_is_pipe(c, s) ? -1 : 1;
		case MOVED_NOTHING:
			t->blocked = has_input(from);
			return -1;
		case MOVED_EOF:
			t->eof = true;
			return -1;
		default:
			c->no_splice = true;	/* a tty, say: copy */
			return 1;
		}
	}
	if (!c->no_spill_splice && (fd = spill_fd(c, j, s, &off)) != -1) {
		switch (move(from, fd, &off, max, &n)) {
		case MOVED:
			spilled(c, j, s, n);
			t->moved += n;
			t->held += n;
			return 1;
		case MOVED_UNSUPPORTED:
			c->no_spill_splice = true;
			return 1;
		case MOVED_EOF:
			t->eof = true;
			return -1;
		default:
			return -1;
		}
	}
	return 0;
}

int
collate_take(struct collate *c, struct collate_job *j, int s, int from,
    int *tee_fd, size_t max, struct collate_taken *t)
{
	char chunk[SEG_CHUNK];
	int r = 0, how;
	ssize_t n;

	memset(t, 0, sizeof(*t));
	while (t->moved < max) {
		/* A copy must see every byte: no splicing past it. */
		if (*tee_fd == -1) {
			how = take_by_splice(c, j, s, from, max - t->moved, t);
			if (how == 1)
				continue;
			if (how == -1)
				break;
		}
		n = read(from, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0) {
			t->eof = true;
			break;
		}
		copy_to_tee(tee_fd, chunk, (size_t)n, t);
		if (!c->opts.discard && collate_add(c, j, s, chunk,
		    (size_t)n) == -1)
			r = -1;
		t->moved += n;
		t->held += n;
		if ((size_t)n < sizeof(chunk))
			break;
	}
	return r;
}

void
collate_status(struct collate *c, const char *line, size_t len)
{
	struct buf b;

	c->status_on = true;
	/* Not in the middle of a job's line on the same terminal. */
	if (!c->is_tty[COLLATE_STDERR] || c->write_err[COLLATE_STDERR] != 0 ||
	    c->mid_line[COLLATE_STDERR] ||
	    (c->is_tty[COLLATE_STDOUT] && c->mid_line[COLLATE_STDOUT]))
		return;
	/* Unchanged and still there: nothing to write. */
	if (line != NULL && c->status_shown && c->status.len == len &&
	    memcmp(c->status.data, line, len) == 0)
		return;
	if (line == NULL && !c->status_shown)
		return;
	buf_init(&b);
	buf_addstr(&b, "\r");
	if (line != NULL)
		buf_add(&b, line, len);
	buf_addstr(&b, "\033[K");
	(void)fdio_write_full(c->opts.fd[COLLATE_STDERR], b.data, b.len);
	buf_release(&b);
	c->status_shown = line != NULL;
	buf_reset(&c->status);
	if (line != NULL)
		buf_add(&c->status, line, len);
}

int
collate_notice(struct collate *c, const char *text, size_t len)
{
	struct collate_job *o = c->owner;

	/*
	 * An owner writing stderr straight out may be in the middle of a
	 * line (after a splice, we cannot know): the notice waits for the
	 * next owner.  Held and line-buffered output is never mid-line out.
	 */
	if ((c->opts.mode == COLLATE_GROUP || c->opts.mode == COLLATE_KEEP) &&
	    o != NULL && !c->opts.hold_all && o->s[COLLATE_STDERR].mid_line) {
		buf_add(&c->notices, text, len);
		return 0;
	}
	return out(c, COLLATE_STDERR, text, len);
}
