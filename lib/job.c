/*
 * job: the one place that knows what a struct run_job owns (see job.h).
 */
#include "job.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"

static void
free_list(char **list, bool remove)
{
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++) {
		if (remove)
			unlink(list[i]);
		free(list[i]);
	}
	free(list);
}

void
job_release(struct run_job *job)
{
	int k;

	if (job->remove_path != NULL)
		unlink(job->remove_path);
	free(job->remove_path);
	free_list(job->remove_more, true);
	free_list(job->transfer, false);
	free_list(job->ret, false);
	if (job->cwd_remove)
		(void)fdio_remove_tree(job->cwd);
	free(job->cwd);
	free(job->far_dir);
	free(job->groups);
	free(job->env_add);
	free(job->in_data);
	free(job->argv);
	free(job->cmd);
	free(job->host);
	free(job->tag);
	for (k = 0; k < 2; k++)
		if (job->tee_fd[k] != -1)
			close(job->tee_fd[k]);
	memset(job, 0, sizeof(*job));
	job->tee_fd[0] = job->tee_fd[1] = -1;
}

char **
job_pack_words(char *const *words)
{
	size_t i, n, len = 0;
	char **out, *text;

	for (n = 0; words[n] != NULL; n++)
		len += strlen(words[n]) + 1;
	if ((out = malloc((n + 1) * sizeof(*out) + len)) == NULL)
		return NULL;
	text = (char *)(out + n + 1);
	for (i = 0; i < n; i++) {
		out[i] = text;
		text = stpcpy(text, words[i]) + 1;
	}
	out[n] = NULL;
	return out;
}
