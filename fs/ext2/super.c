/*
 * ext2 mounting: find the block device, read and check the superblock
 * and every group descriptor, refuse what this driver cannot handle (an
 * incompatible feature, a bad geometry) with one clear line, and keep the
 * superblock and descriptor blocks pinned in the buffer cache while
 * mounted. Also the per-mount lock, sync (write inodes, then the cache)
 * and unmount, which happens when the VFS drops the root inode.
 */
#define pr_fmt(fmt) "ext2: " fmt

#include <stdarg.h>
#include "fs/ext2/ext2.h"
#include "kernel/sched.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

#define EXT2_MAGIC_STATFS	0xef53

static uint32_t now_sec(void)
{
	struct timespec64 ts;

	vfs_timestamp(&ts);
	return (uint32_t)ts.sec;
}

void ext2_error(struct ext2_sb *s, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("%s: %s\n", s->name, msg);
}

/* One holder at a time; the holder may take it again (evict inside unlink). */
void ext2_lock(struct ext2_sb *s)
{
	if (s->owner == current) {
		s->depth++;
		return;
	}
	wait_event(s->lock_wq, s->owner == NULL);
	s->owner = current;
	s->depth = 1;
}

void ext2_unlock(struct ext2_sb *s)
{
	if (--s->depth == 0) {
		s->owner = NULL;
		wake_up(&s->lock_wq);
	}
}

/* Is @block inside the file system (not the boot area, not past the end)? */
bool ext2_valid_block(struct ext2_sb *s, uint64_t block)
{
	return block >= s->first_data_block && block < s->blocks_count;
}

/* Group @group's descriptor (checked at mount); *bh is its pinned buffer. */
struct ext2_group_desc *ext2_group(struct ext2_sb *s, uint32_t group, struct buffer_head **bh)
{
	*bh = s->gdh[group / s->desc_per_block];
	return (struct ext2_group_desc *)(*bh)->data + group % s->desc_per_block;
}

/* A group's bitmaps and inode table lie inside the group and the file system. */
static int check_group(struct ext2_sb *s, uint32_t g)
{
	struct buffer_head *bh;
	struct ext2_group_desc *gd = ext2_group(s, g, &bh);
	uint64_t first = s->first_data_block + (uint64_t)g * s->blocks_per_group;
	uint64_t last = MIN(first + s->blocks_per_group, (uint64_t)s->blocks_count) - 1;

	if (gd->bg_block_bitmap < first || gd->bg_block_bitmap > last ||
	    gd->bg_inode_bitmap < first || gd->bg_inode_bitmap > last ||
	    gd->bg_inode_table < first ||
	    (uint64_t)gd->bg_inode_table + s->itable_blocks - 1 > last) {
		ext2_error(s, "group %u: bitmaps or inode table outside the group", g);
		return -EINVAL;
	}
	if (gd->bg_free_blocks_count > s->blocks_per_group ||
	    gd->bg_free_inodes_count > s->inodes_per_group ||
	    gd->bg_used_dirs_count > s->inodes_per_group) {
		ext2_error(s, "group %u: impossible free counts", g);
		return -EINVAL;
	}
	return 0;
}

