/*
 * template: parsing replacement strings and expanding them per job.
 *
 * The template is kept as words separated by runs of blanks, because -X
 * repeats a whole word for each value (context replace) and -q quotes
 * word by word.  A word is a list of parts: literal text or a replacement
 * string, which names what to substitute (all values, one positional value,
 * the job number, ...) and how to transform it ({.}, {/}, ...).
 */
#include "template.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "re.h"
#include "xmalloc.h"

enum part_kind {
	PART_LITERAL,
	PART_ARG,		/* every value of the job */
	PART_POS,		/* one value: {N}, {-N}, {name} */
	PART_SEQ,
	PART_SLOT,
	PART_TOTAL,
	PART_SEQ0,		/* {0#}: zero-padded to the width of {##} */
	PART_SLOT0,		/* {0%} */
	PART_HOST,		/* --plus {host}: where the job runs */
	PART_SSHLOGIN,		/* --plus {sshlogin} */
	PART_HGRP,		/* --plus {hgrp}: the host's groups */
	PART_AGRP,		/* --plus {agrp}: the job's groups */
	PART_PERL,		/* {= expr =}, a --rpl: every value, or one
				   if pos is not 0 */
};

enum op {
	OP_NONE, OP_NOEXT, OP_BASE, OP_DIR, OP_BASENOEXT,
	OP_PLUS_DIR, OP_PLUS_EXT, OP_PLUS_EXT2, OP_PLUS_EXT3,
	OP_NOEXT2, OP_NOEXT3, OP_BASENOEXT2, OP_BASENOEXT3,
	OP_DEFAULT,		/* {:-text} */
	OP_SUBSTR,		/* {:N} {:N:M} */
	/*
	 * The pattern ops, each Perl's substitution in GNU parallel, which
	 * the compiled pattern (see parse_bash_op) makes one of two kinds:
	 * replace the first match, or every match.
	 */
	OP_CUT_PREFIX,		/* {#re}: s/^(lazy re)//, the shortest */
	OP_CUT_PREFIX_LONG,	/* {##re}: s/^re// */
	OP_CUT_SUFFIX,		/* {%re}: s/(.*)(lazy re)$/$1/ */
	OP_CUT_SUFFIX_LONG,	/* {%%re}: s/re$// */
	OP_SUBST,		/* {/re/text}: s/re/text/ */
	OP_SUBST_ALL,		/* {//re/text}: s/re/text/g */
	OP_SUBST_PREFIX,	/* {/#re/text}: s/^re/text/g */
	OP_SUBST_SUFFIX,	/* {/%re/text}: s/re$/text/g */
};

struct part {
	enum part_kind	 kind;
	enum op		 op;
	char		*text;		/* literal, or the op's replacement text */
	long		 pos;		/* PART_POS: 1-based, negative from the end */
	struct re	*re;		/* for the pattern ops, or NULL */
	unsigned long	*over_limit;	/* the template's count of matches
					   that went over their limit */
	size_t		 n1, n2;	/* OP_SUBSTR offset and length */
	bool		 has_n2;
	int		 expr;		/* PART_PERL: perlx's number */
};

/* Answers collected ahead for the next jobs (template_prepare()). */
struct perl_batch {
	struct perlx_reply	*r;
	size_t			 n, next;
	bool			 collecting;	/* queue, do not evaluate */
	bool			 replaying;	/* this job's are in r */
};

/* A --rpl "TAG perl expression": TAG is prefix(group regexp)postfix. */
struct rpl {
	char		*prefix;
	char		*postfix;
	char		*expr;		/* $$1, $$2, ... for the groups */
	struct re	*re;		/* the whole TAG, or NULL: no groups */
	struct re	*pos_re;	/* {N TAG-without-brace}, or NULL */
	size_t		 taglen;	/* for the order: longest first */
	size_t		 order;		/* then the order given */
};

struct word {
	struct part	*parts;
	size_t		 nparts;
	char		*sep;		/* blanks after the word */
	bool		 has_arg;	/* holds a PART_ARG */
};

struct template {
	struct template_opts	 opts;
	struct word		*words;
	size_t			 nwords;
	size_t			 words_cap;
	char			*lead;		/* blanks before the first word */
	bool			 direct;
	bool			 needs_total;
	char			*program;
	size_t			 plain_args;	/* count of plain {}, if all are */
	unsigned long		*over_limit;	/* pattern matches stopped */
	const char		*re_error;	/* a --plus pattern is bad */
	char			*bad_pattern;
	bool			 perl_failed;	/* a {= =} did not compile */
	char			*left, *right;	/* --parens */
	struct rpl		*rpls;		/* --rpl, longest TAG first */
	size_t			 nrpls;
	bool			 has_perl;	/* any PART_PERL */
	bool			 uses_slot;	/* one asks for the job slot */
	struct perl_batch	*batch;		/* template_prepare()'s */
	bool			 maybe_unquoted; /* one may call uq() */
	bool			*perl_died;	/* in an expansion */
	bool			*perl_skip;
};

/* Fixed names of the (default) replacement strings and their ops. */
static const struct {
	const char	*name;
	enum op		 op;
	bool		 plus;
} named_ops[] = {
	{ "{}", OP_NONE, false },
	{ "{.}", OP_NOEXT, false },
	{ "{/}", OP_BASE, false },
	{ "{//}", OP_DIR, false },
	{ "{/.}", OP_BASENOEXT, false },
	{ "{+/}", OP_PLUS_DIR, true },
	{ "{+.}", OP_PLUS_EXT, true },
	{ "{+..}", OP_PLUS_EXT2, true },
	{ "{+...}", OP_PLUS_EXT3, true },
	{ "{..}", OP_NOEXT2, true },
	{ "{...}", OP_NOEXT3, true },
	{ "{/..}", OP_BASENOEXT2, true },
	{ "{/...}", OP_BASENOEXT3, true },
};

static const char *const default_rpl[TEMPLATE_RPL_COUNT] = {
	"{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}",
};

/* ---- transforms ---- */

/*
 * Start of the last k extensions (GNU's \.[^/.]*(\.[^/.]*){k-1}$), or -1.
 */
static long
ext_start(const char *s, size_t len, int k)
{
	size_t i = len;

	while (k-- > 0) {
		while (i > 0 && s[i - 1] != '.' && s[i - 1] != '/')
			i--;
		if (i == 0 || s[i - 1] != '.')
			return -1;
		i--;
	}
	return (long)i;
}

