/*
 * Host tests for the 9P2000.L marshalling (fs/9p/proto.c): every
 * T-message the client builds is decoded field by field by an independent
 * reader (tests/host/p9_wire.h) and two are compared with bytes written
 * out by hand from the protocol; every R-message parser reads what an
 * independent writer made. Then the replies a broken or hostile server
 * could send: each sample reply cut at every length, wrong tags and
 * types, size fields that lie, bad error numbers, strings with NULs,
 * counts past the data, and seeded random garbage. Buffers are allocated
 * at their exact size, so ASan sees any access past a message.
 */
#include "fs/9p/proto.c"
#include "tests/host/p9_wire.h"
#include "tests/host/test.h"

static uint8_t tbuf[8192];

static struct p9_buf out(void)
{
	return (struct p9_buf){ .data = tbuf, .size = sizeof(tbuf) };
}

/* Decode the header of the T-message in tbuf and check its size, type and tag. */
static struct rd t_open(int len, uint8_t type, uint16_t tag)
{
	uint8_t t;
	uint16_t g;
	struct rd r = rd_msg(tbuf, len > 0 ? (size_t)len : 0, &t, &g);

	CHECK(len > 0);
	CHECK(!r.bad);
	CHECK_EQ(t, type);
	CHECK_EQ(g, tag);
	return r;
}

/* The whole message was read, and nothing more. */
static void t_done(struct rd *r)
{
	CHECK(!r->bad);
	CHECK_EQ(r->pos, r->len);
}

static void tversion_bytes(void)
{
	static const uint8_t want[] = { 21, 0, 0, 0, 100, 0xff, 0xff, 0x00, 0x20, 0, 0,
					8, 0, '9', 'P', '2', '0', '0', '0', '.', 'L' };
	struct p9_buf b = out();

	CHECK_EQ(p9_build_tversion(&b, 8192, "9P2000.L"), sizeof(want));
	CHECK(!memcmp(tbuf, want, sizeof(want)));
}

static void twalk_bytes(void)
{
	static const uint8_t want[] = { 21, 0, 0, 0, 110, 0x34, 0x12, 1, 0, 0, 0, 2, 0, 0, 0,
					1, 0, 2, 0, 'a', 'b' };
	struct p9_buf b = out();

	CHECK_EQ(p9_build_twalk(&b, 0x1234, 1, 2, "abc", 2), sizeof(want));
	CHECK(!memcmp(tbuf, want, sizeof(want)));
}

static void t_session(void)
{
	struct p9_buf b = out();
	char s[64];
	struct rd r;

	r = t_open(p9_build_tversion(&b, 131072, P9_VERSION), P9_TVERSION, P9_NOTAG);
	CHECK_EQ(rd32(&r), 131072);
	rd_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "9P2000.L"));
	t_done(&r);
	r = t_open(p9_build_tattach(&b, 7, 3, P9_NOFID, "root", "/srv/x", 0), P9_TATTACH, 7);
	CHECK_EQ(rd32(&r), 3);
	CHECK_EQ(rd32(&r), P9_NOFID);
	rd_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "root"));
	rd_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "/srv/x"));
	CHECK_EQ(rd32(&r), 0);
	t_done(&r);
	r = t_open(p9_build_twalk(&b, 8, 3, 4, NULL, 0), P9_TWALK, 8);
	CHECK_EQ(rd32(&r), 3);
	CHECK_EQ(rd32(&r), 4);
	CHECK_EQ(rd16(&r), 0);
	t_done(&r);
	r = t_open(p9_build_tfid(&b, P9_TCLUNK, 9, 4), P9_TCLUNK, 9);
	CHECK_EQ(rd32(&r), 4);
	t_done(&r);
	r = t_open(p9_build_tfid(&b, P9_TREADLINK, 10, 5), P9_TREADLINK, 10);
	CHECK_EQ(rd32(&r), 5);
	t_done(&r);
	r = t_open(p9_build_tfsync(&b, 11, 6, 1), P9_TFSYNC, 11);
	CHECK_EQ(rd32(&r), 6);
	CHECK_EQ(rd32(&r), 1);
	t_done(&r);
}

