/*
 * xmalloc: allocation wrappers that end the process on failure.  This is
 * the one place in lib that prints or exits.
 */
#include "exitcode.h"
#include "xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
xmalloc_fail(void)
{
	static const char msg[] = "parx: out of memory\n";

	(void)write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(EXIT_ERROR);
}

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		xmalloc_fail();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		xmalloc_fail();
	return p;
}

void *
xreallocarray(void *old, size_t n, size_t size)
{
	void *p;

	if ((p = reallocarray(old, n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		xmalloc_fail();
	return p;
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

char *
xmemdup(const void *s, size_t len)
{
	char *p;

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}
