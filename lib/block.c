/*
 * block: record-aligned blocks.
 *
 * A record boundary is a place where recend has just ended and recstart
 * begins (GNU parallel's --recend and --recstart); with the default
 * newline and empty start, it is just after each newline, found with
 * memchr/memrchr so that a block costs little more than its read(2).
 * With -L, only every Nth line end counts; with -N, a block is a number of
 * records instead of a number of bytes.
 */
#include "block.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fdio.h"
#include "re.h"
#include "key.h"
#include "monotime.h"
#include "xmalloc.h"

#define READ_MIN	(256 * 1024)

struct blocker {
	struct block_opts	 o;
	struct re		*re;		/* --regexp: recend(?=recstart) */
	struct re		*rrs_re[3];	/* --rrs --regexp, see below */
	bool			 re_failed;	/* it went over its limit */
	char			*recend;	/* unescaped copies, for the */
	char			*recstart;	/* literal search */
	int			 fd;
	int			 relay[2];	/* fd is a pipe: see fill() */
	size_t			 endlen, startlen;
	char			*buf;		/* the block being gathered */
	size_t			 len, cap;
	size_t			 hlen;		/* header at the front of buf */
	char			*header;
	bool			 header_read;
	bool			 eof;
	bool			 timed_out;	/* --block-timeout: cut what is
						   in, whole records only */
	double			 deadline;	/* when the block is cut so */
	size_t			 grown_from;	/* the size before blocks grew,
						   not yet told; 0: none */
	/* --group-by: where the key changes in the block being gathered. */
	struct keyer		*keyer;
	const char		*key_error;
	int			 key_errno;	/* keyer_keys() failed so */
	size_t			*cut;		/* group starts, ascending */
	size_t			 ncut, cut_cap;
	size_t			 scanned;	/* lines before it have keys */
	struct buf		 last_key;	/* of the line before scanned */
	bool			 have_last;
	struct buf		 keys;		/* scratch for keyer_keys() */
	struct keyed_lines	 lines;		/* group_scan()'s, with keys */
};

/* Boundary test at position p of [base, base + n): recend then recstart. */
static bool
boundary_at(const struct block_opts *o, size_t endlen, size_t startlen,
    const char *base, size_t n, size_t p)
{
	if (p < endlen || p > n)
		return false;
	if (memcmp(base + p - endlen, o->recend, endlen) != 0)
		return false;
	if (startlen == 0)
		return true;
	return p + startlen <= n &&
	    memcmp(base + p, o->recstart, startlen) == 0;
}

/*
 * The first boundary after from (never from itself, or a caller counting
 * boundaries would count one forever) in [base, base + n), or 0.
 * Boundaries that need more bytes than there are (a recstart cut off at
 * the end) do not count yet.
 */
static size_t
next_boundary_lit(const struct block_opts *o, size_t endlen, size_t startlen,
    const char *base, size_t n, size_t from)
{
	const char *hit;
	size_t p = from;

	if (endlen == 0) {
		/* Only a record start: the boundary is just before it. */
		for (p = from + 1; p < n; p++) {
			hit = memchr(base + p, o->recstart[0], n - p);
			if (hit == NULL)
				return 0;
			p = hit - base;
			if (p > 0 && boundary_at(o, 0, startlen, base, n, p))
				return p;
		}
		return 0;
	}
	while (p < n) {
		hit = memchr(base + p, o->recend[endlen - 1], n - p);
		if (hit == NULL)
			return 0;
		p = hit - base + 1;
		if (boundary_at(o, endlen, startlen, base, n, p))
			return p;
	}
	return 0;
}

/* The last boundary in (0, limit] of [base, base + n), or 0. */
static size_t
last_boundary_lit(const struct block_opts *o, size_t endlen, size_t startlen,
    const char *base, size_t n, size_t limit)
{
	const char *hit;
	size_t p = limit;

	if (endlen == 0) {
		/* A boundary at limit itself counts: the block is then full. */
		p = limit < n ? limit + 1 : n;
		while (p > 1) {
			hit = memrchr(base + 1, o->recstart[0], p - 1);
			if (hit == NULL)
				return 0;
			p = hit - base;
			if (boundary_at(o, 0, startlen, base, n, p))
				return p;
		}
		return 0;
	}
	while (p > 0) {
		hit = memrchr(base, o->recend[endlen - 1], p);
		if (hit == NULL)
			return 0;
		p = hit - base;
		if (boundary_at(o, endlen, startlen, base, n, p + 1))
			return p + 1;
	}
	return 0;
}

