/*
 * key: the value a line is sharded, binned or grouped by, from GNU
 * parallel's expressions for --shard, --bin and --group-by: "COLUMN",
 * "COLUMN perl-expression" (the perl code changes $_, the column's
 * value), or for --group-by a perl expression alone, run on the whole
 * line.  COLUMN is a number (from 1) or a name from the header line.
 * Columns are split by --colsep, a Perl regex.  Perl runs in the perlx
 * coprocess, every line of a batch in one round trip.
 */
#ifndef PARX_KEY_H
#define PARX_KEY_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct perlx;

struct key_opts {
	const char	*expr;
	const char	*colsep;	/* a Perl regex */
	bool		 line_ok;	/* a perl expression alone (no
					   column) runs on the whole line */
	struct perlx	*perl;
};

struct keyer;

/* Whether expr names its column by name: the caller reads the header. */
bool	key_needs_header(const char *expr);

/*
 * header (hlen bytes, no newline) is the header line when expr names a
 * column, else ignored.  NULL with *errstr set (a static message, or
 * perlx_error()'s) for an expression that does not work.
 */
struct keyer	*keyer_new(const struct key_opts *, const char *header,
		    size_t hlen, const char **errstr);
void		 keyer_free(struct keyer *);

/*
 * The keys of n lines, line i being off[i], len[i] bytes of base (without
 * its newline): appended to keys, key i at koff[i], klen[i].  0, or -1
 * with errno EOVERFLOW (--colsep over its match limit) or ENOEXEC (the
 * perl expression died: perlx_error()).
 */
int	keyer_keys(struct keyer *, const char *base, const size_t *off,
	    const size_t *len, size_t n, struct buf *keys, size_t *koff,
	    size_t *klen);

#endif
