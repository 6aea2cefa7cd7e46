/*
 * Host tests for signed modules: scripts/sign-module and
 * scripts/gen-trusted-keys run through the openssl command line, and
 * kernel/module/signature.c checking what they make. Every rejection
 * reason comes out exactly; every one-byte change to the signature block,
 * a sample of payload changes, every truncation and a fixed-seed random
 * mutation fuzz are refused, under ASan and UBSan. A missing openssl fails.
 * The trusted keys' secrets are RFC 8032's TEST 1 key (which grants every
 * entitlement) and TEST 2 key (which grants what a third-party key does),
 * so the table below can be compiled in and the test can also sign
 * manifests of its own. The entitlement tests are in modsig_ent.h.
 */
#include "../../lib/sha512.c"
#include "../../lib/ed25519.c"
#include "../../kernel/module/signature.c"
#include "../../kernel/module/ent_lines.c"

#include <time.h>

#include "test.h"
#include "modsig_util.h"

/* The default CONFIG_MODULE_SIG_THIRDPARTY_GRANTS: never msr or cpu. */
#define THIRDPARTY_GRANTS                                                     \
	(MODULE_ENT_BIT(MODULE_ENT_PCI) | MODULE_ENT_BIT(MODULE_ENT_VIRTIO) |  \
	 MODULE_ENT_BIT(MODULE_ENT_DMA) | MODULE_ENT_BIT(MODULE_ENT_IOPORT) |  \
	 MODULE_ENT_BIT(MODULE_ENT_IRQ) | MODULE_ENT_BIT(MODULE_ENT_EXPORT))

/* What the build generates for the kernel: RFC 8032 TEST 2 and TEST 1 keys. */
const struct trusted_key trusted_keys[] = {
	{ "56c04d48d44f95fb", {
		0x3d, 0x40, 0x17, 0xc3, 0xe8, 0x43, 0x89, 0x5a,
		0x92, 0xb7, 0x0a, 0xa7, 0x4d, 0x1b, 0x7e, 0xbc,
		0x9c, 0x98, 0x2c, 0xcf, 0x2e, 0xc4, 0x96, 0x8c,
		0xc0, 0xcd, 0x55, 0xf1, 0x2a, 0xf4, 0x66, 0x0c,
	}, THIRDPARTY_GRANTS },
	{ "0e02a50225b4baaa", {
		0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7,
		0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
		0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25,
		0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
	}, MODULE_ENT_ALL },
};
const unsigned int trusted_key_count = 2;
const char kernel_build_id[] = "5f0c6a0e2d1b4c3a9e8f7a6b5c4d3e2f";

#define OTHER_KERNEL	"00112233445566778899aabbccddeeff"
#define SIGNER_ID	"0e02a50225b4baaa"
#define signer_pub	(trusted_keys[1].pub)
#define THIRD_ID	"56c04d48d44f95fb"
#define third_pub	(trusted_keys[0].pub)

/* The secret of trusted_keys[0] (RFC 8032 TEST 2). */
static const uint8_t third_secret[32] = {
	0x4c, 0xcd, 0x08, 0x9b, 0x28, 0xff, 0x96, 0xda,
	0x9d, 0xb6, 0xc3, 0x46, 0xec, 0x11, 0x4e, 0x0f,
	0x5b, 0x8a, 0x31, 0x9f, 0x35, 0xab, 0xa6, 0x24,
	0xda, 0x8c, 0xf6, 0xed, 0x4f, 0xb8, 0xa6, 0xfb,
};

/* The secret of trusted_keys[1], raw and as the PEM file openssl reads. */
static const uint8_t signer_secret[32] = {
	0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60,
	0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
	0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19,
	0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
};
static const char signer_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
	"-----END PRIVATE KEY-----\n";

static bool ready;		/* setup worked: openssl, keys, a signed module */
static uint8_t rogue_pub[32];	/* a key openssl made now, which nobody trusts */
static char rogue_id[17];
static uint8_t payload[2000];
static struct buf good;		/* payload signed by sign-module with secver 7 */

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

static void reset_secvers(void)
{
	memset(secver_table, 0, sizeof(secver_table));
	secver_count = 0;
}

/* module_sig_check() on an exact-size copy of @data, reason into @reason[128]. */
static int check_copy(const uint8_t *data, size_t len, struct module_manifest *m,
		      size_t *plen, char *reason)
{
	uint8_t *copy = exact_copy(data, len);
	int rc = module_sig_check(copy, len, plen, m, reason, 128);

	free(copy);
	return rc;
}

#define EXPECT(data, len, rc, why) expect(__LINE__, data, len, rc, why)

