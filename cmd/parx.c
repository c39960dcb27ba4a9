/*
 * parx: run jobs in parallel, GNU parallel style.
 *
 * options.c turns the command line into a struct config; this file wires
 * lib together from it (input -> template -> feed -> run) and turns the
 * outcome into an exit status.  cmd/ is the only code that prints
 * diagnostics or exits.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <math.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/block.h"
#include "../lib/buf.h"
#include "../lib/cpus.h"
#include "../lib/fdio.h"
#include "../lib/exitcode.h"
#include "../lib/feed.h"
#include "../lib/halt.h"
#include "../lib/input.h"
#include "../lib/pipesrc.h"
#include "../lib/joblog.h"
#include "../lib/perlx.h"
#include "../lib/quote.h"
#include "../lib/remote.h"
#include "../lib/results.h"
#include "../lib/run.h"
#include "../lib/template.h"
#include "../lib/xmalloc.h"
#include "config.h"
#include "ctx.h"
#include "defaults.h"
#include "onall.h"
#include "sem.h"
#include "terminal.h"

#define HELD_OUTPUT_MAX	(8 * 1024 * 1024)
#define PACK_CHARS_DEFAULT (128 * 1024)
#define JOBS_FILE_MAX	256	/* slots -j FILE can grow to */

extern char **environ;

static bool
is_posix_shell(const char *path)
{
	static const char *const names[] = {
		"sh", "bash", "dash", "ash", "ksh", "ksh93", "mksh", "zsh",
		"yash", "posh", "busybox",
	};
	const char *base = strrchr(path, '/');
	size_t i;

	base = base != NULL ? base + 1 : path;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(base, names[i]) == 0)
			return true;
	return false;
}

/*
 * GNU parallel's rule: $PARALLEL_SHELL, else the shell parx was started
 * from (so exported functions work), else $SHELL, else /bin/sh.  parx
 * quotes for POSIX shells, so csh or fish are passed over.
 */
static const char *
choose_shell(void)
{
	static char parent[PATH_MAX];
	char link[64];
	const char *s;
	ssize_t n;

	if ((s = getenv("PARX_SHELL")) != NULL && *s != '\0')
		return s;
	if ((s = getenv("PARALLEL_SHELL")) != NULL && *s != '\0')
		return s;
	snprintf(link, sizeof(link), "/proc/%ld/exe", (long)getppid());
	n = readlink(link, parent, sizeof(parent) - 1);
	if (n > 0) {
		parent[n] = '\0';
		if (is_posix_shell(parent) && access(parent, X_OK) == 0)
			return parent;
	}
	if ((s = getenv("SHELL")) != NULL && *s == '/' && is_posix_shell(s) &&
	    access(s, X_OK) == 0)
		return s;
	return "/bin/sh";
}

/* Whether name=value (an environ string) has name among names. */
static bool
names_have(char *const *names, size_t n, const char *env)
{
	size_t i, len = strcspn(env, "=");

	for (i = 0; i < n; i++)
		if (strlen(names[i]) == len && strncmp(names[i], env, len) == 0)
			return true;
	return false;
}

/*
 * --env: the environ strings ("NAME=value") remote jobs get, as GNU's:
 * the variables named that are set, and for _ every one not in
 * ignored_vars (--record-env).  Shell functions, names no POSIX shell
 * takes, and what parx sets itself are left out.  NULL-terminated, the
 * strings environ's.
 */
