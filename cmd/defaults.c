/*
 * defaults: config files, -J profiles and $PARALLEL, put in front of the
 * command line with a note of where each word came from, so that a bad
 * option in a file is reported with the file and line.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/buf.h"
#include "../lib/exitcode.h"
#include "../lib/quote.h"
#include "../lib/xmalloc.h"
#include "config.h"
#include "defaults.h"

/*
 * Appends words to d, each from origin; d frees origin if it is owned,
 * and the words in any case.
 */
static void
add_words(struct defaults *d, char **words, const char *origin, bool owned)
{
	int n;

	d->words = xreallocarray(d->words, d->nwords + 1, sizeof(*d->words));
	d->words[d->nwords++] = words;
	if (owned) {
		d->names = xreallocarray(d->names, d->nnames + 1,
		    sizeof(*d->names));
		d->names[d->nnames++] = (char *)origin;
	}
	for (n = 0; words[n] != NULL; n++)
		;
	d->argv = xreallocarray(d->argv, d->argc + n + 1, sizeof(*d->argv));
	d->origin = xreallocarray(d->origin, d->argc + n + 1,
	    sizeof(*d->origin));
	for (n = 0; words[n] != NULL; n++) {
		d->argv[d->argc] = words[n];
		d->origin[d->argc++] = origin;
	}
	d->argv[d->argc] = NULL;
}

static char *
path_join(const char *dir, const char *name)
{
	struct buf b;

	buf_init(&b);
	buf_addstr(&b, dir);
	buf_addch(&b, '/');
	buf_addstr(&b, name);
	return buf_detach(&b);
}

/*
 * Reads one file of options, a line of shell words at a time; a line
 * whose first non-blank is # is a comment.  0 if it is not there, 1 when
 * read.  A config file parx may not read is passed over, with a warning
 * if it is there at all (GNU passes over it in silence); a profile asked
 * for by name (required) must be read.
 */
static int
read_file(struct defaults *d, const char *path, bool required)
{
	char *line = NULL, *origin;
	const char *why, *p;
	char **words;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	struct stat st;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		if (errno == EACCES && !required) {
			/* A HOME we may not look into (sudo -u, say). */
			if (stat(path, &st) == 0)
				warn("ignoring options in '%s'", path);
			return 0;
		}
		err(EXIT_ERROR, "cannot read options from '%s'", path);
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '#' || *p == '\0')
			continue;
		if ((words = quote_split_words(line, &why)) == NULL)
			errx(EXIT_ERROR, "%s:%zu: cannot parse: %s", path,
			    lineno, why);
		if (asprintf(&origin, "%s:%zu", path, lineno) == -1)
			err(EXIT_ERROR, "out of memory");
		add_words(d, words, origin, true);
	}
	if (ferror(f))
		err(EXIT_ERROR, "cannot read options from '%s'", path);
	fclose(f);
	free(line);
	return 1;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return path != NULL && *path != '\0' && stat(path, &st) == 0 &&
	    S_ISDIR(st.st_mode);
}

/* Adds dir (which becomes the list's) if it is a directory. */
static void
add_dir(char ***dirs, size_t *n, char *dir)
{
	if (!is_dir(dir)) {
		free(dir);
		return;
	}
	*dirs = xreallocarray(*dirs, *n + 1, sizeof(**dirs));
	(*dirs)[(*n)++] = dir;
}

/* parx's own config directory, whether or not it exists. */
static char *
own_dir(void)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");

	if (xdg != NULL && *xdg != '\0')
		return path_join(xdg, "parx");
	return home != NULL ? path_join(home, ".config/parx") : NULL;
}

char *
defaults_gnu_home(void)
{
	const char *env = getenv("PARALLEL_HOME"), *home = getenv("HOME");

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	return home != NULL ? path_join(home, ".parallel") : NULL;
}

