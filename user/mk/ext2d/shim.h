/*
 * The shim: the part of the kernel that fs/ext2 calls, rebuilt for a user
 * process so that the files of fs/ext2 compile and run unchanged. kernel.c has
 * memory, printk, the one task and its credentials, time and the initcall
 * that registers ext2; vfs.c the inodes, super blocks and file system
 * types of fs/inode.c and fs/super.c; buffer.c the block device and the
 * buffer cache of drivers/block. Each keeps the kernel's contract (the
 * comments in fs/vfs.h and drivers/block/blkdev.h), not its code.
 *
 * Only the kernel half of ext2d (ext2d.h) includes this: it is compiled
 * with the kernel's headers and BASALT_HOST_TEST, their switch for code
 * that runs outside the kernel (current is then a plain variable).
 */
#ifndef BASALT_EXT2D_SHIM_H
#define BASALT_EXT2D_SHIM_H

#include "fs/ext2/ext2.h"
#include "ext2d.h"

/* kernel.c: the credentials new inodes take (CREATE's uid and gid). */
void shim_set_cred(uint32_t uid, uint32_t gid);
/* Run every initcall the program links (ext2's register_filesystem). */
void do_initcalls(void);

/* vfs.c */
const struct fs_type *find_filesystem(const char *name);
/* Free a super block the way the VFS does at unmount (after its root went). */
void shim_sb_free(struct super_block *sb);

/* buffer.c: the one disk, opened at @path; blkdev_lookup_path() then finds it. */
int shim_bdev_open(const char *path);
struct block_device *shim_bdev(void);
/* Run the sync hooks (ext2_sync_fs: inodes and superblock into buffers). */
void shim_sync_hooks(void);
bool shim_bdev_dirty(void);

#endif
