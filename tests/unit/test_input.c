/* Unit tests for lib/input.c: splitting, sources and their combinations. */
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
#include "input.h"

static struct input_opts
defaults(void)
{
	struct input_opts o;

	memset(&o, 0, sizeof(o));
	o.delim[0] = '\n';
	o.delim_len = 1;
	return o;
}

/* All records, fields joined by ',' and records by '|'. */
static char *
drain(struct input *in)
{
	struct record rec;
	struct buf b;
	size_t i;

	buf_init(&b);
	assert_int_equal(input_start(in), 0);
	while (input_next(in, &rec) == 1) {
		if (b.len > 0)
			buf_addch(&b, '|');
		for (i = 0; i < rec.nfields; i++) {
			if (i > 0)
				buf_addch(&b, ',');
			buf_addstr(&b, rec.fields[i]);
		}
		record_release(&rec);
	}
	input_free(in);
	return buf_detach(&b);
}

static char *
tmpfile_with(const char *content, size_t len)
{
	char *path = strdup("/tmp/parx-test-input.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd != -1);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
	return path;
}

static void
check_file(const struct input_opts *o, const char *content, size_t len,
    const char *want)
{
	const char *err;
	struct input *in = input_new(o, &err);
	char *path = tmpfile_with(content, len), *got;

	assert_int_equal(input_add_file(in, path, false), 0);
	got = drain(in);
	assert_string_equal(got, want);
	free(got);
	unlink(path);
	free(path);
}

static void
test_input_lines(void **state)
{
	struct input_opts o = defaults();

	(void)state;
	check_file(&o, "a\nb\n", 4, "a|b");
	check_file(&o, "a\nb", 3, "a|b");
	check_file(&o, "a\n\nb\n", 5, "a||b");
	check_file(&o, "", 0, "");
}

static void
test_input_delimiters(void **state)
{
	struct input_opts o = defaults();

	(void)state;
	o.delim[0] = '\0';
	o.delim_len = 1;
	check_file(&o, "a b\0c\nd\0", 8, "a b|c\nd");
	o.delim[0] = ',';
	check_file(&o, "x,y", 3, "x|y");
	/* several bytes, one of them alone is no delimiter */
	memcpy(o.delim, "\r\n", 2);
	o.delim_len = 2;
	check_file(&o, "a\rb\r\nc\n\r\nd", 10, "a\rb|c\n|d");
}

static void
test_input_eofstr_and_blank(void **state)
{
	struct input_opts o = defaults();

	(void)state;
	o.eofstr = "END";
	check_file(&o, "a\nEND\nb\n", 8, "a");
	o.eofstr = NULL;
	o.skip_blank = true;
	check_file(&o, "a\n \n\t\nb\n", 8, "a|b");
}

static void
test_input_long_lines_cross_reads(void **state)
{
	struct input_opts o = defaults();
	size_t n = 200000, i;
	char *big = malloc(2 * n + 2), *want = malloc(2 * n + 2);

	(void)state;
	for (i = 0; i < n; i++)
		big[i] = want[i] = 'x';
	big[n] = '\n';
	want[n] = '|';
	for (i = n + 1; i < 2 * n + 1; i++)
		big[i] = want[i] = 'y';
	big[2 * n + 1] = '\n';
	want[2 * n + 1] = '\0';
	check_file(&o, big, 2 * n + 2, want);
	free(big);
	free(want);
}

static void
test_input_combinations(void **state)
{
	struct input_opts o = defaults();
	char *a[] = { "a", "b" }, *n[] = { "1", "2", "3" }, *got;
	const char *err;
	struct input *in;

	(void)state;
	in = input_new(&o, &err);
	input_add_args(in, a, 2, false);
	input_add_args(in, n, 2, false);
	got = drain(in);
	assert_string_equal(got, "a,1|a,2|b,1|b,2");
	free(got);

	/* :::+ stops at the shorter source (GNU) */
	in = input_new(&o, &err);
	input_add_args(in, n, 3, false);
	input_add_args(in, a, 2, true);
	got = drain(in);
	assert_string_equal(got, "1,a|2,b");
	free(got);

	/* --link wraps the shorter one */
	o.link_all = true;
	in = input_new(&o, &err);
	input_add_args(in, n, 3, false);
	input_add_args(in, a, 2, false);
	got = drain(in);
	o.link_all = false;
	assert_string_equal(got, "1,a|2,b|3,a");
	free(got);
}

static void
test_input_stream_first_source(void **state)
{
	struct input_opts o = defaults();
	char *x[] = { "x", "y" }, *path = tmpfile_with("1\n2\n", 4), *got;
	const char *err;
	struct input *in;

	(void)state;
	in = input_new(&o, &err);
	assert_int_equal(input_add_file(in, path, false), 0);
	input_add_args(in, x, 2, false);
	got = drain(in);
	assert_string_equal(got, "1,x|1,y|2,x|2,y");
	free(got);
	unlink(path);
	free(path);
}

static void
test_input_colsep_header_trim(void **state)
{
	struct input_opts o = defaults();
	const char *err;
	struct input *in;
	char *path = tmpfile_with("n1, n2\n a ,b\n", 13), *got;

	(void)state;
	o.colsep = ",";
	o.header = true;
	o.trim = INPUT_TRIM_LEFT | INPUT_TRIM_RIGHT;
	in = input_new(&o, &err);
	assert_int_equal(input_add_file(in, path, false), 0);
	assert_int_equal(input_start(in), 0);
	assert_int_equal(input_header_count(in), 2);
	assert_string_equal(input_header_name(in, 0), "n1");
	assert_string_equal(input_header_name(in, 1), "n2");
	input_free(in);

	o.header = false;
	o.colsep = " +";
	o.trim = 0;
	in = input_new(&o, &err);
	input_add_args(in, (char *[]){ "a  b c" }, 1, false);
	got = drain(in);
	assert_string_equal(got, "a,b,c");
	free(got);
	unlink(path);
	free(path);
}

static void
test_input_errors(void **state)
{
	struct input_opts o = defaults();
	const char *err = NULL;
	struct input *in;

	(void)state;
	o.colsep = "(";
	assert_null(input_new(&o, &err));
	assert_string_equal(err, "missing closing parenthesis");
	o.colsep = NULL;
	in = input_new(&o, &err);
	assert_int_equal(input_add_file(in, "/nonexistent/x", false), -1);
	assert_string_equal(input_error_path(in), "/nonexistent/x");
	assert_int_equal(input_add_file(in, "/", false), -1);
	input_free(in);
}

static void
test_input_parse_delim(void **state)
{
	char d[4];

	(void)state;
	assert_int_equal(input_parse_delim(",", d, sizeof(d)), 1);
	assert_int_equal(d[0], ',');
	assert_int_equal(input_parse_delim("\\t", d, sizeof(d)), 1);
	assert_int_equal(d[0], '\t');
	assert_int_equal(input_parse_delim("\\0", d, sizeof(d)), 1);
	assert_int_equal(d[0], 0);
	assert_int_equal(input_parse_delim("\\x41", d, sizeof(d)), 1);
	assert_int_equal(d[0], 'A');
	assert_int_equal(input_parse_delim("\\101", d, sizeof(d)), 1);
	assert_int_equal(d[0], 'A');
	assert_int_equal(input_parse_delim("a\\r\\n", d, sizeof(d)), 3);
	assert_memory_equal(d, "a\r\n", 3);
	assert_int_equal(input_parse_delim("abcde", d, sizeof(d)), -1);
	assert_int_equal(input_parse_delim("", d, sizeof(d)), -1);
	assert_int_equal(input_parse_delim("\\q", d, sizeof(d)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_input_lines),
		cmocka_unit_test(test_input_delimiters),
		cmocka_unit_test(test_input_eofstr_and_blank),
		cmocka_unit_test(test_input_long_lines_cross_reads),
		cmocka_unit_test(test_input_combinations),
		cmocka_unit_test(test_input_stream_first_source),
		cmocka_unit_test(test_input_colsep_header_trim),
		cmocka_unit_test(test_input_errors),
		cmocka_unit_test(test_input_parse_delim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
