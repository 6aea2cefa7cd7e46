/*
 * Entitlement tests for tests/host/test_modsig.c: the ent= lines of a
 * manifest (kernel/module/ent_lines.c) parsed into exactly what they say
 * and printed back the same, every malformed or out-of-order line and
 * every count past its maximum refused with its reason, a key refusing
 * what it may not grant, every flipped bit of an ent= line refused, and
 * scripts/sign-module turning MODULE_ENTITLEMENT and MODULE_DEVICE_TABLE
 * into the lines the kernel reads, or failing on a bad declaration.
 * Included by test_modsig.c.
 */
#ifndef BASALT_TESTS_MODSIG_ENT_H
#define BASALT_TESTS_MODSIG_ENT_H

/* A module C-signed with @secret/@pub whose manifest ends with the lines @ents. */
static void c_signed_ent(struct buf *out, const char *ents, const uint8_t secret[32],
			 const uint8_t pub[32])
{
	char manifest[4096];
	int n = make_manifest(manifest, sizeof(manifest), payload, sizeof(payload), "demo", "1.0",
			      kernel_build_id, 7, pub);

	snprintf(manifest + n, sizeof(manifest) - (size_t)n, "%s", ents);
	assemble(out, payload, sizeof(payload), manifest, strlen(manifest), secret, pub);
}

#define EXPECT_ENT(ents, rc, why) expect_ent(__LINE__, ents, rc, why)

/* @ents, signed by the all-granting key, gives @rc and "malformed manifest: @why". */
static void expect_ent(int line, const char *ents, int rc, const char *why)
{
	struct buf f = { 0 };
	char want[160];

	c_signed_ent(&f, ents, signer_secret, signer_pub);
	snprintf(want, sizeof(want), "%s%s", rc == -EBADMSG ? "malformed manifest: " : "", why);
	expect(line, f.data, f.len, rc, want);
	buf_free(&f);
}

static const char all_kinds[] =
	"ent=pci:1234:11e8\nent=pci:8086:100e\nent=pci:*:*:010601/ffffff\n"
	"ent=virtio:4\nent=virtio:9:1af4\nent=dma\nent=ioport:0x0-0x7\nent=ioport:0x70-0x71\n"
	"ent=irq:4\nent=irq:8\nent=msr\nent=export\nent=cpu\n";

