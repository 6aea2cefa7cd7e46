/*
 * ext2 name operations, the inode_ops of directories and symlinks:
 * create, mknod, mkdir, symlink (fast ones inside i_block, slow ones in a
 * block), hard links, unlink, rmdir and rename, each keeping the link
 * counts e2fsck checks (a directory has one link from its parent, one
 * from its "." and one from each subdirectory's ".."). The VFS has done
 * the permission and type checks; these run under the mount's lock and
 * leave freeing an unlinked inode to its eviction.
 */
#include "fs/ext2/ext2.h"
#include "lib/string.h"

static int start(struct inode *dir, size_t len)
{
	struct ext2_sb *s = EXT2_I(dir)->s;

	if (s->read_only)
		return -EROFS;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	ext2_lock(s);
	return 0;
}

static int finish(struct inode *dir, int err)
{
	ext2_unlock(EXT2_I(dir)->s);
	return err;
}

/* A new inode named @name in @dir; *out gets the caller's reference. */
static int make_node(struct inode *dir, const char *name, size_t len, uint32_t mode,
		     uint32_t rdev, struct inode **out)
{
	struct inode *ino;
	uint32_t old;
	int err = ext2_find_entry(dir, name, len, &old);

	if (err != -ENOENT)
		return err ? err : -EEXIST;
	err = ext2_new_inode(dir, mode, &ino);
	if (err)
		return err;
	ino->rdev = rdev;
	if (S_ISDIR(mode)) {
		err = dir->nlink >= EXT2_LINK_MAX ? -EMLINK : ext2_make_dir(ino, dir);
		ino->nlink = 2;
	}
	if (!err)
		err = ext2_add_entry(dir, name, len, ino);
	if (err) {
		ino->nlink = 0;		/* eviction frees it */
		inode_put(ino);
		return err;
	}
	if (S_ISDIR(mode))
		dir->nlink++;
	ext2_write_inode(ino);
	ext2_write_inode(dir);
	*out = ino;
	return 0;
}

static int ext2_create(struct inode *dir, const char *name, size_t len, uint32_t mode,
		       struct inode **out)
{
	int err = start(dir, len);

	if (err)
		return err;
	return finish(dir, make_node(dir, name, len, S_IFREG | (mode & 07777), 0, out));
}

static int ext2_mknod(struct inode *dir, const char *name, size_t len, uint32_t mode,
		      uint32_t rdev)
{
	struct inode *ino;
	int err = start(dir, len);

	if (err)
		return err;
	err = make_node(dir, name, len, mode, rdev, &ino);
	if (!err)
		inode_put(ino);
	return finish(dir, err);
}

static int ext2_mkdir(struct inode *dir, const char *name, size_t len, uint32_t mode)
{
	return ext2_mknod(dir, name, len, S_IFDIR | (mode & 07777), 0);
}

static int ext2_symlink(struct inode *dir, const char *name, size_t len, const char *target)
{
	struct ext2_sb *s = EXT2_I(dir)->s;
	size_t tlen = strnlen(target, PATH_MAX);
	struct buffer_head *bh;
	struct inode *ino;
	uint32_t pb;
	int err;

	if (tlen >= s->block_size)
		return -ENAMETOOLONG;
	err = start(dir, len);
	if (err)
		return err;
	err = make_node(dir, name, len, S_IFLNK | 0777, 0, &ino);
	if (err)
		return finish(dir, err);
	if (tlen < EXT2_FAST_LINK_MAX) {
		memcpy(EXT2_I(ino)->block, target, tlen);
	} else {
		err = ext2_bmap(ino, 0, true, &pb, NULL);
		if (!err)
			err = bget(s->bdev, pb, s->block_size, &bh);
		if (!err) {
			memset(bh->data, 0, s->block_size);
			memcpy(bh->data, target, tlen);
			mark_buffer_dirty(bh);
			brelse(bh);
		}
	}
	if (err) {
		ext2_remove_entry(dir, name, len);
		ino->nlink = 0;
	} else {
		ino->size = tlen;
		ext2_write_inode(ino);
	}
	inode_put(ino);
	return finish(dir, err);
}

static int ext2_readlink(struct inode *ino, char *buf, size_t size)
{
	struct ext2_sb *s = EXT2_I(ino)->s;
	struct ext2_inode_info *info = EXT2_I(ino);
	uint64_t acl = info->file_acl ? s->block_size / SECTOR_SIZE : 0;
	size_t n = (size_t)MIN((uint64_t)size, ino->size);
	struct buffer_head *bh;
	uint32_t pb;
	int err = 0;

	ext2_lock(s);
	if (info->blocks <= acl) {		/* fast: the target is in i_block */
		if (ino->size >= EXT2_FAST_LINK_MAX)
			err = -EIO;
		else
			memcpy(buf, info->block, n);
	} else if (ino->size >= s->block_size) {
		err = -EIO;
	} else if (!(err = ext2_bmap(ino, 0, false, &pb, NULL))) {
		err = pb ? bread(s->bdev, pb, s->block_size, &bh) : -EIO;
		if (!err) {
			memcpy(buf, bh->data, n);
			brelse(bh);
		}
	}
	if (err)
		ext2_error(s, "symlink %lu is damaged", (unsigned long)ino->ino);
	ext2_unlock(s);
	return err ? err : (int)n;
}

