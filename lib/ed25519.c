/*
 * Ed25519 (RFC 8032 section 5.1): verification for signed modules, plus
 * key generation and signing for the host tests.
 *
 * Three layers, bottom up: arithmetic in the field GF(2^255 - 19) on five
 * 51-bit limbs with 128-bit products; points of the twisted Edwards curve
 * -x^2 + y^2 = 1 + d x^2 y^2 in extended coordinates (X:Y:Z:T), x = X/Z,
 * y = Y/Z, x*y = T/Z, using the formulas of RFC 8032 section 5.1.4; and
 * integers modulo the group order L. Nothing here is constant-time: the
 * verifier only handles public data.
 */
#include "lib/ed25519.h"
#include "lib/sha512.h"
#include "lib/string.h"

#include <stdbool.h>

typedef unsigned __int128 uint128_t;

/* ---- The field GF(p), p = 2^255 - 19 ---- */

/*
 * An element is v[0] + v[1] 2^51 + v[2] 2^102 + v[3] 2^153 + v[4] 2^204.
 * Every function below returns limbs under 2^52, which is what fe_mul()
 * assumes of its inputs; only fe_to_bytes() gives the unique value < p.
 * Outputs may alias inputs.
 */
struct fe {
	uint64_t v[5];
};

#define MASK51 ((1ull << 51) - 1)

static const struct fe fe_zero = { { 0, 0, 0, 0, 0 } };
static const struct fe fe_one = { { 1, 0, 0, 0, 0 } };

/* d = -121665 / 121666, the curve constant, and 2d for point addition. */
static const struct fe ed_d = { {
	0x34dca135978a3ull, 0x1a8283b156ebdull, 0x5e7a26001c029ull,
	0x739c663a03cbbull, 0x52036cee2b6ffull,
} };
static const struct fe ed_d2 = { {
	0x69b9426b2f159ull, 0x35050762add7aull, 0x3cf44c0038052ull,
	0x6738cc7407977ull, 0x2406d9dc56dffull,
} };

/* 2^((p-1)/4), a square root of -1. */
static const struct fe fe_sqrtm1 = { {
	0x61b274a0ea0b0ull, 0x0d5a5fc8f189dull, 0x7ef5e9cbd0c60ull,
	0x78595a6804c9eull, 0x2b8324804fc1dull,
} };

/* Move each limb's bits above 2^51 into the next; 2^255 wraps to 19. */
static void fe_carry(struct fe *h)
{
	uint64_t c;

	for (int i = 0; i < 4; i++) {
		c = h->v[i] >> 51;
		h->v[i] &= MASK51;
		h->v[i + 1] += c;
	}
	c = h->v[4] >> 51;
	h->v[4] &= MASK51;
	h->v[0] += 19 * c;
}

static void fe_add(struct fe *h, const struct fe *f, const struct fe *g)
{
	for (int i = 0; i < 5; i++)
		h->v[i] = f->v[i] + g->v[i];
	fe_carry(h);
}

/* f - g computed as f + 4p - g, so that no limb goes below zero. */
static void fe_sub(struct fe *h, const struct fe *f, const struct fe *g)
{
	h->v[0] = f->v[0] + 4 * (MASK51 - 18) - g->v[0];
	for (int i = 1; i < 5; i++)
		h->v[i] = f->v[i] + 4 * MASK51 - g->v[i];
	fe_carry(h);
}

static void fe_neg(struct fe *h, const struct fe *f)
{
	fe_sub(h, &fe_zero, f);
}

/*
 * Carry the five 128-bit column sums of a product down to 51-bit limbs.
 * r[4] holds no terms multiplied by 19, so 19 times its carry fits in 64
 * bits even for inputs just under 2^52.
 */
static void fe_carry_wide(struct fe *h, uint128_t r[5])
{
	uint64_t c;

	for (int i = 0; i < 4; i++) {
		r[i + 1] += (uint64_t)(r[i] >> 51);
		h->v[i] = (uint64_t)r[i] & MASK51;
	}
	c = (uint64_t)(r[4] >> 51);
	h->v[4] = (uint64_t)r[4] & MASK51;
	h->v[0] += 19 * c;
	h->v[1] += h->v[0] >> 51;
	h->v[0] &= MASK51;
}

