/*
 * ext2d's answers to the ipcfs requests (fs/ipcfs_proto.h), made by
 * calling the kernel's ext2 through its inode_ops and file_ops exactly as
 * the VFS does: lookup, create, mkdir, symlink, link, unlink, rmdir,
 * rename, truncate, readdir, readlink. The checks the VFS makes before
 * those calls (names, file types, a directory moved under itself) are
 * made here, since the client is not trusted.
 *
 * The client names inodes by number. ext2d holds a reference to every
 * inode the client holds, counting the answers that named it as ipcfs
 * does, and lets go at FORGET: an unlinked file the client still has open
 * keeps its blocks until then, and ext2's evict() frees them, as in the
 * kernel. ext2's root (inode 2) is the protocol's FSD_ROOT_INO (1);
 * ext2's inode 1 (bad blocks) is never named in a directory.
 */
#include <string.h>		/* memchr, which lib/string.h lacks (macro-free) */
#include "ext2d_int.h"
#include "lib/string.h"
#include "mm/mm.h"

#define HELD_HASH	1024
#define ANCESTRY_MAX	4096		/* deeper than this: a loop on a damaged disk */
#define DIR_CH		(FSD_CH_SIZE | FSD_CH_NLINK | FSD_CH_MTIME | FSD_CH_CTIME)
#define LINK_CH		(FSD_CH_NLINK | FSD_CH_CTIME)

/* An inode the client holds, and how many answers named it. */
struct held {
	struct held *next;
	struct inode *inode;
	uint64_t lookups;
};

static struct super_block *vsb;
static struct inode *root;		/* the mount's reference */
static struct held *held_hash[HELD_HASH];
static bool changed;

static uint64_t proto_ino(uint64_t ext2_ino)
{
	return ext2_ino == EXT2_ROOT_INO ? FSD_ROOT_INO : ext2_ino;
}

static uint64_t ext2_ino(uint64_t proto)
{
	if (proto == FSD_ROOT_INO)
		return EXT2_ROOT_INO;
	return proto == EXT2_ROOT_INO ? 0 : proto;	/* 2 is never handed out */
}

static struct held **held_slot(uint64_t ext2_ino)
{
	struct held **h = &held_hash[ext2_ino % HELD_HASH];

	while (*h && (*h)->inode->ino != ext2_ino)
		h = &(*h)->next;
	return h;
}

struct inode *ext2d_inode(uint64_t ino)
{
	uint64_t e = ext2_ino(ino);
	struct held *h;

	if (e == EXT2_ROOT_INO)
		return root;
	h = e ? *held_slot(e) : NULL;
	return h ? h->inode : NULL;
}

void ext2d_note_change(void)
{
	changed = true;
}

static uint64_t ns(const struct timespec64 *ts)
{
	return (uint64_t)ts->sec * 1000000000ULL + (uint64_t)ts->nsec;
}

void ext2d_put_attr(struct ext2d_req *r, struct inode *ino, uint32_t ch)
{
	struct fsd_attr *a = (struct fsd_attr *)(r->out + r->out_len);

	*a = (struct fsd_attr){
		.ino = proto_ino(ino->ino), .mode = ino->mode, .nlink = ino->nlink,
		.uid = ino->uid, .gid = ino->gid, .size = ino->size,
		.atime_ns = ns(&ino->atime), .mtime_ns = ns(&ino->mtime),
		.ctime_ns = ns(&ino->ctime), .changed = ch,
	};
	r->out_len += sizeof(*a);
}

/* The same for an answer that makes the client hold @ino: one more lookup. */
static int give_attr(struct ext2d_req *r, struct inode *ino, uint32_t ch)
{
	struct held **slot = held_slot(ino->ino), *h = *slot;

	if (!h) {
		h = kzalloc(sizeof(*h));
		if (!h)
			return -ENOMEM;
		inode_get(ino);
		h->inode = ino;
		*slot = h;
	}
	h->lookups++;
	ext2d_put_attr(r, ino, ch);
	return 0;
}

