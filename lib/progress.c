/*
 * progress: counts and their text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libutil.h>

#include "progress.h"

#define TTY_EVERY	0.1	/* seconds between redraws in a terminal */
#define LINE_EVERY	10.0	/* and between lines elsewhere */
#define BAR_MIN		10	/* a narrower bar says nothing */

void
progress_init(struct progress *p, int what, bool tty, unsigned width,
    double now)
{
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->tty = tty;
	p->width = width >= 20 ? width : 80;
	p->start = now;
	/* A terminal shows it at once; a log gets its first line later. */
	p->last = tty ? -1 : now;
}

bool
progress_due(struct progress *p, double now, bool final)
{
	if (!final && p->last >= 0 &&
	    now - p->last < (p->tty ? TTY_EVERY : LINE_EVERY))
		return false;
	p->last = now;
	return true;
}

void
progress_duration(double s, struct buf *b)
{
	char t[32];
	unsigned long n = s > 0 ? (unsigned long)(s + 0.5) : 0;

	if (n < 60)
		snprintf(t, sizeof(t), "%lus", n);
	else if (n < 3600)
		snprintf(t, sizeof(t), "%lum%02lus", n / 60, n % 60);
	else if (n < 86400)
		snprintf(t, sizeof(t), "%luh%02lum", n / 3600, n % 3600 / 60);
	else
		snprintf(t, sizeof(t), "%lud%02luh", n / 86400,
		    n % 86400 / 3600);
	buf_addstr(b, t);
}

/* Jobs a second: one decimal while small, then k, M, G (libbsd). */
static void
add_rate(double rate, struct buf *b)
{
	char t[32];

	if (rate < 1000)
		snprintf(t, sizeof(t), "%.1f/s", rate);
	else
		humanize_number(t, 7, (int64_t)rate, "/s", HN_AUTOSCALE,
		    HN_DECIMAL | HN_DIVISOR_1000 | HN_NOSPACE);
	buf_addstr(b, t);
}

/* Everything but the bar. */
static void
figures(const struct progress *p, double now, struct buf *b)
{
	double elapsed = now - p->start;
	char t[96];

	if (p->total > 0) {
		snprintf(t, sizeof(t), "%lu%% %lu/%lu done",
		    p->done * 100 / p->total, p->done, p->total);
		buf_addstr(b, t);
	} else {
		snprintf(t, sizeof(t), "%lu done", p->done);
		buf_addstr(b, t);
	}
	if (p->failed > 0) {
		snprintf(t, sizeof(t), ", %lu failed", p->failed);
		buf_addstr(b, t);
	}
	if (p->what & PROGRESS_JOBS) {
		snprintf(t, sizeof(t), ", %lu running", p->running);
		buf_addstr(b, t);
	}
	if (p->draining)
		buf_addstr(b, ", draining");
	buf_addstr(b, ", ");
	progress_duration(elapsed, b);
	if (p->total > 0 && p->done > 0 && p->done < p->total) {
		buf_addstr(b, ", ETA ");
		progress_duration(elapsed / p->done * (p->total - p->done), b);
	} else if ((p->what & PROGRESS_ETA) &&
	    (p->total == 0 || p->done == 0)) {
		/* No total yet (input still coming), or nothing to go by. */
		buf_addstr(b, ", ETA ?");
	}
	if (elapsed > 0 && p->done > 0) {
		buf_addstr(b, ", ");
		add_rate(p->done / elapsed, b);
	}
}

void
progress_format(const struct progress *p, double now, struct buf *b)
{
	struct buf f;
	size_t room, fill, i;

	buf_init(&f);
	figures(p, now, &f);
	if ((p->what & PROGRESS_BAR) && p->tty && p->total > 0 &&
	    p->width > f.len + 3 + BAR_MIN) {
		room = p->width - f.len - 4;
		if (room > 50)
			room = 50;
		fill = p->done >= p->total ? room : room * p->done / p->total;
		buf_addch(b, '[');
		for (i = 0; i < room; i++)
			buf_addch(b, i < fill ? '#' : '-');
		buf_addstr(b, "] ");
	}
	/* In a terminal the line must fit, or it wraps and is not redrawn. */
	if (p->tty && f.len > p->width - 1)
		buf_add(b, f.data, p->width - 1);
	else
		buf_add(b, f.data, f.len);
	buf_release(&f);
}
