/* Unit tests for lib/collate.c: ownership, ordering, tags and spilling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collate.h"

struct out {
	FILE		*f[2];
	struct collate	*c;
};

static void
open_out(struct out *o, enum collate_mode mode, size_t mem_limit)
{
	struct collate_opts co;

	memset(&co, 0, sizeof(co));
	o->f[0] = tmpfile();
	o->f[1] = tmpfile();
	co.mode = mode;
	co.mem_limit = mem_limit;
	co.fd[0] = fileno(o->f[0]);
	co.fd[1] = fileno(o->f[1]);
	o->c = collate_new(&co);
}

static char *
contents(FILE *f)
{
	long n;
	char *s;

	fflush(f);
	n = lseek(fileno(f), 0, SEEK_END);
	s = calloc(1, n + 1);
	assert_int_equal(pread(fileno(f), s, n, 0), n);
	return s;
}

static void
close_out(struct out *o, const char *want_out, const char *want_err)
{
	char *s;

	assert_int_equal(collate_free(o->c), 0);
	s = contents(o->f[0]);
	assert_string_equal(s, want_out);
	free(s);
	s = contents(o->f[1]);
	assert_string_equal(s, want_err);
	free(s);
	fclose(o->f[0]);
	fclose(o->f[1]);
}

static void
add(struct out *o, struct collate_job *j, int s, const char *text)
{
	assert_int_equal(collate_add(o->c, j, s, text, strlen(text)), 0);
}

static void
test_collate_keep_order(void **state)
{
	struct collate_job *a, *b, *c;
	struct out o;

	(void)state;
	open_out(&o, COLLATE_KEEP, 1 << 20);
	a = collate_job_start(o.c, NULL, NULL);
	b = collate_job_start(o.c, NULL, NULL);
	c = collate_job_start(o.c, NULL, NULL);
	add(&o, c, COLLATE_STDOUT, "c1\n");
	add(&o, b, COLLATE_STDOUT, "b1\n");
	add(&o, a, COLLATE_STDOUT, "a1\n");
	add(&o, b, COLLATE_STDERR, "b-err\n");
	assert_int_equal(collate_job_end(o.c, c), 0);
	add(&o, a, COLLATE_STDOUT, "a2\n");
	assert_int_equal(collate_job_end(o.c, a), 0);
	add(&o, b, COLLATE_STDOUT, "b2\n");
	assert_int_equal(collate_job_end(o.c, b), 0);
	close_out(&o, "a1\na2\nb1\nb2\nc1\n", "b-err\n");
}

static void
test_collate_holds_and_counts_what_it_writes(void **state)
{
	struct collate_job *a, *b;
	struct out o;

	(void)state;
	open_out(&o, COLLATE_KEEP, 1 << 20);
	a = collate_job_start(o.c, NULL, NULL);
	b = collate_job_start(o.c, NULL, NULL);
	assert_false(collate_holds(o.c, a));
	assert_true(collate_holds(o.c, b));
	add(&o, b, COLLATE_STDOUT, "b1\n");
	assert_int_equal(collate_written(o.c), 0);
	add(&o, a, COLLATE_STDOUT, "a1\n");
	assert_int_equal(collate_written(o.c), 3);
	/* b's held output is written as it takes over */
	assert_int_equal(collate_job_end(o.c, a), 0);
	assert_false(collate_holds(o.c, b));
	assert_int_equal(collate_written(o.c), 6);
	assert_int_equal(collate_job_end(o.c, b), 0);
	close_out(&o, "a1\nb1\n", "");

	open_out(&o, COLLATE_LINE, 1 << 20);
	a = collate_job_start(o.c, NULL, NULL);
	b = collate_job_start(o.c, NULL, NULL);
	assert_false(collate_holds(o.c, a));
	assert_false(collate_holds(o.c, b));
	assert_int_equal(collate_job_end(o.c, a), 0);
	assert_int_equal(collate_job_end(o.c, b), 0);
	close_out(&o, "", "");
}

