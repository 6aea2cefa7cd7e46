/*
 * Host tests for lib/ed25519.c: its constants checked against their
 * definitions, field arithmetic identities, every RFC 8032 section 7.1
 * vector (keys, signatures, verification), rejection of every single-bit
 * change to signature, message and key, of S >= L and of encodings that
 * are no curve point, and a cross-check with keys and signatures made by
 * the openssl command line (a missing openssl fails). Last, the time one
 * verification takes is printed as a "#" line.
 */
#include "../../lib/sha512.c"
#include "../../lib/ed25519.c"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "test.h"
#include "ed25519_vectors.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t rng_state = 0xed25519ed25519ull;

static uint8_t rng_byte(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint8_t)(rng_state >> 56);
}

static void rng_fill(uint8_t *p, size_t len)
{
	while (len--)
		*p++ = rng_byte();
}

static size_t hex_decode(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = (uint8_t)b;
	}
	return n;
}

/* One RFC vector decoded; msg is malloc'ed to its exact size for ASan. */
struct vec {
	uint8_t secret[32], pub[32], sig[64];
	uint8_t *msg;
	size_t len;
};

static void vec_load(struct vec *v, const struct ed25519_vector *t)
{
	hex_decode(t->secret, v->secret);
	hex_decode(t->pub, v->pub);
	hex_decode(t->sig, v->sig);
	v->len = strlen(t->msg) / 2;
	v->msg = malloc(v->len ? v->len : 1);
	hex_decode(t->msg, v->msg);
}

static void fe_set_small(struct fe *h, uint64_t n)
{
	*h = fe_zero;
	h->v[0] = n;
}

/* f^e for a 256-bit little-endian exponent, by plain square-and-multiply. */
static void fe_pow_bytes(struct fe *h, const struct fe *f, const uint8_t e[32])
{
	struct fe r = fe_one;

	for (int i = 255; i >= 0; i--) {
		fe_sq(&r, &r);
		if (scalar_bit(e, i))
			fe_mul(&r, &r, f);
	}
	*h = r;
}

/* Does the point satisfy -x^2 + y^2 = 1 + d x^2 y^2, with T = XY/Z? */
static bool pt_on_curve(const struct ed_point *p)
{
	struct fe zi, x, y, xx, yy, lhs, rhs, t;

	fe_invert(&zi, &p->z);
	fe_mul(&x, &p->x, &zi);
	fe_mul(&y, &p->y, &zi);
	fe_sq(&xx, &x);
	fe_sq(&yy, &y);
	fe_sub(&lhs, &yy, &xx);
	fe_mul(&rhs, &xx, &yy);
	fe_mul(&rhs, &rhs, &ed_d);
	fe_add(&rhs, &rhs, &fe_one);
	fe_mul(&t, &p->t, &zi);
	fe_mul(&x, &x, &y);
	return fe_equal(&lhs, &rhs) && fe_equal(&t, &x);
}

static const uint8_t p_bytes[32] = {
	0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
};

