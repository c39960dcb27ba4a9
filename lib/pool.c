/*
 * pool: libparx's public API (parx.h) on the supervisor parx(1) itself
 * uses.  A pool is one embedded run (run.h) that never runs out of input:
 * submitted jobs wait in a queue that next_job() takes from, job_done()
 * files each result in its future, and the waiting calls turn the run
 * with run_step_wait() until what they wait for is there.  No user code
 * is called from inside the run.
 */
#include "parx.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cpus.h"
#include "fdio.h"
#include "job.h"
#include "monotime.h"
#include "quote.h"
#include "run.h"
#include "template.h"
#include "xmalloc.h"

#define CAPTURE_MAX_DEFAULT	(1024 * 1024)
#define HOLD_MAX_DEFAULT	((size_t)256 * 1024 * 1024)

enum future_state {
	FUTURE_QUEUED,		/* waits for a slot */
	FUTURE_RUNNING,		/* handed to the run */
	FUTURE_DONE,		/* its result is in */
};

/* A list through one of a future's two sets of links. */
struct flist {
	struct parx_future	*head, *tail;
	size_t			 n;
};

struct parx_future {
	struct parx_pool	*pool;
	struct parx_future	*next, *prev;	/* queue, running or done */
	struct parx_future	*all_next, *all_prev;	/* pool->all */
	enum future_state	 state;
	bool			 in_done;	/* on pool->done */
	bool			 orphan;	/* freed by the caller: the pool
						   frees it when it ends */
	bool			 in_map;	/* parx_map()'s: not for
						   parx_wait_any() */
	bool			 cancel_asked;
	unsigned long		 seq;
	/* The job until the run takes it (then the run frees these). */
	char			**argv;		/* one allocation, or NULL */
	char			*cmd;
	char			**env;		/* one allocation, or NULL */
	char			*cwd;
	char			*in_data;
	size_t			 in_len;
	int			 in_fd;		/* ours (a dup), or -1 */
	double			 timeout;
	const struct template	*tmpl;		/* parx_map(): expanded when */
	const char		*input;		/* it starts, or NULL */
	unsigned long		 map_seq;	/* {#}: its input's, from 1 */
	int			 cap[2];	/* capture files, or -1 */
	bool			 mapped[2];	/* its output is mmap'ed */
	struct parx_result	 res;
};

struct parx_pool {
	struct parx_pool_opts	 o;
	char			*shell;
	char			*tmpdir;
	struct run_opts		 ro;
	struct run_callbacks	 cb;
	struct run_stats	 stats;
	struct run		*run;
	int			 devnull;	/* written to */
	int			 wake;		/* eventfd: work submitted */
	int			 epfd;		/* parx_pool_fd(): the run's and
						   wake, or -1 */
	bool			 shut;
	unsigned long		 next_seq;
	struct flist		 queue, running, done;
	struct parx_future	*all;
};

/* ---- lists ---- */

static void
list_add(struct flist *l, struct parx_future *f)
{
	f->next = NULL;
	f->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
	l->n++;
}

static void
list_del(struct flist *l, struct parx_future *f)
{
	if (f->prev != NULL)
		f->prev->next = f->next;
	else
		l->head = f->next;
	if (f->next != NULL)
		f->next->prev = f->prev;
	else
		l->tail = f->prev;
	f->next = f->prev = NULL;
	l->n--;
}

/* ---- futures ---- */

/* Where f's result keeps stream k (0: stdout, 1: stderr). */
static void
output_of(struct parx_future *f, int k, const char ***text, size_t **len)
{
	*text = k == 0 ? &f->res.out : &f->res.err;
	*len = k == 0 ? &f->res.out_len : &f->res.err_len;
}

static void
release_output(struct parx_future *f)
{
	const char **text;
	size_t *len;
	int k;

	for (k = 0; k < 2; k++) {
		output_of(f, k, &text, &len);
		if (f->cap[k] != -1)
			close(f->cap[k]);
		f->cap[k] = -1;
		if (f->mapped[k])
			(void)munmap((void *)*text, *len + 1);
		else if (*len > 0)
			free((void *)*text);
		f->mapped[k] = false;
		*text = "";
		*len = 0;
	}
}

