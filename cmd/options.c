/*
 * options: the one table of parx's options, and everything made from it:
 * getopt_long's arrays, --help, the shell completions and what the man
 * page must document (tests/cli/options.bats checks it).  Every option of
 * GNU parallel 20221122 has a row: one parx implements works, one that
 * means nothing here is accepted and ignored, one not built yet is
 * refused as such, never as unknown.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../lib/cpus.h"
#include "../lib/progress.h"
#include "../lib/xmalloc.h"
#include "config.h"
#include "../lib/exitcode.h"

enum arg_kind { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

enum section {
	SEC_INPUT, SEC_COMMAND, SEC_OUTPUT, SEC_JOBS, SEC_CONTROL,
	SEC_STREAM, SEC_REMOTE, SEC_MISC, SEC_COUNT
};

static const char *const section_names[SEC_COUNT] = {
	"input", "command", "output", "jobs", "control", "streaming",
	"remote", "misc",
};

static const char *const section_titles[SEC_COUNT] = {
	"Input", "Command and replacement strings", "Output", "Running jobs",
	"Job control", "Streaming: --pipe and --pipepart", "Remote hosts",
	"Miscellaneous",
};

enum status {
	ST_PARX,		/* works */
	ST_BRIEF,		/* works, and is in the short --help */
	ST_IGNORED,		/* accepted, means nothing for parx */
	ST_TODO,		/* GNU's, not built yet: refused as such */
	ST_DIFFERS,		/* GNU's, refused for a reason the man page's
				   DIFFERENCES gives */
	ST_RETIRED,		/* GNU itself refuses it */
};

/* How a row stores its value: a flag, a string, or its own setter. */
enum store { SET_TRUE, SET_FALSE, SET_STRING, SET_FUNC, SET_NOTHING };

struct row {
	const char	*names;		/* "jobs|j|max-procs|P": the first is
					   canonical, one letter a short one */
	enum arg_kind	 arg;
	const char	*metavar;
	enum section	 section;
	enum status	 status;
	enum store	 store;
	size_t		 off;		/* SET_TRUE/FALSE/STRING: the field */
	void		(*set)(struct config *, const char *arg,
			    const char *name);
	const char	*help;
};

#define FIELD(f)	offsetof(struct config, f)

/* ---- value parsers ---- */

static void
set_shellquote(struct config *cfg, const char *arg, const char *name)
{
	(void)arg;
	(void)name;
	cfg->shellquote++;
}

/*
 * Where the option being parsed came from ("FILE:LINE", "$PARALLEL"), or
 * NULL for the command line: usage_error() names it.
 */
static const char *error_origin;

void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", getprogname());
	if (error_origin != NULL)
		fprintf(stderr, "%s: ", error_origin);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see '%s --help')\n", getprogname());
	exit(EXIT_ERROR);
}

static size_t
parse_count(const char *opt, const char *s, long long max)
{
	const char *errstr;
	long long v;

	v = strtonum(s, 0, max, &errstr);
	if (errstr != NULL)
		usage_error("invalid %s value '%s': %s", opt, s, errstr);
	return (size_t)v;
}

unsigned long
usable_cpus(void)
{
	struct cpu_count c;

	cpus_count(&c);
	return c.threads;
}

