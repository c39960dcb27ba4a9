/*
 * perlx: GNU parallel's {= perl expression =} and --rpl strings, run by
 * one perl process that parx starts only when a command uses them.  Perl
 * is on every Debian system (perl-base is essential); a coprocess keeps
 * perl's interpreter, its signal handling and its memory out of parx.
 *
 * The protocol is framed on a socket pair: parx sends an expression to
 * compile (the reply says whether it did), a job's context (its values as
 * @arg, its seq and slot), and evaluations (expression i with $_ set to
 * value k); each evaluation's reply is the new $_ and what the
 * expression called (uq(), skip()).
 */
#ifndef PARX_PERLX_H
#define PARX_PERLX_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* What an evaluation asked for besides its value. */
#define PERLX_UNQUOTED	0x1	/* uq(): the value goes in unquoted */
#define PERLX_SKIP	0x2	/* skip(): the job is not run */

struct perlx;

/* An evaluator; perl is started by the first perlx_compile(). */
struct perlx	*perlx_new(void);
void		 perlx_free(struct perlx *);

/*
 * Compiles expr as the body of a sub; its number for perlx_eval(), or -1
 * (perlx_error() names the expression and says why).
 */
int	perlx_compile(struct perlx *, const char *expr);

/* The job the evaluations until the next call are for. */
int	perlx_job(struct perlx *, unsigned long seq, unsigned long slot,
	    unsigned long total, char *const *fields, size_t nfields);

/*
 * Runs expression i with $_ set to the job's value k (1-based; 0: "") and
 * appends the resulting $_ to out; *flags gets PERLX_*.  0, or -1 when it
 * died or perl is gone (perlx_error()).
 */
int	perlx_eval(struct perlx *, int i, size_t k, struct buf *out,
	    int *flags);

/*
 * --filter: evaluates code (perl, GNU's replacement strings already
 * filled in) for the job perlx_job() last named; *yes says whether it
 * was true.  0, or -1 when it did not compile or died (perlx_error()),
 * after which every evaluation fails.  Nothing may be queued.
 */
int	perlx_test(struct perlx *, const char *code, bool *yes);

/* One evaluation's answer, kept by perlx_collect(). */
struct perlx_reply {
	unsigned long seq;	/* the job's, from perlx_job() */
	int	 expr;
	size_t	 k;
	int	 flags;		/* PERLX_*, or PERLX_DIED */
	char	*value;		/* NUL-terminated */
	size_t	 len;
};

#define PERLX_DIED	0x80

/*
 * Batching, for a machine where a round trip costs tens of microseconds:
 * perlx_queue() adds an evaluation (after perlx_job()) to the next
 * request instead of running it, and perlx_collect() sends them all and
 * reads every answer, in order: one round trip for many jobs.  Once an
 * expression has died, every later one answers PERLX_DIED unrun.
 */
void	perlx_queue(struct perlx *, int i, size_t k);
int	perlx_collect(struct perlx *, struct perlx_reply **replies,
	    size_t *n);
void	perlx_replies_free(struct perlx_reply *, size_t n);

/* A collected answer, used as perlx_eval() would: 0, or -1. */
int	perlx_use(struct perlx *, const struct perlx_reply *, struct buf *out,
	    int *flags);

/* The last error: "perl expression 'X': why", or a system error's text. */
const char	*perlx_error(const struct perlx *);

#endif
