/*
 * input: sources of records and the ways they combine.
 *
 * A source is a list (:::) or a file descriptor read in large chunks and
 * split on the delimiter.  Sources form groups: a source linked to the one
 * before it (:::+, ::::+, or all of them with --link) joins its group, and
 * a group's length is that of its longest source, shorter ones wrapping
 * around as GNU parallel does.  Records are the product of the groups, the
 * first group varying slowest, so every group but the first must be held
 * in memory; the first streams when it is a single file source.
 */
#include "input.h"

#include <sys/stat.h>

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "re.h"
#include "xmalloc.h"

#define READ_CHUNK	(64 * 1024)

struct source {
	char	**items;	/* the values, once in memory */
	size_t	  nitems;
	size_t	  cap;
	int	  fd;		/* -1 once read to the end, or for a list */
	char	 *path;
	bool	  owns_fd;	/* false for stdin */
	bool	  linked;	/* paired with the previous source */
	bool	  done;
	struct buf rbuf;	/* bytes read but not yet split */
	size_t	  rpos;		/* start of the unsplit part of rbuf */
	size_t	  ncols;	/* columns named by its header */
};

struct group {
	size_t	first;		/* index of its first source */
	size_t	n;		/* number of sources */
	size_t	len;		/* records: the longest source (--link), or
				   the shortest (:::+) */
	bool	shortest;	/* linked by :::+ or ::::+ */
};

struct input {
	struct input_opts	 opts;
	struct re		*colsep_re;	/* or NULL */
	int			 colsep_char;	/* -1 unless one literal byte */
	struct source		*src;
	size_t			 nsrc;
	struct group		*grp;
	size_t			 ngrp;
	bool			 streaming;	/* group 0 is read as it goes */
	size_t			*pos;		/* odometer, one per group */
	char			*stream_item;	/* current value of group 0 */
	bool			 started_odometer;
	bool			 finished;
	char			**headers;
	size_t			 nheaders;
	const char		*errpath;
	struct item_chunk	*chunk;		/* where values are cut from */
	struct record		*shuffled;
	size_t			 nshuffled;
	size_t			 shuffle_pos;
};

static int	source_read_item(struct input *, struct source *, char **);

/*
 * Source values come from chunks of ITEM_CHUNK bytes, handed out in
 * order and freed when the last value in them is: records are used in
 * the order they are read, so a chunk empties soon after it fills, and
 * a million lines cost a few hundred allocations, not a million.  Each
 * value has two pointers in front: its chunk, and room for the common
 * record (one value, no columns) to use as its field array.
 */
#define ITEM_CHUNK	(64 * 1024)

struct item_chunk {
	size_t	refs;		/* values not yet freed, +1 while current */
	size_t	used;
	char	data[];
};

static void
chunk_put(struct item_chunk *c)
{
	/*
	 * scan-build cannot follow this count (a value finds its chunk
	 * through a pointer in front of it) and reports frees the count
	 * rules out, depending on how deep it looks; it sees no free here.
	 * The sanitizer runs of make check test the real thing.
	 */
#ifndef __clang_analyzer__
	if (--c->refs == 0)
		free(c);
#else
	c->refs--;
#endif
}

static char *
item_new(struct input *in, const char *s, size_t len)
{
	size_t need = 2 * sizeof(char *) + len + 1;
	struct item_chunk *c = in->chunk;
	char **slot;
	char *item;

	need = (need + sizeof(char *) - 1) & ~(sizeof(char *) - 1);
	if (c == NULL || c->used + need > ITEM_CHUNK) {
		if (c != NULL)
			chunk_put(c);
		c = xmalloc(sizeof(*c) + (need > ITEM_CHUNK ? need :
		    ITEM_CHUNK));
		c->refs = 1;
		c->used = 0;
		in->chunk = c;
	}
	/* The current chunk holds a reference of its own (see refs). */
	assert(c->refs > 0);
	slot = (char **)(c->data + c->used);
	c->used += need;
	c->refs++;
	slot[0] = (char *)c;
	item = (char *)(slot + 2);
	memcpy(item, s, len);
	item[len] = '\0';
	return item;
}

