/*
 * run: the supervisor loop.
 *
 * One poll() set holds the signal fd and every job's output pipes; the
 * poll timeout is the nearest deadline (a --timeout, the next step of a
 * kill sequence, --delay), so nothing sleeps.  A job's process exits
 * first or its pipes reach end of file first, in either order (tmux's
 * DEAD and CLOSED).  The job is over when its process has exited: what
 * its pipes hold at that moment is collected, and no end of file is
 * waited for, since a background child that inherited the pipes may hold
 * them open for ever.  Its slot is then refilled at once.
 *
 * What detaches from a job is handed back to parx (contain.c) and ended
 * with the run.
 */
#include "run.h"

#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cgroup.h"
#include "contain.h"
#include "exitcode.h"
#include "fdio.h"
#include "jobenv.h"
#include "jobin.h"
#include "monotime.h"
#include "pace.h"
#include "sig.h"
#include "spawn.h"
#include "termfg.h"
#include "termseq.h"
#include "xmalloc.h"

#define READ_ROUND	(1024 * 1024)	/* per pipe per poll, for fairness */
/*
 * No job runs and none can start for want of processes or memory: try
 * again after a pause that doubles from START_RETRY_MIN up to a second,
 * for START_RETRY_FOR seconds in all before giving up.
 */
#define START_RETRY_MIN	0.01
#define START_RETRY_FOR	10.0
#define STDIN_FILENO_STREAM 2		/* pfd_stream: the job's stdin */
#define INOTIFY_STREAM	3		/* pfd_stream: --fifo's inotify */
#define INPUT_STREAM	4		/* pfd_stream: where jobs come from */
#define PIDFD_STREAM	5		/* pfd_stream: the job's pidfd */

struct slot {
	bool			 busy;
	pid_t			 pid;		/* -1: could not be started */
	bool			 exited;
	int			 status;	/* wait status, or errno */
	int			 pidfd;		/* embedded: its process, or
						   -1 */
	int			 fd[2];		/* stdout, stderr pipes or -1 */
	size_t			 tail[2];	/* exited: bytes left to take */
	int			 reaped_status;	/* for reap()'s batch */
	struct rusage		 usage;		/* wait4()'s, once reaped */
	struct jobin		 in;		/* its stdin */
	struct run_job		 job;
	struct collate_job	*cj;
	unsigned		 attempts;
	struct timespec		 start;
	double			 mono_start;
	struct termjob		 term;		/* --timeout, --termseq */
	bool			 timed_out;
	bool			 killed;
	bool			 limit_killed;	/* by --limit, to run again */
	int			 tee_errno;	/* writing a tee_fd failed */
	unsigned long long	 bytes[2];
	double			 held_due[2];	/* take held output again then */
	char			*files_path;	/* --files: where stdout went */
	bool			 tty_waiting;	/* stopped reading the terminal
						   another job owns (--tty) */
	bool			 mem_stopped;	/* by --memsuspend */
};

struct run {
	const struct run_opts		*opts;
	const struct run_callbacks	*cb;
	struct run_stats		*stats;
	struct collate			*col;
	struct slot			*slots;
	struct slot			**batch;	/* reap(): exited together */
	unsigned long			 nslots;
	unsigned long			 limit;		/* slots we may use */
	unsigned long			 running;
	bool				 input_done;
	int				 input_wait;	/* next_job() would block
							   on it: poll it, or -1 */
	bool				 stopping;	/* start no more */
	bool				 killing;	/* ending every job */
	bool				 out_blocked;	/* stdout full: wait for it */
	struct pace			 pace;
	/*
	 * Jobs that wait for a slot, before any new one, the first first:
	 * one that could not start for want of resources, one --limit
	 * ended, ones whose host was lost.  cj is a job's place in the
	 * output if it ran, or NULL.
	 */
	struct waiting {
		struct run_job		 job;
		struct collate_job	*cj;
	}				*deferred;
	size_t				 ndeferred, deferred_cap;
	double				 retry_at;	/* deferred: not before */
	unsigned long			 mem_stopped;	/* --memsuspend: jobs stopped */
	double				 mem_next;	/* look at memory then */
	double				 retry_pause;
	double				 retry_since;	/* first failure */
	struct termseq			 termseq;
	int				 devnull;
	struct jobenv			*env;
	sigset_t			 sigdefault;
	struct runtimes			 runtimes;	/* --timeout N% */
	struct cgroups			*cg;		/* or NULL */
	struct jobin_fifos		 fifos;		/* --fifo */
	struct jobin_source		 src;		/* --round-robin */
	struct contain			*cont;
	struct pollfd			*pfd;
	struct slot			**pfd_slot;
	int				*pfd_stream;
	struct termfg			 tty;		/* --tty: the jobs' stdin */
	pid_t				 tty_owner;	/* the job that has it */
	int				 max_wait;	/* ms a round may wait, or -1 */
	unsigned long			 finished;	/* jobs finish()ed, in all */
	unsigned long			 finished_seen;	/* as the round began */
	/*
	 * run_fd(): an epoll set that mirrors the last round's poll set,
	 * and a timer for its timeout; rebuilt whenever that set changed
	 * (ep_dirty: a descriptor was opened, which may reuse the number
	 * of one closed since).
	 */
	int				 epfd;
	int				 timerfd;
	struct pollfd			*ep_set;
	nfds_t				 nep;
	bool				 ep_dirty;
};

static void	check_write(struct run *, int);
static void	end_run(struct run *, int sig);
static void	settle_tty(struct run *);
static void	tty_stops(struct run *);

/*
 * parx's own notice on its stderr ("name: msg"), through the collator so
 * that it never lands inside a job's line.  Before the collator exists
 * it goes straight out.
 */
static void
notice(struct run *r, const char *msg)
{
	struct buf b;

	buf_init(&b);
	buf_addstr(&b, r->opts->name != NULL ? r->opts->name : "parx");
	buf_addstr(&b, ": ");
	buf_addstr(&b, msg);
	buf_addch(&b, '\n');
	if (r->col != NULL)
		check_write(r, collate_notice(r->col, b.data, b.len));
	else
		(void)fdio_write_full(r->opts->out[COLLATE_STDERR], b.data,
		    b.len);
	buf_release(&b);
}

/* Errors after which the shell gets a go: it may know a builtin. */
static bool
shell_may_know(int e)
{
	return e == ENOENT || e == EACCES || e == ENOEXEC || e == EPERM ||
	    e == ENOTDIR || e == ELOOP || e == ENAMETOOLONG;
}

/* Errors that mean "too many at once" rather than "this job is bad". */
static bool
out_of_resources(int e)
{
	return e == EMFILE || e == ENFILE || e == EAGAIN || e == ENOMEM;
}

