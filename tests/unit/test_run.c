/*
 * Unit tests for lib/run.c with a fake job source: slots, ordering,
 * exit statuses and the direct and shell paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quote.h"
#include "run.h"
#include "xmalloc.h"

struct fake {
	const char	*const *cmds;	/* shell command lines */
	size_t		 n;
	bool		 direct;
	int		 results[16];
	int		 signals[16];
	unsigned long	 slots_seen[16];
	unsigned	 attempts[16];
	bool		 timed_out[16];
	size_t		 done;
	unsigned long	 issued;
	size_t		 stop_after;
	unsigned	 retries;
	double		 timeout;
};

static int
fake_next(void *arg, unsigned long slot, struct run_job *job)
{
	struct fake *f = arg;
	unsigned long seq = ++f->issued;
	const char *err;

	if (seq > f->n)
		return 0;
	memset(job, 0, sizeof(*job));
	job->seq = seq;
	job->tee_fd[0] = job->tee_fd[1] = -1;
	job->cmd = xstrdup(f->cmds[seq - 1]);
	if (f->direct)
		job->argv = quote_split_words(job->cmd, &err);
	f->slots_seen[seq - 1] = slot;
	return 1;
}

static enum run_action
fake_done(void *arg, const struct run_result *r, struct buf *say,
    struct buf *out)
{
	(void)say;
	(void)out;
	struct fake *f = arg;

	f->results[r->seq - 1] = r->exit_code;
	f->signals[r->seq - 1] = r->signal;
	f->attempts[r->seq - 1] = r->attempts;
	f->timed_out[r->seq - 1] = r->timed_out;
	f->done++;
	return f->stop_after > 0 && f->done >= f->stop_after ? RUN_STOP_NOW :
	    RUN_CONTINUE;
}

static void
run_fake(struct fake *f, unsigned long jobs, struct run_stats *st)
{
	struct run_callbacks cb = {
		.next_job = fake_next, .job_done = fake_done, .arg = f,
	};
	struct run_opts ro;

	memset(&ro, 0, sizeof(ro));
	ro.out[0] = STDOUT_FILENO;
	ro.out[1] = STDERR_FILENO;
	ro.jobs = jobs;
	ro.output = COLLATE_KEEP;
	ro.shell = "/bin/sh";
	ro.mem_limit = 1 << 20;
	ro.retries = f->retries;
	ro.timeout = f->timeout;
	assert_int_equal(run_parallel(&ro, &cb, st), 0);
}

/*
 * The loop driven one round at a time, as a program with its own event
 * loop would: each round returns, jobs finish between rounds, and the
 * last round says the run is over.
 */
static void
test_run_step_by_step(void **state)
{
	static const char *const cmds[] = { "true", "exit 4", "true" };
	struct fake f = { .cmds = cmds, .n = 3 };
	struct run_callbacks cb = {
		.next_job = fake_next, .job_done = fake_done, .arg = &f,
	};
	struct run_opts ro;
	struct run_stats st;
	struct run *r;
	int rounds = 0, ret;

	(void)state;
	memset(&ro, 0, sizeof(ro));
	ro.out[0] = STDOUT_FILENO;
	ro.out[1] = STDERR_FILENO;
	ro.jobs = 1;
	ro.output = COLLATE_KEEP;
	ro.shell = "/bin/sh";
	ro.mem_limit = 1 << 20;
	r = run_new(&ro, &cb, &st);
	assert_non_null(r);
	while ((ret = run_step(r)) == 1) {
		rounds++;
		/* one slot: never more started than finished plus one */
		assert_true(st.started <= f.done + 1);
	}
	assert_int_equal(ret, 0);
	assert_true(rounds >= 3);
	assert_int_equal(f.done, 3);
	assert_int_equal(st.failed, 1);
	assert_int_equal(f.results[1], 4);
	/* over is over */
	assert_int_equal(run_step(r), 0);
	run_free(r);
}

