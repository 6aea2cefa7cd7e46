/*
 * 9p open files and directories. Opening clones the inode's fid and opens
 * the clone (Tlopen) with the access mode alone: offsets, O_APPEND and
 * O_TRUNC are the VFS's business, so the server's file is only ever read
 * and written where we say. There is no page cache: every read and write
 * is a message (split at the negotiated msize by the client), and the
 * directory listing is Treaddir, whose record offsets are the readdir
 * positions.
 */
#include "fs/9p/v9fs.h"

static uint32_t file_fid(struct file *f)
{
	return (uint32_t)(uintptr_t)f->priv;
}

static int v9fs_open(struct inode *ino, struct file *f)
{
	struct v9fs_node *n = v9fs_node(ino);
	struct p9_client *c = n->s->clnt;
	uint32_t fid, iounit, acc = f->flags & O_ACCMODE;
	int err;

	if (n->create_fid != P9_NOFID) {
		/* the fid Tlcreate opened read-write for this open */
		f->priv = (void *)(uintptr_t)n->create_fid;
		n->create_fid = P9_NOFID;
		return 0;
	}
	fid = p9_fid_new(c);
	err = p9_walk(c, n->fid, fid, NULL, 0, NULL);
	if (err)
		return err;
	/* the 9P2000.L flags are Linux's generic values: the same as ours */
	err = p9_lopen(c, fid, acc == O_ACCMODE ? O_RDWR : acc, &iounit);
	if (err) {
		p9_clunk(c, fid);
		return err;
	}
	f->priv = (void *)(uintptr_t)fid;
	return 0;
}

static void v9fs_release(struct inode *ino, struct file *f)
{
	p9_clunk(v9fs_client(ino), file_fid(f));
}

static long v9fs_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	long k = p9_read(v9fs_client(f->inode), file_fid(f), *pos, buf, n);

	if (k > 0)
		*pos += (uint64_t)k;
	return k;
}

static long v9fs_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct p9_client *c = v9fs_client(ino);
	struct p9_attr a;
	long k;

	if (f->flags & O_APPEND) {
		/* the end of the file as the server has it, not as we last saw it */
		k = p9_getattr(c, file_fid(f), &a);
		if (k)
			return k;
		v9fs_apply_attr(ino, &a);
		*pos = ino->size;
	}
	k = p9_write(c, file_fid(f), *pos, buf, n);
	if (k <= 0)
		return k;
	*pos += (uint64_t)k;
	ino->size = MAX(ino->size, *pos);
	vfs_timestamp(&ino->mtime);
	ino->ctime = ino->mtime;
	return k;
}

static int v9fs_fsync(struct file *f, int datasync)
{
	return p9_fsync(v9fs_client(f->inode), file_fid(f), datasync);
}

struct readdir_ctx {
	struct file *f;
	struct dirent_sink *sink;
	filldir_t fill;
};

static int one_dirent(void *ctx, const struct p9_dirent *de)
{
	struct readdir_ctx *r = ctx;

	if (r->fill(r->sink, de->name, de->namelen, de->qid.path, de->type, de->offset))
		return 1;
	r->f->pos = de->offset;
	return 0;
}

static int v9fs_readdir(struct file *f, struct dirent_sink *sink, filldir_t fill)
{
	struct readdir_ctx r = { f, sink, fill };

	return p9_readdir(v9fs_client(f->inode), file_fid(f), f->pos, one_dirent, &r);
}

const struct file_ops v9fs_file_fops = {
	.open = v9fs_open,
	.release = v9fs_release,
	.read = v9fs_read,
	.write = v9fs_write,
	.llseek = generic_llseek,
	.fsync = v9fs_fsync,
};

const struct file_ops v9fs_dir_fops = {
	.open = v9fs_open,
	.release = v9fs_release,
	.readdir = v9fs_readdir,
	.llseek = generic_llseek,
	.fsync = v9fs_fsync,
};
