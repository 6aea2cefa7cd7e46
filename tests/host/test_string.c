/*
 * Host tests for lib/string.c. host_rename.h compiles our functions as
 * basalt_*; after the include below the plain names are #undef'd again so
 * that they mean the host libc, which serves as the reference. Inputs are
 * pseudo-random (fixed seed) with unaligned pointers and overlapping ranges,
 * and exact-size heap buffers let ASan catch any access out of bounds.
 */
#include "../../lib/string.c"

#include <limits.h>

#include "test.h"

#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strstr
#undef strcpy
#undef strncpy
#undef strlcpy

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static size_t rng_below(size_t n)
{
	return n ? rng() % n : 0;
}

static void fill_random(unsigned char *p, size_t n)
{
	while (n--)
		*p++ = (unsigned char)rng();
}

/* A NUL-terminated string of @len characters drawn from @alphabet. */
static char *random_string(size_t len, const char *alphabet)
{
	size_t na = strlen(alphabet);
	char *s = malloc(len + 1);

	for (size_t i = 0; i < len; i++)
		s[i] = alphabet[rng_below(na)];
	s[len] = '\0';
	return s;
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_memcpy(void)
{
	unsigned char src[300], got[300], want[300];

	for (int iter = 0; iter < 20000; iter++) {
		size_t n = rng_below(200), so = rng_below(50), dof = rng_below(50);

		fill_random(src, sizeof(src));
		fill_random(got, sizeof(got));
		memcpy(want, got, sizeof(got));
		CHECK(basalt_memcpy(got + dof, src + so, n) == got + dof);
		memcpy(want + dof, src + so, n);
		if (memcmp(got, want, sizeof(got)) != 0) {
			CHECK(!"memcpy result or guard bytes differ");
			printf("# n=%zu src+%zu dst+%zu\n", n, so, dof);
			return;
		}
	}

	/* Exact-size heap buffers: any overrun is an ASan report. */
	for (size_t n = 0; n < 80; n++) {
		unsigned char *a = malloc(n), *b = malloc(n);

		fill_random(a, n);
		basalt_memcpy(b, a, n);
		CHECK(memcmp(a, b, n) == 0);
		free(a);
		free(b);
	}
}

static void test_memmove_overlap(void)
{
	unsigned char buf[400], ref[400];

	for (int iter = 0; iter < 30000; iter++) {
		size_t n = rng_below(150);
		size_t so = rng_below(sizeof(buf) - n), dof = rng_below(sizeof(buf) - n);

		/* Mostly overlapping ranges: keep the offsets close. */
		if (iter & 1) {
			size_t near = so + rng_below(17);

			dof = near < sizeof(buf) - n ? near : so;
		}
		fill_random(buf, sizeof(buf));
		memcpy(ref, buf, sizeof(buf));
		CHECK(basalt_memmove(buf + dof, buf + so, n) == buf + dof);
		memmove(ref + dof, ref + so, n);
		if (memcmp(buf, ref, sizeof(buf)) != 0) {
			CHECK(!"memmove differs from libc");
			printf("# n=%zu src+%zu dst+%zu\n", n, so, dof);
			return;
		}
	}

	for (size_t n = 0; n < 70; n++) {
		unsigned char *p = malloc(n + 9);

		for (size_t shift = 0; shift <= 9 && n; shift++) {
			unsigned char want[80];

			fill_random(p, n + 9);
			memcpy(want, p, n);
			basalt_memmove(p + shift, p, n);
			CHECK(memcmp(p + shift, want, n) == 0);
			fill_random(p, n + 9);
			memcpy(want, p + shift, n);
			basalt_memmove(p, p + shift, n);
			CHECK(memcmp(p, want, n) == 0);
		}
		free(p);
	}
}

static void test_memset_memcmp(void)
{
	static const int values[] = {
		0, 1, 0x5a, 0x7f, 0x80, 0xff, 0x100, 0x1ab, -1, -128, INT_MIN,
	};
	unsigned char got[300], want[300];

	for (int iter = 0; iter < 20000; iter++) {
		size_t n = rng_below(200), off = rng_below(60);
		int c = values[rng_below(sizeof(values) / sizeof(values[0]))];

		fill_random(got, sizeof(got));
		memcpy(want, got, sizeof(got));
		CHECK(basalt_memset(got + off, c, n) == got + off);
		memset(want + off, c, n);
		if (memcmp(got, want, sizeof(got)) != 0) {
			CHECK(!"memset differs from libc");
			printf("# n=%zu off=%zu c=%d\n", n, off, c);
			return;
		}
	}

	for (int iter = 0; iter < 20000; iter++) {
		size_t n = rng_below(40), off = rng_below(8);
		unsigned char a[64], b[64];

		fill_random(a, sizeof(a));
		memcpy(b, a, sizeof(a));
		/* Usually differ in one byte, high-bit bytes included. */
		if (n && (iter % 4))
			b[off + rng_below(n)] = (unsigned char)rng();
		int want = sign(memcmp(a + off, b + off, n));

		CHECK_EQ(sign(basalt_memcmp(a + off, b + off, n)), want);
	}
	CHECK(basalt_memcmp("\x80", "\x7f", 1) > 0);
	CHECK(basalt_memcmp("abc", "abd", 0) == 0);
}

static void test_length_and_compare(void)
{
	for (int iter = 0; iter < 5000; iter++) {
		size_t la = rng_below(40), lb = rng_below(3) ? la : rng_below(40);
		char *a = random_string(la, "ab\x7f\x80\xff");
		char *b = random_string(lb, "ab\x7f\x80\xff");
		size_t n = rng_below(45), max = rng_below(45);

		CHECK_EQ(basalt_strlen(a), strlen(a));
		CHECK_EQ(basalt_strnlen(a, max), strnlen(a, max));
		CHECK_EQ(sign(basalt_strcmp(a, b)), sign(strcmp(a, b)));
		CHECK_EQ(sign(basalt_strncmp(a, b, n)), sign(strncmp(a, b, n)));
		CHECK_EQ(basalt_strcmp(a, a), 0);
		free(a);
		free(b);
	}
	CHECK_EQ(basalt_strlen(""), 0);
	CHECK_EQ(basalt_strnlen("abc", 0), 0);
	CHECK(basalt_strcmp("a", "ab") < 0);
	CHECK(basalt_strcmp("\xff", "a") > 0);
	CHECK_EQ(basalt_strncmp("abcX", "abcY", 3), 0);

	/* strnlen must not read past @max: a buffer with no terminator. */
	char *raw = malloc(5);

	memcpy(raw, "hello", 5);
	CHECK_EQ(basalt_strnlen(raw, 5), 5);
	CHECK_EQ(basalt_strncmp(raw, "help", 3), 0);
	free(raw);
}

static void test_search(void)
{
	for (int iter = 0; iter < 5000; iter++) {
		char *h = random_string(rng_below(60), "abc");
		char *nd = random_string(rng_below(5), "abc");
		int c = "abcd\0\x80"[rng_below(6)];

		CHECK(basalt_strchr(h, c) == strchr(h, c));
		CHECK(basalt_strrchr(h, c) == strrchr(h, c));
		CHECK(basalt_strstr(h, nd) == strstr(h, nd));
		free(h);
		free(nd);
	}

	const char *s = "hello world";

	CHECK(basalt_strchr(s, '\0') == s + 11);
	CHECK(basalt_strrchr(s, '\0') == s + 11);
	CHECK(basalt_strchr(s, 'o') == s + 4);
	CHECK(basalt_strrchr(s, 'o') == s + 7);
	CHECK(basalt_strchr(s, 'z') == NULL);
	CHECK(basalt_strchr(s, 'h' + 256) == s);
	CHECK(basalt_strstr(s, "") == s);
	CHECK(basalt_strstr("", "") != NULL);
	CHECK(basalt_strstr("", "a") == NULL);
	CHECK(basalt_strstr(s, "world") == s + 6);
	CHECK(basalt_strstr(s, "worlds") == NULL);
	CHECK(basalt_strstr("aaab", "aab") != NULL);
}

static void test_copy_strings(void)
{
	char got[32], want[32];

	for (int iter = 0; iter < 5000; iter++) {
		size_t len = rng_below(20), n = rng_below(24);
		char *src = random_string(len, "xyz");

		memset(got, '#', sizeof(got));
		memset(want, '#', sizeof(want));
		CHECK(basalt_strcpy(got + 3, src) == got + 3);
		strcpy(want + 3, src);
		CHECK(memcmp(got, want, sizeof(got)) == 0);

		memset(got, '#', sizeof(got));
		memset(want, '#', sizeof(want));
		CHECK(basalt_strncpy(got + 1, src, n) == got + 1);
		strncpy(want + 1, src, n);
		CHECK(memcmp(got, want, sizeof(got)) == 0);
		free(src);
	}

	/* strlcpy: truncates, always terminates, returns strlen(src). */
	memset(got, '#', sizeof(got));
	CHECK_EQ(basalt_strlcpy(got, "hello", sizeof(got)), 5);
	CHECK(strcmp(got, "hello") == 0);
	CHECK_EQ(basalt_strlcpy(got, "hello", 3), 5);
	CHECK(strcmp(got, "he") == 0);
	CHECK_EQ(got[3], 'l');
	memset(got, '#', sizeof(got));
	CHECK_EQ(basalt_strlcpy(got, "hello", 0), 5);
	CHECK_EQ(got[0], '#');
	CHECK_EQ(basalt_strlcpy(got, "hello", 1), 5);
	CHECK_EQ(got[0], '\0');
	CHECK_EQ(basalt_strlcpy(got, "hello", 6), 5);
	CHECK(strcmp(got, "hello") == 0);
	CHECK_EQ(basalt_strlcpy(got, "", 4), 0);
	CHECK_EQ(got[0], '\0');
}

/* Expected kstrtoull/kstrtoll results: value and characters consumed. */
struct num_case {
	const char *s;
	int base;
	long long val;
	int used;
};

static void test_kstrtoull_cases(void)
{
	static const struct num_case cases[] = {
		{ "0", 0, 0, 1 },
		{ "123abc", 10, 123, 3 },
		{ "  \t\n42", 0, 42, 6 },
		{ "+7", 10, 7, 2 },
		{ "0x1f", 0, 31, 4 },
		{ "0X1F", 0, 31, 4 },
		{ "0x1f", 16, 31, 4 },
		{ "1f", 16, 31, 2 },
		{ "0x", 0, 0, 1 },
		{ "0xg", 16, 0, 1 },
		{ "0777", 0, 511, 4 },
		{ "0789", 0, 7, 2 },
		{ "101102", 2, 22, 5 },
		{ "zz", 36, 1295, 2 },
		{ "0x1", 36, 1189, 3 },
		{ "", 10, 0, 0 },
		{ "   ", 10, 0, 0 },
		{ "abc", 10, 0, 0 },
		{ "-5", 10, 0, 0 },
		{ "+-5", 10, 0, 0 },
		{ "5", 1, 0, 0 },
		{ "5", 37, 0, 0 },
		{ "5", -2, 0, 0 },
	};
	char *end;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct num_case *c = &cases[i];
		unsigned long long v = kstrtoull(c->s, &end, c->base);

		if (v != (unsigned long long)c->val || end != c->s + c->used) {
			printf("# kstrtoull(\"%s\", %d) = %llu, used %td\n", c->s, c->base, v,
			       end - c->s);
			CHECK(!"kstrtoull case");
		}
	}

	CHECK(kstrtoull("18446744073709551615", &end, 10) == ULLONG_MAX);
	CHECK_EQ(*end, '\0');
	CHECK(kstrtoull("18446744073709551616x", &end, 10) == ULLONG_MAX);
	CHECK_EQ(*end, 'x');
	CHECK(kstrtoull("0xffffffffffffffff", NULL, 0) == ULLONG_MAX);
	CHECK(kstrtoull("0x10000000000000000", NULL, 0) == ULLONG_MAX);
	CHECK(kstrtoull("1777777777777777777777", NULL, 8) == ULLONG_MAX);
	CHECK(kstrtoull("2000000000000000000000", NULL, 8) == ULLONG_MAX);
	CHECK(kstrtoull("1777777777777777777776", NULL, 8) == ULLONG_MAX - 1);
}

