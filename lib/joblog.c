/*
 * joblog: the --joblog file.  Columns as GNU parallel writes them: Seq,
 * Host (":" for this machine), Starttime, JobRuntime, Send, Receive,
 * Exitval, Signal, Command.
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

struct joblog *
joblog_open(const char *path, bool append)
{
	struct joblog *jl;
	struct stat st;
	int fd, e;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
	    (append ? 0 : O_TRUNC), 0666);
	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) == 0 && st.st_size == 0 &&
	    fdio_write_full(fd, header, sizeof(header) - 1) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	jl = xcalloc(1, sizeof(*jl));
	jl->fd = fd;
	buf_init(&jl->line);
	return jl;
}

int
joblog_write(struct joblog *jl, const struct run_result *r)
{
	char head[256];
	const char *p;

	snprintf(head, sizeof(head), "%lu\t:\t%lld.%03ld\t%10.3f\t0\t%llu\t"
	    "%d\t%d\t", r->seq, (long long)r->start.tv_sec,
	    r->start.tv_nsec / 1000000, r->runtime, r->out_bytes[0],
	    r->exit_code, r->signal);
	buf_reset(&jl->line);
	buf_addstr(&jl->line, head);
	/* A newline in the command would break the one-line-per-job rule. */
	for (p = r->cmd; *p != '\0'; p++) {
		if (*p == '\n')
			buf_add(&jl->line, "\\n", 2);
		else
			buf_addch(&jl->line, *p);
	}
	buf_addch(&jl->line, '\n');
	return fdio_write_full(jl->fd, jl->line.data, jl->line.len);
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
	ssize_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((n = getline(&line, &cap, f)) != -1) {
		/* A line without its newline was cut short: not finished. */
		if (n == 0 || line[n - 1] != '\n')
			continue;
		line[n - 1] = '\0';
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
	size_t i;

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
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
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
