/*
 * tmpfs: a file system that lives in memory. This file holds the name
 * side: directories of any size (a list of entries with stable cookies,
 * so readdir positions survive concurrent unlinks), symlinks, hard links,
 * device nodes and FIFOs, nlink bookkeeping and rename. Regular file data
 * is in fs/tmpfs_file.c. devfs is a tmpfs with its own type.
 */
#include "fs/internal.h"
#include "lib/string.h"
#include "mm/mm.h"

struct tmpfs_dirent {
	struct list_head node;
	struct inode *inode;	/* one reference per entry */
	uint64_t cookie;	/* readdir position, increasing along the list */
	size_t len;
	char name[];
};

struct tmpfs_dir {
	struct list_head entries;
	uint64_t next_cookie;
	uint64_t parent_ino;
};

static const struct inode_ops tmpfs_dir_iops;
static const struct inode_ops tmpfs_link_iops;
static const struct inode_ops tmpfs_special_iops;
static const struct file_ops tmpfs_dir_fops;

static void touch(struct inode *ino)
{
	vfs_timestamp(&ino->mtime);
	ino->ctime = ino->mtime;
}

/* A new tmpfs inode of any type (reference owned by the caller). */
static struct inode *tmpfs_new_inode(struct super_block *sb, uint32_t mode, uint32_t rdev)
{
	struct inode *ino = inode_alloc(sb, mode);
	struct tmpfs_dir *dir;

	if (!ino)
		return NULL;
	if (S_ISDIR(mode)) {
		dir = kzalloc(sizeof(*dir));
		if (!dir) {
			kfree(ino);
			return NULL;
		}
		list_init(&dir->entries);
		dir->next_cookie = 2;
		ino->priv = dir;
		ino->nlink = 2;
		ino->iops = &tmpfs_dir_iops;
		ino->fops = &tmpfs_dir_fops;
	} else if (S_ISREG(mode)) {
		ino->iops = &tmpfs_file_iops;
		ino->fops = &tmpfs_file_fops;
	} else if (S_ISLNK(mode)) {
		ino->iops = &tmpfs_link_iops;
	} else {
		ino->iops = &tmpfs_special_iops;
		ino->rdev = rdev;
	}
	return ino;
}

static struct tmpfs_dirent *dir_find(struct inode *dir, const char *name, size_t len)
{
	struct tmpfs_dir *d = dir->priv;
	struct tmpfs_dirent *e;

	list_for_each_entry(e, &d->entries, node) {
		if (e->len == len && !memcmp(e->name, name, len))
			return e;
	}
	return NULL;
}

static struct tmpfs_dirent *dirent_new(const char *name, size_t len, struct inode *ino)
{
	struct tmpfs_dirent *e = kmalloc(sizeof(*e) + len + 1);

	if (!e)
		return NULL;
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->len = len;
	e->inode = ino;
	return e;
}

/* Append @e to @dir with a fresh cookie. */
static void dir_link(struct inode *dir, struct tmpfs_dirent *e)
{
	struct tmpfs_dir *d = dir->priv;

	e->cookie = d->next_cookie++;
	list_add_tail(&e->node, &d->entries);
	if (S_ISDIR(e->inode->mode)) {
		((struct tmpfs_dir *)e->inode->priv)->parent_ino = dir->ino;
		dir->nlink++;
	}
	dir->size++;
	touch(dir);
}

/* Take @e out of @dir and drop the entry's reference to its inode. */
static void dir_unlink(struct inode *dir, struct tmpfs_dirent *e)
{
	struct inode *ino = e->inode;

	list_del(&e->node);
	if (S_ISDIR(ino->mode)) {
		dir->nlink--;
		ino->nlink = 0;
	} else {
		ino->nlink--;
	}
	dir->size--;
	touch(dir);
	ino->ctime = dir->mtime;
	kfree(e);
	inode_put(ino);
}

