/*
 * remote: jobs on other machines over OpenSSH (see remote.h).
 */
#include "remote.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <fts.h>
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
 * With input for the job ($2 = i, --pipe), the job reads that stdin, so
 * the watcher looks at the session's sshd ($3, the login shell's
 * parent) instead, once a second: it exits when parx's ssh goes, where
 * the job would go on until it next wrote.  Only POSIX sh: no perl, no
 * setsid, no bash there.
 */
static const char wrapper[] =
    "exec 3<&0; "
    "if [ \"$2\" = w ]; then "
    "sh -c \"$1\" </dev/null 3<&- & p=$!; "
    "{ cat <&3 >/dev/null 3<&-; kill -TERM 0; sleep 2; kill -KILL 0; } "
    ">/dev/null 2>&1 & w=$!; "
    "elif [ -n \"$3\" ] && kill -0 \"$3\" 2>/dev/null; then "
    "sh -c \"$1\" <&3 3<&- & p=$!; "
    "{ while kill -0 \"$3\"; do sleep 1; done; "
    "kill -TERM 0; sleep 2; kill -KILL 0; } "
    "</dev/null >/dev/null 2>&1 3<&- & w=$!; "
    "else exec sh -c \"$1\" 3<&-; fi; "
    "exec 3<&-; wait $p; s=$?; kill $w 2>/dev/null; exit $s";

/*
 * Sending a file there, the file on stdin; $1 the directory to work in
 * (made if missing) or "", $2 the file's directory, $3 the file, $4 its
 * mode.  It goes to a temporary name, then is renamed over the file, so
 * that a file of the same name (on a shared file system, maybe the very
 * file read here) is never truncated.  Prints "N K": N 1 if no file was
 * there before (only then may --cleanup remove it), K how many of the
 * directories above it it made (--cleanup removes those if empty).
 */
static const char send_script[] =
    "if [ -n \"$1\" ]; then mkdir -p \"$1\" && cd \"$1\" || exit 1; fi; "
    "e=$2 k=0; "
    "while [ ! -d \"$e\" ]; do k=$((k + 1)); e=${e%/*}; "
    "[ -n \"$e\" ] || break; done; "
    "mkdir -p \"$2\" || exit 1; "
    "n=1; if [ -e \"$3\" ] || [ -h \"$3\" ]; then n=0; fi; "
    "t=$2/.parx-$$; "
    "cat >\"$t\" && chmod \"$4\" \"$t\" && mv -f \"$t\" \"$3\" || "
    "{ rm -f \"$t\"; exit 1; }; "
    "echo \"$n $k\"";

/*
 * Fetching a file: $1 the directory or "", $2 the file.  Sends a line
 * "INODE SIZE" (what --cleanup and the check of a whole copy need), then
 * the file.
 */
static const char fetch_script[] =
    "if [ -n \"$1\" ]; then cd \"$1\" || exit 1; fi; "
    "[ -f \"$2\" ] || { echo \"$2: no such file\" >&2; exit 1; }; "
    "i=$(ls -di \"$2\") && n=$(($(wc -c <\"$2\"))) || exit 1; "
    "i=${i#\"${i%%[! ]*}\"}; echo \"${i%% *} $n\"; exec cat \"$2\"";

/*
 * --cleanup: $1 the directory or "", $2 1 if it is to go too (--wd
 * ...), then for each file sent "t FILE N K" (send_script's N K) and
 * for each fetched "r FILE INODE".
 */
static const char clean_script[] =
    "w=$1 u=$2; shift 2; "
    "if [ -n \"$w\" ]; then cd \"$w\" || exit 1; fi; "
    "while [ $# -ge 3 ]; do case $1 in "
    "t) if [ \"$3\" = 1 ]; then rm -f \"$2\"; d=$2 k=$4; "
    "while [ \"$k\" -gt 0 ]; do d=${d%/*}; "
    "rmdir \"$d\" 2>/dev/null || break; k=$((k - 1)); done; fi; "
    "shift 4 ;; "
    "r) i=$(ls -di \"$2\" 2>/dev/null) && i=${i#\"${i%%[! ]*}\"} && "
    "[ \"${i%% *}\" = \"$3\" ] && rm -f \"$2\"; shift 3 ;; "
    "*) exit 1 ;; esac; done; "
    "if [ \"$u\" = 1 ] && [ -n \"$w\" ]; then cd && rm -rf \"$w\"; fi";

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
	struct buf	 based;		/* clean_script's words for the
					   --basefile files sent */
	struct buf	 groups;	/* its host groups, '+'-separated */
	unsigned long	 running;	/* jobs placed on it now */
	unsigned	*sessions;	/* of them, each master's */
	bool		 lost;		/* dead after it was reached */
};

/* A job placed on a host, until remote_done() hears of its end. */
struct placed {
	unsigned long	 seq;
	size_t		 host;
	size_t		 master;
};

struct remote {
	struct remote_opts	 opts;
	struct host		*hosts;
	size_t			 nhosts;
	char			*dir;		/* for the control sockets */
	unsigned		 opened;	/* connections opened
						   (--sshdelay) */
	struct placed		*placed;
	size_t			 nplaced, placed_cap;
	unsigned long		 next_slot;	/* a host joining gets these */
	struct buf		 only_groups;	/* -S @g: only these
						   groups' hosts run jobs */
	struct buf		 all_groups;	/* remote_all_groups()'s */
};

static char **
copy_strings(const char *const *v, size_t n)
{
	char **copy = xcalloc(n + 1, sizeof(*copy));
	size_t i;

	for (i = 0; i < n; i++)
		copy[i] = xstrdup(v[i]);
	return copy;
}

static void
free_strings(const char *const *v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free((char *)v[i]);
	free((void *)v);
}

