/*
 * memdev: the microkernel personality's memory devices, /dev/null,
 * /dev/zero and /dev/full, as a server (memdev_proto.h). pm starts it with
 * the receive end of its endpoint as argument; vfs calls it. It keeps no
 * state, so a restart loses nothing. Zeros go straight into the client's
 * buffer with mk_grant_copy: the client -> vfs -> memdev chain of calls
 * lets memdev use the grants of the call vfs is working on.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../fsd/ipc.h"
#include "memdev_proto.h"
#include "mk.h"

#define IO_MAX	(64 * 1024)

static char zeros[IO_MAX];

static int known(uint64_t minor)
{
	return minor == MEMDEV_NULL || minor == MEMDEV_ZERO || minor == MEMDEV_FULL;
}

/* A read: nothing from null, zeros from zero and full (as Linux). */
static long do_read(struct ipc_msg *m, size_t *out_len)
{
	uint64_t count = m->w[3] < IO_MAX ? m->w[3] : IO_MAX;
	long k;

	if (m->w[0] == MEMDEV_NULL || count == 0)
		return 0;
	if (m->w[1] == MEMDEV_NO_GRANT) {
		*out_len = count;
		return (long)count;
	}
	if (m->w[1] > 0x7fffffff)
		return -EINVAL;
	k = mk_grant_copy((int)m->w[1], m->w[2], zeros, count, MK_GRANT_WRITE);
	return k < 0 ? k : (long)count;
}

static long handle(struct ipc_msg *m, size_t *out_len)
{
	if (!known(m->w[0]))
		return -ENXIO;
	switch (m->label) {
	case MEMDEV_READ:
		return do_read(m, out_len);
	case MEMDEV_WRITE:
		return m->w[0] == MEMDEV_FULL ? -ENOSPC : (long)m->w[3];
	default:
		return -ENOSYS;
	}
}

int main(int argc, char **argv)
{
	struct ipc_long l = { zeros, 0, NULL, 0 };
	struct ipc_msg m = { 0 };
	int fd = argc == 2 ? atoi(argv[1]) : -1;
	long n;

	if (fd < 0) {
		fprintf(stderr, "usage: memdev RECV-FD (started by pm)\n");
		return 2;
	}
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	for (;;) {
		n = ipc_reply_recv(fd, &m, &l, NULL);
		l.send_len = 0;
		if (n == -EPIPE)
			return 0;
		if (n < 0) {
			if (n != -EINTR && n != -EMSGSIZE) {
				fprintf(stderr, "memdev: ipc_reply_recv: %s\n", strerror((int)-n));
				return 1;
			}
			continue;
		}
		m.label = (uint64_t)handle(&m, &l.send_len);
	}
}
