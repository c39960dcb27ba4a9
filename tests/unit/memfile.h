/*
 * memfile: a regular file (a memfd) holding given bytes, read from its
 * start: the input of the readers' unit tests.  After cmocka.h.
 */
#ifndef PARX_TEST_MEMFILE_H
#define PARX_TEST_MEMFILE_H

#include <sys/mman.h>

#include <string.h>
#include <unistd.h>

#include "fdio.h"

static inline int
file_of(const char *s, size_t len)
{
	int fd = memfd_create("parx-test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(fdio_write_full(fd, s, len), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static inline int
file_of_str(const char *s)
{
	return file_of(s, strlen(s));
}

#endif