/* Schoolbook product; limb products past 2^255 come back times 19. */
static void fe_mul(struct fe *h, const struct fe *f, const struct fe *g)
{
	const uint64_t *a = f->v, *b = g->v;
	uint64_t b19[5];
	uint128_t r[5];

	for (int i = 1; i < 5; i++)
		b19[i] = 19 * b[i];
	r[0] = (uint128_t)a[0] * b[0] + (uint128_t)a[1] * b19[4] +
	       (uint128_t)a[2] * b19[3] + (uint128_t)a[3] * b19[2] +
	       (uint128_t)a[4] * b19[1];
	r[1] = (uint128_t)a[0] * b[1] + (uint128_t)a[1] * b[0] +
	       (uint128_t)a[2] * b19[4] + (uint128_t)a[3] * b19[3] +
	       (uint128_t)a[4] * b19[2];
	r[2] = (uint128_t)a[0] * b[2] + (uint128_t)a[1] * b[1] +
	       (uint128_t)a[2] * b[0] + (uint128_t)a[3] * b19[4] +
	       (uint128_t)a[4] * b19[3];
	r[3] = (uint128_t)a[0] * b[3] + (uint128_t)a[1] * b[2] +
	       (uint128_t)a[2] * b[1] + (uint128_t)a[3] * b[0] +
	       (uint128_t)a[4] * b19[4];
	r[4] = (uint128_t)a[0] * b[4] + (uint128_t)a[1] * b[3] +
	       (uint128_t)a[2] * b[2] + (uint128_t)a[3] * b[1] +
	       (uint128_t)a[4] * b[0];
	fe_carry_wide(h, r);
}

/* fe_mul(h, f, f) with the symmetric cross terms computed once. */
static void fe_sq(struct fe *h, const struct fe *f)
{
	const uint64_t *a = f->v;
	uint64_t a2_0 = 2 * a[0], a2_1 = 2 * a[1];
	uint64_t a38_1 = 38 * a[1], a38_2 = 38 * a[2], a38_3 = 38 * a[3];
	uint64_t a19_3 = 19 * a[3], a19_4 = 19 * a[4];
	uint128_t r[5];

	r[0] = (uint128_t)a[0] * a[0] + (uint128_t)a38_1 * a[4] +
	       (uint128_t)a38_2 * a[3];
	r[1] = (uint128_t)a2_0 * a[1] + (uint128_t)a38_2 * a[4] +
	       (uint128_t)a19_3 * a[3];
	r[2] = (uint128_t)a2_0 * a[2] + (uint128_t)a[1] * a[1] +
	       (uint128_t)a38_3 * a[4];
	r[3] = (uint128_t)a2_0 * a[3] + (uint128_t)a2_1 * a[2] +
	       (uint128_t)a19_4 * a[4];
	r[4] = (uint128_t)a2_0 * a[4] + (uint128_t)a2_1 * a[3] +
	       (uint128_t)a[2] * a[2];
	fe_carry_wide(h, r);
}

/* f^(2^n), by n squarings. */
static void fe_sq_n(struct fe *h, const struct fe *f, int n)
{
	fe_sq(h, f);
	while (--n > 0)
		fe_sq(h, h);
}

/*
 * f^(2^250 - 1), the common part of inversion and square root, and f^11
 * on the side. Each step doubles the run of one bits in the exponent.
 */
static void fe_pow_2_250_1(struct fe *out, struct fe *f11, const struct fe *f)
{
	struct fe f2, f9, e5, e10, e20, e50, e100, t;

	fe_sq(&f2, f);
	fe_sq_n(&t, &f2, 2);
	fe_mul(&f9, &t, f);
	fe_mul(f11, &f9, &f2);
	fe_sq(&t, f11);
	fe_mul(&e5, &t, &f9);			/* 2^5 - 1 */
	fe_sq_n(&t, &e5, 5);
	fe_mul(&e10, &t, &e5);			/* 2^10 - 1 */
	fe_sq_n(&t, &e10, 10);
	fe_mul(&e20, &t, &e10);			/* 2^20 - 1 */
	fe_sq_n(&t, &e20, 20);
	fe_mul(&t, &t, &e20);			/* 2^40 - 1 */
	fe_sq_n(&t, &t, 10);
	fe_mul(&e50, &t, &e10);			/* 2^50 - 1 */
	fe_sq_n(&t, &e50, 50);
	fe_mul(&e100, &t, &e50);		/* 2^100 - 1 */
	fe_sq_n(&t, &e100, 100);
	fe_mul(&t, &t, &e100);			/* 2^200 - 1 */
	fe_sq_n(&t, &t, 50);
	fe_mul(out, &t, &e50);			/* 2^250 - 1 */
}

