/*
 * fsd: Basalt's user-space file server. `fsd [MOUNTPOINT]` (default /srv)
 * makes an IPC endpoint, forks the server, which loops on ipc_reply_recv
 * answering the kernel's ipcfs requests (fs/ipcfs_proto.h) with
 * fsd_handle (handle.c), mounts ipcfs on MOUNTPOINT with the send end
 * ("fsd,fd=N"), says so and exits. The server, a daemon with stdin and stdout on /dev/null
 * (stderr stays for its complaints), exits when the mount is gone (EPIPE).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "fsd.h"
#include "ipc.h"

/* The server loop: answer, wait, decode, until the clients are gone. */
static int serve(int fd)
{
	static char in[IPC_LONG_MAX], out[IPC_LONG_MAX];
	struct ipc_long l = { out, 0, in, sizeof(in) };
	struct ipc_msg m = { 0 };
	struct fsd_req r = { .in = in, .out = out };
	long n;

	for (;;) {
		l.send_len = r.out_len;
		n = ipc_reply_recv(fd, &m, &l, NULL);
		r.out_len = 0;
		if (n == -EPIPE)
			return 0;
		if (n < 0) {
			if (n != -EINTR)
				fprintf(stderr, "fsd: ipc_reply_recv: %s\n", strerror((int)-n));
			continue;
		}
		r.in_len = (size_t)n;
		r.label = m.label;
		memcpy(r.w, m.w, sizeof(r.w));
		fsd_handle(&r);
		m.label = r.label;
	}
}

int main(int argc, char **argv)
{
	const char *mnt = argc > 1 ? argv[1] : "/srv";
	char source[32];
	int ep[2];
	long err;
	pid_t pid;

	if (fsd_init() || (err = ipc_create(ep, 0)) < 0) {
		fprintf(stderr, "fsd: cannot create the endpoint: %s\n", strerror(ENOMEM));
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		close(ep[1]);
		if (null >= 0) {	/* a daemon: $(fsd DIR) must see EOF */
			dup2(null, 0);
			dup2(null, 1);
			if (null > 1)
				close(null);
		}
		setsid();
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		return serve(ep[0]);
	}
	close(ep[0]);
	if (pid < 0) {
		perror("fsd: fork");
		return 1;
	}
	mkdir(mnt, 0755);
	snprintf(source, sizeof(source), "fsd,fd=%d", ep[1]);
	if (mount(source, mnt, "ipcfs", 0, NULL) != 0) {
		fprintf(stderr, "fsd: mount ipcfs on %s: %s\n", mnt, strerror(errno));
		kill(pid, SIGKILL);
		return 1;
	}
	printf("fsd: serving ipcfs on %s (pid %d)\n", mnt, (int)pid);
	return 0;
}
