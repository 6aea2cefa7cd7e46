/*
 * vfs: the microkernel personality's file server. pm starts it as
 * `vfs RECV-FD`. Worker threads loop on ipc_reply_recv on that receive
 * end; a request is a client's system call (label: its number, badge: its
 * tgid) or one of the notifications pm passes on (mk_proto.h). When every
 * worker is busy (blocked on a pipe, waiting for ext2d), another starts,
 * up to VFS_WORKERS. vfs_request() decodes the long part (the paths, the
 * mk_fdmap) and vfs_sys() dispatches by system call number.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vfs.h"

#define VFS_WORKERS	32
#define WORKER_STACK	(512 * 1024)	/* walks keep two paths on the stack */

static int recv_fd;
static int nworkers, nidle;
static pid_t pm_pid;

long answer_native(struct vreq *r, const char *p1, const char *p2, long fd)
{
	size_t n1 = strlen(p1) + 1, n2 = p2 ? strlen(p2) + 1 : 0;

	memcpy(r->out, p1, n1);
	if (p2)
		memcpy(r->out + n1, p2, n2);
	r->out_len = n1 + n2;
	r->native = 1;
	r->native_fd = fd >= 0 ? fd : 0;
	return 0;
}

int call_alive(void)
{
	char x;

	return mk_grant_copy(0, 0, &x, 0, MK_GRANT_READ) != -EINVAL;
}

/* A notification from pm (or the kernel): update the clients; answer 0. */
static long notification(struct ipc_msg *m, char *in, size_t len)
{
	in[len] = 0;	/* the buffer has room: len < IPC_LONG_MAX */
	switch (m->label) {
	case MK_ENTER:
		return client_enter((int)m->w[0], m, len ? in : NULL);
	case MK_FORK:
		return client_fork((int)m->w[0], (int)m->w[1], m);
	case MK_EXIT:
		client_exit((int)m->w[0]);
		return 0;
	case MK_EXEC:
		client_exec((int)m->w[0]);
		return 0;
	case MK_CRED:
		client_cred((int)m->w[0], m);
		return 0;
	}
	return -ENOSYS;
}

/* MK_ALLOC_FD and MK_DROP_FD: the kernel's files in the client's numbering. */
static long kernel_fds(struct vreq *r, const char *in, size_t len)
{
	long a, b = 0;

	if (r->m->label == MK_DROP_FD) {
		fd_close(r->c, (long)arg(r, 0));
		return 0;
	}
	if (len < sizeof(r->map) || arg(r, 0) < 1 || arg(r, 0) > 2 || arg(r, 1) >= VFS_FD_MAX)
		return -EINVAL;
	memcpy(&r->map, in, sizeof(r->map));
	if ((a = fd_alloc(r->c, &r->map, (long)arg(r, 1))) < 0)
		return a;
	fd_reserve(r->c, (int)a);
	if (arg(r, 0) == 2) {
		if ((b = fd_alloc(r->c, &r->map, a + 1)) < 0)
			return b;
		fd_reserve(r->c, (int)b);
	}
	r->m->w[0] = (uint64_t)a;
	r->m->w[1] = (uint64_t)b;
	return 0;
}

/* Cut the long part into its @nstr paths and the mk_fdmap after them. */
static long decode(struct vreq *r, const char *in, size_t len, int nstr)
{
	size_t pos = 0;

	for (int i = 0; i < nstr; i++) {
		const char *nul = memchr(in + pos, 0, len - pos);

		if (!nul)
			return -EINVAL;
		if ((size_t)(nul - (in + pos)) >= VFS_PATH_MAX)
			return -ENAMETOOLONG;
		r->str[i] = in + pos;
		pos = (size_t)(nul - in) + 1;
	}
	r->nstr = nstr;
	if (len - pos < sizeof(r->map))
		return -EINVAL;
	memcpy(&r->map, in + pos, sizeof(r->map));
	r->extra = in + pos + sizeof(r->map);
	r->extra_len = len - pos - sizeof(r->map);
	return 0;
}

long vfs_request(struct ipc_msg *m, int badge, char *in, size_t len, char *out, size_t *out_len)
{
	struct vreq r = { .m = m, .badge = badge, .out = out };
	long res;

	*out_len = 0;
	if (m->label >= MK_OP_BASE && m->label <= MK_CRED) {
		if (badge != 0 && badge != pm_pid)
			return -EPERM;
		res = notification(m, in, len);
		memset(m->w, 0, sizeof(m->w));
		return res;
	}
	if (badge <= 0)
		return -EINVAL;
	r.c = client_get(badge);
	if (!r.c)
		return -ENOMEM;
	if (m->label == MK_ALLOC_FD || m->label == MK_DROP_FD) {
		res = kernel_fds(&r, in, len);
	} else if (m->label >= MK_OP_BASE) {
		res = -ENOSYS;
	} else {
		res = decode(&r, in, len, vfs_nstr(m->label));
		if (res == 0)
			res = vfs_sys(&r);
		memset(m->w, 0, sizeof(m->w));
		if (r.native) {
			m->w[0] = (uint64_t)r.native_fd;
			m->w[4] = MK_ANSWER_NATIVE;
		}
	}
	*out_len = r.out_len;
	client_put(r.c);
	return res;
}

static void start_worker(void);

static void *worker(void *arg)
{
	char *in = malloc(IPC_LONG_MAX), *out = malloc(IPC_LONG_MAX);
	struct ipc_long l = { out, 0, in, IPC_LONG_MAX - 1 };	/* room for a NUL */
	struct ipc_msg m = { 0 };
	int badge;
	long n;

	if (!in || !out) {
		fprintf(stderr, "vfs: no memory for a worker\n");
		free(in);
		free(out);
		pthread_mutex_lock(&vfs_lock);
		nworkers--;
		nidle--;
		pthread_mutex_unlock(&vfs_lock);
		return arg;
	}
	for (;;) {
		n = ipc_reply_recv(recv_fd, &m, &l, &badge);
		l.send_len = 0;
		if (n == -EPIPE)	/* pm and every client are gone */
			exit(0);
		if (n < 0)
			continue;	/* -EMSGSIZE: that request was not delivered */
		pthread_mutex_lock(&vfs_lock);
		if (--nidle == 0 && nworkers < VFS_WORKERS)
			start_worker();
		m.label = (uint64_t)vfs_request(&m, badge, in, (size_t)n, out, &l.send_len);
		fs_flush_forgets();
		nidle++;
		pthread_mutex_unlock(&vfs_lock);
	}
	return arg;
}

/* Start one more worker; called with vfs_lock held. */
static void start_worker(void)
{
	pthread_attr_t at;
	pthread_t t;

	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, WORKER_STACK);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, worker, NULL) == 0) {
		nworkers++;
		nidle++;
	}
	pthread_attr_destroy(&at);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: vfs RECV-FD (started by pm)\n");
		return 2;
	}
	recv_fd = atoi(argv[1]);
	pm_pid = getppid();
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	pthread_mutex_lock(&vfs_lock);
	if (fs_init()) {
		fprintf(stderr, "vfs: cannot make /tmp\n");
		return 1;
	}
	start_worker();
	start_worker();
	pthread_mutex_unlock(&vfs_lock);
	for (;;)
		pause();
}
