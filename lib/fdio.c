/*
 * fdio: EINTR and short-write loops.
 */
#include "fdio.h"

#include <errno.h>
#include <unistd.h>

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
