/*
 * A 9P2000.L server over an in-memory tree, and the transport that
 * reaches it, for tests/host/test_9p_fs.c: it stands in for QEMU's
 * virtio-9p device by defining p9_trans_virtio_open for mount tag
 * "host". Requests are decoded with tests/host/p9_wire.h and checked
 * strictly: a malformed message, a count larger than msize allows or a
 * fid not in use counts as a protocol error (srv.proto_errors), which the
 * tests require to stay 0. The tests can change the tree behind the
 * client's back and spoil the next reply (srv.fault) in each way a broken
 * server could.
 */
#ifndef TESTS_HOST_P9_SERVER_H
#define TESTS_HOST_P9_SERVER_H

#include "tests/host/p9_wire.h"

#define SRV_NODES	1024
#define SRV_ENTS	2048
#define SRV_FIDS	8192

struct snode {
	uint32_t mode, uid, gid, nlink;
	uint8_t *data;		/* file contents or symlink target */
	size_t size;
	int64_t atime, mtime;	/* seconds */
};

struct sent {			/* a name: node @node in directory @dir */
	int dir, node;
	char name[256];
};

enum fault {
	F_NONE, F_TAG, F_SHORT, F_SIZE, F_TYPE, F_GARBAGE, F_ERRNO, F_COUNT, F_DIRLOOP,
	F_BIGMSIZE,
};

static struct {
	struct snode node[SRV_NODES];
	struct sent ent[SRV_ENTS];
	int nnodes, nents;
	int fid_node[SRV_FIDS];		/* node + 1, 0 while the fid is unused */
	uint32_t fid_open[SRV_FIDS];	/* open flags + 1, 0 while not open */
	uint32_t msize, max_tlen, max_count;
	int proto_errors, nmsgs[256];
	char aname[256], uname[64], version[32];
	enum fault fault;		/* spoil the reply to the next message of fault_on */
	uint8_t fault_on;		/* a T type, or 0 for any */
	bool in_use;
} srv;

static void srv_reset(void)
{
	memset(&srv, 0, sizeof(srv));
	srv.nnodes = 1;			/* node 0 is the root */
	srv.node[0] = (struct snode){ .mode = 040755, .nlink = 2 };
	strcpy(srv.version, "9P2000.L");
}

static int srv_new(uint32_t mode)
{
	srv.node[srv.nnodes] = (struct snode){ .mode = mode, .nlink = 1, .mtime = 1000 };
	return srv.nnodes++;
}

static void srv_link(int dir, const char *name, int node)
{
	srv.ent[srv.nents].dir = dir;
	srv.ent[srv.nents].node = node;
	strcpy(srv.ent[srv.nents++].name, name);
}

/* The name @name in @dir: its index in srv.ent, or -1. */
static int srv_find(int dir, const char *name)
{
	for (int i = 0; i < srv.nents; i++) {
		if (srv.ent[i].dir == dir && srv.ent[i].node >= 0 && !strcmp(srv.ent[i].name, name))
			return i;
	}
	return -1;
}

/* The node at @path ("a/b") below the root, for the tests; -1 if none. */
static int srv_lookup(const char *path)
{
	char buf[256], *name, *save = NULL;
	int node = 0;

	strcpy(buf, path);
	for (name = strtok_r(buf, "/", &save); name; name = strtok_r(NULL, "/", &save)) {
		int e = srv_find(node, name);

		if (e < 0)
			return -1;
		node = srv.ent[e].node;
	}
	return node;
}

/* Contents (or a symlink's target: the NUL after them is kept). */
static void srv_set_data(int node, const void *data, size_t size)
{
	free(srv.node[node].data);
	srv.node[node].data = calloc(1, size + 1);
	memcpy(srv.node[node].data, data, size);
	srv.node[node].size = size;
}

static bool srv_is_dir(int node)
{
	return (srv.node[node].mode & 0170000) == 040000;
}

static void srv_qid(struct wr *w, int node)
{
	wr_qid(w, srv_is_dir(node) ? 0x80 : 0, 0, 1000 + (uint64_t)node);
}

/* A fid in use: its node, or -1 (a protocol error). */
static int srv_fid(uint32_t fid)
{
	if (fid < SRV_FIDS && srv.fid_node[fid])
		return srv.fid_node[fid] - 1;
	srv.proto_errors++;
	printf("# server: fid %u is not in use\n", fid);
	return -1;
}

static bool srv_new_fid(uint32_t fid, int node)
{
	if (fid >= SRV_FIDS || srv.fid_node[fid]) {
		srv.proto_errors++;
		printf("# server: fid %u cannot be made\n", fid);
		return false;
	}
	srv.fid_node[fid] = node + 1;
	srv.fid_open[fid] = 0;
	return true;
}