static void
test_run_exit_statuses(void **state)
{
	static const char *const cmds[] = {
		"true", "exit 3", "kill -9 $$", "nosuch-cmd-parx 2>/dev/null",
	};
	struct fake f = { .cmds = cmds, .n = 4 };
	struct run_stats st;

	(void)state;
	run_fake(&f, 2, &st);
	assert_int_equal(f.done, 4);
	assert_int_equal(st.started, 4);
	assert_int_equal(st.failed, 3);
	assert_int_equal(f.results[0], 0);
	assert_int_equal(f.results[1], 3);
	assert_int_equal(f.results[2], -1);
	assert_int_equal(f.signals[2], 9);
	assert_int_equal(f.results[3], 127);
}

static void
test_run_direct_falls_back_to_shell(void **state)
{
	static const char *const cmds[] = { "true", "false", "cd /" };
	struct fake f = { .cmds = cmds, .n = 3, .direct = true };
	struct run_stats st;

	(void)state;
	run_fake(&f, 1, &st);
	assert_int_equal(f.results[0], 0);
	assert_int_equal(f.results[1], 1);
	assert_int_equal(f.results[2], 0);	/* cd is a builtin */
	assert_int_equal(f.slots_seen[2], 1);
}

static void
test_run_slots_stay_in_range(void **state)
{
	static const char *const cmds[] = {
		"true", "true", "true", "true", "true", "true", "true",
	};
	struct fake f = { .cmds = cmds, .n = 7, .direct = true };
	struct run_stats st;
	size_t i;

	(void)state;
	run_fake(&f, 3, &st);
	for (i = 0; i < 7; i++)
		assert_in_range(f.slots_seen[i], 1, 3);
	assert_int_equal(st.failed, 0);
}

static void
test_run_no_jobs(void **state)
{
	struct fake f = { .direct = true };
	struct run_stats st;

	(void)state;
	run_fake(&f, 4, &st);
	assert_int_equal(st.started, 0);
	assert_int_equal(f.done, 0);
}

static void
test_run_retries_until_success(void **state)
{
	static const char *const cmds[] = {
		"test -e retried-once || { touch retried-once; exit 1; }",
		"exit 2",
	};
	struct fake f = { .cmds = cmds, .n = 2, .retries = 3 };
	struct run_stats st;

	(void)state;
	unlink("retried-once");
	run_fake(&f, 1, &st);
	unlink("retried-once");
	assert_int_equal(f.results[0], 0);
	assert_int_equal(f.attempts[0], 2);
	assert_int_equal(f.results[1], 2);
	assert_int_equal(f.attempts[1], 3);
	assert_int_equal(st.failed, 1);
}

static void
test_run_timeout_kills(void **state)
{
	static const char *const cmds[] = { "sleep 5", "true" };
	struct fake f = { .cmds = cmds, .n = 2, .timeout = 0.2 };
	struct run_stats st;

	(void)state;
	run_fake(&f, 2, &st);
	assert_true(f.timed_out[0]);
	assert_int_equal(f.results[0], -1);
	assert_int_equal(f.signals[0], SIGTERM);
	assert_int_equal(f.results[1], 0);
}

static void
test_run_stop_now(void **state)
{
	static const char *const cmds[] = { "exit 1", "sleep 5", "true" };
	struct fake f = { .cmds = cmds, .n = 3, .stop_after = 1 };
	struct run_stats st;

	(void)state;
	run_fake(&f, 2, &st);
	assert_true(st.halted);
	/* the sleeper was ended; the third job never started */
	assert_int_equal(st.started, 2);
	assert_int_equal(f.signals[1], SIGTERM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_exit_statuses),
		cmocka_unit_test(test_run_step_by_step),
		cmocka_unit_test(test_run_direct_falls_back_to_shell),
		cmocka_unit_test(test_run_slots_stay_in_range),
		cmocka_unit_test(test_run_no_jobs),
		cmocka_unit_test(test_run_retries_until_success),
		cmocka_unit_test(test_run_timeout_kills),
		cmocka_unit_test(test_run_stop_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