static void t_attrs(void)
{
	struct p9_iattr ia = { P9_SETATTR_MODE | P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET, 0640,
			       1000, 100, 1ULL << 40, 11, 12, 13, 14 };
	struct p9_buf b = out();
	struct rd r;

	r = t_open(p9_build_tgetattr(&b, 1, 9, P9_GETATTR_BASIC), P9_TGETATTR, 1);
	CHECK_EQ(rd32(&r), 9);
	CHECK_EQ(rd64(&r), 0x7ff);
	t_done(&r);
	r = t_open(p9_build_tsetattr(&b, 2, 9, &ia), P9_TSETATTR, 2);
	CHECK_EQ(rd32(&r), 9);
	CHECK_EQ(rd32(&r), ia.valid);
	CHECK_EQ(rd32(&r), 0640);
	CHECK_EQ(rd32(&r), 1000);
	CHECK_EQ(rd32(&r), 100);
	CHECK_EQ(rd64(&r), 1ULL << 40);
	CHECK_EQ(rd64(&r), 11);
	CHECK_EQ(rd64(&r), 12);
	CHECK_EQ(rd64(&r), 13);
	CHECK_EQ(rd64(&r), 14);
	t_done(&r);
}

static void t_io(void)
{
	static const char data[] = "some bytes\0with a NUL";
	struct p9_buf b = out();
	struct rd r;

	r = t_open(p9_build_tlopen(&b, 3, 5, 2), P9_TLOPEN, 3);
	CHECK_EQ(rd32(&r), 5);
	CHECK_EQ(rd32(&r), 2);
	t_done(&r);
	r = t_open(p9_build_tread(&b, 4, 5, 0x123456789aULL, 4000), P9_TREAD, 4);
	CHECK_EQ(rd32(&r), 5);
	CHECK_EQ(rd64(&r), 0x123456789aULL);
	CHECK_EQ(rd32(&r), 4000);
	t_done(&r);
	r = t_open(p9_build_twrite(&b, 5, 5, 77, data, sizeof(data)), P9_TWRITE, 5);
	CHECK_EQ(rd32(&r), 5);
	CHECK_EQ(rd64(&r), 77);
	CHECK_EQ(rd32(&r), sizeof(data));
	CHECK(r.pos + sizeof(data) == r.len && !memcmp(r.p + r.pos, data, sizeof(data)));
	r.pos += sizeof(data);
	t_done(&r);
	r = t_open(p9_build_treaddir(&b, 6, 5, 99, 8181), P9_TREADDIR, 6);
	CHECK_EQ(rd32(&r), 5);
	CHECK_EQ(rd64(&r), 99);
	CHECK_EQ(rd32(&r), 8181);
	t_done(&r);
}

static void t_names(void)
{
	struct p9_buf b = out();
	char s[64];
	struct rd r;

	r = t_open(p9_build_tlcreate(&b, 1, 2, "new.txtXX", 7, 2, 0644, 50), P9_TLCREATE, 1);
	CHECK_EQ(rd32(&r), 2);
	rd_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "new.txt"));
	CHECK_EQ(rd32(&r), 2);
	CHECK_EQ(rd32(&r), 0644);
	CHECK_EQ(rd32(&r), 50);
	t_done(&r);
	r = t_open(p9_build_tmkdir(&b, 2, 2, "d", 1, 0755, 51), P9_TMKDIR, 2);
	CHECK_EQ(rd32(&r), 2);
	rd_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "d"));
	CHECK_EQ(rd32(&r), 0755);
	CHECK_EQ(rd32(&r), 51);
	t_done(&r);
	r = t_open(p9_build_tmknod(&b, 3, 2, "fifo", 4, 010644, 4, 65, 52), P9_TMKNOD, 3);
	CHECK_EQ(rd32(&r), 2);
	rd_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "fifo"));
	CHECK_EQ(rd32(&r), 010644);
	CHECK_EQ(rd32(&r), 4);
	CHECK_EQ(rd32(&r), 65);
	CHECK_EQ(rd32(&r), 52);
	t_done(&r);
	r = t_open(p9_build_tsymlink(&b, 4, 2, "ln", 2, "../target", 53), P9_TSYMLINK, 4);
	CHECK_EQ(rd32(&r), 2);
	rd_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "ln"));
	rd_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "../target"));
	CHECK_EQ(rd32(&r), 53);
	t_done(&r);
	r = t_open(p9_build_tlink(&b, 5, 2, 8, "hard", 4), P9_TLINK, 5);
	CHECK_EQ(rd32(&r), 2);
	CHECK_EQ(rd32(&r), 8);
	rd_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "hard"));
	t_done(&r);
	r = t_open(p9_build_trenameat(&b, 6, 2, "old", 3, 9, "newer", 5), P9_TRENAMEAT, 6);
	CHECK_EQ(rd32(&r), 2);
	rd_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "old"));
	CHECK_EQ(rd32(&r), 9);
	rd_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "newer"));
	t_done(&r);
	r = t_open(p9_build_tunlinkat(&b, 7, 2, "gone", 4, P9_AT_REMOVEDIR), P9_TUNLINKAT, 7);
	CHECK_EQ(rd32(&r), 2);
	rd_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "gone"));
	CHECK_EQ(rd32(&r), 0x200);
	t_done(&r);
}

