/*
 * ext2 inodes: finding one in its group's inode table, turning the disk
 * form into the VFS's struct inode and back, creating and deleting them.
 * Each on-disk inode has at most one in-memory inode while it is in use
 * (the mount's list of live inodes), so hard links share one nlink. The
 * VFS changes attributes (chmod, utimes) in struct inode itself; they
 * reach the disk when the inode is written back: at eviction, fsync, sync
 * and unmount. An inode whose last link went is freed at eviction.
 */
#include "fs/ext2/ext2.h"
#include "lib/string.h"
#include "mm/mm.h"

#define EXT2_XATTR_MAGIC	0xea020000
#define NEW_EXTRA_ISIZE		32		/* what mke2fs gives large inodes */
#define RAW_SIZE(s)		MIN((s)->inode_size, (uint32_t)sizeof(struct ext2_inode))

/* The buffer and the place in it of inode @ino. */
static int inode_loc(struct ext2_sb *s, uint32_t ino, struct buffer_head **bh,
		     struct ext2_inode **raw)
{
	struct buffer_head *gbh;
	struct ext2_group_desc *gd;
	uint64_t off;
	int err;

	if (ino < 1 || ino > s->inodes_count) {
		ext2_error(s, "inode number %u out of range", ino);
		return -EIO;
	}
	gd = ext2_group(s, (ino - 1) / s->inodes_per_group, &gbh);
	off = (uint64_t)((ino - 1) % s->inodes_per_group) * s->inode_size;
	err = bread(s->bdev, gd->bg_inode_table + off / s->block_size, s->block_size, bh);
	if (err)
		return err;
	*raw = (struct ext2_inode *)((*bh)->data + off % s->block_size);
	return 0;
}

static bool has_extra_times(struct ext2_sb *s, const struct ext2_inode *raw)
{
	return s->inode_size > EXT2_GOOD_OLD_INODE_SIZE &&
	       raw->i_extra_isize >= EXT2_INODE_EXTRA_TIMES &&
	       raw->i_extra_isize <= s->inode_size - EXT2_GOOD_OLD_INODE_SIZE;
}

static void decode_time(struct timespec64 *ts, uint32_t sec, uint32_t extra, bool has_extra)
{
	ts->sec = (int32_t)sec;
	ts->nsec = 0;
	if (has_extra) {
		ts->sec += (int64_t)(extra & 3) << 32;
		ts->nsec = MIN(extra >> 2, 999999999U);
	}
}

static uint32_t encode_extra(const struct timespec64 *ts)
{
	return (uint32_t)(((ts->sec - (int32_t)ts->sec) >> 32) & 3) | (uint32_t)(ts->nsec << 2);
}

void ext2_set_ops(struct inode *ino)
{
	if (S_ISDIR(ino->mode)) {
		ino->iops = &ext2_dir_iops;
		ino->fops = &ext2_dir_fops;
	} else if (S_ISREG(ino->mode)) {
		ino->iops = &ext2_file_iops;
		ino->fops = &ext2_file_fops;
	} else if (S_ISLNK(ino->mode)) {
		ino->iops = &ext2_symlink_iops;
	} else {
		ino->iops = &ext2_special_iops;
	}
}

static int fill_inode(struct ext2_sb *s, struct inode *ino, const struct ext2_inode *raw)
{
	struct ext2_inode_info *info = EXT2_I(ino);
	bool extra = has_extra_times(s, raw);

	switch (raw->i_mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR:
	case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		break;
	default:
		ext2_error(s, "inode %lu has an invalid mode %#o", (unsigned long)ino->ino,
			   raw->i_mode);
		return -EIO;
	}
	if (!raw->i_links_count) {
		ext2_error(s, "inode %lu is deleted but still named", (unsigned long)ino->ino);
		return -EIO;
	}
	ino->mode = raw->i_mode;
	ino->uid = raw->i_uid | (uint32_t)raw->i_uid_high << 16;
	ino->gid = raw->i_gid | (uint32_t)raw->i_gid_high << 16;
	ino->nlink = raw->i_links_count;
	ino->size = raw->i_size;
	if (S_ISREG(ino->mode))
		ino->size |= (uint64_t)raw->i_size_high << 32;
	decode_time(&ino->atime, raw->i_atime, raw->i_atime_extra, extra);
	decode_time(&ino->mtime, raw->i_mtime, raw->i_mtime_extra, extra);
	decode_time(&ino->ctime, raw->i_ctime, raw->i_ctime_extra, extra);
	memcpy(info->block, raw->i_block, sizeof(info->block));
	info->flags = raw->i_flags;
	info->file_acl = raw->i_file_acl;
	info->generation = raw->i_generation;
	info->dtime = raw->i_dtime;
	info->blocks = raw->i_blocks;
	if (S_ISCHR(ino->mode) || S_ISBLK(ino->mode)) {
		uint32_t old = raw->i_block[0];

		ino->rdev = old ? MKDEV((old >> 8) & 0xff, old & 0xff) : raw->i_block[1];
	}
	ext2_set_ops(ino);
	return 0;
}