/* -j 0: as many as the descriptor and process limits allow. */
static unsigned long
max_jobs(void)
{
	struct rlimit rl;
	unsigned long n = 4096;

	/* Each job holds two pipe ends; keep some for parx itself. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
	    && (rl.rlim_cur - 16) / 2 < n)
		n = rl.rlim_cur > 18 ? (rl.rlim_cur - 16) / 2 : 1;
	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
	    && rl.rlim_cur / 2 < n)
		n = rl.rlim_cur > 2 ? rl.rlim_cur / 2 : 1;
	return n;
}

unsigned long
cpu_count_by(enum report basis)
{
	struct cpu_count c;

	cpus_count(&c);
	return basis == REPORT_CORES ? c.cores :
	    basis == REPORT_SOCKETS ? c.sockets : c.threads;
}

/*
 * A -j value as slots: 0, or -1 with why (for "invalid -j value 'S': WHY")
 * filled.  Does not exit, so that -j FILE can be read again mid-run.
 */
int
options_jobs_parse(const char *s, enum report basis, unsigned long *n,
    char *why, size_t whylen)
{
	return cpus_jobs(s, cpu_count_by(basis), max_jobs(), n, why, whylen);
}

unsigned long
options_jobs(const char *s, enum report basis)
{
	unsigned long n;
	char why[128];

	if (options_jobs_parse(s, basis, &n, why, sizeof(why)) == -1)
		usage_error("invalid -j value '%s': %s", s, why);
	return n;
}

/* A number with GNU's unit suffixes: K M G T (1024) and k m g t (1000). */
static double
parse_scaled(const char *opt, const char *s, bool is_time)
{
	static const char units[] = "kmgtKMGT";
	static const double time_units[] = { 1, 60, 3600, 86400 };
	const char *u;
	char *end;
	double v;

	v = strtod(s, &end);
	if (end == s || v < 0 || !isfinite(v))
		usage_error("invalid %s value '%s': not a number", opt, s);
	if (*end == '\0')
		return v;
	if (is_time && end[1] == '\0' && (u = strchr("smhd", *end)) != NULL)
		return v * time_units[u - "smhd"];
	if (!is_time && end[1] == '\0' && (u = strchr(units, *end)) != NULL)
		return v * pow(u - units >= 4 ? 1024 : 1000,
		    (u - units) % 4 + 1);
	usage_error("invalid %s value '%s': unknown unit", opt, s);
}

/* ---- setters: one per row that is more than a flag or a string ---- */

/* -S and --slf, in order: each a login list or a file of them. */
static void
set_sshlogin(struct config *cfg, const char *arg, const char *name)
{
	cfg->logins = xreallocarray(cfg->logins, cfg->nlogins + 1,
	    sizeof(*cfg->logins));
	cfg->logins[cfg->nlogins].value = arg;
	cfg->logins[cfg->nlogins++].is_file = strstr(name, "slf") != NULL ||
	    strstr(name, "file") != NULL;
}

/* Appends arg to one of cfg's lists of strings. */
static void
add_string(const char ***list, size_t *n, const char *arg)
{
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = arg;
}

/*
 * --transferfile FILE, --transfer ({}), --return FILE, --trc FILE
 * (--transfer --return FILE --cleanup) and --basefile FILE.
 */
static void
set_transfer(struct config *cfg, const char *arg, const char *typed)
{
	const char *name = typed + strspn(typed, "-");

	if (strcmp(name, "transfer") == 0 || strcmp(name, "trc") == 0)
		add_string(&cfg->transfer, &cfg->ntransfer, "{}");
	if (strcmp(name, "trc") == 0) {
		add_string(&cfg->ret, &cfg->nret, arg);
		cfg->tmpl_cleanup = true;
	} else if (strcmp(name, "return") == 0)
		add_string(&cfg->ret, &cfg->nret, arg);
	else if (strcmp(name, "basefile") == 0 || strcmp(name, "bf") == 0)
		add_string(&cfg->basefiles, &cfg->nbasefiles, arg);
	else if (strcmp(name, "transfer") != 0)
		add_string(&cfg->transfer, &cfg->ntransfer, arg);
}

/* --env NAME[,NAME...]: variables' names, or _ (all but ignored_vars). */
static void
set_env(struct config *cfg, const char *arg, const char *name)
{
	const char *p = arg;
	size_t len;

	for (;;) {
		len = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		    "qrstuvwxyz0123456789_");
		if (len == 0 || (p[len] != '\0' && p[len] != ',') ||
		    (p[0] >= '0' && p[0] <= '9'))
			usage_error("%s needs variables' names, not '%s'",
			    name, arg);
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	add_string(&cfg->env, &cfg->nenv, arg);
}

static void
set_arg_file(struct config *cfg, const char *arg, const char *name)
{
	(void)name;
	cfg->arg_files = xreallocarray(cfg->arg_files, cfg->narg_files + 1,
	    sizeof(*cfg->arg_files));
	cfg->arg_files[cfg->narg_files++] = (char *)arg;
}

/* main() has seen a --shebang that comes first; anywhere else it is wrong. */
static void
set_shebang(struct config *cfg, const char *arg, const char *name)
{
	(void)cfg;
	(void)arg;
	usage_error("%s must be the first argument (on a #! line)", name);
}

static void
set_filter(struct config *cfg, const char *arg, const char *name)
{
	(void)name;
	cfg->filter = xreallocarray(cfg->filter, cfg->nfilter + 1,
	    sizeof(*cfg->filter));
	cfg->filter[cfg->nfilter++] = arg;
}

/* --tmpl FILE=NAME; the file is read when the run starts. */
static void
set_tmpl(struct config *cfg, const char *arg, const char *name)
{
	if (strchr(arg, '=') == NULL || arg[0] == '=')
		usage_error("%s needs FILE=NAME, not '%s'", name, arg);
	cfg->tmpl = xreallocarray(cfg->tmpl, cfg->ntmpl + 1,
	    sizeof(*cfg->tmpl));
	cfg->tmpl[cfg->ntmpl++] = arg;
}

static void
set_user_rpl(struct config *cfg, const char *arg, const char *name)
{
	char **r = (char **)cfg->tpl.user_rpl;

	(void)name;
	r = xreallocarray(r, cfg->tpl.nuser_rpl + 1, sizeof(*r));
	r[cfg->tpl.nuser_rpl++] = (char *)arg;
	cfg->tpl.user_rpl = r;
}

static void
set_null(struct config *cfg, const char *arg, const char *name)
{
	(void)arg;
	(void)name;
	cfg->in.delim[0] = '\0';
	cfg->in.delim_len = 1;
	cfg->in.split_args = false;
}

static void
set_delim(struct config *cfg, const char *arg, const char *name)
{
	int n;

	n = input_parse_delim(arg, cfg->in.delim, sizeof(cfg->in.delim));
	if (n == -1)
		usage_error("invalid %s value '%s': empty, a bad escape or "
		    "longer than %zu bytes", name, arg, sizeof(cfg->in.delim));
	cfg->in.delim_len = (size_t)n;
	cfg->in.split_args = true;
}

static void
set_eof(struct config *cfg, const char *arg, const char *name)
{
	(void)name;
	/* GNU: --eof without a value means "_". */
	cfg->in.eofstr = arg != NULL ? arg : "_";
}

static void
set_trim(struct config *cfg, const char *arg, const char *name)
{
	(void)name;
	cfg->trim_set = true;
	if (strcmp(arg, "n") == 0)
		cfg->in.trim = 0;
	else if (strcmp(arg, "l") == 0)
		cfg->in.trim = INPUT_TRIM_LEFT;
	else if (strcmp(arg, "r") == 0)
		cfg->in.trim = INPUT_TRIM_RIGHT;
	else if (strcmp(arg, "lr") == 0 || strcmp(arg, "rl") == 0)
		cfg->in.trim = INPUT_TRIM_LEFT | INPUT_TRIM_RIGHT;
	else
		usage_error("invalid --trim value '%s': use n, l, r or lr",
		    arg);
}

static void
set_header(struct config *cfg, const char *arg, const char *name)
{
	(void)name;
	cfg->in.header = true;
	cfg->header = arg;
}

static void
set_rpl(struct config *cfg, int which, const char *arg)
{
	cfg->tpl.rpl[which] = arg;
}

static void
set_replace(struct config *cfg, const char *arg, const char *name)
{
	(void)name;
	/* GNU: -i without a value means {}. */
	set_rpl(cfg, TEMPLATE_RPL_ARG, arg != NULL ? arg : "{}");
}

static void
set_er(struct config *cfg, const char *arg, const char *name)
{
	(void)name;
	set_rpl(cfg, TEMPLATE_RPL_NOEXT, arg);
}

static void
set_bnr(struct config *cfg, const char *arg, const char *name)
{
	(void)name;
	set_rpl(cfg, TEMPLATE_RPL_BASE, arg);
}

static void
set_dnr(struct config *cfg, const char *arg, const char *name)
{
	(void)name;
	set_rpl(cfg, TEMPLATE_RPL_DIR, arg);
}

static void
set_bner(struct config *cfg, const char *arg, const char *name)
{
	(void)name;
	set_rpl(cfg, TEMPLATE_RPL_BASENOEXT, arg);
}

static void
set_seqr(struct config *cfg, const char *arg, const char *name)
{
	(void)name;
	set_rpl(cfg, TEMPLATE_RPL_SEQ, arg);
}

static void
set_slotr(struct config *cfg, const char *arg, const char *name)
{
	(void)name;
	set_rpl(cfg, TEMPLATE_RPL_SLOT, arg);
}

static void
set_multi(struct config *cfg, const char *arg, const char *name)
{
	(void)arg;
	cfg->feed.multi = true;
	if (strcmp(name, "-X") == 0)
		cfg->tpl.context = true;
}

/* -n, -N, -L: values (or, with --pipe, records and lines) per job. */
static void
set_per_job(struct config *cfg, const char *arg, const char *name)
{
	bool lines = strcmp(name, "-L") == 0 || strcmp(name, "-l") == 0 ||
	    strcmp(name, "--max-lines") == 0 || strcmp(name, "--maxlines") == 0;

	double v = arg != NULL ? parse_scaled(name, arg, false) : 1;

	/* GNU's unit suffixes work here too: -N 1k is 1000. */
	if (v != floor(v) || v > 1000000000)
		usage_error("invalid %s value '%s': not a whole number up to "
		    "1000000000", name, arg);
	cfg->feed.max_args = (size_t)v;
	/* GNU: -l0 is -l1 (an old --tollef meaning; -L0 stays 0). */
	if (v == 0 && (strcmp(name, "-l") == 0 ||
	    strcmp(name, "--max-lines") == 0 || strcmp(name, "--maxlines") == 0))
		cfg->feed.max_args = 1;
	cfg->feed.hide_args = cfg->feed.max_args == 0;
	/* -N and -L repeat a word around {} per value, as -X (GNU). */
	if (strcmp(name, "-n") != 0 && strcmp(name, "--max-args") != 0 &&
	    strcmp(name, "--maxargs") != 0)
		cfg->per_job_context = true;
	if (lines) {
		cfg->opt_L = cfg->feed.max_args;
		cfg->has_L = true;
	} else {
		cfg->opt_N = cfg->feed.max_args;
		cfg->has_N = true;
	}
}

static void
set_max_chars(struct config *cfg, const char *arg, const char *name)
{
	cfg->feed.max_chars = parse_count(name, arg, LLONG_MAX);
	if (cfg->feed.max_chars == 0)
		usage_error("invalid %s value '0': too small", name);
}

static void
set_output(struct config *cfg, const char *arg, const char *name)
{
	(void)arg;
	cfg->output_set = true;
	if (strcmp(name, "-u") == 0 || strcmp(name, "--ungroup") == 0)
		cfg->output = COLLATE_UNGROUP;
	else if (strcmp(name, "--group") == 0)
		cfg->output = COLLATE_GROUP;
	else
		cfg->output = COLLATE_LINE;
}

static void
set_silent(struct config *cfg, const char *arg, const char *name)
{
	(void)arg;
	(void)name;
	cfg->verbose = cfg->trace = false;
}

static void
set_halt(struct config *cfg, const char *arg, const char *name)
{
	const char *errstr;

	if (halt_parse(&cfg->halt, arg, &errstr) == -1)
		usage_error("invalid %s value '%s': %s", name, arg, errstr);
}

static void
set_total_jobs(struct config *cfg, const char *arg, const char *name)
{
	cfg->feed.total_jobs = (unsigned long)parse_count(name, arg,
	    LONG_MAX);
}

static void
set_retries(struct config *cfg, const char *arg, const char *name)
{
	cfg->retries = parse_count(name, arg, 1000000);
}

static void
set_timeout(struct config *cfg, const char *arg, const char *name)
{
	size_t len = strlen(arg);
	char *num;

	if (len > 1 && arg[len - 1] == '%') {
		num = xmemdup(arg, len - 1);
		cfg->timeout_pct = parse_scaled(name, num, false);
		free(num);
		cfg->timeout = 0;
		return;
	}
	cfg->timeout = parse_scaled(name, arg, true);
	cfg->timeout_pct = 0;
	if (cfg->timeout == 0)
		usage_error("invalid %s value '%s': must be more than 0", name,
		    arg);
}

static void
set_delay(struct config *cfg, const char *arg, const char *name)
{
	if (strstr(name, "ssh") != NULL)
		cfg->ssh_delay = parse_scaled(name, arg, true);
	else {
		cfg->delay = parse_scaled(name, arg, true);
		cfg->delay_set = true;
	}
}

/*
 * --limit: GNU's three builtins, "io N" (a disk's % busy), "load N" and
 * "mem SIZE", measured here without their scripts; anything else is a
 * shell command.
 */
static void
set_limit(struct config *cfg, const char *arg, const char *name)
{
	static const struct {
		const char	*word;
		enum pace_limit	 kind;
	} builtins[] = {
		{ "io", PACE_LIMIT_IO },
		{ "load", PACE_LIMIT_LOAD },
		{ "mem", PACE_LIMIT_MEM },
	};
	const char *rest;
	char value[64];
	size_t i, n;

	cfg->limit = PACE_LIMIT_CMD;
	cfg->limit_cmd = arg;
	arg += strspn(arg, " \t");
	n = strcspn(arg, " \t");
	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		if (strlen(builtins[i].word) != n ||
		    strncmp(arg, builtins[i].word, n) != 0)
			continue;
		rest = arg + n + strspn(arg + n, " \t");
		n = strcspn(rest, " \t");
		if (n == 0 || n >= sizeof(value) ||
		    rest[n + strspn(rest + n, " \t")] != '\0')
			usage_error("invalid %s value '%s': '%s' takes one "
			    "number", name, cfg->limit_cmd, builtins[i].word);
		memcpy(value, rest, n);
		value[n] = '\0';
		cfg->limit = builtins[i].kind;
		cfg->limit_value = parse_scaled(name, value, false);
	}
}

