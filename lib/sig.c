/*
 * sig: the supervisor's signals read through signalfd(2) (Linux).  The
 * descriptor and what sig_init() found and changed (the old mask, the
 * old SIGPIPE action, the signals found ignored) are lib's only mutable
 * globals: signal dispositions belong to the whole process.
 */
#include "sig.h"

#include <sys/signalfd.h>

#include <errno.h>
#include <unistd.h>

static int		sigfd = -1;
static sigset_t		old_mask;
static struct sigaction	old_pipe;
static sigset_t		ignored;	/* ignored when parx started */

/*
 * The signals parx reads: SIGCHLD, SIGCONT, and the others unless
 * they were ignored when parx started (nohup): as a shell does, parx
 * then keeps them ignored, for itself and its jobs.
 */
static void
watched(sigset_t *set)
{
	static const int sigs[] = {
		SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGUSR1
	};
	size_t i;

	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGCONT);	/* continued: a terminal may be back */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigismember(&ignored, sigs[i]) != 1)
			sigaddset(set, sigs[i]);
}

/* Notes which of the signals parx would catch its parent had ignored. */
static void
note_ignored(void)
{
	static const int sigs[] = {
		SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGUSR1, SIGPIPE
	};
	struct sigaction sa;
	size_t i;

	sigemptyset(&ignored);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &sa) == 0 &&
		    sa.sa_handler == SIG_IGN)
			sigaddset(&ignored, sigs[i]);
}

int
sig_init(void)
{
	struct sigaction sa;
	sigset_t set;

	note_ignored();
	watched(&set);
	if (sigprocmask(SIG_BLOCK, &set, &old_mask) == -1)
		return -1;
	if ((sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) == -1) {
		int saved = errno;

		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		errno = saved;
		return -1;
	}
	/* A closed stdout shows as EPIPE, not as death by SIGPIPE. */
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, &old_pipe) == -1) {
		int saved = errno;

		close(sigfd);
		sigfd = -1;
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		errno = saved;
		return -1;
	}
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
	if (sigismember(&ignored, SIGPIPE) != 1)
		sigaddset(set, SIGPIPE);
}

void
sig_release(void)
{
	if (sigfd == -1)
		return;
	close(sigfd);
	sigfd = -1;
	(void)sigaction(SIGPIPE, &old_pipe, NULL);
	(void)sigprocmask(SIG_SETMASK, &old_mask, NULL);
}
