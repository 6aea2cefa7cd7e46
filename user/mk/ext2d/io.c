/*
 * READ and WRITE. By default the data travels in the IPC long part and
 * ext2's own file_ops (ext2_file_read, ext2_file_write) move it between
 * that buffer and the buffer cache, as they do for the kernel.
 *
 * Grant mode (FSD_GRANTED in fs/ipcfs_proto.h): the data is in a
 * microkernel client's buffer that ext2d reaches with mk_grant_copy(). A
 * write then copies from the grant straight into each block's buffer,
 * which buffer.c later pwrite()s to the device: one copy in ext2d. That
 * loop is ext2_file_write()'s with the copy changed, over the same ext2
 * block map, allocator and buffer cache. A grant read lets ext2_file_read
 * (read-ahead, atime) fill the answer buffer and copies that out.
 */
#include "ext2d_int.h"
#include "lib/string.h"

/* The file @r names, or why not. */
static int regular(struct inode *ino)
{
	return S_ISREG(ino->mode) ? 0 : S_ISDIR(ino->mode) ? -EISDIR : -EINVAL;
}

long ext2d_read(struct ext2d_req *r, struct inode *ino)
{
	struct file f = { .inode = ino, .fops = ino->fops, .pos = r->w[1] };
	bool granted = r->w[3] != 0;
	size_t max = granted ? FSD_GRANT_IO_MAX : FSD_IO_MAX;
	struct timespec64 atime;
	long n, err = regular(ino);

	if (err)
		return err;
	atime = ino->atime;
	n = ino->fops->read(&f, r->out, MIN((size_t)r->w[2], max), &f.pos);
	if (atime.sec != ino->atime.sec || atime.nsec != ino->atime.nsec)
		ext2d_note_change();	/* relatime moved it: the inode needs writing */
	if (n <= 0 || !granted) {
		r->out_len = n > 0 ? (size_t)n : 0;
		return n;
	}
	err = ext2d_grant_copy(r->w[3] - 1, r->w[4], r->out, (size_t)n, true);
	return err < 0 ? err : n;
}

/* One block's part of a grant write: @chunk bytes at byte @off of file block @lblock. */
static int grant_block(struct inode *ino, struct ext2d_req *r, uint64_t lblock, size_t off,
		       size_t chunk, uint64_t goff)
{
	struct ext2_sb *s = EXT2_I(ino)->s;
	struct buffer_head *bh;
	uint32_t pb;
	bool fresh;
	long n;
	int err = ext2_bmap(ino, lblock, true, &pb, &fresh);

	if (err)
		return err;
	if (fresh || chunk == s->block_size)
		err = bget(s->bdev, pb, s->block_size, &bh);
	else
		err = bread(s->bdev, pb, s->block_size, &bh);
	if (err)
		return err;
	if (fresh && chunk < s->block_size)
		memset(bh->data, 0, s->block_size);
	n = ext2d_grant_copy(r->w[3] - 1, goff, bh->data + off, chunk, false);
	if (n < 0 && fresh)
		memset(bh->data, 0, s->block_size);	/* never leave stale bytes in a file */
	if (n >= 0 || fresh)
		mark_buffer_dirty(bh);
	brelse(bh);
	return n < 0 ? (int)n : 0;
}

/* ext2_file_write() with the grant as the source. */
static long grant_write(struct ext2d_req *r, struct inode *ino)
{
	struct ext2_sb *s = EXT2_I(ino)->s;
	uint64_t pos = r->w[1], max = ext2_max_size(s);
	size_t n = (size_t)r->w[2], done = 0;
	int err = 0;

	if (n > FSD_GRANT_IO_MAX)
		return -EINVAL;
	if (s->read_only)
		return -EROFS;
	if (pos >= max)
		return -EFBIG;
	n = MIN(n, (size_t)(max - pos));
	ext2_lock(s);
	while (done < n) {
		uint64_t lblock = pos / s->block_size;
		size_t off = pos % s->block_size, chunk = MIN(n - done, s->block_size - off);

		err = grant_block(ino, r, lblock, off, chunk, r->w[4] + done);
		if (err)
			break;
		done += chunk;
		pos += chunk;
		if (pos > ino->size)
			ino->size = pos;
	}
	if (done)
		ext2_touch(ino);
	ext2_unlock(s);
	return done ? (long)done : err;
}

long ext2d_write(struct ext2d_req *r, struct inode *ino)
{
	struct file f = { .inode = ino, .fops = ino->fops, .pos = r->w[1] };
	long n = regular(ino);

	if (n)
		return n;
	if (r->w[3])
		n = grant_write(r, ino);
	else
		n = ino->fops->write(&f, r->in, r->in_len, &f.pos);
	ext2d_note_change();
	if (n >= 0)
		ext2d_put_attr(r, ino, DATA_CH);
	return n;
}