static int expect(int line, const uint8_t *data, size_t len, int want, const char *why)
{
	struct module_manifest m;
	char reason[128];
	size_t plen;
	int rc = check_copy(data, len, &m, &plen, reason);

	if (rc != want || strcmp(reason, why)) {
		printf("# line %d: got %d \"%s\", want %d \"%s\"\n", line, rc, reason, want, why);
		test_cur_failed = 1;
	}
	return rc;
}

/* A module signed by the C signer with the trusted key; returns in @out. */
static void c_signed(struct buf *out, const char *name, const char *version,
		     const char *kernel, uint32_t secver)
{
	char manifest[1024];
	int n = make_manifest(manifest, sizeof(manifest), payload, sizeof(payload), name,
			      version, kernel, secver, signer_pub);

	assemble(out, payload, sizeof(payload), manifest, (size_t)n, signer_secret, signer_pub);
}

/* Sign @data with scripts/sign-module (name demo, version 1.0); exit status. */
static int script_sign(const char *key, const void *data, size_t len, const char *args,
		       struct buf *out)
{
	int rc;

	spill("in.ko", data, len);
	rc = sh("'%s/scripts/sign-module' --name demo --version 1.0 --kernel-id %s %s %s in.ko "
		"2>err.txt", root_dir, kernel_build_id, args, key);
	if (rc == 0 && out)
		slurp("in.ko", out);
	return rc;
}

/* Does the scratch file err.txt (a command's stderr) contain @s? */
static bool err_has(const char *s)
{
	struct buf err = { 0 };
	bool found = !slurp("err.txt", &err) && strstr((char *)err.data, s);

	if (!found)
		printf("# stderr lacks \"%s\": %s\n", s, err.data ? (char *)err.data : "");
	buf_free(&err);
	return found;
}

/* ---- setup and the tools ---- */

static void test_setup(void)
{
	struct buf der = { 0 };
	char id[17];

	CHECK(find_root() == 0);
	if (test_cur_failed) {
		printf("# cannot find scripts/sign-module: set BASALT_ROOT\n");
		return;
	}
	if (system("openssl version >/dev/null 2>&1") != 0) {
		printf("# openssl not found: cannot test signing\n");
		CHECK(0);
		return;
	}
	strcpy(tmp_dir, "/tmp/basalt-modsig-XXXXXX");
	CHECK(mkdtemp(tmp_dir) != NULL);

	for (unsigned int i = 0; i < trusted_key_count; i++) {
		key_id_of(id, trusted_keys[i].pub);
		CHECK(!strcmp(id, trusted_keys[i].id));
	}
	spill("signer.pem", signer_pem, strlen(signer_pem));
	CHECK_EQ(sh("openssl pkey -in signer.pem -pubout -outform DER -out signer.der"), 0);
	CHECK(!slurp("signer.der", &der) && der.len == 44 &&
	      !memcmp(der.data + 12, signer_pub, 32));

	CHECK_EQ(sh("openssl genpkey -algorithm ed25519 -out rogue.pem && "
		    "openssl pkey -in rogue.pem -pubout -out rogue.pub.pem && "
		    "openssl pkey -in rogue.pem -pubout -outform DER -out rogue.der"), 0);
	CHECK(!slurp("rogue.der", &der) && der.len == 44);
	if (der.len == 44)
		memcpy(rogue_pub, der.data + 12, 32);
	key_id_of(rogue_id, rogue_pub);
	buf_free(&der);

	rng_state = 0x5eed0001;
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)rng();
	memcpy(payload, "\177ELF", 4);
	CHECK_EQ(script_sign("signer.pem", payload, sizeof(payload), "--secver 7", &good), 0);
	ready = !test_cur_failed;
}

/* sign-module's output passes and is byte for byte what the format says. */
static void test_good(void)
{
	struct module_manifest m;
	struct buf mine = { 0 };
	uint8_t d[64];
	char reason[128];
	size_t plen;

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	CHECK_EQ(check_copy(good.data, good.len, &m, &plen, reason), 0);
	CHECK(!strcmp(reason, ""));
	CHECK_EQ(plen, sizeof(payload));
	CHECK(!strcmp(m.name, "demo") && !strcmp(m.version, "1.0"));
	CHECK(!strcmp(m.kernel_id, kernel_build_id) && !strcmp(m.key_id, SIGNER_ID));
	CHECK_EQ(m.secver, 7);
	sha512(payload, sizeof(payload), d);
	CHECK(!memcmp(m.sha512, d, 64));

	c_signed(&mine, "demo", "1.0", kernel_build_id, 7);
	CHECK(mine.len == good.len && !memcmp(mine.data, good.data, good.len));
	buf_free(&mine);
}

