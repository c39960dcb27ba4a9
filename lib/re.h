/*
 * re: the regular expressions users write (--colsep, --regexp with
 * --recend and --recstart, the --plus patterns) are Perl's, as in GNU
 * parallel, through PCRE2.  Work is bounded: a pattern Perl rejects (a
 * nested quantifier such as a*++) is rejected, and a match that would
 * take more than RE_MATCH_LIMIT steps or RE_HEAP_LIMIT of memory ends
 * with an error instead of hanging.
 */
#ifndef PARX_RE_H
#define PARX_RE_H

#include <stdbool.h>
#include <stddef.h>

#define RE_MATCH_LIMIT	10000000	/* backtracking steps per match */
#define RE_HEAP_LIMIT	(64 * 1024)	/* KiB for backtracking, per match */

/* re_new() flags */
#define RE_UNGREEDY	0x1	/* every quantifier is lazy, and ? makes it
				   greedy (GNU's make_regexp_ungreedy) */

/* re_match() flags */
#define RE_NOTBOL	0x1	/* start is not the beginning of a line */
#define RE_NOTEMPTY_HERE 0x2	/* only a non-empty match at start itself
				   (after an empty match, as Perl's //g) */

struct re;

/*
 * Compiles pattern (len bytes, may hold NUL) with RE_* flags.  NULL with
 * *errstr set to PCRE2's message (in a static buffer) if it is invalid.
 */
struct re	*re_new(const char *pattern, size_t len, int flags,
		    const char **errstr);
void		 re_free(struct re *);

/*
 * The one byte a Perl regex matches if it is a single literal byte (or
 * \t), for a search without the regex engine; -1 otherwise.
 */
int	re_literal_byte(const char *pattern);

/*
 * Looks for a match in [s, s + len) from start on, with RE_* match
 * flags.  On a match, returns 1 and fills ov with nov pairs of offsets
 * (the match, then groups 1, 2, ...; -1 for a group that did not take
 * part).  0 for no match, -1 when a limit was reached.
 */
int	re_match(const struct re *, const char *s, size_t len, size_t start,
	    int flags, long *ov, size_t nov);

#endif
