/*
 * spawn: starting one job, in its own process group, with the signal
 * state a fresh program expects, and killed if parx dies.  The only place
 * parx creates processes.
 */
#ifndef PARX_SPAWN_H
#define PARX_SPAWN_H

#include <sys/types.h>

#include <signal.h>
#include <stdbool.h>

struct spawn_req {
	const char	*file;		/* searched in PATH like execvp */
	char *const	*argv;
	char *const	*envp;
	int		 fd_in;		/* becomes fd 0, 1, 2 of the job; */
	int		 fd_out;	/* -1 leaves parx's own */
	int		 fd_err;
	const sigset_t	*sigdefault;	/* signals reset to SIG_DFL */
	const char	*cgroup_procs;	/* a cgroup.procs to join, or NULL */
	int		 tty;		/* with foreground: the terminal */
	bool		 foreground;	/* the job's group becomes tty's
					   foreground (--tty) */
	bool		 keep_group;	/* a helper, not a job: stays in
					   parx's process group */
	const char	*cwd;		/* where it runs, or NULL: here */
};

/*
 * Starts the job; its pid is stored in *pid.  Returns 0, or an errno
 * value (ENOENT if the program is not found) as posix_spawn does; the
 * failed child has then been reaped and *pid is -1.
 */
int	spawn_job(const struct spawn_req *, pid_t *pid);

/*
 * Forks a helper process that runs fn(arg) and exits: parx's sentinel
 * (contain.c).  The pid, or -1 with errno set.  The caller reaps it.
 */
pid_t	spawn_function(void (*fn)(void *), void *arg);

#endif
