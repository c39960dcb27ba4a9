/*
 * collate: putting jobs' output on parx's stdout and stderr without ever
 * mixing two jobs.  One job at a time, the owner, writes straight through;
 * the others are held, in memory up to a shared bound and beyond it in one
 * unlinked temporary file, and are written whole when their turn comes
 * (git's run_processes_parallel does the same with its output owner).
 */
#ifndef PARX_COLLATE_H
#define PARX_COLLATE_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

enum collate_mode {
	COLLATE_GROUP,		/* whole jobs, roughly in completion order */
	COLLATE_KEEP,		/* whole jobs, in the order they started */
	COLLATE_LINE,		/* whole lines as they come */
	COLLATE_UNGROUP,	/* bytes as they come */
};

/* --color-failed: GNU parallel's white on red, clearing to the end. */
#define COLLATE_COLOR_FAILED	"\033[48;5;196;38;5;231m\033[K"

#define COLLATE_STDOUT	0
#define COLLATE_STDERR	1

struct collate_opts {
	enum collate_mode	 mode;
	const char		*tmpdir;	/* for the spill file */
	size_t			 mem_limit;	/* bytes held in memory, all jobs */
	bool			 hold_all;	/* nothing streams: a job may be
						   retried and its output dropped */
	int			 fd[2];		/* where stdout and stderr go */
	bool			 end_lines;	/* a job's last line without a
						   newline gets one (GNU parallel
						   does so for coloured output) */
	bool			 discard;	/* jobs' output only goes to
						   their tee (--results) */
};

struct collate;
struct collate_job;

struct collate	*collate_new(const struct collate_opts *);

/*
 * Writes what is still held, then frees everything.  Returns -1 with
 * errno set if a write failed at any time (collate_write_errno()).
 */
int	collate_free(struct collate *);

/*
 * A job whose output is about to arrive, in start order; color (static,
 * may be NULL) then tag (copied, may be NULL) are put before each line,
 * and a colour is ended before each newline.
 */
struct collate_job	*collate_job_start(struct collate *, const char *tag,
			    const char *color);

/*
 * Job j's lines take colour color from now on (--color-failed: once it
 * is known to have failed, while all its output is still held).
 */
void	collate_job_recolor(struct collate_job *j, const char *color);

/*
 * Output of job j on stream COLLATE_STDOUT or COLLATE_STDERR.  Returns
 * -1 with errno set when writing to parx's own descriptor failed; the
 * data of that stream is dropped from then on.
 */
int	collate_add(struct collate *, struct collate_job *j, int stream,
	    const void *data, size_t len);

/*
 * All of j's output has arrived; collate owns and frees j from now on.
 * -1 with errno set as for collate_add().
 */
int	collate_job_end(struct collate *, struct collate_job *j);

/* Drops what job j holds so far (it is being run again). */
void	collate_job_reset(struct collate *, struct collate_job *j);

/*
 * Drops j and what it holds (--halt now); what it already wrote as the
 * owner stays written.  collate owns and frees j from now on.
 */
int	collate_job_discard(struct collate *, struct collate_job *j);

/*
 * From now on nothing streams and held output stays held (--halt now:
 * the running jobs' output is to be dropped, not handed on).
 */
void	collate_hold(struct collate *);

/* What collate_take() took. */
struct collate_taken {
	size_t	moved;		/* bytes taken from the pipe */
	size_t	held;		/* of them, not moved straight out */
	bool	eof;		/* the pipe reached end of file */
	bool	blocked;	/* parx's own output is full: poll it for room
				   before taking the owner's pipe again */
	int	tee_errno;	/* writing *tee_fd failed (it is closed) */
};

/*
 * Takes up to about max bytes of job j's stream s from the non-blocking
 * pipe from, and does with them what j's turn says: the owner's output is
 * spliced straight to parx's own (page references move, nothing is
 * copied), output held beyond the memory bound is spliced to the spill
 * file, and the rest is read and added as by collate_add().  With a copy
 * to make (*tee_fd, or -1), every byte is read and written to it too.
 * The caller closes from at end of file.  -1 with errno set as for
 * collate_add(); t says what happened either way.
 */
int	collate_take(struct collate *, struct collate_job *j, int s, int from,
	    int *tee_fd, size_t max, struct collate_taken *t);

/*
 * parx's own text for its stderr (a notice), written where it cannot
 * land inside a line of a job's: now, or when the job writing straight
 * out hands on.  -1 with errno set as for collate_add().
 */
int	collate_notice(struct collate *, const char *text, size_t len);

/*
 * Shows line (no newline) as the status line on stderr, when stderr is a
 * terminal and no job's line is half written there; NULL wipes it.
 * Anything collate writes to a terminal wipes it first, so no line of a
 * job's is ever mixed with it; the caller draws it again later.
 */
void	collate_status(struct collate *, const char *line, size_t len);

/* Whether output job j writes now is held rather than written out. */
bool	collate_holds(const struct collate *, const struct collate_job *j);

/* Bytes written to parx's outputs so far, whichever way. */
unsigned long long collate_written(const struct collate *);

/* The first write error on stream s, or 0. */
int	collate_write_errno(const struct collate *, int s);

/* The first error writing the spill file (output was kept in memory). */
int	collate_spill_errno(const struct collate *);

#endif
