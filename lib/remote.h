/*
 * remote: jobs on other machines over OpenSSH, GNU parallel's --sshlogin
 * model, with no protocol of parx's own: ssh runs each job there in a
 * POSIX shell, and every connection to a host goes through one
 * ControlMaster that parx starts (in a short private directory) and ends.
 *
 * A remote job ends when parx's ssh for it does (a timeout, --halt,
 * Ctrl-C, parx killed): parx holds the job's stdin open (in_held), and the
 * shell there reads it beside the job; its end (the channel closed) makes
 * that shell end the job's whole process group, which sshd made a session
 * of its own.
 */
#ifndef PARX_REMOTE_H
#define PARX_REMOTE_H

#include <signal.h>
#include <stdbool.h>

#include "buf.h"
#include "job.h"

struct remote_opts {
	const char	*ssh;		/* --ssh: the ssh command, words split
					   as the shell would; NULL: "ssh" */
	const char	*jobs;		/* -j: slots a host, from its CPUs;
					   NULL: all its CPUs */
	unsigned long	 most;		/* what -j 0 means */
	char *const	*envp;		/* for ssh; NULL: parx's own */
	/*
	 * Where remote jobs run (--wd) when a job has no cwd of its own:
	 * relative to the login's home, or NULL: the home.
	 */
	const char	*workdir;
	/*
	 * --basefile: sent to each host before its first job, as
	 * --transferfile sends a job's files (into workdir, or the home).
	 */
	const char *const *basefiles;
	size_t		 nbasefiles;
	double		 delay;		/* --sshdelay: seconds between the
					   connections parx opens itself */
	bool		 cleanup;	/* --cleanup: remove on the hosts what
					   was sent or fetched, once done */
	/*
	 * --env: "NAME=value" strings the job's shell there sets and
	 * exports (local jobs have parx's environment anyway).
	 */
	const char *const *env;
	size_t		 nenv;
	/*
	 * Set (non-zero) by a signal handler of the caller's: connecting
	 * (remote_start()) gives up as soon as it sees it, ending what it
	 * started.  NULL: nothing stops it.
	 */
	volatile sig_atomic_t *stop;
	/*
	 * --hostgroups: every job there gets PARALLEL_HOSTGROUPS and
	 * PARALLEL_ARGHOSTGROUPS.
	 */
	bool		 hostgroups;
};

struct remote;

struct remote	*remote_new(const struct remote_opts *);

/*
 * Every host group of the hosts, each once, '+'-separated, in the order
 * the hosts came: GNU's groups of a value that names none (--hostgroups'
 * {agrp}).  Owned by r, valid until the next call.
 */
const char	*remote_all_groups(struct remote *);
void		 remote_free(struct remote *);

/*
 * Ends the ControlMasters and removes their directory: call it while the
 * run's sentinel still watches that directory (before run_free()), so
 * that a kill -9 meanwhile leaves nothing either.  remote_free() does it
 * if it was not done.
 */
void		 remote_close(struct remote *);

/*
 * Adds the hosts of one --sshlogin value: comma-separated logins, each
 * [@GROUPS/][N/]login, where login is ":" (this machine), [user@]host,
 * or an ssh command and its options ending in the host ("ssh -p 2222
 * host"), and GROUPS are host group names joined by "+" (each host is
 * in the group of its login's name too); "@GROUPS" alone keeps only the
 * hosts of those groups.  -1 with a message in err (no newline) if one
 * is not a login.
 */
int	remote_add(struct remote *, const char *logins, struct buf *err);

/*
 * --sshloginfile: a login a line, "#" starting a comment; ".." is
 * ~/.parallel/sshloginfile, as in GNU parallel.  -1 with err filled.
 */
int	remote_add_file(struct remote *, const char *path, struct buf *err);

/*
 * --sshloginfile changed: fresh holds the logins as they are now (added
 * but not started).  Hosts new in it join r, connected as
 * remote_start() connects them (one that cannot be reached is said in
 * err and left out); hosts no longer in it take no new jobs, those
 * running there finishing.  fresh is freed.  Whether r changed.
 */
bool	remote_update(struct remote *r, struct remote *fresh, struct buf *err);

/* Whether any host was added. */
bool	remote_any(const struct remote *);

/*
 * The hosts added, host i's login as given (N/ left out), and whether
 * -S @groups leaves host i in.
 */
size_t		 remote_count(const struct remote *);
const char	*remote_login(const struct remote *, size_t i);
bool		 remote_chosen(const struct remote *, size_t i);

/*
 * Keeps only host i, with one job slot (--onall runs parx once a host):
 * before remote_start().
 */
void	remote_keep_one(struct remote *, size_t i);

/*
 * Connects to every host (its ControlMaster) and counts its job slots:
 * N/, else -j of its CPUs.  A host that cannot be reached is dropped,
 * with a line for it in err.  -1 (err filled) if no host is left.
 */
int	remote_start(struct remote *, struct buf *err);

/* The control sockets' directory, or NULL: to remove if parx is killed. */
const char	*remote_dir(const struct remote *);

/* The job slots of all hosts left. */
unsigned long	remote_slots(const struct remote *);

/*
 * The host a job in slot, of host groups groups (--hostgroups; NULL:
 * any), runs on (--plus {host}: the login's host, its user@ left out),
 * with its login in *login and its groups in *host_groups ({hgrp});
 * NULL (and *login, *host_groups NULL) if it runs here.
 */
const char	*remote_host_of(const struct remote *, unsigned long slot,
		    const char *groups, const char **login,
		    const char **host_groups);

/*
 * Whether job (--hostgroups: job->groups) has to wait: the hosts of its
 * groups are all busy.  Then it should be placed later, as a job ends;
 * other jobs may go first.
 */
bool	remote_must_wait(const struct remote *, const struct run_job *);

/*
 * Makes job (as feed made it) run on the host whose job slot slot is
 * (the slots are the hosts' in turn: run never has two jobs in a slot, so
 * a host never runs more than it has): job->argv becomes the ssh command,
 * job->host the login; job->cmd stays what it runs, for -v and the job
 * log.  A job for this machine (":") is left as it is.
 *
 * A job's cwd (--wd) becomes its directory there (made if missing; a
 * --wd ... one under the home's .parallel/tmp, removed when done).  With
 * files to send or fetch (job->transfer, job->ret), argv is a local sh
 * script instead that runs ssh once a file around the job: each file
 * goes to a temporary name there and is renamed into place, and comes
 * back the same way here, so no byte of a name is ever interpreted and a
 * host sharing this file system gets no file truncated under it.
 * --cleanup then removes there what parx sent into a place where no
 * file was before, and what it fetched, if it is still the same file
 * (on a shared file system the fetch itself replaced it: it stays).
 * A file that cannot be sent fails the job (255) before it runs; one
 * that cannot be fetched fails a job that did not fail of its own.
 */
void	remote_place(struct remote *, unsigned long slot, struct run_job *job);

/*
 * Whether job seq (placed by remote_place()), which ended with
 * exit_code, was lost to its host rather than failed: ssh's own failure
 * (255) with the host's connection gone, so that the job did not run, or
 * was ended there with the connection.  The host is then dropped
 * (*lost_login names it, the first time) and the job should run again,
 * placed anew (remote_place() moves it).  0 if it failed or ran.
 */
int	remote_lost(struct remote *, unsigned long seq, int exit_code,
	    const char **lost_login);

/* Job seq has ended for good: its host counts it no more. */
void	remote_done(struct remote *, unsigned long seq);

#endif
