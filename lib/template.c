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
	if (p->kind == PART_ARG)
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

/*
 * Tries to read a replacement string at s; on success fills p and returns
 * its length, else 0.
 */
static size_t
parse_rpl(struct template *t, const char *s, struct part *p)
{
	const char *close, *q;
	size_t i, best = 0, len, inner;
	char name[256];

	memset(p, 0, sizeof(*p));
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
	if (t->opts.plus) {
		if (inner == 2 && strncmp(s + 1, "##", 2) == 0) {
			p->kind = PART_TOTAL;
			return len;
		}
		if (inner == 2 && strncmp(s + 1, "0#", 2) == 0) {
			p->kind = PART_SEQ0;
			return len;
		}
		if (inner == 2 && strncmp(s + 1, "0%", 2) == 0) {
			p->kind = PART_SLOT0;
			return len;
		}
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

	start = p;
	while (is_blank(*p))
		p++;
	t->lead = xmemdup(start, p - start);
	while (*p != '\0') {
		start = p;
		while (*p != '\0' && !is_blank(*p))
			p++;
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
	for (i = 0; i < nwords; i++) {
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
			parse_word(t, words[i], strlen(words[i]), w);
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
				if (k > 0)
					buf_addch(out, ' ');
				add_value(out, t, p, fields[k], scratch);
			}
			break;
		case PART_POS:
			idx = p->pos > 0 ? p->pos - 1 : (long)j->nfields + p->pos;
			add_value(out, t, p, idx >= 0 && (size_t)idx < j->nfields ?
			    j->fields[idx] : "", scratch);
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
		}
	}
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
	if (*t->over_limit != over) {
		errno = EOVERFLOW;
		return -1;
	}
	return 0;
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
		    1) + sizeof(char *);
	memset(&j, 0, sizeof(j));
	buf_init(&b);
	buf_init(&scratch);
	for (i = 0; i < t->nwords; i++) {
		if (!t->words[i].has_arg)
			continue;
		if (t->opts.context || t->opts.quote_words) {
			buf_reset(&b);
			expand_word(t, &t->words[i], &j, &f, 1, &b, &scratch);
			cost += quote_shell_len(b.data, b.len) + 1;
			continue;
		}
		for (k = 0; k < t->words[i].nparts; k++) {
			p = &t->words[i].parts[k];
			if (p->kind != PART_ARG)
				continue;
			buf_reset(&b);
			add_value(&b, t, p, field, &scratch);
			cost += b.len + 1;
		}
	}
	buf_release(&b);
	buf_release(&scratch);
	/* Each value may become an argv entry: count its pointer too. */
	return cost + sizeof(char *);
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
