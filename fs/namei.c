/*
 * Path lookup: turn a name into a dentry, one component at a time, from
 * the process root or working directory (or a directory fd for the *at
 * calls). Handles "." and "..", including across mount points and at the
 * root, symbolic links in the middle and at the end (at most 40 per walk),
 * search permission on every directory, and Linux's error numbers.
 */
#include "fs/internal.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/mm.h"

struct walk {
	struct dentry *root;	/* borrowed: the process root */
	int links;		/* symlinks followed so far */
	unsigned int flags;	/* LOOKUP_* */
};

static const struct cred root_cred;

/* Credentials of the caller; kernel threads and early boot act as root. */
const struct cred *current_cred(void)
{
	return current ? &current->cred : &root_cred;
}

/*
 * Check @mask (MAY_*) against the mode bits of @ino for the caller's
 * effective ids (real ids with LOOKUP_REAL_ID, for access()). uid 0 may
 * read and write anything, and execute whatever has some x bit.
 */
int inode_permission(struct inode *ino, int mask, unsigned int flags)
{
	const struct cred *cred = current_cred();
	uint32_t uid = (flags & LOOKUP_REAL_ID) ? cred->uid : cred->euid;
	uint32_t gid = (flags & LOOKUP_REAL_ID) ? cred->gid : cred->egid;
	uint32_t perm;

	if (uid == 0) {
		if ((mask & MAY_EXEC) && !S_ISDIR(ino->mode) && !(ino->mode & 0111))
			return -EACCES;
		return 0;
	}
	if (uid == ino->uid)
		perm = ino->mode >> 6;
	else if (gid == ino->gid)
		perm = ino->mode >> 3;
	else
		perm = ino->mode;
	return ((perm & 7 & mask) == (uint32_t)mask) ? 0 : -EACCES;
}

bool name_is_dot(const char *name, size_t len)
{
	return len == 1 && name[0] == '.';
}

bool name_is_dotdot(const char *name, size_t len)
{
	return len == 2 && name[0] == '.' && name[1] == '.';
}

static struct dentry *process_root(void)
{
	if (current && current->fs && current->fs->root)
		return current->fs->root;
	return vfs_root_dentry;
}

/* Where a walk of @path starts: the root, the cwd or @dirfd's directory. */
static int start_dir(int dirfd, const char *path, struct dentry **out)
{
	struct file *f;

	if (path[0] == '/') {
		*out = dget(process_root());
	} else if (dirfd == AT_FDCWD) {
		if (current && current->fs && current->fs->cwd)
			*out = dget(current->fs->cwd);
		else
			*out = dget(process_root());
	} else {
		f = fd_get(dirfd);
		if (!f)
			return -EBADF;
		if (!f->dentry)
			return -ENOTDIR;
		*out = dget(f->dentry);
	}
	return *out ? 0 : -ENOENT;
}

/* If something is mounted on @d, the root of the topmost mount instead. */
struct dentry *follow_mounts(struct dentry *d)
{
	while (d->mounted) {
		struct dentry *top = dget(d->mounted);

		dput(d);
		d = top;
	}
	return d;
}

/* "..": stays at the process root, crosses from a mount root to its parent. */
static struct dentry *step_up(struct walk *w, struct dentry *d)
{
	struct dentry *up;

	for (;;) {
		if (d == w->root)
			return d;
		if (d->parent != d)
			break;
		if (!d->covers)
			return d;	/* the global root */
		up = dget(d->covers);
		dput(d);
		d = up;
	}
	up = dget(d->parent);
	dput(d);
	return follow_mounts(up);
}

/*
 * The child @name of directory @dir (a new reference), asking the file
 * system if no live dentry has the name. Does not cross a mount on it.
 */
int lookup_child_raw(struct dentry *dir, const char *name, size_t len, struct dentry **out)
{
	struct inode *ino;
	struct dentry *d;
	int err;

	d = d_find_child(dir, name, len);
	if (d && d->inode->iops && d->inode->iops->revalidate &&
	    !d->inode->iops->revalidate(d->inode)) {
		d_drop(d);
		dput(d);
		d = NULL;
	}
	if (!d) {
		if (!dir->inode->iops || !dir->inode->iops->lookup)
			return -ENOENT;
		err = dir->inode->iops->lookup(dir->inode, name, len, &ino);
		if (err)
			return err;
		d = dentry_alloc(dir, name, len, ino);
		if (!d) {
			inode_put(ino);
			return -ENOMEM;
		}
	}
	*out = d;
	return 0;
}

/* As lookup_child_raw, then into whatever is mounted on the child. */
int lookup_child(struct dentry *dir, const char *name, size_t len, struct dentry **out)
{
	int err = lookup_child_raw(dir, name, len, out);

	if (!err)
		*out = follow_mounts(*out);
	return err;
}

static int walk_path(struct walk *w, struct dentry **pos, const char *path, size_t plen,
		     bool follow_last);

