/* Unit tests for lib/perlx.c: the perl coprocess and its protocol. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "perlx.h"

/* Expression i on value k of the job with values vals. */
static char *
eval(struct perlx *px, int i, size_t k, char *const *vals, size_t n,
    int *flags)
{
	struct buf b;

	assert_int_equal(perlx_job(px, 3, 2, 9, vals, n), 0);
	buf_init(&b);
	assert_int_equal(perlx_eval(px, i, k, &b, flags), 0);
	buf_addch(&b, '\0');
	return buf_detach(&b);
}

static void
test_perlx_evaluates_with_gnus_helpers(void **state)
{
	char *vals[] = { "a.gz", "x y", "" };
	struct perlx *px = perlx_new();
	int s, uc, ctx, q, flags;
	char *v;

	(void)state;
	assert_true((s = perlx_compile(px, "s/\\.gz$//")) >= 0);
	assert_true((uc = perlx_compile(px, "$_ = uc")) >= 0);
	assert_true((ctx = perlx_compile(px,
	    "$_ = join ',', $job->seq(), slot(), total_jobs(), $arg[2]")) >= 0);
	assert_true((q = perlx_compile(px, "$_ = Q($_); uq()")) >= 0);
	/* the same text is the same sub */
	assert_int_equal(perlx_compile(px, "$_ = uc"), uc);
	v = eval(px, s, 1, vals, 3, &flags);
	assert_string_equal(v, "a");
	assert_int_equal(flags, 0);
	free(v);
	v = eval(px, uc, 2, vals, 3, &flags);
	assert_string_equal(v, "X Y");
	free(v);
	v = eval(px, ctx, 0, vals, 3, &flags);
	assert_string_equal(v, "3,2,9,x y");
	free(v);
	v = eval(px, q, 2, vals, 3, &flags);
	assert_string_equal(v, "'x y'");
	assert_int_equal(flags, PERLX_UNQUOTED);
	free(v);
	perlx_free(px);
}

static void
test_perlx_values_are_bytes(void **state)
{
	char bin[] = "a\001\377\n'\"$(x)";
	char *vals[] = { bin };
	struct perlx *px = perlx_new();
	int i, flags;
	char *v;

	(void)state;
	assert_true((i = perlx_compile(px, "$_ .= '!'")) >= 0);
	v = eval(px, i, 1, vals, 1, &flags);
	assert_string_equal(v, "a\001\377\n'\"$(x)!");
	free(v);
	/* a wide character comes back as UTF-8, as GNU parallel prints it */
	assert_true((i = perlx_compile(px, "$_ = \"a\\x{263a}\"")) >= 0);
	v = eval(px, i, 1, vals, 1, &flags);
	assert_string_equal(v, "a\342\230\272");
	free(v);
	perlx_free(px);
}

static void
test_perlx_errors_name_the_expression(void **state)
{
	char *vals[] = { "b" };
	struct perlx *px = perlx_new();
	struct buf b;
	int i, flags;

	(void)state;
	assert_int_equal(perlx_compile(px, "s/(/"), -1);
	assert_non_null(strstr(perlx_error(px), "perl expression 's/(/': "));
	/* a compile error leaves perl usable */
	assert_true((i = perlx_compile(px, "die \"no $_\\n\" if /b/")) >= 0);
	assert_int_equal(perlx_job(px, 1, 1, 0, vals, 1), 0);
	buf_init(&b);
	assert_int_equal(perlx_eval(px, i, 1, &b, &flags), -1);
	assert_string_equal(perlx_error(px),
	    "perl expression 'die \"no $_\\n\" if /b/': no b");
	buf_release(&b);
	perlx_free(px);
}

static void
test_perlx_batches_in_order(void **state)
{
	char *vals[] = { "1", "2", "3" };
	struct perlx *px = perlx_new();
	struct perlx_reply *r;
	struct buf b;
	size_t n, j;
	int i, d, flags;

	(void)state;
	assert_true((i = perlx_compile(px, "$n++; $_ = \"$n:$_\"")) >= 0);
	assert_true((d = perlx_compile(px, "die \"x\\n\" if $_ == 2")) >= 0);
	for (j = 0; j < 3; j++) {
		assert_int_equal(perlx_job(px, j + 1, 0, 0, vals + j, 1), 0);
		perlx_queue(px, i, 1);
	}
	assert_int_equal(perlx_collect(px, &r, &n), 0);
	assert_int_equal(n, 3);
	for (j = 0; j < 3; j++) {
		assert_int_equal(r[j].seq, j + 1);
		buf_init(&b);
		assert_int_equal(perlx_use(px, &r[j], &b, &flags), 0);
		buf_addch(&b, '\0');
		assert_int_equal(b.data[0], '1' + (int)j);
		buf_release(&b);
	}
	perlx_replies_free(r, n);
	/* once one died, the rest are not run */
	for (j = 0; j < 3; j++) {
		assert_int_equal(perlx_job(px, j + 4, 0, 0, vals + j, 1), 0);
		perlx_queue(px, d, 1);
		perlx_queue(px, i, 1);
	}
	assert_int_equal(perlx_collect(px, &r, &n), 0);
	assert_int_equal(n, 6);
	assert_int_equal(r[0].flags, 0);
	assert_int_equal(r[1].flags, 0);
	assert_string_equal(r[1].value, "4:1");
	for (j = 2; j < 6; j++)
		assert_int_equal(r[j].flags, PERLX_DIED);
	perlx_replies_free(r, n);
	perlx_free(px);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perlx_evaluates_with_gnus_helpers),
		cmocka_unit_test(test_perlx_values_are_bytes),
		cmocka_unit_test(test_perlx_errors_name_the_expression),
		cmocka_unit_test(test_perlx_batches_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
