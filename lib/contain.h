/*
 * contain: keeping what a run starts inside the run, and nothing else.
 * Jobs run in process groups of their own (spawn.c); here parx becomes a
 * child subreaper, so that what detaches from a job (a double fork,
 * setsid) is handed back to it as an orphan to end; the children parx
 * already had when the run began are remembered as not its own, never
 * reaped or killed; and a sentinel process, which outlives a parx killed
 * with SIGKILL, then ends every process that carries the run's marker in
 * its environment and removes the run's temporary directory.  Linux only.
 */
#ifndef PARX_CONTAIN_H
#define PARX_CONTAIN_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

struct contain;

/*
 * Starts containing: subreaper, the inherited children, the sentinel.
 * Never fails: without a sentinel (no process or descriptor to spare)
 * the rest still works, and contain_sentinel_errno() says why.
 */
struct contain	*contain_new(void);
int		 contain_sentinel_errno(const struct contain *);

/*
 * "NAME=value": the variable every job's environment gets, by which the
 * sentinel knows the run's processes.  Owned by c.
 */
const char	*contain_marker(const struct contain *);

/*
 * Asks the sentinel to remove directory dir (and the files directly in
 * it), or to write "1" to the cgroup.kill file kill_file, should parx
 * die without contain_free().  -1 with errno set.
 */
int	contain_watch_dir(struct contain *, const char *dir);
int	contain_watch_cgroup(struct contain *, const char *kill_file);

/*
 * A child that is no job has exited: reaps it and returns true if it is
 * parx's (an orphan, the sentinel), or returns false, leaving it, if it
 * is one parx inherited.
 */
bool	contain_reap_child(struct contain *, pid_t);

/*
 * Ends the orphans: children that are neither inherited, the sentinel,
 * nor one of the n pids in jobs.  Killing one may hand its own children
 * to parx, hence rounds: TERM first, then KILL.
 */
void	contain_end_orphans(struct contain *, const pid_t *jobs, size_t n);

/*
 * The run ended in order: the sentinel leaves without doing anything,
 * and parx stops being a subreaper.
 */
void	contain_free(struct contain *);

#endif
