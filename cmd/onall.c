/*
 * onall: --onall and --nonall, GNU parallel's way: parx runs itself once
 * a host, with the command line it was given and that host only
 * (PARX_ONALL_HOST), one job at a time there, and runs those under one
 * more parx, -j of them at once (all by default).  So every job runs on
 * every host in input order, output is grouped by host (or -k, -u,
 * --lb as given), and the exit status counts the hosts where a job
 * failed, as GNU's does.  Standard input, if the jobs read their values
 * from it, is copied to a file first, for each host's run to read it
 * whole; each run keeps a job log of its own, appended to --joblog's
 * once all have ended.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/buf.h"
#include "../lib/exitcode.h"
#include "../lib/fdio.h"
#include "../lib/quote.h"
#include "../lib/remote.h"
#include "../lib/xmalloc.h"
#include "config.h"
#include "onall.h"

#define HOST_VAR	"PARX_ONALL_HOST"
#define JOBLOG_VAR	"PARX_ONALL_JOBLOG"

static pid_t	outer = -1;	/* the parx that runs the hosts' runs */

static void
forward(int sig)
{
	if (outer > 0)
		(void)kill(outer, sig);
}

/* Whether the jobs' values come from standard input. */
static bool
reads_stdin(const struct config *cfg)
{
	size_t i;

	if (cfg->nonall)
		return false;
	if (cfg->nsources == 0 && cfg->narg_files == 0)
		return true;
	for (i = 0; i < cfg->narg_files; i++)
		if (strcmp(cfg->arg_files[i], "-") == 0)
			return true;
	for (i = 0; i < cfg->nsources; i++)
		if (cfg->sources[i].is_file &&
		    strcmp(cfg->sources[i].args[0], "-") == 0)
			return true;
	return false;
}

static void
add_word(struct buf *b, const char *w)
{
	if (b->len > 0)
		buf_addch(b, ' ');
	quote_shell(b, w, strlen(w));
}

