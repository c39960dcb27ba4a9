/*
 * Unit tests for lib/block.c: blocks put back together are the input,
 * each ends on a record boundary, and --pipepart's ranges are the blocks
 * a stream of the same bytes gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block.h"
#include "buf.h"
#include "fdio.h"
#include "memfile.h"

/* A pipe a child fills with s, in small writes, then closes. */
static int
pipe_of(const char *s, size_t len, pid_t *child)
{
	int fds[2];
	size_t off, n;

	assert_int_equal(pipe(fds), 0);
	*child = fork();
	assert_true(*child >= 0);
	if (*child == 0) {
		close(fds[0]);
		for (off = 0; off < len; off += n) {
			n = len - off < 7 ? len - off : 7;
			if (fdio_write_full(fds[1], s + off, n) == -1)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

static struct block_opts
opts(size_t size)
{
	struct block_opts o;

	memset(&o, 0, sizeof(o));
	o.size = size;
	return o;
}

/* The blocks, joined by '|'. */
static char *
blocks(int fd, const struct block_opts *o, size_t *count)
{
	struct blocker *b = blocker_new(fd, o);
	struct buf out;
	char *data;
	size_t len;
	int r;

	buf_init(&out);
	*count = 0;
	while ((r = blocker_next(b, &data, &len)) == 1) {
		assert_true(len > 0);
		if (*count > 0)
			buf_addch(&out, '|');
		buf_add(&out, data, len);
		free(data);
		(*count)++;
	}
	assert_int_equal(r, 0);
	blocker_free(b);
	return buf_detach(&out);
}

/* "a1\na2\n..." with n lines. */
static char *
lines(size_t n)
{
	struct buf b;
	char line[32];
	size_t i;

	buf_init(&b);
	for (i = 1; i <= n; i++) {
		snprintf(line, sizeof(line), "line%zu\n", i);
		buf_addstr(&b, line);
	}
	return buf_detach(&b);
}

static void
test_block_by_size_ends_on_newlines(void **state)
{
	struct block_opts o = opts(20);
	char *in = lines(50), *out, *p, *tok;
	size_t n, total = 0;
	struct buf joined;
	int fd;

	(void)state;
	fd = file_of(in, strlen(in));
	out = blocks(fd, &o, &n);
	close(fd);
	assert_true(n > 10);
	buf_init(&joined);
	for (p = out; (tok = strsep(&p, "|")) != NULL;) {
		/* Every block is whole records, and about --block long. */
		assert_true(strlen(tok) > 0);
		assert_int_equal(tok[strlen(tok) - 1], '\n');
		assert_true(strlen(tok) <= 20 + 8);
		total += strlen(tok);
		buf_addstr(&joined, tok);
	}
	assert_int_equal(total, strlen(in));
	assert_string_equal(joined.data, in);
	buf_release(&joined);
	free(out);
	free(in);
}

static void
test_block_stream_from_a_pipe(void **state)
{
	struct block_opts o = opts(100);
	char *in = lines(2000), *out;
	struct buf expect;
	size_t n, i;
	pid_t child;
	int fd, status;

	(void)state;
	fd = pipe_of(in, strlen(in), &child);
	out = blocks(fd, &o, &n);
	close(fd);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(n > 100);
	/* Without the separators, the bytes are the input's. */
	buf_init(&expect);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] != '|')
			buf_addch(&expect, out[i]);
	assert_string_equal(expect.data, in);
	buf_release(&expect);
	free(out);
	free(in);
}

static void
test_block_records_and_lines(void **state)
{
	struct block_opts o = opts(1024 * 1024);
	const char *in = "1\n2\n3\n4\n5\n6\n7\n";
	char *out;
	size_t n;
	int fd;

	(void)state;
	/* -N 3: three records a block, the rest in the last. */
	o.records = 3;
	fd = file_of(in, strlen(in));
	out = blocks(fd, &o, &n);
	close(fd);
	assert_string_equal(out, "1\n2\n3\n|4\n5\n6\n|7\n");
	free(out);
	/* -L 2 -N 2: a record is two lines. */
	o.records = 2;
	o.lines = 2;
	fd = file_of(in, strlen(in));
	out = blocks(fd, &o, &n);
	close(fd);
	assert_string_equal(out, "1\n2\n3\n4\n|5\n6\n7\n");
	free(out);
	/* A last record without its newline is still a record. */
	o = opts(1024 * 1024);
	o.records = 2;
	fd = file_of("a\nb\nc", 5);
	out = blocks(fd, &o, &n);
	close(fd);
	assert_string_equal(out, "a\nb\n|c");
	free(out);
}

static void
test_block_recstart_recend(void **state)
{
	struct block_opts o = opts(1);
	const char *fasta = ">x\nAC\n>y\nGT\n>z\nCC\n";
	char *out;
	size_t n;
	int fd;

	(void)state;
	/* FASTA: a record starts at '>', after a newline. */
	o.recstart = ">";
	o.recend = "\n";
	fd = file_of(fasta, strlen(fasta));
	out = blocks(fd, &o, &n);
	close(fd);
	assert_string_equal(out, ">x\nAC\n|>y\nGT\n|>z\nCC\n");
	free(out);
	/* --recstart alone (recend ""): -N counts starts, not a spin. */
	o = opts(1024 * 1024);
	o.recstart = ">";
	o.recend = "";
	o.records = 2;
	fd = file_of(">a>b>c", 6);
	out = blocks(fd, &o, &n);
	close(fd);
	assert_string_equal(out, ">a>b|>c");
	free(out);
	/* GNU's escapes in the literal strings. */
	o = opts(1);
	o.recend = "\\0";
	fd = file_of("a\0b\0", 4);
	out = blocks(fd, &o, &n);
	close(fd);
	assert_int_equal(n, 2);
	free(out);
}

static void
test_block_regexp(void **state)
{
	struct block_opts o = opts(1);
	const char *err, *in = "r1;;r2;;;r3;;";
	char *out;
	size_t n;
	int fd;

	(void)state;
	o.regexp = true;
	o.recend = ";+";
	o.recstart = "r";
	assert_int_equal(block_check_regexp(&o, &err), 0);
	fd = file_of(in, strlen(in));
	out = blocks(fd, &o, &n);
	close(fd);
	assert_string_equal(out, "r1;;|r2;;;|r3;;");
	free(out);
	o.recend = "(";
	assert_int_equal(block_check_regexp(&o, &err), -1);
	assert_non_null(err);
}

static void
test_block_header_in_every_block(void **state)
{
	struct block_opts o = opts(1);
	const char *in = "h\n1\n2\n3\n";
	char *out;
	size_t n;
	int fd;

	(void)state;
	o.header_lines = 1;
	fd = file_of(in, strlen(in));
	out = blocks(fd, &o, &n);
	close(fd);
	assert_string_equal(out, "h\n1\n|h\n2\n|h\n3\n");
	free(out);
	/* A header and nothing else makes no block. */
	fd = file_of("h\n", 2);
	out = blocks(fd, &o, &n);
	close(fd);
	assert_int_equal(n, 0);
	free(out);
}

/*
 * A record longer than the block makes blocks 30% bigger at a time, for
 * good, until one ends within it: GNU parallel's 10, 14, 20, 27, 37, 50,
 * 66, and its cuts, the last record end within 66 bytes each.
 */
static void
test_block_long_record_grows_blocks(void **state)
{
	struct block_opts o = opts(10);
	struct blocker *b;
	struct buf in;
	char *data;
	size_t len, from, i;
	int fd;

	(void)state;
	buf_init(&in);
	for (i = 0; i < 50; i++)
		buf_addch(&in, '0');
	buf_addch(&in, '\n');
	for (i = 1; i <= 30; i++) {
		char line[8];

		snprintf(line, sizeof(line), "%zu\n", i);
		buf_addstr(&in, line);
	}
	fd = file_of(in.data, in.len);
	b = blocker_new(fd, &o);
	assert_int_equal(blocker_grown(b, &from), 0);
	assert_int_equal(blocker_next(b, &data, &len), 1);
	assert_int_equal(len, 65);
	free(data);
	assert_int_equal(blocker_grown(b, &from), 66);
	assert_int_equal(from, 10);
	assert_int_equal(blocker_next(b, &data, &len), 1);
	assert_int_equal(len, 64);
	free(data);
	assert_int_equal(blocker_grown(b, &from), 0);
	blocker_free(b);
	close(fd);
	buf_release(&in);
}

/* --pipe from a file is cut as ranges; they must be the stream's blocks. */
static void
test_block_ranges_match_the_stream(void **state)
{
	static const size_t sizes[] = { 1, 7, 20, 64, 1000, 100000 };
	char *in = lines(3000), *stream, *p, *tok;
	struct block_opts o;
	off_t *starts;
	size_t i, k, n, nranges, hlen, len = 0;
	int fd;

	(void)state;
	len = strlen(in);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		o = opts(sizes[i]);
		fd = file_of(in, len);
		stream = blocks(fd, &o, &n);
		assert_int_equal(blocker_ranges(fd, (off_t)len, &o, true,
		    &starts, &nranges, &hlen), 0);
		close(fd);
		assert_int_equal(hlen, 0);
		assert_int_equal(nranges, n);
		assert_int_equal(starts[nranges], (off_t)len);
		p = stream;
		for (k = 0; k < nranges; k++) {
			tok = strsep(&p, "|");
			assert_non_null(tok);
			assert_int_equal(strlen(tok),
			    (size_t)(starts[k + 1] - starts[k]));
			assert_memory_equal(tok, in + starts[k], strlen(tok));
		}
		free(starts);
		free(stream);
	}
	free(in);
}

