/*
 * File status: stat, lstat, fstat, newfstatat and statx in Linux's x86-64
 * layouts, and statfs/fstatfs. Everything comes from vfs_stat_inode, so
 * all file systems report the same way.
 */
#include "fs/internal.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/string.h"
#include "mm/mm.h"

#define AT_NO_AUTOMOUNT		0x800
#define AT_STATX_SYNC_TYPE	0x6000
#define STATX_BASIC_STATS	0x7ffU

struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t spare2[14];
};

struct kstatfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};

/* The inode a *at stat call names (an fd itself with AT_EMPTY_PATH and ""). */
static long stat_lookup(int dirfd, const char __user *upath, int flags, struct kstat *st)
{
	struct dentry *d;
	struct file *f;
	char *path;
	long err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	err = getname(upath, &path);
	if (err)
		return err;
	if (!path[0] && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
		f = fd_get(dirfd);
		err = f ? vfs_stat_inode(f->inode, st) : -EBADF;
	} else {
		err = path_lookup(dirfd, path,
				  ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) |
					  ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0),
				  &d);
		if (!err) {
			err = vfs_stat_inode(d->inode, st);
			dput(d);
		}
	}
	putname(path);
	return err;
}

SYSCALL_DEFINE4(newfstatat, int, dirfd, const char __user *, upath, struct kstat __user *, ust,
		int, flags)
{
	struct kstat st;
	long err = stat_lookup(dirfd, upath, flags, &st);

	if (err)
		return err;
	return copy_to_user(ust, &st, sizeof(st)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(stat, const char __user *, upath, struct kstat __user *, ust)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)upath,
				    (unsigned long)ust, 0);

	return sys_newfstatat(&a);
}

SYSCALL_DEFINE2(lstat, const char __user *, upath, struct kstat __user *, ust)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)upath,
				    (unsigned long)ust, AT_SYMLINK_NOFOLLOW);

	return sys_newfstatat(&a);
}

SYSCALL_DEFINE2(fstat, int, fd, struct kstat __user *, ust)
{
	struct file *f = fd_get(fd);
	struct kstat st;

	if (!f)
		return -EBADF;
	vfs_stat_inode(f->inode, &st);
	return copy_to_user(ust, &st, sizeof(st)) ? -EFAULT : 0;
}

static struct statx_timestamp stx_time(struct timespec64 ts)
{
	return (struct statx_timestamp){ .tv_sec = ts.sec, .tv_nsec = (uint32_t)ts.nsec };
}

SYSCALL_DEFINE5(statx, int, dirfd, const char __user *, upath, int, flags, unsigned int, mask,
		struct statx __user *, ubuf)
{
	struct kstat st;
	struct statx sx;
	long err = stat_lookup(dirfd, upath, flags, &st);

	if (err)
		return err;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime = stx_time(st.st_atim);
	sx.stx_ctime = stx_time(st.st_ctim);
	sx.stx_mtime = stx_time(st.st_mtim);
	sx.stx_rdev_major = MAJOR((uint32_t)st.st_rdev);
	sx.stx_rdev_minor = MINOR((uint32_t)st.st_rdev);
	sx.stx_dev_major = MAJOR((uint32_t)st.st_dev);
	sx.stx_dev_minor = MINOR((uint32_t)st.st_dev);
	return copy_to_user(ubuf, &sx, sizeof(sx)) ? -EFAULT : 0;
}

static long do_statfs(struct inode *ino, struct kstatfs __user *ubuf)
{
	struct kstatfs s;

	memset(&s, 0, sizeof(s));
	s.f_type = ino->sb ? (int64_t)ino->sb->type->magic : PIPEFS_MAGIC;
	s.f_bsize = PAGE_SIZE;
	s.f_frsize = PAGE_SIZE;
	s.f_namelen = NAME_MAX;
	if (s.f_type == TMPFS_MAGIC) {
		s.f_blocks = pmm_total_count();
		s.f_bfree = pmm_free_count();
		s.f_bavail = s.f_bfree;
		s.f_files = s.f_blocks;
		s.f_ffree = s.f_bfree;
	}
	if (ino->sb) {
		s.f_fsid[0] = (int32_t)ino->sb->dev;
	}
	return copy_to_user(ubuf, &s, sizeof(s)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(statfs, const char __user *, upath, struct kstatfs __user *, ubuf)
{
	struct dentry *d;
	char *path;
	long err = getname(upath, &path);

	if (err)
		return err;
	err = path_lookup(AT_FDCWD, path, LOOKUP_FOLLOW, &d);
	putname(path);
	if (err)
		return err;
	err = do_statfs(d->inode, ubuf);
	dput(d);
	return err;
}

SYSCALL_DEFINE2(fstatfs, int, fd, struct kstatfs __user *, ubuf)
{
	struct file *f = fd_get(fd);

	return f ? do_statfs(f->inode, ubuf) : -EBADF;
}
