/*
 * The calls on an open file's data: read, write, their positioned and
 * vectored forms, lseek, getdents64, ftruncate, fsync. Data moves once,
 * between the client's buffer (its grants) and where it lives: tmpfs's
 * blocks (in-process grant copies), ext2d (grant-mode READ/WRITE, ext2d
 * copies), a pipe's ring, memdev (which copies the zeros itself).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "vfs.h"
#include "../memdev_proto.h"

/* The client's side of a pipe transfer: a grant, or a buffer of vfs's. */
struct xfer {
	int grant;		/* -1: @buf */
	int dir;		/* MK_GRANT_READ: the client's bytes come in */
	char *buf;
};

static long xfer_copy(void *arg, size_t done, char *p, size_t len)
{
	struct xfer *x = arg;
	long k;

	if (x->grant < 0) {
		if (x->dir == MK_GRANT_READ)
			memcpy(p, x->buf + done, len);
		else
			memcpy(x->buf + done, p, len);
		return 0;
	}
	k = mk_grant_copy(x->grant, done, p, len, x->dir);
	return k < 0 ? k : 0;
}

/*
 * Move @count bytes between file @f at *@pos and grant @grant (or vfs's
 * @buf when @grant is -1); *@pos advances. @nonblock: a pipe read that
 * already has bytes must not wait for more (the rest of a readv).
 */
static long io_one(struct vreq *r, struct vfile *f, int write, int grant, char *buf,
		   size_t count, uint64_t *pos, int nonblock)
{
	struct xfer x = { grant, write ? MK_GRANT_READ : MK_GRANT_WRITE, buf };
	struct ipc_msg m = { .label = write ? FSD_WRITE : FSD_READ };
	char out[VFS_FS_OUT];
	size_t n;
	long k;

	if (count == 0)
		return 0;
	if (f->type == VF_PIPE)
		return write ? pipe_write(r->c, f, count, xfer_copy, &x)
			     : pipe_read(r->c, f, count, xfer_copy, &x, nonblock, 0);
	if (f->type == VF_DEV) {
		m.label = write ? MEMDEV_WRITE : MEMDEV_READ;
		m.w[0] = (uint64_t)f->minor;
		m.w[1] = grant < 0 ? MEMDEV_NO_GRANT : (uint64_t)grant;
		m.w[3] = count;
		k = memdev_call(&m, buf, grant < 0 ? count : 0);
		return k;
	}
	if (S_ISDIR(f->vn->a.mode))
		return -EISDIR;
	if (write && (f->flags & O_APPEND)) {
		if ((k = vn_getattr(f->vn)) < 0)
			return k;
		*pos = f->vn->a.size;
	}
	if (grant < 0) {	/* only readv's fallback: at most a page, in the long part */
		count = count < FSD_IO_MAX ? count : FSD_IO_MAX;
		m.w[0] = f->vn->ino;
		m.w[1] = *pos;
		m.w[2] = count;
		k = fs_call(f->vn->fs, &m, NULL, 0, out, &n);
		if (k > 0)
			memcpy(buf, out, (size_t)k < n ? (size_t)k : n);
	} else {
		m.w[0] = f->vn->ino;
		m.w[1] = *pos;
		m.w[2] = count;
		m.w[3] = FSD_GRANTED(grant);
		k = fs_call(f->vn->fs, &m, NULL, 0, out, &n);
	}
	if (k > 0) {
		*pos += (uint64_t)k;
		if (write && n >= sizeof(struct fsd_attr))
			memcpy(&f->vn->a, out, sizeof(f->vn->a));
	}
	return k;
}

/* The file at fd w0 for reading or writing, with a reference; or NULL (*err). */
static struct vfile *io_file(struct vreq *r, int write, long *err)
{
	struct vfile *f = fd_file(r->c, (long)arg(r, 0));
	int acc;

	*err = -EBADF;
	if (!f)
		return NULL;
	acc = f->flags & O_ACCMODE;
	if (write ? acc == O_RDONLY : acc == O_WRONLY)
		return NULL;
	vfile_get(f);
	return f;
}