static void
close_fd(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

/* ---- starting ---- */

static int
spawn_process(struct run *r, struct slot *s, int in, int out, int err)
{
	struct spawn_req req;
	struct buf full;
	char **argv, **envp = NULL;
	int e;

	memset(&req, 0, sizeof(req));
	req.envp = jobenv_for(r->env, s->job.seq, s - r->slots + 1);
	if (s->job.env_add != NULL) {
		if ((envp = jobenv_plus(req.envp, s->job.env_add)) == NULL)
			return ENOMEM;
		req.envp = envp;
	}
	req.fd_in = in;
	req.fd_out = out;
	req.fd_err = err;
	req.sigdefault = &r->sigdefault;
	req.cgroup_procs = cgroup_slot_procs(r->cg, s - r->slots + 1);
	req.cwd = s->job.cwd;
	/* --tty: the first job to start while nobody has the terminal. */
	if (r->opts->give_tty && r->tty_owner == 0 &&
	    termfg_steerable(&r->tty)) {
		req.tty = r->tty.fd;
		req.foreground = true;
	}
	if (s->job.argv != NULL) {
		req.file = s->job.argv[0];
		req.argv = s->job.argv;
		e = spawn_job(&req, &s->pid);
		if (e == 0 || !shell_may_know(e) || s->job.argv_only)
			goto out;
	}
	buf_init(&full);
	if (r->opts->prelude != NULL)
		jobenv_prelude(&full, r->opts->shell, r->opts->prelude,
		    s->job.cmd);
	argv = jobenv_shell_argv(r->opts->shell, r->opts->prelude != NULL ?
	    full.data : s->job.cmd);
	req.file = argv[0];
	req.argv = argv;
	e = spawn_job(&req, &s->pid);
	jobenv_free_shell_argv(argv);
	buf_release(&full);
out:
	free(envp);
	if (e == 0 && req.foreground) {
		r->tty_owner = s->pid;
		termfg_given(&r->tty, s->pid);
	}
	return e;
}

static int
make_pipe(int fd[2])
{
	int e;

	if (pipe2(fd, O_CLOEXEC) == -1)
		return -1;
	/* Only parx's end is non-blocking; the job sees a normal pipe. */
	if (fcntl(fd[0], F_SETFL, O_NONBLOCK) == -1) {
		e = errno;
		close_fd(&fd[0]);
		close_fd(&fd[1]);
		errno = e;
		return -1;
	}
	/* Room for a burst of output: fewer wakeups per megabyte. */
	(void)fcntl(fd[0], F_SETPIPE_SZ, 1024 * 1024);
	return 0;
}

/* Opens the job's output: pipes, or the --files file.  -1 with errno. */
static int
open_outputs(struct run *r, struct slot *s, int pout[2], int perr[2])
{
	const char *dir = r->opts->tmpdir != NULL ? r->opts->tmpdir : "/tmp";
	int e;

	pout[0] = pout[1] = perr[0] = perr[1] = -1;
	if (s->job.out_given) {
		/* Borrowed: dup'ed, as the pipes' ends are closed after. */
		if ((pout[1] = fcntl(s->job.out_fd[0], F_DUPFD_CLOEXEC,
		    3)) == -1)
			return -1;
		if ((perr[1] = fcntl(s->job.out_fd[1], F_DUPFD_CLOEXEC,
		    3)) == -1) {
			e = errno;
			close_fd(&pout[1]);
			errno = e;
			return -1;
		}
		return 0;
	}
	/* The job writes to our stdout itself, when that is where it goes. */
	if (r->opts->output == COLLATE_UNGROUP && s->job.tag == NULL &&
	    s->job.color == NULL &&
	    s->job.tee_fd[0] == -1 && s->job.tee_fd[1] == -1 &&
	    r->opts->out[0] == STDOUT_FILENO &&
	    r->opts->out[1] == STDERR_FILENO)
		return 0;
	if (r->opts->files && s->files_path == NULL) {
		if ((pout[1] = fdio_mktemp_par(dir, &s->files_path)) == -1)
			return -1;
	} else if (r->opts->files) {
		if ((pout[1] = open(s->files_path, O_WRONLY | O_TRUNC |
		    O_CLOEXEC)) == -1)
			return -1;
	} else if (make_pipe(pout) == -1)
		return -1;
	if (make_pipe(perr) == -1) {
		e = errno;
		close_fd(&pout[0]);
		close_fd(&pout[1]);
		errno = e;
		return -1;
	}
	return 0;
}

static bool
is_tty(const struct run *r, int fd)
{
	return r->opts->give_tty && fd == r->tty.fd;
}

/* Starts (another attempt of) the job in slot s: 0, or an errno value. */
static int
launch(struct run *r, struct slot *s)
{
	int pout[2], perr[2], in, e;
	bool borrowed;

	if (s->job.in_given)
		in = s->job.in_fd;
	else if (jobin_open(&s->in, &r->fifos, &s->job, r->devnull,
	    &in) == -1)
		return errno;
	/* --tty: a job with nothing to read reads the terminal (borrowed). */
	if (in == r->devnull && r->opts->give_tty)
		in = r->tty.fd;
	borrowed = in == r->devnull || is_tty(r, in) || s->job.in_given;
	if (open_outputs(r, s, pout, perr) == -1) {
		e = errno;
		if (!borrowed)
			close(in);
		jobin_close(&s->in, &r->fifos);
		return e;
	}
	e = spawn_process(r, s, in, pout[1], perr[1]);
	if (!borrowed)
		close(in);
	close_fd(&pout[1]);
	close_fd(&perr[1]);
	s->fd[0] = pout[0];
	s->fd[1] = perr[0];
	r->ep_dirty = true;
	/*
	 * A guest reaps only its own children, each by its pidfd; one it
	 * cannot track is not left running untracked.
	 */
	if (e == 0 && r->opts->embedded &&
	    (s->pidfd = pidfd_open(s->pid, 0)) == -1) {
		e = errno;
		(void)kill(-s->pid, SIGKILL);
		while (waitpid(s->pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	if (e != 0) {
		close_fd(&s->fd[0]);
		close_fd(&s->fd[1]);
		jobin_close(&s->in, &r->fifos);
		return e;
	}
	s->attempts++;
	s->exited = false;
	s->status = 0;
	/* Whatever ended the last attempt says nothing about this one. */
	s->timed_out = false;
	s->killed = false;
	s->bytes[0] = s->bytes[1] = 0;
	s->held_due[0] = s->held_due[1] = 0;
	clock_gettime(CLOCK_REALTIME, &s->start);
	s->mono_start = monotime_now();
	pace_started(&r->pace, s->mono_start);
	termjob_init(&s->term, s->mono_start, s->job.timeout > 0 ?
	    s->job.timeout : runtimes_timeout(&r->runtimes, r->opts->timeout,
	    r->opts->timeout_pct));
	return 0;
}

static void
announce(struct run *r, struct slot *s)
{
	/* As GNU: with --files, stdout has the file names only. */
	if (r->opts->verbose && !r->opts->files) {
		collate_add(r->col, s->cj, COLLATE_STDOUT, s->job.cmd,
		    strlen(s->job.cmd));
		collate_add(r->col, s->cj, COLLATE_STDOUT, "\n", 1);
	}
	if (r->opts->trace) {
		collate_add(r->col, s->cj, COLLATE_STDERR, s->job.cmd,
		    strlen(s->job.cmd));
		collate_add(r->col, s->cj, COLLATE_STDERR, "\n", 1);
	}
}

/*
 * No job runs, so nothing will end to free what the job lacked: whether
 * to try again later (the pause is set), or to give up.  Descriptors are
 * parx's own and are not coming back; processes and memory may be.
 */
static bool
may_retry_start(struct run *r, int e)
{
	double now = monotime_now();

	if (e == EMFILE)
		return false;
	if (r->retry_since == 0) {
		r->retry_since = now;
		r->retry_pause = START_RETRY_MIN;
	} else if (now - r->retry_since >= START_RETRY_FOR)
		return false;
	else if ((r->retry_pause *= 2) > 1)
		r->retry_pause = 1;
	r->retry_at = now + r->retry_pause;
	return true;
}

/*
 * Takes the next job (a deferred one first) into slot s and starts it.
 * 1 when the slot is taken (running, or finished at once because it could
 * not start), 0 when there is no job, -1 on an input error, 2 when the
 * job had to wait for resources.
 */
/* Puts job (and its place in the output, or NULL) to wait for a slot. */
static void
defer(struct run *r, const struct run_job *job, struct collate_job *cj,
    bool first)
{
	if (r->ndeferred == r->deferred_cap) {
		r->deferred_cap = r->deferred_cap ? 2 * r->deferred_cap : 4;
		r->deferred = xreallocarray(r->deferred, r->deferred_cap,
		    sizeof(*r->deferred));
	}
	if (first) {
		memmove(r->deferred + 1, r->deferred,
		    r->ndeferred * sizeof(*r->deferred));
		r->deferred[0].job = *job;
		r->deferred[0].cj = cj;
	} else {
		r->deferred[r->ndeferred].job = *job;
		r->deferred[r->ndeferred].cj = cj;
	}
	r->ndeferred++;
}

static int
start_job(struct run *r, struct slot *s)
{
	unsigned long slotno = s - r->slots + 1;
	struct collate_job *cj = NULL;
	bool from_queue = false;
	int got, e;

	memset(s, 0, sizeof(*s));
	s->fd[0] = s->fd[1] = s->in.pipe = s->in.held = s->pidfd = -1;
	s->in.fifo_wd = -1;
	termjob_init(&s->term, 0, 0);
	if (r->ndeferred > 0) {
		/* The first waiting, taken off the queue once it runs. */
		s->job = r->deferred[0].job;
		if (r->cb->again != NULL)
			r->cb->again(r->cb->arg, slotno, &s->job);
		from_queue = true;
	} else {
		memset(&s->job, 0, sizeof(s->job));
		s->job.tee_fd[0] = s->job.tee_fd[1] = -1;
		got = r->cb->next_job(r->cb->arg, slotno, &s->job);
		if (got == 2)
			return 3;	/* not yet: wait_fd() says when */
		if (got <= 0) {
			if (got == -1)
				r->stats->input_errno = errno;
			return got;
		}
	}
	e = launch(r, s);
	if (e != 0 && out_of_resources(e)) {
		free(s->files_path);
		s->files_path = NULL;
		if (r->running == 0 && !may_retry_start(r, e)) {
			/* Not run, not logged: --resume will run it. */
			r->stats->start_errno = e;
			r->stats->start_seq = s->job.seq;
			job_release(&s->job);
			r->stopping = true;
			return 0;
		}
		/* Run it when a slot frees up, and use fewer slots. */
		if (from_queue)
			r->deferred[0].job = s->job;
		else
			defer(r, &s->job, NULL, true);
		if (r->running > 0 && r->limit > r->running) {
			r->limit = r->running;
			if (!r->stats->fewer_slots)
				notice(r, "system limit reached: running "
				    "fewer jobs at once");
			r->stats->fewer_slots = true;
		}
		return 2;
	}
	r->retry_since = 0;
	s->busy = true;
	r->running++;
	r->stats->started++;
	/* A job run again keeps its place in -k's order. */
	if (from_queue) {
		cj = r->deferred[0].cj;
		r->ndeferred--;
		memmove(r->deferred, r->deferred + 1,
		    r->ndeferred * sizeof(*r->deferred));
	}
	if (cj != NULL)
		s->cj = cj;
	else
		s->cj = collate_job_start(r->col, s->job.tag, s->job.color);
	announce(r, s);
	if (e != 0) {
		s->pid = -1;
		s->exited = true;
		s->status = e;
		clock_gettime(CLOCK_REALTIME, &s->start);
		s->mono_start = monotime_now();
	}
	return 1;
}

/* ---- finishing ---- */

static void
result_of(const struct slot *s, struct run_result *res)
{
	memset(res, 0, sizeof(*res));
	res->seq = s->job.seq;
	res->cmd = s->job.cmd;
	res->host = s->job.host;
	res->pid = s->pid;
	res->start = s->start;
	res->runtime = monotime_now() - s->mono_start;
	res->attempts = s->attempts;
	res->timed_out = s->timed_out;
	res->killed = s->killed;
	res->output_errno = s->tee_errno;
	res->out_bytes[0] = s->bytes[0];
	res->out_bytes[1] = s->bytes[1];
	res->in_bytes = s->in.sent;
	res->max_rss_kb = s->usage.ru_maxrss;
	res->user_s = (double)s->usage.ru_utime.tv_sec +
	    (double)s->usage.ru_utime.tv_usec / 1e6;
	res->sys_s = (double)s->usage.ru_stime.tv_sec +
	    (double)s->usage.ru_stime.tv_usec / 1e6;
	if (s->pid == -1) {
		res->spawn_errno = s->status;
		res->exit_code = s->status == ENOENT ? EXIT_NOT_FOUND :
		    EXIT_CANNOT_EXEC;
	} else if (WIFSIGNALED(s->status)) {
		res->exit_code = -1;
		res->signal = WTERMSIG(s->status);
	} else
		res->exit_code = WEXITSTATUS(s->status);
}

static void
check_write(struct run *r, int ret)
{
	if (ret == 0)
		return;
	if (collate_write_errno(r->col, COLLATE_STDOUT) == EPIPE &&
	    !r->stats->broken_pipe) {
		/* Nobody reads our output any more: wind down quietly. */
		r->stats->broken_pipe = true;
		r->stopping = true;
		r->killing = true;
	}
}

static void start_termseq(struct run *, struct slot *);
static void limit_kill_youngest(struct run *);

/*
 * A job runs again from the start (--retries, --limit): its copies
 * (--results) start again too; one that cannot is incomplete.
 */
static void
restart_copies(struct slot *s)
{
	int k;

	for (k = 0; k < 2; k++)
		if (s->job.tee_fd[k] != -1 &&
		    (ftruncate(s->job.tee_fd[k], 0) == -1 ||
		    lseek(s->job.tee_fd[k], 0, SEEK_SET) == -1)) {
			s->tee_errno = errno;
			close_fd(&s->job.tee_fd[k]);
		}
}

/* Stops everything: --halt now, an interrupt, a closed stdout. */
static void
kill_all(struct run *r)
{
	unsigned long i;

	r->stopping = true;
	r->killing = true;
	for (i = 0; i < r->nslots; i++)
		if (r->slots[i].busy)
			start_termseq(r, &r->slots[i]);
}

static bool
retry(struct run *r, struct slot *s, const struct run_result *res)
{
	if (res->exit_code == 0 || r->stopping || s->pid == -1 ||
	    s->attempts >= r->opts->retries)
		return false;
	collate_job_reset(r->col, s->cj);
	restart_copies(s);
	/* It may go elsewhere this time (another host). */
	if (r->cb->again != NULL)
		r->cb->again(r->cb->arg, (unsigned long)(s - r->slots) + 1,
		    &s->job);
	if (launch(r, s) != 0)
		return false;
	announce(r, s);
	return true;
}

/* -j FILE: the number of jobs at once, as the caller says now. */
static void
update_limit(struct run *r)
{
	unsigned long n;

	if (r->cb->slots == NULL || r->stats->fewer_slots)
		return;
	n = r->cb->slots(r->cb->arg);
	r->limit = n < 1 ? 1 : n > r->nslots ? r->nslots : n;
}

/*
 * A job --limit ended goes back to wait for a slot, as if never
 * started: its output so far is dropped (all of it is held under
 * --limit), keeping its place for -k, and its copies start again.
 */
static void
requeue(struct run *r, struct slot *s)
{
	collate_job_reset(r->col, s->cj);
	restart_copies(s);
	free(s->files_path);
	s->files_path = NULL;
	if (s->mem_stopped) {
		s->mem_stopped = false;
		r->mem_stopped--;
	}
	defer(r, &s->job, s->cj, false);
	r->retry_at = 0;
	memset(&s->job, 0, sizeof(s->job));
	s->busy = false;
	r->running--;
	r->stats->started--;
}

static void
finish(struct run *r, struct slot *s)
{
	struct run_result res;
	enum run_action act;
	struct buf say, say_out;

	if (s->limit_killed && !r->stopping && r->ndeferred == 0) {
		requeue(r, s);
		r->stats->limit_restarts++;
		return;
	}
	result_of(s, &res);
	/* Its host was lost before it could end: it runs again, elsewhere. */
	if (!r->stopping && r->cb->lost != NULL &&
	    r->cb->lost(r->cb->arg, &s->job, &res)) {
		requeue(r, s);
		r->stats->lost_restarts++;
		update_limit(r);
		return;
	}
	if (retry(r, s, &res))
		return;
	update_limit(r);
	if (s->files_path != NULL) {
		check_write(r, collate_add(r->col, s->cj, COLLATE_STDOUT,
		    s->files_path, strlen(s->files_path)));
		check_write(r, collate_add(r->col, s->cj, COLLATE_STDOUT,
		    "\n", 1));
	}
	if (res.exit_code != 0)
		r->stats->failed++;
	if (res.exit_code != 0 && r->opts->color_failed)
		collate_job_recolor(s->cj, COLLATE_COLOR_FAILED);
	else if (r->opts->timeout_pct > 0)
		runtimes_add(&r->runtimes, res.runtime);
	/* The tee files must be complete before job_done reads them. */
	close_fd(&s->job.tee_fd[0]);
	close_fd(&s->job.tee_fd[1]);
	buf_init(&say);
	buf_init(&say_out);
	act = r->cb->job_done(r->cb->arg, &res, &say, &say_out);
	/* What job_done has to say about the job goes out with its output. */
	if (say.len > 0)
		check_write(r, collate_add(r->col, s->cj, COLLATE_STDERR,
		    say.data, say.len));
	if (say_out.len > 0)
		check_write(r, collate_add(r->col, s->cj, COLLATE_STDOUT,
		    say_out.data, say_out.len));
	buf_release(&say);
	buf_release(&say_out);
	if (act != RUN_CONTINUE && !r->stats->halted) {
		r->stats->halted = true;
		r->stopping = true;
		if (act == RUN_STOP_NOW) {
			/* Before this job's end hands the output on. */
			collate_hold(r->col);
			kill_all(r);
		}
	}
	if (s->killed && r->killing && !r->stats->broken_pipe)
		check_write(r, collate_job_discard(r->col, s->cj));
	else
		check_write(r, collate_job_end(r->col, s->cj));
	job_release(&s->job);
	free(s->files_path);
	if (s->mem_stopped) {
		s->mem_stopped = false;
		r->mem_stopped--;
	}
	s->busy = false;
	r->running--;
	r->finished++;
}

/*
 * A job is finished when its process has exited, its pipes are taken and
 * no --termseq is still at work on what is left of its group.
 */
static void
maybe_finish(struct run *r, struct slot *s)
{
	if (s->busy && s->exited && s->fd[0] == -1 && s->fd[1] == -1 &&
	    !termjob_running(&s->term))
		finish(r, s);
}

/*
 * Takes what a job's pipe has (collate decides where it goes), and
 * closes it at end of file.  When parx's own output is full, the owner's
 * pipe waits for it (out_blocked) rather than for more input.
 */
static void
drain(struct run *r, struct slot *s, int stream)
{
	struct collate_taken t;

	check_write(r, collate_take(r->col, s->cj, stream, s->fd[stream],
	    &s->job.tee_fd[stream], READ_ROUND, &t));
	s->bytes[stream] += t.moved;
	if (t.tee_errno != 0)
		s->tee_errno = t.tee_errno;	/* the copy is incomplete */
	if (t.blocked)
		r->out_blocked = true;
	if (t.eof)
		close_fd(&s->fd[stream]);
	/* Only consulted while the job's output is held: see pace.c. */
	if (t.held > 0)
		s->held_due[stream] = pace_held_due(monotime_now(), t.held);
	/* What was there when the job exited is taken: it is over. */
	if (s->exited && s->fd[stream] != -1) {
		if (t.moved >= s->tail[stream])
			close_fd(&s->fd[stream]);
		else
			s->tail[stream] -= t.moved;
	}
}

static struct slot *
slot_of(struct run *r, pid_t pid)
{
	unsigned long i;

	for (i = 0; i < r->nslots; i++)
		if (r->slots[i].busy && r->slots[i].pid == pid)
			return &r->slots[i];
	return NULL;
}

/*
 * The job's process has exited with wait status st.  What its pipes hold
 * now is all the job wrote (a write to a pipe is done before the writer
 * can exit); it is still taken (tail), but no end of file is waited for:
 * a background child may hold the pipes for as long as it lives.  A job
 * we ended takes its cgroup along, escapees and all.
 */
static void
job_exited(struct run *r, struct slot *s, int st)
{
	int k, n;

	s->exited = true;
	s->status = st;
	close_fd(&s->pidfd);
	if (r->tty_owner != 0 && s->pid == r->tty_owner) {
		r->tty_owner = 0;
		settle_tty(r);
		/*
		 * Ctrl-C reached only the job that had the terminal; as a
		 * shell does, parx takes it as meant for itself too.
		 */
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGINT && !s->killed &&
		    !s->timed_out && r->stats->stop_signal == 0)
			end_run(r, SIGINT);
	}
	/*
	 * A --termseq goes on while anything of the group is left; once it
	 * is done, the cgroup takes along what left the group (setsid).
	 */
	if (termjob_running(&s->term) && !termjob_exited(&s->term, s->pid))
		cgroup_slot_kill(r->cg, s - r->slots + 1);
	jobin_close(&s->in, &r->fifos);	/* nobody will read the rest */
	if (s->job.in_stream && r->src.closed != NULL)
		r->src.closed(r->src.arg, s->job.seq);
	for (k = 0; k < 2; k++) {
		if (s->fd[k] == -1)
			continue;
		n = 0;
		if (ioctl(s->fd[k], FIONREAD, &n) == -1 || n <= 0)
			close_fd(&s->fd[k]);
		else
			s->tail[k] = (size_t)n;
	}
	maybe_finish(r, s);
}

/* Reaps job s if its process has exited: into the batch, see reap(). */
static void
reap_job(struct run *r, struct slot *s, size_t *n)
{
	pid_t pid;

	do
		pid = wait4(s->pid, &s->reaped_status, WNOHANG, &s->usage);
	while (pid == -1 && errno == EINTR);
	if (pid == s->pid)
		r->batch[(*n)++] = s;
}

static int
by_seq(const void *a, const void *b)
{
	unsigned long x = (*(struct slot *const *)a)->job.seq;
	unsigned long y = (*(struct slot *const *)b)->job.seq;

	return x < y ? -1 : x > y;
}

/*
 * One SIGCHLD may stand for many exits.  Each exited child is looked at
 * first (WNOWAIT) and reaped only if it is parx's: a job, an orphan of
 * one, the sentinel; a child parx inherited is left alone, and hides
 * the jobs behind it from waitid(P_ALL), so they are then reaped each by
 * its pid.  Jobs that exited together are then taken in input order, so
 * that, say, --halt soon,fail=1 names the first of two that failed at
 * once.
 */
static void
reap(struct run *r)
{
	unsigned long i;
	struct slot *s;
	siginfo_t si;
	size_t n = 0;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1) {
			if (errno == EINTR)
				continue;
			break;		/* ECHILD */
		}
		if (si.si_pid == 0)
			break;
		if ((s = slot_of(r, si.si_pid)) != NULL && !s->exited) {
			reap_job(r, s, &n);
			continue;
		}
		if (s == NULL && contain_reap_child(r->cont, si.si_pid))
			continue;
		for (i = 0; i < r->nslots; i++) {
			s = &r->slots[i];
			if (s->busy && !s->exited && s->pid > 0)
				reap_job(r, s, &n);
		}
		break;
	}
	qsort(r->batch, n, sizeof(*r->batch), by_seq);
	for (i = 0; i < n; i++)
		job_exited(r, r->batch[i], r->batch[i]->reaped_status);
}

/* ---- killing ---- */

/*
 * Starts the --termseq on job s's process group.  A job whose process has
 * already exited is not "killed" (its status is its own), but what is
 * left of its group still gets the sequence.
 */
static void
start_termseq(struct run *r, struct slot *s)
{
	(void)r;
	if (s->pid > 0 && termjob_start(&s->term, monotime_now()) && !s->exited)
		s->killed = true;
}

/*
 * --limit said "way over": the youngest job ends, to be run again later,
 * as in GNU parallel.  Only one waits to run again at a time, and a job
 * fed a stream (--round-robin, --shard) is never the one: its input
 * would be lost.
 */
static void
limit_kill_youngest(struct run *r)
{
	struct slot *s, *youngest = NULL;
	unsigned long i;

	if (r->ndeferred > 0 || r->stopping)
		return;
	for (i = 0; i < r->nslots; i++) {
		s = &r->slots[i];
		if (!s->busy || s->exited || s->pid <= 0 || s->limit_killed ||
		    s->job.in_stream || termjob_running(&s->term))
			continue;
		if (youngest == NULL || s->job.seq > youngest->job.seq)
			youngest = s;
	}
	if (youngest == NULL)
		return;
	youngest->limit_killed = true;
	start_termseq(r, youngest);
}

/* A second SIGINT or SIGTERM: no more waiting, SIGKILL to every job now. */
static void
kill_all_now(struct run *r)
{
	unsigned long i;
	struct slot *s;

	for (i = 0; i < r->nslots; i++) {
		s = &r->slots[i];
		if (!s->busy || !termjob_running(&s->term))
			continue;
		termjob_kill_now(&r->termseq, &s->term, s->pid, monotime_now());
		cgroup_slot_kill(r->cg, i + 1);
	}
}

/*
 * Acts on what is due: timeouts start the --termseq, its steps go out,
 * and a job whose sequence is over and whose process has exited ends
 * (its cgroup taking along what left its process group).
 */
static void
check_deadlines(struct run *r)
{
	double now = monotime_now();
	unsigned long i;
	struct slot *s;

	for (i = 0; i < r->nslots; i++) {
		s = &r->slots[i];
		if (!s->busy)
			continue;
		if (!s->exited && termjob_timed_out(&s->term, now)) {
			s->timed_out = true;
			start_termseq(r, s);
		}
		switch (termjob_advance(&r->termseq, &s->term, s->pid,
		    s->exited, now)) {
		case TERMJOB_KILLED:
			cgroup_slot_kill(r->cg, i + 1);
			break;
		case TERMJOB_OVER:
			cgroup_slot_kill(r->cg, i + 1);
			maybe_finish(r, s);
			break;
		case TERMJOB_NONE:
			break;
		}
	}
}

/*
 * As GNU parallel 20221122: SIGINT and SIGTERM end the run, each running
 * job getting the --termseq (a second one sends SIGKILL at once); SIGHUP
 * starts no more jobs and waits for the running ones.
 */
/*
 * Ctrl-Z.  The jobs are in process groups of their own, out of the
 * terminal's reach, so parx stops them (with SIGSTOP, which they cannot
 * ignore), then itself.  When it is continued (fg, bg) it continues them,
 * and the time they were stopped does not count against --timeout.
 */
static void
suspend(struct run *r)
{
	unsigned long i;
	double t0 = monotime_now(), away;

	for (i = 0; i < r->nslots; i++)
		if (r->slots[i].busy && r->slots[i].pid > 0)
			(void)kill(-r->slots[i].pid, SIGSTOP);
	(void)kill(getpid(), SIGSTOP);
	away = monotime_now() - t0;
	settle_tty(r);	/* before the jobs go on: the owner first */
	for (i = 0; i < r->nslots; i++) {
		if (!r->slots[i].busy || r->slots[i].pid <= 0)
			continue;
		if (!r->slots[i].mem_stopped)
			(void)kill(-r->slots[i].pid, SIGCONT);
		termjob_shift(&r->slots[i].term, away);
	}
}

/* SIGUSR1: a line on stderr for each running job, as GNU parallel does. */
static void
list_running(struct run *r)
{
	unsigned long i;
	struct slot *s;
	struct buf b;
	char head[128];
	const char *name = r->opts->name != NULL ? r->opts->name : "parx";
	double now = monotime_now();

	buf_init(&b);
	snprintf(head, sizeof(head), "%lu job%s running", r->running,
	    r->running == 1 ? "" : "s");
	buf_addstr(&b, head);
	for (i = 0; i < r->nslots; i++) {
		s = &r->slots[i];
		if (!s->busy)
			continue;
		snprintf(head, sizeof(head), "\n%s: job %lu, slot %lu, pid %ld, "
		    "%.1f s: ", name, s->job.seq, i + 1, (long)s->pid,
		    now - s->mono_start);
		buf_addstr(&b, head);
		buf_addstr(&b, s->job.cmd);
	}
	notice(r, b.data);
	buf_release(&b);
}

static void
handle_signals(struct run *r)
{
	char msg[160];
	int sig;

	while ((sig = sig_next()) > 0) {
		switch (sig) {
		case SIGCHLD:
			reap(r);
			if (r->opts->give_tty)
				tty_stops(r);
			break;
		case SIGTSTP:
			suspend(r);
			break;
		case SIGCONT:
			settle_tty(r);	/* fg after bg: the terminal is back */
			break;
		case SIGUSR1:
			list_running(r);
			break;
		case SIGHUP:
			if (r->stopping)
				break;
			r->stopping = true;
			r->stats->drained = true;
			snprintf(msg, sizeof(msg), "SIGHUP received: starting no "
			    "more jobs, waiting for the %lu running (SIGTERM "
			    "ends them)", r->running);
			notice(r, msg);
			break;
		default:
			end_run(r, sig);
			break;
		}
	}
}

/* SIGINT or SIGTERM: the termination sequence; a second one: SIGKILL. */
static void
end_run(struct run *r, int sig)
{
	if (r->stats->stop_signal != 0)
		kill_all_now(r);
	else {
		r->stats->stop_signal = sig;
		kill_all(r);
	}
}

/*
 * --tty: the terminal goes where it should be: to its owner; with none,
 * to the job that stopped waiting for it first (the lowest seq), which
 * is continued; with none of those, back to parx.  Nothing is done
 * while the terminal is someone else's (parx is in the background).
 */
static void
settle_tty(struct run *r)
{
	struct slot *s, *next = NULL;
	unsigned long i;

	if (!r->opts->give_tty || !termfg_steerable(&r->tty))
		return;
	if (r->tty_owner == 0) {
		for (i = 0; i < r->nslots; i++) {
			s = &r->slots[i];
			if (s->busy && !s->exited && s->pid > 0 &&
			    s->tty_waiting &&
			    (next == NULL || s->job.seq < next->job.seq))
				next = s;
		}
		if (next != NULL)
			r->tty_owner = next->pid;
	} else if ((next = slot_of(r, r->tty_owner)) != NULL &&
	    !next->tty_waiting)
		next = NULL;
	termfg_give(&r->tty, r->tty_owner != 0 ? r->tty_owner : getpgrp());
	if (next != NULL) {
		next->tty_waiting = false;
		(void)kill(-next->pid, SIGCONT);
	}
}

/*
 * --tty: the jobs' stops.  One that stopped to read or set the terminal
 * while another job had it (SIGTTIN, SIGTTOU) waits for its turn.
 * Ctrl-Z typed while a job has the terminal stops only that job, so parx
 * does the rest, as if it had been typed at parx.
 */
static void
tty_stops(struct run *r)
{
	unsigned long i;
	struct slot *s;
	siginfo_t si;
	bool ctrl_z = false;

	for (i = 0; i < r->nslots; i++) {
		s = &r->slots[i];
		if (!s->busy || s->exited || s->pid <= 0)
			continue;
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)s->pid, &si, WSTOPPED | WNOHANG) == -1 ||
		    si.si_pid == 0)
			continue;
		if (si.si_status == SIGTTIN || si.si_status == SIGTTOU)
			s->tty_waiting = true;
		else if (si.si_status == SIGTSTP && s->pid == r->tty_owner)
			ctrl_z = true;
	}
	if (ctrl_z)
		suspend(r);
	settle_tty(r);
}