/* Every capacity below what a message needs fails cleanly; exactly enough works. */
static void t_overflow(void)
{
	static char name[300];
	struct p9_buf big = out();
	int need;

	memset(name, 'n', sizeof(name));
	need = p9_build_trenameat(&big, 1, 2, name, 255, 3, name, 255);
	CHECK_EQ(need, 7 + 4 + 257 + 4 + 257);
	for (int cap = 0; cap <= need; cap++) {
		uint8_t *m = malloc(cap ? (size_t)cap : 1);
		struct p9_buf b = { .data = m, .size = (size_t)cap };
		int n = p9_build_trenameat(&b, 1, 2, name, 255, 3, name, 255);

		CHECK_EQ(n, cap < need ? -EMSGSIZE : need);
		free(m);
	}
	/* a string longer than len[2] can say (put_str refuses it before reading) */
	CHECK_EQ(p9_build_twalk(&big, 1, 2, 3, name, 70000), -EMSGSIZE);
}

/* --- replies -------------------------------------------------------------------- */
static uint8_t rbuf[8192];

static struct wr reply(uint8_t type, uint16_t tag)
{
	struct wr w = { rbuf, sizeof(rbuf), 0 };

	wr_begin(&w, type, tag);
	return w;
}

/* Check the header of the reply in rbuf (@len bytes); @b is left at the body. */
static int hdr(struct p9_buf *b, size_t len, uint16_t tag, uint8_t rtype)
{
	const char *why = NULL;
	int err;

	*b = (struct p9_buf){ .data = rbuf };
	err = p9_parse_header(b, len, tag, rtype, &why);
	CHECK(err != -EIO || why);
	return err;
}

static void r_session(void)
{
	struct p9_buf b;
	struct p9_qid q;
	char v[16];
	uint32_t msize, iounit;
	struct wr w = reply(P9_TVERSION + 1, P9_NOTAG);

	wr32(&w, 65536);
	wr_str(&w, "9P2000.L");
	CHECK_EQ(hdr(&b, wr_end(&w), P9_NOTAG, P9_TVERSION + 1), 0);
	CHECK_EQ(p9_parse_rversion(&b, &msize, v, sizeof(v)), 0);
	CHECK_EQ(msize, 65536);
	CHECK(!strcmp(v, "9P2000.L"));
	CHECK_EQ(p9_parse_rversion(&b, &msize, v, 4), -EIO);	/* no room for it */
	static const uint8_t qid_replies[] = { P9_TATTACH, P9_TMKDIR, P9_TMKNOD, P9_TSYMLINK };

	for (size_t i = 0; i < sizeof(qid_replies); i++) {
		uint8_t t = qid_replies[i];

		w = reply(t + 1, 3);
		wr_qid(&w, 0x80, 7, 0x1122334455667788ULL);
		CHECK_EQ(hdr(&b, wr_end(&w), 3, t + 1), 0);
		CHECK_EQ(p9_parse_rqid(&b, &q), 0);
		CHECK(q.type == 0x80 && q.version == 7 && q.path == 0x1122334455667788ULL);
	}
	w = reply(P9_TLOPEN + 1, 4);
	wr_qid(&w, 0, 1, 42);
	wr32(&w, 8168);
	CHECK_EQ(hdr(&b, wr_end(&w), 4, P9_TLOPEN + 1), 0);
	CHECK_EQ(p9_parse_ropen(&b, &q, &iounit), 0);
	CHECK(q.path == 42 && iounit == 8168);
	w = reply(P9_TCLUNK + 1, 5);		/* and every other empty reply */
	CHECK_EQ(hdr(&b, wr_end(&w), 5, P9_TCLUNK + 1), 0);
}

