/* Unit tests for lib/cpus.c: counting over a made-up sysfs tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpus.h"

static char root[64];

static void
put(unsigned cpu, const char *name, const char *value)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cpu%u", root, cpu);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/cpu%u/topology", root, cpu);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/cpu%u/topology/%s", root, cpu, name);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "%s\n", value);
	fclose(f);
}

/* 2 sockets x 2 cores x 2 threads: cpu n is thread n/4 of core n%4. */
static int
make_tree(void **state)
{
	static const char *const siblings[] = { "0,4", "1,5", "2,6", "3,7" };
	unsigned cpu;

	(void)state;
	strcpy(root, "/tmp/test_cpus.XXXXXX");
	assert_non_null(mkdtemp(root));
	for (cpu = 0; cpu < 8; cpu++) {
		put(cpu, "physical_package_id", cpu % 4 < 2 ? "0" : "1");
		put(cpu, "thread_siblings_list", siblings[cpu % 4]);
	}
	return 0;
}

static int
remove_tree(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void
test_cpus_whole_machine(void **state)
{
	static const unsigned all[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	struct cpu_count c;

	(void)state;
	cpus_count_at(root, all, 8, &c);
	assert_int_equal(c.threads, 8);
	assert_int_equal(c.cores, 4);
	assert_int_equal(c.sockets, 2);
}

static void
test_cpus_only_the_allowed_count(void **state)
{
	/* taskset -c 0,4: the two threads of one core of one socket */
	static const unsigned one_core[] = { 0, 4 };
	static const unsigned two_sockets[] = { 0, 2 };
	struct cpu_count c;

	(void)state;
	cpus_count_at(root, one_core, 2, &c);
	assert_int_equal(c.threads, 2);
	assert_int_equal(c.cores, 1);
	assert_int_equal(c.sockets, 1);
	cpus_count_at(root, two_sockets, 2, &c);
	assert_int_equal(c.cores, 2);
	assert_int_equal(c.sockets, 2);
}

static void
test_cpus_without_topology(void **state)
{
	static const unsigned missing[] = { 0, 42 };
	struct cpu_count c;

	(void)state;
	/* cpu42 has no topology: count as nproc does */
	cpus_count_at(root, missing, 2, &c);
	assert_int_equal(c.threads, 2);
	assert_int_equal(c.cores, 2);
	assert_int_equal(c.sockets, 1);
	/* and the real machine's count is at least one of each */
	cpus_count(&c);
	assert_true(c.threads >= c.cores && c.cores >= 1 && c.sockets >= 1);
}

/* A file of text, its directories made. */
static void
write_file(const char *path, const char *text)
{
	char dir[256], *slash;
	FILE *f;

	strlcpy(dir, path, sizeof(dir));
	for (slash = strchr(dir + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

/* cpu.max "150000 100000" is 2 CPUs; the least quota on the path wins. */
static void
test_cpus_cgroup_quota(void **state)
{
	char dir[] = "/tmp/parx-cg.XXXXXX", path[256], self[256];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(self, sizeof(self), "%s/self", dir);
	write_file(self, "1:cpu:/\n0::/a/b\n");
	assert_int_equal(cpus_quota_at(dir, self), 0);
	snprintf(path, sizeof(path), "%s/a/b/cpu.max", dir);
	write_file(path, "150000 100000\n");
	assert_int_equal(cpus_quota_at(dir, self), 2);
	snprintf(path, sizeof(path), "%s/a/cpu.max", dir);
	write_file(path, "max 100000\n");
	assert_int_equal(cpus_quota_at(dir, self), 2);
	write_file(path, "50000 100000\n");
	assert_int_equal(cpus_quota_at(dir, self), 1);
	/* cgroup v1 only: no "0::" line, no quota read */
	write_file(self, "4:cpu:/a\n");
	assert_int_equal(cpus_quota_at(dir, self), 0);
	snprintf(path, sizeof(path), "rm -r %s", dir);
	assert_int_equal(system(path), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpus_whole_machine),
		cmocka_unit_test(test_cpus_only_the_allowed_count),
		cmocka_unit_test(test_cpus_without_topology),
		cmocka_unit_test(test_cpus_cgroup_quota),
	};

	return cmocka_run_group_tests(tests, make_tree, remove_tree);
}