/*
 * --memsuspend, looked at once a second: stops the newest running job
 * while memory is short (every job but the oldest when very short), and
 * continues the oldest stopped one when there is enough again.
 */
static void
mem_check(struct run *r, double now)
{
	unsigned long long avail, size = r->opts->memsuspend;
	struct slot *s, *oldest = NULL, *newest = NULL, *first_stopped = NULL;
	unsigned long i, active = 0;

	if (size == 0 || now < r->mem_next)
		return;
	r->mem_next = now + 1.0;
	avail = pace_mem_available();
	for (i = 0; i < r->nslots; i++) {
		s = &r->slots[i];
		if (!s->busy || s->exited || s->pid <= 0)
			continue;
		if (s->mem_stopped) {
			if (first_stopped == NULL ||
			    s->job.seq < first_stopped->job.seq)
				first_stopped = s;
			continue;
		}
		active++;
		if (oldest == NULL || s->job.seq < oldest->job.seq)
			oldest = s;
		if (newest == NULL || s->job.seq > newest->job.seq)
			newest = s;
	}
	if (avail < 2 * size && active > 1) {
		for (i = 0; i < r->nslots; i++) {
			s = &r->slots[i];
			if (!s->busy || s->exited || s->pid <= 0 ||
			    s->mem_stopped || s == oldest)
				continue;
			if (avail < size || s == newest) {
				(void)kill(-s->pid, SIGSTOP);
				s->mem_stopped = true;
				r->mem_stopped++;
			}
		}
	} else if (avail >= 2 * size && first_stopped != NULL) {
		(void)kill(-first_stopped->pid, SIGCONT);
		first_stopped->mem_stopped = false;
		r->mem_stopped--;
	}
}