/* Add a new entry for @ino (taking a reference of its own). */
static int dir_add(struct inode *dir, const char *name, size_t len, struct inode *ino)
{
	struct tmpfs_dirent *e;

	if (dir_find(dir, name, len))
		return -EEXIST;
	e = dirent_new(name, len, ino);
	if (!e)
		return -ENOMEM;
	inode_get(ino);
	dir_link(dir, e);
	return 0;
}

static int tmpfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct tmpfs_dirent *e = dir_find(dir, name, len);

	if (!e)
		return -ENOENT;
	inode_get(e->inode);
	*out = e->inode;
	return 0;
}

static int tmpfs_mknod(struct inode *dir, const char *name, size_t len, uint32_t mode,
		       uint32_t rdev)
{
	struct inode *ino;
	int err;

	if (dir_find(dir, name, len))
		return -EEXIST;
	ino = tmpfs_new_inode(dir->sb, mode, rdev);
	if (!ino)
		return -ENOMEM;
	err = dir_add(dir, name, len, ino);
	inode_put(ino);
	return err;
}

static int tmpfs_create(struct inode *dir, const char *name, size_t len, uint32_t mode,
			struct inode **out)
{
	int err = tmpfs_mknod(dir, name, len, S_IFREG | (mode & 07777), 0);

	return err ? err : tmpfs_lookup(dir, name, len, out);
}

static int tmpfs_mkdir(struct inode *dir, const char *name, size_t len, uint32_t mode)
{
	return tmpfs_mknod(dir, name, len, S_IFDIR | (mode & 07777), 0);
}

static int tmpfs_symlink(struct inode *dir, const char *name, size_t len, const char *target)
{
	size_t tlen = strnlen(target, PATH_MAX);
	struct inode *ino;
	char *copy;
	int err;

	if (tlen >= PATH_MAX)
		return -ENAMETOOLONG;
	if (dir_find(dir, name, len))
		return -EEXIST;
	copy = kmalloc(tlen + 1);
	ino = tmpfs_new_inode(dir->sb, S_IFLNK | 0777, 0);
	if (!copy || !ino) {
		kfree(copy);
		kfree(ino);
		return -ENOMEM;
	}
	memcpy(copy, target, tlen + 1);
	ino->priv = copy;
	ino->size = tlen;
	err = dir_add(dir, name, len, ino);
	inode_put(ino);
	return err;
}

static int tmpfs_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	int err = dir_add(dir, name, len, target);

	if (!err) {
		target->nlink++;
		target->ctime = dir->mtime;
	}
	return err;
}

static int tmpfs_unlink(struct inode *dir, const char *name, size_t len)
{
	struct tmpfs_dirent *e = dir_find(dir, name, len);

	if (!e)
		return -ENOENT;
	if (S_ISDIR(e->inode->mode))
		return -EISDIR;
	dir_unlink(dir, e);
	return 0;
}

static bool dir_empty(struct inode *ino)
{
	return list_empty(&((struct tmpfs_dir *)ino->priv)->entries);
}

static int tmpfs_rmdir(struct inode *dir, const char *name, size_t len)
{
	struct tmpfs_dirent *e = dir_find(dir, name, len);

	if (!e)
		return -ENOENT;
	if (!S_ISDIR(e->inode->mode))
		return -ENOTDIR;
	if (!dir_empty(e->inode))
		return -ENOTEMPTY;
	dir_unlink(dir, e);
	return 0;
}

/*
 * Move an entry, replacing what the new name held. The VFS has checked
 * that both directories are on this file system and that a directory is
 * not moved into itself.
 */
static int tmpfs_rename(struct inode *odir, const char *oname, size_t olen,
			struct inode *ndir, const char *nname, size_t nlen)
{
	struct tmpfs_dirent *oe = dir_find(odir, oname, olen);
	struct tmpfs_dirent *ne = dir_find(ndir, nname, nlen), *e;
	bool isdir;