struct remote *
remote_new(const struct remote_opts *opts)
{
	struct remote *r = xcalloc(1, sizeof(*r));

	r->opts = *opts;
	/* Its own copies of what it keeps beyond the caller's call. */
	r->opts.workdir = opts->workdir != NULL ? xstrdup(opts->workdir) :
	    NULL;
	r->opts.basefiles = (const char *const *)copy_strings(
	    opts->basefiles, opts->nbasefiles);
	r->opts.env = (const char *const *)copy_strings(opts->env,
	    opts->nenv);
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

/* Whether the caller's signal handler said to give up. */
static bool
stopped(const struct remote *r)
{
	return r->opts.stop != NULL && *r->opts.stop != 0;
}

/*
 * Runs argv (no shell) with stdin from in (-1: /dev/null) and waits: its
 * exit status, -1 if it did not run.
 */
static int
run_helper(struct remote *r, char *const *argv, int in, int out, int err,
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
	req.fd_in = in != -1 ? fcntl(in, F_DUPFD_CLOEXEC, 3) :
	    open("/dev/null", O_RDONLY | O_CLOEXEC);
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
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			return -1;
		if (stopped(r))
			(void)kill(-pid, SIGTERM);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Appends the '+'-separated group names in (len bytes) to *set. */
static void
add_groups(struct buf *set, const char *in, size_t len)
{
	if (set->len > 0)
		buf_addch(set, '+');
	buf_add(set, in, len);
	buf_addch(set, '\0');
	set->len--;
}

/* Whether the '+'-separated sets a and b share a name. */
static bool
groups_meet(const char *a, const char *b)
{
	size_t la, lb;
	const char *q;

	for (; *a != '\0'; a += la + (a[la] == '+')) {
		la = strcspn(a, "+");
		for (q = b; *q != '\0'; q += lb + (q[lb] == '+')) {
			lb = strcspn(q, "+");
			if (la == lb && la > 0 && strncmp(a, q, la) == 0)
				return true;
		}
	}
	return false;
}

const char *
remote_all_groups(struct remote *r)
{
	const char *g;
	size_t i, len;
	char one[256];

	buf_reset(&r->all_groups);
	buf_addstr(&r->all_groups, "");
	for (i = 0; i < r->nhosts; i++)
		for (g = r->hosts[i].groups.data; g != NULL && *g != '\0';
		    g += len + (g[len] == '+')) {
			len = strcspn(g, "+");
			if (len == 0 || len >= sizeof(one))
				continue;
			memcpy(one, g, len);
			one[len] = '\0';
			if (!groups_meet(one, r->all_groups.data))
				add_groups(&r->all_groups, one, len);
		}
	return r->all_groups.data;
}

static void
add_host(struct remote *r, const char *login, unsigned long slots,
    char **ssh, size_t nssh, char *dest, char *groups)
{
	struct host *h;
	size_t i;

	/* The same login twice is one host with the slots of the last. */
	for (i = 0; i < r->nhosts; i++)
		if (strcmp(r->hosts[i].login, login) == 0) {
			r->hosts[i].slots = slots;
			if (groups != NULL)
				add_groups(&r->hosts[i].groups, groups,
				    strlen(groups));
			free_words(ssh, nssh);
			free(dest);
			free(groups);
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
	/* GNU's: a host is in the group of its own login too. */
	add_groups(&h->groups, login, strlen(login));
	if (groups != NULL)
		add_groups(&h->groups, groups, strlen(groups));
	free(groups);
}

/* One login, with its N/ if any. */
static int
add_login(struct remote *r, const char *spec, struct buf *err)
{
	const char *errstr, *slash, *login = spec;
	unsigned long slots = 0;
	char **words, *num, *groups = NULL;
	size_t n = 0, nssh;
	char **ssh;

	while (*login == ' ' || *login == '\t')
		login++;
	/* @g1+g2/: its groups; "@g" alone: only the hosts of group g run. */
	if (*login == '@') {
		if ((slash = strchr(login, '/')) == NULL) {
			add_groups(&r->only_groups, login + 1,
			    strlen(login + 1));
			return 0;
		}
		groups = xmemdup(login + 1, (size_t)(slash - login - 1));
		login = slash + 1;
	}
	if ((slash = strchr(login, '/')) != NULL &&
	    strspn(login, "0123456789") == (size_t)(slash - login) &&
	    slash > login) {
		num = xmemdup(login, (size_t)(slash - login));
		slots = (unsigned long)strtonum(num, 1, 1000000, &errstr);
		free(num);
		if (errstr != NULL) {
			buf_addstr(err, "job slots ");
			buf_addstr(err, errstr);
			free(groups);
			return -1;
		}
		login = slash + 1;
	}
	if (strcmp(login, ":") == 0) {
		add_host(r, login, slots, NULL, 0, NULL, groups);
		return 0;
	}
	/* "ssh -p 2222 host": an ssh command of its own; else --ssh's. */
	if ((words = quote_split_words(login, &errstr)) == NULL) {
		buf_addstr(err, errstr);
		free(groups);
		return -1;
	}
	while (words[n] != NULL)
		n++;
	if (n == 0) {
		quote_free_words(words);
		buf_addstr(err, "an empty login");
		free(groups);
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
			free(groups);
			return -1;
		}
		for (nssh = 0; cmd[nssh] != NULL; nssh++)
			;
		ssh = xreallocarray(NULL, nssh + 1, sizeof(*ssh));
		for (n = 0; n < nssh; n++)
			ssh[n] = xstrdup(cmd[n]);
		quote_free_words(cmd);
		add_host(r, login, slots, ssh, nssh, dest, groups);
		return 0;
	}
	nssh = n - 1;
	ssh = xreallocarray(NULL, nssh + 1, sizeof(*ssh));
	for (n = 0; n < nssh; n++)
		ssh[n] = xstrdup(words[n]);
	add_host(r, login, slots, ssh, nssh, xstrdup(words[nssh]), groups);
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

size_t
remote_count(const struct remote *r)
{
	return r->nhosts;
}

const char *
remote_login(const struct remote *r, size_t i)
{
	return r->hosts[i].login;
}

bool
remote_chosen(const struct remote *r, size_t i)
{
	return r->only_groups.len == 0 ||
	    groups_meet(r->hosts[i].groups.data, r->only_groups.data);
}

void
remote_keep_one(struct remote *r, size_t i)
{
	size_t k;

	for (k = 0; k < r->nhosts; k++)
		r->hosts[k].dead = k != i;
	r->hosts[i].slots = 1;
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

/* Appends a space and arg quoted for a POSIX shell. */
static void
add_word(struct buf *b, const char *arg)
{
	buf_addch(b, ' ');
	quote_shell(b, arg, strlen(arg));
}

/* Appends the remote command that runs script in sh, $0 "parx". */
static void
add_script(struct buf *b, const char *script)
{
	buf_addstr(b, "exec sh -c");
	add_word(b, script);
	buf_addstr(b, " parx");
}

/*
 * Where path goes there, as GNU parallel (rsync -R) puts it: the part
 * after a "/./" relative to the directory, an absolute path as it is,
 * any other relative to the directory.  A relative one starts with "./",
 * so that no command there takes it for an option.
 */
static char *
far_path(const char *path)
{
	const char *dot = strstr(path, "/./");
	char *p;

	if (dot != NULL)
		path = dot + 3;
	else if (path[0] == '/')
		return xstrdup(path);
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (asprintf(&p, "./%s", path) == -1)
		abort();
	return p;
}

/* path's directory: "./a/b" -> "./a", "/x" -> "/". */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xmemdup(path, (size_t)(slash - path));
}

/* A local path the shell takes for no option: "./" before "-x". */
static char *
here_path(const char *path)
{
	char *p;

	if (path[0] != '-')
		return xstrdup(path);
	if (asprintf(&p, "./%s", path) == -1)
		abort();
	return p;
}

/*
 * Appends send_script's command for the local file path (into dir, or
 * the home if NULL) to b: what to give ssh with the file on stdin.
 */
static void
send_command(struct buf *b, const char *dir, const char *path)
{
	struct stat st;
	char mode[16], *far = far_path(path), *fardir = dir_of(far);

	snprintf(mode, sizeof(mode), "%o",
	    stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0600u);
	add_script(b, send_script);
	add_word(b, dir != NULL ? dir : "");
	add_word(b, fardir);
	add_word(b, far);
	add_word(b, mode);
	free(fardir);
	free(far);
}

/*
 * Appends to out the first line ssh wrote to the file errpath (its own
 * words say best what went wrong), or "ssh gave up"; removes the file.
 */
static void
ssh_said(const char *errpath, struct buf *out)
{
	struct buf text;

	buf_init(&text);
	if (fdio_read_file(errpath, &text) == 0 && text.len > 0) {
		text.data[strcspn(text.data, "\r\n")] = '\0';
		buf_addstr(out, text.data);
	} else
		buf_addstr(out, "ssh gave up");
	buf_release(&text);
	unlink(errpath);
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
	char opt_path[160], errpath[160];
	const char *extra[] = { "-o", "ControlMaster=yes", "-o", opt_path,
	    "-o", "ControlPersist=no", "-N", NULL };
	const char *check_extra[] = { "-o", opt_path, "-O", "check", NULL };
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
	if (run_helper(r, argv, -1, -1, efd, master) == -1) {
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
		    run_helper(r, argv, -1, devnull, devnull, NULL) == 0) {
			rc = 0;
			break;
		}
		if (monotime_now() > until || stopped(r)) {
			kill(-*master, SIGTERM);
			break;
		}
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	free(argv);
	close(devnull);
	if (rc == -1)
		ssh_said(errpath, err);
	unlink(errpath);
	return rc;
}

/* --sshdelay: the wait before parx opens a connection, but the first. */
static void
pause_between(struct remote *r)
{
	struct timespec ts;

	if (r->opts.delay <= 0)
		return;
	if (r->opened++ > 0) {
		ts.tv_sec = (time_t)r->opts.delay;
		ts.tv_nsec = (long)((r->opts.delay - (double)ts.tv_sec) * 1e9);
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR &&
		    !stopped(r))
			;
	}
}

/* h's masters, one for every MAX_SESSIONS of its slots.  -1: err says. */
static int
start_masters(struct remote *r, struct host *h, size_t idx, struct buf *err)
{
	size_t k;

	h->nmasters = (h->slots + MAX_SESSIONS - 1) / MAX_SESSIONS;
	h->ctl = xcalloc(h->nmasters, sizeof(*h->ctl));
	h->master = xcalloc(h->nmasters, sizeof(*h->master));
	h->sessions = xcalloc(h->nmasters, sizeof(*h->sessions));
	for (k = 0; k < h->nmasters; k++)
		h->master[k] = -1;
	for (k = 0; k < h->nmasters; k++) {
		pause_between(r);
		if (start_master(r, h, idx, k, err) == -1)
			return -1;
	}
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

	pause_between(r);
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
	status = run_helper(r, argv, -1, p[1], efd, NULL);
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
	} else
		ssh_said(errpath, why);
	unlink(errpath);
	return n;
}

/*
 * --basefile: each file sent to h over its first master, once, before
 * any job; what clean_script needs to remove them is kept in h->based.
 * -1 with err filled if one cannot be sent: jobs would run without it.
 */
static int
send_basefiles(struct remote *r, struct host *h, struct buf *err)
{
	char opt_path[160], got[64], errpath[160];
	const char *extra[] = { "-o", opt_path, "-o", "ControlMaster=no",
	    NULL };
	struct buf cmd;
	char **argv, *far;
	ssize_t n;
	size_t i;
	int in, p[2], efd, status;

	snprintf(opt_path, sizeof(opt_path), "ControlPath=%s", h->ctl[0]);
	snprintf(errpath, sizeof(errpath), "%s/send.err", r->dir);
	for (i = 0; i < r->opts.nbasefiles; i++) {
		if ((in = open(r->opts.basefiles[i], O_RDONLY | O_CLOEXEC)) ==
		    -1) {
			buf_addstr(err, "cannot read --basefile '");
			buf_addstr(err, r->opts.basefiles[i]);
			buf_addstr(err, "': ");
			buf_addstr(err, strerror(errno));
			return -1;
		}
		buf_init(&cmd);
		send_command(&cmd, r->opts.workdir, r->opts.basefiles[i]);
		argv = ssh_argv(h, extra, cmd.data);
		status = -1;
		n = 0;
		if (pipe2(p, O_CLOEXEC) == 0) {
			if ((efd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC |
			    O_CLOEXEC, 0600)) != -1) {
				status = run_helper(r, argv, in, p[1], efd,
				    NULL);
				close(efd);
			}
			close(p[1]);
			n = read(p[0], got, sizeof(got) - 1);
			close(p[0]);
		}
		free(argv);
		buf_release(&cmd);
		close(in);
		if (status != 0 || n <= 0) {
			buf_addstr(err, "cannot send --basefile '");
			buf_addstr(err, r->opts.basefiles[i]);
			buf_addstr(err, "' to '");
			buf_addstr(err, h->login);
			buf_addstr(err, "': ");
			ssh_said(errpath, err);
			return -1;
		}
		got[n] = '\0';
		got[strcspn(got, "\n")] = '\0';
		far = far_path(r->opts.basefiles[i]);
		buf_addstr(&h->based, " t");
		add_word(&h->based, far);
		buf_addch(&h->based, ' ');
		buf_addstr(&h->based, got);
		free(far);
	}
	unlink(errpath);
	return 0;
}

