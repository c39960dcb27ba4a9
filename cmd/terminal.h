/*
 * terminal: what a person at the terminal sees and does during a run:
 * the progress line, colours, the -p question, -j FILE, and the note on
 * failed jobs.  parx.c wires them in.
 */
#ifndef PARX_TERMINAL_H
#define PARX_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/job.h"
#include "../lib/run.h"
#include "config.h"
#include "ctx.h"

/* --color: the job's colour pair goes in front of its tag. */
void	color_job(struct run_job *job);

/* -p: whether the answer waiting on ctx->tty is yes (y or Y first). */
bool	answer_is_yes(struct ctx *ctx);

/* -j FILE: a -j value that is no number form but a regular file. */
bool	is_jobs_file(const char *spec);

/* The -j value in the file: 0, or -1 with why filled. */
int	read_jobs_file(const char *path, enum report basis, unsigned long *n,
	    char *why, size_t whylen);

/* run's slots() callback: the file's value, read again if it changed. */
unsigned long	jobs_from_file(void *arg);

/* At a terminal, after failed jobs and no --joblog: how to see which. */
void	failed_hint(const struct config *cfg, const struct run_stats *st);

/* run_parallel(), showing --bar, --eta or --progress as it goes. */
int	run_showing_progress(struct ctx *ctx, struct run_opts *ro,
	    const struct run_callbacks *cb, struct run_stats *st);

#endif
