/*
 * cpus: the CPUs this process may use (its affinity mask: taskset, a
 * cgroup's cpuset), counted as GNU parallel counts them: threads (what
 * -j 100% means), physical cores and sockets.
 */
#ifndef PARX_CPUS_H
#define PARX_CPUS_H

#include <stddef.h>

struct cpu_count {
	unsigned long	sockets;
	unsigned long	cores;
	unsigned long	threads;
};

/*
 * The CPUs this process may run on (its affinity mask, then a cgroup v2
 * quota if less).  Never fails: what cannot be read counts as one core a
 * thread.
 */
void	cpus_count(struct cpu_count *);

/*
 * The same for the CPUs numbered cpus[0 .. n-1], from the sysfs tree
 * under root (/sys/devices/system/cpu): for tests.
 */
void	cpus_count_at(const char *root, const unsigned *cpus, size_t n,
	    struct cpu_count *);

/*
 * The CPUs a cgroup v2 cpu.max quota lets this process have, rounded up
 * (the least along its cgroup's path up to the root), or 0 for no quota:
 * self_cgroup is /proc/self/cgroup, cgroup_root /sys/fs/cgroup (others
 * for tests).  cpus_count() applies it.
 */
unsigned long	cpus_quota_at(const char *cgroup_root, const char *self_cgroup);

/*
 * A -j value as job slots on a machine of cpus CPUs: N, N% of them, +N
 * or -N of them, 0 for unlimited (most, parx's own ceiling).  0, or -1
 * with why filled (for "invalid -j value 'S': WHY").
 */
int	cpus_jobs(const char *spec, unsigned long cpus, unsigned long most,
	    unsigned long *n, char *why, size_t whylen);

#endif
