/*
 * The far side of 9P for the host tests: a reader that decodes the
 * T-messages fs/9p/proto.c builds and a writer that makes the R-messages
 * it parses. Written apart from proto.c, straight from the protocol's
 * layout (little-endian integers, len[2]+bytes strings, 13-byte qids), so
 * the round trips compare two independent codings of each message.
 */
#ifndef TESTS_HOST_P9_WIRE_H
#define TESTS_HOST_P9_WIRE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* --- reading ------------------------------------------------------------------ */
struct rd {
	const uint8_t *p;
	size_t len, pos;
	int bad;
};

static uint64_t rd_n(struct rd *r, int n)
{
	uint64_t v = 0;

	if (r->bad || r->pos + (size_t)n > r->len) {
		r->bad = 1;
		return 0;
	}
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | r->p[r->pos + (size_t)i];
	r->pos += (size_t)n;
	return v;
}

#define rd8(r)	((uint8_t)rd_n(r, 1))
#define rd16(r)	((uint16_t)rd_n(r, 2))
#define rd32(r)	((uint32_t)rd_n(r, 4))
#define rd64(r)	rd_n(r, 8)

/* A string into @out (NUL-terminated, at most @cap - 1 bytes); its length. */
static size_t rd_str(struct rd *r, char *out, size_t cap)
{
	size_t len = rd16(r);

	if (r->bad || r->pos + len > r->len || len >= cap) {
		r->bad = 1;
		out[0] = '\0';
		return 0;
	}
	memcpy(out, r->p + r->pos, len);
	out[len] = '\0';
	r->pos += len;
	return len;
}

/* Start reading a message: its size field must be its length. */
static struct rd rd_msg(const uint8_t *p, size_t len, uint8_t *type, uint16_t *tag)
{
	struct rd r = { p, len, 0, 0 };

	if (rd32(&r) != len)
		r.bad = 1;
	*type = rd8(&r);
	*tag = rd16(&r);
	return r;
}

/* --- writing ------------------------------------------------------------------ */
struct wr {
	uint8_t *p;
	size_t cap, len;
};

static void wr_n(struct wr *w, uint64_t v, int n)
{
	for (int i = 0; i < n; i++) {
		if (w->len < w->cap)
			w->p[w->len] = (uint8_t)(v >> (8 * i));
		w->len++;
	}
}

#define wr8(w, v)	wr_n(w, v, 1)
#define wr16(w, v)	wr_n(w, v, 2)
#define wr32(w, v)	wr_n(w, v, 4)
#define wr64(w, v)	wr_n(w, v, 8)

static void wr_bytes(struct wr *w, const void *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		wr8(w, ((const uint8_t *)s)[i]);
}

static void wr_str(struct wr *w, const char *s)
{
	wr16(w, strlen(s));
	wr_bytes(w, s, strlen(s));
}

static void wr_qid(struct wr *w, uint8_t type, uint32_t version, uint64_t path)
{
	wr8(w, type);
	wr32(w, version);
	wr64(w, path);
}

static void wr_begin(struct wr *w, uint8_t type, uint16_t tag)
{
	w->len = 0;
	wr32(w, 0);
	wr8(w, type);
	wr16(w, tag);
}

/* Fill in the size field; the message's length (it may exceed the capacity). */
static size_t wr_end(struct wr *w)
{
	size_t len = w->len;

	w->len = 0;
	wr32(w, len);
	w->len = len;
	return len;
}

#endif