long sys_rw(struct vreq *r, int write, int positioned)
{
	size_t count = arg(r, 2) < VFS_IO_MAX ? arg(r, 2) : VFS_IO_MAX;
	uint64_t pos;
	long k;
	struct vfile *f = io_file(r, write, &k);

	if (!f)
		return k;
	if (positioned && f->type == VF_PIPE) {
		k = -ESPIPE;
	} else if (positioned && (int64_t)arg(r, 3) < 0) {
		k = -EINVAL;
	} else {
		pos = positioned ? arg(r, 3) : f->pos;
		k = io_one(r, f, write, 0, NULL, count, &pos, 0);
		if (!positioned && k > 0)
			f->pos = pos;
	}
	vfile_put(f);
	return k;
}

/*
 * Copy as much of @buf as grant @g takes, from its start: the grant's
 * length is not in the request, so find it from where copies fail.
 */
static size_t grant_fit(int g, char *buf, size_t len, int dir)
{
	size_t lo = 0, hi = len;

	if (len == 0 || mk_grant_copy(g, 0, buf, len, dir) >= 0)
		return len;
	while (hi - lo > 1) {		/* lo fits, hi does not */
		size_t mid = lo + (hi - lo) / 2;

		if (mk_grant_copy(g, 0, buf, mid, dir) >= 0)
			lo = mid;
		else
			hi = mid;
	}
	if (lo)
		mk_grant_copy(g, 0, buf, lo, dir);
	return lo;
}

/* readv without the lengths: read into vfs, then fill the grants in turn. */
static long readv_fallback(struct vreq *r, struct vfile *f, int n, uint64_t *pos)
{
	char *buf = malloc(VFS_IO_MAX);
	size_t got = 0, done = 0;
	long k = 0;

	if (!buf)
		return -ENOMEM;
	if (f->type == VF_PIPE) {
		struct xfer x = { -1, MK_GRANT_WRITE, buf };

		k = pipe_read(r->c, f, VFS_IO_MAX, xfer_copy, &x, 0, 1);
	} else {
		uint64_t p = *pos;

		while (got < VFS_IO_MAX && (k = io_one(r, f, 0, -1, buf + got,
						       VFS_IO_MAX - got, &p, 0)) > 0)
			got += (size_t)k;
		k = got ? (long)got : k;
	}
	got = k > 0 ? (size_t)k : 0;
	for (int i = 0; i < n && done < got; i++)
		done += grant_fit(i, buf + done, got - done, MK_GRANT_WRITE);
	if (f->type == VF_PIPE)
		pipe_drop(f, done);
	else
		*pos += done;
	free(buf);
	return k < 0 ? k : (long)done;
}

/*
 * readv, writev: grants 0..w2-1, one per iovec element. Their lengths
 * follow the mk_fdmap when the kernel sends them; otherwise writev finds
 * them by trying (reading a client's bytes twice harms nothing) and
 * readv reads into vfs first and fills the elements as far as they go.
 */
long sys_rw_vec(struct vreq *r, int write)
{
	int n = (int)(arg(r, 2) < MK_IOV_MAX ? arg(r, 2) : MK_IOV_MAX);
	uint64_t lens[MK_IOV_MAX], pos;
	int known = r->extra_len >= n * sizeof(uint64_t);
	size_t total = 0;
	long err, k = 0;
	struct vfile *f = io_file(r, write, &err);
	char *scratch = NULL;

	if (!f)
		return err;
	if (known)
		memcpy(lens, r->extra, n * sizeof(uint64_t));
	pos = f->pos;
	if (!known && !write) {
		k = readv_fallback(r, f, n, &pos);
		goto out;
	}
	if (!known && !(scratch = malloc(VFS_IO_MAX))) {
		k = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < n && total < VFS_IO_MAX; i++) {
		size_t len = known ? lens[i] : grant_fit(i, scratch, VFS_IO_MAX - total, MK_GRANT_READ);

		if (len > VFS_IO_MAX - total)
			len = VFS_IO_MAX - total;
		k = io_one(r, f, write, i, NULL, len, &pos, total > 0);
		if (k < 0)
			break;
		total += (size_t)k;
		if ((size_t)k < len)
			break;
	}
	k = total ? (long)total : k;
out:
	if (k > 0)
		f->pos = pos;
	free(scratch);
	vfile_put(f);
	return k;
}

/* The new offset of @f, or -errno; may drop vfs_lock (the caller holds @f). */
static long seek(struct vfile *f, int64_t off, uint64_t whence)
{
	int64_t base;
	long err;

	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END:
	case SEEK_DATA:
	case SEEK_HOLE:
		if ((err = vn_getattr(f->vn)) < 0)
			return err;
		base = (int64_t)f->vn->a.size;
		if (whence == SEEK_END)
			break;
		if (off < 0 || off >= base)
			return -ENXIO;
		return whence == SEEK_DATA ? off : base;	/* no holes: all data */
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	return base + off;
}

