/*
 * ipcfs: a file system whose every operation is an IPC message to a
 * user-space server (user/fsd), as in a microkernel. This file holds the
 * mount ("mount -t ipcfs NAME,fd=N DIR": fd N of the mounting process is
 * the endpoint's send end), the calls, and the inode cache: one struct
 * inode per server inode, kept while the server reports links to it so
 * that hard links share an inode and chmod or utime results last, and
 * given back with FORGET when the kernel lets it go. The operations are
 * in fs/ipcfs_ops.c; docs/ipc.md maps them to messages.
 */
#include "fs/ipcfs.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/mm.h"

static long conn_call(struct ipcfs_conn *c, struct ipc_msg *m, const void *sbuf, size_t slen,
		      void *rbuf, size_t rcap)
{
	long n = ipc_call_kernel(c->ep, m, sbuf, slen, rbuf, rcap);

	if (n == -EPIPE || n == -EIO)
		return -ENOTCONN;	/* the server is gone (or died on this call), as FUSE says it */
	if (n < 0)
		return n;
	if ((int64_t)m->label < 0)
		return (long)(int64_t)m->label;
	return n;
}

long ipcfs_call(struct super_block *sb, struct ipc_msg *m, const void *sbuf, size_t slen,
		void *rbuf, size_t rcap)
{
	return conn_call(sb->priv, m, sbuf, slen, rbuf, rcap);
}

static struct list_head *bucket(struct ipcfs_conn *c, uint64_t ino)
{
	return &c->hash[ino % IPCFS_HASH];
}

static struct ipcfs_node *cache_find(struct ipcfs_conn *c, uint64_t ino)
{
	struct ipcfs_node *n;

	list_for_each_entry(n, bucket(c, ino), hnode) {
		if (n->inode->ino == ino)
			return n;
	}
	return NULL;
}

static void set_time(struct timespec64 *ts, uint64_t ns)
{
	ts->sec = (int64_t)(ns / 1000000000ULL);
	ts->nsec = (int64_t)(ns % 1000000000ULL);
}

/* Copy the attributes @mask names from @a into @ino. */
static void copy_attr(struct inode *ino, const struct fsd_attr *a, uint32_t mask)
{
	if (mask & FSD_CH_SIZE)
		ino->size = a->size;
	if (mask & FSD_CH_NLINK)
		ino->nlink = a->nlink;
	if (mask & FSD_CH_ATIME)
		set_time(&ino->atime, a->atime_ns);
	if (mask & FSD_CH_MTIME)
		set_time(&ino->mtime, a->mtime_ns);
	if (mask & FSD_CH_CTIME)
		set_time(&ino->ctime, a->ctime_ns);
}

/* The cache lets go of a node without links: the last holder frees it. */
static void unpin(struct ipcfs_node *n)
{
	if (!n->pinned)
		return;
	n->pinned = false;
	inode_put(n->inode);
}

struct inode *ipcfs_iget(struct super_block *sb, const struct fsd_attr *a)
{
	struct ipcfs_conn *c = sb->priv;
	struct ipcfs_node *n = cache_find(c, a->ino);
	struct inode *ino;

	if (n) {
		n->lookups++;
		copy_attr(n->inode, a, a->changed);
		inode_get(n->inode);
		return n->inode;
	}
	ino = inode_alloc(sb, a->mode);
	n = kzalloc(sizeof(*n));
	if (!ino || !n) {
		kfree(ino);
		kfree(n);
		return NULL;
	}
	ino->ino = a->ino;
	ino->uid = a->uid;
	ino->gid = a->gid;
	copy_attr(ino, a, FSD_CH_ALL);
	ino->priv = n;
	ipcfs_set_ops(ino);
	n->inode = ino;
	n->conn = c;
	n->lookups = 1;
	list_add(&n->hnode, bucket(c, a->ino));
	c->refs++;
	n->pinned = ino->nlink > 0;	/* inode_alloc's reference is the cache's */
	if (n->pinned)
		inode_get(ino);
	return ino;
}

