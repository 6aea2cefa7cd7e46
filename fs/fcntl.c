/*
 * Descriptor control: dup, dup2, dup3, fcntl (duplication, close-on-exec,
 * status flags, no-op advisory locks), flock and ioctl, which handles
 * FIONBIO, FIOCLEX, FIONCLEX and FIONREAD itself and hands everything else
 * to the file's driver.
 */
#include "fs/internal.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"

#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_GETLK		5
#define F_SETLK		6
#define F_SETLKW	7
#define F_SETOWN	8
#define F_GETOWN	9
#define F_DUPFD_CLOEXEC	1030
#define F_SETPIPE_SZ	1031
#define F_GETPIPE_SZ	1032
#define FD_CLOEXEC	1
#define F_UNLCK		2

#define FIONREAD	0x541b
#define FIONBIO		0x5421
#define FIONCLEX	0x5450
#define FIOCLEX		0x5451
#define FIOASYNC	0x5452

#define SETFL_MASK	(O_APPEND | O_NONBLOCK)

struct flock {
	int16_t l_type;
	int16_t l_whence;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
};

/* A second descriptor for @f at the lowest free slot >= @from. */
static long dup_from(struct file *f, int from, int cloexec)
{
	int fd;

	if (from < 0)
		return -EINVAL;
	fd = fd_alloc_from(from);
	if (fd < 0)
		return fd;
	return fd_install_at(fd, file_get(f), cloexec);
}

SYSCALL_DEFINE1(dup, int, oldfd)
{
	struct file *f = fd_get(oldfd);

	return f ? dup_from(f, 0, 0) : -EBADF;
}

SYSCALL_DEFINE3(dup3, int, oldfd, int, newfd, int, flags)
{
	struct file *f = fd_get(oldfd);

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (!f || newfd < 0 || newfd >= MAX_FDS)
		return -EBADF;
	if (oldfd == newfd)
		return -EINVAL;
	return fd_install_at(newfd, file_get(f), flags & O_CLOEXEC);
}

SYSCALL_DEFINE2(dup2, int, oldfd, int, newfd)
{
	struct pt_regs a = SC_REGS((unsigned long)oldfd, (unsigned long)newfd, 0);

	if (oldfd == newfd)
		return fd_get(oldfd) ? newfd : -EBADF;
	return sys_dup3(&a);
}

SYSCALL_DEFINE3(fcntl, int, fd, unsigned int, cmd, unsigned long, arg)
{
	struct file *f = fd_get(fd);
	struct flock lk;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= MAX_FDS)
			return -EINVAL;
		return dup_from(f, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_is_cloexec(fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		fd_set_cloexec(fd, arg & FD_CLOEXEC);
		return 0;
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		f->flags = (f->flags & ~SETFL_MASK) | ((unsigned int)arg & SETFL_MASK);
		return 0;
	case F_GETLK:
		/* no locks are ever held, so nothing conflicts */
		if (copy_from_user(&lk, (void __user *)arg, sizeof(lk)))
			return -EFAULT;
		lk.l_type = F_UNLCK;
		return copy_to_user((void __user *)arg, &lk, sizeof(lk)) ? -EFAULT : 0;
	case F_SETLK:
	case F_SETLKW:
		return 0;
	case F_GETOWN:
	case F_SETOWN:
		return 0;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		return S_ISFIFO(f->inode->mode) ? 65536 : -EBADF;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE2(flock, int, fd, unsigned int, op)
{
	return fd_get(fd) ? 0 : -EBADF;	/* single-user advisory locks: always granted */
}

SYSCALL_DEFINE3(ioctl, int, fd, unsigned int, cmd, unsigned long, arg)
{
	struct file *f = fd_get(fd);
	int on;

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		fd_set_cloexec(fd, cmd == FIOCLEX);
		return 0;
	case FIONBIO:
		if (get_user(on, (int __user *)arg))
			return -EFAULT;
		if (on)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~O_NONBLOCK;
		return 0;
	case FIOASYNC:
		return 0;
	case FIONREAD:
		if (S_ISREG(f->inode->mode)) {
			on = f->pos < f->inode->size ? (int)MIN(f->inode->size - f->pos,
								(uint64_t)INT32_MAX)
						     : 0;
			return put_user(on, (int __user *)arg) ? -EFAULT : 0;
		}
		break;
	}
	if (f->fops && f->fops->ioctl)
		return f->fops->ioctl(f, cmd, arg);
	return -ENOTTY;
}