/* -v, and -vv: how many times. */
static void
set_verbose(struct config *cfg, const char *arg, const char *name)
{
	(void)arg;
	(void)name;
	cfg->verbose = true;
	cfg->verbosity++;
}

/* As GNU: whole seconds, at least one. */
static void
set_block_timeout(struct config *cfg, const char *arg, const char *name)
{
	cfg->blk.timeout = floor(parse_scaled(name, arg, true));
	if (cfg->blk.timeout < 1)
		usage_error("invalid %s value '%s': at least 1 second", name,
		    arg);
}

static void
set_nice(struct config *cfg, const char *arg, const char *name)
{
	const char *errstr;

	cfg->nice = (int)strtonum(arg, -20, 19, &errstr);
	if (errstr != NULL)
		usage_error("invalid %s value '%s': %s", name, arg, errstr);
	cfg->has_nice = true;
}

static void
set_memfree(struct config *cfg, const char *arg, const char *name)
{
	cfg->memfree = (unsigned long long)parse_scaled(name, arg, false);
}

static void
set_memsuspend(struct config *cfg, const char *arg, const char *name)
{
	cfg->memsuspend = (unsigned long long)parse_scaled(name, arg, false);
}

static void
set_load(struct config *cfg, const char *arg, const char *name)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || v <= 0 || !isfinite(v) ||
	    (*end != '\0' && strcmp(end, "%") != 0))
		usage_error("invalid %s value '%s': not a number", name, arg);
	cfg->max_load = *end == '%' ? v * usable_cpus() / 100 : v;
}

static void
set_pipepart(struct config *cfg, const char *arg, const char *name)
{
	(void)arg;
	(void)name;
	cfg->pipe = cfg->pipepart = true;
}

static void
set_block(struct config *cfg, const char *arg, const char *name)
{
	cfg->block = arg[0] == '-' ? -parse_scaled(name, arg + 1, false) :
	    parse_scaled(name, arg, false);
	if (cfg->block == 0)
		usage_error("invalid %s value '%s': 0", name, arg);
}

static void
set_min_version(struct config *cfg, const char *arg, const char *name)
{
	(void)cfg;
	/* parx speaks GNU parallel 20221122's language, and says so. */
	printf("20221122\n");
	fflush(stdout);
	if (parse_count(name, arg, LLONG_MAX) > 20221122) {
		fprintf(stderr, "%s: %s asks for GNU parallel %s; parx follows "
		    "20221122\n", getprogname(), name, arg);
		exit(EXIT_ERROR);
	}
	exit(EXIT_ALL_OK);
}

/* --number-of-*, --max-line-length-allowed: main() prints the number. */
static void
set_report(struct config *cfg, const char *arg, const char *name)
{
	(void)arg;
	if (strstr(name, "sockets") != NULL)
		cfg->report = REPORT_SOCKETS;
	else if (strstr(name, "threads") != NULL)
		cfg->report = REPORT_THREADS;
	else if (strstr(name, "line") != NULL)
		cfg->report = REPORT_LINE_LENGTH;
	else if (strstr(name, "env") != NULL)
		cfg->report = REPORT_RECORD_ENV;
	else
		cfg->report = REPORT_CORES;	/* --number-of-cpus too */
}

static void
set_progress(struct config *cfg, const char *arg, const char *name)
{
	(void)arg;
	cfg->progress |= strcmp(name, "--bar") == 0 ? PROGRESS_BAR :
	    strcmp(name, "--eta") == 0 ? PROGRESS_ETA : PROGRESS_JOBS;
}

static void
set_cpu_basis(struct config *cfg, const char *arg, const char *name)
{
	(void)arg;
	cfg->cpu_basis = strstr(name, "sockets") != NULL ? REPORT_SOCKETS :
	    REPORT_CORES;
}

/* The semaphore's options, each of which means --semaphore, as in GNU. */
static void
set_sem(struct config *cfg, const char *arg, const char *name)
{
	cfg->semaphore = true;
	if (strcmp(name, "--fg") == 0)
		cfg->sem_fg = true;
	else if (strcmp(name, "--bg") == 0)
		cfg->sem_fg = false;
	else if (strcmp(name, "--wait") == 0)
		cfg->sem_wait = true;
	else
		cfg->sem_id = arg;
}

/* --st SECS: a duration, negative to give up rather than go ahead. */
static void
set_sem_timeout(struct config *cfg, const char *arg, const char *name)
{
	char *end;

	cfg->semaphore = true;
	errno = 0;
	cfg->sem_timeout = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' ||
	    !isfinite(cfg->sem_timeout))
		usage_error("invalid %s value '%s': not a number of seconds",
		    name, arg);
}

/* --ctag, --ctagstring: --tag, --tagstring, coloured at a terminal. */
static void
set_ctag(struct config *cfg, const char *arg, const char *name)
{
	(void)name;
	if (arg != NULL)
		cfg->tagstring = arg;
	else
		cfg->tag = true;
	cfg->ctag = true;
}

/* --plain and -J: options_profiles() has acted on them already. */
static void
set_read_before(struct config *cfg, const char *arg, const char *name)
{
	(void)cfg;
	(void)arg;
	(void)name;
}

static void	help(const char *arg);
static void	completion(const char *shell);

static void
set_help(struct config *cfg, const char *arg, const char *name)
{
	(void)cfg;
	(void)name;
	help(arg);
}

static void
set_version(struct config *cfg, const char *arg, const char *name)
{
	(void)cfg;
	(void)arg;
	(void)name;
	printf("parx %s\n", PARX_VERSION);
	exit(EXIT_ALL_OK);
}

static void
set_completion(struct config *cfg, const char *arg, const char *name)
{
	(void)cfg;
	(void)name;
	completion(arg);
}

/* ---- the table ---- */

#define FLAG(n, sec, st, f, h) \
	{ n, ARG_NONE, NULL, sec, st, SET_TRUE, FIELD(f), NULL, h }
#define UNFLAG(n, sec, st, f, h) \
	{ n, ARG_NONE, NULL, sec, st, SET_FALSE, FIELD(f), NULL, h }
#define STRING(n, mv, sec, st, f, h) \
	{ n, ARG_REQUIRED, mv, sec, st, SET_STRING, FIELD(f), NULL, h }
#define FUNC(n, a, mv, sec, st, fn, h) \
	{ n, a, mv, sec, st, SET_FUNC, 0, fn, h }
#define IGNORED(n, a, mv, sec, h) \
	{ n, a, mv, sec, ST_IGNORED, SET_NOTHING, 0, NULL, h }
#define TODO(n, a, mv, sec, h) \
	{ n, a, mv, sec, ST_TODO, SET_NOTHING, 0, NULL, h }
#define DIFFERS(n, a, mv, sec, h) \
	{ n, a, mv, sec, ST_DIFFERS, SET_NOTHING, 0, NULL, h }
#define RETIRED(n, a, h) \
	{ n, a, NULL, SEC_MISC, ST_RETIRED, SET_NOTHING, 0, NULL, h }