long sys_lseek(struct vreq *r)
{
	struct vfile *f = fd_file(r->c, (long)arg(r, 0));
	long pos;

	if (!f)
		return -EBADF;
	if (f->type == VF_PIPE)
		return -ESPIPE;
	if (f->type == VF_DEV)
		return 0;
	vfile_get(f);	/* a remote GETATTR drops vfs_lock */
	pos = seek(f, (int64_t)arg(r, 1), arg(r, 2));
	if (pos >= 0)
		f->pos = (uint64_t)pos;
	vfile_put(f);
	return pos;
}

/* Turn one READDIR answer into linux_dirent64 records; how many bytes used. */
static size_t put_dirents(const char *in, size_t n, char *out, size_t cap, uint64_t *pos)
{
	size_t off = 0, used = 0;

	while (off + sizeof(struct fsd_dirent) <= n) {
		const struct fsd_dirent *de = (const void *)(in + off);
		size_t reclen = (19 + (size_t)de->namelen + 1 + 7) & ~7UL;
		char *rec = out + used;
		uint16_t rl = (uint16_t)reclen;

		if (de->namelen > VFS_NAME_MAX || off + FSD_DIRENT_SIZE(de->namelen) > n ||
		    used + reclen > cap)
			break;
		memset(rec, 0, reclen);
		memcpy(rec, &de->ino, 8);
		memcpy(rec + 8, &de->next, 8);
		memcpy(rec + 16, &rl, 2);
		rec[18] = (char)de->type;
		memcpy(rec + 19, de->name, de->namelen);
		used += reclen;
		*pos = de->next;
		off += FSD_DIRENT_SIZE(de->namelen);
	}
	return used;
}

/* getdents64(fd, dirp, count): records up to count, d_off the next position. */
long sys_getdents(struct vreq *r)
{
	struct vfile *f = fd_file(r->c, (long)arg(r, 0));
	size_t cap = arg(r, 2) < VFS_IO_MAX ? arg(r, 2) : VFS_IO_MAX, used = 0;
	char in[VFS_FS_OUT], *out;
	long k = 0;

	if (!f)
		return -EBADF;
	if (f->type != VF_FILE || !S_ISDIR(f->vn->a.mode))
		return -ENOTDIR;
	if (!(out = malloc(cap ? cap : 1)))
		return -ENOMEM;
	vfile_get(f);
	for (;;) {
		struct ipc_msg m = { FSD_READDIR, { f->vn->ino, f->pos } };
		uint64_t pos = f->pos;
		size_t n, got;

		k = fs_call(f->vn->fs, &m, NULL, 0, in, &n);
		if (k <= 0)
			break;
		got = put_dirents(in, n < (size_t)k ? n : (size_t)k, out + used, cap - used, &pos);
		if (got == 0)
			break;
		used += got;
		f->pos = pos;
	}
	if (used)
		k = mk_grant_copy(0, 0, out, used, MK_GRANT_WRITE);
	else if (k > 0)
		k = -EINVAL;	/* the first record does not fit */
	free(out);
	vfile_put(f);
	return k < 0 ? k : (long)used;
}

long sys_ftruncate(struct vreq *r)
{
	struct vfile *f = fd_file(r->c, (long)arg(r, 0));
	struct ipc_msg m = { .label = FSD_TRUNCATE };
	char out[VFS_FS_OUT];
	size_t n;
	long err;

	if (!f)
		return -EBADF;
	if ((int64_t)arg(r, 1) < 0 || f->type != VF_FILE || !S_ISREG(f->vn->a.mode) ||
	    (f->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	m.w[0] = f->vn->ino;
	m.w[1] = arg(r, 1);
	vfile_get(f);
	err = fs_call(f->vn->fs, &m, NULL, 0, out, &n);
	vfile_put(f);
	return err;
}

/* The ipcfs protocol has no sync: ext2d writes through. */
long sys_fsync(struct vreq *r)
{
	struct vfile *f = fd_file(r->c, (long)arg(r, 0));

	if (!f)
		return -EBADF;
	return f->type == VF_FILE ? 0 : -EINVAL;
}
