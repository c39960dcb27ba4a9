/*
 * libparx: run many child processes at once, the engine of parx(1) as a
 * C library in the shape of Python's concurrent.futures: a pool of job
 * slots, work submitted to it, a future for each job, and ways to wait
 * for them as they complete or in order.
 *
 * The pool keeps up to `slots` jobs running.  Each job runs in a process
 * group of its own, so that a timeout or a cancel ends what it started
 * too (the termination sequence goes to the whole group), and a job's
 * output never mixes with another's.
 *
 * Nothing here changes the program that uses it:
 *  - no signal handler is installed and the signal mask is left alone
 *    (the thread that starts a job blocks signals for the few
 *    microseconds between fork and exec, as posix_spawn(3) does);
 *  - each job is reaped through its own pidfd, never by waiting for any
 *    child, so the program's other children are never reaped or killed;
 *  - no subreaper, no sentinel process, no cgroup unless asked for;
 *  - every descriptor the pool opens is close-on-exec.
 * Jobs start with every signal at its default action, whatever the
 * program ignores or catches, with the program's environment as it was
 * at parx_pool_new() plus PARX_SEQ and PARX_SLOT (and GNU parallel's
 * PARALLEL_SEQ and PARALLEL_JOBSLOT).
 *
 * Threads: a pool is not locked.  Use each pool from one thread at a
 * time; pools in different threads need nothing from each other.  A job
 * started by a thread dies with that thread (PR_SET_PDEATHSIG), so keep
 * the thread as long as its pool.
 *
 * Progress: the pool does its work inside the calls below that wait
 * (parx_wait(), parx_wait_any(), parx_wait_all(), parx_map(),
 * parx_pool_step(), parx_pool_shutdown()).  Between them, running jobs
 * run on, but nothing new starts and nothing is reaped.  A program with
 * an event loop of its own polls parx_pool_fd() and calls
 * parx_pool_step(pool, 0) when it is readable.
 *
 * Errors: functions that can fail return -1 or NULL with errno set.
 * Out of memory inside the engine still ends the program (see BUGS in
 * parx(3)).
 *
 * Build with: cc prog.c $(pkg-config --cflags --libs parx)
 */
#ifndef PARX_H
#define PARX_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PARX_VERSION_MAJOR	0
#define PARX_VERSION_MINOR	1

/* Where the jobs' stdout and stderr go. */
enum parx_output {
	/*
	 * Kept for the job's result (parx_result's out and err).  The job
	 * writes into an unlinked file in tmpdir, never into a pipe the
	 * pool must empty, so it never waits on the program.  When it
	 * ends, output up to capture_max bytes is read into memory and
	 * the file closed; larger output stays in its file, mapped.
	 */
	PARX_CAPTURE,
	PARX_DISCARD,		/* to /dev/null */
	/*
	 * To out_fd and err_fd, never mixed between jobs, as parx(1) does:
	 * GROUP a job's output whole when it ends (--group), KEEP the same
	 * in the order the jobs were submitted (-k), LINE whole lines as
	 * they come (--line-buffer), UNGROUP bytes as they come (-u).
	 */
	PARX_GROUP,
	PARX_KEEP,
	PARX_LINE,
	PARX_UNGROUP,
};

/* Containment beyond process groups: changes the whole process. */
#define PARX_CONTAIN_CGROUP	0x1	/* a cgroup v2 group per slot, when
					   the process may make them */

struct parx_pool_opts {
	unsigned	 slots;		/* jobs at once; 0: the CPUs this
					   process may use */
	enum parx_output output;
	int		 out_fd;	/* GROUP, KEEP, LINE, UNGROUP: where */
	int		 err_fd;	/* stdout and stderr go (borrowed) */
	size_t		 capture_max;	/* CAPTURE: bytes of a stream read into
					   memory (0: 1 MiB); see above */
	size_t		 hold_max;	/* GROUP, KEEP, LINE: bytes of held
					   output kept in memory, beyond them
					   in a spill file (0: 256 MiB) */
	double		 timeout;	/* seconds a job may run, 0: no limit;
					   then the termination sequence */
	const char	*termseq;	/* as parx --termseq, NULL: GNU
					   parallel's "TERM,200,TERM,100,
					   TERM,50,KILL,25" */
	const char	*shell;		/* for parx_submit_shell(); NULL:
					   /bin/sh */
	const char	*tmpdir;	/* NULL: $TMPDIR, else /tmp */
	unsigned	 contain;	/* PARX_CONTAIN_* */
	size_t		 queue_max;	/* 0: submitting never blocks; else it
					   runs the pool until fewer than
					   this many jobs wait to start */
};

/* Fills o with the defaults (PARX_CAPTURE, stdout and stderr, ...). */
void	parx_pool_opts_init(struct parx_pool_opts *o);

struct parx_job_opts {
	const char *const *env;		/* "NAME=value" strings added to the
					   environment (replacing the same
					   names), NULL-terminated, or NULL;
					   copied */
	const char	*cwd;		/* where it runs, or NULL; copied */
	const void	*stdin_data;	/* what it reads on stdin (copied), */
	size_t		 stdin_len;
	int		 stdin_fd;	/* or this descriptor (duplicated at
					   submit), or -1; neither: /dev/null */
	double		 timeout;	/* seconds; 0: the pool's, < 0: none */
	void		*data;		/* the caller's, handed back in the
					   result */
};

/* Fills o with the defaults: nothing added, stdin empty (-1). */
void	parx_job_opts_init(struct parx_job_opts *o);

