/*
 * halt: --halt, GNU parallel's rules for stopping early and for the exit
 * status that says why.
 */
#ifndef PARX_HALT_H
#define PARX_HALT_H

#include <stdbool.h>

enum halt_when { HALT_NEVER, HALT_SOON, HALT_NOW };
enum halt_why { HALT_FAIL, HALT_SUCCESS, HALT_DONE };

struct halt {
	enum halt_when	when;
	enum halt_why	why;
	double		count;		/* jobs, or a percentage if pct */
	bool		pct;
	unsigned long	total;		/* number of jobs, for pct */
	unsigned long	started;
	unsigned long	done;
	unsigned long	failed;
	bool		triggered;
	int		status;		/* the exit status, once triggered */
};

/*
 * Parses "never", "now,fail=1", "soon,success=30%", "done=3", the numbers
 * 0, 1, 2, -1, -2 and "N%" into h.  -1 with *errstr set if malformed.
 */
int	halt_parse(struct halt *h, const char *spec, const char **errstr);

/* True if the rule needs the number of jobs up front (a percentage). */
bool	halt_needs_total(const struct halt *);

/*
 * Counts a finished job (exit_code -1 and signal when it was killed) and
 * says what to do: HALT_NEVER to go on, or when to stop.
 */
enum halt_when	halt_job_done(struct halt *, int exit_code, int signal);

/*
 * The exit status under --halt (h->when != HALT_NEVER): the triggering
 * job's status for fail=1 and done=1, the number of failed jobs for
 * fail=N, their percentage for a percentage, 0 for success.
 */
int	halt_exit_status(const struct halt *);

#endif