static const struct row rows[] = {
	/* Input */
	FUNC("arg-file|argfile|a", ARG_REQUIRED, "FILE", SEC_INPUT, ST_BRIEF,
	    set_arg_file, "read inputs from FILE (repeatable)"),
	STRING("arg-file-sep|argfilesep", "SEP", SEC_INPUT, ST_PARX,
	    arg_file_sep, "use SEP instead of ::::"),
	STRING("arg-sep|argsep", "SEP", SEC_INPUT, ST_PARX, arg_sep,
	    "use SEP instead of :::"),
	FUNC("null|0", ARG_NONE, NULL, SEC_INPUT, ST_BRIEF, set_null,
	    "inputs end with a NUL byte, not a newline"),
	FUNC("delimiter|d", ARG_REQUIRED, "DELIM", SEC_INPUT, ST_BRIEF,
	    set_delim, "inputs end with DELIM (C escapes: \\t \\n \\0 \\xHH)"),
	FUNC("E", ARG_REQUIRED, "STR", SEC_INPUT, ST_PARX, set_eof,
	    "an input equal to STR ends its source"),
	FUNC("eof|e", ARG_OPTIONAL, "STR", SEC_INPUT, ST_PARX, set_eof,
	    "as -E (STR defaults to _)"),
	FLAG("no-run-if-empty|norunifempty|r", SEC_INPUT, ST_PARX,
	    in.skip_blank, "skip inputs of only blanks"),
	STRING("colsep|col-sep|C", "REGEX", SEC_INPUT, ST_BRIEF, in.colsep,
	    "split inputs into columns {1} {2} ... at REGEX"),
	FUNC("header", ARG_REQUIRED, "STR", SEC_INPUT, ST_BRIEF, set_header,
	    "the first input names the columns ({name})"),
	FUNC("trim", ARG_REQUIRED, "n|l|r|lr", SEC_INPUT, ST_PARX, set_trim,
	    "trim blanks from columns: left, right, both"),
	FLAG("link|xapply", SEC_INPUT, ST_PARX, in.link_all,
	    "pair the sources' values, do not combine them"),
	FLAG("shuf", SEC_INPUT, ST_PARX, in.shuffle,
	    "run the jobs in random order"),
	FLAG("csv", SEC_INPUT, ST_PARX, in.csv,
	    "inputs are CSV records: columns as {1} {2} ..."),
	FLAG("skip-first-line|skipfirstline", SEC_INPUT, ST_PARX,
	    in.skip_first, "drop the first value of the first source"),
	DIFFERS("linkinputsource|xapplyinputsource", ARG_REQUIRED, "N",
	    SEC_INPUT, "link input source N"),
	FUNC("max-line-length-allowed|maxlinelengthallowed", ARG_NONE, NULL,
	    SEC_INPUT, ST_PARX, set_report,
	    "print the longest command line allowed, and exit"),
	FLAG("show-limits|showlimits", SEC_INPUT, ST_PARX, show_limits,
	    "print the command line limits, then run"),

	/* Command and replacement strings */
	FUNC("I", ARG_REQUIRED, "STR", SEC_COMMAND, ST_PARX, set_replace,
	    "use STR instead of {}"),
	FUNC("replace|i", ARG_OPTIONAL, "STR", SEC_COMMAND, ST_PARX,
	    set_replace, "as -I (STR defaults to {})"),
	FUNC("extensionreplace|er|U", ARG_REQUIRED, "STR", SEC_COMMAND,
	    ST_PARX, set_er, "use STR instead of {.}"),
	FUNC("basenamereplace|bnr", ARG_REQUIRED, "STR", SEC_COMMAND,
	    ST_PARX, set_bnr, "use STR instead of {/}"),
	FUNC("dirnamereplace|dnr", ARG_REQUIRED, "STR", SEC_COMMAND, ST_PARX,
	    set_dnr, "use STR instead of {//}"),
	FUNC("basenameextensionreplace|bner", ARG_REQUIRED, "STR",
	    SEC_COMMAND, ST_PARX, set_bner, "use STR instead of {/.}"),
	FUNC("seqreplace", ARG_REQUIRED, "STR", SEC_COMMAND, ST_PARX,
	    set_seqr, "use STR instead of {#}"),
	FUNC("slotreplace", ARG_REQUIRED, "STR", SEC_COMMAND, ST_PARX,
	    set_slotr, "use STR instead of {%}"),
	FLAG("plus", SEC_COMMAND, ST_PARX, tpl.plus,
	    "also GNU's {..} {+.} {##} {:-x} {#re} {/re/s} ..."),
	FLAG("quote|q", SEC_COMMAND, ST_BRIEF, tpl.quote_words,
	    "quote each command word (no shell syntax)"),
	FUNC("max-args|maxargs|n", ARG_REQUIRED, "N", SEC_COMMAND, ST_BRIEF,
	    set_per_job, "at most N values per job"),
	FUNC("max-replace-args|maxreplaceargs|N", ARG_REQUIRED, "N",
	    SEC_COMMAND, ST_BRIEF, set_per_job,
	    "N values per job, as {1} .. {N}"),
	FUNC("L", ARG_REQUIRED, "N", SEC_COMMAND, ST_PARX, set_per_job,
	    "N input lines per job (--pipe: per record)"),
	FUNC("max-lines|maxlines|l", ARG_OPTIONAL, "N", SEC_COMMAND, ST_PARX,
	    set_per_job, "as -L (N defaults to 1)"),
	FUNC("m", ARG_NONE, NULL, SEC_COMMAND, ST_BRIEF, set_multi,
	    "as many values per job as fit"),
	FUNC("X", ARG_NONE, NULL, SEC_COMMAND, ST_BRIEF, set_multi,
	    "as -m, repeating the word around {}"),
	FUNC("xargs", ARG_NONE, NULL, SEC_COMMAND, ST_PARX, set_multi,
	    "as -m"),
	FUNC("max-chars|maxchars|s", ARG_REQUIRED, "N", SEC_COMMAND, ST_PARX,
	    set_max_chars, "command lines of at most N characters"),
	IGNORED("exit|x", ARG_NONE, NULL, SEC_COMMAND,
	    "stop on an input too long (parx always does)"),
	FUNC("env", ARG_REQUIRED, "VAR", SEC_COMMAND, ST_PARX, set_env,
	    "pass VAR to remote jobs (local ones get it anyway); _: all "
	    "not in ~/.parallel/ignored_vars (repeatable)"),
	FUNC("rpl", ARG_REQUIRED, "'TAG PERL'", SEC_COMMAND, ST_PARX,
	    set_user_rpl, "TAG means {= PERL =} (repeatable)"),
	STRING("parens", "PARENS", SEC_COMMAND, ST_PARX, tpl.parens,
	    "use PARENS instead of {==} around perl expressions"),
	FUNC("shell-quote|shellquote|shell_quote", ARG_NONE, NULL, SEC_COMMAND,
	    ST_PARX, set_shellquote,
	    "print each command line quoted for the shell, run nothing "
	    "(repeat to quote again)"),
	FUNC("shebang|hashbang", ARG_NONE, NULL, SEC_COMMAND, ST_PARX,
	    set_shebang, "#!/usr/bin/parx --shebang OPTIONS COMMAND: the "
	    "script's lines are the inputs (first argument only)"),
	FUNC("shebang-wrap|shebangwrap", ARG_NONE, NULL, SEC_COMMAND, ST_PARX,
	    set_shebang, "#!/usr/bin/parx --shebang-wrap OPTIONS INTERPRETER: "
	    "the script runs once per argument (first argument only)"),
	FUNC("template|tmpl", ARG_REQUIRED, "FILE=NAME", SEC_COMMAND, ST_PARX,
	    set_tmpl, "before each job, write FILE with its replacement "
	    "strings replaced to NAME (replaced too; repeatable)"),
	FUNC("record-env|recordenv", ARG_NONE, NULL, SEC_COMMAND, ST_PARX,
	    set_report, "write the names of the environment's variables to "
	    "~/.parallel/ignored_vars (for GNU's --env _), and exit"),
	IGNORED("session", ARG_NONE, NULL, SEC_COMMAND,
	    "for env_parx --session: this session's names are not sent"),
	DIFFERS("embed", ARG_NONE, NULL, SEC_COMMAND,
	    "embed GNU parallel in a shell script"),
	STRING("process-slot-var|processslotvar", "NAME", SEC_COMMAND, ST_PARX,
	    slot_var, "set NAME to the job's slot less one in its "
	    "environment"),

	/* Output */
	FUNC("group", ARG_NONE, NULL, SEC_OUTPUT, ST_PARX, set_output,
	    "write each job's output whole (the default)"),
	FLAG("keep-order|keeporder|k", SEC_OUTPUT, ST_BRIEF, keep_order,
	    "write the output in input order"),
	UNFLAG("no-keep-order|nokeeporder|nok|no-k", SEC_OUTPUT, ST_PARX,
	    keep_order, "undo -k"),
	FUNC("line-buffer|line-buffered|linebuffer|linebuffered|lb",
	    ARG_NONE, NULL, SEC_OUTPUT, ST_BRIEF, set_output,
	    "write whole lines as they come"),
	FUNC("ungroup|u", ARG_NONE, NULL, SEC_OUTPUT, ST_BRIEF, set_output,
	    "give the jobs parx's own output"),
	FLAG("tag", SEC_OUTPUT, ST_BRIEF, tag,
	    "put the inputs and a TAB before each output line"),
	STRING("tagstring|tag-string", "STR", SEC_OUTPUT, ST_PARX, tagstring,
	    "put STR and a TAB before each output line"),
	FLAG("files|output-as-files|outputasfiles", SEC_OUTPUT, ST_PARX,
	    files, "write the output to files and print their names"),
	STRING("results|result|res", "NAME", SEC_OUTPUT, ST_PARX, results,
	    "keep output in NAME (dir, .csv, .tsv, .json)"),
	FUNC("v", ARG_NONE, NULL, SEC_OUTPUT, ST_BRIEF, set_verbose,
	    "print each command on stdout before its output (-vv with "
	    "--dry-run --pipepart: how each part is read)"),
	FLAG("verbose|t", SEC_OUTPUT, ST_PARX, trace,
	    "print each command on stderr"),
	FUNC("silent", ARG_NONE, NULL, SEC_OUTPUT, ST_PARX, set_silent,
	    "print no commands (the default)"),
	FLAG("dry-run|dryrun|dr", SEC_OUTPUT, ST_BRIEF, dry_run,
	    "print the commands, run nothing"),
	FUNC("ctag", ARG_NONE, NULL, SEC_OUTPUT, ST_PARX, set_ctag,
	    "--tag, in a colour a job at a terminal"),
	FUNC("ctagstring|ctag-string", ARG_REQUIRED, "STR", SEC_OUTPUT,
	    ST_PARX, set_ctag, "--tagstring STR, in a colour a job at a terminal"),
	FLAG("color|colour", SEC_OUTPUT, ST_PARX, color,
	    "each job's output lines in a colour of their own"),
	FLAG("color-failed|colour-failed|colorfailed|colourfailed|color-fail|"
	    "colour-fail|colorfail|colourfail|cf", SEC_OUTPUT, ST_PARX,
	    color_failed, "failed jobs' output lines white on red"),
	DIFFERS("latest-line|latestline|ll", ARG_NONE, NULL, SEC_OUTPUT,
	    "show each job's latest line"),
	DIFFERS("compress", ARG_NONE, NULL, SEC_OUTPUT,
	    "compress temporary files"),
	DIFFERS("compress-program|use-compress-program|usecompressprogram|"
	    "compressprogram", ARG_REQUIRED, "PRG", SEC_OUTPUT,
	    "compress temporary files with PRG"),
	DIFFERS("decompress-program|use-decompress-program|"
	    "usedecompressprogram|decompressprogram", ARG_REQUIRED, "PRG",
	    SEC_OUTPUT, "decompress temporary files with PRG"),
	FUNC("bar", ARG_NONE, NULL, SEC_OUTPUT, ST_PARX, set_progress,
	    "show a progress bar on stderr"),
	FUNC("progress", ARG_NONE, NULL, SEC_OUTPUT, ST_PARX, set_progress,
	    "show progress, with the running jobs, on stderr"),
	FUNC("eta", ARG_NONE, NULL, SEC_OUTPUT, ST_PARX, set_progress,
	    "show progress with the estimated time left on stderr"),
	FUNC("total-jobs|totaljobs|total", ARG_REQUIRED, "N", SEC_OUTPUT,
	    ST_PARX, set_total_jobs,
	    "there are N jobs, for --bar, --eta, {##} and total_jobs(): "
	    "input is not read ahead to count them"),
	FLAG("tee", SEC_STREAM, ST_PARX, tee,
	    "with --pipe: every job gets all of the input; jobs come from "
	    ":::"),
	DIFFERS("tmux", ARG_NONE, NULL, SEC_OUTPUT, "run the jobs in tmux"),
	DIFFERS("tmux-pane|tmuxpane", ARG_NONE, NULL, SEC_OUTPUT,
	    "run the jobs in tmux panes"),

	/* Running jobs */
	STRING("jobs|j|max-procs|maxprocs|P", "N", SEC_JOBS, ST_BRIEF,
	    jobs_spec, "N jobs at once (+N, -N, N% of the CPUs)"),
	FUNC("delay", ARG_REQUIRED, "SECS", SEC_JOBS, ST_PARX, set_delay,
	    "wait SECS between job starts"),
	FUNC("nice", ARG_REQUIRED, "N", SEC_JOBS, ST_PARX, set_nice,
	    "run the jobs at niceness N"),
	FUNC("memfree", ARG_REQUIRED, "SIZE", SEC_JOBS, ST_PARX, set_memfree,
	    "start a job only with SIZE of memory available"),
	FUNC("load", ARG_REQUIRED, "N", SEC_JOBS, ST_PARX, set_load,
	    "start a job only while the load is below N"),
	STRING("tmpdir|tempdir", "DIR", SEC_JOBS, ST_PARX, tmpdir,
	    "temporary files go in DIR"),
	FUNC("limit", ARG_REQUIRED, "CMD", SEC_JOBS, ST_PARX, set_limit,
	    "start a job only when CMD exits 0 (1: not now, 2: and end the "
	    "youngest job); or 'io N', 'load N', 'mem SIZE'"),
	FUNC("memsuspend", ARG_REQUIRED, "SIZE", SEC_JOBS, ST_PARX,
	    set_memsuspend, "stop the newest jobs while less than 2*SIZE "
	    "memory is free (all but one under SIZE), continue them after"),
	FLAG("noswap", SEC_JOBS, ST_PARX, noswap,
	    "start no job while the machine is swapping"),
	FUNC("use-cores-instead-of-threads|usecoresinsteadofthreads|"
	    "use-cpus-instead-of-cores|usecpusinsteadofcores", ARG_NONE, NULL,
	    SEC_JOBS, ST_PARX, set_cpu_basis,
	    "-j counts physical cores, not CPU threads"),
	FUNC("use-sockets-instead-of-threads|usesocketsinsteadofthreads",
	    ARG_NONE, NULL, SEC_JOBS, ST_PARX, set_cpu_basis,
	    "-j counts CPU sockets, not CPU threads"),
	FLAG("tty", SEC_JOBS, ST_PARX, tty,
	    "as -o, one job at a time, ungrouped (unless given)"),
	FLAG("open-tty|o", SEC_JOBS, ST_PARX, open_tty,
	    "give the jobs the terminal as their stdin"),
	FLAG("interactive|p", SEC_JOBS, ST_PARX, interactive,
	    "ask on the terminal before running each job"),
	FLAG("semaphore", SEC_JOBS, ST_PARX, semaphore,
	    "work as sem: run the command when a slot is free"),
	FUNC("semaphore-name|semaphorename|id", ARG_REQUIRED, "NAME", SEC_JOBS,
	    ST_PARX, set_sem, "the semaphore's name (default: the terminal's)"),
	FUNC("semaphore-timeout|semaphoretimeout|st", ARG_REQUIRED, "SECS",
	    SEC_JOBS, ST_PARX, set_sem_timeout,
	    "take the slot anyway after SECS (negative: give up)"),
	FUNC("fg", ARG_NONE, NULL, SEC_JOBS, ST_PARX, set_sem,
	    "--semaphore: run in the foreground, with its exit status"),
	FUNC("bg", ARG_NONE, NULL, SEC_JOBS, ST_PARX, set_sem,
	    "--semaphore: run in the background (the default)"),
	FUNC("wait", ARG_NONE, NULL, SEC_JOBS, ST_PARX, set_sem,
	    "--semaphore: wait until the semaphore's commands are done"),

	/* Job control */
	FUNC("halt|halt-on-error|haltonerror", ARG_REQUIRED, "WHEN,WHY",
	    SEC_CONTROL, ST_BRIEF, set_halt,
	    "stop early: now|soon,fail|success|done=N[%]"),
	FUNC("retries", ARG_REQUIRED, "N", SEC_CONTROL, ST_PARX, set_retries,
	    "run a failed job up to N times"),
	FUNC("timeout", ARG_REQUIRED, "SECS|N%", SEC_CONTROL, ST_BRIEF,
	    set_timeout, "end a job that runs longer"),
	STRING("termseq|term-seq", "SIG,MS,...", SEC_CONTROL, ST_PARX,
	    termseq, "how a job is ended (TERM,200,...,KILL,25)"),
	STRING("joblog|jl", "FILE", SEC_CONTROL, ST_BRIEF, joblog,
	    "log each finished job in FILE (+FILE appends)"),
	FLAG("resume", SEC_CONTROL, ST_PARX, resume,
	    "skip the jobs --joblog has"),
	FLAG("resume-failed|resumefailed", SEC_CONTROL, ST_PARX,
	    resume_failed, "skip the jobs --joblog has as succeeded"),
	FLAG("retry-failed|retryfailed", SEC_CONTROL, ST_PARX, retry_failed,
	    "run the failed commands of --joblog again"),
	IGNORED("ctrl-c|ctrlc", ARG_NONE, NULL, SEC_CONTROL,
	    "retired by GNU; Ctrl-C always ends jobs"),
	IGNORED("no-ctrl-c|no-ctrlc|noctrlc", ARG_NONE, NULL, SEC_CONTROL,
	    "retired by GNU; Ctrl-C always ends jobs"),

	/* Streaming */
	FLAG("pipe|spreadstdin", SEC_STREAM, ST_BRIEF, pipe,
	    "cut stdin into blocks, one per job's stdin"),
	FUNC("pipepart|pipe-part", ARG_NONE, NULL, SEC_STREAM, ST_PARX,
	    set_pipepart, "as --pipe, each job reading its part of -a FILE"),
	FUNC("block|block-size|blocksize", ARG_REQUIRED, "SIZE", SEC_STREAM,
	    ST_PARX, set_block, "blocks of about SIZE (-N: N per slot)"),
	STRING("recend", "STR", SEC_STREAM, ST_PARX, blk.recend,
	    "records end with STR (default \\n)"),
	STRING("recstart", "STR", SEC_STREAM, ST_PARX, blk.recstart,
	    "records start with STR"),
	FLAG("regexp|regex", SEC_STREAM, ST_PARX, blk.regexp,
	    "--recend and --recstart are regexes"),
	FLAG("round-robin|roundrobin|round", SEC_STREAM, ST_PARX, round_robin,
	    "one job per slot takes all the blocks"),
	FLAG("cat", SEC_STREAM, ST_PARX, cat,
	    "the block is in a file named {}"),
	FLAG("fifo", SEC_STREAM, ST_PARX, fifo,
	    "the block comes through a FIFO named {}"),
	FUNC("block-timeout|blocktimeout|bt", ARG_REQUIRED, "SECS",
	    SEC_STREAM, ST_PARX, set_block_timeout,
	    "a block is the whole records read within SECS"),
	FLAG("remove-rec-sep|removerecsep|rrs", SEC_STREAM, ST_PARX,
	    blk.remove_sep, "remove the record separators from each block"),
	FUNC("filter", ARG_REQUIRED, "CODE", SEC_COMMAND, ST_PARX, set_filter,
	    "run only the jobs for which the perl CODE, replacement strings "
	    "filled in, is true (repeatable)"),
	STRING("group-by|groupby", "EXPR", SEC_STREAM, ST_PARX, blk.group_by,
	    "with --pipe: a record is a run of lines with the same key "
	    "(a column, a column and perl code, or perl code on the line)"),
	STRING("shard", "EXPR", SEC_STREAM, ST_PARX, shard,
	    "with --pipe: one job per slot, a line going to the job its key "
	    "(a column, perl code may change it) hashes to"),
	STRING("bin", "EXPR", SEC_STREAM, ST_PARX, bin,
	    "with --pipe: one job per slot, a line going to job key % slots "
	    "(a column, perl code may change it)"),

	/* Remote hosts */
	FUNC("sshlogin|S", ARG_REQUIRED, "LOGINS", SEC_REMOTE, ST_PARX,
	    set_sshlogin, "run jobs on [@GROUPS/][N/]LOGIN,... over ssh (':' is "
	    "here; repeatable)"),
	FUNC("sshloginfile|slf", ARG_REQUIRED, "FILE", SEC_REMOTE, ST_PARX,
	    set_sshlogin, "run jobs on the logins in FILE, one a line "
	    "(repeatable)"),
	STRING("ssh", "CMD", SEC_REMOTE, ST_PARX, ssh,
	    "use CMD, with its options, as ssh"),
	IGNORED("controlmaster|M", ARG_NONE, NULL, SEC_REMOTE,
	    "share one ssh connection a host (parx always does)"),
	FUNC("ssh-delay|sshdelay", ARG_REQUIRED, "SECS", SEC_REMOTE, ST_PARX,
	    set_delay, "wait SECS between ssh starts (--delay's default)"),
	IGNORED("filter-hosts|filterhosts|filter-host", ARG_NONE, NULL,
	    SEC_REMOTE, "drop hosts that are down (parx always does)"),
	FLAG("hostgroups|hgrp|hostgrp|hostgroup", SEC_REMOTE, ST_PARX,
	    hostgroups, "a value's @GROUPS (taken off it) says which host "
	    "groups its job may run in"),
	FLAG("onall", SEC_REMOTE, ST_PARX, onall,
	    "run every job on every host, one at a time there"),
	FLAG("nonall", SEC_REMOTE, ST_PARX, nonall,
	    "run the command on every host"),
	FUNC("transfer", ARG_NONE, NULL, SEC_REMOTE, ST_PARX, set_transfer,
	    "send {} to the host before the job"),
	FUNC("transferfile|transfer-file|transfer-files|transferfiles|tf",
	    ARG_REQUIRED, "FILE", SEC_REMOTE, ST_PARX, set_transfer,
	    "send FILE (replacement strings work) to the host before the "
	    "job (repeatable)"),
	FUNC("return", ARG_REQUIRED, "FILE", SEC_REMOTE, ST_PARX, set_transfer,
	    "fetch FILE (replacement strings work) from the host after the "
	    "job (repeatable)"),
	FLAG("cleanup", SEC_REMOTE, ST_PARX, tmpl_cleanup,
	    "after each job, remove its --tmpl files, and on its host what "
	    "parx sent and fetched"),
	FUNC("trc", ARG_REQUIRED, "FILE", SEC_REMOTE, ST_PARX, set_transfer,
	    "--transfer --return FILE --cleanup"),
	FUNC("basefile|bf", ARG_REQUIRED, "FILE", SEC_REMOTE, ST_PARX,
	    set_transfer, "send FILE to each host before its first job "
	    "(repeatable)"),
	STRING("workdir|work-dir|wd", "DIR", SEC_COMMAND, ST_PARX, workdir,
	    "run each job in DIR (replacement strings work; made if "
	    "missing; ...: a directory of its own, removed after)"),
	IGNORED("rsync-opts|rsyncopts", ARG_REQUIRED, "OPTS", SEC_REMOTE,
	    "options for rsync (parx sends files without it)"),
	DIFFERS("sql-master|sqlmaster", ARG_REQUIRED, "DBURL", SEC_REMOTE,
	    "submit jobs to a database"),
	DIFFERS("sql-worker|sqlworker", ARG_REQUIRED, "DBURL", SEC_REMOTE,
	    "run jobs from a database"),
	DIFFERS("sql-and-worker|sqlandworker", ARG_REQUIRED, "DBURL", SEC_REMOTE,
	    "--sql-master and --sql-worker"),

	/* Miscellaneous */
	FUNC("help|h", ARG_OPTIONAL, "SECTION", SEC_MISC, ST_BRIEF, set_help,
	    "this help (all: every option)"),
	FUNC("version|V", ARG_NONE, NULL, SEC_MISC, ST_BRIEF, set_version,
	    "print parx's version"),
	FUNC("shell-completion|shellcompletion", ARG_REQUIRED, "SHELL",
	    SEC_MISC, ST_PARX, set_completion,
	    "print the completion script for bash, zsh or fish"),
	FUNC("minversion|min-version", ARG_REQUIRED, "VERSION", SEC_MISC,
	    ST_PARX, set_min_version,
	    "exit 0 if parx follows GNU VERSION or older"),
	IGNORED("will-cite|willcite|nn|nonotice|no-notice", ARG_NONE, NULL,
	    SEC_MISC, "parx prints no citation notice"),
	IGNORED("gnu", ARG_NONE, NULL, SEC_MISC,
	    "behave like GNU parallel (parx does)"),
	FUNC("plain", ARG_NONE, NULL, SEC_MISC, ST_PARX, set_read_before,
	    "ignore config files, profiles and $PARALLEL"),
	FUNC("profile|J", ARG_REQUIRED, "NAME", SEC_MISC, ST_PARX,
	    set_read_before, "read options from ~/.parallel/NAME (repeatable)"),
	FUNC("number-of-cpus|numberofcpus", ARG_NONE, NULL, SEC_MISC, ST_PARX,
	    set_report, "print the number of physical cores (as GNU), and exit"),
	FUNC("number-of-cores|numberofcores", ARG_NONE, NULL, SEC_MISC,
	    ST_PARX, set_report, "print the number of physical cores, and exit"),
	FUNC("number-of-threads|numberofthreads", ARG_NONE, NULL, SEC_MISC,
	    ST_PARX, set_report, "print the number of CPU threads, and exit"),
	FUNC("number-of-sockets|numberofsockets", ARG_NONE, NULL, SEC_MISC,
	    ST_PARX, set_report, "print the number of CPU sockets, and exit"),
	DIFFERS("bug", ARG_NONE, NULL, SEC_MISC, "report a bug"),
	DIFFERS("debug|D", ARG_REQUIRED, "WHAT", SEC_MISC, "print debugging"),
	RETIRED("g", ARG_NONE, "use --group"),
	RETIRED("B", ARG_REQUIRED, "use --bf"),
	RETIRED("T", ARG_NONE, "use --tty"),
	RETIRED("W", ARG_REQUIRED, "use --wd"),
	RETIRED("Y", ARG_NONE, "use --shebang"),
	RETIRED("H", ARG_REQUIRED, "use --halt"),
	RETIRED("sql", ARG_REQUIRED, "use --sql-master"),
	RETIRED("tollef", ARG_NONE, "no replacement"),
};

