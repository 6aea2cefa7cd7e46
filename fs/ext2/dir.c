/*
 * ext2 directories: each block is a chain of entries (inode, rec_len,
 * name_len, file type, name) that exactly covers the block. Lookups scan
 * the blocks in order (a dir_index tree is ignored, and its flag cleared
 * when the directory changes, as the hash is then stale); a new entry
 * takes the slack of an existing one or a new block at the end; a removed
 * entry is merged into the one before it. readdir positions are byte
 * offsets, which stay valid while entries come and go. Every entry is
 * checked before use: a bad rec_len or name_len is an error, not a guess.
 */
#include "fs/ext2/ext2.h"
#include "lib/string.h"

/* Where an entry is: its block (held) and offsets of it and the one before. */
struct dir_pos {
	struct buffer_head *bh;
	uint32_t off;
	int64_t prev;			/* -1 for the first entry of a block */
};

static size_t name_len(struct ext2_sb *s, const struct ext2_dirent *de)
{
	return s->filetype ? de->name_len : (de->name_len | (size_t)de->file_type << 8);
}

static uint8_t ft_of(struct ext2_sb *s, uint32_t mode)
{
	static const uint8_t ft[16] = {
		[S_IFREG >> 12] = EXT2_FT_REG_FILE, [S_IFDIR >> 12] = EXT2_FT_DIR,
		[S_IFCHR >> 12] = EXT2_FT_CHRDEV, [S_IFBLK >> 12] = EXT2_FT_BLKDEV,
		[S_IFIFO >> 12] = EXT2_FT_FIFO, [S_IFSOCK >> 12] = EXT2_FT_SOCK,
		[S_IFLNK >> 12] = EXT2_FT_SYMLINK,
	};

	return s->filetype ? ft[(mode & S_IFMT) >> 12] : 0;
}

/* The entry at @off of a directory block, or NULL (and a message) if it is bad. */
static struct ext2_dirent *entry_at(struct inode *dir, struct buffer_head *bh, uint32_t off)
{
	struct ext2_sb *s = EXT2_I(dir)->s;
	struct ext2_dirent *de = (struct ext2_dirent *)(bh->data + off);

	if (off + 8 <= s->block_size && de->rec_len >= 8 && !(de->rec_len & 3) &&
	    off + de->rec_len <= s->block_size &&
	    EXT2_DIRENT_LEN(name_len(s, de)) <= de->rec_len && de->inode <= s->inodes_count)
		return de;
	ext2_error(s, "directory %lu, block %lu, offset %u: bad entry", (unsigned long)dir->ino,
		   (unsigned long)bh->block, off);
	return NULL;
}

static uint32_t dir_blocks(struct inode *dir)
{
	uint32_t bs = EXT2_I(dir)->s->block_size;

	return (uint32_t)MIN((dir->size + bs - 1) / bs, (uint64_t)UINT32_MAX);
}

/* Read block @l of @dir; a hole in a directory is an error. */
static int dir_block(struct inode *dir, uint64_t l, struct buffer_head **bh)
{
	struct ext2_sb *s = EXT2_I(dir)->s;
	uint32_t pb;
	int err = ext2_bmap(dir, l, false, &pb, NULL);

	if (!err && !pb) {
		ext2_error(s, "directory %lu has a hole at block %lu", (unsigned long)dir->ino,
			   (unsigned long)l);
		err = -EIO;
	}
	return err ? err : bread(s->bdev, pb, s->block_size, bh);
}

/* Find @name in @dir: 0 with pos->bh held, -ENOENT, or -EIO. */
static int find(struct inode *dir, const char *name, size_t len, struct dir_pos *pos)
{
	struct ext2_sb *s = EXT2_I(dir)->s;

	for (uint32_t l = 0; l < dir_blocks(dir); l++) {
		struct buffer_head *bh;
		int64_t prev = -1;
		int err = dir_block(dir, l, &bh);

		if (err)
			return err;
		for (uint32_t off = 0; off < s->block_size;) {
			struct ext2_dirent *de = entry_at(dir, bh, off);

			if (!de) {
				brelse(bh);
				return -EIO;
			}
			if (de->inode && name_len(s, de) == len && !memcmp(de->name, name, len)) {
				*pos = (struct dir_pos){ bh, off, prev };
				return 0;
			}
			prev = off;
			off += de->rec_len;
		}
		brelse(bh);
	}
	return -ENOENT;
}

