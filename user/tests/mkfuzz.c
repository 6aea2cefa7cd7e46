/*
 * A client that talks nonsense to the microkernel personality's servers
 * (run by user/tests/mkrun.sh): as root it takes send ends to vfs and pm
 * (mk_connect) and sends each a few thousand requests with random labels
 * (system call numbers, protocol operations, anything), random words and
 * random long parts, some with strings missing their NUL. Every request
 * must get an answer (an errno, mostly), and afterwards the servers must
 * be the same processes as before: nothing a client sends may crash them.
 * Prints what it saw; exits 0 when both servers answered everything and
 * are still the same processes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include "../fsd/ipc.h"
#include "../mk/mk.h"
#include "../../kernel/mk_proto.h"

#define ROUNDS	3000

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The pid of the process whose comm is @name, or 0. */
static int pid_of(const char *name)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], comm[64];
	int pid = 0;

	while (d && (e = readdir(d)) && !pid) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (f && fgets(comm, sizeof(comm), f) && !strncmp(comm, name, strlen(name)) &&
		    comm[strlen(name)] == '\n')
			pid = atoi(e->d_name);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return pid;
}

/* A label worth trying: a routed call, a protocol operation, or noise. */
static uint64_t label(void)
{
	static const uint64_t calls[] = { 0, 1, 2, 3, 4, 5, 8, 16, 17, 18, 19, 20, 22, 32, 33,
					  72, 79, 80, 82, 83, 87, 89, 165, 166, 217, 257, 262,
					  263, 292, 293, 332, 39, 63, 110 };

	switch (next() % 4) {
	case 0:
		return calls[next() % (sizeof(calls) / sizeof(calls[0]))];
	case 1:
		return MK_OP_BASE + next() % 8;
	case 2:
		return MK_OP_BASE + 0x100 + next() % 3;
	default:
		return next();
	}
}

static int fuzz(int fd, const char *who)
{
	static char out[4096], in[IPC_LONG_MAX];
	int answered = 0, errors = 0;

	for (int i = 0; i < ROUNDS; i++) {
		struct ipc_msg m = { .label = label() };
		struct ipc_long l = { out, next() % sizeof(out), in, sizeof(in) };
		long n;

		for (int w = 0; w < 5; w++)
			m.w[w] = next() % 3 ? next() % 300 : next();
		for (size_t b = 0; b < l.send_len; b++)
			out[b] = (char)(next() % 5 ? 'a' + next() % 26 : (next() % 2 ? '/' : 0));
		n = ipc_call(fd, &m, &l);
		if (n >= 0)
			answered++;
		else if (n != -EMSGSIZE)
			errors++;
	}
	printf("# %s: %d requests, %d answered, %d transport errors\n", who, ROUNDS, answered,
	       errors);
	return errors == 0;
}

int main(void)
{
	int vfs = pid_of("vfs"), pm = pid_of("pm");
	int vfd = (int)mk_connect(MK_VFS), pfd = (int)mk_connect(MK_PM);
	int ok;

	if (vfd < 0 || pfd < 0 || !vfs || !pm) {
		printf("# no servers to fuzz (vfs %d, pm %d, ends %d %d)\n", vfs, pm, vfd, pfd);
		return 1;
	}
	ok = fuzz(vfd, "vfs") & fuzz(pfd, "pm");
	if (pid_of("vfs") != vfs || pid_of("pm") != pm) {
		printf("# a server died: vfs %d -> %d, pm %d -> %d\n", vfs, pid_of("vfs"), pm,
		       pid_of("pm"));
		ok = 0;
	}
	return ok ? 0 : 1;
}