static void
add_basename(struct buf *out, const char *s)
{
	const char *slash = strrchr(s, '/');

	buf_addstr(out, slash != NULL ? slash + 1 : s);
}

/* dirname as Perl's File::Basename does it for GNU parallel's {//}. */
static void
add_dirname(struct buf *out, const char *s)
{
	size_t len = strlen(s);

	while (len > 1 && s[len - 1] == '/')
		len--;
	while (len > 0 && s[len - 1] != '/')
		len--;
	if (len == 0) {
		buf_addch(out, '.');
		return;
	}
	while (len > 1 && s[len - 1] == '/')
		len--;
	buf_add(out, s, len);
}

static void
add_without_ext(struct buf *out, const char *s, size_t len, int k)
{
	long e = ext_start(s, len, k);

	buf_add(out, s, e >= 0 ? (size_t)e : len);
}

/*
 * The --plus pattern ops: the part's pattern (parse_bash_op) replaced by
 * its text (or, for {%re}, by its group 1), once or at every match, as
 * Perl's s/// and s///g: after an empty match, the next one must not be
 * empty at the same place.  A match that goes over its limit is counted
 * and leaves the value as it is.
 */
static void
add_substituted(struct buf *out, const struct part *p, const char *s)
{
	size_t len = strlen(s), pos = 0, copied = 0;
	bool all = p->op >= OP_SUBST_ALL, notempty = false;
	long ov[4];
	int r;

	for (;;) {
		r = re_match(p->re, s, len, pos, notempty ? RE_NOTEMPTY_HERE :
		    0, ov, 2);
		if (r == -1) {
			(*p->over_limit)++;
			break;
		}
		if (r == 0) {
			if (!notempty || pos >= len || !all)
				break;
			/* No other match here: step over one byte. */
			pos++;
			notempty = false;
			continue;
		}
		buf_add(out, s + copied, (size_t)ov[0] - copied);
		if (p->op == OP_CUT_SUFFIX)
			buf_add(out, s + ov[2], (size_t)(ov[3] - ov[2]));
		else if (p->text != NULL)
			buf_addstr(out, p->text);
		copied = pos = (size_t)ov[1];
		if (!all)
			break;
		notempty = ov[0] == ov[1];
	}
	buf_add(out, s + copied, len - copied);
}

static void
add_bash_op(struct buf *out, const struct part *p, const char *s)
{
	size_t len = strlen(s), i;

	switch (p->op) {
	case OP_DEFAULT:
		buf_addstr(out, len == 0 ? p->text : s);
		return;
	case OP_SUBSTR:
		if (p->n1 >= len)
			return;
		i = len - p->n1;
		buf_add(out, s + p->n1, p->has_n2 && p->n2 < i ? p->n2 : i);
		return;
	default:
		add_substituted(out, p, s);
		return;
	}
}

/* Appends what part p makes of value s. */
static void
transform(struct buf *out, const struct part *p, const char *s)
{
	size_t len = strlen(s);
	const char *dot;
	long e;

	switch (p->op) {
	case OP_NONE:
		buf_add(out, s, len);
		break;
	case OP_NOEXT:
		add_without_ext(out, s, len, 1);
		break;
	case OP_NOEXT2:
		add_without_ext(out, s, len, 2);
		break;
	case OP_NOEXT3:
		add_without_ext(out, s, len, 3);
		break;
	case OP_BASE:
		add_basename(out, s);
		break;
	case OP_DIR:
		add_dirname(out, s);
		break;
	case OP_BASENOEXT:
	case OP_BASENOEXT2:
	case OP_BASENOEXT3: {
		const char *slash = strrchr(s, '/');
		const char *b = slash != NULL ? slash + 1 : s;

		add_without_ext(out, b, strlen(b), p->op == OP_BASENOEXT ? 1 :
		    p->op == OP_BASENOEXT2 ? 2 : 3);
		break;
	}
	case OP_PLUS_DIR: {
		const char *slash = strrchr(s, '/');

		if (slash != NULL)
			buf_add(out, s, slash - s);
		break;
	}
	case OP_PLUS_EXT:
		if ((dot = strrchr(s, '.')) != NULL)
			buf_addstr(out, dot + 1);
		break;
	case OP_PLUS_EXT2:
	case OP_PLUS_EXT3:
		e = ext_start(s, len, p->op == OP_PLUS_EXT2 ? 2 : 3);
		if (e >= 0)
			buf_addstr(out, s + e + 1);
		break;
	default:
		add_bash_op(out, p, s);
		break;
	}
}

/* ---- parsing ---- */

static void
add_part(struct word *w, const struct part *p)
{
	w->parts = xreallocarray(w->parts, w->nparts + 1, sizeof(*w->parts));
	w->parts[w->nparts++] = *p;
	if (p->kind == PART_ARG || (p->kind == PART_PERL && p->pos == 0))
		w->has_arg = true;
}

static void
add_literal(struct word *w, const char *s, size_t len)
{
	struct part *last;
	struct part p;
	size_t old;

	if (len == 0)
		return;
	last = w->nparts > 0 ? &w->parts[w->nparts - 1] : NULL;
	if (last != NULL && last->kind == PART_LITERAL) {
		old = strlen(last->text);
		last->text = xreallocarray(last->text, old + len + 1, 1);
		memcpy(last->text + old, s, len);
		last->text[old + len] = '\0';
		return;
	}
	memset(&p, 0, sizeof(p));
	p.kind = PART_LITERAL;
	p.text = xmemdup(s, len);
	add_part(w, &p);
}

/* A named op ({.}, {/}, ... and with --plus {+.}, ...) for "{name}". */
static int
lookup_op(const struct template *t, const char *name, size_t len,
    bool plus_only, enum op *op)
{
	size_t i;

	for (i = 0; i < sizeof(named_ops) / sizeof(named_ops[0]); i++) {
		if (named_ops[i].plus ? !t->opts.plus : plus_only)
			continue;
		if (strlen(named_ops[i].name) == len &&
		    memcmp(named_ops[i].name, name, len) == 0) {
			*op = named_ops[i].op;
			return 0;
		}
	}
	return -1;
}

/*
 * Compiles pre, the pattern pat and post for part p.  A pattern PCRE2
 * rejects (as Perl would) makes the whole template fail: t->re_error.
 */