static const char **
remote_env(const struct config *cfg, size_t *n)
{
	extern char **environ;
	const char **out = NULL;
	struct buf ignored;
	char **names = NULL, **ign = NULL, *copy, *p, *one, *dir, *path;
	size_t i, nnames = 0, nign = 0, len;
	bool all = false;

	*n = 0;
	buf_init(&ignored);
	for (i = 0; i < cfg->nenv; i++) {
		p = copy = xstrdup(cfg->env[i]);
		while ((one = strsep(&p, ",")) != NULL) {
			if (strcmp(one, "_") == 0) {
				all = true;
				continue;
			}
			names = xreallocarray(names, nnames + 1,
			    sizeof(*names));
			names[nnames++] = xstrdup(one);
		}
		free(copy);
	}
	if (all) {
		if ((dir = defaults_gnu_home()) == NULL ||
		    asprintf(&path, "%s/ignored_vars", dir) == -1 ||
		    fdio_read_file(path, &ignored) == -1)
			errx(EXIT_ERROR, "--env _: run 'parx --record-env' in "
			    "a clean environment first");
		free(path);
		free(dir);
		buf_addch(&ignored, '\0');
		/* a name a line */
		for (p = ignored.data; (one = strsep(&p, "\n")) != NULL;) {
			ign = xreallocarray(ign, nign + 1, sizeof(*ign));
			ign[nign++] = one;
		}
	}
	for (i = 0; environ[i] != NULL; i++) {
		len = strcspn(environ[i], "=");
		if (environ[i][len] != '=' || len == 0 ||
		    strspn(environ[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
		    "klmnopqrstuvwxyz0123456789_") != len ||
		    strncmp(environ[i] + len, "=() {", 5) == 0 ||
		    strncmp(environ[i], "PARALLEL_SEQ=", len + 1) == 0 ||
		    strncmp(environ[i], "PARX_SEQ=", len + 1) == 0 ||
		    strncmp(environ[i], "PARALLEL_ENV=", len + 1) == 0)
			continue;
		if (!names_have(names, nnames, environ[i]) &&
		    (!all || names_have(ign, nign, environ[i])))
			continue;
		out = xreallocarray(out, *n + 1, sizeof(*out));
		out[(*n)++] = environ[i];
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(ign);
	buf_release(&ignored);
	return out;
}

/*
 * --wd for remote jobs when it is the same for all: "." is where parx
 * runs, relative to the home if it is under it (GNU's: so that a home
 * elsewhere there still works); a fixed DIR is itself.  NULL: the
 * login's home, or a directory each job has (replacement strings, ...).
 */
static char *
remote_workdir(const struct config *cfg)
{
	char cwd[PATH_MAX];
	const char *home = getenv("HOME");
	size_t len;

	if (cfg->workdir == NULL || strcmp(cfg->workdir, "...") == 0 ||
	    strchr(cfg->workdir, '{') != NULL)
		return NULL;
	if (strcmp(cfg->workdir, ".") != 0)
		return xstrdup(cfg->workdir);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		err(EXIT_ERROR, "--wd .: cannot tell where parx runs");
	if (home != NULL && (len = strlen(home)) > 1 &&
	    strncmp(cwd, home, len) == 0 && cwd[len] == '/')
		return xstrdup(cwd + len + 1);
	if (home != NULL && strcmp(cwd, home) == 0)
		return NULL;
	return xstrdup(cwd);
}

static volatile sig_atomic_t connect_stop;	/* the signal, or 0 */

static void
connecting_signal(int sig)
{
	connect_stop = sig;
}

static void	die_by(int);

/* -S's and --slf's logins into r.  -1 with err saying which is bad. */
static int
add_logins(const struct config *cfg, struct remote *r, struct buf *err)
{
	struct buf why;
	size_t i;

	buf_init(&why);
	for (i = 0; i < cfg->nlogins; i++)
		if ((cfg->logins[i].is_file ? remote_add_file(r,
		    cfg->logins[i].value, &why) : remote_add(r,
		    cfg->logins[i].value, &why)) == -1) {
			buf_addstr(err, cfg->logins[i].is_file ?
			    "invalid --sshloginfile: " : "invalid --sshlogin: ");
			buf_addstr(err, why.data);
			buf_release(&why);
			return -1;
		}
	buf_release(&why);
	return 0;
}

/* The latest change to a --slf file, or 0. */
static struct timespec
slf_mtime(const struct config *cfg)
{
	struct timespec latest = { 0, 0 };
	struct stat st;
	size_t i;

	for (i = 0; i < cfg->nlogins; i++)
		if (cfg->logins[i].is_file &&
		    stat(cfg->logins[i].value, &st) == 0 &&
		    (st.st_mtim.tv_sec > latest.tv_sec ||
		    (st.st_mtim.tv_sec == latest.tv_sec &&
		    st.st_mtim.tv_nsec > latest.tv_nsec)))
			latest = st.st_mtim;
	return latest;
}

/*
 * --slf FILE changed since it was read: hosts added there join the run,
 * hosts taken out of it get no more jobs (GNU's re-reading).  What goes
 * wrong is said through run's notices; the run goes on with the hosts
 * it has.
 */
static void
reread_logins(struct ctx *ctx)
{
	struct timespec now = slf_mtime(ctx->cfg);
	struct remote_opts o;
	struct remote *fresh;
	struct buf err;
	char *line, *p;

	if (now.tv_sec == ctx->slf_mtime.tv_sec &&
	    now.tv_nsec == ctx->slf_mtime.tv_nsec)
		return;
	ctx->slf_mtime = now;
	memset(&o, 0, sizeof(o));
	o.ssh = ctx->cfg->ssh;
	fresh = remote_new(&o);
	buf_init(&err);
	if (add_logins(ctx->cfg, fresh, &err) == -1) {
		remote_free(fresh);
		buf_addstr(&err, "; the hosts stay as they were");
	} else
		(void)remote_update(ctx->remote, fresh, &err);
	for (p = err.data; p != NULL && (line = strsep(&p, "\n")) != NULL;)
		if (*line != '\0')
			run_notice(ctx->run, line);
	buf_release(&err);
}

/*
 * -S and --slf: the hosts, each connected (its ssh ControlMaster), and
 * *jobs set to the slots they have; NULL without them.  A host that
 * cannot be reached is said and dropped; none left ends parx.
 */
static struct remote *
open_remote(struct config *cfg, long onall, unsigned long *jobs)
{
	static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old[3];
	struct remote_opts o;
	struct remote *r;
	struct buf err;
	char *line, *p, *workdir;
	const char **env;
	size_t i, k;

	if (cfg->nlogins == 0)
		return NULL;
	memset(&o, 0, sizeof(o));
	o.ssh = cfg->ssh;
	o.jobs = cfg->jobs_spec;
	o.most = options_jobs("0", cfg->cpu_basis);
	o.workdir = workdir = remote_workdir(cfg);
	o.basefiles = cfg->basefiles;
	o.nbasefiles = cfg->nbasefiles;
	o.cleanup = cfg->tmpl_cleanup;
	o.delay = cfg->ssh_delay;
	o.stop = &connect_stop;
	o.hostgroups = cfg->hostgroups;
	o.env = env = remote_env(cfg, &o.nenv);
	r = remote_new(&o);
	free(workdir);
	free(env);
	buf_init(&err);
	if (add_logins(cfg, r, &err) == -1)
		usage_error("%s", err.data);
	/* --onall's run for one host: that host only. */
	if (onall >= 0 && (size_t)onall < remote_count(r)) {
		remote_keep_one(r, (size_t)onall);
		onall_tag(cfg, remote_login(r, (size_t)onall));
	}
	/*
	 * A signal while connecting (a host slow to answer) ends what was
	 * started, its control sockets too, before parx dies of it: the
	 * run's own handling and sentinel are not up yet.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = connecting_signal;
	for (k = 0; k < sizeof(stop_sigs) / sizeof(stop_sigs[0]); k++)
		sigaction(stop_sigs[k], &sa, &old[k]);
	i = remote_start(r, &err) == -1;
	for (k = 0; k < sizeof(stop_sigs) / sizeof(stop_sigs[0]); k++)
		sigaction(stop_sigs[k], &old[k], NULL);
	if (connect_stop != 0) {
		remote_free(r);
		buf_release(&err);
		die_by(connect_stop);
	}
	for (p = err.data; p != NULL && (line = strsep(&p, "\n")) != NULL;)
		if (*line != '\0')
			warnx("%s", line);
	buf_release(&err);
	if (i) {
		remote_free(r);
		exit(EXIT_ERROR);
	}
	*jobs = remote_slots(r);
	return r;
}

/* run_parallel(), with ctx->run there for the callbacks' notices. */
static int
run_jobs(struct ctx *ctx, const struct run_opts *ro,
    const struct run_callbacks *cb, struct run_stats *st)
{
	struct run *r;

	if ((r = run_new(ro, cb, st)) == NULL)
		return -1;
	ctx->run = r;
	while (run_step(r) == 1)
		;
	ctx->run = NULL;
	remote_close(ctx->remote);
	run_free(r);
	return 0;
}

/*
 * $PARALLEL_ENV, which env_parx sets: shell code, or a file holding it,
 * that each job runs before its command, \001 standing for a newline as
 * in GNU parallel.  The jobs do not get the variable itself: it can be
 * big.
 */
static char *
parallel_env(void)
{
	const char *v = getenv("PARALLEL_ENV");
	struct stat st;
	struct buf b;
	size_t i;
	int fd;

	if (v == NULL || *v == '\0')
		return NULL;
	buf_init(&b);
	if (stat(v, &st) == 0) {
		if (fdio_read_file(v, &b) == -1)
			err(EXIT_ERROR, "cannot read $PARALLEL_ENV file '%s'",
			    v);
	} else
		buf_addstr(&b, v);
	for (i = 0; i < b.len; i++)
		if (b.data[i] == '\001')
			b.data[i] = '\n';
	if (memchr(b.data, '\0', b.len) != NULL)
		errx(EXIT_ERROR, "$PARALLEL_ENV holds a NUL byte, which no "
		    "shell command can");
	/* env_parx hands it over on a descriptor: the jobs get none of it. */
	if (strncmp(v, "/dev/fd/", 8) == 0 &&
	    (fd = (int)strtonum(v + 8, STDERR_FILENO + 1, INT_MAX, NULL)) > 0)
		close(fd);
	unsetenv("PARALLEL_ENV");
	return buf_detach(&b);
}

/* The longest command line a job may have: ARG_MAX less the environment. */
static size_t
default_max_chars(void)
{
	long argmax = sysconf(_SC_ARG_MAX);
	size_t env = 0;
	char **e;

	if (argmax <= 0)
		argmax = 128 * 1024;
	for (e = environ; *e != NULL; e++)
		env += strlen(*e) + 1 + sizeof(char *);
	/* Room for the PARALLEL_SEQ etc. we add, and slack as xargs keeps. */
	env += 4 * 64 + 4096;
	return (size_t)argmax > env + 4096 ? (size_t)argmax - env : 4096;
}

static void
flush_stdout(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_ERROR, "cannot write output");
}

/* --number-of-cores and the like: one number on stdout, as GNU's. */
/*
 * --record-env: the names of the variables in the environment now, one
 * a line, in GNU's ignored_vars (which its --env _ leaves out).
 */
static void
record_env(void)
{
	extern char **environ;
	char *dir = defaults_gnu_home(), *path;
	const char *eq;
	size_t i;
	FILE *f;

	if (dir == NULL)
		errx(EXIT_ERROR, "--record-env: no $HOME or $PARALLEL_HOME");
	if (fdio_mkdirs(dir) == -1)
		err(EXIT_ERROR, "cannot make '%s'", dir);
	if (asprintf(&path, "%s/ignored_vars", dir) == -1)
		err(EXIT_ERROR, "--record-env");
	if ((f = fopen(path, "w")) == NULL)
		err(EXIT_ERROR, "cannot write '%s'", path);
	for (i = 0; environ[i] != NULL; i++)
		if ((eq = strchr(environ[i], '=')) != NULL)
			fprintf(f, "%.*s\n", (int)(eq - environ[i]), environ[i]);
	if (fclose(f) == EOF)
		err(EXIT_ERROR, "cannot write '%s'", path);
	free(path);
	free(dir);
}

static void
report(enum report what)
{
	struct cpu_count c;

	cpus_count(&c);
	switch (what) {
	case REPORT_CORES:
		printf("%lu\n", c.cores);
		break;
	case REPORT_THREADS:
		printf("%lu\n", c.threads);
		break;
	case REPORT_SOCKETS:
		printf("%lu\n", c.sockets);
		break;
	case REPORT_LINE_LENGTH:
		printf("%zu\n", default_max_chars());
		break;
	case REPORT_RECORD_ENV:
		record_env();
		break;
	case REPORT_NONE:
		break;
	}
	flush_stdout();
}

/*
 * --show-limits: GNU's two lines on stdout (scripts read them), then the
 * run goes on; the reminder that it does is for a person, on stderr.
 */
static void
show_limits(const struct feed_opts *f)
{
	printf("Maximal size of command: %zu\n", f->hard_max_chars);
	printf("Maximal usable size of command: %zu\n", f->max_chars);
	flush_stdout();
	if (isatty(STDIN_FILENO))
		warnx("the run goes on now and reads its input; Ctrl-D or "
		    "Ctrl-C if that is not what you wanted");
}

/*
 * Why input seq could not be turned into a job (feed or input said -1).
 * A pattern that hit its match limit (re.h) shows as EOVERFLOW.
 */
static void
warn_input(struct input *in, const struct feed *feed, struct perlx *perl,
    unsigned long seq)
{
	const char *what, *value;
	size_t len, max;

	if (feed != NULL && feed_failed_path(feed, &what) != NULL)
		warn("cannot make %s '%s' for job %lu", what,
		    feed_failed_path(feed, &what), seq);
	else if (errno == E2BIG && feed != NULL &&
	    (value = feed_too_long(feed, &len, &max)) != NULL)
		/* GNU's words, and as GNU: the first 50 bytes. */
		warnx("Error: Command line too long (%zu >= %zu) at input 0: "
		    "%.50s%s", len, max, value, strlen(value) > 50 ? "..." : "");
	else if (errno == E2BIG)
		warnx("command line too long for input %lu", seq);
	else if (errno == ENOEXEC)
		warnx("%s (input %lu)", perlx_error(perl), seq);
	else if (errno == EILSEQ)
		warnx("--csv: input %lu is not a CSV record", seq);
	else if (errno == EOVERFLOW)
		warnx("a --colsep or --plus pattern went over its match limit "
		    "at input %lu", seq);
	else
		warn("cannot read '%s'", in != NULL ? input_error_path(in) : "-");
}

/*
 * The inputs of the jobs: every source, or with args_only (--tee, whose
 * data is a file of its own) only the ::: ones.
 */
static struct input *
open_input(struct config *cfg, bool args_only)
{
	struct input *in;
	const char *errstr;
	size_t i;

	if ((in = input_new(&cfg->in, &errstr)) == NULL && cfg->in.csv)
		usage_error("%s", errstr);
	if (in == NULL)
		usage_error("invalid --colsep regular expression '%s': %s",
		    cfg->in.colsep, errstr);
	for (i = 0; i < cfg->narg_files && !args_only; i++)
		if (input_add_file(in, cfg->arg_files[i], false) == -1)
			err(EXIT_ERROR, "cannot read '%s'",
			    input_error_path(in));
	for (i = 0; i < cfg->nsources; i++) {
		struct source_arg *s = &cfg->sources[i];

		if (!s->is_file) {
			input_add_args(in, s->args, s->nargs, s->linked);
			continue;
		}
		if (args_only)
			continue;
		if (input_add_file(in, s->args[0], s->linked) == -1)
			err(EXIT_ERROR, "cannot read '%s'",
			    input_error_path(in));
	}
	if (input_source_count(in) == 0 && args_only)
		usage_error("--tee makes its jobs from ::: values: give some");
	if (input_source_count(in) == 0) {
		if (input_add_file(in, "-", false) == -1)
			err(EXIT_ERROR, "cannot read standard input");
		if (isatty(STDIN_FILENO) == 1)
			warnx("reading inputs from the terminal, one a line; "
			    "Ctrl-D ends them (::: and -a give them otherwise)");
	}
	if (input_start(in) == -1) {
		warn_input(in, NULL, NULL, 1);
		exit(EXIT_ERROR);
	}
	return in;
}

static struct template *
make_template(char *const *words, size_t n, const struct template_opts *o)
{
	struct template *t;
	const char *errstr;

	if ((t = template_new(words, n, o, &errstr)) == NULL)
		usage_error("%s", errstr);
	return t;
}

/*
 * --tmpl FILE=NAME: FILE's contents and NAME as templates, verbatim as
 * --tagstring is (GNU quotes nothing in them).  A FILE that cannot be
 * read is an error before any job runs.
 */
static void
make_tmpl(struct config *cfg, struct template ***names,
    struct template ***contents)
{
	struct template_opts to = cfg->tpl;
	struct buf b;
	const char *eq;
	char *path, *word;
	size_t i;
	FILE *fp;
	int c;

	to.context = to.quote_words = false;
	to.verbatim = true;
	to.join_tight = true;	/* GNU's: {} of "1" and "a" is "1a" */
	*names = xcalloc(cfg->ntmpl + 1, sizeof(**names));
	*contents = xcalloc(cfg->ntmpl + 1, sizeof(**contents));
	for (i = 0; i < cfg->ntmpl; i++) {
		eq = strchr(cfg->tmpl[i], '=');
		path = xmemdup(cfg->tmpl[i], eq - cfg->tmpl[i]);
		if ((fp = fopen(path, "r")) == NULL)
			err(EXIT_ERROR, "cannot read --tmpl file '%s'", path);
		buf_init(&b);
		while ((c = getc(fp)) != EOF)
			buf_addch(&b, (char)c);
		if (ferror(fp))
			err(EXIT_ERROR, "cannot read --tmpl file '%s'", path);
		fclose(fp);
		buf_addch(&b, '\0');
		word = b.data;
		(*contents)[i] = make_template(&word, 1, &to);
		word = (char *)(eq + 1);
		(*names)[i] = make_template(&word, 1, &to);
		buf_release(&b);
		free(path);
	}
	cfg->feed.tmpl_name = (const struct template *const *)*names;
	cfg->feed.tmpl_content = (const struct template *const *)*contents;
	/* --dry-run shows the commands and writes nothing. */
	cfg->feed.ntmpl = cfg->dry_run || cfg->shellquote > 0 ? 0 : cfg->ntmpl;
	cfg->feed.tmpl_cleanup = cfg->tmpl_cleanup;
}

/*
 * --wd DIR: DIR as a template (verbatim); "..." a directory of each
 * job's own; "." where parx runs, as for any local job.  Not for
 * --dry-run, which makes nothing.
 */
static struct template *
make_workdir(struct config *cfg)
{
	struct template_opts to = cfg->tpl;

	if (cfg->workdir == NULL || strcmp(cfg->workdir, ".") == 0 ||
	    cfg->dry_run || cfg->shellquote > 0)
		return NULL;
	if (strcmp(cfg->workdir, "...") == 0) {
		cfg->feed.workdir_unique = true;
		return NULL;
	}
	to.context = to.quote_words = false;
	to.verbatim = true;
	cfg->feed.workdir = make_template((char **)&cfg->workdir, 1, &to);
	return (struct template *)cfg->feed.workdir;
}

/* feed's all_groups: {agrp} of a value that names no group. */
static const char *
all_groups(void *arg)
{
	return remote_all_groups(arg);
}

/* feed's host_of: {host}, {sshlogin} and {hgrp}. */
static const char *
host_of(void *arg, unsigned long slot, const char *groups,
    const char **login, const char **host_groups)
{
	return remote_host_of(arg, slot, groups, login, host_groups);
}

/*
 * --transferfile and --return: templates filled in verbatim, as GNU
 * does (a file name, not a command line).  Only with hosts to send to.
 */
static struct template **
make_file_templates(struct config *cfg, const char **words, size_t n)
{
	struct template_opts to = cfg->tpl;
	struct template **t;
	size_t i;

	if (n == 0 || cfg->nlogins == 0)
		return NULL;
	to.context = to.quote_words = false;
	to.verbatim = true;
	t = xcalloc(n + 1, sizeof(*t));
	for (i = 0; i < n; i++)
		t[i] = make_template((char **)&words[i], 1, &to);
	return t;
}

/* --filter CODE: templates filled in verbatim, run by perl. */
static struct template **
make_filters(struct config *cfg)
{
	struct template_opts to = cfg->tpl;
	struct template **t;
	size_t i;

	to.context = to.quote_words = false;
	to.verbatim = true;
	t = xcalloc(cfg->nfilter + 1, sizeof(*t));
	for (i = 0; i < cfg->nfilter; i++)
		t[i] = make_template((char **)&cfg->filter[i], 1, &to);
	cfg->feed.filter = (const struct template *const *)t;
	cfg->feed.nfilter = cfg->nfilter;
	cfg->feed.perl = cfg->tpl.perl;
	return t;
}

static void
free_templates(struct template **t)
{
	size_t i;

	for (i = 0; t != NULL && t[i] != NULL; i++)
		template_free(t[i]);
	free(t);
}

static const char	*pipe_path(const struct config *, size_t *);

/*
 * --tee: every job reads all of the input, from a regular file: the
 * input itself if it is one, else a copy of it (unnamed, in --tmpdir).
 * So the jobs start once the input has ended, a slow one never holds
 * the others back, and memory stays flat whatever -j is.
 */
static void
open_tee(struct ctx *ctx, struct config *cfg)
{
	const char *dir = cfg->tmpdir != NULL ? cfg->tmpdir : "/tmp";
	const char *path;
	char buf[65536], *tmp;
	struct stat st;
	size_t nfiles;
	ssize_t n;
	int fd, copy;

	path = pipe_path(cfg, &nfiles);
	if (nfiles > 1)
		usage_error("--tee reads one input file, not %zu", nfiles);
	fd = STDIN_FILENO;
	if (path != NULL && (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(EXIT_ERROR, "cannot read '%s'", path);
	if (path == NULL)
		path = "-";
	if (fstat(fd, &st) == -1)
		err(EXIT_ERROR, "cannot read '%s'", path);
	if (S_ISREG(st.st_mode) &&
	    (ctx->tee_off = lseek(fd, 0, SEEK_CUR)) != -1) {
		ctx->tee_fd = fd;
		ctx->tee_len = st.st_size - ctx->tee_off;
		return;
	}
	if ((copy = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) == -1) {
		if ((copy = fdio_mktemp_par(dir, &tmp)) == -1)
			err(EXIT_ERROR, "cannot make a --tee file in '%s'",
			    dir);
		unlink(tmp);
		free(tmp);
	}
	ctx->tee_len = 0;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			err(EXIT_ERROR, "cannot read '%s'", path);
		if (fdio_write_full(copy, buf, (size_t)n) == -1)
			err(EXIT_ERROR, "cannot write the --tee file in '%s'",
			    dir);
		ctx->tee_len += n;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	ctx->tee_fd = copy;
	ctx->tee_off = 0;
}

/*
 * The file --pipe reads (-a FILE or :::: FILE), or NULL for stdin; *n
 * says how many were given.
 */
static const char *
pipe_path(const struct config *cfg, size_t *n)
{
	const char *path = cfg->narg_files > 0 ? cfg->arg_files[0] : NULL;
	size_t i;

	*n = cfg->narg_files;
	for (i = 0; i < cfg->nsources; i++)
		if (cfg->sources[i].is_file) {
			if (path == NULL)
				path = cfg->sources[i].args[0];
			(*n)++;
		}
	return path;
}

/* Why the --pipe source failed. */
static void
warn_pipe(const struct ctx *ctx, enum pipesrc_fail why, unsigned long seq)
{
	size_t nfiles;
	const char *path = pipe_path(ctx->cfg, &nfiles);

	if (path == NULL)
		path = "-";

	switch (why) {
	case PIPESRC_READ:
		if (errno == EOVERFLOW)
			warnx("the --recend, --recstart or --colsep pattern went "
			    "over its match limit");
		else if (errno == ENOEXEC)
			warnx("%s", perlx_error(ctx->cfg->tpl.perl));
		else if (errno == EINVAL && pipesrc_key_error(ctx->pipe) != NULL)
			warnx("--group-by '%s': %s", ctx->cfg->blk.group_by,
			    pipesrc_key_error(ctx->pipe));
		else
			warn("cannot read '%s'", path);
		break;
	case PIPESRC_NOT_FILE:
		warnx("cannot use '%s' with --pipepart: not a regular file",
		    path);
		break;
	case PIPESRC_DIR:
		warn("cannot make a directory for --%s",
		    ctx->cfg->fifo ? "fifo" : "cat");
		break;
	case PIPESRC_CAT:
		warn("cannot write a --cat file");
		break;
	case PIPESRC_FIFO:
		warn("cannot make a --fifo");
		break;
	case PIPESRC_JOB:
		warn_input(NULL, ctx->feed, NULL, seq);
		break;
	}
}

/* GNU parallel's words, a line each time blocks grow by its 30%. */
static void
say_block_grown(struct ctx *ctx)
{
	size_t from, to, next;
	char line[160];

	if ((to = pipesrc_block_grown(ctx->pipe, &from)) == 0)
		return;
	for (; from < to; from = next) {
		next = block_grow(from);
		snprintf(line, sizeof(line), "warning: A record was longer "
		    "than %zu. Increasing to --blocksize %zu.", from, next);
		if (ctx->run != NULL)
			run_notice(ctx->run, line);
		else
			warnx("%s", line);
	}
}

/*
 * --pipe and --pipepart: the next block's job.  With ::: values, each job
 * takes the next set for its replacement strings, as in GNU parallel;
 * once they are used up, --round-robin starts no more jobs (its jobs
 * share the rest of the input) and other jobs get none.
 */
static int
make_pipe_job(struct ctx *ctx, unsigned long slot, struct run_job *job)
{
	enum pipesrc_fail why;
	int r;

	if (ctx->pipe_values != NULL && !ctx->has_pipe_rec &&
	    !ctx->pipe_values_done) {
		r = input_next(ctx->pipe_values, &ctx->pipe_rec);
		if (r == -1) {
			warn_input(ctx->pipe_values, NULL, NULL, 1);
			ctx->input_failed = true;
			return -1;
		}
		ctx->has_pipe_rec = r == 1;
		ctx->pipe_values_done = r == 0;
	}
	if (ctx->pipe_values_done && ctx->cfg->round_robin)
		return 0;
	r = pipesrc_next(ctx->pipe, ctx->feed, slot,
	    ctx->has_pipe_rec ? ctx->pipe_rec.fields : NULL,
	    ctx->has_pipe_rec ? ctx->pipe_rec.nfields : 0, job, &why);
	if (r == -1) {
		warn_pipe(ctx, why, job->seq);
		ctx->input_failed = true;
	}
	/* A job not made yet (2) takes the same set when it is. */
	if (r != 2 && ctx->has_pipe_rec) {
		record_release(&ctx->pipe_rec);
		ctx->has_pipe_rec = false;
	}
	say_block_grown(ctx);
	return r;
}


/* --round-robin, --shard, --bin: the next block for job seq. */
static int
next_input(void *arg, unsigned long seq, char **data, size_t *len)
{
	struct ctx *ctx = arg;
	int r;

	if ((r = pipesrc_next_input(ctx->pipe, seq, data, len)) == -1) {
		if (errno == ENOEXEC)
			warnx("%s", perlx_error(ctx->cfg->tpl.perl));
		else
			warn_pipe(ctx, PIPESRC_READ, 0);
		ctx->input_failed = true;
	}
	return r;
}

static void
input_closed(void *arg, unsigned long seq)
{
	struct ctx *ctx = arg;

	pipesrc_input_closed(ctx->pipe, seq);
}

static int
make_job(void *arg, unsigned long slot, struct run_job *job)
{
	struct ctx *ctx = arg;
	char *const *fields;
	size_t nfields;
	int r;

	memset(job, 0, sizeof(*job));
	job->tee_fd[0] = job->tee_fd[1] = -1;
	if (ctx->pipe != NULL)
		return make_pipe_job(ctx, slot, job);
	if (ctx->retry != NULL || ctx->cfg->retry_failed) {
		/* --retry-failed: the failed commands of the log, as they were. */
		if (ctx->retry == NULL || ctx->next_retry == ctx->nretry)
			return 0;
		job->seq = ctx->retry[ctx->next_retry].seq;
		job->cmd = xstrdup(ctx->retry[ctx->next_retry++].cmd);
		return 1;
	}
	for (;;) {
		ctx->seq++;
		r = feed_next(ctx->feed, ctx->seq, slot, job);
		if (r == -1) {
			warn_input(ctx->in, ctx->feed, ctx->cfg->tpl.perl, ctx->seq);
			ctx->input_failed = true;
		}
		if (r <= 0)
			return r;
		if (!joblog_done_has(ctx->done, ctx->seq))
			break;
		job_release(job);
	}
	job->seq = ctx->seq;
	job->tee_fd[0] = job->tee_fd[1] = -1;
	if (ctx->tee_fd != -1) {
		job->in_fd = ctx->tee_fd;
		job->in_off = ctx->tee_off;
		job->in_file_len = (size_t)ctx->tee_len;
	}
	if (ctx->results != NULL) {
		fields = feed_fields(ctx->feed, &nfields);
		if (results_job_start(ctx->results, job->seq, fields, nfields,
		    job->tee_fd) == -1 && !ctx->results_failed) {
			warn("cannot write --results for job %lu", job->seq);
			ctx->results_failed = true;
		}
	}
	return 1;
}

/*
 * -p: asks about each job on the terminal, as GNU does ("cmd ?..."), and
 * returns it only on yes.  The answer is read once poll says it is
 * there, so the run goes on meanwhile and Ctrl-C is heard.
 */
static int
ask_job(struct ctx *ctx, unsigned long slot, struct run_job *job)
{
	int r;

	if (ctx->asking) {
		ctx->asking = false;
		if (answer_is_yes(ctx)) {
			*job = ctx->asked;
			return 1;
		}
		job_release(&ctx->asked);
	}
	if ((r = make_job(ctx, slot, &ctx->asked)) != 1)
		return r;
	dprintf(STDERR_FILENO, "%s ?...", ctx->asked.cmd);
	ctx->asking = true;
	memset(job, 0, sizeof(*job));
	return 2;
}

#define HELD_MAX	1000	/* --hostgroups: jobs held, at most */

/*
 * --hostgroups: the first job held back that a host of its groups can
 * take now, else the next one made that can; those that cannot wait,
 * in order.  2 (not yet) when none can: a job's end wakes run (wake[0]).
 */
static int
next_in_groups(struct ctx *ctx, unsigned long slot, struct run_job *job)
{
	char byte[64];
	size_t i;
	int r;

	while (read(ctx->wake[0], byte, sizeof(byte)) > 0)
		;
	ctx->holding = false;
	for (i = 0; i < ctx->nheld && (i == 0 || !ctx->cfg->keep_order); i++)
		if (!remote_must_wait(ctx->remote, &ctx->held[i])) {
			*job = ctx->held[i];
			memmove(ctx->held + i, ctx->held + i + 1,
			    (ctx->nheld - i - 1) * sizeof(*ctx->held));
			ctx->nheld--;
			return 1;
		}
	/*
	 * -k's order is the order jobs start in: there a job held holds
	 * back the ones after it.
	 */
	while (ctx->nheld < (ctx->cfg->keep_order ? 1 : HELD_MAX) &&
	    !ctx->input_ended) {
		r = ctx->tty != -1 ? ask_job(ctx, slot, job) :
		    make_job(ctx, slot, job);
		if (r != 1 && (r != 0 || ctx->nheld == 0))
			return r;
		if (r == 0) {
			ctx->input_ended = true;
			break;
		}
		if (!remote_must_wait(ctx->remote, job))
			return 1;
		ctx->held = xreallocarray(ctx->held, ctx->nheld + 1,
		    sizeof(*ctx->held));
		ctx->held[ctx->nheld++] = *job;
	}
	if (ctx->nheld == 0)
		return 0;
	ctx->holding = true;
	memset(job, 0, sizeof(*job));
	return 2;
}

/* The next job; counted, so that --bar knows the total once input ends. */
static int
next_job(void *arg, unsigned long slot, struct run_job *job)
{
	struct ctx *ctx = arg;
	int r;

	r = ctx->remote != NULL && ctx->cfg->hostgroups ?
	    next_in_groups(ctx, slot, job) : ctx->tty != -1 ?
	    ask_job(ctx, slot, job) : make_job(arg, slot, job);
	if (r == 1 && ctx->remote != NULL) {
		remote_place(ctx->remote, slot, job);
		/* One that stays here makes its --wd here. */
		if (job->host == NULL &&
		    feed_make_workdir(ctx->feed, job) == -1) {
			warn_input(ctx->in, ctx->feed, ctx->cfg->tpl.perl,
			    job->seq);
			ctx->input_failed = true;
			job_release(job);
			r = -1;
		}
	}
	if (r == 1 && ctx->color)
		color_job(job);
	if (r == 1)
		ctx->made++;
	else if (r == 0)
		ctx->input_ended = true;
	return r;
}

/*
 * What reading the next job would wait for: a terminal or a slow pipe
 * holding no whole input yet.  run polls it meanwhile, so output keeps
 * coming and Ctrl-C works while parx waits for a line.
 */
static int
job_wait_fd(void *arg)
{
	struct ctx *ctx = arg;

	if (ctx->holding)
		return ctx->wake[0];	/* a job's end */
	if (ctx->asking)
		return ctx->tty;	/* the answer */
	if (ctx->pipe != NULL)
		return pipesrc_wait_fd(ctx->pipe);
	if (ctx->retry != NULL || ctx->cfg->retry_failed)
		return -1;
	return feed_wait_fd(ctx->feed);
}

/* --block-timeout: when the block waited for is cut anyway. */
static double
job_wake_at(void *arg)
{
	struct ctx *ctx = arg;

	return ctx->pipe != NULL && !ctx->asking ?
	    pipesrc_wake_at(ctx->pipe) : 0;
}

/* A line for parx's stderr, as warn(3) or warnx(3) would print it. */
static void __attribute__((format(printf, 3, 4)))
say_line(struct buf *say, int e, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	buf_addstr(say, getprogname());
	buf_addstr(say, ": ");
	buf_addstr(say, text);
	if (e != 0) {
		buf_addstr(say, ": ");
		buf_addstr(say, strerror(e));
	}
	buf_addch(say, '\n');
}

/*
 * --halt, in GNU parallel's words (scripts grep for them): each job that
 * counts towards the rule is named, its command on a line of its own,
 * and stopping soon says how many jobs it waits for.
 */
static void
halt_say(struct ctx *ctx, const struct run_result *res, struct buf *say)
{
	const struct halt *halt = &ctx->cfg->halt;
	bool failed = res->exit_code != 0;
	const char *what = NULL;
	char line[128];

	if (halt->when == HALT_NEVER)
		return;
	if (halt->why == HALT_FAIL && failed)
		what = "This job failed:";
	else if (halt->why == HALT_SUCCESS && !failed)
		what = "This job succeeded:";
	else if (halt->why == HALT_DONE)
		what = "This job finished:";
	if (what != NULL) {
		say_line(say, 0, "%s", what);
		buf_addstr(say, res->cmd);
		buf_addch(say, '\n');
	}
	/*
	 * As GNU, after each job that counts once the rule has held; the
	 * job that ends is still counted as running.
	 */
	if (halt->when == HALT_SOON && halt->triggered && what != NULL &&
	    ctx->stats != NULL && ctx->stats->running > 1) {
		snprintf(line, sizeof(line), "Starting no more jobs. Waiting "
		    "for %lu jobs to finish.", ctx->stats->running - 1);
		say_line(say, 0, "%s", line);
	}
}

/*
 * A job ended: log it, keep its results, and decide about --halt.  What
 * it has to say goes into say, which run writes with the job's output.
 */
/*
 * run's lost(): a remote job that ended with its host's connection (ssh
 * failed, the master gone) runs again on a host still there, uncounted;
 * the host is said once and dropped.
 */
static bool
job_lost(void *arg, const struct run_job *job, const struct run_result *res)
{
	struct ctx *ctx = arg;
	const char *login;
	char line[512];

	if (ctx->remote == NULL || res->killed || res->timed_out ||
	    remote_lost(ctx->remote, job->seq, res->exit_code, &login) == 0)
		return false;
	if (login != NULL) {
		snprintf(line, sizeof(line), "lost '%s' (its connection "
		    "ended), its jobs go elsewhere", login);
		run_notice(ctx->run, line);
	}
	return true;
}

/* run's again(): a job run again goes where a slot is free now. */
static void
job_again(void *arg, unsigned long slot, struct run_job *job)
{
	struct ctx *ctx = arg;

	if (ctx->remote == NULL || job->host == NULL)
		return;
	remote_place(ctx->remote, slot, job);
	if (job->host == NULL && feed_make_workdir(ctx->feed, job) == -1)
		warn_input(ctx->in, ctx->feed, ctx->cfg->tpl.perl, job->seq);
}

/*
 * run's slots(): -j FILE's number, and no more than the hosts left have
 * (one lost takes its slots with it).
 */
static unsigned long
job_slots(void *arg)
{
	struct ctx *ctx = arg;
	unsigned long n = ctx->jobs_file != NULL ? jobs_from_file(arg) :
	    ULONG_MAX, left;

	if (ctx->remote != NULL && ctx->run != NULL)
		reread_logins(ctx);
	if (ctx->remote != NULL && (left = remote_slots(ctx->remote)) < n)
		n = left > 0 ? left : 1;
	return n;
}

static enum run_action
job_done(void *arg, const struct run_result *res, struct buf *say,
    struct buf *out)
{
	struct ctx *ctx = arg;
	enum halt_when h;

	ctx->finished++;
	if (ctx->remote != NULL)
		remote_done(ctx->remote, res->seq);
	/* A host has room: a job held for its groups may go there. */
	if (ctx->holding && write(ctx->wake[1], "", 1) == -1) {
		/* full: readable already */
	}
	if (res->spawn_errno != 0)
		say_line(say, 0, "cannot run job %lu: %s", res->seq,
		    strerror(res->spawn_errno));
	/* GNU parallel's words, which scripts look for. */
	if (res->timed_out) {
		say_line(say, 0, "Warning: This job was killed because it "
		    "timed out:");
		say_line(say, 0, "Warning: %s", res->cmd);
	}
	if (ctx->joblog_stdout)
		joblog_format(res, out);
	if (ctx->joblog != NULL && joblog_write(ctx->joblog, res) == -1 &&
	    !ctx->joblog_failed) {
		say_line(say, errno, "cannot write job log '%s'",
		    ctx->cfg->joblog);
		ctx->joblog_failed = true;
	}
	if (ctx->results != NULL && results_job_done(ctx->results, res) == -1 &&
	    !ctx->results_failed) {
		say_line(say, errno, "cannot write --results for job %lu",
		    res->seq);
		ctx->results_failed = true;
	}
	if (res->killed && !res->timed_out)
		return RUN_CONTINUE;	/* we ended it: not its fault */
	h = halt_job_done(&ctx->cfg->halt, res->exit_code, res->signal);
	halt_say(ctx, res, say);
	if (h == HALT_NEVER)
		return RUN_CONTINUE;
	return h == HALT_NOW ? RUN_STOP_NOW : RUN_STOP_SOON;
}

/* The shell command that feeds --pipepart job its part, then runs it. */
static void
print_part_reader(struct ctx *ctx, const struct run_job *job)
{
	const char *path = pipe_path(ctx->cfg, &(size_t){ 0 });
	struct buf line;
	char num[64];

	buf_init(&line);
	buf_addch(&line, '(');
	if (job->in_len > 0) {
		/* The header lines, from the file's start. */
		snprintf(num, sizeof(num), "head -c %zu <", job->in_len);
		buf_addstr(&line, num);
		quote_shell(&line, path, strlen(path));
		buf_addstr(&line, "; ");
	}
	snprintf(num, sizeof(num), "tail -c +%lld <",
	    (long long)job->in_off + 1);
	buf_addstr(&line, num);
	quote_shell(&line, path, strlen(path));
	snprintf(num, sizeof(num), " | head -c %zu) | (", job->in_file_len);
	buf_addstr(&line, num);
	buf_addstr(&line, job->cmd);
	buf_addch(&line, ')');
	puts(line.data);
	buf_release(&line);
}

/*
 * --dry-run prints the command lines; --shellquote prints them quoted
 * as one shell word, once for each time it is given.
 */
static int
dry_run(struct ctx *ctx, unsigned long jobs)
{
	struct run_job job;
	struct buf quoted;
	unsigned long n;
	int i, r;

	buf_init(&quoted);
	for (n = 0; (r = make_job(ctx, n % jobs + 1, &job)) == 1; n++) {
		if (job.tag != NULL)
			fputs(job.tag, stdout);
		for (i = 0; i < ctx->cfg->shellquote; i++) {
			buf_reset(&quoted);
			quote_shell(&quoted, job.cmd, strlen(job.cmd));
			free(job.cmd);
			job.cmd = xstrdup(quoted.data);
		}
		/*
		 * -vv --pipepart: a command that reads the part and pipes it
		 * to the job's, as GNU prints its own (GNU's parsort runs
		 * them); it needs tail and head, not perl.
		 */
		if (ctx->cfg->verbosity >= 2 && job.in_file_len > 0 &&
		    ctx->cfg->pipepart)
			print_part_reader(ctx, &job);
		else
			puts(job.cmd);
		job_release(&job);
	}
	buf_release(&quoted);
	flush_stdout();
	return r == -1 ? EXIT_ERROR : EXIT_ALL_OK;
}

/*
 * The kernel runs a script whose first line is "#!/usr/bin/parx
 * --shebang OPTIONS COMMAND" as parx "--shebang OPTIONS COMMAND" SCRIPT,
 * the rest of the line as one word.  That word is split as a shell
 * splits words (without expanding anything):
 *   --shebang: the script's lines after the first are the inputs, as GNU
 *   reads them (the last argument is the script);
 *   --shebang-wrap: each argument of the script (or each line of stdin)
 *   runs the script with COMMAND as its interpreter; with --pipe the
 *   arguments are files whose contents are piped.
 * Returns argv unchanged for anything else; *argc follows.
 */
static char **shebang_words, **shebang_args;

static void
free_shebang(void)
{
	if (shebang_words != NULL)
		quote_free_words(shebang_words);
	free(shebang_args);
}

static char **
shebang_argv(int *argc, char **argv)
{
	static const char *const wraps[] = {
		"--shebang-wrap", "--shebangwrap", NULL };
	static const char *const bangs[] = { "--shebang", "--hashbang", NULL };
	const char *rest = NULL, *errstr;
	char **words, **out;
	bool wrap = false, pipe = false;
	size_t i, n, len;
	int a;

	if (*argc < 2)
		return argv;
	for (i = 0; rest == NULL && wraps[i] != NULL; i++) {
		len = strlen(wraps[i]);
		if (strncmp(argv[1], wraps[i], len) == 0 &&
		    (argv[1][len] == ' ' || argv[1][len] == '\0')) {
			rest = argv[1] + len;
			wrap = true;
		}
	}
	for (i = 0; rest == NULL && bangs[i] != NULL; i++) {
		len = strlen(bangs[i]);
		if (strncmp(argv[1], bangs[i], len) == 0 &&
		    (argv[1][len] == ' ' || argv[1][len] == '\0'))
			rest = argv[1] + len;
	}
	if (rest == NULL)
		return argv;
	if ((words = quote_split_words(rest, &errstr)) == NULL)
		usage_error("cannot split the #! line '%s': %s", argv[1],
		    errstr);
	for (n = 0; words[n] != NULL; n++)
		if (strcmp(words[n], "--pipe") == 0 ||
		    strcmp(words[n], "--spreadstdin") == 0)
			pipe = true;
	if (*argc < 3)
		usage_error("%s needs the script after its options",
		    wrap ? "--shebang-wrap" : "--shebang");
	/* Kept to the end: the options point into the words. */
	shebang_words = words;
	out = shebang_args = xcalloc(n + (size_t)*argc + 4, sizeof(*out));
	i = 0;
	out[i++] = argv[0];
	if (wrap) {
		memcpy(out + i, words, n * sizeof(*out));
		i += n;
		out[i++] = argv[2];		/* the script */
		if (*argc > 3)
			out[i++] = pipe ? "::::" : ":::";
		for (a = 3; a < *argc; a++)
			out[i++] = argv[a];
	} else {
		out[i++] = "--skip-first-line";
		out[i++] = "-a";
		out[i++] = argv[*argc - 1];	/* the script, as GNU */
		memcpy(out + i, words, n * sizeof(*out));
		i += n;
		for (a = 2; a < *argc - 1; a++)
			out[i++] = argv[a];
	}
	*argc = (int)i;
	return out;
}

/* Dies the way the signal would have killed us, so callers see it. */
static void
die_by(int sig)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(exit_by_signal(sig));
}

/*
 * Opens /dev/null on any of fds 0-2 that is closed, before anything else
 * is opened: otherwise the next file parx opens (a job log, a results
 * table, the signal descriptor) would become the jobs' stdout or stdin.
 */
static void
reserve_std_fds(void)
{
	int fd;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY)
		    != fd)
			_exit(EXIT_ERROR);
	}
}

