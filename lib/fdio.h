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

#endif
