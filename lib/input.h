/*
 * input: where job arguments come from.  Sources are ::: lists, files
 * (:::: FILE, -a FILE) and stdin; each yields records split on a delimiter.
 * Several sources combine into every combination (the first varying
 * slowest) or, when linked (:::+, --link), pair up, shorter ones wrapping
 * around.  The first source streams: only the sources that must be cycled
 * through are held in memory.
 */
#ifndef PARX_INPUT_H
#define PARX_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#define INPUT_TRIM_LEFT		0x1
#define INPUT_TRIM_RIGHT	0x2

#define INPUT_DELIM_MAX	64

struct input_opts {
	char		 delim[INPUT_DELIM_MAX];	/* record separator */
	size_t		 delim_len;	/* 0: a newline */
	bool		 split_args;	/* ::: values are split on delim too
					   (-d given, as GNU splits them) */
	const char	*eofstr;	/* -E: a record equal to it ends a source */
	bool		 skip_blank;	/* -r: drop records of only blanks */
	const char	*colsep;	/* --colsep: a Perl regex, or NULL */
	bool		 csv;		/* --csv: records are CSV, colsep one
					   byte (default ',') */
	int		 trim;		/* INPUT_TRIM_* */
	bool		 header;	/* first record of each source names columns */
	bool		 link_all;	/* --link: all sources are paired */
	bool		 skip_first;	/* --skip-first-line: drop the first
					   value of the first source */
	bool		 shuffle;	/* --shuf: read everything, then shuffle */
	bool		 continue_blank; /* -L: a value ending in a blank
					   goes on with the next (xargs) */
};

/* One combination of source values, split into fields {1} {2} ... */
struct record {
	char	**fields;
	size_t	  nfields;
	bool	  packed;	/* fields and values are one allocation */
};

struct input;

/*
 * Copies opts; *errstr is set (the regex library's message) and NULL
 * returned for a bad --colsep.  Reading a record fails with EOVERFLOW
 * when --colsep goes over its match limit (re.h), with EILSEQ when a
 * --csv record is not CSV.
 */
struct input	*input_new(const struct input_opts *, const char **errstr);
void		 input_free(struct input *);

/* A ::: source; the strings are copied.  linked: pair with the previous. */
void	input_add_args(struct input *, char *const *args, size_t n,
	    bool linked);

/*
 * A :::: or -a source; "-" is stdin.  Opens the file now so that a
 * missing one is reported before any job starts: -1 with errno set.
 */
int	input_add_file(struct input *, const char *path, bool linked);
size_t	input_source_count(const struct input *);

/*
 * Reads headers and the sources that have to be held in memory.  -1 with
 * errno set on a read error; input_error_path() names the file.
 */
int	input_start(struct input *);

/*
 * Fills rec (the caller releases it with record_release()) with the next
 * record: 1, 0 at the end, -1 with errno set on a read error.
 */
int	input_next(struct input *, struct record *rec);

/*
 * The descriptor input_next() would block reading (the streamed source,
 * with no whole record buffered), or -1 if it can go on without waiting:
 * a caller with other work polls it first.
 */
int	input_wait_fd(const struct input *);

const char	*input_error_path(const struct input *);

/* Column names from --header: name i is column i + 1. */
size_t		 input_header_count(const struct input *);
const char	*input_header_name(const struct input *, size_t i);

void	record_release(struct record *);

/*
 * Turns s, with C escapes (\t \n \r \0 \\ \xHH \NNN), into the bytes of
 * a -d delimiter in out (size bytes): their number, or -1 if there are
 * none, too many or a bad escape.
 */
int	input_parse_delim(const char *s, char *out, size_t size);

#endif