static void
item_free(char *item)
{
	if (item != NULL)
		chunk_put((struct item_chunk *)((char **)item)[-2]);
}

struct input *
input_new(const struct input_opts *opts, const char **errstr)
{
	struct input *in;

	in = xcalloc(1, sizeof(*in));
	in->opts = *opts;
	if (in->opts.delim_len == 0) {
		in->opts.delim[0] = '\n';
		in->opts.delim_len = 1;
	}
	in->colsep_char = -1;
	if (opts->csv) {
		/* Text::CSV's sep_char for GNU: one byte, a comma unless set. */
		in->colsep_char = opts->colsep == NULL ? ',' :
		    re_literal_byte(opts->colsep);
		if (in->colsep_char == -1 || in->colsep_char == '"') {
			*errstr = "--csv needs a --colsep of one character";
			free(in);
			return NULL;
		}
		return in;
	}
	if (opts->colsep == NULL)
		return in;
	if ((in->colsep_char = re_literal_byte(opts->colsep)) != -1)
		return in;
	in->colsep_re = re_new(opts->colsep, strlen(opts->colsep), 0, errstr);
	if (in->colsep_re == NULL) {
		free(in);
		return NULL;
	}
	return in;
}

static struct source *
add_source(struct input *in, bool linked)
{
	struct source *s;

	in->src = xreallocarray(in->src, in->nsrc + 1, sizeof(*in->src));
	s = &in->src[in->nsrc++];
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->linked = linked && in->nsrc > 1;
	s->ncols = 1;
	buf_init(&s->rbuf);
	return s;
}

static void
source_push(struct source *s, char *item)
{
	if (s->nitems == s->cap) {
		s->cap = s->cap == 0 ? 16 : s->cap * 2;
		s->items = xreallocarray(s->items, s->cap, sizeof(*s->items));
	}
	s->items[s->nitems++] = item;
}

static bool
is_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

void
input_add_args(struct input *in, char *const *args, size_t n, bool linked)
{
	const char *v, *end, *d;
	struct source *s;
	char *item;
	size_t i;

	s = add_source(in, linked);
	s->done = true;
	for (i = 0; i < n; i++) {
		/* -d splits ::: values as it splits input (GNU). */
		for (v = args[i], end = v + strlen(v); v != NULL; ) {
			d = in->opts.split_args ? memmem(v, end - v,
			    in->opts.delim, in->opts.delim_len) : NULL;
			item = item_new(in, v, d != NULL ? (size_t)(d - v) :
			    (size_t)(end - v));
			v = d != NULL ? d + in->opts.delim_len : NULL;
			if (in->opts.eofstr != NULL &&
			    strcmp(item, in->opts.eofstr) == 0) {
				item_free(item);
				return;
			}
			if (in->opts.skip_blank && is_blank(item))
				item_free(item);
			else
				source_push(s, item);
		}
	}
}

int
input_add_file(struct input *in, const char *path, bool linked)
{
	struct source *s;
	struct stat st;
	int fd;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		in->errpath = path;
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (fd != STDIN_FILENO)
			close(fd);
		in->errpath = path;
		errno = EISDIR;
		return -1;
	}
	s = add_source(in, linked);
	s->fd = fd;
	s->owns_fd = fd != STDIN_FILENO;
	s->path = xstrdup(path);
	return 0;
}

size_t
input_source_count(const struct input *in)
{
	return in->nsrc;
}

/*
 * Next delimited item of a file source into *item (caller's): 1, 0 at the
 * end, -1 on a read error.  Items are split out of a large buffer so a
 * read(2) serves many records.
 */
