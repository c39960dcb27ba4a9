/*
 * termfg: tcsetpgrp(3) with the care a shell takes.
 */
#include "termfg.h"

#include <signal.h>
#include <unistd.h>

void
termfg_init(struct termfg *t, int fd)
{
	t->fd = fd;
	t->given = 0;
}

bool
termfg_steerable(const struct termfg *t)
{
	pid_t fg = tcgetpgrp(t->fd);

	return fg <= 0 || fg == getpgrp() || (t->given != 0 && fg == t->given);
}

void
termfg_give(struct termfg *t, pid_t pgid)
{
	sigset_t ttou, old;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	(void)sigprocmask(SIG_BLOCK, &ttou, &old);
	if (tcgetpgrp(t->fd) != pgid)
		(void)tcsetpgrp(t->fd, pgid);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	t->given = pgid;
}

void
termfg_given(struct termfg *t, pid_t pgid)
{
	t->given = pgid;
}
