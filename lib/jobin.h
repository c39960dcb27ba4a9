/*
 * jobin: what a job reads.  A job's standard input is empty (/dev/null)
 * unless it has a block (--pipe, --pipepart): then a pipe that run fills
 * as the job reads, from memory and from a file range (spliced), block
 * after block for --round-robin; or, with --fifo, a FIFO the job opens by
 * name, closed only once the job has opened it (inotify says when).
 */
#ifndef PARX_JOBIN_H
#define PARX_JOBIN_H

#include <stdbool.h>
#include <stddef.h>

#include "job.h"

/* What the jobs' FIFOs share: one inotify descriptor, made when needed. */
struct jobin_fifos {
	int	ino;		/* or -1 */
};

/* One job's stdin as run fills it. */
struct jobin {
	int	pipe;		/* our end, or -1 */
	int	held;		/* in_held: our end, never written, or -1 */
	int	fifo_wd;	/* --fifo: the inotify watch, or -1 */
	bool	fifo_opened;	/* the job has opened its FIFO */
	bool	fifo_waiting;	/* all written, waiting for that */
	size_t	done;		/* bytes of in_data written */
	size_t	file_done;	/* bytes of the file range spliced */
	bool	stream_waiting;	/* in_stream: the source has nothing yet */
	unsigned long long sent; /* bytes written, all blocks (--joblog) */
};

/*
 * Where the next block for an in_stream job comes from (--round-robin,
 * --shard): run's next_input() and input_closed() callbacks.
 */
struct jobin_source {
	int	(*next)(void *arg, unsigned long seq, char **data,
		    size_t *len);
	void	(*closed)(void *arg, unsigned long seq);	/* or NULL */
	void	*arg;
};

/*
 * Opens job's stdin; *job_end is the descriptor the job gets (devnull,
 * borrowed, for none; else the caller closes it once the job started).
 * -1 with errno set.
 */
int	jobin_open(struct jobin *, struct jobin_fifos *,
	    const struct run_job *job, int devnull, int *job_end);

/*
 * Puts as much of the job's input in as fits, and closes our end when all
 * is in (or the job stopped reading).  A --round-robin job gets the next
 * block from src when it has taken its own.
 */
void	jobin_feed(struct jobin *, struct run_job *job,
	    struct jobin_source *src);

/*
 * An in_stream job waiting for its source (stream_waiting) asks again;
 * run calls this every round.  True if that moved anything: lines went
 * in, or it waits no more.
 */
bool	jobin_retry(struct jobin *, struct run_job *job,
	    struct jobin_source *src);

/* Whether to poll our end for room. */
bool	jobin_pollable(const struct jobin *);

/*
 * Reads the FIFOs' inotify events: for each watch a job opened, calls
 * opened(arg, wd).
 */
void	jobin_fifo_events(struct jobin_fifos *,
	    void (*opened)(void *arg, int wd), void *arg);

/* The job opened its FIFO: our end may close once all is in. */
void	jobin_fifo_opened(struct jobin *);

/* The job has ended: nobody reads the rest. */
void	jobin_close(struct jobin *, struct jobin_fifos *);

#endif
