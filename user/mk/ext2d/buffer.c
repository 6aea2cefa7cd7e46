/*
 * The block device and the buffer cache of drivers/block, for one disk
 * reached through its device node (blkio.c). Buffers are found by block
 * in a hash table; one nobody holds sits on an LRU list, oldest first.
 * Writes are write-back, as in the kernel: a dirty buffer reaches the
 * disk at bdev_sync() (ext2d syncs when idle and before it exits), or
 * when the cache is full of dirty buffers. Dirty buffers are written
 * sorted by block, runs of neighbours in one pwritev() straight from the
 * buffers, so a block's bytes are copied once in ext2d: into its buffer.
 */
#include <stdlib.h>
#include "shim.h"
#include "lib/string.h"
#include "mm/mm.h"

#define HASH_SIZE	1024
#define CACHE_MAX	4096		/* buffers: 16 MiB of 4 KiB blocks */
#define RUN_MAX		64		/* blocks in one readv or writev */

static struct block_device disk;
static int disk_fd = -1;
static const char *disk_path;
static struct list_head hash[HASH_SIZE];
static LIST_HEAD(lru);
static LIST_HEAD(sync_hooks);
static unsigned int nbuf, ndirty;

int shim_bdev_open(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	uint64_t bytes;
	bool ro;
	int fd = blkio_open(path, &ro, &bytes);

	if (fd < 0)
		return fd;
	for (int i = 0; i < HASH_SIZE; i++)
		list_init(&hash[i]);
	strlcpy(disk.name, base, sizeof(disk.name));
	disk.nr_sectors = bytes / SECTOR_SIZE;
	disk.read_only = ro;
	disk.disk = &disk;
	disk_fd = fd;
	disk_path = path;
	return 0;
}

struct block_device *shim_bdev(void)
{
	return &disk;
}

/* Only the disk ext2d opened: by the path it was given or by its name. */
int blkdev_lookup_path(const char *path, struct block_device **out)
{
	if (disk_fd < 0 || !path || (strcmp(path, disk_path) && strcmp(path, disk.name)))
		return -ENXIO;
	*out = &disk;
	return 0;
}

/* Is block @block of @size bytes on the device? Else the kernel's message and -EIO. */
static int in_range(struct block_device *bdev, uint64_t block, uint32_t size, uint32_t n)
{
	uint64_t sectors = size / SECTOR_SIZE;

	if (size < SECTOR_SIZE || block > bdev->nr_sectors / sectors ||
	    (block + n) * sectors > bdev->nr_sectors) {
		printk(KERN_ERR "ext2d: %s: blocks %lu..+%u of %u bytes are past the end\n",
		       bdev->name, (unsigned long)block, n, size);
		return -EIO;
	}
	return 0;
}

int blk_rw(struct block_device *bdev, int op, uint64_t sector, void *buf, size_t count)
{
	long n;

	if (op == BLK_FLUSH)
		return blk_flush(bdev);
	if (in_range(bdev, sector, SECTOR_SIZE, (uint32_t)count))
		return -EIO;
	n = op == BLK_READ ?
		blkio_read(disk_fd, buf, count * SECTOR_SIZE, sector * SECTOR_SIZE) :
		blkio_write(disk_fd, buf, count * SECTOR_SIZE, sector * SECTOR_SIZE);
	return n < 0 ? -EIO : 0;
}

int blk_flush(struct block_device *bdev)
{
	return blkio_flush(disk_fd) ? -EIO : 0;
}

static struct list_head *bucket(uint64_t block)
{
	return &hash[(block ^ (block >> 10)) % HASH_SIZE];
}

static struct buffer_head *lookup(uint64_t block, uint32_t size)
{
	struct buffer_head *bh;

	list_for_each_entry(bh, bucket(block), hash_node) {
		if (bh->block == block && bh->size == size)
			return bh;
	}
	return NULL;
}

static void set_clean(struct buffer_head *bh)
{
	if (bh->flags & BH_DIRTY)
		ndirty--;
	bh->flags &= ~BH_DIRTY;
}

static void free_buffer(struct buffer_head *bh)
{
	list_del(&bh->hash_node);
	list_del(&bh->lru_node);
	set_clean(bh);
	nbuf--;
	kfree(bh);
}

static int cmp_block(const void *a, const void *b)
{
	const struct buffer_head *x = *(struct buffer_head *const *)a;
	const struct buffer_head *y = *(struct buffer_head *const *)b;

	return x->block < y->block ? -1 : x->block > y->block;
}

/* Write @v[0..n) (sorted): each run of neighbouring blocks in one pwritev. */
static int write_sorted(struct buffer_head **v, unsigned int n)
{
	int err = 0;

	for (unsigned int i = 0, run; i < n; i += run) {
		void *bufs[RUN_MAX];

		for (run = 0; i + run < n && run < RUN_MAX; run++) {
			if (run && (v[i + run]->block != v[i]->block + run ||
				    v[i + run]->size != v[i]->size))
				break;
			bufs[run] = v[i + run]->data;
		}
		if (blkio_writev(disk_fd, bufs, v[i]->size, run, v[i]->block * v[i]->size) < 0) {
			printk(KERN_ERR "ext2d: %s: write error at block %lu (+%u)\n", disk.name,
			       (unsigned long)v[i]->block, run);
			err = -EIO;
			continue;	/* they stay dirty */
		}
		for (unsigned int k = 0; k < run; k++)
			set_clean(v[i + k]);
	}
	return err;
}

