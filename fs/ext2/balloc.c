/*
 * ext2 allocation: blocks and inodes are taken from and given back to
 * their group's bitmap, and every change is mirrored in the group
 * descriptor's and the superblock's free counts, so e2fsck finds them in
 * agreement. Blocks are taken near a goal (the file's last block), so a
 * file written in order is contiguous on the disk; directories spread
 * over the groups with the most room. A bitmap that disagrees with the
 * counts, or a block that is the group's own metadata, is reported.
 */
#include "fs/ext2/ext2.h"
#include "kernel/sched.h"
#include "lib/string.h"

/* The first clear bit of @map at or after @start (below @nbits), or -1. */
static long find_zero(const uint8_t *map, uint32_t nbits, uint32_t start)
{
	for (uint32_t i = start; i < nbits; i++) {
		if ((i & 7) == 0 && map[i >> 3] == 0xff) {
			i += 7;
			continue;
		}
		if (!(map[i >> 3] & (1U << (i & 7))))
			return i;
	}
	return -1;
}

static uint32_t group_blocks(struct ext2_sb *s, uint32_t g)
{
	uint64_t first = s->first_data_block + (uint64_t)g * s->blocks_per_group;

	return (uint32_t)MIN((uint64_t)s->blocks_per_group, s->blocks_count - first);
}

/* Is @block one of group @g's bitmaps or inode table blocks? */
static bool is_group_metadata(struct ext2_sb *s, struct ext2_group_desc *gd, uint32_t block)
{
	return block == gd->bg_block_bitmap || block == gd->bg_inode_bitmap ||
	       (block >= gd->bg_inode_table && block < gd->bg_inode_table + s->itable_blocks);
}

static void count_blocks(struct ext2_sb *s, struct ext2_group_desc *gd, struct buffer_head *gbh,
			 int delta)
{
	gd->bg_free_blocks_count = (uint16_t)(gd->bg_free_blocks_count + delta);
	s->es->s_free_blocks_count += (uint32_t)delta;
	mark_buffer_dirty(gbh);
	mark_buffer_dirty(s->sbh);
}

/* Take a free bit in group @g's block bitmap, searching from @start. */
static int take_block(struct ext2_sb *s, uint32_t g, uint32_t start, uint32_t *out)
{
	struct buffer_head *gbh, *bh;
	struct ext2_group_desc *gd = ext2_group(s, g, &gbh);
	uint32_t nbits = group_blocks(s, g);
	long bit;
	int err;

	if (!gd->bg_free_blocks_count)
		return -ENOSPC;
	err = bread(s->bdev, gd->bg_block_bitmap, s->block_size, &bh);
	if (err)
		return err;
	bit = find_zero(bh->data, nbits, start < nbits ? start : 0);
	if (bit < 0 && start)
		bit = find_zero(bh->data, nbits, 0);
	if (bit < 0) {
		ext2_error(s, "group %u: free count %u but a full bitmap", g,
			   gd->bg_free_blocks_count);
		brelse(bh);
		return -ENOSPC;
	}
	*out = s->first_data_block + g * s->blocks_per_group + (uint32_t)bit;
	if (is_group_metadata(s, gd, *out)) {
		ext2_error(s, "group %u: metadata block %u is free in the bitmap", g, *out);
		brelse(bh);
		return -EIO;
	}
	bh->data[bit >> 3] |= (uint8_t)(1U << (bit & 7));
	mark_buffer_dirty(bh);
	brelse(bh);
	count_blocks(s, gd, gbh, -1);
	return 0;
}

int ext2_new_block(struct ext2_sb *s, uint32_t goal, uint32_t *out)
{
	uint32_t g0, start;

	if (s->read_only)
		return -EROFS;
	if (s->es->s_free_blocks_count <= s->es->s_r_blocks_count && current_cred()->euid != 0)
		return -ENOSPC;
	if (!s->es->s_free_blocks_count)
		return -ENOSPC;
	if (!ext2_valid_block(s, goal))
		goal = s->first_data_block;
	g0 = (goal - s->first_data_block) / s->blocks_per_group;
	start = (goal - s->first_data_block) % s->blocks_per_group;
	for (uint32_t i = 0; i < s->groups; i++) {
		int err = take_block(s, (g0 + i) % s->groups, i ? 0 : start, out);

		if (err != -ENOSPC)
			return err;
	}
	return -ENOSPC;
}

