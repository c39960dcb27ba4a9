/* Unit tests for lib/progress.c: the text, the estimate, the rate limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "buf.h"
#include "progress.h"

static char *
text(const struct progress *p, double now)
{
	static char out[256];
	struct buf b;

	buf_init(&b);
	progress_format(p, now, &b);
	assert_true(b.len < sizeof(out));
	memcpy(out, b.data, b.len + 1);
	buf_release(&b);
	return out;
}

static void
test_progress_durations(void **state)
{
	static const struct { double s; const char *want; } cases[] = {
		{ 0, "0s" }, { 9.4, "9s" }, { 65, "1m05s" }, { 3599, "59m59s" },
		{ 7380, "2h03m" }, { 273600, "3d04h" },
	};
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&b);
		progress_duration(cases[i].s, &b);
		assert_string_equal(b.data, cases[i].want);
		buf_release(&b);
	}
}

static void
test_progress_before_the_total_is_known(void **state)
{
	struct progress p;

	(void)state;
	progress_init(&p, PROGRESS_BAR, false, 80, 100);
	p.done = 6;
	p.failed = 1;
	/* No total: done and rate, no percentage, no bar, no guess. */
	assert_string_equal(text(&p, 103), "6 done, 1 failed, 3s, 2.0/s");
	p.what = PROGRESS_ETA | PROGRESS_JOBS;
	p.running = 4;
	assert_string_equal(text(&p, 103),
	    "6 done, 1 failed, 4 running, 3s, ETA ?, 2.0/s");
	/* After SIGHUP it says why nothing new starts. */
	p.draining = true;
	assert_string_equal(text(&p, 103),
	    "6 done, 1 failed, 4 running, draining, 3s, ETA ?, 2.0/s");
}

static void
test_progress_with_a_total(void **state)
{
	struct progress p;
	char *t;

	(void)state;
	progress_init(&p, PROGRESS_BAR, true, 80, 0);
	p.total = 10;
	p.done = 5;
	/* Half done in 10 s: 10 s to go. */
	t = text(&p, 10);
	assert_non_null(strstr(t, "] 50% 5/10 done, 10s, ETA 10s, 0.5/s"));
	assert_int_equal(t[0], '[');
	assert_true(strlen(t) <= 79);
	/* The bar is half full. */
	assert_int_equal(strspn(t + 1, "#") * 2, strcspn(t + 1, "]"));
	/* Not a terminal: no bar, and the line need not fit. */
	p.tty = false;
	assert_string_equal(text(&p, 10), "50% 5/10 done, 10s, ETA 10s, 0.5/s");
	/* A narrow terminal: no bar, and the figures cut to fit. */
	p.tty = true;
	p.width = 20;
	assert_int_equal(strlen(text(&p, 10)), 19);
	/* Done: no estimate. */
	p.width = 80;
	p.done = 10;
	assert_null(strstr(text(&p, 10), "ETA"));
	/* Fast runs: the rate in thousands, humanised. */
	p.tty = false;
	p.total = 0;
	p.done = 15000;
	assert_string_equal(text(&p, 10), "15000 done, 10s, 1.5k/s");
}

static void
test_progress_is_due_ten_times_a_second_or_every_ten(void **state)
{
	struct progress p;

	(void)state;
	progress_init(&p, PROGRESS_BAR, true, 80, 0);
	assert_true(progress_due(&p, 0, false));
	assert_false(progress_due(&p, 0.05, false));
	assert_true(progress_due(&p, 0.11, false));
	assert_true(progress_due(&p, 0.12, true));
	/* Lines: the first after ten seconds, then every ten. */
	progress_init(&p, PROGRESS_BAR, false, 80, 0);
	assert_false(progress_due(&p, 1, false));
	assert_true(progress_due(&p, 10, false));
	assert_false(progress_due(&p, 19, false));
	assert_true(progress_due(&p, 19, true));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_progress_durations),
		cmocka_unit_test(test_progress_before_the_total_is_known),
		cmocka_unit_test(test_progress_with_a_total),
		cmocka_unit_test(test_progress_is_due_ten_times_a_second_or_every_ten),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
