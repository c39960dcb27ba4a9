/*
 * key: the value of a line for --shard, --bin and --group-by; see key.h.
 */
#include "key.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "perlx.h"
#include "re.h"
#include "xmalloc.h"

struct keyer {
	struct key_opts	 o;
	size_t		 col;		/* from 1; 0: the whole line */
	int		 sep_byte;	/* --colsep as one byte, or -1 */
	struct re	*sep_re;	/* else the regex */
	int		 expr;		/* perlx's number, or -1 */
};

/* The length of expr's first word, the column if it names one. */
static size_t
first_word(const char *expr)
{
	size_t n = 0;

	while (expr[n] != '\0' && !isspace((unsigned char)expr[n]))
		n++;
	return n;
}

static bool
is_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static bool
is_number(const char *s, size_t n)
{
	return n > 0 && strspn(s, "0123456789") >= n;
}

bool
key_needs_header(const char *expr)
{
	return is_name(expr, first_word(expr));
}

/*
 * Column col (from 1) of line [s, s + len) in *key, *klen; a line with
 * fewer columns has an empty key.  -1 (EOVERFLOW) at the regex's limit.
 */
static int
column(const struct keyer *k, size_t col, const char *s, size_t len,
    const char **key, size_t *klen)
{
	size_t start = 0, n = 1;
	const char *p;
	long ov[2];
	int r;

	for (;; n++) {
		if (k->sep_byte != -1) {
			p = memchr(s + start, k->sep_byte, len - start);
			ov[0] = p != NULL ? p - s : (long)len;
			ov[1] = p != NULL ? ov[0] + 1 : (long)len;
		} else {
			r = re_match(k->sep_re, s, len, start, 0, ov, 1);
			if (r == -1) {
				errno = EOVERFLOW;
				return -1;
			}
			if (r == 0 || ov[1] == ov[0])
				ov[0] = ov[1] = (long)len;
		}
		if (n == col) {
			*key = s + start;
			*klen = (size_t)ov[0] - start;
			return 0;
		}
		if ((size_t)ov[1] >= len && (size_t)ov[0] >= len)
			break;		/* no more separators */
		start = (size_t)ov[1];
	}
	*key = s + len;
	*klen = 0;
	return 0;
}

/* The column called name in the header line, or 0. */
static size_t
column_named(const struct keyer *k, const char *name, size_t nlen,
    const char *header, size_t hlen)
{
	const char *key;
	size_t klen, col, start;

	for (col = 1;; col++) {
		if (column(k, col, header, hlen, &key, &klen) == -1)
			return 0;
		start = (size_t)(key - header);
		if (klen == nlen && memcmp(key, name, nlen) == 0)
			return col;
		if (start + klen >= hlen)
			return 0;
	}
}

struct keyer *
keyer_new(const struct key_opts *o, const char *header, size_t hlen,
    const char **errstr)
{
	struct keyer *k = xcalloc(1, sizeof(*k));
	const char *e = o->expr, *rest;
	size_t n = first_word(e);

	k->o = *o;
	k->expr = -1;
	if ((k->sep_byte = re_literal_byte(o->colsep)) == -1 &&
	    (k->sep_re = re_new(o->colsep, strlen(o->colsep), 0,
	    errstr)) == NULL)
		goto fail;
	rest = e + n;
	if (is_number(e, n)) {
		if ((k->col = strtoul(e, NULL, 10)) == 0) {
			*errstr = "columns count from 1";
			goto fail;
		}
	} else if (is_name(e, n)) {
		if (header == NULL ||
		    (k->col = column_named(k, e, n, header, hlen)) == 0) {
			*errstr = "no column of the header line has that name";
			goto fail;
		}
	} else if (o->line_ok)
		rest = e;	/* perl on the whole line */
	else {
		*errstr = "the expression names no column";
		goto fail;
	}
	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest != '\0' && (k->expr = perlx_compile(o->perl, rest)) == -1) {
		*errstr = perlx_error(o->perl);
		goto fail;
	}
	return k;
fail:
	keyer_free(k);
	return NULL;
}

void
keyer_free(struct keyer *k)
{
	if (k == NULL)
		return;
	re_free(k->sep_re);
	free(k);
}

/*
 * Lines whose perl keys are asked for in one round trip.  perl answers
 * only once it has read a whole request, and parx reads the answers only
 * once it has sent it: a request must fit in the socket's buffers.
 */
#define KEY_BATCH	256

static int	keys_batch(struct keyer *, const char *base,
		    struct keyed_line *lines, size_t n, struct buf *keys);

void
keyed_lines_add(struct keyed_lines *l, size_t off, size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n].off = off;
	l->v[l->n++].len = len;
}

void
keyed_lines_free(struct keyed_lines *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
keyer_keys(struct keyer *k, const char *base, struct keyed_line *lines,
    size_t n, struct buf *keys)
{
	size_t i, take;

	for (i = 0; i < n; i += take) {
		take = k->expr == -1 || n - i < KEY_BATCH ? n - i : KEY_BATCH;
		if (keys_batch(k, base, lines + i, take, keys) == -1)
			return -1;
	}
	return 0;
}

static int
keys_batch(struct keyer *k, const char *base, struct keyed_line *lines,
    size_t n, struct buf *keys)
{
	struct perlx_reply *replies = NULL;
	size_t i, nreplies = 0, vlen;
	const char *v;
	char *value;
	struct buf scratch;
	int flags;

	for (i = 0; i < n; i++) {
		v = base + lines[i].off;
		vlen = lines[i].len;
		if (k->col > 0 && column(k, k->col, base + lines[i].off,
		    lines[i].len, &v, &vlen) == -1)
			return -1;
		if (k->expr == -1) {
			lines[i].key_off = keys->len;
			lines[i].key_len = vlen;
			buf_add(keys, v, vlen);
			continue;
		}
		value = xmemdup(v, vlen);
		perlx_job(k->o.perl, 0, 0, 0, &value, 1);
		perlx_queue(k->o.perl, k->expr, 1);
		free(value);
	}
	if (k->expr == -1)
		return 0;
	if (perlx_collect(k->o.perl, &replies, &nreplies) == -1)
		goto died;
	for (i = 0; i < n; i++) {
		if (i >= nreplies || (replies[i].flags & PERLX_DIED)) {
			/* perlx_use() says what died. */
			buf_init(&scratch);
			if (i < nreplies)
				(void)perlx_use(k->o.perl, &replies[i],
				    &scratch, &flags);
			buf_release(&scratch);
			goto died;
		}
		lines[i].key_off = keys->len;
		lines[i].key_len = replies[i].len;
		buf_add(keys, replies[i].value, replies[i].len);
	}
	perlx_replies_free(replies, nreplies);
	return 0;
died:
	perlx_replies_free(replies, nreplies);
	errno = ENOEXEC;
	return -1;
}
