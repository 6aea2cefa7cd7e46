/*
 * 9p mounts, with Linux's syntax:
 *   mount -t 9p -o trans=virtio,version=9p2000.L[,msize=N][,aname=P] TAG DIR
 * TAG is the virtio device's mount tag. Mounting opens the transport,
 * agrees on the version and message size (Tversion), attaches to the
 * server's tree (Tattach) and makes the root inode. This file also keeps
 * the session's inode cache; the session ends, and the transport is
 * given back, when its last inode (the root, at unmount) goes.
 */
#define pr_fmt(fmt) "9p: " fmt
#include "fs/9p/v9fs.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/mm.h"

struct v9fs_opts {
	uint32_t msize;
	const char *aname, *uname;	/* inside the caller's copy of the options */
};

/* Lower-case compare, for the version name ("9p2000.L" or "9P2000.L"). */
static bool same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		if ((*a | 0x20) != (*b | 0x20))
			return false;
	}
	return *a == *b;
}

static int parse_number(const char *key, const char *val, uint32_t lo, uint32_t hi,
			uint32_t *out)
{
	char *end;
	unsigned long long v = kstrtoull(val, &end, 0);

	if (!*val || *end || v < lo || v > hi) {
		pr_err("bad value \"%s\" for %s (want %u..%u)\n", val, key, lo, hi);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

/* One "key=value" (or "key") option; @val is NULL without '='. */
static int parse_one(char *key, char *val, struct v9fs_opts *o)
{
	if (!strcmp(key, "trans")) {
		if (val && !strcmp(val, "virtio"))
			return 0;
		pr_err("transport \"%s\" is not supported; only trans=virtio\n", val ? val : "");
		return -EINVAL;
	}
	if (!strcmp(key, "version")) {
		if (val && same_name(val, P9_VERSION))
			return 0;
		pr_err("protocol version \"%s\" is not supported; only version=9p2000.L\n",
		       val ? val : "");
		return -EINVAL;
	}
	if (!strcmp(key, "msize") && val)
		return parse_number(key, val, P9_MSIZE_MIN, P9_MSIZE_MAX, &o->msize);
	if (!strcmp(key, "aname") && val) {
		o->aname = val;
		return 0;
	}
	if (!strcmp(key, "uname") && val) {
		o->uname = val;
		return 0;
	}
	pr_warn("ignoring the mount option \"%s\"\n", key);
	return 0;
}

/* Split @opts (a writable copy of mount's data) at commas into @o. */
static int parse_options(char *opts, struct v9fs_opts *o)
{
	*o = (struct v9fs_opts){ .msize = P9_MSIZE_DEFAULT, .aname = "", .uname = "root" };
	while (opts && *opts) {
		char *next = strchr(opts, ','), *val;
		int err;

		if (next)
			*next++ = '\0';
		val = strchr(opts, '=');
		if (val)
			*val++ = '\0';
		err = *opts ? parse_one(opts, val, o) : 0;
		if (err)
			return err;
		opts = next;
	}
	return 0;
}

static struct list_head *bucket(struct v9fs_session *s, uint64_t path)
{
	return &s->hash[path % V9FS_HASH];
}

void v9fs_apply_attr(struct inode *ino, const struct p9_attr *a)
{
	ino->ino = a->qid.path;
	ino->mode = a->mode;
	ino->uid = a->uid;
	ino->gid = a->gid;
	ino->nlink = (uint32_t)a->nlink;
	ino->rdev = (uint32_t)a->rdev;	/* Linux's encoding, as the server's stat gave it */
	ino->size = a->size;
	ino->atime = (struct timespec64){ (int64_t)a->atime_sec, (int64_t)a->atime_nsec };
	ino->mtime = (struct timespec64){ (int64_t)a->mtime_sec, (int64_t)a->mtime_nsec };
	ino->ctime = (struct timespec64){ (int64_t)a->ctime_sec, (int64_t)a->ctime_nsec };
}

static void unhash(struct v9fs_node *n)
{
	if (n->hashed)
		list_del(&n->hnode);
	n->hashed = false;
}

struct inode *v9fs_iget(struct super_block *sb, uint32_t fid, const struct p9_attr *a)
{
	struct v9fs_session *s = sb->priv;
	struct v9fs_node *n;
	struct inode *ino;

	list_for_each_entry(n, bucket(s, a->qid.path), hnode) {
		if (n->inode->ino != a->qid.path)
			continue;
		if ((n->inode->mode ^ a->mode) & S_IFMT) {
			unhash(n);	/* the number was reused for another file */
			break;
		}
		ino = n->inode;
		inode_get(ino);
		v9fs_apply_attr(ino, a);
		p9_clunk(s->clnt, fid);		/* the cached inode has a fid already */
		return ino;
	}
	ino = inode_alloc(sb, a->mode);
	n = kzalloc(sizeof(*n));
	if (!ino || !n) {
		kfree(ino);
		kfree(n);
		p9_clunk(s->clnt, fid);
		return NULL;
	}
	n->inode = ino;
	n->s = s;
	n->fid = fid;
	n->create_fid = P9_NOFID;
	n->hashed = true;
	list_add(&n->hnode, bucket(s, a->qid.path));
	s->refs++;
	ino->priv = n;
	v9fs_apply_attr(ino, a);
	v9fs_set_ops(ino);
	return ino;
}

static void session_put(struct v9fs_session *s)
{
	if (--s->refs > 0)
		return;
	p9_client_destroy(s->clnt);
	kfree(s);
}

void v9fs_evict(struct inode *ino)
{
	struct v9fs_node *n = v9fs_node(ino);
	struct v9fs_session *s = n->s;

	unhash(n);	/* before the clunks sleep: no lookup may find it now */
	if (n->create_fid != P9_NOFID)
		p9_clunk(s->clnt, n->create_fid);
	p9_clunk(s->clnt, n->fid);
	kfree(n);
	session_put(s);
}

/* Attach to the server's tree and make the root inode of @sb. */
static int attach_root(struct super_block *sb, struct v9fs_session *s,
		       const struct v9fs_opts *o)
{
	uint32_t fid = p9_fid_new(s->clnt);
	struct p9_attr a;
	struct p9_qid qid;
	int err = p9_attach(s->clnt, fid, o->uname, o->aname, 0, &qid);

	if (err) {
		pr_err("attaching to \"%s\" failed: error %d\n", o->aname, err);
		return err;
	}
	err = p9_getattr(s->clnt, fid, &a);
	if (!err && !S_ISDIR(a.mode))
		err = -ENOTDIR;
	if (err) {
		p9_clunk(s->clnt, fid);
		return err;
	}
	sb->root = v9fs_iget(sb, fid, &a);
	return sb->root ? 0 : -ENOMEM;
}

static int v9fs_mount(const struct fs_type *type, const char *source, const char *data,
		      struct super_block **out)
{
	char *opts = data ? kmalloc(strlen(data) + 1) : NULL;
	struct v9fs_session *s = NULL;
	struct super_block *sb = NULL;
	struct p9_trans *t = NULL;
	struct v9fs_opts o;
	int err = -ENOMEM;

	if (data && !opts)
		return -ENOMEM;
	if (opts)
		strcpy(opts, data);
	err = parse_options(opts, &o);
	if (err)
		goto out;
	err = -EINVAL;
	if (!source || !*source) {
		pr_err("the mount source must be the device's mount tag\n");
		goto out;
	}
	err = p9_trans_virtio_open(source, o.msize, &t);
	if (err)
		goto out;
	s = kzalloc(sizeof(*s));
	sb = sb_alloc(type);
	err = s && sb ? p9_client_create(t, o.msize, &s->clnt) : -ENOMEM;
	if (err) {
		t->ops->close(t);
		goto out;
	}
	for (int i = 0; i < V9FS_HASH; i++)
		list_init(&s->hash[i]);
	sb->priv = s;
	err = attach_root(sb, s, &o);
	if (err) {
		p9_client_destroy(s->clnt);
		goto out;
	}
	pr_info("mounted \"%s\" (msize %u)\n", source, p9_client_msize(s->clnt));
	*out = sb;
	s = NULL;
	sb = NULL;
out:
	kfree(s);
	kfree(sb);
	kfree(opts);
	return err;
}

static struct fs_type v9fs_type = {
	.name = "9p",
	.mount = v9fs_mount,
	.magic = V9FS_MAGIC,
};

static int v9fs_init(void)
{
	return register_filesystem(&v9fs_type);
}
device_initcall(v9fs_init);
