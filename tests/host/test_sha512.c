/*
 * Host tests for lib/sha512.c: the FIPS 180-4 / RFC 6234 example messages
 * (empty, "abc", the 448- and 896-bit messages, a million 'a's), the same
 * digest whatever way a message is cut into sha512_update() calls, and a
 * cross-check against "openssl dgst -sha512" on random inputs of every
 * length around the one- and two-block padding boundaries. A missing
 * openssl is a failure, not a skip.
 */
#include "../../lib/sha512.c"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

static uint64_t rng_state = 0x5ba5a17c0ffee123ull;

static uint8_t rng_byte(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint8_t)(rng_state >> 56);
}

static void hex_decode(const char *hex, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned int b;

		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = (uint8_t)b;
	}
}

static bool digest_is(const uint8_t d[64], const char *hex)
{
	uint8_t want[64];

	if (strlen(hex) != 128)
		return false;
	hex_decode(hex, want, 64);
	return memcmp(d, want, 64) == 0;
}

static const struct {
	const char *msg;
	const char *digest;
} fips_vectors[] = {
	{ "",
	  "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
	  "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
	{ "abc",
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
	  "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445" },
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
	  "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
};

static const char million_a_digest[] =
	"e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
	"de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b";

static void test_fips_vectors(void)
{
	for (size_t i = 0; i < sizeof(fips_vectors) / sizeof(fips_vectors[0]); i++) {
		const char *m = fips_vectors[i].msg;
		uint8_t d[64];

		sha512(m, strlen(m), d);
		if (!digest_is(d, fips_vectors[i].digest)) {
			printf("# vector %zu (\"%.10s...\") wrong\n", i, m);
			CHECK(0);
		}
	}
}

/* A million 'a's as one buffer and in pieces of 1, 2, ... 199 bytes. */
static void test_million_a(void)
{
	size_t n = 1000000, done = 0, step = 1;
	uint8_t *m = malloc(n);
	struct sha512_ctx ctx;
	uint8_t d[64];

	memset(m, 'a', n);
	sha512(m, n, d);
	CHECK(digest_is(d, million_a_digest));

	sha512_init(&ctx);
	while (done < n) {
		size_t k = step < n - done ? step : n - done;

		sha512_update(&ctx, m + done, k);
		done += k;
		step = step % 199 + 1;
	}
	sha512_final(&ctx, d);
	CHECK(digest_is(d, million_a_digest));
	free(m);
}

/* Every two-piece split of a 3-block message, then byte by byte. */
static void test_split_updates(void)
{
	enum { LEN = 3 * SHA512_BLOCK_SIZE + 45 };
	uint8_t *m = malloc(LEN), whole[64], d[64];
	struct sha512_ctx ctx;
	int bad = 0;

	for (size_t i = 0; i < LEN; i++)
		m[i] = rng_byte();
	sha512(m, LEN, whole);

	for (size_t cut = 0; cut <= LEN; cut++) {
		sha512_init(&ctx);
		sha512_update(&ctx, m, cut);
		sha512_update(&ctx, m + cut, LEN - cut);
		sha512_final(&ctx, d);
		bad += memcmp(d, whole, 64) != 0;
	}
	CHECK_EQ(bad, 0);

	/* Three pieces, the middle one short, across block edges. */
	for (size_t cut = 0; cut + 3 <= LEN; cut += 7) {
		sha512_init(&ctx);
		sha512_update(&ctx, m, cut);
		sha512_update(&ctx, m + cut, 3);
		sha512_update(&ctx, NULL, 0);
		sha512_update(&ctx, m + cut + 3, LEN - cut - 3);
		sha512_final(&ctx, d);
		bad += memcmp(d, whole, 64) != 0;
	}
	CHECK_EQ(bad, 0);

	sha512_init(&ctx);
	for (size_t i = 0; i < LEN; i++)
		sha512_update(&ctx, m + i, 1);
	sha512_final(&ctx, d);
	CHECK(memcmp(d, whole, 64) == 0);
	free(m);
}

/* Lengths 0..300 (both padding boundaries) and a few large random ones. */
static const size_t extra_lengths[] = { 1023, 4096, 65536 + 17, 300000 };
#define N_SMALL 301
#define N_LEN (N_SMALL + sizeof(extra_lengths) / sizeof(extra_lengths[0]))

static size_t case_length(size_t i)
{
	return i < N_SMALL ? i : extra_lengths[i - N_SMALL];
}

static void test_openssl_dgst(void)
{
	char dir[] = "/tmp/basalt-sha512-XXXXXX";
	char path[128], line[512];
	size_t cmd_size = 64 + N_LEN * 64, matched = 0;
	char *cmd = malloc(cmd_size);
	FILE *f;

	if (system("openssl version >/dev/null 2>&1") != 0) {
		printf("# openssl not found: cannot cross-check\n");
		CHECK(0);
		free(cmd);
		return;
	}
	if (!mkdtemp(dir)) {
		CHECK(0);
		free(cmd);
		return;
	}

	/* One openssl run hashes every file; "-r" prints "<hex> *<name>". */
	snprintf(cmd, cmd_size, "cd %s && openssl dgst -sha512 -r", dir);
	for (size_t i = 0; i < N_LEN; i++) {
		size_t len = case_length(i);

		snprintf(path, sizeof(path), "%s/m%zu", dir, i);
		f = fopen(path, "wb");
		for (size_t j = 0; j < len; j++)
			fputc(rng_byte(), f);
		fclose(f);
		snprintf(cmd + strlen(cmd), cmd_size - strlen(cmd), " m%zu", i);
	}

	f = popen(cmd, "r");
	CHECK(f != NULL);
	while (f && fgets(line, sizeof(line), f)) {
		char hex[129], name[64];
		uint8_t *buf, d[64];
		size_t idx, len;
		FILE *in;

		if (sscanf(line, "%128s *m%zu", hex, &idx) != 2 || idx >= N_LEN)
			continue;
		len = case_length(idx);
		snprintf(name, sizeof(name), "%s/m%zu", dir, idx);
		buf = malloc(len + 1);
		in = fopen(name, "rb");
		CHECK_EQ(fread(buf, 1, len, in), len);
		fclose(in);
		sha512(buf, len, d);
		if (!digest_is(d, hex)) {
			printf("# length %zu differs from openssl\n", len);
			CHECK(0);
		}
		free(buf);
		matched++;
	}
	CHECK(f && pclose(f) == 0);
	CHECK_EQ(matched, N_LEN);

	snprintf(cmd, cmd_size, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	free(cmd);
}

int main(void)
{
	test_suite = "sha512";
	RUN(test_fips_vectors);
	RUN(test_million_a);
	RUN(test_split_updates);
	RUN(test_openssl_dgst);
	TEST_EXIT();
}
