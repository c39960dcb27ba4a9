/*
 * parx: run jobs in parallel, GNU parallel style.
 *
 * This file parses options into a struct config, wires lib together
 * (input -> template -> feed -> run) and turns the outcome into an exit
 * status.  It is the only code that prints diagnostics or exits.
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
#include <unistd.h>

#include "../lib/block.h"
#include "../lib/buf.h"
#include "../lib/fdio.h"
#include "../lib/feed.h"
#include "../lib/halt.h"
#include "../lib/input.h"
#include "../lib/joblog.h"
#include "../lib/quote.h"
#include "../lib/results.h"
#include "../lib/run.h"
#include "../lib/template.h"
#include "../lib/xmalloc.h"
#include "exitcode.h"

#define PARX_VERSION	"0.1.0"
#define HELD_OUTPUT_MAX	(8 * 1024 * 1024)
#define PACK_CHARS_DEFAULT (128 * 1024)

extern char **environ;

struct source_arg {
	bool	 is_file;
	bool	 linked;
	char	**args;		/* ::: values, or the file name in args[0] */
	size_t	 nargs;
};

struct config {
	const char		*jobs_spec;
	enum collate_mode	 output;
	bool			 keep_order;
	bool			 dry_run;
	bool			 verbose;
	bool			 trace;
	bool			 files;
	struct halt		 halt;
	unsigned		 retries;
	double			 timeout;
	double			 timeout_pct;
	const char		*termseq;
	double			 delay;
	int			 nice;
	bool			 has_nice;
	const char		*joblog;
	bool			 resume;
	bool			 resume_failed;
	bool			 retry_failed;
	const char		*results;
	unsigned long long	 memfree;
	double			 max_load;
	bool			 pipe;
	bool			 pipepart;
	double			 block;		/* --block; negative: per slot */
	bool			 cat;
	bool			 fifo;
	bool			 round_robin;
	const char		*header;
	size_t			 opt_N, opt_L;	/* -N, -L as given */
	bool			 has_N, has_L;
	struct block_opts	 blk;
	bool			 tag;
	const char		*tagstring;
	const char		*tmpdir;
	struct input_opts	 in;
	struct template_opts	 tpl;
	struct feed_opts	 feed;
	const char		*arg_sep;
	const char		*arg_file_sep;
	char			**arg_files;	/* -a, in order */
	size_t			 narg_files;
	char			**command;
	size_t			 ncommand;
	struct source_arg	*sources;
	size_t			 nsources;
};

enum {
	OPT_LINE_BUFFER = 256, OPT_GROUP, OPT_TAG, OPT_TAGSTRING, OPT_HEADER,
	OPT_TRIM, OPT_PLUS, OPT_BNR, OPT_DNR, OPT_BNER, OPT_SEQR, OPT_SLOTR,
	OPT_LINK, OPT_ARG_SEP, OPT_ARG_FILE_SEP, OPT_SHUF, OPT_TMPDIR,
	OPT_FILES, OPT_ENV, OPT_DRY_RUN, OPT_HELP, OPT_VERSION, OPT_HALT,
	OPT_RETRIES, OPT_TIMEOUT, OPT_TERMSEQ, OPT_DELAY, OPT_NICE,
	OPT_JOBLOG, OPT_RESUME, OPT_RESUME_FAILED, OPT_RETRY_FAILED,
	OPT_RESULTS, OPT_MEMFREE, OPT_LOAD, OPT_PIPE, OPT_PIPEPART,
	OPT_BLOCK, OPT_RECEND, OPT_RECSTART, OPT_CAT, OPT_REGEXP,
	OPT_ROUND_ROBIN, OPT_FIFO,
};

static const char short_opts[] = "+:0a:C:d:E:hI:j:kL:mn:N:qrs:tuU:vVX";

