/*
 * procfs: the file system on /proc. Its inodes are made on lookup and
 * describe what they show (struct proc_node); a file's text is generated
 * when it is opened, so one open sees one consistent snapshot (a file may
 * also take a new one at a read from offset 0: proc_text_refresh). The root
 * lists the entries other subsystems register with procfs_register(),
 * the "self" symlink and one directory per process (fs/proc_pid.c).
 * sysfs, on /sys, is the same machinery over a second list of entries
 * (sysfs_register_data), with neither "self" nor process directories.
 */
#include "fs/internal.h"
#include "kernel/module.h"
#include "kernel/sched.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

#define PROC_TEXT_MAX	(1U << 20)
#define PROC_INO_SELF	2
#define PROC_INO_ENTRY	16

struct proc_entry {
	char name[64];
	long (*show)(char *buf, size_t size);
	long (*write)(const char *buf, size_t len);	/* NULL: read-only */
	/* procfs_register_data's forms, with the registrant's context */
	long (*show_data)(char *buf, size_t size, void *data);
	long (*write_data)(const char *buf, size_t len, void *data);
	void *data;
	int index;
	bool fresh;		/* a read from offset 0 takes a new snapshot */
	struct list_head node;
};

struct proc_text {
	char *data;
	size_t len;
};

/* The entries of one file system: /proc's, or /sys's (a super block's priv). */
struct proc_tree {
	struct list_head entries;
	int nr_entries;
};

static struct proc_tree proc_tree = { LIST_HEAD_INIT(proc_tree.entries), 0 };
static struct proc_tree sys_tree = { LIST_HEAD_INIT(sys_tree.entries), 0 };

/* The list an inode's entries come from. */
static struct proc_tree *tree_of(const struct inode *ino)
{
	return ino->sb->priv;
}

static const struct inode_ops proc_root_iops;
static const struct file_ops proc_root_fops;
static const struct inode_ops proc_self_iops;
static const struct inode_ops proc_entry_iops = { .evict = proc_evict };
static const struct file_ops proc_entry_fops;

/* What a removed entry shows (its number stays reserved). */
static long proc_gone_show(char *buf, size_t size)
{
	return -ENOENT;
}

static struct proc_entry *entry_by_name(struct proc_tree *tree, const char *name)
{
	struct proc_entry *e;

	list_for_each_entry(e, &tree->entries, node)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

static struct proc_entry *entry_add(struct proc_tree *tree, const char *name,
				     long (*show)(char *, size_t))
{
	struct proc_entry *e = kzalloc(sizeof(*e));

	if (!e)
		return NULL;
	strcpy(e->name, name);
	e->show = show;
	e->index = tree->nr_entries++;
	list_add_tail(&e->node, &tree->entries);
	return e;
}

/* Stand-ins in e->show / e->write for entries with context (never called). */
static long proc_data_show(char *buf, size_t size)
{
	return -EIO;
}

static long proc_data_write(const char *buf, size_t len)
{
	return -EIO;
}

static void release_entry(const void *key, uintptr_t arg)
{
	procfs_unregister(((const struct proc_entry *)key)->name);
}

/* Record the entry against the module its callback lives in. */
static void track_entry(struct proc_entry *e)
{
	uintptr_t owner = e->show_data ? (uintptr_t)e->show_data : (uintptr_t)e->show;

	module_track(owner, MRES_PROCFS, e, 0, release_entry, "/proc/%s registered", e->name);
}

/*
 * Add @name to @tree, into *out. A name with slashes ("sys/kernel/tainted")
 * creates the directories on the way (entries without a show function).
 */
static int tree_add(struct proc_tree *tree, const char *name, long (*show)(char *, size_t),
		    struct proc_entry **out)
{
	struct proc_entry *e;
	char path[sizeof(e->name)];

