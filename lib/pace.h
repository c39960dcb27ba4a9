/*
 * pace: when the next job may start (--delay, --memfree, --load), and
 * how fast held output is collected (the held-output throttle).
 */
#ifndef PARX_PACE_H
#define PARX_PACE_H

#include <stdbool.h>
#include <stddef.h>

/* --limit: what says whether another job may start. */
enum pace_limit {
	PACE_LIMIT_NONE,
	PACE_LIMIT_CMD,		/* limit_cmd's exit status: 0 yes, 1 no, 2 no
				   and end the youngest job */
	PACE_LIMIT_MEM,		/* "mem N": MemAvailable under N: no; under
				   N/2: and end the youngest */
	PACE_LIMIT_LOAD,	/* "load N": as --load N */
	PACE_LIMIT_IO,		/* "io N": a disk busier than N% of the time
				   over the last second: no */
};

struct pace_disk {
	char			name[64];
	unsigned long long	ticks;
};

struct pace_opts {
	double			delay;		/* seconds between starts */
	enum pace_limit		limit;
	const char		*limit_cmd;	/* PACE_LIMIT_CMD: shell code */
	const char		*limit_shell;	/* that runs it */
	double			limit_value;	/* the N of the others */
	unsigned long long	memfree;	/* start only with this free */
	double			max_load;	/* start only below this load */
	bool			noswap;		/* start only while not swapping */
	unsigned long		cpus;		/* for the throttle; 0: never */
};

struct pace {
	struct pace_opts	opts;
	double			last_start;	/* 0: none yet */
	bool			out_fast;	/* see pace_throttle() */
	double			rate_since;	/* the rate window's start */
	unsigned long long	rate_written;	/* written by then */
	double			load;		/* --load: as last counted */
	double			load_next;	/* when to count it again */
	double			load_since;	/* over the limit since; 0 */
	bool			load_noted;	/* pace_load_note() said it */
	unsigned long long	swap_pages;	/* --noswap: as last counted */
	double			swap_next;	/* when to count them again */
	bool			swapping;
	int			limit_verdict;	/* --limit: 0, 1, 2 as above */
	bool			limit_fresh;	/* asked since the last start */
	double			limit_next;	/* when to ask again */
	double			limit_backoff;	/* after a no */
	bool			limit_kill;	/* see pace_limit_kill() */
	struct pace_disk	*disks;		/* "io": each disk's busy ms */
	size_t			ndisks;
	double			io_at;		/* when counted; 0: never */
};

/* A pace for a run starting at now (monotonic seconds). */
void	pace_init(struct pace *, const struct pace_opts *, double now);

void	pace_free(struct pace *);

/* MemAvailable of /proc/meminfo, in bytes (all of it if unknown). */
unsigned long long	pace_mem_available(void);

/* A job started at now. */
void	pace_started(struct pace *, double now);

/*
 * Seconds before another job may start: 0 for now.  --memfree, --load
 * and --noswap are looked at again every second while they forbid it;
 * --limit once before each start, and while it says no, again after a
 * wait that grows to a second.
 */
double	pace_start_wait(struct pace *, double now);

/*
 * --limit said 2 (way over the limit) since the last call: end the
 * youngest job, to be run again later.  True once per such answer.
 */
bool	pace_limit_kill(struct pace *);

/*
 * True, once, when --load has held jobs back for some seconds: *load is
 * the load counted, for a note to whoever watches.
 */
bool	pace_load_note(struct pace *, double now, double *load);

/*
 * Whether held output is to be collected at the held rate now rather
 * than whenever it arrives: parx's output (written bytes so far) streams
 * faster than that rate and the running jobs are at least as many as
 * the CPUs.  Updated over a short window; a run starts out fast.
 */
bool	pace_throttle(struct pace *, unsigned long long written,
	    unsigned long running, double now);

/* When a held pipe just taken n bytes from is to be taken again. */
double	pace_held_due(double now, size_t n);

#endif