/* What became of a job. */
struct parx_result {
	int		 exit_code;	/* 0 to 255, or -1: a signal ended it
					   or it never ran */
	int		 signal;	/* the signal that ended it, or 0 */
	int		 error;		/* it never ran: why (ENOENT: no such
					   program, ECANCELED: cancelled
					   before it started), else 0 */
	bool		 timed_out;	/* its timeout ended it */
	bool		 cancelled;	/* parx_cancel() ended it or kept it
					   from starting */
	pid_t		 pid;		/* its process, or -1 */
	unsigned long	 seq;		/* submission number, from 1 */
	double		 wall;		/* seconds it ran */
	long		 max_rss_kb;	/* peak resident memory, KiB */
	double		 user_cpu;	/* CPU seconds, its children it */
	double		 system_cpu;	/* waited for included (wait4) */
	const char	*out;		/* CAPTURE: its stdout, with a NUL */
	size_t		 out_len;	/* after the last byte (the output */
	const char	*err;		/* may hold NULs of its own), else */
	size_t		 err_len;	/* "" and 0; owned by the future */
	int		 output_errno;	/* CAPTURE: the output could not be
					   read back, why; it is then empty */
	void		*data;		/* parx_job_opts' data */
};

struct parx_pool;
struct parx_future;

/*
 * A new pool, idle until work is submitted.  NULL with errno set
 * (EINVAL: a bad termseq or output; or why the descriptors it needs
 * could not be opened).
 */
struct parx_pool	*parx_pool_new(const struct parx_pool_opts *o);

/*
 * Submits argv (NULL-terminated, copied; argv[0] is searched for in
 * PATH) to run without a shell, or cmdline to run with the pool's
 * shell (sh -c cmdline).  o may be NULL.  The future is the caller's
 * (parx_future_free()).  Returns at once unless queue_max says wait.
 * NULL with errno set: EINVAL (an empty argv, a pool shut down), ENOMEM,
 * EBADF (stdin_fd).
 */
struct parx_future	*parx_submit_argv(struct parx_pool *,
			    const char *const argv[],
			    const struct parx_job_opts *o);
struct parx_future	*parx_submit_shell(struct parx_pool *,
			    const char *cmdline, const struct parx_job_opts *o);

/*
 * Runs the pool until f's job is over, for at most timeout seconds
 * (< 0: as long as it takes).  0, or -1 with errno ETIMEDOUT.
 */
int	parx_wait(struct parx_future *f, double timeout);

/*
 * As concurrent.futures.as_completed(): the next future to complete
 * that this call has not returned before, in the order they completed
 * (futures of parx_map() aside).  Runs the pool for at most timeout
 * seconds (< 0: as long as it takes) while none is there.  NULL with
 * errno ETIMEDOUT, or ECHILD when no submitted job is left to complete.
 */
struct parx_future	*parx_wait_any(struct parx_pool *, double timeout);

/* Runs the pool until every job submitted is over.  0, or -1 ETIMEDOUT. */
int	parx_wait_all(struct parx_pool *, double timeout);

/* Whether f's job is over (its result is there); never runs the pool. */
bool	parx_done(const struct parx_future *f);

/* f's result once parx_done(f), else NULL.  Owned by f. */
const struct parx_result	*parx_result(const struct parx_future *f);

/*
 * Cancels f's job: one still waiting to start is dropped (its result
 * says cancelled, error ECANCELED); a running one gets the termination
 * sequence, and its result says cancelled when it ends.  0, or -1 with
 * errno EALREADY when the job is over (or already being ended).
 */
int	parx_cancel(struct parx_future *f);

/*
 * Frees f and its result (captured output included).  A job not over
 * yet goes on (cancel it first to end it), and the pool frees what is
 * left of it when it ends: fire and forget.
 */
void	parx_future_free(struct parx_future *f);

/*
 * Called by parx_map() for input i, in input order; result is valid
 * during the call.  Nonzero stops the map: jobs not yet started are
 * dropped and running ones cancelled.
 */
typedef int	parx_map_fn(void *arg, size_t i, const struct parx_result *r);

/*
 * Runs template (a command line in parx(1)'s syntax: {} the input, {.}
 * without its extension, {/} its base name, {//} its directory, {/.}, {#}
 * the job's number, {%} its slot; {} appended when none is there) once
 * for each of the n inputs, each value quoted so that no shell ever
 * interprets it, and hands each result to fn in input order.  At most
 * 2 * slots jobs are started ahead of the one fn waits for, so memory
 * stays bounded however many inputs there are and however slow the
 * first job.  0; -1 with errno EINVAL (a bad template), ECANCELED (fn
 * stopped it), or as parx_submit_shell().
 */
int	parx_map(struct parx_pool *, const char *tmpl,
	    const char *const *inputs, size_t n, parx_map_fn *fn, void *arg);

/*
 * One descriptor, readable whenever parx_pool_step(pool, 0) has work
 * (a job's output or exit, a deadline, a slot to fill): for a program's
 * own poll, epoll or libuv loop.  Owned by the pool.  -1 with errno.
 */
int	parx_pool_fd(struct parx_pool *);

/*
 * One round of the pool: starts what may start, waits up to timeout_ms
 * (0: not at all, -1: until something happens) and deals with what
 * came.  1 while jobs are running or waiting, 0 when the pool is idle.
 */
int	parx_pool_step(struct parx_pool *, int timeout_ms);

/*
 * Accepts no more work.  wait: runs the pool until every job is over;
 * else drops the waiting jobs and cancels the running ones, and waits
 * for them to end.  0.
 */
int	parx_pool_shutdown(struct parx_pool *, bool wait);

/*
 * Shuts the pool down (not waiting) and frees it, with every future of
 * it the caller has not freed: none may be used afterwards.
 */
void	parx_pool_free(struct parx_pool *);

#ifdef __cplusplus
}
#endif

#endif
