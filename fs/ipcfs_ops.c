/*
 * ipcfs operations: each VFS call on an ipcfs inode or file becomes one
 * message to the server per name operation, per FSD_IO_MAX bytes of data
 * or per FSD_DIR_MAX bytes of directory records (fs/ipcfs_proto.h). Data
 * is copied into the request and out of the answer by the IPC layer, as a
 * microkernel's client library would; answers bring back the attributes
 * the operation changed. Offsets, O_APPEND and lseek stay in the kernel.
 */
#include "fs/ipcfs.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/mm.h"

static int ipcfs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct ipc_msg m = { .label = FSD_LOOKUP, .w = { dir->ino } };
	struct fsd_attr a;
	long n = ipcfs_call(dir->sb, &m, name, len, &a, sizeof(a));

	if (n < 0)
		return (int)n;
	if (n != sizeof(a))
		return -EIO;
	*out = ipcfs_iget(dir->sb, &a);
	return *out ? 0 : -ENOMEM;
}

/* CREATE a file, directory or symlink (@target) named @name in @dir. */
static int make_node(struct inode *dir, const char *name, size_t len, uint32_t mode,
		     const char *target, struct inode **out)
{
	const struct cred *cred = current_cred();
	struct ipc_msg m = { .label = FSD_CREATE,
			     .w = { dir->ino, mode, cred->euid, cred->egid, len } };
	size_t tlen = target ? strnlen(target, PATH_MAX) : 0;
	char *req = (char *)name;
	struct fsd_attr a[2];
	struct inode *ino;
	long n;

	if (tlen >= PATH_MAX)
		return -ENAMETOOLONG;
	if (target) {
		req = kmalloc(len + tlen);
		if (!req)
			return -ENOMEM;
		memcpy(req, name, len);
		memcpy(req + len, target, tlen);
	}
	n = ipcfs_call(dir->sb, &m, req, len + tlen, a, sizeof(a));
	if (target)
		kfree(req);
	if (n < 0)
		return (int)n;
	if (n != sizeof(a))
		return -EIO;
	ino = ipcfs_iget(dir->sb, &a[0]);
	ipcfs_apply(dir->sb, &a[1], sizeof(a[1]));
	if (!ino)
		return -ENOMEM;
	if (out)
		*out = ino;
	else
		inode_put(ino);		/* the cache keeps it */
	return 0;
}

static int ipcfs_create(struct inode *dir, const char *name, size_t len, uint32_t mode,
			struct inode **out)
{
	return make_node(dir, name, len, S_IFREG | (mode & 07777), NULL, out);
}

static int ipcfs_mkdir(struct inode *dir, const char *name, size_t len, uint32_t mode)
{
	return make_node(dir, name, len, S_IFDIR | (mode & 07777), NULL, NULL);
}

static int ipcfs_symlink(struct inode *dir, const char *name, size_t len, const char *target)
{
	return make_node(dir, name, len, S_IFLNK | 0777, target, NULL);
}

static int ipcfs_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	struct ipc_msg m = { .label = FSD_LINK, .w = { dir->ino, target->ino } };
	struct fsd_attr a[2];
	struct inode *ino;
	long n = ipcfs_call(dir->sb, &m, name, len, a, sizeof(a));

	if (n < 0)
		return (int)n;
	if (n != sizeof(a))
		return -EIO;
	ino = ipcfs_iget(dir->sb, &a[0]);	/* counts the lookup the answer gave */
	ipcfs_apply(dir->sb, &a[1], sizeof(a[1]));
	inode_put(ino);
	return 0;
}

static int remove_name(struct inode *dir, const char *name, size_t len, int rmdir)
{
	struct ipc_msg m = { .label = FSD_UNLINK, .w = { dir->ino, (uint64_t)rmdir } };
	struct fsd_attr a[2];
	long n = ipcfs_call(dir->sb, &m, name, len, a, sizeof(a));

	if (n < 0)
		return (int)n;
	ipcfs_apply(dir->sb, a, n);
	return 0;
}

static int ipcfs_unlink(struct inode *dir, const char *name, size_t len)
{
	return remove_name(dir, name, len, 0);
}

static int ipcfs_rmdir(struct inode *dir, const char *name, size_t len)
{
	return remove_name(dir, name, len, 1);
}

