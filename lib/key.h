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

/* A line (without its newline) of some text, and its key once found. */
struct keyed_line {
	size_t	off, len;	/* in the text */
	size_t	key_off, key_len;	/* in the keys buffer */
};

/* The lines of one read, growing as needed. */
struct keyed_lines {
	struct keyed_line	*v;
	size_t			 n, cap;
};

/* Appends the line at off, len bytes long, to l. */
void	keyed_lines_add(struct keyed_lines *l, size_t off, size_t len);
void	keyed_lines_free(struct keyed_lines *l);

/*
 * The keys of the n lines of base: each appended to keys, where its
 * key_off and key_len say.  0, or -1 with errno EOVERFLOW (--colsep
 * over its match limit) or ENOEXEC (the perl expression died:
 * perlx_error()).
 */
int	keyer_keys(struct keyer *, const char *base, struct keyed_line *lines,
	    size_t n, struct buf *keys);

#endif
