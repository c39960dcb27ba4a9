/*
 * pace: starting jobs no faster than asked, and the held-output throttle.
 *
 * While our output streams faster than HELD_RATE bytes a second and the
 * running jobs are at least as many as the CPUs, held output (output
 * collate holds, not the owner's) is collected at HELD_RATE a pipe:
 * taking a held pipe N bytes at a time, run comes back N / HELD_RATE
 * seconds later.  A job writing slower than that never waits; a faster
 * one waits on its full pipe rather than take CPU time from the owner and
 * from parx, which would then copy every byte of it to the spill file
 * and back.  With CPUs to spare, held jobs run free.
 */
#include "pace.h"

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

#define RECHECK		1.0			/* --memfree, --load */
#define LOAD_NOTE	3.0			/* --load: say so after */
#define HELD_RATE	(128.0 * 1024 * 1024)
#define RATE_WINDOW	0.008
#define LIMIT_FIRST	0.05			/* --limit: wait after a no, */
#define LIMIT_MOST	1.0			/* doubling up to this */

void
pace_init(struct pace *p, const struct pace_opts *o, double now)
{
	p->opts = *o;
	p->last_start = 0;
	p->out_fast = true;
	p->rate_since = now;
	p->rate_written = 0;
	p->limit_backoff = LIMIT_FIRST;
}

void
pace_started(struct pace *p, double now)
{
	p->last_start = now;
	p->limit_fresh = false;
}

