/* Unit tests for lib/halt.c: GNU parallel's --halt rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "halt.h"

static void
test_halt_parse_forms(void **state)
{
	struct halt h;
	const char *err;

	(void)state;
	assert_int_equal(halt_parse(&h, "never", &err), 0);
	assert_int_equal(h.when, HALT_NEVER);
	assert_int_equal(halt_parse(&h, "now,fail=1", &err), 0);
	assert_int_equal(h.when, HALT_NOW);
	assert_int_equal(h.why, HALT_FAIL);
	assert_int_equal(halt_parse(&h, "soon,success=30%", &err), 0);
	assert_int_equal(h.when, HALT_SOON);
	assert_int_equal(h.why, HALT_SUCCESS);
	assert_true(h.pct);
	assert_true(halt_needs_total(&h));
	assert_int_equal(halt_parse(&h, "2", &err), 0);
	assert_int_equal(h.when, HALT_NOW);
	assert_int_equal(halt_parse(&h, "-1", &err), 0);
	assert_int_equal(h.why, HALT_SUCCESS);
	assert_int_equal(halt_parse(&h, "20%", &err), 0);
	assert_true(h.pct);
	assert_int_equal(halt_parse(&h, "done=3", &err), 0);
	assert_int_equal(h.why, HALT_DONE);
	assert_int_equal(halt_parse(&h, "later,fail=1", &err), -1);
	assert_int_equal(halt_parse(&h, "now,fail=x", &err), -1);
	assert_int_equal(halt_parse(&h, "now,fail=200%", &err), -1);
	/* Whole numbers only, as GNU's (\d+)%? takes them. */
	assert_int_equal(halt_parse(&h, "now,fail=nan", &err), -1);
	assert_int_equal(halt_parse(&h, "now,fail=inf", &err), -1);
	assert_int_equal(halt_parse(&h, "now,fail=1.5", &err), -1);
	assert_int_equal(halt_parse(&h, "now,fail=1e3", &err), -1);
	assert_int_equal(halt_parse(&h, "now,fail= 1", &err), -1);
	assert_int_equal(halt_parse(&h, "now,fail=0", &err), -1);
	assert_int_equal(halt_parse(&h, "now,fail=99999999999999999999", &err),
	    -1);
}

static void
test_halt_fail_one_keeps_job_status(void **state)
{
	struct halt h;
	const char *err;

	(void)state;
	halt_parse(&h, "now,fail=1", &err);
	assert_int_equal(halt_job_done(&h, 0, 0), HALT_NEVER);
	assert_int_equal(halt_job_done(&h, -1, 9), HALT_NOW);
	assert_int_equal(halt_exit_status(&h), 137);
}

static void
test_halt_fail_count_and_pct(void **state)
{
	struct halt h;
	const char *err;

	(void)state;
	halt_parse(&h, "soon,fail=2", &err);
	assert_int_equal(halt_job_done(&h, 3, 0), HALT_NEVER);
	assert_int_equal(halt_job_done(&h, 4, 0), HALT_SOON);
	assert_int_equal(halt_exit_status(&h), 2);

	halt_parse(&h, "soon,fail=50%", &err);
	h.total = 4;
	assert_int_equal(halt_job_done(&h, 1, 0), HALT_NEVER);
	assert_int_equal(halt_job_done(&h, 1, 0), HALT_SOON);
	assert_int_equal(halt_exit_status(&h), 50);
}

static void
test_halt_success_exits_zero(void **state)
{
	struct halt h;
	const char *err;

	(void)state;
	halt_parse(&h, "now,success=1", &err);
	assert_int_equal(halt_job_done(&h, 3, 0), HALT_NEVER);
	assert_int_equal(halt_job_done(&h, 0, 0), HALT_NOW);
	assert_int_equal(halt_exit_status(&h), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_halt_parse_forms),
		cmocka_unit_test(test_halt_fail_one_keeps_job_status),
		cmocka_unit_test(test_halt_fail_count_and_pct),
		cmocka_unit_test(test_halt_success_exits_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
