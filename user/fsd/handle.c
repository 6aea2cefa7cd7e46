/*
 * fsd's requests: decode one message of the ipcfs protocol
 * (fs/ipcfs_proto.h), answer it from the tree in node.c and put the answer
 * in place. Shared by fsd, which serves the kernel's ipcfs, and the
 * microkernel personality's vfs, which calls it in-process for its /tmp:
 * so it keeps no state of its own and never blocks. Grant-mode READ and
 * WRITE (vfs's only) copy straight between the blocks and a client's
 * buffer with mk_grant_copy.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "fsd.h"
#include "../mk/mk.h"

/* Append @n's attributes to the answer, with the @changed fields marked. */
static void put_attr(struct fsd_req *r, struct fsd_node *n, uint32_t changed)
{
	struct fsd_attr *a = (struct fsd_attr *)(r->out + r->out_len);

	*a = n->a;
	a->changed = changed;
	r->out_len += sizeof(*a);
}

/* The same, for an answer that makes the kernel hold @n. */
static void give_attr(struct fsd_req *r, struct fsd_node *n, uint32_t changed)
{
	n->lookups++;
	put_attr(r, n, changed);
}

static struct fsd_node *dir_arg(uint64_t ino, long *err)
{
	struct fsd_node *d = fsd_node(ino);

	*err = !d ? -ESTALE : !S_ISDIR(d->a.mode) ? -ENOTDIR : 0;
	return *err ? NULL : d;
}

#define DIR_CH	(FSD_CH_SIZE | FSD_CH_NLINK | FSD_CH_MTIME | FSD_CH_CTIME)

static long do_lookup(struct fsd_req *r)
{
	long err;
	struct fsd_node *d = dir_arg(r->w[0], &err);
	struct fsd_entry *e;

	if (!d)
		return err;
	e = fsd_find(d, r->in, r->in_len);
	if (!e)
		return -ENOENT;
	give_attr(r, e->node, 0);
	return 0;
}

static long do_create(struct fsd_req *r)
{
	size_t len = r->w[4];
	uint32_t mode = (uint32_t)r->w[1];
	struct fsd_node *d, *n;
	long err;

	if (!(d = dir_arg(r->w[0], &err)))
		return err;
	if (len > r->in_len || len > 255)
		return -EINVAL;
	if (fsd_find(d, r->in, len))
		return -EEXIST;
	n = fsd_new_node(mode, (uint32_t)r->w[2], (uint32_t)r->w[3]);
	if (!n)
		return -ENOMEM;
	if (S_ISLNK(mode)) {
		n->target = strndup(r->in + len, r->in_len - len);
		n->a.size = r->in_len - len;
	}
	err = (S_ISLNK(mode) && !n->target) ? -ENOMEM : fsd_add(d, r->in, len, n);
	if (err) {
		n->a.nlink = 0;
		fsd_maybe_free(n);
		return err;
	}
	give_attr(r, n, FSD_CH_ALL);
	put_attr(r, d, DIR_CH);
	return 0;
}

static long do_link(struct fsd_req *r)
{
	struct fsd_node *d, *n = fsd_node(r->w[1]);
	long err;

	if (!(d = dir_arg(r->w[0], &err)))
		return err;
	if (!n)
		return -ESTALE;
	if (S_ISDIR(n->a.mode))
		return -EPERM;
	err = fsd_add(d, r->in, r->in_len, n);
	if (err)
		return err;
	n->a.nlink++;
	n->a.ctime_ns = d->a.mtime_ns;
	give_attr(r, n, FSD_CH_NLINK | FSD_CH_CTIME);
	put_attr(r, d, DIR_CH);
	return 0;
}

static long do_unlink(struct fsd_req *r)
{
	struct fsd_node *d, *n;
	struct fsd_entry *e;
	long err;

	if (!(d = dir_arg(r->w[0], &err)))
		return err;
	e = fsd_find(d, r->in, r->in_len);
	if (!e)
		return -ENOENT;
	n = e->node;
	if (r->w[1] && !S_ISDIR(n->a.mode))
		return -ENOTDIR;
	if (!r->w[1] && S_ISDIR(n->a.mode))
		return -EISDIR;
	if (S_ISDIR(n->a.mode) && !fsd_dir_empty(n))
		return -ENOTEMPTY;
	fsd_remove(d, e);
	put_attr(r, n, FSD_CH_NLINK | FSD_CH_CTIME);
	put_attr(r, d, DIR_CH);
	fsd_maybe_free(n);
	return 0;
}

