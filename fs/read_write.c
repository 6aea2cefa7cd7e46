/*
 * Moving data: read, write and their vectored and positioned forms, lseek,
 * sendfile, getdents64 and the sync family. User memory is only touched
 * through the uaccess helpers, a page-sized bounce buffer at a time; file
 * systems and drivers see kernel buffers only.
 */
#include "fs/internal.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/string.h"
#include "mm/mm.h"

#define MAX_RW_COUNT	0x7ffff000UL
#define IOV_MAX		1024

struct iovec {
	void __user *base;
	size_t len;
};

/* The file behind @fd if it may be read (@write false) or written. */
static struct file *rw_file(int fd, bool write, long *err)
{
	struct file *f = fd_get(fd);
	unsigned int acc;

	if (unlikely(!f || (f->flags & O_PATH)))
		goto badf;
	acc = f->flags & O_ACCMODE;
	if (unlikely(write ? acc == O_RDONLY : acc == O_WRONLY))
		goto badf;
	if (unlikely(!f->fops || (write ? !f->fops->write : !f->fops->read))) {
		*err = S_ISDIR(f->inode->mode) ? -EISDIR : -EINVAL;
		return NULL;
	}
	return f;
badf:
	*err = -EBADF;
	return NULL;
}

/*
 * Read up to @count bytes at *pos into user memory. Regular files are read
 * in chunks until the count is met; anything else (pipes, terminals,
 * devices) returns after one chunk, since a second could block.
 */
/* Small transfers (most syscalls) bounce through the stack, not a page. */
#define SMALL_IO	256

static long do_read(struct file *f, char __user *ubuf, size_t count, uint64_t *pos)
{
	char small[SMALL_IO], *buf;
	size_t done = 0;
	long n = 0;

	count = MIN(count, MAX_RW_COUNT);
	if (!access_ok(ubuf, count))
		return -EFAULT;
	buf = count <= SMALL_IO ? small : io_buf_alloc();
	if (!buf)
		return -ENOMEM;
	while (done < count) {
		size_t chunk = MIN(count - done, (size_t)IO_CHUNK);

		n = f->fops->read(f, buf, chunk, pos);
		if (n <= 0)
			break;
		if (copy_to_user(ubuf + done, buf, (size_t)n)) {
			n = -EFAULT;
			break;
		}
		done += (size_t)n;
		if ((size_t)n < chunk || !(S_ISREG(f->inode->mode) || S_ISBLK(f->inode->mode)))
			break;
	}
	if (buf != small)
		io_buf_free(buf);
	return done ? (long)done : n;
}

/* Write @count bytes from user memory at *pos; O_APPEND writes at the end. */
static long do_write(struct file *f, const char __user *ubuf, size_t count, uint64_t *pos)
{
	char small[SMALL_IO], *buf;
	size_t done = 0;
	long n = 0;

	count = MIN(count, MAX_RW_COUNT);
	if (!access_ok(ubuf, count))
		return -EFAULT;
	buf = count <= SMALL_IO ? small : io_buf_alloc();
	if (!buf)
		return -ENOMEM;
	while (done < count) {
		size_t chunk = MIN(count - done, (size_t)IO_CHUNK);

		if (copy_from_user(buf, ubuf + done, chunk)) {
			n = -EFAULT;
			break;
		}
		if ((f->flags & O_APPEND) && S_ISREG(f->inode->mode))
			*pos = f->inode->size;
		n = f->fops->write(f, buf, chunk, pos);
		if (n <= 0)
			break;
		done += (size_t)n;
		if ((size_t)n < chunk)
			break;
	}
	if (buf != small)
		io_buf_free(buf);
	return done ? (long)done : n;
}

SYSCALL_DEFINE3(read, int, fd, char __user *, ubuf, size_t, count)
{
	long err;
	struct file *f = rw_file(fd, false, &err);

	return f ? do_read(f, ubuf, count, &f->pos) : err;
}

SYSCALL_DEFINE3(write, int, fd, const char __user *, ubuf, size_t, count)
{
	long err;
	struct file *f = rw_file(fd, true, &err);

	if (f && f->fops->write_user)
		return f->fops->write_user(f, ubuf, count, &f->pos);
	return f ? do_write(f, ubuf, count, &f->pos) : err;
}

/* Positioned I/O needs a seekable file. */
static struct file *pos_file(int fd, bool write, int64_t off, long *err)
{
	struct file *f = rw_file(fd, write, err);

	if (f && !f->fops->llseek) {
		*err = -ESPIPE;
		return NULL;
	}
	if (f && off < 0) {
		*err = -EINVAL;
		return NULL;
	}
	return f;
}

SYSCALL_DEFINE4(pread64, int, fd, char __user *, ubuf, size_t, count, int64_t, off)
{
	uint64_t pos = (uint64_t)off;
	long err;
	struct file *f = pos_file(fd, false, off, &err);

	return f ? do_read(f, ubuf, count, &pos) : err;
}

SYSCALL_DEFINE4(pwrite64, int, fd, const char __user *, ubuf, size_t, count, int64_t, off)
{
	uint64_t pos = (uint64_t)off;
	unsigned int flags;
	long err;
	struct file *f = pos_file(fd, true, off, &err);

	if (!f)
		return err;
	flags = f->flags;
	f->flags &= ~O_APPEND;	/* pwrite writes where it is told */
	err = do_write(f, ubuf, count, &pos);
	f->flags = flags;
	return err;
}

