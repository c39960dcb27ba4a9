/*
 * fdio: the small retry loops around read(2) and write(2) that the rest of
 * parx uses, so that EINTR and short writes are handled in one place.
 */
#ifndef PARX_FDIO_H
#define PARX_FDIO_H

#include <sys/types.h>

#include <stddef.h>

/* Writes all n bytes, or returns -1 with errno set. */
int	fdio_write_full(int fd, const void *p, size_t n);

/* pread(2), retried on EINTR. */
ssize_t	fdio_pread(int fd, void *p, size_t n, off_t off);

/*
 * Creates a new file dir/parXXXXX.par (five random characters), the name
 * GNU parallel gives its --files output, open for writing: the fd, with
 * *path (the caller frees it), or -1 with errno set.
 */
int	fdio_mktemp_par(const char *dir, char **path);

/*
 * A new file in dir (NULL: /tmp) that has no name, open for reading and
 * writing, so that nothing is left behind however the program ends.  -1
 * with errno set.
 */
int	fdio_tmpfile(const char *dir);

/*
 * Removes path and everything under it, not following symbolic links nor
 * leaving its file system.  -1 with errno set if something stayed.
 */
int	fdio_remove_tree(const char *path);

/* mkdir -p: path and its missing parents (0777 less the umask). */
int	fdio_mkdirs(const char *path);

/* Appends all of file path to b.  -1 with errno set. */
struct buf;
int	fdio_read_file(const char *path, struct buf *b);

#endif
