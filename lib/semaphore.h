/*
 * semaphore: a counting semaphore shared by processes, for --semaphore
 * (sem).  Its slots are files in a directory of its own; a slot is held
 * by an flock on its file, so a holder that dies, however it dies, frees
 * its slot (a lock, not a pid file).
 */
#ifndef PARX_SEMAPHORE_H
#define PARX_SEMAPHORE_H

/*
 * Takes one of slots slots in dir (made, mode 0700, if missing), waiting
 * for one to come free: up to timeout seconds, or forever if timeout is
 * negative.  Returns the descriptor that holds it (closing every copy of
 * it frees the slot), or -1 with errno set (ETIMEDOUT: none came free).
 */
int	semaphore_take(const char *dir, unsigned long slots, double timeout);

/*
 * Waits until no slot in dir is held, whatever number of slots its
 * holders took it with.  0, or -1 with errno set.
 */
int	semaphore_wait_idle(const char *dir);

#endif
