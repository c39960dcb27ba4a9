/*
 * Unit tests for lib/feed.c (records into jobs: grouping, packing, the
 * direct-or-shell choice, tags, {##}) and lib/pipesrc.c (blocks into
 * jobs: stdin, --pipepart ranges, --cat, --fifo, --round-robin).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fdio.h"
#include "memfile.h"
#include "feed.h"
#include "pipesrc.h"

struct fixture {
	struct input	*in;
	struct template	*t;
	struct feed	*f;
};

static bool with_plus;	/* --plus, for the next setup() */

/* A feed of the ::: values through the command words. */
static void
setup(struct fixture *x, const char *const *words, size_t nwords,
    const char *const *args, size_t nargs, const struct feed_opts *fo)
{
	struct input_opts io;
	struct template_opts to;
	const char *err;

	memset(&io, 0, sizeof(io));
	io.delim[0] = '\n';
	io.delim_len = 1;
	memset(&to, 0, sizeof(to));
	to.plus = with_plus;
	x->in = input_new(&io, &err);
	assert_non_null(x->in);
	input_add_args(x->in, (char *const *)args, nargs, false);
	assert_int_equal(input_start(x->in), 0);
	x->t = template_new((char *const *)words, nwords, &to, &err);
	assert_non_null(x->t);
	x->f = feed_new(x->in, x->t, fo);
}

static void
teardown(struct fixture *x)
{
	feed_free(x->f);
	template_free(x->t);
	input_free(x->in);
}

static struct feed_opts
fopts(void)
{
	struct feed_opts o;

	memset(&o, 0, sizeof(o));
	o.max_chars = 128 * 1024;
	o.hard_max_chars = 128 * 1024;
	o.jobs = 1;
	return o;
}

/* Every job's command line, joined by '|'; *n is how many. */
static char *
all_cmds(struct feed *f, size_t *n)
{
	struct run_job job;
	struct buf b;
	int r;

	buf_init(&b);
	for (*n = 0; (r = feed_next(f, *n + 1, 1, &job)) == 1; (*n)++) {
		assert_int_equal(job.seq, *n + 1);
		if (*n > 0)
			buf_addch(&b, '|');
		buf_addstr(&b, job.cmd);
		job_release(&job);
	}
	assert_int_equal(r, 0);
	return buf_detach(&b);
}

static void
test_feed_one_value_a_job_run_directly(void **state)
{
	static const char *const words[] = { "echo", "{}" };
	static const char *const args[] = { "a", "b c", "it's" };
	struct feed_opts fo = fopts();
	struct fixture x;
	struct run_job job;
	size_t n;

	(void)state;
	setup(&x, words, 2, args, 3, &fo);
	assert_int_equal(feed_next(x.f, 1, 1, &job), 1);
	assert_string_equal(job.cmd, "echo a");
	assert_non_null(job.argv);
	assert_string_equal(job.argv[0], "echo");
	assert_string_equal(job.argv[1], "a");
	assert_null(job.argv[2]);
	assert_null(job.tag);
	job_release(&job);
	/* A value with a blank is one word, quoted for the shell. */
	assert_int_equal(feed_next(x.f, 2, 1, &job), 1);
	assert_string_equal(job.argv[1], "b c");
	assert_null(job.argv[2]);
	job_release(&job);
	assert_int_equal(feed_next(x.f, 3, 1, &job), 1);
	assert_string_equal(job.argv[1], "it's");
	assert_int_equal(feed_fields(x.f, &n)[0][0], 'i');
	assert_int_equal(n, 1);
	job_release(&job);
	assert_int_equal(feed_next(x.f, 4, 1, &job), 0);
	teardown(&x);
}

