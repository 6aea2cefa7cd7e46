/*
 * The calls on the fd table: close, dup/dup2/dup3, fcntl, pipe/pipe2 and
 * poll. Numbers come from fd_alloc, which skips those the kernel backs
 * (the mk_fdmap of the request).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include "vfs.h"

#ifndef F_GETPIPE_SZ
#define F_SETPIPE_SZ	1031
#define F_GETPIPE_SZ	1032
#endif
#define POLL_MAX	1024

long sys_close(struct vreq *r)
{
	return fd_close(r->c, (long)arg(r, 0));
}

long sys_dup(struct vreq *r, long old, long new, long flags, int which)
{
	struct vfile *f = fd_file(r->c, old);

	if (!f)
		return -EBADF;
	if (which == SYS_dup) {
		if ((new = fd_alloc(r->c, &r->map, 0)) < 0)
			return new;
	} else {
		if (new < 0 || new >= VFS_FD_MAX)
			return -EBADF;
		if (which == SYS_dup3 && ((flags & ~O_CLOEXEC) || old == new))
			return -EINVAL;
		if (old == new)
			return new;
	}
	/* dup2 onto one of the kernel's: the kernel closes its own afterwards */
	vfile_get(f);
	fd_install(r->c, (int)new, f, !!(flags & O_CLOEXEC));
	return new;
}

#define SETFL_MASK	(O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | O_ASYNC)

long sys_fcntl(struct vreq *r)
{
	long fd = (long)arg(r, 0), a = (long)arg(r, 2), new;
	struct vfile *f = fd_file(r->c, fd);

	if (!f)
		return -EBADF;
	switch (arg(r, 1)) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (a < 0 || a >= VFS_FD_MAX)
			return -EINVAL;
		if ((new = fd_alloc(r->c, &r->map, a)) < 0)
			return new;
		vfile_get(f);
		fd_install(r->c, (int)new, f, arg(r, 1) == F_DUPFD_CLOEXEC);
		return new;
	case F_GETFD:
		return r->c->fds[fd].cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		r->c->fds[fd].cloexec = a & FD_CLOEXEC;
		return 0;
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		f->flags = (f->flags & ~SETFL_MASK) | (int)(a & SETFL_MASK);
		return 0;
	case F_GETOWN:
	case F_SETOWN:
		return 0;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:	/* the size stays */
		return f->type == VF_PIPE ? (long)pipe_size(f) : -EBADF;
	}
	return -EINVAL;		/* locks too: not kept by vfs */
}

/* pipe2(fds, flags): the two ends, written into grant 0. */
long sys_pipe(struct vreq *r, long flags)
{
	struct vfile *rd, *wr;
	int fds[2];
	long err;

	if (flags & ~(long)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if ((fds[0] = fd_alloc(r->c, &r->map, 0)) < 0)
		return fds[0];
	if ((err = pipe_make(&rd, &wr, (int)flags)) < 0)
		return err;
	fd_install(r->c, fds[0], rd, !!(flags & O_CLOEXEC));
	if ((fds[1] = fd_alloc(r->c, &r->map, 0)) < 0) {
		fd_close(r->c, fds[0]);
		vfile_put(wr);
		return fds[1];
	}
	fd_install(r->c, fds[1], wr, !!(flags & O_CLOEXEC));
	err = mk_grant_copy(0, 0, fds, sizeof(fds), MK_GRANT_WRITE);
	if (err < 0) {
		fd_close(r->c, fds[0]);
		fd_close(r->c, fds[1]);
		return err;
	}
	return 0;
}

/* Fill in revents; how many fds have something to say. */
static int poll_scan(struct client *c, struct pollfd *pf, size_t n)
{
	int ready = 0;

	for (size_t i = 0; i < n; i++) {
		struct vfile *f = pf[i].fd >= 0 ? fd_file(c, pf[i].fd) : NULL;

		pf[i].revents = 0;
		if (pf[i].fd < 0)
			continue;
		if (!f)
			pf[i].revents = POLLNVAL;
		else if (f->type == VF_PIPE)
			pf[i].revents = pipe_poll(f, pf[i].events);
		else	/* files and memdev nodes never wait */
			pf[i].revents = pf[i].events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
		ready += pf[i].revents != 0;
	}
	return ready;
}

/* poll(fds, nfds, timeout): every fd is vfs's (the kernel sends no others). */
long sys_poll(struct vreq *r)
{
	struct pollfd pf[POLL_MAX];
	size_t n = arg(r, 1);
	int timeout = (int)arg(r, 2), ready;
	int64_t deadline = timeout < 0 ? -1 : now_ms() + timeout;
	long err;

	if (n > POLL_MAX)
		return -EINVAL;
	if (n && (err = mk_grant_copy(0, 0, pf, n * sizeof(*pf), MK_GRANT_READ)) < 0)
		return err;
	for (;;) {
		ready = poll_scan(r->c, pf, n);
		if (ready || timeout == 0 || (deadline >= 0 && now_ms() >= deadline))
			break;
		if (r->c->dead || (n && !call_alive()))
			return -EINTR;
		poll_wait(deadline);
	}
	if (n && (err = mk_grant_copy(0, 0, pf, n * sizeof(*pf), MK_GRANT_WRITE)) < 0)
		return err;
	return ready;
}
