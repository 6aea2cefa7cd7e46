/*
 * Shared by fs/ipcfs.c (mounts, the connection to the server, the inode
 * cache) and fs/ipcfs_ops.c (the inode and file operations, each one an
 * IPC message to the server) only.
 */
#ifndef FS_IPCFS_H
#define FS_IPCFS_H

#include "fs/internal.h"
#include "fs/ipcfs_proto.h"
#include "kernel/ipc.h"

#define IPCFS_MAGIC	0x69706366	/* "ipcf" */
#define IPCFS_HASH	256

/* One mount's link to its server (sb->priv). */
struct ipcfs_conn {
	struct ipc_endpoint *ep;	/* a kernel client reference */
	int refs;			/* live inodes */
	bool unmounting;		/* the root went: no more FORGETs */
	struct list_head hash[IPCFS_HASH];
};

/* The kernel's side of a server inode (inode->priv). */
struct ipcfs_node {
	struct list_head hnode;
	struct inode *inode;
	uint64_t lookups;		/* answers naming it, for FORGET */
	bool pinned;			/* the cache holds a reference (it has links) */
	bool root;
	struct ipcfs_conn *conn;	/* not ino->sb: the root outlives its sb */
};

/* Send one request; the answer's long length or -errno (server or IPC). */
long ipcfs_call(struct super_block *sb, struct ipc_msg *m, const void *sbuf, size_t slen,
		void *rbuf, size_t rcap);
/* The inode for @a, made or found in the cache (a new reference). */
struct inode *ipcfs_iget(struct super_block *sb, const struct fsd_attr *a);
/* Apply the changes reported in @n bytes of attribute records. */
void ipcfs_apply(struct super_block *sb, const void *attrs, long n);
/* iops->evict of every ipcfs inode (fs/ipcfs.c). */
void ipcfs_evict(struct inode *ino);
/* Set the inode's operations for its type (fs/ipcfs_ops.c). */
void ipcfs_set_ops(struct inode *ino);

#endif