static const char modinfo_src[] =
	"static const char a[] __attribute__((used, section(\".modinfo\"))) = \"license=GPL\";\n"
	"static const char b[] __attribute__((used, section(\".modinfo\"))) = \"name=ramdisk\";\n"
	"static const char c[] __attribute__((used, section(\".modinfo\"))) = \"version=2.1-rc1\";\n"
	"int ramdisk_init(void) { return 0; }\n";

/* sign-module on a real object: .modinfo, in place, -o, --resign, build_id, errors. */
static void test_sign_module_tool(void)
{
	struct buf orig = { 0 }, out = { 0 };
	struct module_manifest m;
	const char *sign = "'%s/scripts/sign-module' %s 2>err.txt";
	char reason[128], args[256];
	size_t plen;

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	spill("mod.c", modinfo_src, strlen(modinfo_src));
	spill("plain.c", "int x;\n", 7);
	CHECK_EQ(sh("gcc -c -fno-pic mod.c -o mod.ko && cp mod.ko orig.ko && "
		    "gcc -c plain.c -o plain.ko && mkdir -p bdir && echo %s > bdir/build_id",
		    kernel_build_id), 0);
	CHECK_EQ(slurp("orig.ko", &orig), 0);

	snprintf(args, sizeof(args), "--build-dir bdir --secver 3 signer.pem mod.ko");
	CHECK_EQ(sh(sign, root_dir, args), 0);
	CHECK_EQ(slurp("mod.ko", &out), 0);
	CHECK_EQ(check_copy(out.data, out.len, &m, &plen, reason), 0);
	CHECK(!strcmp(m.name, "ramdisk") && !strcmp(m.version, "2.1-rc1") && m.secver == 3);
	CHECK(plen == orig.len && !memcmp(out.data, orig.data, plen));

	/* signing twice is refused; --resign replaces the block */
	CHECK(sh(sign, root_dir, "--build-dir bdir signer.pem mod.ko") != 0);
	CHECK(err_has("already signed"));
	CHECK_EQ(sh(sign, root_dir, "--build-dir bdir --resign --secver 9 signer.pem mod.ko "
		    "-o re.ko"), 0);
	CHECK_EQ(slurp("re.ko", &out), 0);
	CHECK_EQ(check_copy(out.data, out.len, &m, &plen, reason), 0);
	CHECK(m.secver == 9 && plen == orig.len && !memcmp(out.data, orig.data, plen));

	/* an uppercase --kernel-id is written in lowercase */
	CHECK_EQ(sh(sign, root_dir, "--kernel-id 5F0C6A0E2D1B4C3A9E8F7A6B5C4D3E2F signer.pem "
		    "orig.ko -o up.ko"), 0);
	CHECK_EQ(slurp("up.ko", &out), 0);
	CHECK_EQ(check_copy(out.data, out.len, &m, &plen, reason), 0);

	CHECK(sh(sign, root_dir, "--build-dir bdir signer.pem plain.ko") != 0);
	CHECK(err_has("no name= in .modinfo"));
	CHECK(sh(sign, root_dir, "--build-dir bdir signer.pem signer.der") != 0);
	CHECK(err_has("not an ELF file"));
	CHECK(sh(sign, root_dir, "--build-dir bdir rogue.pub.pem orig.ko") != 0);
	CHECK(err_has("openssl failed"));
	CHECK(sh(sign, root_dir, "--kernel-id 1234 signer.pem orig.ko") != 0);
	CHECK(err_has("not 32 hex digits"));
	CHECK(sh(sign, root_dir, "--build-dir nowhere signer.pem orig.ko") != 0);
	CHECK(err_has("cannot read the kernel build id"));
	CHECK(sh(sign, root_dir, "--build-dir bdir --name 'a b' signer.pem orig.ko") != 0);
	CHECK(err_has("module name"));
	CHECK(sh(sign, root_dir, "--build-dir bdir --secver 4294967296 signer.pem orig.ko") != 0);
	CHECK(err_has("secver"));
	/* failures left the input alone */
	CHECK_EQ(slurp("orig.ko", &out), 0);
	CHECK(out.len == orig.len && !memcmp(out.data, orig.data, orig.len));
	buf_free(&orig);
	buf_free(&out);
}

static const char table_dump_src[] =
	"#include <stdio.h>\n"
	"#include \"kernel/module/signature.h\"\n"
	"int main(void)\n"
	"{\n"
	"	for (unsigned int i = 0; i < trusted_key_count; i++) {\n"
	"		printf(\"%s \", trusted_keys[i].id);\n"
	"		for (int j = 0; j < 32; j++)\n"
	"			printf(\"%02x\", trusted_keys[i].pub[j]);\n"
	"		printf(\" %x\\n\", trusted_keys[i].grants);\n"
	"	}\n"
	"	printf(\"count %u\\n\", trusted_key_count);\n"
	"	return 0;\n"
	"}\n";

