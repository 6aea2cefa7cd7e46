/*
 * Inode attributes set from user space: chmod, chown (root only), the
 * umask, access checks and timestamps (utimensat). The *at forms resolve
 * their path relative to a directory fd; fchmod and friends act on an open
 * file's inode. A file system that keeps attributes elsewhere (9p, on the
 * host) stores each change through iops->setattr before the inode changes.
 */
#include "fs/internal.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"

#define AT_EACCESS	0x200
#define UTIME_NOW	((1L << 30) - 1)
#define UTIME_OMIT	((1L << 30) - 2)

uint32_t current_umask(void)
{
	return current && current->fs ? current->fs->umask : 022;
}

static bool is_owner(struct inode *ino)
{
	uint32_t uid = current_cred()->euid;

	return uid == 0 || uid == ino->uid;
}

/*
 * Let the file system store @ia (iops->setattr), then change the inode:
 * a file system that refuses leaves the inode as it was.
 */
static int apply_attr(struct inode *ino, struct iattr *ia)
{
	int err = ino->iops && ino->iops->setattr ? ino->iops->setattr(ino, ia) : 0;

	if (err)
		return err;
	if (ia->valid & ATTR_MODE)
		ino->mode = ia->mode;
	if (ia->valid & ATTR_UID)
		ino->uid = ia->uid;
	if (ia->valid & ATTR_GID)
		ino->gid = ia->gid;
	if (ia->valid & ATTR_ATIME)
		ino->atime = ia->atime;
	if (ia->valid & ATTR_MTIME)
		ino->mtime = ia->mtime;
	if (ia->valid & ATTR_CTIME)
		ino->ctime = ia->ctime;
	return 0;
}

int do_chmod(struct inode *ino, uint32_t mode)
{
	struct iattr ia = { .valid = ATTR_MODE | ATTR_CTIME };

	if (!is_owner(ino))
		return -EPERM;
	ia.mode = (ino->mode & S_IFMT) | (mode & 07777);
	vfs_timestamp(&ia.ctime);
	return apply_attr(ino, &ia);
}

/* Only root changes owners; (uint32_t)-1 leaves a field as it is. */
int do_chown(struct inode *ino, uint32_t uid, uint32_t gid)
{
	struct iattr ia = { .valid = ATTR_CTIME, .mode = ino->mode };

	if (current_cred()->euid != 0 &&
	    ((uid != (uint32_t)-1 && uid != ino->uid) || (gid != (uint32_t)-1 && gid != ino->gid)))
		return -EPERM;
	if (uid != (uint32_t)-1) {
		ia.valid |= ATTR_UID;
		ia.uid = uid;
	}
	if (gid != (uint32_t)-1) {
		ia.valid |= ATTR_GID;
		ia.gid = gid;
	}
	if (S_ISREG(ino->mode) && current_cred()->euid != 0 && (ino->mode & (S_ISUID | S_ISGID))) {
		ia.valid |= ATTR_MODE;
		ia.mode &= ~(S_ISUID | S_ISGID);
	}
	vfs_timestamp(&ia.ctime);
	return apply_attr(ino, &ia);
}

/*
 * Look up a user path for an attribute call, honouring the AT_* @flags;
 * @lf adds LOOKUP_* flags. *out holds a reference.
 */
static long attr_lookup(int dirfd, const char __user *upath, int flags, unsigned int lf,
			struct dentry **out)
{
	char *path;
	long err;

	if (!(flags & AT_SYMLINK_NOFOLLOW))
		lf |= LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	err = getname(upath, &path);
	if (err)
		return err;
	err = path_lookup(dirfd, path, lf, out);
	putname(path);
	return err;
}

SYSCALL_DEFINE4(fchmodat, int, dirfd, const char __user *, upath, uint32_t, mode, int, flags)
{
	struct dentry *d;
	long err;

	if (flags & ~AT_SYMLINK_NOFOLLOW)
		return -EINVAL;
	if (flags & AT_SYMLINK_NOFOLLOW)
		return -EOPNOTSUPP;
	err = attr_lookup(dirfd, upath, flags, 0, &d);
	if (err)
		return err;
	err = do_chmod(d->inode, mode);
	dput(d);
	return err;
}

SYSCALL_DEFINE2(chmod, const char __user *, upath, uint32_t, mode)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)upath, mode, 0);

	return sys_fchmodat(&a);
}

SYSCALL_DEFINE2(fchmod, int, fd, uint32_t, mode)
{
	struct file *f = fd_get(fd);

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	return do_chmod(f->inode, mode);
}

SYSCALL_DEFINE5(fchownat, int, dirfd, const char __user *, upath, uint32_t, uid, uint32_t, gid,
		int, flags)
{
	struct dentry *d;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = attr_lookup(dirfd, upath, flags, 0, &d);
	if (err)
		return err;
	err = do_chown(d->inode, uid, gid);
	dput(d);
	return err;
}

SYSCALL_DEFINE3(chown, const char __user *, upath, uint32_t, uid, uint32_t, gid)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)upath, uid, gid, 0);

	return sys_fchownat(&a);
}

SYSCALL_DEFINE3(lchown, const char __user *, upath, uint32_t, uid, uint32_t, gid)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)upath, uid, gid,
				    AT_SYMLINK_NOFOLLOW);

	return sys_fchownat(&a);
}

