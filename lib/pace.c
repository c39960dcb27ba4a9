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

#include <stdio.h>
#include <stdlib.h>

#define RECHECK		1.0			/* --memfree, --load */
#define LOAD_NOTE	3.0			/* --load: say so after */
#define HELD_RATE	(128.0 * 1024 * 1024)
#define RATE_WINDOW	0.008

void
pace_init(struct pace *p, const struct pace_opts *o, double now)
{
	p->opts = *o;
	p->last_start = 0;
	p->out_fast = true;
	p->rate_since = now;
	p->rate_written = 0;
}

void
pace_started(struct pace *p, double now)
{
	p->last_start = now;
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