static int
compile_re(struct template *t, struct part *p, const char *pat, size_t len,
    const char *pre, const char *post, int flags)
{
	const char *errstr;
	struct buf b;

	buf_init(&b);
	buf_addstr(&b, pre);
	buf_add(&b, pat, len);
	buf_addstr(&b, post);
	p->re = re_new(b.data, b.len, flags, &errstr);
	buf_release(&b);
	if (p->re == NULL) {
		if (t->re_error == NULL) {
			t->re_error = errstr;
			t->bad_pattern = xmemdup(pat, len);
		}
		return -1;
	}
	p->over_limit = t->over_limit;
	return 0;
}

/*
 * GNU's bash-inspired --plus strings; in is the text between the braces.
 * Returns 0 and fills p, or -1 if in is not one of them (or its pattern
 * is bad: t->re_error).  Each pattern op becomes one pattern and a
 * replacement, as GNU's Perl definitions have them.
 */
static int
parse_bash_op(struct template *t, struct part *p, const char *in,
    size_t len)
{
	const char *slash, *pre = "(?:", *post = ")";
	size_t skip = 1;
	char *end;

	if (len >= 2 && in[0] == ':' && in[1] == '-') {
		p->op = OP_DEFAULT;
		p->text = xmemdup(in + 2, len - 2);
		return 0;
	}
	if (len >= 2 && in[0] == ':' && isdigit((unsigned char)in[1])) {
		p->op = OP_SUBSTR;
		p->n1 = strtoul(in + 1, &end, 10);
		if (*end == ':' && isdigit((unsigned char)end[1])) {
			p->has_n2 = true;
			p->n2 = strtoul(end + 1, &end, 10);
		}
		return end == in + len ? 0 : -1;
	}
	if (len >= 3 && in[0] == '#' && in[1] == '#') {
		p->op = OP_CUT_PREFIX_LONG;
		return compile_re(t, p, in + 2, len - 2, "\\A(?:", ")", 0);
	}
	if (len >= 2 && in[0] == '#') {
		p->op = OP_CUT_PREFIX;
		return compile_re(t, p, in + 1, len - 1, "\\A(?:", ")",
		    RE_UNGREEDY);
	}
	if (len >= 3 && in[0] == '%' && in[1] == '%') {
		p->op = OP_CUT_SUFFIX_LONG;
		return compile_re(t, p, in + 2, len - 2, "(?:", ")$", 0);
	}
	if (len >= 2 && in[0] == '%') {
		/* Lazy under RE_UNGREEDY: (.*?) is GNU's greedy (.*). */
		p->op = OP_CUT_SUFFIX;
		return compile_re(t, p, in + 1, len - 1, "(.*?)(?:", ")$",
		    RE_UNGREEDY);
	}
	if (len < 3 || in[0] != '/')
		return -1;
	p->op = OP_SUBST;
	if (in[1] == '/') {
		p->op = OP_SUBST_ALL;
		skip = 2;
	} else if (in[1] == '#') {
		p->op = OP_SUBST_PREFIX;
		pre = "\\A(?:";
		skip = 2;
	} else if (in[1] == '%') {
		p->op = OP_SUBST_SUFFIX;
		post = ")$";
		skip = 2;
	}
	slash = memchr(in + skip, '/', len - skip);
	if (slash == NULL || slash == in + skip)
		return -1;
	p->text = xmemdup(slash + 1, in + len - slash - 1);
	return compile_re(t, p, in + skip, slash - in - skip, pre, post, 0);
}

/* ---- perl expressions ---- */

/*
 * The length of the {= perl expression =} at s, parens included, or 0.
 * As in GNU parallel the expression holds no other left or right paren,
 * so "{={==}" has one at its second brace.
 */
static size_t
perl_span(const struct template *t, const char *s)
{
	size_t ll = strlen(t->left), rl = strlen(t->right);
	const char *close, *again;

	if (t->opts.raw || strncmp(s, t->left, ll) != 0)
		return 0;
	if ((close = strstr(s + ll, t->right)) == NULL)
		return 0;
	again = strstr(s + ll, t->left);
	if (again != NULL && again < close)
		return 0;
	return (size_t)(close - s) + rl;
}

/*
 * Part p for the perl expression expr: GNU's leading number ("{=2 s/a/b/
 * =}": value 2 only; 0 or none: every value) comes off first.  -1 when
 * perl does not take it (t->perl_failed).
 */
static int
perl_part(struct template *t, struct part *p, const char *expr, size_t len,
    long pos)
{
	char *e = xmemdup(expr, len), *q = e, *end;
	size_t i, nl;
	long v;

	memset(p, 0, sizeof(*p));
	p->kind = PART_PERL;
	if ((q[0] == '-' && isdigit((unsigned char)q[1])) ||
	    isdigit((unsigned char)q[0])) {
		v = strtol(q, &end, 10);
		q = end;
		if (pos == 0)
			pos = v;
	} else
		/* With --header, a column's name: "{=x $_*=10 =}". */
		for (i = 0; i < t->opts.nheader; i++) {
			nl = strlen(t->opts.header[i]);
			if (nl > 0 && strncmp(q, t->opts.header[i], nl) == 0 &&
			    isspace((unsigned char)q[nl])) {
				q += nl;
				if (pos == 0)
					pos = (long)i + 1;
				break;
			}
		}
	while (*q == ' ')
		q++;
	/* "{= s/a/b/ =}": the blank before the paren is not the code's. */
	while (*q != '\0' && isspace((unsigned char)q[strlen(q) - 1]))
		q[strlen(q) - 1] = '\0';
	p->pos = pos;
	if (strstr(q, "total_jobs") != NULL)
		t->needs_total = true;
	if (strstr(q, "uq") != NULL)
		t->maybe_unquoted = true;
	if (strstr(q, "slot") != NULL)
		t->uses_slot = true;
	p->expr = perlx_compile(t->opts.perl, q);
	free(e);
	if (p->expr == -1) {
		t->perl_failed = true;
		return -1;
	}
	t->has_perl = true;
	return 0;
}

/* s as the inside of a Perl "..." string. */
static void
add_perl_quoted(struct buf *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (strchr("\\\"$@", s[i]) != NULL)
			buf_addch(b, '\\');
		buf_addch(b, s[i]);
	}
}

/*
 * A --rpl occurrence: its groups set as GNU sets them ($_pAr_gRpN, which
 * the expression's $$N become), then the expression.
 */