static void test_kstrtoll_cases(void)
{
	char *end;

	CHECK(kstrtoll("-42", &end, 10) == -42);
	CHECK_EQ(*end, '\0');
	CHECK(kstrtoll(" -0x10", NULL, 0) == -16);
	CHECK(kstrtoll("9223372036854775807", NULL, 10) == LLONG_MAX);
	CHECK(kstrtoll("9223372036854775808", NULL, 10) == LLONG_MAX);
	CHECK(kstrtoll("-9223372036854775808", NULL, 10) == LLONG_MIN);
	CHECK(kstrtoll("-9223372036854775809", &end, 10) == LLONG_MIN);
	CHECK_EQ(*end, '\0');
	CHECK(kstrtoll("-99999999999999999999999", NULL, 10) == LLONG_MIN);
	CHECK(kstrtoll("-0", NULL, 10) == 0);
	CHECK(kstrtoll("-", &end, 10) == 0);
	CHECK_EQ(*end, '-');
	CHECK(kstrtoll("--1", &end, 10) == 0);
	CHECK_EQ(*end, '-');
	CHECK(kstrtoll("-0x8000000000000000", NULL, 16) == LLONG_MIN);
}

/* Random strings in random bases agree with the host's strtoull/strtoll. */
static void test_kstrto_random(void)
{
	static const int bases[] = { 0, 2, 8, 10, 16, 36 };

	for (int iter = 0; iter < 50000; iter++) {
		char *s = random_string(rng_below(30), iter & 1 ? " +-0x179afAFzZ" : "0123456789");
		int base = iter % 3 ? bases[rng_below(6)] : 2 + (int)rng_below(35);
		char *end_ours, *end_host;

		if (iter % 4 == 0 && strlen(s) > 1)
			s[1] = 'x';
		if (!strchr(s, '-')) {
			unsigned long long ours = kstrtoull(s, &end_ours, base);
			unsigned long long host = strtoull(s, &end_host, base);

			if (ours != host || end_ours != end_host) {
				printf("# kstrtoull(\"%s\", %d): %llu/%td vs %llu/%td\n", s, base,
				       ours, end_ours - s, host, end_host - s);
				CHECK(!"kstrtoull differs from strtoull");
			}
		}
		long long ours = kstrtoll(s, &end_ours, base);
		long long host = strtoll(s, &end_host, base);

		if (ours != host || end_ours != end_host) {
			printf("# kstrtoll(\"%s\", %d): %lld/%td vs %lld/%td\n", s, base, ours,
			       end_ours - s, host, end_host - s);
			CHECK(!"kstrtoll differs from strtoll");
		}
		free(s);
		if (test_cur_failed)
			return;
	}
}

int main(void)
{
	test_suite = "string";
	RUN(test_memcpy);
	RUN(test_memmove_overlap);
	RUN(test_memset_memcmp);
	RUN(test_length_and_compare);
	RUN(test_search);
	RUN(test_copy_strings);
	RUN(test_kstrtoull_cases);
	RUN(test_kstrtoll_cases);
	RUN(test_kstrto_random);
	TEST_EXIT();
}
