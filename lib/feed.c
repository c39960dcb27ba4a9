/*
 * feed: from records to command lines.
 *
 * Records are read only as far ahead as the next job needs, so memory
 * stays flat however much input streams in; -m and -X look ahead one
 * command line's worth, and {##} (the number of jobs) needs everything.
 */
#include "feed.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fdio.h"
#include "perlx.h"
#include "quote.h"
#include "xmalloc.h"

/* The kernel's limit on one argument (MAX_ARG_STRLEN, with its NUL). */
#define FEED_ARG_MAX	(128 * 1024)

extern char **environ;

struct feed {
	struct input		*in;
	const struct template	*t;
	struct feed_opts	 opts;
	struct record		*pending;	/* read, not yet in a job */
	size_t			 npending;
	size_t			 cap;
	size_t			 head;		/* first unused in pending */
	bool			 eof;
	bool			 spread;	/* -m/-X spread done */
	size_t			 base_len;	/* command with no values */
	bool			 direct;
	bool			 has_functions;	/* exported shell functions */
	unsigned long		 total;		/* for {##} */
	char			*failed_path;	/* a --tmpl file or --wd
						   directory not made */
	const char		*failed_what;	/* which of the two */
	char			*too_long_value; /* E2BIG: the values */
	size_t			 too_long_len;	/* and the line they made */
	bool			 counted;
	size_t			 next_len;	/* about what the values add */
	struct record		*last;		/* the last job's records */
	size_t			 nlast;
	char			**fields;	/* and their values */
	size_t			 nfields;
};

static bool
env_has_functions(void)
{
	char **e;

	for (e = environ; *e != NULL; e++)
		if (strncmp(*e, "BASH_FUNC_", 10) == 0)
			return true;
	return false;
}

/* Makes pending[head + i] exist if the input has it: 1, 0, -1. */
static int
want(struct feed *f, size_t i)
{
	int r;

	while (f->npending - f->head <= i) {
		if (f->eof)
			return 0;
		if (f->head > 0 && f->head == f->npending) {
			f->head = f->npending = 0;
		}
		if (f->npending == f->cap) {
			if (f->head > 0) {
				memmove(f->pending, f->pending + f->head,
				    (f->npending - f->head) *
				    sizeof(*f->pending));
				f->npending -= f->head;
				f->head = 0;
				continue;
			}
			f->cap = f->cap == 0 ? 16 : f->cap * 2;
			f->pending = xreallocarray(f->pending, f->cap,
			    sizeof(*f->pending));
		}
		r = input_next(f->in, &f->pending[f->npending]);
		if (r == -1)
			return -1;
		if (r == 0) {
			f->eof = true;
			return 0;
		}
		f->npending++;
	}
	return 1;
}

/* What feed_too_long() reports: the line's length and its values. */
static void
note_too_long(struct feed *f, const struct record *rec, size_t len)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < rec->nfields; i++) {
		if (i > 0)
			buf_addch(&b, ' ');
		buf_addstr(&b, rec->fields[i]);
	}
	free(f->too_long_value);
	f->too_long_value = buf_detach(&b);
	f->too_long_len = len;
}

const char *
feed_too_long(const struct feed *f, size_t *len, size_t *max)
{
	*len = f->too_long_len;
	*max = f->opts.max_chars_strict ? f->opts.max_chars :
	    f->opts.hard_max_chars;
	return f->too_long_value;
}

static size_t
record_cost(const struct feed *f, const struct record *rec)
{
	size_t i, c = 0;

	for (i = 0; i < rec->nfields; i++)
		c += template_field_cost(f->t, rec->fields[i]);
	return c;
}

/*
 * How many records, from pending[head + from], the next job takes.
 * 0 at the end of input, -1 on a read error or E2BIG.
 */