/*
 * --shard, --bin: the jobs waiting for their lines ask again, and again
 * while one of them got some, since reading lines for one job may have
 * brought some for a job asked before it.  No job waits on one whose
 * lines have come, which no poll would wake.
 */
static void
retry_streams(struct run *r)
{
	bool again;
	unsigned long i;

	do {
		again = false;
		for (i = 0; i < r->nslots; i++)
			if (r->slots[i].busy && jobin_retry(&r->slots[i].in,
			    &r->slots[i].job, &r->src))
				again = true;
	} while (again);
}

/* Seconds to wait before another job may start; 0: now. */
static double
start_wait(struct run *r)
{
	double now = monotime_now(), wait = pace_start_wait(&r->pace, now), load;
	char msg[160];

	/*
	 * --memsuspend: nothing new while a job waits for memory, but one
	 * job always runs.
	 */
	if (r->opts->memsuspend > 0 && wait < 1.0 && r->running > 0 &&
	    (r->mem_stopped > 0 ||
	    pace_mem_available() < 2 * r->opts->memsuspend))
		wait = 1.0;
	/* Someone at a terminal should not wonder why nothing starts. */
	if (pace_load_note(&r->pace, now, &load) &&
	    isatty(r->opts->out[COLLATE_STDERR]) == 1) {
		snprintf(msg, sizeof(msg), "--load %g: holding jobs back while "
		    "%g processes run or wait for a disk", r->opts->max_load,
		    load);
		notice(r, msg);
	}
	/* A job that could not start waits for its retry (start_job()). */
	if (r->ndeferred > 0 && r->running == 0 && r->retry_at - now > wait)
		wait = r->retry_at - now;
	return wait;
}