/*
 * --regexp: boundaries are where a match of recend(?=recstart) ends, as
 * GNU's $recend$recstart matches do, never overlapping.  A match that
 * goes over its limit ends the search (re_failed; blocker_next fails).
 */
static size_t
boundary_re(const struct blocker *b, const char *base, size_t n, size_t from,
    size_t limit, bool last)
{
	size_t start = 0, p, found = 0;
	long ov[2];
	int r;

	while (start <= n) {
		if ((r = re_match(b->re, base, n, start, 0, ov, 1)) == -1)
			((struct blocker *)b)->re_failed = true;
		if (r != 1)
			break;
		p = (size_t)ov[1];
		if (p > 0 && p < n && !last && p > from)
			return p;
		if (p > 0 && last) {
			if (p > limit)
				break;
			found = p;
		}
		start = ov[1] > ov[0] ? (size_t)ov[1] : (size_t)ov[0] + 1;
	}
	return last ? found : 0;
}

static size_t
next_boundary(const struct blocker *b, const char *base, size_t n,
    size_t from)
{
	/* Fixed-length records (no recend, no recstart): any byte. */
	if (b->re == NULL && b->endlen == 0 && b->startlen == 0)
		return from + 1 <= n ? from + 1 : 0;
	if (b->re != NULL)
		return boundary_re(b, base, n, from, 0, false);
	return next_boundary_lit(&b->o, b->endlen, b->startlen, base, n, from);
}

static size_t
last_boundary(const struct blocker *b, const char *base, size_t n,
    size_t limit)
{
	if (b->re == NULL && b->endlen == 0 && b->startlen == 0)
		return limit < n ? limit : n;
	if (b->re != NULL)
		return boundary_re(b, base, n, 0, limit, true);
	return last_boundary_lit(&b->o, b->endlen, b->startlen, base, n,
	    limit);
}

/*
 * --group-by: finds the keys of the whole lines of [base, base + n) not
 * yet looked at (all of it at_eof), and a cut wherever a line's key
 * differs from the line's before it.  -1 when a key could not be had
 * (key_errno).
 */
static int
group_scan(struct blocker *b, const char *base, size_t n, bool at_eof)
{
	size_t off = b->scanned, len, i, k;
	const char *nl, *key;

	b->lines.n = 0;
	while (off < n) {
		nl = memchr(base + off, '\n', n - off);
		if (nl == NULL && !at_eof)
			break;
		len = nl != NULL ? (size_t)(nl - base) - off : n - off;
		keyed_lines_add(&b->lines, off, len);
		off += len + (nl != NULL);
	}
	if (b->lines.n == 0)
		return 0;
	buf_reset(&b->keys);
	if (keyer_keys(b->keyer, base, b->lines.v, b->lines.n,
	    &b->keys) == -1) {
		b->key_errno = errno;
		return -1;
	}
	for (i = 0; i < b->lines.n; i++) {
		key = b->keys.len > 0 ? b->keys.data + b->lines.v[i].key_off :
		    "";
		k = b->lines.v[i].key_len;
		if (b->have_last && b->lines.v[i].off > 0 &&
		    (k != b->last_key.len || memcmp(key, b->last_key.data, k))) {
			if (b->ncut == b->cut_cap) {
				b->cut_cap = b->cut_cap ? 2 * b->cut_cap : 64;
				b->cut = xreallocarray(b->cut, b->cut_cap,
				    sizeof(*b->cut));
			}
			b->cut[b->ncut++] = b->lines.v[i].off;
		}
		buf_reset(&b->last_key);
		buf_add(&b->last_key, key, k);
		b->have_last = true;
	}
	b->scanned = off;
	return 0;
}

