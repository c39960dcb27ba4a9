/*
 * cgroup: per-slot cgroup v2 groups under <parx's cgroup>/parx.<pid>/.
 * A job joins its group itself, between vfork and exec (see spawn.c), so
 * nothing it starts can escape before it is in.
 */
#include "cgroup.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include "buf.h"
#include "fdio.h"
#include "xmalloc.h"

#define KILL_WAIT_ROUNDS	50	/* 10 ms each, for a group to empty */

struct cgroups {
	char		*base;		/* .../parx.<pid> */
	struct buf	 path;		/* scratch */
	unsigned char	*made;		/* slot groups made so far, by slot */
	size_t		 nmade;
};

/* The cgroup v2 mount point, from /proc/self/mountinfo. */
static char *
cgroup2_mount(void)
{
	char line[4096], *fields[10], *p, *save, *dash;
	char *found = NULL;
	FILE *f;
	int n;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return NULL;
	while (found == NULL && fgets(line, sizeof(line), f) != NULL) {
		if ((dash = strstr(line, " - cgroup2 ")) == NULL)
			continue;
		*dash = '\0';
		n = 0;
		for (p = strtok_r(line, " ", &save); p != NULL && n < 10;
		    p = strtok_r(NULL, " ", &save))
			fields[n++] = p;
		if (n >= 5)
			found = xstrdup(fields[4]);
	}
	fclose(f);
	return found;
}

/* parx's own cgroup v2 path, from the "0::" line of /proc/self/cgroup. */
static char *
own_cgroup(void)
{
	char line[4096];
	char *found = NULL;
	size_t len;
	FILE *f;

	if ((f = fopen("/proc/self/cgroup", "re")) == NULL)
		return NULL;
	while (found == NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		len = strlen(line + 3);
		if (len > 0 && line[3 + len - 1] == '\n')
			line[3 + len - 1] = '\0';
		found = xstrdup(line + 3);
	}
	fclose(f);
	return found;
}

static int
write_file(const char *path, const char *text)
{
	int fd, r;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	r = fdio_write_full(fd, text, strlen(text));
	close(fd);
	return r;
}

static void	remove_tree(const char *);

/*
 * Groups a parx killed with SIGKILL could not remove: empty ones whose
 * parx is gone are removed (a living parx's are left alone).
 */
static void
remove_stale(const char *parent)
{
	struct buf dir;
	struct dirent *e;
	char *end;
	long pid;
	DIR *d;

	if ((d = opendir(parent)) == NULL)
		return;
	buf_init(&dir);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "parx.", 5) != 0)
			continue;
		pid = strtol(e->d_name + 5, &end, 10);
		if (*end != '\0' || pid <= 0 || kill((pid_t)pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		buf_reset(&dir);
		buf_addstr(&dir, parent);
		buf_addch(&dir, '/');
		buf_addstr(&dir, e->d_name);
		remove_tree(dir.data);
	}
	buf_release(&dir);
	closedir(d);
}

/* rmdir of a parx group and its slot groups, if they are empty. */
static void
remove_tree(const char *base)
{
	struct buf dir;
	struct dirent *e;
	DIR *d;

	buf_init(&dir);
	if ((d = opendir(base)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strncmp(e->d_name, "slot.", 5) != 0)
				continue;
			buf_reset(&dir);
			buf_addstr(&dir, base);
			buf_addch(&dir, '/');
			buf_addstr(&dir, e->d_name);
			rmdir(dir.data);
		}
		closedir(d);
	}
	buf_release(&dir);
	rmdir(base);
}