/*
 * --cleanup: removes from h the basefiles sent to it (those that were
 * not there before).
 */
static void
clean_basefiles(struct remote *r, struct host *h)
{
	char opt_path[160];
	const char *extra[] = { "-o", opt_path, "-o", "ControlMaster=no",
	    NULL };
	struct buf cmd;
	char **argv;

	if (h->based.len == 0 || h->nmasters == 0 || h->master[0] <= 0)
		return;
	snprintf(opt_path, sizeof(opt_path), "ControlPath=%s", h->ctl[0]);
	buf_init(&cmd);
	add_script(&cmd, clean_script);
	add_word(&cmd, r->opts.workdir != NULL ? r->opts.workdir : "");
	buf_addstr(&cmd, " 0");
	buf_add(&cmd, h->based.data, h->based.len);
	argv = ssh_argv(h, extra, cmd.data);
	(void)run_helper(r, argv, -1, -1, -1, NULL);
	free(argv);
	buf_release(&cmd);
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

/*
 * Connects host i and counts its slots, numbering them from *next.
 * 0; 1 if it cannot be reached (said in err, the host dropped); -1 on an
 * error that ends parx (err says).
 */
static int
start_host(struct remote *r, size_t i, unsigned long *next, struct buf *err)
{
	struct host *h = &r->hosts[i];
	unsigned long cpus, n;
	struct cpu_count local;
	char why[128];
	const char *spec = r->opts.jobs != NULL ? r->opts.jobs : "100%";
	struct buf why_not;
	int rc = -1;

	buf_init(&why_not);
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
			rc = 1;
			goto out;
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
		rc = 1;
		goto out;
	}
	if (!h->local && send_basefiles(r, h, err) == -1)
		goto out;
	h->first = *next;
	*next += h->slots;
	rc = 0;
out:
	buf_release(&why_not);
	return rc;
}

