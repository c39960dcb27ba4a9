/*
 * run: the supervisor.  Keeps up to N jobs running, feeds their output to
 * collate, reaps them and reports each one.  It does not know where jobs
 * come from: next_job() supplies them and job_done() hears how they ended
 * (git's run_processes_parallel contract), so the loop can be tested with
 * a fake job source.
 */
#ifndef PARX_RUN_H
#define PARX_RUN_H

#include <sys/types.h>

#include <stdbool.h>
#include <time.h>

#include "collate.h"

/* A job to start, filled by next_job(); run frees the strings. */
struct run_job {
	char	**argv;		/* run directly (one allocation, as made by
				   quote_split_words), or NULL: cmd via the shell */
	char	 *cmd;		/* the command line */
	char	 *tag;		/* put before each output line, or NULL */
};

struct run_result {
	unsigned long	 seq;
	const char	*cmd;
	pid_t		 pid;
	int		 exit_code;	/* -1 if killed by a signal */
	int		 signal;	/* the signal, or 0 */
	int		 spawn_errno;	/* the job could not be started */
	struct timespec	 start;		/* wall clock */
	double		 runtime;	/* seconds */
};

struct run_callbacks {
	/*
	 * The job with number seq (from 1) for slot (from 1): 1 when *job
	 * is filled, 0 when there are no more, -1 with errno on an error.
	 */
	int	(*next_job)(void *arg, unsigned long seq, unsigned long slot,
		    struct run_job *job);
	/* Called once per job, in completion order. */
	void	(*job_done)(void *arg, const struct run_result *);
	/* Something worth a warning (fewer slots than asked, ...). */
	void	(*notice)(void *arg, const char *msg);
	void	*arg;
};

struct run_opts {
	unsigned long		 jobs;		/* slots */
	enum collate_mode	 output;
	bool			 verbose;	/* -v: print each command first */
	bool			 files;		/* --files */
	const char		*shell;
	const char		*tmpdir;
	size_t			 mem_limit;	/* held output, all jobs */
};

struct run_stats {
	unsigned long	started;
	unsigned long	failed;
	int		input_errno;	/* next_job() failed */
	int		stop_signal;	/* stopped by SIGINT, SIGTERM, SIGHUP */
	bool		broken_pipe;	/* stdout was closed */
	int		write_errno;	/* writing stdout or stderr failed */
	int		spill_errno;
};

/*
 * Runs every job next_job() gives.  Returns 0, or -1 with errno set when
 * the supervisor itself could not work (no signal fd, no pipes at all).
 */
int	run_parallel(const struct run_opts *, const struct run_callbacks *,
	    struct run_stats *);

#endif
