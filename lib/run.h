/*
 * run: the supervisor.  Keeps up to N jobs running, feeds their output to
 * collate, reaps them and reports each one.  It does not know where jobs
 * come from: next_job() supplies them and job_done() hears how they ended
 * and says whether to go on (git's run_processes_parallel contract), so
 * the loop can be tested with a fake job source.
 */
#ifndef PARX_RUN_H
#define PARX_RUN_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "collate.h"
#include "job.h"
#include "pace.h"
#include "termseq.h"

enum run_action {
	RUN_CONTINUE,
	RUN_STOP_SOON,		/* start nothing more, let the others finish */
	RUN_STOP_NOW,		/* end the others, drop their output */
};

/*
 * How run hears of jobs and says what became of them (git's
 * run_processes_parallel contract).  All are called from run_step(), one
 * at a time; none may print: parx's own text goes through job_done()'s
 * say, or run's notices, so that it never lands inside a job's output.
 */
struct run_callbacks {
	/*
	 * Required.  The next job, for slot (from 1): 1 when *job is
	 * filled (run owns its strings from then on), 0 when there are no
	 * more (never asked again), -1 with errno set on an error (the run
	 * then starts nothing more; stats->input_errno says why), or 2:
	 * none yet (a question is out to the user), ask again once
	 * wait_fd() is readable.
	 */
	int		(*next_job)(void *arg, unsigned long slot,
			    struct run_job *job);
	/*
	 * Required.  Called once per job, in completion order, after its
	 * last attempt (a retried job is reported once).  Whatever it
	 * appends to say (whole lines) goes to parx's stderr with the job's
	 * own output, and what it appends to out to stdout after the job's
	 * output (--joblog -).  Returns whether to go on, stop starting
	 * jobs, or end the running ones too.
	 */
	enum run_action	(*job_done)(void *arg, const struct run_result *,
			    struct buf *say, struct buf *out);
	/*
	 * Only for in_stream jobs (--round-robin, --shard), else may be
	 * NULL.  The next block for job seq, which can take it (caller's
	 * buffer, run frees it): 1; 2 when there is none yet (run asks
	 * again each round, not polling the job's stdin meanwhile); 0 when
	 * there is no more for it, and its stdin is closed; -1 as 0, the
	 * callback having said why.
	 */
	int		(*next_input)(void *arg, unsigned long seq, char **data,
			    size_t *len);
	/* May be NULL.  An in_stream job takes no more input. */
	void		(*input_closed)(void *arg, unsigned long seq);
	/*
	 * May be NULL.  A descriptor next_job() would block reading (a
	 * terminal, a slow pipe), or -1 when it would not: run then asks
	 * for the next job only once it is readable, and meanwhile goes on
	 * collecting output and hearing signals.
	 */
	int		(*wait_fd)(void *arg);
	/*
	 * May be NULL.  While next_job() waits on wait_fd(), a time
	 * (monotonic seconds) at which to ask it again anyway, or 0
	 * (--block-timeout).
	 */
	double		(*wake_at)(void *arg);
	/*
	 * May be NULL.  How many jobs may run at once from now on (-j
	 * FILE): asked at the start and whenever a job ends; run keeps it
	 * between 1 and opts->jobs, the slots it has.  A lower number lets
	 * the running jobs finish and starts none until they are fewer.
	 */
	unsigned long	(*slots)(void *arg);
	/*
	 * May be NULL.  Whether a job that ended with res never really ran
	 * to its end for a reason not its own (the host it ran on was
	 * lost): run then starts it again, uncounted, its output so far
	 * dropped (held output; -u's is out already), its place in -k's
	 * order kept.
	 */
	bool		(*lost)(void *arg, const struct run_job *,
			    const struct run_result *res);
	/*
	 * May be NULL.  A job that waited to run again (lost, --limit,
	 * short of resources) is about to start in slot: the callback may
	 * change how (where) it runs.
	 */
	void		(*again)(void *arg, unsigned long slot,
			    struct run_job *);
	void		*arg;		/* passed to each of them */
};

