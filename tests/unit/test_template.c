/* Unit tests for lib/template.c: parsing and expanding replacement strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "template.h"

/* Expands cmd (one line) with values vals for job 1, slot 1. */
static char *
expand_opts(const char *cmd, const struct template_opts *o,
    char *const *vals, size_t n)
{
	struct template_job j;
	struct template *t;
	const char *err = NULL;
	struct buf b;
	char *w = (char *)cmd;

	t = template_new(cmd == NULL ? NULL : &w, cmd == NULL ? 0 : 1, o, &err);
	assert_non_null(t);
	memset(&j, 0, sizeof(j));
	j.fields = vals;
	j.nfields = n;
	j.seq = 7;
	j.slot = 2;
	j.total = 12;
	j.maxslots = 4;
	buf_init(&b);
	template_expand(t, &j, &b);
	template_free(t);
	return buf_detach(&b);
}

static void
check(const char *cmd, const char *val, const char *want)
{
	struct template_opts o;
	char *v = (char *)val, *got;

	memset(&o, 0, sizeof(o));
	o.plus = true;
	got = expand_opts(cmd, &o, &v, 1);
	assert_string_equal(got, want);
	free(got);
}

static void
test_template_basic_strings(void **state)
{
	(void)state;
	check("echo {}", "a/b.c", "echo a/b.c");
	check("echo {.}", "a/b.c.d", "echo a/b.c");
	check("echo {.}", "a.b/c", "echo a.b/c");
	check("echo {/}", "a/b.c", "echo b.c");
	check("echo {//}", "a/b.c", "echo a");
	check("echo {//}", "b.c", "echo .");
	check("echo {//}", "/b", "echo /");
	check("echo {/.}", "x/y.tar.gz", "echo y.tar");
	check("echo {#} {%}", "a", "echo 7 2");
}

static void
test_template_plus_strings(void **state)
{
	(void)state;
	check("echo {+/}", "a/b/c.d", "echo a/b");
	check("echo {+.}", "a/b/c.d", "echo d");
	check("echo {..}", "c.tar.gz", "echo c");
	check("echo {+..}", "c.tar.gz", "echo tar.gz");
	check("echo {/..}", "x/c.tar.gz", "echo c");
	check("echo {##} {0#} {0%}", "a", "echo 12 07 2");
	check("echo {:-dflt}", "", "echo dflt");
	check("echo {:2}", "abcdef", "echo cdef");
	check("echo {:1:3}", "abcdef", "echo bcd");
	check("echo {%.d}", "a.b.c.d", "echo a.b.c");
	check("echo {%%.c.*}", "a.b.c.d", "echo a.b");
	check("echo {#a.}", "a.a.b", "echo a.b");
	check("echo {##a.}", "a.a.b", "echo a.b");
	check("echo {/b/X}", "abcb", "echo aXcb");
	check("echo {//b/X}", "abcb", "echo aXcX");
}

static void
test_template_quotes_values(void **state)
{
	(void)state;
	check("echo {}", "it's", "echo 'it'\"'\"'s'");
	check("echo x{}y", "a b", "echo x'a b'y");
	check("echo {}", "", "echo ''");
}

static void
test_template_appends_when_no_rpl(void **state)
{
	(void)state;
	check("echo", "a b", "echo 'a b'");
	check("echo job {#}", "a", "echo job 7");
}

static void
test_template_positional(void **state)
{
	struct template_opts o;
	char *vals[] = { "a.x", "b/c", "d" };
	char *got;

	(void)state;
	memset(&o, 0, sizeof(o));
	got = expand_opts("echo {3} {1.} {2/} {-1} {-3} {4}", &o, vals, 3);
	/* {-1} is the last value; {4} is beyond them: nothing (GNU) */
	assert_string_equal(got, "echo d a c d a.x ");
	free(got);
}

static void
test_template_context_and_multi(void **state)
{
	struct template_opts o;
	char *vals[] = { "a", "b c" };
	char *got;

	(void)state;
	memset(&o, 0, sizeof(o));
	got = expand_opts("cmd -o{}.out", &o, vals, 2);
	assert_string_equal(got, "cmd -oa 'b c'.out");
	free(got);
	o.context = true;
	got = expand_opts("cmd -o{}.out", &o, vals, 2);
	assert_string_equal(got, "cmd -oa.out -o'b c'.out");
	free(got);
}

static void
test_template_renamed(void **state)
{
	struct template_opts o;
	char *v = "x/y.z", *got;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.rpl[TEMPLATE_RPL_ARG] = "%%";
	o.rpl[TEMPLATE_RPL_BASE] = "BB";
	got = expand_opts("echo %% {} BB", &o, &v, 1);
	assert_string_equal(got, "echo x/y.z {} y.z");
	free(got);
}

static void
test_template_header_names(void **state)
{
	struct template_opts o;
	char *names[] = { "first", "last" };
	char *vals[] = { "Ada", "L.txt" };
	char *got;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.header = names;
	o.nheader = 2;
	got = expand_opts("echo {last.} {first}", &o, vals, 2);
	assert_string_equal(got, "echo L Ada");
	free(got);
}

static void
test_template_direct_detection(void **state)
{
	static const struct {
		const char	*cmd;
		bool		 direct;
	} cases[] = {
		{ "echo {}", true },
		{ "gzip -9 {} --suffix=.z", true },
		{ "echo {} | wc", false },
		{ "echo {} > f", false },
		{ "FOO=1 cmd {}", false },
		{ "echo $HOME {}", false },
		{ "cd {}", false },
		{ "echo *.c", false },
		{ "echo 'a b'", false },
	};
	struct template_opts o;
	struct template *t;
	const char *err;
	size_t i;

	(void)state;
	memset(&o, 0, sizeof(o));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *w = (char *)cases[i].cmd;

		t = template_new(&w, 1, &o, &err);
		assert_non_null(t);
		if (template_is_direct(t) != cases[i].direct)
			fail_msg("%s: direct should be %d", cases[i].cmd,
			    cases[i].direct);
		template_free(t);
	}
}

static void
test_template_rejects_perl(void **state)
{
	struct template_opts o;
	char *words[] = { "echo", "{=", "s/a/b/", "=}" };
	const char *err = NULL;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_null(template_new(words, 4, &o, &err));
	assert_string_equal(err, "{= perl expression =} is not supported");
}

static void
test_template_no_command(void **state)
{
	struct template_opts o;
	char *v = "echo 'hi' | wc", *got;

	(void)state;
	memset(&o, 0, sizeof(o));
	got = expand_opts(NULL, &o, &v, 1);
	assert_string_equal(got, "echo 'hi' | wc");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_basic_strings),
		cmocka_unit_test(test_template_plus_strings),
		cmocka_unit_test(test_template_quotes_values),
		cmocka_unit_test(test_template_appends_when_no_rpl),
		cmocka_unit_test(test_template_positional),
		cmocka_unit_test(test_template_context_and_multi),
		cmocka_unit_test(test_template_renamed),
		cmocka_unit_test(test_template_header_names),
		cmocka_unit_test(test_template_direct_detection),
		cmocka_unit_test(test_template_rejects_perl),
		cmocka_unit_test(test_template_no_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
