/*
 * fsd: Basalt's user-space file server. `fsd [MOUNTPOINT]` (default /srv)
 * makes an IPC endpoint, forks the server, which loops on ipc_reply_recv
 * answering the kernel's ipcfs requests (fs/ipcfs_proto.h) from the tree in
 * node.c, mounts ipcfs on MOUNTPOINT with the send end ("fsd,fd=N"), says
 * so and exits. The server, a daemon with stdin and stdout on /dev/null
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

/* What one request brings and what its answer carries back. */
struct req {
	struct ipc_msg *m;
	const char *in;		/* the long part */
	size_t in_len;
	char *out;		/* the answer's long part */
	size_t out_len;
};

/* Append @n's attributes to the answer, with the @changed fields marked. */
static void put_attr(struct req *r, struct fsd_node *n, uint32_t changed)
{
	struct fsd_attr *a = (struct fsd_attr *)(r->out + r->out_len);

	*a = n->a;
	a->changed = changed;
	r->out_len += sizeof(*a);
}

/* The same, for an answer that makes the kernel hold @n. */
static void give_attr(struct req *r, struct fsd_node *n, uint32_t changed)
{
	n->lookups++;
	put_attr(r, n, changed);
}

static struct fsd_node *dir_arg(uint64_t ino, long *err)
{
	struct fsd_node *d = fsd_node(ino);

	*err = !d ? -ESTALE : !S_ISDIR(d->a.mode) ? -ENOTDIR : 0;
	return *err ? NULL : d;
}

#define DIR_CH	(FSD_CH_SIZE | FSD_CH_NLINK | FSD_CH_MTIME | FSD_CH_CTIME)

static long do_lookup(struct req *r)
{
	long err;
	struct fsd_node *d = dir_arg(r->m->w[0], &err);
	struct fsd_entry *e;

	if (!d)
		return err;
	e = fsd_find(d, r->in, r->in_len);
	if (!e)
		return -ENOENT;
	give_attr(r, e->node, 0);
	return 0;
}

static long do_create(struct req *r)
{
	size_t len = r->m->w[4];
	uint32_t mode = (uint32_t)r->m->w[1];
	struct fsd_node *d, *n;
	long err;

	if (!(d = dir_arg(r->m->w[0], &err)))
		return err;
	if (len > r->in_len || len > 255)
		return -EINVAL;
	if (fsd_find(d, r->in, len))
		return -EEXIST;
	n = fsd_new_node(mode, (uint32_t)r->m->w[2], (uint32_t)r->m->w[3]);
	if (!n)
		return -ENOMEM;
	if (S_ISLNK(mode)) {
		n->target = strndup(r->in + len, r->in_len - len);
		n->a.size = r->in_len - len;
	}
	err = (S_ISLNK(mode) && !n->target) ? -ENOMEM : fsd_add(d, r->in, len, n);
	if (err) {
		n->a.nlink = 0;
		fsd_maybe_free(n);
		return err;
	}
	give_attr(r, n, FSD_CH_ALL);
	put_attr(r, d, DIR_CH);
	return 0;
}

static long do_link(struct req *r)
{
	struct fsd_node *d, *n = fsd_node(r->m->w[1]);
	long err;

	if (!(d = dir_arg(r->m->w[0], &err)))
		return err;
	if (!n)
		return -ESTALE;
	if (S_ISDIR(n->a.mode))
		return -EPERM;
	err = fsd_add(d, r->in, r->in_len, n);
	if (err)
		return err;
	n->a.nlink++;
	n->a.ctime_ns = d->a.mtime_ns;
	give_attr(r, n, FSD_CH_NLINK | FSD_CH_CTIME);
	put_attr(r, d, DIR_CH);
	return 0;
}

static long do_unlink(struct req *r)
{
	struct fsd_node *d, *n;
	struct fsd_entry *e;
	long err;

	if (!(d = dir_arg(r->m->w[0], &err)))
		return err;
	e = fsd_find(d, r->in, r->in_len);
	if (!e)
		return -ENOENT;
	n = e->node;
	if (r->m->w[1] && !S_ISDIR(n->a.mode))
		return -ENOTDIR;
	if (!r->m->w[1] && S_ISDIR(n->a.mode))
		return -EISDIR;
	if (S_ISDIR(n->a.mode) && !fsd_dir_empty(n))
		return -ENOTEMPTY;
	fsd_remove(d, e);
	put_attr(r, n, FSD_CH_NLINK | FSD_CH_CTIME);
	put_attr(r, d, DIR_CH);
	fsd_maybe_free(n);
	return 0;
}

