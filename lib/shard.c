/*
 * shard: lines to jobs by key (--shard, --bin); see shard.h.
 */
#include "shard.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "perlx.h"
#include "re.h"
#include "xmalloc.h"

#define READ_CHUNK	(64 * 1024)
#define QUEUE_MAX	(1024 * 1024)	/* a queue this full stops reading */

struct sharder {
	struct shard_opts o;
	int		 fd;
	size_t		 col;		/* the key's column, from 1 */
	int		 sep_byte;	/* --colsep as one byte, or -1 */
	struct re	*sep_re;	/* else the regex */
	int		 expr;		/* perlx's number, or -1 */
	struct buf	 in;		/* read, not yet a whole line */
	bool		 eof;
	struct buf	*queue;		/* one per job */
	bool		*closed;	/* the job reads no more */
	/* Lines of one read waiting for their perl keys. */
	size_t		*line_off, *line_len;
	size_t		 nlines, lines_cap;
};

/*
 * The column (1-based) [start, end) of line [s, s + len) into *key, *klen.
 * A line with fewer columns has an empty key.  -1 (EOVERFLOW) when the
 * regex hit its limit.
 */
static int
column(const struct sharder *sh, const char *s, size_t len,
    const char **key, size_t *klen)
{
	size_t start = 0, n = 1;
	const char *p;
	long ov[2];
	int r;

	while (n < sh->col) {
		if (sh->sep_byte != -1) {
			p = memchr(s + start, sh->sep_byte, len - start);
			if (p == NULL)
				break;
			start = (size_t)(p - s) + 1;
		} else {
			r = re_match(sh->sep_re, s, len, start, 0, ov, 1);
			if (r == -1) {
				errno = EOVERFLOW;
				return -1;
			}
			if (r == 0 || ov[1] == ov[0])
				break;
			start = (size_t)ov[1];
		}
		n++;
	}
	if (n < sh->col) {
		*key = s + len;
		*klen = 0;
		return 0;
	}
	*key = s + start;
	if (sh->sep_byte != -1) {
		p = memchr(s + start, sh->sep_byte, len - start);
		*klen = p != NULL ? (size_t)(p - s) - start : len - start;
		return 0;
	}
	if ((r = re_match(sh->sep_re, s, len, start, 0, ov, 1)) == -1) {
		errno = EOVERFLOW;
		return -1;
	}
	*klen = r == 1 && ov[1] > ov[0] ? (size_t)ov[0] - start : len - start;
	return 0;
}

/* FNV-1a: the same key goes to the same job, run after run. */
static uint64_t
hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len-- > 0) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The job (0-based) for a key: --bin as GNU, key % n, else its hash. */
static size_t
job_of(const struct sharder *sh, const char *key, size_t klen)
{
	char num[64];
	long long v;

	if (!sh->o.bin)
		return (size_t)(hash(key, klen) % sh->o.jobs);
	/* Perl's number: leading digits count, anything else is 0. */
	if (klen >= sizeof(num))
		klen = sizeof(num) - 1;
	memcpy(num, key, klen);
	num[klen] = '\0';
	v = strtoll(num, NULL, 10) % (long long)sh->o.jobs;
	if (v < 0)
		v += (long long)sh->o.jobs;
	/* GNU's key % n == 0 is its last job. */
	return v == 0 ? sh->o.jobs - 1 : (size_t)v - 1;
}

static void
put_line(struct sharder *sh, size_t job, const char *line, size_t len)
{
	if (!sh->closed[job])
		buf_add(&sh->queue[job], line, len);
}

/*
 * Hands the lines of in.data [0, upto) to their jobs, through perl when
 * there is an expression: all of them in one round trip.
 */
static int
distribute(struct sharder *sh, size_t upto)
{
	struct perlx_reply *replies = NULL;
	size_t off = 0, len, klen, nreplies = 0, i;
	const char *line, *key, *nl;
	char *value;
	int flags;

	sh->nlines = 0;
	while (off < upto) {
		line = sh->in.data + off;
		nl = memchr(line, '\n', upto - off);
		len = nl != NULL ? (size_t)(nl - line) + 1 : upto - off;
		if (sh->nlines == sh->lines_cap) {
			sh->lines_cap = sh->lines_cap ? 2 * sh->lines_cap : 256;
			sh->line_off = xreallocarray(sh->line_off,
			    sh->lines_cap, sizeof(*sh->line_off));
			sh->line_len = xreallocarray(sh->line_len,
			    sh->lines_cap, sizeof(*sh->line_len));
		}
		sh->line_off[sh->nlines] = off;
		sh->line_len[sh->nlines++] = len;
		off += len;
	}
	for (i = 0; i < sh->nlines; i++) {
		line = sh->in.data + sh->line_off[i];
		len = sh->line_len[i];
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (column(sh, line, len, &key, &klen) == -1)
			return -1;
		if (sh->expr == -1) {
			put_line(sh, job_of(sh, key, klen), line,
			    sh->line_len[i]);
			continue;
		}
		value = xmemdup(key, klen);
		perlx_job(sh->o.perl, 0, 0, 0, &value, 1);
		perlx_queue(sh->o.perl, sh->expr, 1);
		free(value);
	}
	if (sh->expr == -1)
		return 0;
	if (perlx_collect(sh->o.perl, &replies, &nreplies) == -1)
		goto died;
	for (i = 0; i < nreplies && i < sh->nlines; i++) {
		if (replies[i].flags & PERLX_DIED) {
			struct buf scratch;

			/* perlx_use() sets the message. */
			buf_init(&scratch);
			(void)perlx_use(sh->o.perl, &replies[i], &scratch,
			    &flags);
			buf_release(&scratch);
			goto died;
		}
		put_line(sh, job_of(sh, replies[i].value, replies[i].len),
		    sh->in.data + sh->line_off[i], sh->line_len[i]);
	}
	perlx_replies_free(replies, nreplies);
	return 0;
died:
	perlx_replies_free(replies, nreplies);
	errno = ENOEXEC;
	return -1;
}

