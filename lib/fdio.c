/*
 * fdio: EINTR and short-write loops.
 */
#include "fdio.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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
fdio_tmpfile(const char *dir)
{
	struct buf path;
	int fd;

	if (dir == NULL)
		dir = "/tmp";
	/* O_TMPFILE has no name at all; not every file system has it. */
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) != -1)
		return fd;
	buf_init(&path);
	buf_addstr(&path, dir);
	buf_addstr(&path, "/parx.XXXXXX");
	if ((fd = mkostemp(path.data, O_CLOEXEC)) != -1)
		unlink(path.data);
	buf_release(&path);
	return fd;
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

static int
remove_one(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) == -1 &&
	    errno != ENOENT ? -1 : 0;
}

int
fdio_remove_tree(const char *path)
{
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int
fdio_mkdirs(const char *path)
{
	struct stat st;
	char *p, *slash;
	int r = 0;

	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : (errno = ENOTDIR, -1);
	p = strdup(path);
	if (p == NULL)
		return -1;
	for (slash = strchr(p + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(p, 0777) == -1 && errno != EEXIST)
			r = -1;
		*slash = '/';
		if (r == -1)
			break;
	}
	if (r == 0 && mkdir(p, 0777) == -1 && errno != EEXIST)
		r = -1;
	free(p);
	return r;
}

int
fdio_read_file(const char *path, struct buf *b)
{
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		buf_grow(b, 65536);
		n = read(fd, b->data + b->len, 65536);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b->len += (size_t)n;
	}
	e = errno;
	close(fd);
	if (n == -1) {
		errno = e;
		return -1;
	}
	b->data[b->len] = '\0';
	return 0;
}