struct cgroups *
cgroup_open(void)
{
	struct cgroups *cg;
	char *mnt, *own, pid[32];
	struct buf b;
	int e;

	mnt = cgroup2_mount();
	own = own_cgroup();
	if (mnt == NULL || own == NULL) {
		free(mnt);
		free(own);
		errno = ENOENT;
		return NULL;
	}
	buf_init(&b);
	buf_addstr(&b, mnt);
	if (strcmp(own, "/") != 0)
		buf_addstr(&b, own);
	remove_stale(b.data);
	snprintf(pid, sizeof(pid), "/parx.%ld", (long)getpid());
	buf_addstr(&b, pid);
	free(mnt);
	free(own);
	if (mkdir(b.data, 0755) == -1) {
		e = errno;
		buf_release(&b);
		errno = e;
		return NULL;
	}
	cg = xcalloc(1, sizeof(*cg));
	cg->base = buf_detach(&b);
	buf_init(&cg->path);
	/* cgroup.kill (Linux 5.14) is what makes this worth it. */
	buf_addstr(&cg->path, cg->base);
	buf_addstr(&cg->path, "/cgroup.kill");
	if (access(cg->path.data, W_OK) == -1) {
		e = errno;
		rmdir(cg->base);
		buf_release(&cg->path);
		free(cg->base);
		free(cg);
		errno = e;
		return NULL;
	}
	return cg;
}

static const char *
slot_path(struct cgroups *cg, unsigned long seq, const char *file)
{
	char num[48];

	buf_reset(&cg->path);
	buf_addstr(&cg->path, cg->base);
	snprintf(num, sizeof(num), "/slot.%lu", seq);
	buf_addstr(&cg->path, num);
	if (file != NULL) {
		buf_addch(&cg->path, '/');
		buf_addstr(&cg->path, file);
	}
	return cg->path.data;
}

const char *
cgroup_slot_procs(struct cgroups *cg, unsigned long slot)
{
	size_t n;

	if (cg == NULL)
		return NULL;
	if (slot >= cg->nmade) {
		n = slot + 16;
		cg->made = xreallocarray(cg->made, n, 1);
		memset(cg->made + cg->nmade, 0, n - cg->nmade);
		cg->nmade = n;
	}
	/* A slot's group is made once, at its first job. */
	if (!cg->made[slot]) {
		if (mkdir(slot_path(cg, slot, NULL), 0755) == -1 &&
		    errno != EEXIST)
			return NULL;
		cg->made[slot] = 1;
	}
	return slot_path(cg, slot, "cgroup.procs");
}

void
cgroup_slot_kill(struct cgroups *cg, unsigned long slot)
{
	if (cg != NULL)
		write_file(slot_path(cg, slot, "cgroup.kill"), "1");
}

const char *
cgroup_kill_file(struct cgroups *cg)
{
	buf_reset(&cg->path);
	buf_addstr(&cg->path, cg->base);
	buf_addstr(&cg->path, "/cgroup.kill");
	return cg->path.data;
}

/* Removes a group; one still busy is killed and waited for a little. */
static void
remove_group(const char *dir, const char *kill_file)
{
	int i;

	if (rmdir(dir) == 0 || errno != EBUSY)
		return;
	write_file(kill_file, "1");
	for (i = 0; i < KILL_WAIT_ROUNDS; i++) {
		if (rmdir(dir) == 0 || errno != EBUSY)
			return;
		usleep(10000);
	}
}

void
cgroup_close(struct cgroups *cg)
{
	struct buf kill_file, dir;
	struct dirent *e;
	DIR *d;

	if (cg == NULL)
		return;
	buf_init(&dir);
	buf_init(&kill_file);
	if ((d = opendir(cg->base)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strncmp(e->d_name, "slot.", 5) != 0)
				continue;
			buf_reset(&dir);
			buf_addstr(&dir, cg->base);
			buf_addch(&dir, '/');
			buf_addstr(&dir, e->d_name);
			buf_reset(&kill_file);
			buf_addstr(&kill_file, dir.data);
			buf_addstr(&kill_file, "/cgroup.kill");
			remove_group(dir.data, kill_file.data);
		}
		closedir(d);
	}
	buf_release(&dir);
	buf_reset(&kill_file);
	buf_addstr(&kill_file, cg->base);
	buf_addstr(&kill_file, "/cgroup.kill");
	remove_group(cg->base, kill_file.data);
	buf_release(&kill_file);
	buf_release(&cg->path);
	free(cg->made);
	free(cg->base);
	free(cg);
}