/* Rename as tmpfs does: replace what the new name held (same kind only). */
static long do_rename(struct req *r)
{
	size_t olen = r->m->w[2];
	struct fsd_node *od, *nd, *n, *victim = NULL;
	struct fsd_entry *oe, *ne;
	uint32_t nlink;
	long err;

	if (!(od = dir_arg(r->m->w[0], &err)) || !(nd = dir_arg(r->m->w[1], &err)))
		return err;
	if (olen > r->in_len)
		return -EINVAL;
	oe = fsd_find(od, r->in, olen);
	ne = fsd_find(nd, r->in + olen, r->in_len - olen);
	if (!oe)
		return -ENOENT;
	n = oe->node;
	if (ne) {
		victim = ne->node;
		if (victim == n)
			return 0;
		if (S_ISDIR(n->a.mode) && !S_ISDIR(victim->a.mode))
			return -ENOTDIR;
		if (!S_ISDIR(n->a.mode) && S_ISDIR(victim->a.mode))
			return -EISDIR;
		if (S_ISDIR(victim->a.mode) && !fsd_dir_empty(victim))
			return -ENOTEMPTY;
		fsd_remove(nd, ne);
	}
	nlink = n->a.nlink;
	err = fsd_add(nd, r->in + olen, r->in_len - olen, n);
	if (err)
		return err;
	fsd_remove(od, oe);	/* drops the links the move keeps */
	n->a.nlink = nlink;
	n->a.ctime_ns = nd->a.mtime_ns;
	put_attr(r, n, FSD_CH_NLINK | FSD_CH_CTIME);
	put_attr(r, od, DIR_CH);
	put_attr(r, nd, DIR_CH);
	if (victim) {
		put_attr(r, victim, FSD_CH_NLINK | FSD_CH_CTIME);
		fsd_maybe_free(victim);
	}
	return 0;
}

/* Add one READDIR record; nonzero when the answer is full. */
static int emit(struct req *r, const char *name, size_t len, struct fsd_node *n, uint64_t next)
{
	struct fsd_dirent *de = (struct fsd_dirent *)(r->out + r->out_len);

	if (r->out_len + FSD_DIRENT_SIZE(len) > FSD_DIR_MAX)
		return 1;
	memset(de, 0, sizeof(*de));
	de->ino = n->a.ino;
	de->next = next;
	de->namelen = (uint16_t)len;
	de->type = (uint8_t)((n->a.mode & S_IFMT) >> 12);
	memcpy(de->name, name, len);
	r->out_len += FSD_DIRENT_SIZE(len);
	return 0;
}

/* Entries from position w1 on: 0 is ".", 1 is "..", then entry cookies. */
static long do_readdir(struct req *r)
{
	long err;
	struct fsd_node *d = dir_arg(r->m->w[0], &err), *up;
	uint64_t pos = r->m->w[1];

	if (!d)
		return err;
	up = fsd_node(d->parent) ? fsd_node(d->parent) : d;
	if (pos == 0 && emit(r, ".", 1, d, 1))
		return (long)r->out_len;
	if (pos <= 1 && emit(r, "..", 2, up, 2))
		return (long)r->out_len;
	for (struct fsd_entry *e = d->first; e; e = e->next) {
		if (e->cookie >= pos && emit(r, e->name, e->len, e->node, e->cookie + 1))
			break;
	}
	return (long)r->out_len;
}

static long do_io(struct req *r, struct fsd_node *n)
{
	ssize_t k;

	if (!S_ISREG(n->a.mode))
		return -EINVAL;
	if (r->m->label == FSD_READ) {
		k = fsd_read(n, r->out, r->m->w[2] < FSD_IO_MAX ? r->m->w[2] : FSD_IO_MAX,
			     r->m->w[1]);
		r->out_len = k > 0 ? (size_t)k : 0;
		return k;
	}
	k = fsd_write(n, r->in, r->in_len, r->m->w[1]);
	if (k >= 0)
		put_attr(r, n, FSD_CH_SIZE | FSD_CH_MTIME | FSD_CH_CTIME);
	return k;
}

/* Answer one request in place: the label becomes the result. */
static void handle(struct req *r)
{
	struct fsd_node *n = fsd_node(r->m->w[0]);
	long res = -ESTALE;

	switch (r->m->label) {
	case FSD_GETATTR:
		if (n) {
			give_attr(r, n, 0);
			res = 0;
		}
		break;
	case FSD_LOOKUP: res = do_lookup(r); break;
	case FSD_CREATE: res = do_create(r); break;
	case FSD_LINK: res = do_link(r); break;
	case FSD_UNLINK: res = do_unlink(r); break;
	case FSD_RENAME: res = do_rename(r); break;
	case FSD_READDIR: res = do_readdir(r); break;
	case FSD_READ:
	case FSD_WRITE:
		if (n)
			res = do_io(r, n);
		break;
	case FSD_TRUNCATE:
		if (n && (res = S_ISREG(n->a.mode) ? fsd_truncate(n, r->m->w[1]) : -EINVAL) == 0)
			put_attr(r, n, FSD_CH_SIZE | FSD_CH_MTIME | FSD_CH_CTIME);
		break;
	case FSD_READLINK:
		if (n && (res = S_ISLNK(n->a.mode) ? 0 : -EINVAL) == 0) {
			r->out_len = n->a.size < r->m->w[1] ? n->a.size : r->m->w[1];
			memcpy(r->out, n->target, r->out_len);
			res = (long)r->out_len;
		}
		break;
	case FSD_FORGET:
		if (n) {
			n->lookups -= r->m->w[1] < n->lookups ? r->m->w[1] : n->lookups;
			fsd_maybe_free(n);
		}
		res = 0;
		break;
	default:
		res = -ENOSYS;
	}
	if (res < 0)
		r->out_len = 0;
	r->m->label = (uint64_t)res;
}

/* The server loop: answer, wait, decode, until the clients are gone. */
static int serve(int fd)
{
	static char in[IPC_LONG_MAX], out[IPC_LONG_MAX];
	struct ipc_long l = { out, 0, in, sizeof(in) };
	struct ipc_msg m = { 0 };
	struct req r = { &m, in, 0, out, 0 };
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
		handle(&r);
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
