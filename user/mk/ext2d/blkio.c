/*
 * The C-library half of ext2d's block I/O: the device node (/dev/vda1,
 * opened raw: drivers/block/bdev_file.c) read and written with pread,
 * pwrite and their vector forms at byte offsets, fsync for the disk's
 * cache flush; and the grant copy of the microkernel personality. The
 * buffer cache above it (buffer.c) is in the kernel half.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/uio.h>
#include "ext2d.h"
#include "../mk.h"

#define MAX_VEC	64

int blkio_open(const char *path, bool *read_only, uint64_t *bytes)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	off_t end;

	*read_only = false;
	if (fd < 0 && (errno == EROFS || errno == EACCES)) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		*read_only = true;
	}
	if (fd < 0)
		return -errno;
	end = lseek(fd, 0, SEEK_END);
	if (end < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	*bytes = (uint64_t)end;
	return fd;
}

/* The whole of @len, or -errno (-EIO for a short transfer: past the end). */
static long whole(ssize_t n, size_t len)
{
	if (n < 0)
		return -errno;
	return (size_t)n == len ? (long)n : -EIO;
}

/* The idle timer's signal must not fail a transfer: try again. */
#define RETRY(call) ({ ssize_t __n; do __n = (call); while (__n < 0 && errno == EINTR); __n; })

long blkio_read(int fd, void *buf, size_t len, uint64_t off)
{
	return whole(RETRY(pread(fd, buf, len, (off_t)off)), len);
}

long blkio_write(int fd, const void *buf, size_t len, uint64_t off)
{
	return whole(RETRY(pwrite(fd, buf, len, (off_t)off)), len);
}

/* Kernels without preadv/pwritev (Basalt today) get one call per buffer. */
static bool no_vec_io;

static long vec_io(int fd, void *const *bufs, size_t each, unsigned int n, uint64_t off,
		   bool write)
{
	struct iovec v[MAX_VEC];
	long r = -ENOSYS;

	if (n > MAX_VEC)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		v[i] = (struct iovec){ bufs[i], each };
	if (!no_vec_io) {
		if (write)
			r = whole(RETRY(pwritev(fd, v, (int)n, (off_t)off)), each * n);
		else
			r = whole(RETRY(preadv(fd, v, (int)n, (off_t)off)), each * n);
		no_vec_io = r == -ENOSYS;
	}
	if (r != -ENOSYS)
		return r;
	for (unsigned int i = 0; i < n; i++) {
		long k = write ? blkio_write(fd, bufs[i], each, off + i * each) :
				 blkio_read(fd, bufs[i], each, off + i * each);

		if (k < 0)
			return k;
	}
	return (long)(each * n);
}

long blkio_readv(int fd, void *const *bufs, size_t each, unsigned int n, uint64_t off)
{
	return vec_io(fd, bufs, each, n, off, false);
}

long blkio_writev(int fd, void *const *bufs, size_t each, unsigned int n, uint64_t off)
{
	return vec_io(fd, bufs, each, n, off, true);
}

int blkio_flush(int fd)
{
	return RETRY(fsync(fd)) ? -errno : 0;
}

long ext2d_grant_copy(uint64_t grant, uint64_t off, void *buf, size_t len, bool to_client)
{
	return mk_grant_copy((int)grant, off, buf, len, to_client ? MK_GRANT_WRITE : MK_GRANT_READ);
}

void ext2d_log(const char *line)
{
	fputs(line, stderr);
}