	if (!oe)
		return -ENOENT;
	isdir = S_ISDIR(oe->inode->mode);
	if (ne) {
		if (ne->inode == oe->inode)
			return 0;
		if (isdir && !S_ISDIR(ne->inode->mode))
			return -ENOTDIR;
		if (!isdir && S_ISDIR(ne->inode->mode))
			return -EISDIR;
		if (isdir && !dir_empty(ne->inode))
			return -ENOTEMPTY;
	}
	e = dirent_new(nname, nlen, oe->inode);
	if (!e)
		return -ENOMEM;
	if (ne)
		dir_unlink(ndir, ne);
	list_del(&oe->node);
	odir->size--;
	if (isdir)
		odir->nlink--;
	touch(odir);
	kfree(oe);
	dir_link(ndir, e);
	e->inode->ctime = ndir->mtime;
	return 0;
}

static int tmpfs_readlink(struct inode *ino, char *buf, size_t size)
{
	size_t n = MIN(size, (size_t)ino->size);

	memcpy(buf, ino->priv, n);
	return (int)n;
}

static void tmpfs_dir_evict(struct inode *ino)
{
	struct tmpfs_dir *d = ino->priv;
	struct tmpfs_dirent *e, *tmp;

	list_for_each_entry_safe(e, tmp, &d->entries, node) {
		list_del(&e->node);
		inode_put(e->inode);
		kfree(e);
	}
	kfree(d);
}

static void tmpfs_link_evict(struct inode *ino)
{
	kfree(ino->priv);
}

static int tmpfs_readdir(struct file *f, struct dirent_sink *sink, filldir_t fill)
{
	struct inode *dir = f->inode;
	struct tmpfs_dir *d = dir->priv;
	struct tmpfs_dirent *e;

	if (f->pos == 0) {
		if (fill(sink, ".", 1, dir->ino, S_IFDIR >> 12, 1))
			return 0;
		f->pos = 1;
	}
	if (f->pos == 1) {
		if (fill(sink, "..", 2, d->parent_ino ? d->parent_ino : dir->ino, S_IFDIR >> 12, 2))
			return 0;
		f->pos = 2;
	}
	list_for_each_entry(e, &d->entries, node) {
		if (e->cookie < f->pos)
			continue;
		if (fill(sink, e->name, e->len, e->inode->ino, (e->inode->mode & S_IFMT) >> 12,
			 e->cookie + 1))
			return 0;
		f->pos = e->cookie + 1;
	}
	return 0;
}

static const struct inode_ops tmpfs_dir_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.mknod = tmpfs_mknod,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.evict = tmpfs_dir_evict,
};

static const struct inode_ops tmpfs_link_iops = {
	.readlink = tmpfs_readlink,
	.evict = tmpfs_link_evict,
};

static const struct inode_ops tmpfs_special_iops = { 0 };

static const struct file_ops tmpfs_dir_fops = {
	.readdir = tmpfs_readdir,
	.llseek = generic_llseek,
};

/* A fresh, empty tmpfs (also the base of devfs). */
struct super_block *tmpfs_create_sb(const struct fs_type *type)
{
	struct super_block *sb = sb_alloc(type);

	if (!sb)
		return NULL;
	sb->root = tmpfs_new_inode(sb, S_IFDIR | 01777, 0);
	if (!sb->root) {
		kfree(sb);
		return NULL;
	}
	((struct tmpfs_dir *)sb->root->priv)->parent_ino = sb->root->ino;
	sb->root->uid = 0;
	sb->root->gid = 0;
	return sb;
}

static int tmpfs_mount(const struct fs_type *type, const char *source, const char *data,
		       struct super_block **out)
{
	*out = tmpfs_create_sb(type);
	return *out ? 0 : -ENOMEM;
}

struct fs_type tmpfs_type = {
	.name = "tmpfs",
	.mount = tmpfs_mount,
	.magic = TMPFS_MAGIC,
};
