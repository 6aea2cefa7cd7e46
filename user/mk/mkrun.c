/*
 * mkrun: run a command in the microkernel personality (docs/microkernel.md).
 * `mkrun CMD [ARGS...]` asks the kernel to mark this process (mk_enter),
 * then executes CMD: from then on its system calls, and those of everything
 * it forks or executes, go to the servers pm and vfs as IPC messages.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "mk.h"

int main(int argc, char **argv)
{
	long err;

	if (argc < 2) {
		fprintf(stderr, "usage: mkrun CMD [ARGS...]\n");
		return 2;
	}
	err = mk_enter();
	if (err < 0) {
		fprintf(stderr, "mkrun: cannot enter the microkernel personality: %s\n",
			strerror((int)-err));
		return 127;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "mkrun: %s: %s\n", argv[1], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
