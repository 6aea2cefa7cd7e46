/*
 * The microkernel personality's user-space interface (docs/microkernel.md):
 * Basalt's system calls that the servers (pm, vfs, memdev, ext2d) and mkrun
 * use, as header-only wrappers. Like user/fsd/ipc.h they return the raw
 * result (>= 0, or a negative errno) and leave errno alone.
 *
 * Grants: when the kernel turns a client's system call into a message, each
 * user buffer the call names (read's buf, fstat's statbuf, one per iovec of
 * writev...) becomes a grant, numbered 0, 1, ... in argument order. A server
 * working on that call, or a server it calls in turn while working on it
 * (vfs -> ext2d), reaches the client's buffer only through
 * mk_grant_copy(grant, offset, ...), which the kernel checks against the
 * grant's range and direction: anything else is -EFAULT.
 */
#ifndef BASALT_USER_MK_H
#define BASALT_USER_MK_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>

#define SYS_mk_enter		1003
#define SYS_mk_register		1004
#define SYS_mk_grant_copy	1005
#define SYS_mk_connect		1006

/*
 * The kernel's server registry: slot 0 is pm, 1 vfs (the kernel calls
 * these two); pm puts the others where servers find them with mk_connect:
 * 2 memdev, MK_SLOT_FS and up the file servers it starts (ext2d).
 */
#define MK_PM		0
#define MK_VFS		1
#define MK_MEMDEV	2
#define MK_SLOT_FS	3
#define MK_SLOTS	16

/* mk_grant_copy's @dir */
#define MK_GRANT_READ	0	/* client's buffer -> @buf */
#define MK_GRANT_WRITE	1	/* @buf -> client's buffer */

static inline long mk_raw(long nr, long a, long b, long c, long d, long e)
{
	long r = syscall(nr, a, b, c, d, e);

	return r < 0 ? -errno : r;
}

/*
 * Copy @len bytes between byte @off of grant @grant and @buf, in
 * direction @dir. Returns the bytes copied (@len), -EFAULT when the range
 * is outside the grant or the grant does not allow @dir, -EINVAL when the
 * caller is not working on a call that holds grant @grant.
 */
static inline long mk_grant_copy(int grant, uint64_t off, void *buf, size_t len, int dir)
{
	return mk_raw(SYS_mk_grant_copy, grant, (long)off, (long)buf, (long)len, dir);
}

/*
 * Put the endpoint whose send end is @send_fd in registry slot @slot
 * (root only, and not from inside the personality); @send_fd -1 empties
 * the slot.
 */
static inline long mk_register(int slot, int send_fd)
{
	return mk_raw(SYS_mk_register, slot, send_fd, 0, 0, 0);
}

/* A new send end (close-on-exec fd) for the endpoint in @slot (root only). */
static inline long mk_connect(int slot)
{
	return mk_raw(SYS_mk_connect, slot, 0, 0, 0, 0);
}

/* Put the calling process in the microkernel personality (inherited). */
static inline long mk_enter(void)
{
	return mk_raw(SYS_mk_enter, 0, 0, 0, 0, 0);
}

#endif
