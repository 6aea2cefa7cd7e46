/*
 * Renaming and linking: rename (with RENAME_NOREPLACE), hard links,
 * symbolic links and readlink, as kernel-string do_* functions and the
 * syscalls that copy their paths in. A rename moves a live dentry with its
 * name, so working directories and open files follow it.
 */
#include "fs/internal.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/string.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	0x1
#endif

/* Type and topology checks of rename once both names are looked up. */
static int rename_check(struct path_parent *op, struct dentry *old, struct path_parent *np,
			struct dentry *new, unsigned int flags)
{
	bool isdir = S_ISDIR(old->inode->mode);

	if (new && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (!isdir && (op->trailing_slash || np->trailing_slash))
		return -ENOTDIR;
	if (isdir && d_is_ancestor(old, np->dir))
		return -EINVAL;
	if (!new)
		return may_modify_dir(np->dir);
	if (new->inode == old->inode)
		return 0;
	if (isdir && !S_ISDIR(new->inode->mode))
		return -ENOTDIR;
	if (!isdir && S_ISDIR(new->inode->mode))
		return -EISDIR;
	if (new->mounted)
		return -EBUSY;
	return sticky_check(np->dir->inode, new->inode) ?: may_modify_dir(np->dir);
}

int do_renameat2(int odfd, const char *oldp, int ndfd, const char *newp, unsigned int flags)
{
	struct path_parent op, np;
	struct dentry *old, *new = NULL;
	int err;

	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	err = path_lookup_parent(odfd, oldp, &op);
	if (err)
		return err;
	err = path_lookup_parent(ndfd, newp, &np);
	if (err)
		goto out_op;
	err = -EXDEV;
	if (op.dir->inode->sb != np.dir->inode->sb)
		goto out_np;
	err = lookup_victim(&op, -EBUSY, -EBUSY, &old);
	if (err)
		goto out_np;
	err = -EBUSY;
	if (name_is_dot(np.name, np.len) || name_is_dotdot(np.name, np.len))
		goto out_old;
	err = lookup_child_raw(np.dir, np.name, np.len, &new);
	if (err == -ENOENT)
		new = NULL;
	else if (err)
		goto out_old;
	err = rename_check(&op, old, &np, new, flags);
	if (err || (new && new->inode == old->inode))
		goto out_new;
	err = op.dir->inode->iops->rename
		      ? op.dir->inode->iops->rename(op.dir->inode, op.name, op.len,
						    np.dir->inode, np.name, np.len)
		      : -EPERM;
	if (!err) {
		if (new)
			d_drop(new);
		d_move(old, np.dir, np.name, np.len);
	}
out_new:
	dput(new);
out_old:
	dput(old);
out_np:
	dput(np.dir);
out_op:
	dput(op.dir);
	return err;
}

int do_symlinkat(const char *target, int dirfd, const char *path)
{
	struct path_parent pp;
	int err;

	if (!target[0])
		return -ENOENT;
	err = path_lookup_parent(dirfd, path, &pp);
	if (err)
		return err;
	err = may_create(&pp);
	if (!err)
		err = pp.dir->inode->iops->symlink
			      ? pp.dir->inode->iops->symlink(pp.dir->inode, pp.name, pp.len,
							     target)
			      : -EPERM;
	dput(pp.dir);
	return err;
}

int do_linkat(int odfd, const char *oldp, int ndfd, const char *newp, int flags)
{
	struct path_parent pp;
	struct dentry *old;
	int err;

	err = path_lookup(odfd, oldp,
			  ((flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0) |
				  ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0),
			  &old);
	if (err)
		return err;
	err = path_lookup_parent(ndfd, newp, &pp);
	if (err)
		goto out_old;
	if (S_ISDIR(old->inode->mode))
		err = -EPERM;
	else if (old->inode->sb != pp.dir->inode->sb)
		err = -EXDEV;
	else
		err = may_create(&pp);
	if (!err)
		err = pp.dir->inode->iops->link ? pp.dir->inode->iops->link(
							  pp.dir->inode, pp.name, pp.len, old->inode)
						: -EPERM;
	dput(pp.dir);
out_old:
	dput(old);
	return err;
}

/* Copy the target of symlink @path into @buf (not NUL-terminated). */
long do_readlinkat(int dirfd, const char *path, char *buf, size_t size)
{
	struct dentry *d;
	struct inode *ino;
	long err = path_lookup(dirfd, path, LOOKUP_EMPTY, &d);

	if (err)
		return err;
	ino = d->inode;
	if (!S_ISLNK(ino->mode) || !ino->iops || !ino->iops->readlink)
		err = -EINVAL;
	else
		err = ino->iops->readlink(ino, buf, size);
	dput(d);
	return err;
}

/* --- system calls ------------------------------------------------------------ */

SYSCALL_DEFINE5(renameat2, int, odfd, const char __user *, uold, int, ndfd,
		const char __user *, unew, unsigned int, flags)
{
	char *oldp, *newp;
	long err = getname(uold, &oldp);

	if (err)
		return err;
	err = getname(unew, &newp);
	if (!err) {
		err = do_renameat2(odfd, oldp, ndfd, newp, flags);
		putname(newp);
	}
	putname(oldp);
	return err;
}

SYSCALL_DEFINE4(renameat, int, odfd, const char __user *, uold, int, ndfd,
		const char __user *, unew)
{
	struct pt_regs a = SC_REGS((unsigned long)odfd, (unsigned long)uold, (unsigned long)ndfd,
				    (unsigned long)unew, 0);

	return sys_renameat2(&a);
}

SYSCALL_DEFINE2(rename, const char __user *, uold, const char __user *, unew)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)uold,
				    (unsigned long)AT_FDCWD, (unsigned long)unew, 0);

	return sys_renameat2(&a);
}