#define NROWS	(sizeof(rows) / sizeof(rows[0]))

/* ---- names ---- */

/* Name k (from 0) of row r into buf, or false past the last. */
static bool
row_name(const struct row *r, size_t k, char *buf, size_t len)
{
	const char *p = r->names, *bar;

	while (k-- > 0) {
		if ((p = strchr(p, '|')) == NULL)
			return false;
		p++;
	}
	bar = strchr(p, '|');
	snprintf(buf, len, "%.*s", (int)(bar != NULL ? bar - p :
	    (ptrdiff_t)strlen(p)), p);
	return true;
}

/* The name as typed: -x or --long. */
static void
dashed(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", name[1] == '\0' ? "-" : "--", name);
}

/* The row's own name, dashed: how messages and --help call it. */
static const char *
canonical(const struct row *r)
{
	static char buf[2][80];
	static int turn;
	char name[64];

	turn ^= 1;
	row_name(r, 0, name, sizeof(name));
	dashed(name, buf[turn], sizeof(buf[turn]));
	return buf[turn];
}

/* ---- parsing ---- */

/*
 * getopt_long's arrays from the table: every long name becomes an option
 * whose val is 256 plus its row; one-letter names go in the short string.
 */
static void
build_getopt(struct option **longs, char **shorts)
{
	size_t r, k, n = 0, cap = 64, slen = 2;
	char name[64], *s;

	*longs = xreallocarray(NULL, cap, sizeof(**longs));
	s = xmalloc(3 * NROWS + 4);
	strlcpy(s, "+:", 3);
	for (r = 0; r < NROWS; r++)
		for (k = 0; row_name(&rows[r], k, name, sizeof(name)); k++) {
			if (name[1] == '\0') {
				s[slen++] = name[0];
				if (rows[r].arg != ARG_NONE)
					s[slen++] = ':';
				if (rows[r].arg == ARG_OPTIONAL)
					s[slen++] = ':';
				continue;
			}
			if (n + 1 >= cap) {
				cap *= 2;
				*longs = xreallocarray(*longs, cap,
				    sizeof(**longs));
			}
			(*longs)[n].name = xstrdup(name);
			(*longs)[n].has_arg = rows[r].arg == ARG_NONE ?
			    no_argument : rows[r].arg == ARG_REQUIRED ?
			    required_argument : optional_argument;
			(*longs)[n].flag = NULL;
			(*longs)[n].val = 256 + (int)r;
			n++;
		}
	s[slen] = '\0';
	memset(&(*longs)[n], 0, sizeof(**longs));
	*shorts = s;
}

