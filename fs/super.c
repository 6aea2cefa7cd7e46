/*
 * File system types and the mount table: register_filesystem, mount(2)
 * and umount2(2) for tmpfs, proc, sysfs and devtmpfs, /proc/mounts, and
 * vfs_init(), which builds the tree the first process sees: tmpfs at /,
 * the initramfs unpacked into it, devfs at /dev, procfs at /proc and
 * sysfs at /sys.
 */
#include <asm/boot.h>
#include <asm/page.h>
#include "fs/internal.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

#define MS_RDONLY	0x1
#define MS_REMOUNT	0x20
#define MS_BIND		0x1000
#define MS_MOVE		0x2000
#define MNT_FORCE	0x1
#define MNT_DETACH	0x2

struct mount {
	struct list_head node;
	struct super_block *sb;
	struct dentry *root;		/* this mount's root dentry */
	struct dentry *mountpoint;	/* what it covers; NULL for / */
	char source[64];
};

static LIST_HEAD(fs_types);
static LIST_HEAD(mounts);
static uint32_t next_anon_dev;
struct dentry *vfs_root_dentry;

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

/* A super block with its own device number; the caller fills root. */
struct super_block *sb_alloc(const struct fs_type *type)
{
	struct super_block *sb = kzalloc(sizeof(*sb));

	if (!sb)
		return NULL;
	sb->type = type;
	next_anon_dev++;
	sb->dev = MKDEV(0, next_anon_dev);
	sb->next_ino = 1;
	sb->refcount = 1;
	return sb;
}

static void sb_put(struct super_block *sb)
{
	if (--sb->refcount > 0)
		return;
	inode_put(sb->root);
	kfree(sb);
}

/* Hang a mount of @sb over @mp (NULL for the root); consumes the sb reference. */
static int attach_mount(struct super_block *sb, struct dentry *mp, const char *source)
{
	struct mount *m = kzalloc(sizeof(*m));

	if (!m)
		return -ENOMEM;
	inode_get(sb->root);
	m->root = dentry_alloc(NULL, "/", 1, sb->root);
	if (!m->root) {
		inode_put(sb->root);
		kfree(m);
		return -ENOMEM;
	}
	m->sb = sb;
	strlcpy(m->source, source ? source : "none", sizeof(m->source));
	if (mp) {
		m->mountpoint = dget(mp);
		mp->mounted = m->root;
		m->root->covers = mp;
	} else {
		vfs_root_dentry = m->root;
	}
	list_add_tail(&m->node, &mounts);
	return 0;
}

/*
 * Mount a new instance of file system @type on directory @target; @data
 * is the file system's option string (or NULL).
 */
int do_mount(const char *source, const char *target, const char *type, unsigned long flags,
	     const char *data)
{
	const struct fs_type *fs;
	struct super_block *sb;
	struct dentry *mp;
	int err;

	err = path_lookup(AT_FDCWD, target, LOOKUP_FOLLOW, &mp);
	if (err)
		return err;
	if (!S_ISDIR(mp->inode->mode)) {
		err = -ENOTDIR;
		goto out;
	}
	if (flags & MS_REMOUNT)
		goto out;	/* nothing to change: every mount is read-write */
	if (flags & (MS_BIND | MS_MOVE)) {
		err = -EINVAL;
		goto out;
	}
	fs = type ? find_filesystem(type) : NULL;
	if (!fs) {
		err = -ENODEV;
		goto out;
	}
	err = fs->mount(fs, source, data, &sb);
	if (err)
		goto out;
	err = attach_mount(sb, mp, source);
	if (err)
		sb_put(sb);
out:
	dput(mp);
	return err;
}

/* Unmount the file system mounted at @target; -EBUSY while in use. */
int do_umount(const char *target, int flags)
{
	struct mount *m, *found = NULL;
	struct dentry *d;
	int err;

	err = path_lookup(AT_FDCWD, target, LOOKUP_FOLLOW, &d);
	if (err)
		return err;
	list_for_each_entry(m, &mounts, node) {
		if (m->root == d)
			found = m;
	}
	err = -EINVAL;
	if (!found)
		goto out;
	err = -EBUSY;
	if (!found->mountpoint || d->mounted)
		goto out;
	/* references: the mount's and ours; more means files or cwds inside */
	if (d->refcount > 2 && !(flags & MNT_DETACH))
		goto out;
	list_del(&found->node);
	found->mountpoint->mounted = NULL;
	d->covers = NULL;
	d->flags |= DENTRY_DEAD;
	dput(found->mountpoint);
	if (d->refcount == 2)
		sb_put(found->sb);	/* a busy lazy unmount leaks its sb */
	dput(d);
	kfree(found);
	err = 0;
out:
	dput(d);
	return err;
}