static const uint8_t l_bytes[32] = {
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
	0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

/* d, 2d, sqrt(-1), B and L are what their definitions say. */
static void test_constants(void)
{
	struct fe t, u, minus_one;
	struct ed_point b;
	uint8_t enc[32], want[32], pm1_4[32], zero[32] = { 0 };

	fe_set_small(&t, 121666);
	fe_mul(&t, &t, &ed_d);
	fe_set_small(&u, 121665);
	fe_neg(&u, &u);
	CHECK(fe_equal(&t, &u));

	fe_add(&t, &ed_d, &ed_d);
	CHECK(fe_equal(&t, &ed_d2));

	fe_sq(&t, &fe_sqrtm1);
	fe_neg(&minus_one, &fe_one);
	CHECK(fe_equal(&t, &minus_one));
	/* and it is 2^((p-1)/4) as RFC 8032 defines it */
	memcpy(pm1_4, p_bytes, 32);
	pm1_4[0] = 0xfb;		/* (p - 1) / 4 = 2^253 - 5 */
	pm1_4[31] = 0x1f;
	fe_set_small(&t, 2);
	fe_pow_bytes(&t, &t, pm1_4);
	CHECK(fe_equal(&t, &fe_sqrtm1));

	/* B encodes as y = 4/5 with an even x, and decodes back to itself */
	memset(want, 0x66, 32);
	want[0] = 0x58;
	pt_encode(enc, &ed_base);
	CHECK(memcmp(enc, want, 32) == 0);
	CHECK(pt_on_curve(&ed_base));
	CHECK_EQ(pt_decode(&b, want), 0);
	CHECK(fe_equal(&b.x, &ed_base.x) && fe_equal(&b.y, &ed_base.y));

	/* [L]B is the neutral element (0, 1) */
	pt_double_scalarmult(&b, l_bytes, &ed_base, zero, &ed_base);
	pt_encode(enc, &b);
	memset(want, 0, 32);
	want[0] = 1;
	CHECK(memcmp(enc, want, 32) == 0);
	CHECK(!sc_is_canonical(l_bytes));
}

/* Field identities on random and extreme elements; canonical output. */
static void test_field(void)
{
	uint8_t s[32], out[32];
	struct fe a, b, c, t, u;
	int bad = 0;

	for (int i = 0; i < 200; i++) {
		rng_fill(s, 32);
		fe_from_bytes(&a, s);
		rng_fill(s, 32);
		fe_from_bytes(&b, s);
		rng_fill(s, 32);
		fe_from_bytes(&c, s);
		if (i == 0)		/* every limb at its largest */
			for (int j = 0; j < 5; j++)
				a.v[j] = b.v[j] = MASK51;

		fe_mul(&t, &a, &a);	/* a^2 two ways */
		fe_sq(&u, &a);
		bad += !fe_equal(&t, &u);
		fe_add(&t, &a, &b);	/* (a + b) c = ac + bc */
		fe_mul(&t, &t, &c);
		fe_mul(&u, &a, &c);
		fe_mul(&b, &b, &c);
		fe_add(&u, &u, &b);
		bad += !fe_equal(&t, &u);
		fe_sub(&t, &a, &c);	/* (a - c) + c = a */
		fe_add(&t, &t, &c);
		bad += !fe_equal(&t, &a);
		fe_invert(&t, &a);	/* a / a = 1 */
		fe_mul(&t, &t, &a);
		bad += !fe_equal(&t, &fe_one);
	}
	CHECK_EQ(bad, 0);

	/* p, p + 1 and 2^255 - 1 reduce to 0, 1 and 18 */
	fe_from_bytes(&a, p_bytes);
	fe_to_bytes(out, &a);
	CHECK(out[0] == 0 && !memcmp(out, out + 1, 31));
	memcpy(s, p_bytes, 32);
	s[0]++;
	fe_from_bytes(&a, s);
	CHECK(fe_equal(&a, &fe_one));
	memset(s, 0xff, 32);
	fe_from_bytes(&a, s);
	fe_to_bytes(out, &a);
	CHECK(out[0] == 18 && out[1] == 0 && out[31] == 0);
	CHECK(!y_is_canonical(p_bytes) && !y_is_canonical(s));
	memcpy(s, p_bytes, 32);
	s[0]--;
	CHECK(y_is_canonical(s));
}

static void test_rfc8032_verify(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(rfc8032_vectors); i++) {
		struct vec v;
		int ret;

		vec_load(&v, &rfc8032_vectors[i]);
		ret = ed25519_verify(v.sig, v.msg, v.len, v.pub);
		if (ret) {
			printf("# %s: verify returned %d\n", rfc8032_vectors[i].name, ret);
			CHECK(0);
		}
		free(v.msg);
	}
}

static void test_rfc8032_sign(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(rfc8032_vectors); i++) {
		uint8_t pub[32], sig[64];
		struct vec v;

		vec_load(&v, &rfc8032_vectors[i]);
		ed25519_public_key(pub, v.secret);
		ed25519_sign(sig, v.msg, v.len, v.secret, v.pub);
		if (memcmp(pub, v.pub, 32) || memcmp(sig, v.sig, 64)) {
			printf("# %s: key or signature differs\n", rfc8032_vectors[i].name);
			CHECK(0);
		}
		free(v.msg);
	}
}