static int srv_fids_in_use(void)
{
	int n = 0;

	for (int i = 0; i < SRV_FIDS; i++)
		n += srv.fid_node[i] != 0;
	return n;
}

static bool srv_dir_empty(int node)
{
	for (int i = 0; i < srv.nents; i++) {
		if (srv.ent[i].dir == node && srv.ent[i].node >= 0)
			return false;
	}
	return true;
}

/* --- the messages ------------------------------------------------------------------ */

/* Every field was there and nothing followed: else a protocol error. */
static bool srv_end(struct rd *q, uint8_t type)
{
	if (!q->bad && q->pos == q->len)
		return true;
	srv.proto_errors++;
	printf("# server: malformed T-message %u\n", type);
	return false;
}

static void srv_attr(struct wr *w, int n)
{
	struct snode *s = &srv.node[n];

	wr64(w, 0x7ff);
	srv_qid(w, n);
	wr32(w, s->mode);
	wr32(w, s->uid);
	wr32(w, s->gid);
	wr64(w, s->nlink);
	wr64(w, 0);
	wr64(w, s->size);
	wr64(w, 4096);
	wr64(w, (s->size + 511) / 512);
	wr64(w, (uint64_t)s->atime), wr64(w, 0);
	wr64(w, (uint64_t)s->mtime), wr64(w, 0);
	wr64(w, (uint64_t)s->mtime), wr64(w, 0);	/* ctime */
	for (int i = 0; i < 4; i++)
		wr64(w, 0);				/* btime, gen, data_version */
}

static void srv_resize(int n, size_t size)
{
	struct snode *s = &srv.node[n];

	s->data = realloc(s->data, size ? size : 1);
	if (size > s->size)
		memset(s->data + s->size, 0, size - s->size);
	s->size = size;
}

static int srv_parent(int n)
{
	for (int i = 0; i < srv.nents; i++) {
		if (srv.ent[i].node == n)
			return srv.ent[i].dir;
	}
	return 0;
}

/* Make @name in directory @dir as a new node of @mode; its node or -errno. */
static int srv_make(int dir, const char *name, uint32_t mode)
{
	int n;

	if (!srv_is_dir(dir))
		return -20;	/* ENOTDIR */
	if (srv_find(dir, name) >= 0)
		return -17;	/* EEXIST */
	n = srv_new(mode);
	if (srv_is_dir(n))
		srv.node[n].nlink = 2;
	srv_link(dir, name, n);
	return n;
}

static int op_walk(struct rd *q, struct wr *w)
{
	uint32_t fid = rd32(q), newfid = rd32(q);
	uint16_t nw = rd16(q);
	char names[16][256];
	int node, path[16], k = 0;

	for (int i = 0; i < nw && i < 16; i++)
		rd_str(q, names[i], sizeof(names[i]));
	if (!srv_end(q, P9_TWALK) || nw > 16 || (node = srv_fid(fid)) < 0)
		return 22;
	if (srv.fid_open[fid]) {
		srv.proto_errors++;
		printf("# server: walk from open fid %u\n", fid);
	}
	for (; k < nw; k++) {
		int e = strcmp(names[k], "..") ? srv_find(node, names[k]) : -2;

		if (e == -1)
			break;
		node = e == -2 ? srv_parent(node) : srv.ent[e].node;
		path[k] = node;
	}
	if (nw && !k)
		return 2;	/* ENOENT */
	if (k == nw && newfid != fid && !srv_new_fid(newfid, node))
		return 22;
	if (k == nw)
		srv.fid_node[newfid] = node + 1;
	wr16(w, k);
	for (int i = 0; i < k; i++)
		srv_qid(w, path[i]);
	return 0;
}

static int op_setattr(struct rd *q)
{
	uint32_t fid = rd32(q), valid = rd32(q), mode = rd32(q), uid = rd32(q), gid = rd32(q);
	uint64_t size = rd64(q), as = rd64(q), ans = rd64(q), ms = rd64(q), mns = rd64(q);
	int n;

	if (!srv_end(q, P9_TSETATTR) || (n = srv_fid(fid)) < 0)
		return 22;
	(void)ans, (void)mns;
	if (valid & P9_SETATTR_MODE)
		srv.node[n].mode = (srv.node[n].mode & 0170000) | (mode & 07777);
	if (valid & P9_SETATTR_UID)
		srv.node[n].uid = uid;
	if (valid & P9_SETATTR_GID)
		srv.node[n].gid = gid;
	if (valid & P9_SETATTR_SIZE)
		srv_resize(n, size);
	if (valid & P9_SETATTR_ATIME)
		srv.node[n].atime = (valid & P9_SETATTR_ATIME_SET) ? (int64_t)as : 5000;
	if (valid & P9_SETATTR_MTIME)
		srv.node[n].mtime = (valid & P9_SETATTR_MTIME_SET) ? (int64_t)ms : 5000;
	return 0;
}