/* Every kind parses into its fields, prints back byte for byte, and answers right. */
static void test_ent_lines(void)
{
	struct module_manifest m;
	struct buf f = { 0 };
	char reason[128], text[1024];
	const struct module_entitlements *e = &m.ent;
	size_t plen, n;

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	c_signed_ent(&f, all_kinds, signer_secret, signer_pub);
	CHECK_EQ(check_copy(f.data, f.len, &m, &plen, reason), 0);
	CHECK_EQ(e->kinds, MODULE_ENT_ALL);
	CHECK_EQ(e->npci, 3);
	CHECK(e->pci[0].vendor == 0x1234 && e->pci[0].device == 0x11e8 && !e->pci[0].class_mask);
	CHECK(e->pci[2].vendor == MODULE_ENT_ANY && e->pci[2].device == MODULE_ENT_ANY &&
	      e->pci[2].class == 0x010601 && e->pci[2].class_mask == 0xffffff);
	CHECK_EQ(e->nvirtio, 2);
	CHECK(e->virtio[0].device == 4 && e->virtio[0].vendor == MODULE_ENT_ANY);
	CHECK(e->virtio[1].device == 9 && e->virtio[1].vendor == 0x1af4);
	CHECK_EQ(e->nioport, 2);
	CHECK(e->ioport[1].start == 0x70 && e->ioport[1].end == 0x71);
	CHECK_EQ(e->irqs, (1 << 4) | (1 << 8));

	n = module_ent_format(e, "ent=", "\n", text, sizeof(text));
	CHECK(n == strlen(all_kinds) && !strcmp(text, all_kinds));
	/* the /proc form, and a short buffer: cut and terminated, length still whole */
	n = module_ent_format(e, "", " ", text, sizeof(text));
	CHECK(!strncmp(text, "pci:1234:11e8 pci:8086:100e pci:*:*:010601/ffffff virtio:4 ", 59));
	CHECK_EQ(module_ent_format(e, "", " ", text, 10), n);
	CHECK(!strcmp(text, "pci:1234:"));
	CHECK_EQ(module_ent_format(e, "", " ", NULL, 0), n);

	CHECK(module_ent_has_pci(e, 0x1234, 0x11e8, 0x00ff00));
	CHECK(!module_ent_has_pci(e, 0x1234, 0x11e9, 0x00ff00));
	CHECK(module_ent_has_pci(e, 0x1b36, 0x0001, 0x010601));	/* by class */
	CHECK(!module_ent_has_pci(e, 0x1b36, 0x0001, 0x010602));
	CHECK(module_ent_has_virtio(e, 4, 0x1234) && module_ent_has_virtio(e, 9, 0x1af4));
	CHECK(!module_ent_has_virtio(e, 9, 0x1234) && !module_ent_has_virtio(e, 2, 0x1af4));
	CHECK(module_ent_has_ports(e, 0x70, 2) && module_ent_has_ports(e, 0x71, 1));
	CHECK(module_ent_has_ports(e, 0x0, 8) && !module_ent_has_ports(e, 0x0, 9));
	CHECK(!module_ent_has_ports(e, 0x70, 3) && !module_ent_has_ports(e, 0x6f, 2));
	CHECK(!module_ent_has_ports(e, 0x70, 0) && !module_ent_has_ports(e, ~0UL, 2));
	buf_free(&f);
}