	if (strlen(name) >= sizeof(e->name) || !*name || name[0] == '/' ||
	    name[strlen(name) - 1] == '/')
		return -EINVAL;
	if (entry_by_name(tree, name))
		return -EEXIST;
	for (const char *p = strchr(name, '/'); p; p = strchr(p + 1, '/')) {
		memcpy(path, name, p - name);
		path[p - name] = '\0';
		e = entry_by_name(tree, path);
		if (e && e->show)
			return -ENOTDIR;
		if (!e && !entry_add(tree, path, NULL))
			return -ENOMEM;
	}
	*out = entry_add(tree, name, show);
	return *out ? 0 : -ENOMEM;
}

/* Add /proc/@name (see tree_add for names with slashes). */
int procfs_register(const char *name, long (*show)(char *buf, size_t size))
{
	struct proc_entry *e = entry_by_name(&proc_tree, name);
	int err;

	if (e && e->show == proc_gone_show) {
		e->show = show;		/* a module reloaded: reuse its slot */
		e->show_data = NULL;
		e->write_data = NULL;
		e->fresh = false;
		track_entry(e);
		return 0;
	}
	err = tree_add(&proc_tree, name, show, &e);
	if (!err)
		track_entry(e);
	return err;
}

/* Add /proc/@name whose text is made again at each read from offset 0. */
int procfs_register_fresh(const char *name, long (*show)(char *buf, size_t size))
{
	int err = procfs_register(name, show);

	if (!err)
		entry_by_name(&proc_tree, name)->fresh = true;
	return err;
}

/*
 * Add /sys/@name, read-only, its @show getting @data. Built-in code only
 * (no module tracking): sysfs describes the machine, which does not unload.
 */
int sysfs_register_data(const char *name, long (*show)(char *buf, size_t size, void *data),
			void *data)
{
	struct proc_entry *e;
	int err;

	if (!show)
		return -EINVAL;
	err = tree_add(&sys_tree, name, proc_data_show, &e);
	if (!err) {
		e->show_data = show;
		e->data = data;
	}
	return err;
}

/* Like procfs_register_rw, with @data passed to both callbacks (NULL @write: read-only). */
int procfs_register_data(const char *name, long (*show)(char *buf, size_t size, void *data),
			 long (*write)(const char *buf, size_t len, void *data), void *data)
{
	struct proc_entry *e;
	int err;

	if (!show)
		return -EINVAL;
	err = procfs_register(name, proc_data_show);
	if (err)
		return err;
	e = entry_by_name(&proc_tree, name);
	e->show_data = show;
	e->write_data = write;
	e->write = write ? proc_data_write : NULL;
	e->data = data;
	module_untrack(MRES_PROCFS, e, 0);	/* the record names the real owner */
	track_entry(e);
	return 0;
}

/* Like procfs_register, with @write receiving what user space writes. */
int procfs_register_rw(const char *name, long (*show)(char *buf, size_t size),
		       long (*write)(const char *buf, size_t len))
{
	int err = procfs_register(name, show);

	if (!err)
		entry_by_name(&proc_tree, name)->write = write;
	return err;
}

/* Remove an entry (a module's, at unload); directories are kept. */
int procfs_unregister(const char *name)
{
	struct proc_entry *e = entry_by_name(&proc_tree, name);

	if (!e || !e->show)
		return -ENOENT;
	module_untrack(MRES_PROCFS, e, 0);
	e->show = proc_gone_show;
	e->write = NULL;
	e->show_data = NULL;
	e->write_data = NULL;
	return 0;
}

/* Is @e directly inside directory @dir ("" for the root)? Its last component in *base. */
static bool entry_in_dir(const struct proc_entry *e, const char *dir, const char **base)
{
	size_t dl = strlen(dir);
	const char *rest = e->name;

	if (dl) {
		if (strncmp(e->name, dir, dl) || e->name[dl] != '/')
			return false;
		rest = e->name + dl + 1;
	}
	if (strchr(rest, '/'))
		return false;
	*base = rest;
	return true;
}

/* A procfs inode with its own number and a proc_node saying what it shows. */
struct inode *proc_new_inode(struct super_block *sb, uint64_t ino, uint32_t mode,
			     const struct inode_ops *iops, const struct file_ops *fops,
			     enum proc_kind kind, int pid, int index)
{
	struct inode *in = inode_alloc(sb, mode);
	struct proc_node *pn = kzalloc(sizeof(*pn));

