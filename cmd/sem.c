/*
 * sem: parx --semaphore, GNU parallel's counting semaphore across
 * invocations, so that a shell script can cap how many of its background
 * commands run at once:
 *
 *	for f in *.wav; do sem -j4 --id enc flac "$f"; done; sem --wait --id enc
 *
 * The semaphore lives in $XDG_RUNTIME_DIR/parx/sem/ID (else ~/.parx/sem/ID)
 * as lib/semaphore's flocked slot files, so a holder killed by SIGKILL
 * frees its slot.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/buf.h"
#include "../lib/exitcode.h"
#include "../lib/semaphore.h"
#include "../lib/xmalloc.h"
#include "config.h"
#include "sem.h"

/* The semaphore's directory; its name as GNU's: by default the tty's. */
static char *
sem_dir(const char *id)
{
	const char *run = getenv("XDG_RUNTIME_DIR"), *home = getenv("HOME");
	const char *tty = ttyname(STDIN_FILENO);
	struct stat st;
	struct buf b;
	size_t i;

	buf_init(&b);
	if (run != NULL && *run == '/' && stat(run, &st) == 0 &&
	    S_ISDIR(st.st_mode)) {
		buf_addstr(&b, run);
		buf_addstr(&b, "/parx/sem/");
	} else {
		buf_addstr(&b, home != NULL ? home : "/tmp");
		buf_addstr(&b, "/.parx/sem/");
	}
	if (id == NULL)
		id = tty != NULL ? tty : "notty";
	/* One path component, whatever the name holds. */
	for (i = 0; id[i] != '\0'; i++)
		buf_addch(&b, id[i] == '/' || (i == 0 && id[i] == '.') ? '_' :
		    id[i]);
	return buf_detach(&b);
}

/* The command's words as one shell command line, as GNU joins them. */
static char *
command_line(const struct config *cfg)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < cfg->ncommand; i++) {
		if (i > 0)
			buf_addch(&b, ' ');
		buf_addstr(&b, cfg->command[i]);
	}
	return buf_detach(&b);
}

static pid_t
start(const char *shell, const char *line)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(shell, shell, "-c", line, (char *)NULL);
		_exit(EXIT_NOT_FOUND);
	}
	return pid;
}

static int
wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return EXIT_ERROR;
	return WIFSIGNALED(status) ? exit_by_signal(WTERMSIG(status)) :
	    WEXITSTATUS(status);
}

int
semaphore_main(const struct config *cfg, unsigned long slots,
    const char *shell)
{
	char *dir = sem_dir(cfg->sem_id), *line;
	double timeout = cfg->sem_timeout;
	int fd, status = EXIT_ALL_OK;
	pid_t pid;

	if (cfg->ncommand == 0 && !cfg->sem_wait)
		usage_error("--semaphore needs a command, or --wait");
	if (cfg->ncommand > 0) {
		/* --st N: take it anyway after N s; --st -N: give up. */
		fd = semaphore_take(dir, slots, timeout != 0 ? fabs(timeout) :
		    -1);
		if (fd == -1 && (errno != ETIMEDOUT || timeout < 0)) {
			if (errno == ETIMEDOUT)
				errx(EXIT_ERROR, "semaphore '%s': no slot came "
				    "free within %g s", dir, -timeout);
			err(EXIT_ERROR, "cannot use the semaphore '%s'", dir);
		}
		line = command_line(cfg);
		if (cfg->sem_fg) {
			if ((pid = start(shell, line)) == -1)
				err(EXIT_ERROR, "cannot start '%s'", line);
			status = wait_status(pid);
		} else {
			/*
			 * In the background: a child of its own session holds
			 * the slot while the command runs; we return now.
			 */
			if ((pid = fork()) == -1)
				err(EXIT_ERROR, "cannot start '%s'", line);
			if (pid == 0) {
				(void)setsid();
				if ((pid = start(shell, line)) == -1)
					_exit(EXIT_ERROR);
				_exit(wait_status(pid));
			}
		}
		if (fd != -1)
			close(fd);
		free(line);
	}
	if (cfg->sem_wait && semaphore_wait_idle(dir) == -1)
		err(EXIT_ERROR, "cannot wait for the semaphore '%s'", dir);
	free(dir);
	return status;
}