/*
 * The exit status, or in *die_sig the signal parx is to die by (after
 * cleaning up) so that its caller sees it: a closed stdout, SIGINT,
 * SIGTERM.
 */
static int
exit_status(const struct ctx *ctx, const struct run_stats *st, int *die_sig)
{
	*die_sig = st->broken_pipe ? SIGPIPE : st->stop_signal;
	if (*die_sig != 0)
		return EXIT_ERROR;
	if (st->poll_errno != 0) {
		errno = st->poll_errno;
		warn("cannot wait for the jobs");
		return EXIT_ERROR;
	}
	if (st->start_errno != 0) {
		errno = st->start_errno;
		warn("cannot start job %lu", st->start_seq);
		return EXIT_ERROR;
	}
	if (st->write_errno != 0) {
		errno = st->write_errno;
		warn("cannot write output");
		return EXIT_ERROR;
	}
	if (st->spill_errno != 0) {
		errno = st->spill_errno;
		warn("cannot use the temporary directory; output was held in "
		    "memory");
	}
	if (ctx->input_failed || st->input_errno != 0 || ctx->joblog_failed ||
	    ctx->results_failed)
		return EXIT_ERROR;
	if (ctx->cfg->halt.when != HALT_NEVER)
		return halt_exit_status(&ctx->cfg->halt);
	return exit_failed_count(st->failed);
}

