/*
 * Dentries: the names of the tree. A dentry lives as long as something
 * holds it (an open file, a working directory, a mount, a child dentry or
 * a walk in progress); there is no cache of unused names, so a lookup
 * always asks the file system and never sees a stale entry. Live children
 * stay on their parent's list so that a second walk reaches the same
 * dentry, which is where mounts hang. Unlinked entries are dropped from
 * the tree but live on for their holders; rename moves them.
 */
#include "fs/internal.h"
#include "lib/string.h"
#include "mm/mm.h"

/*
 * Make a dentry for @name in @parent (NULL: a root, whose parent is itself).
 * The caller's reference to @ino passes to the dentry. NULL if out of memory.
 */
struct dentry *dentry_alloc(struct dentry *parent, const char *name, size_t len,
			    struct inode *ino)
{
	struct dentry *d;

	if (len > NAME_MAX)
		return NULL;
	d = kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	d->inode = ino;
	d->refcount = 1;
	list_init(&d->children);
	list_init(&d->sibling);
	if (parent) {
		d->parent = dget(parent);
		list_add(&d->sibling, &parent->children);
	} else {
		d->parent = d;
	}
	return d;
}

struct dentry *dget(struct dentry *d)
{
	if (d)
		d->refcount++;
	return d;
}

/* Drop a reference; the last one frees the dentry and releases its parent. */
void dput(struct dentry *d)
{
	while (d) {
		struct dentry *parent;

		if (--d->refcount > 0)
			return;
		parent = d->parent == d ? NULL : d->parent;
		list_del_init(&d->sibling);
		if (d->inode)
			inode_put(d->inode);
		kfree(d);
		d = parent;
	}
}

/* The live child of @dir called @name, with a new reference, or NULL. */
struct dentry *d_find_child(struct dentry *dir, const char *name, size_t len)
{
	struct dentry *c;

	list_for_each_entry(c, &dir->children, sibling) {
		if (!strncmp(c->name, name, len) && c->name[len] == '\0')
			return dget(c);
	}
	return NULL;
}

/* Take @d out of the tree after its name was removed (unlink, rmdir). */
void d_drop(struct dentry *d)
{
	if (d->flags & DENTRY_DEAD)
		return;
	list_del_init(&d->sibling);
	d->flags |= DENTRY_DEAD;
}

/* Give @d a new name and parent after a rename. */
void d_move(struct dentry *d, struct dentry *ndir, const char *name, size_t len)
{
	struct dentry *old = d->parent;

	list_del_init(&d->sibling);
	memcpy(d->name, name, len);
	d->name[len] = '\0';
	if (ndir != old) {
		d->parent = dget(ndir);
		dput(old);
	}
	list_add(&d->sibling, &ndir->children);
}

/*
 * Write the path of @d as seen from @root into the end of @buf and return
 * the offset where it starts. Crosses mount points upwards. -ENOENT for a
 * removed directory, -ENAMETOOLONG if @buf is too small.
 */
int d_path(struct dentry *d, struct dentry *root, char *buf, size_t size)
{
	size_t pos = size;

	if (size < 2)
		return -ENAMETOOLONG;
	if (d->flags & DENTRY_DEAD)
		return -ENOENT;
	buf[--pos] = '\0';
	while (d != root) {
		size_t len;

		if (d->parent == d) {
			if (!d->covers)
				break;	/* the global root: @root was elsewhere */
			d = d->covers;
			continue;
		}
		len = strlen(d->name);
		if (pos < len + 1)
			return -ENAMETOOLONG;
		pos -= len;
		memcpy(buf + pos, d->name, len);
		buf[--pos] = '/';
		d = d->parent;
	}
	if (pos == size - 1)
		buf[--pos] = '/';
	return (int)pos;
}

/* Is @anc @d itself or one of its ancestors in the same file system? */
bool d_is_ancestor(struct dentry *anc, struct dentry *d)
{
	for (;;) {
		if (d == anc)
			return true;
		if (d->parent == d)
			return false;
		d = d->parent;
	}
}
