/*
 * devfs: the character device table and the file system mounted on /dev.
 * A driver calls devfs_register() with a name, a device number and its
 * file_ops; the number goes into the table (any device node with that
 * number, in any file system, opens the driver) and a node appears in
 * the single devfs instance, which every devtmpfs mount shows.
 */
#include "fs/internal.h"
#include "lib/string.h"
#include "mm/mm.h"

static LIST_HEAD(chrdevs);
static struct super_block *devfs_sb;

/* Bind device number @rdev to a driver; -EBUSY if it is taken. */
int chrdev_add(uint32_t rdev, const struct file_ops *fops, void *priv)
{
	struct chrdev *cd;

	if (chrdev_find(rdev))
		return -EBUSY;
	cd = kzalloc(sizeof(*cd));
	if (!cd)
		return -ENOMEM;
	cd->rdev = rdev;
	cd->fops = fops;
	cd->priv = priv;
	list_add_tail(&cd->node, &chrdevs);
	return 0;
}

/* The driver behind device number @rdev, or NULL. */
struct chrdev *chrdev_find(uint32_t rdev)
{
	struct chrdev *cd;

	list_for_each_entry(cd, &chrdevs, node) {
		if (cd->rdev == rdev)
			return cd;
	}
	return NULL;
}

/* The devfs super block, made on first use (drivers may register early). */
static struct super_block *devfs_get_sb(void)
{
	if (!devfs_sb) {
		devfs_sb = tmpfs_create_sb(&devfs_type);
		if (devfs_sb)
			devfs_sb->root->mode = S_IFDIR | 0755;
	}
	return devfs_sb;
}

int devfs_register(const char *name, uint32_t mode, uint32_t rdev,
		   const struct file_ops *fops, void *priv)
{
	struct super_block *sb = devfs_get_sb();
	size_t len = strnlen(name, NAME_MAX + 1);
	struct inode *root, *ino;
	int err;

	if (!sb)
		return -ENOMEM;
	if (!len || len > NAME_MAX || strchr(name, '/'))
		return -EINVAL;
	err = chrdev_add(rdev, fops, priv);
	if (err) {
		pr_err("devfs: %s: device %u:%u is already registered\n", name, MAJOR(rdev),
		       MINOR(rdev));
		return err;
	}
	root = sb->root;
	err = root->iops->mknod(root, name, len, S_IFCHR | (mode & 07777), rdev);
	if (err) {
		pr_err("devfs: cannot create /dev/%s: error %d\n", name, err);
		return err;
	}
	if (!root->iops->lookup(root, name, len, &ino)) {
		ino->uid = 0;
		ino->gid = 0;
		inode_put(ino);
	}
	return 0;
}

static int devfs_mount(const struct fs_type *type, const char *source, const char *data,
		       struct super_block **out)
{
	struct super_block *sb = devfs_get_sb();

	if (!sb)
		return -ENOMEM;
	sb->refcount++;
	*out = sb;
	return 0;
}

struct fs_type devfs_type = {
	.name = "devtmpfs",
	.mount = devfs_mount,
	.magic = TMPFS_MAGIC,
};
