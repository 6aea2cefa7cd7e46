/*
 * vfs's file systems: every mount speaks the ipcfs protocol
 * (fs/ipcfs_proto.h). /tmp is vfs's own tmpfs, fsd's tree linked in and
 * called in-process (fsd_handle, under vfs_lock); an ext2 mount is an
 * ext2d that pm started, called over IPC with vfs_lock dropped. A vnode
 * is vfs's hold on one inode: it counts the answers that named the inode
 * and gives them back with FORGET when the last reference goes, as the
 * kernel's ipcfs does. Also the calls to the two other servers vfs uses,
 * memdev and pm.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include "vfs.h"
#include "../../fsd/fsd.h"

pthread_mutex_t vfs_lock = PTHREAD_MUTEX_INITIALIZER;
struct vfs_fs *vfs_mounts;
static uint32_t next_dev = 0x100;	/* st_dev of the next mount */

/* FORGETs to send to remote file systems once vfs_lock is free. */
struct forget {
	struct forget *next;
	struct vfs_fs *fs;
	uint64_t ino, lookups;
};
static struct forget *forgets;

static void fs_put(struct vfs_fs *fs)
{
	if (--fs->refs > 0 || fs->mounted)
		return;
	if (fs->kind == FS_REMOTE)
		close(fs->send);
	free(fs->path);
	free(fs);
}

long fs_call(struct vfs_fs *fs, struct ipc_msg *m, const void *in, size_t in_len, void *out,
	     size_t *out_len)
{
	struct ipc_long l = { in, in_len, out, VFS_FS_OUT };
	long n;

	*out_len = 0;
	if (fs->kind == FS_TMPFS) {
		struct fsd_req q = { .label = m->label, .in = in, .in_len = in_len, .out = out };

		memcpy(q.w, m->w, sizeof(q.w));
		fsd_handle(&q);
		*out_len = q.out_len;
		return (long)q.label;
	}
	fs->refs++;
	pthread_mutex_unlock(&vfs_lock);
	n = ipc_call(fs->send, m, &l);
	pthread_mutex_lock(&vfs_lock);
	fs_put(fs);
	if (n < 0)
		return n == -EINTR ? -EINTR : -EIO;
	*out_len = (size_t)n;
	return (long)m->label;
}

struct vnode *vn_new(struct vfs_fs *fs, const struct fsd_attr *a)
{
	struct vnode *vn = calloc(1, sizeof(*vn));

	if (!vn) {
		/* cannot hold it: give its lookup back now */
		struct ipc_msg m = { FSD_FORGET, { a->ino, 1 } };
		char out[VFS_FS_OUT];
		size_t len;

		fs_call(fs, &m, NULL, 0, out, &len);
		return NULL;
	}
	vn->fs = fs;
	vn->ino = a->ino;
	vn->lookups = 1;
	vn->refs = 1;
	vn->a = *a;
	fs->refs++;
	return vn;
}

void vn_get(struct vnode *vn)
{
	vn->refs++;
}

void vn_put(struct vnode *vn)
{
	struct forget *f;

	if (!vn || --vn->refs > 0)
		return;
	if (vn->fs->kind == FS_TMPFS) {
		struct fsd_req q = { .label = FSD_FORGET, .w = { vn->ino, vn->lookups } };
		char out[VFS_FS_OUT];

		q.out = out;
		fsd_handle(&q);
	} else if (vn->fs->mounted && (f = malloc(sizeof(*f)))) {
		/* a remote call would drop vfs_lock under our callers' feet */
		f->fs = vn->fs;
		f->ino = vn->ino;
		f->lookups = vn->lookups;
		f->next = forgets;
		forgets = f;
		vn->fs->refs++;
	}
	fs_put(vn->fs);
	free(vn);
}

void fs_flush_forgets(void)
{
	while (forgets) {
		struct forget *f = forgets;
		struct ipc_msg m = { FSD_FORGET, { f->ino, f->lookups } };
		char out[VFS_FS_OUT];
		size_t len;

		forgets = f->next;
		if (f->fs->mounted)
			fs_call(f->fs, &m, NULL, 0, out, &len);
		fs_put(f->fs);
		free(f);
	}
}