static void
test_block_pipepart_ranges(void **state)
{
	struct block_opts o = opts(10);
	const char *in = "h\naaaa\nbbbb\ncccc\ndddd\n";
	off_t *starts;
	size_t n, hlen, k;
	int fd;

	(void)state;
	o.header_lines = 1;
	fd = file_of(in, strlen(in));
	assert_int_equal(blocker_ranges(fd, (off_t)strlen(in), &o, false,
	    &starts, &n, &hlen), 0);
	close(fd);
	/* The header is left out of the ranges; each range is whole lines. */
	assert_int_equal(hlen, 2);
	assert_int_equal(starts[0], 2);
	assert_int_equal(starts[n], (off_t)strlen(in));
	for (k = 1; k < n; k++)
		assert_int_equal(in[starts[k] - 1], '\n');
	assert_true(n >= 2);
	free(starts);
}

static void
test_block_read_error(void **state)
{
	struct block_opts o = opts(10);
	struct blocker *b;
	char *data;
	size_t len;
	int fds[2];

	(void)state;
	/* A descriptor open for writing only cannot be read: EBADF. */
	assert_int_equal(pipe(fds), 0);
	b = blocker_new(fds[1], &o);
	assert_int_equal(blocker_next(b, &data, &len), -1);
	assert_int_equal(errno, EBADF);
	blocker_free(b);
	close(fds[0]);
	close(fds[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_by_size_ends_on_newlines),
		cmocka_unit_test(test_block_stream_from_a_pipe),
		cmocka_unit_test(test_block_records_and_lines),
		cmocka_unit_test(test_block_recstart_recend),
		cmocka_unit_test(test_block_regexp),
		cmocka_unit_test(test_block_header_in_every_block),
		cmocka_unit_test(test_block_long_record_grows_blocks),
		cmocka_unit_test(test_block_ranges_match_the_stream),
		cmocka_unit_test(test_block_pipepart_ranges),
		cmocka_unit_test(test_block_read_error),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