static void
test_feed_shell_when_needed(void **state)
{
	static const char *const pipe_words[] = { "echo {} | cat" };
	static const char *const builtin[] = { "printf", "%s", "{}" };
	static const char *const args[] = { "a" };
	struct feed_opts fo = fopts();
	struct fixture x;
	struct run_job job;

	(void)state;
	/* A pipe in the template: only a shell can run it. */
	setup(&x, pipe_words, 1, args, 1, &fo);
	assert_int_equal(feed_next(x.f, 1, 1, &job), 1);
	assert_null(job.argv);
	assert_string_equal(job.cmd, "echo a | cat");
	job_release(&job);
	teardown(&x);
	/* printf is a builtin that differs from /usr/bin/printf. */
	setup(&x, builtin, 3, args, 1, &fo);
	assert_int_equal(feed_next(x.f, 1, 1, &job), 1);
	assert_null(job.argv);
	job_release(&job);
	teardown(&x);
	/* Forced (PARX_EXEC=shell). */
	fo.force_shell = true;
	setup(&x, builtin + 1, 2, args, 1, &fo);
	assert_int_equal(feed_next(x.f, 1, 1, &job), 1);
	assert_null(job.argv);
	job_release(&job);
	teardown(&x);
}

static void
test_feed_max_args_and_hidden(void **state)
{
	static const char *const words[] = { "echo" };
	static const char *const args[] = { "1", "2", "3", "4", "5" };
	struct feed_opts fo = fopts();
	struct fixture x;
	size_t n;
	char *s;

	(void)state;
	/* -n 2 */
	fo.max_args = 2;
	setup(&x, words, 1, args, 5, &fo);
	s = all_cmds(x.f, &n);
	assert_string_equal(s, "echo 1 2|echo 3 4|echo 5");
	free(s);
	teardown(&x);
	/* -N0: a job a value, none inserted (GNU's "echo " too). */
	fo = fopts();
	fo.hide_args = true;
	setup(&x, words, 1, args, 3, &fo);
	s = all_cmds(x.f, &n);
	assert_string_equal(s, "echo |echo |echo ");
	free(s);
	teardown(&x);
}

static void
test_feed_packs_to_the_line_limit(void **state)
{
	static const char *const words[] = { "echo" };
	const char *args[40];
	char vals[40][8], *s, *p, *line;
	struct feed_opts fo = fopts();
	struct fixture x;
	struct buf joined;
	size_t i, n;

	(void)state;
	for (i = 0; i < 40; i++) {
		snprintf(vals[i], sizeof(vals[i]), "v%02zu", i);
		args[i] = vals[i];
	}
	/* -m -s 30: as many values as fit in 30 bytes, none lost. */
	fo.multi = true;
	fo.max_chars = 30;
	setup(&x, words, 1, args, 40, &fo);
	s = all_cmds(x.f, &n);
	assert_true(n > 5);
	buf_init(&joined);
	for (p = s; (line = strsep(&p, "|")) != NULL;) {
		assert_true(strlen(line) + 1 <= 30);
		assert_memory_equal(line, "echo ", 5);
		if (joined.len > 0)
			buf_addch(&joined, ' ');
		buf_addstr(&joined, line + 5);
	}
	assert_int_equal(joined.len, 40 * 4 - 1);
	for (i = 0; i < 40; i++)
		assert_memory_equal(joined.data + i * 4, vals[i], 3);
	buf_release(&joined);
	free(s);
	teardown(&x);
	/* Room for one value only: one a line, even the second. */
	fo.max_chars = 12;
	setup(&x, words, 1, args, 3, &fo);
	s = all_cmds(x.f, &n);
	assert_string_equal(s, "echo v00|echo v01|echo v02");
	free(s);
	teardown(&x);
	/* -m with everything fitting one line: spread over the slots. */
	fo = fopts();
	fo.multi = true;
	fo.jobs = 4;
	setup(&x, words, 1, args, 8, &fo);
	s = all_cmds(x.f, &n);
	assert_string_equal(s, "echo v00 v01|echo v02 v03|echo v04 v05|"
	    "echo v06 v07");
	free(s);
	teardown(&x);
}

static void
test_feed_too_long_is_e2big(void **state)
{
	static const char *const words[] = { "echo" };
	const char *args[2];
	char big[200];
	struct feed_opts fo = fopts();
	struct fixture x;
	struct run_job job;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	args[0] = "short";
	args[1] = big;
	fo.hard_max_chars = fo.max_chars = 100;
	setup(&x, words, 1, args, 2, &fo);
	assert_int_equal(feed_next(x.f, 1, 1, &job), 1);
	job_release(&job);
	assert_int_equal(feed_next(x.f, 2, 1, &job), -1);
	assert_int_equal(errno, E2BIG);
	teardown(&x);
}

