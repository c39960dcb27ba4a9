/* Unit tests for lib/joblog.c and the --results encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "joblog.h"
#include "results.h"

static char path[] = "/tmp/parx-test-joblog.XXXXXX";

static void
result(struct run_result *r, unsigned long seq, int code, int sig,
    const char *cmd)
{
	memset(r, 0, sizeof(*r));
	r->seq = seq;
	r->exit_code = code;
	r->signal = sig;
	r->cmd = cmd;
	r->runtime = 1.5;
	r->start.tv_sec = 1000;
	r->start.tv_nsec = 250000000;
	r->out_bytes[0] = 7;
}

static void
test_joblog_line_format(void **state)
{
	struct run_result r;
	struct joblog *jl;
	char line[512];
	FILE *f;

	(void)state;
	close(mkstemp(path));
	jl = joblog_open(path, false);
	assert_non_null(jl);
	result(&r, 3, -1, 15, "echo a\nb");
	assert_int_equal(joblog_write(jl, &r), 0);
	assert_int_equal(joblog_close(jl), 0);
	f = fopen(path, "r");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "Seq\tHost\tStarttime\tJobRuntime\tSend\t"
	    "Receive\tExitval\tSignal\tCommand\n");
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line,
	    "3\t:\t1000.250\t     1.500\t0\t7\t-1\t15\techo a\\nb\n");
	fclose(f);
	unlink(path);
}

static void
test_joblog_resume_sets(void **state)
{
	struct joblog_entry *failed;
	struct joblog_done *d;
	struct run_result r;
	struct joblog *jl;
	size_t n;
	FILE *f;

	(void)state;
	close(mkstemp(path));
	jl = joblog_open(path, false);
	result(&r, 1, 0, 0, "ok");
	joblog_write(jl, &r);
	result(&r, 2, 1, 0, "bad");
	joblog_write(jl, &r);
	result(&r, 3, 2, 0, "bad then good");
	joblog_write(jl, &r);
	result(&r, 3, 0, 0, "bad then good");
	joblog_write(jl, &r);
	joblog_close(jl);
	/* a torn last line counts for nothing */
	f = fopen(path, "a");
	fputs("4\t:\t1.0\t1.0\t0\t0\t0\t0\tcut sh", f);
	fclose(f);

	d = joblog_done_read(path, false);
	assert_true(joblog_done_has(d, 1));
	assert_true(joblog_done_has(d, 2));
	assert_true(joblog_done_has(d, 3));
	assert_false(joblog_done_has(d, 4));
	joblog_done_free(d);
	d = joblog_done_read(path, true);
	assert_true(joblog_done_has(d, 1));
	assert_false(joblog_done_has(d, 2));
	assert_true(joblog_done_has(d, 3));
	joblog_done_free(d);

	assert_int_equal(joblog_failed(path, &failed, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(failed[0].seq, 2);
	assert_string_equal(failed[0].cmd, "bad");
	free((char *)failed[0].cmd);
	free(failed);
	unlink(path);
}

static void
test_joblog_missing_is_empty(void **state)
{
	struct joblog_done *d;

	(void)state;
	d = joblog_done_read("/nonexistent/parx/log", false);
	assert_non_null(d);
	assert_false(joblog_done_has(d, 1));
	joblog_done_free(d);
}

static void
check_component(const char *v, const char *want)
{
	struct buf b;

	buf_init(&b);
	results_encode_component(&b, v);
	assert_string_equal(b.data, want);
	buf_release(&b);
}

static void
test_results_components_stay_inside(void **state)
{
	(void)state;
	check_component("plain", "plain");
	check_component("a/b", "a\\_b");
	check_component("a\\b", "a\\\\b");
	check_component("..", "\\..");
	check_component(".", "\\.");
	check_component("", "\\0");
	check_component("../x", "..\\_x");
	check_component("t\tn\n\x01", "t\\tn\\n\\x01");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_joblog_line_format),
		cmocka_unit_test(test_joblog_resume_sets),
		cmocka_unit_test(test_joblog_missing_is_empty),
		cmocka_unit_test(test_results_components_stay_inside),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
