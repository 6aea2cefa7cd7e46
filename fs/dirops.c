/*
 * Creating and removing names: mkdir, mknod, rmdir and unlink, and the
 * checks every name operation shares (write and search permission on the
 * directory, the sticky bit, existing names, mount points). Each do_*
 * function takes kernel strings, so initramfs uses them directly; the
 * syscalls only copy the paths in. Renames and links are in fs/links.c.
 */
#include "fs/internal.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/string.h"

/* Write and search permission on @dir, and a directory still in the tree. */
int may_modify_dir(struct dentry *dir)
{
	if (dir->flags & DENTRY_DEAD)
		return -ENOENT;
	return inode_permission(dir->inode, MAY_WRITE | MAY_EXEC, 0);
}

/* With the sticky bit, only the owner of the file or directory (or root) may remove. */
int sticky_check(struct inode *dir, struct inode *victim)
{
	uint32_t uid = current_cred()->euid;

	if (!(dir->mode & S_ISVTX) || uid == 0 || uid == dir->uid || uid == victim->uid)
		return 0;
	return -EPERM;
}

/* Lookup for creating @pp's name: -EEXIST if it exists, else permission. */
int may_create(struct path_parent *pp)
{
	struct dentry *d;

	if (name_is_dot(pp->name, pp->len) || name_is_dotdot(pp->name, pp->len))
		return -EEXIST;
	if (!lookup_child_raw(pp->dir, pp->name, pp->len, &d)) {
		dput(d);
		return -EEXIST;
	}
	return may_modify_dir(pp->dir);
}

int do_mkdirat(int dirfd, const char *path, uint32_t mode)
{
	struct path_parent pp;
	int err = path_lookup_parent(dirfd, path, &pp);

	if (err)
		return err;
	err = may_create(&pp);
	if (!err && !pp.dir->inode->iops->mkdir)
		err = -EPERM;
	if (!err)
		err = pp.dir->inode->iops->mkdir(pp.dir->inode, pp.name, pp.len,
						 mode & ~current_umask() & 07777);
	dput(pp.dir);
	return err;
}

int do_mknodat(int dirfd, const char *path, uint32_t mode, uint32_t rdev)
{
	struct path_parent pp;
	int err;

	if (!(mode & S_IFMT))
		mode |= S_IFREG;
	switch (mode & S_IFMT) {
	case S_IFCHR:
	case S_IFBLK:
		if (current_cred()->euid != 0)
			return -EPERM;
		break;
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		rdev = 0;
		break;
	default:
		return -EINVAL;
	}
	err = path_lookup_parent(dirfd, path, &pp);
	if (err)
		return err;
	err = may_create(&pp);
	if (!err && pp.trailing_slash)
		err = -ENOENT;
	if (!err && !pp.dir->inode->iops->mknod)
		err = -EPERM;
	if (!err)
		err = pp.dir->inode->iops->mknod(pp.dir->inode, pp.name, pp.len,
						 (mode & S_IFMT) |
							 (mode & ~current_umask() & 07777),
						 rdev);
	dput(pp.dir);
	return err;
}

/* Look up @pp's name for removal: no dots, not a mount point, permitted. */
int lookup_victim(struct path_parent *pp, int dot_err, int dotdot_err,
			 struct dentry **out)
{
	int err;

	if (name_is_dot(pp->name, pp->len))
		return dot_err;
	if (name_is_dotdot(pp->name, pp->len))
		return dotdot_err;
	err = lookup_child_raw(pp->dir, pp->name, pp->len, out);
	if (err)
		return err;
	err = may_modify_dir(pp->dir);
	if (!err)
		err = sticky_check(pp->dir->inode, (*out)->inode);
	if (!err && (*out)->mounted)
		err = -EBUSY;
	if (err)
		dput(*out);
	return err;
}

int do_rmdir(int dirfd, const char *path)
{
	struct path_parent pp;
	struct dentry *d;
	int err = path_lookup_parent(dirfd, path, &pp);

	if (err)
		return err;
	err = lookup_victim(&pp, -EINVAL, -ENOTEMPTY, &d);
	if (err)
		goto out;
	if (!S_ISDIR(d->inode->mode))
		err = -ENOTDIR;
	else if (current && current->fs && d == current->fs->root)
		err = -EBUSY;
	else
		err = pp.dir->inode->iops->rmdir ? pp.dir->inode->iops->rmdir(
							   pp.dir->inode, pp.name, pp.len)
						 : -EPERM;
	if (!err)
		d_drop(d);
	dput(d);
out:
	dput(pp.dir);
	return err;
}

int do_unlinkat(int dirfd, const char *path)
{
	struct path_parent pp;
	struct dentry *d;
	int err = path_lookup_parent(dirfd, path, &pp);

	if (err)
		return err;
	err = lookup_victim(&pp, -EISDIR, -EISDIR, &d);
	if (err)
		goto out;
	if (S_ISDIR(d->inode->mode))
		err = -EISDIR;
	else if (pp.trailing_slash)
		err = -ENOTDIR;
	else
		err = pp.dir->inode->iops->unlink ? pp.dir->inode->iops->unlink(
							    pp.dir->inode, pp.name, pp.len)
						  : -EPERM;
	if (!err)
		d_drop(d);
	dput(d);
out:
	dput(pp.dir);
	return err;
}

/* --- system calls ------------------------------------------------------------ */

SYSCALL_DEFINE3(mkdirat, int, dirfd, const char __user *, upath, uint32_t, mode)
{
	char *path;
	long err = getname(upath, &path);

	if (err)
		return err;
	err = do_mkdirat(dirfd, path, mode);
	putname(path);
	return err;
}

SYSCALL_DEFINE2(mkdir, const char __user *, upath, uint32_t, mode)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)upath, mode);

	return sys_mkdirat(&a);
}

SYSCALL_DEFINE4(mknodat, int, dirfd, const char __user *, upath, uint32_t, mode,
		uint32_t, dev)
{
	char *path;
	long err = getname(upath, &path);

	if (err)
		return err;
	err = do_mknodat(dirfd, path, mode, dev);
	putname(path);
	return err;
}

SYSCALL_DEFINE3(mknod, const char __user *, upath, uint32_t, mode, uint32_t, dev)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)upath, mode, dev);

	return sys_mknodat(&a);
}

SYSCALL_DEFINE3(unlinkat, int, dirfd, const char __user *, upath, int, flags)
{
	char *path;
	long err;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	err = getname(upath, &path);
	if (err)
		return err;
	err = (flags & AT_REMOVEDIR) ? do_rmdir(dirfd, path) : do_unlinkat(dirfd, path);
	putname(path);
	return err;
}

SYSCALL_DEFINE1(unlink, const char __user *, upath)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)upath, 0);

	return sys_unlinkat(&a);
}

SYSCALL_DEFINE1(rmdir, const char __user *, upath)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)upath,
				    AT_REMOVEDIR);

	return sys_unlinkat(&a);
}
