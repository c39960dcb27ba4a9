/*
 * job: what a job is before it runs (struct run_job, which a job source
 * fills) and what came of it (struct run_result, which run hands to
 * job_done()).  Its own header, so that the modules that make jobs or
 * record results (feed, joblog, results) need not include the engine.
 */
#ifndef PARX_JOB_H
#define PARX_JOB_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* A job to start, filled by next_job(); run frees the strings. */
struct run_job {
	unsigned long	  seq;		/* its number, from 1 */
	char		**argv;		/* run directly (one allocation, as
					   quote_split_words makes), or NULL:
					   cmd through the shell */
	char		 *cmd;		/* the command line */
	char		 *tag;		/* put before each output line, or NULL */
	const char	 *color;	/* an escape starting each line's colour
					   (static), ended with the line, or
					   NULL */
	int		  tee_fd[2];	/* copies of stdout and stderr, or -1;
					   run closes them */
	/*
	 * What the job reads on stdin (--pipe, --pipepart): in_data first
	 * (run frees it), then in_file_len bytes of in_fd (borrowed) from
	 * in_off, spliced without passing through parx.  Neither: an
	 * empty stdin.
	 */
	char		 *in_data;
	size_t		  in_len;
	int		  in_fd;
	off_t		  in_off;
	size_t		  in_file_len;
	char		 *remove_path;	/* a file run removes when done */
	char		 *cwd;		/* --wd: where it runs, or NULL */
	bool		  cwd_remove;	/* --wd ...: run removes it, and all
					   in it, when done */
	char		**remove_more;	/* more of them (--tmpl --cleanup):
					   NULL-terminated, or NULL; run
					   frees each and the array */
	bool		  in_stream;	/* --round-robin: stdin is fed blocks
					   from next_input() until it has none */
	bool		  in_fifo;	/* --fifo: the input goes into the FIFO
					   at remove_path, not on stdin */
	bool		  in_held;	/* no input: stdin is a pipe run holds
					   open, unwritten, until the job
					   exits (a remote job's ssh: its
					   end tells the far side) */
	char		 *host;		/* where it runs (--sshlogin), or NULL:
					   here */
	/*
	 * --transferfile and --return: the files to send to the host
	 * before the job and to fetch after it, NULL-terminated, or NULL;
	 * a job that runs here ignores them.
	 */
	char		**transfer;
	char		**ret;
	/*
	 * Its --wd for the host it runs on (remote_place() moves cwd here,
	 * to place it again if that host is lost), or NULL; far_dir_own:
	 * a --wd ... one of its own there.
	 */
	char		 *far_dir;
	bool		  far_dir_own;
	char		 *groups;	/* --hostgroups: the host groups it may
					   run in ("g1+g2", its first value's
					   after "@"), or NULL: any */
	/*
	 * For the library's jobs (parx.h): in_fd itself is the job's stdin
	 * (borrowed) when in_given; out_fd are its stdout and stderr
	 * (borrowed: a capture file, /dev/null) instead of pipes when
	 * out_given; env_add are "NAME=value" strings that join or replace
	 * the inherited environment (NULL-terminated, one allocation, run
	 * frees it), or NULL; timeout replaces the run's when above 0.
	 */
	bool		  in_given;
	bool		  argv_only;	/* an argv that cannot start is not
					   handed to the shell as cmd */
	bool		  out_given;
	int		  out_fd[2];
	char		**env_add;
	double		  timeout;
};

/*
 * Frees all a job owns and removes the files it leaves (its --tmpl
 * copies, its --pipe file, its --wd ... directory), closes its tee_fd:
 * for a job done, and one made but never run.  job is left empty, its
 * tee_fd -1.
 */
void	job_release(struct run_job *);

/*
 * words (NULL-terminated) copied into one allocation, pointers and text
 * alike, as run_job's argv and env_add are: free() alone frees it.  NULL
 * when out of memory.
 */
char	**job_pack_words(char *const *words);

struct run_result {
	unsigned long	 seq;
	const char	*cmd;
	const char	*host;		/* the job's, or NULL: here */
	pid_t		 pid;
	int		 exit_code;	/* -1 if killed by a signal */
	int		 signal;	/* the signal, or 0 */
	int		 spawn_errno;	/* the job could not be started */
	bool		 timed_out;
	bool		 killed;	/* by --halt now, or an interrupt */
	unsigned	 attempts;
	struct timespec	 start;		/* wall clock, of the last attempt */
	double		 runtime;	/* seconds */
	unsigned long long out_bytes[2];/* stdout and stderr received */
	unsigned long long in_bytes;	/* written to its stdin */
	/*
	 * What wait4() says the job's process used, its children it waited
	 * for included (a shell's commands): peak RSS in KiB, and user and
	 * system CPU seconds.  0 for a job that never ran.
	 */
	long		 max_rss_kb;
	double		 user_s, sys_s;
	int		 output_errno;	/* a copy (tee_fd) could not be written:
				   why; 0 if none */
};

#endif
