/*
 * sig: the supervisor's signals read through signalfd(2) (Linux).  The
 * descriptor is the one piece of mutable global state in lib.
 */
#include "sig.h"

#include <sys/signalfd.h>

#include <errno.h>
#include <unistd.h>

static int		sigfd = -1;
static sigset_t		old_mask;
static struct sigaction	old_pipe;

static void
watched(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

int
sig_init(void)
{
	struct sigaction sa;
	sigset_t set;

	watched(&set);
	if (sigprocmask(SIG_BLOCK, &set, &old_mask) == -1)
		return -1;
	if ((sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) == -1) {
		int saved = errno;

		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		errno = saved;
		return -1;
	}
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, &old_pipe);
	return 0;
}

int
sig_fd(void)
{
	return sigfd;
}

int
sig_next(void)
{
	struct signalfd_siginfo si;
	ssize_t n;

	for (;;) {
		n = read(sigfd, &si, sizeof(si));
		if (n == (ssize_t)sizeof(si))
			return (int)si.ssi_signo;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		return -1;
	}
}

void
sig_defaults(sigset_t *set)
{
	watched(set);
	sigaddset(set, SIGPIPE);
}

void
sig_release(void)
{
	if (sigfd == -1)
		return;
	close(sigfd);
	sigfd = -1;
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
}