int
remote_start(struct remote *r, struct buf *err)
{
	unsigned long next = 1;
	size_t i;

	/* -S @g: the hosts of no such group are left out. */
	for (i = 0; i < r->nhosts; i++)
		if (!remote_chosen(r, i))
			r->hosts[i].dead = true;
	for (i = 0; i < r->nhosts; i++) {
		if (stopped(r)) {
			buf_addstr(err, "interrupted while connecting");
			return -1;
		}
		if (!r->hosts[i].dead &&
		    start_host(r, i, &next, err) == -1)
			return -1;
	}
	r->next_slot = next;
	if (next == 1) {
		buf_addstr(err, "no host to run jobs on");
		return -1;
	}
	return 0;
}

bool
remote_update(struct remote *r, struct remote *fresh, struct buf *err)
{
	bool changed = false, found;
	size_t i, k;

	/* Gone from the list: no new jobs there. */
	for (i = 0; i < r->nhosts; i++) {
		for (found = false, k = 0; k < fresh->nhosts && !found; k++)
			found = strcmp(r->hosts[i].login,
			    fresh->hosts[k].login) == 0;
		if (!found && !r->hosts[i].dead) {
			r->hosts[i].dead = true;
			changed = true;
		}
	}
	/* New in it: connected now. */
	for (k = 0; k < fresh->nhosts; k++) {
		for (found = false, i = 0; i < r->nhosts && !found; i++)
			found = strcmp(r->hosts[i].login,
			    fresh->hosts[k].login) == 0;
		/* Taken out and put back: in again, unless it was lost. */
		if (found && r->hosts[i - 1].dead && !r->hosts[i - 1].lost &&
		    r->hosts[i - 1].first != 0) {
			r->hosts[i - 1].dead = false;
			changed = true;
		}
		if (found)
			continue;
		r->hosts = xreallocarray(r->hosts, r->nhosts + 1,
		    sizeof(*r->hosts));
		r->hosts[r->nhosts] = fresh->hosts[k];
		memset(&fresh->hosts[k], 0, sizeof(fresh->hosts[k]));
		fresh->hosts[k].dead = true;
		if (start_host(r, r->nhosts++, &r->next_slot, err) == 0)
			changed = true;
	}
	remote_free(fresh);
	return changed;
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


/*
 * The line the remote login shell runs for job: its variables (the
 * job's number, --env's), its directory, then sh running the wrapper
 * with the command line as $1 (quoted, so any byte of it arrives as it
 * is).  With rm_dir, the directory goes once the job is done.
 */
static void
job_line(struct remote *r, const struct host *h, const struct run_job *job,
    const char *dir, bool rm_dir, struct buf *line)
{
	char vars[160], *cmd;
	const char *eq, *groups;
	size_t i;

	snprintf(vars, sizeof(vars), "PARALLEL_SEQ=%lu; PARX_SEQ=%lu; "
	    "export PARALLEL_SEQ PARX_SEQ; PARALLEL_SSHLOGIN=", job->seq,
	    job->seq);
	buf_addstr(line, vars);
	quote_shell(line, h->login, strlen(h->login));
	buf_addstr(line, "; PARALLEL_SSHHOST=");
	eq = strrchr(h->dest, '@');
	eq = eq != NULL ? eq + 1 : h->dest;
	quote_shell(line, eq, strlen(eq));
	buf_addstr(line, "; export PARALLEL_SSHLOGIN PARALLEL_SSHHOST; ");
	if (r->opts.hostgroups) {
		/* As GNU: a value with no groups of its own has them all. */
		groups = job->groups != NULL ? job->groups :
		    remote_all_groups(r);
		buf_addstr(line, "PARALLEL_HOSTGROUPS=");
		quote_shell(line, h->groups.data, h->groups.len);
		buf_addstr(line, "; PARALLEL_ARGHOSTGROUPS=");
		quote_shell(line, groups, strlen(groups));
		buf_addstr(line, "; export PARALLEL_HOSTGROUPS "
		    "PARALLEL_ARGHOSTGROUPS; ");
	}
	for (i = 0; i < r->opts.nenv; i++) {
		eq = strchr(r->opts.env[i], '=');
		buf_add(line, r->opts.env[i], (size_t)(eq - r->opts.env[i]));
		buf_addch(line, '=');
		quote_shell(line, eq + 1, strlen(eq + 1));
		buf_addstr(line, "; export ");
		buf_add(line, r->opts.env[i], (size_t)(eq - r->opts.env[i]));
		buf_addstr(line, "; ");
	}
	if (dir != NULL) {
		buf_addstr(line, "mkdir -p");
		add_word(line, dir);
		buf_addstr(line, " && cd");
		add_word(line, dir);
		buf_addstr(line, " || exit 255; ");
	}
	cmd = command_line(job);
	buf_addstr(line, rm_dir ? "sh -c" : "exec sh -c");
	add_word(line, wrapper);
	buf_addstr(line, " parx");
	add_word(line, cmd);
	buf_addstr(line, job->in_held ? " w" : " i \"$PPID\"");
	if (rm_dir) {
		buf_addstr(line, "; s=$?; cd && rm -rf");
		add_word(line, dir);
		buf_addstr(line, "; exit $s");
	}
	free(cmd);
}

/*
 * Appends to word, a word for the local shell, the remote text in lit
 * (quoted) and then the local variable var (its value as it is): the
 * numbers a step printed, which the next step's remote command holds.
 */
static void
add_text_then_var(struct buf *word, struct buf *lit, const char *var)
{
	if (lit->len > 0)
		quote_shell(word, lit->data, lit->len);
	buf_reset(lit);
	if (var != NULL) {
		buf_addstr(word, "\"$");
		buf_addstr(word, var);
		buf_addch(word, '"');
	}
}

/*
 * Appends to *list (n entries) the transfer path of each regular file
 * under the local directory that path names, at any depth, in fts
 * order: path itself, as the user wrote it (its "/./" kept), then the
 * file's place under it.  Empty directories and symbolic links stay.
 */
static void
add_dir_files(char ***list, size_t *n, const char *path, const char *here)
{
	char *const roots[] = { (char *)here, NULL };
	size_t hlen = strlen(here);
	FTS *fts;
	FTSENT *e;

	if ((fts = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR, NULL)) == NULL)
		return;
	while ((e = fts_read(fts)) != NULL) {
		if (e->fts_info != FTS_F || strncmp(e->fts_path, here, hlen))
			continue;
		*list = xreallocarray(*list, *n + 2, sizeof(**list));
		if (asprintf(&(*list)[(*n)++], "%s%s", path,
		    e->fts_path + hlen) == -1)
			abort();
		(*list)[*n] = NULL;
	}
	fts_close(fts);
}