/*
 * Tlopen and Tlcreate: mark @fid open with @flags. The owner's permission
 * bits are enforced, as for QEMU running as an ordinary user, except on
 * the open that creates the file.
 */
static int srv_open(uint32_t fid, int n, uint32_t flags, bool create, struct wr *w)
{
	uint32_t mode = srv.node[n].mode, acc = flags & 3;

	if (srv.fid_open[fid]) {
		srv.proto_errors++;
		printf("# server: fid %u opened twice\n", fid);
	}
	if (srv_is_dir(n) && acc)
		return 21;	/* EISDIR */
	if (!create && ((acc != 1 && !(mode & 0400)) || (acc != 0 && !(mode & 0200))))
		return 13;	/* EACCES */
	srv.fid_open[fid] = flags + 1;
	srv_qid(w, n);
	wr32(w, 0);
	return 0;
}

static int op_io(uint8_t type, struct rd *q, struct wr *w)
{
	uint32_t fid = rd32(q), count;
	uint64_t off = rd64(q);
	const uint8_t *data;
	struct snode *s;
	int n;

	count = rd32(q);
	data = q->p + q->pos;
	if (type == P9_TWRITE)
		q->pos += count <= q->len - q->pos ? count : q->len - q->pos + 1;
	if (!srv_end(q, type) || (n = srv_fid(fid)) < 0)
		return 22;
	if (!srv.fid_open[fid] || count > srv.msize - (type == P9_TWRITE ? 23 : 11)) {
		srv.proto_errors++;
		printf("# server: T-message %u on fid %u: not open or count %u too large\n", type,
		       fid, count);
		return 22;
	}
	srv.max_count = count > srv.max_count ? count : srv.max_count;
	s = &srv.node[n];
	if (type == P9_TWRITE) {
		if (off + count > s->size)
			srv_resize(n, off + count);
		memcpy(s->data + off, data, count);
		wr32(w, count);
		return 0;
	}
	count = off >= s->size ? 0 : (uint32_t)(s->size - off < count ? s->size - off : count);
	wr32(w, count);
	wr_bytes(w, s->data + off, count);
	return 0;
}

/* Records from cookie @off on: "." is 1, ".." 2, srv.ent[i] i + 3. */
static int op_readdir(struct rd *q, struct wr *w)
{
	uint32_t fid = rd32(q), count;
	uint64_t off = rd64(q);
	struct wr body;
	int n;

	count = rd32(q);
	if (!srv_end(q, P9_TREADDIR) || (n = srv_fid(fid)) < 0)
		return 22;
	if (!srv.fid_open[fid] || !srv_is_dir(n) || count > srv.msize - 11) {
		srv.proto_errors++;
		return 22;
	}
	body = (struct wr){ w->p + 11, count, 0 };
	for (int i = -2; i < srv.nents; i++) {
		uint64_t cookie = (uint64_t)(i + 3);
		const char *name = i == -2 ? "." : i == -1 ? ".." : srv.ent[i].name;
		int node = i == -2 ? n : i == -1 ? srv_parent(n) : srv.ent[i].node;
		size_t save = body.len;

		if (cookie <= off || node < 0 || (i >= 0 && srv.ent[i].dir != n))
			continue;
		srv_qid(&body, node);
		wr64(&body, srv.fault == F_DIRLOOP ? off : cookie);
		wr8(&body, srv_is_dir(node) ? 4 : 8);
		wr_str(&body, name);
		if (body.len > count) {
			body.len = save;
			break;
		}
	}
	wr32(w, body.len);
	w->len += body.len;
	return 0;
}

static int op_unlink(struct rd *q)
{
	char name[256];
	uint32_t dfid = rd32(q), flags;
	int d, e, n;

	rd_str(q, name, sizeof(name));
	flags = rd32(q);
	if (!srv_end(q, P9_TUNLINKAT) || (d = srv_fid(dfid)) < 0)
		return 22;
	e = srv_find(d, name);
	if (e < 0)
		return 2;
	n = srv.ent[e].node;
	if (srv_is_dir(n) != !!(flags & P9_AT_REMOVEDIR))
		return srv_is_dir(n) ? 21 : 20;
	if (srv_is_dir(n) && !srv_dir_empty(n))
		return 39;	/* ENOTEMPTY */
	srv.ent[e].node = -1;
	srv.node[n].nlink--;
	return 0;
}

