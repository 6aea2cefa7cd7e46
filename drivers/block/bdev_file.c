/*
 * Block device nodes opened from user space (/dev/vda, /dev/vda1): raw
 * reads and writes at any offset, through a bounce buffer, in requests of
 * up to 1 MiB. Opening syncs the buffer cache first so a raw read sees what
 * file systems wrote; writing is refused while a file system is mounted on
 * the device, since it would bypass the cache under the file system's feet.
 */
#include "drivers/block/blkdev.h"
#include "fs/vfs.h"
#include "lib/string.h"
#include "mm/mm.h"

#define BOUNCE_BIG	(1024 * 1024)	/* fewer, larger requests when memory allows */
#define BOUNCE_SMALL	(64 * 1024)

static uint64_t bdev_bytes(const struct block_device *b)
{
	return b->nr_sectors * SECTOR_SIZE;
}

static int bdev_open(struct inode *ino, struct file *f)
{
	struct block_device *b = blkdev_by_rdev(ino->rdev);

	if (!b)
		return -ENXIO;
	bdev_sync(b);
	f->priv = b;
	return 0;
}

/* Move @n bytes at @pos between @buf and the device; @write selects the way. */
static long bdev_io(struct file *f, char *buf, size_t n, uint64_t *pos, bool write)
{
	struct block_device *b = f->priv;
	uint64_t size = bdev_bytes(b);
	char *bounce;
	size_t done = 0, bsize = BOUNCE_BIG;
	int err = 0;

	if (write && (b->read_only))
		return -EROFS;
	if (write && (b->mounted || b->disk->mounted))
		return -EBUSY;
	if (*pos >= size)
		return write ? -ENOSPC : 0;
	n = MIN(n, size - *pos);
	bounce = n > BOUNCE_SMALL ? kmalloc(BOUNCE_BIG) : NULL;
	if (!bounce) {
		bsize = BOUNCE_SMALL;
		bounce = kmalloc(bsize);
	}
	if (!bounce)
		return -ENOMEM;
	while (done < n && !err) {
		uint64_t at = *pos + done, sector = at / SECTOR_SIZE;
		size_t off = at % SECTOR_SIZE, len = MIN(n - done, bsize - off);
		size_t count = (off + len + SECTOR_SIZE - 1) / SECTOR_SIZE;

		if (!write || off || (len % SECTOR_SIZE))	/* partial sectors: read first */
			err = blk_rw(b, BLK_READ, sector, bounce, count);
		if (err)
			break;
		if (write) {
			memcpy(bounce + off, buf + done, len);
			err = blk_rw(b, BLK_WRITE, sector, bounce, count);
		} else {
			memcpy(buf + done, bounce + off, len);
		}
		if (!err)
			done += len;
	}
	kfree(bounce);
	*pos += done;
	return done ? (long)done : err;
}

static long bdev_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	return bdev_io(f, buf, n, pos, false);
}

static long bdev_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	return bdev_io(f, (char *)buf, n, pos, true);
}

static long bdev_llseek(struct file *f, int64_t off, int whence)
{
	struct block_device *b = f->priv;
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)f->pos :
		       whence == SEEK_END ? (int64_t)bdev_bytes(b) : -1;

	if (base < 0 || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (long)f->pos;
}

static int bdev_fsync(struct file *f, int datasync)
{
	return blk_flush(((struct block_device *)f->priv)->disk);
}

const struct file_ops blkdev_fops = {
	.open = bdev_open,
	.read = bdev_read,
	.write = bdev_write,
	.llseek = bdev_llseek,
	.fsync = bdev_fsync,
};