/*
 * job's --transferfile paths with each directory replaced by the files
 * in it (add_dir_files()), as GNU's rsync -r sends it: a new list, its
 * strings too; NULL for none.
 */
static char **
transfer_list(char *const *transfer)
{
	char **list = NULL, *here, *path;
	struct stat st;
	size_t n = 0, i, len;

	for (i = 0; transfer != NULL && transfer[i] != NULL; i++) {
		path = xstrdup(transfer[i]);
		/* "dir/" is dir: its files are dir/f, not dir//f. */
		for (len = strlen(path); len > 1 && path[len - 1] == '/';)
			path[--len] = '\0';
		here = here_path(path);
		if (stat(here, &st) == 0 && S_ISDIR(st.st_mode))
			add_dir_files(&list, &n, path, here);
		else {
			list = xreallocarray(list, n + 2, sizeof(*list));
			list[n++] = xstrdup(transfer[i]);
			list[n] = NULL;
		}
		free(here);
		free(path);
	}
	return list;
}

/*
 * The local sh script that sends job's files, runs line there, fetches
 * its files and (--cleanup) removes on the host what it sent and
 * fetched; ssh is the command that reaches the host (its words, quoted).
 */
static char *
job_script(const struct remote *r, const struct host *h,
    const struct run_job *job, const char *ssh, const char *line,
    const char *dir, bool rm_dir)
{
	struct buf b, cmd, clean, lit, sent, fetched;
	char var[40];
	char num[32], *far, *here, *tmp, *herefile;
	char **transfer = transfer_list(job->transfer);
	size_t i;

	buf_init(&b);
	buf_init(&cmd);
	buf_init(&clean);
	buf_init(&lit);
	buf_init(&sent);
	buf_init(&fetched);
	buf_addstr(&b, "r() { ");
	buf_addstr(&b, ssh);
	buf_addstr(&b, " \"$@\"; }\n");
	add_script(&lit, clean_script);
	add_word(&lit, dir != NULL ? dir : "");
	buf_addstr(&lit, rm_dir ? " 1" : " 0");
	add_text_then_var(&clean, &lit, NULL);
	for (i = 0; transfer != NULL && transfer[i] != NULL; i++) {
		snprintf(num, sizeof(num), "%zu", i);
		buf_reset(&cmd);
		send_command(&cmd, dir, transfer[i]);
		here = here_path(transfer[i]);
		buf_addstr(&b, "t");
		buf_addstr(&b, num);
		buf_addstr(&b, "=$(r");
		add_word(&b, cmd.data);
		buf_addstr(&b, " <");
		add_word(&b, here);
		buf_addstr(&b, ") || { printf 'parx: cannot send %s to %s\\n'");
		add_word(&b, transfer[i]);
		add_word(&b, h->login);
		buf_addstr(&b, " >&2; exit 255; }\n");
		free(here);
	}
	/*
	 * clean: t FILE "$tN", the last sent first, so that a directory
	 * made for the first file of a tree is empty when its turn comes.
	 */
	while (i-- > 0) {
		far = far_path(transfer[i]);
		buf_addstr(&lit, " t");
		add_word(&lit, far);
		buf_addch(&lit, ' ');
		free(far);
		snprintf(var, sizeof(var), "t%zu", i);
		add_text_then_var(&sent, &lit, var);
	}
	buf_addstr(&b, "r");
	add_word(&b, line);
	buf_addstr(&b, "\ns=$?\n");
	for (i = 0; job->ret != NULL && job->ret[i] != NULL; i++) {
		snprintf(num, sizeof(num), "%zu", i);
		far = far_path(job->ret[i]);
		here = here_path(job->ret[i]);
		tmp = dir_of(here);
		buf_reset(&cmd);
		add_script(&cmd, fetch_script);
		add_word(&cmd, dir != NULL ? dir : "");
		add_word(&cmd, far);
		buf_addstr(&b, "if i");
		buf_addstr(&b, num);
		buf_addstr(&b, "=$(r");
		add_word(&b, cmd.data);
		buf_addstr(&b, " </dev/null | "
		    "{ IFS=' ' read -r i n && mkdir -p");
		add_word(&b, tmp);
		if (asprintf(&herefile, "%s/.parx-fetch-%zu", tmp, i) == -1)
			abort();
		buf_addstr(&b, " && cat >");
		add_word(&b, herefile);
		buf_addstr(&b, "\"$$\" && [ \"$(($(wc -c <");
		add_word(&b, herefile);
		buf_addstr(&b, "\"$$\")))\" -eq \"$n\" ] && mv -f");
		add_word(&b, herefile);
		buf_addstr(&b, "\"$$\"");
		add_word(&b, here);
		buf_addstr(&b, " && echo \"$i\"; }); then :; else rm -f");
		add_word(&b, herefile);
		buf_addstr(&b, "\"$$\"; i");
		buf_addstr(&b, num);
		buf_addstr(&b, "=x; printf 'parx: cannot fetch %s from %s\\n'");
		add_word(&b, job->ret[i]);
		add_word(&b, h->login);
		buf_addstr(&b, " >&2; [ \"$s\" -ne 0 ] || s=255; fi\n");
		buf_addstr(&lit, " r");
		add_word(&lit, far);
		buf_addch(&lit, ' ');
		snprintf(var, sizeof(var), "i%zu", i);
		add_text_then_var(&fetched, &lit, var);
		free(herefile);
		free(tmp);
		free(here);
		free(far);
	}
	if (r->opts.cleanup || rm_dir) {
		/* Fetched files first: they may be in a directory sent. */
		buf_addstr(&b, "r ");
		buf_add(&b, clean.data, clean.len);
		buf_add(&b, fetched.data, fetched.len);
		buf_add(&b, sent.data, sent.len);
		buf_addstr(&b, " </dev/null\n");
	}
	buf_addstr(&b, "exit \"$s\"\n");
	buf_release(&cmd);
	buf_release(&clean);
	buf_release(&lit);
	buf_release(&sent);
	buf_release(&fetched);
	for (i = 0; transfer != NULL && transfer[i] != NULL; i++)
		free(transfer[i]);
	free(transfer);
	return buf_detach(&b);
}

