/*
 * The buffer cache: blocks of block devices in memory, found by (device,
 * block) in a hash table. A buffer nobody holds sits on an LRU list;
 * when the cache is full the oldest clean ones are dropped, and if every
 * unused buffer is dirty a batch of them is written first. Dirty buffers
 * are otherwise written only by bdev_sync() (sync, fsync, unmount,
 * reboot), sorted by block and merged into multi-segment requests, and
 * followed by a cache flush, so what sync returned from is on the disk.
 * Reads of a file system's sequential blocks are started ahead of time
 * (breadahead) and complete in the background.
 */
#define pr_fmt(fmt) "bcache: " fmt

#include "drivers/block/blkdev.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/mm.h"

#define HASH_BITS	10
#define IO_POOL		32		/* requests in flight from the cache */
#define SHRINK_BATCH	64
#define MIN_BUFFERS	256

/* One request of the cache and the buffers it covers. */
struct bh_io {
	struct blk_request rq;
	struct buffer_head *bh[BLK_MAX_SEGS];
	unsigned int n;
	volatile bool busy;
};

static struct list_head hash_table[1 << HASH_BITS];
static LIST_HEAD(lru);
static LIST_HEAD(sync_hooks);
static unsigned long nr_buffers, max_buffers;
static struct bh_io io_pool[IO_POOL];
static volatile unsigned long write_errors;

static struct list_head *hash_head(struct block_device *bdev, uint64_t block)
{
	uint64_t h = ((uintptr_t)bdev >> 4) * 31 + block;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ULL;
	if (!hash_table[0].next)
		for (unsigned int i = 0; i < ARRAY_SIZE(hash_table); i++)
			list_init(&hash_table[i]);
	return &hash_table[h >> (64 - HASH_BITS)];
}

static struct buffer_head *lookup(struct block_device *bdev, uint64_t block)
{
	struct list_head *head = hash_head(bdev, block);
	struct buffer_head *bh;

	list_for_each_entry(bh, head, hash_node) {
		if (bh->bdev == bdev && bh->block == block)
			return bh;
	}
	return NULL;
}

static void free_buffer(struct buffer_head *bh)
{
	list_del(&bh->hash_node);
	list_del(&bh->lru_node);
	pmm_free_page(virt_to_phys(bh->data));
	kfree(bh);
	nr_buffers--;
}

/* Completion, with interrupts off: only flags and the pool slot change. */
static void bh_end_io(struct blk_request *rq)
{
	struct bh_io *io = rq->priv;

	for (unsigned int i = 0; i < io->n; i++) {
		struct buffer_head *bh = io->bh[i];
		unsigned int old = __atomic_load_n(&bh->flags, __ATOMIC_RELAXED), f;

		/* atomic: mark_buffer_dirty may run on another CPU meanwhile */
		do {
			f = old & ~BH_LOCKED;
			if (rq->op == BLK_READ)
				f = rq->error ? (f | BH_ERROR) & ~BH_UPTODATE
					      : (f | BH_UPTODATE) & ~BH_ERROR;
			else if (rq->error)
				f |= BH_DIRTY;
		} while (!__atomic_compare_exchange_n(&bh->flags, &old, f, false, __ATOMIC_RELEASE,
						      __ATOMIC_RELAXED));
	}
	if (rq->error && rq->op == BLK_WRITE)
		write_errors++;
	io->busy = false;
}

static bool io_slot_free(void *arg)
{
	for (unsigned int i = 0; i < IO_POOL; i++)
		if (!io_pool[i].busy)
			return true;
	return false;
}

static struct bh_io *io_get(struct block_device *bdev)
{
	for (;;) {
		for (unsigned int i = 0; i < IO_POOL; i++) {
			if (!io_pool[i].busy) {
				memset(&io_pool[i], 0, sizeof(io_pool[i]));
				io_pool[i].busy = true;
				return &io_pool[i];
			}
		}
		blk_wait_cond(bdev, io_slot_free, NULL);
	}
}

/* Send @io (buffers already locked, consecutive blocks) to the device. */
static void io_start(struct bh_io *io, int op)
{
	struct buffer_head *first = io->bh[0];
	int err;

	io->rq.op = op;
	io->rq.sector = first->block * (first->size / SECTOR_SIZE);
	io->rq.nr_segs = io->n;
	for (unsigned int i = 0; i < io->n; i++) {
		io->rq.seg[i].buf = io->bh[i]->data;
		io->rq.seg[i].len = io->bh[i]->size;
	}
	io->rq.end_io = bh_end_io;
	io->rq.priv = io;
	err = blk_submit(first->bdev, &io->rq);
	if (err) {
		/* nothing was queued: complete it here, as the interrupt would have */
		io->rq.error = err;
		io->rq.done = true;
		bh_end_io(&io->rq);
	}
}

static bool bh_unlocked(void *arg)
{
	return !(((struct buffer_head *)arg)->flags & BH_LOCKED);
}

static void wait_on_buffer(struct buffer_head *bh)
{
	if (bh->flags & BH_LOCKED)
		blk_wait_cond(bh->bdev, bh_unlocked, bh);
}