static void
free_getopt(struct option *longs, char *shorts)
{
	size_t i;

	for (i = 0; longs[i].name != NULL; i++)
		free((char *)longs[i].name);
	free(longs);
	free(shorts);
}

/* The row of short option c. */
static const struct row *
short_row(int c)
{
	size_t r, k;
	char name[64];

	for (r = 0; r < NROWS; r++)
		for (k = 0; row_name(&rows[r], k, name, sizeof(name)); k++)
			if (name[0] == c && name[1] == '\0')
				return &rows[r];
	return NULL;
}

static void
apply(struct config *cfg, const struct row *r, const char *arg,
    const char *typed)
{
	switch (r->status) {
	case ST_TODO:
		usage_error("%s is a GNU parallel option parx does not support "
		    "yet", typed);
	case ST_DIFFERS:
		usage_error("%s is a GNU parallel option parx does not "
		    "support: see DIFFERENCES FROM GNU PARALLEL in parx(1)",
		    typed);
	case ST_RETIRED:
		usage_error("%s was retired from GNU parallel: %s", typed,
		    r->help);
	default:
		break;
	}
	switch (r->store) {
	case SET_TRUE:
		*(bool *)((char *)cfg + r->off) = true;
		break;
	case SET_FALSE:
		*(bool *)((char *)cfg + r->off) = false;
		break;
	case SET_STRING:
		*(const char **)((char *)cfg + r->off) = arg;
		break;
	case SET_FUNC:
		r->set(cfg, arg, typed);
		break;
	case SET_NOTHING:
		break;
	}
}