static int
rpl_part(struct template *t, struct part *p, const struct rpl *r,
    const char *s, const long *ov, size_t ngroups, long pos)
{
	struct buf e;
	const char *x;
	size_t g;
	char num[32];
	int ret;

	buf_init(&e);
	for (g = 1; g <= ngroups; g++) {
		if (ov[2 * g] < 0)
			continue;
		snprintf(num, sizeof(num), "$_pAr_gRp%zu = \"", g);
		buf_addstr(&e, num);
		add_perl_quoted(&e, s + ov[2 * g],
		    (size_t)(ov[2 * g + 1] - ov[2 * g]));
		buf_addstr(&e, "\";");
	}
	for (x = r->expr; *x != '\0'; x++) {
		if (x[0] == '$' && x[1] == '$' && isdigit((unsigned char)x[2])) {
			buf_addstr(&e, "$_pAr_gRp");
			x += 2;
			while (isdigit((unsigned char)x[1]))
				buf_addch(&e, *x++);
			buf_addch(&e, *x);
			continue;
		}
		buf_addch(&e, *x);
	}
	ret = perl_part(t, p, e.data, e.len, pos == 0 ? 0 : pos);
	buf_release(&e);
	return ret;
}

/* The longest --rpl TAG at s (positional too): its length, or 0. */
static size_t
parse_user_rpl(struct template *t, const char *s, struct part *p)
{
	const struct rpl *r;
	size_t i, len = strlen(s), n;
	long ov[20], pos;

	for (i = 0; i < t->nrpls; i++) {
		r = &t->rpls[i];
		if (r->re == NULL) {
			n = strlen(r->prefix);
			if (strncmp(s, r->prefix, n) == 0)
				return rpl_part(t, p, r, s, ov, 0, 0) == 0 ? n : 0;
		} else if (re_match(r->re, s, len, 0, 0, ov, 10) == 1)
			return rpl_part(t, p, r, s, ov, 9, 0) == 0 ?
			    (size_t)ov[1] : 0;
		if (r->pos_re != NULL &&
		    re_match(r->pos_re, s, len, 0, 0, ov, 10) == 1) {
			pos = strtol(s + ov[2], NULL, 10);
			n = (size_t)ov[1];
			/* Group 1 is the position: the TAG's own from 2 on. */
			memmove(ov + 2, ov + 4, 16 * sizeof(*ov));
			if (pos != 0)
				return rpl_part(t, p, r, s, ov, 8, pos) == 0 ?
				    n : 0;
		}
	}
	return 0;
}

/*
 * Tries to read a replacement string at s; on success fills p and returns
 * its length, else 0.
 */
/* --plus's fixed strings, by what is between the braces. */
static const struct {
	const char	*name;
	enum part_kind	 kind;
} plus_parts[] = {
	{ "##", PART_TOTAL },
	{ "0#", PART_SEQ0 },
	{ "0%", PART_SLOT0 },
	{ "host", PART_HOST },
	{ "sshlogin", PART_SSHLOGIN },
	{ "hgrp", PART_HGRP },
	{ "agrp", PART_AGRP },
};