static struct inode *new_vfs_inode(struct ext2_sb *s, uint32_t ino, uint32_t mode)
{
	struct inode *vi = inode_alloc(s->vsb, mode);
	struct ext2_inode_info *info = kzalloc(sizeof(*info));

	if (!vi || !info) {
		kfree(vi);
		kfree(info);
		return NULL;
	}
	vi->ino = ino;
	vi->priv = info;
	info->vfs = vi;
	info->s = s;
	return vi;
}

int ext2_iget(struct ext2_sb *s, uint32_t ino, struct inode **out)
{
	struct ext2_inode_info *info;
	struct buffer_head *bh;
	struct ext2_inode *raw;
	struct inode *vi;
	int err;

	list_for_each_entry(info, &s->inodes, node) {
		if (info->vfs->ino == ino) {
			inode_get(info->vfs);
			*out = info->vfs;
			return 0;
		}
	}
	if (ino != EXT2_ROOT_INO && ino < s->first_ino) {
		ext2_error(s, "reserved inode %u is named in a directory", ino);
		return -EIO;
	}
	err = inode_loc(s, ino, &bh, &raw);
	if (err)
		return err;
	vi = new_vfs_inode(s, ino, 0);
	err = vi ? fill_inode(s, vi, raw) : -ENOMEM;
	brelse(bh);
	if (err) {
		if (vi) {
			kfree(vi->priv);
			kfree(vi);
		}
		return err;
	}
	list_add(&EXT2_I(vi)->node, &s->inodes);
	*out = vi;
	return 0;
}

