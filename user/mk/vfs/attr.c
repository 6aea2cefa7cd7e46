/*
 * The calls on attributes: stat and its relatives (struct stat, statx and
 * statfs in their x86-64 layouts, written into the client's grant 0),
 * access, chmod/chown/utimensat (FSD_SETATTR), truncate.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "vfs.h"
#include "../memdev_proto.h"

#ifndef AT_EACCESS
#define AT_EACCESS	0x200
#endif
#define UTIME_NOW_NS	((1L << 30) - 1)
#define UTIME_OMIT_NS	((1L << 30) - 2)
#define MEMDEV_DEV	0x0f	/* st_dev of the memdev nodes, as a devtmpfs */
#define PIPE_DEV	0x0e
#define PIPEFS_MAGIC	0x50495045
#define TMPFS_MAGIC	0x01021994

_Static_assert(sizeof(struct stat) == 144, "struct stat is not x86-64's");

/* What a stat says, whatever the file: pipes and memdev nodes get one too. */
static void attr_of_file(struct vfile *f, struct fsd_attr *a, uint32_t *dev, uint32_t *rdev)
{
	memset(a, 0, sizeof(*a));
	*rdev = 0;
	if (f->type == VF_FILE) {
		*a = f->vn->a;
		*dev = f->vn->fs->dev;
		return;
	}
	if (f->type == VF_PIPE) {
		a->ino = (uint64_t)(uintptr_t)f->pipe >> 4;
		a->mode = S_IFIFO | 0600;
		*dev = PIPE_DEV;
	} else {
		a->ino = (uint64_t)f->minor;
		a->mode = S_IFCHR | 0666;
		*dev = MEMDEV_DEV;
		*rdev = (1 << 8) | (uint32_t)f->minor;
	}
	a->nlink = 1;
}

static struct timespec ts_of(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
}

static long put_stat(const struct fsd_attr *a, uint32_t dev, uint32_t rdev)
{
	struct stat st;
	long err;

	memset(&st, 0, sizeof(st));
	st.st_dev = dev;
	st.st_ino = a->ino;
	st.st_nlink = a->nlink;
	st.st_mode = a->mode;
	st.st_uid = a->uid;
	st.st_gid = a->gid;
	st.st_rdev = rdev;
	st.st_size = (off_t)a->size;
	st.st_blksize = 4096;
	st.st_blocks = (blkcnt_t)((a->size + 511) / 512);
	st.st_atim = ts_of(a->atime_ns);
	st.st_mtim = ts_of(a->mtime_ns);
	st.st_ctim = ts_of(a->ctime_ns);
	err = mk_grant_copy(0, 0, &st, sizeof(st), MK_GRANT_WRITE);
	return err < 0 ? err : 0;
}

/* Linux's struct statx (256 bytes). */
struct vfs_statx_ts {
	int64_t sec;
	uint32_t nsec;
	int32_t pad;
};

struct vfs_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad;
	uint64_t ino, size, blocks, attributes_mask;
	struct vfs_statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};

_Static_assert(sizeof(struct vfs_statx) == 256, "struct statx is 256 bytes");

static struct vfs_statx_ts stx_ts(uint64_t ns)
{
	return (struct vfs_statx_ts){ (int64_t)(ns / 1000000000), (uint32_t)(ns % 1000000000), 0 };
}

static long put_statx(const struct fsd_attr *a, uint32_t dev, uint32_t rdev)
{
	struct vfs_statx sx;
	long err;

	memset(&sx, 0, sizeof(sx));
	sx.mask = 0x7ff;	/* STATX_BASIC_STATS */
	sx.blksize = 4096;
	sx.nlink = a->nlink;
	sx.uid = a->uid;
	sx.gid = a->gid;
	sx.mode = (uint16_t)a->mode;
	sx.ino = a->ino;
	sx.size = a->size;
	sx.blocks = (a->size + 511) / 512;
	sx.atime = stx_ts(a->atime_ns);
	sx.mtime = stx_ts(a->mtime_ns);
	sx.ctime = stx_ts(a->ctime_ns);
	sx.rdev_major = rdev >> 8;
	sx.rdev_minor = rdev & 0xff;
	sx.dev_major = dev >> 8;
	sx.dev_minor = dev & 0xff;
	err = mk_grant_copy(0, 0, &sx, sizeof(sx), MK_GRANT_WRITE);
	return err < 0 ? err : 0;
}

/*
 * Resolve (@dirfd, @path) for a call with AT_* @flags into the attributes
 * of the file: 1 when it is the kernel's (@w then holds its path), 0 with
 * *@a filled, or -errno.
 */
static long attr_at(struct vreq *r, long dirfd, const char *path, int flags, struct walk *w,
		    struct fsd_attr *a, uint32_t *dev, uint32_t *rdev)
{
	struct vfile *f;
	long err;

