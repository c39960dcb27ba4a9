/*
 * termfg: the terminal's foreground for --tty and --open-tty.  The jobs
 * read the controlling terminal, and one at a time owns it (its process
 * group is the terminal's foreground), as a shell's foreground job does:
 * it may read keys and set modes, and Ctrl-C and Ctrl-Z go to it.  parx
 * steers the terminal only while it, or a group it gave the terminal to,
 * has it: a shell that took it back (parx was put in the background)
 * keeps it.
 */
#ifndef PARX_TERMFG_H
#define PARX_TERMFG_H

#include <sys/types.h>

#include <stdbool.h>

struct termfg {
	int	fd;		/* the terminal */
	pid_t	given;		/* the group parx last made its foreground;
				   0: none yet */
};

void	termfg_init(struct termfg *, int fd);

/*
 * Whether parx may hand the terminal on: its foreground is parx's group,
 * the group parx last gave it to (even one that has since ended), or
 * nobody's.
 */
bool	termfg_steerable(const struct termfg *);

/*
 * Makes pgid the terminal's foreground group; parx may be in the
 * background while it does (SIGTTOU is blocked meanwhile).
 */
void	termfg_give(struct termfg *, pid_t pgid);

/* A job's child side made pgid the foreground itself (spawn.h). */
void	termfg_given(struct termfg *, pid_t pgid);

#endif
