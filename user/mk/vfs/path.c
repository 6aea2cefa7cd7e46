/*
 * Path resolution for vfs's clients. A walk keeps the canonical absolute
 * path of where it is and, inside one of vfs's mounts, the vnode there.
 * Each component is looked up where the walk is: in a mount with LOOKUP
 * (and READLINK for a symlink), in the kernel's name space with vfs's own
 * lstat (vfs runs outside the personality, as root, and sees the same
 * tree), except under /proc, whose links depend on who asks: those stay
 * in the path for the kernel to resolve. A symlink's target is spliced
 * in front of what is left of the path; ".." goes up one component of the
 * canonical path and walks it again from the root, so it crosses mount
 * points as Linux's does and a stored path never has "..", "." or links.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "vfs.h"
#include "../memdev_proto.h"

int dev_node(const char *path)
{
	if (!strcmp(path, "/dev/null"))
		return MEMDEV_NULL;
	if (!strcmp(path, "/dev/zero"))
		return MEMDEV_ZERO;
	if (!strcmp(path, "/dev/full"))
		return MEMDEV_FULL;
	return 0;
}

int path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1)	/* "/" */
		return 1;
	return !strncmp(path, dir, n) && (path[n] == 0 || path[n] == '/');
}

static void set_root(struct walk *w)
{
	strcpy(w->path, "/");
	vn_put(w->vn);
	w->vn = NULL;
	w->minor = 0;
}

