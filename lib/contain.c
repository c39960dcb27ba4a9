/*
 * contain: subreaper, orphans and the sentinel.
 *
 * The sentinel is a forked copy of parx in a process group of its own
 * (Ctrl-C and Ctrl-Z at the terminal do not reach it), holding nothing
 * but the read end of a pipe whose write end only parx has.  parx tells it
 * through that pipe what to clean up; a clean end says "Q" first.  End of
 * file without "Q" means parx died: the sentinel then kills, round after
 * round until none is left, every process whose environment has the run's
 * id in PARX_RUN, writes the cgroup.kill files it was given and removes the
 * directories.  The environment is what every descendant of a job
 * inherits, whatever process group or session it moved to; only one that
 * clears its environment escapes (the cgroup, where there is one, does
 * not let it).  PR_SET_PDEATHSIG, set on each job, ends its first process
 * at once; the sentinel gets the rest.
 */
#include "contain.h"

#include <sys/prctl.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fdio.h"
#include "spawn.h"
#include "xmalloc.h"

#define MARKER_NAME	"PARX_RUN="
#define SWEEP_ROUNDS	50
#define ORPHAN_ROUNDS	50

struct contain {
	pid_t	*inherited;	/* sorted */
	size_t	 ninherited;
	pid_t	 sentinel;	/* -1: none (it died, or could not start) */
	int	 sentinel_errno;	/* why it could not start */
	int	 to_sentinel;	/* the pipe's write end, or -1 */
	char	*marker;	/* MARKER_NAME and the ids, ours last */
	char	 id[48];
};

/* What the forked sentinel needs, set up before the fork. */
struct sentinel_args {
	int		 fd;
	const char	*id;
};

static int
cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/* parx's children now, from /proc/self/task/<tid>/children. */
static pid_t *
list_children(size_t *np)
{
	char path[300], *p, *end;
	pid_t *pids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	struct buf b;
	ssize_t got;
	DIR *d;
	long v;
	int fd;

	*np = 0;
	if ((d = opendir("/proc/self/task")) == NULL)
		return NULL;
	buf_init(&b);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children",
		    e->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		buf_reset(&b);
		buf_grow(&b, 4096);
		while ((got = read(fd, b.data + b.len, 4096)) > 0) {
			b.len += got;
			buf_grow(&b, 4096);
		}
		close(fd);
		b.data[b.len] = '\0';
		for (p = b.data;; p = end) {
			v = strtol(p, &end, 10);
			if (end == p)
				break;
			if (n == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				pids = xreallocarray(pids, cap, sizeof(*pids));
			}
			pids[n++] = (pid_t)v;
		}
	}
	buf_release(&b);
	closedir(d);
	*np = n;
	return pids;
}

/* Whether the environment block env (n bytes) carries run id. */
static bool
env_has_id(const char *env, size_t n, const char *id)
{
	size_t idlen = strlen(id), mlen = strlen(MARKER_NAME);
	const char *p, *end, *v, *comma;

	for (p = env; p < env + n; p = end + 1) {
		if ((end = memchr(p, '\0', env + n - p)) == NULL)
			end = env + n;
		if ((size_t)(end - p) < mlen || memcmp(p, MARKER_NAME, mlen))
			continue;
		for (v = p + mlen; v < end; v = comma + 1) {
			if ((comma = memchr(v, ',', end - v)) == NULL)
				comma = end;
			if ((size_t)(comma - v) == idlen &&
			    memcmp(v, id, idlen) == 0)
				return true;
		}
	}
	return false;
}

/* One pass over /proc: SIGKILL to each process of the run.  How many. */
static int
sweep(const char *id, struct buf *env)
{
	char path[64];
	struct dirent *e;
	int found = 0, fd;
	ssize_t got;
	char *end;
	DIR *d;
	long pid;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		pid = strtol(e->d_name, &end, 10);
		if (*end != '\0' || pid <= 0 || pid == (long)getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/environ", pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		buf_reset(env);
		do {
			buf_grow(env, 65536);
			got = read(fd, env->data + env->len, 65536);
			if (got > 0)
				env->len += got;
		} while (got > 0 || (got == -1 && errno == EINTR));
		close(fd);
		if (env_has_id(env->data, env->len, id) &&
		    kill((pid_t)pid, SIGKILL) == 0)
			found++;
	}
	closedir(d);
	return found;
}

/* Removes dir and the files directly in it (FIFOs, --cat files). */
static void
remove_dir(const char *dir)
{
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 &&
			    strcmp(e->d_name, "..") != 0)
				(void)unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	(void)rmdir(dir);
}

/*
 * parx died: its records (a type byte, a path, a NUL each) say what to
 * clean up besides its processes.
 */
static void
clean_up(const char *id, const struct buf *msgs)
{
	struct buf env;
	const char *p;
	int fd, round, quiet = 0;

	buf_init(&env);
	for (round = 0; round < SWEEP_ROUNDS && quiet < 2; round++)
		quiet = sweep(id, &env) == 0 ? quiet + 1 : 0;
	buf_release(&env);
	for (p = msgs->data; p < msgs->data + msgs->len; p += strlen(p) + 1)
		if (p[0] == 'K' && (fd = open(p + 1, O_WRONLY | O_CLOEXEC)) !=
		    -1) {
			(void)write(fd, "1", 1);
			close(fd);
		}
	for (p = msgs->data; p < msgs->data + msgs->len; p += strlen(p) + 1)
		if (p[0] == 'D')
			remove_dir(p + 1);
}

