/*
 * The signature check that every module file passes before the loader
 * parses its ELF: find the trailer at the end of the file, parse the
 * manifest strictly, look up its key, verify the Ed25519 signature over
 * the manifest, then compare the payload's SHA-512, the kernel build id,
 * the entitlements (ent= lines, kernel/module/ent_lines.c) against what
 * the key may grant, and the security version with what the manifest
 * says. The format is in docs/module-format.md. Also keeps the per-name
 * table of the highest secver accepted since boot, which makes rollbacks
 * fail.
 */
#include "kernel/module/signature.h"
#include "kernel/kernel.h"
#include "lib/ed25519.h"
#include "lib/printf.h"
#include "lib/sha512.h"
#include "lib/string.h"

/* The highest secver accepted for one module name since boot. */
struct secver_entry {
	char name[56];
	uint32_t secver;
};

static struct secver_entry secver_table[MODSIG_SECVER_SLOTS];
static unsigned int secver_count;

__printf(4, 5)
static int sig_fail(char *reason, size_t size, int err, const char *fmt, ...)
{
	va_list ap;

	if (size) {
		va_start(ap, fmt);
		vsnprintf(reason, size, fmt, ap);
		va_end(ap);
	}
	return err;
}

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- manifest values: each has exactly one accepted spelling ---- */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;		/* uppercase too: one spelling per value */
}

static bool is_hex(const char *v, size_t len, size_t want)
{
	if (len != want)
		return false;
	for (size_t i = 0; i < len; i++)
		if (hex_digit(v[i]) < 0)
			return false;
	return true;
}

static bool parse_format(struct module_manifest *m, const char *v, size_t len)
{
	return len == 1 && v[0] == '0' + MODSIG_MANIFEST_FORMAT;
}

static bool parse_name(struct module_manifest *m, const char *v, size_t len)
{
	if (len == 0 || len >= sizeof(m->name))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	memcpy(m->name, v, len);
	m->name[len] = '\0';
	return true;
}

static bool parse_version(struct module_manifest *m, const char *v, size_t len)
{
	if (len == 0 || len >= sizeof(m->version))
		return false;
	for (size_t i = 0; i < len; i++)
		if (v[i] <= ' ' || v[i] > '~')
			return false;
	memcpy(m->version, v, len);
	m->version[len] = '\0';
	return true;
}

static bool parse_kernel(struct module_manifest *m, const char *v, size_t len)
{
	if (!is_hex(v, len, sizeof(m->kernel_id) - 1))
		return false;
	memcpy(m->kernel_id, v, len);
	m->kernel_id[len] = '\0';
	return true;
}

static bool parse_secver(struct module_manifest *m, const char *v, size_t len)
{
	uint64_t n = 0;

	if (len == 0 || len > 10 || (len > 1 && v[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (n > UINT32_MAX)
		return false;
	m->secver = (uint32_t)n;
	return true;
}

static bool parse_keyid(struct module_manifest *m, const char *v, size_t len)
{
	if (!is_hex(v, len, sizeof(m->key_id) - 1))
		return false;
	memcpy(m->key_id, v, len);
	m->key_id[len] = '\0';
	return true;
}

static bool parse_sha512(struct module_manifest *m, const char *v, size_t len)
{
	if (!is_hex(v, len, 2 * sizeof(m->sha512)))
		return false;
	for (size_t i = 0; i < sizeof(m->sha512); i++)
		m->sha512[i] = (uint8_t)(hex_digit(v[2 * i]) << 4 | hex_digit(v[2 * i + 1]));
	return true;
}

/* The manifest's lines, in the one order they must appear; then any ent= lines. */
#define FIELD_ENT	7
static const struct manifest_field {
	const char *key;
	bool (*parse)(struct module_manifest *m, const char *v, size_t len);
} manifest_fields[] = {
	{ "format", parse_format },
	{ "name", parse_name },
	{ "version", parse_version },
	{ "kernel", parse_kernel },
	{ "secver", parse_secver },
	{ "keyid", parse_keyid },
	{ "sha512", parse_sha512 },
	[FIELD_ENT] = { "ent", NULL },	/* zero or more, module_ent_parse_line() */
};

static int field_index(const char *key, size_t len)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(manifest_fields); i++) {
		const char *k = manifest_fields[i].key;

		if (strlen(k) == len && !memcmp(k, key, len))
			return (int)i;
	}
	return -1;
}

#define bad_manifest(reason, size, fmt, ...) \
	sig_fail(reason, size, -EBADMSG, "malformed manifest: " fmt, ##__VA_ARGS__)

/* Parse the @len-byte manifest at @text into @m; -EBADMSG unless it is exact. */
static int parse_manifest(const char *text, size_t len, struct module_manifest *m,
			  char *reason, size_t size)
{
	unsigned int field = 0, line = 0;	/* fixed fields seen; lines read */
	char why[96];
	size_t pos = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)text[i];

		if (c != '\n' && (c < 0x20 || c > 0x7e))
			return bad_manifest(reason, size, "bad byte 0x%02x at offset %zu", c, i);
	}
	if (text[len - 1] != '\n')
		return bad_manifest(reason, size, "no newline at end");

	while (pos < len) {
		const char *s = text + pos;
		size_t n = 0, eq = 0;
		int f;

		while (s[n] != '\n')	/* the last byte is a '\n' */
			n++;
		line++;
		if (n + 1 > MODSIG_LINE_MAX)
			return bad_manifest(reason, size, "line %u too long", line);
		while (eq < n && s[eq] != '=')
			eq++;
		if (eq == n)
			return bad_manifest(reason, size, "line %u has no '='", line);
		f = field_index(s, eq);
		if (f < 0)
			return bad_manifest(reason, size, "unknown key '%.*s'", (int)MIN(eq, 16),
					    s);
		if (f < (int)field)
			return bad_manifest(reason, size, "duplicate key '%s'",
					    manifest_fields[f].key);
		if (f > (int)field)
			return bad_manifest(reason, size, "missing key '%s' before '%s'",
					    manifest_fields[field].key, manifest_fields[f].key);
		if (f == FIELD_ENT) {
			if (module_ent_parse_line(&m->ent, s + eq + 1, n - eq - 1, why,
						  sizeof(why)))
				return bad_manifest(reason, size, "%s", why);
		} else if (!manifest_fields[f].parse(m, s + eq + 1, n - eq - 1)) {
			return bad_manifest(reason, size, "bad %s value", manifest_fields[f].key);
		} else {
			field++;
		}
		pos += n + 1;
	}
	if (field < FIELD_ENT)
		return bad_manifest(reason, size, "missing key '%s'", manifest_fields[field].key);
	return 0;
}