static void r_walk(void)
{
	struct p9_qid q[P9_MAXWELEM + 1];
	struct p9_buf b;
	uint16_t n;
	struct wr w = reply(P9_TWALK + 1, 1);

	wr16(&w, 2);
	wr_qid(&w, 0x80, 1, 10);
	wr_qid(&w, 0, 2, 11);
	CHECK_EQ(hdr(&b, wr_end(&w), 1, P9_TWALK + 1), 0);
	CHECK_EQ(p9_parse_rwalk(&b, &n, q, 2), 0);
	CHECK(n == 2 && q[0].path == 10 && q[1].path == 11 && q[1].version == 2);
	CHECK_EQ(hdr(&b, w.len, 1, P9_TWALK + 1), 0);
	CHECK_EQ(p9_parse_rwalk(&b, &n, q, 1), -EIO);	/* more than we walked */
}

static void r_getattr(void)
{
	struct p9_attr a;
	struct p9_buf b;
	struct wr w = reply(P9_TGETATTR + 1, 2);

	wr64(&w, 0x7ff);
	wr_qid(&w, 0, 0, 1234);
	wr32(&w, 0100644);
	wr32(&w, 1000);
	wr32(&w, 1001);
	wr64(&w, 3);
	wr64(&w, 0x0801);
	wr64(&w, 300000);
	wr64(&w, 4096);
	wr64(&w, 592);
	for (int i = 1; i <= 6; i++)
		wr64(&w, 1000000 * i);
	for (int i = 0; i < 4; i++)
		wr64(&w, 0);		/* btime, gen, data_version */
	CHECK_EQ(wr_end(&w), 7 + 153);
	CHECK_EQ(hdr(&b, w.len, 2, P9_TGETATTR + 1), 0);
	CHECK_EQ(p9_parse_rgetattr(&b, &a), 0);
	CHECK(a.qid.path == 1234 && a.mode == 0100644 && a.uid == 1000 && a.gid == 1001);
	CHECK(a.nlink == 3 && a.rdev == 0x0801 && a.size == 300000 && a.blocks == 592);
	CHECK(a.atime_sec == 1000000 && a.mtime_nsec == 4000000 && a.ctime_nsec == 6000000);
}

static void r_data(void)
{
	const uint8_t *data;
	const char *target;
	struct p9_buf b;
	uint32_t count;
	uint16_t len;
	struct wr w = reply(P9_TREAD + 1, 3);

	wr32(&w, 5);
	wr_bytes(&w, "abcde", 5);
	CHECK_EQ(hdr(&b, wr_end(&w), 3, P9_TREAD + 1), 0);
	CHECK_EQ(p9_parse_rdata(&b, 5, &data, &count), 0);
	CHECK(count == 5 && !memcmp(data, "abcde", 5));
	CHECK_EQ(hdr(&b, w.len, 3, P9_TREAD + 1), 0);
	CHECK_EQ(p9_parse_rdata(&b, 4, &data, &count), -EIO);	/* more than asked for */
	w = reply(P9_TREAD + 1, 3);
	wr32(&w, 6);
	wr_bytes(&w, "abcde", 5);		/* count past the data */
	CHECK_EQ(hdr(&b, wr_end(&w), 3, P9_TREAD + 1), 0);
	CHECK_EQ(p9_parse_rdata(&b, 100, &data, &count), -EIO);
	w = reply(P9_TWRITE + 1, 4);
	wr32(&w, 4096);
	CHECK_EQ(hdr(&b, wr_end(&w), 4, P9_TWRITE + 1), 0);
	CHECK_EQ(p9_parse_rwrite(&b, &count), 0);
	CHECK_EQ(count, 4096);
	w = reply(P9_TREADLINK + 1, 5);
	wr_str(&w, "../lib/x");
	CHECK_EQ(hdr(&b, wr_end(&w), 5, P9_TREADLINK + 1), 0);
	CHECK_EQ(p9_parse_rreadlink(&b, &target, &len), 0);
	CHECK(len == 8 && !memcmp(target, "../lib/x", 8));
	w = reply(P9_TREADLINK + 1, 5);
	wr16(&w, 3);
	wr_bytes(&w, "a\0b", 3);		/* a NUL inside a string */
	CHECK_EQ(hdr(&b, wr_end(&w), 5, P9_TREADLINK + 1), 0);
	CHECK_EQ(p9_parse_rreadlink(&b, &target, &len), -EIO);
}

