/*
 * 9P2000.L marshalling. A message is size[4] type[1] tag[2] and a body of
 * little-endian integers, strings (len[2] and bytes, no NUL) and qids
 * (type[1] version[4] path[8]). Builders write T-messages into a buffer
 * of the negotiated size; parsers read R-messages, which come from the
 * server and are checked as untrusted input: a field that runs past the
 * message, a count larger than asked for or a string with a NUL in it
 * make the parse fail with -EIO. Nothing here allocates or sleeps, so
 * tests/host/test_9p.c runs it on the host under ASan and UBSan.
 */
#include "fs/9p/9p.h"
#include "kernel/errno.h"
#include "lib/string.h"

/* --- primitives ------------------------------------------------------------- */

static uint8_t *room(struct p9_buf *b, size_t n)
{
	uint8_t *p;

	if (b->bad || n > b->size - b->pos) {
		b->bad = true;
		return NULL;
	}
	p = b->data + b->pos;
	b->pos += n;
	return p;
}

static void put_le(struct p9_buf *b, uint64_t v, size_t n)
{
	uint8_t *p = room(b, n);

	for (size_t i = 0; p && i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(struct p9_buf *b, size_t n)
{
	const uint8_t *p = room(b, n);
	uint64_t v = 0;

	for (size_t i = 0; p && i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

#define put8(b, v)	put_le(b, v, 1)
#define put16(b, v)	put_le(b, v, 2)
#define put32(b, v)	put_le(b, v, 4)
#define put64(b, v)	put_le(b, v, 8)
#define get8(b)		((uint8_t)get_le(b, 1))
#define get16(b)	((uint16_t)get_le(b, 2))
#define get32(b)	((uint32_t)get_le(b, 4))
#define get64(b)	get_le(b, 8)

static void put_bytes(struct p9_buf *b, const void *data, size_t n)
{
	uint8_t *p = room(b, n);

	if (p && n)
		memcpy(p, data, n);
}

static void put_str(struct p9_buf *b, const char *s, size_t len)
{
	if (len > 0xffff) {
		b->bad = true;
		return;
	}
	put16(b, len);
	put_bytes(b, s, len);
}

static void put_cstr(struct p9_buf *b, const char *s)
{
	put_str(b, s, strlen(s));
}

/* A string of the reply, in place; a NUL inside it makes the reply bad. */
static const char *get_str(struct p9_buf *b, uint16_t *len)
{
	const char *s;

	*len = get16(b);
	s = (const char *)room(b, *len);
	for (uint16_t i = 0; s && i < *len; i++) {
		if (!s[i])
			b->bad = true;
	}
	return b->bad ? NULL : s;
}

static void get_qid(struct p9_buf *b, struct p9_qid *q)
{
	q->type = get8(b);
	q->version = get32(b);
	q->path = get64(b);
}

/* Start a T-message; end() fills in its size. */
static void begin(struct p9_buf *b, uint8_t type, uint16_t tag)
{
	b->pos = 0;
	b->bad = false;
	put32(b, 0);
	put8(b, type);
	put16(b, tag);
}

static int end(struct p9_buf *b)
{
	size_t len = b->pos;

	if (b->bad || len > 0xffffffffU)
		return -EMSGSIZE;
	b->pos = 0;
	put32(b, len);
	b->pos = len;
	return (int)len;
}

/* --- T-messages --------------------------------------------------------------- */

static const char *const msg_names[] = {
	[P9_TSTATFS] = "Tstatfs", [P9_TLOPEN] = "Tlopen", [P9_TLCREATE] = "Tlcreate",
	[P9_TSYMLINK] = "Tsymlink", [P9_TMKNOD] = "Tmknod", [P9_TREADLINK] = "Treadlink",
	[P9_TGETATTR] = "Tgetattr", [P9_TSETATTR] = "Tsetattr", [P9_TREADDIR] = "Treaddir",
	[P9_TFSYNC] = "Tfsync", [P9_TLINK] = "Tlink", [P9_TMKDIR] = "Tmkdir",
	[P9_TRENAMEAT] = "Trenameat", [P9_TUNLINKAT] = "Tunlinkat", [P9_TVERSION] = "Tversion",
	[P9_TATTACH] = "Tattach", [P9_TWALK] = "Twalk", [P9_TREAD] = "Tread",
	[P9_TWRITE] = "Twrite", [P9_TCLUNK] = "Tclunk",
};

const char *p9_msg_name(uint8_t type)
{
	if (type < sizeof(msg_names) / sizeof(msg_names[0]) && msg_names[type])
		return msg_names[type];
	return "T-message";
}

int p9_build_tversion(struct p9_buf *b, uint32_t msize, const char *version)
{
	begin(b, P9_TVERSION, P9_NOTAG);
	put32(b, msize);
	put_cstr(b, version);
	return end(b);
}

int p9_build_tattach(struct p9_buf *b, uint16_t tag, uint32_t fid, uint32_t afid,
		     const char *uname, const char *aname, uint32_t n_uname)
{
	begin(b, P9_TATTACH, tag);
	put32(b, fid);
	put32(b, afid);
	put_cstr(b, uname);
	put_cstr(b, aname);
	put32(b, n_uname);
	return end(b);
}

int p9_build_twalk(struct p9_buf *b, uint16_t tag, uint32_t fid, uint32_t newfid,
		   const char *name, size_t len)
{
	begin(b, P9_TWALK, tag);
	put32(b, fid);
	put32(b, newfid);
	put16(b, name ? 1 : 0);
	if (name)
		put_str(b, name, len);
	return end(b);
}

int p9_build_tgetattr(struct p9_buf *b, uint16_t tag, uint32_t fid, uint64_t mask)
{
	begin(b, P9_TGETATTR, tag);
	put32(b, fid);
	put64(b, mask);
	return end(b);
}

int p9_build_tsetattr(struct p9_buf *b, uint16_t tag, uint32_t fid, const struct p9_iattr *ia)
{
	begin(b, P9_TSETATTR, tag);
	put32(b, fid);
	put32(b, ia->valid);
	put32(b, ia->mode);
	put32(b, ia->uid);
	put32(b, ia->gid);
	put64(b, ia->size);
	put64(b, ia->atime_sec);
	put64(b, ia->atime_nsec);
	put64(b, ia->mtime_sec);
	put64(b, ia->mtime_nsec);
	return end(b);
}

int p9_build_tlopen(struct p9_buf *b, uint16_t tag, uint32_t fid, uint32_t flags)
{
	begin(b, P9_TLOPEN, tag);
	put32(b, fid);
	put32(b, flags);
	return end(b);
}

int p9_build_tlcreate(struct p9_buf *b, uint16_t tag, uint32_t fid, const char *name,
		      size_t len, uint32_t flags, uint32_t mode, uint32_t gid)
{
	begin(b, P9_TLCREATE, tag);
	put32(b, fid);
	put_str(b, name, len);
	put32(b, flags);
	put32(b, mode);
	put32(b, gid);
	return end(b);
}

int p9_build_tread(struct p9_buf *b, uint16_t tag, uint32_t fid, uint64_t offset,
		   uint32_t count)
{
	begin(b, P9_TREAD, tag);
	put32(b, fid);
	put64(b, offset);
	put32(b, count);
	return end(b);
}

int p9_build_twrite(struct p9_buf *b, uint16_t tag, uint32_t fid, uint64_t offset,
		    const void *data, uint32_t count)
{
	begin(b, P9_TWRITE, tag);
	put32(b, fid);
	put64(b, offset);
	put32(b, count);
	put_bytes(b, data, count);
	return end(b);
}

int p9_build_treaddir(struct p9_buf *b, uint16_t tag, uint32_t fid, uint64_t offset,
		      uint32_t count)
{
	begin(b, P9_TREADDIR, tag);
	put32(b, fid);
	put64(b, offset);
	put32(b, count);
	return end(b);
}

int p9_build_tmkdir(struct p9_buf *b, uint16_t tag, uint32_t dfid, const char *name,
		    size_t len, uint32_t mode, uint32_t gid)
{
	begin(b, P9_TMKDIR, tag);
	put32(b, dfid);
	put_str(b, name, len);
	put32(b, mode);
	put32(b, gid);
	return end(b);
}

int p9_build_tmknod(struct p9_buf *b, uint16_t tag, uint32_t dfid, const char *name,
		    size_t len, uint32_t mode, uint32_t major, uint32_t minor, uint32_t gid)
{
	begin(b, P9_TMKNOD, tag);
	put32(b, dfid);
	put_str(b, name, len);
	put32(b, mode);
	put32(b, major);
	put32(b, minor);
	put32(b, gid);
	return end(b);
}

int p9_build_tsymlink(struct p9_buf *b, uint16_t tag, uint32_t dfid, const char *name,
		      size_t len, const char *target, uint32_t gid)
{
	begin(b, P9_TSYMLINK, tag);
	put32(b, dfid);
	put_str(b, name, len);
	put_cstr(b, target);
	put32(b, gid);
	return end(b);
}

int p9_build_tlink(struct p9_buf *b, uint16_t tag, uint32_t dfid, uint32_t fid,
		   const char *name, size_t len)
{
	begin(b, P9_TLINK, tag);
	put32(b, dfid);
	put32(b, fid);
	put_str(b, name, len);
	return end(b);
}

int p9_build_trenameat(struct p9_buf *b, uint16_t tag, uint32_t olddfid, const char *oname,
		       size_t olen, uint32_t newdfid, const char *nname, size_t nlen)
{
	begin(b, P9_TRENAMEAT, tag);
	put32(b, olddfid);
	put_str(b, oname, olen);
	put32(b, newdfid);
	put_str(b, nname, nlen);
	return end(b);
}

int p9_build_tunlinkat(struct p9_buf *b, uint16_t tag, uint32_t dfid, const char *name,
		       size_t len, uint32_t flags)
{
	begin(b, P9_TUNLINKAT, tag);
	put32(b, dfid);
	put_str(b, name, len);
	put32(b, flags);
	return end(b);
}

int p9_build_tfid(struct p9_buf *b, uint8_t type, uint16_t tag, uint32_t fid)
{
	begin(b, type, tag);
	put32(b, fid);
	return end(b);
}

int p9_build_tfsync(struct p9_buf *b, uint16_t tag, uint32_t fid, uint32_t datasync)
{
	begin(b, P9_TFSYNC, tag);
	put32(b, fid);
	put32(b, datasync);
	return end(b);
}

/* --- R-messages --------------------------------------------------------------- */

static int done(struct p9_buf *b)
{
	return b->bad ? -EIO : 0;
}

int p9_parse_header(struct p9_buf *b, size_t len, uint16_t tag, uint8_t rtype,
		    const char **why)
{
	uint32_t size, ecode;
	uint8_t type;

	b->pos = 0;
	b->bad = false;
	b->size = len;
	size = get32(b);
	type = get8(b);
	*why = b->bad ? "shorter than a header" :
	       size < P9_HDRSZ ? "size field smaller than a header" :
	       size > len ? "size field larger than the reply" : NULL;
	if (*why)
		return -EIO;
	b->size = size;		/* bytes past the size field are not the message */
	if (get16(b) != tag) {
		*why = "wrong tag";
		return -EIO;
	}
	if (type == P9_RLERROR) {
		ecode = get32(b);
		*why = b->bad ? "short Rlerror" :
		       !ecode || ecode > P9_MAXERRNO ? "Rlerror with a bad error number" : NULL;
		return *why ? -EIO : -(int)ecode;
	}
	if (type != rtype) {
		*why = "unexpected message type";
		return -EIO;
	}
	return 0;
}

int p9_parse_rversion(struct p9_buf *b, uint32_t *msize, char *version, size_t size)
{
	const char *s;
	uint16_t len;

	*msize = get32(b);
	s = get_str(b, &len);
	if (!s || len >= size)
		return -EIO;
	memcpy(version, s, len);
	version[len] = '\0';
	return 0;
}

int p9_parse_rqid(struct p9_buf *b, struct p9_qid *qid)
{
	get_qid(b, qid);
	return done(b);
}

int p9_parse_ropen(struct p9_buf *b, struct p9_qid *qid, uint32_t *iounit)
{
	get_qid(b, qid);
	*iounit = get32(b);
	return done(b);
}

int p9_parse_rwalk(struct p9_buf *b, uint16_t *nwqid, struct p9_qid *qids, unsigned int max)
{
	*nwqid = get16(b);
	if (*nwqid > max)
		return -EIO;
	for (unsigned int i = 0; i < *nwqid; i++)
		get_qid(b, &qids[i]);
	return done(b);
}

int p9_parse_rgetattr(struct p9_buf *b, struct p9_attr *a)
{
	a->valid = get64(b);
	get_qid(b, &a->qid);
	a->mode = get32(b);
	a->uid = get32(b);
	a->gid = get32(b);
	a->nlink = get64(b);
	a->rdev = get64(b);
	a->size = get64(b);
	a->blksize = get64(b);
	a->blocks = get64(b);
	a->atime_sec = get64(b);
	a->atime_nsec = get64(b);
	a->mtime_sec = get64(b);
	a->mtime_nsec = get64(b);
	a->ctime_sec = get64(b);
	a->ctime_nsec = get64(b);
	room(b, 4 * 8);		/* btime[16] gen[8] data_version[8] must be there */
	return done(b);
}

int p9_parse_rdata(struct p9_buf *b, uint32_t max, const uint8_t **data, uint32_t *count)
{
	*count = get32(b);
	if (*count > max)
		return -EIO;
	*data = room(b, *count);
	return done(b);
}

int p9_parse_rwrite(struct p9_buf *b, uint32_t *count)
{
	*count = get32(b);
	return done(b);
}

int p9_parse_rreadlink(struct p9_buf *b, const char **target, uint16_t *len)
{
	*target = get_str(b, len);
	return done(b);
}

static bool has_slash(const char *s, uint16_t len)
{
	for (uint16_t i = 0; i < len; i++)
		if (s[i] == '/')
			return true;
	return false;
}

int p9_next_dirent(struct p9_buf *b, struct p9_dirent *de)
{
	if (b->bad)
		return -EIO;
	if (b->pos == b->size)
		return 0;
	get_qid(b, &de->qid);
	de->offset = get64(b);
	de->type = get8(b);
	de->name = get_str(b, &de->namelen);
	/* a name is one path component: never empty, longer than NAME_MAX, or with a '/' */
	if (!b->bad && (!de->namelen || de->namelen > 255 || has_slash(de->name, de->namelen)))
		b->bad = true;
	return b->bad ? -EIO : 1;
}
