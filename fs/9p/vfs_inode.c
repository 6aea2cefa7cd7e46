/*
 * 9p names and attributes: lookup walks the directory's fid one name on
 * and asks for the new fid's attributes; create, mkdir, mknod, symlink,
 * link, unlink, rmdir and rename are one message each on the directory's
 * fid. Attributes come from the server at every lookup and whenever the
 * VFS revalidates a name it holds, so changes made on the host show up;
 * chmod, chown, utimes and truncate go to the server with Tsetattr.
 */
#include "fs/9p/v9fs.h"
#include "kernel/sched.h"

/* The inode for @name in @dir: a new fid walked there, and its attributes. */
static int walk_inode(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct p9_client *c = v9fs_client(dir);
	uint32_t fid = p9_fid_new(c);
	struct p9_attr a;
	int err = p9_walk(c, v9fs_node(dir)->fid, fid, name, len, NULL);

	if (err)
		return err;
	err = p9_getattr(c, fid, &a);
	if (err) {
		p9_clunk(c, fid);
		return err;
	}
	*out = v9fs_iget(dir->sb, fid, &a);
	return *out ? 0 : -ENOMEM;
}

static int v9fs_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	return walk_inode(dir, name, len, out);
}

/*
 * Tlcreate opens the file it makes, with the fid it is given: a clone of
 * the directory's. That open fid waits in the node for the open(2) that
 * called us, which may then write even to a file whose mode forbids it.
 */
static int v9fs_create(struct inode *dir, const char *name, size_t len, uint32_t mode,
		       struct inode **out)
{
	struct p9_client *c = v9fs_client(dir);
	uint32_t ofid = p9_fid_new(c), iounit;
	struct v9fs_node *n;
	int err = p9_walk(c, v9fs_node(dir)->fid, ofid, NULL, 0, NULL);

	if (err)
		return err;
	err = p9_lcreate(c, ofid, name, len, O_RDWR, mode & 07777, current_cred()->egid, &iounit);
	if (!err)
		err = walk_inode(dir, name, len, out);
	if (err) {
		p9_clunk(c, ofid);
		return err;
	}
	n = v9fs_node(*out);
	if (n->create_fid == P9_NOFID)
		n->create_fid = ofid;
	else
		p9_clunk(c, ofid);
	return 0;
}

static int v9fs_mkdir(struct inode *dir, const char *name, size_t len, uint32_t mode)
{
	return p9_mkdir(v9fs_client(dir), v9fs_node(dir)->fid, name, len, mode & 07777,
			current_cred()->egid);
}

static int v9fs_mknod(struct inode *dir, const char *name, size_t len, uint32_t mode,
		      uint32_t rdev)
{
	return p9_mknod(v9fs_client(dir), v9fs_node(dir)->fid, name, len, mode, MAJOR(rdev),
			MINOR(rdev), current_cred()->egid);
}

static int v9fs_symlink(struct inode *dir, const char *name, size_t len, const char *target)
{
	return p9_symlink(v9fs_client(dir), v9fs_node(dir)->fid, name, len, target,
			  current_cred()->egid);
}

/* Re-read @ino's attributes; false if the server no longer knows the file as it was. */
static bool v9fs_revalidate(struct inode *ino)
{
	struct p9_attr a;

	if (p9_getattr(v9fs_client(ino), v9fs_node(ino)->fid, &a))
		return false;
	if ((a.mode ^ ino->mode) & S_IFMT || a.qid.path != ino->ino)
		return false;
	v9fs_apply_attr(ino, &a);
	return true;
}

static int v9fs_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	int err = p9_link(v9fs_client(dir), v9fs_node(dir)->fid, v9fs_node(target)->fid, name,
			  len);

	if (!err)
		v9fs_revalidate(target);	/* its link count */
	return err;
}

static int v9fs_unlink(struct inode *dir, const char *name, size_t len)
{
	return p9_unlinkat(v9fs_client(dir), v9fs_node(dir)->fid, name, len, 0);
}

