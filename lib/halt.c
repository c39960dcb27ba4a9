/*
 * halt: when to stop, and with which exit status, as GNU parallel's
 * should_we_halt() decides it.
 */
#include "exitcode.h"
#include "halt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
parse_why(struct halt *h, const char *s)
{
	const char *num;
	unsigned long n;
	char *end;

	if (strncmp(s, "fail=", 5) == 0)
		h->why = HALT_FAIL;
	else if (strncmp(s, "success=", 8) == 0)
		h->why = HALT_SUCCESS;
	else if (strncmp(s, "done=", 5) == 0)
		h->why = HALT_DONE;
	else
		return -1;
	/* Whole numbers only, as GNU's (\d+)%?: not 1.5, nan or inf. */
	num = strchr(s, '=') + 1;
	if (!isdigit((unsigned char)*num))
		return -1;
	errno = 0;
	n = strtoul(num, &end, 10);
	if (errno != 0 || n == 0 || n > 1000000000)
		return -1;
	h->count = (double)n;
	if (*end == '%') {
		h->pct = true;
		end++;
		if (h->count > 100)
			return -1;
	}
	return *end == '\0' ? 0 : -1;
}

int
halt_parse(struct halt *h, const char *spec, const char **errstr)
{
	const char *comma;
	char *end;
	long n;

	memset(h, 0, sizeof(*h));
	*errstr = "use never, now or soon with fail=, success= or done=";
	if (strcmp(spec, "never") == 0 || strcmp(spec, "0") == 0)
		return 0;
	n = strtol(spec, &end, 10);
	if (end != spec && *end == '\0' && n >= -2 && n <= 2) {
		h->when = n == 1 || n == -1 ? HALT_SOON : HALT_NOW;
		h->why = n > 0 ? HALT_FAIL : HALT_SUCCESS;
		h->count = 1;
		return 0;
	}
	if (end != spec && *end == '%' && end[1] == '\0' && n >= 1 &&
	    n <= 99) {
		h->when = HALT_SOON;
		h->why = HALT_FAIL;
		h->count = n;
		h->pct = true;
		return 0;
	}
	h->when = HALT_SOON;
	if (strncmp(spec, "now", 3) == 0 || strncmp(spec, "soon", 4) == 0) {
		h->when = spec[0] == 'n' ? HALT_NOW : HALT_SOON;
		comma = spec + (spec[0] == 'n' ? 3 : 4);
		if (*comma == '\0') {
			h->why = HALT_FAIL;
			h->count = 1;
			return 0;
		}
		if (*comma != ',')
			goto fail;
		spec = comma + 1;
	}
	if (parse_why(h, spec) == -1)
		goto fail;
	return 0;
fail:
	memset(h, 0, sizeof(*h));
	return -1;
}

bool
halt_needs_total(const struct halt *h)
{
	return h->when != HALT_NEVER && h->pct;
}

enum halt_when
halt_job_done(struct halt *h, int exit_code, int signal)
{
	bool failed = exit_code != 0 || signal != 0;
	unsigned long limit;
	double need;

	h->started++;
	h->done++;
	if (failed)
		h->failed++;
	if (h->when == HALT_NEVER || h->triggered)
		return HALT_NEVER;
	switch (h->why) {
	case HALT_FAIL:
		if (!failed)
			return HALT_NEVER;
		limit = h->failed;
		break;
	case HALT_SUCCESS:
		if (failed)
			return HALT_NEVER;
		limit = h->done - h->failed;
		break;
	default:
		limit = h->done;
		break;
	}
	need = h->pct ? h->total * h->count / 100 : h->count;
	if ((double)limit < need)
		return HALT_NEVER;
	h->triggered = true;
	if (h->why == HALT_SUCCESS)
		h->status = 0;
	else if (!h->pct && h->count == 1)
		/* The job's own status, as bash reports a signal: 128 + N. */
		h->status = signal != 0 ? exit_by_signal(signal) : exit_code;
	else if (h->pct)
		h->status = (int)ceil(h->failed * 100.0 /
		    (h->total > 0 ? h->total : 1));
	else
		h->status = exit_failed_count(h->failed);
	return h->when;
}

int
halt_exit_status(const struct halt *h)
{
	if (h->triggered)
		return h->status;
	if (h->pct)
		return (int)ceil(h->failed * 100.0 /
		    (h->started > 0 ? h->started : 1));
	return exit_failed_count(h->failed);
}