static double
wake_at(const struct run *r)
{
	return r->cb->wake_at != NULL ? r->cb->wake_at(r->cb->arg) : 0;
}

/*
 * Whether next_job() can be asked without blocking; if not, the fd it
 * would block on goes into the next poll.
 */
static bool
input_ready(struct run *r)
{
	struct pollfd p;
	int fd;

	if (r->ndeferred > 0 || r->cb->wait_fd == NULL ||
	    (fd = r->cb->wait_fd(r->cb->arg)) < 0)
		return true;
	p.fd = fd;
	p.events = POLLIN;
	if (poll(&p, 1, 0) == 1 || (wake_at(r) > 0 &&
	    wake_at(r) <= monotime_now()))
		return true;
	r->input_wait = fd;
	return false;
}

static void
fill_slots(struct run *r)
{
	unsigned long i;
	int got;

	r->input_wait = -1;
	for (i = 0; i < r->nslots; i++) {
		if (r->stopping || (r->input_done && r->ndeferred == 0))
			return;
		if (r->slots[i].busy)
			continue;
		if (r->running >= r->limit || start_wait(r) > 0 ||
		    !input_ready(r))
			return;
		/* Not yet (3): take an answer already there, else poll. */
		do
			got = start_job(r, &r->slots[i]);
		while (got == 3 && input_ready(r));
		if (got == 2 || got == 3)
			return;
		if (got <= 0) {
			r->input_done = true;
			if (got == -1)
				r->stopping = true;
			return;
		}
		maybe_finish(r, &r->slots[i]);
	}
}

