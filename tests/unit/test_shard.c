/*
 * Unit tests for lib/shard.c: --bin's job numbers are GNU's, a --shard
 * key always lands in the same job, a full queue stops the reading, and a
 * job that reads no more is passed over.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fdio.h"
#include "memfile.h"
#include "perlx.h"
#include "shard.h"

/* Everything job gets until it gets no more, in out. */
static void
drain(struct sharder *sh, unsigned long job, struct buf *out)
{
	char *data;
	size_t len;
	int r;

	while ((r = sharder_next(sh, job, &data, &len)) == 1) {
		buf_add(out, data, len);
		free(data);
	}
	assert_int_equal(r, 0);
}

static void
test_shard_bin_is_gnus_modulo(void **state)
{
	static const char in[] = "a,1\nb,2\nc,3\nd,4\ne,0\n";
	struct shard_opts o = { .bin = true, .expr = "2", .jobs = 3 };
	struct buf got[3];
	struct sharder *sh;
	const char *errstr;
	int fd = file_of(in, strlen(in)), k;

	(void)state;
	assert_non_null(sh = sharder_new(fd, &o, &errstr));
	for (k = 0; k < 3; k++) {
		buf_init(&got[k]);
		drain(sh, (unsigned long)k + 1, &got[k]);
	}
	/* key % 3 == 1: job 1, == 2: job 2, == 0: the last job */
	assert_string_equal(got[0].data, "a,1\nd,4\n");
	assert_string_equal(got[1].data, "b,2\n");
	assert_string_equal(got[2].data, "c,3\ne,0\n");
	for (k = 0; k < 3; k++)
		buf_release(&got[k]);
	sharder_free(sh);
	close(fd);
}

static void
test_shard_same_key_same_job(void **state)
{
	struct shard_opts o = { .expr = "2", .colsep = "\\t", .jobs = 4 };
	struct buf in, got[4];
	struct sharder *sh;
	const char *errstr;
	char line[64], *p;
	int fd, i, k, owner;

	(void)state;
	buf_init(&in);
	for (i = 0; i < 2000; i++) {
		snprintf(line, sizeof(line), "%d\tkey%d\n", i, i % 13);
		buf_addstr(&in, line);
	}
	fd = file_of(in.data, in.len);
	assert_non_null(sh = sharder_new(fd, &o, &errstr));
	for (k = 0; k < 4; k++) {
		buf_init(&got[k]);
		drain(sh, (unsigned long)k + 1, &got[k]);
	}
	for (i = 0; i < 13; i++) {
		snprintf(line, sizeof(line), "\tkey%d\n", i);
		owner = -1;
		for (k = 0; k < 4; k++) {
			p = got[k].len > 0 ? strstr(got[k].data, line) : NULL;
			if (p == NULL)
				continue;
			assert_int_equal(owner, -1);	/* one job only */
			owner = k;
		}
		assert_int_not_equal(owner, -1);
	}
	assert_int_equal(got[0].len + got[1].len + got[2].len + got[3].len,
	    in.len);
	for (k = 0; k < 4; k++)
		buf_release(&got[k]);
	buf_release(&in);
	sharder_free(sh);
	close(fd);
}

static void
test_shard_full_queue_waits_closed_job_is_dropped(void **state)
{
	struct shard_opts o = { .bin = true, .expr = "1", .jobs = 2 };
	struct buf in;
	struct sharder *sh;
	const char *errstr;
	char *data;
	size_t len, got1 = 0;
	int fd, i, r;

	(void)state;
	/* Every line for job 1 (odd keys), far more than one queue holds. */
	buf_init(&in);
	for (i = 0; i < 400000; i++)
		buf_addstr(&in, "1,xxxxxxxxxxxxxxxxxxxx\n");
	buf_addstr(&in, "2,last\n");
	fd = file_of(in.data, in.len);
	assert_non_null(sh = sharder_new(fd, &o, &errstr));
	/* Job 2 waits: job 1's queue is full before job 2 has a line. */
	assert_int_equal(sharder_next(sh, 2, &data, &len), 2);
	/* Once job 1 reads no more, job 2 gets through to its line. */
	sharder_closed(sh, 1);
	while ((r = sharder_next(sh, 2, &data, &len)) == 1) {
		got1 += len;
		assert_memory_equal(data, "2,last\n", len);
		free(data);
	}
	assert_int_equal(r, 0);
	assert_int_equal(got1, strlen("2,last\n"));
	assert_int_equal(sharder_next(sh, 1, &data, &len), 0);
	buf_release(&in);
	sharder_free(sh);
	close(fd);
}

static void
test_shard_by_name_and_perl(void **state)
{
	static const char in[] = "name,n\nx,1\ny,2\nz,3\n";
	struct shard_opts o = { .bin = true, .expr = "n $_ *= 2", .jobs = 2 };
	struct buf got[2];
	struct sharder *sh;
	const char *errstr;
	int fd = file_of(in, strlen(in)), k;

	(void)state;
	o.perl = perlx_new();
	assert_non_null(sh = sharder_new(fd, &o, &errstr));
	for (k = 0; k < 2; k++) {
		buf_init(&got[k]);
		drain(sh, (unsigned long)k + 1, &got[k]);
	}
	/* 2, 4, 6 are all 0 mod 2: the last job; the header goes nowhere */
	assert_int_equal(got[0].len, 0);
	assert_string_equal(got[1].data, "x,1\ny,2\nz,3\n");
	for (k = 0; k < 2; k++)
		buf_release(&got[k]);
	sharder_free(sh);
	close(fd);
	fd = file_of(in, strlen(in));
	o.expr = "nope";
	assert_null(sharder_new(fd, &o, &errstr));
	assert_string_equal(errstr,
	    "no column of the header line has that name");
	close(fd);
	perlx_free(o.perl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shard_bin_is_gnus_modulo),
		cmocka_unit_test(test_shard_same_key_same_job),
		cmocka_unit_test(test_shard_full_queue_waits_closed_job_is_dropped),
		cmocka_unit_test(test_shard_by_name_and_perl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
