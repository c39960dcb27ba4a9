/*
 * spawnloop: the floor for per-job overhead.  Reads lines from stdin and
 * runs "cmd args... line" for each with posix_spawnp, at most -P at once,
 * with no output handling at all.  Only the benchmarks use it.
 *	spawnloop -P 2 echo < lines
 */
#include <sys/wait.h>

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

int
main(int argc, char *argv[])
{
	char *line = NULL, **args;
	size_t cap = 0;
	ssize_t n;
	int par, running = 0, i, nargs, status, failed = 0;

	if (argc < 4 || strcmp(argv[1], "-P") != 0) {
		fprintf(stderr, "usage: spawnloop -P N cmd [args...]\n");
		return 2;
	}
	par = atoi(argv[2]);
	nargs = argc - 3;
	args = calloc(nargs + 2, sizeof(*args));
	for (i = 0; i < nargs; i++)
		args[i] = argv[3 + i];
	while ((n = getline(&line, &cap, stdin)) != -1) {
		pid_t pid;

		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (running == par) {
			if (wait(&status) > 0 && status != 0)
				failed++;
			running--;
		}
		args[nargs] = line;
		if (posix_spawnp(&pid, args[0], NULL, NULL, args, environ) != 0)
			return 1;
		running++;
	}
	while (running-- > 0)
		if (wait(&status) > 0 && status != 0)
			failed++;
	free(line);
	free(args);
	return failed > 0;
}
