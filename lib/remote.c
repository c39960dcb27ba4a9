/*
 * remote: jobs on other machines over OpenSSH (see remote.h).
 */
#include "remote.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpus.h"
#include "fdio.h"
#include "monotime.h"
#include "quote.h"
#include "sig.h"
#include "spawn.h"
#include "xmalloc.h"

extern char **environ;

#define CONNECT_WAIT	30.0	/* seconds for a ControlMaster to come up */
#define MAX_SESSIONS	10	/* sshd's MaxSessions default */

/*
 * The shell a remote job runs in, given the job's command line as $1.
 * With a stdin of its own to watch ($2 = w), the job runs in the
 * background on /dev/null and a watcher reads stdin (on fd 3: a
 * background command's stdin is /dev/null otherwise): its end means
 * parx's ssh is gone, and the watcher ends the session's process group
 * (sshd made the shell a session leader), the job and all it started.
 * With input for the job (--pipe), the job reads it and nothing watches.
 * Only POSIX sh: no perl, no setsid, no bash there.
 */
static const char wrapper[] =
    "if [ \"$2\" = w ]; then exec 3<&0; "
    "sh -c \"$1\" </dev/null 3<&- & p=$!; "
    "{ cat <&3 >/dev/null 3<&-; kill -TERM 0; sleep 2; kill -KILL 0; } "
    ">/dev/null 2>&1 & w=$!; exec 3<&-; "
    "wait $p; s=$?; kill $w 2>/dev/null; exit $s; "
    "else exec sh -c \"$1\"; fi";

struct host {
	char		*login;		/* as given, N/ left out */
	char		**ssh;		/* the ssh command words */
	size_t		 nssh;
	char		*dest;		/* [user@]host: ssh's last word */
	bool		 local;		/* ":" */
	unsigned long	 slots;		/* 0: from its CPUs */
	unsigned long	 first;		/* its first job slot (from 1) */
	bool		 dead;
	/*
	 * Its ControlMasters: sshd opens at most MAX_SESSIONS sessions on
	 * one connection, so a host of more slots has more of them, each
	 * serving the slots [first + k * MAX_SESSIONS, ...).
	 */
	size_t		 nmasters;
	char		**ctl;		/* their sockets */
	pid_t		*master;	/* their processes, or -1 */
};

struct remote {
	struct remote_opts	 opts;
	struct host		*hosts;
	size_t			 nhosts;
	char			*dir;		/* for the control sockets */
};

struct remote *
remote_new(const struct remote_opts *opts)
{
	struct remote *r = xcalloc(1, sizeof(*r));

	r->opts = *opts;
	return r;
}