static int
poll_timeout(struct run *r, double now)
{
	double next = -1, t;
	unsigned long i;
	struct slot *s;

	for (i = 0; i < r->nslots; i++) {
		s = &r->slots[i];
		if (!s->busy)
			continue;
		t = termjob_when(&r->termseq, &s->term, s->exited);
		if (t >= 0 && (next < 0 || t < next))
			next = t;
	}
	if (!r->stopping && (!r->input_done || r->ndeferred > 0) &&
	    r->running < r->limit && (t = start_wait(r)) > 0 &&
	    (next < 0 || now + t < next))
		next = now + t;
	/* --block-timeout: a block is due whatever the input does. */
	if (r->input_wait != -1 && (t = wake_at(r)) > 0 &&
	    (next < 0 || t < next))
		next = t;
	/* --memsuspend looks at memory every second. */
	if (r->opts->memsuspend > 0 && r->running > 0 &&
	    (next < 0 || r->mem_next < next))
		next = r->mem_next;
	/* A status line to redraw wakes the caller now and then. */
	if (r->opts->tick > 0 && (next < 0 || now + r->opts->tick < next))
		next = now + r->opts->tick;
	if (next < 0)
		return -1;
	return next <= now ? 0 : (int)((next - now) * 1000) + 1;
}

/*
 * poll() itself failed (ENOMEM): parx cannot wait for its jobs as it
 * should, so it ends them and the run, looking every 10 ms instead of
 * waiting.  Nothing is lost of what the pipes hold; stats say why.
 */
static void
poll_failed(struct run *r)
{
	unsigned long i;
	int k;

	if (r->stats->poll_errno == 0) {
		r->stats->poll_errno = errno;
		notice(r, "cannot wait for the jobs: ending them");
		kill_all(r);
	}
	(void)usleep(10000);
	for (i = 0; i < r->nslots; i++)
		for (k = 0; k < 2; k++)
			if (r->slots[i].busy && r->slots[i].fd[k] != -1) {
				drain(r, &r->slots[i], k);
				maybe_finish(r, &r->slots[i]);
			}
	handle_signals(r);
	check_deadlines(r);
}

/* jobin_fifo_events(): the job watching wd has opened its FIFO. */
static void
fifo_opened(void *arg, int wd)
{
	struct run *r = arg;
	unsigned long i;

	for (i = 0; i < r->nslots; i++)
		if (r->slots[i].busy && r->slots[i].in.fifo_wd == wd)
			jobin_fifo_opened(&r->slots[i].in);
}

/*
 * Embedded: job s's pidfd is readable, its process has exited; reaped by
 * its pid alone, never by waiting for any child.
 */
static void
reap_one(struct run *r, struct slot *s)
{
	size_t n = 0;

	if (s->exited)
		return;
	errno = 0;
	reap_job(r, s, &n);
	if (n == 1)
		job_exited(r, s, s->reaped_status);
	else if (errno == ECHILD)
		/*
		 * The host reaped it (a waitpid(-1) of its own): its status
		 * is lost, but the job is not left running for ever.
		 */
		job_exited(r, s, W_EXITCODE(255, 0));
}

