/*
 * SHA-512 as specified in FIPS 180-4 section 6.4 (also RFC 6234).
 *
 * A plain, readable implementation: one 80-round compression function over
 * a 16-word message schedule kept in a rolling window, big-endian loads and
 * stores done byte by byte so alignment never matters. The round constants
 * are the first 64 bits of the fractional parts of the cube roots of the
 * first 80 primes; the initial value uses the square roots of the first 8.
 */
#include "lib/sha512.h"
#include "lib/string.h"

static const uint64_t sha512_k[80] = {
	0x428a2f98d728ae22ull, 0x7137449123ef65cdull,
	0xb5c0fbcfec4d3b2full, 0xe9b5dba58189dbbcull,
	0x3956c25bf348b538ull, 0x59f111f1b605d019ull,
	0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull,
	0xd807aa98a3030242ull, 0x12835b0145706fbeull,
	0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
	0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull,
	0x9bdc06a725c71235ull, 0xc19bf174cf692694ull,
	0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull,
	0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull,
	0x2de92c6f592b0275ull, 0x4a7484aa6ea6e483ull,
	0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
	0x983e5152ee66dfabull, 0xa831c66d2db43210ull,
	0xb00327c898fb213full, 0xbf597fc7beef0ee4ull,
	0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull,
	0x06ca6351e003826full, 0x142929670a0e6e70ull,
	0x27b70a8546d22ffcull, 0x2e1b21385c26c926ull,
	0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
	0x650a73548baf63deull, 0x766a0abb3c77b2a8ull,
	0x81c2c92e47edaee6ull, 0x92722c851482353bull,
	0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull,
	0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull,
	0xd192e819d6ef5218ull, 0xd69906245565a910ull,
	0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
	0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull,
	0x2748774cdf8eeb99ull, 0x34b0bcb5e19b48a8ull,
	0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull,
	0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull,
	0x748f82ee5defb2fcull, 0x78a5636f43172f60ull,
	0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
	0x90befffa23631e28ull, 0xa4506cebde82bde9ull,
	0xbef9a3f7b2c67915ull, 0xc67178f2e372532bull,
	0xca273eceea26619cull, 0xd186b8c721c0c207ull,
	0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull,
	0x06f067aa72176fbaull, 0x0a637dc5a2c898a6ull,
	0x113f9804bef90daeull, 0x1b710b35131c471bull,
	0x28db77f523047d84ull, 0x32caab7b40c72493ull,
	0x3c9ebe0a15c9bebcull, 0x431d67c49c100d4cull,
	0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull,
	0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull,
};

static const uint64_t sha512_iv[8] = {
	0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull,
	0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
	0x510e527fade682d1ull, 0x9b05688c2b3e6c1full,
	0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};

static inline uint64_t ror64(uint64_t x, unsigned int n)
{
	return (x >> n) | (x << (64 - n));
}

static uint64_t load_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void store_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* The functions of FIPS 180-4 section 4.1.3. */
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x) (ror64(x, 28) ^ ror64(x, 34) ^ ror64(x, 39))
#define BSIG1(x) (ror64(x, 14) ^ ror64(x, 18) ^ ror64(x, 41))
#define SSIG0(x) (ror64(x, 1) ^ ror64(x, 8) ^ ((x) >> 7))
#define SSIG1(x) (ror64(x, 19) ^ ror64(x, 61) ^ ((x) >> 6))

/* Fold one 128-byte block into the chaining value. */
static void sha512_block(uint64_t state[8], const uint8_t *block)
{
	uint64_t w[16], v[8];

	for (int i = 0; i < 16; i++)
		w[i] = load_be64(block + 8 * i);
	for (int i = 0; i < 8; i++)
		v[i] = state[i];

	for (int t = 0; t < 80; t++) {
		uint64_t wt, t1, t2;

		if (t < 16) {
			wt = w[t];
		} else {
			wt = SSIG1(w[(t - 2) & 15]) + w[(t - 7) & 15] +
			     SSIG0(w[(t - 15) & 15]) + w[t & 15];
			w[t & 15] = wt;
		}
		t1 = v[7] + BSIG1(v[4]) + CH(v[4], v[5], v[6]) + sha512_k[t] + wt;
		t2 = BSIG0(v[0]) + MAJ(v[0], v[1], v[2]);
		v[7] = v[6];
		v[6] = v[5];
		v[5] = v[4];
		v[4] = v[3] + t1;
		v[3] = v[2];
		v[2] = v[1];
		v[1] = v[0];
		v[0] = t1 + t2;
	}

	for (int i = 0; i < 8; i++)
		state[i] += v[i];
}

void sha512_init(struct sha512_ctx *ctx)
{
	memcpy(ctx->state, sha512_iv, sizeof(ctx->state));
	ctx->count = 0;
}

void sha512_update(struct sha512_ctx *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t used = ctx->count % SHA512_BLOCK_SIZE;

	if (!len)
		return;
	ctx->count += len;
	if (used) {
		size_t n = SHA512_BLOCK_SIZE - used;

		if (n > len)
			n = len;
		memcpy(ctx->buf + used, p, n);
		p += n;
		len -= n;
		if (used + n < SHA512_BLOCK_SIZE)
			return;
		sha512_block(ctx->state, ctx->buf);
	}
	for (; len >= SHA512_BLOCK_SIZE; len -= SHA512_BLOCK_SIZE) {
		sha512_block(ctx->state, p);
		p += SHA512_BLOCK_SIZE;
	}
	if (len)
		memcpy(ctx->buf, p, len);
}

void sha512_final(struct sha512_ctx *ctx, uint8_t out[SHA512_DIGEST_SIZE])
{
	size_t used = ctx->count % SHA512_BLOCK_SIZE;

	/* A 1 bit, zeros, then the bit length as a 128-bit big-endian number. */
	ctx->buf[used++] = 0x80;
	if (used > SHA512_BLOCK_SIZE - 16) {
		memset(ctx->buf + used, 0, SHA512_BLOCK_SIZE - used);
		sha512_block(ctx->state, ctx->buf);
		used = 0;
	}
	memset(ctx->buf + used, 0, SHA512_BLOCK_SIZE - 16 - used);
	store_be64(ctx->buf + SHA512_BLOCK_SIZE - 16, ctx->count >> 61);
	store_be64(ctx->buf + SHA512_BLOCK_SIZE - 8, ctx->count << 3);
	sha512_block(ctx->state, ctx->buf);

	for (int i = 0; i < 8; i++)
		store_be64(out + 8 * i, ctx->state[i]);
	memset(ctx, 0, sizeof(*ctx));
}

void sha512(const void *data, size_t len, uint8_t out[SHA512_DIGEST_SIZE])
{
	struct sha512_ctx ctx;

	sha512_init(&ctx);
	sha512_update(&ctx, data, len);
	sha512_final(&ctx, out);
}
