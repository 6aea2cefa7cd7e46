/*
 * The calls on names: open, mkdir, unlink, rename, link, symlink, readlink.
 * Each resolves its paths (path.c); a path in the kernel's name space is
 * answered NATIVE with its canonical form, one in a mount becomes ipcfs
 * requests (fs.c). Calls that would join the two name spaces fail with
 * EXDEV, as between two file systems on Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>
#include "vfs.h"
#include "../../fsd/fsd.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	1
#define RENAME_EXCHANGE		2
#define RENAME_WHITEOUT		4
#endif

/* Is the target of a W_PARENT walk a mount point or a memdev node? */
static int special(const struct walk *w)
{
	return fs_at(w->path) || (!w->vn && dev_node(w->path));
}

/* LOOKUP the name a W_PARENT walk ended at: its attributes, or -errno. */
long lookup_name(struct walk *w, struct fsd_attr *a)
{
	struct ipc_msg m = { FSD_LOOKUP, { w->vn->ino } };
	char out[VFS_FS_OUT];
	struct vnode *vn;
	size_t n;
	long err = fs_call(w->vn->fs, &m, w->name, w->name_len, out, &n);

	if (err < 0)
		return err;
	if (n < sizeof(*a))
		return -EIO;
	memcpy(a, out, sizeof(*a));
	vn = vn_new(w->vn->fs, a);	/* to give the lookup back */
	vn_put(vn);
	return 0;
}

/* CREATE @name in the directory w->vn: the new vnode, or NULL (*err). */
static struct vnode *create(struct vreq *r, struct walk *w, uint32_t mode, const char *target,
			    long *err)
{
	char in[VFS_NAME_MAX + VFS_PATH_MAX], out[VFS_FS_OUT];
	size_t tlen = target ? strlen(target) : 0, n;
	struct ipc_msg m = { FSD_CREATE, { w->vn->ino, mode, r->c->euid, r->c->egid,
					   w->name_len } };
	struct vnode *vn;

	memcpy(in, w->name, w->name_len);
	if (tlen)
		memcpy(in + w->name_len, target, tlen);
	*err = fs_call(w->vn->fs, &m, in, w->name_len + tlen, out, &n);
	if (*err >= 0 && n < sizeof(struct fsd_attr))
		*err = -EIO;
	if (*err < 0)
		return NULL;
	vn = vn_new(w->vn->fs, (struct fsd_attr *)out);
	if (!vn)
		*err = -ENOMEM;
	return vn;
}

/*
 * /proc/mounts as a process in the personality sees it: the kernel's
 * mounts, then vfs's own. A snapshot in an unlinked tmpfs file, which
 * goes away with its last fd, as a procfs read would be made afresh.
 */
static struct vnode *mounts_snapshot(long *err)
{
	struct vfs_fs *tmp = fs_at("/tmp");
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap);
	struct fsd_node *n = NULL;
	struct vnode *vn = NULL;
	ssize_t got;
	int fd;

	*err = -ENOMEM;
	if (!buf || !tmp)
		goto out;
	fd = open("/proc/mounts", O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && len < cap - 1 && (got = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)got;
	if (fd >= 0)
		close(fd);
	for (struct vfs_fs *fs = vfs_mounts; fs && len < cap - 512; fs = fs->next)
		len += (size_t)snprintf(buf + len, cap - len, "%s %s %s rw 0 0\n",
					fs->kind == FS_TMPFS ? "tmpfs" : "ext2d", fs->path,
					fs->kind == FS_TMPFS ? "tmpfs" : "ext2");
	n = fsd_new_node(S_IFREG | 0444, 0, 0);
	if (!n || fsd_write(n, buf, len, 0) != (ssize_t)len)
		goto out;
	n->a.nlink = 0;		/* unlinked: lives while vfs holds it */
	n->lookups = 1;		/* the vnode's */
	vn = vn_new(tmp, &n->a);
	*err = vn ? 0 : -ENOMEM;
out:
	if (!vn && n) {
		n->a.nlink = 0;
		n->lookups = 0;
		fsd_maybe_free(n);
	}
	free(buf);
	return vn;
}