static size_t
parse_rpl(struct template *t, const char *s, struct part *p)
{
	const char *close, *q;
	size_t i, best = 0, len, inner;
	char name[256];

	memset(p, 0, sizeof(*p));
	if (t->opts.perl != NULL) {
		if ((len = perl_span(t, s)) > 0) {
			inner = strlen(t->left);
			if (perl_part(t, p, s + inner, len - inner -
			    strlen(t->right), 0) == -1)
				return 0;
			return len;
		}
		if (t->perl_failed || (len = parse_user_rpl(t, s, p)) > 0)
			return len;
		if (t->perl_failed)
			return 0;
	}
	/* The (possibly renamed) fixed strings; the longest wins. */
	for (i = 0; i < TEMPLATE_RPL_COUNT; i++) {
		const char *n = t->opts.rpl[i] != NULL ? t->opts.rpl[i] :
		    default_rpl[i];

		len = strlen(n);
		if (len == 0 || len <= best || strncmp(s, n, len) != 0)
			continue;
		best = len;
		p->kind = PART_ARG;
		p->op = OP_NONE;
		switch (i) {
		case TEMPLATE_RPL_NOEXT: p->op = OP_NOEXT; break;
		case TEMPLATE_RPL_BASE: p->op = OP_BASE; break;
		case TEMPLATE_RPL_DIR: p->op = OP_DIR; break;
		case TEMPLATE_RPL_BASENOEXT: p->op = OP_BASENOEXT; break;
		case TEMPLATE_RPL_SEQ: p->kind = PART_SEQ; break;
		case TEMPLATE_RPL_SLOT: p->kind = PART_SLOT; break;
		default: break;
		}
	}
	if (best > 0)
		return best;
	if (*s != '{' || (close = strchr(s + 1, '}')) == NULL)
		return 0;
	inner = close - s - 1;
	len = inner + 2;
	if (t->opts.plus)
		for (i = 0; i < sizeof(plus_parts) / sizeof(plus_parts[0]); i++)
			if (inner == strlen(plus_parts[i].name) &&
			    strncmp(s + 1, plus_parts[i].name, inner) == 0) {
				p->kind = plus_parts[i].kind;
				return len;
			}
		/* {+.} ... (the basic ones were matched above, maybe renamed). */
	if (lookup_op(t, s, len, true, &p->op) == 0) {
		p->kind = PART_ARG;
		return len;
	}
	q = s + 1;
	if (*q == '-')
		q++;
	if (isdigit((unsigned char)*q)) {
		p->pos = strtol(s + 1, (char **)&q, 10);
		if (p->pos == 0)
			return 0;
	} else {
		for (i = 0; i < t->opts.nheader; i++) {
			size_t nl = strlen(t->opts.header[i]);

			if (nl > 0 && nl <= inner &&
			    strncmp(s + 1, t->opts.header[i], nl) == 0 &&
			    nl > (size_t)(q - s - 1)) {
				p->pos = (long)i + 1;
				q = s + 1 + nl;
			}
		}
		if (p->pos == 0)
			goto bash_op;
	}
	/* What follows the column must name an op: {3} {3.} {3/.} ... */
	if ((size_t)(close - q) + 2 > sizeof(name))
		return 0;
	name[0] = '{';
	memcpy(name + 1, q, close - q);
	name[close - q + 1] = '}';
	if (close == q)
		p->op = OP_NONE;
	else if (lookup_op(t, name, close - q + 2, false, &p->op) == -1)
		return 0;
	p->kind = PART_POS;
	return len;
bash_op:
	if (t->opts.plus && parse_bash_op(t, p, s + 1, inner) == 0) {
		p->kind = PART_ARG;
		return len;
	}
	re_free(p->re);
	free(p->text);
	memset(p, 0, sizeof(*p));
	return 0;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Parses one word (no blanks unless quote_words) into w. */
static void
parse_word(struct template *t, const char *s, size_t len, struct word *w)
{
	struct part p;
	size_t i = 0, n, lit = 0;
	char *tmp = xmemdup(s, len);

	while (i < len) {
		if (!t->opts.raw && (n = parse_rpl(t, tmp + i, &p)) > 0 &&
		    i + n <= len) {
			add_literal(w, tmp + lit, i - lit);
			if (p.kind == PART_TOTAL || p.kind == PART_SEQ0)
				t->needs_total = true;
			add_part(w, &p);
			i += n;
			lit = i;
			continue;
		}
		i++;
	}
	add_literal(w, tmp + lit, len - lit);
	free(tmp);
}

static struct word *
new_word(struct template *t)
{
	struct word *w;

	/* Doubling: a 1 MiB command line may hold 100,000 words. */
	if (t->nwords == t->words_cap) {
		t->words_cap = t->words_cap == 0 ? 8 : t->words_cap * 2;
		t->words = xreallocarray(t->words, t->words_cap,
		    sizeof(*t->words));
	}
	w = &t->words[t->nwords++];
	memset(w, 0, sizeof(*w));
	return w;
}

/* Any replacement string at all: then nothing is appended. */
static bool
has_any_rpl(const struct template *t)
{
	size_t i, j;

	for (i = 0; i < t->nwords; i++)
		for (j = 0; j < t->words[i].nparts; j++)
			if (t->words[i].parts[j].kind != PART_LITERAL)
				return true;
	return false;
}

/* Shell syntax that makes a template need a shell. */
static bool
literal_is_plain(const char *s, bool first_word)
{
	for (; *s != '\0'; s++) {
		if (strchr("|&;<>()$`\\\"'*?[]#~{}!\n", *s) != NULL)
			return false;
		if (first_word && *s == '=')
			return false;
	}
	return true;
}

static bool
is_shell_word(const char *w)
{
	static const char *const words[] = {
		"!", "[[", "]]", "{", "}", "case", "coproc", "do", "done",
		"elif", "else", "esac", "fi", "for", "function", "if", "in",
		"select", "then", "time", "until", "while", "exec", "eval",
		".", "source", "cd", "export", "set", "unset", "alias",
		"builtin", "command", "exit", "return", "shift", "trap",
		"ulimit", "umask", "local", "declare", "typeset", "readonly",
		"wait", "read", "type", "hash", "let",
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(w, words[i]) == 0)
			return true;
	return false;
}

static void
decide_direct(struct template *t)
{
	size_t i, j;
	struct word *w;

	t->direct = false;
	if (t->opts.raw || t->nwords == 0)
		return;
	w = &t->words[0];
	if (w->nparts == 1 && w->parts[0].kind == PART_LITERAL)
		t->program = xstrdup(w->parts[0].text);
	if (t->program != NULL && is_shell_word(t->program))
		return;
	/* uq() puts shell syntax in: only a shell can read it. */
	if (t->maybe_unquoted)
		return;
	if (t->opts.quote_words) {
		t->direct = true;
		return;
	}
	for (i = 0; i < t->nwords; i++)
		for (j = 0; j < t->words[i].nparts; j++)
			if (t->words[i].parts[j].kind == PART_LITERAL &&
			    !literal_is_plain(t->words[i].parts[j].text, i == 0))
				return;
	t->direct = true;
}

/*
 * When every value goes in as a plain quoted {} (the usual -m case), the
 * cost of one more value is simple to compute; see template_field_cost().
 */
static void
count_plain_args(struct template *t)
{
	size_t i, k, n = 0;
	const struct part *p;

	if (t->opts.quote_words || t->opts.raw || t->opts.verbatim)
		return;
	for (i = 0; i < t->nwords; i++)
		for (k = 0; k < t->words[i].nparts; k++) {
			p = &t->words[i].parts[k];
			if (p->kind == PART_PERL)
				return;
			if (p->kind != PART_ARG)
				continue;
			if (p->op != OP_NONE)
				return;
			/* -X repeating a bare {} is the same as -m. */
			if (t->opts.context && t->words[i].nparts != 1)
				return;
			n++;
		}
	t->plain_args = n;
}

/* Splits line into blank-separated words and parses each. */
static void
parse_line(struct template *t, const char *line)
{
	const char *p = line, *start;
	struct word *w;
	size_t n;

	start = p;
	while (is_blank(*p))
		p++;
	t->lead = xmemdup(start, p - start);
	while (*p != '\0') {
		start = p;
		while (*p != '\0' && !is_blank(*p)) {
			/* A perl expression may hold blanks. */
			if (t->opts.perl != NULL && (n = perl_span(t, p)) > 0)
				p += n;
			else
				p++;
		}
		w = new_word(t);
		parse_word(t, start, p - start, w);
		start = p;
		while (is_blank(*p))
			p++;
		w->sep = xmemdup(start, p - start);
	}
}

static bool
has_perl_close(char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strstr(words[i], "=}") != NULL)
			return true;
	return false;
}

/* --parens: its first half opens a perl expression, its second closes. */
static void
set_parens(struct template *t)
{
	const char *p = t->opts.parens != NULL && strlen(t->opts.parens) >= 2 ?
	    t->opts.parens : "{==}";
	size_t half = strlen(p) / 2;

	t->left = xmemdup(p, half);
	t->right = xstrdup(p + half);
	t->perl_died = xcalloc(1, sizeof(*t->perl_died));
	t->perl_skip = xcalloc(1, sizeof(*t->perl_skip));
	t->batch = xcalloc(1, sizeof(*t->batch));
}

/* Whether s has an opening paren with no closing one after it. */
static bool
unclosed_perl(const struct template *t, const char *s)
{
	const char *open = NULL, *q = s;

	while ((q = strstr(q, t->left)) != NULL)
		open = q++;
	return open != NULL && strstr(open + strlen(t->left), t->right) == NULL;
}

/*
 * The --plus strings GNU parallel defines in Perl and parx has no C for:
 * they work as --rpl strings would, after the user's own.
 */
static const char *const plus_perl_rpl[] = {
	"{choose_k} for my $i (2 .. $#arg) { skip() if $arg[$i-1] ge $arg[$i] }",
	"{uniq} my %seen; skip() if grep { $seen{$_}++ } @arg[1 .. $#arg]",
	"{^([^}]+?)} s/^(?:$$1)/\\U$&/",
	"{^^([^}]+?)} s/(?:$$1)/\\U$&/g",
	"{,([^}]+?)} s/^(?:$$1)/\\L$&/",
	"{,,([^}]+?)} s/(?:$$1)/\\L$&/g",
	"{slot} 1 $_ = '${PARALLEL_JOBSLOT}'; uq()",
};

