/*
 * The 9P2000.L client: a file system whose files live on a server (QEMU's
 * virtio-9p device shares a host folder) and are reached by messages.
 * Three layers, one file each, all behind this header:
 *   proto.c         marshalling: build T-messages, parse R-messages, with
 *                   every length checked (also compiled by the host tests)
 *   client.c        RPCs: tags, fids, one request at a time, Rlerror
 *   trans_virtio.c  the transport: a request buffer out, a reply back
 * and the VFS glue in vfs_super.c (mount, options, inodes), vfs_inode.c
 * (names and attributes) and vfs_file.c (data and directories).
 */
#ifndef FS_9P_9P_H
#define FS_9P_9P_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define P9_VERSION	"9P2000.L"
#define P9_NOTAG	0xffff
#define P9_NOFID	0xffffffffU
#define P9_HDRSZ	7		/* size[4] type[1] tag[2] */
#define P9_IOHDRSZ	24		/* Twrite's header, the largest before data */
#define P9_MSIZE_MIN	4096
#define P9_MSIZE_MAX	(1U << 20)
#define P9_MSIZE_DEFAULT (128U << 10)
#define P9_MAXWELEM	16		/* names in one Twalk */
/* Rlerror codes past this are refused: 512 and up are the kernel's own (ERESTARTSYS...). */
#define P9_MAXERRNO	511

/* message types (9P2000.L); each R-message is its T-message + 1 */
enum {
	P9_RLERROR = 7,
	P9_TSTATFS = 8,
	P9_TLOPEN = 12,
	P9_TLCREATE = 14,
	P9_TSYMLINK = 16,
	P9_TMKNOD = 18,
	P9_TREADLINK = 22,
	P9_TGETATTR = 24,
	P9_TSETATTR = 26,
	P9_TREADDIR = 40,
	P9_TFSYNC = 50,
	P9_TLINK = 70,
	P9_TMKDIR = 72,
	P9_TRENAMEAT = 74,
	P9_TUNLINKAT = 76,
	P9_TVERSION = 100,
	P9_TATTACH = 104,
	P9_TWALK = 110,
	P9_TREAD = 116,
	P9_TWRITE = 118,
	P9_TCLUNK = 120,
};

/* Tgetattr request_mask / Rgetattr valid bits */
#define P9_GETATTR_BASIC	0x7ffULL	/* mode .. blocks, as stat wants */

/* Tsetattr valid bits */
#define P9_SETATTR_MODE		0x001
#define P9_SETATTR_UID		0x002
#define P9_SETATTR_GID		0x004
#define P9_SETATTR_SIZE		0x008
#define P9_SETATTR_ATIME	0x010
#define P9_SETATTR_MTIME	0x020
#define P9_SETATTR_CTIME	0x040
#define P9_SETATTR_ATIME_SET	0x080	/* atime is given, not "now" */
#define P9_SETATTR_MTIME_SET	0x100

#define P9_AT_REMOVEDIR		0x200	/* Tunlinkat flags */

/* A server's unique name for a file: path is its inode number. */
struct p9_qid {
	uint8_t type;
	uint32_t version;
	uint64_t path;
};