long vn_getattr(struct vnode *vn)
{
	struct ipc_msg m = { FSD_GETATTR, { vn->ino } };
	char out[VFS_FS_OUT];
	size_t len;
	long err = fs_call(vn->fs, &m, NULL, 0, out, &len);

	if (err < 0)
		return err;
	vn->lookups++;
	if (len >= sizeof(struct fsd_attr))
		memcpy(&vn->a, out, sizeof(vn->a));
	return 0;
}

struct vfs_fs *fs_at(const char *path)
{
	for (struct vfs_fs *fs = vfs_mounts; fs; fs = fs->next)
		if (!strcmp(fs->path, path))
			return fs;
	return NULL;
}

/* Mount @fs at @path: fetch its root and put it in the table. */
static long fs_mount(struct vfs_fs *fs, const char *path)
{
	struct ipc_msg m = { FSD_GETATTR, { fs->root_ino ? fs->root_ino : FSD_ROOT_INO } };
	char out[VFS_FS_OUT];
	size_t len;
	long err;

	fs->path = strdup(path);
	if (!fs->path)
		return -ENOMEM;
	fs->dev = next_dev++;
	fs->refs = 1;	/* the caller's, until mounted */
	err = fs_call(fs, &m, NULL, 0, out, &len);
	if (err >= 0 && len < sizeof(struct fsd_attr))
		err = -EIO;
	if (err >= 0 && !(fs->root = vn_new(fs, (struct fsd_attr *)out)))
		err = -ENOMEM;
	if (err < 0)
		return err;
	fs->mounted = 1;
	fs->refs--;
	fs->next = vfs_mounts;
	vfs_mounts = fs;
	return 0;
}

int fs_init(void)
{
	struct vfs_fs *fs = calloc(1, sizeof(*fs));

	if (!fs || fsd_init())
		return -ENOMEM;
	fs->kind = FS_TMPFS;
	fs->magic = 0x01021994;		/* TMPFS_MAGIC */
	return (int)fs_mount(fs, "/tmp");
}

/* A call to one of pm's servers through a send end from the registry. */
static long server_call(int slot, int *fd, struct ipc_msg *m, const void *in, size_t in_len,
			void *out, size_t cap)
{
	struct ipc_long l = { in, in_len, out, cap };
	long n;

	if (*fd < 0) {
		n = mk_connect(slot);
		if (n < 0)
			return -EIO;
		if (*fd < 0)
			*fd = (int)n;
		else
			close((int)n);	/* another worker was quicker */
	}
	pthread_mutex_unlock(&vfs_lock);
	n = ipc_call(*fd, m, &l);
	pthread_mutex_lock(&vfs_lock);
	if (n < 0)
		return n == -EINTR ? -EINTR : -EIO;
	return (long)m->label;
}

static int memdev_fd = -1, pm_fd = -1;

long memdev_call(struct ipc_msg *m, void *out, size_t cap)
{
	return server_call(MK_MEMDEV, &memdev_fd, m, NULL, 0, out, cap);
}

long pm_call(struct ipc_msg *m, const void *in, size_t in_len)
{
	return server_call(MK_PM, &pm_fd, m, in, in_len, NULL, 0);
}

/*
 * Another tmpfs at @w's directory: a new root directory in vfs's one
 * tree of tmpfs nodes (user/fsd/node.c), reached only through this mount.
 */
static long mount_tmpfs(struct walk *w)
{
	struct fsd_node *root = fsd_new_node(S_IFDIR | 01777, 0, 0);
	struct vfs_fs *fs;
	long err = -ENOMEM;

	if (!root || !(fs = calloc(1, sizeof(*fs)))) {
		if (root) {
			root->a.nlink = 0;
			fsd_maybe_free(root);
		}
		return err;
	}
	root->parent = root->a.ino;
	fs->kind = FS_TMPFS;
	fs->magic = 0x01021994;		/* TMPFS_MAGIC */
	fs->root_ino = root->a.ino;
	err = fs_mount(fs, w->path);
	if (err) {
		free(fs->path);
		free(fs);
		root->a.nlink = 0;
		fsd_maybe_free(root);
	}
	return err;
}