/* Rreaddir's records: @n of them into rbuf, the last one optionally spoiled. */
static size_t dir_reply(int n, int spoil)
{
	struct wr w = reply(P9_TREADDIR + 1, 6), body = { rbuf + 11, sizeof(rbuf) - 11, 0 };

	for (int i = 0; i < n; i++) {
		char name[16];

		snprintf(name, sizeof(name), "entry%d", i);
		wr_qid(&body, 0, 0, 100 + (uint64_t)i);
		wr64(&body, 1000 + (uint64_t)i);
		wr8(&body, 8);
		if (i == n - 1 && spoil == 1) {
			wr16(&body, 0);		/* an empty name */
		} else if (i == n - 1 && spoil == 2) {
			wr16(&body, 50);	/* a name past the data */
			wr_bytes(&body, name, strlen(name));
		} else if (i == n - 1 && spoil == 3) {
			wr_str(&body, "../../etc");	/* not one path component */
		} else {
			wr_str(&body, name);
		}
	}
	wr32(&w, body.len);
	w.len += body.len;
	return wr_end(&w);
}

static void r_readdir(void)
{
	const uint8_t *data;
	struct p9_dirent de;
	struct p9_buf b, ents;
	uint32_t count;
	int n = 0;

	CHECK_EQ(hdr(&b, dir_reply(3, 0), 6, P9_TREADDIR + 1), 0);
	CHECK_EQ(p9_parse_rdata(&b, 8000, &data, &count), 0);
	ents = (struct p9_buf){ .data = (uint8_t *)data, .size = count };
	while (p9_next_dirent(&ents, &de) == 1) {
		CHECK(de.qid.path == 100 + (uint64_t)n && de.offset == 1000 + (uint64_t)n);
		CHECK(de.type == 8 && de.namelen == 6 && !memcmp(de.name, "entry", 5));
		n++;
	}
	CHECK_EQ(n, 3);
	CHECK_EQ(p9_next_dirent(&ents, &de), 0);
	for (int spoil = 1; spoil <= 3; spoil++) {
		CHECK_EQ(hdr(&b, dir_reply(2, spoil), 6, P9_TREADDIR + 1), 0);
		CHECK_EQ(p9_parse_rdata(&b, 8000, &data, &count), 0);
		ents = (struct p9_buf){ .data = (uint8_t *)data, .size = count };
		CHECK_EQ(p9_next_dirent(&ents, &de), 1);
		CHECK_EQ(p9_next_dirent(&ents, &de), -EIO);
		CHECK_EQ(p9_next_dirent(&ents, &de), -EIO);	/* and it stays bad */
	}
}

static void message_names(void)
{
	CHECK(!strcmp(p9_msg_name(P9_TWALK), "Twalk"));
	CHECK(!strcmp(p9_msg_name(P9_TCLUNK), "Tclunk"));
	CHECK(!strcmp(p9_msg_name(3), "T-message"));
	CHECK(!strcmp(p9_msg_name(255), "T-message"));
}

static void r_header_faults(void)
{
	struct p9_buf b;
	struct wr w = reply(P9_RLERROR, 9);

	wr32(&w, 2);
	CHECK_EQ(hdr(&b, wr_end(&w), 9, P9_TWALK + 1), -ENOENT);	/* Rlerror */
	CHECK_EQ(hdr(&b, w.len, 8, P9_TWALK + 1), -EIO);		/* wrong tag */
	w = reply(P9_RLERROR, 9);
	wr32(&w, 0);
	CHECK_EQ(hdr(&b, wr_end(&w), 9, P9_TWALK + 1), -EIO);		/* error 0 */
	w = reply(P9_RLERROR, 9);
	wr32(&w, 70000);
	CHECK_EQ(hdr(&b, wr_end(&w), 9, P9_TWALK + 1), -EIO);		/* no such errno */
	w = reply(P9_RLERROR, 9);
	wr32(&w, 512);
	CHECK_EQ(hdr(&b, wr_end(&w), 9, P9_TWALK + 1), -EIO);		/* ERESTARTSYS: the kernel's */
	w = reply(P9_TCLUNK + 1, 9);
	CHECK_EQ(hdr(&b, wr_end(&w), 9, P9_TWALK + 1), -EIO);		/* wrong type */
	CHECK_EQ(hdr(&b, 7, 9, P9_TCLUNK + 1), 0);
	CHECK_EQ(hdr(&b, 6, 9, P9_TCLUNK + 1), -EIO);			/* too short */
	CHECK_EQ(hdr(&b, 0, 9, P9_TCLUNK + 1), -EIO);
	rbuf[0] = 6;							/* size < header */
	CHECK_EQ(hdr(&b, 7, 9, P9_TCLUNK + 1), -EIO);
	rbuf[0] = 200;							/* size > reply */
	CHECK_EQ(hdr(&b, 7, 9, P9_TCLUNK + 1), -EIO);
	rbuf[0] = 0;
	rbuf[3] = 0x80;							/* 2 GiB */
	CHECK_EQ(hdr(&b, sizeof(rbuf), 9, P9_TCLUNK + 1), -EIO);
}

