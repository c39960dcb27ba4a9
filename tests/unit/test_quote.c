/* Unit tests for lib/quote.c: GNU-compatible quoting and word splitting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "quote.h"

static char *
quoted(const char *s)
{
	struct buf b;

	buf_init(&b);
	quote_shell(&b, s, strlen(s));
	return buf_detach(&b);
}

static void
check_quote(const char *in, const char *want)
{
	char *q = quoted(in);

	assert_string_equal(q, want);
	assert_int_equal(quote_shell_len(in, strlen(in)), strlen(want));
	free(q);
}

static void
test_quote_bare_words(void **state)
{
	(void)state;
	check_quote("abc", "abc");
	check_quote("a-b_c/d.e+f", "a-b_c/d.e+f");
	check_quote("", "''");
}

static void
test_quote_gnu_forms(void **state)
{
	(void)state;
	check_quote("a b", "'a b'");
	check_quote("it's", "'it'\"'\"'s'");
	check_quote("'a", "\"'\"'a'");
	check_quote("a'", "'a'\"'\"");
	check_quote("'", "\"'\"");
	check_quote("''", "\"'\"\"'\"");
	check_quote("$x", "'$x'");
	check_quote("a\nb", "'a\nb'");
}

/* Whatever we quote, splitting gives back exactly one word: the input. */
static void
test_quote_roundtrip(void **state)
{
	static const char *const cases[] = {
		"", " ", "'", "\"", "a'b\"c", "$(x)", "`x`", "\\", "a\tb\nc",
		"-n", "*?[]", "\x01\x7f\xff", "''''", "a  b",
	};
	const char *err = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf line;
		char **argv;

		buf_init(&line);
		buf_addstr(&line, "cmd ");
		quote_shell(&line, cases[i], strlen(cases[i]));
		buf_addstr(&line, " end");
		argv = quote_split_words(line.data, &err);
		assert_non_null(argv);
		assert_string_equal(argv[0], "cmd");
		assert_string_equal(argv[1], cases[i]);
		assert_string_equal(argv[2], "end");
		assert_null(argv[3]);
		quote_free_words(argv);
		buf_release(&line);
	}
}

static void
test_quote_split_unbalanced(void **state)
{
	const char *err = NULL;

	(void)state;
	assert_null(quote_split_words("echo 'a", &err));
	assert_string_equal(err, "unbalanced quote");
}

static void
test_quote_split_blanks(void **state)
{
	const char *err = NULL;
	char **argv;

	(void)state;
	argv = quote_split_words("  a \t b  ", &err);
	assert_string_equal(argv[0], "a");
	assert_string_equal(argv[1], "b");
	assert_null(argv[2]);
	quote_free_words(argv);
	argv = quote_split_words("", &err);
	assert_null(argv[0]);
	quote_free_words(argv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_bare_words),
		cmocka_unit_test(test_quote_gnu_forms),
		cmocka_unit_test(test_quote_roundtrip),
		cmocka_unit_test(test_quote_split_unbalanced),
		cmocka_unit_test(test_quote_split_blanks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