static long
group_size(struct feed *f, size_t from)
{
	size_t limit, n = 0, used = 0, c, avail, ptrs = 0, p;
	int r;

	limit = f->opts.max_args > 0 ? f->opts.max_args :
	    f->opts.multi ? (size_t)-1 : 1;
	if (f->opts.hide_args)
		limit = 1;
	avail = f->opts.max_chars > f->base_len ?
	    f->opts.max_chars - f->base_len : 0;
	while (n < limit) {
		if ((r = want(f, from + n)) == -1)
			return -1;
		if (r == 0)
			break;
		c = f->opts.hide_args ? 0 :
		    record_cost(f, &f->pending[f->head + from + n]);
		/* -s counts characters; the system counts argv pointers too. */
		p = f->opts.hide_args ? 0 : sizeof(char *) *
		    f->pending[f->head + from + n].nfields;
		if (n > 0 && (used + c > avail || f->base_len + used + c +
		    ptrs + p > f->opts.hard_max_chars))
			break;
		/*
		 * One value alone may use all the system allows, which
		 * counts an argv pointer for each word as well.
		 */
		if (n == 0 && (c + f->base_len + sizeof(char *) *
		    f->pending[f->head + from].nfields > f->opts.hard_max_chars ||
		    (f->opts.max_chars_strict && c + f->base_len >
		    f->opts.max_chars))) {
			/* GNU's length leaves out the NUL -s counts. */
			note_too_long(f, &f->pending[f->head + from],
			    c + f->base_len - 1);
			errno = E2BIG;
			return -1;
		}
		used += c;
		ptrs += p;
		n++;
	}
	/*
	 * -m/-X and all input fits the first command line: share it out
	 * over the job slots, as GNU parallel does.
	 */
	if (f->opts.multi && !f->spread && from == 0 && f->eof &&
	    f->npending - f->head == n && f->opts.jobs > 1 && n > 1) {
		f->opts.max_args = (n + f->opts.jobs - 1) / f->opts.jobs;
		n = f->opts.max_args;
	}
	f->spread = true;
	f->next_len = used;
	return (long)n;
}

static int
count_jobs(struct feed *f)
{
	size_t from = 0;
	bool spread = f->spread;
	size_t max_args = f->opts.max_args;
	long n;

	if (f->counted)
		return 0;
	f->counted = true;
	if (f->opts.total_jobs > 0) {
		f->total = f->opts.total_jobs;	/* the user knows best */
		return 0;
	}
	for (;;) {
		if ((n = group_size(f, from)) == -1)
			return -1;
		if (n == 0)
			break;
		from += n;
		f->total++;
	}
	f->spread = spread;
	f->opts.max_args = max_args;
	return 0;
}

struct feed *
feed_new(struct input *in, const struct template *t,
    const struct feed_opts *opts)
{
	struct feed *f;

	f = xcalloc(1, sizeof(*f));
	f->in = in;
	f->t = t;
	f->opts = *opts;
	f->base_len = template_base_len(t);
	f->has_functions = env_has_functions();
	f->direct = template_is_direct(t) && !opts->force_shell;
	f->total = 0;
	return f;
}

static void
release_last(struct feed *f)
{
	size_t i;

	for (i = 0; i < f->nlast; i++)
		record_release(&f->last[i]);
	free(f->last);
	free(f->fields);
	f->last = NULL;
	f->nlast = 0;
	f->fields = NULL;
	f->nfields = 0;
}

void
feed_free(struct feed *f)
{
	size_t i;

	if (f == NULL)
		return;
	release_last(f);
	for (i = f->head; i < f->npending; i++)
		record_release(&f->pending[i]);
	free(f->pending);
	free(f->failed_path);
	free(f->too_long_value);
	free(f);
}

/* An exported shell function of that name: only a shell can run it. */
static bool
is_function(const struct feed *f, const char *name)
{
	struct buf b;
	bool r;

	if (!f->has_functions)
		return false;
	buf_init(&b);
	buf_addstr(&b, "BASH_FUNC_");
	buf_addstr(&b, name);
	buf_addstr(&b, "%%");
	r = getenv(b.data) != NULL;
	buf_release(&b);
	return r;
}

/*
 * Whether argv names a program that shells also have as a builtin that
 * behaves otherwise, so that running it directly would not give what the
 * shell (and GNU parallel, which always uses one) gives.  echo differs
 * only with options or backslashes (dash's echo reads escapes) or with an
 * argument longer than the kernel takes (the builtin takes any length);
 * the others differ in their corners (printf's %q and %b, pwd's logical
 * path, kill's job numbers, test's -v, time's report).
 */