/* Check the superblock's numbers and derive the geometry from them. */
static int check_super(struct ext2_sb *s, const struct ext2_super *es)
{
	uint64_t dev_blocks;

	if (es->s_magic != EXT2_SUPER_MAGIC) {
		pr_err("%s: not an ext2 file system (magic %#x)\n", s->name, es->s_magic);
		return -EINVAL;
	}
	if (es->s_log_block_size > 2) {
		ext2_error(s, "block size %u KiB is not supported (1-4 KiB)",
			   es->s_log_block_size < 20 ? 1U << es->s_log_block_size : 0);
		return -EINVAL;
	}
	s->block_size = 1024U << es->s_log_block_size;
	s->addr_per_block = s->block_size / 4;
	s->desc_per_block = s->block_size / sizeof(struct ext2_group_desc);
	if (es->s_rev_level == 0) {
		s->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		s->first_ino = EXT2_GOOD_OLD_FIRST_INO;
	} else if (es->s_rev_level == 1) {
		s->inode_size = es->s_inode_size;
		s->first_ino = es->s_first_ino;
		if (es->s_feature_incompat & ~EXT2_INCOMPAT_SUPP) {
			ext2_error(s, "unsupported incompatible features %#x: not mounted",
				   es->s_feature_incompat & ~EXT2_INCOMPAT_SUPP);
			return -EINVAL;
		}
		if (es->s_feature_ro_compat & ~EXT2_RO_COMPAT_SUPP) {
			ext2_error(s, "unsupported read-only features %#x: mounted read-only",
				   es->s_feature_ro_compat & ~EXT2_RO_COMPAT_SUPP);
			s->read_only = true;
		}
		s->filetype = es->s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE;
	} else {
		ext2_error(s, "revision %u is not supported", es->s_rev_level);
		return -EINVAL;
	}
	s->blocks_per_group = es->s_blocks_per_group;
	s->inodes_per_group = es->s_inodes_per_group;
	s->blocks_count = es->s_blocks_count;
	s->inodes_count = es->s_inodes_count;
	s->first_data_block = es->s_first_data_block;
	if (s->inode_size < EXT2_GOOD_OLD_INODE_SIZE || s->inode_size > s->block_size ||
	    (s->inode_size & (s->inode_size - 1)) ||
	    s->first_ino < EXT2_GOOD_OLD_FIRST_INO || s->first_ino >= s->inodes_count ||
	    !s->blocks_per_group || s->blocks_per_group > 8 * s->block_size ||
	    !s->inodes_per_group || s->inodes_per_group > 8 * s->block_size ||
	    s->first_data_block != (s->block_size == 1024 ? 1U : 0U) ||
	    s->blocks_count <= s->first_data_block) {
		ext2_error(s, "inconsistent superblock geometry");
		return -EINVAL;
	}
	s->groups = (s->blocks_count - s->first_data_block + s->blocks_per_group - 1) /
		    s->blocks_per_group;
	s->itable_blocks = (uint32_t)(((uint64_t)s->inodes_per_group * s->inode_size +
				       s->block_size - 1) / s->block_size);
	if ((uint64_t)s->groups * s->inodes_per_group < s->inodes_count ||
	    s->inodes_count < EXT2_ROOT_INO ||
	    s->groups > (s->blocks_count - s->first_data_block) / s->desc_per_block + 1) {
		ext2_error(s, "inconsistent superblock counts");
		return -EINVAL;
	}
	dev_blocks = s->bdev->nr_sectors / (s->block_size / SECTOR_SIZE);
	if (s->blocks_count > dev_blocks) {
		ext2_error(s, "file system (%u blocks) is larger than the device (%lu)",
			   s->blocks_count, (unsigned long)dev_blocks);
		return -EINVAL;
	}
	return 0;
}

/* Pin the superblock and group descriptor blocks and check every group. */
static int load_groups(struct ext2_sb *s)
{
	uint32_t sb_block = EXT2_SUPER_OFFSET / s->block_size;
	uint32_t nblocks = (s->groups + s->desc_per_block - 1) / s->desc_per_block;
	int err = bread(s->bdev, sb_block, s->block_size, &s->sbh);

	if (err)
		return err;
	s->es = (struct ext2_super *)(s->sbh->data + EXT2_SUPER_OFFSET % s->block_size);
	s->gdh = kzalloc(nblocks * sizeof(*s->gdh));
	if (!s->gdh)
		return -ENOMEM;
	for (uint32_t i = 0; i < nblocks; i++) {
		err = bread(s->bdev, s->first_data_block + 1 + i, s->block_size, &s->gdh[i]);
		if (err)
			return err;
	}
	for (uint32_t g = 0; g < s->groups; g++)
		if (check_group(s, g))
			return -EINVAL;
	return 0;
}

static void free_sb(struct ext2_sb *s)
{
	uint32_t nblocks = s->gdh ? (s->groups + s->desc_per_block - 1) / s->desc_per_block : 0;

	if (s->gdh)
		for (uint32_t i = 0; i < nblocks; i++)
			brelse(s->gdh[i]);
	kfree(s->gdh);
	brelse(s->sbh);
	bdev_invalidate(s->bdev);
	s->bdev->mounted--;
	kfree(s);
}