/* What the run has not taken yet of a job. */
static void
release_job(struct parx_future *f)
{
	free(f->argv);
	free(f->cmd);
	free(f->env);
	free(f->cwd);
	free(f->in_data);
	f->argv = f->env = NULL;
	f->cmd = f->cwd = f->in_data = NULL;
	if (f->in_fd != -1)
		close(f->in_fd);
	f->in_fd = -1;
}

static void
free_future(struct parx_future *f)
{
	release_job(f);
	release_output(f);
	free(f);
}

/* f leaves the pool's list of all futures, and is freed. */
static void
destroy(struct parx_future *f)
{
	struct parx_pool *p = f->pool;

	if (f->all_prev != NULL)
		f->all_prev->all_next = f->all_next;
	else
		p->all = f->all_next;
	if (f->all_next != NULL)
		f->all_next->all_prev = f->all_prev;
	free_future(f);
}

/* f is over: filed for parx_wait_any(), or freed if nobody wants it. */
static void
settle(struct parx_future *f)
{
	f->state = FUTURE_DONE;
	if (f->orphan)
		destroy(f);
	else if (!f->in_map) {
		list_add(&f->pool->done, f);
		f->in_done = true;
	}
}

/* A job dropped before it started. */
static void
drop_queued(struct parx_future *f)
{
	list_del(&f->pool->queue, f);
	release_job(f);
	f->res.exit_code = -1;
	f->res.error = ECANCELED;
	f->res.cancelled = true;
	settle(f);
}

/* ---- captured output ---- */

/*
 * The job's stream k is all in its file: up to capture_max bytes into
 * memory, more mapped, each with a NUL after it.
 */
static void
take_output(struct parx_pool *p, struct parx_future *f, int k)
{
	const char **out;
	size_t *len;
	struct stat st;
	char *mem;
	ssize_t got;

	if (f->cap[k] == -1)
		return;
	output_of(f, k, &out, &len);
	if (fstat(f->cap[k], &st) == -1)
		goto fail;
	if (st.st_size == 0)
		goto done;
	if ((size_t)st.st_size <= p->o.capture_max) {
		if ((mem = malloc((size_t)st.st_size + 1)) == NULL)
			goto fail;
		got = fdio_pread(f->cap[k], mem, (size_t)st.st_size, 0);
		if (got != st.st_size) {
			free(mem);
			if (got >= 0)
				errno = EIO;
			goto fail;
		}
		mem[st.st_size] = '\0';
	} else {
		/*
		 * Mapped one byte longer than the output: past the end of
		 * file the page is zero-filled, which is the NUL, unless the
		 * file ends on a page boundary; then it gets a zero byte.
		 */
		if (st.st_size % sysconf(_SC_PAGESIZE) == 0 &&
		    ftruncate(f->cap[k], st.st_size + 1) == -1)
			goto fail;
		mem = mmap(NULL, (size_t)st.st_size + 1, PROT_READ, MAP_PRIVATE,
		    f->cap[k], 0);
		if (mem == MAP_FAILED)
			goto fail;
		f->mapped[k] = true;
	}
	*out = mem;
	*len = (size_t)st.st_size;
	goto done;
fail:
	if (f->res.output_errno == 0)
		f->res.output_errno = errno;
done:
	close(f->cap[k]);
	f->cap[k] = -1;
}

/* ---- the run's callbacks ---- */

/* parx_map()'s job: the template expanded now that its slot is known. */
static int
expand(struct parx_future *f, unsigned long slot)
{
	struct template_job tj;
	const char *errstr;
	struct buf cmd;
	char *field = (char *)f->input;

	memset(&tj, 0, sizeof(tj));
	tj.fields = &field;
	tj.nfields = 1;
	tj.seq = f->map_seq;
	tj.slot = slot;
	tj.maxslots = f->pool->o.slots;
	buf_init(&cmd);
	if (template_expand(f->tmpl, &tj, &cmd) != 0) {
		buf_release(&cmd);
		return -1;
	}
	if (template_is_direct(f->tmpl) &&
	    (f->argv = quote_split_words(cmd.data, &errstr)) == NULL) {
		buf_release(&cmd);
		errno = EINVAL;
		return -1;
	}
	f->cmd = buf_detach(&cmd);
	return 0;
}

/* Opens the files job f's output goes to, or /dev/null. */
static void
open_capture(struct parx_pool *p, struct parx_future *f,
    struct run_job *job)
{
	int k;