static void
test_collate_group_never_mixes(void **state)
{
	struct collate_job *a, *b;
	struct out o;

	(void)state;
	open_out(&o, COLLATE_GROUP, 1 << 20);
	a = collate_job_start(o.c, NULL, NULL);
	b = collate_job_start(o.c, NULL, NULL);
	add(&o, a, COLLATE_STDOUT, "a1\n");
	add(&o, b, COLLATE_STDOUT, "b1\n");
	assert_int_equal(collate_job_end(o.c, b), 0);
	add(&o, a, COLLATE_STDOUT, "a2\n");
	assert_int_equal(collate_job_end(o.c, a), 0);
	close_out(&o, "a1\na2\nb1\n", "");
}

static void
test_collate_group_silent_owner_yields(void **state)
{
	struct collate_job *a, *b;
	struct out o;

	(void)state;
	open_out(&o, COLLATE_GROUP, 1 << 20);
	a = collate_job_start(o.c, NULL, NULL);
	b = collate_job_start(o.c, NULL, NULL);
	add(&o, b, COLLATE_STDOUT, "b1\n");
	assert_int_equal(collate_job_end(o.c, b), 0);
	add(&o, a, COLLATE_STDOUT, "a1\n");
	assert_int_equal(collate_job_end(o.c, a), 0);
	close_out(&o, "b1\na1\n", "");
}

static void
test_collate_line_mode(void **state)
{
	struct collate_job *a, *b;
	struct out o;

	(void)state;
	open_out(&o, COLLATE_LINE, 1 << 20);
	a = collate_job_start(o.c, NULL, NULL);
	b = collate_job_start(o.c, NULL, NULL);
	add(&o, a, COLLATE_STDOUT, "a-half ");
	add(&o, b, COLLATE_STDOUT, "b-line\nb-");
	add(&o, a, COLLATE_STDOUT, "a-end\n");
	assert_int_equal(collate_job_end(o.c, a), 0);
	assert_int_equal(collate_job_end(o.c, b), 0);
	close_out(&o, "b-line\na-half a-end\nb-", "");
}

static void
test_collate_tags(void **state)
{
	struct collate_job *a;
	struct out o;

	(void)state;
	open_out(&o, COLLATE_KEEP, 1 << 20);
	a = collate_job_start(o.c, "T\t", NULL);
	add(&o, a, COLLATE_STDOUT, "x\ny");
	add(&o, a, COLLATE_STDOUT, "z\n\n");
	assert_int_equal(collate_job_end(o.c, a), 0);
	close_out(&o, "T\tx\nT\tyz\nT\t\n", "");
}

/* --color-failed: a colour given at the end still colours every line. */
static void
test_collate_recolors_held_output_and_ends_lines(void **state)
{
	struct collate_job *a, *b;
	struct collate_opts co;
	struct out o;

	(void)state;
	memset(&co, 0, sizeof(co));
	o.f[0] = tmpfile();
	o.f[1] = tmpfile();
	co.mode = COLLATE_KEEP;
	co.mem_limit = 1 << 20;
	co.hold_all = true;
	co.end_lines = true;
	co.fd[0] = fileno(o.f[0]);
	co.fd[1] = fileno(o.f[1]);
	o.c = collate_new(&co);
	a = collate_job_start(o.c, NULL, NULL);
	b = collate_job_start(o.c, "T ", NULL);
	add(&o, a, COLLATE_STDOUT, "ok");
	add(&o, b, COLLATE_STDOUT, "x\n");
	add(&o, b, COLLATE_STDERR, "e");
	collate_job_recolor(b, "<R>");
	assert_int_equal(collate_job_end(o.c, b), 0);
	assert_int_equal(collate_job_end(o.c, a), 0);
	close_out(&o, "ok\n<R>T x\033[m\n", "<R>T e\033[m\n");
}

