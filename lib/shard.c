/*
 * shard: lines to jobs by key (--shard, --bin); see shard.h.
 */
#include "shard.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "key.h"
#include "xmalloc.h"

#define READ_CHUNK	(64 * 1024)
#define QUEUE_MAX	(1024 * 1024)	/* a queue this full stops reading */

struct sharder {
	struct shard_opts o;
	int		 fd;
	struct keyer	*keyer;
	struct buf	 in;		/* read, not yet a whole line */
	bool		 eof;
	struct buf	*queue;		/* one per job */
	bool		*closed;	/* the job reads no more */
	struct keyed_lines lines;	/* of one read, and their keys */
	struct buf	 keys;
};

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

/* Hands the lines of in.data [0, upto) to their jobs by their keys. */
static int
distribute(struct sharder *sh, size_t upto)
{
	size_t off = 0, len, i;
	const char *line, *nl;

	sh->lines.n = 0;
	while (off < upto) {
		line = sh->in.data + off;
		nl = memchr(line, '\n', upto - off);
		len = nl != NULL ? (size_t)(nl - line) + 1 : upto - off;
		/* The key is the line's without its newline. */
		keyed_lines_add(&sh->lines, off, nl != NULL ? len - 1 : len);
		off += len;
	}
	buf_reset(&sh->keys);
	if (keyer_keys(sh->keyer, sh->in.data, sh->lines.v, sh->lines.n,
	    &sh->keys) == -1)
		return -1;
	for (i = 0; i < sh->lines.n; i++) {
		off = sh->lines.v[i].off;
		len = (i + 1 < sh->lines.n ? sh->lines.v[i + 1].off : upto) -
		    off;
		put_line(sh, job_of(sh, sh->keys.data + sh->lines.v[i].key_off,
		    sh->lines.v[i].key_len), sh->in.data + off, len);
	}
	return 0;
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

/* Reads the header line, which goes to no job: its length in *hlen. */
static int
read_header(struct sharder *sh, size_t *hlen, const char **errstr)
{
	const char *nl;
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
	*hlen = nl != NULL ? (size_t)(nl - sh->in.data) : sh->in.len;
	return 0;
}

struct sharder *
sharder_new(int fd, const struct shard_opts *o, const char **errstr)
{
	struct sharder *sh = xcalloc(1, sizeof(*sh));
	struct key_opts ko;
	size_t hlen = 0, i;
	bool header;

	sh->o = *o;
	sh->fd = fd;
	buf_init(&sh->in);
	buf_init(&sh->keys);
	sh->queue = xcalloc(o->jobs, sizeof(*sh->queue));
	sh->closed = xcalloc(o->jobs, sizeof(*sh->closed));
	for (i = 0; i < o->jobs; i++)
		buf_init(&sh->queue[i]);
	memset(&ko, 0, sizeof(ko));
	ko.expr = o->expr;
	ko.colsep = o->colsep != NULL ? o->colsep : ",";	/* GNU's */
	ko.perl = o->perl;
	header = key_needs_header(o->expr);
	if (header && read_header(sh, &hlen, errstr) == -1)
		goto fail;
	if ((sh->keyer = keyer_new(&ko, sh->in.data, hlen, errstr)) == NULL)
		goto fail;
	if (header)
		buf_consume(&sh->in, hlen < sh->in.len ? hlen + 1 : hlen);
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
	keyed_lines_free(&sh->lines);
	buf_release(&sh->keys);
	buf_release(&sh->in);
	keyer_free(sh->keyer);
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