static void unhold(struct held **slot)
{
	struct held *h = *slot;

	*slot = h->next;
	inode_put(h->inode);	/* may free an unlinked inode: ext2_evict */
	kfree(h);
}

/* A name the VFS would pass: not empty, no '/' or NUL; "." and ".." only if @dots. */
static int check_name(const char *name, size_t len, bool dots)
{
	if (!len)
		return -ENOENT;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return -EINVAL;
	if (!dots && name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return -EINVAL;
	return 0;
}

static struct inode *dir_arg(uint64_t ino, int *err)
{
	struct inode *d = ext2d_inode(ino);

	*err = !d ? -ESTALE : !S_ISDIR(d->mode) ? -ENOTDIR : 0;
	return *err ? NULL : d;
}

static long do_lookup(struct ext2d_req *r)
{
	struct inode *ino;
	int err;
	struct inode *d = dir_arg(r->w[0], &err);

	if (!d || (err = check_name(r->in, r->in_len, true)))
		return err;
	err = d->iops->lookup(d, r->in, r->in_len, &ino);
	if (err)
		return err;
	err = give_attr(r, ino, 0);
	inode_put(ino);
	return err;
}

/* A symlink's target as ext2_symlink() wants it: NUL-terminated, no NUL inside. */
static int symlink_in(struct inode *d, const char *name, size_t len, const char *t, size_t tlen)
{
	char *target;
	int err;

	if (!tlen)
		return -ENOENT;
	if (tlen >= PATH_MAX)
		return -ENAMETOOLONG;
	if (memchr(t, '\0', tlen))
		return -EINVAL;
	target = kmalloc(tlen + 1);
	if (!target)
		return -ENOMEM;
	memcpy(target, t, tlen);
	target[tlen] = '\0';
	err = d->iops->symlink(d, name, len, target);
	kfree(target);
	return err;
}

static long do_create(struct ext2d_req *r)
{
	uint32_t mode = (uint32_t)r->w[1];
	size_t len = r->w[4];
	struct inode *ino = NULL;
	int err;
	struct inode *d = dir_arg(r->w[0], &err);

	if (!d)
		return err;
	if (len > r->in_len)
		return -EINVAL;
	if ((err = check_name(r->in, len, false)))
		return err;
	shim_set_cred((uint32_t)r->w[2], (uint32_t)r->w[3]);
	switch (mode & S_IFMT) {
	case S_IFREG:
		err = d->iops->create(d, r->in, len, mode, &ino);
		break;
	case S_IFDIR:
		err = d->iops->mkdir(d, r->in, len, mode);
		break;
	case S_IFLNK:
		err = symlink_in(d, r->in, len, r->in + len, r->in_len - len);
		break;
	default:
		return -EPERM;		/* ipcfs makes no device nodes, FIFOs or sockets */
	}
	changed = true;
	if (!err && !ino)
		err = d->iops->lookup(d, r->in, len, &ino);
	if (err)
		return err;
	err = give_attr(r, ino, FSD_CH_ALL);
	ext2d_put_attr(r, d, DIR_CH);
	inode_put(ino);
	return err;
}

static long do_link(struct ext2d_req *r)
{
	struct inode *t = ext2d_inode(r->w[1]);
	int err;
	struct inode *d = dir_arg(r->w[0], &err);

	if (!d)
		return err;
	if (!t)
		return -ESTALE;
	if (S_ISDIR(t->mode))
		return -EPERM;
	if ((err = check_name(r->in, r->in_len, false)))
		return err;
	err = d->iops->link(d, r->in, r->in_len, t);
	changed = true;
	if (err)
		return err;
	err = give_attr(r, t, LINK_CH);
	ext2d_put_attr(r, d, DIR_CH);
	return err;
}

static long do_unlink(struct ext2d_req *r)
{
	bool rmdir = r->w[1] != 0;
	struct inode *v;
	int err;
	struct inode *d = dir_arg(r->w[0], &err);

	if (!d || (err = check_name(r->in, r->in_len, false)))
		return err;
	err = d->iops->lookup(d, r->in, r->in_len, &v);	/* to report its links */
	if (err)
		return err;
	if (rmdir && !S_ISDIR(v->mode))
		err = -ENOTDIR;
	else if (!rmdir && S_ISDIR(v->mode))
		err = -EISDIR;
	else
		err = rmdir ? d->iops->rmdir(d, r->in, r->in_len) :
			      d->iops->unlink(d, r->in, r->in_len);
	changed = true;
	if (!err) {
		ext2d_put_attr(r, v, LINK_CH);
		ext2d_put_attr(r, d, DIR_CH);
	}
	inode_put(v);		/* frees it if nobody holds it */
	return err;
}

/* 1 if directory @a is @d or one of its ancestors, 0 if not, or -errno. */
static int is_ancestor(struct inode *a, struct inode *d)
{
	struct inode *p = d, *up;
	int ret = 0;

	inode_get(p);
	for (int depth = 0; p != root; depth++) {
		if (p == a) {
			ret = 1;
			break;
		}
		if (depth > ANCESTRY_MAX) {
			ret = -EIO;
			break;
		}
		ret = p->iops->lookup(p, "..", 2, &up);
		if (ret)
			break;
		inode_put(p);
		p = up;
		if (!S_ISDIR(p->mode)) {
			ret = -EIO;
			break;
		}
	}
	inode_put(p);
	return ret;
}

/* The VFS's checks before iops->rename, given the source and the target (or NULL). */
static int rename_ok(struct inode *od, struct inode *nd, struct inode *src, struct inode *tgt)
{
	int err;

	if (tgt && tgt != src) {
		if (S_ISDIR(src->mode) && !S_ISDIR(tgt->mode))
			return -ENOTDIR;
		if (!S_ISDIR(src->mode) && S_ISDIR(tgt->mode))
			return -EISDIR;
	}
	if (S_ISDIR(src->mode) && od != nd) {
		err = is_ancestor(src, nd);
		if (err)
			return err < 0 ? err : -EINVAL;
	}
	return 0;
}

static long do_rename(struct ext2d_req *r)
{
	size_t olen = r->w[2], nlen = r->in_len - olen;
	const char *oname = r->in, *nname = r->in + olen;
	struct inode *od, *nd, *src, *tgt = NULL;
	int err;

	if (!(od = dir_arg(r->w[0], &err)) || !(nd = dir_arg(r->w[1], &err)))
		return err;
	if (olen > r->in_len)
		return -EINVAL;
	if ((err = check_name(oname, olen, false)) || (err = check_name(nname, nlen, false)))
		return err;
	err = od->iops->lookup(od, oname, olen, &src);
	if (err)
		return err;
	err = nd->iops->lookup(nd, nname, nlen, &tgt);
	if (err == -ENOENT) {
		tgt = NULL;
		err = 0;
	}
	if (!err)
		err = rename_ok(od, nd, src, tgt);
	if (!err)
		err = od->iops->rename(od, oname, olen, nd, nname, nlen);
	changed = true;
	if (!err) {
		ext2d_put_attr(r, src, LINK_CH);
		ext2d_put_attr(r, od, DIR_CH);
		ext2d_put_attr(r, nd, DIR_CH);
		if (tgt && tgt != src)
			ext2d_put_attr(r, tgt, LINK_CH);
	}
	inode_put(tgt);
	inode_put(src);
	return err;
}

static long do_truncate(struct ext2d_req *r, struct inode *ino)
{
	int err;

	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (!S_ISREG(ino->mode))
		return -EINVAL;
	err = ino->iops->truncate(ino, r->w[1]);
	changed = true;
	if (!err)
		ext2d_put_attr(r, ino, DATA_CH);
	return err;
}

/* What ext2_readdir() fills: the answer being built. */
struct dirent_sink {
	struct ext2d_req *r;
};

static int fill(struct dirent_sink *sink, const char *name, size_t len, uint64_t ino,
		unsigned int type, uint64_t next)
{
	struct ext2d_req *r = sink->r;
	struct fsd_dirent *de = (struct fsd_dirent *)(r->out + r->out_len);

	if (r->out_len + FSD_DIRENT_SIZE(len) > FSD_DIR_MAX)
		return 1;
	memset(de, 0, sizeof(*de));
	de->ino = proto_ino(ino);
	de->next = next;
	de->namelen = (uint16_t)len;
	de->type = (uint8_t)type;
	memcpy(de->name, name, len);
	r->out_len += FSD_DIRENT_SIZE(len);
	return 0;
}

static long do_readdir(struct ext2d_req *r)
{
	struct dirent_sink sink = { r };
	int err;
	struct inode *d = dir_arg(r->w[0], &err);
	struct file f = { .inode = d, .pos = r->w[1] };

	if (!d)
		return err;
	f.fops = d->fops;
	err = d->fops->readdir(&f, &sink, fill);
	return r->out_len || !err ? (long)r->out_len : err;
}

static long do_readlink(struct ext2d_req *r, struct inode *ino)
{
	size_t size = MIN((size_t)r->w[1], (size_t)EXT2D_LONG_MAX);
	int n;

	if (!S_ISLNK(ino->mode))
		return -EINVAL;
	n = ino->iops->readlink(ino, r->out, size);
	if (n > 0)
		r->out_len = (size_t)n;
	return n;
}

static long do_forget(struct ext2d_req *r)
{
	uint64_t e = ext2_ino(r->w[0]);
	struct held **slot = e ? held_slot(e) : NULL;

	if (slot && *slot) {
		struct held *h = *slot;

		h->lookups -= MIN(r->w[1], h->lookups);
		if (!h->lookups) {
			unhold(slot);
			changed = true;
		}
	}
	return 0;
}

void ext2d_handle(struct ext2d_req *r)
{
	struct inode *ino = ext2d_inode(r->w[0]);
	long res = -ESTALE;

	r->out_len = 0;
	switch (r->label) {
	case FSD_GETATTR:
		if (ino)
			res = give_attr(r, ino, 0);
		break;
	case FSD_LOOKUP: res = do_lookup(r); break;
	case FSD_CREATE: res = do_create(r); break;
	case FSD_LINK: res = do_link(r); break;
	case FSD_UNLINK: res = do_unlink(r); break;
	case FSD_RENAME: res = do_rename(r); break;
	case FSD_READDIR: res = do_readdir(r); break;
	case FSD_READ:
		if (ino)
			res = ext2d_read(r, ino);
		break;
	case FSD_WRITE:
		if (ino)
			res = ext2d_write(r, ino);
		break;
	case FSD_TRUNCATE:
		if (ino)
			res = do_truncate(r, ino);
		break;
	case FSD_READLINK:
		if (ino)
			res = do_readlink(r, ino);
		break;
	case FSD_FORGET: res = do_forget(r); break;
	default:
		res = -ENOSYS;
	}
	if (res < 0)
		r->out_len = 0;
	r->label = (uint64_t)res;
}

int ext2d_mount(const char *path)
{
	const struct fs_type *type;
	int err = shim_bdev_open(path);

	if (err) {
		printk(KERN_ERR "ext2d: cannot open %s: error %d\n", path, err);
		return err;
	}
	do_initcalls();
	type = find_filesystem("ext2");
	if (!type)
		return -ENODEV;
	err = type->mount(type, path, NULL, &vsb);
	if (err)
		return err;
	root = vsb->root;
	return 0;
}

bool ext2d_dirty(void)
{
	return changed || shim_bdev_dirty();
}

int ext2d_sync(void)
{
	changed = false;
	shim_sync_hooks();
	return bdev_sync(shim_bdev());
}

int ext2d_unmount(void)
{
	for (int i = 0; i < HELD_HASH; i++)
		while (held_hash[i])
			unhold(&held_hash[i]);
	inode_put(root);	/* ext2_evict of the root: ext2_put_super */
	root = NULL;
	shim_sb_free(vsb);
	vsb = NULL;
	return shim_bdev_dirty() ? -EIO : 0;
}