/* Free what an unmounted tmpfs holds: every entry under @d, then @d. */
static void tmpfs_free(struct fsd_node *d)
{
	while (d->first) {
		struct fsd_entry *e = d->first;
		struct fsd_node *n = e->node;

		if (S_ISDIR(n->a.mode) && n != d)
			tmpfs_free(n);
		fsd_remove(d, e);
		fsd_maybe_free(n);
	}
}

/* mount(source, target, fstype, flags, data): ext2 or tmpfs, on a directory. */
long sys_mount(struct vreq *r)
{
	struct ipc_msg m = { PM_SPAWN_FS, { MK_FS_EXT2 } };
	struct walk w, dev;
	struct vfs_fs *fs;
	long err, slot;

	if (r->nstr < 3)
		return -EINVAL;
	if (r->c->euid != 0)
		return -EPERM;
	if (strcmp(r->str[2], "ext2") && strcmp(r->str[2], "tmpfs"))
		return -ENODEV;
	if (arg(r, 3) & 0x20 /* MS_REMOUNT */)
		return -EINVAL;
	if ((err = walk(r, AT_FDCWD, r->str[1], W_FOLLOW, &w)))
		return err;
	err = -ENOTDIR;
	if (w.minor || (w.vn && !S_ISDIR(w.vn->a.mode)))
		goto out;
	err = -EBUSY;
	if (fs_at(w.path) || !strcmp(w.path, "/"))
		goto out;
	if (!strcmp(r->str[2], "tmpfs")) {
		err = mount_tmpfs(&w);
		goto out;
	}
	if ((err = walk(r, AT_FDCWD, r->str[0], W_FOLLOW, &dev)))
		goto out;
	err = dev.vn || dev.minor ? -ENOTBLK : 0;
	if (!err)
		err = slot = pm_call(&m, dev.path, strlen(dev.path) + 1);
	walk_done(&dev);
	if (err < 0)
		goto out;
	err = -ENOMEM;
	if (!(fs = calloc(1, sizeof(*fs))))
		goto stop;
	fs->kind = FS_REMOTE;
	fs->slot = (int)slot;
	fs->magic = 0xef53;		/* EXT2_SUPER_MAGIC */
	fs->send = (int)mk_connect((int)slot);
	err = fs->send < 0 ? -EIO : fs_mount(fs, w.path);
	if (err == 0)
		goto out;
	if (fs->send >= 0)
		close(fs->send);
	free(fs->path);
	free(fs);
stop:
	m.label = PM_STOP_FS;
	m.w[0] = (uint64_t)slot;
	pm_call(&m, NULL, 0);
out:
	walk_done(&w);
	return err;
}

/* umount2(target, flags): only ext2 mounts, and only when nothing holds them. */
long sys_umount(struct vreq *r)
{
	struct ipc_msg m = { .label = PM_STOP_FS };
	struct vfs_fs *fs, **pp;
	struct walk w;
	long err;

	if (r->nstr < 1)
		return -EINVAL;
	if (r->c->euid != 0)
		return -EPERM;
	if ((err = walk(r, AT_FDCWD, r->str[0], W_FOLLOW, &w)))
		return err;
	fs = fs_at(w.path);
	if (!w.vn) {
		/* the kernel's own mounts are the kernel's business */
		return answer_native(r, w.path, NULL, -1);
	}
	walk_done(&w);
	if (!fs)
		return -EINVAL;
	if (fs->kind != FS_REMOTE && !fs->root_ino)
		return -EBUSY;		/* vfs's own /tmp stays */
	fs_flush_forgets();	/* they hold references too */
	if (fs->refs > 1)	/* the root vnode's */
		return -EBUSY;
	for (pp = &vfs_mounts; *pp != fs; pp = &(*pp)->next)
		;
	*pp = fs->next;
	fs->mounted = 0;
	if (fs->kind == FS_TMPFS) {
		struct fsd_node *root = fsd_node(fs->root_ino);

		vn_put(fs->root);	/* the last: FORGET, fs freed */
		if (root) {
			tmpfs_free(root);
			root->a.nlink = 0;
			fsd_maybe_free(root);
		}
		return 0;
	}
	m.w[0] = (uint64_t)fs->slot;
	vn_put(fs->root);	/* the last: closes the send end */
	pm_call(&m, NULL, 0);
	return 0;
}