/*
 * --pipe reads stdin (or the first -a file) in blocks; --pipepart cuts
 * the -a file into ranges.  What the options mean is settled here, the
 * reading is pipesrc's.
 */
/* --shard or --bin: lines to jobs by key. */
static struct sharder *
open_sharder(struct config *cfg, int fd, unsigned long jobs)
{
	const char *name = cfg->bin != NULL ? "--bin" : "--shard";
	struct shard_opts so;
	struct sharder *sh;
	const char *errstr;

	if (cfg->shard != NULL && cfg->bin != NULL)
		usage_error("--shard and --bin do not go together");
	if (cfg->pipepart || cfg->round_robin || cfg->cat || cfg->fifo ||
	    cfg->tee)
		usage_error("%s goes with --pipe alone", name);
	memset(&so, 0, sizeof(so));
	so.bin = cfg->bin != NULL;
	so.expr = so.bin ? cfg->bin : cfg->shard;
	so.colsep = cfg->in.colsep;
	so.jobs = jobs;
	so.perl = cfg->tpl.perl;
	if ((sh = sharder_new(fd, &so, &errstr)) == NULL)
		usage_error("%s '%s': %s", name, so.expr, errstr);
	return sh;
}

static struct pipesrc *
open_pipe_source(struct ctx *ctx, struct config *cfg, unsigned long jobs)
{
	struct pipesrc_opts po;
	struct pipesrc *p;
	enum pipesrc_fail why;
	size_t n;
	const char *path = pipe_path(cfg, &n);
	const char *errstr;
	char *end;
	int fd;

	if (n > 1)
		usage_error("--pipe and --pipepart read one input file, not "
		    "%zu: cat them into parx", n);
	/* GNU's words; without a command the input would go nowhere. */
	if (cfg->ncommand == 0)
		usage_error("--pipe/--pipepart must have a command to pipe "
		    "into (e.g. 'cat')");

	/* As GNU: --recstart alone means records have no end marker. */
	if (cfg->blk.recstart != NULL && cfg->blk.recend == NULL)
		cfg->blk.recend = "";
	if (cfg->blk.regexp && block_check_regexp(&cfg->blk, &errstr) == -1)
		usage_error("invalid --recend or --recstart regular expression: "
		    "%s", errstr);
	if (cfg->round_robin && (cfg->pipepart || cfg->cat || cfg->fifo))
		usage_error("--round-robin goes with --pipe alone");
	if (cfg->blk.group_by != NULL) {
		/* GNU's own limits: the groups make the record ends. */
		if (cfg->pipepart || cfg->blk.remove_sep ||
		    cfg->blk.recstart != NULL || cfg->blk.recend != NULL ||
		    cfg->blk.regexp || cfg->in.csv)
			usage_error("--group-by goes with --pipe, not with "
			    "--pipepart, --rrs, --recstart, --recend, --regexp "
			    "or --csv");
		cfg->blk.group_colsep = cfg->in.colsep;
		cfg->blk.perl = cfg->tpl.perl;
	}
	if (cfg->cat && cfg->fifo)
		usage_error("--cat and --fifo do not go together");
	if (cfg->pipepart && path == NULL)
		usage_error("--pipepart needs a file: -a FILE");
	/*
	 * A part starting mid-file cannot tell a newline in a quoted field
	 * from a record's end without reading from the start; GNU cuts
	 * records in two there.
	 */
	if (cfg->pipepart && cfg->in.csv)
		usage_error("--csv goes with --pipe, not --pipepart: a part "
		    "cannot tell where the CSV records end without reading "
		    "the file from its start");
	cfg->blk.csv = cfg->in.csv;
	cfg->blk.skip_blank = cfg->in.skip_blank;
	if (cfg->has_N)
		cfg->blk.records = cfg->opt_N;
	if (cfg->has_L)
		cfg->blk.lines = cfg->opt_L;
	if (cfg->header != NULL) {
		/* GNU: a number of lines, ":" one line, else a regex. */
		n = strtoul(cfg->header, &end, 10);
		if (*end == '\0' && end != cfg->header)
			cfg->blk.header_lines = n;
		else if (strcmp(cfg->header, ":") == 0)
			cfg->blk.header_lines = 1;
		else if (block_check_header(cfg->header, &errstr) == -1)
			usage_error("invalid --header regular expression '%s': "
			    "%s", cfg->header, errstr);
		else
			cfg->blk.header_re = cfg->header;
	}
	memset(&po, 0, sizeof(po));
	po.blk = cfg->blk;
	po.block = cfg->block;
	po.jobs = jobs;
	po.part = cfg->pipepart;
	po.round_robin = cfg->round_robin;
	po.cat = cfg->cat;
	po.fifo = cfg->fifo;
	po.tmpdir = cfg->tmpdir;
	fd = STDIN_FILENO;
	if (path != NULL && (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(EXIT_ERROR, "cannot read '%s'", path);
	if (cfg->shard != NULL || cfg->bin != NULL)
		po.sharder = open_sharder(cfg, fd, jobs);
	if ((p = pipesrc_new(fd, &po, &why)) == NULL) {
		warn_pipe(ctx, why, 0);
		exit(EXIT_ERROR);
	}
	return p;
}

/* Job log, --resume, --retry-failed and --results, before any job runs. */
static void
open_records(struct ctx *ctx, struct config *cfg, char *const *names,
    size_t nnames)
{
	const char *path = cfg->joblog;
	bool append = false, torn = false;

	if ((cfg->resume || cfg->resume_failed || cfg->retry_failed) &&
	    path == NULL)
		usage_error("--resume, --resume-failed and --retry-failed "
		    "need --joblog");
	if (path != NULL && path[0] == '+') {
		path++;
		append = true;
	}
	if (path != NULL && strcmp(path, "-") == 0) {
		/* GNU's --joblog -: each line follows its job's output. */
		if (cfg->resume || cfg->resume_failed || cfg->retry_failed)
			usage_error("--resume, --resume-failed and "
			    "--retry-failed need a --joblog file, not -");
		if (fdio_write_full(STDOUT_FILENO, joblog_header(),
		    strlen(joblog_header())) == -1)
			err(EXIT_ERROR, "cannot write the job log to stdout");
		ctx->joblog_stdout = true;
		path = NULL;
	}
	if (cfg->resume || cfg->resume_failed) {
		if ((ctx->done = joblog_done_read(path, cfg->resume_failed)) ==
		    NULL)
			err(EXIT_ERROR, "cannot read job log '%s'", path);
		append = true;
	}
	if (cfg->retry_failed) {
		if (joblog_failed(path, &ctx->retry, &ctx->nretry) == -1)
			err(EXIT_ERROR, "cannot read job log '%s'", path);
		append = true;
	}
	if (path != NULL &&
	    (ctx->joblog = joblog_open(path, append, &torn)) == NULL)
		err(EXIT_ERROR, "cannot write job log '%s'", path);
	if (torn)
		warnx("job log '%s': ignoring its last line, which was cut "
		    "short", path);
	if (cfg->results != NULL && (ctx->results = results_new(cfg->results,
	    cfg->tmpdir, names, nnames)) == NULL)
		err(EXIT_ERROR, "cannot write results to '%s'", cfg->results);
}

static void
close_records(struct ctx *ctx)
{
	size_t i;

	if (joblog_close(ctx->joblog) == -1 && !ctx->joblog_failed) {
		warn("cannot write job log '%s'", ctx->cfg->joblog);
		ctx->joblog_failed = true;
	}
	if (results_close(ctx->results) == -1 && !ctx->results_failed) {
		warn("cannot write results to '%s'", ctx->cfg->results);
		ctx->results_failed = true;
	}
	joblog_done_free(ctx->done);
	for (i = 0; i < ctx->nretry; i++)
		free((char *)ctx->retry[i].cmd);
	free(ctx->retry);
}

static void
set_run_opts(const struct config *cfg, unsigned long jobs, struct run_opts *ro)
{
	static char cwd[PATH_MAX];
	const char *errstr;

	memset(ro, 0, sizeof(*ro));
	ro->name = getprogname();
	ro->out[COLLATE_STDOUT] = STDOUT_FILENO;
	ro->out[COLLATE_STDERR] = STDERR_FILENO;
	ro->jobs = jobs;
	/*
	 * -k streams the oldest running job's output as it comes and holds
	 * the others' until their turn, which is what GNU does for -k with
	 * --line-buffer too: no line of two jobs mixes, and order is kept.
	 */
	ro->output = cfg->keep_order && (cfg->output == COLLATE_GROUP ||
	    cfg->output == COLLATE_LINE) ? COLLATE_KEEP : cfg->output;
	ro->verbose = cfg->verbose;
	ro->trace = cfg->trace;
	/* GNU 20221122: --results keeps the output instead of printing it. */
	ro->discard_output = cfg->results != NULL;
	ro->files = cfg->files;
	ro->shell = choose_shell();
	ro->prelude = cfg->prelude;
	ro->tmpdir = cfg->tmpdir;
	ro->slot_var = cfg->slot_var;
	/* --wd: a job's OLDPWD is where parx runs, as after a cd. */
	if (cfg->workdir != NULL && strcmp(cfg->workdir, ".") != 0)
		ro->oldpwd = getcwd(cwd, sizeof(cwd));
	ro->mem_limit = HELD_OUTPUT_MAX;
	ro->retries = cfg->retries;
	ro->timeout = cfg->timeout;
	ro->timeout_pct = cfg->timeout_pct;
	/* GNU's: --sshdelay is --delay unless that is given. */
	ro->delay = cfg->delay_set || cfg->nlogins == 0 ? cfg->delay :
	    cfg->ssh_delay;
	ro->memfree = cfg->memfree;
	ro->memsuspend = cfg->memsuspend;
	ro->noswap = cfg->noswap;
	/*
	 * A cgroup per slot lets a killed job take setsid escapees along at
	 * once; joining one costs ~0.1 ms per job (the kernel's cgroup.procs
	 * write), so only runs that plan to kill jobs mid-run pay it.  The
	 * others end escapees at the end of the run, as subreaper.
	 */
	ro->cgroups = cfg->timeout > 0 || cfg->timeout_pct > 0 ||
	    cfg->halt.when == HALT_NOW;
	ro->max_load = cfg->max_load;
	ro->limit = cfg->limit;
	ro->limit_cmd = cfg->limit_cmd;
	ro->limit_value = cfg->limit_value;
	ro->cpus = usable_cpus();
	if (cfg->termseq != NULL &&
	    termseq_parse(cfg->termseq, &ro->termseq, &errstr) == -1)
		usage_error("invalid --termseq value '%s': %s", cfg->termseq,
		    errstr);
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct run_opts ro;
	struct run_callbacks cb;
	struct run_stats st;
	struct template *t, *tagt = NULL, **tmpl_names = NULL;
	struct template **tmpl_contents = NULL, **filters = NULL;
	struct template *workdir = NULL, **transfers = NULL, **returns = NULL;
	struct timespec slf_seen;
	struct remote *remote;
	struct ctx ctx;
	struct defaults defs;
	struct stat jst;
	const char *jobs_file = NULL;
	char why[128];
	char **names = NULL;
	const char *s;
	unsigned long jobs;
	long total, onall;
	int status, die_sig = 0;
	size_t k, n = 0;

	reserve_std_fds();
	argv = shebang_argv(&argc, argv);
	defaults_read(&defs, argc, argv);
	options_parse(&cfg, defs.argc, defs.argv, defs.origin);
	/* Installed as sem, it is parx --semaphore, as GNU's sem is. */
	if (strcmp(getprogname(), "sem") == 0)
		cfg.semaphore = true;
	if (cfg.semaphore) {
		status = semaphore_main(&cfg, cfg.jobs_spec != NULL ?
		    options_jobs(cfg.jobs_spec, cfg.cpu_basis) : 1,
		    choose_shell());
		free(cfg.sources);
		free(cfg.arg_files);
		defaults_free(&defs);
		free_shebang();
		return status;
	}
	if (cfg.report != REPORT_NONE) {
		report(cfg.report);
		free(cfg.sources);
		free(cfg.arg_files);
		defaults_free(&defs);
		free_shebang();
		return EXIT_ALL_OK;
	}
	if ((onall = onall_host(&cfg)) == -1 && (cfg.onall || cfg.nonall)) {
		status = onall_main(&cfg, argc, argv);
		free(cfg.sources);
		free(cfg.arg_files);
		free(cfg.logins);
		defaults_free(&defs);
		free_shebang();
		return status;
	}
	if (cfg.jobs_spec != NULL && is_jobs_file(cfg.jobs_spec)) {
		jobs_file = cfg.jobs_spec;
		if (read_jobs_file(jobs_file, cfg.cpu_basis, &jobs, why,
		    sizeof(why)) == -1)
			usage_error("invalid -j file '%s': %s", jobs_file, why);
	} else
		jobs = cfg.jobs_spec != NULL ? options_jobs(cfg.jobs_spec,
		    cfg.cpu_basis) : cpu_count_by(cfg.cpu_basis);
	/*
	 * Like xargs, pack -m/-X lines to 128 KiB unless -s asks for more:
	 * longer lines buy nothing but memory.  A single value may still
	 * use everything up to ARG_MAX.
	 */
	/*
	 * --tty is GNU's -o with -j1 -u unless they are given.  With -p the
	 * questions and the jobs take turns on the terminal: one job at a
	 * time, or parx would read the answer while a job owns it.
	 */
	if (cfg.tty) {
		cfg.open_tty = true;
		if (cfg.jobs_spec == NULL)
			jobs = 1;
		if (!cfg.output_set)
			cfg.output = COLLATE_UNGROUP;
	}
	if (cfg.open_tty && cfg.interactive) {
		jobs = 1;
		jobs_file = NULL;
	}
	/* --tee: GNU runs every job at once unless -j says otherwise. */
	if (cfg.tee && cfg.jobs_spec == NULL)
		jobs = options_jobs("0", cfg.cpu_basis);
	/* GNU: -N and -L replace in context, as -X, unless -m is given. */
	if (cfg.per_job_context && !(cfg.feed.multi && !cfg.tpl.context))
		cfg.tpl.context = true;
	/* Before the environment's size counts against the command line. */
	cfg.prelude = parallel_env();
	cfg.feed.hard_max_chars = default_max_chars();
	/* -s, as GNU's: no line longer, even for one value (E2BIG). */
	cfg.feed.max_chars_strict = cfg.feed.max_chars != 0;
	if (cfg.feed.max_chars == 0)
		cfg.feed.max_chars = PACK_CHARS_DEFAULT;
	if (cfg.feed.max_chars > cfg.feed.hard_max_chars)
		cfg.feed.max_chars = cfg.feed.hard_max_chars;
	if (cfg.show_limits)
		show_limits(&cfg.feed);
	cfg.feed.jobs = jobs;
	cfg.feed.tag = cfg.tag;
	/* A debugging aid (and how the tests cover both paths). */
	cfg.feed.force_shell = ((s = getenv("PARX_EXEC")) != NULL &&
	    strcmp(s, "shell") == 0) || cfg.prelude != NULL;
	if (cfg.tmpdir == NULL)
		cfg.tmpdir = getenv("TMPDIR");
	if (cfg.tmpdir != NULL && access(cfg.tmpdir, W_OK | X_OK) == -1)
		err(EXIT_ERROR, "cannot use temporary directory '%s'",
		    cfg.tmpdir);
	slf_seen = slf_mtime(&cfg);
	remote = open_remote(&cfg, onall, &jobs);
	set_run_opts(&cfg, jobs, &ro);
	ro.cleanup_dirs[1] = remote != NULL ? remote_dir(remote) : NULL;
	/*
	 * -j FILE may ask for more later, and a --slf file changed may
	 * bring hosts: slots for up to JOBS_FILE_MAX.
	 */
	if ((jobs_file != NULL || slf_mtime(&cfg).tv_sec != 0) &&
	    ro.jobs < JOBS_FILE_MAX)
		ro.jobs = JOBS_FILE_MAX;
	if (cfg.has_nice && setpriority(PRIO_PROCESS, 0, cfg.nice) == -1)
		warn("cannot set --nice %d", cfg.nice);

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	ctx.remote = remote;
	ctx.wake[0] = ctx.wake[1] = -1;
	if (remote != NULL && cfg.hostgroups &&
	    pipe2(ctx.wake, O_CLOEXEC | O_NONBLOCK) == -1)
		err(EXIT_ERROR, "--hostgroups");
	ctx.slf_mtime = slf_seen;
	ctx.tty = -1;
	ctx.tee_fd = -1;
	if (jobs_file != NULL && stat(jobs_file, &jst) == 0) {
		ctx.jobs_file = jobs_file;
		ctx.jobs_mtime = jst.st_mtim;
		ctx.jobs_now = jobs;
	}
	if (cfg.interactive && !cfg.dry_run &&
	    (ctx.tty = open("/dev/tty", O_RDONLY | O_CLOEXEC)) == -1)
		err(EXIT_ERROR, "-p needs a terminal to ask on");
	/* Without a terminal the jobs read nothing, as in GNU parallel. */
	if (cfg.open_tty && !cfg.dry_run &&
	    (ro.tty_fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) != -1)
		ro.give_tty = true;
	/*
	 * --ctag colours only what a person sees (and not under NO_COLOR);
	 * --color asks for colour wherever the output goes, as GNU's does.
	 */
	ctx.color = cfg.color || (cfg.ctag && isatty(STDOUT_FILENO) == 1 &&
	    getenv("NO_COLOR") == NULL);
	if (ctx.color && cfg.output == COLLATE_UNGROUP)
		usage_error("--color and --ctag take grouped or line-buffered "
		    "output, not -u");
	/* As in GNU parallel, output that is not held cannot be coloured. */
	ro.color_failed = cfg.color_failed && (cfg.output == COLLATE_GROUP ||
	    cfg.output == COLLATE_KEEP);
	ro.end_lines = ro.color_failed || (ctx.color &&
	    cfg.output != COLLATE_LINE);
	/* perl starts only if {= =}, --rpl, --filter or --shard asks. */
	cfg.tpl.perl = perlx_new();
	if (cfg.tee) {
		if (!cfg.pipe)
			usage_error("--tee goes with --pipe or --pipepart");
		open_tee(&ctx, &cfg);
		cfg.tpl.no_append = true;
		ctx.in = open_input(&cfg, true);
	} else if (cfg.pipe) {
		/* ::: values: a set a job ({}, {1}, ...), as GNU gives them. */
		for (k = 0; k < cfg.nsources; k++)
			if (!cfg.sources[k].is_file)
				break;
		if (k < cfg.nsources) {
			if (cfg.cat || cfg.fifo)
				usage_error("::: values with --pipe: {} is the "
				    "block's file with --cat and --fifo");
			ctx.pipe_values = open_input(&cfg, true);
		}
		ctx.pipe = open_pipe_source(&ctx, &cfg, jobs);
		ro.cleanup_dirs[0] = pipesrc_dir(ctx.pipe);
		cfg.tpl.no_append = !cfg.cat && !cfg.fifo;
		cfg.in.header = false;
	} else {
		/*
		 * GNU: --header splits on TABs unless --colsep says otherwise,
		 * and columns are trimmed (--trim rl) unless --trim is given.
		 */
		if (cfg.in.header && cfg.in.colsep == NULL && !cfg.in.csv)
			cfg.in.colsep = "\t";
		if (cfg.in.colsep != NULL && !cfg.trim_set)
			cfg.in.trim = INPUT_TRIM_LEFT | INPUT_TRIM_RIGHT;
		cfg.in.continue_blank = cfg.has_L;
		ctx.in = open_input(&cfg, false);
	}
	if (cfg.in.header) {
		n = input_header_count(ctx.in);
		names = xreallocarray(NULL, n + 1, sizeof(*names));
		for (k = 0; k < n; k++)
			names[k] = (char *)input_header_name(ctx.in, k);
		cfg.tpl.header = names;
		cfg.tpl.nheader = n;
	}
	t = make_template(cfg.command, cfg.ncommand, &cfg.tpl);
	if (cfg.tagstring != NULL) {
		struct template_opts to = cfg.tpl;

		to.context = to.quote_words = false;
		to.verbatim = true;
		tagt = make_template((char **)&cfg.tagstring, 1, &to);
		cfg.feed.tagstring = tagt;
	}
	make_tmpl(&cfg, &tmpl_names, &tmpl_contents);
	filters = make_filters(&cfg);
	workdir = make_workdir(&cfg);
	cfg.feed.workdir_later = remote != NULL;
	cfg.feed.hostgroups = remote != NULL && cfg.hostgroups;
	if (remote != NULL) {
		cfg.feed.host_of = host_of;
		cfg.feed.all_groups = all_groups;
		cfg.feed.host_arg = remote;
	}
	transfers = make_file_templates(&cfg, cfg.transfer, cfg.ntransfer);
	cfg.feed.transfer = (const struct template *const *)transfers;
	cfg.feed.ntransfer = transfers != NULL ? cfg.ntransfer : 0;
	returns = make_file_templates(&cfg, cfg.ret, cfg.nret);
	cfg.feed.ret = (const struct template *const *)returns;
	cfg.feed.nret = returns != NULL ? cfg.nret : 0;
	ctx.feed = feed_new(ctx.in, t, &cfg.feed);
	if (halt_needs_total(&cfg.halt) && cfg.pipe &&
	    cfg.feed.total_jobs == 0) {
		if (!cfg.pipepart)
			usage_error("a --halt percentage needs the number of "
			    "jobs, which --pipe cannot know");
		cfg.halt.total = (unsigned long)pipesrc_total(ctx.pipe);
	} else if (halt_needs_total(&cfg.halt)) {
		if ((total = feed_total(ctx.feed)) == -1) {
			warn_input(ctx.in, ctx.feed, cfg.tpl.perl, 0);
			exit(EXIT_ERROR);
		}
		cfg.halt.total = (unsigned long)total;
	}
	if (cfg.feed.total_jobs > 0)
		cfg.halt.total = cfg.feed.total_jobs;
	ctx.total = cfg.halt.total;

	if (cfg.dry_run || cfg.shellquote > 0) {
		status = dry_run(&ctx, jobs);
		goto out;
	}
	open_records(&ctx, &cfg, names, n);
	memset(&cb, 0, sizeof(cb));
	cb.next_job = next_job;
	cb.job_done = job_done;
	cb.next_input = next_input;
	cb.input_closed = input_closed;
	cb.wait_fd = job_wait_fd;
	cb.wake_at = job_wake_at;
	if (ctx.jobs_file != NULL || ctx.remote != NULL)
		cb.slots = job_slots;
	cb.lost = job_lost;
	cb.again = job_again;
	cb.arg = &ctx;
	ctx.stats = &st;
	fflush(stdout);
	if ((cfg.progress != 0 ? run_showing_progress(&ctx, &ro, &cb, &st) :
	    run_jobs(&ctx, &ro, &cb, &st)) == -1)
		err(EXIT_ERROR, "cannot start jobs");
	failed_hint(&cfg, &st);
	close_records(&ctx);
	status = exit_status(&ctx, &st, &die_sig);
out:
	feed_free(ctx.feed);
	template_free(t);
	template_free(tagt);
	free_templates(tmpl_names);
	free_templates(filters);
	template_free(workdir);
	free_templates(transfers);
	free_templates(returns);
	free(cfg.transfer);
	free(cfg.ret);
	free(cfg.basefiles);
	free(cfg.env);
	free(cfg.filter);
	free_templates(tmpl_contents);
	free(cfg.tmpl);
	perlx_free(cfg.tpl.perl);
	free((void *)cfg.tpl.user_rpl);
	input_free(ctx.in);
	if (ctx.has_pipe_rec)
		record_release(&ctx.pipe_rec);
	input_free(ctx.pipe_values);
	pipesrc_free(ctx.pipe);
	if (ctx.tty != -1)
		close(ctx.tty);
	if (ctx.tee_fd > STDERR_FILENO)
		close(ctx.tee_fd);
	if (ro.give_tty)
		close(ro.tty_fd);
	if (ctx.asking)
		job_release(&ctx.asked);
	free(names);
	free(cfg.sources);
	free(cfg.arg_files);
	free(cfg.logins);
	for (k = 0; k < ctx.nheld; k++)
		job_release(&ctx.held[k]);
	free(ctx.held);
	if (ctx.wake[0] != -1) {
		close(ctx.wake[0]);
		close(ctx.wake[1]);
	}
	remote_free(ctx.remote);
	free(cfg.prelude);
	defaults_free(&defs);
	free_shebang();
	if (die_sig != 0)
		die_by(die_sig);
	return status;
}
