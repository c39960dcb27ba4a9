/*
 * results: the --results files.  Output reaches them through the tee
 * descriptors run writes every chunk to; the table formats read the copy
 * back when the job ends, from an unlinked temporary file.
 */
#include "results.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sha2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "xmalloc.h"

/*
 * A file name may have 255 bytes; an encoded value longer than
 * RESULTS_NAME_MAX keeps its first RESULTS_KEEP and a digest.
 */
#define RESULTS_NAME_MAX	250
#define RESULTS_KEEP		200

enum kind { KIND_DIR, KIND_CSV, KIND_TSV, KIND_JSON };

struct pending {
	struct pending	*next;
	unsigned long	 seq;
	char		*dir;		/* KIND_DIR: the job's directory */
	char		**fields;	/* the table kinds: the values */
	size_t		 nfields;
	int		 copy[2];	/* the table kinds: to read back */
};

struct results {
	enum kind	 kind;
	char		*path;
	const char	*tmpdir;
	char *const	*names;
	size_t		 nnames;
	int		 fd;		/* the table file */
	bool		 borrowed;	/* fd is stdout (-.csv): not ours */
	bool		 header_done;
	struct pending	*pending;
	int		 err;
};

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int
mkdir_p(char *path)
{
	char *p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) == -1 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	if (mkdir(path, 0777) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

struct results *
results_new(const char *spec, const char *tmpdir, char *const *names,
    size_t nnames)
{
	struct results *r;
	char *dir;

	r = xcalloc(1, sizeof(*r));
	r->path = xstrdup(spec);
	r->tmpdir = tmpdir != NULL ? tmpdir : "/tmp";
	r->names = names;
	r->nnames = nnames;
	r->fd = -1;
	if (ends_with(spec, ".csv"))
		r->kind = KIND_CSV;
	else if (ends_with(spec, ".tsv"))
		r->kind = KIND_TSV;
	else if (ends_with(spec, ".json"))
		r->kind = KIND_JSON;
	else {
		r->kind = KIND_DIR;
		dir = xstrdup(spec);
		if (mkdir_p(dir) == -1) {
			free(dir);
			goto fail;
		}
		free(dir);
		return r;
	}
	/* GNU: -.csv, -.tsv and -.json go to standard output. */
	if (strcmp(spec, "-.csv") == 0 || strcmp(spec, "-.tsv") == 0 ||
	    strcmp(spec, "-.json") == 0) {
		r->fd = STDOUT_FILENO;
		r->borrowed = true;
		return r;
	}
	r->fd = open(spec, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND |
	    O_CLOEXEC, 0666);
	if (r->fd == -1)
		goto fail;
	return r;
fail:
	free(r->path);
	free(r);
	return NULL;
}

void
results_encode_component(struct buf *b, const char *v)
{
	char hex[8];

	if (*v == '\0' || strcmp(v, ".") == 0 || strcmp(v, "..") == 0) {
		buf_addch(b, '\\');
		buf_addstr(b, *v == '\0' ? "0" : v);
		return;
	}
	for (; *v != '\0'; v++) {
		switch (*v) {
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '/':
			buf_add(b, "\\_", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		default:
			if ((unsigned char)*v < 0x20 || *v == 0x7f) {
				snprintf(hex, sizeof(hex), "\\x%02x",
				    (unsigned char)*v);
				buf_addstr(b, hex);
			} else
				buf_addch(b, *v);
		}
	}
}

/*
 * One component.  A value longer than a file name may be is cut short
 * and told apart by a digest of all of it: "\~" and the first 128 bits
 * of its SHA-256, so two values never share a directory.
 */
static void
add_component(struct buf *b, const char *v)
{
	uint8_t digest[SHA256_DIGEST_LENGTH];
	size_t start = b->len, i;
	SHA2_CTX ctx;
	char hex[3];

	results_encode_component(b, v);
	if (b->len - start <= RESULTS_NAME_MAX)
		return;
	b->len = start + RESULTS_KEEP;
	b->data[b->len] = '\0';
	/* Cut on a whole escape: no trailing lone backslash. */
	while (b->len > start && b->data[b->len - 1] == '\\')
		b->data[--b->len] = '\0';
	buf_addstr(b, "\\~");
	SHA256Init(&ctx);
	SHA256Update(&ctx, (const uint8_t *)v, strlen(v));
	SHA256Final(digest, &ctx);
	for (i = 0; i < 16; i++) {
		snprintf(hex, sizeof(hex), "%02x", digest[i]);
		buf_addstr(b, hex);
	}
}

/* Frees a job's record, closing its read-back copies. */
static void
pending_free(struct pending *p)
{
	size_t i;

	for (i = 0; i < 2; i++)
		if (p->copy[i] != -1)
			close(p->copy[i]);
	for (i = 0; i < p->nfields; i++)
		free(p->fields[i]);
	free(p->fields);
	free(p->dir);
	free(p);
}

static int
open_dir_outputs(struct results *r, struct pending *p, char *const *fields,
    size_t nfields, int tee_fd[2])
{
	struct buf path;
	char num[32];
	size_t i;

	buf_init(&path);
	buf_addstr(&path, r->path);
	for (i = 0; i < nfields; i++) {
		buf_addch(&path, '/');
		if (i < r->nnames)
			add_component(&path, r->names[i]);
		else {
			snprintf(num, sizeof(num), "%zu", i + 1);
			buf_addstr(&path, num);
		}
		buf_addch(&path, '/');
		add_component(&path, fields[i]);
	}
	if (mkdir_p(path.data) == -1)
		goto fail;
	p->dir = buf_detach(&path);
	buf_addstr(&path, p->dir);
	buf_addstr(&path, "/stdout");
	if ((tee_fd[0] = open(path.data, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0666)) == -1)
		goto fail;
	buf_reset(&path);
	buf_addstr(&path, p->dir);
	buf_addstr(&path, "/stderr");
	if ((tee_fd[1] = open(path.data, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0666)) == -1)
		goto fail;
	buf_release(&path);
	return 0;
fail:
	buf_release(&path);
	return -1;
}

static int
open_copies(struct results *r, struct pending *p, int tee_fd[2])
{
	int k;

	for (k = 0; k < 2; k++) {
		tee_fd[k] = open(r->tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC,
		    0600);
		if (tee_fd[k] == -1)
			return -1;
		if ((p->copy[k] = fcntl(tee_fd[k], F_DUPFD_CLOEXEC, 0)) == -1)
			return -1;
	}
	return 0;
}

int
results_job_start(struct results *r, unsigned long seq,
    char *const *fields, size_t nfields, int tee_fd[2])
{
	struct pending *p;
	size_t i;
	int e;

	tee_fd[0] = tee_fd[1] = -1;
	p = xcalloc(1, sizeof(*p));
	p->seq = seq;
	p->copy[0] = p->copy[1] = -1;
	if (r->kind == KIND_DIR) {
		if (open_dir_outputs(r, p, fields, nfields, tee_fd) == -1)
			goto fail;
	} else {
		p->fields = xreallocarray(NULL, nfields + 1,
		    sizeof(*p->fields));
		for (i = 0; i < nfields; i++)
			p->fields[i] = xstrdup(fields[i]);
		p->nfields = nfields;
		if (open_copies(r, p, tee_fd) == -1)
			goto fail;
	}
	p->next = r->pending;
	r->pending = p;
	return 0;
fail:
	e = errno;
	for (i = 0; i < 2; i++) {
		if (tee_fd[i] != -1)
			close(tee_fd[i]);
		tee_fd[i] = -1;
	}
	pending_free(p);
	errno = e;
	return -1;
}

static void
add_csv_field(struct buf *b, const char *s, size_t n, char sep)
{
	size_t i;
	bool quote = false;

	/* As GNU's: any white space (Perl's \s) is quoted too. */
	for (i = 0; i < n && !quote; i++)
		quote = s[i] == sep || s[i] == '"' ||
		    memchr(" \t\n\r\f\v", s[i], 6) != NULL;
	if (!quote) {
		buf_add(b, s, n);
		return;
	}
	buf_addch(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_addch(b, '"');
		buf_addch(b, s[i]);
	}
	buf_addch(b, '"');
}

/*
 * The length of the valid UTF-8 sequence at s (n bytes left) that starts
 * with a byte >= 0x80, or 0 if it is not one (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF).
 */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * A JSON string of any bytes: valid UTF-8 as it is, and a byte that is
 * not part of any (binary output, Latin-1 text) as \u00XX, the code point
 * of that byte read as Latin-1, so the line is always valid JSON.
 */
static void
add_json_string(struct buf *b, const char *s, size_t n)
{
	char esc[8];
	size_t i, k;

	buf_addch(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c >= 0x80) {
			if ((k = utf8_len((const unsigned char *)s + i,
			    n - i)) > 0) {
				buf_add(b, s + i, k);
				i += k - 1;
			} else {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				buf_addstr(b, esc);
			}
		} else if (c == '"' || c == '\\') {
			buf_addch(b, '\\');
			buf_addch(b, c);
		} else if (c == '\n')
			buf_add(b, "\\n", 2);
		else if (c == '\t')
			buf_add(b, "\\t", 2);
		else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			buf_addstr(b, esc);
		} else
			buf_addch(b, c);
	}
	buf_addch(b, '"');
}