void ext2_free_block(struct ext2_sb *s, uint32_t block)
{
	struct buffer_head *gbh, *bh;
	struct ext2_group_desc *gd;
	uint32_t g, bit;

	if (!ext2_valid_block(s, block)) {
		ext2_error(s, "freeing block %u outside the file system", block);
		return;
	}
	g = (block - s->first_data_block) / s->blocks_per_group;
	bit = (block - s->first_data_block) % s->blocks_per_group;
	gd = ext2_group(s, g, &gbh);
	if (is_group_metadata(s, gd, block)) {
		ext2_error(s, "refusing to free metadata block %u", block);
		return;
	}
	if (bread(s->bdev, gd->bg_block_bitmap, s->block_size, &bh))
		return;
	if (!(bh->data[bit >> 3] & (1U << (bit & 7)))) {
		ext2_error(s, "freeing block %u, which is already free", block);
	} else {
		bh->data[bit >> 3] &= (uint8_t)~(1U << (bit & 7));
		mark_buffer_dirty(bh);
		count_blocks(s, gd, gbh, 1);
	}
	brelse(bh);
}

static void count_inodes(struct ext2_sb *s, uint32_t g, int delta, bool dir)
{
	struct buffer_head *gbh;
	struct ext2_group_desc *gd = ext2_group(s, g, &gbh);

	gd->bg_free_inodes_count = (uint16_t)(gd->bg_free_inodes_count + delta);
	if (dir)
		gd->bg_used_dirs_count = (uint16_t)(gd->bg_used_dirs_count - delta);
	s->es->s_free_inodes_count += (uint32_t)delta;
	mark_buffer_dirty(gbh);
	mark_buffer_dirty(s->sbh);
}

/* Directories go to the group with the most free blocks among those with inodes. */
static uint32_t pick_dir_group(struct ext2_sb *s, uint32_t parent)
{
	uint32_t best = parent, best_free = 0;

	for (uint32_t g = 0; g < s->groups; g++) {
		struct buffer_head *gbh;
		struct ext2_group_desc *gd = ext2_group(s, g, &gbh);

		if (gd->bg_free_inodes_count && gd->bg_free_blocks_count > best_free) {
			best = g;
			best_free = gd->bg_free_blocks_count;
		}
	}
	return best;
}

int ext2_alloc_ino(struct ext2_sb *s, uint32_t parent_group, bool dir, uint32_t *out)
{
	uint32_t g0;

	if (!s->es->s_free_inodes_count)
		return -ENOSPC;
	g0 = dir ? pick_dir_group(s, parent_group) : parent_group % s->groups;
	for (uint32_t i = 0; i < s->groups; i++) {
		uint32_t g = (g0 + i) % s->groups, first = g ? 0 : s->first_ino - 1;
		struct buffer_head *gbh, *bh;
		struct ext2_group_desc *gd = ext2_group(s, g, &gbh);
		long bit;

		if (!gd->bg_free_inodes_count)
			continue;
		if (bread(s->bdev, gd->bg_inode_bitmap, s->block_size, &bh))
			return -EIO;
		bit = find_zero(bh->data, s->inodes_per_group, first);
		if (bit >= 0 && (uint64_t)g * s->inodes_per_group + (uint64_t)bit < s->inodes_count) {
			bh->data[bit >> 3] |= (uint8_t)(1U << (bit & 7));
			mark_buffer_dirty(bh);
			brelse(bh);
			count_inodes(s, g, -1, dir);
			*out = g * s->inodes_per_group + (uint32_t)bit + 1;
			return 0;
		}
		brelse(bh);
		ext2_error(s, "group %u: free inode count %u but a full bitmap", g,
			   gd->bg_free_inodes_count);
	}
	return -ENOSPC;
}

void ext2_free_ino(struct ext2_sb *s, uint32_t ino, bool dir)
{
	uint32_t g = (ino - 1) / s->inodes_per_group, bit = (ino - 1) % s->inodes_per_group;
	struct buffer_head *gbh, *bh;
	struct ext2_group_desc *gd;

	if (ino < s->first_ino || ino > s->inodes_count) {
		ext2_error(s, "freeing reserved or invalid inode %u", ino);
		return;
	}
	gd = ext2_group(s, g, &gbh);
	if (bread(s->bdev, gd->bg_inode_bitmap, s->block_size, &bh))
		return;
	if (!(bh->data[bit >> 3] & (1U << (bit & 7)))) {
		ext2_error(s, "freeing inode %u, which is already free", ino);
	} else {
		bh->data[bit >> 3] &= (uint8_t)~(1U << (bit & 7));
		mark_buffer_dirty(bh);
		count_inodes(s, g, 1, dir);
	}
	brelse(bh);
}