SYSCALL_DEFINE3(fchown, int, fd, uint32_t, uid, uint32_t, gid)
{
	struct file *f = fd_get(fd);

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	return do_chown(f->inode, uid, gid);
}

SYSCALL_DEFINE1(umask, uint32_t, mask)
{
	uint32_t old = current_umask();

	if (current && current->fs)
		current->fs->umask = mask & 0777;
	return old;
}

SYSCALL_DEFINE4(faccessat2, int, dirfd, const char __user *, upath, int, mode, int, flags)
{
	struct dentry *d;
	long err;

	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH))
		return -EINVAL;
	err = attr_lookup(dirfd, upath, flags, (flags & AT_EACCESS) ? 0 : LOOKUP_REAL_ID, &d);
	if (err)
		return err;
	if (mode)
		err = inode_permission(d->inode, mode,
				       (flags & AT_EACCESS) ? 0 : LOOKUP_REAL_ID);
	dput(d);
	return err;
}

SYSCALL_DEFINE3(faccessat, int, dirfd, const char __user *, upath, int, mode)
{
	struct pt_regs a = SC_REGS((unsigned long)dirfd, (unsigned long)upath,
				    (unsigned long)mode, 0);

	return sys_faccessat2(&a);
}

SYSCALL_DEFINE2(access, const char __user *, upath, int, mode)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)upath,
				    (unsigned long)mode, 0);

	return sys_faccessat2(&a);
}

/* One utimensat timestamp (UTIME_NOW, UTIME_OMIT or a value) into @ia. */
static void set_time(struct iattr *ia, unsigned int bit, struct timespec64 *dst,
		     const struct timespec64 *src, const struct timespec64 *now)
{
	if (src && src->nsec == UTIME_OMIT)
		return;
	ia->valid |= bit;
	*dst = !src || src->nsec == UTIME_NOW ? *now : *src;
}

SYSCALL_DEFINE4(utimensat, int, dirfd, const char __user *, upath,
		const struct timespec64 __user *, utimes, int, flags)
{
	struct timespec64 ts[2], now;
	struct dentry *d = NULL;
	struct inode *ino;
	struct file *f;
	bool explicit = false;
	long err = 0;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (utimes) {
		if (copy_from_user(ts, utimes, sizeof(ts)))
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (ts[i].nsec != UTIME_NOW && ts[i].nsec != UTIME_OMIT &&
			    (ts[i].nsec < 0 || ts[i].nsec >= 1000000000))
				return -EINVAL;
			explicit |= ts[i].nsec != UTIME_NOW && ts[i].nsec != UTIME_OMIT;
		}
	}
	if (!upath) {
		f = fd_get(dirfd);
		if (!f)
			return -EBADF;
		ino = f->inode;
	} else {
		err = attr_lookup(dirfd, upath, flags, 0, &d);
		if (err)
			return err;
		ino = d->inode;
	}
	if (!is_owner(ino) && (explicit || inode_permission(ino, MAY_WRITE, 0)))
		err = explicit ? -EPERM : -EACCES;
	if (!err) {
		struct iattr ia = { .valid = ATTR_CTIME };

		vfs_timestamp(&now);
		set_time(&ia, ATTR_ATIME, &ia.atime, utimes ? &ts[0] : NULL, &now);
		set_time(&ia, ATTR_MTIME, &ia.mtime, utimes ? &ts[1] : NULL, &now);
		ia.ctime = now;
		err = apply_attr(ino, &ia);
	}
	dput(d);
	return err;
}

struct utimbuf {
	int64_t actime;
	int64_t modtime;
};

/* utime and utimes: the old interfaces, expressed as utimensat. */
static long utimes_common(const char __user *upath, struct timespec64 *ts)
{
	struct dentry *d;
	struct inode *ino;
	long err = attr_lookup(AT_FDCWD, upath, 0, 0, &d);

	if (err)
		return err;
	ino = d->inode;
	if (!is_owner(ino) && (ts || inode_permission(ino, MAY_WRITE, 0)))
		err = ts ? -EPERM : -EACCES;
	if (!err) {
		struct iattr ia = { .valid = ATTR_ATIME | ATTR_MTIME | ATTR_CTIME };

		vfs_timestamp(&ia.ctime);
		ia.atime = ts ? ts[0] : ia.ctime;
		ia.mtime = ts ? ts[1] : ia.ctime;
		err = apply_attr(ino, &ia);
	}
	dput(d);
	return err;
}

SYSCALL_DEFINE2(utime, const char __user *, upath, const struct utimbuf __user *, utimes)
{
	struct timespec64 ts[2];
	struct utimbuf ub;

	if (!utimes)
		return utimes_common(upath, NULL);
	if (copy_from_user(&ub, utimes, sizeof(ub)))
		return -EFAULT;
	ts[0] = (struct timespec64){ ub.actime, 0 };
	ts[1] = (struct timespec64){ ub.modtime, 0 };
	return utimes_common(upath, ts);
}

SYSCALL_DEFINE2(utimes, const char __user *, upath,
		const struct kernel_old_timeval __user *, utv)
{
	struct timespec64 ts[2];
	struct kernel_old_timeval tv[2];

	if (!utv)
		return utimes_common(upath, NULL);
	if (copy_from_user(tv, utv, sizeof(tv)))
		return -EFAULT;
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			return -EINVAL;
		ts[i] = (struct timespec64){ tv[i].tv_sec, tv[i].tv_usec * 1000 };
	}
	return utimes_common(upath, ts);
}
