/*
 * pm's servers: vfs and memdev, which always run, and the file servers
 * (ext2d) that vfs asks for. Each has an endpoint made by pm, whose send
 * end sits in the kernel's registry under the server's slot and whose
 * receive end pm keeps a copy of: a server that dies leaves its endpoint
 * behind, calls queue on it, and its successor (started by the reaper
 * thread below, with the same receive end) answers them. A server that
 * dies too often in a short time is given up: pm drops its receive end,
 * so its callers get EPIPE, which the kernel turns into EIO.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "../fsd/ipc.h"
#include "mk.h"
#include "pm.h"
#include "../../kernel/mk_proto.h"

#define RESTART_MAX	5	/* restarts allowed ... */
#define RESTART_WINDOW	10	/* ... within this many seconds */
#define STOP_WAIT	10	/* seconds a stopped file server has to exit */

struct server {
	const char *name;	/* NULL: the slot is free */
	const char *path;
	char *dev;		/* a file server's device */
	int always;		/* restart after any death, not only a signal */
	int recv, send;		/* pm's ends of its endpoint */
	pid_t pid;		/* 0: not running */
	int stopping, exited;
	time_t restarts[RESTART_MAX];	/* when, oldest first */
	int nrestarts;
};

static struct server servers[MK_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;

/* Fork and exec @s with its receive end; the caller holds the lock. */
static pid_t start(struct server *s)
{
	char fd[16];
	char *argv[6];
	int n = 0;
	pid_t pid;

	snprintf(fd, sizeof(fd), "%d", s->recv);
	argv[n++] = (char *)s->path;
	if (s->dev)
		argv[n++] = "-f";
	argv[n++] = fd;
	if (s->dev)
		argv[n++] = s->dev;
	argv[n] = NULL;
	/*
	 * vfork, not fork: a fork would turn every page of pm copy-on-write,
	 * the receive buffers its other threads wait on included, and each
	 * message would then unshare a page (docs/ipc.md). The child only
	 * execs.
	 */
	pid = vfork();
	if (pid == 0) {
		static const char msg[] = "pm: cannot exec a server\n";

		/* the one fd it inherits; the others are close-on-exec */
		fcntl(s->recv, F_SETFD, 0);
		execv(s->path, argv);
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(127);
		_exit(127);
	}
	if (pid < 0)
		return -errno;
	s->pid = pid;
	s->exited = 0;
	pthread_cond_broadcast(&changed);
	return pid;
}

/* Empty @s's slot and close pm's ends (the caller holds the lock). */
static void drop(struct server *s, int slot)
{
	mk_register(slot, -1);
	close(s->recv);
	close(s->send);
	free(s->dev);
	memset(s, 0, sizeof(*s));
}

/* Is another restart of @s allowed now? Records it if so. */
static int may_restart(struct server *s)
{
	time_t now = time(NULL);

	if (s->nrestarts == RESTART_MAX) {
		if (now - s->restarts[0] < RESTART_WINDOW)
			return 0;
		memmove(s->restarts, s->restarts + 1, sizeof(s->restarts) - sizeof(time_t));
		s->nrestarts--;
	}
	s->restarts[s->nrestarts++] = now;
	return 1;
}

/* Server @s (slot @slot), pid @pid, ended with wait status @st. */
static void died(struct server *s, int slot, pid_t pid, int st)
{
	char how[40];
	pid_t q;

	s->pid = 0;
	s->exited = 1;
	if (s->stopping) {
		pthread_cond_broadcast(&changed);
		return;
	}
	if (WIFSIGNALED(st))
		snprintf(how, sizeof(how), "died (signal %d)", WTERMSIG(st));
	else
		snprintf(how, sizeof(how), "exited (status %d)", WEXITSTATUS(st));
	if (!s->always && !WIFSIGNALED(st)) {
		/* a file server that chose to exit (a bad device, say) stays gone */
		fprintf(stderr, "pm: %s (pid %d) %s; not restarted\n", s->name, (int)pid, how);
		drop(s, slot);
		return;
	}
	if (!may_restart(s)) {
		fprintf(stderr, "pm: %s (pid %d) %s; %d restarts in %d s: giving up\n",
			s->name, (int)pid, how, RESTART_MAX, RESTART_WINDOW);
		/* the last receive end: its callers now get EPIPE */
		close(s->recv);
		s->recv = -1;
		return;
	}
	q = start(s);
	if (q < 0)
		fprintf(stderr, "pm: %s (pid %d) %s; cannot restart it: %s\n", s->name, (int)pid,
			how, strerror((int)-q));
	else
		fprintf(stderr, "pm: %s (pid %d) %s; restarted as pid %d\n", s->name, (int)pid,
			how, (int)q);
}

/* The reaper thread: wait for any child, restart it if it was a server. */
static void *reaper(void *arg)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, 0);

		pthread_mutex_lock(&lock);
		if (pid < 0) {
			struct timespec ts;

			/* no child yet: wait until one is started (or a second) */
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&changed, &lock, &ts);
		}
		for (int i = 0; pid > 0 && i < MK_SLOTS; i++)
			if (servers[i].name && servers[i].pid == pid)
				died(&servers[i], i, pid, st);
		pthread_mutex_unlock(&lock);
	}
	return arg;
}