int ext2_find_entry(struct inode *dir, const char *name, size_t len, uint32_t *ino)
{
	struct dir_pos pos;
	int err = find(dir, name, len, &pos);

	if (!err) {
		*ino = ((struct ext2_dirent *)(pos.bh->data + pos.off))->inode;
		brelse(pos.bh);
	}
	return err;
}

int ext2_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct ext2_sb *s = EXT2_I(dir)->s;
	uint32_t ino;
	int err;

	ext2_lock(s);
	err = ext2_find_entry(dir, name, len, &ino);
	if (!err)
		err = ext2_iget(s, ino, out);
	ext2_unlock(s);
	return err;
}

static void dir_changed(struct inode *dir)
{
	EXT2_I(dir)->flags &= ~EXT2_INDEX_FL;	/* a hash index would now be stale */
	ext2_touch(dir);
}

static void fill_entry(struct ext2_sb *s, struct ext2_dirent *de, const char *name, size_t len,
		       struct inode *ino)
{
	de->inode = (uint32_t)ino->ino;
	de->name_len = (uint8_t)len;
	de->file_type = ft_of(s, ino->mode);
	memcpy(de->name, name, len);
}

/* Add @name -> @ino to @dir (the caller checked that @name is new). */
int ext2_add_entry(struct inode *dir, const char *name, size_t len, struct inode *ino)
{
	struct ext2_sb *s = EXT2_I(dir)->s;
	uint32_t need = EXT2_DIRENT_LEN(len), nblocks = dir_blocks(dir), pb;
	struct buffer_head *bh;
	struct ext2_dirent *de;
	int err;

	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	for (uint32_t l = 0; l < nblocks; l++) {
		err = dir_block(dir, l, &bh);
		if (err)
			return err;
		for (uint32_t off = 0; off < s->block_size; off += de->rec_len) {
			uint32_t used;

			de = entry_at(dir, bh, off);
			if (!de) {
				brelse(bh);
				return -EIO;
			}
			used = de->inode ? EXT2_DIRENT_LEN(name_len(s, de)) : 0;
			if (de->rec_len - used < need)
				continue;
			if (used) {
				struct ext2_dirent *n = (void *)((uint8_t *)de + used);

				n->rec_len = (uint16_t)(de->rec_len - used);
				de->rec_len = (uint16_t)used;
				de = n;
			}
			fill_entry(s, de, name, len, ino);
			mark_buffer_dirty(bh);
			brelse(bh);
			dir_changed(dir);
			return 0;
		}
		brelse(bh);
	}
	err = ext2_bmap(dir, nblocks, true, &pb, NULL);
	if (!err)
		err = bget(s->bdev, pb, s->block_size, &bh);
	if (err)
		return err;
	memset(bh->data, 0, s->block_size);
	de = (struct ext2_dirent *)bh->data;
	de->rec_len = (uint16_t)s->block_size;
	fill_entry(s, de, name, len, ino);
	mark_buffer_dirty(bh);
	brelse(bh);
	dir->size = (uint64_t)(nblocks + 1) * s->block_size;
	dir_changed(dir);
	return 0;
}

int ext2_remove_entry(struct inode *dir, const char *name, size_t len)
{
	struct dir_pos pos;
	struct ext2_dirent *de;
	int err = find(dir, name, len, &pos);

	if (err)
		return err;
	de = (struct ext2_dirent *)(pos.bh->data + pos.off);
	if (pos.prev >= 0)
		((struct ext2_dirent *)(pos.bh->data + pos.prev))->rec_len += de->rec_len;
	else
		de->inode = 0;
	mark_buffer_dirty(pos.bh);
	brelse(pos.bh);
	dir_changed(dir);
	return 0;
}

