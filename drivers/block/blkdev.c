/*
 * The block layer's device side: the list of disks and partitions, their
 * names and numbers (254:0 is vda, 254:1 vda1, 254:16 vdb), their S_IFBLK
 * nodes in /dev, and moving requests to a driver: range checks, partition
 * offsets, and waiting for completion by sleeping on a wait queue the
 * interrupt handler wakes, or by polling the driver while interrupts are
 * still off (the partition scan at boot) or when it has no interrupt.
 */
#define pr_fmt(fmt) "block: " fmt

#include "drivers/block/blkdev.h"
#include "fs/internal.h"
#include "kernel/sched.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

#ifndef ENOTBLK
#define ENOTBLK		15
#endif
#define BLK_WAIT_SLICE_NS	20000000ULL	/* re-poll a sleeping wait this often */
#define BLK_MAX_DISKS		16

static LIST_HEAD(blkdevs);
static DEFINE_WAIT_QUEUE(blk_wq);
static unsigned int disk_count;
static struct super_block *devfs_sb;

/* A /dev node of type S_IFBLK for @bdev in the one devfs instance. */
static void make_dev_node(struct block_device *bdev)
{
	size_t len = strlen(bdev->name);
	struct inode *root, *ino;
	int err;

	if (!devfs_sb && devfs_type.mount(&devfs_type, NULL, NULL, &devfs_sb))
		devfs_sb = NULL;
	if (!devfs_sb) {
		pr_err("%s: no devfs for the device node\n", bdev->name);
		return;
	}
	root = devfs_sb->root;
	err = root->iops->mknod(root, bdev->name, len, S_IFBLK | 0660, bdev->rdev);
	if (err) {
		pr_err("cannot create /dev/%s: error %d\n", bdev->name, err);
		return;
	}
	if (!root->iops->lookup(root, bdev->name, len, &ino)) {
		ino->uid = 0;
		ino->gid = 0;
		inode_put(ino);
	}
}

int blkdev_register_disk(struct block_device *disk, const char *prefix)
{
	if (disk_count >= BLK_MAX_DISKS)
		return -ENOSPC;
	snprintf(disk->name, sizeof(disk->name), "%s%c", prefix, 'a' + disk_count);
	disk->rdev = MKDEV(BLK_MAJOR, disk_count * BLK_MINORS);
	disk_count++;
	disk->disk = disk;
	disk->start = 0;
	list_add_tail(&disk->node, &blkdevs);
	make_dev_node(disk);
	pr_info("%s: %lu sectors (%lu MiB)%s\n", disk->name, (unsigned long)disk->nr_sectors,
		(unsigned long)(disk->nr_sectors >> 11), disk->read_only ? ", read-only" : "");
	blk_scan_partitions(disk);
	return 0;
}

int blkdev_add_partition(struct block_device *disk, int no, uint64_t start, uint64_t nr)
{
	struct block_device *part;

	if (no <= 0 || no >= BLK_MINORS)
		return -EINVAL;
	if (start >= disk->nr_sectors || nr > disk->nr_sectors - start || !nr) {
		pr_warn("%s: partition %d (%lu+%lu) lies outside the disk: ignored\n", disk->name,
			no, (unsigned long)start, (unsigned long)nr);
		return -EINVAL;
	}
	part = kzalloc(sizeof(*part));
	if (!part)
		return -ENOMEM;
	snprintf(part->name, sizeof(part->name), "%s%d", disk->name, no);
	part->rdev = disk->rdev + MKDEV(0, no);
	part->nr_sectors = nr;
	part->start = start;
	part->read_only = disk->read_only;
	part->use_irq = disk->use_irq;
	part->disk = disk;
	list_add_tail(&part->node, &blkdevs);
	make_dev_node(part);
	pr_info("%s: partition at sector %lu, %lu sectors\n", part->name, (unsigned long)start,
		(unsigned long)nr);
	return 0;
}

struct block_device *blkdev_by_rdev(uint32_t rdev)
{
	struct block_device *b;

	list_for_each_entry(b, &blkdevs, node) {
		if (b->rdev == rdev)
			return b;
	}
	return NULL;
}