/* Reads back what a job wrote to its copy. */
static int
slurp(int fd, struct buf *b)
{
	char chunk[65536];
	off_t off = 0;
	ssize_t n;

	buf_reset(b);
	while ((n = fdio_pread(fd, chunk, sizeof(chunk), off)) > 0) {
		buf_add(b, chunk, n);
		off += n;
	}
	return n == -1 ? -1 : 0;
}

static void
add_row(struct results *r, struct buf *row, const struct pending *p,
    const struct run_result *res, const struct buf *out,
    const struct buf *err)
{
	char sep = r->kind == KIND_CSV ? ',' : '\t', num[128];
	size_t i;

	if (!r->header_done) {
		buf_addstr(row, sep == ',' ?
		    "Seq,Host,Starttime,JobRuntime,Send,Receive,Exitval,"
		    "Signal,Command" :
		    "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\t"
		    "Exitval\tSignal\tCommand");
		for (i = 0; i < p->nfields; i++) {
			snprintf(num, sizeof(num), "%cV%zu", sep, i + 1);
			buf_addstr(row, num);
		}
		snprintf(num, sizeof(num), "%cStdout%cStderr\n", sep, sep);
		buf_addstr(row, num);
		r->header_done = true;
	}
	snprintf(num, sizeof(num), "%lu%c:%c%lld.%03ld%c%.3f%c0%c%llu%c%d%c%d%c",
	    res->seq, sep, sep, (long long)res->start.tv_sec,
	    res->start.tv_nsec / 1000000, sep, res->runtime, sep, sep,
	    res->out_bytes[0], sep, res->exit_code, sep, res->signal, sep);
	buf_addstr(row, num);
	add_csv_field(row, res->cmd, strlen(res->cmd), sep);
	for (i = 0; i < p->nfields; i++) {
		buf_addch(row, sep);
		add_csv_field(row, p->fields[i], strlen(p->fields[i]), sep);
	}
	buf_addch(row, sep);
	add_csv_field(row, out->data == NULL ? "" : out->data, out->len, sep);
	buf_addch(row, sep);
	add_csv_field(row, err->data == NULL ? "" : err->data, err->len, sep);
	buf_addch(row, '\n');
}

