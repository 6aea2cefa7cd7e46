/*
 * What ops.c and io.c, the kernel half's request handlers, share: the
 * inodes the client holds, named by ipcfs numbers, and the answer helpers.
 */
#ifndef BASALT_EXT2D_INT_H
#define BASALT_EXT2D_INT_H

#include "shim.h"

/* Linux's value, for a number the client holds no more; kernel/errno.h lacks it. */
#ifndef ESTALE
#define ESTALE		116
#endif

/* The attributes an answer about a file's data reports as changed. */
#define DATA_CH		(FSD_CH_SIZE | FSD_CH_MTIME | FSD_CH_CTIME)

/* The inode the client calls @ino (FSD_ROOT_INO is ext2's root), or NULL. */
struct inode *ext2d_inode(uint64_t ino);
/* Append @ino's attributes to the answer, @changed marked. */
void ext2d_put_attr(struct ext2d_req *r, struct inode *ino, uint32_t changed);
/* Something changed in memory that a sync must write. */
void ext2d_note_change(void);

/* io.c: READ and WRITE, by the long part or by a grant. */
long ext2d_read(struct ext2d_req *r, struct inode *ino);
long ext2d_write(struct ext2d_req *r, struct inode *ino);

#endif