/*
 * gen-trusted-keys: compiles, and holds exactly the keys given (private or
 * public), each with the grants of the --grants before it (all by default).
 */
static void test_gen_trusted_keys(void)
{
	struct buf out = { 0 };
	char want[256], sp[65], rp[65];
	const char *build = "gcc -std=gnu11 -Wall -Wextra -Werror -I'%s' dump.c keys.c -o dump "
			    "&& ./dump > dump.txt";

	CHECK(ready);
	if (!ready)
		return;
	spill("dump.c", table_dump_src, strlen(table_dump_src));
	CHECK_EQ(sh("'%s/scripts/gen-trusted-keys' signer.pem --grants 'dma, pci export' "
		    "rogue.pub.pem rogue.pem > keys.c", root_dir), 0);
	CHECK_EQ(sh(build, root_dir), 0);
	CHECK_EQ(slurp("dump.txt", &out), 0);
	hex_encode(sp, signer_pub, 32);
	hex_encode(rp, rogue_pub, 32);
	snprintf(want, sizeof(want), "%s %s ff\n%s %s 45\ncount 2\n", SIGNER_ID, sp, rogue_id, rp);
	CHECK(out.data && !strcmp((char *)out.data, want));
	if (out.data && strcmp((char *)out.data, want))
		printf("# got:\n%s# want:\n%s", out.data, want);

	CHECK_EQ(sh("'%s/scripts/gen-trusted-keys' > keys.c", root_dir), 0);
	CHECK_EQ(sh(build, root_dir), 0);
	CHECK(!slurp("dump.txt", &out) && !strcmp((char *)out.data, "count 0\n"));

	CHECK(sh("'%s/scripts/gen-trusted-keys' dump.c > keys.c 2>err.txt", root_dir) != 0);
	CHECK(err_has("dump.c"));
	CHECK_EQ(sh("'%s/scripts/gen-trusted-keys' --grants '' signer.pem > keys.c", root_dir), 0);
	CHECK_EQ(sh(build, root_dir), 0);
	snprintf(want, sizeof(want), "%s %s 0\ncount 1\n", SIGNER_ID, sp);
	CHECK(!slurp("dump.txt", &out) && !strcmp((char *)out.data, want));
	CHECK(sh("'%s/scripts/gen-trusted-keys' --grants 'pci dmx' signer.pem > keys.c 2>err.txt",
		 root_dir) != 0);
	CHECK(err_has("unknown entitlement kind 'dmx'"));
	buf_free(&out);
}

/* ---- each rejection, exactly ---- */

