/*
 * pipesrc: the --pipe and --pipepart job source.  It cuts the input into
 * blocks (block.h) and makes each one a job through feed, with the block
 * as the job's stdin, or in a FIFO (--fifo) or a file (--cat) named by
 * {}.  It is the next_job() side of run for --pipe, as feed_next() is for
 * arguments.
 */
#ifndef PARX_PIPESRC_H
#define PARX_PIPESRC_H

#include <stdbool.h>
#include <stddef.h>

#include "block.h"
#include "job.h"
#include "shard.h"

struct feed;

struct pipesrc_opts {
	struct block_opts	 blk;		/* blk.size comes from block */
	double			 block;		/* --block in bytes; -N: a
						   regular file in N blocks
						   per slot; 0: the default */
	unsigned long		 jobs;		/* slots */
	bool			 part;		/* --pipepart: fd must be a
						   regular file */
	bool			 round_robin;	/* one job per slot, fed
						   through pipesrc_next_input */
	struct sharder		*sharder;	/* --shard, --bin, or NULL:
						   one job per slot, each
						   fed its lines; the
						   pipesrc's from now on */
	bool			 cat;		/* {}: a file holding the block */
	bool			 fifo;		/* {}: a FIFO run fills */
	const char		*tmpdir;	/* for --cat and --fifo; NULL:
						   /tmp */
};

/* What failed, for the caller's message; errno says why. */
enum pipesrc_fail {
	PIPESRC_READ,		/* the input (EOVERFLOW: a --regexp went
				   over its match limit, re.h) */
	PIPESRC_NOT_FILE,	/* --pipepart on something not a file */
	PIPESRC_DIR,		/* the directory for --cat or --fifo */
	PIPESRC_CAT,		/* writing a --cat file */
	PIPESRC_FIFO,		/* making a --fifo */
	PIPESRC_JOB		/* expanding the command (feed_make_job) */
};

struct pipesrc;

/*
 * Reads fd, which becomes the source's: pipesrc_free() closes it unless
 * it is one of fds 0-2.  A regular file read from its start is cut into ranges up
 * front, which run splices to the jobs without copying; anything else
 * is read as a stream.  NULL with errno and *why set on failure (fd is
 * then closed as pipesrc_free() would).
 */
struct pipesrc	*pipesrc_new(int fd, const struct pipesrc_opts *,
		    enum pipesrc_fail *why);

/*
 * Removes the --cat/--fifo directory (run removes what is in it) and
 * frees everything.  NULL is fine.
 */
void		 pipesrc_free(struct pipesrc *);

/*
 * The directory --cat and --fifo put their files in, or NULL: run's
 * cleanup_dir, so that a killed parx leaves nothing behind.
 */
const char	*pipesrc_dir(const struct pipesrc *);

/* The number of jobs the input makes if known up front, else -1. */
long		 pipesrc_total(const struct pipesrc *);

/*
 * Fills job for slot with the next block, through feed_make_job(), with
 * fields (may be none) for its replacement strings: ::: values, as GNU
 * gives them to --pipe jobs, one set a job (not with --cat, --fifo);
 * under --round-robin a job with values starts even with no block.  1, 2
 * when the block is not ready yet (--block-timeout: see
 * pipesrc_wait_fd()), 0 when the input is used up (under --round-robin,
 * once there is a job per slot), -1 with errno and *why set.  Job
 * numbers count from 1; after PIPESRC_JOB, job->seq is the number of the
 * job that failed.
 */
int	pipesrc_next(struct pipesrc *, struct feed *, unsigned long slot,
	    char *const *fields, size_t nfields, struct run_job *job,
	    enum pipesrc_fail *why);

/*
 * --round-robin: the next block, for job seq, which can take it, in a
 * buffer the caller frees.  1, 0 at the end, -1 with errno set as
 * blocker_next() says, 2 as pipesrc_next() does.  --shard and --bin:
 * as sharder_next() says (2: nothing for this job yet).
 */
int	pipesrc_next_input(struct pipesrc *, unsigned long seq, char **data,
	    size_t *len);

/* As blocker_grown(): blocks grew from *from to the size returned. */
size_t	pipesrc_block_grown(struct pipesrc *, size_t *from);

/*
 * --block-timeout: what pipesrc_next() and pipesrc_next_input() wait
 * for, -1 when they block instead, and when they cut a block whatever
 * comes (monotonic seconds, 0: never).
 */
int	pipesrc_wait_fd(const struct pipesrc *);
double	pipesrc_wake_at(const struct pipesrc *);

/* Why the last read failed with EINVAL: a --group-by key error, or NULL. */
const char	*pipesrc_key_error(const struct pipesrc *);

/* --shard, --bin: job seq takes no more input. */
void	pipesrc_input_closed(struct pipesrc *, unsigned long seq);

#endif