/* Give the client an fd for the file a walk found (@w's vnode moves into it). */
static long open_found(struct vreq *r, struct walk *w, long flags, int created)
{
	int acc = (int)(flags & O_ACCMODE), fd;
	struct vfile *f;
	long err;

	fd = fd_alloc(r->c, &r->map, 0);
	if (fd < 0)
		return fd;
	if (!w->vn && !w->minor && acc == O_RDONLY &&
	    (!strcmp(w->path, "/proc/mounts") || !strcmp(w->path, "/proc/self/mounts"))) {
		if (!(w->vn = mounts_snapshot(&err)))
			return err;
	}
	if (!w->vn && !w->minor) {
		fd_reserve(r->c, fd);
		return answer_native(r, w->path, NULL, fd);
	}
	if (w->vn) {
		mode_t mode = w->vn->a.mode;

#ifdef O_TMPFILE
		if ((flags & O_TMPFILE) == O_TMPFILE)
			return -EOPNOTSUPP;	/* no unnamed files in the ipcfs protocol */
#endif
		if (S_ISLNK(mode))
			return -ELOOP;	/* O_NOFOLLOW */
		if (S_ISDIR(mode) && (acc != O_RDONLY || (flags & O_CREAT && !created)))
			return -EISDIR;
		if ((flags & O_DIRECTORY) && !S_ISDIR(mode))
			return -ENOTDIR;
		if ((flags & O_TRUNC) && S_ISREG(mode) && acc != O_RDONLY && !created) {
			struct ipc_msg m = { FSD_TRUNCATE, { w->vn->ino, 0 } };
			char out[VFS_FS_OUT];
			size_t n;

			if ((err = fs_call(w->vn->fs, &m, NULL, 0, out, &n)) < 0)
				return err;
		}
	} else if (flags & O_DIRECTORY) {
		return -ENOTDIR;
	}
	f = vfile_new(w->vn ? VF_FILE : VF_DEV,
		      (int)(flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)));
	if (!f || (w->vn && !(f->path = strdup(w->path)))) {
		free(f);
		return -ENOMEM;
	}
	f->vn = w->vn;
	f->minor = w->minor;
	w->vn = NULL;
	/* the fd may have been taken while a remote call had the lock dropped */
	if (fd_file(r->c, fd) && (fd = fd_alloc(r->c, &r->map, 0)) < 0) {
		vfile_put(f);
		return fd;
	}
	fd_install(r->c, fd, f, !!(flags & O_CLOEXEC));
	return fd;
}

