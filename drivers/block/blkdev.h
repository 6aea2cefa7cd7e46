/*
 * Block devices: disks and their partitions as arrays of 512-byte sectors,
 * requests that move whole sectors between a device and memory, and the
 * buffer cache that file systems read and write blocks through.
 *
 * A driver fills a struct block_device (name prefix, size, ops) and calls
 * blkdev_register_disk(); the block layer names it (vda, vdb, ...), makes
 * the S_IFBLK node in /dev, reads its partition table and registers the
 * partitions (vda1, ...). Requests complete asynchronously: the driver
 * calls blk_request_done(), usually from its interrupt handler, and the
 * submitter sleeps (or polls, before interrupts are on) until then.
 */
#ifndef DRIVERS_BLOCK_BLKDEV_H
#define DRIVERS_BLOCK_BLKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/kernel.h"
#include "lib/list.h"

#define SECTOR_SIZE		512
#define SECTOR_SHIFT		9
#define BLK_MAX_SEGS		32	/* memory segments in one request */
#define BLK_MINORS		16	/* a disk and up to 15 partitions */
#define BLK_MAJOR		254	/* Linux's virtio-blk major */

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH };

/* One piece of memory a request reads into or writes from. */
struct blk_seg {
	void *buf;		/* direct-mapped kernel memory, physically contiguous */
	uint32_t len;		/* a multiple of SECTOR_SIZE */
};

struct block_device;

/*
 * A transfer between @sector.. of a device and the segments, in order.
 * The submitter owns the request until done is set; end_io (if any) runs
 * at completion with interrupts off, so it may only set flags and wake.
 */
struct blk_request {
	int op;				/* enum blk_op */
	uint64_t sector;		/* on the device it was submitted to */
	unsigned int nr_segs;
	struct blk_seg seg[BLK_MAX_SEGS];
	volatile bool done;
	int error;			/* 0 or -EIO once done */
	void (*end_io)(struct blk_request *rq);
	void *priv;			/* the submitter's */
};

struct block_device_ops {
	/* Queue @rq on the hardware (sector is on the whole disk); may sleep for room. */
	int (*submit)(struct block_device *bdev, struct blk_request *rq);
	/* Complete whatever the hardware has finished (polling, lost interrupts). */
	void (*poll)(struct block_device *bdev);
};

struct block_device {
	char name[16];			/* "vda", "vda1" */
	uint64_t nr_sectors;
	uint64_t start;			/* partitions: first sector on the disk */
	uint32_t rdev;			/* MKDEV(BLK_MAJOR, minor) */
	bool read_only;
	bool use_irq;			/* the driver completes requests from an interrupt */
	const struct block_device_ops *ops;	/* disks only */
	void *priv;			/* the driver's */
	struct block_device *disk;	/* the whole disk (itself for a disk) */
	int mounted;			/* file systems using it (one at a time) */
	struct list_head node;		/* in the list of all block devices */
};

/* --- devices (drivers/block/blkdev.c) ---------------------------------------- */
/*
 * Register a whole disk whose name starts with @prefix ("vd" gives vda,
 * vdb, ...): its /dev node, then its partitions. Sets rdev and name.
 */
int blkdev_register_disk(struct block_device *disk, const char *prefix);
/* Register partition @no of @disk covering @start.. (@nr sectors). */
int blkdev_add_partition(struct block_device *disk, int no, uint64_t start, uint64_t nr);
/* The device with node number @rdev or name @name, or NULL. */
struct block_device *blkdev_by_rdev(uint32_t rdev);
struct block_device *blkdev_by_name(const char *name);
/* The device a path names: /dev/vda1 (an S_IFBLK node) or a bare "vda1". */
int blkdev_lookup_path(const char *path, struct block_device **out);

/* Start @rq on @bdev: checks the range, maps partition sectors to the disk. */
int blk_submit(struct block_device *bdev, struct blk_request *rq);
/* Wait until @rq is done (sleeping, or polling while interrupts are off). */
int blk_wait(struct block_device *bdev, struct blk_request *rq);
/* Read or write @count sectors at @sector to or from @buf, and wait. */
int blk_rw(struct block_device *bdev, int op, uint64_t sector, void *buf, size_t count);
/* Ask the device to make written data durable (a cache flush). */
int blk_flush(struct block_device *bdev);
/* Wake everything waiting on block I/O; drivers call it after completions. */
void blk_request_done(struct blk_request *rq, int error);
/* Wait until @cond(@arg) holds, completing requests on @bdev meanwhile. */
void blk_wait_cond(struct block_device *bdev, bool (*cond)(void *arg), void *arg);

/* --- partition tables (drivers/block/partition.c) ------------------------------ */
/* Read @disk's MBR or GPT and register what it lists; the count or -errno. */
int blk_scan_partitions(struct block_device *disk);

/* --- the buffer cache (drivers/block/buffer.c) --------------------------------- */
#define BH_UPTODATE	0x1	/* data matches the device, or is newer */
#define BH_DIRTY	0x2	/* newer than the device: write it back */
#define BH_LOCKED	0x4	/* I/O in flight */
#define BH_ERROR	0x8	/* the last read failed */

/* One block of a device in memory. */
struct buffer_head {
	struct block_device *bdev;
	uint64_t block;			/* in units of size */
	uint32_t size;			/* 512..4096, a power of two */
	uint8_t *data;
	int refcount;
	volatile unsigned int flags;	/* BH_* */
	struct list_head hash_node;
	struct list_head lru_node;	/* unreferenced buffers, oldest first */
};

/*
 * The block @block (of @size bytes) of @bdev, read from the device if it
 * is not cached: 0 and *out with a reference, or -EIO / -ENOMEM.
 */
int bread(struct block_device *bdev, uint64_t block, uint32_t size, struct buffer_head **out);
/* The same without reading: for a block the caller overwrites entirely. */
int bget(struct block_device *bdev, uint64_t block, uint32_t size, struct buffer_head **out);
/* Start reading up to @count blocks from @block into the cache; no waiting. */
void breadahead(struct block_device *bdev, uint64_t block, uint32_t size, unsigned int count);
void brelse(struct buffer_head *bh);
void mark_buffer_dirty(struct buffer_head *bh);
/* Write every dirty buffer of @bdev (all devices when NULL), then flush. */
int bdev_sync(struct block_device *bdev);
/* Drop @bdev's clean, unused buffers (at unmount). */
void bdev_invalidate(struct block_device *bdev);
/* Write every dirty buffer of every device: sync(2), reboot, poweroff. */
void block_sync_all(void);

/* Something with in-memory state to write into buffers before a sync. */
struct sync_hook {
	void (*fn)(void *arg);
	void *arg;
	struct list_head node;
};
void sync_hook_add(struct sync_hook *h);
void sync_hook_del(struct sync_hook *h);

#endif
