/*
 * spawn: posix_spawn with a job's file actions and attributes.
 *
 * glibc's posix_spawn uses CLONE_VFORK, so starting a job costs about as
 * much as the exec itself, and exec failures come back as the return
 * value rather than as a child that exits 127.  Every parx descriptor is
 * close-on-exec, so the job only gets what the file actions give it.
 */
#include "spawn.h"

#include <errno.h>
#include <spawn.h>
#include <unistd.h>

static int
add_dup(posix_spawn_file_actions_t *fa, int fd, int target)
{
	if (fd == -1 || fd == target)
		return 0;
	return posix_spawn_file_actions_adddup2(fa, fd, target);
}

int
spawn_job(const struct spawn_req *req, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int r;

	if ((r = posix_spawn_file_actions_init(&fa)) != 0)
		return r;
	if ((r = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return r;
	}
	sigemptyset(&none);
	if ((r = add_dup(&fa, req->fd_in, STDIN_FILENO)) != 0 ||
	    (r = add_dup(&fa, req->fd_out, STDOUT_FILENO)) != 0 ||
	    (r = add_dup(&fa, req->fd_err, STDERR_FILENO)) != 0)
		goto out;
	/*
	 * Its own process group lets parx signal the job and everything it
	 * started at once; the mask is emptied because a blocked mask
	 * survives exec, and the signals parx catches or ignores go back to
	 * their defaults (an ignored SIGPIPE would survive exec too).
	 */
	if ((r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) != 0 ||
	    (r = posix_spawnattr_setpgroup(&attr, 0)) != 0 ||
	    (r = posix_spawnattr_setsigmask(&attr, &none)) != 0 ||
	    (r = posix_spawnattr_setsigdefault(&attr, req->sigdefault)) != 0)
		goto out;
	r = posix_spawnp(pid, req->file, &fa, &attr, req->argv, req->envp);
out:
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return r;
}
