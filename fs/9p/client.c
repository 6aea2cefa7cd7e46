/*
 * The 9P client: one function per message, each an RPC over the
 * transport. Only one request is in flight at a time, because the
 * transport has one pair of buffers: the client's mutex owns them from
 * building a request to parsing its reply, so a task that finds the
 * client busy sleeps until the request before it is done. Tags still change
 * with every request, so a reply that is not ours is caught. Every reply
 * is checked (proto.c) before use; a malformed one fails its call with
 * -EIO and a log line naming the message and the fault, never a panic.
 */
#define pr_fmt(fmt) "9p: " fmt
#include "fs/9p/9p.h"
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "lib/string.h"
#include "mm/mm.h"

#define P9_RDATAHDRSZ	11	/* Rread and Rreaddir: size[4] type[1] tag[2] count[4] */

struct p9_client {
	struct p9_trans *trans;
	uint32_t msize;		/* negotiated: no message is larger */
	uint16_t tag;		/* of the request in flight */
	uint32_t next_fid;
	struct mutex lock;	/* held from a request's building to its reply's parsing */
	struct p9_buf tx;
};

/* Take the buffers and a new tag, and return the request buffer. */
static struct p9_buf *start(struct p9_client *c)
{
	mutex_lock(&c->lock);
	if (++c->tag == P9_NOTAG)
		c->tag = 0;
	c->tx = (struct p9_buf){ .data = c->trans->tbuf, .size = c->msize };
	return &c->tx;
}

static void finish(struct p9_client *c)
{
	mutex_unlock(&c->lock);
}

/* Log a malformed reply body (@err -EIO from a parser) and pass @err on. */
static int check(uint8_t ttype, int err)
{
	if (err == -EIO)
		pr_err("malformed reply to %s\n", p9_msg_name(ttype));
	return err;
}

/*
 * Send the request of @len bytes (or pass on the error that building it
 * gave) and check the reply's header against the request's tag and
 * @ttype + 1; @r is left at the body.
 */
static int rpc(struct p9_client *c, int len, uint8_t ttype, struct p9_buf *r)
{
	const char *why = NULL;
	uint16_t tag;
	long n;
	int err;

	if (len < 0)
		return len;
	tag = (uint16_t)(c->trans->tbuf[5] | c->trans->tbuf[6] << 8);
	n = c->trans->ops->request(c->trans, (size_t)len);
	if (n < 0)
		return (int)n;
	*r = (struct p9_buf){ .data = c->trans->rbuf };
	err = p9_parse_header(r, MIN((size_t)n, (size_t)c->msize), tag, ttype + 1, &why);
	if (err == -EIO)
		pr_err("bad reply to %s: %s\n", p9_msg_name(ttype), why);
	return err;
}

int p9_client_create(struct p9_trans *t, uint32_t msize, struct p9_client **out)
{
	struct p9_client *c = kzalloc(sizeof(*c));
	char version[16];
	uint32_t smsize;
	struct p9_buf r, *tx;
	int err;

	if (!c)
		return -ENOMEM;
	c->trans = t;
	c->msize = (uint32_t)MIN((size_t)msize, t->bufsize);
	c->next_fid = 1;
	mutex_init(&c->lock);
	tx = start(c);
	err = rpc(c, p9_build_tversion(tx, c->msize, P9_VERSION), P9_TVERSION, &r);
	if (!err)
		err = check(P9_TVERSION, p9_parse_rversion(&r, &smsize, version, sizeof(version)));
	finish(c);
	if (!err && strcmp(version, P9_VERSION)) {
		pr_err("the server does not speak %s (it answered \"%s\")\n", P9_VERSION, version);
		err = -EINVAL;
	} else if (!err && (smsize < P9_MSIZE_MIN || smsize > c->msize)) {
		pr_err("the server chose msize %u; we asked for %u (at least %u)\n", smsize,
		       c->msize, P9_MSIZE_MIN);
		err = -EIO;
	}
	if (err) {
		kfree(c);
		return err;
	}
	c->msize = smsize;
	*out = c;
	return 0;
}

void p9_client_destroy(struct p9_client *c)
{
	c->trans->ops->close(c->trans);
	kfree(c);
}

uint32_t p9_client_msize(struct p9_client *c)
{
	return c->msize;
}

/* Fids are not reused: 2^32 of them outlast any session of this kernel. */
uint32_t p9_fid_new(struct p9_client *c)
{
	if (c->next_fid == P9_NOFID)
		c->next_fid = 1;
	return c->next_fid++;
}

int p9_attach(struct p9_client *c, uint32_t fid, const char *uname, const char *aname,
	      uint32_t n_uname, struct p9_qid *qid)
{
	struct p9_buf r, *t = start(c);
	int err = rpc(c, p9_build_tattach(t, c->tag, fid, P9_NOFID, uname, aname, n_uname),
		      P9_TATTACH, &r);

	if (!err)
		err = check(P9_TATTACH, p9_parse_rqid(&r, qid));
	finish(c);
	return err;
}