static int write_batch(struct buffer_head **v, unsigned int n);

/* Take a reference to @bh, off the LRU list if it was unused. */
static void bh_hold(struct buffer_head *bh)
{
	if (bh->refcount++ == 0)
		list_del_init(&bh->lru_node);
}

/*
 * Make room: drop old clean buffers, or (if @may_write and every unused
 * buffer is dirty) write a batch of them first. Returns false when
 * nothing could be done: every buffer is in use.
 */
static bool shrink(bool may_write)
{
	struct buffer_head *bh, *tmp, *dirty[SHRINK_BATCH];
	unsigned int freed = 0, nd = 0;

	list_for_each_entry_safe(bh, tmp, &lru, lru_node) {
		if (bh->flags & BH_LOCKED)
			continue;
		if (!(bh->flags & BH_DIRTY)) {
			free_buffer(bh);
			if (++freed >= SHRINK_BATCH)
				return true;
		} else if (nd < SHRINK_BATCH) {
			dirty[nd++] = bh;
		}
	}
	if (freed || !nd || !may_write)
		return freed > 0;
	for (unsigned int i = 0; i < nd; i++)
		bh_hold(dirty[i]);	/* keep them while we sleep */
	write_batch(dirty, nd);
	for (unsigned int i = 0; i < nd; i++)
		brelse(dirty[i]);
	return true;
}

static bool cache_full(void)
{
	if (!max_buffers)
		max_buffers = MAX(pmm_total_count() / 8, (uint64_t)MIN_BUFFERS);
	return nr_buffers >= max_buffers;
}

/* A new, empty buffer in the hash (refcount 1), or NULL. Never sleeps. */
static struct buffer_head *alloc_buffer(struct block_device *bdev, uint64_t block,
					uint32_t size)
{
	struct buffer_head *bh = kzalloc(sizeof(*bh));
	phys_addr_t pa = bh ? pmm_alloc_page() : 0;

	if (!pa) {
		kfree(bh);
		return NULL;
	}
	bh->data = phys_to_virt(pa);
	bh->bdev = bdev;
	bh->block = block;
	bh->size = size;
	bh->refcount = 1;
	list_init(&bh->lru_node);
	list_add(&bh->hash_node, hash_head(bdev, block));
	nr_buffers++;
	return bh;
}

/* The cached buffer for @block with a new reference, made if missing. */
static int getblk(struct block_device *bdev, uint64_t block, uint32_t size,
		  struct buffer_head **out)
{
	struct buffer_head *bh;
	bool room = false;

	if (size < SECTOR_SIZE || size > PAGE_SIZE || (size & (size - 1)))
		return -EINVAL;
	for (;;) {
		bh = lookup(bdev, block);
		if (bh && bh->size != size) {
			if (bh->refcount || (bh->flags & (BH_DIRTY | BH_LOCKED))) {
				pr_err("%s: block %lu used with sizes %u and %u\n", bdev->name,
				       (unsigned long)block, bh->size, size);
				return -EINVAL;
			}
			free_buffer(bh);
			bh = NULL;
		}
		if (bh) {
			bh_hold(bh);
			break;
		}
		/* shrinking may sleep: look the block up again afterwards */
		if (!room && cache_full() && shrink(true))
			continue;
		room = true;
		bh = alloc_buffer(bdev, block, size);
		if (!bh)
			return -ENOMEM;
		break;
	}
	*out = bh;
	return 0;
}

int bget(struct block_device *bdev, uint64_t block, uint32_t size, struct buffer_head **out)
{
	int err = getblk(bdev, block, size, out);

	if (!err) {
		wait_on_buffer(*out);
		(*out)->flags = ((*out)->flags | BH_UPTODATE) & ~BH_ERROR;
	}
	return err;
}

int bread(struct block_device *bdev, uint64_t block, uint32_t size, struct buffer_head **out)
{
	struct buffer_head *bh;
	int err = getblk(bdev, block, size, &bh);

	if (err)
		return err;
	for (int tries = 0; !(bh->flags & BH_UPTODATE) && tries < 2; tries++) {
		if (!(bh->flags & BH_LOCKED)) {
			struct bh_io *io = io_get(bdev);

			bh->flags = (bh->flags | BH_LOCKED) & ~BH_ERROR;
			io->bh[0] = bh;
			io->n = 1;
			io_start(io, BLK_READ);
		}
		wait_on_buffer(bh);
	}
	if (!(bh->flags & BH_UPTODATE)) {
		brelse(bh);
		return -EIO;
	}
	*out = bh;
	return 0;
}

void breadahead(struct block_device *bdev, uint64_t block, uint32_t size, unsigned int count)
{
	struct bh_io *io = NULL;
	uint64_t per = size / SECTOR_SIZE;

	for (unsigned int i = 0; i < count; i++, block++) {
		struct buffer_head *bh;

		if (!per || (block + 1) * per > bdev->nr_sectors || lookup(bdev, block))
			break;
		if (cache_full() && !shrink(false))
			break;
		bh = alloc_buffer(bdev, block, size);
		if (!bh)
			break;
		bh->refcount = 0;
		bh->flags = BH_LOCKED;
		list_add_tail(&bh->lru_node, &lru);
		if (!io)
			io = io_get(bdev);
		io->bh[io->n++] = bh;
		if (io->n == BLK_MAX_SEGS) {
			io_start(io, BLK_READ);
			io = NULL;
		}
	}
	if (io)
		io_start(io, BLK_READ);
}

