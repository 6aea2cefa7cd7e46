/*
 * Random mutation fuzz for tests/host/test_modsig.c, with fixed seeds so a
 * failure reproduces. test_fuzz_file mutates whole signed files (bytes,
 * lengths, trailer fields, manifest lines, keeping manifest_len in step
 * half of the time) and requires that no changed file is accepted;
 * test_fuzz_manifest mutates only the manifest and signs it again with the
 * trusted key, so the parser's every path is reached (ent= lines too), and
 * requires that an accepted manifest is the one canonical spelling of what
 * it parsed to.
 * Included by test_modsig.c; ASan and UBSan watch every run.
 */
#ifndef BASALT_TESTS_MODSIG_FUZZ_H
#define BASALT_TESTS_MODSIG_FUZZ_H

#define FUZZ_FILE_RUNS		30000
#define FUZZ_MANIFEST_RUNS	6000

static const char fuzz_chars[] = "=\n0179afgAF -_.~:*x/\r\t\x01\x7f\x80\xff";

/* Entitlement lines in the fuzzed manifest, so the ent= parser is reached too. */
static const char fuzz_ents[] =
	"ent=pci:1234:11e8\nent=pci:8086:*:010600/ffff00\nent=virtio:4\nent=dma\n"
	"ent=ioport:0x70-0x71\nent=irq:8\nent=export\n";

