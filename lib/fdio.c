/*
 * fdio: EINTR and short-write loops.
 */
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

int
fdio_write_full(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= w;
	}
	return 0;
}

ssize_t
fdio_pread(int fd, void *p, size_t n, off_t off)
{
	ssize_t r;

	do
		r = pread(fd, p, n, off);
	while (r == -1 && errno == EINTR);
	return r;
}

int
fdio_mktemp_par(const char *dir, char **path)
{
	static const char chars[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
	struct buf b;
	size_t at, i;
	int fd, tries;

	buf_init(&b);
	buf_addstr(&b, dir);
	buf_addstr(&b, "/parXXXXX.par");
	at = b.len - strlen("XXXXX.par");
	for (tries = 0; tries < 1000; tries++) {
		for (i = 0; i < 5; i++)
			b.data[at + i] = chars[arc4random_uniform(
			    sizeof(chars) - 1)];
		fd = open(b.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600);
		if (fd != -1) {
			*path = buf_detach(&b);
			return fd;
		}
		if (errno != EEXIST)
			break;
	}
	buf_release(&b);
	return -1;
}
