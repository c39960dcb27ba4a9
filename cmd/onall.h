/* onall: --onall and --nonall (see onall.c). */
#ifndef PARX_ONALL_H
#define PARX_ONALL_H

#include "config.h"

/*
 * --onall or --nonall given, and this is not one of the runs a host it
 * makes: runs parx once a host (argv, as parx was started) under one
 * more parx, then merges their job logs into cfg's.  Returns the exit
 * status; prints and exits 255 on error.
 */
int	onall_main(const struct config *cfg, int argc, char **argv);

/*
 * In a run onall_main() made for a host: that host's index (-1 if this
 * is no such run), and cfg made that run's: one job at a time, tagged
 * with the login if --tag was given, the job log of its own, and with
 * --nonall the command once.
 */
long	onall_host(struct config *cfg);

/* The host's login, as a --tag of the run for it needs it. */
void	onall_tag(struct config *cfg, const char *login);

#endif