static bool
builtin_differs(char *const *argv)
{
	static const char *const always[] = {
		"printf", "test", "[", "pwd", "kill", "time",
	};
	size_t i;

	for (i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		if (strcmp(argv[0], always[i]) == 0)
			return true;
	if (strcmp(argv[0], "echo") != 0)
		return false;
	for (i = 1; argv[i] != NULL; i++)
		if (argv[i][0] == '-' || strchr(argv[i], '\\') != NULL ||
		    strlen(argv[i]) >= FEED_ARG_MAX)
			return true;
	return false;
}

static char *
make_tag(const struct feed *f, const struct template_job *j)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	if (f->opts.tagstring != NULL)
		template_expand(f->opts.tagstring, j, &b);
	else
		for (i = 0; i < j->nfields; i++) {
			if (i > 0)
				buf_addch(&b, ' ');
			buf_addstr(&b, j->fields[i]);
		}
	buf_addch(&b, '\t');
	return buf_detach(&b);
}

/* Jobs whose perl answers are collected in one round trip. */
#define PREPARE_AHEAD	128

/*
 * Perl expressions: the answers for this job (its first records at the
 * head) and for the next jobs whose values are in, or can be read
 * without waiting, are collected in one round trip (template.h).  A
 * failure here is met again, and reported, when the job is made.
 */
static void
prepare_ahead(struct feed *f, unsigned long seq, size_t first)
{
	struct template_job jobs[PREPARE_AHEAD];
	size_t n, from = 0, take, avail, nf, i, k;
	size_t group = f->opts.max_args > 0 && !f->opts.hide_args ?
	    f->opts.max_args : 1;
	char **fields;
	struct record *rec;

	for (n = 0; n < PREPARE_AHEAD; n++) {
		take = n == 0 ? first : group;
		while (n > 0 && f->npending - f->head < from + take &&
		    !f->eof && input_wait_fd(f->in) == -1)
			if (want(f, f->npending - f->head) == -1)
				break;
		avail = f->npending - f->head - from;
		if (avail == 0)
			break;
		if (avail < take) {
			if (!f->eof)
				break;
			take = avail;
		}
		nf = 0;
		for (i = 0; i < take && !f->opts.hide_args; i++)
			nf += f->pending[f->head + from + i].nfields;
		fields = xreallocarray(NULL, nf + 1, sizeof(*fields));
		nf = 0;
		for (i = 0; i < take && !f->opts.hide_args; i++) {
			rec = &f->pending[f->head + from + i];
			for (k = 0; k < rec->nfields; k++)
				fields[nf++] = rec->fields[k];
		}
		memset(&jobs[n], 0, sizeof(jobs[n]));
		jobs[n].fields = fields;
		jobs[n].nfields = nf;
		jobs[n].seq = seq + n;
		jobs[n].total = f->total;
		jobs[n].maxslots = f->opts.jobs;
		from += take;
	}
	(void)template_prepare(f->t, jobs, n);
	for (i = 0; i < n; i++)
		free((void *)jobs[i].fields);
}

int
feed_next(struct feed *f, unsigned long seq, unsigned long slot,
    struct run_job *job)
{
	char **fields = NULL;
	size_t nfields = 0, i, k;
	long n;

	release_last(f);
	if (template_needs_total(f->t) && count_jobs(f) == -1)
		return -1;
	if ((n = group_size(f, 0)) <= 0)
		return (int)n;
	if (template_can_prepare(f->t) && !f->opts.multi &&
	    !template_prepared(f->t, seq))
		prepare_ahead(f, seq, (size_t)n);
	for (i = 0; i < (size_t)n && !f->opts.hide_args; i++)
		nfields += f->pending[f->head + i].nfields;
	fields = xreallocarray(NULL, nfields + 1, sizeof(*fields));
	nfields = 0;
	for (i = 0; i < (size_t)n && !f->opts.hide_args; i++)
		for (k = 0; k < f->pending[f->head + i].nfields; k++)
			fields[nfields++] = f->pending[f->head + i].fields[k];
	if (feed_make_job(f, seq, slot, fields, nfields, job) == -1) {
		job_release(job);
		free(fields);
		return -1;
	}
	/* Kept for feed_fields() until the next job. */
	f->last = xreallocarray(NULL, n, sizeof(*f->last));
	memcpy(f->last, f->pending + f->head, n * sizeof(*f->last));
	f->nlast = n;
	f->fields = fields;
	f->nfields = nfields;
	f->head += n;
	return 1;
}

/*
 * --filter: 1 if every filter is true for job j, 0 if one is false, -1
 * with errno ENOEXEC when perl could not run one (perlx_error()).
 */