/* 1/f as f^(p - 2) = f^((2^250 - 1) 2^5 + 11); 1/0 comes out as 0. */
static void fe_invert(struct fe *h, const struct fe *f)
{
	struct fe t, f11;

	fe_pow_2_250_1(&t, &f11, f);
	fe_sq_n(&t, &t, 5);
	fe_mul(h, &t, &f11);
}

/* f^((p - 5) / 8) = f^((2^250 - 1) 2^2 + 1), for the square root. */
static void fe_pow_p58(struct fe *h, const struct fe *f)
{
	struct fe t, f11;

	fe_pow_2_250_1(&t, &f11, f);
	fe_sq_n(&t, &t, 2);
	fe_mul(h, &t, f);
}

/* Load a little-endian 255-bit number; bit 255 is ignored. */
static void fe_from_bytes(struct fe *h, const uint8_t s[32])
{
	uint64_t w[4] = { 0, 0, 0, 0 };

	for (int i = 31; i >= 0; i--)
		w[i / 8] = (w[i / 8] << 8) | s[i];
	h->v[0] = w[0] & MASK51;
	h->v[1] = ((w[0] >> 51) | (w[1] << 13)) & MASK51;
	h->v[2] = ((w[1] >> 38) | (w[2] << 26)) & MASK51;
	h->v[3] = ((w[2] >> 25) | (w[3] << 39)) & MASK51;
	h->v[4] = (w[3] >> 12) & MASK51;
}

/*
 * Store the unique representative in [0, p), little-endian. After two
 * carries the value V is below 2^255 + 19 < 2p; V >= p exactly when
 * V + 19 reaches 2^255, and then V - p = V + 19 - 2^255.
 */
static void fe_to_bytes(uint8_t s[32], const struct fe *f)
{
	struct fe h = *f;
	uint64_t q, w[4];

	fe_carry(&h);
	fe_carry(&h);
	q = (h.v[0] + 19) >> 51;
	for (int i = 1; i < 5; i++)
		q = (h.v[i] + q) >> 51;
	h.v[0] += 19 * q;
	for (int i = 0; i < 4; i++) {
		h.v[i + 1] += h.v[i] >> 51;
		h.v[i] &= MASK51;
	}
	h.v[4] &= MASK51;

	w[0] = h.v[0] | (h.v[1] << 51);
	w[1] = (h.v[1] >> 13) | (h.v[2] << 38);
	w[2] = (h.v[2] >> 26) | (h.v[3] << 25);
	w[3] = (h.v[3] >> 39) | (h.v[4] << 12);
	for (int i = 0; i < 32; i++)
		s[i] = (uint8_t)(w[i / 8] >> (8 * (i % 8)));
}

static bool fe_equal(const struct fe *f, const struct fe *g)
{
	uint8_t a[32], b[32];

	fe_to_bytes(a, f);
	fe_to_bytes(b, g);
	return memcmp(a, b, 32) == 0;
}

/* The low bit of the reduced value: RFC 8032 calls odd x "negative". */
static int fe_is_odd(const struct fe *f)
{
	uint8_t s[32];

	fe_to_bytes(s, f);
	return s[0] & 1;
}

/* ---- Points of the curve ---- */

struct ed_point {
	struct fe x, y, z, t;
};

/* The base point B: y = 4/5, x even. */
static const struct ed_point ed_base = {
	.x = { { 0x62d608f25d51aull, 0x412a4b4f6592aull, 0x75b7171a4b31dull,
		 0x1ff60527118feull, 0x216936d3cd6e5ull } },
	.y = { { 0x6666666666658ull, 0x4ccccccccccccull, 0x1999999999999ull,
		 0x3333333333333ull, 0x6666666666666ull } },
	.z = { { 1, 0, 0, 0, 0 } },
	.t = { { 0x68ab3a5b7dda3ull, 0x00eea2a5eadbbull, 0x2af8df483c27eull,
		 0x332b375274732ull, 0x67875f0fd78b7ull } },
};