/* Read the superblock with a plain request: the block size is not known yet. */
static int read_super(struct ext2_sb *s)
{
	struct ext2_super *es = kmalloc(1024);
	int err;

	if (!es)
		return -ENOMEM;
	err = blk_rw(s->bdev, BLK_READ, EXT2_SUPER_OFFSET / SECTOR_SIZE, es, 2);
	if (err)
		ext2_error(s, "cannot read the superblock: error %d", err);
	else
		err = check_super(s, es);
	kfree(es);
	return err;
}

static int ext2_mount(const struct fs_type *type, const char *source, const char *data,
		      struct super_block **out)
{
	struct block_device *bdev;
	struct ext2_sb *s;
	struct inode *root;
	int err = blkdev_lookup_path(source, &bdev);

	if (err)
		return err;
	if (bdev->mounted)
		return -EBUSY;
	s = kzalloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	bdev->mounted++;
	s->bdev = bdev;
	s->name = bdev->name;
	s->read_only = bdev->read_only;
	list_init(&s->inodes);
	wait_queue_init(&s->lock_wq);
	err = read_super(s);
	if (!err)
		err = load_groups(s);
	if (err)
		goto out_free;
	s->vsb = sb_alloc(type);
	if (!s->vsb) {
		err = -ENOMEM;
		goto out_free;
	}
	s->vsb->priv = s;
	s->vsb->dev = bdev->rdev;
	err = ext2_iget(s, EXT2_ROOT_INO, &root);
	if (!err && !S_ISDIR(root->mode)) {
		ext2_error(s, "the root inode is not a directory");
		inode_put(root);
		err = -EINVAL;
	}
	if (err) {
		kfree(s->vsb);
		goto out_free;
	}
	s->vsb->root = root;
	s->root = root;
	if (!(s->es->s_state & EXT2_VALID_FS))
		pr_warn("%s: mounting a file system that was not cleanly unmounted: run e2fsck\n",
			s->name);
	if (!s->read_only) {
		s->es->s_state &= (uint16_t)~EXT2_VALID_FS;
		s->es->s_mnt_count++;
		s->es->s_mtime = now_sec();
		mark_buffer_dirty(s->sbh);
	}
	s->hook.fn = ext2_sync_fs;
	s->hook.arg = s;
	sync_hook_add(&s->hook);
	pr_info("%s: mounted ext2 (%u-byte blocks, %u groups, %u free blocks)%s\n", s->name,
		s->block_size, s->groups, s->es->s_free_blocks_count,
		s->read_only ? " read-only" : "");
	*out = s->vsb;
	return 0;

out_free:
	free_sb(s);
	return err;
}

/* Write every live inode and the superblock into the buffer cache. */
void ext2_sync_fs(void *arg)
{
	struct ext2_sb *s = arg;

	if (s->read_only)
		return;
	ext2_lock(s);
	ext2_write_all_inodes(s);
	s->es->s_wtime = now_sec();
	mark_buffer_dirty(s->sbh);
	ext2_unlock(s);
}

/* The root inode is going: the VFS is unmounting. Write back and let go. */
void ext2_put_super(struct ext2_sb *s)
{
	sync_hook_del(&s->hook);
	if (!s->read_only) {
		ext2_write_all_inodes(s);
		s->es->s_state |= EXT2_VALID_FS;
		s->es->s_wtime = now_sec();
		mark_buffer_dirty(s->sbh);
		if (bdev_sync(s->bdev))
			ext2_error(s, "writing back at unmount failed");
	}
	pr_info("%s: unmounted\n", s->name);
	free_sb(s);
}

static struct fs_type ext2_type = {
	.name = "ext2",
	.mount = ext2_mount,
	.magic = EXT2_MAGIC_STATFS,
};

static int ext2_init(void)
{
	return register_filesystem(&ext2_type);
}
device_initcall(ext2_init);