static int
filters_pass(struct feed *f, const struct template_job *j)
{
	struct buf code;
	bool yes = true;
	size_t i;

	if (perlx_job(f->opts.perl, j->seq, j->slot, j->total, j->fields,
	    j->nfields) == -1) {
		errno = ENOEXEC;
		return -1;
	}
	buf_init(&code);
	for (i = 0; i < f->opts.nfilter && yes; i++) {
		buf_reset(&code);
		if (template_expand(f->opts.filter[i], j, &code) == -1)
			break;
		buf_addch(&code, '\0');
		if (perlx_test(f->opts.perl, code.data, &yes) == -1) {
			buf_release(&code);
			errno = ENOEXEC;
			return -1;
		}
	}
	buf_release(&code);
	if (i < f->opts.nfilter && yes)
		return -1;	/* template_expand() set errno */
	return yes ? 1 : 0;
}

/* --tmpl: each template file, expanded for job j, into the file named. */
static int
write_templates(struct feed *f, const struct template_job *j,
    struct run_job *job)
{
	struct buf name, content;
	size_t i;
	int fd, e;

	if (f->opts.tmpl_cleanup)
		job->remove_more = xcalloc(f->opts.ntmpl + 1, sizeof(char *));
	buf_init(&name);
	buf_init(&content);
	for (i = 0; i < f->opts.ntmpl; i++) {
		buf_reset(&name);
		buf_reset(&content);
		if (template_expand(f->opts.tmpl_name[i], j, &name) == -1 ||
		    template_expand(f->opts.tmpl_content[i], j, &content) ==
		    -1)
			goto fail;
		buf_addch(&name, '\0');	/* an empty name is open's error */
		fd = open(name.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0666);
		if (fd != -1 && fdio_write_full(fd, content.len > 0 ?
		    content.data : "", content.len) == -1) {
			e = errno;
			close(fd);
			errno = e;
			fd = -1;
		}
		if (fd == -1 || close(fd) == -1) {
			e = errno;
			free(f->failed_path);
			f->failed_path = xstrdup(name.data);
			f->failed_what = "--tmpl file";
			errno = e;
			goto fail;
		}
		if (job->remove_more != NULL)
			job->remove_more[i] = xstrdup(name.data);
	}
	buf_release(&name);
	buf_release(&content);
	return 0;
fail:
	buf_release(&name);
	buf_release(&content);
	return -1;
}

/* --wd: the job's directory, made if it is not there. */
static int
make_workdir(struct feed *f, const struct template_job *j,
    struct run_job *job)
{
	struct buf dir;
	char host[256], num[64];
	const char *home;

	buf_init(&dir);
	if (f->opts.workdir_unique) {
		/* GNU's: ~/.parallel/tmp/HOST-PID-SEQ */
		if ((home = getenv("HOME")) == NULL || *home == '\0')
			home = "/tmp";
		if (gethostname(host, sizeof(host)) == -1)
			strlcpy(host, "localhost", sizeof(host));
		host[sizeof(host) - 1] = '\0';
		buf_addstr(&dir, home);
		buf_addstr(&dir, "/.parallel/tmp/");
		buf_addstr(&dir, host);
		snprintf(num, sizeof(num), "-%ld-%lu", (long)getpid(), j->seq);
		buf_addstr(&dir, num);
		job->cwd_remove = true;
	} else if (template_expand(f->opts.workdir, j, &dir) == -1) {
		buf_release(&dir);
		return -1;
	}
	buf_addch(&dir, '\0');
	job->cwd = buf_detach(&dir);
	return f->opts.workdir_later ? 0 : feed_make_workdir(f, job);
}

int
feed_make_workdir(struct feed *f, struct run_job *job)
{
	int e;

	if (job->cwd == NULL || fdio_mkdirs(job->cwd) == 0)
		return 0;
	e = errno;
	free(f->failed_path);
	f->failed_path = xstrdup(job->cwd);
	f->failed_what = "--wd directory";
	job->cwd_remove = false;
	errno = e;
	return -1;
}

/* --transferfile, --return: n templates expanded, a NULL-terminated list. */
static char **
expand_list(const struct template *const *t, size_t n,
    const struct template_job *j)
{
	struct buf b;
	char **list;
	size_t i;

	if (n == 0)
		return NULL;
	list = xcalloc(n + 1, sizeof(*list));
	for (i = 0; i < n; i++) {
		buf_init(&b);
		if (template_expand(t[i], j, &b) == -1)
			buf_reset(&b);
		buf_addch(&b, '\0');
		list[i] = buf_detach(&b);
	}
	return list;
}