/* Point the existing entry @name of @dir at @ino (rename over a name, ".."). */
int ext2_set_entry(struct inode *dir, const char *name, size_t len, struct inode *ino)
{
	struct ext2_sb *s = EXT2_I(dir)->s;
	struct dir_pos pos;
	struct ext2_dirent *de;
	int err = find(dir, name, len, &pos);

	if (err)
		return err;
	de = (struct ext2_dirent *)(pos.bh->data + pos.off);
	de->inode = (uint32_t)ino->ino;
	de->file_type = ft_of(s, ino->mode);
	mark_buffer_dirty(pos.bh);
	brelse(pos.bh);
	dir_changed(dir);
	return 0;
}

/* 1 if @dir holds nothing but "." and "..", 0 if it holds more, or -EIO. */
int ext2_dir_empty(struct inode *dir)
{
	struct ext2_sb *s = EXT2_I(dir)->s;

	for (uint32_t l = 0; l < dir_blocks(dir); l++) {
		struct buffer_head *bh;
		int err = dir_block(dir, l, &bh);

		if (err)
			return err;
		for (uint32_t off = 0; off < s->block_size;) {
			struct ext2_dirent *de = entry_at(dir, bh, off);
			size_t n;

			if (!de) {
				brelse(bh);
				return -EIO;
			}
			n = name_len(s, de);
			if (de->inode && !((n == 1 && de->name[0] == '.') ||
					   (n == 2 && de->name[0] == '.' && de->name[1] == '.'))) {
				brelse(bh);
				return 0;
			}
			off += de->rec_len;
		}
		brelse(bh);
	}
	return 1;
}

/* The first block of a new directory: "." and "..". */
int ext2_make_dir(struct inode *dir, struct inode *parent)
{
	struct ext2_sb *s = EXT2_I(dir)->s;
	struct buffer_head *bh;
	struct ext2_dirent *de;
	uint32_t pb;
	int err = ext2_bmap(dir, 0, true, &pb, NULL);

	if (!err)
		err = bget(s->bdev, pb, s->block_size, &bh);
	if (err)
		return err;
	memset(bh->data, 0, s->block_size);
	de = (struct ext2_dirent *)bh->data;
	de->rec_len = EXT2_DIRENT_LEN(1);
	fill_entry(s, de, ".", 1, dir);
	de = (struct ext2_dirent *)(bh->data + EXT2_DIRENT_LEN(1));
	de->rec_len = (uint16_t)(s->block_size - EXT2_DIRENT_LEN(1));
	fill_entry(s, de, "..", 2, parent);
	mark_buffer_dirty(bh);
	brelse(bh);
	dir->size = s->block_size;
	return 0;
}

int ext2_readdir(struct file *f, struct dirent_sink *sink, filldir_t fill)
{
	static const uint8_t dt[8] = { 0, S_IFREG >> 12, S_IFDIR >> 12, S_IFCHR >> 12,
				       S_IFBLK >> 12, S_IFIFO >> 12, S_IFSOCK >> 12,
				       S_IFLNK >> 12 };
	struct inode *dir = f->inode;
	struct ext2_sb *s = EXT2_I(dir)->s;
	int err = 0;

	ext2_lock(s);
	while (f->pos < (uint64_t)dir_blocks(dir) * s->block_size) {
		uint64_t base = f->pos - f->pos % s->block_size;
		struct buffer_head *bh;
		uint32_t off = 0;

		err = dir_block(dir, f->pos / s->block_size, &bh);
		if (err)
			break;
		for (; off < s->block_size; off += ((struct ext2_dirent *)(bh->data + off))->rec_len) {
			struct ext2_dirent *de = entry_at(dir, bh, off);

			if (!de) {
				err = -EIO;
				break;
			}
			if (base + off < f->pos || !de->inode)
				continue;
			if (fill(sink, de->name, name_len(s, de), de->inode,
				 s->filetype ? dt[de->file_type & 7] : 0, base + off + de->rec_len))
				break;
			f->pos = base + off + de->rec_len;
		}
		brelse(bh);
		if (err || off < s->block_size)
			break;
		f->pos = base + s->block_size;
	}
	ext2_unlock(s);
	return err;
}
