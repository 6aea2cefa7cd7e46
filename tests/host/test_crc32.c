/*
 * Host tests for lib/crc32.c: published check values (cross-checked with
 * Python's zlib.crc32), a bit-at-a-time reference written the other way
 * round (MSB first on bit-reversed bytes), chaining over chunks as zlib
 * allows, zlib's NULL-buffer convention, and CRC's algebraic properties.
 */
#include "../../lib/crc32.c"

#include <string.h>

#include "test.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t rng_state = 0x0123456789abcdefull;

static uint8_t rng_byte(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint8_t)(rng_state >> 56);
}

static uint32_t reverse_bits(uint32_t v, int nbits)
{
	uint32_t r = 0;

	for (int i = 0; i < nbits; i++, v >>= 1)
		r = (r << 1) | (v & 1);
	return r;
}

/* CRC-32 in its textbook, non-reflected form: poly 0x04c11db7, MSB first. */
static uint32_t crc32_reference(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= reverse_bits(p[i], 8) << 24;
		for (int b = 0; b < 8; b++)
			crc = (crc << 1) ^ ((crc & 0x80000000u) ? 0x04c11db7u : 0);
	}
	return reverse_bits(crc, 32) ^ 0xffffffffu;
}

static void test_known_vectors(void)
{
	static const struct {
		const char *s;
		uint32_t crc;
	} vectors[] = {
		{ "", 0x00000000 },
		{ "a", 0xe8b7be43 },
		{ "abc", 0x352441c2 },
		{ "123456789", 0xcbf43926 },
		{ "The quick brown fox jumps over the lazy dog", 0x414fa339 },
	};
	uint8_t zeros[32] = { 0 }, ones[32], ramp[256];

	for (size_t i = 0; i < ARRAY_SIZE(vectors); i++)
		CHECK_EQ(crc32(0, vectors[i].s, strlen(vectors[i].s)), vectors[i].crc);

	memset(ones, 0xff, sizeof(ones));
	for (int i = 0; i < 256; i++)
		ramp[i] = (uint8_t)i;
	CHECK_EQ(crc32(0, zeros, sizeof(zeros)), 0x190a55ad);
	CHECK_EQ(crc32(0, ones, sizeof(ones)), 0xff6cab0b);
	CHECK_EQ(crc32(0, ramp, sizeof(ramp)), 0x29058c73);
}

static void test_against_reference(void)
{
	static uint8_t buf[4096 + 8];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = rng_byte();
	/* Every length up to 300 from unaligned starts, then some large ones. */
	for (size_t len = 0; len <= 300; len++) {
		size_t off = len % 8;

		CHECK_EQ(crc32(0, buf + off, len), crc32_reference(buf + off, len));
	}
	CHECK_EQ(crc32(0, buf, 4096), crc32_reference(buf, 4096));
	CHECK_EQ(crc32(0, buf + 3, 4101), crc32_reference(buf + 3, 4101));
}

static void test_chunked_equals_whole(void)
{
	uint8_t buf[200];
	uint32_t whole, crc;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = rng_byte();
	whole = crc32(0, buf, sizeof(buf));

	/* Every split into two pieces. */
	for (size_t cut = 0; cut <= sizeof(buf); cut++)
		CHECK_EQ(crc32(crc32(0, buf, cut), buf + cut, sizeof(buf) - cut), whole);

	/* Random pieces, empty ones included. */
	for (int iter = 0; iter < 500; iter++) {
		size_t pos = 0;

		crc = crc32(0, NULL, 0);
		while (pos < sizeof(buf)) {
			size_t n = rng_byte() % 24;

			if (n > sizeof(buf) - pos)
				n = sizeof(buf) - pos;
			crc = crc32(crc, buf + pos, n);
			pos += n;
		}
		CHECK_EQ(crc, whole);
	}

	/* Byte by byte. */
	crc = 0;
	for (size_t i = 0; i < sizeof(buf); i++)
		crc = crc32(crc, buf + i, 1);
	CHECK_EQ(crc, whole);
}

static void test_zlib_conventions(void)
{
	const char *msg = "123456789";

	/* zlib: a NULL buffer returns the initial value, whatever crc is. */
	CHECK_EQ(crc32(0, NULL, 0), 0);
	CHECK_EQ(crc32(0xcbf43926, NULL, 0), 0);
	CHECK_EQ(crc32(0x12345678, NULL, 5), 0);
	/* Zero bytes of real data leave the CRC unchanged. */
	CHECK_EQ(crc32(0xcbf43926, msg, 0), 0xcbf43926);
	CHECK_EQ(crc32(0, msg, 0), 0);
	CHECK_EQ(crc32(crc32(0, NULL, 0), msg, 9), 0xcbf43926);
}

/* Appending a message's CRC (little-endian) always gives the same residue. */
static void test_residue(void)
{
	uint8_t buf[70];

	for (size_t len = 0; len <= 64; len++) {
		uint32_t crc;

		for (size_t i = 0; i < len; i++)
			buf[i] = rng_byte();
		crc = crc32(0, buf, len);
		for (int i = 0; i < 4; i++)
			buf[len + i] = (uint8_t)(crc >> (8 * i));
		CHECK_EQ(crc32(0, buf, len + 4), 0x2144df1c);
	}
}

/* A CRC-32 catches every single-bit error and every burst up to 32 bits. */
static void test_error_detection(void)
{
	uint8_t buf[64];
	uint32_t good;
	int missed = 0;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = rng_byte();
	good = crc32(0, buf, sizeof(buf));

	for (size_t bit = 0; bit < sizeof(buf) * 8; bit++) {
		buf[bit / 8] ^= 1u << (bit % 8);
		missed += crc32(0, buf, sizeof(buf)) == good;
		buf[bit / 8] ^= 1u << (bit % 8);
	}
	for (size_t start = 0; start + 4 <= sizeof(buf); start++) {
		uint32_t burst = 0x80000001u | ((uint32_t)rng_byte() << 8);

		for (int i = 0; i < 4; i++)
			buf[start + i] ^= (uint8_t)(burst >> (8 * i));
		missed += crc32(0, buf, sizeof(buf)) == good;
		for (int i = 0; i < 4; i++)
			buf[start + i] ^= (uint8_t)(burst >> (8 * i));
	}
	CHECK_EQ(missed, 0);
	CHECK_EQ(crc32(0, buf, sizeof(buf)), good);
}

int main(void)
{
	test_suite = "crc32";
	RUN(test_known_vectors);
	RUN(test_against_reference);
	RUN(test_chunked_equals_whole);
	RUN(test_zlib_conventions);
	RUN(test_residue);
	RUN(test_error_detection);
	TEST_EXIT();
}