/* Append component @name to w->path; returns the old length, or -ENAMETOOLONG. */
static long append(struct walk *w, const char *name, size_t len)
{
	size_t n = strlen(w->path), at = n == 1 ? 1 : n + 1;

	if (at + len >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	w->path[n] = '/';
	memcpy(w->path + at, name, len);
	w->path[at + len] = 0;
	return (long)n;
}

static void truncate_to(struct walk *w, long n)
{
	w->path[n ? n : 1] = 0;
}

/* Replace @rest by @head "/" @tail (tail may point into rest). */
static long path_splice(char *rest, const char *head, const char *tail)
{
	char tmp[2 * VFS_PATH_MAX];
	size_t h = strlen(head), t = strlen(tail);

	if (h + 1 + t >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, head, h);
	tmp[h] = '/';
	memcpy(tmp + h + 1, tail, t + 1);
	memcpy(rest, tmp, h + t + 2);
	return 0;
}

/* In a mount: look @name up in w->vn. 1 with the target in @link for a symlink to follow. */
static long step_fs(struct walk *w, const char *name, size_t len, int follow, char *link)
{
	struct ipc_msg m = { FSD_LOOKUP, { w->vn->ino } };
	char out[VFS_FS_OUT];
	struct vnode *nv;
	size_t n;
	long err = fs_call(w->vn->fs, &m, name, len, out, &n);

	if (err < 0)
		return err;
	if (n < sizeof(struct fsd_attr))
		return -EIO;
	if (!(nv = vn_new(w->vn->fs, (struct fsd_attr *)out)))
		return -ENOMEM;
	if (S_ISLNK(nv->a.mode) && follow) {
		m = (struct ipc_msg){ FSD_READLINK, { nv->ino, VFS_PATH_MAX - 1 } };
		err = fs_call(nv->fs, &m, NULL, 0, out, &n);
		vn_put(nv);
		if (err < 0)
			return err;
		if (n >= VFS_PATH_MAX || n == 0)
			return n ? -ENAMETOOLONG : -ENOENT;
		memcpy(link, out, n);
		link[n] = 0;
		return 1;
	}
	vn_put(w->vn);
	w->vn = nv;
	w->fresh = 1;
	return 0;
}

/* In the kernel's name space: check the component (0, 1 for a symlink, -errno). */
static long step_kernel(struct walk *w, int last, int follow, char *link)
{
	struct stat st;
	ssize_t n;

	if (path_within(w->path, "/proc"))
		return 0;
	if (lstat(w->path, &st) != 0)
		return last ? 0 : -errno;	/* the last one: the kernel decides */
	if (S_ISLNK(st.st_mode) && follow) {
		n = readlink(w->path, link, VFS_PATH_MAX - 1);
		if (n <= 0)
			return 0;
		link[n] = 0;
		return 1;
	}
	return !last && !S_ISDIR(st.st_mode) ? -ENOTDIR : 0;
}

/* Go from where @w is to its component @name: 0, 1 (a symlink: @link), -errno. */
static long step(struct walk *w, const char *name, size_t len, int last, int follow, char *link)
{
	struct vfs_fs *fs;
	long old, err;

	if (w->minor || (w->vn && !S_ISDIR(w->vn->a.mode)))
		return -ENOTDIR;
	w->fresh = 0;
	if ((old = append(w, name, len)) < 0)
		return old;
	if ((fs = fs_at(w->path))) {
		vn_put(w->vn);
		w->vn = fs->root;
		vn_get(w->vn);
		return 0;
	}
	if (!w->vn && (w->minor = dev_node(w->path)))
		return 0;
	err = w->vn ? step_fs(w, name, len, follow, link) : step_kernel(w, last, follow, link);
	if (err)
		truncate_to(w, old);
	return err;
}

/* Start @w at the directory @dirfd names (AT_FDCWD: the cwd). */
static long walk_base(struct vreq *r, long dirfd, struct walk *w)
{
	struct vfile *f;

	if (dirfd == AT_FDCWD) {
		strcpy(w->path, r->c->cwd);
		w->vn = r->c->cwd_vn;
	} else {
		f = fd_file(r->c, dirfd);
		if (!f)
			return -EBADF;
		if (f->type != VF_FILE || !S_ISDIR(f->vn->a.mode))
			return -ENOTDIR;
		strcpy(w->path, f->path);
		w->vn = f->vn;
	}
	if (w->vn)
		vn_get(w->vn);
	return 0;
}

long walk(struct vreq *r, long dirfd, const char *path, int flags, struct walk *w)
{
	char rest[2 * VFS_PATH_MAX], link[VFS_PATH_MAX];
	size_t plen = strlen(path);
	char *p = rest;
	long err;

	w->path[0] = 0;		/* (not all of it: 4 KiB) */
	memset(&w->vn, 0, sizeof(*w) - offsetof(struct walk, vn));
	if (plen >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (plen == 0)
		return -ENOENT;
	if (path[0] == '/')
		set_root(w);
	else if ((err = walk_base(r, dirfd, w)))
		return err;
	w->trailing = path[plen - 1] == '/';
	memcpy(rest, path, plen + 1);
	for (;;) {
		char *e, *q;
		size_t len;
		int last;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		for (e = p; *e && *e != '/'; e++)
			;
		len = (size_t)(e - p);
		for (q = e; *q == '/'; q++)
			;
		last = !*q;
		if (len > VFS_NAME_MAX) {
			err = -ENAMETOOLONG;
			goto fail;
		}
		if (last && (flags & W_PARENT)) {
			if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) {
				w->dot = (int)len;	/* the operation says no */
				return 0;
			}
			if (w->minor || (w->vn && !S_ISDIR(w->vn->a.mode))) {
				err = -ENOTDIR;
				goto fail;
			}
			if ((err = append(w, p, len)) < 0)
				goto fail;
			w->name = w->path + strlen(w->path) - len;
			w->name_len = len;
			return 0;
		}
		if (len == 1 && p[0] == '.') {
			p = e;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(w->path, '/');

			truncate_to(w, slash - w->path);
			if ((err = path_splice(rest, w->path, e)))
				goto fail;
			set_root(w);
			p = rest;
			continue;
		}
		err = step(w, p, len, last, !last || (flags & W_FOLLOW) || w->trailing, link);
		if (err < 0)
			goto fail;
		if (err == 1) {
			if (++w->loops > VFS_SYMLOOP_MAX) {
				err = -ELOOP;
				goto fail;
			}
			if (link[0] == '/')
				set_root(w);
			if ((err = path_splice(rest, link, e)))
				goto fail;
			p = rest;
			continue;
		}
		p = e;
	}
	if (flags & W_PARENT) {
		w->dot = 3;	/* "/": no name to make or remove */
		return 0;
	}
	if (w->trailing && (w->minor || (w->vn && !S_ISDIR(w->vn->a.mode)))) {
		err = -ENOTDIR;
		goto fail;
	}
	return 0;
fail:
	walk_done(w);
	return err;
}

void walk_done(struct walk *w)
{
	vn_put(w->vn);
	w->vn = NULL;
}

/* chdir: vfs keeps the cwd; into the kernel's name space the kernel's follows. */
long sys_chdir(struct vreq *r, const char *path)
{
	struct walk w;
	struct stat st;
	long err = walk(r, AT_FDCWD, path, W_FOLLOW, &w);

	if (err)
		return err;
	if (w.minor || (w.vn && !S_ISDIR(w.vn->a.mode))) {
		walk_done(&w);
		return -ENOTDIR;
	}
	if (!w.vn) {
		/* the kernel runs it too: only record what it will accept */
		if (!path_within(w.path, "/proc") && stat(w.path, &st) != 0)
			return -errno;
		if (!path_within(w.path, "/proc") && !S_ISDIR(st.st_mode))
			return -ENOTDIR;
		answer_native(r, w.path, NULL, -1);
	}
	strcpy(r->c->cwd, w.path);
	vn_put(r->c->cwd_vn);
	r->c->cwd_vn = w.vn;
	return 0;
}

long sys_fchdir(struct vreq *r, long fd)
{
	struct vfile *f = fd_file(r->c, fd);

	if (!f)
		return -EBADF;
	if (f->type != VF_FILE || !S_ISDIR(f->vn->a.mode))
		return -ENOTDIR;
	strcpy(r->c->cwd, f->path);
	vn_get(f->vn);
	vn_put(r->c->cwd_vn);
	r->c->cwd_vn = f->vn;
	return 0;
}

/* getcwd(buf, size): the length with the NUL, as Linux's system call. */
long sys_getcwd(struct vreq *r)
{
	size_t len = strlen(r->c->cwd) + 1;
	long err;

	if (arg(r, 1) < len)
		return -ERANGE;
	err = mk_grant_copy(0, 0, r->c->cwd, len, MK_GRANT_WRITE);
	return err < 0 ? err : (long)len;
}