static const struct { const char *ents; int rc; const char *why; } ent_cases[] = {
	{ "ent=\n", -EBADMSG, "unknown entitlement ''" },
	{ "ent=dmaa\n", -EBADMSG, "unknown entitlement 'dmaa'" },
	{ "ent=DMA\n", -EBADMSG, "unknown entitlement 'DMA'" },
	{ "ent=ioports:0x70-0x71\n", -EBADMSG, "unknown entitlement 'ioports:0x70-0x71'" },
	{ "ent=dma:1\n", -EBADMSG, "bad entitlement 'dma:1'" },
	{ "ent=dma:\n", -EBADMSG, "bad entitlement 'dma:'" },
	{ "ent=dma\nent=dma\n", -EBADMSG, "duplicate entitlement 'dma'" },
	{ "ent=export\nent=dma\n", -EBADMSG, "entitlement 'dma' out of order" },
	{ "ent=dma\nent=pci:1234:11e8\n", -EBADMSG, "entitlement 'pci:1234:11e8' out of order" },
	{ "ent=cpu\nent=msr\n", -EBADMSG, "entitlement 'msr' out of order" },
	/* pci */
	{ "ent=pci:1234:11e8\n", 0, "" },
	{ "ent=pci:*:11e8\n", 0, "" },
	{ "ent=pci:*:*:010600/ffff00\n", 0, "" },
	{ "ent=pci\n", -EBADMSG, "bad entitlement 'pci'" },
	{ "ent=pci:\n", -EBADMSG, "bad entitlement 'pci:'" },
	{ "ent=pci:1234\n", -EBADMSG, "bad entitlement 'pci:1234'" },
	{ "ent=pci:1234:11E8\n", -EBADMSG, "bad entitlement 'pci:1234:11E8'" },
	{ "ent=pci:1234:11e\n", -EBADMSG, "bad entitlement 'pci:1234:11e'" },
	{ "ent=pci:01234:11e8\n", -EBADMSG, "bad entitlement 'pci:01234:11e8'" },
	{ "ent=pci:**:11e8\n", -EBADMSG, "bad entitlement 'pci:**:11e8'" },
	{ "ent=pci:ffffffff:11e8\n", -EBADMSG, "bad entitlement 'pci:ffffffff:11e8'" },
	{ "ent=pci:1234:11e8:\n", -EBADMSG, "bad entitlement 'pci:1234:11e8:'" },
	{ "ent=pci:*:*:010601/000000\n", -EBADMSG, "bad entitlement 'pci:*:*:010601/000000'" },
	{ "ent=pci:*:*:010601/ffff00\n", -EBADMSG, "bad entitlement 'pci:*:*:010601/ffff00'" },
	{ "ent=pci:*:*:10600/ffff00\n", -EBADMSG, "bad entitlement 'pci:*:*:10600/ffff00'" },
	{ "ent=pci:*:*:010600-ffff00\n", -EBADMSG, "bad entitlement 'pci:*:*:010600-ffff00'" },
	{ "ent=pci:1234:11e8\nent=pci:1234:11e8\n", -EBADMSG, "bad entitlement 'pci:1234:11e8'" },
	{ "ent=pci:8086:100e\nent=pci:1234:11e8\n", -EBADMSG, "bad entitlement 'pci:1234:11e8'" },
	{ "ent=pci:*:11e8\nent=pci:1234:11e8\n", -EBADMSG, "bad entitlement 'pci:1234:11e8'" },
	/* virtio */
	{ "ent=virtio:4\n", 0, "" },
	{ "ent=virtio:65535\n", 0, "" },
	{ "ent=virtio:*\n", 0, "" },
	{ "ent=virtio:4:1af4\nent=virtio:4\n", 0, "" },
	{ "ent=virtio:4\nent=virtio:4:1af4\n", -EBADMSG, "bad entitlement 'virtio:4:1af4'" },
	{ "ent=virtio:0\n", -EBADMSG, "bad entitlement 'virtio:0'" },
	{ "ent=virtio:04\n", -EBADMSG, "bad entitlement 'virtio:04'" },
	{ "ent=virtio:65536\n", -EBADMSG, "bad entitlement 'virtio:65536'" },
	{ "ent=virtio:4:*\n", -EBADMSG, "bad entitlement 'virtio:4:*'" },
	{ "ent=virtio:4:1AF4\n", -EBADMSG, "bad entitlement 'virtio:4:1AF4'" },
	{ "ent=virtio\n", -EBADMSG, "bad entitlement 'virtio'" },
	/* ioport */
	{ "ent=ioport:0x0-0xffff\n", 0, "" },
	{ "ent=ioport:0x70-0x70\n", 0, "" },
	{ "ent=ioport:0x70-0x71\nent=ioport:0x73-0x74\n", 0, "" },
	{ "ent=ioport:0x70-0x71\nent=ioport:0x72-0x73\n", -EBADMSG,
	  "bad entitlement 'ioport:0x72-0x73'" },		/* adjacent: one range */
	{ "ent=ioport:0x70-0x73\nent=ioport:0x72-0x75\n", -EBADMSG,
	  "bad entitlement 'ioport:0x72-0x75'" },
	{ "ent=ioport:0x80-0x81\nent=ioport:0x70-0x71\n", -EBADMSG,
	  "bad entitlement 'ioport:0x70-0x71'" },
	{ "ent=ioport:0x71-0x70\n", -EBADMSG, "bad entitlement 'ioport:0x71-0x70'" },
	{ "ent=ioport:0x070-0x71\n", -EBADMSG, "bad entitlement 'ioport:0x070-0x71'" },
	{ "ent=ioport:0X70-0x71\n", -EBADMSG, "bad entitlement 'ioport:0X70-0x71'" },
	{ "ent=ioport:0x70-0x7G\n", -EBADMSG, "bad entitlement 'ioport:0x70-0x7G'" },
	{ "ent=ioport:0x70\n", -EBADMSG, "bad entitlement 'ioport:0x70'" },
	{ "ent=ioport:0x-0x1\n", -EBADMSG, "bad entitlement 'ioport:0x-0x1'" },
	{ "ent=ioport:0x10000-0x10000\n", -EBADMSG, "bad entitlement 'ioport:0x10000-0x10000'" },
	/* irq */
	{ "ent=irq:0\nent=irq:15\n", 0, "" },
	{ "ent=irq:16\n", -EBADMSG, "bad entitlement 'irq:16'" },
	{ "ent=irq:08\n", -EBADMSG, "bad entitlement 'irq:08'" },
	{ "ent=irq:-1\n", -EBADMSG, "bad entitlement 'irq:-1'" },
	{ "ent=irq:\n", -EBADMSG, "bad entitlement 'irq:'" },
	{ "ent=irq:8\nent=irq:8\n", -EBADMSG, "bad entitlement 'irq:8'" },
	{ "ent=irq:8\nent=irq:4\n", -EBADMSG, "bad entitlement 'irq:4'" },
	/* a long value is cut in the reason */
	{ "ent=pci:1234:11e8:012345/fffffff0000\n", -EBADMSG,
	  "bad entitlement 'pci:1234:11e8:012345/fff'" },
};