static void	parse_operands(struct config *, int, char **);

/* An option getopt did not take: unknown, or the start of several. */
static void
unknown(const struct option *longs, const char *typed)
{
	char list[256] = "";
	const char *eq;
	size_t i, n = 0, len;

	if (strncmp(typed, "--", 2) != 0 || typed[2] == '\0') {
		if (optopt != 0)
			usage_error("unknown option '-%c'", optopt);
		usage_error("unknown option '%s'", typed);
	}
	eq = strchr(typed, '=');
	len = (eq != NULL ? (size_t)(eq - typed) : strlen(typed)) - 2;
	for (i = 0; longs[i].name != NULL; i++)
		if (strncmp(longs[i].name, typed + 2, len) == 0) {
			if (n++ > 0)
				strlcat(list, ", ", sizeof(list));
			strlcat(list, "--", sizeof(list));
			strlcat(list, longs[i].name, sizeof(list));
		}
	if (n > 1)
		usage_error("ambiguous option '%.*s': %s", (int)len + 2, typed,
		    list);
	usage_error("unknown option '%s'", typed);
}

void
options_profiles(int argc, char **argv, const char ***profiles, size_t *n,
    bool *plain)
{
	struct option *longs;
	const struct row *r;
	char *shorts;
	int c, idx;

	*profiles = NULL;
	*n = 0;
	*plain = false;
	build_getopt(&longs, &shorts);
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, &idx)) != -1) {
		if (c == '?' || c == ':')
			continue;	/* options_parse() will say so */
		r = c >= 256 ? &rows[c - 256] : short_row(c);
		if (r->set != set_read_before)
			continue;
		if (optarg == NULL) {
			*plain = true;
			continue;
		}
		*profiles = xreallocarray(*profiles, *n + 1, sizeof(**profiles));
		(*profiles)[(*n)++] = optarg;
	}
	free_getopt(longs, shorts);
	optind = 0;
}

void
options_parse(struct config *cfg, int argc, char **argv,
    const char *const *origin)
{
	struct option *longs;
	const struct row *r;
	char *shorts, typed[80];
	const char *arg;
	int c, idx, at;

	memset(cfg, 0, sizeof(*cfg));
	cfg->arg_sep = ":::";
	cfg->arg_file_sep = "::::";
	cfg->output = COLLATE_GROUP;
	cfg->cpu_basis = REPORT_THREADS;
	build_getopt(&longs, &shorts);
	opterr = 0;
	optind = 0;
	/*
	 * optind is the word getopt is in (a bundle of short options keeps
	 * it there until its last one), so the word before the call is the
	 * option's.
	 */
	for (;;) {
		at = optind > 0 ? optind : 1;
		error_origin = origin != NULL && at < argc ? origin[at] : NULL;
		if ((c = getopt_long(argc, argv, shorts, longs, &idx)) == -1)
			break;
		if (c == ':')
			usage_error("option '%s' needs a value",
			    argv[optind - 1]);
		if (c == '?')
			unknown(longs, argv[optind - 1]);
		if (c >= 256) {
			r = &rows[c - 256];
			dashed(longs[idx].name, typed, sizeof(typed));
		} else {
			r = short_row(c);
			snprintf(typed, sizeof(typed), "-%c", c);
		}
		arg = optarg;
		/*
		 * A value is not taken from the next place: "--timeout" at
		 * the end of a config line is missing its value, whatever
		 * word follows.
		 */
		if (arg != NULL && origin != NULL && optind - 1 > at &&
		    origin[optind - 1] != origin[at])
			usage_error("option '%s' needs a value", typed);
		/* --help SECTION: the section is the next word. */
		if (r->set == set_help && arg == NULL && optind < argc &&
		    argv[optind][0] != '-')
			arg = argv[optind++];
		apply(cfg, r, arg, typed);
	}
	error_origin = NULL;
	free_getopt(longs, shorts);
	parse_operands(cfg, argc - optind, argv + optind);
}

/* ---- operands: the command and its sources ---- */

enum sep_kind { SEP_NONE, SEP_ARGS, SEP_FILES };

static enum sep_kind
separator(const struct config *cfg, const char *w, bool *linked)
{
	size_t la = strlen(cfg->arg_sep), lf = strlen(cfg->arg_file_sep);

	*linked = false;
	if (strcmp(w, cfg->arg_sep) == 0)
		return SEP_ARGS;
	if (strcmp(w, cfg->arg_file_sep) == 0)
		return SEP_FILES;
	if (strncmp(w, cfg->arg_sep, la) == 0 && strcmp(w + la, "+") == 0) {
		*linked = true;
		return SEP_ARGS;
	}
	if (strncmp(w, cfg->arg_file_sep, lf) == 0 &&
	    strcmp(w + lf, "+") == 0) {
		*linked = true;
		return SEP_FILES;
	}
	return SEP_NONE;
}

static void
add_source(struct config *cfg, bool is_file, bool linked, char **args,
    size_t n)
{
	struct source_arg *s;

	cfg->sources = xreallocarray(cfg->sources, cfg->nsources + 1,
	    sizeof(*cfg->sources));
	s = &cfg->sources[cfg->nsources++];
	s->is_file = is_file;
	s->linked = linked;
	s->args = args;
	s->nargs = n;
}