	if (p->o.output != PARX_CAPTURE && p->o.output != PARX_DISCARD)
		return;		/* pipes, through the run's collator */
	job->out_given = true;
	job->out_fd[0] = job->out_fd[1] = p->devnull;
	if (p->o.output != PARX_CAPTURE)
		return;
	for (k = 0; k < 2; k++) {
		if ((f->cap[k] = fdio_tmpfile(p->tmpdir)) == -1) {
			/* It runs all the same; its result says why. */
			f->res.output_errno = errno;
			return;
		}
		job->out_fd[k] = f->cap[k];
	}
}

static int
next_job(void *arg, unsigned long slot, struct run_job *job)
{
	struct parx_pool *p = arg;
	struct parx_future *f = p->queue.head;
	uint64_t ticks;

	if (f == NULL)
		return p->shut ? 0 : 2;
	list_del(&p->queue, f);
	/* Only submits poke it, and only while parx_pool_fd() is in use. */
	if (p->queue.n == 0 && p->epfd != -1)
		(void)read(p->wake, &ticks, sizeof(ticks));
	list_add(&p->running, f);
	f->state = FUTURE_RUNNING;
	if (f->tmpl != NULL && expand(f, slot) == -1) {
		/* Nothing to run: it ends as a job that cannot start. */
		f->argv = NULL;
		free(f->cmd);
		f->cmd = xstrdup("exit 1");
		f->res.output_errno = errno;
	}
	job->seq = f->seq;
	job->argv = f->argv;
	job->argv_only = f->argv != NULL;
	job->cmd = f->cmd;
	job->env_add = f->env;
	job->cwd = f->cwd;
	job->in_data = f->in_data;
	job->in_len = f->in_len;
	if (f->in_fd != -1) {
		job->in_given = true;
		job->in_fd = f->in_fd;
	}
	job->timeout = f->timeout;
	open_capture(p, f, job);
	/* The run owns and frees them from now on. */
	f->argv = f->env = NULL;
	f->cmd = f->cwd = f->in_data = NULL;
	return 1;
}

static struct parx_future *
running_job(struct parx_pool *p, unsigned long seq)
{
	struct parx_future *f;

	for (f = p->running.head; f != NULL; f = f->next)
		if (f->seq == seq)
			return f;
	return NULL;
}

static enum run_action
job_done(void *arg, const struct run_result *res, struct buf *say,
    struct buf *out)
{
	struct parx_pool *p = arg;
	struct parx_future *f;
	struct parx_result *r;

	(void)say;
	(void)out;
	if ((f = running_job(p, res->seq)) == NULL)
		return RUN_CONTINUE;
	list_del(&p->running, f);
	if (f->in_fd != -1) {
		close(f->in_fd);
		f->in_fd = -1;
	}
	r = &f->res;
	r->exit_code = res->exit_code;
	r->signal = res->signal;
	r->error = res->spawn_errno;
	r->timed_out = res->timed_out;
	r->cancelled = f->cancel_asked && res->killed;
	r->pid = res->spawn_errno != 0 ? -1 : res->pid;
	r->wall = res->runtime;
	r->max_rss_kb = res->max_rss_kb;
	r->user_cpu = res->user_s;
	r->system_cpu = res->sys_s;
	if (res->spawn_errno != 0)
		r->exit_code = -1;
	take_output(p, f, 0);
	take_output(p, f, 1);
	settle(f);
	return RUN_CONTINUE;
}

/* Nothing queued: the run waits on the wake eventfd, which submit pokes. */
static int
wait_fd(void *arg)
{
	struct parx_pool *p = arg;

	return p->queue.n > 0 || p->shut ? -1 : p->wake;
}

/* ---- the pool ---- */

void
parx_pool_opts_init(struct parx_pool_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->output = PARX_CAPTURE;
	o->out_fd = STDOUT_FILENO;
	o->err_fd = STDERR_FILENO;
}

void
parx_job_opts_init(struct parx_job_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->stdin_fd = -1;
}