/* Flip each bit of @buf in turn; count the verifications that still pass. */
static int flips_accepted(struct vec *v, uint8_t *buf, size_t len, size_t step)
{
	int accepted = 0;

	for (size_t bit = 0; bit < 8 * len; bit += step) {
		buf[bit / 8] ^= 1u << (bit % 8);
		accepted += ed25519_verify(v->sig, v->msg, v->len, v->pub) == 0;
		buf[bit / 8] ^= 1u << (bit % 8);
	}
	return accepted;
}

/* Every single-bit change of sig, message and key, for each vector. */
static void test_bit_flips(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(rfc8032_vectors); i++) {
		struct vec v;
		size_t msg_step;

		vec_load(&v, &rfc8032_vectors[i]);
		/* TEST 1024 has 8184 message bits: every 7th keeps it quick */
		msg_step = v.len > 128 ? 7 : 1;
		CHECK_EQ(flips_accepted(&v, v.sig, 64, 1), 0);
		CHECK_EQ(flips_accepted(&v, v.msg, v.len, msg_step), 0);
		CHECK_EQ(flips_accepted(&v, v.pub, 32, 1), 0);
		/* and the untouched vector still passes */
		CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pub), 0);
		free(v.msg);
	}
}

/* Add L to the 256-bit little-endian @s in place. */
static void add_l(uint8_t s[32])
{
	unsigned int carry = 0;

	for (int i = 0; i < 32; i++) {
		carry += s[i] + l_bytes[i];
		s[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

/*
 * S + L satisfies the group equation as well as S does (it is the classic
 * malleated signature), so only the S < L check can reject it.
 */
static void test_s_not_canonical(void)
{
	struct ed_point a, check;
	uint8_t k[32], enc[32];
	struct vec v;

	vec_load(&v, &rfc8032_vectors[1]);
	add_l(v.sig + 32);
	CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pub), ED25519_EMALFORMED);

	CHECK_EQ(pt_decode(&a, v.pub), 0);
	pt_neg(&a, &a);
	ed_challenge(k, v.sig, v.pub, v.msg, v.len);
	pt_double_scalarmult(&check, v.sig + 32, &ed_base, k, &a);
	pt_encode(enc, &check);
	CHECK(memcmp(enc, v.sig, 32) == 0);

	memcpy(v.sig + 32, l_bytes, 32);	/* S = L */
	CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pub), ED25519_EMALFORMED);
	memset(v.sig + 32, 0xff, 32);		/* S = 2^256 - 1 */
	CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pub), ED25519_EMALFORMED);
	memcpy(v.sig + 32, l_bytes, 32);	/* S = L - 1 is in range */
	v.sig[32]--;
	CHECK_EQ(ed25519_verify(v.sig, v.msg, v.len, v.pub), ED25519_EMISMATCH);
	free(v.msg);
}

/*
 * Decoding: for y = 0..299 (either sign of x), a y that decodes must give
 * a point on the curve that encodes back to the same bytes, and a y that
 * does not must have u/v a non-square (Euler: (u/v)^((p-1)/2) = -1).
 * Non-decodable values used as R or as A make verification fail as
 * malformed, and so do y >= p and x = 0 with the sign bit set.
 */