static void test_reasons(void)
{
	struct module_manifest m;
	struct buf f = { 0 };
	char want[128], e[9], g[9], reason[128];
	size_t plen;
	uint8_t d[64];
	size_t len;

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	EXPECT(payload, sizeof(payload), -ENODATA, "no signature");
	EXPECT(payload, 0, -ENODATA, "no signature");
	EXPECT(good.data + good.len - 31, 31, -ENODATA, "no signature");
	/* the trailer alone: no room for signature and manifest */
	EXPECT(good.data + good.len - 32, 32, -EBADMSG, "malformed trailer");

	/* every trailer field out of range */
	static const struct { unsigned int off; uint32_t v; } fields[] = {
		{ 4, 63 }, { 4, 0 }, { 8, 2 }, { 8, 0 }, { 12, 1 }, { 12, 0x80000000 },
		{ 0, 0 }, { 0, 2049 }, { 0, 0xffffffff }, { 0, sizeof(payload) + 400 },
	};
	for (unsigned int i = 0; i < ARRAY_SIZE(fields); i++) {
		buf_add(&f, good.data, good.len);
		put_le32(f.data + f.len - 32 + fields[i].off, fields[i].v);
		EXPECT(f.data, f.len, -EBADMSG, "malformed trailer");
		buf_free(&f);
	}
	/* no payload at all: manifest_len + 1 does not fit, manifest_len does */
	len = get_le32(good.data + good.len - 32);
	buf_add(&f, good.data + good.len - 96 - len, len + 96);
	put_le32(f.data + f.len - 32, (uint32_t)len + 1);
	EXPECT(f.data, f.len, -EBADMSG, "malformed trailer");
	put_le32(f.data + f.len - 32, (uint32_t)len);
	sha512(payload, sizeof(payload), d);
	hex_encode(e, d, 4);
	sha512("", 0, d);
	hex_encode(g, d, 4);
	snprintf(want, sizeof(want), "digest mismatch: expected %s got %s", e, g);
	EXPECT(f.data, f.len, -EILSEQ, want);
	buf_free(&f);

	CHECK_EQ(script_sign("rogue.pem", payload, sizeof(payload), "", &f), 0);
	snprintf(want, sizeof(want), "unknown key %s", rogue_id);
	EXPECT(f.data, f.len, -ENOKEY, want);
	/* the name is there for the log from -ENOKEY on, and not before */
	CHECK_EQ(check_copy(f.data, f.len, &m, &plen, reason), -ENOKEY);
	CHECK(!strcmp(m.name, "demo") && plen == 0);
	f.data[sizeof(payload) + 9] = '\t';	/* in "name=demo" */
	CHECK_EQ(check_copy(f.data, f.len, &m, &plen, reason), -EBADMSG);
	CHECK(!strcmp(m.name, "") && !strcmp(m.key_id, ""));
	buf_free(&f);
	/* one digit off a trusted key's id, first and last */
	for (int i = 0; i < 2; i++) {
		char text[1024];
		int n = make_manifest(text, sizeof(text), payload, sizeof(payload), "demo", "1.0",
				      kernel_build_id, 7, signer_pub);

		CHECK(str_sub(text, sizeof(text), i ? "b4baaa\n" : "keyid=0e",
			      i ? "b4baab\n" : "keyid=1e"));
		assemble(&f, payload, sizeof(payload), text, (size_t)n, signer_secret, signer_pub);
		EXPECT(f.data, f.len, -ENOKEY, i ? "unknown key 0e02a50225b4baab" :
		       "unknown key 1e02a50225b4baaa");
	}
	buf_free(&f);

	buf_add(&f, good.data, good.len);
	f.data[f.len - 32 - 50] ^= 0x04;
	EXPECT(f.data, f.len, -EKEYREJECTED, "bad signature");
	buf_free(&f);
	/* a valid signature, but of another manifest */
	c_signed(&f, "demo", "1.0", kernel_build_id, 8);
	memcpy(f.data + f.len - 96, good.data + good.len - 96, 64);
	EXPECT(f.data, f.len, -EKEYREJECTED, "bad signature");
	buf_free(&f);

	buf_add(&f, good.data, good.len);
	f.data[100] ^= 0x01;
	sha512(payload, sizeof(payload), d);
	hex_encode(e, d, 4);
	sha512(f.data, sizeof(payload), d);
	hex_encode(g, d, 4);
	snprintf(want, sizeof(want), "digest mismatch: expected %s got %s", e, g);
	EXPECT(f.data, f.len, -EILSEQ, want);
	buf_free(&f);

	CHECK_EQ(script_sign("signer.pem", payload, sizeof(payload),
			     "--kernel-id " OTHER_KERNEL, &f), 0);
	EXPECT(f.data, f.len, -EXDEV, "built for another kernel (" OTHER_KERNEL ")");
	buf_free(&f);

	/* appended bytes hide the trailer */
	buf_add(&f, good.data, good.len);
	buf_add(&f, "\n", 1);
	EXPECT(f.data, f.len, -ENODATA, "no signature");
	buf_free(&f);
}

/* Anti-rollback: per name, only through module_sig_accept(). */
static void test_rollback(void)
{
	struct module_manifest m;
	struct buf f = { 0 };
	char reason[128], name[16];
	size_t plen;

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	c_signed(&f, "demo", "1.0", kernel_build_id, 5);
	CHECK_EQ(check_copy(f.data, f.len, &m, &plen, reason), 0);
	c_signed(&f, "demo", "1.0", kernel_build_id, 4);
	EXPECT(f.data, f.len, 0, "");		/* nothing accepted yet */
	c_signed(&f, "demo", "1.0", kernel_build_id, 5);
	CHECK_EQ(check_copy(f.data, f.len, &m, &plen, reason), 0);
	CHECK_EQ(module_sig_accept(&m), 0);

	c_signed(&f, "demo", "1.0", kernel_build_id, 4);
	EXPECT(f.data, f.len, -EKEYREVOKED, "rolled back: secver 4 < 5");
	c_signed(&f, "demo", "1.0", kernel_build_id, 0);
	EXPECT(f.data, f.len, -EKEYREVOKED, "rolled back: secver 0 < 5");
	c_signed(&f, "demo", "1.0", kernel_build_id, 5);
	EXPECT(f.data, f.len, 0, "");		/* reloading the same one is fine */
	c_signed(&f, "other", "1.0", kernel_build_id, 0);
	EXPECT(f.data, f.len, 0, "");		/* the bar is per name */
	/* sign-module's --secver: "good" has 7 */
	CHECK_EQ(check_copy(good.data, good.len, &m, &plen, reason), 0);
	CHECK_EQ(module_sig_accept(&m), 0);
	CHECK_EQ(script_sign("signer.pem", payload, sizeof(payload), "--secver 6", &f), 0);
	EXPECT(f.data, f.len, -EKEYREVOKED, "rolled back: secver 6 < 7");
	/* accepting a lower one never lowers the bar */
	c_signed(&f, "demo", "1.0", kernel_build_id, 1);
	CHECK_EQ(check_copy(f.data, f.len, &m, &plen, reason), -EKEYREVOKED);
	CHECK_EQ(module_sig_accept(&m), 0);
	CHECK_EQ(check_copy(good.data, good.len, &m, &plen, reason), 0);
	c_signed(&f, "demo", "1.0", kernel_build_id, UINT32_MAX);
	CHECK_EQ(check_copy(f.data, f.len, &m, &plen, reason), 0);
	CHECK_EQ(module_sig_accept(&m), 0);
	EXPECT(good.data, good.len, -EKEYREVOKED, "rolled back: secver 7 < 4294967295");

	/* a full table refuses new names rather than forgetting old ones */
	for (int i = 1; i < MODSIG_SECVER_SLOTS; i++) {
		snprintf(m.name, sizeof(m.name), "mod%d", i);
		CHECK_EQ(module_sig_accept(&m), 0);
	}
	snprintf(name, sizeof(name), "mod%d", MODSIG_SECVER_SLOTS);
	strcpy(m.name, name);
	CHECK_EQ(module_sig_accept(&m), -ENOSPC);
	c_signed(&f, name, "1.0", kernel_build_id, UINT32_MAX);
	EXPECT(f.data, f.len, -ENOSPC, "too many module names to track secver");
	c_signed(&f, "mod1", "1.0", kernel_build_id, UINT32_MAX);
	EXPECT(f.data, f.len, 0, "");
	reset_secvers();
	buf_free(&f);
}