SYSCALL_DEFINE3(symlinkat, const char __user *, utarget, int, dirfd, const char __user *, upath)
{
	char *target, *path;
	long err = getname(utarget, &target);

	if (err)
		return err;
	err = getname(upath, &path);
	if (!err) {
		err = do_symlinkat(target, dirfd, path);
		putname(path);
	}
	putname(target);
	return err;
}

SYSCALL_DEFINE2(symlink, const char __user *, utarget, const char __user *, upath)
{
	struct pt_regs a = SC_REGS((unsigned long)utarget, (unsigned long)AT_FDCWD,
				    (unsigned long)upath);

	return sys_symlinkat(&a);
}

SYSCALL_DEFINE5(linkat, int, odfd, const char __user *, uold, int, ndfd,
		const char __user *, unew, int, flags)
{
	char *oldp, *newp;
	long err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = getname(uold, &oldp);
	if (err)
		return err;
	err = getname(unew, &newp);
	if (!err) {
		err = do_linkat(odfd, oldp, ndfd, newp, flags);
		putname(newp);
	}
	putname(oldp);
	return err;
}

SYSCALL_DEFINE2(link, const char __user *, uold, const char __user *, unew)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)uold,
				    (unsigned long)AT_FDCWD, (unsigned long)unew, 0);

	return sys_linkat(&a);
}

SYSCALL_DEFINE4(readlinkat, int, dirfd, const char __user *, upath, char __user *, ubuf,
		int, size)
{
	char *path, *buf;
	long n;

	if (size <= 0)
		return -EINVAL;
	n = getname(upath, &path);
	if (n)
		return n;
	buf = io_buf_alloc();
	n = buf ? do_readlinkat(dirfd, path, buf, MIN((size_t)size, (size_t)PATH_MAX)) : -ENOMEM;
	if (n > 0 && copy_to_user(ubuf, buf, (size_t)n))
		n = -EFAULT;
	io_buf_free(buf);
	putname(path);
	return n;
}

SYSCALL_DEFINE3(readlink, const char __user *, upath, char __user *, ubuf, int, size)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)upath,
				    (unsigned long)ubuf, (unsigned long)size);

	return sys_readlinkat(&a);
}
