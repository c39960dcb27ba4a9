/*
 * results: --results, each job's output and status kept in files.  A
 * directory gets GNU parallel's layout (DIR/1/<value>/2/<value>/stdout,
 * stderr, seq); a name ending in .csv or .tsv one table row per job as
 * GNU writes it, and .json one JSON object per line (JSON Lines).
 */
#ifndef PARX_RESULTS_H
#define PARX_RESULTS_H

#include <stddef.h>

#include "buf.h"
#include "job.h"

struct results;

/*
 * spec is the --results argument; names (may be NULL) are --header
 * column names used instead of 1, 2, ... in the directory layout.
 * NULL with errno set if it cannot be created.
 */
struct results	*results_new(const char *spec, const char *tmpdir,
		    char *const *names, size_t nnames);

/*
 * A job is starting: opens where its output is copied and puts the two
 * descriptors in tee_fd (run closes them).  -1 with errno set.
 */
int	results_job_start(struct results *, unsigned long seq,
	    char *const *fields, size_t nfields, int tee_fd[2]);

/* The job ended: writes its seq file or its row.  -1 with errno set. */
int	results_job_done(struct results *, const struct run_result *);

/* -1 with errno set if the last writes failed. */
int	results_close(struct results *);

/*
 * Appends value v to b as one path component that stays inside its
 * directory: \ becomes \\, / becomes \_, control bytes \t \n or \xHH, and
 * "", "." and ".." become \0, \. and \.. (GNU lets ".." climb out).
 */
void	results_encode_component(struct buf *b, const char *v);

#endif
