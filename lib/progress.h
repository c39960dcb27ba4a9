/*
 * progress: what --bar, --eta and --progress show: jobs done of the total
 * (once the input has ended and the total is known), failures, elapsed
 * time, an estimate of the time left and the rate.  It keeps the counts
 * and makes the text; it writes nothing (run_status() and notices do).
 */
#ifndef PARX_PROGRESS_H
#define PARX_PROGRESS_H

#include <stdbool.h>

#include "buf.h"

#define PROGRESS_BAR	0x1	/* --bar: a bar before the figures */
#define PROGRESS_ETA	0x2	/* --eta: the estimate, from the start */
#define PROGRESS_JOBS	0x4	/* --progress: the running jobs too */

struct progress {
	int		 what;		/* PROGRESS_* */
	bool		 tty;		/* redrawn in place; else lines */
	unsigned	 width;		/* the terminal's columns */
	double		 start;		/* when the run started */
	double		 last;		/* when it was last shown */
	unsigned long	 done, failed, running;
	unsigned long	 total;		/* 0: not known yet */
	bool		 draining;	/* SIGHUP: no more jobs start */
};

void	progress_init(struct progress *, int what, bool tty, unsigned width,
	    double now);

/*
 * Whether it is time to show it again: ten times a second in a terminal,
 * every ten seconds as lines.  final (the run is over) is always due.
 */
bool	progress_due(struct progress *, double now, bool final);

/*
 * The text for now: one line, at most width columns in a terminal, with
 * no newline.
 */
void	progress_format(const struct progress *, double now, struct buf *);

/* A duration as a person reads it: 9s, 1m05s, 2h03m, 3d04h. */
void	progress_duration(double seconds, struct buf *);

#endif