static int
source_read_raw(struct input *in, struct source *s, char **item)
{
	char *start, *nl;
	ssize_t n;

	for (;;) {
		/* Unread bytes imply a buffer (before the first read: none). */
		if (s->rbuf.len > s->rpos) {
			start = s->rbuf.data + s->rpos;
			nl = memmem(start, s->rbuf.len - s->rpos,
			    in->opts.delim, in->opts.delim_len);
			if (nl == NULL && s->done)
				nl = s->rbuf.data + s->rbuf.len;
			if (nl != NULL) {
				*item = item_new(in, start, nl - start);
				s->rpos = nl - s->rbuf.data + (nl <
				    s->rbuf.data + s->rbuf.len ?
				    in->opts.delim_len : 0);
				return 1;
			}
		}
		if (s->done)
			return 0;
		if (s->rpos > 0) {
			buf_consume(&s->rbuf, s->rpos);
			s->rpos = 0;
		}
		buf_grow(&s->rbuf, READ_CHUNK);
		n = read(s->fd, s->rbuf.data + s->rbuf.len, READ_CHUNK);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			in->errpath = s->path;
			return -1;
		}
		if (n == 0) {
			s->done = true;
			if (s->owns_fd)
				close(s->fd);
			s->fd = -1;
			continue;
		}
		s->rbuf.len += n;
	}
}

static size_t
count_quotes(const char *s)
{
	size_t n = 0;

	while ((s = strchr(s, '"')) != NULL) {
		n++;
		s++;
	}
	return n;
}

/*
 * --csv: an item with an odd number of quotes ends inside a quoted field,
 * so the record goes on after the delimiter (GNU counts quotes the same
 * way).  Joins the items that make up the record into *item.
 */
static int
csv_join(struct input *in, struct source *s, char **item)
{
	struct buf b;
	char *more;
	int r;

	if (count_quotes(*item) % 2 == 0)
		return 1;
	buf_init(&b);
	buf_addstr(&b, *item);
	do {
		if ((r = source_read_raw(in, s, &more)) != 1)
			break;	/* unbalanced to the end: split_csv says so */
		buf_add(&b, in->opts.delim, in->opts.delim_len);
		buf_addstr(&b, more);
		item_free(more);
	} while (count_quotes(b.data) % 2 == 1);
	if (r != -1) {
		item_free(*item);
		*item = item_new(in, b.data, b.len);
	}
	buf_release(&b);
	return r == -1 ? -1 : 1;
}

/* Like source_read_raw(), applying -E and -r and joining --csv records. */
static int
source_read_item(struct input *in, struct source *s, char **item)
{
	int r;

	for (;;) {
		if ((r = source_read_raw(in, s, item)) != 1)
			return r;
		if (in->opts.csv && (r = csv_join(in, s, item)) != 1) {
			item_free(*item);
			*item = NULL;
			return r;
		}
		if (in->opts.eofstr != NULL &&
		    strcmp(*item, in->opts.eofstr) == 0) {
			item_free(*item);
			*item = NULL;
			s->done = true;
			s->rpos = s->rbuf.len;
			return 0;
		}
		if (in->opts.skip_blank && is_blank(*item)) {
			item_free(*item);
			*item = NULL;
			continue;
		}
		return 1;
	}
}

static int
source_slurp(struct input *in, struct source *s)
{
	char *item;
	int r;

	while ((r = source_read_item(in, s, &item)) == 1)
		source_push(s, item);
	buf_release(&s->rbuf);
	return r;
}

static void
push_field(struct record *rec, size_t *cap, char *f)
{
	if (rec->nfields == *cap) {
		*cap = *cap == 0 ? 4 : *cap * 2;
		rec->fields = xreallocarray(rec->fields, *cap,
		    sizeof(*rec->fields));
	}
	rec->fields[rec->nfields++] = f;
}