const char *
feed_failed_path(const struct feed *f, const char **what)
{
	*what = f->failed_what;
	return f->failed_path;
}

/*
 * --hostgroups: copies of the n values with what follows a value's first
 * "@" taken off (GNU's), and in *groups what followed it in the first
 * value (NULL if nothing did: any host).
 */
static char **
strip_groups(char *const *fields, size_t n, char **groups)
{
	char **plain = xcalloc(n + 1, sizeof(*plain));
	const char *at;
	size_t i;

	*groups = NULL;
	for (i = 0; i < n; i++) {
		at = strchr(fields[i], '@');
		if (at == NULL || at[1] == '\0') {
			plain[i] = xstrdup(fields[i]);
			continue;
		}
		plain[i] = xmemdup(fields[i], (size_t)(at - fields[i]));
		if (i == 0)
			*groups = xstrdup(at + 1);
	}
	return plain;
}

int
feed_make_job(struct feed *f, unsigned long seq, unsigned long slot,
    char *const *fields, size_t nfields, struct run_job *job)
{
	int r;

	struct template_job j;
	struct buf cmd;
	const char *err;
	char **plain = NULL, *groups = NULL;
	size_t i;

	memset(&j, 0, sizeof(j));
	j.fields = fields;
	j.nfields = nfields;
	if (f->opts.hostgroups)
		j.fields = plain = strip_groups(fields, nfields, &groups);
	j.seq = seq;
	j.slot = slot;
	j.total = f->total;
	j.maxslots = f->opts.jobs;
	/* As GNU: a value with no groups of its own has them all. */
	j.arg_groups = groups != NULL || !f->opts.hostgroups ||
	    f->opts.all_groups == NULL ? groups :
	    f->opts.all_groups(f->opts.host_arg);
	if (f->opts.host_of != NULL)
		j.host = f->opts.host_of(f->opts.host_arg, slot, groups,
		    &j.sshlogin, &j.host_groups);
	buf_init(&cmd);
	/* One allocation for a long -m/-X line, not a doubling series. */
	buf_grow(&cmd, f->base_len + (nfields > 1 ? f->next_len : 0));
	r = template_expand(f->t, &j, &cmd);
	/* --filter false is a skip(). */
	if (r == 0 && f->opts.nfilter > 0) {
		r = filters_pass(f, &j);
		r = r == -1 ? -1 : !r;
	}
	/* skip() in a perl expression: GNU runs true instead. */
	if (r == 1) {
		buf_reset(&cmd);
		buf_addstr(&cmd, "true");
		r = 0;
	}
	memset(job, 0, sizeof(*job));
	job->seq = seq;
	job->tee_fd[0] = job->tee_fd[1] = -1;
	if (f->opts.tag || f->opts.tagstring != NULL)
		job->tag = make_tag(f, &j);
	if (r == 0 && f->opts.ntmpl > 0 && write_templates(f, &j, job) == -1)
		r = -1;
	if (r == 0 && (f->opts.workdir != NULL || f->opts.workdir_unique) &&
	    make_workdir(f, &j, job) == -1)
		r = -1;
	job->transfer = expand_list(f->opts.transfer, f->opts.ntransfer, &j);
	job->ret = expand_list(f->opts.ret, f->opts.nret, &j);
	if (f->direct) {
		job->argv = quote_split_words(cmd.data, &err);
		if (job->argv != NULL && (job->argv[0] == NULL ||
		    is_function(f, job->argv[0]) ||
		    builtin_differs(job->argv))) {
			quote_free_words(job->argv);
			job->argv = NULL;
		}
	}
	job->cmd = buf_detach(&cmd);
	job->groups = groups;
	for (i = 0; plain != NULL && i < nfields; i++)
		free(plain[i]);
	free(plain);
	return r;
}

int
feed_wait_fd(const struct feed *f)
{
	if (f->in == NULL || f->npending > f->head || f->eof)
		return -1;
	return input_wait_fd(f->in);
}

char *const *
feed_fields(const struct feed *f, size_t *n)
{
	*n = f->nfields;
	return f->fields;
}

long
feed_total(struct feed *f)
{
	if (count_jobs(f) == -1)
		return -1;
	return (long)f->total;
}
