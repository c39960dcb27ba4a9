/*
 * run: the supervisor loop.
 *
 * One poll() set holds the signal fd and every job's output pipes; nothing
 * sleeps.  A job is finished only when both its exit status and the end
 * of its pipes have arrived, in either order (tmux's DEAD and CLOSED), and
 * its slot is refilled at once.
 */
#include "run.h"

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
#include "sig.h"
#include "spawn.h"
#include "xmalloc.h"

#define READ_CHUNK	(64 * 1024)
#define READ_ROUND	(1024 * 1024)	/* per pipe per poll, for fairness */
#define KILL_GRACE_MS	2000		/* TERM, then KILL after this */
/* sh -c takes one argument; the kernel caps one argument at 128 KiB. */
#define SHELL_ARG_MAX	(128 * 1024 - 1)

extern char **environ;

struct slot {
	bool			 busy;
	pid_t			 pid;
	bool			 exited;
	int			 status;
	int			 fd[2];		/* stdout, stderr pipes or -1 */
	struct run_job		 job;
	struct collate_job	*cj;
	unsigned long		 seq;
	struct timespec		 start;
	struct timespec		 mono;
	char			*files_path;	/* --files: where stdout went */
	int			 files_fd;
};

struct run {
	const struct run_opts		*opts;
	const struct run_callbacks	*cb;
	struct run_stats		*stats;
	struct collate			*col;
	struct slot			*slots;
	unsigned long			 nslots;
	unsigned long			 limit;		/* slots we may use */
	unsigned long			 running;
	unsigned long			 seq;
	bool				 input_done;
	bool				 stopping;
	int				 kill_signal;	/* sent so far */
	struct timespec			 kill_at;	/* escalate then */
	int				 devnull;
	char				**env;
	size_t				 nenv;		/* inherited entries */
	char				 env_seq[2][64];
	char				 env_slot[2][64];
	sigset_t			 sigdefault;
	struct pollfd			*pfd;
	struct slot			**pfd_slot;
	int				*pfd_stream;
};