long sys_open(struct vreq *r, long dirfd, const char *path, long flags, long mode)
{
	int excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
	int follow = (flags & O_NOFOLLOW) || excl ? 0 : W_FOLLOW;
	struct walk w;
	struct vnode *vn;
	long err;

	if ((flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	err = walk(r, dirfd, path, follow, &w);
	if (err == 0) {
		if (excl && (w.vn || w.minor)) {
			walk_done(&w);
			return -EEXIST;
		}
		err = open_found(r, &w, flags, 0);
		walk_done(&w);
		return err;
	}
	if (err != -ENOENT || !(flags & O_CREAT))
		return err;
	/* not there: make it in the directory that should hold it */
	if ((err = walk(r, dirfd, path, W_PARENT, &w)))
		return err;
	if (w.dot || w.trailing || !w.vn) {
		walk_done(&w);
		return w.dot || w.trailing ? -EISDIR : -ENOENT;
	}
	vn = create(r, &w, S_IFREG | ((uint32_t)mode & 07777 & ~r->c->umask), NULL, &err);
	vn_put(w.vn);
	w.vn = vn;
	if (vn)
		err = open_found(r, &w, flags, 1);
	walk_done(&w);
	return err;
}

long sys_mkdir(struct vreq *r, long dirfd, const char *path, long mode)
{
	struct walk w;
	struct vnode *vn;
	long err = walk(r, dirfd, path, W_PARENT, &w);

	if (err)
		return err;
	if (w.dot || special(&w))
		err = -EEXIST;
	else if (!w.vn)
		err = answer_native(r, w.path, NULL, -1);
	else if ((vn = create(r, &w, S_IFDIR | ((uint32_t)mode & 07777 & ~r->c->umask), NULL,
			      &err)))
		vn_put(vn);
	walk_done(&w);
	return err;
}

long sys_unlink(struct vreq *r, long dirfd, const char *path, long flags)
{
	int rmdir = !!(flags & AT_REMOVEDIR);
	struct walk w;
	struct fsd_attr a;
	long err;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	if ((err = walk(r, dirfd, path, W_PARENT, &w)))
		return err;
	if (w.dot)
		err = !rmdir ? -EISDIR : w.dot == 1 ? -EINVAL : w.dot == 2 ? -ENOTEMPTY : -EBUSY;
	else if (special(&w))
		err = -EBUSY;
	else if (!w.vn)
		err = answer_native(r, w.path, NULL, -1);
	else if (w.trailing && !rmdir)
		err = (err = lookup_name(&w, &a)) < 0 ? err : S_ISDIR(a.mode) ? -EISDIR : -ENOTDIR;
	if (err == 0 && w.vn && !r->native) {
		struct ipc_msg m = { FSD_UNLINK, { w.vn->ino, (uint64_t)rmdir } };
		char out[VFS_FS_OUT];
		size_t n;

		err = fs_call(w.vn->fs, &m, w.name, w.name_len, out, &n);
	}
	walk_done(&w);
	return err;
}

/* The common checks of rename and link: both native, or both in one mount. */
static long same_fs(struct walk *a, struct walk *b)
{
	if (!a->vn && !b->vn && !a->minor && !b->minor)
		return 1;
	if (!a->vn || !b->vn || a->vn->fs != b->vn->fs)
		return -EXDEV;
	return 0;
}

long sys_rename(struct vreq *r, long odir, const char *op, long ndir, const char *np, long flags)
{
	struct walk o, n;
	struct fsd_attr a;
	long err;

	if (flags & ~(long)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if (flags & (RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;		/* not supported by the ipcfs protocol */
	if ((err = walk(r, odir, op, W_PARENT, &o)))
		return err;
	if ((err = walk(r, ndir, np, W_PARENT, &n))) {
		walk_done(&o);
		return err;
	}
	if (o.dot || n.dot || special(&o) || special(&n))
		err = -EBUSY;
	else if ((err = same_fs(&o, &n)) == 1)
		err = answer_native(r, o.path, n.path, -1);
	else if (!err && path_within(n.path, o.path) && strcmp(n.path, o.path))
		err = -EINVAL;		/* into itself */
	else if (!err && (o.trailing || n.trailing) && (err = lookup_name(&o, &a)) == 0 &&
		 !S_ISDIR(a.mode))
		err = -ENOTDIR;
	else if (!err && (flags & RENAME_NOREPLACE))
		err = (err = lookup_name(&n, &a)) == 0 ? -EEXIST : err == -ENOENT ? 0 : err;
	if (err == 0 && !r->native) {
		struct ipc_msg m = { FSD_RENAME, { o.vn->ino, n.vn->ino, o.name_len } };
		char in[2 * VFS_NAME_MAX], out[VFS_FS_OUT];
		size_t len;

		memcpy(in, o.name, o.name_len);
		memcpy(in + o.name_len, n.name, n.name_len);
		err = fs_call(o.vn->fs, &m, in, o.name_len + n.name_len, out, &len);
	}
	walk_done(&o);
	walk_done(&n);
	return err;
}

long sys_link(struct vreq *r, long odir, const char *op, long ndir, const char *np, long flags)
{
	struct walk o, n;
	long err;

	if (flags & ~(long)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((err = walk(r, odir, op, flags & AT_SYMLINK_FOLLOW ? W_FOLLOW : 0, &o)))
		return err;
	if ((err = walk(r, ndir, np, W_PARENT, &n))) {
		walk_done(&o);
		return err;
	}
	if (n.dot || special(&n))
		err = -EEXIST;
	else if ((err = same_fs(&o, &n)) == 1)
		err = answer_native(r, o.path, n.path, -1);
	else if (!err && S_ISDIR(o.vn->a.mode))
		err = -EPERM;
	if (err == 0 && !r->native) {
		struct ipc_msg m = { FSD_LINK, { n.vn->ino, o.vn->ino } };
		char out[VFS_FS_OUT];
		size_t len;

		err = fs_call(n.vn->fs, &m, n.name, n.name_len, out, &len);
		if (err >= 0)
			o.vn->lookups++;	/* the answer named the target */
	}
	walk_done(&o);
	walk_done(&n);
	return err;
}

long sys_symlink(struct vreq *r, const char *target, long dirfd, const char *path)
{
	struct walk w;
	struct vnode *vn;
	long err;

	if (!target[0])
		return -ENOENT;
	if ((err = walk(r, dirfd, path, W_PARENT, &w)))
		return err;
	if (w.dot || special(&w))
		err = -EEXIST;
	else if (!w.vn)		/* the target is the client's text: not resolved */
		err = answer_native(r, target, w.path, -1);
	else if ((vn = create(r, &w, S_IFLNK | 0777, target, &err)))
		vn_put(vn);
	walk_done(&w);
	return err;
}

long sys_readlink(struct vreq *r, long dirfd, const char *path, long size)
{
	struct walk w;
	long err;

	if ((int)size <= 0)
		return -EINVAL;
	if ((err = walk(r, dirfd, path, 0, &w)))
		return err;
	if (!w.vn && !w.minor) {
		err = answer_native(r, w.path, NULL, -1);
	} else if (w.minor || !S_ISLNK(w.vn->a.mode)) {
		err = -EINVAL;
	} else {
		struct ipc_msg m = { FSD_READLINK, { w.vn->ino, VFS_PATH_MAX - 1 } };
		char out[VFS_FS_OUT];
		size_t n;

		err = fs_call(w.vn->fs, &m, NULL, 0, out, &n);
		if (err >= 0) {
			n = n < (size_t)(int)size ? n : (size_t)(int)size;
			err = mk_grant_copy(0, 0, out, n, MK_GRANT_WRITE);
			err = err < 0 ? err : (long)n;
		}
	}
	walk_done(&w);
	return err;
}
