/*
 * Fuzzes block: a header byte picks --recend/--recstart (from a small
 * set, or a --regexp), --block and -N; the rest is the input.  Cut from
 * a pipe and cut as a regular file (--pipe's splice path), the blocks
 * must be the same, and they must make up the input byte for byte.
 */
#include <sys/mman.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAX_INPUT	(60 * 1024)	/* fits in a pipe: no thread needed */

static const char *const ends[] = { "\n", "\\n\\n", "ab", "aa", "a", "" };
static const char *const starts[] = { NULL, NULL, "a", "b", "ab", "aa" };
static const char *const res[] = { "a+", "\\n+", "b*\\n", "(?:ab)+", "a|b" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct block_opts o;
	struct blocker *b;
	off_t *cuts = NULL;
	size_t ncuts = 0, hlen, pos = 0, len, k = 0;
	char *blk;
	int p[2], fd, r;
	bool by_file;

	if (size < 3 || size - 3 > MAX_INPUT)
		return 0;
	memset(&o, 0, sizeof(o));
	o.size = 1 + data[1] % 32;
	if (data[0] & 0x80) {
		o.regexp = true;
		o.recend = res[data[0] % 5];
	} else {
		o.recend = ends[data[0] % 6];
		o.recstart = starts[(data[0] >> 3) % 6];
		if (*o.recend == '\0' && o.recstart == NULL)
			o.recend = "\n";
	}
	o.records = (data[2] & 1) ? data[2] >> 5 : 0;
	data += 3;
	size -= 3;
	/* The file path cuts only what the stream path would (no -N). */
	by_file = o.records == 0 && !o.regexp;
	fd = memfd_create("fuzz-block", 0);
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	if (by_file && blocker_ranges(fd, (off_t)size, &o, true, &cuts,
	    &ncuts, &hlen) == -1)
		abort();
	if (pipe2(p, O_CLOEXEC) == -1)
		abort();
	fcntl(p[1], F_SETPIPE_SZ, 1024 * 1024);
	if (write(p[1], data, size) != (ssize_t)size)
		abort();
	close(p[1]);
	b = blocker_new(p[0], &o);
	while ((r = blocker_next(b, &blk, &len)) == 1) {
		if (pos + len > size || memcmp(blk, data + pos, len) != 0)
			abort();
		if (by_file && (k >= ncuts || cuts[k] != (off_t)pos ||
		    cuts[k + 1] != (off_t)(pos + len)))
			abort();
		pos += len;
		k++;
		free(blk);
	}
	if (r == -1 || pos != size || (by_file && size > 0 && k != ncuts))
		abort();
	blocker_free(b);
	free(cuts);
	close(p[0]);
	close(fd);
	return 0;
}