/* Make the endpoint of the server in @slot, register it and start it. */
static long add(int slot, const char *name, const char *path, char *dev, int always)
{
	struct server *s = &servers[slot];
	int ep[2];
	long err = ipc_create(ep, O_CLOEXEC);

	if (err < 0)
		return err;
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->path = path;
	s->dev = dev;
	s->always = always;
	s->recv = ep[0];
	s->send = ep[1];
	err = mk_register(slot, ep[1]);
	if (err >= 0)
		err = start(s);
	if (err < 0) {
		s->dev = NULL;	/* the caller still owns it */
		drop(s, slot);
	}
	return err;
}

int pm_start_servers(int *vfs_send)
{
	pthread_t t;
	long err;

	pthread_create(&t, NULL, reaper, NULL);
	pthread_mutex_lock(&lock);
	err = add(MK_MEMDEV, "memdev", "/sbin/memdev", NULL, 1);
	if (err >= 0)
		err = add(MK_VFS, "vfs", "/sbin/vfs", NULL, 1);
	*vfs_send = servers[MK_VFS].send;
	pthread_mutex_unlock(&lock);
	if (err < 0)
		fprintf(stderr, "pm: cannot start vfs and memdev: %s\n", strerror((int)-err));
	return err < 0;
}

int pm_is_vfs(int pid)
{
	int yes;

	pthread_mutex_lock(&lock);
	yes = pid > 0 && servers[MK_VFS].pid == pid;
	pthread_mutex_unlock(&lock);
	return yes;
}

long pm_spawn_fs(uint64_t type, const char *in, size_t in_len)
{
	char *dev;
	long err = -ENOSPC;

	if (type != MK_FS_EXT2)
		return -ENODEV;
	if (in_len == 0 || in_len > PATH_MAX || !memchr(in, 0, in_len) || !in[0])
		return -EINVAL;
	dev = strdup(in);
	if (!dev)
		return -ENOMEM;
	pthread_mutex_lock(&lock);
	for (int i = MK_SLOT_FS; i < MK_SLOTS; i++) {
		if (servers[i].name)
			continue;
		err = add(i, "ext2d", "/sbin/ext2d", dev, 0);
		if (err >= 0)
			err = i;
		break;
	}
	pthread_mutex_unlock(&lock);
	if (err < 0)
		free(dev);
	return err;
}

long pm_stop_fs(uint64_t slot)
{
	struct server *s;
	struct timespec ts;

	if (slot < MK_SLOT_FS || slot >= MK_SLOTS)
		return -EINVAL;
	pthread_mutex_lock(&lock);
	s = &servers[slot];
	if (!s->name || s->stopping) {
		pthread_mutex_unlock(&lock);
		return -ENOENT;
	}
	s->stopping = 1;
	/*
	 * Empty the slot and close pm's ends: once vfs has closed its send end
	 * too, the server's ipc_reply_recv fails with EPIPE and it exits.
	 */
	mk_register((int)slot, -1);
	close(s->recv);
	close(s->send);
	s->recv = s->send = -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += STOP_WAIT;
	while (s->pid && !s->exited)
		if (pthread_cond_timedwait(&changed, &lock, &ts) == ETIMEDOUT)
			break;
	if (s->pid && !s->exited) {
		fprintf(stderr, "pm: %s (pid %d) did not stop in %d s; killed\n", s->name,
			(int)s->pid, STOP_WAIT);
		kill(s->pid, SIGKILL);
		while (s->pid && !s->exited)
			pthread_cond_wait(&changed, &lock);
	}
	free(s->dev);
	memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&lock);
	return 0;
}
