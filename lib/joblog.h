/*
 * joblog: GNU parallel's --joblog, one tab-separated line per finished
 * job, and reading it back for --resume, --resume-failed and
 * --retry-failed.
 */
#ifndef PARX_JOBLOG_H
#define PARX_JOBLOG_H

#include <stdbool.h>

#include "buf.h"
#include "job.h"

struct joblog;

/*
 * Opens path for writing: truncated with a header, or appended to (with
 * a header only if it is empty).  When appending, a last line cut short
 * (a full disk, a crash) is cut off, so that no line is glued onto it,
 * and *torn says so: that job is not recorded.  NULL with errno set on
 * failure.
 */
struct joblog	*joblog_open(const char *path, bool append, bool *torn);

/*
 * Writes the line for a finished job with one write(2) on an O_APPEND
 * descriptor, so a kill -9 of parx never leaves half a line; if the write
 * fails part way (a full disk), what it wrote is cut off again: a line is
 * whole or absent.  -1 with errno set.
 */
int	joblog_write(struct joblog *, const struct run_result *);

/* The job's line, appended to out: for --joblog - (stdout). */
void	joblog_format(const struct run_result *, struct buf *out);

/* The header line (with its newline) a log starts with. */
const char	*joblog_header(void);
int	joblog_close(struct joblog *);

struct joblog_entry {
	unsigned long	 seq;
	int		 exitval;
	int		 signal;
	const char	*cmd;
};

/*
 * Calls fn for each complete line of the log at path, in order.  A log
 * that does not exist is empty.  -1 with errno set if it cannot be read.
 */
int	joblog_read(const char *path,
	    void (*fn)(void *arg, const struct joblog_entry *), void *arg);

/* The jobs a log says need no rerun (--resume, --resume-failed). */
struct joblog_done;

/*
 * Reads the log at path: every job it records counts as done, or with
 * only_ok only those whose last line says they succeeded.  NULL with
 * errno set if it cannot be read.
 */
struct joblog_done	*joblog_done_read(const char *path, bool only_ok);
bool			 joblog_done_has(const struct joblog_done *,
			    unsigned long seq);
void			 joblog_done_free(struct joblog_done *);

/*
 * The failed jobs of the log at path (their last line failed), in seq
 * order, for --retry-failed; the caller frees each cmd and the array.
 * -1 with errno set if it cannot be read.
 */
int	joblog_failed(const char *path, struct joblog_entry **out, size_t *n);

#endif