static const struct option long_opts[] = {
	{ "arg-file", required_argument, NULL, 'a' },
	{ "arg-file-sep", required_argument, NULL, OPT_ARG_FILE_SEP },
	{ "arg-sep", required_argument, NULL, OPT_ARG_SEP },
	{ "basenameextensionreplace", required_argument, NULL, OPT_BNER },
	{ "basenamereplace", required_argument, NULL, OPT_BNR },
	{ "bner", required_argument, NULL, OPT_BNER },
	{ "block", required_argument, NULL, OPT_BLOCK },
	{ "block-size", required_argument, NULL, OPT_BLOCK },
	{ "bnr", required_argument, NULL, OPT_BNR },
	{ "cat", no_argument, NULL, OPT_CAT },
	{ "colsep", required_argument, NULL, 'C' },
	{ "delay", required_argument, NULL, OPT_DELAY },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "dirnamereplace", required_argument, NULL, OPT_DNR },
	{ "dnr", required_argument, NULL, OPT_DNR },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "dryrun", no_argument, NULL, OPT_DRY_RUN },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "eof", required_argument, NULL, 'E' },
	{ "extensionreplace", required_argument, NULL, 'U' },
	{ "fifo", no_argument, NULL, OPT_FIFO },
	{ "files", no_argument, NULL, OPT_FILES },
	{ "group", no_argument, NULL, OPT_GROUP },
	{ "halt", required_argument, NULL, OPT_HALT },
	{ "halt-on-error", required_argument, NULL, OPT_HALT },
	{ "header", required_argument, NULL, OPT_HEADER },
	{ "help", no_argument, NULL, 'h' },
	{ "joblog", required_argument, NULL, OPT_JOBLOG },
	{ "jobs", required_argument, NULL, 'j' },
	{ "keep-order", no_argument, NULL, 'k' },
	{ "lb", no_argument, NULL, OPT_LINE_BUFFER },
	{ "line-buffer", no_argument, NULL, OPT_LINE_BUFFER },
	{ "link", no_argument, NULL, OPT_LINK },
	{ "load", required_argument, NULL, OPT_LOAD },
	{ "max-args", required_argument, NULL, 'n' },
	{ "max-chars", required_argument, NULL, 's' },
	{ "max-lines", required_argument, NULL, 'L' },
	{ "max-replace-args", required_argument, NULL, 'N' },
	{ "memfree", required_argument, NULL, OPT_MEMFREE },
	{ "nice", required_argument, NULL, OPT_NICE },
	{ "no-run-if-empty", no_argument, NULL, 'r' },
	{ "null", no_argument, NULL, '0' },
	{ "pipe", no_argument, NULL, OPT_PIPE },
	{ "pipepart", no_argument, NULL, OPT_PIPEPART },
	{ "plus", no_argument, NULL, OPT_PLUS },
	{ "quote", no_argument, NULL, 'q' },
	{ "recend", required_argument, NULL, OPT_RECEND },
	{ "recstart", required_argument, NULL, OPT_RECSTART },
	{ "regexp", no_argument, NULL, OPT_REGEXP },
	{ "replace", required_argument, NULL, 'I' },
	{ "res", required_argument, NULL, OPT_RESULTS },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "resume", no_argument, NULL, OPT_RESUME },
	{ "resume-failed", no_argument, NULL, OPT_RESUME_FAILED },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "retry-failed", no_argument, NULL, OPT_RETRY_FAILED },
	{ "round-robin", no_argument, NULL, OPT_ROUND_ROBIN },
	{ "seqreplace", required_argument, NULL, OPT_SEQR },
	{ "shuf", no_argument, NULL, OPT_SHUF },
	{ "slotreplace", required_argument, NULL, OPT_SLOTR },
	{ "tag", no_argument, NULL, OPT_TAG },
	{ "tagstring", required_argument, NULL, OPT_TAGSTRING },
	{ "term-seq", required_argument, NULL, OPT_TERMSEQ },
	{ "termseq", required_argument, NULL, OPT_TERMSEQ },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "tmpdir", required_argument, NULL, OPT_TMPDIR },
	{ "trim", required_argument, NULL, OPT_TRIM },
	{ "ungroup", no_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 't' },
	{ "version", no_argument, NULL, 'V' },
	{ "xapply", no_argument, NULL, OPT_LINK },
	{ "xargs", no_argument, NULL, 'm' },
	{ NULL, 0, NULL, 0 },
};

static void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", getprogname());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see '%s --help')\n", getprogname());
	exit(EXIT_ERROR);
}

static void
help(void)
{
	printf(
"usage: parx [options] [command [args]] [::: values ...] [:::: files ...]\n"
"       command | parx [options] [command [args]]\n"
"\n"
"Runs command once per input, in parallel.  Replacement strings in the\n"
"command: {} input, {.} without extension, {/} basename, {//} dirname,\n"
"{/.} basename without extension, {#} job number, {%%} slot, {N} column N.\n"
"\n"
"  -j N, -j +N, -j -N, -j N%%  jobs at once (default: online CPUs)\n"
"  -k, --keep-order           output in input order\n"
"  --tag, --tagstring STR     prefix output lines\n"
"  --line-buffer, -u          output by line, or ungrouped\n"
"  -0, -d DELIM, -a FILE      input separator, input file\n"
"  -n N, -N N, -m, -X         several inputs per job\n"
"  --colsep RE, --header :    split inputs into columns\n"
"  --dry-run, -v              print commands instead of / before running\n"
"  -q                         quote the command\n"
"\n"
"See parx(1) for everything else.\n");
	exit(EXIT_ALL_OK);
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

static unsigned long
online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned long)n : 1;
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

static unsigned long
parse_jobs(const char *s)
{
	unsigned long cpus = online_cpus(), n;
	const char *errstr;
	long long v;
	size_t len = strlen(s);
	char *num;

	if (len > 1 && s[len - 1] == '%') {
		num = xmemdup(s, len - 1);
		v = strtonum(num, 1, 100000, &errstr);
		free(num);
		if (errstr != NULL)
			usage_error("invalid -j value '%s': percentage %s", s,
			    errstr);
		n = cpus * v / 100;
		return n > 0 ? n : 1;
	}
	if (s[0] == '+' || s[0] == '-') {
		v = strtonum(s + 1, 0, 1000000, &errstr);
		if (errstr != NULL)
			usage_error("invalid -j value '%s': %s", s, errstr);
		if (s[0] == '+')
			return cpus + v;
		/* As GNU parallel: no slot left is an error, not one slot. */
		if ((long long)cpus <= v)
			usage_error("invalid -j value '%s': %lu CPUs less %lld "
			    "leaves no job slot", s, cpus, v);
		return cpus - v;
	}
	v = strtonum(s, 0, 1000000, &errstr);
	if (errstr != NULL)
		usage_error("invalid -j value '%s': not a number of jobs", s);
	return v == 0 ? max_jobs() : (unsigned long)v;
}