static void
test_feed_tags_and_total(void **state)
{
	static const char *const words[] = { "echo", "{#}/{##}", "{}" };
	static const char *const args[] = { "a", "b", "c" };
	struct feed_opts fo = fopts();
	struct fixture x;
	struct run_job job;
	size_t n;
	char *s;

	(void)state;
	fo.tag = true;
	with_plus = true;	/* {##} is a --plus string in GNU */
	setup(&x, words, 3, args, 3, &fo);
	with_plus = false;
	/* {##} reads everything ahead, and still gives every job. */
	assert_int_equal(feed_total(x.f), 3);
	assert_int_equal(feed_next(x.f, 1, 1, &job), 1);
	assert_string_equal(job.tag, "a\t");
	assert_string_equal(job.cmd, "echo 1/3 a");
	job_release(&job);
	s = all_cmds(x.f, &n);
	assert_string_equal(s, "echo 1/3 b|echo 2/3 c");
	free(s);
	teardown(&x);
}

static struct pipesrc_opts
popts(double block)
{
	struct pipesrc_opts o;

	memset(&o, 0, sizeof(o));
	o.block = block;
	o.jobs = 1;
	return o;
}

/* What a job reads: its in_data, then its range of in_fd. */
static void
add_stdin(struct buf *b, const struct run_job *job)
{
	char tmp[4096];

	buf_add(b, job->in_data, job->in_len);
	assert_true(job->in_file_len <= sizeof(tmp));
	if (job->in_file_len > 0) {
		assert_int_equal(fdio_pread(job->in_fd, tmp, job->in_file_len,
		    job->in_off), (ssize_t)job->in_file_len);
		buf_add(b, tmp, job->in_file_len);
	}
}

/* The stdin of every job of the source, joined by '|'. */
static char *
pipe_jobs(struct pipesrc *p, struct feed *f, size_t *n)
{
	enum pipesrc_fail why;
	struct run_job job;
	struct buf b;
	int r;

	buf_init(&b);
	for (*n = 0; (r = pipesrc_next(p, f, 1, NULL, 0, &job, &why)) == 1;
	    (*n)++) {
		assert_int_equal(job.seq, *n + 1);
		assert_string_equal(job.cmd, "wc");
		if (*n > 0)
			buf_addch(&b, '|');
		add_stdin(&b, &job);
		job_release(&job);
	}
	assert_int_equal(r, 0);
	return buf_detach(&b);
}

static void
test_pipesrc_stream_and_file_agree(void **state)
{
	static const char *const words[] = { "wc" };
	const char *in = "1\n22\n333\n4444\n55555\n";
	struct pipesrc_opts po = popts(6);
	struct feed_opts fo = fopts();
	struct template_opts to;
	struct template *t;
	struct feed *f;
	struct pipesrc *p;
	enum pipesrc_fail why;
	const char *err;
	char *from_file, *from_stream;
	size_t n, m;
	int fds[2];

	(void)state;
	memset(&to, 0, sizeof(to));
	to.no_append = true;
	t = template_new((char *const *)words, 1, &to, &err);
	f = feed_new(NULL, t, &fo);
	/* A file is cut into ranges up front, spliced, not copied. */
	p = pipesrc_new(file_of_str(in), &po, &why);
	assert_non_null(p);
	assert_true(pipesrc_total(p) > 0);
	from_file = pipe_jobs(p, f, &n);
	pipesrc_free(p);
	/* A pipe is read as a stream: the same blocks. */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(fdio_write_full(fds[1], in, strlen(in)), 0);
	close(fds[1]);
	p = pipesrc_new(fds[0], &po, &why);
	assert_int_equal(pipesrc_total(p), -1);
	from_stream = pipe_jobs(p, f, &m);
	pipesrc_free(p);
	assert_string_equal(from_file, "1\n22\n|333\n|4444\n|55555\n");
	assert_string_equal(from_stream, from_file);
	assert_int_equal(n, m);
	free(from_file);
	free(from_stream);
	feed_free(f);
	template_free(t);
}

