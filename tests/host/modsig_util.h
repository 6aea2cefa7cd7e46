/*
 * Helpers for tests/host/test_modsig.c: a scratch directory, running
 * shell commands (openssl, scripts/sign-module), reading and writing files,
 * and a C signer that builds a signed module byte for byte as
 * docs/module-format.md says, with a secret key the test knows, so that a
 * test can sign any manifest it likes. Include after signature.c.
 */
#ifndef BASALT_TESTS_MODSIG_UTIL_H
#define BASALT_TESTS_MODSIG_UTIL_H

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char root_dir[PATH_MAX];		/* the repository, for scripts/ */
static char tmp_dir[64];

/* A growable byte buffer, always followed by a NUL that len does not count. */
struct buf {
	uint8_t *data;
	size_t len;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	b->data = realloc(b->data, b->len + n + 1);
	if (!b->data)
		abort();
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';	/* so a text file reads as a string */
}

static void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

/* A malloc'ed copy of exactly @len bytes, so ASan sees any read past the end. */
static uint8_t *exact_copy(const void *p, size_t len)
{
	uint8_t *q = malloc(len ? len : 1);

	if (!q)
		abort();
	memcpy(q, p, len);
	return q;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Find the repository: $BASALT_ROOT, the working directory, or ../.. of the binary. */
static int find_root(void)
{
	char exe[PATH_MAX], cand[PATH_MAX + 32];
	const char *env = getenv("BASALT_ROOT");
	ssize_t n;

	if (env) {
		snprintf(cand, sizeof(cand), "%s/scripts/sign-module", env);
		if (!access(cand, X_OK) && realpath(env, root_dir))
			return 0;
	}
	if (!access("scripts/sign-module", X_OK) && realpath(".", root_dir))
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';	/* build/host */
		snprintf(cand, sizeof(cand), "%s/../..", exe);
		if (realpath(cand, root_dir)) {
			snprintf(cand, sizeof(cand), "%s/scripts/sign-module", root_dir);
			if (!access(cand, X_OK))
				return 0;
		}
	}
	return -1;
}

/* Run a shell command in the scratch directory; its exit status (0 = success). */
__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	int n, ret;
	va_list ap;

	n = snprintf(cmd, sizeof(cmd), "cd '%s' && ", tmp_dir);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	ret = system(cmd);
	return ret == -1 ? -1 : WEXITSTATUS(ret);
}

static char *tmp_path(const char *name)
{
	static char path[4][128];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", tmp_dir, name);
	return path[i];
}

/* Read a whole scratch file into @b (replacing its contents); -1 if missing. */
static int slurp(const char *name, struct buf *b)
{
	uint8_t chunk[4096];
	FILE *f = fopen(tmp_path(name), "rb");
	size_t n;

	buf_free(b);
	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	fclose(f);
	buf_add(b, "", 0);	/* a NUL-terminated buffer even for an empty file */
	return 0;
}

static void spill(const char *name, const void *data, size_t len)
{
	FILE *f = fopen(tmp_path(name), "wb");

	if (!f || fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
}

static void hex_encode(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* The manifest's keyid of a raw public key. */
static void key_id_of(char id[17], const uint8_t pub[32])
{
	uint8_t d[64];

	sha512(pub, 32, d);
	hex_encode(id, d, 8);
}

/*
 * Sign @manifest_len bytes of manifest with the secret @secret (public key
 * @pub) and append payload, manifest, signature and trailer to @out.
 */
static void assemble(struct buf *out, const uint8_t *payload, size_t plen,
		     const char *manifest, size_t manifest_len,
		     const uint8_t secret[32], const uint8_t pub[32])
{
	uint8_t sig[64], trailer[32];

	ed25519_sign(sig, (const uint8_t *)manifest, manifest_len, secret, pub);
	put_le32(trailer, (uint32_t)manifest_len);
	put_le32(trailer + 4, 64);
	put_le32(trailer + 8, 1);
	put_le32(trailer + 12, 0);
	memcpy(trailer + 16, "BASALT-MODSIG-01", 16);
	buf_free(out);
	buf_add(out, payload, plen);
	buf_add(out, manifest, manifest_len);
	buf_add(out, sig, sizeof(sig));
	buf_add(out, trailer, sizeof(trailer));
}

/* The manifest sign-module writes for these values, into @out (>= 512 bytes). */
static int make_manifest(char *out, size_t size, const uint8_t *payload, size_t plen,
			 const char *name, const char *version, const char *kernel,
			 uint32_t secver, const uint8_t pub[32])
{
	char id[17], hex[129];
	uint8_t d[64];

	key_id_of(id, pub);
	sha512(payload, plen, d);
	hex_encode(hex, d, 64);
	return snprintf(out, size,
			"format=2\nname=%s\nversion=%s\nkernel=%s\nsecver=%u\nkeyid=%s\nsha512=%s\n",
			name, version, kernel, secver, id, hex);
}

/* Replace the first @from in @s by @to, in place (@s has room); 0 if not found. */
static int str_sub(char *s, size_t size, const char *from, const char *to)
{
	char *p = strstr(s, from);
	size_t fl = strlen(from), tl = strlen(to), rest;

	if (!p || strlen(s) - fl + tl + 1 > size)
		return 0;
	rest = strlen(p + fl) + 1;
	memmove(p + tl, p + fl, rest);
	memcpy(p, to, tl);
	return 1;
}

#endif