/* --group-by: the first group start after from, or 0. */
static size_t
next_cut(const struct blocker *b, size_t from)
{
	size_t i;

	for (i = 0; i < b->ncut; i++)
		if (b->cut[i] > from)
			return b->cut[i];
	return 0;
}

/* --group-by: the block now starts at end: cuts and scan move with it. */
static void
group_shift(struct blocker *b, size_t end)
{
	size_t i, k = 0;

	for (i = 0; i < b->ncut; i++)
		if (b->cut[i] > end)
			b->cut[k++] = b->cut[i] - end;
	b->ncut = k;
	b->scanned = b->scanned > end ? b->scanned - end : 0;
}

size_t
block_grow(size_t size)
{
	double next = ceil((double)size * 1.3 + 1);

	return next > BLOCK_MOST ? BLOCK_MOST : (size_t)next;
}

size_t
blocker_grown(struct blocker *b, size_t *from)
{
	*from = b->grown_from;
	b->grown_from = 0;
	return *from != 0 ? b->o.size : 0;
}

/*
 * Where the block in [base, base + n) ends, given that more input may
 * follow unless at_eof: 0 means "read more first".
 */
static size_t
block_end(struct blocker *b, const char *base, size_t n, bool at_eof)
{
	const struct block_opts *o = &b->o;
	size_t want, p = 0, count = 0, every, last_ok = 0;
	size_t scanned = 0, quotes = 0;

	every = o->lines > 0 ? o->lines : 1;
	want = o->records > 0 ? o->records * every : 0;
	if (b->keyer != NULL) {
		/* Records are groups: -N counts them, --block holds them. */
		every = 1;
		want = o->records;
		if (group_scan(b, base, n, at_eof) == -1)
			return 0;
	}
	if (want == 0 && every == 1 && !o->csv && b->keyer == NULL) {
		/* By size: the last boundary within it, else the next one. */
		if (n >= o->size) {
			if ((p = last_boundary(b, base,
			    n, o->size)) > 0)
				return p;
			if (o->timeout > 0)
				return next_boundary(b, base, n, o->size);
			/*
			 * As GNU: a record longer than the block makes
			 * blocks bigger for good, 30% at a time, until one
			 * ends within it.
			 */
			do {
				if (b->grown_from == 0)
					b->grown_from = b->o.size;
				b->o.size = block_grow(b->o.size);
				if (n < b->o.size)
					return at_eof ? n : 0;
			} while ((p = last_boundary(b, base, n,
			    b->o.size)) == 0);
			return p;
		} else if (b->timed_out)
			return last_boundary(b, base, n, n);
		return at_eof ? n : 0;
	}
	/*
	 * Counting: -N records, or blocks by size of whole -L records (or
	 * of --csv records, which this walk finds one after the other).
	 */
	while ((p = b->keyer != NULL ? next_cut(b, p) :
	    next_boundary(b, base, n, p)) > 0) {
		if (o->csv) {
			/* A record end inside quotes is none (GNU). */
			for (; scanned < p; scanned++)
				quotes += base[scanned] == '"';
			if (quotes % 2 == 1)
				continue;
		}
		if (++count % every != 0)
			continue;
		if (want > 0 && count == want)
			return p;
		if (want == 0) {
			if (p > o->size && last_ok > 0)
				return last_ok;
			if (p >= o->size)
				return p;
			last_ok = p;
		}
	}
	/* As GNU: -N waits for its records however long they take. */
	if (!at_eof)
		return b->timed_out && want == 0 ? last_ok : 0;
	/*
	 * As GNU: -L's last, short record is a block of its own; and a
	 * --csv or --group-by rest larger than a block is cut as before.
	 */
	if (want == 0 && last_ok > 0 && (every > 1 || n > o->size))
		return last_ok;
	return n;
}

/*
 * The --regexp pattern, as GNU builds it: each part in a group of its own
 * (so that a | stays inside it), recend alone "(?s:.)" when empty.
 */
