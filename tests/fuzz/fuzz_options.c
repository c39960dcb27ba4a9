/*
 * Fuzzes the small option parsers: --halt, --termseq, -d's escapes and
 * --results' path encoding, whose output must stay one harmless path
 * component whatever the value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "halt.h"
#include "input.h"
#include "results.h"
#include "run.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run_opts ro;
	const char *err;
	struct halt h;
	struct buf b;
	char *s;

	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (halt_parse(&h, s, &err) == 0 && h.when != HALT_NEVER &&
	    !(h.count >= 1))
		abort();
	memset(&ro, 0, sizeof(ro));
	(void)termseq_parse(s, &ro.termseq, &err);
	if (ro.termseq.n > TERMSEQ_MAX)
		abort();
	(void)input_parse_delim(s);
	buf_init(&b);
	results_encode_component(&b, s);
	if (b.len == 0 || memchr(b.data, '/', b.len) != NULL ||
	    strcmp(b.data, ".") == 0 || strcmp(b.data, "..") == 0 ||
	    strlen(b.data) != b.len)
		abort();
	buf_release(&b);
	free(s);
	return 0;
}
