/*
 * Open files and the tables that hold them: struct file reference counts,
 * the per-process descriptor table (lowest free fd, close-on-exec bits,
 * copy at fork) and the per-process root, working directory and umask.
 */
#include "fs/internal.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/mm.h"

/*
 * A page-sized buffer for paths and for copies between user memory and
 * file_ops (IO_CHUNK == PATH_MAX == PAGE_SIZE), straight from the page
 * allocator so it does not fragment the kmalloc heap.
 */
void *io_buf_alloc(void)
{
	phys_addr_t pa = pmm_alloc_page();

	return pa ? phys_to_virt(pa) : NULL;
}

void io_buf_free(void *buf)
{
	if (buf)
		pmm_free_page(virt_to_phys(buf));
}

struct file *file_alloc(struct inode *ino, const struct file_ops *fops, unsigned int flags)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	if (ino)
		inode_get(ino);
	f->inode = ino;
	f->fops = fops;
	f->flags = flags;
	f->refcount = 1;
	return f;
}

struct file *file_get(struct file *f)
{
	if (f)
		f->refcount++;
	return f;
}

/* Drop a reference; the last one calls release and frees the file. */
void file_put(struct file *f)
{
	if (!f || WARN_ON(f->refcount <= 0))
		return;
	if (--f->refcount > 0)
		return;
	if (f->fops && f->fops->release)
		f->fops->release(f->inode, f);
	if (f->dentry)
		dput(f->dentry);
	if (f->inode)
		inode_put(f->inode);
	kfree(f);
}

struct files *files_alloc(void)
{
	struct files *t = kzalloc(sizeof(*t));

	if (t)
		t->refcount = 1;
	return t;
}

/* fork without CLONE_FILES: a new table sharing the same open files. */
struct files *files_dup(struct files *old)
{
	struct files *t = files_alloc();

	if (!t || !old)
		return t;
	for (int i = 0; i < MAX_FDS; i++)
		t->fd[i] = file_get(old->fd[i]);
	memcpy(t->cloexec, old->cloexec, sizeof(t->cloexec));
	memcpy(t->open, old->open, sizeof(t->open));
	return t;
}

void files_put(struct files *t)
{
	if (!t || --t->refcount > 0)
		return;
	for (int i = 0; i < MAX_FDS; i++)
		file_put(t->fd[i]);
	kfree(t);
}

/* execve: close every descriptor marked FD_CLOEXEC. */
void files_close_on_exec(struct files *t)
{
	for (int i = 0; i < MAX_FDS; i++) {
		if (!(t->cloexec[i / 64] & (1ULL << (i % 64))))
			continue;
		t->cloexec[i / 64] &= ~(1ULL << (i % 64));
		t->open[i / 64] &= ~(1ULL << (i % 64));
		file_put(t->fd[i]);
		t->fd[i] = NULL;
	}
}

static struct files *cur_files(void)
{
	return current ? current->files : NULL;
}

struct file *fd_get(int fd)
{
	struct files *t = cur_files();

	if (!t || fd < 0 || fd >= MAX_FDS)
		return NULL;
	return t->fd[fd];
}

void fd_set_cloexec(int fd, int on)
{
	struct files *t = cur_files();

	if (on)
		t->cloexec[fd / 64] |= 1ULL << (fd % 64);
	else
		t->cloexec[fd / 64] &= ~(1ULL << (fd % 64));
}

bool fd_is_cloexec(int fd)
{
	return cur_files()->cloexec[fd / 64] & (1ULL << (fd % 64));
}

/* The lowest free descriptor >= @from, or -EMFILE. */
int fd_alloc_from(int from)
{
	struct files *t = cur_files();

	if (!t)
		return -EMFILE;
	for (int i = from < 0 ? 0 : from; i < MAX_FDS; i++)
		if (!t->fd[i])
			return i;
	return -EMFILE;
}

/* Put @f (the caller's reference) at @fd, closing whatever was there. */
int fd_install_at(int fd, struct file *f, int cloexec)
{
	struct files *t = cur_files();
	struct file *old;

	if (!t || fd < 0 || fd >= MAX_FDS)
		return -EBADF;
	old = t->fd[fd];
	t->fd[fd] = f;
	if (f)
		t->open[fd / 64] |= 1ULL << (fd % 64);
	else
		t->open[fd / 64] &= ~(1ULL << (fd % 64));
	fd_set_cloexec(fd, cloexec);
	file_put(old);
	return fd;
}

int fd_install(struct file *f, int cloexec)
{
	int fd = fd_alloc_from(0);

	if (fd < 0)
		return fd;
	return fd_install_at(fd, f, cloexec);
}

/* Move the file at @from to @to, closing what was there; its close-on-exec flag goes along. */
int fd_move(int from, int to)
{
	struct files *t = cur_files();
	struct file *f = fd_get(from);
	int cloexec;

	if (!f || to < 0 || to >= MAX_FDS)
		return -EBADF;
	if (from == to)
		return to;
	cloexec = fd_is_cloexec(from);
	t->fd[from] = NULL;
	t->open[from / 64] &= ~(1ULL << (from % 64));
	fd_set_cloexec(from, 0);
	return fd_install_at(to, f, cloexec);
}

int fd_close(int fd)
{
	struct files *t = cur_files();
	struct file *f = fd_get(fd);

	if (!f)
		return -EBADF;
	t->fd[fd] = NULL;
	t->open[fd / 64] &= ~(1ULL << (fd % 64));
	fd_set_cloexec(fd, 0);
	file_put(f);
	return 0;
}

/* The first process starts at the root with umask 022. */
struct fs_context *fs_context_root(void)
{
	struct fs_context *fs = kzalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	fs->refcount = 1;
	fs->root = dget(vfs_root_dentry);
	fs->cwd = dget(vfs_root_dentry);
	fs->umask = 022;
	return fs;
}

struct fs_context *fs_context_dup(struct fs_context *old)
{
	struct fs_context *fs = kzalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	fs->refcount = 1;
	fs->root = dget(old->root);
	fs->cwd = dget(old->cwd);
	fs->umask = old->umask;
	return fs;
}

void fs_context_put(struct fs_context *fs)
{
	if (!fs || --fs->refcount > 0)
		return;
	dput(fs->root);
	dput(fs->cwd);
	kfree(fs);
}

/*
 * Install two new files (pipe2, ipc_create) at the lowest free fds and tell
 * user space which; on any failure neither stays installed.
 */
int fd_install_pair(struct file *a, struct file *b, int cloexec, int __user *ufds)
{
	int fds[2];

	fds[0] = fd_install(a, cloexec);
	if (fds[0] < 0) {
		file_put(a);
		file_put(b);
		return fds[0];
	}
	fds[1] = fd_install(b, cloexec);
	if (fds[1] < 0) {
		fd_close(fds[0]);
		file_put(b);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(fds[0]);
		fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
}