static int v9fs_rmdir(struct inode *dir, const char *name, size_t len)
{
	return p9_unlinkat(v9fs_client(dir), v9fs_node(dir)->fid, name, len, P9_AT_REMOVEDIR);
}

static int v9fs_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir,
		       const char *nname, size_t nlen)
{
	return p9_renameat(v9fs_client(odir), v9fs_node(odir)->fid, oname, olen,
			   v9fs_node(ndir)->fid, nname, nlen);
}

static int v9fs_readlink(struct inode *ino, char *buf, size_t size)
{
	return p9_readlink(v9fs_client(ino), v9fs_node(ino)->fid, buf, size);
}

static int v9fs_truncate(struct inode *ino, uint64_t size)
{
	struct p9_iattr ia = { .valid = P9_SETATTR_SIZE, .size = size };
	int err = p9_setattr(v9fs_client(ino), v9fs_node(ino)->fid, &ia);

	if (err)
		return err;
	ino->size = size;
	v9fs_revalidate(ino);		/* the times the server gave it */
	return 0;
}

static int v9fs_setattr(struct inode *ino, const struct iattr *ia)
{
	struct p9_iattr p = { 0 };

	if (ia->valid & ATTR_MODE) {
		p.valid |= P9_SETATTR_MODE;
		p.mode = ia->mode & 07777;
	}
	if (ia->valid & ATTR_UID) {
		p.valid |= P9_SETATTR_UID;
		p.uid = ia->uid;
	}
	if (ia->valid & ATTR_GID) {
		p.valid |= P9_SETATTR_GID;
		p.gid = ia->gid;
	}
	if (ia->valid & ATTR_ATIME) {
		p.valid |= P9_SETATTR_ATIME | P9_SETATTR_ATIME_SET;
		p.atime_sec = (uint64_t)ia->atime.sec;
		p.atime_nsec = (uint64_t)ia->atime.nsec;
	}
	if (ia->valid & ATTR_MTIME) {
		p.valid |= P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET;
		p.mtime_sec = (uint64_t)ia->mtime.sec;
		p.mtime_nsec = (uint64_t)ia->mtime.nsec;
	}
	/* ctime: the server sets its own with any change */
	return p.valid ? p9_setattr(v9fs_client(ino), v9fs_node(ino)->fid, &p) : 0;
}

static const struct inode_ops v9fs_dir_iops = {
	.lookup = v9fs_lookup,
	.create = v9fs_create,
	.mkdir = v9fs_mkdir,
	.mknod = v9fs_mknod,
	.unlink = v9fs_unlink,
	.rmdir = v9fs_rmdir,
	.rename = v9fs_rename,
	.symlink = v9fs_symlink,
	.link = v9fs_link,
	.evict = v9fs_evict,
	.revalidate = v9fs_revalidate,
	.setattr = v9fs_setattr,
};

static const struct inode_ops v9fs_file_iops = {
	.truncate = v9fs_truncate,
	.evict = v9fs_evict,
	.revalidate = v9fs_revalidate,
	.setattr = v9fs_setattr,
};

static const struct inode_ops v9fs_link_iops = {
	.readlink = v9fs_readlink,
	.evict = v9fs_evict,
	.revalidate = v9fs_revalidate,
	.setattr = v9fs_setattr,
};

/* Device nodes, FIFOs and sockets: the VFS opens them itself. */
static const struct inode_ops v9fs_special_iops = {
	.evict = v9fs_evict,
	.revalidate = v9fs_revalidate,
	.setattr = v9fs_setattr,
};

void v9fs_set_ops(struct inode *ino)
{
	if (S_ISDIR(ino->mode)) {
		ino->iops = &v9fs_dir_iops;
		ino->fops = &v9fs_dir_fops;
	} else if (S_ISREG(ino->mode)) {
		ino->iops = &v9fs_file_iops;
		ino->fops = &v9fs_file_fops;
	} else if (S_ISLNK(ino->mode)) {
		ino->iops = &v9fs_link_iops;
	} else {
		ino->iops = &v9fs_special_iops;
	}
}
