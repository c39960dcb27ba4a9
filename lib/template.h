/*
 * template: the command template and its replacement strings.  A template
 * is parsed once; each job expands it into one shell command line, with
 * every substituted value shell-quoted (quote.h) so that no input is
 * interpreted by a shell.
 */
#ifndef PARX_TEMPLATE_H
#define PARX_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "perlx.h"

/* The replacement strings that options can rename (-I, --bnr, ...). */
enum template_rpl {
	TEMPLATE_RPL_ARG,		/* {}   */
	TEMPLATE_RPL_NOEXT,		/* {.}  */
	TEMPLATE_RPL_BASE,		/* {/}  */
	TEMPLATE_RPL_DIR,		/* {//} */
	TEMPLATE_RPL_BASENOEXT,		/* {/.} */
	TEMPLATE_RPL_SEQ,		/* {#}  */
	TEMPLATE_RPL_SLOT,		/* {%}  */
	TEMPLATE_RPL_COUNT
};

struct template_opts {
	const char	 *rpl[TEMPLATE_RPL_COUNT];	/* NULL: the default */
	bool		  plus;		/* --plus: GNU's extra strings */
	bool		  context;	/* -X: repeat the word around {} */
	bool		  quote_words;	/* -q: each command word is quoted */
	bool		  raw;		/* no command: the input is the command */
	bool		  verbatim;	/* values unquoted, nothing appended */
	bool		  join_tight;	/* a string's values side by side, no
					   space between (GNU's --tmpl) */
	bool		  no_append;	/* --pipe: no {} added when none is used */
	char *const	 *header;	/* --header names, column i + 1 */
	size_t		  nheader;
	struct perlx	 *perl;		/* runs {= =} and --rpl; NULL: they
					   are an error */
	const char	 *parens;	/* --parens: "{==}" if NULL */
	char *const	 *user_rpl;	/* --rpl "TAG perl expression" */
	size_t		  nuser_rpl;
};

/* What one job substitutes; seq 0 measures (perl is not asked). */
struct template_job {
	char *const	*fields;	/* all values of the job, in order */
	size_t		 nfields;
	unsigned long	 seq;		/* {#}, from 1 */
	unsigned long	 slot;		/* {%}, from 1 */
	unsigned long	 total;		/* {##}, if template_needs_total() */
	unsigned long	 maxslots;	/* for {0%} */
	const char	*host;		/* --plus {host}: the host it runs on,
					   or NULL: here (":") */
	const char	*sshlogin;	/* --plus {sshlogin}, the same */
	const char	*host_groups;	/* --plus {hgrp}: the host's groups */
	const char	*arg_groups;	/* --plus {agrp}: the job's own
					   (--hostgroups), or NULL */
};

struct template;

/*
 * Parses the command words (joined by spaces into one line, as GNU
 * parallel does, unless quote_words).  When no word holds a replacement
 * string, {} is appended.  NULL with *errstr set on a bad template.
 */
struct template	*template_new(char *const *words, size_t nwords,
		    const struct template_opts *, const char **errstr);
void		 template_free(struct template *);

/*
 * Appends the command line for job j to out.  -1 with errno EOVERFLOW
 * when a --plus pattern went over its match limit (re.h) on a value; the
 * line is then complete but that value was left as it was.  -1 with
 * errno ENOEXEC when a perl expression died (perlx_error() says why).
 * 1 when an expression called skip(): the job is not to run.
 */
int	template_expand(const struct template *, const struct template_job *j,
	    struct buf *out);

/*
 * True when the expanded line needs no shell: outside its replacement
 * strings the template holds only plain words, so quote_split_words() of
 * the expansion is the argv a shell would build.
 */
bool	template_is_direct(const struct template *);

/* The first word when it is plain literal text, else NULL. */
const char	*template_program(const struct template *);

/*
 * Perl expressions cost a round trip to perl each; on a machine where
 * that is tens of microseconds, jobs whose values are known ahead are
 * evaluated together: template_prepare() collects the answers for jobs
 * (in seq order, slot unknown), and template_expand() of each of those
 * jobs later uses them.  Only when template_can_prepare(): the template
 * has perl expressions and none asks for the job slot.
 * template_prepared() says whether job seq's answers are in already.
 */
bool	template_can_prepare(const struct template *);
bool	template_prepared(const struct template *, unsigned long seq);
int	template_prepare(const struct template *,
	    const struct template_job *jobs, size_t n);

/* True if {##} or {0#} is used: the number of jobs must be known. */
bool	template_needs_total(const struct template *);

/*
 * Characters one more value adds to the command line (for -m, -X and
 * -s, counted as GNU parallel counts them); the expansion for no value
 * is template_expand() with nfields = 0.
 */
size_t	template_field_cost(const struct template *, const char *field);

/*
 * The command line's length with no value: with template_field_cost() of
 * each value added, the line is one character longer than GNU parallel
 * counts it for -s (a line of L characters fits -s L + 1).
 */
size_t	template_base_len(const struct template *);


#endif
