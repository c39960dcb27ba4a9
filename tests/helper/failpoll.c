/*
 * failpoll: an LD_PRELOAD shim whose poll() fails with ENOMEM from call
 * $FAILPOLL_AFTER on, so tests can see what parx does when it cannot
 * wait for its jobs.  Built as build/helper/failpoll.so.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

int	poll(struct pollfd *, nfds_t, int);

int
poll(struct pollfd *fds, nfds_t n, int timeout)
{
	static int (*real)(struct pollfd *, nfds_t, int);
	static long calls;
	const char *after = getenv("FAILPOLL_AFTER");

	if (real == NULL)
		real = (int (*)(struct pollfd *, nfds_t, int))dlsym(RTLD_NEXT,
		    "poll");
	if (after != NULL && ++calls >= atol(after)) {
		errno = ENOMEM;
		return -1;
	}
	return real(fds, n, timeout);
}
