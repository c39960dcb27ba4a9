/*
 * block: cutting a stream into blocks that end on record boundaries, for
 * --pipe, and a regular file into record-aligned ranges, for --pipepart.
 * The concatenation of the blocks is the input, byte for byte.
 */
#ifndef PARX_BLOCK_H
#define PARX_BLOCK_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

struct perlx;

struct block_opts {
	size_t		 size;		/* --block: bytes a block aims at */
	const char	*recend;	/* record end, default "\n" */
	const char	*recstart;	/* record start, default "" */
	size_t		 records;	/* -N: records per block; 0: by size */
	size_t		 lines;		/* -L: lines per record; 0: 1 */
	size_t		 header_lines;	/* --header N: repeated in each block */
	const char	*header_re;	/* --header REGEX: what it matches at
					   the start, repeated in each block */
	bool		 csv;		/* --csv: a record end inside a quoted
					   field is none */
	bool		 remove_sep;	/* --rrs: blocks lose their record
					   separators */
	bool		 skip_blank;	/* -r: a block of only white space
					   makes no job */
	/*
	 * --group-by: records are runs of lines with the same key (key.h;
	 * a column named is looked up in the first line, which every block
	 * then starts with).  The colsep is a Perl regex.
	 */
	const char	*group_by;
	const char	*group_colsep;
	struct perlx	*perl;
	/*
	 * --block-timeout: seconds a block may take to gather; then the
	 * whole records read so far are a block (not with -N, as in GNU).
	 */
	double		 timeout;
	bool		 timeout_waits;	/* blocker_next() waits out the
					   timeout itself: it never says 2 */
	bool		 regexp;	/* recend, recstart are Perl regexes;
					   else strings with GNU's escapes
					   \0 \r \n \t \' \" \\ */
};

/*
 * -1 with *errstr set if recend and recstart do not make a valid
 * --regexp (Perl regexes, as in GNU parallel).
 */
int	block_check_regexp(const struct block_opts *, const char **errstr);

/* -1 with *errstr set if a --header regex does not compile. */
int	block_check_header(const char *header_re, const char **errstr);

struct blocker;

/* Reads fd (borrowed).  Never fails: errors show in blocker_next(). */
struct blocker	*blocker_new(int fd, const struct block_opts *);
void		 blocker_free(struct blocker *);

/*
 * The next block, header first, in a buffer the caller frees: 1, 0 at
 * the end of input, -1 with errno set on a read error (EOVERFLOW: the
 * --regexp went over its match limit, re.h; EINVAL, ENOEXEC: see
 * blocker_key_error()).  With a timeout it never blocks: 2 when the
 * block is not ready; ask again once blocker_wait_fd() is readable or
 * at blocker_wake_at().
 */
int	blocker_next(struct blocker *, char **data, size_t *len);

/* GNU's largest block: 2 GiB less a byte. */
#define BLOCK_MOST	((size_t)2147483647)

/* The block size after size, when a record was longer: 30% more. */
size_t	block_grow(size_t size);

/*
 * The block size if a record longer than a block made blocks bigger
 * since the last call (with *from the size before), else 0.  To be said,
 * as GNU parallel says it.
 */
size_t	blocker_grown(struct blocker *, size_t *from);

/* With a timeout, what blocker_next() waits for; else -1 (it blocks). */
int	blocker_wait_fd(const struct blocker *);

/* With a timeout, when the block is cut anyway (monotonic); else 0. */
double	blocker_wake_at(const struct blocker *);

/*
 * Why blocker_next() failed with EINVAL (a --group-by expression that
 * does not work) or ENOEXEC (its perl died), or NULL.
 */
const char	*blocker_key_error(const struct blocker *);

/*
 * --rrs: removes the record separators from the len bytes at p (a block
 * without its header) in place, as GNU parallel does; the new length.
 */
size_t	blocker_remove_sep(const struct blocker *, char *p, size_t len);

/*
 * --pipepart: splits bytes [0, size) of the regular file fd into about
 * size / opts->size record-aligned ranges; pipe_like cuts them as
 * blocker_next() would cut the same bytes read as a stream, opts->size
 * growing as it would (blocker_grown()).  *starts gets n + 1 offsets
 * (the last is size), the caller frees it.  Header lines, if any, are the
 * first range's and are left out: *header_len says how long they are.
 * -1 with errno set on a read error.
 */
int	blocker_ranges(int fd, off_t size, struct block_opts *,
	    bool pipe_like, off_t **starts, size_t *n, size_t *header_len);

#endif
