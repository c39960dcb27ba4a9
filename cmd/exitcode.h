/*
 * parx's exit statuses, as GNU parallel defines them; man/parx.1 lists
 * them under EXIT STATUS.
 */
#ifndef PARX_EXITCODE_H
#define PARX_EXITCODE_H

#define EXIT_ALL_OK		0	/* every job succeeded */
/* 1 .. 100: that many jobs failed */
#define EXIT_MAX_COUNTED	100
#define EXIT_MANY_FAILED	101	/* more than 100 jobs failed */
#define EXIT_ERROR		255	/* bad usage, unreadable input, I/O */

#endif