/* Put @ino's in-memory state into its on-disk inode; dirty the block if it changed. */
int ext2_write_inode(struct inode *ino)
{
	struct ext2_inode_info *info = EXT2_I(ino);
	struct ext2_sb *s = info->s;
	struct buffer_head *bh;
	struct ext2_inode *raw, n;
	int err;

	if (s->read_only)
		return 0;
	err = inode_loc(s, (uint32_t)ino->ino, &bh, &raw);
	if (err)
		return err;
	memset(&n, 0, sizeof(n));
	memcpy(&n, raw, RAW_SIZE(s));
	n.i_mode = (uint16_t)ino->mode;
	n.i_uid = (uint16_t)ino->uid;
	n.i_uid_high = (uint16_t)(ino->uid >> 16);
	n.i_gid = (uint16_t)ino->gid;
	n.i_gid_high = (uint16_t)(ino->gid >> 16);
	n.i_links_count = (uint16_t)ino->nlink;
	n.i_size = (uint32_t)ino->size;
	if (S_ISREG(ino->mode))
		n.i_size_high = (uint32_t)(ino->size >> 32);
	n.i_atime = (uint32_t)ino->atime.sec;
	n.i_mtime = (uint32_t)ino->mtime.sec;
	n.i_ctime = (uint32_t)ino->ctime.sec;
	n.i_dtime = info->dtime;
	n.i_blocks = (uint32_t)info->blocks;
	n.i_flags = info->flags;
	n.i_file_acl = info->file_acl;
	n.i_generation = info->generation;
	if (S_ISCHR(ino->mode) || S_ISBLK(ino->mode)) {
		memset(n.i_block, 0, sizeof(n.i_block));
		if (MAJOR(ino->rdev) < 256 && MINOR(ino->rdev) < 256)
			n.i_block[0] = MAJOR(ino->rdev) << 8 | MINOR(ino->rdev);
		else
			n.i_block[1] = ino->rdev;
	} else {
		memcpy(n.i_block, info->block, sizeof(n.i_block));
	}
	if (has_extra_times(s, &n)) {
		n.i_atime_extra = encode_extra(&ino->atime);
		n.i_mtime_extra = encode_extra(&ino->mtime);
		n.i_ctime_extra = encode_extra(&ino->ctime);
	}
	if (ino->size >= (1ULL << 31) &&
	    !(s->es->s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
		s->es->s_feature_ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
		if (!s->es->s_rev_level)
			s->es->s_rev_level = 1;		/* features need revision 1 */
		mark_buffer_dirty(s->sbh);
	}
	if (memcmp(&n, raw, RAW_SIZE(s))) {
		memcpy(raw, &n, RAW_SIZE(s));
		mark_buffer_dirty(bh);
	}
	brelse(bh);
	return 0;
}

void ext2_write_all_inodes(struct ext2_sb *s)
{
	struct ext2_inode_info *info;

	list_for_each_entry(info, &s->inodes, node)
		ext2_write_inode(info->vfs);
}

void ext2_touch(struct inode *ino)
{
	vfs_timestamp(&ino->mtime);
	ino->ctime = ino->mtime;
}

/* A new inode in the on-disk tables, near @dir, with one reference for the caller. */
int ext2_new_inode(struct inode *dir, uint32_t mode, struct inode **out)
{
	struct ext2_sb *s = EXT2_I(dir)->s;
	struct buffer_head *bh;
	struct ext2_inode *raw;
	struct inode *vi;
	uint32_t ino;
	int err;

	if (s->read_only)
		return -EROFS;
	err = ext2_alloc_ino(s, (uint32_t)(dir->ino - 1) / s->inodes_per_group, S_ISDIR(mode),
			     &ino);
	if (err)
		return err;
	err = inode_loc(s, ino, &bh, &raw);
	if (err)
		goto out_free;
	memset(raw, 0, s->inode_size);
	if (s->inode_size >= EXT2_GOOD_OLD_INODE_SIZE + NEW_EXTRA_ISIZE)
		raw->i_extra_isize = NEW_EXTRA_ISIZE;
	mark_buffer_dirty(bh);
	brelse(bh);
	err = -ENOMEM;
	vi = new_vfs_inode(s, ino, mode);
	if (!vi)
		goto out_free;
	if (dir->mode & S_ISGID) {
		vi->gid = dir->gid;
		if (S_ISDIR(mode))
			vi->mode |= S_ISGID;
	}
	EXT2_I(vi)->generation = (uint32_t)ktime_ns();
	EXT2_I(vi)->goal = ((struct ext2_inode_info *)dir->priv)->goal;
	ext2_set_ops(vi);
	list_add(&EXT2_I(vi)->node, &s->inodes);
	ext2_write_inode(vi);
	*out = vi;
	return 0;

out_free:
	ext2_free_ino(s, ino, S_ISDIR(mode));
	return err;
}

/* Drop a deleted inode's extended-attribute block reference. */
static void release_xattr(struct ext2_sb *s, struct ext2_inode_info *info)
{
	struct buffer_head *bh;
	uint32_t *hdr;

	if (!info->file_acl)
		return;
	if (!ext2_valid_block(s, info->file_acl) ||
	    bread(s->bdev, info->file_acl, s->block_size, &bh)) {
		ext2_error(s, "inode %lu: bad xattr block %u", (unsigned long)info->vfs->ino,
			   info->file_acl);
		return;
	}
	hdr = (uint32_t *)bh->data;
	if (hdr[0] != EXT2_XATTR_MAGIC) {
		ext2_error(s, "xattr block %u has a bad magic number", info->file_acl);
	} else if (hdr[1] > 1) {
		hdr[1]--;
		mark_buffer_dirty(bh);
	} else {
		ext2_free_block(s, info->file_acl);
	}
	brelse(bh);
	info->blocks -= MIN(info->blocks, (uint64_t)(s->block_size / SECTOR_SIZE));
	info->file_acl = 0;
}

/* Does i_block hold block numbers (not a fast symlink's text or a device number)? */
static bool has_blocks(struct ext2_sb *s, struct inode *ino)
{
	struct ext2_inode_info *info = EXT2_I(ino);
	uint64_t acl = info->file_acl ? s->block_size / SECTOR_SIZE : 0;

	if (S_ISLNK(ino->mode))
		return info->blocks > acl;
	return S_ISREG(ino->mode) || S_ISDIR(ino->mode);
}

/* The VFS dropped the last reference: free a deleted inode, else write it. */
void ext2_evict(struct inode *ino)
{
	struct ext2_inode_info *info = EXT2_I(ino);
	struct ext2_sb *s;
	bool unmount;

	if (!info)
		return;
	s = info->s;
	unmount = s->root == ino;
	ext2_lock(s);
	if (!ino->nlink && !s->read_only && !unmount) {
		if (has_blocks(s, ino))
			ext2_truncate_blocks(ino, 0);
		release_xattr(s, info);
		ino->size = 0;
		info->dtime = (uint32_t)ino->ctime.sec ? (uint32_t)ino->ctime.sec : 1;
		ext2_write_inode(ino);
		ext2_free_ino(s, (uint32_t)ino->ino, S_ISDIR(ino->mode));
	} else {
		ext2_write_inode(ino);
	}
	list_del(&info->node);
	kfree(info);
	ino->priv = NULL;
	ext2_unlock(s);
	if (unmount)
		ext2_put_super(s);
}

const struct inode_ops ext2_special_iops = {
	.evict = ext2_evict,
};