/* Makes the epoll set of run_fd() hold the n descriptors of r->pfd. */
static void
mirror_poll_set(struct run *r, nfds_t n)
{
	struct epoll_event ev;
	nfds_t i;

	if (!r->ep_dirty && n == r->nep) {
		/* revents still holds the last poll's: not compared. */
		for (i = 0; i < n; i++)
			if (r->ep_set[i].fd != r->pfd[i].fd ||
			    r->ep_set[i].events != r->pfd[i].events)
				break;
		if (i == n)
			return;
	}
	for (i = 0; i < r->nep; i++)
		if (r->ep_set[i].fd >= 0)
			(void)epoll_ctl(r->epfd, EPOLL_CTL_DEL, r->ep_set[i].fd,
			    NULL);
	r->ep_set = xreallocarray(r->ep_set, n > 0 ? n : 1,
	    sizeof(*r->ep_set));
	for (i = 0; i < n; i++) {
		r->ep_set[i] = r->pfd[i];
		r->ep_set[i].revents = 0;
		if (r->pfd[i].fd < 0)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.events = (r->pfd[i].events & POLLIN ? EPOLLIN : 0) |
		    (r->pfd[i].events & POLLOUT ? EPOLLOUT : 0);
		ev.data.fd = r->pfd[i].fd;
		/* The same descriptor twice (stdout and stderr alike). */
		if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->pfd[i].fd, &ev) == -1 &&
		    errno == EEXIST) {
			ev.events |= EPOLLIN | EPOLLOUT;
			(void)epoll_ctl(r->epfd, EPOLL_CTL_MOD, r->pfd[i].fd,
			    &ev);
		}
	}
	r->nep = n;
	r->ep_dirty = false;
}

/*
 * run_fd(): its epoll set holds the n descriptors of r->pfd, and its
 * timer says when timeout ms (the run's next deadline, -1: none) are up.
 */
static void
arm_fd(struct run *r, nfds_t n, int timeout)
{
	struct itimerspec its;
	uint64_t ticks;

	mirror_poll_set(r, n);
	while (read(r->timerfd, &ticks, sizeof(ticks)) > 0)
		;
	memset(&its, 0, sizeof(its));
	if (timeout >= 0) {
		/* 0 disarms: the soonest a timer can say "now" is 1 ns. */
		its.it_value.tv_sec = timeout / 1000;
		its.it_value.tv_nsec = (long)(timeout % 1000) * 1000000 + 1;
	}
	(void)timerfd_settime(r->timerfd, 0, &its, NULL);
}

/*
 * Waits for the round's descriptors up to timeout ms (the run's own
 * next deadline), as poll(), but no longer than the caller's max_wait.
 * With a run_fd() in use, its epoll set and timer are kept in step
 * first, so that a caller's own loop wakes when this round would have.
 */
static int
wait_round(struct run *r, nfds_t n, int timeout)
{
	int wait = timeout;

	if (r->max_wait >= 0 && (wait < 0 || wait > r->max_wait))
		wait = r->max_wait;
	/* A job ended before the poll (it could not start): say so now. */
	if (r->finished != r->finished_seen)
		wait = 0;
	if (r->epfd != -1)
		arm_fd(r, n, timeout);
	return poll(r->pfd, n, wait);
}

/*
 * What a round waits for: r->pfd's first n (the count returned), and
 * *timeout ms at most (-1: no deadline).
 */
static nfds_t
poll_set(struct run *r, int *timeout)
{
	double now = monotime_now(), held_next = -1;
	bool throttle = pace_throttle(&r->pace, collate_written(r->col),
	    r->running, now);
	struct slot *s;
	unsigned long i;
	nfds_t n = 0;
	int k;

	r->pfd[n].fd = r->opts->embedded ? -1 : sig_fd();
	r->pfd[n].events = POLLIN;
	r->pfd_slot[n++] = NULL;
	if (r->fifos.ino != -1) {
		r->pfd[n].fd = r->fifos.ino;
		r->pfd[n].events = POLLIN;
		r->pfd_slot[n] = NULL;
		r->pfd_stream[n++] = INOTIFY_STREAM;
	}
	if (r->input_wait != -1) {
		r->pfd[n].fd = r->input_wait;
		r->pfd[n].events = POLLIN;
		r->pfd_slot[n] = NULL;
		r->pfd_stream[n++] = INPUT_STREAM;
	}
	if (r->out_blocked) {
		/* Only parx's stdout can unblock the owner: wait for it. */
		r->pfd[n].fd = r->opts->out[COLLATE_STDOUT];
		r->pfd[n].events = POLLOUT;
		r->pfd_slot[n] = NULL;
		r->pfd_stream[n++] = -1;
	}
	for (i = 0; i < r->nslots; i++) {
		s = &r->slots[i];
		if (!s->busy)
			continue;
		for (k = 0; k < 2; k++) {
			if (s->fd[k] == -1)
				continue;
			if (r->out_blocked && k == COLLATE_STDOUT &&
			    !collate_holds(r->col, s->cj))
				continue;
			if (throttle && !s->exited && s->held_due[k] > now &&
			    collate_holds(r->col, s->cj)) {
				if (held_next < 0 || s->held_due[k] < held_next)
					held_next = s->held_due[k];
				continue;
			}
			r->pfd[n].fd = s->fd[k];
			r->pfd[n].events = POLLIN;
			r->pfd_slot[n] = s;
			r->pfd_stream[n++] = k;
		}
		if (jobin_pollable(&s->in)) {
			r->pfd[n].fd = s->in.pipe;
			r->pfd[n].events = POLLOUT;
			r->pfd_slot[n] = s;
			r->pfd_stream[n++] = STDIN_FILENO_STREAM;
		}
		if (s->pidfd != -1) {
			r->pfd[n].fd = s->pidfd;
			r->pfd[n].events = POLLIN;
			r->pfd_slot[n] = s;
			r->pfd_stream[n++] = PIDFD_STREAM;
		}
	}
	*timeout = poll_timeout(r, now);
	if (held_next >= 0 && (*timeout < 0 ||
	    held_next < now + *timeout / 1000.0))
		*timeout = (int)((held_next - now) * 1000) + 1;
	return n;
}

static void
poll_once(struct run *r)
{
	unsigned long i;
	nfds_t n;
	int timeout;

	retry_streams(r);
	n = poll_set(r, &timeout);
	if (wait_round(r, n, timeout) == -1) {
		if (errno != EINTR)
			poll_failed(r);
		return;		/* EINTR: go round again */
	}
	for (i = 1; i < n; i++) {
		if (r->pfd[i].revents == 0)
			continue;
		if (r->pfd_stream[i] == PIDFD_STREAM) {
			reap_one(r, r->pfd_slot[i]);
			continue;
		}
		if (r->pfd_stream[i] == INOTIFY_STREAM) {
			jobin_fifo_events(&r->fifos, fifo_opened, r);
			continue;
		}
		if (r->pfd_stream[i] == INPUT_STREAM)
			continue;	/* the next round asks for a job */
		if (r->pfd_slot[i] == NULL) {
			r->out_blocked = false;
			continue;
		}
		if (r->pfd_stream[i] == STDIN_FILENO_STREAM) {
			jobin_feed(&r->pfd_slot[i]->in, &r->pfd_slot[i]->job,
			    &r->src);
			continue;
		}
		drain(r, r->pfd_slot[i], r->pfd_stream[i]);
		maybe_finish(r, r->pfd_slot[i]);
	}
	if (r->pfd[0].revents != 0)
		handle_signals(r);
	check_deadlines(r);
}

/* Containment and, where one is wanted and at hand, the slots' cgroups. */
static void
contain_jobs(struct run *r)
{
	const struct run_opts *opts = r->opts;
	char msg[200];
	int k;

	r->cont = contain_new();
	if (contain_sentinel_errno(r->cont) != 0) {
		snprintf(msg, sizeof(msg), "cannot start the sentinel (%s): "
		    "after a kill -9 of parx, its jobs' children may live on",
		    strerror(contain_sentinel_errno(r->cont)));
		notice(r, msg);
	}
	for (k = 0; k < 2; k++)
		if (opts->cleanup_dirs[k] != NULL)
			(void)contain_watch_dir(r->cont, opts->cleanup_dirs[k]);
	if (opts->cgroups && (r->cg = cgroup_open()) == NULL &&
	    (opts->verbose || opts->trace))
		notice(r, "no writable cgroup v2 tree: jobs are tracked by "
		    "process group and as a child subreaper");
	if (r->cg != NULL)
		(void)contain_watch_cgroup(r->cont, cgroup_kill_file(r->cg));
}