static void test_bad_points(void)
{
	uint8_t s[32], enc[32], pm1_2[32];
	int decoded = 0, refused = 0, bad = 0, not_point = -1;
	struct fe u, v, t, minus_one;
	struct ed_point pt;
	struct vec vc;

	memcpy(pm1_2, p_bytes, 32);
	pm1_2[0] = 0xf6;		/* (p - 1) / 2 = 2^254 - 10 */
	pm1_2[31] = 0x3f;
	fe_neg(&minus_one, &fe_one);

	for (int y = 0; y < 300; y++) {
		for (int sign = 0; sign < 2; sign++) {
			memset(s, 0, 32);
			s[0] = (uint8_t)y;
			s[1] = (uint8_t)(y >> 8);
			s[31] = (uint8_t)(sign << 7);
			if (pt_decode(&pt, s) == 0) {
				decoded++;
				pt_encode(enc, &pt);
				bad += !pt_on_curve(&pt) || memcmp(enc, s, 32);
				continue;
			}
			refused++;
			if (y == 1 && sign)	/* x = 0 has no odd form */
				continue;
			fe_from_bytes(&u, s);
			fe_sq(&u, &u);
			fe_mul(&v, &u, &ed_d);
			fe_sub(&u, &u, &fe_one);
			fe_add(&v, &v, &fe_one);
			fe_invert(&v, &v);
			fe_mul(&t, &u, &v);
			fe_pow_bytes(&t, &t, pm1_2);
			bad += !fe_equal(&t, &minus_one);
			not_point = y;
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(decoded > 100 && refused > 100);
	CHECK(not_point >= 0);

	/* "-0": y = 1 with the sign bit set */
	memset(s, 0, 32);
	s[0] = 1;
	s[31] = 0x80;
	CHECK_EQ(pt_decode(&pt, s), -1);

	/* as A, then as R, of an otherwise valid signature */
	vec_load(&vc, &rfc8032_vectors[2]);
	memset(s, 0, 32);
	s[0] = (uint8_t)not_point;
	s[1] = (uint8_t)(not_point >> 8);
	CHECK_EQ(ed25519_verify(vc.sig, vc.msg, vc.len, s), ED25519_EMALFORMED);
	memcpy(vc.sig, s, 32);
	CHECK_EQ(ed25519_verify(vc.sig, vc.msg, vc.len, vc.pub), ED25519_EMALFORMED);

	/* y = p + 1 would be the neutral element if it were accepted */
	hex_decode(rfc8032_vectors[2].sig, vc.sig);
	memcpy(s, p_bytes, 32);
	s[0]++;
	CHECK_EQ(pt_decode(&pt, s), -1);
	CHECK_EQ(ed25519_verify(vc.sig, vc.msg, vc.len, s), ED25519_EMALFORMED);
	memcpy(vc.sig, s, 32);
	CHECK_EQ(ed25519_verify(vc.sig, vc.msg, vc.len, vc.pub), ED25519_EMALFORMED);
	free(vc.msg);
}

/* Random keys and messages: sign, verify, and reject the wrong key. */
static void test_round_trip(void)
{
	uint8_t sk[32], pub[32], pub2[32], sig[64];
	uint8_t *msg;
	int bad = 0;

	for (int i = 0; i < 20; i++) {
		size_t len = (size_t)i * 37;

		msg = malloc(len + 1);
		rng_fill(sk, 32);
		rng_fill(msg, len);
		ed25519_public_key(pub, sk);
		ed25519_sign(sig, msg, len, sk, pub);
		bad += ed25519_verify(sig, msg, len, pub) != 0;
		sk[0] ^= 1;
		ed25519_public_key(pub2, sk);
		bad += ed25519_verify(sig, msg, len, pub2) == 0;
		if (len) {
			msg[len - 1] ^= 0x80;
			bad += ed25519_verify(sig, msg, len, pub) == 0;
		}
		free(msg);
	}
	CHECK_EQ(bad, 0);
}

/* ---- openssl cross-check ---- */

static char tmpdir[64];

__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ret = system(cmd);
	if (ret)
		printf("# command failed (%d): %s\n", ret, cmd);
	return ret;
}

static size_t slurp(const char *name, uint8_t *buf, size_t max)
{
	char path[128];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "rb");
	if (!f)
		return 0;
	n = fread(buf, 1, max, f);
	fclose(f);
	return n;
}

static void spill(const char *name, const uint8_t *buf, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	fwrite(buf, 1, len, f);
	fclose(f);
}

/*
 * For a few keys made by "openssl genpkey", sign random messages with
 * "openssl pkeyutl"; ed25519_verify must accept each signature and reject
 * it after a one-bit change to message or signature. As Ed25519 signing is
 * deterministic, ed25519_sign with the same secret must produce the same
 * bytes, and openssl must accept what ed25519_sign made.
 */