/*
 * The host whose job slot *slot is (the slots are the hosts' in turn: a
 * host runs as many as it has), *slot made one of its own; NULL if none.
 */
static struct host *
host_of_slot(const struct remote *r, unsigned long *slot)
{
	unsigned long total = remote_slots(r);
	size_t i;

	*slot = total > 0 ? (*slot - 1) % total + 1 : 1;
	for (i = 0; i < r->nhosts; i++)
		if (!r->hosts[i].dead && *slot >= r->hosts[i].first &&
		    *slot < r->hosts[i].first + r->hosts[i].slots)
			return &r->hosts[i];
	return NULL;
}

/*
 * The host for a job in slot: the slot's own, unless it was lost or is
 * full (a job placed again after a loss), then the first with a slot
 * free, else the least busy one left; NULL if none is left.
 */
/*
 * Whether job groups (--hostgroups; NULL: any) let it run on h.  Groups
 * no host left has let it run anywhere, as GNU's documentation says.
 */
static bool
group_allows(const struct remote *r, const char *groups,
    const struct host *h)
{
	size_t i;

	if (groups == NULL || groups_meet(h->groups.data, groups))
		return true;
	for (i = 0; i < r->nhosts; i++)
		if (!r->hosts[i].dead &&
		    groups_meet(r->hosts[i].groups.data, groups))
			return false;
	return true;
}

