/*
 * termseq: ending jobs.  A job's deadline (--timeout) and the steps of
 * the --termseq that ends it (a signal to its process group, a pause, the
 * next signal) are kept here, and one function says when a job next needs
 * attention, for acting and for waiting alike.
 */
#ifndef PARX_TERMSEQ_H
#define PARX_TERMSEQ_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#define TERMSEQ_MAX	16

/* A --termseq: send sig, wait ms, then the next step. */
struct termseq {
	struct {
		int		sig;
		unsigned	ms;
	}	step[TERMSEQ_MAX];
	size_t	n;		/* 0: GNU's TERM,200,TERM,100,TERM,50,KILL,25 */
};

/*
 * Parses "TERM,200,TERM,100,KILL,25" (names with or without SIG, or
 * numbers) into seq.  -1 with *errstr set if it is malformed.
 */
int	termseq_parse(const char *spec, struct termseq *seq,
	    const char **errstr);

/* One job's deadline and progress through the sequence. */
struct termjob {
	double	deadline;	/* --timeout: when to start ending it, or 0 */
	int	step;		/* the next step, or -1: not being ended */
	double	next;		/* when that step is due */
};

/* A job started at now; timeout is 0 for none. */
void	termjob_init(struct termjob *, double now, double timeout);

/* The job was stopped for seconds (Ctrl-Z): that time does not count. */
void	termjob_shift(struct termjob *, double seconds);

/* Whether the job's --timeout has come (and it is not being ended). */
bool	termjob_timed_out(const struct termjob *, double now);

/* Starts the sequence; false if it had started already. */
bool	termjob_start(struct termjob *, double now);

/* Whether the sequence is at work on the job. */
bool	termjob_running(const struct termjob *);

/* What termjob_advance() did. */
enum termjob_event {
	TERMJOB_NONE,		/* nothing, or signals other than SIGKILL */
	TERMJOB_KILLED,		/* sent SIGKILL: take the cgroup along too */
	TERMJOB_OVER,		/* the process had exited, and its group is
				   empty or the sequence is over */
};

/*
 * Sends the steps that are due to process group pgid.  The group gets
 * them as long as one member is left, whether or not the job's own
 * process has exited (exited), as GNU parallel does; a job still running
 * after the last step is waited for.
 */
enum termjob_event	termjob_advance(const struct termseq *,
			    struct termjob *, pid_t pgid, bool exited,
			    double now);

/* SIGKILL to the group now, and the sequence over (a second Ctrl-C). */
void	termjob_kill_now(const struct termseq *, struct termjob *,
	    pid_t pgid, double now);

/*
 * The job's process has exited: the sequence stops unless something of
 * its group is left.  True if it is still at work.
 */
bool	termjob_exited(struct termjob *, pid_t pgid);

/*
 * When the job next needs termjob_timed_out() or termjob_advance(): its
 * deadline or its next step; -1 for never.
 */
double	termjob_when(const struct termseq *, const struct termjob *,
	    bool exited);

/*
 * --timeout N%: the runtimes of the jobs that succeeded, as a histogram
 * in steps of 1% (from 1 us to about four months), which gives their
 * median to within 1% in fixed memory however many jobs run.  Zeroed
 * memory is an empty one.
 */
struct runtimes {
	unsigned long	*count;		/* jobs per bucket, or NULL */
	unsigned long	 n;
};

void	runtimes_add(struct runtimes *, double seconds);
void	runtimes_free(struct runtimes *);

/* The median, or -1 before any job succeeded. */
double	runtimes_median(const struct runtimes *);

/*
 * The next job's timeout in seconds (0: none): timeout, or with pct > 0
 * and a median known, pct percent of the median, as GNU's --timeout N%.
 */
double	runtimes_timeout(const struct runtimes *, double timeout, double pct);

#endif