static char *
trimmed(const struct input *in, const char *s, size_t len)
{
	/* Perl's \s, as GNU trims: a CR-LF line's CR goes too. */
	static const char space[] = " \t\n\r\f\v";

	if (in->opts.trim & INPUT_TRIM_LEFT)
		while (len > 0 && memchr(space, *s, sizeof(space) - 1)) {
			s++;
			len--;
		}
	if (in->opts.trim & INPUT_TRIM_RIGHT)
		while (len > 0 && memchr(space, s[len - 1], sizeof(space) - 1))
			len--;
	return xmemdup(s, len);
}

/*
 * Splits one --csv record (RFC 4180, as Perl's Text::CSV reads it for
 * GNU): fields separated by the --colsep byte; a field in double quotes
 * may hold separators, newlines and doubled quotes; a quote anywhere else
 * is an error.  One CR ending the record goes, so CR-LF files work.  -1
 * with errno EILSEQ for a record that is not CSV.
 */
static int
split_csv(const struct input *in, const char *v, struct record *rec,
    size_t *cap)
{
	size_t len = strlen(v), pos = 0;
	char sep = (char)in->colsep_char;
	struct buf f;

	if (len > 0 && v[len - 1] == '\r')
		len--;
	buf_init(&f);
	for (;;) {
		buf_reset(&f);
		if (pos < len && v[pos] == '"') {
			for (pos++;; pos++) {
				if (pos >= len)
					goto bad;	/* never closed */
				if (v[pos] == '"') {
					if (pos + 1 < len && v[pos + 1] == '"')
						pos++;
					else
						break;
				}
				buf_addch(&f, v[pos]);
			}
			if (++pos < len && v[pos] != sep)
				goto bad;	/* "a"b */
		} else {
			for (; pos < len && v[pos] != sep; pos++) {
				if (v[pos] == '"')
					goto bad;
				buf_addch(&f, v[pos]);
			}
		}
		push_field(rec, cap, trimmed(in, f.len > 0 ? f.data : "",
		    f.len));
		if (pos >= len)
			break;
		pos++;		/* the separator */
	}
	buf_release(&f);
	return 0;
bad:
	buf_release(&f);
	errno = EILSEQ;
	return -1;
}

/*
 * Splits one source value into fields with --colsep, appending to rec, as
 * Perl's split(/colsep/, value, -1) does it: an empty match splits
 * between bytes, but not at either end nor where the last match ended,
 * and an empty pattern makes each byte a field.  -1 with errno set to
 * EOVERFLOW when the pattern reached its match limit.
 */
static int
split_fields(const struct input *in, const char *v, struct record *rec,
    size_t *cap)
{
	size_t len = strlen(v), start = 0, pos = 0;
	long ov[2], last_end = -1;
	const char *sep;
	int r;

	if (in->opts.csv)
		return split_csv(in, v, rec, cap);
	if (in->colsep_char == -1 && in->colsep_re == NULL) {
		push_field(rec, cap, trimmed(in, v, len));
		return 0;
	}
	if (in->colsep_char != -1) {
		for (; (sep = memchr(v + start, in->colsep_char, len - start)) !=
		    NULL; start = sep - v + 1)
			push_field(rec, cap, trimmed(in, v + start,
			    sep - v - start));
		push_field(rec, cap, trimmed(in, v + start, len - start));
		return 0;
	}
	while (pos <= len) {
		if ((r = re_match(in->colsep_re, v, len, pos, 0, ov, 1)) ==
		    -1) {
			errno = EOVERFLOW;
			return -1;
		}
		if (r == 0)
			break;
		if (ov[0] == ov[1] && (ov[0] == 0 || (size_t)ov[0] >= len ||
		    ov[0] == last_end)) {
			pos = (size_t)ov[0] + 1;
			continue;
		}
		push_field(rec, cap, trimmed(in, v + start, (size_t)ov[0] - start));
		start = (size_t)ov[1];
		last_end = ov[1];
		pos = (size_t)ov[1];
	}
	push_field(rec, cap, trimmed(in, v + start, len - start));
	return 0;
}