int p9_walk(struct p9_client *c, uint32_t fid, uint32_t newfid, const char *name, size_t len,
	    struct p9_qid *qid)
{
	struct p9_buf r, *t = start(c);
	struct p9_qid q;
	uint16_t nwqid = 0;
	int err = rpc(c, p9_build_twalk(t, c->tag, fid, newfid, name, len), P9_TWALK, &r);

	if (!err)
		err = check(P9_TWALK, p9_parse_rwalk(&r, &nwqid, &q, 1));
	finish(c);
	if (!err && nwqid != (name ? 1 : 0))
		err = -ENOENT;		/* the walk stopped short: newfid was not made */
	if (!err && name && qid)
		*qid = q;
	return err;
}

/* The messages whose reply is empty. */
static int simple(struct p9_client *c, int len, uint8_t ttype)
{
	struct p9_buf r;
	int err = rpc(c, len, ttype, &r);

	finish(c);
	return err;
}

int p9_clunk(struct p9_client *c, uint32_t fid)
{
	struct p9_buf *t = start(c);

	return simple(c, p9_build_tfid(t, P9_TCLUNK, c->tag, fid), P9_TCLUNK);
}

int p9_getattr(struct p9_client *c, uint32_t fid, struct p9_attr *a)
{
	struct p9_buf r, *t = start(c);
	int err = rpc(c, p9_build_tgetattr(t, c->tag, fid, P9_GETATTR_BASIC), P9_TGETATTR, &r);

	if (!err)
		err = check(P9_TGETATTR, p9_parse_rgetattr(&r, a));
	finish(c);
	return err;
}

int p9_setattr(struct p9_client *c, uint32_t fid, const struct p9_iattr *ia)
{
	struct p9_buf *t = start(c);

	return simple(c, p9_build_tsetattr(t, c->tag, fid, ia), P9_TSETATTR);
}

int p9_lopen(struct p9_client *c, uint32_t fid, uint32_t flags, uint32_t *iounit)
{
	struct p9_buf r, *t = start(c);
	struct p9_qid qid;
	int err = rpc(c, p9_build_tlopen(t, c->tag, fid, flags), P9_TLOPEN, &r);

	if (!err)
		err = check(P9_TLOPEN, p9_parse_ropen(&r, &qid, iounit));
	finish(c);
	return err;
}

int p9_lcreate(struct p9_client *c, uint32_t fid, const char *name, size_t len, uint32_t flags,
	       uint32_t mode, uint32_t gid, uint32_t *iounit)
{
	struct p9_buf r, *t = start(c);
	struct p9_qid qid;
	int err = rpc(c, p9_build_tlcreate(t, c->tag, fid, name, len, flags, mode, gid),
		      P9_TLCREATE, &r);

	if (!err)
		err = check(P9_TLCREATE, p9_parse_ropen(&r, &qid, iounit));
	finish(c);
	return err;
}

long p9_read(struct p9_client *c, uint32_t fid, uint64_t offset, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		uint32_t chunk = (uint32_t)MIN(n - done, (size_t)(c->msize - P9_RDATAHDRSZ));
		struct p9_buf r, *t = start(c);
		const uint8_t *data;
		uint32_t count = 0;
		int err = rpc(c, p9_build_tread(t, c->tag, fid, offset + done, chunk), P9_TREAD,
			      &r);

		if (!err)
			err = check(P9_TREAD, p9_parse_rdata(&r, chunk, &data, &count));
		if (!err)
			memcpy((uint8_t *)buf + done, data, count);
		finish(c);
		if (err)
			return done ? (long)done : err;
		done += count;
		if (count < chunk)
			break;		/* end of file */
	}
	return (long)done;
}

long p9_write(struct p9_client *c, uint32_t fid, uint64_t offset, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		uint32_t chunk = (uint32_t)MIN(n - done, (size_t)(c->msize - P9_IOHDRSZ));
		struct p9_buf r, *t = start(c);
		uint32_t count = 0;
		int err = rpc(c, p9_build_twrite(t, c->tag, fid, offset + done,
						 (const uint8_t *)buf + done, chunk),
			      P9_TWRITE, &r);

		if (!err)
			err = check(P9_TWRITE, p9_parse_rwrite(&r, &count));
		finish(c);
		if (!err && (!count || count > chunk)) {
			pr_err("Rwrite says %u bytes of %u were written\n", count, chunk);
			err = -EIO;
		}
		if (err)
			return done ? (long)done : err;
		done += count;
	}
	return (long)done;
}

/*
 * Hand the records of one Rreaddir (asked for from *@offset) to @fn;
 * *@offset follows the ones it took. A record that leads back to where
 * the request started would make the listing endless: the reply is bad.
 */
