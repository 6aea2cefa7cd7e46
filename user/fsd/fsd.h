/*
 * fsd, Basalt's user-space file server: an in-memory file system with
 * tmpfs's semantics, reached by the kernel's ipcfs through IPC. node.c
 * keeps the tree (inodes, directories, file data); handle.c answers one
 * request of fs/ipcfs_proto.h (fsd_handle, also linked into the
 * microkernel personality's vfs, whose /tmp is this tree); fsd.c runs the
 * server loop.
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

/*
 * One request and its answer, in place: @label and @w are the message
 * (the label becomes the result), @in the request's long part, @out room
 * for the answer's (IPC_LONG_MAX bytes), @out_len what was put there.
 */
struct fsd_req {
	uint64_t label;
	uint64_t w[5];
	const char *in;
	size_t in_len;
	char *out;
	size_t out_len;
};

/* Answer @r from the tree: r->label becomes the result, r->out the data. */
void fsd_handle(struct fsd_req *r);

/* Copies @len bytes between @block and the caller's data, @done bytes in. */
typedef long (*fsd_copy_fn)(void *arg, size_t done, char *block, size_t len);

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
ssize_t fsd_read_with(struct fsd_node *n, uint64_t off, size_t len, fsd_copy_fn copy, void *arg);
ssize_t fsd_write_with(struct fsd_node *n, uint64_t off, size_t len, fsd_copy_fn copy, void *arg);
ssize_t fsd_write(struct fsd_node *n, const char *buf, size_t len, uint64_t off);
int fsd_truncate(struct fsd_node *n, uint64_t size);

#endif
