/*
 * cgroup: one cgroup v2 group per job slot, where a writable cgroup v2
 * tree is at hand (root, or a delegated subtree), so that a job and
 * everything it started, even what left its process group with setsid,
 * can be killed at once through cgroup.kill.  A group per slot rather
 * than per job keeps mkdir and rmdir off the per-job path.  Linux only.
 */
#ifndef PARX_CGROUP_H
#define PARX_CGROUP_H

struct cgroups;

/*
 * Makes parx's own group for its jobs under the cgroup parx runs in.
 * NULL with errno set when there is no writable cgroup v2 tree with
 * cgroup.kill; parx then relies on process groups and the subreaper.
 */
struct cgroups	*cgroup_open(void);

/*
 * The group of slot (from 1), made if need be; returns the path of its
 * cgroup.procs for a job to move itself into (owned by cg, valid until
 * the next call), or NULL if it could not be made.
 */
const char	*cgroup_slot_procs(struct cgroups *, unsigned long slot);

/*
 * Kills every process in slot's group: the job that was ended, and with
 * it anything an earlier job of that slot left running.
 */
void	cgroup_slot_kill(struct cgroups *, unsigned long slot);

/* The cgroup.kill file of parx's group, which ends every job's. */
const char	*cgroup_kill_file(struct cgroups *);

/* Kills what is left in all jobs' groups and removes parx's group. */
void	cgroup_close(struct cgroups *);

#endif
