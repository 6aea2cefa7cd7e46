/*
 * SHA-512 (FIPS 180-4, RFC 6234), the hash inside Ed25519 and the digest
 * that signed modules are checked with. The API is incremental, so a caller
 * can hash data that arrives in pieces, plus a one-shot helper. The code is
 * freestanding: the kernel and the host tests build the same file.
 */
#ifndef BASALT_LIB_SHA512_H
#define BASALT_LIB_SHA512_H

#include <stddef.h>
#include <stdint.h>

#define SHA512_BLOCK_SIZE 128
#define SHA512_DIGEST_SIZE 64

/* Running state of one hash: chaining value, byte count, partial block. */
struct sha512_ctx {
	uint64_t state[8];
	uint64_t count;		/* message bytes so far (2^64 bytes is plenty) */
	uint8_t buf[SHA512_BLOCK_SIZE];
};

/* Start a new hash in @ctx. */
void sha512_init(struct sha512_ctx *ctx);

/* Hash @len more bytes at @data; pieces of any size may follow each other. */
void sha512_update(struct sha512_ctx *ctx, const void *data, size_t len);

/*
 * Pad, write the 64-byte digest to @out and wipe @ctx, which must be
 * initialised again before further use.
 */
void sha512_final(struct sha512_ctx *ctx, uint8_t out[SHA512_DIGEST_SIZE]);

/* The digest of @len bytes at @data in one call. */
void sha512(const void *data, size_t len, uint8_t out[SHA512_DIGEST_SIZE]);

#endif