static int op_rename(struct rd *q)
{
	char oname[256], nname[256];
	uint32_t odfid = rd32(q), ndfid;
	int od, nd, e, victim;

	rd_str(q, oname, sizeof(oname));
	ndfid = rd32(q);
	rd_str(q, nname, sizeof(nname));
	if (!srv_end(q, P9_TRENAMEAT) || (od = srv_fid(odfid)) < 0 || (nd = srv_fid(ndfid)) < 0)
		return 22;
	e = srv_find(od, oname);
	if (e < 0)
		return 2;
	victim = srv_find(nd, nname);
	if (victim >= 0 && victim != e) {
		if (srv_is_dir(srv.ent[victim].node) && !srv_dir_empty(srv.ent[victim].node))
			return 39;
		srv.node[srv.ent[victim].node].nlink--;
		srv.ent[victim].node = -1;
	}
	srv.ent[e].dir = nd;
	strcpy(srv.ent[e].name, nname);
	return 0;
}

/* The messages that make a name: Tmkdir, Tmknod, Tsymlink, Tlink, Tlcreate. */
static int op_make(uint8_t type, struct rd *q, struct wr *w)
{
	char name[256], target[4096] = "";
	uint32_t dfid = rd32(q), fid = 0, mode = 0, flags = 0;
	int d, n;

	if (type == P9_TLINK)
		fid = rd32(q);
	rd_str(q, name, sizeof(name));
	if (type == P9_TSYMLINK)
		rd_str(q, target, sizeof(target));
	if (type == P9_TLCREATE)
		flags = rd32(q);
	if (type != P9_TSYMLINK && type != P9_TLINK)
		mode = rd32(q);
	if (type == P9_TMKNOD)
		rd_n(q, 8);	/* major, minor */
	if (type != P9_TLINK)
		rd_n(q, 4);	/* gid */
	if (!srv_end(q, type) || (d = srv_fid(dfid)) < 0 || (type == P9_TLINK && srv_fid(fid) < 0))
		return 22;
	if (type == P9_TLINK) {
		if (srv_find(d, name) >= 0)
			return 17;
		srv_link(d, name, srv_fid(fid));
		srv.node[srv_fid(fid)].nlink++;
		return 0;
	}
	n = srv_make(d, name, type == P9_TMKDIR ? 040000 | (mode & 07777) :
			      type == P9_TSYMLINK ? 0120777 :
			      type == P9_TLCREATE ? 0100000 | (mode & 07777) : mode);
	if (n < 0)
		return -n;
	if (type == P9_TSYMLINK)
		srv_set_data(n, target, strlen(target));
	if (type == P9_TLCREATE) {
		srv.fid_node[dfid] = n + 1;
		return srv_open(dfid, n, flags, true, w);
	}
	srv_qid(w, n);
	return 0;
}

/* Tversion, Tattach, Tgetattr, Tlopen, Treadlink, Tclunk, Tfsync. */
static int op_fid(uint8_t type, struct rd *q, struct wr *w)
{
	char s1[256], s2[256];
	uint32_t fid = rd32(q), arg = 0;
	int n;

	if (type == P9_TVERSION) {
		rd_str(q, s1, sizeof(s1));
		if (!srv_end(q, type) || fid < 4096)
			return 22;
		srv.msize = fid > 65536 ? 65536 : fid;
		wr32(w, srv.msize);
		wr_str(w, srv.version);
		return 0;
	}
	if (type == P9_TATTACH) {
		rd_n(q, 4);	/* afid */
		rd_str(q, s1, sizeof(s1));
		rd_str(q, s2, sizeof(s2));
		arg = rd32(q);
		if (!srv_end(q, type))
			return 22;
		strcpy(srv.uname, s1);
		strcpy(srv.aname, s2);
		if (arg != 0 || (s2[0] && strcmp(s2, "/")))
			return 2;
		if (!srv_new_fid(fid, 0))
			return 22;
		srv_qid(w, 0);
		return 0;
	}
	if (type == P9_TGETATTR)
		rd_n(q, 8);	/* request_mask */
	if (type == P9_TLOPEN || type == P9_TFSYNC)
		arg = rd32(q);
	if (!srv_end(q, type) || (n = srv_fid(fid)) < 0)
		return 22;
	if (type == P9_TGETATTR)
		srv_attr(w, n);
	else if (type == P9_TLOPEN)
		return srv_open(fid, n, arg, false, w);
	else if (type == P9_TREADLINK)
		wr_str(w, (const char *)srv.node[n].data);
	else if (type == P9_TCLUNK)
		srv.fid_node[fid] = 0;
	return 0;
}