/* The text of /proc/mounts. */
long mounts_show(char *buf, size_t size)
{
	char *path = io_buf_alloc();
	struct mount *m;
	size_t n = 0;

	if (!path)
		return -ENOMEM;
	list_for_each_entry(m, &mounts, node) {
		int off = d_path(m->root, vfs_root_dentry, path, PATH_MAX);

		n += snprintf(buf + MIN(n, size), size - MIN(n, size), "%s %s %s rw 0 0\n",
			      m->source, off < 0 ? "?" : path + off, m->sb->type->name);
	}
	io_buf_free(path);
	return (long)n;
}

/* The text of /proc/filesystems. */
long filesystems_show(char *buf, size_t size)
{
	struct fs_type *t;
	size_t n = 0;

	list_for_each_entry(t, &fs_types, node)
		n += snprintf(buf + MIN(n, size), size - MIN(n, size), "nodev\t%s\n", t->name);
	return (long)n;
}

static void make_dir(const char *path, uint32_t mode)
{
	int err = do_mkdirat(AT_FDCWD, path, mode);

	if (err && err != -EEXIST)
		pr_err("vfs: cannot create %s: error %d\n", path, err);
}

/* Everything vfs_init does except finding the archive (host tests call it). */
int vfs_init_tree(const void *initramfs, size_t len)
{
	struct super_block *sb;
	int err;

	register_filesystem(&tmpfs_type);
	register_filesystem(&devfs_type);
	register_filesystem(&procfs_type);
	register_filesystem(&sysfs_type);
	sb = tmpfs_create_sb(&tmpfs_type);
	if (!sb || attach_mount(sb, NULL, "rootfs"))
		panic("vfs", "cannot mount the root file system");
	sb->root->mode = S_IFDIR | 0755;
	if (initramfs) {
		err = initramfs_unpack(initramfs, len);
		if (err)
			pr_err("initramfs: unpacking failed (error %d); the tree is incomplete\n",
			       err);
	}
	make_dir("/dev", 0755);
	make_dir("/proc", 0555);
	make_dir("/sys", 0555);
	make_dir("/tmp", 01777);
	err = do_mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	if (!err)
		err = do_mount("proc", "/proc", "proc", 0, NULL);
	if (!err)
		err = do_mount("sysfs", "/sys", "sysfs", 0, NULL);
	if (err)
		pr_err("vfs: mounting /dev, /proc or /sys failed: error %d\n", err);
	return err;
}

void vfs_init(void)
{
	for (unsigned int i = 0; i < boot_info.module_count; i++) {
		struct boot_module *mod = &boot_info.modules[i];

		if (strcmp(mod->name, "initramfs") || mod->end < mod->start)
			continue;
		pr_info("initramfs: %lu bytes at %#lx\n", (unsigned long)(mod->end - mod->start),
			(unsigned long)mod->start);
		vfs_init_tree(phys_to_virt(mod->start), mod->end - mod->start);
		return;
	}
	pr_warn("initramfs: no boot module named \"initramfs\"; the root is empty\n");
	vfs_init_tree(NULL, 0);
}

SYSCALL_DEFINE5(mount, const char __user *, usource, const char __user *, utarget,
		const char __user *, utype, unsigned long, flags, const void __user *, data)
{
	char *source = NULL, *target = NULL, *type = NULL, *opts = NULL;
	long err;

	if (current_cred()->euid != 0)
		return -EPERM;
	err = getname(utarget, &target);
	if (!err && usource)
		err = getname(usource, &source);
	if (!err && utype)
		err = getname(utype, &type);
	/* every file system here takes a string of options, as Linux's do */
	if (!err && data && !(flags & (MS_REMOUNT | MS_BIND | MS_MOVE)))
		err = getname((const char __user *)data, &opts);
	if (!err)
		err = do_mount(source, target, type, flags, opts);
	putname(source);
	putname(target);
	putname(type);
	putname(opts);
	return err;
}

SYSCALL_DEFINE2(umount2, const char __user *, utarget, int, flags)
{
	char *target;
	long err;

	if (current_cred()->euid != 0)
		return -EPERM;
	if (flags & ~(MNT_FORCE | MNT_DETACH | 0x4 | 0x8))
		return -EINVAL;
	err = getname(utarget, &target);
	if (err)
		return err;
	err = do_umount(target, flags);
	putname(target);
	return err;
}