struct run_opts {
	const char		*name;		/* before run's notices ("parx") */
	int			 out[2];	/* where the jobs' stdout and stderr
						   go (parx's own, say) */
	unsigned long		 jobs;		/* slots */
	enum collate_mode	 output;
	bool			 verbose;	/* -v: the command on stdout */
	bool			 trace;		/* -t: the command on stderr */
	bool			 files;		/* --files */
	const char		*shell;
	const char		*prelude;	/* shell code each job runs
						   first (PARALLEL_ENV), or
						   NULL */
	const char		*tmpdir;
	const char		*slot_var;	/* --process-slot-var, or NULL */
	const char		*oldpwd;	/* the jobs' OLDPWD, or NULL */
	size_t			 mem_limit;	/* held output, all jobs */
	unsigned		 retries;	/* attempts in all (0, 1: one) */
	double			 timeout;	/* seconds; 0: none */
	double			 timeout_pct;	/* of the median runtime; 0: none */
	struct termseq		 termseq;	/* n == 0: GNU's default */
	double			 delay;		/* seconds between starts */
	unsigned long long	 memfree;	/* start only with this free */
	double			 max_load;	/* start only below this load */
	bool			 noswap;	/* start only while not swapping */
	enum pace_limit		 limit;		/* --limit (pace.h); its */
	const char		*limit_cmd;	/* command, run by shell */
	double			 limit_value;	/* or its builtin's N */
	/*
	 * --memsuspend: with less than 2 * this memory available, the
	 * newest jobs are stopped (SIGSTOP) one a second, with less than
	 * this all but the oldest; they are continued, oldest first, when
	 * there is more again.  No job starts while one is stopped so.
	 */
	unsigned long long	 memsuspend;
	bool			 cgroups;	/* a cgroup v2 group per job */
	unsigned long		 cpus;		/* the jobs share; 0: unknown */
	const char		*cleanup_dirs[2]; /* each removed with its files
						   if parx is killed (--cat and
						   --fifo's, ssh's control
						   sockets'), or NULL */
	bool			 end_lines;	/* see collate_opts */
	bool			 color_failed;	/* a failed job's lines are
						   white on red; so all output
						   waits for its job's end */
	bool			 discard_output; /* the jobs' output goes only to
						   their tee_fd (--results) */
	bool			 give_tty;	/* --tty: jobs with no other input
						   read tty_fd, and one at a time
						   has it (termfg.h) */
	int			 tty_fd;
	double			 tick;		/* run_step() returns at least
						   this often (seconds; 0: only
						   when something happened) */
	/*
	 * A guest in another program (the library, parx.h): no signal
	 * descriptor, handlers or mask, no subreaper or sentinel, and each
	 * job reaped by its own pidfd, never by waiting for any child; the
	 * jobs get every signal's default action.
	 */
	bool			 embedded;
};

struct run_stats {
	unsigned long	started;
	unsigned long	limit_restarts;	/* jobs --limit ended to run again */
	unsigned long	lost_restarts;	/* jobs run again, their host lost */
	unsigned long	running;	/* now */
	unsigned long	failed;
	int		input_errno;	/* next_job() failed */
	int		stop_signal;	/* ended by SIGINT or SIGTERM */
	bool		drained;	/* SIGHUP: started no more jobs */
	bool		broken_pipe;	/* stdout was closed */
	bool		halted;		/* job_done() asked to stop */
	int		write_errno;	/* writing stdout or stderr failed */
	int		spill_errno;
	bool		fewer_slots;	/* ran fewer jobs at once than asked */
	int		poll_errno;	/* poll() failed: the run was ended */
	int		start_errno;	/* job start_seq could not start, and
					   no other was running: stopped */
	unsigned long	start_seq;
};

struct run;

/*
 * A run: sets up the signal descriptor, containment (contain.h), the
 * collator and the job slots; starts nothing yet.  opts, cb and stats
 * are borrowed for the run's life; stats is zeroed and kept up to date.
 * NULL with errno set when the supervisor cannot work (no signal fd, no
 * /dev/null).
 */
struct run	*run_new(const struct run_opts *, const struct run_callbacks *,
		    struct run_stats *);

/*
 * One round: starts the jobs that may start, waits in one poll() for
 * whatever comes first (output, a job's exit, a signal, a deadline) and
 * deals with it.  1 while the run goes on, 0 when it is over (no job
 * running and none to start).
 */
int	run_step(struct run *);

/*
 * As run_step(), waiting at most max_ms milliseconds (-1: as long as it
 * takes) for something to happen.
 */
int	run_step_wait(struct run *, int max_ms);

/*
 * Only for an embedded run: one descriptor, readable (epoll) whenever
 * run_step_wait(r, 0) has something to do, for a caller's own event
 * loop.  Owned by the run.  -1 with errno set.
 */
int	run_fd(struct run *);

/*
 * Ends job seq through the termination sequence, as --halt now ends a
 * job; it is reported as killed.  Whether such a job was running.
 */
bool	run_cancel(struct run *, unsigned long seq);

/*
 * A status line (--bar) on stderr, if it is a terminal: shown where no
 * job's line is half written, wiped by any output that follows (see
 * collate_status()); NULL wipes it now.
 */
void	run_status(struct run *, const char *line);

/* One line of parx's own on stderr ("name: text"), through the collator. */
void	run_notice(struct run *, const char *text);

/*
 * Ends the run: what detached from the jobs is ended, held output is
 * written, the last figures go to stats, everything is freed and the
 * signal mask restored.
 */
void	run_free(struct run *);

/* run_new(), run_step() until it says 0, run_free(): 0, or -1 as run_new. */
int	run_parallel(const struct run_opts *, const struct run_callbacks *,
	    struct run_stats *);

#endif
