/*
 * Opening and closing: the open/openat/creat/close syscalls, vfs_open for
 * the kernel (execve), truncation, and the working directory (chdir,
 * fchdir, chroot, getcwd). Opening a device node binds the file to the
 * driver registered for its number; opening a FIFO joins its pipe.
 */
#include "fs/internal.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/string.h"

#define O_KEEP_MASK	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW | \
			 O_PATH | O_LARGEFILE | O_NOCTTY)

/* A new open file for dentry @d: binds devices and FIFOs, calls fops->open. */
struct file *dentry_open(struct dentry *d, int flags, int *err)
{
	struct inode *ino = d->inode;
	struct chrdev *cd;
	struct file *f;

	f = file_alloc(ino, ino->fops, (unsigned int)flags & O_KEEP_MASK);
	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	f->dentry = dget(d);
	*err = 0;
	if (flags & O_PATH) {
		f->fops = NULL;
		return f;
	}
	if (S_ISCHR(ino->mode)) {
		cd = chrdev_find(ino->rdev);
		f->fops = cd ? cd->fops : NULL;
		f->priv = cd ? cd->priv : NULL;
		if (!cd)
			*err = -ENXIO;
	} else if (S_ISFIFO(ino->mode)) {
		f->fops = NULL;
		*err = fifo_open(ino, f);
		if (!*err)
			return f;
	} else if (S_ISBLK(ino->mode) && &blkdev_fops) {
		f->fops = &blkdev_fops;		/* raw block device access */
	} else if (S_ISBLK(ino->mode) || S_ISSOCK(ino->mode)) {
		*err = -ENXIO;
	}
	if (!*err && f->fops && f->fops->open)
		*err = f->fops->open(ino, f);	/* a tty reads O_NOCTTY here */
	f->flags &= ~O_NOCTTY;			/* like Linux, not a status flag */
	if (*err) {
		f->fops = NULL;		/* never opened: no release */
		file_put(f);
		return NULL;
	}
	return f;
}

long vfs_truncate(struct inode *ino, uint64_t size)
{
	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (!S_ISREG(ino->mode))
		return -EINVAL;
	if (!ino->iops || !ino->iops->truncate)
		return -EPERM;
	return ino->iops->truncate(ino, size);
}

/* Find or create the file of an O_CREAT open; *created says which. */
static int open_create(int dirfd, const char *path, int flags, uint32_t mode,
		       struct dentry **out, bool *created)
{
	struct path_parent pp;
	struct inode *ino;
	int err = path_lookup_parent(dirfd, path, &pp);

	if (err)
		return err;
	if (name_is_dot(pp.name, pp.len) || name_is_dotdot(pp.name, pp.len)) {
		err = (flags & O_EXCL) ? -EEXIST : -EISDIR;
		goto out;
	}
	err = lookup_child(pp.dir, pp.name, pp.len, out);
	if (pp.trailing_slash) {
		if (!err)
			dput(*out);
		err = (!err && (flags & O_EXCL)) ? -EEXIST : -EISDIR;
		goto out;
	}
	if (!err) {
		if (flags & O_EXCL) {
			dput(*out);
			err = -EEXIST;
		} else if (S_ISLNK((*out)->inode->mode)) {
			dput(*out);
			err = (flags & O_NOFOLLOW) ? -ELOOP
						   : path_lookup(dirfd, path, LOOKUP_FOLLOW, out);
		}
		goto out;
	}
	if (err != -ENOENT)
		goto out;
	err = pp.dir->flags & DENTRY_DEAD ? -ENOENT
					  : inode_permission(pp.dir->inode, MAY_WRITE | MAY_EXEC, 0);
	if (!err && !pp.dir->inode->iops->create)
		err = -EPERM;
	if (!err)
		err = pp.dir->inode->iops->create(pp.dir->inode, pp.name, pp.len,
						  mode & ~current_umask() & 07777, &ino);
	if (!err) {
		*out = dentry_alloc(pp.dir, pp.name, pp.len, ino);
		if (!*out) {
			inode_put(ino);
			err = -ENOMEM;
		}
		*created = true;
	}
out:
	dput(pp.dir);
	return err;
}

/* Checks an existing file must pass before it is opened with @flags. */
static int may_open(struct inode *ino, int flags)
{
	int acc = flags & O_ACCMODE, mask = 0;

	if (S_ISLNK(ino->mode))
		return (flags & O_PATH) ? 0 : -ELOOP;
	if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
		return -ENOTDIR;
	if (flags & O_PATH)
		return 0;
	if (S_ISDIR(ino->mode) && (acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC))))
		return -EISDIR;
	if (acc == O_RDONLY || acc == O_RDWR || acc == O_ACCMODE)
		mask |= MAY_READ;
	if (acc != O_RDONLY || (flags & O_TRUNC))
		mask |= MAY_WRITE;
	return inode_permission(ino, mask, 0);
}