/* Rename as tmpfs does: replace what the new name held (same kind only). */
static long do_rename(struct fsd_req *r)
{
	size_t olen = r->w[2];
	struct fsd_node *od, *nd, *n, *victim = NULL;
	struct fsd_entry *oe, *ne;
	uint32_t nlink;
	long err;

	if (!(od = dir_arg(r->w[0], &err)) || !(nd = dir_arg(r->w[1], &err)))
		return err;
	if (olen > r->in_len)
		return -EINVAL;
	oe = fsd_find(od, r->in, olen);
	ne = fsd_find(nd, r->in + olen, r->in_len - olen);
	if (!oe)
		return -ENOENT;
	n = oe->node;
	if (ne) {
		victim = ne->node;
		if (victim == n)
			return 0;
		if (S_ISDIR(n->a.mode) && !S_ISDIR(victim->a.mode))
			return -ENOTDIR;
		if (!S_ISDIR(n->a.mode) && S_ISDIR(victim->a.mode))
			return -EISDIR;
		if (S_ISDIR(victim->a.mode) && !fsd_dir_empty(victim))
			return -ENOTEMPTY;
		fsd_remove(nd, ne);
	}
	nlink = n->a.nlink;
	err = fsd_add(nd, r->in + olen, r->in_len - olen, n);
	if (err)
		return err;
	fsd_remove(od, oe);	/* drops the links the move keeps */
	n->a.nlink = nlink;
	n->a.ctime_ns = nd->a.mtime_ns;
	put_attr(r, n, FSD_CH_NLINK | FSD_CH_CTIME);
	put_attr(r, od, DIR_CH);
	put_attr(r, nd, DIR_CH);
	if (victim) {
		put_attr(r, victim, FSD_CH_NLINK | FSD_CH_CTIME);
		fsd_maybe_free(victim);
	}
	return 0;
}

/* Add one READDIR record; nonzero when the answer is full. */
static int emit(struct fsd_req *r, const char *name, size_t len, struct fsd_node *n, uint64_t next)
{
	struct fsd_dirent *de = (struct fsd_dirent *)(r->out + r->out_len);

	if (r->out_len + FSD_DIRENT_SIZE(len) > FSD_DIR_MAX)
		return 1;
	memset(de, 0, sizeof(*de));
	de->ino = n->a.ino;
	de->next = next;
	de->namelen = (uint16_t)len;
	de->type = (uint8_t)((n->a.mode & S_IFMT) >> 12);
	memcpy(de->name, name, len);
	r->out_len += FSD_DIRENT_SIZE(len);
	return 0;
}

/* Entries from position w1 on: 0 is ".", 1 is "..", then entry cookies. */
static long do_readdir(struct fsd_req *r)
{
	long err;
	struct fsd_node *d = dir_arg(r->w[0], &err), *up;
	uint64_t pos = r->w[1];

	if (!d)
		return err;
	up = fsd_node(d->parent) ? fsd_node(d->parent) : d;
	if (pos == 0 && emit(r, ".", 1, d, 1))
		return (long)r->out_len;
	if (pos <= 1 && emit(r, "..", 2, up, 2))
		return (long)r->out_len;
	for (struct fsd_entry *e = d->first; e; e = e->next) {
		if (e->cookie >= pos && emit(r, e->name, e->len, e->node, e->cookie + 1))
			break;
	}
	return (long)r->out_len;
}

/* A grant-mode READ or WRITE (FSD_GRANTED): the client's buffer is grant w3 - 1. */
struct grant_io {
	int grant;
	uint64_t off;
	int dir;
};

static long grant_copy(void *arg, size_t done, char *block, size_t len)
{
	struct grant_io *g = arg;
	long k = mk_grant_copy(g->grant, g->off + done, block, len, g->dir);

	return k < 0 ? k : 0;
}