static int
read_headers(struct input *in)
{
	struct record rec;
	size_t i, cap, before;
	char *item;
	int r;

	memset(&rec, 0, sizeof(rec));
	cap = 0;
	for (i = 0; i < in->nsrc; i++) {
		struct source *s = &in->src[i];

		if (s->fd != -1 || !s->done) {
			if ((r = source_read_item(in, s, &item)) == -1)
				goto fail;
			if (r == 0)
				item = item_new(in, "", 0);
		} else if (s->nitems > 0) {
			item = s->items[0];
			memmove(s->items, s->items + 1,
			    (s->nitems - 1) * sizeof(*s->items));
			s->nitems--;
		} else
			item = item_new(in, "", 0);
		before = rec.nfields;
		r = split_fields(in, item, &rec, &cap);
		item_free(item);
		if (r == -1)
			goto fail;
		s->ncols = rec.nfields - before;
	}
	in->headers = rec.fields;
	in->nheaders = rec.nfields;
	return 0;
fail:
	record_release(&rec);
	return -1;
}

static void
make_groups(struct input *in)
{
	size_t i;
	struct group *g;

	for (i = 0; i < in->nsrc; i++) {
		if (i > 0 && (in->src[i].linked || in->opts.link_all)) {
			/* GNU: :::+ drops what the longer one has over. */
			if (!in->opts.link_all)
				in->grp[in->ngrp - 1].shortest = true;
			in->grp[in->ngrp - 1].n++;
			continue;
		}
		in->grp = xreallocarray(in->grp, in->ngrp + 1,
		    sizeof(*in->grp));
		g = &in->grp[in->ngrp++];
		g->first = i;
		g->n = 1;
		g->len = 0;
		g->shortest = false;
	}
	in->pos = xcalloc(in->ngrp, sizeof(*in->pos));
}

static int	next_combination(struct input *, struct record *);

/* Reads every record for --shuf and shuffles them.  -1 on a read error. */
static int
shuffle_all(struct input *in)
{
	struct record rec, tmp;
	size_t cap, i, j;
	int r;

	cap = 0;
	while ((r = next_combination(in, &rec)) == 1) {
		if (in->nshuffled == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			in->shuffled = xreallocarray(in->shuffled, cap,
			    sizeof(*in->shuffled));
		}
		in->shuffled[in->nshuffled++] = rec;
	}
	if (r == -1)
		return -1;
	for (i = in->nshuffled; i > 1; i--) {
		j = arc4random_uniform(i);
		tmp = in->shuffled[i - 1];
		in->shuffled[i - 1] = in->shuffled[j];
		in->shuffled[j] = tmp;
	}
	return 0;
}

/* --skip-first-line: GNU drops the first value of the first source. */
static int
skip_first_value(struct input *in)
{
	struct source *s;
	char *item;
	int r;

	if (in->nsrc == 0)
		return 0;
	s = &in->src[0];
	if (s->fd == -1) {
		if (s->nitems > 0) {
			item_free(s->items[0]);
			memmove(s->items, s->items + 1,
			    --s->nitems * sizeof(*s->items));
		}
		return 0;
	}
	if ((r = source_read_item(in, s, &item)) == 1)
		item_free(item);
	return r == -1 ? -1 : 0;
}

int
input_start(struct input *in)
{
	size_t g, i;

	if (in->opts.skip_first && skip_first_value(in) == -1)
		return -1;
	if (in->opts.header && read_headers(in) == -1)
		return -1;
	make_groups(in);
	for (g = 0; g < in->ngrp; g++) {
		struct group *gr = &in->grp[g];

		if (g == 0 && gr->n == 1 && !in->src[0].done && !in->opts.shuffle) {
			in->streaming = true;
			continue;
		}
		for (i = gr->first; i < gr->first + gr->n; i++) {
			if (!in->src[i].done && source_slurp(in, &in->src[i]) == -1)
				return -1;
			if (i == gr->first || (gr->shortest ?
			    in->src[i].nitems < gr->len :
			    in->src[i].nitems > gr->len))
				gr->len = in->src[i].nitems;
		}
		/* A source with no values at all leaves nothing to combine. */
		for (i = gr->first; i < gr->first + gr->n; i++)
			if (in->src[i].nitems == 0)
				gr->len = 0;
		if (gr->len == 0)
			in->finished = true;
	}
	if (in->ngrp == 0)
		in->finished = true;
	if (in->opts.shuffle && shuffle_all(in) == -1)
		return -1;
	if (in->opts.shuffle)
		in->finished = true;
	return 0;
}