/* Each ent= line, validly signed, gets exactly its verdict. */
static void test_ent_syntax(void)
{
	char text[1024];
	struct buf f = { 0 };
	int n;

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	for (unsigned int i = 0; i < ARRAY_SIZE(ent_cases); i++)
		EXPECT_ENT(ent_cases[i].ents, ent_cases[i].rc, ent_cases[i].why);
	/* ent= lines only after the seven fixed ones, and a fixed one never after them */
	n = make_manifest(text, sizeof(text), payload, sizeof(payload), "demo", "1.0",
			  kernel_build_id, 7, signer_pub);
	CHECK(str_sub(text, sizeof(text), "sha512=", "ent=dma\nsha512="));
	assemble(&f, payload, sizeof(payload), text, strlen(text), signer_secret, signer_pub);
	EXPECT(f.data, f.len, -EBADMSG, "malformed manifest: missing key 'sha512' before 'ent'");
	n = make_manifest(text, sizeof(text), payload, sizeof(payload), "demo", "1.0",
			  kernel_build_id, 7, signer_pub);
	snprintf(text + n, sizeof(text) - (size_t)n, "ent=dma\nsecver=7\n");
	assemble(&f, payload, sizeof(payload), text, strlen(text), signer_secret, signer_pub);
	EXPECT(f.data, f.len, -EBADMSG, "malformed manifest: duplicate key 'secver'");
	buf_free(&f);
}

/* N lines "ent=<kind>:<value i>" into @out. */
static void ent_run(char *out, size_t size, unsigned int n, const char *fmt)
{
	size_t len = strlen(out);

	for (unsigned int i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, size - len, fmt, i, i);
}