static void test_openssl(void)
{
	static const size_t lens[] = { 1, 2, 63, 64, 65, 111, 112, 1000, 4096, 100000 };
	static const char sign_cmd[] =
		"cd %s && openssl pkeyutl -sign -rawin -inkey k.pem -in msg -out sig";
	uint8_t der[64], pub[32], secret[32], mine[32], sig[64], sig2[64];
	uint8_t *msg = malloc(100000);
	int checked = 0;

	if (system("openssl version >/dev/null 2>&1") != 0) {
		printf("# openssl not found: cannot cross-check\n");
		CHECK(0);
		free(msg);
		return;
	}
	strcpy(tmpdir, "/tmp/basalt-ed25519-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		CHECK(0);
		free(msg);
		return;
	}

	for (int key = 0; key < 3; key++) {
		if (sh("cd %s && openssl genpkey -algorithm ed25519 -out k.pem && "
		       "openssl pkey -in k.pem -pubout -out pub.pem && "
		       "openssl pkey -in k.pem -pubout -outform DER -out pub.der && "
		       "openssl pkey -in k.pem -outform DER -out priv.der", tmpdir)) {
			CHECK(0);
			break;
		}
		CHECK_EQ(slurp("pub.der", der, sizeof(der)), 44);
		memcpy(pub, der + 12, 32);
		CHECK_EQ(slurp("priv.der", der, sizeof(der)), 48);
		memcpy(secret, der + 16, 32);
		ed25519_public_key(mine, secret);
		CHECK(memcmp(mine, pub, 32) == 0);

		for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
			size_t len = lens[i];

			rng_fill(msg, len);
			spill("msg", msg, len);
			memset(sig, 0, 64);
			if (sh(sign_cmd, tmpdir) || slurp("sig", sig, 64) != 64) {
				CHECK(0);
				continue;
			}
			CHECK_EQ(ed25519_verify(sig, msg, len, pub), 0);
			msg[len / 2] ^= 0x10;
			CHECK(ed25519_verify(sig, msg, len, pub) != 0);
			msg[len / 2] ^= 0x10;
			sig[rng_byte() % 64] ^= 0x04;
			CHECK(ed25519_verify(sig, msg, len, pub) != 0);

			ed25519_sign(sig2, msg, len, secret, pub);
			slurp("sig", sig, 64);
			CHECK(memcmp(sig, sig2, 64) == 0);
			spill("sig2", sig2, 64);
			CHECK(sh("cd %s && openssl pkeyutl -verify -pubin -inkey pub.pem -rawin "
				 "-in msg -sigfile sig2 >/dev/null", tmpdir) == 0);
			checked++;
		}
	}
	CHECK_EQ(checked, 3 * (int)ARRAY_SIZE(lens));
	CHECK(sh("rm -rf %s", tmpdir) == 0);
	free(msg);
}

/* How long one verification of the 1023-byte TEST 1024 vector takes. */
static void test_speed(void)
{
	const int n = 1000;
	struct timespec t0, t1;
	int ok = 0;
	struct vec v;
	double us;

	vec_load(&v, &rfc8032_vectors[3]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++)
		ok += ed25519_verify(v.sig, v.msg, v.len, v.pub) == 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / n;
	printf("# ed25519_verify: %.1f us/verify over %d runs (%s build)\n", us, n,
#ifdef __SANITIZE_ADDRESS__
	       "sanitized"
#else
	       "unsanitized"
#endif
	       );
	CHECK_EQ(ok, n);
	free(v.msg);
}

int main(void)
{
	test_suite = "ed25519";
	RUN(test_constants);
	RUN(test_field);
	RUN(test_rfc8032_verify);
	RUN(test_rfc8032_sign);
	RUN(test_bit_flips);
	RUN(test_s_not_canonical);
	RUN(test_bad_points);
	RUN(test_round_trip);
	RUN(test_openssl);
	RUN(test_speed);
	TEST_EXIT();
}
