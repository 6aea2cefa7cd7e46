/*
 * fsd, Basalt's user-space file server: an in-memory file system with
 * tmpfs's semantics, reached by the kernel's ipcfs through IPC. node.c
 * keeps the tree (inodes, directories, file data); fsd.c decodes requests
 * (fs/ipcfs_proto.h), answers them and runs the server loop.
 */
#ifndef BASALT_FSD_H
#define BASALT_FSD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "../../fs/ipcfs_proto.h"

#define FSD_MAX_FILE	(1ULL << 30)	/* bytes per file, as tmpfs */
#define FSD_BLOCK	4096

struct fsd_entry {
	struct fsd_entry *next;
	struct fsd_node *node;
	uint64_t cookie;	/* readdir position, increasing along the list */
	size_t len;
	char name[];
};

struct fsd_node {
	struct fsd_attr a;	/* a.changed unused here */
	uint64_t lookups;	/* answers naming it that the kernel still holds */
	uint64_t parent;	/* directories: the parent's inode number */
	struct fsd_entry *first, *last;	/* directories */
	uint64_t next_cookie;
	char **blocks;		/* regular files: FSD_BLOCK-byte blocks, NULL = zeros */
	size_t nblocks;
	char *target;		/* symlinks */
};

uint64_t fsd_now(void);
int fsd_init(void);
struct fsd_node *fsd_node(uint64_t ino);
struct fsd_node *fsd_new_node(uint32_t mode, uint32_t uid, uint32_t gid);
/* Free @n once nothing names it and the kernel holds no lookup of it. */
void fsd_maybe_free(struct fsd_node *n);
struct fsd_entry *fsd_find(struct fsd_node *dir, const char *name, size_t len);
int fsd_add(struct fsd_node *dir, const char *name, size_t len, struct fsd_node *n);
/* Take @e out of @dir; the node loses a link (a directory all of them). */
void fsd_remove(struct fsd_node *dir, struct fsd_entry *e);
int fsd_dir_empty(struct fsd_node *dir);
ssize_t fsd_read(struct fsd_node *n, char *buf, size_t len, uint64_t off);
ssize_t fsd_write(struct fsd_node *n, const char *buf, size_t len, uint64_t off);
int fsd_truncate(struct fsd_node *n, uint64_t size);

#endif