/* Open @path for the caller (the whole of openat, with a kernel path). */
int do_open(int dirfd, const char *path, int flags, uint32_t mode, struct file **out)
{
	bool created = false;
	struct dentry *d;
	int err;

	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if (flags & O_CREAT)
		err = open_create(dirfd, path, flags, mode, &d, &created);
	else
		err = path_lookup(dirfd, path, (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &d);
	if (err)
		return err;
	if (!created)
		err = may_open(d->inode, flags);
	if (!err)
		*out = dentry_open(d, flags, &err);
	/* O_TRUNC means nothing to files without a size of their own (/proc) */
	if (!err && (flags & O_TRUNC) && !created && S_ISREG(d->inode->mode) &&
	    d->inode->iops && d->inode->iops->truncate) {
		err = (int)vfs_truncate(d->inode, 0);
		if (err)
			file_put(*out);
	}
	dput(d);
	return err;
}

struct file *vfs_open(const char *path, int flags, uint32_t mode, int *err)
{
	struct file *f = NULL;

	*err = do_open(AT_FDCWD, path, flags, mode, &f);
	return *err ? NULL : f;
}

long kernel_read(struct file *f, void *buf, size_t n, uint64_t off)
{
	if (!f->fops || !f->fops->read)
		return -EINVAL;
	return f->fops->read(f, buf, n, &off);
}

long kernel_write(struct file *f, const void *buf, size_t n, uint64_t off)
{
	if (!f->fops || !f->fops->write)
		return -EINVAL;
	return f->fops->write(f, buf, n, &off);
}

SYSCALL_DEFINE4(openat, int, dirfd, const char __user *, upath, int, flags, uint32_t, mode)
{
	struct file *f;
	char *path;
	long err = getname(upath, &path);

	if (err)
		return err;
	err = do_open(dirfd, path, flags, mode, &f);
	putname(path);
	if (err)
		return err;
	err = fd_install(f, flags & O_CLOEXEC);
	if (err < 0)
		file_put(f);
	return err;
}

SYSCALL_DEFINE3(open, const char __user *, upath, int, flags, uint32_t, mode)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)upath,
				    (unsigned long)flags, mode);

	return sys_openat(&a);
}

SYSCALL_DEFINE2(creat, const char __user *, upath, uint32_t, mode)
{
	struct pt_regs a = SC_REGS((unsigned long)AT_FDCWD, (unsigned long)upath,
				    O_CREAT | O_WRONLY | O_TRUNC, mode);

	return sys_openat(&a);
}

SYSCALL_DEFINE1(close, int, fd)
{
	return fd_close(fd);
}

SYSCALL_DEFINE2(truncate, const char __user *, upath, int64_t, length)
{
	struct dentry *d;
	char *path;
	long err;

	if (length < 0)
		return -EINVAL;
	err = getname(upath, &path);
	if (err)
		return err;
	err = path_lookup(AT_FDCWD, path, LOOKUP_FOLLOW, &d);
	putname(path);
	if (err)
		return err;
	err = S_ISDIR(d->inode->mode) ? -EISDIR : inode_permission(d->inode, MAY_WRITE, 0);
	if (!err)
		err = vfs_truncate(d->inode, (uint64_t)length);
	dput(d);
	return err;
}

SYSCALL_DEFINE2(ftruncate, int, fd, int64_t, length)
{
	struct file *f = fd_get(fd);

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (length < 0 || (f->flags & O_ACCMODE) == O_RDONLY || !S_ISREG(f->inode->mode))
		return -EINVAL;
	return vfs_truncate(f->inode, (uint64_t)length);
}

/* Make @d the working directory (or the root with @root). */
static long set_dir(struct dentry *d, bool root)
{
	struct fs_context *fs = current ? current->fs : NULL;
	long err;

	if (!S_ISDIR(d->inode->mode))
		err = -ENOTDIR;
	else
		err = inode_permission(d->inode, MAY_EXEC, 0);
	if (!err && !fs)
		err = -ESRCH;
	if (err) {
		dput(d);
		return err;
	}
	if (root) {
		dput(fs->root);
		fs->root = d;
	} else {
		dput(fs->cwd);
		fs->cwd = d;
	}
	return 0;
}

static long path_set_dir(const char __user *upath, bool root)
{
	struct dentry *d;
	char *path;
	long err = getname(upath, &path);

	if (err)
		return err;
	err = path_lookup(AT_FDCWD, path, LOOKUP_FOLLOW, &d);
	putname(path);
	return err ? err : set_dir(d, root);
}

SYSCALL_DEFINE1(chdir, const char __user *, upath)
{
	return path_set_dir(upath, false);
}

SYSCALL_DEFINE1(chroot, const char __user *, upath)
{
	if (current_cred()->euid != 0)
		return -EPERM;
	return path_set_dir(upath, true);
}

SYSCALL_DEFINE1(fchdir, int, fd)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	if (!f->dentry)
		return -ENOTDIR;
	return set_dir(dget(f->dentry), false);
}

SYSCALL_DEFINE2(getcwd, char __user *, ubuf, size_t, size)
{
	struct fs_context *fs = current ? current->fs : NULL;
	char *buf;
	long off, len;

	if (!fs)
		return -ENOENT;
	buf = io_buf_alloc();
	if (!buf)
		return -ENOMEM;
	off = d_path(fs->cwd, fs->root, buf, PATH_MAX);
	len = off < 0 ? off : PATH_MAX - off;	/* including the NUL */
	if (len > 0 && (size_t)len > size)
		len = -ERANGE;
	if (len > 0 && copy_to_user(ubuf, buf + off, (size_t)len))
		len = -EFAULT;
	io_buf_free(buf);
	return len;
}