/*
 * Appends the fields of group g at position pos (or the streamed item).
 * -1 as split_fields().
 */
static int
add_group_fields(struct input *in, size_t g, struct record *rec, size_t *cap)
{
	struct group *gr = &in->grp[g];
	struct source *s;
	size_t i;

	if (g == 0 && in->streaming) {
		if (in->ngrp == 1 && in->colsep_char == -1 &&
		    in->colsep_re == NULL && in->opts.trim == 0 &&
		    !in->opts.csv) {
			/* The common case: the value becomes the record. */
			rec->fields = (char **)in->stream_item - 1;	/* slot 1 */
			rec->fields[0] = in->stream_item;
			rec->nfields = 1;
			rec->packed = true;
			in->stream_item = NULL;
			return 0;
		}
		return split_fields(in, in->stream_item, rec, cap);
	}
	for (i = gr->first; i < gr->first + gr->n; i++) {
		s = &in->src[i];
		if (split_fields(in, s->items[in->pos[g] % s->nitems], rec,
		    cap) == -1)
			return -1;
	}
	return 0;
}

/* Moves the odometer of groups [from, ngrp) on; false when it wraps. */
static bool
advance(struct input *in, size_t from)
{
	size_t g;

	for (g = in->ngrp; g-- > from;) {
		if (++in->pos[g] < in->grp[g].len)
			return true;
		in->pos[g] = 0;
	}
	return false;
}

static int
next_combination(struct input *in, struct record *rec)
{
	size_t g, cap;
	int r;

	memset(rec, 0, sizeof(*rec));
	if (in->finished)
		return 0;
	if (in->streaming) {
		if (in->stream_item == NULL ||
		    (in->ngrp > 1 && !advance(in, 1)) || in->ngrp == 1) {
			item_free(in->stream_item);
			in->stream_item = NULL;
			r = source_read_item(in, &in->src[0], &in->stream_item);
			if (r != 1) {
				in->finished = true;
				return r;
			}
		}
	} else if (in->started_odometer && !advance(in, 0)) {
		in->finished = true;
		return 0;
	}
	in->started_odometer = true;
	cap = 0;
	for (g = 0; g < in->ngrp; g++)
		if (add_group_fields(in, g, rec, &cap) == -1) {
			record_release(rec);
			return -1;
		}
	return 1;
}

static int
next_record(struct input *in, struct record *rec)
{
	if (in->shuffled != NULL || in->opts.shuffle) {
		memset(rec, 0, sizeof(*rec));
		if (in->shuffled == NULL || in->shuffle_pos == in->nshuffled)
			return 0;
		*rec = in->shuffled[in->shuffle_pos++];
		return 1;
	}
	return next_combination(in, rec);
}

static bool
ends_in_blank(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t');
}

int
input_next(struct input *in, struct record *rec)
{
	struct record more;
	struct buf b;
	size_t i;
	int r;

	if ((r = next_record(in, rec)) != 1 || !in->opts.continue_blank)
		return r;
	/* -L, as xargs and GNU: "a \nb" is the one line "a b". */
	while (rec->nfields == 1 && ends_in_blank(rec->fields[0])) {
		if ((r = next_record(in, &more)) != 1) {
			if (r == -1)
				record_release(rec);
			return r == -1 ? -1 : 1;
		}
		buf_init(&b);
		buf_addstr(&b, rec->fields[0]);
		for (i = 0; i < more.nfields; i++)
			buf_addstr(&b, more.fields[i]);
		record_release(rec);
		record_release(&more);
		rec->fields = xcalloc(2, sizeof(*rec->fields));
		rec->fields[0] = buf_detach(&b);
		rec->nfields = 1;
	}
	return 1;
}