/* Splits what follows the options into the command and the sources. */
static void
parse_operands(struct config *cfg, int argc, char **argv)
{
	enum sep_kind kind;
	bool linked;
	int i = 0, start;
	size_t k;

	while (i < argc && separator(cfg, argv[i], &linked) == SEP_NONE)
		i++;
	cfg->command = argv;
	cfg->ncommand = i;
	while (i < argc) {
		kind = separator(cfg, argv[i], &linked);
		start = ++i;
		while (i < argc && separator(cfg, argv[i], &(bool){false}) ==
		    SEP_NONE)
			i++;
		/*
		 * An empty ::: (a glob that matched nothing) is a source
		 * with no values: no job runs.  (GNU reads stdin instead.)
		 */
		if (i == start && kind != SEP_ARGS)
			usage_error("'%s' needs at least one file after it",
			    argv[start - 1]);
		if (kind == SEP_ARGS) {
			add_source(cfg, false, linked, argv + start, i - start);
			continue;
		}
		/* GNU: every file after ::::+ is linked, not the first. */
		for (k = 0; k < (size_t)(i - start); k++)
			add_source(cfg, true, linked, argv + start + k, 1);
	}
}

/* ---- --help ---- */

/* One row as --help shows it: names, metavar, help. */
static void
print_row(const struct row *r)
{
	char line[128], name[64], d[80];
	size_t k, len = 0;

	/* Short names first, then the canonical long one; no aliases. */
	line[0] = '\0';
	for (k = 0; row_name(r, k, name, sizeof(name)); k++) {
		if (name[1] != '\0')
			continue;
		dashed(name, d, sizeof(d));
		strlcat(line, len > 0 ? ", " : "  ", sizeof(line));
		len = strlcat(line, d, sizeof(line));
	}
	row_name(r, 0, name, sizeof(name));
	if (name[1] != '\0') {
		dashed(name, d, sizeof(d));
		strlcat(line, len > 0 ? ", " : "  ", sizeof(line));
		len = strlcat(line, d, sizeof(line));
	}
	if (r->metavar != NULL) {
		strlcat(line, r->arg == ARG_OPTIONAL ? "[=" : " ", sizeof(line));
		strlcat(line, r->metavar, sizeof(line));
		len = strlcat(line, r->arg == ARG_OPTIONAL ? "]" : "",
		    sizeof(line));
	}
	if (len >= 28)
		printf("%s\n%30s%s\n", line, "", r->help);
	else
		printf("%-30s%s\n", line, r->help);
}

static void
print_section(int sec, bool all)
{
	size_t r;
	bool title = false;

	for (r = 0; r < NROWS; r++) {
		if ((int)rows[r].section != sec ||
		    rows[r].status == ST_TODO || rows[r].status == ST_RETIRED ||
		    rows[r].status == ST_DIFFERS ||
		    (!all && rows[r].status != ST_BRIEF))
			continue;
		if (!title)
			printf("\n%s:\n", section_titles[sec]);
		title = true;
		print_row(&rows[r]);
	}
}

/* The GNU parallel options parx refuses, of one status, on a few lines. */
static void
print_refused(enum status status, const char *title)
{
	size_t r, col = 0;

	/* A list with nothing in it is left out, its title too. */
	for (r = 0; r < NROWS && rows[r].status != status; r++)
		;
	if (r == NROWS)
		return;
	printf("\n%s:\n", title);
	for (r = 0; r < NROWS; r++) {
		if (rows[r].status != status)
			continue;
		if (col + strlen(canonical(&rows[r])) + 1 > 76) {
			printf("\n");
			col = 0;
		}
		col += printf("%s%s", col > 0 ? " " : "  ",
		    canonical(&rows[r]));
	}
	printf("\n");
}

static void
help(const char *arg)
{
	int sec;

	printf(
"usage: parx [options] [command [args]] [::: values ...] [:::: files ...]\n"
"       command | parx [options] [command [args]]\n"
"\n"
"Runs command once per input, in parallel.  Replacement strings:\n"
"{} input, {.} no extension, {/} basename, {//} dirname, {/.} basename\n"
"without extension, {#} job number, {%%} slot, {N} column or value N.\n");
	if (arg == NULL) {
		for (sec = 0; sec < SEC_COUNT; sec++)
			print_section(sec, false);
		printf("\nSections for --help SECTION: ");
		for (sec = 0; sec < SEC_COUNT; sec++)
			printf("%s%s", section_names[sec],
			    sec + 1 < SEC_COUNT ? ", " : ".\n");
		printf("--help=all lists every option; parx(1) says more.\n");
		exit(EXIT_ALL_OK);
	}
	for (sec = 0; sec < SEC_COUNT; sec++)
		if (strcmp(arg, "all") == 0 ||
		    strcmp(arg, section_names[sec]) == 0)
			print_section(sec, true);
	if (strcmp(arg, "all") == 0) {
		print_refused(ST_TODO,
		    "GNU parallel options parx does not support yet");
		print_refused(ST_DIFFERS, "GNU parallel options parx does "
		    "not support (DIFFERENCES in parx(1) says why)");
	} else {
		for (sec = 0; sec < SEC_COUNT; sec++)
			if (strcmp(arg, section_names[sec]) == 0)
				break;
		if (sec == SEC_COUNT)
			usage_error("no --help section '%s'", arg);
	}
	exit(EXIT_ALL_OK);
}

/* ---- shell completion ---- */

/*
 * Help text inside the single quotes of a completion spec: zsh's quote is
 * '\'' and its spec brackets and colons are dropped; fish takes \' and \\.
 */
static void
print_quoted(const char *s, bool zsh)
{
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs(zsh ? "'\\''" : "\\'", stdout);
		else if (*s == '\\')
			fputs("\\\\", stdout);
		else if (!zsh || strchr("[]:", *s) == NULL)
			putchar(*s);
	}
}

static bool
completes(const struct row *r)
{
	return r->status == ST_PARX || r->status == ST_BRIEF ||
	    r->status == ST_IGNORED;
}

static void
completion_bash(void)
{
	size_t r, k;
	char name[64], d[80];

	printf("# bash completion for parx, made by parx --shell-completion "
	    "bash\n_parx()\n{\n\tlocal cur=${COMP_WORDS[COMP_CWORD]}\n"
	    "\tif [[ $cur == -* ]]; then\n\t\tCOMPREPLY=($(compgen -W \"");
	for (r = 0; r < NROWS; r++)
		for (k = 0; completes(&rows[r]) &&
		    row_name(&rows[r], k, name, sizeof(name)); k++) {
			dashed(name, d, sizeof(d));
			printf("%s ", d);
		}
	printf("\" -- \"$cur\"))\n\t\treturn\n\tfi\n"
	    "\tCOMPREPLY=($(compgen -c -- \"$cur\") "
	    "$(compgen -f -- \"$cur\"))\n}\n"
	    "complete -o filenames -F _parx parx\n");
}

static void
completion_zsh(void)
{
	size_t r, k;
	char name[64], d[80];

	printf("#compdef parx\n# zsh completion for parx, made by parx "
	    "--shell-completion zsh\n_arguments -s \\\n");
	for (r = 0; r < NROWS; r++)
		for (k = 0; completes(&rows[r]) &&
		    row_name(&rows[r], k, name, sizeof(name)); k++) {
			dashed(name, d, sizeof(d));
			printf("\t'%s%s[", d, rows[r].arg == ARG_NONE ||
			    name[1] == '\0' ? "" : "=");
			print_quoted(rows[r].help, true);
			printf("]");
			if (rows[r].arg == ARG_REQUIRED)
				printf(":%s:", rows[r].metavar);
			printf("' \\\n");
		}
	printf("\t'*:: :_normal'\n");
}

static void
completion_fish(void)
{
	char name[64], longs[256], shorts[16];
	size_t r, k;

	printf("# fish completion for parx, made by parx --shell-completion "
	    "fish\n");
	for (r = 0; r < NROWS; r++) {
		if (!completes(&rows[r]))
			continue;
		longs[0] = shorts[0] = '\0';
		for (k = 0; row_name(&rows[r], k, name, sizeof(name)); k++) {
			if (name[1] == '\0') {
				strlcat(shorts, " -s ", sizeof(shorts));
				strlcat(shorts, name, sizeof(shorts));
			} else {
				strlcat(longs, " -l ", sizeof(longs));
				strlcat(longs, name, sizeof(longs));
			}
		}
		printf("complete -c parx%s%s%s -d '", longs, shorts,
		    rows[r].arg == ARG_REQUIRED ? " -r" : "");
		print_quoted(rows[r].help, false);
		printf("'\n");
	}
}

static void
completion(const char *shell)
{
	if (strcmp(shell, "bash") == 0)
		completion_bash();
	else if (strcmp(shell, "zsh") == 0)
		completion_zsh();
	else if (strcmp(shell, "fish") == 0)
		completion_fish();
	else
		usage_error("no completion for shell '%s': use bash, zsh or "
		    "fish", shell);
	exit(fflush(stdout) == 0 ? EXIT_ALL_OK : EXIT_ERROR);
}