static void pt_identity(struct ed_point *p)
{
	p->x = fe_zero;
	p->y = fe_one;
	p->z = fe_one;
	p->t = fe_zero;
}

static void pt_neg(struct ed_point *r, const struct ed_point *p)
{
	fe_neg(&r->x, &p->x);
	r->y = p->y;
	r->z = p->z;
	fe_neg(&r->t, &p->t);
}

/* r = p + q (RFC 8032 section 5.1.4, complete: works for p == q too). */
static void pt_add(struct ed_point *r, const struct ed_point *p, const struct ed_point *q)
{
	struct fe a, b, c, d, e, f, g, h, t;

	fe_sub(&a, &p->y, &p->x);
	fe_sub(&t, &q->y, &q->x);
	fe_mul(&a, &a, &t);
	fe_add(&b, &p->y, &p->x);
	fe_add(&t, &q->y, &q->x);
	fe_mul(&b, &b, &t);
	fe_mul(&c, &p->t, &q->t);
	fe_mul(&c, &c, &ed_d2);
	fe_mul(&d, &p->z, &q->z);
	fe_add(&d, &d, &d);
	fe_sub(&e, &b, &a);
	fe_sub(&f, &d, &c);
	fe_add(&g, &d, &c);
	fe_add(&h, &b, &a);
	fe_mul(&r->x, &e, &f);
	fe_mul(&r->y, &g, &h);
	fe_mul(&r->t, &e, &h);
	fe_mul(&r->z, &f, &g);
}

/* r = 2p, the dedicated doubling formula of section 5.1.4. */
static void pt_double(struct ed_point *r, const struct ed_point *p)
{
	struct fe a, b, c, e, f, g, h;

	fe_sq(&a, &p->x);
	fe_sq(&b, &p->y);
	fe_sq(&c, &p->z);
	fe_add(&c, &c, &c);
	fe_add(&h, &a, &b);
	fe_add(&e, &p->x, &p->y);
	fe_sq(&e, &e);
	fe_sub(&e, &h, &e);
	fe_sub(&g, &a, &b);
	fe_add(&f, &c, &g);
	fe_mul(&r->x, &e, &f);
	fe_mul(&r->y, &g, &h);
	fe_mul(&r->t, &e, &h);
	fe_mul(&r->z, &f, &g);
}

/* Section 5.1.2: y little-endian, with the low bit of x in bit 255. */
static void pt_encode(uint8_t s[32], const struct ed_point *p)
{
	struct fe zinv, x, y;

	fe_invert(&zinv, &p->z);
	fe_mul(&x, &p->x, &zinv);
	fe_mul(&y, &p->y, &zinv);
	fe_to_bytes(s, &y);
	s[31] |= (uint8_t)(fe_is_odd(&x) << 7);
}

/* Is the 255-bit y in @s (bit 255 ignored) below p = 2^255 - 19? */
static bool y_is_canonical(const uint8_t s[32])
{
	if ((s[31] & 0x7f) != 0x7f)
		return true;
	for (int i = 30; i > 0; i--)
		if (s[i] != 0xff)
			return true;
	return s[0] < 0xed;
}

/*
 * Section 5.1.3: recover x from y and its sign bit. x^2 = u/v with
 * u = y^2 - 1 and v = d y^2 + 1; the candidate u v^3 (u v^7)^((p-5)/8)
 * is a root of u/v, or of -u/v and then needs a factor sqrt(-1), or u/v
 * is not a square and @s is no point. Returns 0 or -1; only canonical
 * encodings (y < p, no "-0") are accepted.
 */