/* readv/writev: one iovec after another until a short transfer. */
static long do_iov(int fd, const struct iovec __user *uiov, int cnt, bool write)
{
	struct iovec *iov;
	size_t total = 0;
	long err, n = 0;
	struct file *f = rw_file(fd, write, &err);

	if (!f)
		return err;
	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	if (!cnt)
		return 0;
	iov = kmalloc(sizeof(*iov) * (size_t)cnt);
	if (!iov)
		return -ENOMEM;
	if (copy_from_user(iov, uiov, sizeof(*iov) * (size_t)cnt)) {
		kfree(iov);
		return -EFAULT;
	}
	for (int i = 0; i < cnt; i++) {
		if (!iov[i].len)
			continue;
		n = write ? do_write(f, iov[i].base, iov[i].len, &f->pos)
			  : do_read(f, iov[i].base, iov[i].len, &f->pos);
		if (n <= 0)
			break;
		total += (size_t)n;
		if ((size_t)n < iov[i].len)
			break;
	}
	kfree(iov);
	return total ? (long)total : n;
}

SYSCALL_DEFINE3(readv, int, fd, const struct iovec __user *, uiov, int, cnt)
{
	return do_iov(fd, uiov, cnt, false);
}

SYSCALL_DEFINE3(writev, int, fd, const struct iovec __user *, uiov, int, cnt)
{
	return do_iov(fd, uiov, cnt, true);
}

SYSCALL_DEFINE3(lseek, int, fd, int64_t, off, int, whence)
{
	struct file *f = fd_get(fd);

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (!f->fops || !f->fops->llseek)
		return -ESPIPE;
	return f->fops->llseek(f, off, whence);
}

SYSCALL_DEFINE4(sendfile, int, out_fd, int, in_fd, int64_t __user *, uoff, size_t, count)
{
	long err, n = 0;
	struct file *in = rw_file(in_fd, false, &err), *out;
	uint64_t pos;
	size_t done = 0;
	int64_t off;
	char *buf;

	if (!in)
		return err;
	out = rw_file(out_fd, true, &err);
	if (!out)
		return err;
	if (uoff) {
		if (copy_from_user(&off, uoff, sizeof(off)))
			return -EFAULT;
		if (off < 0)
			return -EINVAL;
		pos = (uint64_t)off;
	} else {
		pos = in->pos;
	}
	buf = io_buf_alloc();
	if (!buf)
		return -ENOMEM;
	count = MIN(count, MAX_RW_COUNT);
	while (done < count) {
		size_t chunk = MIN(count - done, (size_t)IO_CHUNK);
		long w;

		n = in->fops->read(in, buf, chunk, &pos);
		if (n <= 0)
			break;
		if ((out->flags & O_APPEND) && S_ISREG(out->inode->mode))
			out->pos = out->inode->size;
		w = out->fops->write(out, buf, (size_t)n, &out->pos);
		if (w < n) {
			/* give back what the reader lost */
			pos -= (uint64_t)(n - (w > 0 ? w : 0));
			if (w > 0)
				done += (size_t)w;
			n = w;
			break;
		}
		done += (size_t)n;
		if ((size_t)n < chunk)
			break;
	}
	io_buf_free(buf);
	if (uoff) {
		off = (int64_t)pos;
		if (copy_to_user(uoff, &off, sizeof(off)))
			return -EFAULT;
	} else {
		in->pos = pos;
	}
	return done ? (long)done : n;
}

/* getdents64: records into a kernel buffer, then one copy out. */
struct dirent_sink {
	char *buf;
	size_t size, used;
};

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

static int fill_dirent64(struct dirent_sink *s, const char *name, size_t len, uint64_t ino,
			 unsigned int type, uint64_t next_pos)
{
	size_t reclen = ALIGN_UP(offsetof(struct linux_dirent64, d_name) + len + 1, 8);
	struct linux_dirent64 *d;

	if (s->used + reclen > s->size)
		return 1;
	d = (struct linux_dirent64 *)(s->buf + s->used);
	d->d_ino = ino;
	d->d_off = (int64_t)next_pos;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = (uint8_t)type;
	memcpy(d->d_name, name, len);
	memset(d->d_name + len, 0, reclen - offsetof(struct linux_dirent64, d_name) - len);
	s->used += reclen;
	return 0;
}

SYSCALL_DEFINE3(getdents64, int, fd, void __user *, udirp, unsigned int, count)
{
	struct file *f = fd_get(fd);
	struct dirent_sink sink;
	long err;

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (!S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	if (!f->fops || !f->fops->readdir)
		return -ENOTDIR;
	sink.buf = io_buf_alloc();
	if (!sink.buf)
		return -ENOMEM;
	sink.size = MIN((size_t)count, (size_t)IO_CHUNK);
	sink.used = 0;
	err = f->fops->readdir(f, &sink, fill_dirent64);
	if (!err && !sink.used && count) {
		/* nothing fitted although entries remain? */
		uint64_t pos = f->pos;
		struct dirent_sink probe = { sink.buf, IO_CHUNK, 0 };

		f->fops->readdir(f, &probe, fill_dirent64);
		f->pos = pos;
		if (probe.used)
			err = -EINVAL;
	}
	if (!err && sink.used && copy_to_user(udirp, sink.buf, sink.used))
		err = -EFAULT;
	io_buf_free(sink.buf);
	return err ? err : (long)sink.used;
}

SYSCALL_DEFINE0(sync)
{
	if (block_sync_all)
		block_sync_all();	/* in-memory file systems have nothing to write */
	return 0;
}

SYSCALL_DEFINE1(fsync, int, fd)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	return f->fops && f->fops->fsync ? f->fops->fsync(f, 0) : 0;
}

SYSCALL_DEFINE1(fdatasync, int, fd)
{
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	return f->fops && f->fops->fsync ? f->fops->fsync(f, 1) : 0;
}
