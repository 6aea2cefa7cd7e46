/*
 * The blocks of a file: logical block n is found through i_block[0..11]
 * directly, then through the single (i_block[12]), double (13) and triple
 * (14) indirect blocks, each an array of block numbers. Mapping with
 * create allocates the missing blocks on the way (zeroed, next to the
 * file's last one); truncation frees everything past the new end,
 * including indirect blocks left empty. Every number read from an
 * indirect block is checked against the file system before it is used.
 */
#include "fs/ext2/ext2.h"
#include "lib/string.h"

#define MAX_FILE_SIZE	(1ULL << 40)

/* The slot offsets at each level for logical block @l: depth 1-4, or -EFBIG. */
static int block_path(struct ext2_sb *s, uint64_t l, uint32_t off[4])
{
	uint64_t p = s->addr_per_block;

	if (l < EXT2_NDIR_BLOCKS) {
		off[0] = (uint32_t)l;
		return 1;
	}
	l -= EXT2_NDIR_BLOCKS;
	if (l < p) {
		off[0] = EXT2_IND_BLOCK;
		off[1] = (uint32_t)l;
		return 2;
	}
	l -= p;
	if (l < p * p) {
		off[0] = EXT2_DIND_BLOCK;
		off[1] = (uint32_t)(l / p);
		off[2] = (uint32_t)(l % p);
		return 3;
	}
	l -= p * p;
	if (l < p * p * p) {
		off[0] = EXT2_TIND_BLOCK;
		off[1] = (uint32_t)(l / (p * p));
		off[2] = (uint32_t)(l / p % p);
		off[3] = (uint32_t)(l % p);
		return 4;
	}
	return -EFBIG;
}

uint64_t ext2_max_size(struct ext2_sb *s)
{
	uint64_t p = s->addr_per_block;
	uint64_t blocks = EXT2_NDIR_BLOCKS + p + p * p + p * p * p;

	return MIN(blocks * s->block_size, MAX_FILE_SIZE);
}

/* Allocate a block for @ino near its last one; zero it when @zero. */
static int alloc_for(struct inode *ino, bool zero, uint32_t *out)
{
	struct ext2_sb *s = EXT2_I(ino)->s;
	struct ext2_inode_info *info = EXT2_I(ino);
	uint32_t goal = info->goal ? info->goal + 1 :
		s->first_data_block + (uint32_t)((ino->ino - 1) / s->inodes_per_group) *
		s->blocks_per_group;
	struct buffer_head *bh;
	int err = ext2_new_block(s, goal, out);

	if (err)
		return err;
	info->goal = *out;
	info->blocks += s->block_size / SECTOR_SIZE;
	if (zero) {
		err = bget(s->bdev, *out, s->block_size, &bh);
		if (err)
			return err;
		memset(bh->data, 0, s->block_size);
		mark_buffer_dirty(bh);
		brelse(bh);
	}
	return 0;
}

int ext2_bmap(struct inode *ino, uint64_t lblock, bool create, uint32_t *out, bool *fresh)
{
	struct ext2_sb *s = EXT2_I(ino)->s;
	struct buffer_head *bh = NULL;
	uint32_t off[4], *slot;
	int depth = block_path(s, lblock, off), err = 0;

	if (depth < 0)
		return depth;
	if (fresh)
		*fresh = false;
	slot = &EXT2_I(ino)->block[off[0]];
	for (int lvl = 0;; lvl++) {
		uint32_t b = *slot;

		if (b && !ext2_valid_block(s, b)) {
			ext2_error(s, "inode %lu: block %u out of range", (unsigned long)ino->ino, b);
			err = -EIO;
			break;
		}
		if (!b) {
			if (!create)
				break;	/* a hole: *out = 0 */
			err = alloc_for(ino, lvl < depth - 1, &b);
			if (err)
				break;
			*slot = b;
			if (bh)
				mark_buffer_dirty(bh);
			if (fresh && lvl == depth - 1)
				*fresh = true;
		}
		if (lvl == depth - 1) {
			*out = b;
			break;
		}
		brelse(bh);
		bh = NULL;
		err = bread(s->bdev, b, s->block_size, &bh);
		if (err)
			break;
		slot = (uint32_t *)bh->data + off[lvl + 1];
	}
	if (!err && !*slot)
		*out = 0;
	brelse(bh);
	return err;
}

static void free_data(struct ext2_sb *s, struct ext2_inode_info *info, uint32_t block)
{
	ext2_free_block(s, block);
	info->blocks -= MIN(info->blocks, (uint64_t)(s->block_size / SECTOR_SIZE));
}

/*
 * Free what lies at or past logical block @first under *@slot, a tree of
 * @depth levels of indirection whose first logical block is @base.
 * Returns true when *slot itself was freed (and cleared).
 */
static bool trunc_branch(struct ext2_sb *s, struct ext2_inode_info *info, uint32_t *slot,
			 int depth, uint64_t base, uint64_t first)
{
	uint64_t span = 1, child;
	struct buffer_head *bh;
	bool empty = true;

	for (int i = 0; i < depth; i++)
		span *= s->addr_per_block;
	if (!*slot || base + span <= first)
		return false;
	if (!ext2_valid_block(s, *slot)) {
		ext2_error(s, "inode %lu: dropping block %u out of range",
			   (unsigned long)info->vfs->ino, *slot);
		*slot = 0;
		return true;
	}
	if (depth == 0) {
		free_data(s, info, *slot);
		*slot = 0;
		return true;
	}
	if (bread(s->bdev, *slot, s->block_size, &bh))
		return false;
	child = span / s->addr_per_block;
	for (uint32_t i = 0; i < s->addr_per_block; i++) {
		uint32_t *c = (uint32_t *)bh->data + i;

		if (base + (i + 1) * child > first &&
		    trunc_branch(s, info, c, depth - 1, base + i * child, first))
			mark_buffer_dirty(bh);
		if (*c)
			empty = false;
	}
	brelse(bh);
	if (!empty)
		return false;
	free_data(s, info, *slot);
	*slot = 0;
	return true;
}

/* Free every block of @ino past @size bytes. */
int ext2_truncate_blocks(struct inode *ino, uint64_t size)
{
	struct ext2_sb *s = EXT2_I(ino)->s;
	struct ext2_inode_info *info = EXT2_I(ino);
	uint64_t first = (size + s->block_size - 1) / s->block_size, base = EXT2_NDIR_BLOCKS;
	uint64_t span = s->addr_per_block;

	for (uint32_t i = 0; i < EXT2_NDIR_BLOCKS; i++)
		if (i >= first)
			trunc_branch(s, info, &info->block[i], 0, i, first);
	for (int depth = 1; depth <= 3; depth++) {
		trunc_branch(s, info, &info->block[EXT2_NDIR_BLOCKS + depth - 1], depth, base,
			     first);
		base += span;
		span *= s->addr_per_block;
	}
	if (!size)
		info->goal = 0;
	return 0;
}
