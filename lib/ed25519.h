/*
 * Ed25519 signatures (RFC 8032 section 5.1), used to check signed modules
 * before the kernel loads them. Verification is what the kernel needs; key
 * generation and signing are here so that host tests can make their own
 * signatures, and they are variable-time: never give them a secret that
 * matters on a machine where timing can be observed.
 */
#ifndef BASALT_LIB_ED25519_H
#define BASALT_LIB_ED25519_H

#include <stddef.h>
#include <stdint.h>

#define ED25519_PUBLIC_KEY_SIZE 32
#define ED25519_SECRET_KEY_SIZE 32	/* the RFC's 32-byte private key (seed) */
#define ED25519_SIGNATURE_SIZE 64

#define ED25519_EMALFORMED (-1)
#define ED25519_EMISMATCH (-2)

/*
 * Check that @sig is a valid Ed25519 signature by @pub over the @len bytes
 * at @msg. Returns 0 if it is and a negative number otherwise:
 * ED25519_EMALFORMED when the signature or key is malformed (S >= L, or R
 * or A not the canonical encoding of a curve point), ED25519_EMISMATCH when
 * all of it decodes but [S]B = R + [k]A does not hold.
 */
int ed25519_verify(const uint8_t sig[ED25519_SIGNATURE_SIZE], const uint8_t *msg,
		   size_t len, const uint8_t pub[ED25519_PUBLIC_KEY_SIZE]);

/* Derive the public key of the 32-byte secret key @secret. Variable-time. */
void ed25519_public_key(uint8_t pub[ED25519_PUBLIC_KEY_SIZE],
			const uint8_t secret[ED25519_SECRET_KEY_SIZE]);

/*
 * Sign @len bytes at @msg with @secret, whose public key is @pub, writing
 * the 64-byte signature to @sig. Deterministic, as RFC 8032 specifies.
 * Variable-time: for tests and tools, not for secrets inside the kernel.
 */
void ed25519_sign(uint8_t sig[ED25519_SIGNATURE_SIZE], const uint8_t *msg, size_t len,
		  const uint8_t secret[ED25519_SECRET_KEY_SIZE],
		  const uint8_t pub[ED25519_PUBLIC_KEY_SIZE]);

#endif