static bool
has_room(const struct host *h)
{
	return h->local || h->running < h->slots;
}

static struct host *
choose_host(const struct remote *r, unsigned long slot, const char *avoid,
    const char *groups)
{
	struct host *h = host_of_slot(r, &slot), *best = NULL;
	size_t i;

	if (h != NULL && has_room(h) && group_allows(r, groups, h) &&
	    (avoid == NULL || strcmp(h->login, avoid) != 0))
		return h;
	/* A job placed again (--retries) tries another host first. */
	for (i = 0; avoid != NULL && i < r->nhosts; i++) {
		h = &r->hosts[i];
		if (!h->dead && strcmp(h->login, avoid) != 0 && has_room(h) &&
		    group_allows(r, groups, h))
			return h;
	}
	for (i = 0; i < r->nhosts; i++) {
		h = &r->hosts[i];
		if (h->dead || !group_allows(r, groups, h))
			continue;
		if (has_room(h))
			return h;
		if (best == NULL || h->running * best->slots <
		    best->running * h->slots)
			best = h;
	}
	return best;
}

const char *
remote_host_of(const struct remote *r, unsigned long slot,
    const char *groups, const char **login, const char **host_groups)
{
	const struct host *h = choose_host(r, slot, NULL, groups);
	const char *at;

	if (h == NULL || h->local) {
		*login = *host_groups = NULL;
		return NULL;
	}
	*login = h->login;
	*host_groups = h->groups.data;
	at = strrchr(h->dest, '@');
	return at != NULL ? at + 1 : h->dest;
}

/* Counts job seq on h, on its least busy master, which it returns. */
static size_t
place(struct remote *r, struct host *h, unsigned long seq)
{
	size_t k, best = 0;

	for (k = 1; k < h->nmasters; k++)
		if (h->sessions[k] < h->sessions[best])
			best = k;
	h->running++;
	h->sessions[best]++;
	if (r->nplaced == r->placed_cap) {
		r->placed_cap = r->placed_cap ? 2 * r->placed_cap : 16;
		r->placed = xreallocarray(r->placed, r->placed_cap,
		    sizeof(*r->placed));
	}
	r->placed[r->nplaced].seq = seq;
	r->placed[r->nplaced].host = (size_t)(h - r->hosts);
	r->placed[r->nplaced].master = best;
	r->nplaced++;
	return best;
}

/* Job seq no longer counts on its host; false if it did not. */
static bool
forget(struct remote *r, unsigned long seq, struct placed *was)
{
	size_t i;
	struct host *h;

	for (i = 0; i < r->nplaced; i++)
		if (r->placed[i].seq == seq) {
			*was = r->placed[i];
			h = &r->hosts[was->host];
			h->running--;
			h->sessions[was->master]--;
			r->placed[i] = r->placed[--r->nplaced];
			return true;
		}
	return false;
}

/*
 * argv (NULL-terminated) in one allocation, as run frees a job's argv:
 * the pointers, then the text.
 */
/* The CLI's engine: out of memory ends parx, as xmalloc() would. */
static char **
pack_argv(char *const *argv)
{
	char **out = job_pack_words(argv);

	if (out == NULL)
		xmalloc_fail();
	return out;
}

/* No host is left for job: it fails, saying so, without running. */
static void
no_host(struct run_job *job)
{
	static char *const argv[] = { "/bin/sh", "-c",
	    "echo 'parx: no host left to run it on' >&2; exit 255", NULL };

	free(job->argv);
	job->argv = pack_argv(argv);
}

/*
 * Whether master k of h has exited, given a moment to notice (its
 * connection and a job's session end together).
 */
