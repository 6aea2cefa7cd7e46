/*
 * ext2d: the ext2 file server. Two ways to run it:
 *
 *   ext2d DEVICE DIR    mount DEVICE's ext2 file system, fork a daemon
 *                       serving it, mount ipcfs on DIR with the send end
 *                       (as /sbin/fsd does), say so and exit
 *   ext2d -f FD DEVICE  serve the receive end FD a parent passed (the
 *                       microkernel personality's vfs server); no mount
 *
 * The server answers requests until ipc_reply_recv() says -EPIPE (no
 * client left: DIR was unmounted), then writes everything back, marks
 * the file system clean and exits. While it runs, dirty data is written
 * after about a second without requests (an interval timer whose signal
 * interrupts the wait), so a disk does not hold stale blocks for long.
 * A device that is not ext2, or ext2 with a feature the kernel's driver
 * does not support, is refused before anything is mounted: exit 1.
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
#include <sys/time.h>
#include "ext2d.h"
#include "../../fsd/ipc.h"

#define IDLE_SYNC_SEC	1

static volatile sig_atomic_t tick;

static void on_alarm(int sig)
{
	tick = 1;
}

/* The idle write-back timer: ticking while there is something to write. */
static void arm(bool on)
{
	struct timeval every = { IDLE_SYNC_SEC, 0 }, never = { 0, 0 };
	struct itimerval it = { on ? every : never, on ? every : never };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void idle_sync(const char *dev)
{
	int err = ext2d_sync();

	if (err)
		fprintf(stderr, "ext2d: %s: write-back failed: %s\n", dev, strerror(-err));
}

/* Answer requests on @fd until the clients are gone; then unmount. */
static int serve(int fd, const char *dev)
{
	static char in[IPC_LONG_MAX], out[IPC_LONG_MAX];
	struct ipc_long l = { out, 0, in, sizeof(in) };
	struct ipc_msg m = { 0 };
	struct ext2d_req r = { .in = in, .out = out };
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART: wake the wait */
	bool armed = false;
	int err, status = 0;
	long n;

	sigaction(SIGALRM, &sa, NULL);
	for (;;) {
		if (armed != ext2d_dirty()) {	/* before waiting: the tick ends the wait */
			armed = !armed;
			arm(armed);
		}
		l.send_len = r.out_len;
		n = ipc_reply_recv(fd, &m, &l, NULL);
		r.out_len = 0;
		if (n == -EPIPE)
			break;
		if (tick) {
			tick = 0;
			idle_sync(dev);
		}
		if (n < 0) {
			if (n != -EINTR)
				fprintf(stderr, "ext2d: ipc_reply_recv: %s\n", strerror((int)-n));
			if (n == -EBADF || n == -ENOSYS) {
				status = 1;	/* not an endpoint, not Basalt: nothing will come */
				break;
			}
			m.label = 0;	/* nobody to answer now */
			continue;
		}
		r.label = m.label;
		memcpy(r.w, m.w, sizeof(r.w));
		r.in_len = (size_t)n;
		ext2d_handle(&r);
		m.label = r.label;
	}
	arm(false);
	err = ext2d_unmount();
	fprintf(stderr, "ext2d: %s: %s (pid %d)\n", dev,
		err ? "unmounted, but some blocks could not be written" : "unmounted, all written",
		(int)getpid());
	return err ? 1 : status;
}

static int usage(void)
{
	fprintf(stderr, "usage: ext2d DEVICE DIR\n       ext2d -f FD DEVICE\n");
	return 2;
}

static int mounted(const char *dev)
{
	int err = ext2d_mount(dev);

	if (err)
		fprintf(stderr, "ext2d: %s: not served: %s\n", dev, strerror(-err));
	return err;
}

/* Become a daemon: own session, stdin and stdout on /dev/null, stderr kept. */
static void daemonize(void)
{
	int null = open("/dev/null", O_RDWR);

	if (null >= 0) {	/* $(ext2d DEV DIR) must see EOF */
		dup2(null, 0);
		dup2(null, 1);
		if (null > 1)
			close(null);
	}
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
}

static int serve_and_mount(const char *dev, const char *dir)
{
	char source[32];
	int ep[2];
	long err;
	pid_t pid;

	if (mounted(dev))
		return 1;
	if ((err = ipc_create(ep, 0)) < 0) {
		fprintf(stderr, "ext2d: cannot create the endpoint: %s\n", strerror((int)-err));
		return 1;
	}
	pid = fork();
	if (pid == 0) {
		close(ep[1]);
		daemonize();
		return serve(ep[0], dev);
	}
	close(ep[0]);
	if (pid < 0) {
		perror("ext2d: fork");
		return 1;
	}
	mkdir(dir, 0755);
	snprintf(source, sizeof(source), "ext2d,fd=%d", ep[1]);
	if (mount(source, dir, "ipcfs", 0, NULL) != 0) {
		fprintf(stderr, "ext2d: mount ipcfs on %s: %s\n", dir, strerror(errno));
		kill(pid, SIGKILL);	/* it wrote nothing: no request came */
		return 1;
	}
	printf("ext2d: serving %s on %s (pid %d)\n", dev, dir, (int)pid);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "-f")) {
		char *end;
		long fd = strtol(argv[2], &end, 10);

		if (*end || fd < 0 || !argv[2][0])
			return usage();
		return mounted(argv[3]) ? 1 : serve((int)fd, argv[3]);
	}
	if (argc != 3 || argv[1][0] == '-')
		return usage();
	return serve_and_mount(argv[1], argv[2]);
}
