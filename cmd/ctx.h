/*
 * ctx: what the CLI keeps while a run goes on, shared by parx.c (the job
 * source and the outcome) and terminal.c (what a person sees and does).
 */
#ifndef PARX_CTX_H
#define PARX_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../lib/job.h"
#include "config.h"

struct ctx {
	struct run		*run;		/* while it runs: for notices */
	struct remote		*remote;	/* -S: the hosts, or NULL */
	struct config		*cfg;
	const struct run_stats	*stats;		/* the run's, while it runs */
	struct pipesrc		*pipe;		/* --pipe, --pipepart */
	struct feed		*feed;
	struct input		*in;
	struct input		*pipe_values;	/* --pipe: ::: values, a set
						   a job, or NULL */
	struct record		 pipe_rec;	/* the set for the next job */
	bool			 has_pipe_rec;
	bool			 pipe_values_done;
	struct joblog		*joblog;
	struct joblog_done	*done;		/* --resume: skip these */
	struct joblog_entry	*retry;		/* --retry-failed */
	size_t			 nretry, next_retry;
	struct results		*results;
	unsigned long		 seq;
	unsigned long		 made;		/* jobs next_job() gave */
	unsigned long		 finished;	/* and job_done() heard of */
	bool			 joblog_stdout;	/* --joblog -: lines go to stdout */
	int			 tee_fd;	/* --tee: the input, a regular
						   file, or -1 */
	off_t			 tee_off, tee_len;	/* the part to send */
	unsigned long		 total;		/* known up front, or 0 */
	bool			 input_ended;
	bool			 color;		/* --color, or --ctag at a tty */
	int			 tty;		/* -p: where to ask, or -1 */
	struct run_job		 asked;		/* -p: the job asked about */
	bool			 asking;
	const char		*jobs_file;	/* -j FILE, or NULL */
	struct timespec		 jobs_mtime;	/* as last read */
	unsigned long		 jobs_now;	/* what it said */
	struct timespec		 slf_mtime;	/* --slf's files, latest */
	/*
	 * --hostgroups: jobs made whose groups' hosts were all busy, in
	 * input order, to start as a job there ends; meanwhile next_job()
	 * says "not yet" with wake[0] to wait on, which job_done() makes
	 * readable.
	 */
	struct run_job		*held;
	size_t			 nheld;
	bool			 holding;
	int			 wake[2];
	bool			 input_failed;
	bool			 joblog_failed;
	bool			 results_failed;
};

#endif
