/*
 * quote: shell quoting as GNU parallel does it for Bourne shells, so that
 * --dry-run, -v and the job log show the same text, and a parser for the
 * words such quoting produces.
 */
#ifndef PARX_QUOTE_H
#define PARX_QUOTE_H

#include <stddef.h>

#include "buf.h"

/*
 * Appends s (len bytes, may hold any byte but NUL) to out so that a POSIX
 * shell reads it back as exactly one word with the same bytes.  A word made
 * only of A-Za-z0-9 and "_/.+-" stays bare; anything else is single-quoted,
 * with ' written as '"'"'.
 */
void	quote_shell(struct buf *out, const char *s, size_t len);

/* Number of bytes quote_shell() would append. */
size_t	quote_shell_len(const char *s, size_t len);

/*
 * Splits a command line made of bare words, single-quoted and
 * double-quoted runs (no expansions: the caller knows none are present)
 * into words.  Returns a NULL-terminated argv, in one allocation the
 * caller frees with quote_free_words(), or NULL with *errstr set if a
 * quote is unbalanced.
 */
char	**quote_split_words(const char *line, const char **errstr);
void	  quote_free_words(char **);

#endif
