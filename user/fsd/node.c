/*
 * fsd's tree: nodes by inode number, directories as lists of entries with
 * increasing cookies (readdir positions that survive unlinks, as in
 * tmpfs), regular files as arrays of 4 KiB blocks where a missing block
 * reads as zeros, and the link counts that decide when a node is freed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "fsd.h"

static struct fsd_node **nodes;		/* by inode number; [0] unused */
static uint64_t nnodes, next_ino = FSD_ROOT_INO;

uint64_t fsd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct fsd_node *fsd_node(uint64_t ino)
{
	return ino < nnodes ? nodes[ino] : NULL;
}

struct fsd_node *fsd_new_node(uint32_t mode, uint32_t uid, uint32_t gid)
{
	struct fsd_node *n;

	if (next_ino >= nnodes) {
		uint64_t cap = nnodes ? nnodes * 2 : 256;
		struct fsd_node **t = realloc(nodes, cap * sizeof(*t));

		if (!t)
			return NULL;
		memset(t + nnodes, 0, (cap - nnodes) * sizeof(*t));
		nodes = t;
		nnodes = cap;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->a.ino = next_ino++;
	n->a.mode = mode;
	n->a.uid = uid;
	n->a.gid = gid;
	n->a.nlink = S_ISDIR(mode) ? 2 : 1;
	n->a.atime_ns = n->a.mtime_ns = n->a.ctime_ns = fsd_now();
	n->next_cookie = 2;
	nodes[n->a.ino] = n;
	return n;
}

int fsd_init(void)
{
	struct fsd_node *root = fsd_new_node(S_IFDIR | 01777, 0, 0);

	if (!root)
		return -ENOMEM;
	root->parent = root->a.ino;
	return 0;
}

static void free_data(struct fsd_node *n)
{
	for (size_t i = 0; i < n->nblocks; i++)
		free(n->blocks[i]);
	free(n->blocks);
	free(n->target);
}

void fsd_maybe_free(struct fsd_node *n)
{
	if (n->a.nlink || n->lookups || n->a.ino == FSD_ROOT_INO)
		return;
	nodes[n->a.ino] = NULL;
	free_data(n);
	free(n);
}

struct fsd_entry *fsd_find(struct fsd_node *dir, const char *name, size_t len)
{
	for (struct fsd_entry *e = dir->first; e; e = e->next)
		if (e->len == len && !memcmp(e->name, name, len))
			return e;
	return NULL;
}

static void touch(struct fsd_node *n)
{
	n->a.mtime_ns = n->a.ctime_ns = fsd_now();
}

int fsd_add(struct fsd_node *dir, const char *name, size_t len, struct fsd_node *n)
{
	struct fsd_entry *e;

	if (fsd_find(dir, name, len))
		return -EEXIST;
	e = malloc(sizeof(*e) + len + 1);
	if (!e)
		return -ENOMEM;
	memcpy(e->name, name, len);
	e->name[len] = 0;
	e->len = len;
	e->node = n;
	e->next = NULL;
	e->cookie = dir->next_cookie++;
	if (dir->last)
		dir->last->next = e;
	else
		dir->first = e;
	dir->last = e;
	if (S_ISDIR(n->a.mode)) {
		n->parent = dir->a.ino;
		dir->a.nlink++;
	}
	dir->a.size++;
	touch(dir);
	return 0;
}

void fsd_remove(struct fsd_node *dir, struct fsd_entry *e)
{
	struct fsd_entry **pp = &dir->first, *prev = NULL;
	struct fsd_node *n = e->node;

	while (*pp != e) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	*pp = e->next;
	if (dir->last == e)
		dir->last = prev;
	if (S_ISDIR(n->a.mode)) {
		dir->a.nlink--;
		n->a.nlink = 0;
	} else {
		n->a.nlink--;
	}
	dir->a.size--;
	touch(dir);
	n->a.ctime_ns = dir->a.mtime_ns;
	free(e);
}

int fsd_dir_empty(struct fsd_node *dir)
{
	return dir->first == NULL;
}

/*
 * Walk [off, off + len) of @n block by block, handing each piece to @copy
 * (a memcpy for fsd's own long parts, a grant copy for vfs's clients).
 * Reads stop at the end of the file; holes read from a block of zeros.
 */
static const char zero_block[FSD_BLOCK];

ssize_t fsd_read_with(struct fsd_node *n, uint64_t off, size_t len, fsd_copy_fn copy, void *arg)
{
	size_t done = 0;
	long err = 0;

	if (off >= n->a.size)
		return 0;
	if (len > n->a.size - off)
		len = n->a.size - off;
	while (done < len) {
		uint64_t idx = (off + done) / FSD_BLOCK, at = (off + done) % FSD_BLOCK;
		size_t chunk = FSD_BLOCK - at < len - done ? FSD_BLOCK - at : len - done;
		const char *src = idx < n->nblocks && n->blocks[idx] ? n->blocks[idx] + at
								 : zero_block;

		err = copy(arg, done, (char *)src, chunk);
		if (err)
			break;
		done += chunk;
	}
	if (!done && err)
		return err;
	n->a.atime_ns = fsd_now();
	return (ssize_t)done;
}

static long copy_out(void *arg, size_t done, char *block, size_t len)
{
	memcpy((char *)arg + done, block, len);
	return 0;
}

ssize_t fsd_read(struct fsd_node *n, char *buf, size_t len, uint64_t off)
{
	return fsd_read_with(n, off, len, copy_out, buf);
}

/* Make room for block @idx in the block array. */
static int grow(struct fsd_node *n, uint64_t idx)
{
	size_t cap = n->nblocks ? n->nblocks : 8;
	char **t;

	if (idx < n->nblocks)
		return 0;
	while (cap <= idx)
		cap *= 2;
	t = realloc(n->blocks, cap * sizeof(*t));
	if (!t)
		return -ENOMEM;
	memset(t + n->nblocks, 0, (cap - n->nblocks) * sizeof(*t));
	n->blocks = t;
	n->nblocks = cap;
	return 0;
}

/* The mirror of fsd_read_with: @copy fills each piece of the blocks. */
ssize_t fsd_write_with(struct fsd_node *n, uint64_t off, size_t len, fsd_copy_fn copy, void *arg)
{
	size_t done = 0;
	long err = -ENOSPC;

	if (off >= FSD_MAX_FILE)
		return -EFBIG;
	if (len > FSD_MAX_FILE - off)
		len = FSD_MAX_FILE - off;
	while (done < len) {
		uint64_t idx = (off + done) / FSD_BLOCK, at = (off + done) % FSD_BLOCK;
		size_t chunk = FSD_BLOCK - at < len - done ? FSD_BLOCK - at : len - done;

		if (grow(n, idx) || (!n->blocks[idx] && !(n->blocks[idx] = calloc(1, FSD_BLOCK))))
			break;
		err = copy(arg, done, n->blocks[idx] + at, chunk);
		if (err)
			break;
		done += chunk;
		if (off + done > n->a.size)
			n->a.size = off + done;
	}
	if (!done && len)
		return err;
	touch(n);
	return (ssize_t)done;
}

static long copy_in(void *arg, size_t done, char *block, size_t len)
{
	memcpy(block, (const char *)arg + done, len);
	return 0;
}

ssize_t fsd_write(struct fsd_node *n, const char *buf, size_t len, uint64_t off)
{
	return fsd_write_with(n, off, len, copy_in, (void *)buf);
}

/* Free whole blocks past the end and zero the tail of the last one. */
int fsd_truncate(struct fsd_node *n, uint64_t size)
{
	if (size > FSD_MAX_FILE)
		return -EFBIG;
	if (size < n->a.size) {
		uint64_t first = (size + FSD_BLOCK - 1) / FSD_BLOCK;

		for (uint64_t i = first; i < n->nblocks; i++) {
			free(n->blocks[i]);
			n->blocks[i] = NULL;
		}
		if (size % FSD_BLOCK && size / FSD_BLOCK < n->nblocks && n->blocks[size / FSD_BLOCK])
			memset(n->blocks[size / FSD_BLOCK] + size % FSD_BLOCK, 0,
			       FSD_BLOCK - size % FSD_BLOCK);
	}
	n->a.size = size;
	touch(n);
	return 0;
}