	w->vn = NULL;
	if (!path[0] && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
		if (!(f = fd_file(r->c, dirfd)))
			return -EBADF;
		vfile_get(f);	/* a remote GETATTR drops vfs_lock */
		err = f->type == VF_FILE ? vn_getattr(f->vn) : 0;
		if (err == 0)
			attr_of_file(f, a, dev, rdev);
		vfile_put(f);
		return err;
	}
	if (!path[0] && (flags & AT_EMPTY_PATH))
		path = ".";
	err = walk(r, dirfd, path, flags & AT_SYMLINK_NOFOLLOW ? 0 : W_FOLLOW, w);
	if (err)
		return err;
	if (!w->vn && !w->minor)
		return 1;
	if (w->minor) {
		struct vfile dv = { .type = VF_DEV, .minor = w->minor };

		attr_of_file(&dv, a, dev, rdev);
		return 0;
	}
	if (!w->fresh && (err = vn_getattr(w->vn)) < 0) {
		walk_done(w);
		return err;
	}
	*a = w->vn->a;
	*dev = w->vn->fs->dev;
	*rdev = 0;
	return 0;
}

long sys_stat(struct vreq *r, long dirfd, const char *path, int flags)
{
	struct walk w;
	struct fsd_attr a;
	uint32_t dev, rdev;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	err = attr_at(r, dirfd, path, flags, &w, &a, &dev, &rdev);
	if (err == 1)
		return answer_native(r, w.path, NULL, -1);
	if (err == 0)
		err = put_stat(&a, dev, rdev);
	walk_done(&w);
	return err;
}

long sys_fstat(struct vreq *r)
{
	struct vfile *f = fd_file(r->c, (long)arg(r, 0));
	struct fsd_attr a;
	uint32_t dev, rdev;
	long err;

	if (!f)
		return -EBADF;
	vfile_get(f);
	err = f->type == VF_FILE ? vn_getattr(f->vn) : 0;
	if (err == 0)
		attr_of_file(f, &a, &dev, &rdev);
	vfile_put(f);
	return err < 0 ? err : put_stat(&a, dev, rdev);
}

/* statx(dirfd, path, flags, mask, buf) */
long sys_statx(struct vreq *r)
{
	int flags = (int)arg(r, 2);
	struct walk w;
	struct fsd_attr a;
	uint32_t dev, rdev;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | 0x6000))
		return -EINVAL;		/* (0x6000: AT_STATX_SYNC_TYPE) */
	err = attr_at(r, (int)arg(r, 0), r->str[0], flags, &w, &a, &dev, &rdev);
	if (err == 1)
		return answer_native(r, w.path, NULL, -1);
	if (err == 0)
		err = put_statx(&a, dev, rdev);
	walk_done(&w);
	return err;
}

/* May @c access a file with attributes @a for @mode (R_OK...)? */
static long permitted(struct client *c, const struct fsd_attr *a, long mode, int real)
{
	uint32_t uid = real ? c->uid : c->euid, gid = real ? c->gid : c->egid, bits;

	if (uid == 0)
		return (mode & X_OK) && !S_ISDIR(a->mode) && !(a->mode & 0111) ? -EACCES : 0;
	bits = uid == a->uid ? a->mode >> 6 : gid == a->gid ? a->mode >> 3 : a->mode;
	return ((uint32_t)mode & ~bits & 7) ? -EACCES : 0;
}

long sys_access(struct vreq *r, long dirfd, const char *path, long mode, long flags)
{
	struct walk w;
	struct fsd_attr a;
	uint32_t dev, rdev;
	long err;

	if ((mode & ~7L) || (flags & ~(long)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)))
		return -EINVAL;
	err = attr_at(r, dirfd, path, (int)flags, &w, &a, &dev, &rdev);
	if (err == 1)
		return answer_native(r, w.path, NULL, -1);
	if (err == 0)
		err = permitted(r->c, &a, mode, !(flags & AT_EACCESS));
	walk_done(&w);
	return err;
}