/* The modules a run drives, set up from its options. */
static void
set_up(struct run *r)
{
	const struct run_opts *opts = r->opts;
	struct collate_opts co;
	struct pace_opts po;

	memset(&co, 0, sizeof(co));
	co.mode = opts->output;
	co.tmpdir = opts->tmpdir;
	co.mem_limit = opts->mem_limit;
	/*
	 * Grouped output comes in completion order, as GNU parallel's: a
	 * job streaming live would hold back every job that ends before it,
	 * so only a lone slot streams.  A retried job's output may yet be
	 * dropped, so it streams never.
	 */
	co.hold_all = opts->retries > 1 || opts->color_failed ||
	    opts->limit != PACE_LIMIT_NONE ||
	    (opts->output == COLLATE_GROUP && r->nslots > 1);
	co.fd[0] = opts->out[COLLATE_STDOUT];
	co.fd[1] = opts->out[COLLATE_STDERR];
	co.end_lines = opts->end_lines;
	co.discard = opts->discard_output;
	r->col = collate_new(&co);
	memset(&po, 0, sizeof(po));
	po.delay = opts->delay;
	po.memfree = opts->memfree;
	po.max_load = opts->max_load;
	po.noswap = opts->noswap;
	po.limit = opts->limit;
	po.limit_cmd = opts->limit_cmd;
	po.limit_shell = opts->shell;
	po.limit_value = opts->limit_value;
	po.cpus = opts->cpus;
	pace_init(&r->pace, &po, monotime_now());
	r->env = jobenv_new(r->cont != NULL ? contain_marker(r->cont) : NULL,
	    opts->slot_var, opts->oldpwd);
	r->slots = xcalloc(r->nslots, sizeof(*r->slots));
	r->batch = xcalloc(r->nslots, sizeof(*r->batch));
	r->fifos.ino = -1;
	r->src.next = r->cb->next_input;
	r->src.closed = r->cb->input_closed;
	r->src.arg = r->cb->arg;
	r->pfd = xcalloc(4 * r->nslots + 4, sizeof(*r->pfd));
	r->pfd_slot = xcalloc(4 * r->nslots + 4, sizeof(*r->pfd_slot));
	r->pfd_stream = xcalloc(4 * r->nslots + 4, sizeof(*r->pfd_stream));
}

struct run *
run_new(const struct run_opts *opts, const struct run_callbacks *cb,
    struct run_stats *stats)
{
	struct run *r;
	int e;

	r = xcalloc(1, sizeof(*r));
	r->input_wait = -1;
	r->max_wait = -1;
	r->epfd = r->timerfd = -1;
	memset(stats, 0, sizeof(*stats));
	r->opts = opts;
	r->cb = cb;
	r->stats = stats;
	r->nslots = opts->jobs > 0 ? opts->jobs : 1;
	r->limit = r->nslots;
	update_limit(r);
	r->termseq = opts->termseq;
	if (!opts->embedded && sig_init() == -1) {
		e = errno;
		free(r);
		errno = e;
		return NULL;
	}
	if ((r->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		e = errno;
		if (!opts->embedded)
			sig_release();
		free(r);
		errno = e;
		return NULL;
	}
	/* A guest's jobs start afresh, whatever its host ignores or catches. */
	if (opts->embedded)
		sigfillset(&r->sigdefault);
	else
		sig_defaults(&r->sigdefault);
	if (opts->give_tty)
		termfg_init(&r->tty, opts->tty_fd);
	if (!opts->embedded)
		contain_jobs(r);
	else if (opts->cgroups)
		r->cg = cgroup_open();
	set_up(r);
	return r;
}

/* run_fd() as the next round would wait: the slots refilled first. */
static void
show_next_round(struct run *r)
{
	unsigned long finished = r->finished;
	int timeout;
	nfds_t n;

	fill_slots(r);
	n = poll_set(r, &timeout);
	if (r->finished != finished)
		timeout = 0;	/* one ended as it started: now */
	arm_fd(r, n, timeout);
}

int
run_step(struct run *r)
{
	return run_step_wait(r, -1);
}

int
run_step_wait(struct run *r, int max_ms)
{
	r->max_wait = max_ms;
	r->finished_seen = r->finished;
	if (r->killing)
		kill_all(r);
	mem_check(r, monotime_now());
	fill_slots(r);
	if (pace_limit_kill(&r->pace))
		limit_kill_youngest(r);
	r->stats->running = r->running;
	if (r->running == 0 && (r->stopping || r->input_done) &&
	    !(r->ndeferred > 0 && !r->stopping))
		return 0;
	poll_once(r);
	r->stats->running = r->running;
	/*
	 * A caller's own loop waits on run_fd() next: what this round
	 * changed (a job ended, so a slot is free for the next) must show
	 * there now, not in the next round.
	 */
	if (r->epfd != -1)
		show_next_round(r);
	return 1;
}

int
run_fd(struct run *r)
{
	struct epoll_event ev;
	int e;

	if (!r->opts->embedded) {
		errno = EINVAL;
		return -1;
	}
	if (r->epfd != -1)
		return r->epfd;
	if ((r->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	if ((r->timerfd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_CLOEXEC | TFD_NONBLOCK)) == -1)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = r->timerfd;
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->timerfd, &ev) == -1)
		goto fail;
	r->ep_dirty = true;
	return r->epfd;
fail:
	e = errno;
	close_fd(&r->timerfd);
	close_fd(&r->epfd);
	errno = e;
	return -1;
}

bool
run_cancel(struct run *r, unsigned long seq)
{
	unsigned long i;
	struct slot *s;

	for (i = 0; i < r->nslots; i++) {
		s = &r->slots[i];
		if (s->busy && s->job.seq == seq && !s->exited) {
			start_termseq(r, s);
			return true;
		}
	}
	return false;
}

void
run_status(struct run *r, const char *line)
{
	if (r->col != NULL)
		collate_status(r->col, line, line != NULL ? strlen(line) : 0);
}

void
run_notice(struct run *r, const char *text)
{
	notice(r, text);
}

void
run_free(struct run *r)
{
	if (r == NULL)
		return;
	cgroup_close(r->cg);
	if (r->cont != NULL)
		contain_end_orphans(r->cont, NULL, 0);
	r->tty_owner = 0;
	settle_tty(r);
	for (; r->ndeferred > 0; r->ndeferred--) {
		job_release(&r->deferred[r->ndeferred - 1].job);
		if (r->deferred[r->ndeferred - 1].cj != NULL)
			(void)collate_job_discard(r->col,
			    r->deferred[r->ndeferred - 1].cj);
	}
	free(r->deferred);
	r->stats->spill_errno = collate_spill_errno(r->col);
	if (collate_free(r->col) == -1 && errno != EPIPE)
		r->stats->write_errno = errno;
	free(r->slots);
	free(r->batch);
	free(r->pfd);
	free(r->pfd_slot);
	free(r->pfd_stream);
	jobenv_free(r->env);
	runtimes_free(&r->runtimes);
	pace_free(&r->pace);
	close(r->devnull);
	if (r->fifos.ino != -1)
		close(r->fifos.ino);
	if (r->cont != NULL)
		contain_free(r->cont);
	if (!r->opts->embedded)
		sig_release();
	close_fd(&r->epfd);
	close_fd(&r->timerfd);
	free(r->ep_set);
	free(r);
}

int
run_parallel(const struct run_opts *opts, const struct run_callbacks *cb,
    struct run_stats *stats)
{
	struct run *r;

	if ((r = run_new(opts, cb, stats)) == NULL)
		return -1;
	while (run_step(r) == 1)
		;
	run_free(r);
	return 0;
}