void brelse(struct buffer_head *bh)
{
	if (!bh)
		return;
	if (WARN_ON(bh->refcount <= 0))
		return;
	if (--bh->refcount == 0)
		list_add_tail(&bh->lru_node, &lru);
}

void mark_buffer_dirty(struct buffer_head *bh)
{
	__atomic_or_fetch(&bh->flags, BH_DIRTY | BH_UPTODATE, __ATOMIC_SEQ_CST);
}

static int cmp_bh(const struct buffer_head *a, const struct buffer_head *b)
{
	if (a->bdev != b->bdev)
		return (uintptr_t)a->bdev < (uintptr_t)b->bdev ? -1 : 1;
	return a->block < b->block ? -1 : a->block > b->block;
}

/* Shell sort by (device, block), so neighbours merge into one request. */
static void sort_buffers(struct buffer_head **v, unsigned int n)
{
	for (unsigned int gap = n / 2; gap; gap /= 2)
		for (unsigned int i = gap; i < n; i++)
			for (unsigned int j = i; j >= gap && cmp_bh(v[j - gap], v[j]) > 0; j -= gap) {
				struct buffer_head *t = v[j];

				v[j] = v[j - gap];
				v[j - gap] = t;
			}
}

/* Write the dirty ones among @v (held by the caller) and wait for them. */
static int write_batch(struct buffer_head **v, unsigned int n)
{
	unsigned long errors = write_errors;
	struct bh_io *io = NULL;

	sort_buffers(v, n);
	for (unsigned int i = 0; i < n; i++) {
		struct buffer_head *bh = v[i], *prev = io ? io->bh[io->n - 1] : NULL;

		wait_on_buffer(bh);
		if (!(bh->flags & BH_DIRTY))
			continue;
		if (io && (io->n == BLK_MAX_SEGS || prev->bdev != bh->bdev ||
			   prev->block + 1 != bh->block || prev->size != bh->size)) {
			io_start(io, BLK_WRITE);
			io = NULL;
		}
		if (!io)
			io = io_get(bh->bdev);
		bh->flags = (bh->flags | BH_LOCKED) & ~BH_DIRTY;
		io->bh[io->n++] = bh;
	}
	if (io)
		io_start(io, BLK_WRITE);
	for (unsigned int i = 0; i < n; i++)
		wait_on_buffer(v[i]);
	return write_errors != errors ? -EIO : 0;
}

int bdev_sync(struct block_device *bdev)
{
	struct block_device *disks[16];
	unsigned int n = 0, cap = 0, nd = 0;
	struct buffer_head **v = NULL, *bh;
	int err = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(hash_table) && hash_table[0].next; i++)
		list_for_each_entry(bh, &hash_table[i], hash_node)
			if ((bh->flags & (BH_DIRTY | BH_LOCKED)) && (!bdev || bh->bdev == bdev))
				cap++;
	if (cap) {
		v = kmalloc(cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		for (unsigned int i = 0; i < ARRAY_SIZE(hash_table); i++)
			list_for_each_entry(bh, &hash_table[i], hash_node)
				if ((bh->flags & (BH_DIRTY | BH_LOCKED)) && (!bdev || bh->bdev == bdev) &&
				    n < cap)
					v[n++] = bh;
		for (unsigned int i = 0; i < n; i++)
			bh_hold(v[i]);
		err = write_batch(v, n);
		for (unsigned int i = 0; i < n; i++) {
			bool seen = false;

			for (unsigned int j = 0; j < nd; j++)
				seen |= disks[j] == v[i]->bdev->disk;
			if (!seen && nd < ARRAY_SIZE(disks))
				disks[nd++] = v[i]->bdev->disk;
			brelse(v[i]);
		}
		kfree(v);
	}
	if (bdev && !nd)
		disks[nd++] = bdev->disk;
	for (unsigned int i = 0; i < nd; i++) {
		int e = blk_flush(disks[i]);

		err = err ? err : e;
	}
	return err;
}

void bdev_invalidate(struct block_device *bdev)
{
	struct buffer_head *bh, *tmp;

	list_for_each_entry_safe(bh, tmp, &lru, lru_node)
		if (bh->bdev == bdev && !(bh->flags & (BH_DIRTY | BH_LOCKED)))
			free_buffer(bh);
}

void sync_hook_add(struct sync_hook *h)
{
	list_add_tail(&h->node, &sync_hooks);
}

void sync_hook_del(struct sync_hook *h)
{
	list_del(&h->node);
}

void block_sync_all(void)
{
	struct sync_hook *h, *tmp;
	int err;

	list_for_each_entry_safe(h, tmp, &sync_hooks, node)
		h->fn(h->arg);
	err = bdev_sync(NULL);
	if (err)
		pr_err("sync: writing back failed: error %d\n", err);
}
