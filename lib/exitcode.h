/*
 * Every exit status parx gives or reports, in one place: parx's own, as
 * GNU parallel defines them (man/parx.1 lists them under EXIT STATUS),
 * and the shell's conventions for a job that could not run or was killed.
 * cmd/parx.c's exit_status() decides which one a run ends with.
 */
#ifndef PARX_EXITCODE_H
#define PARX_EXITCODE_H

#define EXIT_ALL_OK		0	/* every job succeeded */
/* 1 .. 100: that many jobs failed */
#define EXIT_MAX_COUNTED	100
#define EXIT_MANY_FAILED	101	/* more than 100 jobs failed */
#define EXIT_ERROR		255	/* bad usage, unreadable input, I/O */

/* A job's status when it could not be run, as sh gives it. */
#define EXIT_CANNOT_EXEC	126	/* found, but not executable */
#define EXIT_NOT_FOUND		127	/* no such command */

/* The status for "N jobs failed": N, or 101 beyond 100. */
static inline int
exit_failed_count(unsigned long failed)
{
	return failed > EXIT_MAX_COUNTED ? EXIT_MANY_FAILED : (int)failed;
}

/* A status for death by a signal, as the shell reports it: 128 + N. */
static inline int
exit_by_signal(int sig)
{
	return 128 + sig;
}

#endif