static void
block_regexp(const struct block_opts *o, struct buf *re)
{
	const char *end = o->recend != NULL ? o->recend : "\\n";
	const char *start = o->recstart != NULL ? o->recstart : "";

	if (*end == '\0' && o->recstart == NULL)
		end = "(?s:.)";
	buf_init(re);
	buf_addstr(re, "(?:");
	buf_addstr(re, end);
	buf_addstr(re, ")(?=(?:");
	buf_addstr(re, start);
	buf_addstr(re, "))");
}

/*
 * Turns GNU's printf escapes (\0 \r \n \t \' \" \\) in a literal
 * --recend or --recstart into bytes; *len is the result's length (it may
 * hold NUL).
 */
static char *
unescape(const char *s, size_t *len)
{
	static const char from[] = "0rnt'\"\\", to[] = "\0\r\n\t'\"\\";
	const char *k;
	struct buf b;

	buf_init(&b);
	buf_grow(&b, 1);
	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] != '\0' &&
		    (k = memchr(from, s[1], sizeof(from) - 1)) != NULL) {
			buf_addch(&b, to[k - from]);
			s++;
		} else
			buf_addch(&b, *s);
	}
	*len = b.len;
	return buf_detach(&b);
}

int
block_check_regexp(const struct block_opts *o, const char **errstr)
{
	struct buf re;
	struct re *r;

	block_regexp(o, &re);
	r = re_new(re.data, re.len, 0, errstr);
	buf_release(&re);
	re_free(r);
	return r != NULL ? 0 : -1;
}

int
block_check_header(const char *header_re, const char **errstr)
{
	struct re *r = re_new(header_re, strlen(header_re), 0, errstr);

	re_free(r);
	return r != NULL ? 0 : -1;
}

/* A regex for --rrs with --regexp: prefix (?:recend)(?:recstart) suffix. */
static struct re *
rrs_regex(const struct block_opts *o, const char *prefix, const char *end,
    const char *start, const char *suffix)
{
	const char *errstr;
	struct buf b;
	struct re *re;

	buf_init(&b);
	buf_addstr(&b, prefix);
	buf_addstr(&b, "(?:");
	buf_addstr(&b, end);
	buf_addstr(&b, ")(?:");
	buf_addstr(&b, start);
	buf_addstr(&b, ")");
	buf_addstr(&b, suffix);
	(void)o;
	/* block_check_regexp() has said the parts compile. */
	re = re_new(b.data, b.len, 0, &errstr);
	buf_release(&b);
	return re;
}

struct blocker *
blocker_new(int fd, const struct block_opts *o)
{
	struct blocker *b = xcalloc(1, sizeof(*b));
	struct stat st;

	b->o = *o;
	/* GNU: a column named in the first line, which every block gets. */
	if (o->group_by != NULL && key_needs_header(o->group_by) &&
	    b->o.header_lines == 0)
		b->o.header_lines = 1;
	buf_init(&b->last_key);
	buf_init(&b->keys);
	if (b->o.recend == NULL)
		b->o.recend = "\n";
	if (b->o.recstart == NULL)
		b->o.recstart = "";
	if (b->o.size == 0)
		b->o.size = 1024 * 1024;
	b->recend = unescape(b->o.recend, &b->endlen);
	b->recstart = unescape(b->o.recstart, &b->startlen);
	b->o.recend = b->recend;
	b->o.recstart = b->recstart;
	b->fd = fd;
	b->relay[0] = b->relay[1] = -1;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    pipe2(b->relay, O_CLOEXEC) == 0)
		fcntl(b->relay[1], F_SETPIPE_SZ, 1024 * 1024);
	if (o->regexp && o->remove_sep) {
		const char *end = o->recend != NULL ? o->recend : "\\n";
		const char *start = o->recstart != NULL ? o->recstart : "";

		/* GNU's three s///: between records, at the start, at the end. */
		b->rrs_re[0] = rrs_regex(o, "", end, start, "");
		b->rrs_re[1] = rrs_regex(o, "^", "", start, "");
		b->rrs_re[2] = rrs_regex(o, "", end, "", "$");
	}
	if (o->regexp) {
		const char *errstr;
		struct buf re;

		/* block_check_regexp() has said it compiles. */
		block_regexp(o, &re);
		b->re = re_new(re.data, re.len, 0, &errstr);
		buf_release(&re);
	}
	return b;
}

