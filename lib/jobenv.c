/*
 * jobenv: one environment array for every job, whose last four entries
 * point at buffers rewritten for each job, so that starting a job copies
 * nothing of the (possibly large) inherited environment.
 */
#include "jobenv.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "quote.h"
#include "xmalloc.h"

/* sh -c takes one argument; the kernel caps one argument at 128 KiB. */
#define SHELL_ARG_MAX	(128 * 1024 - 1)

extern char **environ;

struct jobenv {
	char	**env;
	char	  seq[2][64];	/* PARALLEL_SEQ=, PARX_SEQ= */
	char	  slot[2][64];	/* PARALLEL_JOBSLOT=, PARX_SLOT= */
	char	 *slot_var;	/* --process-slot-var NAME=, or NULL */
	char	 *oldpwd;	/* OLDPWD=, or NULL */
	size_t	  slot_var_len;	/* of NAME= */
};

/* Set by a parx this one runs under: each run sets its own. */
static bool
is_ours(const char *e)
{
	static const char *const names[] = {
		"PARALLEL_SEQ=", "PARALLEL_JOBSLOT=", "PARX_SEQ=", "PARX_SLOT=",
		"PARX_RUN=",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(e, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

struct jobenv *
jobenv_new(const char *marker, const char *slot_var, const char *oldpwd)
{
	struct jobenv *je;
	size_t n = 0, i, k = 0;

	while (environ[n] != NULL)
		n++;
	je = xcalloc(1, sizeof(*je));
	je->env = xreallocarray(NULL, n + 8, sizeof(*je->env));
	if (oldpwd != NULL) {
		je->oldpwd = xmalloc(strlen(oldpwd) + sizeof("OLDPWD="));
		snprintf(je->oldpwd, strlen(oldpwd) + sizeof("OLDPWD="),
		    "OLDPWD=%s", oldpwd);
	}
	if (slot_var != NULL) {
		je->slot_var_len = strlen(slot_var) + 1;
		je->slot_var = xmalloc(je->slot_var_len + 32);
		snprintf(je->slot_var, je->slot_var_len + 32, "%s=", slot_var);
	}
	for (i = 0; i < n; i++)
		if (!is_ours(environ[i]) && (je->slot_var == NULL ||
		    strncmp(environ[i], je->slot_var, je->slot_var_len) != 0) &&
		    (je->oldpwd == NULL || strncmp(environ[i], "OLDPWD=", 7)))
			je->env[k++] = environ[i];
	if (je->oldpwd != NULL)
		je->env[k++] = je->oldpwd;
	if (je->slot_var != NULL)
		je->env[k++] = je->slot_var;
	if (marker != NULL)
		je->env[k++] = (char *)marker;
	je->env[k++] = je->seq[0];
	je->env[k++] = je->slot[0];
	je->env[k++] = je->seq[1];
	je->env[k++] = je->slot[1];
	je->env[k] = NULL;
	return je;
}

void
jobenv_free(struct jobenv *je)
{
	if (je == NULL)
		return;
	free(je->env);
	free(je->slot_var);
	free(je->oldpwd);
	free(je);
}

char **
jobenv_for(struct jobenv *je, unsigned long seq, unsigned long slot)
{
	snprintf(je->seq[0], sizeof(je->seq[0]), "PARALLEL_SEQ=%lu", seq);
	snprintf(je->seq[1], sizeof(je->seq[1]), "PARX_SEQ=%lu", seq);
	snprintf(je->slot[0], sizeof(je->slot[0]), "PARALLEL_JOBSLOT=%lu",
	    slot);
	snprintf(je->slot[1], sizeof(je->slot[1]), "PARX_SLOT=%lu", slot);
	if (je->slot_var != NULL)
		snprintf(je->slot_var + je->slot_var_len, 32, "%lu", slot - 1);
	return je->env;
}

/* The length of an entry's "NAME=", or of all of it without one. */
static size_t
name_len(const char *e)
{
	const char *eq = strchr(e, '=');

	return eq != NULL ? (size_t)(eq - e) + 1 : strlen(e);
}

char **
jobenv_plus(char *const *base, char *const *add)
{
	size_t n = 0, m = 0, i, j, k = 0;
	char **env;

	while (base[n] != NULL)
		n++;
	while (add[m] != NULL)
		m++;
	if ((env = reallocarray(NULL, n + m + 1, sizeof(*env))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		for (j = 0; j < m; j++)
			if (name_len(add[j]) == name_len(base[i]) &&
			    strncmp(add[j], base[i], name_len(add[j])) == 0)
				break;
		if (j == m)
			env[k++] = base[i];
	}
	for (j = 0; j < m; j++)
		env[k++] = add[j];
	env[k] = NULL;
	return env;
}

char **
jobenv_shell_argv(const char *shell, const char *cmd)
{
	static const char joiner[] =
	    "__parx_c=; for __parx_p; do __parx_c=$__parx_c$__parx_p; done; "
	    "shift $#; unset __parx_p; eval \"$__parx_c\"";
	size_t len = strlen(cmd), n, i;
	char **argv;

	if (len <= SHELL_ARG_MAX) {
		argv = xreallocarray(NULL, 4, sizeof(*argv));
		argv[0] = (char *)shell;
		argv[1] = "-c";
		argv[2] = (char *)cmd;
		argv[3] = NULL;
		return argv;
	}
	n = (len + SHELL_ARG_MAX - 1) / SHELL_ARG_MAX;
	argv = xreallocarray(NULL, n + 5, sizeof(*argv));
	argv[0] = (char *)shell;
	argv[1] = "-c";
	argv[2] = (char *)joiner;
	argv[3] = (char *)shell;
	for (i = 0; i < n; i++)
		argv[4 + i] = xmemdup(cmd + i * SHELL_ARG_MAX,
		    len - i * SHELL_ARG_MAX < SHELL_ARG_MAX ?
		    len - i * SHELL_ARG_MAX : SHELL_ARG_MAX);
	argv[4 + n] = NULL;
	return argv;
}

void
jobenv_free_shell_argv(char **argv)
{
	size_t i;

	/* Only the pieces of a long command are ours. */
	if (argv[2] != NULL && argv[3] != NULL)
		for (i = 4; argv[i] != NULL; i++)
			free(argv[i]);
	free(argv);
}

void
jobenv_prelude(struct buf *out, const char *shell, const char *prelude,
    const char *cmd)
{
	const char *base = strrchr(shell, '/');

	base = base != NULL ? base + 1 : shell;
	buf_addstr(out, prelude);
	buf_addch(out, '\n');
	if (strstr(base, "zsh") != NULL) {
		buf_addstr(out, "eval ");
		quote_shell(out, cmd, strlen(cmd));
	} else
		buf_addstr(out, cmd);
}
