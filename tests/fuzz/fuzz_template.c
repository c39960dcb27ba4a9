/*
 * Fuzzes template: the first line is the command (words split on
 * spaces), a flags byte picks options, and the other lines are a job's
 * values.  Parsing and expanding must never crash or read out of bounds,
 * and a template the parser accepts must expand.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Splits s in place at each sep into a NULL-terminated array. */
static char **
split(char *s, char sep, size_t *n)
{
	char **v = NULL, *p;
	size_t cap = 0;

	*n = 0;
	for (;;) {
		if (*n + 1 >= cap) {
			cap = cap == 0 ? 8 : cap * 2;
			v = realloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = s;
		if ((p = strchr(s, sep)) == NULL)
			break;
		*p = '\0';
		s = p + 1;
	}
	v[*n] = NULL;
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct template_opts o;
	struct template_job j;
	struct template *t;
	char **words, **fields, *s, *nl;
	size_t nwords, nfields;
	const char *err;
	struct buf out;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof(o));
	o.plus = data[0] & 1;
	o.context = data[0] & 2;
	o.quote_words = data[0] & 4;
	o.no_append = data[0] & 8;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	nl = strchr(s, '\n');
	if (nl != NULL)
		*nl = '\0';
	words = split(s, ' ', &nwords);
	fields = nl != NULL ? split(nl + 1, '\n', &nfields) : NULL;
	if (fields == NULL)
		nfields = 0;
	if ((t = template_new(words, nwords, &o, &err)) != NULL) {
		memset(&j, 0, sizeof(j));
		j.fields = fields;
		j.nfields = nfields;
		j.seq = 7;
		j.slot = 2;
		j.total = 9;
		j.maxslots = 4;
		buf_init(&out);
		(void)template_expand(t, &j, &out);
		if (nfields > 0)
			(void)template_field_cost(t, fields[0]);
		buf_release(&out);
		template_free(t);
	}
	free(words);
	free(fields);
	free(s);
	return 0;
}