/* One read(2), then the whole lines in it to their jobs. */
static int
read_more(struct sharder *sh)
{
	const char *last;
	size_t upto;
	ssize_t n;

	buf_grow(&sh->in, READ_CHUNK);
	do
		n = read(sh->fd, sh->in.data + sh->in.len, READ_CHUNK);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if (n == 0)
		sh->eof = true;
	sh->in.len += (size_t)n;
	if (sh->eof)
		upto = sh->in.len;
	else if ((last = memrchr(sh->in.data, '\n', sh->in.len)) != NULL)
		upto = (size_t)(last - sh->in.data) + 1;
	else
		return 0;	/* no whole line yet */
	if (upto > 0 && distribute(sh, upto) == -1)
		return -1;
	buf_consume(&sh->in, upto);
	return 0;
}

/* Reads the header line and finds the column called name in it. */
static int
column_by_name(struct sharder *sh, const char *name, size_t nlen,
    const char **errstr)
{
	const char *nl, *key;
	size_t len, klen, col;
	ssize_t n;

	while ((nl = sh->in.len > 0 ? memchr(sh->in.data, '\n', sh->in.len) :
	    NULL) == NULL && !sh->eof) {
		buf_grow(&sh->in, READ_CHUNK);
		n = read(sh->fd, sh->in.data + sh->in.len, READ_CHUNK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*errstr = strerror(errno);
			return -1;
		}
		if (n == 0)
			sh->eof = true;
		sh->in.len += (size_t)n;
	}
	if (sh->in.len == 0) {
		*errstr = "there is no header line to name the column";
		return -1;
	}
	len = nl != NULL ? (size_t)(nl - sh->in.data) : sh->in.len;
	for (col = 1;; col++) {
		sh->col = col;
		if (column(sh, sh->in.data, len, &key, &klen) == -1) {
			*errstr = "the --colsep went over its match limit";
			return -1;
		}
		if (key == sh->in.data + len && klen == 0)
			break;
		if (klen == nlen && memcmp(key, name, nlen) == 0) {
			buf_consume(&sh->in, nl != NULL ? len + 1 : len);
			return 0;
		}
	}
	*errstr = "no column of the header line has that name";
	return -1;
}

struct sharder *
sharder_new(int fd, const struct shard_opts *o, const char **errstr)
{
	struct sharder *sh = xcalloc(1, sizeof(*sh));
	const char *e = o->expr, *rest, *sep = o->colsep ? o->colsep : ",";
	size_t nlen;

	sh->o = *o;
	sh->fd = fd;
	sh->expr = -1;
	buf_init(&sh->in);
	sh->queue = xcalloc(o->jobs, sizeof(*sh->queue));
	sh->closed = xcalloc(o->jobs, sizeof(*sh->closed));
	for (size_t i = 0; i < o->jobs; i++)
		buf_init(&sh->queue[i]);
	if ((sh->sep_byte = re_literal_byte(sep)) == -1 &&
	    (sh->sep_re = re_new(sep, strlen(sep), 0, errstr)) == NULL)
		goto fail;
	/* GNU: "COLUMN [perl expression]", COLUMN a number or a name. */
	for (rest = e; *rest != '\0' && !isspace((unsigned char)*rest); rest++)
		continue;
	nlen = (size_t)(rest - e);
	while (isspace((unsigned char)*rest))
		rest++;
	if (nlen == 0) {
		*errstr = "the expression names no column";
		goto fail;
	}
	if (strspn(e, "0123456789") == nlen) {
		sh->col = strtoul(e, NULL, 10);
		if (sh->col == 0) {
			*errstr = "columns count from 1";
			goto fail;
		}
	} else if (column_by_name(sh, e, nlen, errstr) == -1)
		goto fail;
	if (*rest != '\0' &&
	    (sh->expr = perlx_compile(o->perl, rest)) == -1) {
		*errstr = perlx_error(o->perl);
		goto fail;
	}
	return sh;
fail:
	sharder_free(sh);
	return NULL;
}

void
sharder_free(struct sharder *sh)
{
	size_t i;

	if (sh == NULL)
		return;
	for (i = 0; i < sh->o.jobs; i++)
		buf_release(&sh->queue[i]);
	free(sh->queue);
	free(sh->closed);
	free(sh->line_off);
	free(sh->line_len);
	buf_release(&sh->in);
	re_free(sh->sep_re);
	free(sh);
}

int
sharder_next(struct sharder *sh, unsigned long job, char **data,
    size_t *len)
{
	struct buf *q;
	size_t i;

	if (job == 0 || job > sh->o.jobs)
		return 0;
	q = &sh->queue[job - 1];
	for (;;) {
		if (q->len > 0) {
			*len = q->len;
			*data = buf_detach(q);
			buf_init(q);
			return 1;
		}
		if (sh->eof || sh->closed[job - 1])
			return 0;
		for (i = 0; i < sh->o.jobs; i++)
			if (sh->queue[i].len >= QUEUE_MAX)
				return 2;	/* that job must read first */
		if (read_more(sh) == -1)
			return -1;
	}
}

void
sharder_closed(struct sharder *sh, unsigned long job)
{
	if (job == 0 || job > sh->o.jobs)
		return;
	sh->closed[job - 1] = true;
	buf_release(&sh->queue[job - 1]);
	buf_init(&sh->queue[job - 1]);
}