/* GNU's config directories that exist, in its order, then parx's own. */
static char **
config_dirs(size_t *n)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *env = getenv("PARALLEL_HOME");
	char **dirs = NULL, *list, *p, *dir;

	*n = 0;
	if (env != NULL)
		add_dir(&dirs, n, xstrdup(env));
	if (xdg != NULL && *xdg != '\0')
		add_dir(&dirs, n, path_join(xdg, "parallel"));
	if ((env = getenv("XDG_CONFIG_DIRS")) != NULL) {
		list = xstrdup(env);
		for (p = list; (dir = strsep(&p, ":")) != NULL;)
			if (*dir != '\0')
				add_dir(&dirs, n, path_join(dir, "parallel"));
		free(list);
	}
	if (home != NULL)
		add_dir(&dirs, n, path_join(home, ".parallel"));
	if ((dir = own_dir()) != NULL)
		add_dir(&dirs, n, dir);
	return dirs;
}

static void
free_dirs(char **dirs, size_t n)
{
	while (n > 0)
		free(dirs[--n]);
	free(dirs);
}

/* The config files, in GNU's order, then parx's own. */
static void
read_config_files(struct defaults *d)
{
	const char *home = getenv("HOME");
	char **dirs, *path, *own;
	size_t n, i;

	read_file(d, "/etc/parallel/config", false);
	dirs = config_dirs(&n);
	own = own_dir();
	for (i = 0; i < n; i++) {
		/* parx's own directory is read last, after ~/.parallelrc */
		if (own != NULL && strcmp(dirs[i], own) == 0)
			continue;
		path = path_join(dirs[i], "config");
		read_file(d, path, false);
		free(path);
	}
	if (home != NULL) {
		path = path_join(home, ".parallelrc");
		read_file(d, path, false);
		free(path);
	}
	if (own != NULL) {
		path = path_join(own, "config");
		read_file(d, path, false);
		free(path);
	}
	free(own);
	free_dirs(dirs, n);
}

/*
 * -J NAME: ./NAME or /NAME is that file; a bare NAME is read from every
 * config directory that has it, as GNU does.  Unlike GNU, which runs on
 * without the options, a profile found nowhere is an error: a mistyped
 * name should not silently run jobs without the options it holds.
 */
static void
read_profile(struct defaults *d, const char *name)
{
	char **dirs, *path;
	size_t n, i;
	int found = 0;

	if (name[0] == '/' || strncmp(name, "./", 2) == 0) {
		if (read_file(d, name, true) == 0)
			errx(EXIT_ERROR, "no profile '%s'", name);
		return;
	}
	dirs = config_dirs(&n);
	for (i = 0; i < n; i++) {
		path = path_join(dirs[i], name);
		found += read_file(d, path, true);
		free(path);
	}
	free_dirs(dirs, n);
	if (!found)
		errx(EXIT_ERROR, "no profile '%s' in ~/.parallel or the other "
		    "config directories (see FILES in 'man parx')", name);
}

void
defaults_read(struct defaults *d, int argc, char **argv)
{
	const char *env = getenv("PARALLEL"), *why;
	const char **profiles;
	size_t nprofiles, i;
	char **words;
	bool plain;
	int k;

	memset(d, 0, sizeof(*d));
	d->argv = xreallocarray(NULL, 2, sizeof(*d->argv));
	d->origin = xreallocarray(NULL, 2, sizeof(*d->origin));
	d->argv[d->argc] = argv[0];
	d->origin[d->argc++] = NULL;
	options_profiles(argc, argv, &profiles, &nprofiles, &plain);
	if (!plain) {
		if (nprofiles == 0)
			read_config_files(d);
		for (i = 0; i < nprofiles; i++)
			read_profile(d, profiles[i]);
		if (env != NULL && *env != '\0') {
			if ((words = quote_split_words(env, &why)) == NULL)
				errx(EXIT_ERROR, "cannot parse $PARALLEL: %s",
				    why);
			add_words(d, words, "$PARALLEL", false);
		}
	}
	free(profiles);
	d->argv = xreallocarray(d->argv, d->argc + argc, sizeof(*d->argv));
	d->origin = xreallocarray(d->origin, d->argc + argc,
	    sizeof(*d->origin));
	for (k = 1; k < argc; k++) {
		d->argv[d->argc] = argv[k];
		d->origin[d->argc++] = NULL;
	}
	d->argv[d->argc] = NULL;
}

void
defaults_free(struct defaults *d)
{
	int i;

	for (i = 0; i < d->nwords; i++)
		quote_free_words(d->words[i]);
	for (i = 0; i < d->nnames; i++)
		free(d->names[i]);
	free(d->words);
	free(d->names);
	free(d->argv);
	free(d->origin);
}