static void
test_pipesrc_cat_fifo_and_round_robin(void **state)
{
	static const char *const words[] = { "cat", "{}" };
	struct pipesrc_opts po = popts(2);
	struct feed_opts fo = fopts();
	struct template_opts to;
	struct template *t;
	struct feed *f;
	struct pipesrc *p;
	struct run_job job;
	enum pipesrc_fail why;
	struct stat st;
	const char *err;
	char dir[256], buf[16], *data;
	size_t len;
	int fd;

	(void)state;
	memset(&to, 0, sizeof(to));
	to.no_append = true;
	t = template_new((char *const *)words, 2, &to, &err);
	f = feed_new(NULL, t, &fo);
	/* --cat: {} names a file holding the block, in the source's dir. */
	po.cat = true;
	p = pipesrc_new(file_of_str("a\nb\n"), &po, &why);
	assert_non_null(p);
	assert_non_null(pipesrc_dir(p));
	strlcpy(dir, pipesrc_dir(p), sizeof(dir));
	assert_int_equal(pipesrc_next(p, f, 1, NULL, 0, &job, &why), 1);
	assert_non_null(job.remove_path);
	assert_int_equal(strncmp(job.remove_path, dir, strlen(dir)), 0);
	assert_int_equal(job.in_len + job.in_file_len, 0);
	fd = open(job.remove_path, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "a\n", 2);
	close(fd);
	unlink(job.remove_path);
	job_release(&job);
	pipesrc_free(p);
	/* The directory goes with the source. */
	assert_int_equal(stat(dir, &st), -1);
	/* --fifo: {} is a FIFO, and the block is for run to put in it. */
	po = popts(2);
	po.fifo = true;
	p = pipesrc_new(file_of_str("a\nb\n"), &po, &why);
	assert_int_equal(pipesrc_next(p, f, 1, NULL, 0, &job, &why), 1);
	assert_true(job.in_fifo);
	assert_int_equal(stat(job.remove_path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	unlink(job.remove_path);
	job_release(&job);
	pipesrc_free(p);
	/* --round-robin: one job a slot, the rest through next_input. */
	po = popts(2);
	po.round_robin = true;
	po.jobs = 2;
	p = pipesrc_new(file_of_str("1\n2\n3\n4\n5\n"), &po, &why);
	assert_int_equal(pipesrc_next(p, f, 1, NULL, 0, &job, &why), 1);
	assert_true(job.in_stream);
	job_release(&job);
	assert_int_equal(pipesrc_next(p, f, 2, NULL, 0, &job, &why), 1);
	job_release(&job);
	assert_int_equal(pipesrc_next(p, f, 1, NULL, 0, &job, &why), 0);
	assert_int_equal(pipesrc_next_input(p, 1, &data, &len), 1);
	assert_memory_equal(data, "3\n", 2);
	free(data);
	pipesrc_free(p);
	feed_free(f);
	template_free(t);
}

static void
test_pipesrc_failures(void **state)
{
	struct pipesrc_opts po = popts(0);
	enum pipesrc_fail why;
	int fds[2];

	(void)state;
	/* --pipepart needs a regular file. */
	po.part = true;
	assert_int_equal(pipe(fds), 0);
	close(fds[1]);
	assert_null(pipesrc_new(fds[0], &po, &why));
	assert_int_equal(why, PIPESRC_NOT_FILE);
	/* No place for --cat's files. */
	po = popts(0);
	po.cat = true;
	po.tmpdir = "/nonexistent/dir";
	assert_null(pipesrc_new(file_of_str("x\n"), &po, &why));
	assert_int_equal(why, PIPESRC_DIR);
	assert_int_equal(errno, ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feed_one_value_a_job_run_directly),
		cmocka_unit_test(test_feed_shell_when_needed),
		cmocka_unit_test(test_feed_max_args_and_hidden),
		cmocka_unit_test(test_feed_packs_to_the_line_limit),
		cmocka_unit_test(test_feed_too_long_is_e2big),
		cmocka_unit_test(test_feed_tags_and_total),
		cmocka_unit_test(test_pipesrc_stream_and_file_agree),
		cmocka_unit_test(test_pipesrc_cat_fifo_and_round_robin),
		cmocka_unit_test(test_pipesrc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
