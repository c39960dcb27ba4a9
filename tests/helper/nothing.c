/*
 * nothing: exits 0, like true(1), but costs only a fork and an exec: on
 * x86-64 it has no C library at all (a static glibc's start-up alone,
 * its CPU probing trapped by a hypervisor, took most of a job's time
 * here), elsewhere it is static.  The tests that run thousands of jobs
 * to count them use it.
 */
#if defined(__x86_64__) && defined(NOTHING_BARE)
void	_start(void);

void
_start(void)
{
	__asm__ volatile ("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
}
#else
int
main(void)
{
	return 0;
}
#endif