static bool
master_gone(struct host *h, size_t k)
{
	double until = monotime_now() + 0.5;
	pid_t got;

	if (h->master[k] <= 0)
		return true;
	for (;;) {
		got = waitpid(h->master[k], NULL, WNOHANG);
		if (got == h->master[k] || (got == -1 && errno == ECHILD)) {
			h->master[k] = -1;
			return true;
		}
		if (monotime_now() > until)
			return false;
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
}

int
remote_lost(struct remote *r, unsigned long seq, int exit_code,
    const char **lost_login)
{
	struct host *h = NULL;
	size_t i, master = 0;

	*lost_login = NULL;
	for (i = 0; i < r->nplaced && h == NULL; i++)
		if (r->placed[i].seq == seq) {
			h = &r->hosts[r->placed[i].host];
			master = r->placed[i].master;
		}
	/* ssh's own failure (255) with the connection gone: not the job's. */
	if (h == NULL || exit_code != 255 || !master_gone(h, master))
		return 0;
	if (!h->dead) {
		h->dead = true;
		h->lost = true;
		*lost_login = h->login;
	}
	return 1;
}

void
remote_done(struct remote *r, unsigned long seq)
{
	struct placed was;

	(void)forget(r, seq, &was);
}

bool
remote_must_wait(const struct remote *r, const struct run_job *job)
{
	size_t i;

	if (job->groups == NULL)
		return false;
	for (i = 0; i < r->nhosts; i++)
		if (!r->hosts[i].dead && has_room(&r->hosts[i]) &&
		    group_allows(r, job->groups, &r->hosts[i]))
			return false;
	/* Full, or none of its groups left (it fails once placed). */
	for (i = 0; i < r->nhosts; i++)
		if (!r->hosts[i].dead &&
		    group_allows(r, job->groups, &r->hosts[i]))
			return true;
	return false;
}

void
remote_place(struct remote *r, unsigned long slot, struct run_job *job)
{
	char opt_path[160];
	/*
	 * Through the master only: without it ssh would open a connection
	 * of its own, one a job, beyond sshd's MaxStartups; a proxy that
	 * fails at once makes that an ssh error (255) instead, which
	 * remote_done() tells from the job's own failure by the master
	 * being gone.
	 */
	const char *extra[] = { "-o", opt_path, "-o", "ControlMaster=no",
	    "-o", "ProxyCommand=false", NULL };
	const char *sh_argv[] = { "/bin/sh", "-c", NULL, NULL };
	struct host *h = NULL;
	struct buf line, words;
	char **argv, *text, *dir = NULL, *script = NULL;
	char *avoid = NULL;
	size_t i, master;
	struct placed was;
	bool unique = false, scripted;

	/* Placed before (a host lost, --retries): its own command again. */
	if (job->host != NULL) {
		(void)forget(r, job->seq, &was);
		avoid = job->host;
		job->host = NULL;
		free(job->argv);
		job->argv = NULL;
	}
	/* --wd: where it runs there, kept for a placement again. */
	if (job->cwd != NULL) {
		free(job->far_dir);
		job->far_dir = job->cwd;
		job->far_dir_own = job->cwd_remove;
		job->cwd = NULL;
		job->cwd_remove = false;
	}
	h = choose_host(r, slot, avoid, job->groups);
	free(avoid);
	if (h == NULL || h->local) {
		/* Here after all: its --wd back (made by the caller). */
		if (job->far_dir != NULL) {
			job->cwd = job->far_dir;
			job->cwd_remove = job->far_dir_own;
			job->far_dir = NULL;
		}
		if (h == NULL)
			no_host(job);
		return;
	}
	job->host = xstrdup(h->login);
	/* --wd: a directory there; --wd ... one under .parallel/tmp. */
	if (job->far_dir != NULL && job->far_dir_own) {
		text = strrchr(job->far_dir, '/');
		if (asprintf(&dir, ".parallel/tmp/%s",
		    text != NULL ? text + 1 : job->far_dir) == -1)
			abort();
		unique = true;
	} else if (job->far_dir != NULL)
		dir = here_path(job->far_dir);
	else if (r->opts.workdir != NULL)
		dir = here_path(r->opts.workdir);
	job->in_held = !(job->in_len > 0 || job->in_file_len > 0 ||
	    job->in_stream || job->in_fifo);
	scripted = job->transfer != NULL || job->ret != NULL;
	buf_init(&line);
	job_line(r, h, job, dir, unique && job->ret == NULL, &line);
	master = place(r, h, job->seq);
	snprintf(opt_path, sizeof(opt_path), "ControlPath=%s",
	    h->ctl[master]);
	argv = ssh_argv(h, extra, scripted ? NULL : line.data);
	if (scripted) {
		buf_init(&words);
		for (i = 0; argv[i] != NULL; i++) {
			if (i > 0)
				buf_addch(&words, ' ');
			quote_shell(&words, argv[i], strlen(argv[i]));
		}
		script = job_script(r, h, job, words.data, line.data, dir,
		    unique && job->ret != NULL);
		buf_release(&words);
		free(argv);
		sh_argv[2] = script;
		argv = (char **)sh_argv;
	}
	free(job->argv);
	job->argv = pack_argv(argv);
	if (!scripted)
		free(argv);
	free(script);
	free(dir);
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

	(void)kill(-pid, SIGTERM);
	for (;;) {
		got = waitpid(pid, NULL, WNOHANG);
		if (got == pid || (got == -1 && errno != EINTR))
			return;
		if (monotime_now() > until)
			break;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	(void)kill(-pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
}

void
remote_close(struct remote *r)
{
	size_t i, k;

	if (r == NULL)
		return;
	if (r->opts.cleanup)
		for (i = 0; i < r->nhosts; i++) {
			clean_basefiles(r, &r->hosts[i]);
			buf_reset(&r->hosts[i].based);
		}
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
		free(r->hosts[i].sessions);
		free(r->hosts[i].login);
		free_words(r->hosts[i].ssh, r->hosts[i].nssh);
		free(r->hosts[i].dest);
		buf_release(&r->hosts[i].based);
		buf_release(&r->hosts[i].groups);
	}
	buf_release(&r->only_groups);
	buf_release(&r->all_groups);
	free((char *)r->opts.workdir);
	free_strings(r->opts.basefiles);
	free_strings(r->opts.env);
	free(r->dir);
	free(r->hosts);
	free(r->placed);
	free(r);
}