/* ---- the manifest's syntax ---- */

enum { EDIT_SUB, EDIT_APPEND, EDIT_CHOP_NL, EDIT_CUT_SHA, EDIT_NUL, EDIT_LONG };

static const struct manifest_case {
	int edit;
	const char *from, *to;
	int rc;
	const char *reason;	/* after "malformed manifest: " unless rc is 0 */
	unsigned int line_len;	/* EDIT_LONG: the version line's length with '\n' */
} manifest_cases[] = {
	{ EDIT_SUB, "name=demo\n", "nmae=demo\n", -EBADMSG, "unknown key 'nmae'", 0 },
	{ EDIT_SUB, "name=demo\n", "name =demo\n", -EBADMSG, "unknown key 'name '", 0 },
	{ EDIT_SUB, "format=2", "formatformatformatformat=2", -EBADMSG,
	  "unknown key 'formatformatform'", 0 },
	{ EDIT_SUB, "format=2", "=2", -EBADMSG, "unknown key ''", 0 },
	{ EDIT_APPEND, NULL, "comment=hi\n", -EBADMSG, "unknown key 'comment'", 0 },
	{ EDIT_SUB, "version=1.0\n", "version=1.0\nversion=1.0\n", -EBADMSG,
	  "duplicate key 'version'", 0 },
	{ EDIT_APPEND, NULL, "format=2\n", -EBADMSG, "duplicate key 'format'", 0 },
	{ EDIT_SUB, "version=1.0\n", "", -EBADMSG, "missing key 'version' before 'kernel'", 0 },
	{ EDIT_SUB, "format=2\nname=demo\n", "name=demo\nformat=2\n", -EBADMSG,
	  "missing key 'format' before 'name'", 0 },
	{ EDIT_CUT_SHA, NULL, NULL, -EBADMSG, "missing key 'sha512'", 0 },
	/* format 1, before ent= lines, is no longer read */
	{ EDIT_SUB, "format=2", "format=1", -EBADMSG, "bad format value", 0 },
	{ EDIT_SUB, "format=2", "format=3", -EBADMSG, "bad format value", 0 },
	{ EDIT_SUB, "format=2", "format=02", -EBADMSG, "bad format value", 0 },
	{ EDIT_SUB, "name=demo", "name=de mo", -EBADMSG, "bad name value", 0 },
	{ EDIT_SUB, "name=demo", "name=de.mo", -EBADMSG, "bad name value", 0 },
	{ EDIT_SUB, "name=demo", "name=", -EBADMSG, "bad name value", 0 },
	{ EDIT_SUB, "name=demo", "name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0,
	  "", 0 },
	{ EDIT_SUB, "name=demo", "name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  -EBADMSG, "bad name value", 0 },
	{ EDIT_SUB, "version=1.0", "version=1.0 beta", -EBADMSG, "bad version value", 0 },
	{ EDIT_SUB, "version=1.0", "version=", -EBADMSG, "bad version value", 0 },
	{ EDIT_SUB, "version=1.0", "version=~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~", 0, "", 0 },
	{ EDIT_SUB, "version=1.0", "version=~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~", -EBADMSG,
	  "bad version value", 0 },
	{ EDIT_SUB, "kernel=5f0c", "kernel=5F0C", -EBADMSG, "bad kernel value", 0 },
	{ EDIT_SUB, "kernel=5f0c", "kernel=5f0", -EBADMSG, "bad kernel value", 0 },
	{ EDIT_SUB, "kernel=5f0c", "kernel=5f0c0", -EBADMSG, "bad kernel value", 0 },
	{ EDIT_SUB, "secver=7\n", "secver=07\n", -EBADMSG, "bad secver value", 0 },
	{ EDIT_SUB, "secver=7\n", "secver=\n", -EBADMSG, "bad secver value", 0 },
	{ EDIT_SUB, "secver=7\n", "secver=-1\n", -EBADMSG, "bad secver value", 0 },
	{ EDIT_SUB, "secver=7\n", "secver=+7\n", -EBADMSG, "bad secver value", 0 },
	{ EDIT_SUB, "secver=7\n", "secver=0x7\n", -EBADMSG, "bad secver value", 0 },
	{ EDIT_SUB, "secver=7\n", "secver=4294967296\n", -EBADMSG, "bad secver value", 0 },
	{ EDIT_SUB, "secver=7\n", "secver=10000000000\n", -EBADMSG, "bad secver value", 0 },
	{ EDIT_SUB, "secver=7\n", "secver=4294967295\n", 0, "", 0 },
	{ EDIT_SUB, "secver=7\n", "secver=0\n", 0, "", 0 },
	{ EDIT_SUB, "keyid=0e02a5", "keyid=0e02A5", -EBADMSG, "bad keyid value", 0 },
	{ EDIT_SUB, "keyid=0e02a5", "keyid=0g02a5", -EBADMSG, "bad keyid value", 0 },
	{ EDIT_SUB, "keyid=0e02a5", "keyid=0e02a", -EBADMSG, "bad keyid value", 0 },
	{ EDIT_SUB, "sha512=", "sha512=0", -EBADMSG, "bad sha512 value", 0 },
	{ EDIT_SUB, "version=1.0\n", "version=1.0\r\n", -EBADMSG, "bad byte 0x0d at offset 30", 0 },
	{ EDIT_SUB, "name=demo", "name=d\xc3\xa9mo", -EBADMSG, "bad byte 0xc3 at offset 15", 0 },
	{ EDIT_SUB, "name=demo", "name=de\tmo", -EBADMSG, "bad byte 0x09 at offset 16", 0 },
	{ EDIT_NUL, NULL, NULL, -EBADMSG, "bad byte 0x00 at offset 14", 0 },
	{ EDIT_CHOP_NL, NULL, NULL, -EBADMSG, "no newline at end", 0 },
	{ EDIT_SUB, "format=2\n", "format=2\n\n", -EBADMSG, "line 2 has no '='", 0 },
	{ EDIT_SUB, "name=demo\n", "name demo\n", -EBADMSG, "line 2 has no '='", 0 },
	{ EDIT_APPEND, NULL, "\n", -EBADMSG, "line 8 has no '='", 0 },
	/* a line of 160 bytes is allowed (the value is not), 161 is too long */
	{ EDIT_LONG, NULL, NULL, -EBADMSG, "bad version value", 160 },
	{ EDIT_LONG, NULL, NULL, -EBADMSG, "line 3 too long", 161 },
	{ EDIT_LONG, NULL, NULL, -EBADMSG, "line 3 too long", 600 },
};

/* Each manifest, validly signed by the trusted key, gets exactly its verdict. */
static void test_manifest_syntax(void)
{
	char base[1024], text[2048], want[160], long_line[1024];
	struct buf f = { 0 };
	size_t len;

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	make_manifest(base, sizeof(base), payload, sizeof(payload), "demo", "1.0",
		      kernel_build_id, 7, signer_pub);
	for (unsigned int i = 0; i < ARRAY_SIZE(manifest_cases); i++) {
		const struct manifest_case *c = &manifest_cases[i];

		strcpy(text, base);
		len = strlen(text);
		switch (c->edit) {
		case EDIT_SUB:
			CHECK(str_sub(text, sizeof(text), c->from, c->to));
			len = strlen(text);
			break;
		case EDIT_APPEND:
			strcat(text, c->to);
			len = strlen(text);
			break;
		case EDIT_CHOP_NL:
			len--;
			break;
		case EDIT_CUT_SHA:
			len = (size_t)(strstr(text, "sha512=") - text);
			break;
		case EDIT_NUL:
			text[14] = '\0';
			break;
		case EDIT_LONG:
			memset(long_line, 'x', sizeof(long_line));
			memcpy(long_line, "version=", 8);
			long_line[c->line_len - 1] = '\0';
			CHECK(str_sub(text, sizeof(text), "version=1.0", long_line));
			len = strlen(text);
			break;
		}
		assemble(&f, payload, sizeof(payload), text, len, signer_secret, signer_pub);
		snprintf(want, sizeof(want), "%s%s", c->rc ? "malformed manifest: " : "",
			 c->reason);
		if (expect(__LINE__, f.data, f.len, c->rc, want) != c->rc)
			printf("# case %u\n", i);
	}
	buf_free(&f);
}

/* ---- every byte, every length ---- */

/* One changed byte anywhere is refused, with the verdict its region implies. */
static void test_flip_bytes(void)
{
	static const uint8_t masks[] = { 0x01, 0x20, 0x80, 0xff };
	size_t plen = sizeof(payload), block = good.len - plen, bad = 0, n = 0;
	struct module_manifest m;
	char reason[128];
	size_t out;

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	for (size_t i = 0; i < good.len; i++) {
		if (i < plen && i % 23 && i != plen - 1)
			continue;	/* a sample of the payload */
		for (unsigned int k = 0; k < ARRAY_SIZE(masks); k++) {
			size_t end = good.len - i;	/* bytes from i to the end */
			int rc, ok;

			good.data[i] ^= masks[k];
			rc = check_copy(good.data, good.len, &m, &out, reason);
			good.data[i] ^= masks[k];
			if (i < plen)
				ok = rc == -EILSEQ;
			else if (end > 96)
				ok = rc == -EBADMSG || rc == -ENOKEY || rc == -EKEYREJECTED;
			else if (end > 32)
				ok = rc == -EKEYREJECTED;
			else if (end > 16)
				ok = rc == -EBADMSG;
			else
				ok = rc == -ENODATA;
			n++;
			if (!ok && bad++ < 5)
				printf("# byte %zu ^ 0x%02x: %d \"%s\"\n", i, masks[k], rc, reason);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(n > 4 * block);
	EXPECT(good.data, good.len, 0, "");	/* the original still passes */
}

/* Every prefix is refused; so is dropping bytes from the front. */
static void test_truncate(void)
{
	size_t plen = sizeof(payload), bad = 0, out;
	struct module_manifest m;
	char reason[128];

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	for (size_t len = 0; len < good.len; len++)
		if (check_copy(good.data, len, &m, &out, reason) != -ENODATA && bad++ < 5)
			printf("# prefix %zu: \"%s\"\n", len, reason);
	for (size_t k = 1; k < good.len; k++) {
		int rc = check_copy(good.data + k, good.len - k, &m, &out, reason);
		int want = k <= plen ? -EILSEQ : good.len - k >= 32 ? -EBADMSG : -ENODATA;

		if (rc != want && bad++ < 5)
			printf("# drop %zu from the front: %d \"%s\"\n", k, rc, reason);
	}
	CHECK_EQ(bad, 0);
}

/* A short reason buffer is truncated and terminated, never overrun. */
static void test_reason_buffer(void)
{
	struct module_manifest m;
	size_t out;

	CHECK(ready);
	if (!ready)
		return;
	for (size_t size = 1; size < 12; size++) {
		char *r = malloc(size);

		CHECK_EQ(module_sig_check(payload, sizeof(payload), &out, &m, r, size), -ENODATA);
		CHECK(strlen(r) == MIN(size - 1, strlen("no signature")));
		CHECK(!strncmp(r, "no signature", strlen(r)));
		free(r);
	}
	CHECK_EQ(module_sig_check(payload, sizeof(payload), &out, &m, NULL, 0), -ENODATA);
	CHECK_EQ(module_sig_check(good.data, good.len, &out, &m, NULL, 0), 0);
}

#include "modsig_fuzz.h"
#include "modsig_ent.h"

int main(void)
{
	test_suite = "modsig";
	RUN(test_setup);
	RUN(test_good);
	RUN(test_sign_module_tool);
	RUN(test_gen_trusted_keys);
	RUN(test_reasons);
	RUN(test_rollback);
	RUN(test_manifest_syntax);
	RUN(test_flip_bytes);
	RUN(test_truncate);
	RUN(test_reason_buffer);
	RUN(test_fuzz_file);
	RUN(test_fuzz_manifest);
	RUN(test_ent_lines);
	RUN(test_ent_syntax);
	RUN(test_ent_limits);
	RUN(test_ent_grants);
	RUN(test_ent_flip_bits);
	RUN(test_ent_signer);
	RUN(test_ent_signer_errors);
	if (tmp_dir[0])
		sh("cd / && rm -rf '%s'", tmp_dir);
	buf_free(&good);
	TEST_EXIT();
}