unsigned long long
pace_mem_available(void)
{
	unsigned long long kb = 0;
	char line[256];
	FILE *f;

	if ((f = fopen("/proc/meminfo", "re")) == NULL)
		return ~0ULL;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* Pages swapped in and out since boot, from /proc/vmstat. */
static unsigned long long
swap_pages(void)
{
	unsigned long long in = 0, out = 0, v;
	char line[256];
	FILE *f;

	if ((f = fopen("/proc/vmstat", "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "pswpin %llu", &v) == 1)
			in = v;
		else if (sscanf(line, "pswpout %llu", &v) == 1)
			out = v;
	}
	fclose(f);
	return in + out;
}

/*
 * --noswap, as GNU's (vmstat's si and so): the machine is swapping if
 * pages went in or out of swap in the last second or so.
 */
static bool
swapping(struct pace *p, double now)
{
	unsigned long long pages;

	if (now >= p->swap_next) {
		pages = swap_pages();
		p->swapping = p->swap_next > 0 && pages != p->swap_pages;
		p->swap_pages = pages;
		p->swap_next = now + RECHECK;
	}
	return p->swapping;
}

/*
 * The load as GNU parallel's --load counts it: the threads running or
 * waiting for a disk this instant (its ps axH states R and D), less the
 * one counting, so that a machine that is busy but waiting still starts
 * jobs and at most one job goes over the limit.  The one-minute load
 * average where /proc/stat does not say.
 */
static double
current_load(void)
{
	unsigned long running = 0, blocked = 0;
	bool seen = false;
	char line[256];
	double avg[1];
	FILE *f;

	if ((f = fopen("/proc/stat", "re")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			if (sscanf(line, "procs_running %lu", &running) == 1)
				seen = true;
			else
				(void)sscanf(line, "procs_blocked %lu", &blocked);
		}
		fclose(f);
		if (seen)
			return running + blocked > 0 ?
			    (double)(running + blocked - 1) : 0;
	}
	return getloadavg(avg, 1) == 1 ? avg[0] : 0;
}

/*
 * --limit CMD: its exit status, run by the shell with SSHLOGIN=: (the
 * local machine, as GNU parallel sets it), stdin and stdout /dev/null;
 * parx waits for it.  Anything but 0 or 2 (a shell that cannot start,
 * a signal) is a no.
 */
static int
run_limit_cmd(const struct pace_opts *o)
{
	char *argv[] = { (char *)o->limit_shell, "-c", (char *)o->limit_cmd,
	    NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	char **envp;
	size_t n = 0, i;
	pid_t pid;
	int status, e;

	while (environ[n] != NULL)
		n++;
	envp = calloc(n + 2, sizeof(*envp));
	if (envp == NULL)
		return 1;
	envp[0] = "SSHLOGIN=:";
	for (i = 0; i < n; i++)
		envp[i + 1] = environ[i];
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
	    O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null",
	    O_WRONLY, 0);
	e = posix_spawn(&pid, o->limit_shell, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(envp);
	if (e != 0)
		return 1;
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return 1;
	if (!WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status) == 0 ? 0 : WEXITSTATUS(status) == 2 ? 2 : 1;
}

/*
 * "io N": the busiest disk's share of the time since the last look, in
 * percent, as iostat's %util, which GNU parallel's io limit reads.  The
 * first look has nothing to compare with: no, for now.
 */
static int
io_verdict(struct pace *p, double now)
{
	char line[512], name[64];
	unsigned long long ticks;
	double pct, busiest = 0;
	struct pace_disk *d;
	size_t i;
	bool first = p->io_at == 0;
	FILE *f;

	if ((f = fopen("/proc/diskstats", "re")) == NULL)
		return 0;	/* nothing to go by: as no limit */
	while (fgets(line, sizeof(line), f) != NULL) {
		/* major minor name, then io_ticks is the 10th number. */
		if (sscanf(line, "%*u %*u %63s %*u %*u %*u %*u %*u %*u %*u "
		    "%*u %*u %llu", name, &ticks) != 2)
			continue;
		for (i = 0; i < p->ndisks; i++)
			if (strcmp(p->disks[i].name, name) == 0)
				break;
		if (i == p->ndisks) {
			d = realloc(p->disks, (i + 1) * sizeof(*d));
			if (d == NULL)
				break;
			p->disks = d;
			p->ndisks++;
			strlcpy(d[i].name, name, sizeof(d[i].name));
			d[i].ticks = ticks;
			continue;
		}
		d = &p->disks[i];
		if (!first && now > p->io_at) {
			pct = (double)(ticks - d->ticks) /
			    ((now - p->io_at) * 10.0);
			if (pct > busiest)
				busiest = pct;
		}
		d->ticks = ticks;
	}
	fclose(f);
	p->io_at = now;
	return first || busiest > p->opts.limit_value ? 1 : 0;
}

/* --limit's answer, asked once per start and while it says no. */
static int
limit_verdict(struct pace *p, double now)
{
	if (p->limit_fresh || now < p->limit_next)
		return p->limit_verdict;
	switch (p->opts.limit) {
	case PACE_LIMIT_CMD:
		p->limit_verdict = run_limit_cmd(&p->opts);
		break;
	case PACE_LIMIT_MEM:
		p->limit_verdict = pace_mem_available() <
		    p->opts.limit_value / 2 ? 2 :
		    pace_mem_available() < p->opts.limit_value ? 1 : 0;
		break;
	case PACE_LIMIT_LOAD:
		p->limit_verdict = current_load() >= p->opts.limit_value;
		break;
	case PACE_LIMIT_IO:
		p->limit_verdict = io_verdict(p, now);
		break;
	default:
		p->limit_verdict = 0;
	}
	if (p->limit_verdict == 0) {
		p->limit_fresh = true;
		p->limit_backoff = LIMIT_FIRST;
		return 0;
	}
	/* "io" needs a second between its looks to say anything. */
	if (p->opts.limit == PACE_LIMIT_IO)
		p->limit_backoff = LIMIT_MOST;
	p->limit_next = now + p->limit_backoff;
	if (p->limit_backoff < LIMIT_MOST)
		p->limit_backoff *= 2;
	if (p->limit_verdict == 2)
		p->limit_kill = true;
	return p->limit_verdict;
}

bool
pace_limit_kill(struct pace *p)
{
	bool k = p->limit_kill;

	p->limit_kill = false;
	return k;
}

void
pace_free(struct pace *p)
{
	free(p->disks);
	p->disks = NULL;
	p->ndisks = 0;
}

double
pace_start_wait(struct pace *p, double now)
{
	double wait = 0;

	if (p->opts.delay > 0 && p->last_start > 0 &&
	    now - p->last_start < p->opts.delay)
		wait = p->opts.delay - (now - p->last_start);
	if (p->opts.memfree > 0 && pace_mem_available() < p->opts.memfree &&
	    wait < RECHECK)
		wait = RECHECK;
	if (p->opts.noswap && wait < RECHECK && swapping(p, now))
		wait = RECHECK;
	if (p->opts.limit != PACE_LIMIT_NONE && wait == 0 &&
	    limit_verdict(p, now) != 0)
		wait = p->limit_next - now > 0 ? p->limit_next - now : 0.001;
	if (p->opts.max_load > 0 && wait < RECHECK) {
		if (now >= p->load_next) {
			p->load = current_load();
			p->load_next = now + RECHECK;
		}
		if (p->load >= p->opts.max_load) {
			wait = RECHECK;
			if (p->load_since == 0)
				p->load_since = now;
		} else
			p->load_since = 0;
	}
	return wait;
}

bool
pace_load_note(struct pace *p, double now, double *load)
{
	if (p->load_noted || p->load_since == 0 ||
	    now - p->load_since < LOAD_NOTE)
		return false;
	p->load_noted = true;
	*load = p->load;
	return true;
}

bool
pace_throttle(struct pace *p, unsigned long long written,
    unsigned long running, double now)
{
	if (now - p->rate_since >= RATE_WINDOW) {
		p->out_fast = written - p->rate_written >=
		    HELD_RATE * (now - p->rate_since);
		p->rate_since = now;
		p->rate_written = written;
	}
	return p->out_fast && p->opts.cpus > 0 && running >= p->opts.cpus;
}

double
pace_held_due(double now, size_t n)
{
	return now + n / HELD_RATE;
}