static void
add_json(struct buf *row, const struct pending *p,
    const struct run_result *res, const struct buf *out,
    const struct buf *err)
{
	char num[160];
	size_t i;

	snprintf(num, sizeof(num), "{\"seq\":%lu,\"command\":", res->seq);
	buf_addstr(row, num);
	add_json_string(row, res->cmd, strlen(res->cmd));
	buf_addstr(row, ",\"args\":[");
	for (i = 0; i < p->nfields; i++) {
		if (i > 0)
			buf_addch(row, ',');
		add_json_string(row, p->fields[i], strlen(p->fields[i]));
	}
	snprintf(num, sizeof(num), "],\"exit\":%d,\"signal\":%d,"
	    "\"start\":%lld.%03ld,\"runtime\":%.3f,\"max_rss_kb\":%ld,"
	    "\"user_cpu\":%.3f,\"system_cpu\":%.3f,\"stdout\":",
	    res->exit_code, res->signal, (long long)res->start.tv_sec,
	    res->start.tv_nsec / 1000000, res->runtime, res->max_rss_kb,
	    res->user_s, res->sys_s);
	buf_addstr(row, num);
	add_json_string(row, out->data == NULL ? "" : out->data, out->len);
	buf_addstr(row, ",\"stderr\":");
	add_json_string(row, err->data == NULL ? "" : err->data, err->len);
	buf_addstr(row, "}\n");
}

static int
write_file(const char *dir, const char *name, const char *text)
{
	struct buf path;
	int fd, r = 0;
	size_t n = strlen(text);

	buf_init(&path);
	buf_addstr(&path, dir);
	buf_addch(&path, '/');
	buf_addstr(&path, name);
	fd = open(path.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	buf_release(&path);
	if (fd == -1)
		return -1;
	if (fdio_write_full(fd, text, n) == -1)
		r = -1;
	if (close(fd) == -1)
		r = -1;
	return r;
}

int
results_job_done(struct results *r, const struct run_result *res)
{
	struct pending **pp, *p;
	struct buf row, out, err;
	char num[32];
	int ret = res->output_errno != 0 ? -1 : 0;

	for (pp = &r->pending; *pp != NULL && (*pp)->seq != res->seq;
	    pp = &(*pp)->next)
		;
	if ((p = *pp) == NULL)
		return 0;
	*pp = p->next;
	if (r->kind == KIND_DIR) {
		snprintf(num, sizeof(num), "%lu", res->seq);
		/* A lost copy stays an error, whatever this write does. */
		if (write_file(p->dir, "seq", num) == -1)
			ret = -1;
	} else {
		buf_init(&row);
		buf_init(&out);
		buf_init(&err);
		if (slurp(p->copy[0], &out) == -1 ||
		    slurp(p->copy[1], &err) == -1)
			ret = -1;
		if (r->kind == KIND_JSON)
			add_json(&row, p, res, &out, &err);
		else
			add_row(r, &row, p, res, &out, &err);
		/* One write on O_APPEND: a row is whole or absent. */
		if (fdio_write_full(r->fd, row.data, row.len) == -1)
			ret = -1;
		buf_release(&row);
		buf_release(&out);
		buf_release(&err);
	}
	pending_free(p);
	if (res->output_errno != 0)
		errno = res->output_errno;
	return ret;
}

int
results_close(struct results *r)
{
	struct pending *p;
	int ret = 0;

	if (r == NULL)
		return 0;
	while ((p = r->pending) != NULL) {
		r->pending = p->next;
		pending_free(p);
	}
	if (r->fd != -1 && !r->borrowed && close(r->fd) == -1)
		ret = -1;
	free(r->path);
	free(r);
	return ret;
}
