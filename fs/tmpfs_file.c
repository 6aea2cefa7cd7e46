/*
 * tmpfs regular files: data kept in whole pages, found through a page
 * array that grows as the file is written. Pages never written (holes
 * left by truncate or a seek past the end) read as zeros and cost nothing.
 */
#include "fs/internal.h"
#include "lib/string.h"
#include "mm/mm.h"

#define TMPFS_MAX_FILE	(1ULL << 30)	/* 1 GiB per file */

struct tmpfs_file {
	void **pages;
	size_t cap;		/* entries in pages[] */
};

static void *page_new(void)
{
	phys_addr_t pa = pmm_alloc_page();
	void *p;

	if (!pa)
		return NULL;
	p = phys_to_virt(pa);
	memset(p, 0, PAGE_SIZE);
	return p;
}

static void page_free(void *p)
{
	pmm_free_page(virt_to_phys(p));
}

static struct tmpfs_file *file_data(struct inode *ino)
{
	if (!ino->priv)
		ino->priv = kzalloc(sizeof(struct tmpfs_file));
	return ino->priv;
}

/* Make room for page index @idx in the page array. */
static int grow_array(struct tmpfs_file *tf, size_t idx)
{
	size_t cap = tf->cap ? tf->cap : 8;
	void **pages;

	if (idx < tf->cap)
		return 0;
	while (cap <= idx)
		cap *= 2;
	pages = kzalloc(cap * sizeof(void *));
	if (!pages)
		return -ENOMEM;
	if (tf->pages)
		memcpy(pages, tf->pages, tf->cap * sizeof(void *));
	kfree(tf->pages);
	tf->pages = pages;
	tf->cap = cap;
	return 0;
}

static long tmpfs_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct tmpfs_file *tf = ino->priv;
	size_t done = 0;

	if (*pos >= ino->size)
		return 0;
	n = MIN(n, (size_t)(ino->size - *pos));
	while (done < n) {
		uint64_t idx = *pos / PAGE_SIZE, off = *pos % PAGE_SIZE;
		size_t chunk = MIN(n - done, (size_t)(PAGE_SIZE - off));

		if (tf && idx < tf->cap && tf->pages[idx])
			memcpy(buf + done, (char *)tf->pages[idx] + off, chunk);
		else
			memset(buf + done, 0, chunk);
		done += chunk;
		*pos += chunk;
	}
	vfs_timestamp(&ino->atime);
	return (long)done;
}

static long tmpfs_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct tmpfs_file *tf = file_data(ino);
	size_t done = 0;

	if (!tf)
		return -ENOMEM;
	if (*pos >= TMPFS_MAX_FILE)
		return -EFBIG;
	n = MIN(n, (size_t)(TMPFS_MAX_FILE - *pos));
	while (done < n) {
		uint64_t idx = *pos / PAGE_SIZE, off = *pos % PAGE_SIZE;
		size_t chunk = MIN(n - done, (size_t)(PAGE_SIZE - off));

		if (grow_array(tf, idx) || (!tf->pages[idx] && !(tf->pages[idx] = page_new())))
			break;
		memcpy((char *)tf->pages[idx] + off, buf + done, chunk);
		done += chunk;
		*pos += chunk;
		if (*pos > ino->size)
			ino->size = *pos;
	}
	if (!done && n)
		return -ENOSPC;
	vfs_timestamp(&ino->mtime);
	ino->ctime = ino->mtime;
	return (long)done;
}

/* Set the size: free whole pages past the end and zero the tail of the last. */
static int tmpfs_truncate(struct inode *ino, uint64_t size)
{
	struct tmpfs_file *tf = ino->priv;

	if (size > TMPFS_MAX_FILE)
		return -EFBIG;
	if (tf && size < ino->size) {
		size_t first = (size_t)(ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE);

		for (size_t i = first; i < tf->cap; i++) {
			if (tf->pages[i]) {
				page_free(tf->pages[i]);
				tf->pages[i] = NULL;
			}
		}
		if (size % PAGE_SIZE && size / PAGE_SIZE < tf->cap && tf->pages[size / PAGE_SIZE])
			memset((char *)tf->pages[size / PAGE_SIZE] + size % PAGE_SIZE, 0,
			       PAGE_SIZE - size % PAGE_SIZE);
	}
	ino->size = size;
	vfs_timestamp(&ino->mtime);
	ino->ctime = ino->mtime;
	return 0;
}

static void tmpfs_file_evict(struct inode *ino)
{
	struct tmpfs_file *tf = ino->priv;

	if (!tf)
		return;
	for (size_t i = 0; i < tf->cap; i++)
		if (tf->pages[i])
			page_free(tf->pages[i]);
	kfree(tf->pages);
	kfree(tf);
}

/* Seek within a file or directory; SEEK_END is relative to the size. */
long generic_llseek(struct file *f, int64_t off, int whence)
{
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)f->inode->size;
		break;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (long)f->pos;
}

const struct file_ops tmpfs_file_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.llseek = generic_llseek,
};

const struct inode_ops tmpfs_file_iops = {
	.truncate = tmpfs_truncate,
	.evict = tmpfs_file_evict,
};
