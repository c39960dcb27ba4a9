/*
 * Fuzzes quote: any bytes (but NUL) quoted by quote_shell() must split
 * back with quote_split_words() into exactly one word, the same bytes;
 * the direct-exec path relies on the two being inverses.  Also feeds the
 * input itself to quote_split_words(), which must never crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quote.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *err;
	struct buf b;
	char **words, *s;
	size_t len;

	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	buf_init(&b);
	quote_shell(&b, s, len);
	if (quote_shell_len(s, len) != b.len)
		abort();
	words = quote_split_words(b.data, &err);
	if (words == NULL || words[0] == NULL || words[1] != NULL ||
	    strcmp(words[0], s) != 0)
		abort();
	quote_free_words(words);
	if ((words = quote_split_words(s, &err)) != NULL)
		quote_free_words(words);
	buf_release(&b);
	free(s);
	return 0;
}
