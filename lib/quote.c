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

/* The bytes a word may hold and stay unquoted: A-Za-z0-9_/.+- */
static const unsigned char bare[256] = {
	['+'] = 1, ['-'] = 1, ['.'] = 1, ['/'] = 1, ['_'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

static bool
needs_quotes(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!bare[(unsigned char)s[i]])
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
	size_t len = strlen(p), nwords = 0, n = 0, k;
	char **argv, *store, *w;
	const char *end;
	bool inword = false;

	/*
	 * One allocation: at most len / 2 + 1 words, then their bytes, which
	 * never take more room than the quoted line did.
	 */
	argv = xreallocarray(NULL, len / 2 + 2 + (len + 1) / sizeof(char *) + 1,
	    sizeof(char *));
	store = (char *)(argv + len / 2 + 2);
	w = store;
	for (;;) {
		if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n') {
			if (inword) {
				store[n++] = '\0';
				argv[nwords++] = w;
				w = store + n;
				inword = false;
			}
			if (*p == '\0')
				break;
			p++;
			continue;
		}
		inword = true;
		if (*p == '\'' || *p == '"') {
			if ((end = strchr(p + 1, *p)) == NULL) {
				free(argv);
				*errstr = "unbalanced quote";
				return NULL;
			}
			memcpy(store + n, p + 1, end - p - 1);
			n += end - p - 1;
			p = end + 1;
			continue;
		}
		/* A run of plain bytes is copied in one go. */
		k = strcspn(p, " \t\n'\"");
		memcpy(store + n, p, k);
		n += k;
		p += k;
	}
	argv[nwords] = NULL;
	return argv;
}

void
quote_free_words(char **argv)
{
	free(argv);
}
