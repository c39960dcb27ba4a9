/* Unit tests for lib/termseq.c: parsing, deadlines, and a real group. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/wait.h>

#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "termseq.h"

static void
test_termseq_parse(void **state)
{
	struct termseq seq;
	const char *err;

	(void)state;
	assert_int_equal(termseq_parse("INT,100,SIGKILL,5", &seq, &err), 0);
	assert_int_equal(seq.n, 2);
	assert_int_equal(seq.step[0].sig, SIGINT);
	assert_int_equal(seq.step[0].ms, 100);
	assert_int_equal(seq.step[1].sig, SIGKILL);
	assert_int_equal(termseq_parse("15,7", &seq, &err), 0);
	assert_int_equal(seq.step[0].sig, SIGTERM);
	assert_int_equal(termseq_parse("TERM", &seq, &err), 0);
	assert_int_equal(seq.step[0].ms, 0);
	assert_int_equal(termseq_parse("BOGUS,1", &seq, &err), -1);
	assert_string_equal(err, "not a signal");
	assert_int_equal(termseq_parse("TERM,x", &seq, &err), -1);
	assert_int_equal(termseq_parse("TERM,-1", &seq, &err), -1);
	assert_int_equal(termseq_parse("", &seq, &err), -1);
	assert_int_equal(termseq_parse("0,1", &seq, &err), -1);
	assert_int_equal(termseq_parse("TERM,1,TERM,1,TERM,1,TERM,1,TERM,1,"
	    "TERM,1,TERM,1,TERM,1,TERM,1,TERM,1,TERM,1,TERM,1,TERM,1,TERM,1,"
	    "TERM,1,TERM,1,KILL", &seq, &err), -1);
	assert_string_equal(err, "too many steps");
}

static void
test_termseq_deadline_and_when(void **state)
{
	struct termseq seq = { .n = 0 };
	struct termjob t;

	(void)state;
	termjob_init(&t, 100, 5);
	assert_false(termjob_timed_out(&t, 104.9));
	assert_true(termjob_timed_out(&t, 105));
	/* One place says when the job next needs looking at. */
	assert_true(termjob_when(&seq, &t, false) == 105);
	assert_true(termjob_when(&seq, &t, true) == -1);
	assert_true(termjob_start(&t, 105));
	assert_false(termjob_start(&t, 106));
	assert_false(termjob_timed_out(&t, 200));
	assert_true(termjob_when(&seq, &t, false) == 105);
	termjob_init(&t, 100, 0);
	assert_false(termjob_timed_out(&t, 1e9));
	assert_true(termjob_when(&seq, &t, false) == -1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A process group whose leader ignores TERM gets each step, and the
 * sequence is over once the leader has exited and the group is empty.
 */
static void
test_termseq_steps_reach_the_group(void **state)
{
	struct termseq seq;
	struct termjob t;
	enum termjob_event ev = TERMJOB_NONE;
	const char *err;
	int st, killed = 0, ready[2];
	pid_t pid;
	char c;
	double end;

	(void)state;
	assert_int_equal(termseq_parse("TERM,20,TERM,20,KILL,20", &seq, &err),
	    0);
	assert_int_equal(pipe(ready), 0);
	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		signal(SIGTERM, SIG_IGN);
		(void)write(ready[1], "x", 1);
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	/* Not before the child ignores TERM. */
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	close(ready[1]);
	termjob_init(&t, now(), 0);
	assert_true(termjob_start(&t, now()));
	for (end = now() + 5; now() < end && killed == 0;) {
		if (termjob_advance(&seq, &t, pid, false, now()) ==
		    TERMJOB_KILLED)
			killed = 1;
		usleep(5000);
	}
	assert_int_equal(killed, 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	/* Exited, group empty: over. */
	assert_false(termjob_exited(&t, pid));
	ev = termjob_advance(&seq, &t, pid, true, now() + 1);
	assert_int_equal(ev, TERMJOB_NONE);
	assert_false(termjob_running(&t));
}

static void
test_termseq_runtimes_median(void **state)
{
	struct runtimes rt = { 0 };
	double m;

	(void)state;
	/* No job succeeded yet: the plain --timeout, or none. */
	assert_true(runtimes_median(&rt) == -1);
	assert_true(runtimes_timeout(&rt, 7, 200) == 7);
	runtimes_add(&rt, 1);
	runtimes_add(&rt, 2);
	runtimes_add(&rt, 2.5);
	runtimes_add(&rt, 300);
	runtimes_add(&rt, 0.000001);
	/* Within 1% of the true median, 2 s. */
	m = runtimes_median(&rt);
	assert_true(m > 1.98 && m < 2.02);
	m = runtimes_timeout(&rt, 7, 200);
	assert_true(m > 3.96 && m < 4.04);
	assert_true(runtimes_timeout(&rt, 7, 0) == 7);
	runtimes_free(&rt);
	assert_true(runtimes_median(&rt) == -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_termseq_runtimes_median),
		cmocka_unit_test(test_termseq_parse),
		cmocka_unit_test(test_termseq_deadline_and_when),
		cmocka_unit_test(test_termseq_steps_reach_the_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
