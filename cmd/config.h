/*
 * config: what the command line asks for, filled by options.c from the
 * option table and read by parx.c, which wires lib together from it.
 */
#ifndef PARX_CONFIG_H
#define PARX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/block.h"
#include "../lib/collate.h"
#include "../lib/feed.h"
#include "../lib/halt.h"
#include "../lib/input.h"
#include "../lib/pace.h"
#include "../lib/template.h"

#define PARX_VERSION	"0.1.0"

/* A ::: list or a :::: file on the command line. */
struct source_arg {
	bool	 is_file;
	bool	 linked;
	char	**args;		/* ::: values, or the file name in args[0] */
	size_t	 nargs;
};

/* What to print instead of running (--number-of-*, ...). */
enum report {
	REPORT_NONE, REPORT_CORES, REPORT_THREADS, REPORT_SOCKETS,
	REPORT_LINE_LENGTH, REPORT_RECORD_ENV
};

struct config {
	const char		*jobs_spec;
	enum report		 report;
	enum report		 cpu_basis;	/* what -j's CPUs are */
	bool			 show_limits;
	int			 progress;	/* PROGRESS_*: --bar, --eta, ... */
	bool			 interactive;	/* -p: ask before each job */
	bool			 tty;		/* --tty: -o, -j1 -u by default */
	bool			 open_tty;	/* -o: jobs read the terminal */
	bool			 ctag;		/* colour tags at a terminal */
	char			*prelude;	/* $PARALLEL_ENV's shell code */
	bool			 color;		/* colour every job's lines */
	bool			 color_failed;	/* and failed jobs' in red */
	bool			 semaphore;	/* --semaphore, or run as sem */
	const char		*sem_id;
	double			 sem_timeout;	/* --st; 0: wait for ever */
	bool			 sem_fg;
	bool			 sem_wait;
	enum collate_mode	 output;
	bool			 output_set;	/* given: --tty keeps it */
	bool			 keep_order;
	bool			 dry_run;
	bool			 verbose;
	int			 verbosity;	/* how many -v */
	int			 shellquote;	/* --shellquote: times to quote */
	bool			 trace;
	bool			 files;
	struct halt		 halt;
	unsigned		 retries;
	double			 timeout;
	double			 timeout_pct;
	const char		*termseq;
	double			 delay;
	bool			 delay_set;	/* --delay given */
	double			 ssh_delay;	/* --sshdelay: between ssh starts,
						   and --delay's default */
	int			 nice;
	bool			 has_nice;
	const char		*joblog;
	bool			 resume;
	bool			 resume_failed;
	bool			 retry_failed;
	const char		*results;
	unsigned long long	 memfree;
	unsigned long long	 memsuspend;	/* --memsuspend */
	bool			 noswap;	/* --noswap */
	double			 max_load;
	enum pace_limit		 limit;		/* --limit: a builtin, */
	const char		*limit_cmd;	/* or a command */
	double			 limit_value;	/* the builtin's N */
	bool			 pipe;
	bool			 pipepart;
	double			 block;		/* --block; negative: per slot */
	bool			 cat;
	bool			 fifo;
	bool			 round_robin;
	const char		*header;
	size_t			 opt_N, opt_L;	/* -N, -L as given */
	bool			 has_N, has_L;
	bool			 per_job_context; /* -N or -L given */
	bool			 trim_set;	/* --trim given */
	struct block_opts	 blk;
	bool			 tag;
	const char		*tagstring;
	const char		*tmpdir;
	struct input_opts	 in;
	struct template_opts	 tpl;
	struct feed_opts	 feed;
	const char		*arg_sep;
	const char		*arg_file_sep;
	bool			 tee;		/* --tee: all input to every job */
	const char		*shard;		/* --shard EXPR */
	const char		*slot_var;	/* --process-slot-var NAME */
	const char		*workdir;	/* --wd DIR */
	const char		*bin;		/* --bin EXPR */
	const char		**filter;	/* --filter CODE, in order */
	size_t			 nfilter;
	const char		**tmpl;		/* --tmpl FILE=NAME, in order */
	size_t			 ntmpl;
	bool			 tmpl_cleanup;	/* --cleanup */
	struct {
		const char	*value;		/* logins, or a file of them */
		bool		 is_file;
	}			*logins;	/* -S and --slf, in order */
	size_t			 nlogins;
	const char		*ssh;		/* --ssh */
	bool			 onall;		/* --onall */
	bool			 nonall;	/* --nonall */
	bool			 hostgroups;	/* --hostgroups */
	const char		**transfer;	/* --transferfile (--transfer is
						   {}), in order */
	size_t			 ntransfer;
	const char		**ret;		/* --return, in order */
	size_t			 nret;
	const char		**basefiles;	/* --basefile, in order */
	size_t			 nbasefiles;
	const char		**env;		/* --env NAME, in order */
	size_t			 nenv;
	char			**arg_files;	/* -a, in order */
	size_t			 narg_files;
	char			**command;
	size_t			 ncommand;
	struct source_arg	*sources;
	size_t			 nsources;
};

/*
 * Fills cfg (set to its defaults first) from argv: the options, then the
 * command and its ::: and :::: sources.  Prints and exits on a bad
 * option (255), --help, --version and --shell-completion (0).  origin,
 * if not NULL, says where each word came from, for the message about a
 * bad option ("FILE:LINE: ..."); NULL entries are the command line's.
 */
void	options_parse(struct config *cfg, int argc, char **argv,
	    const char *const *origin);

/*
 * The -J profiles (pointers into argv) and whether --plain is given, from
 * a first look at argv: they decide which defaults go in front of it.
 */
void	options_profiles(int argc, char **argv, const char ***profiles,
	    size_t *n, bool *plain);

/* The slot count -j spec asks for (GNU's N, +N, -N, N%, 0 forms). */
unsigned long	options_jobs(const char *spec, enum report basis);

/* The same, without exiting: 0, or -1 with why filled. */
int	options_jobs_parse(const char *spec, enum report basis,
	    unsigned long *n, char *why, size_t whylen);

/* The CPUs parx may use, counted as basis says (threads, cores, ...). */
unsigned long	cpu_count_by(enum report basis);

/* The CPU threads parx may use (its affinity mask; at least 1). */
unsigned long	usable_cpus(void);

/* A one-line usage error with a hint, then exit 255. */
void	usage_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
