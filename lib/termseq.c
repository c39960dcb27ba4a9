/*
 * termseq: deadlines and kill sequences.
 *
 * A job's process group id stays its own while any member is left (the
 * kernel does not hand out a pid that is some group's id), so signalling
 * the group after the job's first process has been reaped reaches what
 * is left of the job and nothing else.
 */
#include "termseq.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static const struct termseq gnu_default = {
	.step = { { SIGTERM, 200 }, { SIGTERM, 100 }, { SIGTERM, 50 },
	    { SIGKILL, 25 } },
	.n = 4,
};

static const struct termseq *
effective(const struct termseq *seq)
{
	return seq->n > 0 ? seq : &gnu_default;
}

/* A signal by name (TERM, SIGTERM) or number; -1 if it is none. */
static int
parse_signal(const char *tok)
{
	const char *name;
	char *end;
	long n;
	int k;

	if (tok[0] >= '0' && tok[0] <= '9') {
		n = strtol(tok, &end, 10);
		return *end == '\0' && n > 0 && n < NSIG ? (int)n : -1;
	}
	if (strncmp(tok, "SIG", 3) == 0)
		tok += 3;
	for (k = 1; k < NSIG; k++)
		if ((name = sigabbrev_np(k)) != NULL && strcmp(name, tok) == 0)
			return k;
	return -1;
}

int
termseq_parse(const char *spec, struct termseq *seq, const char **errstr)
{
	char *copy = xstrdup(spec), *tok, *save = NULL, *end;
	size_t n = 0;
	long ms;
	int sig;

	*errstr = NULL;
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (n == TERMSEQ_MAX) {
			*errstr = "too many steps";
			break;
		}
		if ((sig = parse_signal(tok)) == -1) {
			*errstr = "not a signal";
			break;
		}
		seq->step[n].sig = sig;
		seq->step[n].ms = 0;
		if ((tok = strtok_r(NULL, ",", &save)) != NULL) {
			ms = strtol(tok, &end, 10);
			if (*end != '\0' || ms < 0 || ms > 86400000) {
				*errstr = "not a number of milliseconds";
				break;
			}
			seq->step[n].ms = (unsigned)ms;
		}
		n++;
	}
	free(copy);
	if (*errstr == NULL && n == 0)
		*errstr = "empty";
	if (*errstr != NULL)
		return -1;
	seq->n = n;
	return 0;
}

void
termjob_init(struct termjob *t, double now, double timeout)
{
	t->deadline = timeout > 0 ? now + timeout : 0;
	t->step = -1;
	t->next = 0;
}

void
termjob_shift(struct termjob *t, double seconds)
{
	if (t->deadline > 0)
		t->deadline += seconds;
	if (t->step >= 0)
		t->next += seconds;
}

bool
termjob_timed_out(const struct termjob *t, double now)
{
	return t->step == -1 && t->deadline > 0 && now >= t->deadline;
}

bool
termjob_start(struct termjob *t, double now)
{
	if (t->step != -1)
		return false;
	t->step = 0;
	t->next = now;
	return true;
}

bool
termjob_running(const struct termjob *t)
{
	return t->step != -1;
}

/* Whether process group pgid has a member. */
static bool
group_alive(pid_t pgid)
{
	return pgid > 0 && (kill(-pgid, 0) == 0 || errno == EPERM);
}

enum termjob_event
termjob_advance(const struct termseq *seq, struct termjob *t, pid_t pgid,
    bool exited, double now)
{
	const struct termseq *s = effective(seq);
	enum termjob_event ev = TERMJOB_NONE;
	int sig;

	while (t->step >= 0 && t->next <= now) {
		if (exited && ((size_t)t->step == s->n || !group_alive(pgid))) {
			t->step = -1;
			return TERMJOB_OVER;
		}
		if ((size_t)t->step == s->n)
			break;		/* unkillable: wait for its exit */
		sig = s->step[t->step].sig;
		(void)kill(-pgid, sig);
		/* A stopped job (--memsuspend) must run to hear it. */
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCONT)
			(void)kill(-pgid, SIGCONT);
		if (sig == SIGKILL)
			ev = TERMJOB_KILLED;
		t->next = now + s->step[t->step].ms / 1000.0;
		t->step++;
	}
	return ev;
}

void
termjob_kill_now(const struct termseq *seq, struct termjob *t, pid_t pgid,
    double now)
{
	(void)kill(-pgid, SIGKILL);
	t->step = (int)effective(seq)->n;
	t->next = now;
}

bool
termjob_exited(struct termjob *t, pid_t pgid)
{
	if (t->step != -1 && !group_alive(pgid))
		t->step = -1;
	return t->step != -1;
}

double
termjob_when(const struct termseq *seq, const struct termjob *t,
    bool exited)
{
	if (t->step >= 0 && ((size_t)t->step < effective(seq)->n || exited))
		return t->next;
	if (t->step == -1 && t->deadline > 0 && !exited)
		return t->deadline;
	return -1;
}

#define RUNTIME_MIN	1e-6
#define RUNTIME_STEP	1.01
#define RUNTIME_BUCKETS	2500

static size_t
runtime_bucket(double v)
{
	double b = log(v / RUNTIME_MIN) / log(RUNTIME_STEP);

	if (!(b > 0))
		return 0;
	return b >= RUNTIME_BUCKETS - 1 ? RUNTIME_BUCKETS - 1 : (size_t)b;
}

void
runtimes_add(struct runtimes *rt, double seconds)
{
	if (rt->count == NULL)
		rt->count = xcalloc(RUNTIME_BUCKETS, sizeof(*rt->count));
	rt->count[runtime_bucket(seconds)]++;
	rt->n++;
}

void
runtimes_free(struct runtimes *rt)
{
	free(rt->count);
	rt->count = NULL;
	rt->n = 0;
}

double
runtimes_median(const struct runtimes *rt)
{
	unsigned long seen = 0;
	size_t i;

	if (rt->n == 0)
		return -1;
	for (i = 0; i < RUNTIME_BUCKETS; i++)
		if ((seen += rt->count[i]) * 2 >= rt->n)
			break;
	/* The middle of bucket i. */
	return RUNTIME_MIN * pow(RUNTIME_STEP, i + 0.5);
}

double
runtimes_timeout(const struct runtimes *rt, double timeout, double pct)
{
	if (pct > 0 && rt->n > 0)
		return runtimes_median(rt) * pct / 100;
	return timeout;
}