static bool
is_ours(const char *e)
{
	static const char *const names[] = {
		"PARALLEL_SEQ=", "PARALLEL_JOBSLOT=", "PARX_SEQ=", "PARX_SLOT=",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(e, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

/* The inherited environment, with room for the four per-job variables. */
static void
env_init(struct run *r)
{
	size_t n = 0, i;

	while (environ[n] != NULL)
		n++;
	r->env = xreallocarray(NULL, n + 5, sizeof(*r->env));
	for (i = 0; i < n; i++)
		if (!is_ours(environ[i]))
			r->env[r->nenv++] = environ[i];
	r->env[r->nenv] = r->env_seq[0];
	r->env[r->nenv + 1] = r->env_slot[0];
	r->env[r->nenv + 2] = r->env_seq[1];
	r->env[r->nenv + 3] = r->env_slot[1];
	r->env[r->nenv + 4] = NULL;
}

static void
env_set(struct run *r, unsigned long seq, unsigned long slot)
{
	snprintf(r->env_seq[0], sizeof(r->env_seq[0]), "PARALLEL_SEQ=%lu", seq);
	snprintf(r->env_seq[1], sizeof(r->env_seq[1]), "PARX_SEQ=%lu", seq);
	snprintf(r->env_slot[0], sizeof(r->env_slot[0]),
	    "PARALLEL_JOBSLOT=%lu", slot);
	snprintf(r->env_slot[1], sizeof(r->env_slot[1]), "PARX_SLOT=%lu",
	    slot);
}

static void
notice(struct run *r, const char *msg)
{
	if (r->cb->notice != NULL)
		r->cb->notice(r->cb->arg, msg);
}

/*
 * The shell's argv for cmd.  A command longer than one argument may be is
 * passed in pieces that the shell joins and evals, so command lines up
 * to ARG_MAX work on the shell path too.
 */
static char **
shell_argv(struct run *r, const char *cmd)
{
	static const char joiner[] =
	    "__parx_c=; for __parx_p; do __parx_c=$__parx_c$__parx_p; done; "
	    "shift $#; unset __parx_p; eval \"$__parx_c\"";
	size_t len = strlen(cmd), n, i;
	char **argv;

	if (len <= SHELL_ARG_MAX) {
		argv = xreallocarray(NULL, 4, sizeof(*argv));
		argv[0] = (char *)r->opts->shell;
		argv[1] = "-c";
		argv[2] = (char *)cmd;
		argv[3] = NULL;
		return argv;
	}
	n = (len + SHELL_ARG_MAX - 1) / SHELL_ARG_MAX;
	argv = xreallocarray(NULL, n + 5, sizeof(*argv));
	argv[0] = (char *)r->opts->shell;
	argv[1] = "-c";
	argv[2] = (char *)joiner;
	argv[3] = (char *)r->opts->shell;
	for (i = 0; i < n; i++)
		argv[4 + i] = xmemdup(cmd + i * SHELL_ARG_MAX,
		    len - i * SHELL_ARG_MAX < SHELL_ARG_MAX ?
		    len - i * SHELL_ARG_MAX : SHELL_ARG_MAX);
	argv[4 + n] = NULL;
	return argv;
}

static void
free_shell_argv(char **argv)
{
	size_t i;

	if (argv[2] != NULL && argv[3] != NULL)
		for (i = 4; argv[i] != NULL; i++)
			free(argv[i]);
	free(argv);
}

/* Errors after which the shell gets a go: it may know a builtin. */
static bool
shell_may_know(int e)
{
	return e == ENOENT || e == EACCES || e == ENOEXEC || e == EPERM ||
	    e == ENOTDIR || e == ELOOP || e == ENAMETOOLONG;
}

static int
start_process(struct run *r, struct slot *s, int out, int err)
{
	struct spawn_req req;
	char **argv;
	int e;

	memset(&req, 0, sizeof(req));
	req.envp = r->env;
	req.fd_in = r->devnull;
	req.fd_out = out;
	req.fd_err = err;
	req.sigdefault = &r->sigdefault;
	if (s->job.argv != NULL) {
		req.file = s->job.argv[0];
		req.argv = s->job.argv;
		e = spawn_job(&req, &s->pid);
		if (e == 0 || !shell_may_know(e))
			return e;
	}
	argv = shell_argv(r, s->job.cmd);
	req.file = argv[0];
	req.argv = argv;
	e = spawn_job(&req, &s->pid);
	free_shell_argv(argv);
	return e;
}

static int
make_pipe(int fd[2])
{
	if (pipe2(fd, O_CLOEXEC) == -1)
		return -1;
	/* Only parx's end is non-blocking; the job sees a normal pipe. */
	fcntl(fd[0], F_SETFL, O_NONBLOCK);
	return 0;
}

static void
close_fd(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

static void finish(struct run *, struct slot *);

/* Opens the job's output: pipes, or the --files file. */
static int
open_outputs(struct run *r, struct slot *s, int pout[2], int perr[2])
{
	const char *dir = r->opts->tmpdir != NULL ? r->opts->tmpdir : "/tmp";
	struct buf path;
	bool direct;

	pout[0] = pout[1] = perr[0] = perr[1] = -1;
	direct = r->opts->output == COLLATE_UNGROUP && s->job.tag == NULL;
	if (direct)
		return 0;
	if (r->opts->files) {
		buf_init(&path);
		buf_addstr(&path, dir);
		buf_addstr(&path, "/parx.XXXXXX");
		if ((pout[1] = mkostemp(path.data, O_CLOEXEC)) == -1) {
			buf_release(&path);
			return -1;
		}
		s->files_path = buf_detach(&path);
	} else if (make_pipe(pout) == -1)
		return -1;
	if (make_pipe(perr) == -1) {
		close_fd(&pout[0]);
		close_fd(&pout[1]);
		return -1;
	}
	return 0;
}

/* Asks for the next job and starts it in slot s: 1, 0 none left, -1. */
static int
start_job(struct run *r, struct slot *s)
{
	unsigned long slotno = s - r->slots + 1;
	int pout[2], perr[2], e, got;

	memset(s, 0, sizeof(*s));
	s->fd[0] = s->fd[1] = -1;
	got = r->cb->next_job(r->cb->arg, r->seq + 1, slotno, &s->job);
	if (got <= 0) {
		if (got == -1)
			r->stats->input_errno = errno;
		return got;
	}
	r->seq++;
	s->seq = r->seq;
	s->busy = true;
	r->running++;
	r->stats->started++;
	clock_gettime(CLOCK_REALTIME, &s->start);
	clock_gettime(CLOCK_MONOTONIC, &s->mono);
	s->cj = collate_job_start(r->col, s->job.tag);
	if (r->opts->verbose) {
		collate_add(r->col, s->cj, COLLATE_STDOUT, s->job.cmd,
		    strlen(s->job.cmd));
		collate_add(r->col, s->cj, COLLATE_STDOUT, "\n", 1);
	}
	if (open_outputs(r, s, pout, perr) == -1) {
		e = errno;
		goto failed;
	}
	env_set(r, s->seq, slotno);
	e = start_process(r, s, pout[1], perr[1]);
	close_fd(&pout[1]);
	close_fd(&perr[1]);
	s->fd[0] = pout[0];
	s->fd[1] = perr[0];
	if (e == 0)
		return 1;
failed:
	close_fd(&s->fd[0]);
	close_fd(&s->fd[1]);
	s->pid = -1;
	s->exited = true;
	s->status = e;
	errno = e;
	return 1;
}

static void
result_of(const struct slot *s, struct run_result *res)
{
	struct timespec now;

	memset(res, 0, sizeof(*res));
	clock_gettime(CLOCK_MONOTONIC, &now);
	res->seq = s->seq;
	res->cmd = s->job.cmd;
	res->pid = s->pid;
	res->start = s->start;
	res->runtime = (now.tv_sec - s->mono.tv_sec) +
	    (now.tv_nsec - s->mono.tv_nsec) / 1e9;
	if (s->pid == -1) {
		res->spawn_errno = s->status;
		res->exit_code = s->status == ENOENT ? 127 : 126;
	} else if (WIFSIGNALED(s->status)) {
		res->exit_code = -1;
		res->signal = WTERMSIG(s->status);
	} else
		res->exit_code = WEXITSTATUS(s->status);
}

static void
free_job(struct run_job *job)
{
	free(job->argv);
	free(job->cmd);
	free(job->tag);
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
	}
}

static void
finish(struct run *r, struct slot *s)
{
	struct run_result res;

	if (s->files_path != NULL) {
		check_write(r, collate_add(r->col, s->cj, COLLATE_STDOUT,
		    s->files_path, strlen(s->files_path)));
		check_write(r, collate_add(r->col, s->cj, COLLATE_STDOUT,
		    "\n", 1));
	}
	check_write(r, collate_job_end(r->col, s->cj));
	result_of(s, &res);
	if (res.exit_code != 0)
		r->stats->failed++;
	r->cb->job_done(r->cb->arg, &res);
	free_job(&s->job);
	free(s->files_path);
	s->busy = false;
	r->running--;
}

static void
maybe_finish(struct run *r, struct slot *s)
{
	if (s->busy && s->exited && s->fd[0] == -1 && s->fd[1] == -1)
		finish(r, s);
}

/* Reads what a pipe has; closes it at end of file. */
static void
drain(struct run *r, struct slot *s, int stream)
{
	char chunk[READ_CHUNK];
	size_t total = 0;
	ssize_t n;

	while (total < READ_ROUND) {
		n = read(s->fd[stream], chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close_fd(&s->fd[stream]);
			return;
		}
		check_write(r, collate_add(r->col, s->cj, stream, chunk, n));
		total += n;
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

static void
reap(struct run *r)
{
	struct slot *s;
	pid_t pid;
	int st;

	/* One SIGCHLD may stand for many exits. */
	for (;;) {
		pid = waitpid(-1, &st, WNOHANG);
		if (pid == -1 && errno == EINTR)
			continue;
		if (pid <= 0)
			return;
		if ((s = slot_of(r, pid)) == NULL)
			continue;
		s->exited = true;
		s->status = st;
		maybe_finish(r, s);
	}
}

static void
signal_jobs(struct run *r, int sig)
{
	unsigned long i;

	for (i = 0; i < r->nslots; i++)
		if (r->slots[i].busy && !r->slots[i].exited &&
		    r->slots[i].pid > 0)
			kill(-r->slots[i].pid, sig);
}

/* Ends the running jobs: TERM now, KILL if they are still there later. */
static void
stop_jobs(struct run *r, int sig)
{
	r->stopping = true;
	if (r->kill_signal == SIGKILL)
		return;
	r->kill_signal = r->kill_signal == 0 ? sig : SIGKILL;
	signal_jobs(r, r->kill_signal);
	clock_gettime(CLOCK_MONOTONIC, &r->kill_at);
	r->kill_at.tv_sec += KILL_GRACE_MS / 1000;
	r->kill_at.tv_nsec += (KILL_GRACE_MS % 1000) * 1000000L;
	if (r->kill_at.tv_nsec >= 1000000000L) {
		r->kill_at.tv_sec++;
		r->kill_at.tv_nsec -= 1000000000L;
	}
}

static void
handle_signals(struct run *r)
{
	int sig;

	while ((sig = sig_next()) > 0) {
		if (sig == SIGCHLD) {
			reap(r);
			continue;
		}
		r->stats->stop_signal = sig;
		stop_jobs(r, sig == SIGHUP ? SIGTERM : sig);
	}
}

static int
poll_timeout(struct run *r)
{
	struct timespec now;
	long ms;

	if (r->kill_signal == 0 || r->kill_signal == SIGKILL)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (r->kill_at.tv_sec - now.tv_sec) * 1000 +
	    (r->kill_at.tv_nsec - now.tv_nsec) / 1000000;
	if (ms <= 0) {
		r->kill_signal = SIGKILL;
		signal_jobs(r, SIGKILL);
		return -1;
	}
	return (int)ms;
}

static void
fill_slots(struct run *r)
{
	unsigned long i;
	int got;

	for (i = 0; i < r->nslots && !r->input_done && !r->stopping; i++) {
		if (r->slots[i].busy)
			continue;
		if (r->running >= r->limit)
			break;
		got = start_job(r, &r->slots[i]);
		if (got == -1 && r->stats->input_errno != 0) {
			r->input_done = true;
			break;
		}
		if (got == 0) {
			r->input_done = true;
			break;
		}
		if (r->slots[i].pid == -1 && (errno == EMFILE ||
		    errno == ENFILE || errno == EAGAIN) && r->running > 1) {
			/* Out of descriptors or processes: use fewer slots. */
			notice(r, "system limit reached: running fewer jobs "
			    "at once");
			r->limit = r->running - 1;
		}
		maybe_finish(r, &r->slots[i]);
	}
}

static void
poll_once(struct run *r)
{
	unsigned long i;
	nfds_t n = 0;
	int k, timeout;

	r->pfd[n].fd = sig_fd();
	r->pfd[n].events = POLLIN;
	r->pfd_slot[n++] = NULL;
	for (i = 0; i < r->nslots; i++) {
		if (!r->slots[i].busy)
			continue;
		for (k = 0; k < 2; k++) {
			if (r->slots[i].fd[k] == -1)
				continue;
			r->pfd[n].fd = r->slots[i].fd[k];
			r->pfd[n].events = POLLIN;
			r->pfd_slot[n] = &r->slots[i];
			r->pfd_stream[n++] = k;
		}
	}
	timeout = poll_timeout(r);
	if (poll(r->pfd, n, timeout) == -1)
		return;		/* EINTR: go round again */
	for (i = 1; i < n; i++) {
		if (r->pfd[i].revents == 0)
			continue;
		drain(r, r->pfd_slot[i], r->pfd_stream[i]);
		maybe_finish(r, r->pfd_slot[i]);
	}
	if (r->pfd[0].revents != 0)
		handle_signals(r);
}

int
run_parallel(const struct run_opts *opts, const struct run_callbacks *cb,
    struct run_stats *stats)
{
	struct collate_opts co;
	struct run r;
	int ret;

	memset(&r, 0, sizeof(r));
	memset(stats, 0, sizeof(*stats));
	r.opts = opts;
	r.cb = cb;
	r.stats = stats;
	r.nslots = opts->jobs > 0 ? opts->jobs : 1;
	r.limit = r.nslots;
	if (sig_init() == -1)
		return -1;
	if ((r.devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		sig_release();
		return -1;
	}
	sig_defaults(&r.sigdefault);
	memset(&co, 0, sizeof(co));
	co.mode = opts->output;
	co.tmpdir = opts->tmpdir;
	co.mem_limit = opts->mem_limit;
	co.fd[0] = STDOUT_FILENO;
	co.fd[1] = STDERR_FILENO;
	r.col = collate_new(&co);
	env_init(&r);
	r.slots = xcalloc(r.nslots, sizeof(*r.slots));
	r.pfd = xcalloc(2 * r.nslots + 1, sizeof(*r.pfd));
	r.pfd_slot = xcalloc(2 * r.nslots + 1, sizeof(*r.pfd_slot));
	r.pfd_stream = xcalloc(2 * r.nslots + 1, sizeof(*r.pfd_stream));
	for (;;) {
		if (r.stopping && r.kill_signal == 0 && r.running > 0)
			stop_jobs(&r, SIGTERM);
		fill_slots(&r);
		if (r.running == 0)
			break;
		poll_once(&r);
	}
	stats->spill_errno = collate_spill_errno(r.col);
	ret = collate_free(r.col);
	if (ret == -1 && errno != EPIPE)
		stats->write_errno = errno;
	free(r.slots);
	free(r.pfd);
	free(r.pfd_slot);
	free(r.pfd_stream);
	free(r.env);
	close(r.devnull);
	sig_release();
	return 0;
}
