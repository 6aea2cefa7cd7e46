/*
 * What the VFS glue of the 9p file system shares between its files
 * (vfs_super.c, vfs_inode.c, vfs_file.c) and nothing else: the session a
 * mount holds and the per-inode state. Every inode owns one fid walked to
 * its file and never opened, used for walks, attributes and name
 * operations; each open file clones it and opens the clone, so the open
 * fid lives in file->priv. Inodes are cached by qid path while something
 * holds them, so hard links and repeated lookups share one inode.
 */
#ifndef FS_9P_V9FS_H
#define FS_9P_V9FS_H

#include "fs/9p/9p.h"
#include "fs/internal.h"
#include "lib/list.h"

#define V9FS_MAGIC	0x01021997
#define V9FS_HASH	64

struct v9fs_session {
	struct p9_client *clnt;
	struct list_head hash[V9FS_HASH];	/* struct v9fs_node, by qid path */
	int refs;				/* inodes alive; the last ends it */
};

struct v9fs_node {
	struct inode *inode;
	struct v9fs_session *s;
	uint32_t fid;		/* walked here, never opened */
	uint32_t create_fid;	/* opened by Tlcreate for the open that follows, or NOFID */
	bool hashed;
	struct list_head hnode;
};

static inline struct v9fs_node *v9fs_node(struct inode *ino)
{
	return ino->priv;
}

static inline struct p9_client *v9fs_client(struct inode *ino)
{
	return v9fs_node(ino)->s->clnt;
}

/* vfs_super.c: the inode for @fid (which the inode takes over) and its attributes. */
struct inode *v9fs_iget(struct super_block *sb, uint32_t fid, const struct p9_attr *a);
void v9fs_apply_attr(struct inode *ino, const struct p9_attr *a);
void v9fs_evict(struct inode *ino);

/* vfs_inode.c */
void v9fs_set_ops(struct inode *ino);

/* vfs_file.c */
extern const struct file_ops v9fs_file_fops;
extern const struct file_ops v9fs_dir_fops;

#endif