/* Copies stdin to path.  -1 if it cannot. */
static int
copy_stdin(const char *path)
{
	char chunk[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	while ((n = read(STDIN_FILENO, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || fdio_write_full(fd, chunk, (size_t)n) == -1) {
			close(fd);
			return -1;
		}
	}
	return close(fd);
}

/* Appends each host's job log, less its heading but the first's, to to. */
static void
merge_joblogs(const char *to, const char *dir, size_t nhosts)
{
	struct buf text;
	char *path;
	const char *body;
	size_t i;
	FILE *out;

	if ((out = fopen(to, "w")) == NULL)
		err(EXIT_ERROR, "cannot write --joblog '%s'", to);
	for (i = 0; i < nhosts; i++) {
		if (asprintf(&path, "%s/joblog.%zu", dir, i) == -1)
			err(EXIT_ERROR, "--joblog");
		buf_init(&text);
		if (fdio_read_file(path, &text) == 0 && text.len > 0) {
			body = memchr(text.data, '\n', text.len);
			body = body != NULL ? body + 1 : text.data + text.len;
			if (ftell(out) == 0)
				body = text.data;
			fwrite(body, 1, text.len - (size_t)(body - text.data),
			    out);
		}
		buf_release(&text);
		unlink(path);
		free(path);
	}
	if (fclose(out) == EOF)
		err(EXIT_ERROR, "cannot write --joblog '%s'", to);
}

int
onall_main(const struct config *cfg, int argc, char **argv)
{
	struct remote_opts ro;
	struct remote *r;
	struct buf err_msg, line;
	struct sigaction sa;
	char self[PATH_MAX], dir[PATH_MAX], input[PATH_MAX + 16];
	char num[32], *var;
	const char *tmp = cfg->tmpdir != NULL ? cfg->tmpdir : "/tmp";
	char **outer_argv, **cmdlines;
	size_t i, nhosts, n = 0;
	ssize_t len;
	int status, a, sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

	memset(&ro, 0, sizeof(ro));
	ro.ssh = cfg->ssh;
	r = remote_new(&ro);
	buf_init(&err_msg);
	for (i = 0; i < cfg->nlogins; i++)
		if ((cfg->logins[i].is_file ? remote_add_file(r,
		    cfg->logins[i].value, &err_msg) : remote_add(r,
		    cfg->logins[i].value, &err_msg)) == -1)
			errx(EXIT_ERROR, "invalid --sshlogin%s: %s",
			    cfg->logins[i].is_file ? "file" : "", err_msg.data);
	buf_release(&err_msg);
	if ((nhosts = remote_count(r)) == 0)
		errx(EXIT_ERROR, "--%s needs hosts (-S or --slf)",
		    cfg->nonall ? "nonall" : "onall");
	if ((len = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		err(EXIT_ERROR, "--onall: cannot tell where parx is");
	self[len] = '\0';
	snprintf(dir, sizeof(dir), "%s/parx-onall.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL)
		err(EXIT_ERROR, "cannot make a directory in '%s'", tmp);
	snprintf(input, sizeof(input), "%s/input", dir);
	if (reads_stdin(cfg) && copy_stdin(input) == -1) {
		warn("--onall: cannot keep standard input in '%s'", input);
		(void)fdio_remove_tree(dir);
		exit(EXIT_ERROR);
	}

	/* Each host's run: this very command line, for that host. */
	cmdlines = xcalloc(nhosts, sizeof(*cmdlines));
	for (i = 0; i < nhosts; i++) {
		/* -S @g: a host of no such group gets no run. */
		if (!remote_chosen(r, i))
			continue;
		buf_init(&line);
		snprintf(num, sizeof(num), "%zu", i);
		buf_addstr(&line, HOST_VAR "=");
		buf_addstr(&line, num);
		if (cfg->joblog != NULL) {
			if (asprintf(&var, "%s/joblog.%zu", dir, i) == -1)
				err(EXIT_ERROR, "--onall");
			buf_addstr(&line, " " JOBLOG_VAR "=");
			quote_shell(&line, var, strlen(var));
			free(var);
		}
		buf_addstr(&line, " exec");
		add_word(&line, self);
		for (a = 1; a < argc; a++)
			add_word(&line, argv[a]);
		buf_addstr(&line, reads_stdin(cfg) ? " <" : " </dev/null");
		if (reads_stdin(cfg))
			add_word(&line, input);
		cmdlines[i] = buf_detach(&line);
	}
	outer_argv = xcalloc(nhosts + 12, sizeof(*outer_argv));
	outer_argv[n++] = self;
	outer_argv[n++] = "--plain";
	outer_argv[n++] = "-j";
	outer_argv[n++] = (char *)(cfg->jobs_spec != NULL ? cfg->jobs_spec :
	    "0");
	if (cfg->keep_order)
		outer_argv[n++] = "-k";
	if (cfg->output == COLLATE_UNGROUP)
		outer_argv[n++] = "-u";
	else if (cfg->output == COLLATE_LINE)
		outer_argv[n++] = "--line-buffer";
	outer_argv[n++] = ":::";
	for (i = 0; i < nhosts; i++)
		if (cmdlines[i] != NULL)
			outer_argv[n++] = cmdlines[i];
	outer_argv[n] = NULL;

	/* A signal for parx is for the runs: they end their jobs. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	if ((outer = fork()) == -1)
		err(EXIT_ERROR, "--onall: cannot start parx");
	if (outer == 0) {
		unsetenv(HOST_VAR);
		unsetenv(JOBLOG_VAR);
		execv(self, outer_argv);
		_exit(EXIT_ERROR);
	}
	while (waitpid(outer, &status, 0) == -1)
		if (errno != EINTR)
			err(EXIT_ERROR, "--onall");
	if (cfg->joblog != NULL)
		merge_joblogs(cfg->joblog, dir, nhosts);
	unlink(input);
	(void)fdio_remove_tree(dir);
	for (i = 0; i < nhosts; i++)
		free(cmdlines[i]);
	free(cmdlines);
	free(outer_argv);
	remote_free(r);
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_ERROR;
}

long
onall_host(struct config *cfg)
{
	static char *nothing[] = { "x" }, joblog[PATH_MAX];
	static struct source_arg once = { false, false, nothing, 1 };
	const char *s = getenv(HOST_VAR), *errstr;
	long i;

	if (s == NULL)
		return -1;
	i = (long)strtonum(s, 0, 1000000, &errstr);
	if (errstr != NULL)
		errx(EXIT_ERROR, "invalid " HOST_VAR " '%s'", s);
	cfg->jobs_spec = "1";
	cfg->joblog = NULL;
	if ((s = getenv(JOBLOG_VAR)) != NULL) {
		strlcpy(joblog, s, sizeof(joblog));
		cfg->joblog = joblog;
	}
	/* Not for the jobs: a parx they run is a run of its own. */
	unsetenv(HOST_VAR);
	unsetenv(JOBLOG_VAR);
	if (cfg->nonall) {
		/* The command once: one value, inserted nowhere (-N0). */
		cfg->sources = xreallocarray(cfg->sources, 1,
		    sizeof(*cfg->sources));
		cfg->sources[0] = once;
		cfg->nsources = 1;
		cfg->feed.max_args = 1;
		cfg->feed.hide_args = true;
	}
	return i;
}

void
onall_tag(struct config *cfg, const char *login)
{
	if (cfg->tag && cfg->tagstring == NULL)
		cfg->tagstring = login;
}
