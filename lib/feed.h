/*
 * feed: turns input records into jobs.  It groups records into jobs (-n,
 * -N, -m, -X and the command-line length limit), expands the template
 * for each, and decides whether the job can be run without a shell.  This
 * is the next_job() side of run.
 */
#ifndef PARX_FEED_H
#define PARX_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include "input.h"
#include "job.h"
#include "template.h"

struct perlx;

struct feed_opts {
	size_t			 max_args;	/* records per job; 0: default */
	bool			 multi;		/* -m, -X: as many as fit */
	bool			 hide_args;	/* -N0: read one, insert none */
	size_t			 max_chars;	/* pack command lines up to this */
	size_t			 hard_max_chars; /* no line may be longer */
	bool			 max_chars_strict; /* -s given: no line may be
						     longer than max_chars */
	unsigned long		 jobs;		/* slots, to spread -m/-X */
	bool			 tag;		/* --tag */
	bool			 force_shell;	/* never run a job directly */
	const struct template	*tagstring;	/* --tagstring, or NULL */
	unsigned long		 total_jobs;	/* --total-jobs: the total, not
						   counted; 0: count it */
	/*
	 * --tmpl: before each job, the expansion of tmpl_content[i] is
	 * written to the file the expansion of tmpl_name[i] names; with
	 * tmpl_cleanup, run removes them after the job.
	 */
	const struct template	*const *tmpl_name;
	const struct template	*const *tmpl_content;
	size_t			 ntmpl;
	bool			 tmpl_cleanup;
	/*
	 * --filter: perl code, replacement strings filled in (unquoted),
	 * evaluated by perl for each job; a job for which one is false is
	 * skipped as skip() skips it.
	 */
	/*
	 * --wd: each job runs in the directory this names (made if
	 * missing), or with workdir_unique (--wd ...) in a directory of its
	 * own under $HOME/.parallel/tmp, removed when the job is done.
	 */
	const struct template	*workdir;
	bool			 workdir_unique;
	bool			 workdir_later;	/* not made by feed: jobs may
						   run on other hosts, where
						   remote_place() makes it
						   (feed_make_workdir() here) */
	/*
	 * --plus {host}, {sshlogin} and {hgrp}: where a job in a slot, of
	 * host groups groups (NULL: any), runs (NULL: here), its login in
	 * *login and the host's groups in *host_groups.  NULL: every job
	 * runs here.
	 */
	const char		*(*host_of)(void *arg, unsigned long slot,
				    const char *groups, const char **login,
				    const char **host_groups);
	/* --hostgroups: {agrp} of a value that names no group, or NULL. */
	const char		*(*all_groups)(void *arg);
	void			*host_arg;
	/*
	 * --hostgroups: a value's "@g1+g2" is taken off it, and the first
	 * value's makes the job's groups (job->groups).
	 */
	bool			 hostgroups;
	/* --transferfile and --return: each job's files, for remote_place() */
	const struct template	*const *transfer;
	size_t			 ntransfer;
	const struct template	*const *ret;
	size_t			 nret;
	const struct template	*const *filter;
	size_t			 nfilter;
	struct perlx		*perl;		/* evaluates them */
};

struct feed;

/* in and t are borrowed and must outlive the feed. */
struct feed	*feed_new(struct input *in, const struct template *t,
		    const struct feed_opts *);
void		 feed_free(struct feed *);

/*
 * After E2BIG: the values that made a command line too long (joined by
 * spaces), with *len the line's length and *max the most allowed.  NULL
 * if none was.
 */
const char	*feed_too_long(const struct feed *, size_t *len, size_t *max);

/*
 * Makes job's --wd directory, which feed left to be made (workdir_later)
 * because the job might have run elsewhere.  -1 (errno set,
 * feed_failed_path() says which) if it cannot.
 */
int		 feed_make_workdir(struct feed *, struct run_job *);

/*
 * The --tmpl file or --wd directory feed could not make, or NULL; *what
 * says which ("--tmpl file", "--wd directory").
 */
const char	*feed_failed_path(const struct feed *, const char **what);

/*
 * Fills job for job number seq in slot: 1, 0 when the input is used up,
 * -1 with errno set: a read error (input_error_path() names the file),
 * E2BIG for an input too long for any command line, or a --tmpl file
 * or --wd directory that could not be made (feed_failed_path() names
 * it).
 */
int	feed_next(struct feed *, unsigned long seq, unsigned long slot,
	    struct run_job *job);

/*
 * Fills job for job number seq in slot with the given values rather than
 * input records (--pipe: none, or the --cat file).  -1 with errno set as
 * template_expand() says; job is filled all the same.
 */
int	feed_make_job(struct feed *, unsigned long seq, unsigned long slot,
	    char *const *fields, size_t nfields, struct run_job *job);

/*
 * The descriptor feed_next() would block reading, or -1: see
 * input_wait_fd().
 */
int	feed_wait_fd(const struct feed *);

/*
 * The values of the job feed_next() filled last, valid until the next
 * call; *n is their number.
 */
char *const	*feed_fields(const struct feed *, size_t *n);

/*
 * The number of jobs the input makes, for {##} and --halt percentages:
 * reads all of it ahead.  -1 with errno set as for feed_next().
 */
long	feed_total(struct feed *);

#endif