static int ipcfs_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
			const char *nname, size_t nlen)
{
	struct ipc_msg m = { .label = FSD_RENAME, .w = { odir->ino, ndir->ino, olen } };
	char names[2 * NAME_MAX];
	struct fsd_attr a[4];
	long n;

	if (olen > NAME_MAX || nlen > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(names, oname, olen);
	memcpy(names + olen, nname, nlen);
	n = ipcfs_call(odir->sb, &m, names, olen + nlen, a, sizeof(a));
	if (n < 0)
		return (int)n;
	ipcfs_apply(odir->sb, a, n);
	return 0;
}

static int ipcfs_readlink(struct inode *ino, char *buf, size_t size)
{
	struct ipc_msg m = { .label = FSD_READLINK, .w = { ino->ino, size } };

	return (int)ipcfs_call(ino->sb, &m, NULL, 0, buf, size);
}

static int ipcfs_truncate(struct inode *ino, uint64_t size)
{
	struct ipc_msg m = { .label = FSD_TRUNCATE, .w = { ino->ino, size } };
	struct fsd_attr a;
	long n = ipcfs_call(ino->sb, &m, NULL, 0, &a, sizeof(a));

	if (n < 0)
		return (int)n;
	ipcfs_apply(ino->sb, &a, n);
	return 0;
}

static long ipcfs_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct inode *ino = f->inode;
	size_t done = 0;

	while (done < n) {
		size_t chunk = MIN(n - done, (size_t)FSD_IO_MAX);
		struct ipc_msg m = { .label = FSD_READ, .w = { ino->ino, *pos, chunk } };
		long k = ipcfs_call(ino->sb, &m, NULL, 0, buf + done, chunk);

		if (k < 0)
			return done ? (long)done : k;
		done += (size_t)k;
		*pos += (uint64_t)k;
		if ((size_t)k < chunk)
			break;
	}
	vfs_timestamp(&ino->atime);
	return (long)done;
}

static long ipcfs_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct inode *ino = f->inode;
	size_t done = 0;

	while (done < n) {
		size_t chunk = MIN(n - done, (size_t)FSD_IO_MAX);
		struct ipc_msg m = { .label = FSD_WRITE, .w = { ino->ino, *pos } };
		struct fsd_attr a;
		long k = ipcfs_call(ino->sb, &m, buf + done, chunk, &a, sizeof(a));

		if (k < 0)
			return done ? (long)done : k;
		ipcfs_apply(ino->sb, &a, k);
		k = (long)m.label;	/* bytes written */
		if (k <= 0 || (size_t)k > chunk)
			break;
		done += (size_t)k;
		*pos += (uint64_t)k;
	}
	return done || !n ? (long)done : -ENOSPC;
}

/* Ask for records from f->pos on and feed them to @fill until it is full. */
static int ipcfs_readdir(struct file *f, struct dirent_sink *sink, filldir_t fill)
{
	struct inode *dir = f->inode;
	char *buf = io_buf_alloc();
	long n = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		struct ipc_msg m = { .label = FSD_READDIR, .w = { dir->ino, f->pos } };
		size_t off = 0;

		n = ipcfs_call(dir->sb, &m, NULL, 0, buf, MIN((size_t)FSD_DIR_MAX, PAGE_SIZE));
		if (n <= 0)
			break;
		while (off + sizeof(struct fsd_dirent) <= (size_t)n) {
			struct fsd_dirent *de = (struct fsd_dirent *)(buf + off);

			if (de->namelen > NAME_MAX || off + FSD_DIRENT_SIZE(de->namelen) > (size_t)n ||
			    de->next <= f->pos) {
				n = -EIO;	/* a server's answer is untrusted input */
				goto out;
			}
			if (fill(sink, de->name, de->namelen, de->ino, de->type, de->next))
				goto out;
			f->pos = de->next;
			off += FSD_DIRENT_SIZE(de->namelen);
		}
	}
out:
	io_buf_free(buf);
	return n < 0 ? (int)n : 0;
}

static const struct inode_ops ipcfs_dir_iops = {
	.lookup = ipcfs_lookup,
	.create = ipcfs_create,
	.mkdir = ipcfs_mkdir,
	.unlink = ipcfs_unlink,
	.rmdir = ipcfs_rmdir,
	.rename = ipcfs_rename,
	.symlink = ipcfs_symlink,
	.link = ipcfs_link,
	.evict = ipcfs_evict,
};

static const struct inode_ops ipcfs_file_iops = {
	.truncate = ipcfs_truncate,
	.evict = ipcfs_evict,
};

static const struct inode_ops ipcfs_link_iops = {
	.readlink = ipcfs_readlink,
	.evict = ipcfs_evict,
};

static const struct file_ops ipcfs_file_fops = {
	.read = ipcfs_read,
	.write = ipcfs_write,
	.llseek = generic_llseek,
};

static const struct file_ops ipcfs_dir_fops = {
	.readdir = ipcfs_readdir,
	.llseek = generic_llseek,
};

void ipcfs_set_ops(struct inode *ino)
{
	if (S_ISDIR(ino->mode)) {
		ino->iops = &ipcfs_dir_iops;
		ino->fops = &ipcfs_dir_fops;
	} else if (S_ISREG(ino->mode)) {
		ino->iops = &ipcfs_file_iops;
		ino->fops = &ipcfs_file_fops;
	} else if (S_ISLNK(ino->mode)) {
		ino->iops = &ipcfs_link_iops;
	} else {
		ino->iops = &ipcfs_file_iops;	/* the server makes no other kinds */
	}
}