/* Rgetattr: the fields stat needs (btime, gen, data_version are dropped). */
struct p9_attr {
	uint64_t valid;
	struct p9_qid qid;
	uint32_t mode, uid, gid;
	uint64_t nlink, rdev, size, blksize, blocks;
	uint64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

/* Tsetattr */
struct p9_iattr {
	uint32_t valid;
	uint32_t mode, uid, gid;
	uint64_t size;
	uint64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec;
};

/* One Rreaddir entry; name points into the reply and is not NUL-terminated. */
struct p9_dirent {
	struct p9_qid qid;
	uint64_t offset;	/* where the next Treaddir continues */
	uint8_t type;		/* DT_* */
	const char *name;
	uint16_t namelen;
};

/*
 * A message being built (size: the buffer's capacity) or parsed (size:
 * the message's length). Every access is bounds-checked; the first one
 * that does not fit sets @bad, and later ones do nothing.
 */
struct p9_buf {
	uint8_t *data;
	size_t size;
	size_t pos;
	bool bad;
};

/* --- proto.c: T-message builders return the length, or -EMSGSIZE --------------- */
/* "Twalk" for P9_TWALK, for log lines. */
const char *p9_msg_name(uint8_t type);
int p9_build_tversion(struct p9_buf *b, uint32_t msize, const char *version);
int p9_build_tattach(struct p9_buf *b, uint16_t tag, uint32_t fid, uint32_t afid,
		     const char *uname, const char *aname, uint32_t n_uname);
/* Walk @fid to @newfid through one name, or none (@name NULL: a clone). */
int p9_build_twalk(struct p9_buf *b, uint16_t tag, uint32_t fid, uint32_t newfid,
		   const char *name, size_t len);
int p9_build_tgetattr(struct p9_buf *b, uint16_t tag, uint32_t fid, uint64_t mask);
int p9_build_tsetattr(struct p9_buf *b, uint16_t tag, uint32_t fid, const struct p9_iattr *ia);
int p9_build_tlopen(struct p9_buf *b, uint16_t tag, uint32_t fid, uint32_t flags);
int p9_build_tlcreate(struct p9_buf *b, uint16_t tag, uint32_t fid, const char *name,
		      size_t len, uint32_t flags, uint32_t mode, uint32_t gid);
int p9_build_tread(struct p9_buf *b, uint16_t tag, uint32_t fid, uint64_t offset,
		   uint32_t count);
int p9_build_twrite(struct p9_buf *b, uint16_t tag, uint32_t fid, uint64_t offset,
		    const void *data, uint32_t count);
int p9_build_treaddir(struct p9_buf *b, uint16_t tag, uint32_t fid, uint64_t offset,
		      uint32_t count);
int p9_build_tmkdir(struct p9_buf *b, uint16_t tag, uint32_t dfid, const char *name,
		    size_t len, uint32_t mode, uint32_t gid);
int p9_build_tmknod(struct p9_buf *b, uint16_t tag, uint32_t dfid, const char *name,
		    size_t len, uint32_t mode, uint32_t major, uint32_t minor, uint32_t gid);
int p9_build_tsymlink(struct p9_buf *b, uint16_t tag, uint32_t dfid, const char *name,
		      size_t len, const char *target, uint32_t gid);
int p9_build_tlink(struct p9_buf *b, uint16_t tag, uint32_t dfid, uint32_t fid,
		   const char *name, size_t len);
int p9_build_trenameat(struct p9_buf *b, uint16_t tag, uint32_t olddfid, const char *oname,
		       size_t olen, uint32_t newdfid, const char *nname, size_t nlen);
int p9_build_tunlinkat(struct p9_buf *b, uint16_t tag, uint32_t dfid, const char *name,
		       size_t len, uint32_t flags);
/* The messages that carry one fid and nothing else: Tclunk, Treadlink, Tstatfs. */
int p9_build_tfid(struct p9_buf *b, uint8_t type, uint16_t tag, uint32_t fid);
int p9_build_tfsync(struct p9_buf *b, uint16_t tag, uint32_t fid, uint32_t datasync);

/*
 * --- proto.c: R-message parsers -----------------------------------------------
 * p9_parse_header checks a reply of @len bytes in @b->data: its size field
 * (at least a header, at most @len), its tag, and its type, which must be
 * @rtype or Rlerror. It returns 0 with @b positioned at the body, the
 * server's -errno for an Rlerror, or -EIO for a malformed reply (the
 * reason in *@why, for the log). The body parsers return 0 or -EIO.
 */
int p9_parse_header(struct p9_buf *b, size_t len, uint16_t tag, uint8_t rtype,
		    const char **why);
int p9_parse_rversion(struct p9_buf *b, uint32_t *msize, char *version, size_t size);
/* Rattach, Rmkdir, Rmknod, Rsymlink: one qid. */
int p9_parse_rqid(struct p9_buf *b, struct p9_qid *qid);
/* Rlopen, Rlcreate: a qid and the iounit. */
int p9_parse_ropen(struct p9_buf *b, struct p9_qid *qid, uint32_t *iounit);
/* Rwalk: at most @max qids, put in @qids; their number in *@nwqid. */
int p9_parse_rwalk(struct p9_buf *b, uint16_t *nwqid, struct p9_qid *qids, unsigned int max);
int p9_parse_rgetattr(struct p9_buf *b, struct p9_attr *a);
/* Rread, Rreaddir: the data (inside the reply), at most @max bytes of it. */
int p9_parse_rdata(struct p9_buf *b, uint32_t max, const uint8_t **data, uint32_t *count);
int p9_parse_rwrite(struct p9_buf *b, uint32_t *count);
/* Rreadlink: the target, pointing into the reply. */
int p9_parse_rreadlink(struct p9_buf *b, const char **target, uint16_t *len);
/* Rreaddir's records, one per call: 1 and *@de, 0 at the end, -EIO if garbled. */
int p9_next_dirent(struct p9_buf *b, struct p9_dirent *de);

/* --- the transport (trans_virtio.c) -------------------------------------------- */
struct p9_trans;

struct p9_trans_ops {
	/*
	 * Send the @len-byte request in t->tbuf and block until the reply is
	 * in t->rbuf: its length, or -errno. One request at a time.
	 */
	long (*request)(struct p9_trans *t, size_t len);
	void (*close)(struct p9_trans *t);
};

struct p9_trans {
	const struct p9_trans_ops *ops;
	uint8_t *tbuf, *rbuf;	/* bufsize bytes each, owned by the transport */
	size_t bufsize;
	void *priv;
};

/* The virtio-9p device whose mount tag is @tag, with buffers of @msize bytes. */
int p9_trans_virtio_open(const char *tag, size_t msize, struct p9_trans **out);

/* --- client.c: one call per message; 0 (or a count) or -errno ------------------- */
struct p9_client;

/* Take over @t and agree on 9P2000.L and a message size (at most @msize). */
int p9_client_create(struct p9_trans *t, uint32_t msize, struct p9_client **out);
/* Close the transport and free the client (all fids must be clunked). */
void p9_client_destroy(struct p9_client *c);
uint32_t p9_client_msize(struct p9_client *c);
/* A fid number not in use; the server learns of it from the walk or attach. */
uint32_t p9_fid_new(struct p9_client *c);

int p9_attach(struct p9_client *c, uint32_t fid, const char *uname, const char *aname,
	      uint32_t n_uname, struct p9_qid *qid);
/* Walk @fid through @name (NULL: clone it) to the new fid @newfid. */
int p9_walk(struct p9_client *c, uint32_t fid, uint32_t newfid, const char *name, size_t len,
	    struct p9_qid *qid);
int p9_clunk(struct p9_client *c, uint32_t fid);
int p9_getattr(struct p9_client *c, uint32_t fid, struct p9_attr *a);
int p9_setattr(struct p9_client *c, uint32_t fid, const struct p9_iattr *ia);
int p9_lopen(struct p9_client *c, uint32_t fid, uint32_t flags, uint32_t *iounit);
/* Create @name in directory @fid, which becomes the new file's open fid. */
int p9_lcreate(struct p9_client *c, uint32_t fid, const char *name, size_t len, uint32_t flags,
	       uint32_t mode, uint32_t gid, uint32_t *iounit);
/* Reads and writes of any size, in msize pieces: bytes moved or -errno. */
long p9_read(struct p9_client *c, uint32_t fid, uint64_t offset, void *buf, size_t n);
long p9_write(struct p9_client *c, uint32_t fid, uint64_t offset, const void *buf, size_t n);
/*
 * Directory records from @offset on: @fn gets each until it returns
 * nonzero or the directory ends (0), or -errno.
 */
int p9_readdir(struct p9_client *c, uint32_t fid, uint64_t offset,
	       int (*fn)(void *ctx, const struct p9_dirent *de), void *ctx);
int p9_mkdir(struct p9_client *c, uint32_t dfid, const char *name, size_t len, uint32_t mode,
	     uint32_t gid);
int p9_mknod(struct p9_client *c, uint32_t dfid, const char *name, size_t len, uint32_t mode,
	     uint32_t major, uint32_t minor, uint32_t gid);
int p9_symlink(struct p9_client *c, uint32_t dfid, const char *name, size_t len,
	       const char *target, uint32_t gid);
int p9_link(struct p9_client *c, uint32_t dfid, uint32_t fid, const char *name, size_t len);
/* Copy the symlink target (not NUL-terminated): its length or -errno. */
int p9_readlink(struct p9_client *c, uint32_t fid, char *buf, size_t size);
int p9_renameat(struct p9_client *c, uint32_t odfid, const char *oname, size_t olen,
		uint32_t ndfid, const char *nname, size_t nlen);
int p9_unlinkat(struct p9_client *c, uint32_t dfid, const char *name, size_t len,
		uint32_t flags);
int p9_fsync(struct p9_client *c, uint32_t fid, int datasync);

#endif
