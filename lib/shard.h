/*
 * shard: --shard and --bin, GNU parallel's way of spreading the lines of
 * a stream over a fixed set of long-running jobs by a key: the value of
 * one column, optionally changed by a perl expression.  --shard sends
 * every line with the same key to the same job (by a hash of the key);
 * --bin sends a line to job key % n (key 0 mod n to job n), as GNU does.
 *
 * Each job has a queue.  Input is read only while no queue is full, so
 * memory stays bounded whatever the input: a job that reads slowly holds
 * the others back, as GNU's FIFOs do.  A job that no longer reads has its
 * lines dropped, so it never stalls the rest.
 */
#ifndef PARX_SHARD_H
#define PARX_SHARD_H

#include <stdbool.h>
#include <stddef.h>

struct perlx;

struct shard_opts {
	bool		 bin;		/* --bin, else --shard */
	const char	*expr;		/* "COLUMN [perl expression]" */
	const char	*colsep;	/* a Perl regex; NULL: "," as GNU */
	unsigned long	 jobs;		/* how many jobs share the lines */
	struct perlx	*perl;		/* for the perl expression */
};

struct sharder;

/*
 * Reads fd (borrowed).  A column given by name is looked up in the first
 * line, which goes to no job.  NULL with *errstr set (a static message
 * or perlx_error()'s) for an expression, a column or a --colsep that
 * does not work.
 */
struct sharder	*sharder_new(int fd, const struct shard_opts *,
		    const char **errstr);
void		 sharder_free(struct sharder *);

/*
 * The lines waiting for job (1..jobs), in a buffer the caller frees: 1;
 * 2 when there are none yet but may be (another job's queue is full);
 * 0 when there will be no more; -1 with errno set on a read error, or
 * EOVERFLOW for a --colsep over its match limit, or ENOEXEC when the
 * perl expression died (perlx_error()).
 */
int	sharder_next(struct sharder *, unsigned long job, char **data,
	    size_t *len);

/* job reads no more: its lines are dropped from now on. */
void	sharder_closed(struct sharder *, unsigned long job);

#endif