/* Replace *pos (the directory holding @link) with what @link points to. */
static int follow_link(struct walk *w, struct dentry **pos, struct dentry *link)
{
	struct inode *ino = link->inode;
	char *target;
	int len;

	if (++w->links > MAX_SYMLINKS) {
		dput(link);
		return -ELOOP;
	}
	target = io_buf_alloc();
	if (!target) {
		dput(link);
		return -ENOMEM;
	}
	len = ino->iops && ino->iops->readlink ? ino->iops->readlink(ino, target, PATH_MAX)
					       : -EINVAL;
	dput(link);
	if (len == 0)
		len = -ENOENT;
	if (len > 0)
		len = walk_path(w, pos, target, (size_t)len, true);
	io_buf_free(target);
	return len < 0 ? len : 0;
}

/*
 * Walk @path (@plen bytes, not necessarily NUL-terminated) from *pos, which
 * holds a reference that is replaced as the walk moves. On success *pos is
 * the dentry named; a trailing slash demands a directory.
 */
static int walk_path(struct walk *w, struct dentry **pos, const char *path, size_t plen,
		     bool follow_last)
{
	const char *p = path, *end = path + plen;
	struct dentry *child;
	int err;

	if (p < end && *p == '/') {
		dput(*pos);
		*pos = dget(w->root);
	}
	for (;;) {
		const char *name, *q;
		size_t len;
		bool last, slash;

		while (p < end && *p == '/')
			p++;
		if (p == end)
			return 0;
		name = p;
		while (p < end && *p != '/')
			p++;
		len = (size_t)(p - name);
		for (q = p; q < end && *q == '/'; q++)
			;
		last = q == end;
		slash = p < end;
		if (!S_ISDIR((*pos)->inode->mode))
			return -ENOTDIR;
		err = inode_permission((*pos)->inode, MAY_EXEC, w->flags);
		if (err)
			return err;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		if (name_is_dot(name, len))
			continue;
		if (name_is_dotdot(name, len)) {
			*pos = step_up(w, *pos);
			continue;
		}
		err = lookup_child(*pos, name, len, &child);
		if (err)
			return err;
		if (S_ISLNK(child->inode->mode) && (!last || follow_last || slash)) {
			err = follow_link(w, pos, child);
			if (err)
				return err;
			continue;
		}
		dput(*pos);
		*pos = child;
	}
}

/*
 * Look up @path relative to @dirfd (AT_FDCWD: the working directory).
 * LOOKUP_FOLLOW follows a symlink in the last component. On success *out
 * holds a reference the caller must dput().
 */
int path_lookup(int dirfd, const char *path, unsigned int flags, struct dentry **out)
{
	struct walk w = { .root = process_root(), .flags = flags };
	size_t len = strnlen(path, PATH_MAX);
	struct dentry *d;
	int err;

	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!len && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	err = start_dir(dirfd, path, &d);
	if (err)
		return err;
	err = walk_path(&w, &d, path, len, flags & LOOKUP_FOLLOW);
	if (!err && len && path[len - 1] == '/' && !S_ISDIR(d->inode->mode))
		err = -ENOTDIR;
	if (err) {
		dput(d);
		return err;
	}
	*out = d;
	return 0;
}

/*
 * Look up the directory that holds the last component of @path and point
 * pp->name at that component (trailing slashes excluded). A path of only
 * slashes names "." in the root. The caller must dput(pp->dir).
 */
int path_lookup_parent(int dirfd, const char *path, struct path_parent *pp)
{
	struct walk w = { .root = process_root() };
	size_t len = strnlen(path, PATH_MAX), end, start;
	struct dentry *d;
	int err;

	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!len)
		return -ENOENT;
	for (end = len; end > 0 && path[end - 1] == '/'; end--)
		;
	for (start = end; start > 0 && path[start - 1] != '/'; start--)
		;
	pp->trailing_slash = end < len;
	if (end == 0) {
		pp->name = ".";
		pp->len = 1;
	} else {
		pp->name = path + start;
		pp->len = end - start;
	}
	if (pp->len > NAME_MAX)
		return -ENAMETOOLONG;
	err = start_dir(dirfd, path, &d);
	if (err)
		return err;
	err = walk_path(&w, &d, path, start, true);
	if (!err && !S_ISDIR(d->inode->mode))
		err = -ENOTDIR;
	if (!err)
		err = inode_permission(d->inode, MAY_EXEC, 0);
	if (err) {
		dput(d);
		return err;
	}
	pp->dir = d;
	return 0;
}

/* Copy a path from user space into a new kernel buffer (free with putname). */
long getname(const char __user *upath, char **out)
{
	char *buf = io_buf_alloc();
	long len;

	if (!buf)
		return -ENOMEM;
	len = strncpy_from_user(buf, upath, PATH_MAX);
	if (len < 0) {
		io_buf_free(buf);
		return len;
	}
	*out = buf;
	return 0;
}

void putname(char *kpath)
{
	io_buf_free(kpath);
}