/* --- broken and hostile replies ------------------------------------------------ */

/* Parse the body of an R-message of @type the way the client would. */
static int parse_body(uint8_t type, struct p9_buf *b)
{
	struct p9_qid q[P9_MAXWELEM];
	struct p9_dirent de;
	struct p9_attr a;
	const uint8_t *data;
	const char *s;
	uint32_t u;
	uint16_t n;
	char v[16];
	int err;

	switch (type - 1) {
	case P9_TVERSION:
		return p9_parse_rversion(b, &u, v, sizeof(v));
	case P9_TATTACH:
	case P9_TMKDIR:
	case P9_TMKNOD:
	case P9_TSYMLINK:
		return p9_parse_rqid(b, q);
	case P9_TLOPEN:
	case P9_TLCREATE:
		return p9_parse_ropen(b, q, &u);
	case P9_TWALK:
		return p9_parse_rwalk(b, &n, q, P9_MAXWELEM);
	case P9_TGETATTR:
		return p9_parse_rgetattr(b, &a);
	case P9_TREAD:
		return p9_parse_rdata(b, 8192, &data, &u);
	case P9_TREADDIR:
		err = p9_parse_rdata(b, 8192, &data, &u);
		if (!err) {
			struct p9_buf ents = { .data = (uint8_t *)data, .size = u };

			while ((err = p9_next_dirent(&ents, &de)) > 0)
				CHECK(de.name && de.namelen && de.name + de.namelen <= (char *)data + u);
		}
		return err;
	case P9_TWRITE:
		return p9_parse_rwrite(b, &u);
	case P9_TREADLINK:
		return p9_parse_rreadlink(b, &s, &n);
	}
	return 0;
}

/* Header and body of @len bytes at @msg, copied to a buffer of exactly that size. */
static int parse_exact(const uint8_t *msg, size_t len, uint16_t tag, uint8_t rtype)
{
	uint8_t *m = malloc(len ? len : 1);
	struct p9_buf b = { .data = m };
	const char *why;
	int err;

	memcpy(m, msg, len);
	err = p9_parse_header(&b, len, tag, rtype, &why);
	if (!err)
		err = parse_body(rtype, &b);
	free(m);
	return err;
}

struct sample {
	uint8_t type;
	uint8_t msg[256];
	size_t len;
};

/* One well-formed reply of every kind the client parses, with tag 1. */
static int make_samples(struct sample *s)
{
	int n = 0;
	struct wr w;

#define SAMPLE(t) (s[n].type = (t) + 1, w = (struct wr){ s[n].msg, sizeof(s[n].msg), 0 }, \
		   wr_begin(&w, (t) + 1, (t) == P9_TVERSION ? P9_NOTAG : 1))
#define END() (s[n].len = wr_end(&w), n++)
	SAMPLE(P9_TVERSION), wr32(&w, 8192), wr_str(&w, "9P2000.L"), END();
	SAMPLE(P9_TATTACH), wr_qid(&w, 0x80, 0, 1), END();
	SAMPLE(P9_TLOPEN), wr_qid(&w, 0, 0, 2), wr32(&w, 0), END();
	SAMPLE(P9_TWALK), wr16(&w, 1), wr_qid(&w, 0, 0, 3), END();
	SAMPLE(P9_TGETATTR), wr64(&w, 0x7ff), wr_qid(&w, 0, 0, 4);
	wr32(&w, 0100644), wr32(&w, 0), wr32(&w, 0);
	for (int i = 0; i < 15; i++)
		wr64(&w, (uint64_t)i);		/* nlink .. ctime, btime, gen, data_version */
	END();
	SAMPLE(P9_TREAD), wr32(&w, 3), wr_bytes(&w, "xyz", 3), END();
	SAMPLE(P9_TWRITE), wr32(&w, 3), END();
	SAMPLE(P9_TREADLINK), wr_str(&w, "target"), END();
	SAMPLE(P9_TREADDIR), wr32(&w, 13 + 8 + 1 + 2 + 3), wr_qid(&w, 0, 0, 5), wr64(&w, 9),
		wr8(&w, 4), wr_str(&w, "dir"), END();
	SAMPLE(P9_RLERROR - 1), wr32(&w, 13), END();
