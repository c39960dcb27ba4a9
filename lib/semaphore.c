/*
 * semaphore: slots as flocked files.  Waiting is a poll of the slots with
 * a growing pause (10 ms to 200 ms): flock cannot wait for "any one of
 * these", and a semaphore guards commands that take seconds, not
 * microseconds.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "semaphore.h"

#include "monotime.h"

/* mkdir -p, each new part 0700. */
static int
make_dirs(const char *dir)
{
	char path[4096], *p;

	if (strlen(dir) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(path, dir);
	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/* Slot k's file, opened; -1 with errno set. */
static int
open_slot(const char *dir, unsigned long k)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/slot.%lu", dir, k) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

int
semaphore_take(const char *dir, unsigned long slots, double timeout)
{
	double start = monotime_now(), pause = 0.01;
	struct timespec ts;
	unsigned long k;
	int fd;

	if (slots == 0)
		slots = 1;
	if (make_dirs(dir) == -1)
		return -1;
	for (;;) {
		for (k = 0; k < slots; k++) {
			if ((fd = open_slot(dir, k)) == -1)
				return -1;
			if (flock(fd, LOCK_EX | LOCK_NB) == 0)
				return fd;
			close(fd);
			if (errno != EWOULDBLOCK && errno != EINTR)
				return -1;
		}
		if (timeout >= 0 && monotime_now() - start >= timeout) {
			errno = ETIMEDOUT;
			return -1;
		}
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(pause * 1e9);
		nanosleep(&ts, NULL);
		if (pause < 0.2)
			pause *= 2;
	}
}

int
semaphore_wait_idle(const char *dir)
{
	struct dirent *e;
	DIR *d;
	int fd, r = 0;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "slot.", 5) != 0)
			continue;
		if ((fd = openat(dirfd(d), e->d_name, O_RDWR | O_CLOEXEC)) ==
		    -1)
			continue;	/* gone: not held */
		/* Blocks until its holder is done. */
		while (flock(fd, LOCK_EX) == -1)
			if (errno != EINTR) {
				r = -1;
				break;
			}
		close(fd);
	}
	closedir(d);
	return r;
}
