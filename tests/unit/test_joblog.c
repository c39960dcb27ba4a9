/* Unit tests for lib/joblog.c and the --results encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/resource.h>
#include <sys/stat.h>

#include <signal.h>
#include <stdbool.h>
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

static bool torn;

/* The whole file at path, in buf (size cap); its length. */
static size_t
slurp(char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void
test_joblog_line_format(void **state)
{
	static const char want[] = "Seq\tHost\tStarttime\tJobRuntime\tSend\t"
	    "Receive\tExitval\tSignal\tCommand\n"
	    "3\t:\t1000.250\t     1.500\t0\t7\t-1\t15\techo a\0b\n"
	    "4\t:\t1000.250\t     1.500\t0\t7\t0\t9\tx\n";
	struct run_result r;
	struct joblog *jl;
	char file[512];

	(void)state;
	close(mkstemp(path));
	jl = joblog_open(path, false, &torn);
	assert_non_null(jl);
	/* A newline in the command is a NUL byte, as GNU writes it. */
	/* parx killed job 3 (Exitval -1); job 4 died by a signal of its own */
	result(&r, 3, -1, 15, "echo a\nb");
	r.killed = true;
	assert_int_equal(joblog_write(jl, &r), 0);
	result(&r, 4, -1, 9, "x");
	assert_int_equal(joblog_write(jl, &r), 0);
	assert_int_equal(joblog_close(jl), 0);
	assert_int_equal(slurp(file, sizeof(file)), sizeof(want) - 1);
	assert_memory_equal(file, want, sizeof(want) - 1);
	unlink(path);
}

static void
test_joblog_newline_reads_back(void **state)
{
	struct joblog_entry *failed;
	struct run_result r;
	struct joblog *jl;
	size_t n;

	(void)state;
	close(mkstemp(path));
	jl = joblog_open(path, false, &torn);
	result(&r, 1, 2, 0, "printf '%s\\n' 'a\nb'");
	assert_int_equal(joblog_write(jl, &r), 0);
	joblog_close(jl);
	assert_int_equal(joblog_failed(path, &failed, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(failed[0].cmd, "printf '%s\\n' 'a\nb'");
	free((char *)failed[0].cmd);
	free(failed);
	unlink(path);
}

static void
test_joblog_torn_last_line_is_cut_on_append(void **state)
{
	static const char want[] = "Seq\tHost\tStarttime\tJobRuntime\tSend\t"
	    "Receive\tExitval\tSignal\tCommand\n"
	    "1\t:\t1000.250\t     1.500\t0\t7\t0\t0\tok\n"
	    "2\t:\t1000.250\t     1.500\t0\t7\t0\t0\tnext\n";
	struct run_result r;
	struct joblog *jl;
	char file[512];
	FILE *f;

	(void)state;
	close(mkstemp(path));
	jl = joblog_open(path, false, &torn);
	result(&r, 1, 0, 0, "ok");
	joblog_write(jl, &r);
	joblog_close(jl);
	f = fopen(path, "a");
	fputs("2\t:\t1.0\t1.0\t0\t0\t0\t0\tcut sh", f);
	fclose(f);
	jl = joblog_open(path, true, &torn);
	assert_non_null(jl);
	assert_true(torn);
	result(&r, 2, 0, 0, "next");
	assert_int_equal(joblog_write(jl, &r), 0);
	joblog_close(jl);
	assert_int_equal(slurp(file, sizeof(file)), sizeof(want) - 1);
	assert_memory_equal(file, want, sizeof(want) - 1);
	/* A whole log is left as it is. */
	jl = joblog_open(path, true, &torn);
	assert_false(torn);
	joblog_close(jl);
	unlink(path);
}

static void
test_joblog_line_whole_or_absent_on_full_disk(void **state)
{
	struct rlimit old, small;
	struct run_result r;
	struct joblog *jl;
	struct stat st;
	char cmd[300];

	(void)state;
	close(mkstemp(path));
	jl = joblog_open(path, false, &torn);
	result(&r, 1, 0, 0, "ok");
	joblog_write(jl, &r);
	assert_int_equal(stat(path, &st), 0);
	/* A file size limit stands in for a full disk: a short write. */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	small = old;
	small.rlim_cur = st.st_size + 20;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	memset(cmd, 'x', sizeof(cmd) - 1);
	cmd[sizeof(cmd) - 1] = '\0';
	result(&r, 2, 0, 0, cmd);
	assert_int_equal(joblog_write(jl, &r), -1);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	result(&r, 3, 0, 0, "after");
	assert_int_equal(joblog_write(jl, &r), 0);
	joblog_close(jl);
	{
		struct joblog_done *d = joblog_done_read(path, false);

		assert_true(joblog_done_has(d, 1));
		assert_false(joblog_done_has(d, 2));
		assert_true(joblog_done_has(d, 3));
		joblog_done_free(d);
	}
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
	jl = joblog_open(path, false, &torn);
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
		cmocka_unit_test(test_joblog_newline_reads_back),
		cmocka_unit_test(test_joblog_torn_last_line_is_cut_on_append),
		cmocka_unit_test(test_joblog_line_whole_or_absent_on_full_disk),
		cmocka_unit_test(test_joblog_resume_sets),
		cmocka_unit_test(test_joblog_missing_is_empty),
		cmocka_unit_test(test_results_components_stay_inside),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
