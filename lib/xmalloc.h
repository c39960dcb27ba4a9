/*
 * xmalloc: allocation that cannot fail.  Running out of memory is fatal
 * (message on stderr, exit 255), which keeps every caller simple.
 */
#ifndef PARX_XMALLOC_H
#define PARX_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xmemdup(const void *, size_t);	/* adds a terminating NUL */

/* Ends parx as out of memory: for allocations xmalloc does not make. */
void	 xmalloc_fail(void) __attribute__((noreturn));

#endif