/* Write every dirty buffer, without the cache flush. */
static int write_dirty(void)
{
	struct buffer_head **v, *bh;
	unsigned int n = 0;
	int err;

	if (!ndirty)
		return 0;
	v = kmalloc(ndirty * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (int i = 0; i < HASH_SIZE; i++)
		list_for_each_entry(bh, &hash[i], hash_node)
			if ((bh->flags & BH_DIRTY) && n < ndirty)
				v[n++] = bh;
	qsort(v, n, sizeof(*v), cmp_block);
	err = write_sorted(v, n);
	kfree(v);
	return err;
}

/* Make room for one more buffer: drop the oldest clean one nobody holds. */
static void shrink(void)
{
	struct buffer_head *bh, *tmp;

	if (nbuf < CACHE_MAX)
		return;
	for (int pass = 0; pass < 2; pass++) {
		list_for_each_entry_safe(bh, tmp, &lru, lru_node) {
			if (!(bh->flags & BH_DIRTY)) {
				free_buffer(bh);
				return;
			}
		}
		write_dirty();	/* all dirty: write them, then drop one */
	}
	/* every buffer is held or cannot be written: grow past the limit */
}

static struct buffer_head *new_buffer(struct block_device *bdev, uint64_t block, uint32_t size)
{
	struct buffer_head *bh;

	shrink();
	bh = kzalloc(sizeof(*bh) + size);
	if (!bh)
		return NULL;
	bh->bdev = bdev;
	bh->block = block;
	bh->size = size;
	bh->data = (uint8_t *)(bh + 1);
	list_init(&bh->lru_node);
	list_add(&bh->hash_node, bucket(block));
	nbuf++;
	return bh;
}

/* The buffer for @block with a reference: cached, or new and not read. */
static int getblk(struct block_device *bdev, uint64_t block, uint32_t size,
		  struct buffer_head **out)
{
	struct buffer_head *bh;

	if (in_range(bdev, block, size, 1))
		return -EIO;
	bh = lookup(block, size);
	if (!bh && !(bh = new_buffer(bdev, block, size)))
		return -ENOMEM;
	if (!bh->refcount++)
		list_del_init(&bh->lru_node);
	*out = bh;
	return 0;
}

int bget(struct block_device *bdev, uint64_t block, uint32_t size, struct buffer_head **out)
{
	int err = getblk(bdev, block, size, out);

	if (!err)
		(*out)->flags = ((*out)->flags & BH_DIRTY) | BH_UPTODATE;
	return err;
}

int bread(struct block_device *bdev, uint64_t block, uint32_t size, struct buffer_head **out)
{
	struct buffer_head *bh;
	int err = getblk(bdev, block, size, &bh);

	if (err)
		return err;
	if (!(bh->flags & BH_UPTODATE)) {
		if (blkio_read(disk_fd, bh->data, size, block * size) < 0) {
			printk(KERN_ERR "ext2d: %s: read error at block %lu\n", bdev->name,
			       (unsigned long)block);
			bh->flags |= BH_ERROR;
			brelse(bh);
			return -EIO;
		}
		bh->flags = BH_UPTODATE;
	}
	*out = bh;
	return 0;
}

/* Read the uncached blocks of @block..+@count, each run in one preadv; no errors reported. */
void breadahead(struct block_device *bdev, uint64_t block, uint32_t size, unsigned int count)
{
	struct buffer_head *v[RUN_MAX];
	void *bufs[RUN_MAX];
	uint64_t end = block + count;
	unsigned int n = 0;

	if (in_range(bdev, block, size, count))
		return;
	while (block < end && lookup(block, size))
		block++;		/* the reader has these already */
	while (n < RUN_MAX && block + n < end && nbuf < CACHE_MAX && !lookup(block + n, size)) {
		if (!(v[n] = new_buffer(bdev, block + n, size)))
			break;
		bufs[n] = v[n]->data;
		n++;
	}
	if (!n)
		return;
	if (blkio_readv(disk_fd, bufs, size, n, block * size) < 0) {
		for (unsigned int i = 0; i < n; i++)
			free_buffer(v[i]);
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		v[i]->flags = BH_UPTODATE;
		list_add_tail(&v[i]->lru_node, &lru);
	}
}

void brelse(struct buffer_head *bh)
{
	if (!bh)
		return;
	if (WARN_ON(bh->refcount <= 0))
		return;
	if (--bh->refcount)
		return;
	if (bh->flags & BH_ERROR)
		free_buffer(bh);	/* read again next time */
	else
		list_add_tail(&bh->lru_node, &lru);
}

void mark_buffer_dirty(struct buffer_head *bh)
{
	if (!(bh->flags & BH_DIRTY))
		ndirty++;
	bh->flags |= BH_DIRTY | BH_UPTODATE;
}

bool shim_bdev_dirty(void)
{
	return ndirty > 0;
}

int bdev_sync(struct block_device *bdev)
{
	int err = write_dirty();
	int ferr = blk_flush(&disk);

	return err ? err : ferr;
}

void bdev_invalidate(struct block_device *bdev)
{
	struct buffer_head *bh, *tmp;

	list_for_each_entry_safe(bh, tmp, &lru, lru_node)
		if (!(bh->flags & BH_DIRTY))
			free_buffer(bh);
}

void block_sync_all(void)
{
	shim_sync_hooks();
	bdev_sync(&disk);
}

void sync_hook_add(struct sync_hook *h)
{
	list_add_tail(&h->node, &sync_hooks);
}

void sync_hook_del(struct sync_hook *h)
{
	list_del(&h->node);
}

void shim_sync_hooks(void)
{
	struct sync_hook *h;

	list_for_each_entry(h, &sync_hooks, node)
		h->fn(h->arg);
}