#undef SAMPLE
#undef END
	return n;
}

/* Every sample cut short, with its size field left as it was or made to agree. */
static void r_truncated(void)
{
	static struct sample s[16];
	int n = make_samples(s);

	for (int i = 0; i < n; i++) {
		uint16_t tag = s[i].type == P9_TVERSION + 1 ? P9_NOTAG : 1;
		uint8_t want = s[i].type == P9_RLERROR ? P9_TWALK + 1 : s[i].type;

		CHECK_EQ(parse_exact(s[i].msg, s[i].len, tag, want),
			 s[i].type == P9_RLERROR ? -13 : 0);
		for (size_t cut = 0; cut < s[i].len; cut++) {
			uint8_t copy[256];

			CHECK_EQ(parse_exact(s[i].msg, cut, tag, want), -EIO);
			memcpy(copy, s[i].msg, cut);
			if (cut >= 4) {
				copy[0] = (uint8_t)cut;	/* all samples are < 256 bytes */
				copy[1] = copy[2] = copy[3] = 0;
			}
			if (parse_exact(copy, cut, tag, want) != -EIO) {
				printf("# sample %d (type %u) cut at %zu parsed\n", i, s[i].type, cut);
				test_cur_failed = 1;
			}
		}
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random bytes with plausible headers, and every single-bit flip of the samples. */
static void r_garbage(void)
{
	static const uint8_t types[] = { P9_RLERROR, P9_TVERSION + 1, P9_TATTACH + 1,
					 P9_TLOPEN + 1, P9_TWALK + 1, P9_TGETATTR + 1,
					 P9_TREAD + 1, P9_TREADDIR + 1, P9_TWRITE + 1,
					 P9_TREADLINK + 1, P9_TMKDIR + 1 };
	static struct sample s[16];
	uint8_t msg[300];
	int n = make_samples(s), bad = 0;

	for (int iter = 0; iter < 50000; iter++) {
		size_t len = rng() % sizeof(msg);
		uint8_t type = types[rng() % sizeof(types)];
		int err;

		for (size_t i = 0; i < len; i++)
			msg[i] = (uint8_t)rng();
		if (len >= 7 && (iter & 1)) {
			msg[0] = (uint8_t)len;
			msg[1] = (uint8_t)(len >> 8);
			msg[2] = msg[3] = 0;
			msg[4] = type;
			msg[5] = 1;
			msg[6] = 0;
		}
		err = parse_exact(msg, len, 1, type == P9_RLERROR ? P9_TWALK + 1 : type);
		bad += err > 0 || err < -P9_MAXERRNO;
	}
	for (int i = 0; i < n; i++) {
		for (size_t bit = 0; bit < s[i].len * 8; bit++) {
			int err;

			memcpy(msg, s[i].msg, s[i].len);
			msg[bit / 8] ^= (uint8_t)(1 << (bit % 8));
			err = parse_exact(msg, s[i].len, s[i].type == P9_TVERSION + 1 ? P9_NOTAG : 1,
					  s[i].type);
			bad += err > 0 || err < -P9_MAXERRNO;
		}
	}
	CHECK_EQ(bad, 0);
}

int main(void)
{
	test_suite = "9p";
	RUN(tversion_bytes);
	RUN(twalk_bytes);
	RUN(t_session);
	RUN(t_attrs);
	RUN(t_io);
	RUN(t_names);
	RUN(t_overflow);
	RUN(r_session);
	RUN(r_walk);
	RUN(r_getattr);
	RUN(r_data);
	RUN(r_readdir);
	RUN(message_names);
	RUN(r_header_faults);
	RUN(r_truncated);
	RUN(r_garbage);
	TEST_EXIT();
}
