/*
 * showargs: prints each argument on a line of its own between < and >,
 * with bytes outside printable ASCII as \ooo, so tests see exactly what a
 * job received (OpenBSD's regress showargs does the same).
 */
#include <stdio.h>

int
main(int argc, char *argv[])
{
	const unsigned char *p;
	int i;

	for (i = 1; i < argc; i++) {
		putchar('<');
		for (p = (const unsigned char *)argv[i]; *p != '\0'; p++) {
			if (*p < 0x20 || *p >= 0x7f || *p == '\\')
				printf("\\%03o", *p);
			else
				putchar(*p);
		}
		puts(">");
	}
	return 0;
}
