/*
 * buf: a growable byte buffer, always NUL-terminated so that text built in
 * it can be used as a C string.
 */
#ifndef PARX_BUF_H
#define PARX_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *);
void	 buf_release(struct buf *);
void	 buf_reset(struct buf *);		/* len = 0, keeps memory */
void	 buf_grow(struct buf *, size_t);	/* room for n more bytes */
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addstr(struct buf *, const char *);
void	 buf_addch(struct buf *, char);
void	 buf_consume(struct buf *, size_t);	/* drop n bytes at the front */
char	*buf_detach(struct buf *);		/* caller owns the result */

#endif
