/*
 * sig: signals as events on a file descriptor.  SIGCHLD, SIGCONT, SIGINT,
 * SIGTERM, SIGHUP, SIGTSTP and SIGUSR1 (less those ignored when parx
 * started) are
 * blocked and read from a signalfd, so the supervisor's one poll() sees
 * them beside the job pipes; SIGPIPE is ignored so that a closed stdout
 * shows up as EPIPE.
 */
#ifndef PARX_SIG_H
#define PARX_SIG_H

#include <signal.h>

/* Sets up the fd and the signal mask.  -1 with errno set on failure. */
int	sig_init(void);

/* The descriptor to poll for POLLIN. */
int	sig_fd(void);

/* The next pending signal, 0 if none is left, -1 on error. */
int	sig_next(void);

/*
 * Signals a job must start with at their default disposition: those parx
 * catches or ignores itself, less those its parent had ignored (nohup),
 * which stay ignored in the jobs, as a shell leaves them.
 */
void	sig_defaults(sigset_t *);

/* Undoes sig_init(): restores the mask and closes the fd. */
void	sig_release(void);

#endif