static void
free_words(char **w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

/* Runs argv (no shell) and waits: its exit status, -1 if it did not run. */
static int
run_helper(struct remote *r, char *const *argv, int out, int err,
    pid_t *bg)
{
	struct spawn_req req;
	sigset_t none;	/* what the helper gets back: parx's own handling */
	pid_t pid;
	int status;

	memset(&req, 0, sizeof(req));
	sigemptyset(&none);
	sig_defaults(&none);
	req.file = argv[0];
	req.argv = argv;
	req.envp = r->opts.envp != NULL ? r->opts.envp : environ;
	req.fd_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	req.fd_out = out;
	req.fd_err = err;
	req.sigdefault = &none;
	if (req.fd_in == -1 || spawn_job(&req, &pid) != 0) {
		if (req.fd_in != -1)
			close(req.fd_in);
		return -1;
	}
	close(req.fd_in);
	if (bg != NULL) {
		*bg = pid;
		return 0;
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
add_host(struct remote *r, const char *login, unsigned long slots,
    char **ssh, size_t nssh, char *dest)
{
	struct host *h;
	size_t i;

	/* The same login twice is one host with the slots of the last. */
	for (i = 0; i < r->nhosts; i++)
		if (strcmp(r->hosts[i].login, login) == 0) {
			r->hosts[i].slots = slots;
			free_words(ssh, nssh);
			free(dest);
			return;
		}
	r->hosts = xreallocarray(r->hosts, r->nhosts + 1, sizeof(*r->hosts));
	h = &r->hosts[r->nhosts++];
	memset(h, 0, sizeof(*h));
	h->login = xstrdup(login);
	h->local = strcmp(login, ":") == 0;
	h->slots = slots;
	h->ssh = ssh;
	h->nssh = nssh;
	h->dest = dest;
}

/* One login, with its N/ if any. */
static int
add_login(struct remote *r, const char *spec, struct buf *err)
{
	const char *errstr, *slash, *login = spec;
	unsigned long slots = 0;
	char **words, *num;
	size_t n = 0, nssh;
	char **ssh;

	while (*login == ' ' || *login == '\t')
		login++;
	if ((slash = strchr(login, '/')) != NULL &&
	    strspn(login, "0123456789") == (size_t)(slash - login) &&
	    slash > login) {
		num = xmemdup(login, (size_t)(slash - login));
		slots = (unsigned long)strtonum(num, 1, 1000000, &errstr);
		free(num);
		if (errstr != NULL) {
			buf_addstr(err, "job slots ");
			buf_addstr(err, errstr);
			return -1;
		}
		login = slash + 1;
	}
	if (*login == '@') {
		buf_addstr(err, "host groups (@group/) are not supported yet");
		return -1;
	}
	if (strcmp(login, ":") == 0) {
		add_host(r, login, slots, NULL, 0, NULL);
		return 0;
	}
	/* "ssh -p 2222 host": an ssh command of its own; else --ssh's. */
	if ((words = quote_split_words(login, &errstr)) == NULL) {
		buf_addstr(err, errstr);
		return -1;
	}
	while (words[n] != NULL)
		n++;
	if (n == 0) {
		quote_free_words(words);
		buf_addstr(err, "an empty login");
		return -1;
	}
	/* Copies, so that each host owns its words. */
	if (n == 1) {
		char **cmd, *dest = xstrdup(words[0]);

		quote_free_words(words);
		if ((cmd = quote_split_words(r->opts.ssh != NULL ?
		    r->opts.ssh : "ssh", &errstr)) == NULL || cmd[0] == NULL) {
			free(dest);
			if (cmd != NULL)
				quote_free_words(cmd);
			buf_addstr(err, "--ssh: ");
			buf_addstr(err, cmd == NULL ? errstr : "no command");
			return -1;
		}
		for (nssh = 0; cmd[nssh] != NULL; nssh++)
			;
		ssh = xreallocarray(NULL, nssh + 1, sizeof(*ssh));
		for (n = 0; n < nssh; n++)
			ssh[n] = xstrdup(cmd[n]);
		quote_free_words(cmd);
		add_host(r, login, slots, ssh, nssh, dest);
		return 0;
	}
	nssh = n - 1;
	ssh = xreallocarray(NULL, nssh + 1, sizeof(*ssh));
	for (n = 0; n < nssh; n++)
		ssh[n] = xstrdup(words[n]);
	add_host(r, login, slots, ssh, nssh, xstrdup(words[nssh]));
	quote_free_words(words);
	return 0;
}

int
remote_add(struct remote *r, const char *logins, struct buf *err)
{
	char *copy = xstrdup(logins), *p = copy, *one;
	int rc = 0;

	while (rc == 0 && (one = strsep(&p, ",")) != NULL) {
		if (*one == '\0')
			continue;
		if (add_login(r, one, err) == -1) {
			buf_addstr(err, ": '");
			buf_addstr(err, one);
			buf_addstr(err, "'");
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

int
remote_add_file(struct remote *r, const char *path, struct buf *err)
{
	struct buf text, name;
	const char *home = getenv("HOME");
	char *line, *p;
	size_t len;
	int rc = 0;

	buf_init(&text);
	buf_init(&name);
	if (strcmp(path, "..") == 0) {
		buf_addstr(&name, home != NULL ? home : "");
		buf_addstr(&name, "/.parallel/sshloginfile");
		path = name.data;
	}
	if (fdio_read_file(path, &text) == -1) {
		buf_addstr(err, "cannot read '");
		buf_addstr(err, path);
		buf_addstr(err, "': ");
		buf_addstr(err, strerror(errno));
		buf_release(&name);
		return -1;
	}
	p = text.data;
	while (rc == 0 && (line = strsep(&p, "\n")) != NULL) {
		line[strcspn(line, "#\r")] = '\0';
		line += strspn(line, " \t");
		len = strlen(line);
		while (len > 0 && strchr(" \t", line[len - 1]) != NULL)
			line[--len] = '\0';
		if (*line != '\0')
			rc = remote_add(r, line, err);
	}
	buf_release(&text);
	buf_release(&name);
	return rc;
}

bool
remote_any(const struct remote *r)
{
	return r->nhosts > 0;
}

const char *
remote_dir(const struct remote *r)
{
	return r->dir;
}

/*
 * ssh's words for host h, then extra (NULL-terminated), then h's
 * destination and the remote command if cmd is not NULL.
 */
static char **
ssh_argv(const struct host *h, const char *const *extra, const char *cmd)
{
	size_t n = 0, i, k;
	char **argv;

	for (k = 0; extra[k] != NULL; k++)
		;
	argv = xreallocarray(NULL, h->nssh + k + 4, sizeof(*argv));
	for (i = 0; i < h->nssh; i++)
		argv[n++] = h->ssh[i];
	for (i = 0; i < k; i++)
		argv[n++] = (char *)extra[i];
	argv[n++] = h->dest;
	if (cmd != NULL)
		argv[n++] = (char *)cmd;
	argv[n] = NULL;
	return argv;
}

/*
 * The private directory of the control sockets: short, since a socket's
 * path must fit in 108 bytes (GNU parallel fails under a long $TMPDIR).
 */
static int
make_dir(struct remote *r)
{
	char path[64];

	if (r->dir != NULL)
		return 0;
	strlcpy(path, "/tmp/parx-ssh.XXXXXX", sizeof(path));
	if (mkdtemp(path) == NULL)
		return -1;
	r->dir = xstrdup(path);
	return 0;
}

/*
 * Starts h's ControlMaster k, a child of parx's killed with it, and waits
 * until its socket takes connections.  -1 with why in err.
 */
static int
start_master(struct remote *r, struct host *h, size_t idx, size_t k,
    struct buf *err)
{
	char opt_path[160], errpath[160], *text = NULL;
	const char *extra[] = { "-o", "ControlMaster=yes", "-o", opt_path,
	    "-o", "ControlPersist=no", "-N", NULL };
	const char *check_extra[] = { "-o", opt_path, "-O", "check", NULL };
	struct buf msg;
	char **argv;
	double until;
	int efd, devnull, status, rc = -1;
	pid_t pid, *master = &h->master[k];

	snprintf(opt_path, sizeof(opt_path), "ControlPath=%s/%zu.%zu", r->dir,
	    idx, k);
	h->ctl[k] = xstrdup(opt_path + strlen("ControlPath="));
	snprintf(errpath, sizeof(errpath), "%s/%zu.%zu.err", r->dir, idx, k);
	if ((efd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	argv = ssh_argv(h, extra, NULL);
	if (run_helper(r, argv, -1, efd, master) == -1) {
		buf_addstr(err, "cannot run ");
		buf_addstr(err, argv[0]);
		free(argv);
		close(efd);
		return -1;
	}
	free(argv);
	close(efd);
	argv = ssh_argv(h, check_extra, NULL);
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1) {
		free(argv);
		return -1;
	}
	until = monotime_now() + CONNECT_WAIT;
	for (;;) {
		pid = waitpid(*master, &status, WNOHANG);
		if (pid == *master || (pid == -1 && errno == ECHILD)) {
			*master = -1;
			break;
		}
		if (access(h->ctl[k], F_OK) == 0 &&
		    run_helper(r, argv, devnull, devnull, NULL) == 0) {
			rc = 0;
			break;
		}
		if (monotime_now() > until) {
			kill(*master, SIGTERM);
			break;
		}
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	free(argv);
	close(devnull);
	if (rc == -1) {
		/* ssh's own words say best what went wrong. */
		buf_init(&msg);
		if (fdio_read_file(errpath, &msg) == 0 && msg.len > 0) {
			text = msg.data;
			text[strcspn(text, "\r\n")] = '\0';
			buf_addstr(err, text);
		} else
			buf_addstr(err, "ssh gave up");
		buf_release(&msg);
	}
	unlink(errpath);
	return rc;
}

/* h's masters, one for every MAX_SESSIONS of its slots.  -1: err says. */
static int
start_masters(struct remote *r, struct host *h, size_t idx, struct buf *err)
{
	size_t k;

	h->nmasters = (h->slots + MAX_SESSIONS - 1) / MAX_SESSIONS;
	h->ctl = xcalloc(h->nmasters, sizeof(*h->ctl));
	h->master = xcalloc(h->nmasters, sizeof(*h->master));
	for (k = 0; k < h->nmasters; k++)
		h->master[k] = -1;
	for (k = 0; k < h->nmasters; k++)
		if (start_master(r, h, idx, k, err) == -1)
			return -1;
	return 0;
}

/*
 * h's CPUs, as its nproc (or getconf) counts them; 1 if unknown.  Asked
 * over a connection of its own: how many masters h needs depends on it.
 */
static unsigned long
count_cpus(struct remote *r, struct host *h, struct buf *why)
{
	const char *extra[] = { "-o", "ControlMaster=no", NULL };
	char text[32], errpath[160];
	const char *errstr;
	unsigned long n = 0;
	ssize_t got;
	char **argv;
	int p[2], efd, status;

	snprintf(errpath, sizeof(errpath), "%s/count.err", r->dir);
	if ((efd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return 0;
	if (pipe2(p, O_CLOEXEC) == -1) {
		close(efd);
		return 0;
	}
	argv = ssh_argv(h, extra, "nproc 2>/dev/null || "
	    "getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1");
	status = run_helper(r, argv, p[1], efd, NULL);
	free(argv);
	close(p[1]);
	close(efd);
	got = read(p[0], text, sizeof(text) - 1);
	close(p[0]);
	if (status == 0 && got > 0) {
		text[got] = '\0';
		text[strcspn(text, "\r\n")] = '\0';
		n = (unsigned long)strtonum(text, 1, 1000000, &errstr);
		if (errstr != NULL)
			n = 1;
	} else if (fdio_read_file(errpath, why) == 0 && why->len > 0)
		why->data[strcspn(why->data, "\r\n")] = '\0';
	else
		buf_addstr(why, "ssh gave up");
	unlink(errpath);
	return n;
}

/* A line in err: login cannot be reached, and why. */
static void
unreachable(struct host *h, const struct buf *why, struct buf *err)
{
	h->dead = true;
	buf_addstr(err, "cannot reach '");
	buf_addstr(err, h->login);
	buf_addstr(err, "', its jobs go elsewhere: ");
	buf_addstr(err, why->data != NULL ? why->data : "");
	buf_addch(err, '\n');
}

int
remote_start(struct remote *r, struct buf *err)
{
	struct host *h;
	unsigned long cpus, n, next = 1;
	struct cpu_count local;
	char why[128];
	size_t i;
	const char *spec = r->opts.jobs != NULL ? r->opts.jobs : "100%";
	struct buf why_not;
	int rc = -1;

	buf_init(&why_not);
	for (i = 0; i < r->nhosts; i++) {
		h = &r->hosts[i];
		buf_reset(&why_not);
		if (!h->local && make_dir(r) == -1) {
			buf_addstr(err, "cannot make a directory for ssh's "
			    "control sockets: ");
			buf_addstr(err, strerror(errno));
			goto out;
		}
		if (h->slots == 0) {
			if (h->local) {
				cpus_count(&local);
				cpus = local.threads;
			} else if ((cpus = count_cpus(r, h, &why_not)) == 0) {
				unreachable(h, &why_not, err);
				continue;
			}
			if (cpus_jobs(spec, cpus, r->opts.most, &n, why,
			    sizeof(why)) == -1) {
				buf_addstr(err, "invalid -j value '");
				buf_addstr(err, spec);
				buf_addstr(err, "' for ");
				buf_addstr(err, h->login);
				buf_addstr(err, ": ");
				buf_addstr(err, why);
				goto out;
			}
			h->slots = n;
		}
		if (!h->local && start_masters(r, h, i, &why_not) == -1) {
			unreachable(h, &why_not, err);
			continue;
		}
		h->first = next;
		next += h->slots;
	}
	if (next == 1)
		buf_addstr(err, "no host to run jobs on");
	else
		rc = 0;
out:
	buf_release(&why_not);
	return rc;
}

unsigned long
remote_slots(const struct remote *r)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < r->nhosts; i++)
		if (!r->hosts[i].dead)
			n += r->hosts[i].slots;
	return n;
}

/* The command line the job is: its own, or its argv quoted for sh. */
static char *
command_line(const struct run_job *job)
{
	struct buf b;
	size_t i;

	if (job->argv == NULL)
		return xstrdup(job->cmd);
	buf_init(&b);
	for (i = 0; job->argv[i] != NULL; i++) {
		if (i > 0)
			buf_addch(&b, ' ');
		quote_shell(&b, job->argv[i], strlen(job->argv[i]));
	}
	return buf_detach(&b);
}

void
remote_place(struct remote *r, unsigned long slot, struct run_job *job)
{
	char opt_path[160], vars[160];
	const char *extra[] = { "-o", opt_path, "-o", "ControlMaster=no",
	    NULL };
	struct host *h = NULL;
	struct buf line;
	char **argv, *cmd, *copy, **out, *text;
	size_t i, n, len;
	unsigned long total = remote_slots(r);

	/* Slots are the hosts' in turn: a host runs as many as it has. */
	slot = total > 0 ? (slot - 1) % total + 1 : 1;
	for (i = 0; i < r->nhosts; i++)
		if (!r->hosts[i].dead && slot >= r->hosts[i].first &&
		    slot < r->hosts[i].first + r->hosts[i].slots)
			h = &r->hosts[i];
	if (h == NULL || h->local)
		return;
	job->host = xstrdup(h->login);
	/*
	 * The remote login shell gets one line: the job's variables, then
	 * sh running the wrapper with the command line as $1 (quoted, so
	 * any byte of it arrives as it is).
	 */
	cmd = command_line(job);
	buf_init(&line);
	snprintf(vars, sizeof(vars), "PARALLEL_SEQ=%lu; PARX_SEQ=%lu; "
	    "export PARALLEL_SEQ PARX_SEQ; exec sh -c ", job->seq, job->seq);
	buf_addstr(&line, vars);
	quote_shell(&line, wrapper, strlen(wrapper));
	buf_addstr(&line, " parx ");
	quote_shell(&line, cmd, strlen(cmd));
	job->in_held = !(job->in_len > 0 || job->in_file_len > 0 ||
	    job->in_stream || job->in_fifo);
	buf_addstr(&line, job->in_held ? " w" : " i");
	free(cmd);
	snprintf(opt_path, sizeof(opt_path), "ControlPath=%s",
	    h->ctl[(slot - h->first) / MAX_SESSIONS]);
	argv = ssh_argv(h, extra, line.data);
	/* One allocation, as run frees argv: the pointers, then the text. */
	for (n = 0, len = 0; argv[n] != NULL; n++)
		len += strlen(argv[n]) + 1;
	copy = xmalloc((n + 1) * sizeof(char *) + len);
	out = (char **)(void *)copy;
	text = copy + (n + 1) * sizeof(char *);
	for (i = 0; i < n; i++) {
		out[i] = text;
		text = stpcpy(text, argv[i]) + 1;
	}
	out[n] = NULL;
	free(job->argv);
	job->argv = out;
	free(argv);
	buf_release(&line);
}

/*
 * Ends a ControlMaster.  ssh takes SIGTERM as a flag its poll loop may
 * not see (it was seen to sleep on with the signal taken), so after a
 * second it gets SIGKILL: every session on it has ended by now.
 */
static void
end_master(pid_t pid)
{
	double until = monotime_now() + 1.0;
	pid_t got;

	(void)kill(pid, SIGTERM);
	for (;;) {
		got = waitpid(pid, NULL, WNOHANG);
		if (got == pid || (got == -1 && errno != EINTR))
			return;
		if (monotime_now() > until)
			break;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	(void)kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
}

void
remote_close(struct remote *r)
{
	size_t i, k;

	if (r == NULL)
		return;
	for (i = 0; i < r->nhosts; i++)
		for (k = 0; k < r->hosts[i].nmasters; k++) {
			if (r->hosts[i].master[k] > 0)
				end_master(r->hosts[i].master[k]);
			r->hosts[i].master[k] = -1;
			if (r->hosts[i].ctl[k] != NULL)
				unlink(r->hosts[i].ctl[k]);
		}
	if (r->dir != NULL)
		rmdir(r->dir);
}

void
remote_free(struct remote *r)
{
	size_t i, k;

	if (r == NULL)
		return;
	remote_close(r);
	for (i = 0; i < r->nhosts; i++) {
		for (k = 0; k < r->hosts[i].nmasters; k++)
			free(r->hosts[i].ctl[k]);
		free(r->hosts[i].ctl);
		free(r->hosts[i].master);
		free(r->hosts[i].login);
		free_words(r->hosts[i].ssh, r->hosts[i].nssh);
		free(r->hosts[i].dest);
	}
	free(r->dir);
	free(r->hosts);
	free(r);
}