int
input_wait_fd(const struct input *in)
{
	const struct source *s;

	if (!in->streaming || in->finished || in->shuffled != NULL)
		return -1;
	/* Later groups combine with the streamed value in memory. */
	if (in->ngrp > 1 && in->stream_item != NULL)
		return -1;
	s = &in->src[0];
	if (s->done || s->fd < 0)
		return -1;
	if (s->rbuf.len > s->rpos && memmem(s->rbuf.data + s->rpos,
	    s->rbuf.len - s->rpos, in->opts.delim, in->opts.delim_len) != NULL)
		return -1;
	return s->fd;
}

const char *
input_error_path(const struct input *in)
{
	return in->errpath != NULL ? in->errpath : "-";
}

size_t
input_header_count(const struct input *in)
{
	return in->nheaders;
}

const char *
input_header_name(const struct input *in, size_t i)
{
	return in->headers[i];
}

void
record_release(struct record *rec)
{
	size_t i;

	if (rec->packed)
		item_free(rec->fields[0]);
	else {
		for (i = 0; i < rec->nfields; i++)
			free(rec->fields[i]);
		free(rec->fields);
	}
	memset(rec, 0, sizeof(*rec));
}

void
input_free(struct input *in)
{
	size_t i, j;

	if (in == NULL)
		return;
	for (i = 0; i < in->nsrc; i++) {
		for (j = 0; j < in->src[i].nitems; j++)
			item_free(in->src[i].items[j]);
		free(in->src[i].items);
		free(in->src[i].path);
		buf_release(&in->src[i].rbuf);
		if (in->src[i].owns_fd && in->src[i].fd != -1)
			close(in->src[i].fd);
	}
	for (i = 0; i < in->nheaders; i++)
		free(in->headers[i]);
	free(in->headers);
	while (in->shuffle_pos < in->nshuffled)
		record_release(&in->shuffled[in->shuffle_pos++]);
	free(in->shuffled);
	item_free(in->stream_item);
	if (in->chunk != NULL)
		chunk_put(in->chunk);
	free(in->src);
	free(in->grp);
	free(in->pos);
	re_free(in->colsep_re);
	free(in);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One byte of s, escaped or not, into *v: the characters used, or -1. */
static int
parse_delim_byte(const char *s, int *v)
{
	int n;

	if (s[0] != '\\') {
		*v = (unsigned char)s[0];
		return 1;
	}
	switch (s[1]) {
	case 'a': *v = '\a'; return 2;
	case 'b': *v = '\b'; return 2;
	case 'f': *v = '\f'; return 2;
	case 'n': *v = '\n'; return 2;
	case 'r': *v = '\r'; return 2;
	case 't': *v = '\t'; return 2;
	case 'v': *v = '\v'; return 2;
	case '\\': *v = '\\'; return 2;
	case 'x':
		if (hexval(s[2]) == -1)
			return -1;
		*v = hexval(s[2]);
		n = 3;
		if (hexval(s[3]) != -1)
			*v = *v * 16 + hexval(s[n++]);
		return n;
	default:
		if (s[1] < '0' || s[1] > '7')
			return -1;
		*v = 0;
		for (n = 1; n < 4 && s[n] >= '0' && s[n] <= '7'; n++)
			*v = *v * 8 + (s[n] - '0');
		return *v < 256 ? n : -1;
	}
}

int
input_parse_delim(const char *s, char *out, size_t size)
{
	size_t len = 0;
	int v, n;

	while (*s != '\0') {
		if ((n = parse_delim_byte(s, &v)) == -1 || len == size)
			return -1;
		out[len++] = (char)v;
		s += n;
	}
	return len == 0 ? -1 : (int)len;
}