/* The sentinel's life: wait for parx to end, clean up if it died. */
static void
sentinel_main(void *arg)
{
	const struct sentinel_args *a = arg;
	struct buf msgs;
	const char *p;
	ssize_t n;
	int fd;

	/*
	 * Out of parx's process group, away from the terminal's signals;
	 * holding nothing of parx's but the pipe (a copy of parx's stdout
	 * would keep a reader waiting for its end).
	 */
	(void)setpgid(0, 0);
	if (a->fd > STDERR_FILENO + 1)
		(void)close_range(STDERR_FILENO + 1, a->fd - 1, 0);
	(void)close_range(a->fd + 1, ~0U, 0);
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	buf_init(&msgs);
	for (;;) {
		buf_grow(&msgs, 4096);
		n = read(a->fd, msgs.data + msgs.len, 4096);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		msgs.len += n;
	}
	msgs.data[msgs.len] = '\0';
	for (p = msgs.data; p < msgs.data + msgs.len; p += strlen(p) + 1)
		if (p[0] == 'Q')
			return;
	clean_up(a->id, &msgs);
}

struct contain *
contain_new(void)
{
	struct sentinel_args a;
	struct contain *c;
	const char *old;
	struct buf m;
	int fds[2], e;


	c = xcalloc(1, sizeof(*c));
	c->sentinel = -1;
	/* Detached descendants come to us, so they can be ended too. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	c->inherited = list_children(&c->ninherited);
	if (c->ninherited > 0)
		qsort(c->inherited, c->ninherited, sizeof(*c->inherited),
		    cmp_pid);
	snprintf(c->id, sizeof(c->id), "%ld.%08x", (long)getpid(),
	    arc4random());
	/* A parx run by a parx job: its jobs carry both ids. */
	buf_init(&m);
	buf_addstr(&m, MARKER_NAME);
	if ((old = getenv("PARX_RUN")) != NULL && *old != '\0') {
		buf_addstr(&m, old);
		buf_addch(&m, ',');
	}
	buf_addstr(&m, c->id);
	c->marker = buf_detach(&m);
	c->to_sentinel = -1;
	if (pipe2(fds, O_CLOEXEC) == -1) {
		c->sentinel_errno = errno;
		return c;
	}
	a.fd = fds[0];
	a.id = c->id;
	c->sentinel = spawn_function(sentinel_main, &a);
	e = errno;
	close(fds[0]);
	if (c->sentinel == -1) {
		close(fds[1]);
		c->sentinel_errno = e;
		return c;
	}
	c->to_sentinel = fds[1];
	return c;
}

int
contain_sentinel_errno(const struct contain *c)
{
	return c->sentinel_errno;
}

const char *
contain_marker(const struct contain *c)
{
	return c->marker;
}

static int
tell(struct contain *c, char type, const char *path)
{
	struct buf msg;
	int r;

	if (c->to_sentinel == -1) {
		errno = EPIPE;
		return -1;
	}
	buf_init(&msg);
	buf_addch(&msg, type);
	buf_addstr(&msg, path);
	buf_add(&msg, "", 1);
	r = fdio_write_full(c->to_sentinel, msg.data, msg.len);
	buf_release(&msg);
	return r;
}

int
contain_watch_dir(struct contain *c, const char *dir)
{
	return tell(c, 'D', dir);
}

int
contain_watch_cgroup(struct contain *c, const char *kill_file)
{
	return tell(c, 'K', kill_file);
}

static bool
is_inherited(const struct contain *c, pid_t pid)
{
	return c->ninherited > 0 && bsearch(&pid, c->inherited,
	    c->ninherited, sizeof(*c->inherited), cmp_pid) != NULL;
}

bool
contain_reap_child(struct contain *c, pid_t pid)
{
	if (is_inherited(c, pid))
		return false;
	while (waitpid(pid, NULL, WNOHANG) == -1 && errno == EINTR)
		;
	if (pid == c->sentinel)
		c->sentinel = -1;	/* killed by someone: nothing to tell */
	return true;
}

static bool
is_listed(pid_t pid, const pid_t *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (jobs[i] == pid)
			return true;
	return false;
}

void
contain_end_orphans(struct contain *c, const pid_t *jobs, size_t njobs)
{
	pid_t *kids;
	size_t n, i, left;
	int round, sig;

	for (round = 0; round < ORPHAN_ROUNDS; round++) {
		kids = list_children(&n);
		sig = round < 2 ? SIGTERM : SIGKILL;
		left = 0;
		for (i = 0; i < n; i++) {
			if (kids[i] == c->sentinel || is_inherited(c, kids[i]) ||
			    is_listed(kids[i], jobs, njobs))
				continue;
			/* A zombie is reaped; a living one is signalled. */
			if (waitpid(kids[i], NULL, WNOHANG) == kids[i])
				continue;
			(void)kill(kids[i], sig);
			(void)kill(-kids[i], sig);
			left++;
		}
		free(kids);
		if (left == 0)
			return;
		usleep(round < 2 ? 100000 : 20000);
	}
}

void
contain_free(struct contain *c)
{
	if (c == NULL)
		return;
	if (c->sentinel != -1) {
		(void)fdio_write_full(c->to_sentinel, "Q", 2);
		close(c->to_sentinel);
		while (waitpid(c->sentinel, NULL, 0) == -1 && errno == EINTR)
			;
	} else if (c->to_sentinel != -1)
		close(c->to_sentinel);
	(void)prctl(PR_SET_CHILD_SUBREAPER, 0);
	free(c->inherited);
	free(c->marker);
	free(c);
}
