/*
 * The microkernel personality's protocol (docs/microkernel.md): the
 * messages the kernel sends to the servers, pm and vfs, when a process in
 * the personality makes a system call, and their answers. Shared by the
 * kernel (kernel/mk.c) and the servers (user/mk/), so <stdint.h> types
 * only. Carried by Basalt's IPC (docs/ipc.md): a label, five words, a
 * long part; the badge a server receives is the client's process id
 * (tgid), or the kernel's 0 for notifications.
 *
 * A client's system call, forwarded:
 *   label   the Linux x86-64 system call number (< MK_OP_BASE)
 *   w0..w4  the call's arguments 0 to 4, exactly as the client passed
 *           them (a pointer is the client's: a server uses it only to
 *           know which argument it was; the bytes are reached by grants)
 *   long    the call's path arguments, each copied by the kernel and
 *           NUL-terminated, in argument order, then a struct mk_fdmap;
 *           for readv/writev, then each element's length (uint64_t, as
 *           many as w2 says)
 *   grants  one per user buffer the call names, in argument order
 *           (user/mk/mk.h, mk_grant_copy): grant 0 is read's buf,
 *           fstat's statbuf, ...; readv/writev: one per iovec element,
 *           at most MK_IOV_MAX (the kernel shortens the vector)
 *   badge   the client's tgid
 *
 * The answer:
 *   label   the call's result, a value or a negative errno, given back to
 *           the client as rax; unless
 *   w4 == MK_ANSWER_NATIVE: the file lives in the kernel's own name space
 *           (the boot file system, /proc, /dev/tty...): the kernel runs
 *           the call itself, with its path arguments replaced by the
 *           canonical absolute paths in the answer's long part (each
 *           NUL-terminated, in argument order) and its directory-fd
 *           arguments by AT_FDCWD; for a call that makes a file
 *           descriptor (open, openat, creat), w0 is the number vfs chose
 *           for it, which the kernel gives the new file.
 *
 * File descriptors. A client's fd is either vfs's (a file on vfs's tmpfs,
 * an ext2 mount, a pipe, a memdev node) or the kernel's (a file of the
 * kernel's name space, an IPC endpoint, an fd inherited when the process
 * entered the personality): the kernel's are at the same number in the
 * client's kernel fd table, and a call on one of those never reaches vfs.
 * vfs allocates every number, skipping those set in the mk_fdmap that
 * comes with each request.
 */
#ifndef KERNEL_MK_PROTO_H
#define KERNEL_MK_PROTO_H

#include <stdint.h>

#define MK_OP_BASE		0x10000
#define MK_ANSWER_NATIVE	0x6e61746976656b6dULL	/* w4 of a "run it yourself" answer */
#define MK_IOV_MAX		8
#define MK_FDMAP_BITS		1024	/* as many as a kernel fd table holds */

/* Which of the client's fds 0..MK_FDMAP_BITS-1 the kernel backs. */
struct mk_fdmap {
	uint64_t bits[MK_FDMAP_BITS / 64];
};

/* Notifications and requests the kernel makes on its own (badge 0). */
enum mk_op {
	/*
	 * to pm: process @w0 entered the personality; w1 its parent's tgid,
	 * w2 uid | gid << 32, w3 euid | egid << 32, w4 umask. Long part: its
	 * current directory (absolute path). pm tells vfs (MK_ENTER too);
	 * the answer comes once both know.
	 */
	MK_ENTER = MK_OP_BASE,
	/*
	 * to pm: process w1 was forked from w0 (before the child runs);
	 * w2, w3 as MK_ENTER. pm tells vfs, which copies the fd table, the
	 * current directory and the umask. An error answer fails the fork.
	 */
	MK_FORK,
	/* to pm: process w0 exits (its last thread), status w1. pm tells vfs. */
	MK_EXIT,
	/* to pm: process w0 executed a new program. pm tells vfs, which
	 * closes the process's close-on-exec fds. */
	MK_EXEC,
	/* to pm: process w0's credentials changed: w2, w3 as MK_ENTER. */
	MK_CRED,
	/*
	 * to vfs, badge the client: choose w0 (1 or 2) free fd numbers, the
	 * lowest at or above w1, for files the kernel made (pipe2 of a
	 * kernel object, dup of a kernel fd, ipc_create...). Long part: the
	 * mk_fdmap. Answer: label 0, w0 and w1 the numbers; or -EMFILE.
	 */
	MK_ALLOC_FD,
	/* to vfs, badge the client: fd w0 is now the kernel's (dup2 onto
	 * it): close yours, if any. */
	MK_DROP_FD,
};

/*
 * Requests servers make to pm (badge: the server's tgid). The label of
 * the answer is 0, a slot, or a negative errno.
 */
enum mk_pm_op {
	/*
	 * Start a file server on a block device: w0 MK_FS_EXT2; long part
	 * the device path. pm makes its endpoint, starts `ext2d -f FD DEV`,
	 * keeps the receive end (so calls queued while it restarts wait for
	 * the new one), restarts it if it dies, and answers with the
	 * registry slot the server's send end is in (mk_connect).
	 */
	PM_SPAWN_FS = MK_OP_BASE + 0x100,
	/*
	 * Stop the file server in slot w0: pm empties the slot and drops its
	 * ends; the server sees EPIPE once its last client (vfs) has closed
	 * its send end, syncs and exits. The answer comes after it exited.
	 */
	PM_STOP_FS,
};

#define MK_FS_EXT2	1

#endif
