/*
 * joblog: the --joblog file.  Columns as GNU parallel writes them: Seq,
 * Host (":" for this machine), Starttime, JobRuntime, Send, Receive,
 * Exitval, Signal, Command.  A newline in a command is written as a NUL
 * byte, as GNU parallel does: no command can hold one, so it reads back
 * to the same command.
 */
#include "joblog.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fdio.h"
#include "xmalloc.h"

static const char header[] =
    "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\t"
    "Command\n";

struct joblog {
	int		fd;
	struct buf	line;
};

/*
 * Where the log's last whole line ends: a line cut short (a full disk, a
 * crash) is no record, and the next one must not be glued onto it.
 * -1 with errno set.
 */
static off_t
whole_lines_end(int fd, off_t size)
{
	char chunk[4096];
	off_t pos = size;
	ssize_t n, i;

	while (pos > 0) {
		n = pos < (off_t)sizeof(chunk) ? (ssize_t)pos :
		    (ssize_t)sizeof(chunk);
		if (fdio_pread(fd, chunk, (size_t)n, pos - n) != n)
			return -1;
		for (i = n; i > 0; i--)
			if (chunk[i - 1] == '\n')
				return pos - n + i;
		pos -= n;
	}
	return 0;
}

struct joblog *
joblog_open(const char *path, bool append, bool *torn)
{
	struct joblog *jl;
	struct stat st;
	off_t end;
	int fd, e;

	*torn = false;
	fd = open(path, (append ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND |
	    O_CLOEXEC | (append ? 0 : O_TRUNC), 0666);
	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (st.st_size > 0) {
		if ((end = whole_lines_end(fd, st.st_size)) == -1)
			goto fail;
		if (end < st.st_size) {
			*torn = true;
			if (ftruncate(fd, end) == -1)
				goto fail;
		}
		st.st_size = end;
	}
	if (st.st_size == 0 &&
	    fdio_write_full(fd, header, sizeof(header) - 1) == -1)
		goto fail;
	jl = xcalloc(1, sizeof(*jl));
	jl->fd = fd;
	buf_init(&jl->line);
	return jl;
fail:
	e = errno;
	close(fd);
	errno = e;
	return NULL;
}

void
joblog_format(const struct run_result *r, struct buf *out)
{
	char head[256];
	const char *p;
	int exitval = r->exit_code;

	/*
	 * As GNU: Exitval -1 for a job parx killed (--timeout, --halt,
	 * Ctrl-C), 0 for one that died by a signal of its own; the Signal
	 * column says which either way.
	 */
	if (r->signal != 0 && !r->killed && !r->timed_out)
		exitval = 0;
	snprintf(head, sizeof(head), "%lu\t", r->seq);
	buf_addstr(out, head);
	/* The host as its login names it (GNU), ":" for here. */
	for (p = r->host != NULL ? r->host : ":"; *p != '\0'; p++)
		buf_addch(out, *p == '\t' || *p == '\n' ? ' ' : *p);
	snprintf(head, sizeof(head), "\t%lld.%03ld\t%10.3f\t%llu\t%llu\t"
	    "%d\t%d\t", (long long)r->start.tv_sec,
	    r->start.tv_nsec / 1000000, r->runtime, r->in_bytes,
	    r->out_bytes[0], exitval, r->signal);
	buf_addstr(out, head);
	/* A newline would break the one-line-per-job rule: NUL, as GNU. */
	for (p = r->cmd; *p != '\0'; p++)
		buf_addch(out, *p == '\n' ? '\0' : *p);
	buf_addch(out, '\n');
}

const char *
joblog_header(void)
{
	return header;
}

int
joblog_write(struct joblog *jl, const struct run_result *r)
{
	struct stat st;
	int e;

	buf_reset(&jl->line);
	joblog_format(r, &jl->line);
	/*
	 * A line is whole or absent: what a failed write left of it is cut
	 * off again (parx is the log's one writer).
	 */
	if (fstat(jl->fd, &st) == -1)
		return -1;
	if (fdio_write_full(jl->fd, jl->line.data, jl->line.len) == -1) {
		e = errno;
		(void)ftruncate(jl->fd, st.st_size);
		errno = e;
		return -1;
	}
	return 0;
}

int
joblog_close(struct joblog *jl)
{
	int r;

	if (jl == NULL)
		return 0;
	r = close(jl->fd);
	buf_release(&jl->line);
	free(jl);
	return r;
}

/* Splits a log line into the entry; false if it is not one. */
static bool
parse_line(char *line, struct joblog_entry *e)
{
	char *col[9], *p = line, *end;
	int i;

	for (i = 0; i < 8; i++) {
		col[i] = p;
		if ((p = strchr(p, '\t')) == NULL)
			return false;
		*p++ = '\0';
	}
	col[8] = p;
	e->seq = strtoul(col[0], &end, 10);
	if (*end != '\0' || e->seq == 0)
		return false;
	e->exitval = (int)strtol(col[6], &end, 10);
	if (*end != '\0')
		return false;
	e->signal = (int)strtol(col[7], &end, 10);
	if (*end != '\0')
		return false;
	e->cmd = col[8];
	return true;
}

int
joblog_read(const char *path,
    void (*fn)(void *arg, const struct joblog_entry *), void *arg)
{
	struct joblog_entry e;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n, i;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((n = getline(&line, &cap, f)) != -1) {
		/* A line without its newline was cut short: not finished. */
		if (n == 0 || line[n - 1] != '\n')
			continue;
		line[n - 1] = '\0';
		/* NUL stands for a newline in the command. */
		for (i = 0; i < n - 1; i++)
			if (line[i] == '\0')
				line[i] = '\n';
		if (parse_line(line, &e))
			fn(arg, &e);
	}
	free(line);
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* Per seq: 0 not seen, 1 succeeded, 2 failed, by its last line. */
struct joblog_done {
	unsigned char	*state;
	size_t		 n;
	bool		 only_ok;
	char		**cmds;		/* for joblog_failed() */
};

static void
remember(void *arg, const struct joblog_entry *e)
{
	struct joblog_done *d = arg;
	size_t i, n;

	if (e->seq >= d->n) {
		n = d->n == 0 ? 1024 : d->n;
		while (n <= e->seq)
			n *= 2;
		d->state = xreallocarray(d->state, n, 1);
		memset(d->state + d->n, 0, n - d->n);
		if (d->cmds != NULL) {
			d->cmds = xreallocarray(d->cmds, n, sizeof(*d->cmds));
			for (i = d->n; i < n; i++)
				d->cmds[i] = NULL;
		}
		d->n = n;
	}
	d->state[e->seq] = e->exitval == 0 && e->signal == 0 ? 1 : 2;
	if (d->cmds != NULL) {
		free(d->cmds[e->seq]);
		d->cmds[e->seq] = xstrdup(e->cmd);
	}
}

struct joblog_done *
joblog_done_read(const char *path, bool only_ok)
{
	struct joblog_done *d;

	d = xcalloc(1, sizeof(*d));
	d->only_ok = only_ok;
	if (joblog_read(path, remember, d) == -1) {
		joblog_done_free(d);
		return NULL;
	}
	return d;
}

bool
joblog_done_has(const struct joblog_done *d, unsigned long seq)
{
	if (d == NULL || seq >= d->n)
		return false;
	return d->only_ok ? d->state[seq] == 1 : d->state[seq] != 0;
}

void
joblog_done_free(struct joblog_done *d)
{
	size_t i;

	if (d == NULL)
		return;
	if (d->cmds != NULL)
		for (i = 0; i < d->n; i++)
			free(d->cmds[i]);
	free(d->cmds);
	free(d->state);
	free(d);
}

int
joblog_failed(const char *path, struct joblog_entry **out, size_t *n)
{
	struct joblog_done d;
	size_t i, cap = 0;

	memset(&d, 0, sizeof(d));
	d.cmds = xcalloc(1, sizeof(*d.cmds));
	*out = NULL;
	*n = 0;
	if (joblog_read(path, remember, &d) == -1) {
		free(d.cmds);
		free(d.state);
		return -1;
	}
	for (i = 0; i < d.n; i++) {
		if (d.state[i] != 2) {
			free(d.cmds[i]);
			continue;
		}
		if (*n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			*out = xreallocarray(*out, cap, sizeof(**out));
		}
		(*out)[*n].seq = i;
		(*out)[*n].exitval = 1;
		(*out)[*n].signal = 0;
		(*out)[*n].cmd = d.cmds[i];
		(*n)++;
	}
	free(d.cmds);
	free(d.state);
	return 0;
}
