/*
 * quote: GNU parallel compatible shell quoting, and splitting of the words
 * it produces back into an argv (the direct-exec path relies on the two
 * being exact inverses).
 */
#include "quote.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static bool
is_bare(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '/' || c == '.' ||
	    c == '+' || c == '-';
}

static bool
needs_quotes(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_bare(s[i]))
			return true;
	return false;
}

void
quote_shell(struct buf *out, const char *s, size_t len)
{
	size_t i;
	bool open;

	if (len == 0) {
		buf_add(out, "''", 2);
		return;
	}
	if (!needs_quotes(s, len)) {
		buf_add(out, s, len);
		return;
	}
	/*
	 * GNU writes '...' around the whole value and '"'"' for each quote,
	 * then drops an empty '' left at either end; tracking whether a
	 * single-quoted run is open gives the same text in one pass.
	 */
	buf_grow(out, len + 2);
	open = false;
	for (i = 0; i < len; i++) {
		if (s[i] == '\'') {
			if (open)
				buf_addch(out, '\'');
			buf_add(out, "\"'\"", 3);
			open = false;
			continue;
		}
		if (!open) {
			buf_addch(out, '\'');
			open = true;
		}
		buf_addch(out, s[i]);
	}
	if (open)
		buf_addch(out, '\'');
}

size_t
quote_shell_len(const char *s, size_t len)
{
	struct buf b;
	size_t n;

	if (!needs_quotes(s, len))
		return len == 0 ? 2 : len;
	buf_init(&b);
	quote_shell(&b, s, len);
	n = b.len;
	buf_release(&b);
	return n;
}

char **
quote_split_words(const char *p, const char **errstr)
{
	struct buf word;
	char **argv;
	size_t n, cap;
	bool inword;

	buf_init(&word);
	n = 0;
	cap = 8;
	argv = xreallocarray(NULL, cap, sizeof(*argv));
	inword = false;
	for (;;) {
		if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n') {
			if (inword) {
				if (n + 2 > cap) {
					cap *= 2;
					argv = xreallocarray(argv, cap,
					    sizeof(*argv));
				}
				argv[n++] = buf_detach(&word);
				inword = false;
			}
			if (*p == '\0')
				break;
			p++;
			continue;
		}
		inword = true;
		if (*p == '\'' || *p == '"') {
			char q = *p++;
			const char *end = strchr(p, q);

			if (end == NULL)
				goto fail;
			buf_add(&word, p, end - p);
			/* buf_add on an empty run still makes the word exist */
			if (word.data == NULL)
				buf_grow(&word, 0);
			p = end + 1;
			continue;
		}
		buf_addch(&word, *p++);
	}
	buf_release(&word);
	argv[n] = NULL;
	return argv;
fail:
	argv[n] = NULL;
	quote_free_words(argv);
	buf_release(&word);
	*errstr = "unbalanced quote";
	return NULL;
}

void
quote_free_words(char **argv)
{
	char **p;

	if (argv == NULL)
		return;
	for (p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}
