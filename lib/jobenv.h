/*
 * jobenv: what a job starts with besides its command: the environment
 * (the inherited one, the run's marker, GNU parallel's PARALLEL_SEQ and
 * PARALLEL_JOBSLOT and parx's own PARX_SEQ and PARX_SLOT), and, for a job
 * run through the shell, the shell's argv.
 */
#ifndef PARX_JOBENV_H
#define PARX_JOBENV_H

struct jobenv;

/*
 * The inherited environment less the per-job variables a parent parx
 * set, plus marker ("NAME=value", borrowed; see contain.h), plus, if
 * slot_var is not NULL, that variable set to the job's slot less one
 * (GNU's --process-slot-var), and OLDPWD=oldpwd if that is not NULL
 * (jobs that run elsewhere, --wd: where they were started from, as a
 * shell's cd would leave it).
 */
struct jobenv	*jobenv_new(const char *marker, const char *slot_var,
		    const char *oldpwd);
void		 jobenv_free(struct jobenv *);

/* The environment for job seq in slot; valid until the next call. */
char	**jobenv_for(struct jobenv *, unsigned long seq, unsigned long slot);

/*
 * base with add's "NAME=value" entries joined, each replacing base's of
 * the same name: a new array (free it alone) of borrowed strings, or
 * NULL when out of memory.
 */
char	**jobenv_plus(char *const *base, char *const *add);

/*
 * The argv that runs cmd (borrowed) through shell (borrowed).  A command
 * longer than one argument may be (128 KiB) is passed in pieces that the
 * shell joins and evals, so command lines up to ARG_MAX work.  Free it
 * with jobenv_free_shell_argv().
 */
char	**jobenv_shell_argv(const char *shell, const char *cmd);
void	  jobenv_free_shell_argv(char **);

/*
 * Appends to out the command line that runs prelude (shell code: the
 * functions, aliases and variables env_parx sends) then cmd.  zsh takes
 * aliases only in what it parses after their definitions have run, so
 * there cmd is eval'ed, as GNU parallel does.
 */
struct buf;
void	jobenv_prelude(struct buf *out, const char *shell, const char *prelude,
	    const char *cmd);

#endif