static int
pool_run_opts(struct parx_pool *p)
{
	struct run_opts *ro = &p->ro;
	const char *errstr;
	bool streams = p->o.output != PARX_CAPTURE &&
	    p->o.output != PARX_DISCARD;

	memset(ro, 0, sizeof(*ro));
	ro->name = "parx";
	ro->embedded = true;
	ro->jobs = p->o.slots;
	switch (p->o.output) {
	case PARX_KEEP:
		ro->output = COLLATE_KEEP;
		break;
	case PARX_LINE:
		ro->output = COLLATE_LINE;
		break;
	case PARX_UNGROUP:
		ro->output = COLLATE_UNGROUP;
		break;
	case PARX_GROUP:
	case PARX_CAPTURE:
	case PARX_DISCARD:
		ro->output = COLLATE_GROUP;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	/* The run's own notices go where the jobs' stderr goes, or nowhere. */
	ro->out[0] = streams ? p->o.out_fd : p->devnull;
	ro->out[1] = streams ? p->o.err_fd : p->devnull;
	ro->shell = p->shell;
	ro->tmpdir = p->tmpdir;
	ro->mem_limit = p->o.hold_max;
	ro->cgroups = (p->o.contain & PARX_CONTAIN_CGROUP) != 0;
	if (p->o.termseq != NULL &&
	    termseq_parse(p->o.termseq, &ro->termseq, &errstr) == -1) {
		errno = EINVAL;
		return -1;
	}
	p->cb.next_job = next_job;
	p->cb.job_done = job_done;
	p->cb.wait_fd = wait_fd;
	p->cb.arg = p;
	return 0;
}

struct parx_pool *
parx_pool_new(const struct parx_pool_opts *o)
{
	struct parx_pool *p;
	struct cpu_count c;
	const char *tmp;
	int e;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->devnull = p->wake = p->epfd = -1;
	p->o = *o;
	if (p->o.slots == 0) {
		cpus_count(&c);
		p->o.slots = c.threads > 0 ? c.threads : 1;
	}
	if (p->o.capture_max == 0)
		p->o.capture_max = CAPTURE_MAX_DEFAULT;
	if (p->o.hold_max == 0)
		p->o.hold_max = HOLD_MAX_DEFAULT;
	if ((tmp = o->tmpdir) == NULL && ((tmp = getenv("TMPDIR")) == NULL ||
	    *tmp == '\0'))
		tmp = "/tmp";
	if ((p->tmpdir = strdup(tmp)) == NULL ||
	    (p->shell = strdup(o->shell != NULL ? o->shell : "/bin/sh")) ==
	    NULL)
		goto fail;
	if ((p->devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1 ||
	    (p->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1)
		goto fail;
	if (pool_run_opts(p) == -1)
		goto fail;
	if ((p->run = run_new(&p->ro, &p->cb, &p->stats)) == NULL)
		goto fail;
	return p;
fail:
	e = errno;
	if (p->devnull != -1)
		close(p->devnull);
	if (p->wake != -1)
		close(p->wake);
	free(p->tmpdir);
	free(p->shell);
	free(p);
	errno = e;
	return NULL;
}

/* ---- submitting ---- */

static struct parx_future *
new_future(struct parx_pool *p, const struct parx_job_opts *o)
{
	struct parx_future *f;

	if (p->run == NULL || p->shut) {
		errno = EINVAL;
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->pool = p;
	f->in_fd = f->cap[0] = f->cap[1] = -1;
	f->res.out = f->res.err = "";
	f->res.pid = -1;
	f->timeout = p->o.timeout;
	if (o == NULL)
		return f;
	f->res.data = o->data;
	if (o->timeout != 0)
		f->timeout = o->timeout > 0 ? o->timeout : 0;
	if (o->env != NULL &&
	    (f->env = job_pack_words((char *const *)o->env)) == NULL)
		goto fail;
	if (o->cwd != NULL && (f->cwd = strdup(o->cwd)) == NULL)
		goto fail;
	if (o->stdin_fd >= 0) {
		if ((f->in_fd = fcntl(o->stdin_fd, F_DUPFD_CLOEXEC, 3)) == -1)
			goto fail;
	} else if (o->stdin_len > 0) {
		if ((f->in_data = malloc(o->stdin_len)) == NULL)
			goto fail;
		memcpy(f->in_data, o->stdin_data, o->stdin_len);
		f->in_len = o->stdin_len;
	}
	return f;
fail:
	release_job(f);
	free(f);
	return NULL;
}

/* Queues f; with queue_max, runs the pool until there is room. */
static struct parx_future *
enqueue(struct parx_pool *p, struct parx_future *f)
{
	static const uint64_t one = 1;

	f->seq = ++p->next_seq;
	f->res.seq = f->seq;
	f->state = FUTURE_QUEUED;
	f->all_next = p->all;
	if (p->all != NULL)
		p->all->all_prev = f;
	p->all = f;
	list_add(&p->queue, f);
	/* A caller's loop that polls parx_pool_fd() learns of it. */
	if (p->epfd != -1)
		(void)write(p->wake, &one, sizeof(one));
	while (p->o.queue_max > 0 && p->queue.n >= p->o.queue_max &&
	    run_step_wait(p->run, -1) == 1)
		;
	return f;
}

struct parx_future *
parx_submit_argv(struct parx_pool *p, const char *const argv[],
    const struct parx_job_opts *o)
{
	struct parx_future *f;
	struct buf cmd;
	size_t n;

	if (argv == NULL || argv[0] == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((f = new_future(p, o)) == NULL)
		return NULL;
	if ((f->argv = job_pack_words((char *const *)argv)) == NULL) {
		release_job(f);
		free(f);
		return NULL;
	}
	/* What a shell would need to run the same: for messages only. */
	buf_init(&cmd);
	for (n = 0; argv[n] != NULL; n++) {
		if (n > 0)
			buf_addch(&cmd, ' ');
		quote_shell(&cmd, argv[n], strlen(argv[n]));
	}
	f->cmd = buf_detach(&cmd);
	return enqueue(p, f);
}

struct parx_future *
parx_submit_shell(struct parx_pool *p, const char *cmdline,
    const struct parx_job_opts *o)
{
	struct parx_future *f;

	if (cmdline == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((f = new_future(p, o)) == NULL)
		return NULL;
	if ((f->cmd = strdup(cmdline)) == NULL) {
		release_job(f);
		free(f);
		return NULL;
	}
	return enqueue(p, f);
}

/* ---- waiting ---- */

static double
deadline_of(double timeout)
{
	return timeout < 0 ? -1 : monotime_now() + timeout;
}

/*
 * One round of the run, waiting no later than deadline (< 0: none).
 * -1 with errno ETIMEDOUT once the deadline has passed.
 */
static int
turn(struct parx_pool *p, double deadline)
{
	double left;
	int ms = -1;

	if (deadline >= 0) {
		left = deadline - monotime_now();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		ms = (int)(left * 1000) + 1;
	}
	(void)run_step_wait(p->run, ms);
	return 0;
}

static bool
idle(const struct parx_pool *p)
{
	return p->queue.n == 0 && p->running.n == 0;
}

int
parx_wait(struct parx_future *f, double timeout)
{
	double deadline = deadline_of(timeout);

	while (f->state != FUTURE_DONE)
		if (turn(f->pool, deadline) == -1)
			return -1;
	return 0;
}

struct parx_future *
parx_wait_any(struct parx_pool *p, double timeout)
{
	double deadline = deadline_of(timeout);
	struct parx_future *f;

	for (;;) {
		if ((f = p->done.head) != NULL) {
			list_del(&p->done, f);
			f->in_done = false;
			return f;
		}
		if (idle(p) || p->run == NULL) {
			errno = ECHILD;
			return NULL;
		}
		if (turn(p, deadline) == -1)
			return NULL;
	}
}

int
parx_wait_all(struct parx_pool *p, double timeout)
{
	double deadline = deadline_of(timeout);

	while (p->run != NULL && !idle(p))
		if (turn(p, deadline) == -1)
			return -1;
	return 0;
}

bool
parx_done(const struct parx_future *f)
{
	return f->state == FUTURE_DONE;
}

const struct parx_result *
parx_result(const struct parx_future *f)
{
	return f->state == FUTURE_DONE ? &f->res : NULL;
}

int
parx_cancel(struct parx_future *f)
{
	struct parx_pool *p = f->pool;

	switch (f->state) {
	case FUTURE_QUEUED:
		drop_queued(f);
		return 0;
	case FUTURE_RUNNING:
		if (!f->cancel_asked && run_cancel(p->run, f->seq)) {
			f->cancel_asked = true;
			return 0;
		}
		break;
	case FUTURE_DONE:
		break;
	}
	errno = EALREADY;
	return -1;
}

void
parx_future_free(struct parx_future *f)
{
	if (f == NULL)
		return;
	switch (f->state) {
	case FUTURE_QUEUED:
	case FUTURE_RUNNING:
		f->orphan = true;	/* settle() frees it */
		return;
	case FUTURE_DONE:
		if (f->in_done)
			list_del(&f->pool->done, f);
		break;
	}
	destroy(f);
}

/* ---- map ---- */

int
parx_map(struct parx_pool *p, const char *tmpl, const char *const *inputs,
    size_t n, parx_map_fn *fn, void *arg)
{
	struct template_opts to;
	struct template *t;
	struct parx_future **ring = NULL, *f;
	char *words[1] = { (char *)tmpl };
	const char *errstr;
	size_t window = 2 * (size_t)p->o.slots, sent = 0, got = 0;
	int ret = 0, e = 0;

	if (tmpl == NULL || p->run == NULL || p->shut) {
		errno = EINVAL;
		return -1;
	}
	memset(&to, 0, sizeof(to));
	if ((t = template_new(words, 1, &to, &errstr)) == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((ring = calloc(window, sizeof(*ring))) == NULL) {
		template_free(t);
		return -1;
	}
	while (got < n) {
		/* Ahead of the job fn waits for by window jobs at most. */
		while (sent < n && sent - got < window) {
			if ((f = new_future(p, NULL)) == NULL) {
				e = errno;
				goto stop;
			}
			f->tmpl = t;
			f->input = inputs[sent];
			f->map_seq = sent + 1;
			f->in_map = true;
			ring[sent++ % window] = enqueue(p, f);
		}
		f = ring[got % window];
		(void)parx_wait(f, -1);
		ret = fn(arg, got, &f->res);
		ring[got++ % window] = NULL;
		parx_future_free(f);
		if (ret != 0) {
			e = ECANCELED;
			goto stop;
		}
	}
	free(ring);
	template_free(t);
	return 0;
stop:
	/*
	 * Those waiting are dropped (nothing else uses t: a job expands it
	 * as it starts), and those running cancelled.
	 */
	for (; got < sent; got++) {
		(void)parx_cancel(ring[got % window]);
		parx_future_free(ring[got % window]);
	}
	free(ring);
	template_free(t);
	errno = e;
	return -1;
}

/* ---- the loop, and the end ---- */

/*
 * The caller polls an epoll set of two: the run's own (its jobs, its
 * deadlines) and the eventfd submitting pokes, which each step empties.
 */
int
parx_pool_fd(struct parx_pool *p)
{
	struct epoll_event ev;
	int fd, e;

	if (p->run == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (p->epfd != -1)
		return p->epfd;
	if ((fd = run_fd(p->run)) == -1 ||
	    (p->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = fd;
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		goto fail;
	ev.data.fd = p->wake;
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->wake, &ev) == -1)
		goto fail;
	return p->epfd;
fail:
	e = errno;
	close(p->epfd);
	p->epfd = -1;
	errno = e;
	return -1;
}

int
parx_pool_step(struct parx_pool *p, int timeout_ms)
{
	uint64_t ticks;

	if (p->epfd != -1)
		(void)read(p->wake, &ticks, sizeof(ticks));
	if (p->run == NULL)
		return 0;
	/*
	 * Idle, it still takes a round that does not wait: one that
	 * empties and disarms the timer of a deadline that is gone, which
	 * would keep parx_pool_fd() readable.
	 */
	(void)run_step_wait(p->run, idle(p) ? 0 : timeout_ms);
	return !idle(p);
}

int
parx_pool_shutdown(struct parx_pool *p, bool wait)
{
	struct parx_future *f, *next;

	if (p->run == NULL)
		return 0;
	p->shut = true;
	if (!wait) {
		for (f = p->queue.head; f != NULL; f = next) {
			next = f->next;
			drop_queued(f);
		}
		for (f = p->running.head; f != NULL; f = next) {
			next = f->next;
			(void)parx_cancel(f);
		}
	}
	while (run_step_wait(p->run, -1) == 1)
		;
	run_free(p->run);
	p->run = NULL;
	return 0;
}

void
parx_pool_free(struct parx_pool *p)
{
	struct parx_future *f, *next;

	if (p == NULL)
		return;
	(void)parx_pool_shutdown(p, false);
	for (f = p->all; f != NULL; f = next) {
		next = f->all_next;
		free_future(f);
	}
	p->all = NULL;
	close(p->devnull);
	close(p->wake);
	if (p->epfd != -1)
		close(p->epfd);
	free(p->tmpdir);
	free(p->shell);
	free(p);
}
