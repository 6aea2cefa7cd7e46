/*
 * ext2 regular files: read and write through the buffer cache one block
 * at a time, holes reading as zeros, new blocks allocated (and zeroed
 * where the write does not cover them) as a write reaches them. A reader
 * going through a file in order has the next blocks read ahead, merged
 * into as few requests as the file's layout allows. Truncation frees the
 * blocks past the end and zeroes the rest of the new last block, so a
 * later extension reads zeros there. fsync writes the inode and the
 * device's dirty buffers, then flushes the disk's cache.
 */
#include "fs/ext2/ext2.h"
#include "lib/string.h"

#define RA_BLOCKS	32		/* read-ahead window, in blocks */
#define RELATIME_SEC	(24 * 3600)

/* Start reading the blocks after @lblock when the reader is sequential. */
static void readahead(struct inode *ino, uint64_t lblock)
{
	struct ext2_sb *s = EXT2_I(ino)->s;
	struct ext2_inode_info *info = EXT2_I(ino);
	uint64_t last = (ino->size + s->block_size - 1) / s->block_size, end, l;
	uint32_t run = 0, len = 0, pb;

	if (lblock != info->ra_next && lblock != 0)
		return;		/* not a sequential reader */
	if (info->ra_end > lblock + RA_BLOCKS / 2)
		return;		/* the window is still ahead of the reader */
	l = MAX(lblock + 1, info->ra_end);
	end = MIN(lblock + 1 + RA_BLOCKS, last);
	for (; l < end; l++) {
		if (ext2_bmap(ino, l, false, &pb, NULL))
			break;
		if (pb && len && pb == run + len) {
			len++;
			continue;
		}
		if (len)
			breadahead(s->bdev, run, s->block_size, len);
		run = pb;
		len = pb ? 1 : 0;
	}
	if (len)
		breadahead(s->bdev, run, s->block_size, len);
	info->ra_end = l;
}

/* Like Linux's relatime: update atime only when it is older than mtime/ctime or a day. */
static void update_atime(struct inode *ino)
{
	struct timespec64 now;

	vfs_timestamp(&now);
	if (ino->atime.sec <= ino->mtime.sec || ino->atime.sec <= ino->ctime.sec ||
	    now.sec - ino->atime.sec >= RELATIME_SEC)
		ino->atime = now;
}

static long ext2_file_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct ext2_sb *s = EXT2_I(ino)->s;
	struct ext2_inode_info *info = EXT2_I(ino);
	size_t done = 0;
	int err = 0;

	ext2_lock(s);
	if (*pos < ino->size)
		n = MIN(n, (size_t)(ino->size - *pos));
	else
		n = 0;
	while (done < n) {
		uint64_t lblock = *pos / s->block_size;
		size_t off = *pos % s->block_size, chunk = MIN(n - done, s->block_size - off);
		struct buffer_head *bh;
		uint32_t pb;

		err = ext2_bmap(ino, lblock, false, &pb, NULL);
		if (err)
			break;
		if (!pb) {
			memset(buf + done, 0, chunk);
		} else {
			readahead(ino, lblock);
			err = bread(s->bdev, pb, s->block_size, &bh);
			if (err)
				break;
			memcpy(buf + done, bh->data + off, chunk);
			brelse(bh);
		}
		info->ra_next = lblock + 1;
		done += chunk;
		*pos += chunk;
	}
	if (done && !s->read_only)
		update_atime(ino);
	ext2_unlock(s);
	return done ? (long)done : err;
}

static long ext2_file_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct ext2_sb *s = EXT2_I(ino)->s;
	uint64_t max = ext2_max_size(s);
	size_t done = 0;
	int err = 0;

	if (s->read_only)
		return -EROFS;
	if (*pos >= max)
		return -EFBIG;
	n = MIN(n, (size_t)(max - *pos));
	ext2_lock(s);
	while (done < n) {
		uint64_t lblock = *pos / s->block_size;
		size_t off = *pos % s->block_size, chunk = MIN(n - done, s->block_size - off);
		struct buffer_head *bh;
		uint32_t pb;
		bool fresh;

		err = ext2_bmap(ino, lblock, true, &pb, &fresh);
		if (err)
			break;
		if (fresh || chunk == s->block_size)
			err = bget(s->bdev, pb, s->block_size, &bh);
		else
			err = bread(s->bdev, pb, s->block_size, &bh);
		if (err)
			break;
		if (fresh && chunk < s->block_size)
			memset(bh->data, 0, s->block_size);
		memcpy(bh->data + off, buf + done, chunk);
		mark_buffer_dirty(bh);
		brelse(bh);
		done += chunk;
		*pos += chunk;
		if (*pos > ino->size)
			ino->size = *pos;
	}
	if (done)
		ext2_touch(ino);
	ext2_unlock(s);
	return done ? (long)done : err;
}

int ext2_truncate(struct inode *ino, uint64_t size)
{
	struct ext2_sb *s = EXT2_I(ino)->s;
	int err = 0;

	if (s->read_only)
		return -EROFS;
	if (size > ext2_max_size(s))
		return -EFBIG;
	ext2_lock(s);
	if (size < ino->size) {
		struct buffer_head *bh;
		uint32_t pb = 0;

		ext2_truncate_blocks(ino, size);
		if (size % s->block_size &&
		    !ext2_bmap(ino, size / s->block_size, false, &pb, NULL) && pb &&
		    !(err = bread(s->bdev, pb, s->block_size, &bh))) {
			memset(bh->data + size % s->block_size, 0,
			       s->block_size - size % s->block_size);
			mark_buffer_dirty(bh);
			brelse(bh);
		}
	}
	ino->size = size;
	EXT2_I(ino)->ra_next = EXT2_I(ino)->ra_end = 0;
	ext2_touch(ino);
	ext2_write_inode(ino);
	ext2_unlock(s);
	return err;
}

static int ext2_fsync(struct file *f, int datasync)
{
	struct ext2_sb *s = EXT2_I(f->inode)->s;
	int err;

	if (s->read_only)
		return 0;
	ext2_lock(s);
	err = ext2_write_inode(f->inode);
	ext2_unlock(s);
	return err ? err : bdev_sync(s->bdev);
}

const struct file_ops ext2_file_fops = {
	.read = ext2_file_read,
	.write = ext2_file_write,
	.llseek = generic_llseek,
	.fsync = ext2_fsync,
};

const struct file_ops ext2_dir_fops = {
	.readdir = ext2_readdir,
	.llseek = generic_llseek,
	.fsync = ext2_fsync,
};

const struct inode_ops ext2_file_iops = {
	.truncate = ext2_truncate,
	.evict = ext2_evict,
};