	if (!in || !pn) {
		kfree(in);
		kfree(pn);
		return NULL;
	}
	pn->kind = kind;
	pn->pid = pid;
	pn->index = index;
	in->ino = ino;
	in->uid = 0;
	in->gid = 0;
	in->nlink = S_ISDIR(mode) ? 2 : 1;
	in->priv = pn;
	in->iops = iops;
	in->fops = fops;
	return in;
}

void proc_evict(struct inode *ino)
{
	kfree(ino->priv);
}

/*
 * Generate @t's text with @gen: it returns the length it needs, so the
 * buffer grows until everything fits.
 */
static int text_fill(struct proc_text *t, proc_gen_t gen, const void *ctx)
{
	size_t size = 4096;
	long n;

	for (;;) {
		t->data = kmalloc(size);
		if (!t->data)
			return -ENOMEM;
		n = gen(ctx, t->data, size);
		if (n < 0 || (size_t)n < size || size >= PROC_TEXT_MAX)
			break;
		kfree(t->data);
		size *= 2;
	}
	if (n < 0) {
		kfree(t->data);
		t->data = NULL;
		return (int)n;
	}
	t->len = MIN((size_t)n, size - 1);
	return 0;
}

/* Generate a file's text into f->priv, once, at open. */
int proc_open_text(struct file *f, proc_gen_t gen, const void *ctx)
{
	struct proc_text *t = kzalloc(sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	err = text_fill(t, gen, ctx);
	if (err) {
		kfree(t);
		return err;
	}
	f->priv = t;
	return 0;
}

/*
 * Generate the text of a file opened with proc_open_text() again, for a
 * file that takes a new snapshot at every read from offset 0. On failure
 * the old text stays.
 */
int proc_text_refresh(struct file *f, proc_gen_t gen, const void *ctx)
{
	struct proc_text *t = f->priv, fresh = { 0 };
	int err;

	if (!t)
		return -EIO;
	err = text_fill(&fresh, gen, ctx);
	if (err)
		return err;
	kfree(t->data);
	*t = fresh;
	return 0;
}

long proc_text_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct proc_text *t = f->priv;

	if (!t || *pos >= t->len)
		return 0;
	n = MIN(n, (size_t)(t->len - *pos));
	memcpy(buf, t->data + *pos, n);
	*pos += n;
	return (long)n;
}

long proc_text_llseek(struct file *f, int64_t off, int whence)
{
	struct proc_text *t = f->priv;
	int64_t base = whence == SEEK_END ? (int64_t)(t ? t->len : 0)
					  : whence == SEEK_CUR ? (int64_t)f->pos : 0;

	if (whence < SEEK_SET || whence > SEEK_END || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (long)f->pos;
}

void proc_text_release(struct inode *ino, struct file *f)
{
	struct proc_text *t = f->priv;

	if (t) {
		kfree(t->data);
		kfree(t);
	}
}

static struct proc_entry *entry_by_index(struct proc_tree *tree, int index)
{
	struct proc_entry *e;

	list_for_each_entry(e, &tree->entries, node) {
		if (e->index == index)
			return e;
	}
	return NULL;
}

static long entry_gen(const void *ctx, char *buf, size_t size)
{
	const struct proc_entry *e = ctx;

	if (e->show_data)
		return e->show_data(buf, size, e->data);
	return e->show(buf, size);
}

static int proc_entry_open(struct inode *ino, struct file *f)
{
	struct proc_node *pn = ino->priv;
	struct proc_entry *e = entry_by_index(tree_of(ino), pn->index);

	return e ? proc_open_text(f, entry_gen, e) : -ENOENT;
}

static int proc_self_readlink(struct inode *ino, char *buf, size_t size)
{
	char tmp[16];
	int n;

	if (!current)
		return -ENOENT;
	n = snprintf(tmp, sizeof(tmp), "%d", current->tgid);
	n = MIN(n, (int)size);
	memcpy(buf, tmp, (size_t)n);
	return n;
}

static const struct inode_ops proc_subdir_iops;
static const struct file_ops proc_subdir_fops;

/* Look @name up among the registered entries directly inside @dirpath ("": the root). */
static int entry_lookup(struct inode *dir, const char *dirpath, const char *name, size_t len,
			struct inode **out)
{
	struct proc_entry *e;
	const char *base;

	list_for_each_entry(e, &tree_of(dir)->entries, node) {
		if (!entry_in_dir(e, dirpath, &base) || strlen(base) != len ||
		    memcmp(base, name, len))
			continue;
		if (e->show == proc_gone_show)
			continue;
		if (e->show)
			*out = proc_new_inode(dir->sb, PROC_INO_ENTRY + (uint64_t)e->index,
					      e->write ? S_IFREG | 0644 : S_IFREG | 0444,
					      &proc_entry_iops, &proc_entry_fops,
					      PROC_ENTRY, 0, e->index);
		else
			*out = proc_new_inode(dir->sb, PROC_INO_ENTRY + (uint64_t)e->index,
					      S_IFDIR | 0555, &proc_subdir_iops, &proc_subdir_fops,
					      PROC_ENTRY, 0, e->index);
		return *out ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

static int proc_root_lookup(struct inode *dir, const char *name, size_t len,
			    struct inode **out)
{
	if (len == 4 && !memcmp(name, "self", 4)) {
		*out = proc_new_inode(dir->sb, PROC_INO_SELF, S_IFLNK | 0777, &proc_self_iops,
				      NULL, PROC_SELF, 0, 0);
		return *out ? 0 : -ENOMEM;
	}
	if (!entry_lookup(dir, "", name, len, out))
		return 0;
	return proc_pid_dir_lookup(dir, name, len, out);
}

static int proc_subdir_lookup(struct inode *dir, const char *name, size_t len,
			      struct inode **out)
{
	struct proc_node *pn = dir->priv;
	struct proc_entry *d;

	if (pn->kind == PROC_ROOT)		/* /sys itself */
		return entry_lookup(dir, "", name, len, out);
	d = entry_by_index(tree_of(dir), pn->index);
	return d ? entry_lookup(dir, d->name, name, len, out) : -ENOENT;
}

/* Entries of a registered subdirectory or /sys; f->pos counts entries emitted. */
static int proc_subdir_readdir(struct file *f, struct dirent_sink *sink, filldir_t fill)
{
	struct proc_node *pn = f->inode->priv;
	struct proc_tree *tree = tree_of(f->inode);
	struct proc_entry *d = entry_by_index(tree, pn->index), *e;
	const char *dirpath = pn->kind == PROC_ROOT ? "" : d ? d->name : NULL;
	uint64_t i = 2;
	const char *base;

	if (!dirpath)
		return -ENOENT;
	if (f->pos == 0) {
		if (fill(sink, ".", 1, f->inode->ino, S_IFDIR >> 12, 1))
			return 0;
		f->pos = 1;
	}
	if (f->pos == 1) {
		if (fill(sink, "..", 2, 1, S_IFDIR >> 12, 2))
			return 0;
		f->pos = 2;
	}
	list_for_each_entry(e, &tree->entries, node) {
		if (!entry_in_dir(e, dirpath, &base))
			continue;
		if (i++ < f->pos)
			continue;
		if (fill(sink, base, strlen(base), PROC_INO_ENTRY + (uint64_t)e->index,
			 (e->show ? S_IFREG : S_IFDIR) >> 12, i))
			return 0;
		f->pos = i;
	}
	return 0;
}

static const struct inode_ops proc_subdir_iops = {
	.lookup = proc_subdir_lookup,
	.evict = proc_evict,
};

static const struct file_ops proc_subdir_fops = {
	.readdir = proc_subdir_readdir,
	.llseek = generic_llseek,
};

static int proc_root_readdir(struct file *f, struct dirent_sink *sink, filldir_t fill)
{
	struct proc_entry *e;

	if (f->pos == 0) {
		if (fill(sink, ".", 1, 1, S_IFDIR >> 12, 1))
			return 0;
		f->pos = 1;
	}
	if (f->pos == 1) {
		if (fill(sink, "..", 2, 1, S_IFDIR >> 12, 2))
			return 0;
		f->pos = 2;
	}
	if (f->pos == 2) {
		if (fill(sink, "self", 4, PROC_INO_SELF, S_IFLNK >> 12, 3))
			return 0;
		f->pos = 3;
	}
	list_for_each_entry(e, &proc_tree.entries, node) {
		const char *base;

		if (f->pos >= PROC_PID_POS || (uint64_t)e->index + 3 < f->pos ||
		    !entry_in_dir(e, "", &base))
			continue;
		if (fill(sink, base, strlen(base), PROC_INO_ENTRY + (uint64_t)e->index,
			 (e->show ? S_IFREG : S_IFDIR) >> 12, (uint64_t)e->index + 4))
			return 0;
		f->pos = (uint64_t)e->index + 4;
	}
	if (f->pos < PROC_PID_POS)
		f->pos = PROC_PID_POS;
	return proc_pid_dirs_readdir(f, sink, fill);
}

static const struct inode_ops proc_root_iops = {
	.lookup = proc_root_lookup,
	.evict = proc_evict,
};

static const struct file_ops proc_root_fops = {
	.readdir = proc_root_readdir,
	.llseek = generic_llseek,
};

static const struct inode_ops proc_self_iops = {
	.readlink = proc_self_readlink,
	.evict = proc_evict,
};

/* A write goes to the entry's write handler whole (a short command). */
static long proc_entry_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct proc_node *pn = f->inode->priv;
	struct proc_entry *e = entry_by_index(tree_of(f->inode), pn->index);

	if (!e || !e->write)
		return -EACCES;
	if (e->write_data)
		return e->write_data(buf, n, e->data);
	return e->write(buf, n);
}

/* The text from the open, or a new one at offset 0 for a procfs_register_fresh file. */
static long proc_entry_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct proc_node *pn = f->inode->priv;
	struct proc_entry *e;

	if (*pos == 0 && (e = entry_by_index(tree_of(f->inode), pn->index)) && e->fresh) {
		int err = proc_text_refresh(f, entry_gen, e);

		if (err)
			return err;
	}
	return proc_text_read(f, buf, n, pos);
}

static const struct file_ops proc_entry_fops = {
	.open = proc_entry_open,
	.read = proc_entry_read,
	.write = proc_entry_write,
	.llseek = proc_text_llseek,
	.release = proc_text_release,
};

static int procfs_mount(const struct fs_type *type, const char *source, const char *data,
			struct super_block **out)
{
	struct super_block *sb = sb_alloc(type);

	if (!sb)
		return -ENOMEM;
	sb->priv = &proc_tree;
	sb->root = proc_new_inode(sb, 1, S_IFDIR | 0555, &proc_root_iops, &proc_root_fops,
				  PROC_ROOT, 0, 0);
	if (!sb->root) {
		kfree(sb);
		return -ENOMEM;
	}
	*out = sb;
	return 0;
}

/* /sys: a root that lists sys_tree's entries like any registered directory. */
static int sysfs_mount(const struct fs_type *type, const char *source, const char *data,
		       struct super_block **out)
{
	struct super_block *sb = sb_alloc(type);

	if (!sb)
		return -ENOMEM;
	sb->priv = &sys_tree;
	sb->root = proc_new_inode(sb, 1, S_IFDIR | 0555, &proc_subdir_iops, &proc_subdir_fops,
				  PROC_ROOT, 0, -1);
	if (!sb->root) {
		kfree(sb);
		return -ENOMEM;
	}
	*out = sb;
	return 0;
}

struct fs_type procfs_type = {
	.name = "proc",
	.mount = procfs_mount,
	.magic = PROC_SUPER_MAGIC,
};

struct fs_type sysfs_type = {
	.name = "sysfs",
	.mount = sysfs_mount,
	.magic = SYSFS_MAGIC,
};
