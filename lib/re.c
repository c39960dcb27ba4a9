/*
 * re: PCRE2 with limits.  Each struct re carries its own match data and
 * match context, so matching allocates nothing; patterns are compiled
 * with the JIT where it is available, which also bounds its stack.
 */
#include "re.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct re {
	pcre2_code		*code;
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
};

struct re *
re_new(const char *pattern, size_t len, int flags, const char **errstr)
{
	static char msg[256];
	PCRE2_SIZE erroff;
	uint32_t options = 0;
	struct re *r;
	int errcode;

	if (flags & RE_UNGREEDY)
		options |= PCRE2_UNGREEDY;
	r = xcalloc(1, sizeof(*r));
	r->code = pcre2_compile((PCRE2_SPTR)pattern, len, options, &errcode,
	    &erroff, NULL);
	if (r->code == NULL) {
		pcre2_get_error_message(errcode, (PCRE2_UCHAR *)msg,
		    sizeof(msg));
		*errstr = msg;
		free(r);
		return NULL;
	}
	/* Without the JIT, the interpreter runs under the same limits. */
	(void)pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
	r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
	r->mctx = pcre2_match_context_create(NULL);
	if (r->md == NULL || r->mctx == NULL)
		xmalloc_fail();
	pcre2_set_match_limit(r->mctx, RE_MATCH_LIMIT);
	pcre2_set_heap_limit(r->mctx, RE_HEAP_LIMIT);
	return r;
}

void
re_free(struct re *r)
{
	if (r == NULL)
		return;
	pcre2_match_data_free(r->md);
	pcre2_match_context_free(r->mctx);
	pcre2_code_free(r->code);
	free(r);
}

int
re_match(const struct re *r, const char *s, size_t len, size_t start,
    int flags, long *ov, size_t nov)
{
	PCRE2_SIZE *got;
	uint32_t options = 0, have;
	size_t i;
	int rc;

	if (flags & RE_NOTBOL)
		options |= PCRE2_NOTBOL;
	if (flags & RE_NOTEMPTY_HERE)
		options |= PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED;
	rc = pcre2_match(r->code, (PCRE2_SPTR)s, len, start, options, r->md,
	    r->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0)
		return -1;	/* a limit, or the JIT's stack */
	got = pcre2_get_ovector_pointer(r->md);
	have = pcre2_get_ovector_count(r->md);
	for (i = 0; i < nov; i++) {
		if (i < have && got[2 * i] != PCRE2_UNSET) {
			ov[2 * i] = (long)got[2 * i];
			ov[2 * i + 1] = (long)got[2 * i + 1];
		} else
			ov[2 * i] = ov[2 * i + 1] = -1;
	}
	return 1;
}

int
re_literal_byte(const char *re)
{
	if (re[0] == '\\' && re[1] == 't' && re[2] == '\0')
		return '\t';
	if (re[0] != '\0' && re[1] == '\0' &&
	    strchr(".[]()*+?{}|^$\\", re[0]) == NULL)
		return (unsigned char)re[0];
	return -1;
}