struct block_device *blkdev_by_name(const char *name)
{
	struct block_device *b;

	list_for_each_entry(b, &blkdevs, node) {
		if (!strcmp(b->name, name))
			return b;
	}
	return NULL;
}

int blkdev_lookup_path(const char *path, struct block_device **out)
{
	struct dentry *d;
	uint32_t mode, rdev;
	int err;

	if (!path || !path[0])
		return -ENOENT;
	if (path[0] != '/') {
		*out = blkdev_by_name(path);
		return *out ? 0 : -ENXIO;
	}
	err = path_lookup(AT_FDCWD, path, LOOKUP_FOLLOW, &d);
	if (err)
		return err;
	mode = d->inode->mode;
	rdev = d->inode->rdev;
	dput(d);
	if (!S_ISBLK(mode))
		return -ENOTBLK;
	*out = blkdev_by_rdev(rdev);
	return *out ? 0 : -ENXIO;
}

int blk_submit(struct block_device *bdev, struct blk_request *rq)
{
	uint64_t count = 0;

	for (unsigned int i = 0; i < rq->nr_segs; i++) {
		if (!rq->seg[i].len || rq->seg[i].len % SECTOR_SIZE)
			return -EINVAL;
		count += rq->seg[i].len / SECTOR_SIZE;
	}
	if (rq->op != BLK_FLUSH &&
	    (!rq->nr_segs || rq->nr_segs > BLK_MAX_SEGS || rq->sector >= bdev->nr_sectors ||
	     count > bdev->nr_sectors - rq->sector))
		return -EIO;
	if (rq->op == BLK_WRITE && bdev->read_only)
		return -EROFS;
	rq->done = false;
	rq->error = 0;
	if (rq->op != BLK_FLUSH)
		rq->sector += bdev->start;
	return bdev->disk->ops->submit(bdev->disk, rq);
}

void blk_request_done(struct blk_request *rq, int error)
{
	rq->error = error;
	rq->done = true;
	if (rq->end_io)
		rq->end_io(rq);
	wake_up(&blk_wq);
}

/* Sleeping needs interrupts to wake us, and a task that may sleep. */
static bool must_poll(struct block_device *bdev)
{
	return !bdev->disk->use_irq || !irqs_enabled() || current->pid == 0;
}

void blk_wait_cond(struct block_device *bdev, bool (*cond)(void *arg), void *arg)
{
	struct wait_entry e = { .task = current };

	for (;;) {
		if (cond(arg))
			return;
		if (must_poll(bdev)) {
			bdev->disk->ops->poll(bdev->disk);
			if (!cond(arg))
				udelay(5);
			continue;
		}
		prepare_to_wait(&blk_wq, &e, TASK_UNINTERRUPTIBLE);
		if (!cond(arg))
			schedule_until(ktime_ns() + BLK_WAIT_SLICE_NS);	/* a lost interrupt costs one slice */
		finish_wait(&blk_wq, &e);
		bdev->disk->ops->poll(bdev->disk);
	}
}

static bool rq_done(void *arg)
{
	return ((struct blk_request *)arg)->done;
}

int blk_wait(struct block_device *bdev, struct blk_request *rq)
{
	blk_wait_cond(bdev, rq_done, rq);
	return rq->error;
}

int blk_rw(struct block_device *bdev, int op, uint64_t sector, void *buf, size_t count)
{
	struct blk_request rq = { .op = op, .sector = sector, .nr_segs = 1 };
	int err;

	if (!count || count > (1U << 22) / SECTOR_SIZE)
		return -EINVAL;
	rq.seg[0].buf = buf;
	rq.seg[0].len = (uint32_t)(count * SECTOR_SIZE);
	err = blk_submit(bdev, &rq);
	return err ? err : blk_wait(bdev, &rq);
}

int blk_flush(struct block_device *bdev)
{
	struct blk_request rq = { .op = BLK_FLUSH };
	int err = blk_submit(bdev, &rq);

	return err ? err : blk_wait(bdev, &rq);
}
