/*
 * Fuzzes input: a header byte picks the delimiter, trimming and whether
 * --colsep is used (its pattern is the text up to the first NUL); the
 * rest is a file's contents, read as a source.  Reading every record
 * must end, without a crash.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int delims[] = { '\n', '\0', ',', 'a' };
	struct input_opts o;
	struct record rec;
	char path[64], *pat = NULL;
	const uint8_t *nul;
	const char *err;
	struct input *in;
	int fd;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof(o));
	o.delim = delims[data[0] & 3];
	o.trim = (data[0] >> 2) & 3;
	o.skip_blank = data[0] & 16;
	if ((data[0] & 32) &&
	    (nul = memchr(data + 1, '\0', size - 1)) != NULL) {
		pat = strndup((const char *)data + 1, nul - data - 1);
		o.colsep = pat;
		size -= nul - data;
		data = nul;
	}
	data++;
	size--;
	if ((in = input_new(&o, &err)) == NULL) {
		free(pat);
		return 0;
	}
	fd = memfd_create("fuzz-input", 0);
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (input_add_file(in, path, false) == 0 && input_start(in) == 0)
		while (input_next(in, &rec) == 1)
			record_release(&rec);
	input_free(in);
	close(fd);
	free(pat);
	return 0;
}
