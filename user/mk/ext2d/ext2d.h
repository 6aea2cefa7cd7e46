/*
 * ext2d, the ext2 file server: the kernel's own fs/ext2 sources, compiled
 * unchanged for user space over a thin shim (shim.h), answering ipcfs
 * requests (fs/ipcfs_proto.h) for a disk it reads and writes through the
 * raw block device node. docs/ext2d.md has the whole picture.
 *
 * The program is built in two halves that cannot share headers: the
 * kernel's headers (fs/vfs.h, kernel/errno.h...) define the same macros
 * as the C library's, with other spellings. The kernel half (ops.c,
 * io.c and the shim: kernel.c, vfs.c, buffer.c) sees only kernel headers;
 * the C-library half (main.c, blkio.c) sees only libc. This header is the
 * one both include: plain <stdint.h> types and the wire protocol.
 */
#ifndef BASALT_EXT2D_H
#define BASALT_EXT2D_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../../../fs/ipcfs_proto.h"

#define EXT2D_LONG_MAX	(64 * 1024)	/* IPC_LONG_MAX: one long part */

/* One request, answered in place: label becomes the result. */
struct ext2d_req {
	uint64_t label;
	uint64_t w[5];
	const char *in;		/* the request's long part */
	size_t in_len;
	char *out;		/* room for the answer's long part (EXT2D_LONG_MAX) */
	size_t out_len;
};

/* --- the kernel half -------------------------------------------------------- */
/*
 * Open @path and mount the ext2 file system on it with the kernel's
 * ext2_mount(); 0, or -errno after ext2's own message on stderr.
 */
int ext2d_mount(const char *path);
/* Answer @r (ops.c); r->label becomes 0, a count or a negative errno. */
void ext2d_handle(struct ext2d_req *r);
/* Does the buffer cache hold data the disk has not seen yet? */
bool ext2d_dirty(void);
/* Write inodes, the superblock and every dirty buffer, then flush the disk. */
int ext2d_sync(void);
/*
 * The clients are gone: drop every inode, which unmounts ext2 as the VFS
 * does when it drops the root (write back, mark clean). 0 or -EIO.
 */
int ext2d_unmount(void);

/* --- the C-library half ----------------------------------------------------- */
/* blkio.c: the device node, with pread/pwrite (docs/storage.md: raw access). */
int blkio_open(const char *path, bool *read_only, uint64_t *bytes);
long blkio_read(int fd, void *buf, size_t len, uint64_t off);
long blkio_write(int fd, const void *buf, size_t len, uint64_t off);
/* One system call for many buffers of consecutive bytes (a run of blocks). */
long blkio_readv(int fd, void *const *bufs, size_t each, unsigned int n, uint64_t off);
long blkio_writev(int fd, void *const *bufs, size_t each, unsigned int n, uint64_t off);
int blkio_flush(int fd);
/*
 * Grant mode (user/mk/mk.h): copy @len bytes between byte @off of grant
 * @grant of the client being served and @buf; @to_client says which way.
 * Returns @len or -errno.
 */
long ext2d_grant_copy(uint64_t grant, uint64_t off, void *buf, size_t len, bool to_client);
/* Where messages go (stderr); the kernel half's printk ends here. */
void ext2d_log(const char *line);

#endif