static int
parse_trim(const char *s)
{
	if (strcmp(s, "n") == 0)
		return 0;
	if (strcmp(s, "l") == 0)
		return INPUT_TRIM_LEFT;
	if (strcmp(s, "r") == 0)
		return INPUT_TRIM_RIGHT;
	if (strcmp(s, "lr") == 0 || strcmp(s, "rl") == 0)
		return INPUT_TRIM_LEFT | INPUT_TRIM_RIGHT;
	usage_error("invalid --trim value '%s': use n, l, r or lr", s);
	return 0;
}

/*
 * $PARALLEL holds default options, split like a shell would split plain
 * words and quoted strings.  They go before the command-line ones.
 */
static char **
with_env_options(int *argc, char **argv, char ***words_out)
{
	const char *env = getenv("PARALLEL");
	const char *err;
	char **words, **nargv;
	int n = 0, i, k = 0;

	if (env == NULL || *env == '\0')
		return argv;
	if ((words = quote_split_words(env, &err)) == NULL)
		errx(EXIT_ERROR, "cannot parse $PARALLEL: %s", err);
	while (words[n] != NULL)
		n++;
	nargv = xreallocarray(NULL, *argc + n + 1, sizeof(*nargv));
	nargv[k++] = argv[0];
	for (i = 0; i < n; i++)
		nargv[k++] = words[i];
	for (i = 1; i < *argc; i++)
		nargv[k++] = argv[i];
	nargv[k] = NULL;
	*words_out = words;	/* the strings nargv points into */
	*argc = k;
	return nargv;
}

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
		if (i == start)
			usage_error("'%s' needs at least one %s after it",
			    argv[start - 1], kind == SEP_ARGS ? "argument" :
			    "file");
		if (kind == SEP_ARGS) {
			add_source(cfg, false, linked, argv + start, i - start);
			continue;
		}
		for (k = 0; k < (size_t)(i - start); k++)
			add_source(cfg, true, linked && k == 0,
			    argv + start + k, 1);
	}
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
	return 0;
}

static double
parse_duration(const char *opt, const char *s)
{
	return parse_scaled(opt, s, true);
}

static unsigned long long
parse_size(const char *opt, const char *s)
{
	return (unsigned long long)parse_scaled(opt, s, false);
}

static double
parse_load(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v <= 0 || (*end != '\0' && strcmp(end, "%") != 0))
		usage_error("invalid --load value '%s': not a number", s);
	return *end == '%' ? v * online_cpus() / 100 : v;
}

static void
parse_timeout(struct config *cfg, const char *s)
{
	size_t len = strlen(s);
	char *num;

	if (len > 1 && s[len - 1] == '%') {
		num = xmemdup(s, len - 1);
		cfg->timeout_pct = parse_scaled("--timeout", num, false);
		free(num);
		cfg->timeout = 0;
		return;
	}
	cfg->timeout = parse_duration("--timeout", s);
	cfg->timeout_pct = 0;
	if (cfg->timeout == 0)
		usage_error("invalid --timeout value '%s': must be more than 0",
		    s);
}

