/*
 * pm: the microkernel personality's process manager (docs/microkernel.md).
 * /init starts it at boot. It makes the endpoints of pm, vfs and memdev,
 * starts vfs and memdev, puts their send ends in the kernel's registry
 * (mk_register) and then serves three kinds of calls:
 *  - the process calls of clients (getpid, getuid, uname...), answered
 *    from its table of processes;
 *  - the kernel's notifications (MK_ENTER, MK_FORK, MK_EXIT, MK_EXEC,
 *    MK_CRED), which update that table and are passed on to vfs;
 *  - PM_SPAWN_FS / PM_STOP_FS from vfs, which start and stop ext2d.
 * It keeps every server's receive end, so calls queued for a server that
 * dies wait for its successor, which servers.c starts (reincarnation).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include "../../kernel/mk_proto.h"
#include "../fsd/ipc.h"
#include "mk.h"
#include "pm.h"

#define PM_THREADS	4	/* a STOP_FS or a slow vfs must not stall getpid */

struct proc {
	int tgid, ppid;
	uint32_t uid, gid, euid, egid;
};

static struct proc *procs;
static size_t nprocs, cap_procs;
static pthread_mutex_t procs_lock = PTHREAD_MUTEX_INITIALIZER;
static int vfs_send = -1, pm_recv = -1;

static struct proc *proc_find(int tgid)
{
	for (size_t i = 0; i < nprocs; i++)
		if (procs[i].tgid == tgid)
			return &procs[i];
	return NULL;
}

/* The entry of @tgid, made if it is new; NULL when memory runs out. */
static struct proc *proc_get(int tgid)
{
	struct proc *p = proc_find(tgid);

	if (p)
		return p;
	if (nprocs == cap_procs) {
		size_t cap = cap_procs ? cap_procs * 2 : 64;
		struct proc *t = realloc(procs, cap * sizeof(*t));

		if (!t)
			return NULL;
		procs = t;
		cap_procs = cap;
	}
	p = &procs[nprocs++];
	memset(p, 0, sizeof(*p));
	p->tgid = tgid;
	p->ppid = 1;
	return p;
}

static void proc_creds(struct proc *p, uint64_t ids, uint64_t eids)
{
	p->uid = (uint32_t)ids;
	p->gid = (uint32_t)(ids >> 32);
	p->euid = (uint32_t)eids;
	p->egid = (uint32_t)(eids >> 32);
}

/* Process @tgid is gone: forget it; its children are now init's. */
static void proc_exit(int tgid)
{
	struct proc *p = proc_find(tgid);

	for (size_t i = 0; i < nprocs; i++)
		if (procs[i].ppid == tgid)
			procs[i].ppid = 1;
	if (p)
		*p = procs[--nprocs];
}

/* Update the table for one of the kernel's notifications. */
static long note(struct ipc_msg *m)
{
	struct proc *p;
	long err = 0;

	pthread_mutex_lock(&procs_lock);
	switch (m->label) {
	case MK_ENTER:
		if ((p = proc_get((int)m->w[0]))) {
			p->ppid = (int)m->w[1];
			proc_creds(p, m->w[2], m->w[3]);
		}
		err = p ? 0 : -ENOMEM;
		break;
	case MK_FORK:
		if ((p = proc_get((int)m->w[1]))) {
			p->ppid = (int)m->w[0];
			proc_creds(p, m->w[2], m->w[3]);
		}
		err = p ? 0 : -EAGAIN;
		break;
	case MK_CRED:
		if ((p = proc_find((int)m->w[0])))
			proc_creds(p, m->w[2], m->w[3]);
		break;
	case MK_EXIT:
		proc_exit((int)m->w[0]);
		break;
	}
	pthread_mutex_unlock(&procs_lock);
	return err;
}

/*
 * Pass a notification on to vfs with the same label, words and long
 * part, and answer with what vfs answered. An error from vfs fails an
 * ENTER or a FORK; the others cannot fail.
 */
static long tell_vfs(struct ipc_msg *m, const char *in, size_t in_len)
{
	struct ipc_msg v = *m;
	struct ipc_long l = { in, in_len, NULL, 0 };
	long r = ipc_call(vfs_send, &v, &l);

	if (m->label != MK_ENTER && m->label != MK_FORK)
		return 0;
	if (r < 0)
		return -EIO;	/* vfs is gone for good (pm gave up on it) */
	return (long)v.label;
}

