/*
 * cpus: counting from sysfs's topology directories.  A core is a set of
 * sibling threads, a socket a physical package; only the CPUs in the
 * affinity mask count, so parx under taskset -c 0 runs one job a time.
 */
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpus.h"
#include "xmalloc.h"

/* The first line of root/cpuN/topology/name, or NULL. */
static char *
read_topology(const char *root, unsigned cpu, const char *name)
{
	char path[512], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cpu%u/topology/%s", root, cpu, name);
	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return xstrdup(line);
}

/* How many distinct strings v[0 .. n-1] holds (NULLs each count). */
static unsigned long
distinct(char **v, size_t n)
{
	unsigned long count = 0;
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < i; k++)
			if (v[i] != NULL && v[k] != NULL &&
			    strcmp(v[i], v[k]) == 0)
				break;
		if (k == i)
			count++;
	}
	return count;
}

void
cpus_count_at(const char *root, const unsigned *cpus, size_t n,
    struct cpu_count *c)
{
	char **package, **siblings;
	size_t i, known = 0;

	package = xreallocarray(NULL, n + 1, sizeof(*package));
	siblings = xreallocarray(NULL, n + 1, sizeof(*siblings));
	for (i = 0; i < n; i++) {
		package[i] = read_topology(root, cpus[i],
		    "physical_package_id");
		siblings[i] = read_topology(root, cpus[i],
		    "thread_siblings_list");
		if (package[i] != NULL && siblings[i] != NULL)
			known++;
	}
	c->threads = n > 0 ? n : 1;
	if (known == n && n > 0) {
		c->sockets = distinct(package, n);
		c->cores = distinct(siblings, n);
	} else {
		/* No topology (a container, another kernel): as nproc. */
		c->sockets = 1;
		c->cores = c->threads;
	}
	for (i = 0; i < n; i++) {
		free(package[i]);
		free(siblings[i]);
	}
	free(package);
	free(siblings);
}

void
cpus_count(struct cpu_count *c)
{
	cpu_set_t *set;
	unsigned *cpus;
	size_t size, n = 0;
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	int max = conf > 0 ? (int)conf : 1, i;
	unsigned long quota;

	/* The mask may name CPUs beyond the configured count: grow. */
	for (;;) {
		set = CPU_ALLOC(max);
		size = CPU_ALLOC_SIZE(max);
		if (sched_getaffinity(0, size, set) == 0)
			break;
		CPU_FREE(set);
		if (max >= 1 << 16) {
			long online = sysconf(_SC_NPROCESSORS_ONLN);

			c->threads = c->cores = online > 0 ?
			    (unsigned long)online : 1;
			c->sockets = 1;
			return;
		}
		max *= 2;
	}
	cpus = xreallocarray(NULL, (size_t)max, sizeof(*cpus));
	for (i = 0; i < max; i++)
		if (CPU_ISSET_S(i, size, set))
			cpus[n++] = (unsigned)i;
	CPU_FREE(set);
	cpus_count_at("/sys/devices/system/cpu", cpus, n, c);
	free(cpus);
	/* A container's or a scheduler's CPU quota is fewer CPUs still. */
	quota = cpus_quota_at("/sys/fs/cgroup", "/proc/self/cgroup");
	if (quota > 0 && quota < c->threads)
		c->threads = quota;
	if (quota > 0 && quota < c->cores)
		c->cores = quota;
	if (c->sockets > c->cores)
		c->sockets = c->cores;
}

unsigned long
cpus_quota_at(const char *cgroup_root, const char *self_cgroup)
{
	char line[4096], path[4352], quota[32], *end;
	unsigned long least = 0, n;
	double q, period;
	size_t len;
	FILE *f;

	if ((f = fopen(self_cgroup, "re")) == NULL)
		return 0;
	/* cgroup v2's line is "0::/path". */
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "0::", 3) == 0)
			break;
	if (ferror(f) || strncmp(line, "0::", 3) != 0) {
		fclose(f);
		return 0;
	}
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	/* Every cgroup from it up to the root may have a quota: the least. */
	for (len = strlen(line); len >= 3; ) {
		line[len] = '\0';
		snprintf(path, sizeof(path), "%s%s/cpu.max", cgroup_root,
		    line + 3);
		if ((f = fopen(path, "re")) != NULL) {
			if (fscanf(f, "%31s %lf", quota, &period) == 2 &&
			    strcmp(quota, "max") != 0 && period > 0) {
				q = strtod(quota, &end);
				if (*end == '\0' && q > 0) {
					n = (unsigned long)ceil(q / period);
					if (n == 0)
						n = 1;
					if (least == 0 || n < least)
						least = n;
				}
			}
			fclose(f);
		}
		if ((end = strrchr(line + 3, '/')) == NULL)
			break;
		len = (size_t)(end - line);
		if (len == 3 && line[3] == '/' && strlen(line) == 4)
			break;
	}
	return least;
}

static int	jobs_of(const char *, unsigned long, unsigned long,
		    unsigned long *, char *, size_t);

/* As GNU (Perl's numbers): white space after the value is ignored. */
int
cpus_jobs(const char *s, unsigned long cpus, unsigned long most,
    unsigned long *n, char *why, size_t whylen)
{
	size_t len = strlen(s);
	char *trimmed;
	int r;

	while (len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL)
		len--;
	trimmed = xmemdup(s, len);
	r = jobs_of(trimmed, cpus, most, n, why, whylen);
	free(trimmed);
	return r;
}

static int
jobs_of(const char *s, unsigned long cpus, unsigned long most,
    unsigned long *n, char *why, size_t whylen)
{
	const char *errstr;
	long long v;
	size_t len = strlen(s);
	char *num;

	if (len > 1 && s[len - 1] == '%') {
		num = xmemdup(s, len - 1);
		v = strtonum(num, 1, 100000, &errstr);
		free(num);
		if (errstr != NULL) {
			snprintf(why, whylen, "percentage %s", errstr);
			return -1;
		}
		*n = cpus * v / 100 > 0 ? cpus * v / 100 : 1;
		return 0;
	}
	if (s[0] == '+' || s[0] == '-') {
		v = strtonum(s + 1, 0, 1000000, &errstr);
		if (errstr != NULL) {
			snprintf(why, whylen, "%s", errstr);
			return -1;
		}
		/* As GNU parallel: no slot left is an error, not one slot. */
		if (s[0] == '-' && (long long)cpus <= v) {
			snprintf(why, whylen, "%lu CPUs less %lld leaves no job "
			    "slot", cpus, v);
			return -1;
		}
		*n = s[0] == '+' ? cpus + v : cpus - v;
		return 0;
	}
	v = strtonum(s, 0, 1000000, &errstr);
	if (errstr != NULL) {
		snprintf(why, whylen, "not a number of jobs");
		return -1;
	}
	*n = v == 0 ? most : (unsigned long)v;
	return 0;
}
