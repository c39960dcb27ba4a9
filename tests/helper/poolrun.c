/*
 * poolrun: spawnloop (the per-job floor) through libparx's API instead:
 * reads lines from stdin and submits "cmd args... line" for each to a
 * pool of -P slots, output captured (the default) or with -d discarded,
 * keeping at most 4 * -P futures out.  Only the benchmarks use it.
 *	poolrun -P 2 [-d] true < lines
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parx.h"

static int failed;

static void
collect(struct parx_pool *p)
{
	struct parx_future *f = parx_wait_any(p, -1);

	if (f == NULL)
		return;
	if (parx_result(f)->exit_code != 0)
		failed++;
	parx_future_free(f);
}

int
main(int argc, char *argv[])
{
	struct parx_pool_opts o;
	struct parx_pool *p;
	char *line = NULL;
	const char **args;
	size_t cap = 0, out = 0;
	ssize_t n;
	int first = 3, nargs, i;

	if (argc < 4 || strcmp(argv[1], "-P") != 0) {
		fprintf(stderr, "usage: poolrun -P N [-d] cmd [args...]\n");
		return 2;
	}
	parx_pool_opts_init(&o);
	o.slots = (unsigned)atoi(argv[2]);
	if (strcmp(argv[3], "-d") == 0) {
		o.output = PARX_DISCARD;
		first++;
	}
	if ((p = parx_pool_new(&o)) == NULL) {
		perror("poolrun");
		return 2;
	}
	nargs = argc - first;
	args = calloc((size_t)nargs + 2, sizeof(*args));
	for (i = 0; i < nargs; i++)
		args[i] = argv[first + i];
	while ((n = getline(&line, &cap, stdin)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		args[nargs] = line;
		if (parx_submit_argv(p, args, NULL) == NULL) {
			perror("poolrun");
			return 2;
		}
		if (++out > 4 * o.slots) {
			collect(p);
			out--;
		}
	}
	for (; out > 0; out--)
		collect(p);
	parx_pool_free(p);
	free(line);
	free(args);
	return failed > 0;
}