static long do_notification(struct ipc_msg *m, const char *in, size_t in_len)
{
	long err = note(m);

	if (err)	/* no room in the table: fail the ENTER or FORK */
		return err;
	err = tell_vfs(m, in, in_len);
	if (err < 0) {	/* vfs refused: the process is not in the personality */
		pthread_mutex_lock(&procs_lock);
		proc_exit((int)m->w[m->label == MK_FORK ? 1 : 0]);
		pthread_mutex_unlock(&procs_lock);
	}
	return err;
}

/* uname: the kernel's own answer, written into the client's grant 0. */
static long do_uname(void)
{
	struct utsname u;
	long k;

	if (uname(&u) != 0)
		return -errno;
	k = mk_grant_copy(0, 0, &u, sizeof(u), MK_GRANT_WRITE);
	return k < 0 ? k : 0;
}

/* A client's process call, from the table (an unknown client: pid 1's child, root). */
static long do_syscall(struct ipc_msg *m, int badge)
{
	struct proc *p, none = { badge, 1, 0, 0, 0, 0 };
	long r;

	if (m->label == SYS_getpid)
		return badge;
	if (m->label == SYS_uname)
		return do_uname();
	pthread_mutex_lock(&procs_lock);
	p = proc_find(badge);
	if (!p)
		p = &none;
	switch (m->label) {
	case SYS_getppid: r = p->ppid; break;
	case SYS_getuid: r = p->uid; break;
	case SYS_getgid: r = p->gid; break;
	case SYS_geteuid: r = p->euid; break;
	case SYS_getegid: r = p->egid; break;
	default: r = -ENOSYS;
	}
	pthread_mutex_unlock(&procs_lock);
	return r;
}

/* One of pm's threads: answer, wait, decode, forever. */
static void *serve(void *arg)
{
	char *in = malloc(IPC_LONG_MAX);
	struct ipc_long l = { NULL, 0, in, IPC_LONG_MAX };
	struct ipc_msg m = { 0 };
	int badge;
	long n;

	if (!in) {
		fprintf(stderr, "pm: no memory for a thread\n");
		return arg;
	}
	for (;;) {
		n = ipc_reply_recv(pm_recv, &m, &l, &badge);
		if (n < 0) {
			if (n != -EINTR && n != -EMSGSIZE) {
				fprintf(stderr, "pm: ipc_reply_recv: %s\n", strerror((int)-n));
				sleep(1);
			}
			continue;
		}
		if (m.label < MK_OP_BASE)
			m.label = (uint64_t)do_syscall(&m, badge);
		else if (badge == 0 && m.label <= MK_CRED)
			m.label = (uint64_t)do_notification(&m, in, (size_t)n);
		else if ((m.label == PM_SPAWN_FS || m.label == PM_STOP_FS) && !pm_is_vfs(badge))
			m.label = (uint64_t)-EPERM;	/* file servers are vfs's to ask for */
		else if (m.label == PM_SPAWN_FS)
			m.label = (uint64_t)pm_spawn_fs(m.w[0], in, (size_t)n);
		else if (m.label == PM_STOP_FS)
			m.label = (uint64_t)pm_stop_fs(m.w[0]);
		else
			m.label = (uint64_t)-ENOSYS;
		memset(m.w, 0, sizeof(m.w));
	}
	return arg;
}

/* The daemon: endpoints, servers, registry, then serve. */
static int run(void)
{
	int pm_ep[2];
	long err;

	if ((err = ipc_create(pm_ep, O_CLOEXEC)) < 0) {
		fprintf(stderr, "pm: ipc_create: %s\n", strerror((int)-err));
		return 1;
	}
	pm_recv = pm_ep[0];
	if (pm_start_servers(&vfs_send))
		return 1;
	err = mk_register(MK_PM, pm_ep[1]);
	if (err < 0) {
		fprintf(stderr, "pm: mk_register(pm): %s\n", strerror((int)-err));
		return 1;
	}
	for (int i = 1; i < PM_THREADS; i++) {
		pthread_t t;

		pthread_create(&t, NULL, serve, NULL);
	}
	serve(NULL);
	return 0;
}

int main(void)
{
	long err = mk_connect(MK_PM);
	pid_t pid;

	if (err == -ENOSYS) {
		printf("pm: this kernel has no microkernel personality; not started\n");
		return 0;
	}
	if (err >= 0) {
		fprintf(stderr, "pm: already running\n");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("pm: fork");
		return 1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {	/* a daemon: $(pm) must see EOF */
			dup2(null, 0);
			dup2(null, 1);
			if (null > 1)
				close(null);
		}
		setsid();
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		return run();
	}
	printf("pm: serving the microkernel personality (pid %d)\n", (int)pid);
	return 0;
}