static int each_dirent(const uint8_t *data, uint32_t n, uint64_t *offset,
		       int (*fn)(void *ctx, const struct p9_dirent *de), void *ctx, bool *full)
{
	struct p9_buf ents = { .data = (uint8_t *)data, .size = n };
	uint64_t from = *offset;
	struct p9_dirent de;
	int k;

	while ((k = p9_next_dirent(&ents, &de)) > 0) {
		if (de.offset == from) {
			pr_err("Rreaddir leads back to offset %llu\n", (unsigned long long)from);
			return -EIO;
		}
		if (fn(ctx, &de)) {
			*full = true;
			return 0;
		}
		*offset = de.offset;
	}
	return check(P9_TREADDIR, k);
}

int p9_readdir(struct p9_client *c, uint32_t fid, uint64_t offset,
	       int (*fn)(void *ctx, const struct p9_dirent *de), void *ctx)
{
	uint32_t want = c->msize - P9_RDATAHDRSZ;
	bool full = false;

	while (!full) {
		struct p9_buf r, *t = start(c);
		const uint8_t *data;
		uint32_t n = 0;
		int err = rpc(c, p9_build_treaddir(t, c->tag, fid, offset, want), P9_TREADDIR, &r);

		if (!err)
			err = check(P9_TREADDIR, p9_parse_rdata(&r, want, &data, &n));
		if (!err && n)
			err = each_dirent(data, n, &offset, fn, ctx, &full);	/* holds the buffers */
		finish(c);
		if (err || !n)
			return err;
	}
	return 0;
}

int p9_mkdir(struct p9_client *c, uint32_t dfid, const char *name, size_t len, uint32_t mode,
	     uint32_t gid)
{
	struct p9_buf r, *t = start(c);
	struct p9_qid qid;
	int err = rpc(c, p9_build_tmkdir(t, c->tag, dfid, name, len, mode, gid), P9_TMKDIR, &r);

	if (!err)
		err = check(P9_TMKDIR, p9_parse_rqid(&r, &qid));
	finish(c);
	return err;
}

int p9_mknod(struct p9_client *c, uint32_t dfid, const char *name, size_t len, uint32_t mode,
	     uint32_t major, uint32_t minor, uint32_t gid)
{
	struct p9_buf r, *t = start(c);
	struct p9_qid qid;
	int err = rpc(c, p9_build_tmknod(t, c->tag, dfid, name, len, mode, major, minor, gid),
		      P9_TMKNOD, &r);

	if (!err)
		err = check(P9_TMKNOD, p9_parse_rqid(&r, &qid));
	finish(c);
	return err;
}

int p9_symlink(struct p9_client *c, uint32_t dfid, const char *name, size_t len,
	       const char *target, uint32_t gid)
{
	struct p9_buf r, *t = start(c);
	struct p9_qid qid;
	int err = rpc(c, p9_build_tsymlink(t, c->tag, dfid, name, len, target, gid), P9_TSYMLINK,
		      &r);

	if (!err)
		err = check(P9_TSYMLINK, p9_parse_rqid(&r, &qid));
	finish(c);
	return err;
}

int p9_link(struct p9_client *c, uint32_t dfid, uint32_t fid, const char *name, size_t len)
{
	struct p9_buf *t = start(c);

	return simple(c, p9_build_tlink(t, c->tag, dfid, fid, name, len), P9_TLINK);
}

int p9_readlink(struct p9_client *c, uint32_t fid, char *buf, size_t size)
{
	struct p9_buf r, *t = start(c);
	const char *target = NULL;
	uint16_t len = 0;
	int err = rpc(c, p9_build_tfid(t, P9_TREADLINK, c->tag, fid), P9_TREADLINK, &r);

	if (!err)
		err = check(P9_TREADLINK, p9_parse_rreadlink(&r, &target, &len));
	if (!err) {
		len = (uint16_t)MIN((size_t)len, size);
		memcpy(buf, target, len);
	}
	finish(c);
	return err ? err : len;
}

int p9_renameat(struct p9_client *c, uint32_t odfid, const char *oname, size_t olen,
		uint32_t ndfid, const char *nname, size_t nlen)
{
	struct p9_buf *t = start(c);

	return simple(c, p9_build_trenameat(t, c->tag, odfid, oname, olen, ndfid, nname, nlen),
		      P9_TRENAMEAT);
}

int p9_unlinkat(struct p9_client *c, uint32_t dfid, const char *name, size_t len,
		uint32_t flags)
{
	struct p9_buf *t = start(c);

	return simple(c, p9_build_tunlinkat(t, c->tag, dfid, name, len, flags),
		      P9_TUNLINKAT);
}

int p9_fsync(struct p9_client *c, uint32_t fid, int datasync)
{
	struct p9_buf *t = start(c);

	return simple(c, p9_build_tfsync(t, c->tag, fid, datasync ? 1 : 0), P9_TFSYNC);
}