/* Counts up to each maximum pass, one more is refused; all at once still fits. */
static void test_ent_limits(void)
{
	char ents[4096], manifest[4096];
	struct buf f = { 0 };
	size_t n;

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	ents[0] = '\0';
	ent_run(ents, sizeof(ents), MODULE_ENT_MAX_PCI, "ent=pci:1234:%04x\n");
	EXPECT_ENT(ents, 0, "");
	ent_run(ents, sizeof(ents), 1, "ent=pci:ffff:%04x\n");
	EXPECT_ENT(ents, -EBADMSG, "too many pci entitlements (at most 16)");
	ents[0] = '\0';
	ent_run(ents, sizeof(ents), MODULE_ENT_MAX_VIRTIO, "ent=virtio:1%u\n");
	EXPECT_ENT(ents, 0, "");
	ent_run(ents, sizeof(ents), 1, "ent=virtio:99%u\n");
	EXPECT_ENT(ents, -EBADMSG, "too many virtio entitlements (at most 8)");
	ents[0] = '\0';
	ent_run(ents, sizeof(ents), MODULE_ENT_MAX_IOPORT, "ent=ioport:0x%x00-0x%x01\n");
	EXPECT_ENT(ents, -EBADMSG, "bad entitlement 'ioport:0x000-0x001'");	/* 0x0, not 0x000 */
	ents[0] = '\0';
	ent_run(ents, sizeof(ents), MODULE_ENT_MAX_IOPORT, "ent=ioport:0x1%x00-0x1%x01\n");
	EXPECT_ENT(ents, 0, "");
	ent_run(ents, sizeof(ents), 1, "ent=ioport:0xf%x00-0xf%x01\n");
	EXPECT_ENT(ents, -EBADMSG, "too many ioport entitlements (at most 8)");
	ents[0] = '\0';
	ent_run(ents, sizeof(ents), MODULE_ENT_ISA_IRQS, "ent=irq:%u\n");
	EXPECT_ENT(ents, 0, "");

	/* every kind at its maximum, in its longest spelling, with the longest fixed lines */
	ents[0] = '\0';
	ent_run(ents, sizeof(ents), MODULE_ENT_MAX_PCI, "ent=pci:fff%x:ffff:ffff00/ffff0%x\n");
	ent_run(ents, sizeof(ents), MODULE_ENT_MAX_VIRTIO, "ent=virtio:6552%u:ff0%u\n");
	strcat(ents, "ent=dma\n");
	ent_run(ents, sizeof(ents), MODULE_ENT_MAX_IOPORT, "ent=ioport:0x8%x00-0x8%xfe\n");
	ent_run(ents, sizeof(ents), MODULE_ENT_ISA_IRQS, "ent=irq:%u\n");
	strcat(ents, "ent=msr\nent=export\nent=cpu\n");
	n = (size_t)make_manifest(manifest, sizeof(manifest), payload, sizeof(payload),
				  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
				  "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~", kernel_build_id, UINT32_MAX,
				  signer_pub);
	snprintf(manifest + n, sizeof(manifest) - n, "%s", ents);
	printf("# the largest manifest: %zu bytes of %d\n", strlen(manifest), MODSIG_MANIFEST_MAX);
	CHECK(strlen(manifest) <= MODSIG_MANIFEST_MAX);
	assemble(&f, payload, sizeof(payload), manifest, strlen(manifest), signer_secret,
		 signer_pub);
	EXPECT(f.data, f.len, 0, "");
	/* and a manifest past the maximum is a malformed trailer */
	while (strlen(manifest) <= MODSIG_MANIFEST_MAX)
		strcat(manifest, "ent=cpu\n");
	assemble(&f, payload, sizeof(payload), manifest, strlen(manifest), signer_secret,
		 signer_pub);
	EXPECT(f.data, f.len, -EBADMSG, "malformed trailer");
	buf_free(&f);
}

/* A key refuses the kinds it may not grant, after the checks that prove the manifest genuine. */
static void test_ent_grants(void)
{
	static const struct { const char *ents; int rc; const char *why; } cases[] = {
		{ "ent=pci:1234:11e8\nent=dma\n", 0, "" },
		{ "ent=virtio:4\nent=ioport:0x70-0x71\nent=irq:8\nent=export\n", 0, "" },
		{ "ent=msr\n", -EACCES, "entitlement 'msr' is more than key " THIRD_ID " may grant" },
		{ "ent=dma\nent=cpu\n", -EACCES,
		  "entitlement 'cpu' is more than key " THIRD_ID " may grant" },
		{ "ent=pci:1234:11e8\nent=msr\nent=cpu\n", -EACCES,
		  "entitlement 'msr' is more than key " THIRD_ID " may grant" },
	};
	char text[1024];
	struct buf f = { 0 };

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		c_signed_ent(&f, cases[i].ents, third_secret, third_pub);
		EXPECT(f.data, f.len, cases[i].rc, cases[i].why);
		/* the build's key grants it all */
		c_signed_ent(&f, cases[i].ents, signer_secret, signer_pub);
		EXPECT(f.data, f.len, 0, "");
	}
	/* a module for another kernel says so first */
	make_manifest(text, sizeof(text), payload, sizeof(payload), "demo", "1.0", OTHER_KERNEL,
		      7, third_pub);
	strcat(text, "ent=msr\n");
	assemble(&f, payload, sizeof(payload), text, strlen(text), third_secret, third_pub);
	EXPECT(f.data, f.len, -EXDEV, "built for another kernel (" OTHER_KERNEL ")");
	buf_free(&f);
}