static int ext2_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	int err = start(dir, len);

	if (err)
		return err;
	if (target->nlink >= EXT2_LINK_MAX)
		return finish(dir, -EMLINK);
	err = ext2_add_entry(dir, name, len, target);
	if (!err) {
		target->nlink++;
		target->ctime = dir->mtime;
		ext2_write_inode(target);
		ext2_write_inode(dir);
	}
	return finish(dir, err);
}

/* Look up @name in @dir for removal: a reference to its inode. */
static int victim(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	uint32_t ino;
	int err = ext2_find_entry(dir, name, len, &ino);

	return err ? err : ext2_iget(EXT2_I(dir)->s, ino, out);
}

static void drop_link(struct inode *dir, struct inode *ino)
{
	if (S_ISDIR(ino->mode)) {
		ino->nlink = 0;
		if (dir->nlink > 1)
			dir->nlink--;
	} else if (ino->nlink) {
		ino->nlink--;
	}
	ino->ctime = dir->mtime;
	ext2_write_inode(ino);
	ext2_write_inode(dir);
}

static int ext2_unlink(struct inode *dir, const char *name, size_t len)
{
	struct inode *ino;
	int err = start(dir, len);

	if (err)
		return err;
	err = victim(dir, name, len, &ino);
	if (err)
		return finish(dir, err);
	err = S_ISDIR(ino->mode) ? -EISDIR : ext2_remove_entry(dir, name, len);
	if (!err)
		drop_link(dir, ino);
	inode_put(ino);
	return finish(dir, err);
}

static int ext2_rmdir(struct inode *dir, const char *name, size_t len)
{
	struct inode *ino;
	int err = start(dir, len);

	if (err)
		return err;
	err = victim(dir, name, len, &ino);
	if (err)
		return finish(dir, err);
	if (!S_ISDIR(ino->mode))
		err = -ENOTDIR;
	else if ((err = ext2_dir_empty(ino)) >= 0)
		err = err ? 0 : -ENOTEMPTY;
	if (!err)
		err = ext2_remove_entry(dir, name, len);
	if (!err)
		drop_link(dir, ino);
	inode_put(ino);
	return finish(dir, err);
}

/* Put @src under @nname in @ndir, replacing @tgt if there is one. */
static int do_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		     const char *nname, size_t nlen, struct inode *src, struct inode *tgt)
{
	bool isdir = S_ISDIR(src->mode);
	int err;

	if (tgt) {
		if (S_ISDIR(tgt->mode) && (err = ext2_dir_empty(tgt)) <= 0)
			return err ? err : -ENOTEMPTY;
		err = ext2_set_entry(ndir, nname, nlen, src);
		if (!err)
			drop_link(ndir, tgt);
	} else if (isdir && odir != ndir && ndir->nlink >= EXT2_LINK_MAX) {
		err = -EMLINK;
	} else {
		err = ext2_add_entry(ndir, nname, nlen, src);
	}
	if (err)
		return err;
	err = ext2_remove_entry(odir, oname, olen);
	if (!err && isdir && odir != ndir) {
		err = ext2_set_entry(src, "..", 2, ndir);
		odir->nlink--;
		ndir->nlink++;
	}
	src->ctime = ndir->mtime;
	ext2_write_inode(src);
	ext2_write_inode(odir);
	ext2_write_inode(ndir);
	return err;
}

static int ext2_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		       const char *nname, size_t nlen)
{
	struct inode *src, *tgt = NULL;
	int err = start(odir, MAX(olen, nlen));

	if (err)
		return err;
	err = victim(odir, oname, olen, &src);
	if (err)
		return finish(odir, err);
	err = victim(ndir, nname, nlen, &tgt);
	if (err == -ENOENT)
		err = 0;
	if (!err && tgt != src)
		err = do_rename(odir, oname, olen, ndir, nname, nlen, src, tgt);
	inode_put(tgt);
	inode_put(src);
	return finish(odir, err);
}

const struct inode_ops ext2_dir_iops = {
	.lookup = ext2_lookup,
	.create = ext2_create,
	.mkdir = ext2_mkdir,
	.mknod = ext2_mknod,
	.unlink = ext2_unlink,
	.rmdir = ext2_rmdir,
	.rename = ext2_rename,
	.symlink = ext2_symlink,
	.link = ext2_link,
	.evict = ext2_evict,
};

const struct inode_ops ext2_symlink_iops = {
	.readlink = ext2_readlink,
	.evict = ext2_evict,
};