static void
test_collate_spills_beyond_the_bound(void **state)
{
	struct collate_job *a, *b;
	struct out o;
	char *big, *want;
	size_t n = 300000, i;

	(void)state;
	big = malloc(n + 1);
	for (i = 0; i < n; i++)
		big[i] = 'a' + i % 26;
	big[n] = '\0';
	want = malloc(2 * n + 4);
	strcpy(want, "a\n");
	strcat(want, big);
	strcat(want, big);
	open_out(&o, COLLATE_KEEP, 1000);
	a = collate_job_start(o.c, NULL, NULL);
	b = collate_job_start(o.c, NULL, NULL);
	add(&o, b, COLLATE_STDOUT, big);
	add(&o, b, COLLATE_STDOUT, big);
	add(&o, a, COLLATE_STDOUT, "a\n");
	assert_int_equal(collate_job_end(o.c, b), 0);
	assert_int_equal(collate_job_end(o.c, a), 0);
	close_out(&o, want, "");
	free(big);
	free(want);
}

/* A non-blocking pipe holding text. */
static int
pipe_with(const char *text, int *wr)
{
	int p[2];

	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_int_equal(write(p[1], text, strlen(text)), (ssize_t)strlen(text));
	*wr = p[1];
	return p[0];
}

/*
 * collate_take(): the owner's bytes go straight out (spliced), a held
 * job's are held until its turn, a copy sees every byte, end of file is
 * said.
 */
static void
test_collate_take_routes_by_turn(void **state)
{
	struct collate_job *a, *b;
	struct collate_taken t;
	struct out o;
	int pa, pb, wa, wb, tee_fd = -1, copy;
	char buf[16];
	FILE *tf;

	(void)state;
	open_out(&o, COLLATE_KEEP, 1 << 20);
	a = collate_job_start(o.c, NULL, NULL);
	b = collate_job_start(o.c, NULL, NULL);
	pa = pipe_with("first\n", &wa);
	pb = pipe_with("second\n", &wb);
	tf = tmpfile();
	copy = dup(fileno(tf));
	tee_fd = copy;
	assert_int_equal(collate_take(o.c, b, COLLATE_STDOUT, pb, &tee_fd,
	    1 << 20, &t), 0);
	assert_int_equal(t.moved, 7);
	assert_int_equal(t.held, 7);
	assert_false(t.eof);
	assert_int_equal(pread(fileno(tf), buf, sizeof(buf), 0), 7);
	assert_int_equal(collate_take(o.c, a, COLLATE_STDOUT, pa, &(int){-1},
	    1 << 20, &t), 0);
	assert_int_equal(t.moved, 6);
	/* written out, not held */
	assert_int_equal(t.held, 0);
	close(wa);
	assert_int_equal(collate_take(o.c, a, COLLATE_STDOUT, pa, &(int){-1},
	    1 << 20, &t), 0);
	assert_true(t.eof);
	assert_int_equal(collate_job_end(o.c, a), 0);
	assert_int_equal(collate_job_end(o.c, b), 0);
	close(pa);
	close(pb);
	close(wb);
	if (tee_fd != -1)
		close(tee_fd);
	fclose(tf);
	close_out(&o, "first\nsecond\n", "");
}

static void
test_collate_reports_write_errors(void **state)
{
	struct collate_opts co;
	struct collate *c;
	struct collate_job *a;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	memset(&co, 0, sizeof(co));
	co.mode = COLLATE_UNGROUP;
	co.mem_limit = 1024;
	co.fd[0] = p[1];
	co.fd[1] = p[1];
	c = collate_new(&co);
	a = collate_job_start(c, NULL, NULL);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(collate_add(c, a, COLLATE_STDOUT, "x", 1), -1);
	assert_int_equal(collate_write_errno(c, COLLATE_STDOUT), EPIPE);
	collate_job_end(c, a);
	assert_int_equal(collate_free(c), -1);
	close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collate_keep_order),
		cmocka_unit_test(test_collate_holds_and_counts_what_it_writes),
		cmocka_unit_test(test_collate_group_never_mixes),
		cmocka_unit_test(test_collate_group_silent_owner_yields),
		cmocka_unit_test(test_collate_line_mode),
		cmocka_unit_test(test_collate_tags),
		cmocka_unit_test(test_collate_recolors_held_output_and_ends_lines),
		cmocka_unit_test(test_collate_spills_beyond_the_bound),
		cmocka_unit_test(test_collate_reports_write_errors),
		cmocka_unit_test(test_collate_take_routes_by_turn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