static void
parse_options(struct config *cfg, int argc, char **argv)
{
	const char *errstr;
	int c, d;

	opterr = 0;
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL))
	    != -1) {
		switch (c) {
		case '0':
			cfg->in.delim = '\0';
			break;
		case 'a':
			cfg->arg_files = xreallocarray(cfg->arg_files,
			    cfg->narg_files + 1, sizeof(*cfg->arg_files));
			cfg->arg_files[cfg->narg_files++] = optarg;
			break;
		case 'C':
			cfg->in.colsep = optarg;
			break;
		case 'd':
			if ((d = input_parse_delim(optarg)) == -1)
				usage_error("invalid -d value '%s': not one "
				    "character", optarg);
			cfg->in.delim = d;
			break;
		case 'E':
			cfg->in.eofstr = optarg;
			break;
		case 'h':
			help();
			break;
		case 'I':
			cfg->tpl.rpl[TEMPLATE_RPL_ARG] = optarg;
			break;
		case 'j':
			cfg->jobs_spec = optarg;
			break;
		case 'k':
			cfg->keep_order = true;
			break;
		case 'L':
		case 'N':
		case 'n':
			cfg->feed.max_args = parse_count(c == 'n' ? "-n" :
			    c == 'N' ? "-N" : "-L", optarg, 1000000000);
			cfg->feed.hide_args = cfg->feed.max_args == 0;
			/* With --pipe they count records and lines. */
			if (c == 'L') {
				cfg->opt_L = cfg->feed.max_args;
				cfg->has_L = true;
			} else {
				cfg->opt_N = cfg->feed.max_args;
				cfg->has_N = true;
			}
			break;
		case 'X':
			cfg->tpl.context = true;
			/* FALLTHROUGH */
		case 'm':
			cfg->feed.multi = true;
			break;
		case 'q':
			cfg->tpl.quote_words = true;
			break;
		case 'r':
			cfg->in.skip_blank = true;
			break;
		case 's':
			cfg->feed.max_chars = parse_count("-s", optarg,
			    LLONG_MAX);
			if (cfg->feed.max_chars == 0)
				usage_error("invalid -s value '0': too small");
			break;
		case 'u':
			cfg->output = COLLATE_UNGROUP;
			break;
		case 'U':
			cfg->tpl.rpl[TEMPLATE_RPL_NOEXT] = optarg;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		case 't':
			cfg->trace = true;
			break;
		case OPT_HALT:
			if (halt_parse(&cfg->halt, optarg, &errstr) == -1)
				usage_error("invalid --halt value '%s': %s",
				    optarg, errstr);
			break;
		case OPT_RETRIES:
			cfg->retries = parse_count("--retries", optarg, 1000000);
			break;
		case OPT_TIMEOUT:
			parse_timeout(cfg, optarg);
			break;
		case OPT_TERMSEQ:
			cfg->termseq = optarg;
			break;
		case OPT_DELAY:
			cfg->delay = parse_duration("--delay", optarg);
			break;
		case OPT_NICE:
			cfg->nice = (int)strtonum(optarg, -20, 19, &errstr);
			if (errstr != NULL)
				usage_error("invalid --nice value '%s': %s",
				    optarg, errstr);
			cfg->has_nice = true;
			break;
		case OPT_JOBLOG:
			cfg->joblog = optarg;
			break;
		case OPT_RESUME:
			cfg->resume = true;
			break;
		case OPT_RESUME_FAILED:
			cfg->resume_failed = true;
			break;
		case OPT_RETRY_FAILED:
			cfg->retry_failed = true;
			break;
		case OPT_RESULTS:
			cfg->results = optarg;
			break;
		case OPT_MEMFREE:
			cfg->memfree = parse_size("--memfree", optarg);
			break;
		case OPT_LOAD:
			cfg->max_load = parse_load(optarg);
			break;
		case 'V':
			printf("parx %s\n", PARX_VERSION);
			exit(EXIT_ALL_OK);
		case OPT_LINE_BUFFER:
			cfg->output = COLLATE_LINE;
			break;
		case OPT_GROUP:
			cfg->output = COLLATE_GROUP;
			break;
		case OPT_TAG:
			cfg->tag = true;
			break;
		case OPT_TAGSTRING:
			cfg->tagstring = optarg;
			break;
		case OPT_HEADER:
			cfg->in.header = true;
			cfg->header = optarg;
			break;
		case OPT_PIPE:
			cfg->pipe = true;
			break;
		case OPT_PIPEPART:
			cfg->pipe = cfg->pipepart = true;
			break;
		case OPT_BLOCK:
			cfg->block = optarg[0] == '-' ?
			    -parse_scaled("--block", optarg + 1, false) :
			    parse_scaled("--block", optarg, false);
			if (cfg->block == 0)
				usage_error("invalid --block value '%s': 0",
				    optarg);
			break;
		case OPT_RECEND:
			cfg->blk.recend = optarg;
			break;
		case OPT_RECSTART:
			cfg->blk.recstart = optarg;
			break;
		case OPT_CAT:
			cfg->cat = true;
			break;
		case OPT_REGEXP:
			cfg->blk.regexp = true;
			break;
		case OPT_FIFO:
			cfg->fifo = true;
			break;
		case OPT_ROUND_ROBIN:
			cfg->round_robin = true;
			break;
		case OPT_TRIM:
			cfg->in.trim = parse_trim(optarg);
			break;
		case OPT_PLUS:
			cfg->tpl.plus = true;
			break;
		case OPT_BNR:
			cfg->tpl.rpl[TEMPLATE_RPL_BASE] = optarg;
			break;
		case OPT_DNR:
			cfg->tpl.rpl[TEMPLATE_RPL_DIR] = optarg;
			break;
		case OPT_BNER:
			cfg->tpl.rpl[TEMPLATE_RPL_BASENOEXT] = optarg;
			break;
		case OPT_SEQR:
			cfg->tpl.rpl[TEMPLATE_RPL_SEQ] = optarg;
			break;
		case OPT_SLOTR:
			cfg->tpl.rpl[TEMPLATE_RPL_SLOT] = optarg;
			break;
		case OPT_LINK:
			cfg->in.link_all = true;
			break;
		case OPT_ARG_SEP:
			cfg->arg_sep = optarg;
			break;
		case OPT_ARG_FILE_SEP:
			cfg->arg_file_sep = optarg;
			break;
		case OPT_SHUF:
			cfg->in.shuffle = true;
			break;
		case OPT_TMPDIR:
			cfg->tmpdir = optarg;
			break;
		case OPT_FILES:
			cfg->files = true;
			break;
		case OPT_ENV:
			/* Local jobs inherit the whole environment. */
			break;
		case OPT_DRY_RUN:
			cfg->dry_run = true;
			break;
		case ':':
			usage_error("option '%s' needs a value",
			    argv[optind - 1]);
			break;
		default:
			if (optopt != 0)
				usage_error("unknown option '-%c'", optopt);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	parse_operands(cfg, argc - optind, argv + optind);
}

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

/*
 * Why input seq could not be turned into a job (feed or input said -1).
 * A pattern that hit its match limit (re.h) shows as EOVERFLOW.
 */
static void
warn_input(struct input *in, unsigned long seq)
{
	if (errno == E2BIG)
		warnx("command line too long for input %lu", seq);
	else if (errno == EOVERFLOW)
		warnx("a --colsep or --plus pattern went over its match limit "
		    "at input %lu", seq);
	else
		warn("cannot read '%s'", in != NULL ? input_error_path(in) : "-");
}

static struct input *
open_input(struct config *cfg)
{
	struct input *in;
	const char *errstr;
	size_t i;

	if ((in = input_new(&cfg->in, &errstr)) == NULL)
		usage_error("invalid --colsep regular expression '%s': %s",
		    cfg->in.colsep, errstr);
	for (i = 0; i < cfg->narg_files; i++)
		if (input_add_file(in, cfg->arg_files[i], false) == -1)
			err(EXIT_ERROR, "cannot read '%s'",
			    input_error_path(in));
	for (i = 0; i < cfg->nsources; i++) {
		struct source_arg *s = &cfg->sources[i];

		if (!s->is_file) {
			input_add_args(in, s->args, s->nargs, s->linked);
			continue;
		}
		if (input_add_file(in, s->args[0], s->linked) == -1)
			err(EXIT_ERROR, "cannot read '%s'",
			    input_error_path(in));
	}
	if (input_source_count(in) == 0 &&
	    input_add_file(in, "-", false) == -1)
		err(EXIT_ERROR, "cannot read standard input");
	if (input_start(in) == -1) {
		warn_input(in, 1);
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

/* --pipe and --pipepart: where blocks come from. */
struct pipe_src {
	struct blocker	*blocker;	/* --pipe */
	int		 fd;		/* the file, or stdin */
	off_t		*starts;	/* --pipepart ranges */
	size_t		 nranges, next;
	char		*header;	/* --pipepart: repeated in each job */
	size_t		 header_len;
};

struct ctx {
	struct config		*cfg;
	struct pipe_src		 pipe;
	char			*run_dir;	/* --fifo's FIFOs, --cat's files */
	struct feed		*feed;
	struct input		*in;
	struct joblog		*joblog;
	struct joblog_done	*done;		/* --resume: skip these */
	struct joblog_entry	*retry;		/* --retry-failed */
	size_t			 nretry, next_retry;
	struct results		*results;
	unsigned long		 seq;
	unsigned long		 jobs;		/* slots */
	bool			 input_failed;
	bool			 joblog_failed;
	bool			 results_failed;
};

/*
 * --fifo, --cat: a private directory for the jobs' FIFOs and files, which
 * the run's sentinel removes if parx is killed.
 */
static char *
make_run_dir(const struct config *cfg)
{
	const char *dir = cfg->tmpdir != NULL ? cfg->tmpdir : "/tmp";
	struct buf b;

	buf_init(&b);
	buf_addstr(&b, dir);
	buf_addstr(&b, "/parx.XXXXXX");
	if (mkdtemp(b.data) == NULL) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* --fifo: a FIFO named {}, which run fills with the block. */
static int
make_fifo(struct ctx *ctx, char **path)
{
	struct buf b;
	char num[32];

	buf_init(&b);
	buf_addstr(&b, ctx->run_dir);
	snprintf(num, sizeof(num), "/%lu", ctx->seq + 1);
	buf_addstr(&b, num);
	if (mkfifo(b.data, 0600) == -1) {
		buf_release(&b);
		return -1;
	}
	*path = buf_detach(&b);
	return 0;
}

/* --cat: the block goes to a file whose name is {}. */
static int
block_to_file(struct ctx *ctx, char *data, size_t len, char **path)
{
	struct buf b;
	int fd;

	buf_init(&b);
	buf_addstr(&b, ctx->run_dir);
	buf_addstr(&b, "/cat.XXXXXX");
	if ((fd = mkostemp(b.data, O_CLOEXEC)) == -1) {
		buf_release(&b);
		return -1;
	}
	if (fdio_write_full(fd, data, len) == -1) {
		close(fd);
		unlink(b.data);
		buf_release(&b);
		return -1;
	}
	close(fd);
	*path = buf_detach(&b);
	return 0;
}

/* Why the next --pipe block could not be had. */
static void
warn_block(const struct ctx *ctx)
{
	if (errno == EOVERFLOW)
		warnx("the --recend or --recstart pattern went over its match "
		    "limit");
	else
		warn("cannot read '%s'", ctx->cfg->narg_files > 0 ?
		    ctx->cfg->arg_files[0] : "-");
}

/* --pipepart --cat: the header and part n, read for the job's file. */
static int
read_part(const struct pipe_src *p, size_t n, char **data, size_t *len)
{
	size_t want = (size_t)(p->starts[n + 1] - p->starts[n]), done = 0;
	ssize_t got;

	*len = p->header_len + want;
	*data = xmalloc(*len);
	if (p->header_len > 0)
		memcpy(*data, p->header, p->header_len);
	while (done < want) {
		got = fdio_pread(p->fd, *data + p->header_len + done,
		    want - done, p->starts[n] + (off_t)done);
		if (got <= 0) {
			if (got == 0)
				errno = EIO;	/* the file shrank */
			free(*data);
			return -1;
		}
		done += (size_t)got;
	}
	return 0;
}

/* The next --pipe or --pipepart job: its block goes to its stdin. */
static int
next_block_job(struct ctx *ctx, unsigned long slot, struct run_job *job)
{
	struct pipe_src *p = &ctx->pipe;
	char *data = NULL, *path = NULL;
	size_t len = 0, part = 0;
	int r;

	/* --round-robin: one long-lived job per slot, fed block after block. */
	if (ctx->cfg->round_robin && ctx->seq >= ctx->jobs)
		return 0;
	if (p->starts != NULL) {
		if (p->next == p->nranges)
			return 0;
		part = p->next++;
		if (ctx->cfg->cat && read_part(p, part, &data, &len) == -1) {
			warn_block(ctx);
			ctx->input_failed = true;
			return -1;
		}
	} else if ((r = blocker_next(p->blocker, &data, &len)) <= 0) {
		if (r == -1) {
			warn_block(ctx);
			ctx->input_failed = true;
		}
		return r;
	}
	if (ctx->cfg->cat && block_to_file(ctx, data, len, &path) == -1) {
		warn("cannot write a --cat file");
		free(data);
		ctx->input_failed = true;
		return -1;
	}
	if (ctx->cfg->fifo && make_fifo(ctx, &path) == -1) {
		warn("cannot make a --fifo");
		free(data);
		ctx->input_failed = true;
		return -1;
	}
	ctx->seq++;
	if (feed_make_job(ctx->feed, ctx->seq, slot, &path, path != NULL,
	    job) == -1) {
		warn_input(NULL, ctx->seq);
		ctx->input_failed = true;
		free(job->argv);
		free(job->cmd);
		free(job->tag);
		free(data);
		if (path != NULL)
			unlink(path);
		free(path);
		return -1;
	}
	if (path != NULL) {
		job->remove_path = path;
		job->in_fifo = ctx->cfg->fifo;
		if (ctx->cfg->cat) {
			free(data);
			return 1;
		}
	}
	if (p->starts != NULL) {
		if (p->header_len > 0)
			job->in_data = xmemdup(p->header, p->header_len);
		job->in_len = p->header_len;
		job->in_fd = p->fd;
		job->in_off = p->starts[part];
		job->in_file_len = (size_t)(p->starts[part + 1] -
		    p->starts[part]);
		return 1;
	}
	job->in_data = data;
	job->in_len = len;
	job->in_stream = ctx->cfg->round_robin;
	return 1;
}

/* --round-robin: the next block, for whichever job can take it. */
static int
next_input(void *arg, char **data, size_t *len)
{
	struct ctx *ctx = arg;
	int r;

	if ((r = blocker_next(ctx->pipe.blocker, data, len)) == -1) {
		warn_block(ctx);
		ctx->input_failed = true;
	}
	return r;
}

static int
next_job(void *arg, unsigned long slot, struct run_job *job)
{
	struct ctx *ctx = arg;
	char *const *fields;
	size_t nfields;
	int r;

	memset(job, 0, sizeof(*job));
	job->tee_fd[0] = job->tee_fd[1] = -1;
	if (ctx->cfg->pipe)
		return next_block_job(ctx, slot, job);
	if (ctx->retry != NULL || ctx->cfg->retry_failed) {
		/* --retry-failed: the failed commands of the log, as they were. */
		if (ctx->next_retry == ctx->nretry)
			return 0;
		job->seq = ctx->retry[ctx->next_retry].seq;
		job->cmd = xstrdup(ctx->retry[ctx->next_retry++].cmd);
		return 1;
	}
	for (;;) {
		ctx->seq++;
		r = feed_next(ctx->feed, ctx->seq, slot, job);
		if (r == -1) {
			warn_input(ctx->in, ctx->seq);
			ctx->input_failed = true;
		}
		if (r <= 0)
			return r;
		if (!joblog_done_has(ctx->done, ctx->seq))
			break;
		free(job->argv);
		free(job->cmd);
		free(job->tag);
		memset(job, 0, sizeof(*job));
	}
	job->seq = ctx->seq;
	job->tee_fd[0] = job->tee_fd[1] = -1;
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

static enum run_action
job_done(void *arg, const struct run_result *res)
{
	struct ctx *ctx = arg;
	enum halt_when h;

	if (res->spawn_errno != 0)
		warnx("cannot run job %lu: %s", res->seq,
		    strerror(res->spawn_errno));
	if (res->timed_out)
		warnx("job %lu timed out: %s", res->seq, res->cmd);
	if (ctx->joblog != NULL && joblog_write(ctx->joblog, res) == -1 &&
	    !ctx->joblog_failed) {
		warn("cannot write job log '%s'", ctx->cfg->joblog);
		ctx->joblog_failed = true;
	}
	if (ctx->results != NULL && results_job_done(ctx->results, res) == -1 &&
	    !ctx->results_failed) {
		warn("cannot write --results for job %lu", res->seq);
		ctx->results_failed = true;
	}
	if (res->killed && !res->timed_out)
		return RUN_CONTINUE;	/* we ended it: not its fault */
	h = halt_job_done(&ctx->cfg->halt, res->exit_code, res->signal);
	if (h == HALT_NEVER)
		return RUN_CONTINUE;
	warnx("halting (--halt %s): job %lu %s: %s",
	    h == HALT_NOW ? "now" : "soon", res->seq,
	    res->exit_code != 0 ? "failed" : "succeeded", res->cmd);
	return h == HALT_NOW ? RUN_STOP_NOW : RUN_STOP_SOON;
}

static void
notice(void *arg, const char *msg)
{
	(void)arg;
	warnx("%s", msg);
}

static int
dry_run(struct ctx *ctx, unsigned long jobs)
{
	struct run_job job;
	unsigned long n;
	int r;

	for (n = 0; (r = next_job(ctx, n % jobs + 1, &job)) == 1; n++) {
		if (job.tag != NULL)
			fputs(job.tag, stdout);
		puts(job.cmd);
		free(job.cmd);
		free(job.tag);
		free(job.argv);
		free(job.in_data);
		if (job.remove_path != NULL)
			unlink(job.remove_path);
		free(job.remove_path);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_ERROR, "cannot write output");
	return r == -1 ? EXIT_ERROR : EXIT_ALL_OK;
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
	_exit(128 + sig);
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
	if (st->failed > EXIT_MAX_COUNTED)
		return EXIT_MANY_FAILED;
	return (int)st->failed;
}

/*
 * --pipe reads stdin (or the first -a file) in blocks; --pipepart cuts
 * the -a file into ranges up front, -N blocks per slot for --block -N.
 */
static void
open_pipe_source(struct ctx *ctx, struct config *cfg, unsigned long jobs)
{
	struct pipe_src *p = &ctx->pipe;
	const char *path = cfg->narg_files > 0 ? cfg->arg_files[0] : NULL;
	const char *errstr;
	char *end;
	struct stat st;
	ssize_t got;
	size_t n;

	cfg->blk.size = cfg->block > 0 ? (size_t)cfg->block : 1024 * 1024;
	/* As GNU: --recstart alone means records have no end marker. */
	if (cfg->blk.recstart != NULL && cfg->blk.recend == NULL)
		cfg->blk.recend = "";
	if ((cfg->blk.recend != NULL && cfg->blk.recend[0] == '\0') &&
	    (cfg->blk.recstart == NULL || cfg->blk.recstart[0] == '\0'))
		usage_error("--recend and --recstart cannot both be empty");
	if (cfg->blk.regexp && block_check_regexp(&cfg->blk, &errstr) == -1)
		usage_error("invalid --recend or --recstart regular expression: "
		    "%s", errstr);
	if (cfg->round_robin && (cfg->pipepart || cfg->cat || cfg->fifo))
		usage_error("--round-robin goes with --pipe alone");
	if (cfg->cat && cfg->fifo)
		usage_error("--cat and --fifo do not go together");
	if ((cfg->fifo || cfg->cat) &&
	    (ctx->run_dir = make_run_dir(cfg)) == NULL)
		err(EXIT_ERROR, "cannot make a directory for --%s",
		    cfg->fifo ? "fifo" : "cat");
	if (cfg->has_N)
		cfg->blk.records = cfg->opt_N;
	if (cfg->has_L)
		cfg->blk.lines = cfg->opt_L;
	if (cfg->header != NULL) {
		n = strtoul(cfg->header, &end, 10);
		cfg->blk.header_lines = *end == '\0' && end != cfg->header ?
		    n : 1;
	}
	p->fd = STDIN_FILENO;
	if (path != NULL && (p->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(EXIT_ERROR, "cannot read '%s'", path);
	/*
	 * --pipe from a regular file read from its start is cut the way
	 * --pipepart is, so the blocks are spliced and never copied; the
	 * blocks are the same either way.  --regexp matches depend on all
	 * the matches before them in the block, so it reads the stream.
	 */
	if (fstat(p->fd, &st) == -1)
		err(EXIT_ERROR, "cannot read '%s'", path != NULL ? path : "-");
	if (!cfg->pipepart && (cfg->has_N || cfg->has_L || cfg->round_robin ||
	    cfg->blk.regexp || !S_ISREG(st.st_mode) ||
	    lseek(p->fd, 0, SEEK_CUR) != 0)) {
		/* A bigger pipe from the producer: fewer, larger reads. */
		if (S_ISFIFO(st.st_mode))
			fcntl(p->fd, F_SETPIPE_SZ, 1024 * 1024);
		p->blocker = blocker_new(p->fd, &cfg->blk);
		return;
	}
	if (cfg->pipepart && path == NULL)
		usage_error("--pipepart needs a file: -a FILE");
	if (!S_ISREG(st.st_mode))
		errx(EXIT_ERROR, "cannot use '%s' with --pipepart: not a "
		    "regular file", path);
	if (cfg->block < 0)
		cfg->blk.size = (size_t)(st.st_size / (-cfg->block * jobs)) + 1;
	else if (cfg->block == 0 && cfg->pipepart)
		/* GNU's default for --pipepart: ten blocks per slot. */
		cfg->blk.size = (size_t)(st.st_size / (10 * jobs)) + 1;
	if (blocker_ranges(p->fd, st.st_size, &cfg->blk, !cfg->pipepart,
	    &p->starts, &p->nranges, &p->header_len) == -1)
		err(EXIT_ERROR, "cannot read '%s'", path);
	if (p->header_len > 0) {
		p->header = xmalloc(p->header_len);
		got = pread(p->fd, p->header, p->header_len, 0);
		if (got != (ssize_t)p->header_len)
			err(EXIT_ERROR, "cannot read '%s'", path);
	}
	if (st.st_size == (off_t)p->header_len)
		p->nranges = 0;
}

static void
close_pipe_source(struct pipe_src *p)
{
	blocker_free(p->blocker);
	free(p->starts);
	free(p->header);
	if (p->fd > STDERR_FILENO)
		close(p->fd);
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
	const char *errstr;

	memset(ro, 0, sizeof(*ro));
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
	ro->files = cfg->files;
	ro->shell = choose_shell();
	ro->tmpdir = cfg->tmpdir;
	ro->mem_limit = HELD_OUTPUT_MAX;
	ro->retries = cfg->retries;
	ro->timeout = cfg->timeout;
	ro->timeout_pct = cfg->timeout_pct;
	ro->delay = cfg->delay;
	ro->memfree = cfg->memfree;
	/*
	 * A cgroup per slot lets a killed job take setsid escapees along at
	 * once; joining one costs ~0.1 ms per job (the kernel's cgroup.procs
	 * write), so only runs that plan to kill jobs mid-run pay it.  The
	 * others end escapees at the end of the run, as subreaper.
	 */
	ro->cgroups = cfg->timeout > 0 || cfg->timeout_pct > 0 ||
	    cfg->halt.when == HALT_NOW;
	ro->max_load = cfg->max_load;
	ro->cpus = online_cpus();
	if (cfg->termseq != NULL &&
	    run_parse_termseq(cfg->termseq, ro, &errstr) == -1)
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
	struct template *t, *tagt = NULL;
	struct ctx ctx;
	char **names = NULL, **orig_argv = argv, **env_words = NULL;
	unsigned long jobs;
	long total;
	int status, die_sig = 0;
	size_t k, n = 0;

	reserve_std_fds();
	memset(&cfg, 0, sizeof(cfg));
	cfg.in.delim = '\n';
	cfg.arg_sep = ":::";
	cfg.arg_file_sep = "::::";
	cfg.output = COLLATE_GROUP;
	argv = with_env_options(&argc, argv, &env_words);
	parse_options(&cfg, argc, argv);
	jobs = cfg.jobs_spec != NULL ? parse_jobs(cfg.jobs_spec) :
	    online_cpus();
	/*
	 * Like xargs, pack -m/-X lines to 128 KiB unless -s asks for more:
	 * longer lines buy nothing but memory.  A single value may still
	 * use everything up to ARG_MAX.
	 */
	cfg.feed.hard_max_chars = default_max_chars();
	if (cfg.feed.max_chars == 0)
		cfg.feed.max_chars = PACK_CHARS_DEFAULT;
	if (cfg.feed.max_chars > cfg.feed.hard_max_chars)
		cfg.feed.max_chars = cfg.feed.hard_max_chars;
	cfg.feed.jobs = jobs;
	cfg.feed.tag = cfg.tag;
	/* A debugging aid (and how the tests cover both paths). */
	cfg.feed.force_shell = getenv("PARX_EXEC") != NULL &&
	    strcmp(getenv("PARX_EXEC"), "shell") == 0;
	if (cfg.tmpdir == NULL)
		cfg.tmpdir = getenv("TMPDIR");
	if (cfg.tmpdir != NULL && access(cfg.tmpdir, W_OK | X_OK) == -1)
		err(EXIT_ERROR, "cannot use temporary directory '%s'",
		    cfg.tmpdir);
	set_run_opts(&cfg, jobs, &ro);
	if (cfg.has_nice && setpriority(PRIO_PROCESS, 0, cfg.nice) == -1)
		warn("cannot set --nice %d", cfg.nice);

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = &cfg;
	ctx.jobs = jobs;
	if (cfg.pipe) {
		open_pipe_source(&ctx, &cfg, jobs);
		ro.cleanup_dir = ctx.run_dir;
		cfg.tpl.no_append = !cfg.cat && !cfg.fifo;
		cfg.in.header = false;
	} else
		ctx.in = open_input(&cfg);
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
	ctx.feed = feed_new(ctx.in, t, &cfg.feed);
	if (halt_needs_total(&cfg.halt) && cfg.pipe) {
		if (!cfg.pipepart)
			usage_error("a --halt percentage needs the number of "
			    "jobs, which --pipe cannot know");
		cfg.halt.total = ctx.pipe.nranges;
	} else if (halt_needs_total(&cfg.halt)) {
		if ((total = feed_total(ctx.feed)) == -1) {
			warn_input(ctx.in, 0);
			exit(EXIT_ERROR);
		}
		cfg.halt.total = (unsigned long)total;
	}

	if (cfg.dry_run) {
		status = dry_run(&ctx, jobs);
		goto out;
	}
	open_records(&ctx, &cfg, names, n);
	memset(&cb, 0, sizeof(cb));
	cb.next_job = next_job;
	cb.job_done = job_done;
	cb.next_input = next_input;
	cb.notice = notice;
	cb.arg = &ctx;
	fflush(stdout);
	if (run_parallel(&ro, &cb, &st) == -1)
		err(EXIT_ERROR, "cannot start jobs");
	close_records(&ctx);
	status = exit_status(&ctx, &st, &die_sig);
out:
	feed_free(ctx.feed);
	template_free(t);
	template_free(tagt);
	input_free(ctx.in);
	close_pipe_source(&ctx.pipe);
	if (ctx.run_dir != NULL) {
		rmdir(ctx.run_dir);
		free(ctx.run_dir);
	}
	free(names);
	free(cfg.sources);
	free(cfg.arg_files);
	if (argv != orig_argv)
		free(argv);
	quote_free_words(env_words);
	if (die_sig != 0)
		die_by(die_sig);
	return status;
}
