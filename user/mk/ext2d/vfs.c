/*
 * The VFS pieces fs/ext2 calls, with the contracts of fs/inode.c and
 * fs/super.c: an inode is born with one reference and its file system's
 * evict() runs when the last one goes; a super block is a plain record;
 * file system types are registered by name. ext2d has no dentries, file
 * tables or mounts: ops.c holds inodes itself, for as long as the kernel
 * (the ipcfs client) holds their numbers.
 */
#include "shim.h"
#include "lib/string.h"
#include "mm/mm.h"

static LIST_HEAD(fs_types);

struct inode *inode_alloc(struct super_block *sb, uint32_t mode)
{
	const struct cred *cred = current_cred();
	struct inode *ino = kzalloc(sizeof(*ino));

	if (!ino)
		return NULL;
	ino->ino = sb ? sb->next_ino++ : 0;
	ino->mode = mode;
	ino->uid = cred->euid;
	ino->gid = cred->egid;
	ino->nlink = 1;
	ino->refcount = 1;
	ino->sb = sb;
	vfs_timestamp(&ino->atime);
	ino->mtime = ino->atime;
	ino->ctime = ino->atime;
	return ino;
}

void inode_get(struct inode *ino)
{
	ino->refcount++;
}

void inode_put(struct inode *ino)
{
	if (!ino)
		return;
	if (WARN_ON(ino->refcount <= 0))
		return;
	if (--ino->refcount > 0)
		return;
	if (ino->iops && ino->iops->evict)
		ino->iops->evict(ino);
	kfree(ino);
}

struct super_block *sb_alloc(const struct fs_type *type)
{
	struct super_block *sb = kzalloc(sizeof(*sb));

	if (!sb)
		return NULL;
	sb->type = type;
	sb->next_ino = 1;
	sb->refcount = 1;
	return sb;
}

void shim_sb_free(struct super_block *sb)
{
	kfree(sb);
}

int register_filesystem(struct fs_type *type)
{
	if (find_filesystem(type->name))
		return -EEXIST;
	list_add_tail(&type->node, &fs_types);
	return 0;
}

const struct fs_type *find_filesystem(const char *name)
{
	struct fs_type *t;

	list_for_each_entry(t, &fs_types, node) {
		if (!strcmp(t->name, name))
			return t;
	}
	return NULL;
}

/* ext2's file_ops name it; ext2d keeps offsets in each request, never seeks. */
long generic_llseek(struct file *f, int64_t off, int whence)
{
	return -ESPIPE;
}
