/*
 * vfs's clients: one per process in the personality, keyed by its tgid
 * (the badge of its calls), with its fd table, cwd and umask. The kernel
 * tells pm, and pm tells vfs, when a process enters, forks, executes and
 * exits. A client vfs has never heard of (vfs restarted) starts empty
 * with cwd "/". Open files (struct vfile) are shared by dup and fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "vfs.h"

#define CLIENT_BUCKETS	64
#define RESERVE_MS	50	/* how long a number handed to the kernel stays taken */

static struct client *clients[CLIENT_BUCKETS];

static struct client **bucket(int tgid)
{
	return &clients[(unsigned)tgid % CLIENT_BUCKETS];
}

static struct client *client_new(int tgid)
{
	struct client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->tgid = tgid;
	c->umask = 022;
	strcpy(c->cwd, "/");
	for (int i = 0; i < VFS_RESERVED; i++)
		c->reserved[i].fd = -1;
	c->next = *bucket(tgid);
	*bucket(tgid) = c;
	return c;
}

/* Take @c out of the table and close what it holds (a reference stays with the caller). */
static void client_drop(struct client *c)
{
	struct client **pp = bucket(c->tgid);

	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp)
		*pp = c->next;
	for (int fd = 0; fd < VFS_FD_MAX; fd++)
		if (c->fds[fd].f)
			fd_close(c, fd);
	vn_put(c->cwd_vn);
	c->cwd_vn = NULL;
	c->dead = 1;
	poll_wake();	/* its waits give up */
}

static struct client *client_find(int tgid)
{
	struct client *c = *bucket(tgid);

	while (c && c->tgid != tgid)
		c = c->next;
	return c;
}

struct client *client_get(int tgid)
{
	struct client *c = client_find(tgid);

	if (!c && !(c = client_new(tgid)))
		return NULL;
	c->refs++;
	return c;
}

void client_put(struct client *c)
{
	if (!c || --c->refs > 0 || !c->dead)
		return;
	/* what a call that was in flight when it exited still gave it */
	for (int fd = 0; fd < VFS_FD_MAX; fd++)
		if (c->fds[fd].f)
			fd_close(c, fd);
	vn_put(c->cwd_vn);
	free(c);
}

struct vfile *vfile_new(int type, int flags)
{
	struct vfile *f = calloc(1, sizeof(*f));

	if (f) {
		f->refs = 1;
		f->type = type;
		f->flags = flags;
	}
	return f;
}

void vfile_get(struct vfile *f)
{
	f->refs++;
}

void vfile_put(struct vfile *f)
{
	if (--f->refs > 0)
		return;
	if (f->type == VF_PIPE)
		pipe_close(f);
	vn_put(f->vn);
	free(f->path);
	free(f);
}

struct vfile *fd_file(struct client *c, long fd)
{
	return fd >= 0 && fd < VFS_FD_MAX ? c->fds[fd].f : NULL;
}

static int map_has(const struct mk_fdmap *map, long fd)
{
	return map && (map->bits[fd / 64] >> (fd % 64)) & 1;
}

/*
 * Was @fd handed to the kernel a moment ago (it may not show in @map yet)?
 * A number whose native open failed is kept only briefly, so that the
 * next open still gets the lowest free number, as on Linux.
 */
static int reserved(struct client *c, long fd)
{
	int64_t now = now_ms();

	for (int i = 0; i < VFS_RESERVED; i++)
		if (c->reserved[i].fd == fd && now - c->reserved[i].ms < RESERVE_MS)
			return 1;
	return 0;
}

void fd_reserve(struct client *c, int fd)
{
	int oldest = 0;

	for (int i = 1; i < VFS_RESERVED; i++)
		if (c->reserved[i].ms < c->reserved[oldest].ms)
			oldest = i;
	c->reserved[oldest].fd = fd;
	c->reserved[oldest].ms = now_ms();
}

int fd_alloc(struct client *c, const struct mk_fdmap *map, long min)
{
	/* the kernel has those now: when it closes them they are free again */
	for (int i = 0; i < VFS_RESERVED; i++)
		if (c->reserved[i].fd >= 0 && map_has(map, c->reserved[i].fd))
			c->reserved[i].fd = -1;
	for (long fd = min < 0 ? 0 : min; fd < VFS_FD_MAX; fd++)
		if (!c->fds[fd].f && !map_has(map, fd) && !reserved(c, fd))
			return (int)fd;
	return -EMFILE;
}

void fd_install(struct client *c, int fd, struct vfile *f, int cloexec)
{
	if (c->fds[fd].f)
		vfile_put(c->fds[fd].f);
	c->fds[fd].f = f;
	c->fds[fd].cloexec = cloexec;
}

int fd_close(struct client *c, long fd)
{
	struct vfile *f = fd_file(c, fd);

	if (!f)
		return -EBADF;
	c->fds[fd].f = NULL;
	vfile_put(f);
	return 0;
}

static void set_creds(struct client *c, const struct ipc_msg *m)
{
	c->uid = (uint32_t)m->w[2];
	c->gid = (uint32_t)(m->w[2] >> 32);
	c->euid = (uint32_t)m->w[3];
	c->egid = (uint32_t)(m->w[3] >> 32);
}

long client_enter(int tgid, const struct ipc_msg *m, const char *cwd)
{
	struct vreq r = { 0 };
	struct client *c = client_find(tgid);
	struct walk w;

	if (c) {	/* a stale entry: the pid was reused */
		c->refs++;
		client_drop(c);
		client_put(c);
	}
	if (!(c = client_get(tgid)))
		return -ENOMEM;
	set_creds(c, m);
	c->umask = (uint32_t)m->w[4] & 0777;
	r.c = c;
	/* the kernel's cwd, seen through vfs's mounts; "/" if that is no directory */
	if (cwd && walk(&r, AT_FDCWD, cwd, W_FOLLOW, &w) == 0) {
		if (!w.minor && (!w.vn || S_ISDIR(w.vn->a.mode))) {
			strcpy(c->cwd, w.path);
			c->cwd_vn = w.vn;
			w.vn = NULL;
		}
		walk_done(&w);
	}
	client_put(c);
	return 0;
}

long client_fork(int parent, int child, const struct ipc_msg *m)
{
	struct client *p = client_get(parent), *c;

	if (!p)
		return -ENOMEM;
	c = client_get(child);
	if (!c) {
		client_put(p);
		return -ENOMEM;
	}
	for (int fd = 0; fd < VFS_FD_MAX; fd++) {
		if (c->fds[fd].f)
			fd_close(c, fd);
		if (p->fds[fd].f) {
			vfile_get(p->fds[fd].f);
			c->fds[fd] = p->fds[fd];
		}
	}
	strcpy(c->cwd, p->cwd);
	vn_put(c->cwd_vn);
	c->cwd_vn = p->cwd_vn;
	if (c->cwd_vn)
		vn_get(c->cwd_vn);
	c->umask = p->umask;
	set_creds(c, m);
	client_put(c);
	client_put(p);
	return 0;
}

void client_exit(int tgid)
{
	struct client *c = client_find(tgid);

	if (c) {
		c->refs++;
		client_drop(c);
		client_put(c);
	}
}

void client_exec(int tgid)
{
	struct client *c = client_get(tgid);

	if (!c)
		return;
	for (int fd = 0; fd < VFS_FD_MAX; fd++)
		if (c->fds[fd].f && c->fds[fd].cloexec)
			fd_close(c, fd);
	client_put(c);
}

void client_cred(int tgid, const struct ipc_msg *m)
{
	struct client *c = client_get(tgid);

	if (c) {
		set_creds(c, m);
		client_put(c);
	}
}