/* Longest TAG first; of two as long, the user's (given first). */
static int
by_taglen(const void *a, const void *b)
{
	const struct rpl *x = a, *y = b;

	if (x->taglen != y->taglen)
		return x->taglen > y->taglen ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * The --rpl strings, "TAG perl expression", longest TAG first as GNU
 * tries them.  TAG is GNU's prefix(group regexp)postfix: the regexp from
 * its first "(" to its last ")" matches what the groups $$1, $$2 ... are;
 * one starting with "{" also has a positional form, {N...}.
 */
static int
set_rpls(struct template *t, const char **errstr)
{
	static char errbuf[300];
	const char *spec, *sp, *open, *close, *err;
	struct rpl *r;
	struct buf b;
	size_t i, nplus = t->opts.plus ?
	    sizeof(plus_perl_rpl) / sizeof(plus_perl_rpl[0]) : 0;

	t->rpls = xcalloc(t->opts.nuser_rpl + nplus + 1, sizeof(*t->rpls));
	for (i = 0; i < t->opts.nuser_rpl + nplus; i++) {
		spec = i < t->opts.nuser_rpl ? t->opts.user_rpl[i] :
		    plus_perl_rpl[i - t->opts.nuser_rpl];
		sp = spec + strcspn(spec, " \t\n");
		if (sp == spec || *sp == '\0') {
			snprintf(errbuf, sizeof(errbuf), "invalid --rpl '%.200s':"
			    " not a TAG and a perl expression", spec);
			*errstr = errbuf;
			return -1;
		}
		r = &t->rpls[t->nrpls++];
		r->order = i;
		r->taglen = (size_t)(sp - spec);
		r->expr = xstrdup(sp + 1);
		open = memchr(spec, '(', r->taglen);
		close = NULL;
		if (open != NULL)
			for (sp = open; sp < spec + r->taglen; sp++)
				if (*sp == ')')
					close = sp;
		if (close == NULL) {
			r->prefix = xmemdup(spec, r->taglen);
			r->postfix = xstrdup("");
		} else {
			r->prefix = xmemdup(spec, (size_t)(open - spec));
			r->postfix = xmemdup(close + 1,
			    (size_t)(spec + r->taglen - close - 1));
		}
		buf_init(&b);
		if (close != NULL) {
			buf_addstr(&b, "\\A\\Q");
			buf_addstr(&b, r->prefix);
			buf_addstr(&b, "\\E");
			buf_add(&b, open, (size_t)(close - open + 1));
			buf_addstr(&b, "\\Q");
			buf_addstr(&b, r->postfix);
			buf_addstr(&b, "\\E");
			if ((r->re = re_new(b.data, b.len, 0, &err)) == NULL)
				goto bad;
		}
		if (spec[0] == '{') {
			buf_reset(&b);
			buf_addstr(&b, "\\A\\{(-?\\d+)\\s*\\Q");
			buf_addstr(&b, r->prefix + 1);
			buf_addstr(&b, "\\E");
			if (close != NULL)
				buf_add(&b, open, (size_t)(close - open + 1));
			buf_addstr(&b, "\\Q");
			buf_addstr(&b, r->postfix);
			buf_addstr(&b, "\\E");
			if ((r->pos_re = re_new(b.data, b.len, 0, &err)) == NULL)
				goto bad;
		}
		buf_release(&b);
		continue;
bad:
		buf_release(&b);
		snprintf(errbuf, sizeof(errbuf), "invalid --rpl '%.200s': %s",
		    spec, err);
		*errstr = errbuf;
		return -1;
	}
	qsort(t->rpls, t->nrpls, sizeof(*t->rpls), by_taglen);
	return 0;
}

struct template *
template_new(char *const *words, size_t nwords,
    const struct template_opts *opts, const char **errstr)
{
	static char errbuf[400];
	struct template *t;
	struct buf line;
	struct word *w;
	size_t i;

	t = xcalloc(1, sizeof(*t));
	t->opts = *opts;
	t->over_limit = xcalloc(1, sizeof(*t->over_limit));
	if (nwords == 0) {
		/* No command: each input is the command, run by a shell. */
		t->opts.raw = true;
		t->opts.context = false;
		t->lead = xstrdup("");
		w = new_word(t);
		w->sep = xstrdup("");
		memset(&w->parts, 0, sizeof(w->parts));
		w->parts = xcalloc(1, sizeof(*w->parts));
		w->parts[0].kind = PART_ARG;
		w->nparts = 1;
		w->has_arg = true;
		return t;
	}
	set_parens(t);
	if (opts->perl != NULL && set_rpls(t, errstr) == -1)
		goto fail;
	for (i = 0; opts->perl == NULL && i < nwords; i++) {
		const char *open = strstr(words[i], "{=");

		/* Perl expressions could span words: look at the rest too. */
		if (open != NULL && (strstr(open, "=}") != NULL ||
		    (i + 1 < nwords && has_perl_close(words + i + 1,
		    nwords - i - 1)))) {
			*errstr = "{= perl expression =} is not supported";
			goto fail;
		}
	}
	if (opts->quote_words) {
		t->lead = xstrdup("");
		for (i = 0; i < nwords; i++) {
			w = new_word(t);
			/* The shell split {= a b =} into words: rejoin them. */
			buf_init(&line);
			buf_addstr(&line, words[i]);
			while (t->opts.perl != NULL && i + 1 < nwords &&
			    unclosed_perl(t, line.data)) {
				buf_addch(&line, ' ');
				buf_addstr(&line, words[++i]);
			}
			parse_word(t, line.data, line.len, w);
			buf_release(&line);
			w->sep = xstrdup(i + 1 < nwords ? " " : "");
		}
	} else {
		buf_init(&line);
		for (i = 0; i < nwords; i++) {
			if (i > 0)
				buf_addch(&line, ' ');
			buf_addstr(&line, words[i]);
		}
		parse_line(t, line.data);
		buf_release(&line);
	}
	if (t->perl_failed) {
		snprintf(errbuf, sizeof(errbuf), "%s",
		    perlx_error(opts->perl));
		*errstr = errbuf;
		goto fail;
	}
	if (t->re_error != NULL) {
		snprintf(errbuf, sizeof(errbuf), "invalid --plus pattern "
		    "'%.100s': %s", t->bad_pattern, t->re_error);
		*errstr = errbuf;
		goto fail;
	}
	if (t->nwords == 0) {
		*errstr = "empty command";
		goto fail;
	}
	if (!has_any_rpl(t) && !t->opts.verbatim && !t->opts.no_append) {
		struct part p;

		free(t->words[t->nwords - 1].sep);
		t->words[t->nwords - 1].sep = xstrdup(" ");
		w = new_word(t);
		w->sep = xstrdup("");
		memset(&p, 0, sizeof(p));
		p.kind = PART_ARG;
		add_part(w, &p);
	}
	decide_direct(t);
	count_plain_args(t);
	return t;
fail:
	template_free(t);
	return NULL;
}

void
template_free(struct template *t)
{
	size_t i, j;

	if (t == NULL)
		return;
	for (i = 0; i < t->nwords; i++) {
		for (j = 0; j < t->words[i].nparts; j++) {
			free(t->words[i].parts[j].text);
			re_free(t->words[i].parts[j].re);
		}
		free(t->words[i].parts);
		free(t->words[i].sep);
	}
	free(t->words);
	free(t->lead);
	free(t->program);
	free(t->over_limit);
	free(t->bad_pattern);
	for (i = 0; i < t->nrpls; i++) {
		free(t->rpls[i].prefix);
		free(t->rpls[i].postfix);
		free(t->rpls[i].expr);
		re_free(t->rpls[i].re);
		re_free(t->rpls[i].pos_re);
	}
	free(t->rpls);
	free(t->left);
	free(t->right);
	free(t->perl_died);
	free(t->perl_skip);
	if (t->batch != NULL)
		perlx_replies_free(t->batch->r, t->batch->n);
	free(t->batch);
	free(t);
}

/* ---- expansion ---- */

static void
add_value(struct buf *out, const struct template *t, const struct part *p,
    const char *v, struct buf *scratch)
{
	if (p->op == OP_NONE) {
		if (t->opts.raw || t->opts.quote_words || t->opts.verbatim)
			buf_addstr(out, v);
		else
			quote_shell(out, v, strlen(v));
		return;
	}
	buf_reset(scratch);
	transform(scratch, p, v);
	if (t->opts.raw || t->opts.quote_words || t->opts.verbatim)
		buf_add(out, scratch->data, scratch->len);
	else
		quote_shell(out, scratch->data, scratch->len);
}

/*
 * Appends perl part p's value for the job's value k (1-based; 0: none,
 * $_ is empty), quoted unless the expression called uq().  A failure is
 * noted for template_expand() and leaves nothing.
 */
static void
add_perl(struct buf *out, const struct template *t, const struct part *p,
    size_t k, struct buf *scratch)
{
	struct perl_batch *b = t->batch;
	const struct perlx_reply *r;
	int flags = 0, ret;

	if (*t->perl_died)
		return;
	if (b->collecting) {
		perlx_queue(t->opts.perl, p->expr, k);
		return;
	}
	buf_reset(scratch);
	if (b->replaying) {
		r = b->next < b->n ? &b->r[b->next] : NULL;
		if (r == NULL || r->expr != p->expr || r->k != k) {
			/* Cannot happen: the same walk queued them. */
			b->replaying = false;
			*t->perl_died = true;
			return;
		}
		b->next++;
		ret = perlx_use(t->opts.perl, r, scratch, &flags);
	} else
		ret = perlx_eval(t->opts.perl, p->expr, k, scratch, &flags);
	if (ret == -1) {
		*t->perl_died = true;
		return;
	}
	if (flags & PERLX_SKIP)
		*t->perl_skip = true;
	if ((flags & PERLX_UNQUOTED) || t->opts.raw || t->opts.quote_words ||
	    t->opts.verbatim)
		buf_add(out, scratch->data, scratch->len);
	else
		quote_shell(out, scratch->data == NULL ? "" : scratch->data,
		    scratch->len);
}

static int
digits(unsigned long n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

static void
add_number(struct buf *out, unsigned long n, int width)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*lu", width, n);
	buf_addstr(out, tmp);
}

/* Expands one word with values fields[0 .. nfields). */
static void
expand_word(const struct template *t, const struct word *w,
    const struct template_job *j, char *const *fields, size_t nfields,
    struct buf *out, struct buf *scratch)
{
	const struct part *p;
	size_t i, k;
	long idx;

	for (i = 0; i < w->nparts; i++) {
		p = &w->parts[i];
		switch (p->kind) {
		case PART_LITERAL:
			buf_addstr(out, p->text);
			break;
		case PART_ARG:
			for (k = 0; k < nfields; k++) {
				if (k > 0 && !t->opts.join_tight)
					buf_addch(out, ' ');
				add_value(out, t, p, fields[k], scratch);
			}
			break;
		case PART_POS:
			/* GNU: a value past the end is nothing, not ''. */
			idx = p->pos > 0 ? p->pos - 1 : (long)j->nfields + p->pos;
			if (idx >= 0 && (size_t)idx < j->nfields)
				add_value(out, t, p, j->fields[idx], scratch);
			break;
		case PART_SEQ:
			add_number(out, j->seq, 0);
			break;
		case PART_SLOT:
			add_number(out, j->slot, 0);
			break;
		case PART_TOTAL:
			add_number(out, j->total, 0);
			break;
		case PART_SEQ0:
			add_number(out, j->seq, digits(j->total));
			break;
		case PART_SLOT0:
			add_number(out, j->slot, digits(j->maxslots));
			break;
		case PART_HOST:
		case PART_SSHLOGIN:
			add_value(out, t, p, p->kind == PART_HOST ?
			    (j->host != NULL ? j->host : ":") :
			    (j->sshlogin != NULL ? j->sshlogin : ":"), scratch);
			break;
		case PART_HGRP:
			add_value(out, t, p, j->host_groups != NULL ?
			    j->host_groups : ":", scratch);
			break;
		case PART_AGRP:
			add_value(out, t, p, j->arg_groups != NULL ?
			    j->arg_groups : "", scratch);
			break;
		case PART_PERL:
			/*
			 * Job 0 is a measure (feed's base length): perl is
			 * not asked, as an expression may count its calls.
			 */
			if (j->seq == 0)
				break;
			/* GNU: a value past the end gives nothing at all. */
			if (p->pos != 0) {
				idx = p->pos > 0 ? p->pos - 1 :
				    (long)j->nfields + p->pos;
				if (idx >= 0 && (size_t)idx < j->nfields)
					add_perl(out, t, p, (size_t)idx + 1,
					    scratch);
				break;
			}
			if (nfields == 0)
				add_perl(out, t, p, 0, scratch);
			for (k = 0; k < nfields; k++) {
				if (k > 0 && !t->opts.join_tight)
					buf_addch(out, ' ');
				add_perl(out, t, p, (size_t)(fields -
				    j->fields) + k + 1, scratch);
			}
			break;
		}
	}
}

/*
 * Whether job seq's answers were collected ahead: the batch then replays
 * them.  Answers for jobs that never came (none should) are passed over.
 */
static bool
replay_for(struct perl_batch *b, unsigned long seq)
{
	if (b->collecting)
		return false;
	while (b->next < b->n && b->r[b->next].seq < seq)
		b->next++;
	b->replaying = b->next < b->n && b->r[b->next].seq == seq;
	if (b->next == b->n && b->n > 0) {
		perlx_replies_free(b->r, b->n);
		b->r = NULL;
		b->n = b->next = 0;
	}
	return b->replaying;
}

bool
template_can_prepare(const struct template *t)
{
	return t->has_perl && !t->uses_slot;
}

bool
template_prepared(const struct template *t, unsigned long seq)
{
	const struct perl_batch *b = t->batch;

	return b->n > 0 && b->r[b->n - 1].seq >= seq;
}

int
template_prepare(const struct template *t, const struct template_job *jobs,
    size_t n)
{
	struct perl_batch *b = t->batch;
	struct perlx_reply *r;
	struct buf scratch;
	size_t i, got;

	if (!template_can_prepare(t) || n == 0)
		return 0;
	buf_init(&scratch);
	b->collecting = true;
	for (i = 0; i < n; i++) {
		buf_reset(&scratch);
		if (perlx_job(t->opts.perl, jobs[i].seq, 0, jobs[i].total,
		    jobs[i].fields, jobs[i].nfields) == -1)
			break;
		(void)template_expand(t, &jobs[i], &scratch);
	}
	b->collecting = false;
	buf_release(&scratch);
	if (perlx_collect(t->opts.perl, &r, &got) == -1)
		return -1;
	/* Whatever is left of an older batch goes first. */
	b->r = xreallocarray(b->r, b->n + got + 1, sizeof(*b->r));
	memcpy(b->r + b->n, r, got * sizeof(*r));
	b->n += got;
	free(r);
	return 0;
}

int
template_expand(const struct template *t, const struct template_job *j,
    struct buf *out)
{
	unsigned long over = *t->over_limit;
	struct buf scratch, qword;
	const struct word *w;
	size_t i, k;
	bool repeat;

	buf_init(&scratch);
	buf_init(&qword);
	if (t->has_perl && j->seq != 0) {
		*t->perl_died = *t->perl_skip = false;
		if (!t->batch->collecting && !replay_for(t->batch, j->seq) &&
		    perlx_job(t->opts.perl, j->seq, j->slot, j->total,
		    j->fields, j->nfields) == -1)
			*t->perl_died = true;
	}
	buf_addstr(out, t->lead);
	for (i = 0; i < t->nwords; i++) {
		w = &t->words[i];
		repeat = w->has_arg && j->nfields > 0 &&
		    (t->opts.context || t->opts.quote_words);
		for (k = 0; k < (repeat ? j->nfields : 1); k++) {
			if (k > 0)
				buf_addch(out, ' ');
			if (!t->opts.quote_words) {
				expand_word(t, w, j, repeat ? j->fields + k :
				    j->fields, repeat ? 1 : j->nfields, out,
				    &scratch);
				continue;
			}
			buf_reset(&qword);
			expand_word(t, w, j, repeat ? j->fields + k : j->fields,
			    repeat ? 1 : j->nfields, &qword, &scratch);
			quote_shell(out, qword.data == NULL ? "" : qword.data,
			    qword.len);
		}
		buf_addstr(out, w->sep);
	}
	buf_release(&scratch);
	buf_release(&qword);
	if (t->has_perl && j->seq != 0 && *t->perl_died) {
		errno = ENOEXEC;
		return -1;
	}
	if (*t->over_limit != over) {
		errno = EOVERFLOW;
		return -1;
	}
	return t->has_perl && j->seq != 0 && *t->perl_skip ? 1 : 0;
}

size_t
template_base_len(const struct template *t)
{
	struct template_job j;
	struct buf b, scratch;
	const struct word *w;
	size_t i, len;

	memset(&j, 0, sizeof(j));
	buf_init(&b);
	buf_init(&scratch);
	buf_addstr(&b, t->lead);
	for (i = 0; i < t->nwords; i++) {
		w = &t->words[i];
		/* A word repeated per value is all in the values' cost. */
		if (!(w->has_arg && (t->opts.context || t->opts.quote_words)))
			expand_word(t, w, &j, NULL, 0, &b, &scratch);
		buf_addstr(&b, w->sep);
	}
	len = b.len;
	buf_release(&b);
	buf_release(&scratch);
	return len;
}

size_t
template_field_cost(const struct template *t, const char *field)
{
	struct template_job j;
	struct buf b, scratch;
	size_t i, k, cost = 0;
	char *f = (char *)field;
	const struct part *p;

	if (t->plain_args > 0)
		return t->plain_args * (quote_shell_len(field, strlen(field)) +
		    1);
	memset(&j, 0, sizeof(j));
	buf_init(&b);
	buf_init(&scratch);
	/*
	 * A perl part is counted as the value itself: evaluating it here
	 * would run it twice for each job (GNU runs each once).
	 */
	for (i = 0; i < t->nwords; i++) {
		if (!t->words[i].has_arg)
			continue;
		if (t->opts.context || t->opts.quote_words) {
			buf_reset(&b);
			expand_word(t, &t->words[i], &j, &f, 1, &b, &scratch);
			cost += (t->opts.quote_words ? quote_shell_len(b.data,
			    b.len) : b.len) + 1;
			continue;
		}
		for (k = 0; k < t->words[i].nparts; k++) {
			p = &t->words[i].parts[k];
			if (p->kind == PART_PERL && p->pos == 0)
				cost += quote_shell_len(field, strlen(field)) + 1;
			if (p->kind != PART_ARG)
				continue;
			buf_reset(&b);
			add_value(&b, t, p, field, &scratch);
			cost += b.len + 1;
		}
	}
	buf_release(&b);
	buf_release(&scratch);
	return cost;
}

bool
template_is_direct(const struct template *t)
{
	return t->direct;
}

const char *
template_program(const struct template *t)
{
	return t->program;
}

bool
template_needs_total(const struct template *t)
{
	return t->needs_total;
}
