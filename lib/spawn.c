/*
 * spawn: starting a job with vfork and exec.
 *
 * posix_spawn would do, but it cannot give the job a parent-death signal:
 * after a kill -9 of parx, jobs would run on unseen, and --resume could
 * not promise to run each unfinished job exactly once.  So the child is
 * made by hand, in the shape of musl's posix_spawn: between vfork and exec
 * it only makes system calls, and an exec failure comes back as an errno
 * value over a close-on-exec pipe (which also works if a sanitizer turns
 * vfork into fork).  Every parx descriptor is close-on-exec, so the job
 * gets exactly the three the child duplicates onto 0, 1 and 2.
 */
#include "exitcode.h"
#include "spawn.h"

#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

/* fd onto target; an fd already there only loses close-on-exec. */
static int
move_fd(int fd, int target)
{
	if (fd == -1)
		return 0;
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, target) == -1 ? -1 : 0;
}

/* The child side: never returns. */
static void
child(const struct spawn_req *req, pid_t parent, int errfd)
{
	struct sigaction sa;
	sigset_t none, ttou;
	int sig, e, fd;

	/*
	 * Its own process group, so that parx can signal the job and
	 * everything it starts at once; and death with parx, checked again
	 * in case parx died before the request took hold.
	 */
	if ((!req->keep_group && setpgid(0, 0) == -1) ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		goto fail;
	/*
	 * The terminal is handed over here, before exec, as a shell does,
	 * so that the job's first read finds it its own.  A group not in
	 * the foreground asking gets SIGTTOU unless it is blocked; the mask
	 * is cleared below.  If it fails (parx itself was put in the
	 * background meanwhile) the job runs without it: run hands it over
	 * when the job stops to wait for it.
	 */
	if (req->foreground) {
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		(void)sigprocmask(SIG_BLOCK, &ttou, NULL);
		(void)tcsetpgrp(req->tty, getpid());
	}
	/*
	 * Joining the job's cgroup before exec means nothing it starts is
	 * ever outside it.  If that fails the job still runs, tracked by
	 * its process group as without cgroups.
	 */
	if (req->cgroup_procs != NULL &&
	    (fd = open(req->cgroup_procs, O_WRONLY | O_CLOEXEC)) != -1) {
		(void)write(fd, "0", 1);
		close(fd);
	}
	/* Ignored signals survive exec; a blocked mask does too. */
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(req->sigdefault, sig) == 1)
			sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		goto fail;
	if (move_fd(req->fd_in, STDIN_FILENO) == -1 ||
	    move_fd(req->fd_out, STDOUT_FILENO) == -1 ||
	    move_fd(req->fd_err, STDERR_FILENO) == -1)
		goto fail;
	if (req->cwd != NULL && chdir(req->cwd) == -1)
		goto fail;
	execvpe(req->file, req->argv, req->envp);
fail:
	e = errno;
	(void)write(errfd, &e, sizeof(e));
	_exit(EXIT_NOT_FOUND);
}

int
spawn_job(const struct spawn_req *req, pid_t *pid)
{
	pid_t parent = getpid(), p;
	sigset_t all, old;
	int fds[2], e = 0;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return errno;
	/*
	 * Until the child has reset its handlers, a signal must not run
	 * one of the caller's (a library's host's) in the child, which
	 * shares its memory: this thread blocks them all meanwhile, as
	 * posix_spawn does, and the child clears its mask before exec.
	 */
	sigfillset(&all);
	(void)pthread_sigmask(SIG_SETMASK, &all, &old);
	/*
	 * scan-build flags vfork (security.insecureAPI.vfork) and the calls
	 * the child makes (unix.Vfork); both are deliberate (see the top of
	 * this file and child()), and build-aux/lint turns those two checks
	 * off for this reason.
	 */
	p = vfork();
	if (p == 0)
		child(req, parent, fds[1]);
	e = errno;
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (p == -1) {
		close(fds[0]);
		close(fds[1]);
		return e;
	}
	close(fds[1]);
	/*
	 * End of file: exec worked.  Four bytes: its errno.  A read error
	 * says nothing about the child, so it is not taken for success.
	 */
	do
		n = read(fds[0], &e, sizeof(e));
	while (n == -1 && errno == EINTR);
	if (n == -1)
		e = errno;
	close(fds[0]);
	if (n == 0) {
		*pid = p;
		return 0;
	}
	if (n != (ssize_t)sizeof(e) && n != -1)
		e = EIO;
	/*
	 * The child exits (or, after a read error, is made to): reap it
	 * here, so that every child the caller sees is a job.
	 */
	if (n == -1)
		(void)kill(p, SIGKILL);
	while (waitpid(p, NULL, 0) == -1 && errno == EINTR)
		;
	*pid = -1;
	return e;
}

pid_t
spawn_function(void (*fn)(void *), void *arg)
{
	pid_t p;

	/*
	 * A plain fork: the child runs parx's own code rather than exec,
	 * and parx has one thread, so nothing is held locked in the copy.
	 */
	p = fork();
	if (p == 0) {
		fn(arg);
		_exit(0);
	}
	return p;
}
