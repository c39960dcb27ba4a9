/*
 * terminal: the progress line, colours, the -p question, -j FILE, and
 * the note on failed jobs (see terminal.h).
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/buf.h"
#include "../lib/monotime.h"
#include "../lib/progress.h"
#include "../lib/remote.h"
#include "terminal.h"

/*
 * --color: the job's colour, put before its tag.  Background and
 * foreground pairs that read well together, a job after the other.
 */
void
color_job(struct run_job *job)
{
	static const char *const colors[] = {
		"\033[30;42m", "\033[30;43m", "\033[37;44m", "\033[37;45m",
		"\033[30;46m", "\033[30;47m", "\033[37;41m", "\033[32;40m",
		"\033[33;40m", "\033[36;40m", "\033[35;40m", "\033[31;47m",
	};

	job->color = colors[(job->seq - 1) % (sizeof(colors) /
	    sizeof(colors[0]))];
}

/*
 * -p: whether the answer on the terminal (which poll says is there) is
 * yes.  A line starting with y or Y is; anything else, or Ctrl-D, is no.
 */
bool
answer_is_yes(struct ctx *ctx)
{
	char line[256];
	ssize_t n;
	size_t i = 0;

	do
		n = read(ctx->tty, line, sizeof(line) - 1);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return false;
	line[n] = '\0';
	while (line[i] == ' ' || line[i] == '\t')
		i++;
	return line[i] == 'y' || line[i] == 'Y';
}

/* -j FILE: a value that is not a number form but names a regular file. */
bool
is_jobs_file(const char *spec)
{
	struct stat st;

	return spec[strspn(spec, "0123456789+-%")] != '\0' &&
	    stat(spec, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * -j FILE: the file's content is the -j value (GNU's procfile).  Read
 * again whenever a job ends and the file has changed since; a value
 * that does not parse leaves the number as it was, with a warning.
 */
int
read_jobs_file(const char *path, enum report basis, unsigned long *n,
    char *why, size_t whylen)
{
	char text[64];
	ssize_t got;
	size_t a = 0, b;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	got = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (got < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	text[got] = '\0';
	b = (size_t)got;
	while (a < b && isspace((unsigned char)text[a]))
		a++;
	while (b > a && isspace((unsigned char)text[b - 1]))
		text[--b] = '\0';
	return options_jobs_parse(text + a, basis, n, why, whylen);
}

unsigned long
jobs_from_file(void *arg)
{
	struct ctx *ctx = arg;
	struct stat st;
	unsigned long n;
	char why[128];

	if (stat(ctx->jobs_file, &st) == 0 &&
	    (st.st_mtim.tv_sec != ctx->jobs_mtime.tv_sec ||
	    st.st_mtim.tv_nsec != ctx->jobs_mtime.tv_nsec)) {
		ctx->jobs_mtime = st.st_mtim;
		if (read_jobs_file(ctx->jobs_file, ctx->cfg->cpu_basis, &n, why,
		    sizeof(why)) == 0)
			ctx->jobs_now = n;
		else
			warnx("-j %s: %s; still %lu at once", ctx->jobs_file,
			    why, ctx->jobs_now);
	}
	return ctx->jobs_now;
}

/*
 * At a terminal, jobs failed and nothing recorded which: say how to see
 * them.  Scripts (stderr not a terminal) get GNU's silence.
 */
void
failed_hint(const struct config *cfg, const struct run_stats *st)
{
	if (st->failed == 0 || cfg->joblog != NULL || st->stop_signal != 0 ||
	    isatty(STDERR_FILENO) != 1)
		return;
	warnx("%lu job%s failed; --joblog FILE records which, and "
	    "--retry-failed runs them again", st->failed,
	    st->failed == 1 ? "" : "s");
}

/* Shows progress if it is due: redrawn in a terminal, else a line. */
static void
show_progress(struct ctx *ctx, struct run *r, const struct run_stats *st,
    struct progress *p, bool final)
{
	struct buf line;
	double now = monotime_now();

	if (!progress_due(p, now, final))
		return;
	p->done = ctx->finished;
	p->failed = st->failed;
	p->running = st->running;
	p->draining = st->drained;
	p->total = ctx->input_ended ? ctx->made : ctx->total;
	buf_init(&line);
	progress_format(p, now, &line);
	if (p->tty && !final)
		run_status(r, line.data);
	else {
		/* The last one stays, as a line of its own. */
		run_status(r, NULL);
		run_notice(r, line.data);
	}
	buf_release(&line);
}

/*
 * run_parallel(), with --bar, --eta or --progress shown as it goes: in a
 * terminal a line redrawn in place (never with escape codes elsewhere, or
 * under TERM=dumb), else a plain line now and then.
 */
int
run_showing_progress(struct ctx *ctx, struct run_opts *ro,
    const struct run_callbacks *cb, struct run_stats *st)
{
	const char *term = getenv("TERM");
	struct progress p;
	struct winsize ws;
	struct run *r;
	unsigned width = 80;
	bool tty;

	tty = isatty(STDERR_FILENO) == 1 && term != NULL &&
	    strcmp(term, "dumb") != 0;
	if (tty && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		width = ws.ws_col;
	ro->tick = tty ? 0.1 : 1;
	if ((r = run_new(ro, cb, st)) == NULL)
		return -1;
	ctx->run = r;
	progress_init(&p, ctx->cfg->progress, tty, width, monotime_now());
	while (run_step(r))
		show_progress(ctx, r, st, &p, false);
	show_progress(ctx, r, st, &p, true);
	ctx->run = NULL;
	remote_close(ctx->remote);
	run_free(r);
	return 0;
}