void
blocker_free(struct blocker *b)
{
	if (b == NULL)
		return;
	re_free(b->re);
	for (int i = 0; i < 3; i++)
		re_free(b->rrs_re[i]);
	free(b->recend);
	free(b->recstart);
	if (b->relay[0] != -1) {
		close(b->relay[0]);
		close(b->relay[1]);
	}
	free(b->buf);
	free(b->header);
	keyer_free(b->keyer);
	free(b->cut);
	buf_release(&b->last_key);
	buf_release(&b->keys);
	keyed_lines_free(&b->lines);
	free(b);
}

const char *
blocker_key_error(const struct blocker *b)
{
	return b->key_error;
}

/*
 * --group-by: the keyer, once the header (the first line, when a column
 * is named) is in.  -1 with errno EINVAL and key_error set if the
 * expression does not work.
 */
static int
start_groups(struct blocker *b)
{
	struct key_opts ko;
	const char *h = b->header;
	size_t hlen = b->hlen;

	memset(&ko, 0, sizeof(ko));
	ko.expr = b->o.group_by;
	ko.colsep = b->o.group_colsep != NULL ? b->o.group_colsep : "\t";
	ko.line_ok = true;
	ko.perl = b->o.perl;
	if (hlen > 0 && h[hlen - 1] == '\n')
		hlen--;
	if ((b->keyer = keyer_new(&ko, h, hlen, &b->key_error)) == NULL) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/*
 * Reads what a pipe has through our own relay pipe: the splice holds the
 * input pipe's lock only while it moves page references, so the writer
 * (cat, zcat) is not kept waiting while we copy, as it is by read(2),
 * which copies under that lock.
 */
static ssize_t
relay_read(struct blocker *b, char *p, size_t room)
{
	ssize_t n, got;
	size_t done = 0;

	do
		n = splice(b->fd, NULL, b->relay[1], NULL, room, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EINVAL) {
		/* Not spliceable after all: read, as anything else. */
		close(b->relay[0]);
		close(b->relay[1]);
		b->relay[0] = b->relay[1] = -1;
		return read(b->fd, p, room);
	}
	while (n > 0 && done < (size_t)n) {
		got = read(b->relay[0], p + done, (size_t)n - done);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		done += (size_t)got;
	}
	return n;
}

/* Reads once into buf; 0 at end of input, -1 on error. */
static ssize_t
fill(struct blocker *b)
{
	size_t want = b->o.size + READ_MIN;
	ssize_t n;

	if (b->cap - b->len < READ_MIN) {
		b->cap = b->len + (want > READ_MIN ? want : READ_MIN);
		b->buf = xreallocarray(b->buf, b->cap, 1);
	}
	do
		n = b->relay[0] != -1 ?
		    relay_read(b, b->buf + b->len, b->cap - b->len) :
		    read(b->fd, b->buf + b->len, b->cap - b->len);
	while (n == -1 && errno == EINTR);
	if (n == 0)
		b->eof = true;
	if (n > 0)
		b->len += n;
	return n;
}

/*
 * --header REGEX: what it matches at the start of the input, looked for
 * once a block's worth is in (or all of it), as GNU does; none if it
 * does not match there.
 */
static int
read_header_re(struct blocker *b)
{
	const char *errstr;
	struct buf pat;
	struct re *re;
	long ov[2];
	size_t p = 0;
	int r;

	b->header_read = true;
	while (b->len < b->o.size && !b->eof)
		if (fill(b) == -1)
			return -1;
	buf_init(&pat);
	buf_addstr(&pat, "\\A(?:");
	buf_addstr(&pat, b->o.header_re);
	buf_addstr(&pat, ")");
	/* cmd checked that it compiles (block_check_header()). */
	re = re_new(pat.data, pat.len, 0, &errstr);
	buf_release(&pat);
	if (re == NULL)
		return 0;
	r = re_match(re, b->buf, b->len, 0, 0, ov, 1);
	re_free(re);
	if (r == -1) {
		errno = EOVERFLOW;
		return -1;
	}
	if (r == 1)
		p = (size_t)ov[1];
	b->header = xmemdup(b->buf, p);
	b->hlen = p;
	return 0;
}

/* The first header_lines lines, kept to go in front of every block. */
static int
read_header(struct blocker *b)
{
	size_t p = 0, i;
	const char *nl;

	if (b->o.header_re != NULL)
		return read_header_re(b);
	b->header_read = true;
	for (i = 0; i < b->o.header_lines; i++) {
		for (;;) {
			nl = b->len > p ? memchr(b->buf + p, '\n', b->len - p) :
			    NULL;
			if (nl != NULL || b->eof)
				break;
			if (fill(b) == -1)
				return -1;
		}
		if (nl == NULL) {
			p = b->len;
			break;
		}
		p = nl - b->buf + 1;
	}
	b->header = xmemdup(b->buf, p);
	b->hlen = p;
	return 0;
}

/*
 * --rrs, as GNU: every recend followed by recstart goes, then a recstart
 * at the very start and a recend at the very end.
 */
/*
 * Removes the matches of re from [p, p + len) in place (only the first
 * unless all): the new length.  A match over its limit ends the search.
 */
static size_t
remove_matches(const struct re *re, char *p, size_t len, bool all)
{
	size_t in = 0, out = 0, at = 0;
	long ov[2];

	while (at <= len && re_match(re, p, len, at, 0, ov, 1) == 1) {
		memmove(p + out, p + in, (size_t)ov[0] - in);
		out += (size_t)ov[0] - in;
		in = (size_t)ov[1];
		at = ov[1] > ov[0] ? (size_t)ov[1] : (size_t)ov[1] + 1;
		if (!all)
			break;
	}
	memmove(p + out, p + in, len - in);
	return out + len - in;
}

size_t
blocker_remove_sep(const struct blocker *b, char *p, size_t len)
{
	size_t seplen = b->endlen + b->startlen, in, out;

	if (b->rrs_re[0] != NULL) {
		len = remove_matches(b->rrs_re[0], p, len, true);
		len = remove_matches(b->rrs_re[1], p, len, false);
		return remove_matches(b->rrs_re[2], p, len, false);
	}

	if (seplen > 0) {
		for (in = out = 0; in < len;) {
			if (len - in >= seplen &&
			    memcmp(p + in, b->recend, b->endlen) == 0 &&
			    memcmp(p + in + b->endlen, b->recstart,
			    b->startlen) == 0) {
				in += seplen;
				continue;
			}
			p[out++] = p[in++];
		}
		len = out;
	}
	if (b->startlen > 0 && len >= b->startlen &&
	    memcmp(p, b->recstart, b->startlen) == 0) {
		memmove(p, p + b->startlen, len - b->startlen);
		len -= b->startlen;
	}
	if (b->endlen > 0 && len >= b->endlen &&
	    memcmp(p + len - b->endlen, b->recend, b->endlen) == 0)
		len -= b->endlen;
	return len;
}

static int	next_block(struct blocker *, char **, size_t *);

/* Perl's \s: blanks, newlines, CR, FF, VT. */
static bool
only_space(const char *p, size_t len)
{
	while (len-- > 0)
		if (strchr(" \t\n\r\f\v", *p++) == NULL || p[-1] == '\0')
			return false;
	return true;
}

int
blocker_next(struct blocker *b, char **data, size_t *len)
{
	int r;

	/*
	 * As GNU: a block --rrs left empty makes no job, nor one of only
	 * white space with -r.
	 */
	while ((r = next_block(b, data, len)) == 1 &&
	    ((b->o.remove_sep && *len == b->hlen) ||
	    (b->o.skip_blank && only_space(*data + b->hlen, *len - b->hlen))))
		free(*data);
	return r;
}

/*
 * --block-timeout: whether fd has input (or its end) now, or, waiting,
 * by deadline.
 */
static bool
has_input(int fd, bool wait, double deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	double left;
	int n;

	do {
		left = wait ? deadline - monotime_now() : 0;
		n = poll(&pfd, 1, left > 0 ? (int)(left * 1000) + 1 : 0);
	} while (n == -1 && errno == EINTR);
	return n != 0;
}

/*
 * --block-timeout, with nothing to read now: the block cut at its time,
 * or 0, its time not come (or nothing whole in it yet: it gets another).
 */
static size_t
timed_out_end(struct blocker *b)
{
	double now = monotime_now();
	size_t end;

	if (now < b->deadline)
		return 0;
	b->timed_out = true;
	end = block_end(b, b->buf + b->hlen, b->len - b->hlen, false);
	b->timed_out = false;
	if (end == 0)
		b->deadline = now + b->o.timeout;
	return end;
}

static bool
run_polls(const struct blocker *b)
{
	return b->o.timeout > 0 && !b->o.timeout_waits && !b->eof;
}

int
blocker_wait_fd(const struct blocker *b)
{
	return run_polls(b) ? b->fd : -1;
}

double
blocker_wake_at(const struct blocker *b)
{
	return run_polls(b) ? b->deadline : 0;
}

static int
next_block(struct blocker *b, char **data, size_t *len)
{
	size_t end, rest;
	char *next;

	if (!b->header_read && (b->o.header_lines > 0 ||
	    b->o.header_re != NULL) && read_header(b) == -1)
		return -1;
	if (b->o.group_by != NULL && b->keyer == NULL && start_groups(b) == -1)
		return -1;
	/* A buffer before the first read: the searches take a pointer. */
	if (b->buf == NULL) {
		b->cap = READ_MIN;
		b->buf = xmalloc(b->cap);
	}
	if (b->o.timeout > 0 && b->deadline == 0)
		b->deadline = monotime_now() + b->o.timeout;
	for (;;) {
		end = block_end(b, b->buf + b->hlen, b->len - b->hlen, b->eof);
		if (b->re_failed) {
			errno = EOVERFLOW;
			return -1;
		}
		if (b->key_errno != 0) {
			errno = b->key_errno;
			return -1;
		}
		if (end > 0 || (b->eof && b->len == b->hlen))
			break;
		/* --block-timeout: run polls for the input, unless told. */
		if (b->o.timeout > 0 && !b->eof &&
		    !has_input(b->fd, b->o.timeout_waits, b->deadline)) {
			if ((end = timed_out_end(b)) > 0)
				break;
			if (!b->o.timeout_waits)
				return 2;
			continue;
		}
		if (fill(b) == -1)
			return -1;
	}
	b->deadline = 0;
	if (b->len == b->hlen) {
		/* Nothing but (maybe) a header: no more blocks. */
		return 0;
	}
	/* Hand the buffer over; what follows the block starts the next. */
	end += b->hlen;
	rest = b->len - end;
	next = xmalloc(b->o.size + READ_MIN + b->hlen);
	b->cap = b->o.size + READ_MIN + b->hlen;
	if (b->hlen > 0)
		memcpy(next, b->header, b->hlen);
	if (rest > b->cap - b->hlen) {
		b->cap = b->hlen + rest + READ_MIN;
		next = xreallocarray(next, b->cap, 1);
	}
	memcpy(next + b->hlen, b->buf + end, rest);
	if (b->keyer != NULL)
		group_shift(b, end - b->hlen);
	*data = b->buf;
	*len = end;
	if (b->o.remove_sep)
		*len = b->hlen + blocker_remove_sep(b, *data + b->hlen,
		    end - b->hlen);
	b->buf = next;
	b->len = b->hlen + rest;
	return 1;
}

/*
 * The first boundary at or after target, in *cut (-1: none before the
 * end), in a block that starts at pos: a record end that begins before
 * pos is not one (the stream never sees it).  -1 on a read error.
 */
static int
cut_after(const struct blocker *b, int fd, off_t pos, off_t target,
    char *win, size_t window, off_t *cut)
{
	size_t lead = b->endlen > 0 ? b->endlen : 1, end, from;
	off_t base = target - (off_t)lead;
	ssize_t got;

	if (base < pos)
		base = pos;
	/* Only boundaries at or after target: those after target - 1. */
	from = (size_t)(target - base) - 1;
	*cut = -1;
	for (;;) {
		if ((got = fdio_pread(fd, win, window, base)) == -1)
			return -1;
		end = next_boundary(b, win, (size_t)got, from);
		if (end > 0) {
			*cut = base + (off_t)end;
			return 0;
		}
		if ((size_t)got < window)
			return 0;
		/* A long record: look further on, overlapping a little. */
		base += (off_t)(window - b->endlen - b->startlen - 1);
		from = 0;
	}
}

/*
 * The last boundary in (pos, target], in *cut (-1: none), looked for in
 * windows going back from target.  -1 on a read error.
 */
static int
cut_before(const struct blocker *b, int fd, off_t pos, off_t target,
    char *win, size_t window, off_t *cut)
{
	off_t base = target - (off_t)(window - b->startlen);
	size_t p;
	ssize_t got;

	*cut = -1;
	for (;;) {
		if (base < pos)
			base = pos;
		if ((got = fdio_pread(fd, win, window, base)) == -1)
			return -1;
		p = last_boundary(b, win, (size_t)got,
		    (size_t)(target - base));
		if (p > 0) {
			*cut = base + (off_t)p;
			return 0;
		}
		if (base == pos)
			return 0;
		/* Back a window, keeping what a boundary at its start needs. */
		base -= (off_t)(window - b->endlen - 2 * b->startlen - 1);
	}
}

int
blocker_ranges(int fd, off_t size, struct block_opts *opts,
    bool pipe_like, off_t **starts, size_t *n, size_t *header_len)
{
	struct blocker *b;
	size_t cap = 16, window = 64 * 1024;
	off_t pos, target, cut;
	char *win;
	int r = 0;

	b = blocker_new(fd, opts);
	*header_len = 0;
	if (b->o.header_lines > 0 || b->o.header_re != NULL) {
		if (read_header(b) == -1) {
			blocker_free(b);
			return -1;
		}
		*header_len = b->hlen;
	}
	*starts = xreallocarray(NULL, cap, sizeof(**starts));
	*n = 0;
	pos = (off_t)*header_len;
	(*starts)[(*n)++] = pos;
	win = xmalloc(window);
	while (pos < size) {
		/*
		 * --pipe: like its stream, the last boundary within a block
		 * of the size, else the next one; --pipepart: as GNU's, the
		 * first record end that starts a block's size after the
		 * last cut or later.
		 */
		target = pos + (off_t)b->o.size;
		if (target <= pos)
			break;		/* an empty --block makes no progress */
		/*
		 * Less than a block left: it is the last one.  Exactly a
		 * block left is still cut, as the stream cuts it (it cannot
		 * know that no more follows).
		 */
		if (target > size || (target == size && !pipe_like))
			break;
		cut = -1;
		if (pipe_like)
			r = cut_before(b, fd, pos, target, win, window, &cut);
		/* As the stream: no record end within, bigger blocks. */
		while (pipe_like && r == 0 && cut <= pos && b->endlen +
		    b->startlen > 0 && b->o.timeout == 0 &&
		    b->o.size < BLOCK_MOST) {
			b->o.size = block_grow(b->o.size);
			target = pos + (off_t)b->o.size;
			if (target >= size)
				break;
			r = cut_before(b, fd, pos, target, win, window, &cut);
		}
		if (target >= size && cut <= pos)
			break;
		if (r == 0 && cut <= pos)
			r = cut_after(b, fd, pos, target + (pipe_like ||
			    b->re != NULL ? 0 : (off_t)b->endlen), win, window,
			    &cut);
		if (r == -1)
			break;
		if (cut <= pos || cut >= size)
			break;
		pos = cut;
		if (*n + 1 >= cap) {
			cap *= 2;
			*starts = xreallocarray(*starts, cap, sizeof(**starts));
		}
		(*starts)[(*n)++] = pos;
	}
	(*starts)[*n] = size;
	free(win);
	opts->size = b->o.size;
	blocker_free(b);
	if (r == -1) {
		free(*starts);
		*starts = NULL;
	}
	return r;
}
