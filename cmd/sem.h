/* sem: parx --semaphore (see sem.c). */
#ifndef PARX_SEM_H
#define PARX_SEM_H

#include "config.h"

/*
 * Runs cfg's command under the semaphore with slots slots, through shell:
 * in the background (returns 0 once it holds a slot) or with --fg in the
 * foreground (its exit status); --wait then waits until no slot is held.
 * Prints and exits 255 on error.
 */
int	semaphore_main(const struct config *cfg, unsigned long slots,
	    const char *shell);

#endif