/* Every bit of every ent= line flipped: the manifest no longer parses or no longer verifies. */
static void test_ent_flip_bits(void)
{
	struct module_manifest m;
	struct buf f = { 0 };
	unsigned int bad = 0, parse = 0, sig = 0;
	size_t mlen, ent_start, plen;
	char reason[128];

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	c_signed_ent(&f, all_kinds, signer_secret, signer_pub);
	mlen = get_le32(f.data + f.len - 32);
	ent_start = f.len - 96 - strlen(all_kinds);
	CHECK(!memcmp(f.data + ent_start, "ent=pci:", 8) && mlen > strlen(all_kinds));
	for (size_t i = ent_start; i < f.len - 96; i++) {
		for (int bit = 0; bit < 8; bit++) {
			int rc;

			f.data[i] ^= (uint8_t)(1u << bit);
			rc = check_copy(f.data, f.len, &m, &plen, reason);
			f.data[i] ^= (uint8_t)(1u << bit);
			parse += rc == -EBADMSG;
			sig += rc == -EKEYREJECTED;
			if (rc != -EBADMSG && rc != -EKEYREJECTED && bad++ < 5)
				printf("# byte %zu bit %d: %d \"%s\"\n", i, bit, rc, reason);
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(parse > 0 && sig > 0);	/* both: some flips still parse, and fail the signature */
	CHECK_EQ(check_copy(f.data, f.len, &m, &plen, reason), 0);
	buf_free(&f);
}

/* ---- scripts/sign-module ---- */

/*
 * Compile a module source: .modinfo holds "name=entsig" and each of the
 * '|'-separated @items; @tables is more C (ID tables, a __ksymtab entry).
 * Then sign it with the all-granting key. sign-module's exit status;
 * stderr is in err.txt, the module in ent.ko (signed on success).
 */
static int sign_source(const char *items, const char *tables, struct buf *out)
{
	char src[8192], item[256];
	size_t len;
	int n = 0;

	len = (size_t)snprintf(src, sizeof(src),
			       "struct pci_device_id { unsigned int v, d, sv, sd, c, m; };\n"
			       "struct virtio_device_id { unsigned int d, v; };\n"
			       "#define ANY 0xffffffffu\n"
			       "#define INFO(n, s) static const char n[] "
			       "__attribute__((used, section(\".modinfo\"))) = s\n"
			       "INFO(i_name, \"name=entsig\");\n%s\n", tables);
	for (const char *p = items; *p; n++) {
		size_t l = strcspn(p, "|");

		snprintf(item, sizeof(item), "%.*s", (int)l, p);
		len += (size_t)snprintf(src + len, sizeof(src) - len, "INFO(i_%d, \"%s\");\n", n,
					item);
		p += l + (p[l] == '|');
	}
	spill("ent.c", src, len);
	if (sh("gcc -c -fno-pic -O2 ent.c -o ent.ko 2>err.txt"))
		return -1;
	n = sh("'%s/scripts/sign-module' --kernel-id %s signer.pem ent.ko 2>err.txt", root_dir,
	       kernel_build_id);
	if (out)
		slurp("ent.ko", out);
	return n;
}

static const char good_tables[] =
	"const struct pci_device_id ids[] = {\n"
	"	{ 0x8086, 0x100e, ANY, ANY, 0, 0 }, { 0x1234, 0x11e8, ANY, ANY, 0, 0 },\n"
	"	{ ANY, ANY, ANY, ANY, 0x010601, 0xffffff },\n"
	"	{ 0x8086, 0x100e, 0x1af4, 1, 0, 0 },	/* the same device, narrower */\n"
	"	{ 0 } };\n"
	"const struct pci_device_id more[] = { { 0x8086, 0x10d3, ANY, ANY, 0x020000, 0 },\n"
	"	{ 0, 0, 0, 0, 0, 0 }, { 0xdead, 0xbeef, ANY, ANY, 0, 0 } };\n"
	"const struct virtio_device_id vids[] = { { 9, 0x1af4 }, { 4, ANY }, { 0, 0 } };\n"
	"const struct { unsigned long a; const char *n; } ksym\n"
	"	__attribute__((used, section(\"__ksymtab\"))) = { 0, \"x\" };\n";

/* What sign-module writes is the kernel's one spelling of the declarations. */
static void test_ent_signer(void)
{
	static const char want[] =
		"ent=pci:1234:11e8\nent=pci:8086:100e\nent=pci:8086:10d3\n"
		"ent=pci:*:*:010601/ffffff\nent=virtio:4\nent=virtio:9:1af4\nent=dma\n"
		"ent=ioport:0x60-0x60\nent=ioport:0x70-0x75\nent=irq:4\nent=irq:8\nent=export\n";
	struct module_manifest m;
	struct buf out = { 0 };
	char reason[128], text[1024], *ents;
	size_t plen, mlen;

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	CHECK_EQ(sign_source("version=1|entitlement=ioport=0x72-0x75|entitlement=ioport=0x70-0x71|"
			     "entitlement=irq=8|entitlement=irq=4|entitlement=dma|entitlement=dma|"
			     "entitlement=export|entitlement=ioport=0x60-0x60|entitlement=irq=8|"
			     "pci_table=ids|virtio_table=vids|pci_table=more",
			     good_tables, &out), 0);
	CHECK_EQ(check_copy(out.data, out.len, &m, &plen, reason), 0);
	mlen = get_le32(out.data + out.len - 32);
	snprintf(text, sizeof(text), "%.*s", (int)mlen, (char *)out.data + out.len - 96 - mlen);
	ents = strstr(text, "\nsha512=");
	ents = ents ? strchr(ents + 1, '\n') + 1 : text;	/* the lines after sha512= */
	CHECK(!strcmp(ents, want));
	if (strcmp(ents, want))
		printf("# manifest:\n%s# want the ent= lines:\n%s", text, want);
	CHECK(!strcmp(m.name, "entsig") && !strcmp(m.version, "1"));

	/* no entitlements: no ent= lines, and the old seven-line shape otherwise */
	CHECK_EQ(sign_source("", "int x;\n", &out), 0);
	CHECK_EQ(check_copy(out.data, out.len, &m, &plen, reason), 0);
	CHECK_EQ(m.ent.kinds, 0);
	buf_free(&out);
}

/* Each bad declaration fails the signer with a message naming the module and it. */
static void test_ent_signer_errors(void)
{
	static const struct { const char *items, *tables, *msg; } cases[] = {
		{ "entitlement=dmaa", "",
		  "module entsig: MODULE_ENTITLEMENT(\"dmaa\"): unknown entitlement" },
		{ "entitlement=pci=1234:11e8", "",
		  "MODULE_ENTITLEMENT(\"pci=1234:11e8\"): devices come from MODULE_DEVICE_TABLE" },
		{ "entitlement=ioport=0x71-0x70", "",
		  "MODULE_ENTITLEMENT(\"ioport=0x71-0x70\"): the range ends before it starts" },
		{ "entitlement=ioport=70-71", "",
		  "MODULE_ENTITLEMENT(\"ioport=70-71\"): need ioport=0xSTART-0xEND" },
		{ "entitlement=ioport=0x70-0x10000", "",
		  "MODULE_ENTITLEMENT(\"ioport=0x70-0x10000\"): need ioport=0xSTART-0xEND" },
		{ "entitlement=irq=16", "",
		  "MODULE_ENTITLEMENT(\"irq=16\"): irq 16 is not an ISA line (0-15)" },
		{ "entitlement=irq=x", "", "MODULE_ENTITLEMENT(\"irq=x\"): need irq=N" },
		{ "entitlement=dma=1", "", "MODULE_ENTITLEMENT(\"dma=1\"): unknown entitlement" },
		{ "pci_table=nosuch", "int x;",
		  "module entsig: MODULE_DEVICE_TABLE(pci, nosuch): no symbol nosuch" },
		{ "pci_table=t", "const struct pci_device_id t[] = { { 1, 2, ANY, ANY, 0, 0 } };",
		  "MODULE_DEVICE_TABLE(pci, t): the table does not end with an all-zero entry" },
		{ "pci_table=t", "const struct pci_device_id t[] = { { 0 } };",
		  "MODULE_DEVICE_TABLE(pci, t): the table has no entries" },
		{ "pci_table=t", "const struct pci_device_id t[] = { { 0x12345, 2, ANY, ANY }, {0} };",
		  "MODULE_DEVICE_TABLE(pci, t): vendor 0x12345 is not a 16-bit ID" },
		{ "pci_table=t", "const unsigned int t[5] = { 1, 2, 3, 4, 5 };",
		  "MODULE_DEVICE_TABLE(pci, t): t (20 bytes) is not an array of 24-byte IDs" },
		{ "virtio_table=t", "const struct virtio_device_id t[] = { { 4, ANY } };",
		  "MODULE_DEVICE_TABLE(virtio, t): the table does not end with an entry whose device is 0" },
		{ "usb_table=t", "int t;",
		  "MODULE_DEVICE_TABLE(usb, ...): only pci and virtio tables are known" },
		{ "", "const struct { unsigned long a; const char *n; } k "
		      "__attribute__((used, section(\"__ksymtab\"))) = { 0, \"x\" };",
		  "module entsig: it exports symbols (EXPORT_SYMBOL, 1 in __ksymtab) but does not "
		  "declare MODULE_ENTITLEMENT(\"export\")" },
		{ "pci_table=t", "const struct pci_device_id t[] = { "
		  "{1,1,ANY,ANY},{1,2,ANY,ANY},{1,3,ANY,ANY},{1,4,ANY,ANY},{1,5,ANY,ANY},"
		  "{1,6,ANY,ANY},{1,7,ANY,ANY},{1,8,ANY,ANY},{1,9,ANY,ANY},{1,10,ANY,ANY},"
		  "{1,11,ANY,ANY},{1,12,ANY,ANY},{1,13,ANY,ANY},{1,14,ANY,ANY},{1,15,ANY,ANY},"
		  "{1,16,ANY,ANY},{1,17,ANY,ANY},{0} };",
		  "module entsig: 17 PCI IDs: a manifest holds at most 16" },
	};
	struct buf before = { 0 }, after = { 0 };

	CHECK(ready);
	if (!ready)
		return;
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = sign_source(cases[i].items, cases[i].tables, NULL);

		if (rc == -1) {
			printf("# case %u did not compile\n", i);
			CHECK(0);
			continue;
		}
		CHECK(rc != 0);
		CHECK(err_has(cases[i].msg));
	}
	/* a refused module is left as it was: not signed */
	sign_source("entitlement=irq=99", "", NULL);
	CHECK_EQ(slurp("ent.ko", &after), 0);
	CHECK(after.len < 16 || memcmp(after.data + after.len - 16, "BASALT-MODSIG-01", 16));
	buf_free(&before);
	buf_free(&after);
}

#endif