static long do_io(struct fsd_req *r, struct fsd_node *n)
{
	struct grant_io g = { (int)(r->w[3] - 1), r->w[4], MK_GRANT_WRITE };
	uint64_t count = r->w[2];
	ssize_t k;

	if (!S_ISREG(n->a.mode))
		return -EINVAL;
	if (r->label == FSD_READ) {
		if (r->w[3] == 0) {
			k = fsd_read(n, r->out, count < FSD_IO_MAX ? count : FSD_IO_MAX, r->w[1]);
			r->out_len = k > 0 ? (size_t)k : 0;
			return k;
		}
		return fsd_read_with(n, r->w[1], count < FSD_GRANT_IO_MAX ? count : FSD_GRANT_IO_MAX,
				     grant_copy, &g);
	}
	if (r->w[3] == 0) {
		k = fsd_write(n, r->in, r->in_len, r->w[1]);
	} else {
		g.dir = MK_GRANT_READ;
		k = fsd_write_with(n, r->w[1], count < FSD_GRANT_IO_MAX ? count : FSD_GRANT_IO_MAX,
				   grant_copy, &g);
	}
	if (k >= 0)
		put_attr(r, n, FSD_CH_SIZE | FSD_CH_MTIME | FSD_CH_CTIME);
	return k;
}

/* chmod, chown, utimensat: change what w1 names; the times are in the long part. */
static long do_setattr(struct fsd_req *r, struct fsd_node *n)
{
	uint64_t t[2] = { 0, 0 };
	uint32_t changed = FSD_CH_CTIME;

	if ((r->w[1] & (FSD_SET_ATIME | FSD_SET_MTIME)) && r->in_len < sizeof(t))
		return -EINVAL;
	if (r->in_len >= sizeof(t))
		memcpy(t, r->in, sizeof(t));
	if (r->w[1] & FSD_SET_MODE)
		n->a.mode = (n->a.mode & S_IFMT) | ((uint32_t)r->w[2] & 07777);
	if (r->w[1] & FSD_SET_UID)
		n->a.uid = (uint32_t)r->w[3];
	if (r->w[1] & FSD_SET_GID)
		n->a.gid = (uint32_t)(r->w[3] >> 32);
	if (r->w[1] & FSD_SET_ATIME) {
		n->a.atime_ns = t[0];
		changed |= FSD_CH_ATIME;
	}
	if (r->w[1] & FSD_SET_MTIME) {
		n->a.mtime_ns = t[1];
		changed |= FSD_CH_MTIME;
	}
	n->a.ctime_ns = fsd_now();
	put_attr(r, n, changed);
	return 0;
}

/* Answer one request in place: the label becomes the result. */
void fsd_handle(struct fsd_req *r)
{
	struct fsd_node *n = fsd_node(r->w[0]);
	long res = -ESTALE;

	switch (r->label) {
	case FSD_GETATTR:
		if (n) {
			give_attr(r, n, 0);
			res = 0;
		}
		break;
	case FSD_LOOKUP: res = do_lookup(r); break;
	case FSD_CREATE: res = do_create(r); break;
	case FSD_LINK: res = do_link(r); break;
	case FSD_UNLINK: res = do_unlink(r); break;
	case FSD_RENAME: res = do_rename(r); break;
	case FSD_READDIR: res = do_readdir(r); break;
	case FSD_READ:
	case FSD_WRITE:
		if (n)
			res = do_io(r, n);
		break;
	case FSD_TRUNCATE:
		if (n && (res = S_ISREG(n->a.mode) ? fsd_truncate(n, r->w[1]) : -EINVAL) == 0)
			put_attr(r, n, FSD_CH_SIZE | FSD_CH_MTIME | FSD_CH_CTIME);
		break;
	case FSD_READLINK:
		if (n && (res = S_ISLNK(n->a.mode) ? 0 : -EINVAL) == 0) {
			r->out_len = n->a.size < r->w[1] ? n->a.size : r->w[1];
			memcpy(r->out, n->target, r->out_len);
			res = (long)r->out_len;
		}
		break;
	case FSD_SETATTR:
		if (n)
			res = do_setattr(r, n);
		break;
	case FSD_FORGET:
		if (n) {
			n->lookups -= r->w[1] < n->lookups ? r->w[1] : n->lookups;
			fsd_maybe_free(n);
		}
		res = 0;
		break;
	default:
		res = -ENOSYS;
	}
	if (res < 0)
		r->out_len = 0;
	r->label = (uint64_t)res;
}