static const struct trusted_key *find_key(const char *id)
{
	for (unsigned int i = 0; i < trusted_key_count; i++)
		if (!memcmp(trusted_keys[i].id, id, sizeof(trusted_keys[i].id)))
			return &trusted_keys[i];
	return NULL;
}

static struct secver_entry *find_secver(const char *name)
{
	for (unsigned int i = 0; i < secver_count; i++)
		if (!strcmp(secver_table[i].name, name))
			return &secver_table[i];
	return NULL;
}

int module_sig_check(const void *data, size_t len, size_t *payload_len,
		     struct module_manifest *m, char *reason, size_t reason_size)
{
	const uint8_t *file = data, *trailer, *manifest, *sig;
	const struct trusted_key *key;
	const struct secver_entry *seen;
	uint8_t digest[SHA512_DIGEST_SIZE];
	uint32_t manifest_len, excess;
	size_t plen;
	int ret;

	memset(m, 0, sizeof(*m));
	*payload_len = 0;
	if (reason_size)
		reason[0] = '\0';

	if (len < MODSIG_TRAILER_LEN ||
	    memcmp(file + len - MODSIG_MAGIC_LEN, MODSIG_MAGIC, MODSIG_MAGIC_LEN))
		return sig_fail(reason, reason_size, -ENODATA, "no signature");
	trailer = file + len - MODSIG_TRAILER_LEN;
	manifest_len = get_le32(trailer);
	if (get_le32(trailer + 4) != MODSIG_SIG_LEN || get_le32(trailer + 8) != MODSIG_FORMAT ||
	    get_le32(trailer + 12) != 0 || manifest_len == 0 ||
	    manifest_len > MODSIG_MANIFEST_MAX ||
	    (size_t)manifest_len + MODSIG_SIG_LEN + MODSIG_TRAILER_LEN > len)
		return sig_fail(reason, reason_size, -EBADMSG, "malformed trailer");
	plen = len - MODSIG_TRAILER_LEN - MODSIG_SIG_LEN - manifest_len;
	manifest = file + plen;
	sig = manifest + manifest_len;

	ret = parse_manifest((const char *)manifest, manifest_len, m, reason, reason_size);
	if (ret) {
		memset(m, 0, sizeof(*m));	/* no half-parsed name for the log */
		return ret;
	}

	key = find_key(m->key_id);
	if (!key)
		return sig_fail(reason, reason_size, -ENOKEY, "unknown key %s", m->key_id);
	if (ed25519_verify(sig, manifest, manifest_len, key->pub))
		return sig_fail(reason, reason_size, -EKEYREJECTED, "bad signature");

	sha512(file, plen, digest);
	if (memcmp(digest, m->sha512, sizeof(digest)))
		return sig_fail(reason, reason_size, -EILSEQ,
				"digest mismatch: expected %02x%02x%02x%02x got %02x%02x%02x%02x",
				m->sha512[0], m->sha512[1], m->sha512[2], m->sha512[3],
				digest[0], digest[1], digest[2], digest[3]);

	if (strcmp(m->kernel_id, kernel_build_id))
		return sig_fail(reason, reason_size, -EXDEV, "built for another kernel (%s)",
				m->kernel_id);

	excess = m->ent.kinds & ~key->grants;
	if (excess)
		return sig_fail(reason, reason_size, -EACCES,
				"entitlement '%s' is more than key %s may grant",
				module_ent_kind_name((unsigned int)__builtin_ctz(excess)), key->id);

	seen = find_secver(m->name);
	if (seen && m->secver < seen->secver)
		return sig_fail(reason, reason_size, -EKEYREVOKED, "rolled back: secver %u < %u",
				m->secver, seen->secver);
	if (!seen && secver_count == MODSIG_SECVER_SLOTS)
		return sig_fail(reason, reason_size, -ENOSPC,
				"too many module names to track secver");

	*payload_len = plen;
	return 0;
}

int module_sig_accept(const struct module_manifest *m)
{
	struct secver_entry *e = find_secver(m->name);

	if (!e) {
		if (secver_count == MODSIG_SECVER_SLOTS)
			return -ENOSPC;
		e = &secver_table[secver_count++];
		strlcpy(e->name, m->name, sizeof(e->name));
		e->secver = m->secver;
	}
	if (m->secver > e->secver)
		e->secver = m->secver;
	return 0;
}