/* FSD_SETATTR on what (@dirfd, @path) names; @t: atime, mtime in ns. */
static long setattr_at(struct vreq *r, long dirfd, const char *path, int flags, uint64_t mask,
		       uint64_t mode, uint64_t ids, const uint64_t t[2])
{
	struct ipc_msg m = { FSD_SETATTR, { 0, mask, mode, ids } };
	struct vnode *vn = NULL;
	struct walk w = { .vn = NULL };
	char out[VFS_FS_OUT];
	size_t n;
	long err = 0;

	if (!path[0] && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
		struct vfile *f = fd_file(r->c, dirfd);

		if (!f)
			return -EBADF;
		if (f->type != VF_FILE)
			return 0;	/* a pipe or memdev node: nothing kept */
		vn = f->vn;
	} else {
		err = walk(r, dirfd, path[0] ? path : ".",
			   flags & AT_SYMLINK_NOFOLLOW ? 0 : W_FOLLOW, &w);
		if (err)
			return err;
		if (!w.vn)	/* the kernel's, memdev nodes too (it has them in /dev) */
			return answer_native(r, w.path, NULL, -1);
		vn = w.vn;
	}
	if (r->c->euid != 0 && (mask & (FSD_SET_UID | FSD_SET_GID)))
		err = -EPERM;
	else if (r->c->euid != 0 && r->c->euid != vn->a.uid)
		err = -EPERM;
	if (!err) {
		m.w[0] = vn->ino;
		err = fs_call(vn->fs, &m, t, 2 * sizeof(uint64_t), out, &n);
		if (err == -ENOSYS)
			err = -EPERM;	/* a file server that cannot change attributes */
	}
	walk_done(&w);
	return err;
}

long sys_setattr(struct vreq *r, long dirfd, const char *path, int flags, uint64_t mask,
		 uint64_t mode, uint64_t ids)
{
	static const uint64_t none[2];

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return setattr_at(r, dirfd, path, flags, mask, mode, ids, none);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* utimensat(dirfd, path, times, flags): a NULL path is the fd itself. */
long sys_utimens(struct vreq *r)
{
	int flags = (int)arg(r, 3);
	struct timespec ts[2];
	uint64_t t[2], mask = 0;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (arg(r, 2) == 0) {
		ts[0].tv_nsec = ts[1].tv_nsec = UTIME_NOW_NS;
	} else if ((err = mk_grant_copy(0, 0, ts, sizeof(ts), MK_GRANT_READ)) < 0) {
		return err;
	}
	for (int i = 0; i < 2; i++) {
		if (ts[i].tv_nsec == UTIME_OMIT_NS)
			continue;
		if (ts[i].tv_nsec != UTIME_NOW_NS &&
		    (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000 || ts[i].tv_sec < 0))
			return -EINVAL;
		t[i] = ts[i].tv_nsec == UTIME_NOW_NS ? now_ns()
			: (uint64_t)ts[i].tv_sec * 1000000000ULL + (uint64_t)ts[i].tv_nsec;
		mask |= i ? FSD_SET_MTIME : FSD_SET_ATIME;
	}
	if (!mask)
		return 0;
	if (arg(r, 1) == 0)	/* futimens */
		flags |= AT_EMPTY_PATH;
	return setattr_at(r, (int)arg(r, 0), r->str[0], flags, mask, 0, 0, t);
}

long sys_truncate(struct vreq *r, const char *path, long size)
{
	struct walk w;
	long err;

	if (size < 0)
		return -EINVAL;
	if ((err = walk(r, AT_FDCWD, path, W_FOLLOW, &w)))
		return err;
	if (!w.vn && !w.minor) {
		err = answer_native(r, w.path, NULL, -1);
	} else if (w.minor) {
		err = -EINVAL;
	} else if (S_ISDIR(w.vn->a.mode)) {
		err = -EISDIR;
	} else {
		struct ipc_msg m = { FSD_TRUNCATE, { w.vn->ino, (uint64_t)size } };
		char out[VFS_FS_OUT];
		size_t n;

		err = fs_call(w.vn->fs, &m, NULL, 0, out, &n);
	}
	walk_done(&w);
	return err;
}

/* Linux's struct statfs (120 bytes). */
struct vfs_statfs {
	int64_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	int64_t namelen, frsize, flags, spare[4];
};

_Static_assert(sizeof(struct vfs_statfs) == 120, "struct statfs is 120 bytes");

long sys_statfs(struct vreq *r, long fd, const char *path)
{
	struct vfs_statfs sf;
	struct vfs_fs *fs = NULL;
	uint32_t magic = TMPFS_MAGIC;
	struct walk w = { .vn = NULL };
	long err;

	if (path) {
		if ((err = walk(r, AT_FDCWD, path, W_FOLLOW, &w)))
			return err;
		if (!w.vn && !w.minor)
			return answer_native(r, w.path, NULL, -1);
		fs = w.vn ? w.vn->fs : NULL;
	} else {
		struct vfile *f = fd_file(r->c, fd);

		if (!f)
			return -EBADF;
		fs = f->type == VF_FILE ? f->vn->fs : NULL;
		magic = f->type == VF_PIPE ? PIPEFS_MAGIC : magic;
	}
	memset(&sf, 0, sizeof(sf));
	sf.type = fs ? fs->magic : magic;
	sf.bsize = sf.frsize = 4096;
	sf.namelen = VFS_NAME_MAX;
	sf.fsid[0] = fs ? (int32_t)fs->dev : 0;
	walk_done(&w);
	err = mk_grant_copy(0, 0, &sf, sizeof(sf), MK_GRANT_WRITE);
	return err < 0 ? err : 0;
}