static int pt_decode(struct ed_point *p, const uint8_t s[32])
{
	int x_odd = s[31] >> 7;
	struct fe u, v, v3, x, vxx, neg_u;

	if (!y_is_canonical(s))
		return -1;
	fe_from_bytes(&p->y, s);
	fe_sq(&u, &p->y);
	fe_mul(&v, &u, &ed_d);
	fe_sub(&u, &u, &fe_one);
	fe_add(&v, &v, &fe_one);

	fe_sq(&v3, &v);
	fe_mul(&v3, &v3, &v);
	fe_sq(&x, &v3);
	fe_mul(&x, &x, &v);
	fe_mul(&x, &x, &u);
	fe_pow_p58(&x, &x);
	fe_mul(&x, &x, &v3);
	fe_mul(&x, &x, &u);

	fe_sq(&vxx, &x);
	fe_mul(&vxx, &vxx, &v);
	fe_neg(&neg_u, &u);
	if (!fe_equal(&vxx, &u)) {
		if (!fe_equal(&vxx, &neg_u))
			return -1;
		fe_mul(&x, &x, &fe_sqrtm1);
	}

	if (fe_equal(&x, &fe_zero) && x_odd)
		return -1;
	if (fe_is_odd(&x) != x_odd)
		fe_neg(&x, &x);
	p->x = x;
	p->z = fe_one;
	fe_mul(&p->t, &x, &p->y);
	return 0;
}

static int scalar_bit(const uint8_t s[32], int i)
{
	return (s[i / 8] >> (i % 8)) & 1;
}

/*
 * r = [a]P + [b]Q by one pass of double-and-add over both scalars
 * (Straus-Shamir): 256 doublings, and one addition for each bit position
 * where either scalar has a one, of P, Q or the precomputed P + Q.
 */
static void pt_double_scalarmult(struct ed_point *r, const uint8_t a[32],
				 const struct ed_point *p, const uint8_t b[32],
				 const struct ed_point *q)
{
	struct ed_point pq;

	pt_add(&pq, p, q);
	pt_identity(r);
	for (int i = 255; i >= 0; i--) {
		int sel = scalar_bit(a, i) | scalar_bit(b, i) << 1;

		pt_double(r, r);
		if (sel == 1)
			pt_add(r, r, p);
		else if (sel == 2)
			pt_add(r, r, q);
		else if (sel == 3)
			pt_add(r, r, &pq);
	}
}

/* ---- Integers modulo L = 2^252 + 27742317777372353535851937790883648493 ---- */

static const uint64_t sc_l[4] = {
	0x5812631a5cf5d3edull, 0x14def9dea2f79cd6ull,
	0x0000000000000000ull, 0x1000000000000000ull,
};

static void sc_load(uint64_t w[4], const uint8_t s[32])
{
	for (int i = 0; i < 4; i++) {
		w[i] = 0;
		for (int j = 7; j >= 0; j--)
			w[i] = (w[i] << 8) | s[8 * i + j];
	}
}

/* a >= L, for a 256-bit little-endian word array. */
static bool sc_ge_l(const uint64_t a[4])
{
	for (int i = 3; i >= 0; i--)
		if (a[i] != sc_l[i])
			return a[i] > sc_l[i];
	return true;
}

/* Is the 256-bit little-endian number in @s reduced, that is below L? */
static bool sc_is_canonical(const uint8_t s[32])
{
	uint64_t w[4];

	sc_load(w, s);
	return !sc_ge_l(w);
}

/*
 * out = the 512-bit little-endian @in mod L, one bit at a time from the
 * top: r = 2r + bit stays below 2L < 2^254, and one subtraction of L
 * brings it back under L. 512 rounds of 4-word arithmetic: cheap next to
 * the point arithmetic, and plainly right.
 */
static void sc_reduce(uint8_t out[32], const uint8_t in[64])
{
	uint64_t r[4] = { 0, 0, 0, 0 };

	for (int i = 511; i >= 0; i--) {
		r[3] = (r[3] << 1) | (r[2] >> 63);
		r[2] = (r[2] << 1) | (r[1] >> 63);
		r[1] = (r[1] << 1) | (r[0] >> 63);
		r[0] = (r[0] << 1) | ((in[i / 8] >> (i % 8)) & 1);
		if (sc_ge_l(r)) {
			uint64_t borrow = 0;

			for (int j = 0; j < 4; j++) {
				uint128_t d = (uint128_t)r[j] - sc_l[j] - borrow;

				r[j] = (uint64_t)d;
				borrow = (uint64_t)(d >> 64) & 1;
			}
		}
	}
	for (int i = 0; i < 32; i++)
		out[i] = (uint8_t)(r[i / 8] >> (8 * (i % 8)));
}