void ipcfs_apply(struct super_block *sb, const void *attrs, long n)
{
	const struct fsd_attr *a = attrs;
	struct ipcfs_node *dead[4];
	int ndead = 0;

	for (; n >= (long)sizeof(*a); n -= sizeof(*a), a++) {
		struct ipcfs_node *node = cache_find(sb->priv, a->ino);

		if (!node)
			continue;
		copy_attr(node->inode, a, a->changed);
		if (!node->inode->nlink && node->pinned && ndead < 4)
			dead[ndead++] = node;
	}
	while (ndead)
		unpin(dead[--ndead]);	/* may evict and FORGET: after the loop */
}

static void conn_put(struct ipcfs_conn *c)
{
	if (--c->refs > 0)
		return;
	ipc_client_put(c->ep);
	kfree(c);
}

/*
 * An inode's last reference is gone: out of the cache, and the server
 * may free it once its lookups come back. The root going means the mount
 * went: every pinned inode is let go, without telling the server.
 */
void ipcfs_evict(struct inode *ino)
{
	struct ipcfs_node *n = ino->priv, *p, *tmp;
	struct ipcfs_conn *c = n->conn;
	struct ipc_msg m = { .label = FSD_FORGET, .w = { ino->ino, n->lookups } };

	list_del(&n->hnode);
	if (n->root) {
		c->unmounting = true;
		for (int i = 0; i < IPCFS_HASH; i++)
			list_for_each_entry_safe(p, tmp, &c->hash[i], hnode)
				unpin(p);
	} else if (!c->unmounting) {
		conn_call(c, &m, NULL, 0, NULL, 0);
	}
	kfree(n);
	conn_put(c);
}

/* "NAME,fd=N" or "fd=N": the send end the mounting process holds. */
static struct ipc_endpoint *source_endpoint(const char *source)
{
	const char *s = source ? strstr(source, "fd=") : NULL;
	int fd = 0;

	if (!s || !s[3])
		return NULL;
	for (s += 3; *s >= '0' && *s <= '9' && fd < MAX_FDS; s++)
		fd = fd * 10 + (*s - '0');
	return *s ? NULL : ipc_client_get(fd_get(fd));
}

static int ipcfs_mount(const struct fs_type *type, const char *source, const char *data,
		       struct super_block **out)
{
	struct ipc_msg m = { .label = FSD_GETATTR, .w = { FSD_ROOT_INO } };
	struct ipcfs_conn *c = kzalloc(sizeof(*c));
	struct super_block *sb = sb_alloc(type);
	struct fsd_attr root;
	long n = -ENOMEM;

	if (!c || !sb)
		goto fail;
	n = -EBADF;
	c->ep = source_endpoint(source);
	if (!c->ep)
		goto fail;
	for (int i = 0; i < IPCFS_HASH; i++)
		list_init(&c->hash[i]);
	sb->priv = c;
	c->refs = 1;		/* until the root holds it */
	n = ipcfs_call(sb, &m, NULL, 0, &root, sizeof(root));
	if (n == sizeof(root) && S_ISDIR(root.mode))
		sb->root = ipcfs_iget(sb, &root);
	c->refs--;
	if (!sb->root) {
		n = n < 0 ? n : n == sizeof(root) ? -ENOMEM : -EIO;
		ipc_client_put(c->ep);
		goto fail;
	}
	((struct ipcfs_node *)sb->root->priv)->root = true;
	unpin(sb->root->priv);	/* the super block holds the root */
	*out = sb;
	return 0;
fail:
	if (n == -EBADF)
		pr_warn("ipcfs: mount source \"%s\" names no IPC send end (want NAME,fd=N)\n",
			source ? source : "");
	kfree(c);
	kfree(sb);
	return (int)n;
}

static struct fs_type ipcfs_type = {
	.name = "ipcfs",
	.mount = ipcfs_mount,
	.magic = IPCFS_MAGIC,
};

static int ipcfs_init(void)
{
	return register_filesystem(&ipcfs_type);
}
device_initcall(ipcfs_init);