/* Answer the T-message @t of @tlen bytes into @r; the reply's length. */
static size_t srv_handle(const uint8_t *t, size_t tlen, uint8_t *r, size_t rcap)
{
	uint8_t type;
	uint16_t tag;
	struct rd q = rd_msg(t, tlen, &type, &tag);
	struct wr w = { r, rcap, 0 };
	int err;

	srv.nmsgs[type]++;
	wr_begin(&w, type + 1, tag);
	switch (type) {
	case P9_TVERSION: case P9_TATTACH: case P9_TGETATTR: case P9_TLOPEN:
	case P9_TREADLINK: case P9_TCLUNK: case P9_TFSYNC:
		err = op_fid(type, &q, &w);
		break;
	case P9_TWALK:
		err = op_walk(&q, &w);
		break;
	case P9_TSETATTR:
		err = op_setattr(&q);
		break;
	case P9_TREAD: case P9_TWRITE:
		err = op_io(type, &q, &w);
		break;
	case P9_TREADDIR:
		err = op_readdir(&q, &w);
		break;
	case P9_TMKDIR: case P9_TMKNOD: case P9_TSYMLINK: case P9_TLINK: case P9_TLCREATE:
		err = op_make(type, &q, &w);
		break;
	case P9_TUNLINKAT:
		err = op_unlink(&q);
		break;
	case P9_TRENAMEAT:
		err = op_rename(&q);
		break;
	default:
		srv.proto_errors++;
		printf("# server: unknown T-message %u\n", type);
		err = 95;
	}
	if (err) {
		wr_begin(&w, P9_RLERROR, tag);
		wr32(&w, (uint32_t)err);
	}
	if (w.len > rcap) {
		srv.proto_errors++;
		printf("# server: the reply to %u does not fit the client's buffer\n", type);
	}
	return wr_end(&w);
}

/* --- the transport ---------------------------------------------------------------- */
static struct p9_trans srv_trans;

/* Spoil the reply of @len bytes in rbuf as srv.fault says; its new length. */
static size_t srv_spoil(uint8_t *r, size_t len)
{
	enum fault f = srv.fault;

	srv.fault = F_NONE;
	switch (f) {
	case F_TAG:
		r[5] ^= 1;
		break;
	case F_SHORT:
		return len - 1;
	case F_SIZE:
		r[1]++;			/* size field 256 bytes too large */
		break;
	case F_TYPE:
		r[4] += 2;
		break;
	case F_GARBAGE:
		for (size_t i = 7; i < len; i++)
			r[i] = (uint8_t)(i * 37 + 11);
		break;
	case F_ERRNO:
		r[0] = 11, r[1] = r[2] = r[3] = 0, r[4] = 7;
		r[7] = 0xff, r[8] = 0xff, r[9] = 0, r[10] = 0;
		return 11;
	case F_COUNT:		/* Rread, Rreaddir, Rwrite: a count past what was asked */
		r[7] += 1, r[8] += 0x40;
		break;
	case F_BIGMSIZE:
		r[9] += 1;
		break;
	default:
		break;
	}
	return len;
}

static long srv_request(struct p9_trans *t, size_t len)
{
	size_t n;

	if (len > t->bufsize)
		return -EMSGSIZE;
	srv.max_tlen = len > srv.max_tlen ? (uint32_t)len : srv.max_tlen;
	n = srv_handle(t->tbuf, len, t->rbuf, t->bufsize);
	if (srv.fault && (!srv.fault_on || srv.fault_on == t->tbuf[4]))
		n = srv_spoil(t->rbuf, n);
	return (long)n;
}

static void srv_close(struct p9_trans *t)
{
	free(t->tbuf);
	free(t->rbuf);
	srv.in_use = false;
}

static const struct p9_trans_ops srv_ops = {
	.request = srv_request,
	.close = srv_close,
};

int p9_trans_virtio_open(const char *tag, size_t msize, struct p9_trans **out)
{
	if (strcmp(tag, "host"))
		return -ENOENT;
	if (srv.in_use)
		return -EBUSY;
	srv_trans = (struct p9_trans){ &srv_ops, malloc(msize), malloc(msize), msize, NULL };
	srv.in_use = true;
	*out = &srv_trans;
	return 0;
}

#endif