/* out = (a * b + c) mod L for 256-bit a, b, c with a * b + c < 2^512. */
static void sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32],
		      const uint8_t c[32])
{
	uint64_t x[4], y[4], z[4], p[8] = { 0 }, carry = 0;
	uint8_t wide[64];

	sc_load(x, a);
	sc_load(y, b);
	sc_load(z, c);
	for (int i = 0; i < 4; i++) {
		carry = 0;
		for (int j = 0; j < 4; j++) {
			uint128_t t = (uint128_t)x[i] * y[j] + p[i + j] + carry;

			p[i + j] = (uint64_t)t;
			carry = (uint64_t)(t >> 64);
		}
		p[i + 4] = carry;
	}
	carry = 0;
	for (int i = 0; i < 8; i++) {
		uint128_t t = (uint128_t)p[i] + (i < 4 ? z[i] : 0) + carry;

		p[i] = (uint64_t)t;
		carry = (uint64_t)(t >> 64);
	}
	for (int i = 0; i < 64; i++)
		wide[i] = (uint8_t)(p[i / 8] >> (8 * (i % 8)));
	sc_reduce(out, wide);
}

/* ---- The signature scheme ---- */

/* k = SHA-512(R || A || M) mod L, the challenge of sections 5.1.6-7. */
static void ed_challenge(uint8_t k[32], const uint8_t r[32], const uint8_t pub[32],
			 const uint8_t *msg, size_t len)
{
	struct sha512_ctx ctx;
	uint8_t h[64];

	sha512_init(&ctx);
	sha512_update(&ctx, r, 32);
	sha512_update(&ctx, pub, 32);
	sha512_update(&ctx, msg, len);
	sha512_final(&ctx, h);
	sc_reduce(k, h);
}

/*
 * Section 5.1.7 without the optional cofactor: decode A, R and S, then
 * check [S]B - [k]A == R. Both sides are compared as encodings; as
 * decoding accepted R only in canonical form, equal encodings mean equal
 * points.
 */
int ed25519_verify(const uint8_t sig[ED25519_SIGNATURE_SIZE], const uint8_t *msg,
		   size_t len, const uint8_t pub[ED25519_PUBLIC_KEY_SIZE])
{
	struct ed_point a, r, check;
	uint8_t k[32], enc[32];

	if (!sc_is_canonical(sig + 32))
		return ED25519_EMALFORMED;
	if (pt_decode(&a, pub) || pt_decode(&r, sig))
		return ED25519_EMALFORMED;

	ed_challenge(k, sig, pub, msg, len);
	pt_neg(&a, &a);
	pt_double_scalarmult(&check, sig + 32, &ed_base, k, &a);
	pt_encode(enc, &check);
	return memcmp(enc, sig, 32) ? ED25519_EMISMATCH : 0;
}

/* Section 5.1.5: the secret scalar s from the first half of SHA-512(secret). */
static void ed_expand(uint8_t h[64], const uint8_t secret[32])
{
	sha512(secret, 32, h);
	h[0] &= 248;
	h[31] &= 127;
	h[31] |= 64;
}

void ed25519_public_key(uint8_t pub[ED25519_PUBLIC_KEY_SIZE],
			const uint8_t secret[ED25519_SECRET_KEY_SIZE])
{
	static const uint8_t zero[32];
	struct ed_point a;
	uint8_t h[64];

	ed_expand(h, secret);
	pt_double_scalarmult(&a, h, &ed_base, zero, &ed_base);
	pt_encode(pub, &a);
}

/* Section 5.1.6: r = H(prefix || M), R = [r]B, S = r + k s mod L. */
void ed25519_sign(uint8_t sig[ED25519_SIGNATURE_SIZE], const uint8_t *msg, size_t len,
		  const uint8_t secret[ED25519_SECRET_KEY_SIZE],
		  const uint8_t pub[ED25519_PUBLIC_KEY_SIZE])
{
	static const uint8_t zero[32];
	struct sha512_ctx ctx;
	struct ed_point rp;
	uint8_t h[64], rh[64], r[32], k[32];

	ed_expand(h, secret);
	sha512_init(&ctx);
	sha512_update(&ctx, h + 32, 32);
	sha512_update(&ctx, msg, len);
	sha512_final(&ctx, rh);
	sc_reduce(r, rh);

	pt_double_scalarmult(&rp, r, &ed_base, zero, &ed_base);
	pt_encode(sig, &rp);
	ed_challenge(k, sig, pub, msg, len);
	sc_muladd(sig + 32, k, h, r);
}
