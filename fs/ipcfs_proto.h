/*
 * The ipcfs protocol: the messages the kernel (fs/ipcfs.c, the client)
 * sends to a user-space file server (user/fsd) over an IPC endpoint, one
 * per VFS operation. Shared by both sides, so it uses <stdint.h> types
 * only. Files are named by the server's inode numbers; the root is
 * FSD_ROOT_INO. The label of a request is the operation; the label of an
 * answer is 0 or a negative errno (READ, WRITE, READDIR, READLINK: a
 * count). docs/ipc.md has the table of words and long parts.
 */
#ifndef FS_IPCFS_PROTO_H
#define FS_IPCFS_PROTO_H

#include <stdint.h>

#define FSD_ROOT_INO	1
#define FSD_IO_MAX	4096		/* data bytes in one READ or WRITE */
#define FSD_DIR_MAX	4096		/* bytes of records in one READDIR answer */

enum fsd_op {
	FSD_GETATTR = 1,	/* w0 ino -> attr */
	FSD_LOOKUP,		/* w0 dir; long: name -> attr */
	FSD_CREATE,		/* w0 dir, w1 mode (with type), w2 uid, w3 gid, w4 name length;
				 * long: name, then a symlink's target -> attr, dir attr */
	FSD_LINK,		/* w0 dir, w1 target ino; long: name -> target attr, dir attr */
	FSD_UNLINK,		/* w0 dir, w1 1 for rmdir; long: name -> victim attr, dir attr */
	FSD_RENAME,		/* w0 old dir, w1 new dir, w2 old name length;
				 * long: old name, new name -> moved, old dir, new dir[, replaced] */
	FSD_READ,		/* w0 ino, w1 offset, w2 count -> count; long: data
				 * (grant mode: see FSD_GRANTED) */
	FSD_WRITE,		/* w0 ino, w1 offset; long: data -> count; attr
				 * (grant mode: w2 count, see FSD_GRANTED) */
	FSD_TRUNCATE,		/* w0 ino, w1 size -> attr */
	FSD_READDIR,		/* w0 dir, w1 position -> bytes; long: struct fsd_dirent... */
	FSD_READLINK,		/* w0 ino -> length; long: target */
	FSD_FORGET,		/* w0 ino, w1 lookups the kernel drops -> nothing */
	FSD_SETATTR,		/* w0 ino, w1 FSD_SET_*, w2 mode, w3 uid | gid << 32;
				 * long: atime_ns, mtime_ns (uint64_t) -> attr. Sent by
				 * vfs only; a server may answer -ENOSYS */
};

/* What an FSD_SETATTR changes. */
#define FSD_SET_MODE	0x1
#define FSD_SET_UID	0x2
#define FSD_SET_GID	0x4
#define FSD_SET_ATIME	0x8
#define FSD_SET_MTIME	0x10

/*
 * Grant mode (user/mk/mk.h): a READ or WRITE whose w3 is not 0 moves its
 * data straight between the server and a microkernel client's buffer,
 * grant w3 - 1 from byte w4 of it, with mk_grant_copy(), instead of in the
 * long part; the count (w2) may then be up to FSD_GRANT_IO_MAX. vfs sends
 * these, so a client's 4 KiB pwrite is copied once on its way to ext2d.
 * The kernel's ipcfs never does.
 */
#define FSD_GRANTED(grant)	((uint64_t)(grant) + 1)
#define FSD_GRANT_IO_MAX	(64 * 1024)

/* Which attributes an answer reports as changed (the rest: unchanged). */
#define FSD_CH_SIZE	0x1
#define FSD_CH_NLINK	0x2
#define FSD_CH_MTIME	0x4
#define FSD_CH_CTIME	0x8
#define FSD_CH_ATIME	0x10
#define FSD_CH_ALL	0x1f

/*
 * An inode's attributes as the server keeps them. Answers that name an
 * inode carry one per inode touched, in the long part; each answer that
 * makes the kernel hold an inode (GETATTR, LOOKUP, CREATE, LINK) counts one
 * lookup, which FORGET gives back.
 */
struct fsd_attr {
	uint64_t ino;
	uint32_t mode, nlink, uid, gid;
	uint64_t size;
	uint64_t atime_ns, mtime_ns, ctime_ns;	/* since the epoch */
	uint32_t changed;			/* FSD_CH_* */
	uint32_t pad;
};

/* One directory entry in a READDIR answer, padded to 8 bytes. */
struct fsd_dirent {
	uint64_t ino;
	uint64_t next;		/* position after this entry */
	uint16_t namelen;
	uint8_t type;		/* DT_* (mode >> 12) */
	uint8_t pad[5];
	char name[];
};

#define FSD_DIRENT_SIZE(len)	((sizeof(struct fsd_dirent) + (len) + 7) & ~7UL)

#endif