static void buf_insert(struct buf *b, size_t pos, const void *p, size_t n)
{
	b->data = realloc(b->data, b->len + n + 1);
	if (!b->data)
		abort();
	memmove(b->data + pos + n, b->data + pos, b->len - pos);
	memcpy(b->data + pos, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void buf_delete(struct buf *b, size_t pos, size_t n)
{
	memmove(b->data + pos, b->data + pos + n, b->len - pos - n);
	b->len -= n;
}

static uint32_t fuzz_u32(size_t len, size_t mlen)
{
	static const uint32_t v[] = { 0, 1, 63, 64, 65, 96, 1023, 1024, 1025,
				      0x7fffffff, 0x80000000, 0xffffffff };
	uint32_t r = rng();

	switch (r % 4) {
	case 0:
		return v[(r >> 8) % ARRAY_SIZE(v)];
	case 1:
		return (uint32_t)(mlen + (r >> 8) % 5 - 2);
	case 2:
		return (uint32_t)(len - 96 + (r >> 8) % 5 - 2);
	default:
		return rng();
	}
}

/* Start and end of the line of @text (length @len) that holds @pos. */
static void line_at(const uint8_t *text, size_t len, size_t pos, size_t *start, size_t *end)
{
	*start = pos;
	while (*start > 0 && text[*start - 1] != '\n')
		(*start)--;
	*end = pos;
	while (*end < len && text[*end] != '\n')
		(*end)++;
	if (*end < len)
		(*end)++;
}

/*
 * One mutation of @b, a text (@file false) or a whole signed file whose
 * manifest is *@mlen bytes; in a file, an edit inside the manifest updates
 * the trailer's manifest_len on odd runs so the parser gets to see it.
 */
static void mutate(struct buf *b, size_t *mlen, bool file, bool keep_len)
{
	size_t lo = 0, hi = b->len, pos, s, e;
	uint8_t c = (uint8_t)fuzz_chars[rng() % (sizeof(fuzz_chars) - 1)];
	bool in_manifest = false;
	uint32_t op = rng() % (file ? 10 : 6);

	if (file && b->len >= *mlen + 96) {
		switch (rng() % 8) {
		case 0 ... 3:	/* the manifest */
			lo = b->len - 96 - *mlen;
			hi = b->len - 96;
			in_manifest = true;
			break;
		case 4:		/* the signature */
			lo = b->len - 96;
			hi = b->len - 32;
			break;
		case 5:		/* the payload */
			hi = b->len - 96 - *mlen;
			break;
		}
	}
	if (hi == lo && op < 6)
		op = 7;
	pos = hi > lo ? lo + rng() % (hi - lo) : lo;

	switch (op) {
	case 0:
		b->data[pos] ^= (uint8_t)(1u << (rng() % 8));
		break;
	case 1:
		b->data[pos] = rng() % 2 ? c : (uint8_t)rng();
		break;
	case 2:			/* insert */
		buf_insert(b, pos, &c, 1);
		if (in_manifest)
			(*mlen)++;
		break;
	case 3:			/* delete */
		buf_delete(b, pos, 1);
		if (in_manifest)
			(*mlen)--;
		break;
	case 4:			/* repeat a line somewhere */
	case 5:			/* drop a line */
		line_at(b->data, hi, pos, &s, &e);
		if (s < lo)
			s = lo;
		if (op == 5) {
			buf_delete(b, s, e - s);
			if (in_manifest)
				*mlen -= e - s;
		} else {
			uint8_t copy[2048];
			size_t at = lo + rng() % (hi - lo + 1), n = MIN(e - s, sizeof(copy));

			memcpy(copy, b->data + s, n);
			line_at(b->data, hi, MIN(at, hi - 1), &at, &e);
			buf_insert(b, at, copy, n);
			if (in_manifest)
				*mlen += n;
		}
		break;
	case 6:			/* a trailer field */
		if (b->len >= 32)
			put_le32(b->data + b->len - 32 + 4 * (rng() % 4),
				 fuzz_u32(b->len, *mlen));
		return;
	case 7:			/* truncate */
		b->len = b->len ? rng() % b->len : 0;
		return;
	case 8:			/* append */
		for (uint32_t n = 1 + rng() % 8; n; n--) {
			c = (uint8_t)rng();
			buf_insert(b, b->len, &c, 1);
		}
		return;
	case 9:			/* drop bytes from the front */
		s = rng() % 64;
		buf_delete(b, 0, MIN(b->len, s));
		return;
	}
	if (in_manifest && keep_len && b->len >= 32)
		put_le32(b->data + b->len - 32, (uint32_t)*mlen);
}

/* The reason is one short line of printable ASCII. */
static bool reason_ok(const char *r)
{
	size_t n = strnlen(r, 128);

	if (n == 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if (r[i] < 0x20 || r[i] > 0x7e)
			return false;
	return true;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_fuzz_file(void)
{
	unsigned int count[6] = { 0 }, bad = 0, same = 0;
	size_t mlen0, out;
	struct module_manifest m;
	char reason[128];
	double t0 = now();

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	rng_state = 0xf0220001;
	mlen0 = get_le32(good.data + good.len - 32);
	for (unsigned int i = 0; i < FUZZ_FILE_RUNS; i++) {
		struct buf f = { 0 };
		size_t mlen = mlen0;
		int rc;

		buf_add(&f, good.data, good.len);
		for (uint32_t k = 1 + rng() % 4; k; k--)
			mutate(&f, &mlen, true, i % 2);
		rc = check_copy(f.data, f.len, &m, &out, reason);
		if (f.len == good.len && !memcmp(f.data, good.data, f.len)) {
			same++;
			if (rc != 0 && bad++ < 5)
				printf("# run %u: unchanged file refused: %s\n", i, reason);
		} else if ((rc == 0 || !reason_ok(reason)) && bad++ < 5) {
			printf("# run %u: mutated file gave %d \"%s\"\n", i, rc, reason);
		}
		count[rc == -ENODATA ? 0 : rc == -EBADMSG ? 1 : rc == -ENOKEY ? 2 :
		      rc == -EKEYREJECTED ? 3 : rc == -EILSEQ ? 4 : 5]++;
		buf_free(&f);
	}
	CHECK_EQ(bad, 0);
	/* the mutations reach every stage that a random change can reach */
	CHECK(count[0] && count[1] && count[2] && count[3] && count[4]);
	CHECK_EQ(count[5], same);
	printf("# fuzz file: %u runs in %.2f s: no signature %u, malformed %u, unknown key %u, "
	       "bad signature %u, digest %u, accepted %u (unchanged %u)\n", FUZZ_FILE_RUNS,
	       now() - t0, count[0], count[1], count[2], count[3], count[4], count[5], same);
}

static void test_fuzz_manifest(void)
{
	unsigned int accepted = 0, malformed = 0, bad = 0;
	struct buf text = { 0 }, f = { 0 };
	char base[1024], canon[1024], hex[129];
	size_t n;
	struct module_manifest m;
	char reason[128];
	double t0 = now();
	size_t out, unused = 0;

	CHECK(ready);
	if (!ready)
		return;
	reset_secvers();
	rng_state = 0xf0220002;
	make_manifest(base, sizeof(base), payload, sizeof(payload), "demo", "1.0",
		      kernel_build_id, 7, signer_pub);
	strcat(base, fuzz_ents);
	for (unsigned int i = 0; i < FUZZ_MANIFEST_RUNS; i++) {
		int rc;

		buf_free(&text);
		buf_add(&text, base, strlen(base));
		for (uint32_t k = 1 + rng() % 3; k; k--)
			if (text.len)
				mutate(&text, &unused, false, false);
		assemble(&f, payload, sizeof(payload), (char *)text.data, text.len,
			 signer_secret, signer_pub);
		rc = check_copy(f.data, f.len, &m, &out, reason);
		malformed += rc == -EBADMSG;
		if (!reason_ok(reason) && bad++ < 5)
			printf("# run %u: bad reason \"%s\"\n", i, reason);
		if (rc != 0)
			continue;
		accepted++;
		hex_encode(hex, m.sha512, 64);
		n = (size_t)snprintf(canon, sizeof(canon),
				     "format=2\nname=%s\nversion=%s\nkernel=%s\nsecver=%u\nkeyid=%s\n"
				     "sha512=%s\n", m.name, m.version, m.kernel_id, m.secver,
				     m.key_id, hex);
		module_ent_format(&m.ent, "ent=", "\n", canon + n, sizeof(canon) - n);
		if ((strlen(canon) != text.len || memcmp(canon, text.data, text.len)) &&
		    bad++ < 5)
			printf("# run %u: accepted a manifest that is not canonical: %.*s\n", i,
			       (int)text.len, (char *)text.data);
	}
	CHECK_EQ(bad, 0);
	CHECK(accepted > 0 && malformed > 0);
	printf("# fuzz manifest: %u runs in %.2f s: accepted %u, malformed %u\n",
	       FUZZ_MANIFEST_RUNS, now() - t0, accepted, malformed);
	buf_free(&text);
	buf_free(&f);
}

#endif
