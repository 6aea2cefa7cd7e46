/*
 * Host tests for lib/printf.c. Our vsnprintf is compiled as basalt_vsnprintf
 * (tests/host/host_rename.h); the plain names are #undef'd below so that
 * they mean the host libc, whose output is the reference for every standard
 * conversion. Each comparison runs at several buffer sizes, down to 0 with a
 * NULL buffer, and checks that no byte past the size is touched. %p, %pS
 * and the non-standard corners are checked against fixed strings.
 */
#include "../../lib/printf.c"

#include <limits.h>
#include <stdint.h>

#include "test.h"

#undef vsnprintf
#undef snprintf

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BUF_SIZE 512

static int reported;

/* Format with ours and libc at several sizes; both buffers must match fully. */
__attribute__((format(printf, 1, 2)))
static void check_fmt(const char *fmt, ...)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 8, 17, 64, BUF_SIZE };
	char ours[BUF_SIZE + 16], host[BUF_SIZE + 16];
	va_list ap;

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		int r_ours, r_host;

		memset(ours, 0x5a, sizeof(ours));
		memset(host, 0x5a, sizeof(host));
		va_start(ap, fmt);
		r_ours = basalt_vsnprintf(size ? ours : NULL, size, fmt, ap);
		va_end(ap);
		va_start(ap, fmt);
		r_host = vsnprintf(size ? host : NULL, size, fmt, ap);
		va_end(ap);

		if (r_ours == r_host && memcmp(ours, host, sizeof(ours)) == 0)
			continue;
		test_cur_failed = 1;
		if (reported++ < 20)
			printf("# \"%s\" size %zu: ours %d \"%.*s\", libc %d \"%.*s\"\n", fmt, size,
			       r_ours, (int)strnlen(ours, size), ours, r_host,
			       (int)strnlen(host, size), host);
		return;
	}
}

/* Our snprintf into a fresh buffer, compared with a fixed expected string. */
static void check_ours(const char *want, const char *fmt, ...)
{
	char buf[BUF_SIZE];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = basalt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (r != (int)strlen(want) || strcmp(buf, want) != 0) {
		test_cur_failed = 1;
		printf("# \"%s\": got %d \"%s\", want \"%s\"\n", fmt, r, buf, want);
	}
}

static const long long int_values[] = {
	0, 1, -1, 7, -7, 42, -42, 127, 128, -128, -129, 255, 256, 1000, 65535, 65536,
	-32768, -32769, 0x7fffffff, -0x7fffffffLL - 1, 0x80000000LL, 0xffffffffLL,
	123456789012LL, -123456789012LL, LLONG_MAX, LLONG_MIN, LLONG_MIN + 1,
};

static void test_int_table(void)
{
	/* Legal C that gcc's format check warns about, so kept out of literals. */
	static const char *const odd_flags[] = {
		"%5.0d", "%-5.0d", "%05.0d", "%-05d", "%05.3d", "%08.3d", "%+ d", "% +d",
		"%00d", "%0-5d", "%--5d", "%++d", "%-08x", "%#08.3x", "%0+8.3i", "%-+8.3d|",
	};
	const char *empty = "";

	for (size_t i = 0; i < ARRAY_SIZE(odd_flags); i++)
		for (size_t v = 0; v < ARRAY_SIZE(int_values); v++)
			check_fmt(odd_flags[i], (int)int_values[v]);
	check_fmt(empty, 0);

	check_fmt("%d %i %u", 0, 0, 0u);
	check_fmt("%d|%d|%d", INT_MIN, INT_MAX, -1);
	check_fmt("%u|%u", UINT_MAX, 0u);
	check_fmt("%lld|%lld|%llu", LLONG_MIN, LLONG_MAX, ULLONG_MAX);
	check_fmt("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 0777u);
	check_fmt("%#x %#X %#o %#x %#o", 255u, 255u, 8u, 0u, 0u);
	check_fmt("%#.0x|%#.0o|%.0d|%.0u|%+.0d|% .0d", 0u, 0u, 0, 0u, 0, 0);
	check_fmt("%05d|%+05d|% 05d|%-5d|", -42, 42, 42, -42);
	check_fmt("%+d|%+d|% d|% d", 5, -5, 5, -5);
	check_fmt("%-8.3d|%8.3d|%.10d", -7, -7, INT_MIN);
	check_fmt("%#08x|%#-8x|%#8.4x|%#08o|%#.5o", 255u, 255u, 255u, 8u, 8u);
	check_fmt("%20lld|%-20lld|%020lld|%.25lld", LLONG_MIN, LLONG_MIN, LLONG_MIN, LLONG_MIN);
	check_fmt("%llo|%#llx|%llX", ULLONG_MAX, ULLONG_MAX, ULLONG_MAX);
	check_fmt("%300d|%-300u", 1, 2u);
	check_fmt("%.300d", -1);
	check_fmt("plain text, no conversions");
	check_fmt("%d%d%d%s%d", 1, 2, 3, "-", 4);
}

static void test_lengths(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(int_values); i++) {
		long long v = int_values[i];
		unsigned long long u = (unsigned long long)v;

		check_fmt("%hhd %hhu %hhx %hho %hhi", (int)v, (unsigned int)u, (unsigned int)u,
			  (unsigned int)u, (int)v);
		check_fmt("%hd %hu %hx %ho %hX", (int)v, (unsigned int)u, (unsigned int)u,
			  (unsigned int)u, (unsigned int)u);
		check_fmt("%d %u %x %o %X", (int)v, (unsigned int)u, (unsigned int)u,
			  (unsigned int)u, (unsigned int)u);
		check_fmt("%ld %lu %lx %lo %lX", (long)v, (unsigned long)u, (unsigned long)u,
			  (unsigned long)u, (unsigned long)u);
		check_fmt("%lld %llu %llx %llo %llX %lli", v, u, u, u, u, v);
		check_fmt("%zd %zu %zx %zo", (ptrdiff_t)v, (size_t)u, (size_t)u, (size_t)u);
		check_fmt("%td %tu %tx %to", (ptrdiff_t)v, (size_t)u, (size_t)u, (size_t)u);
		check_fmt("%jd %ju %jx %jo", (intmax_t)v, (uintmax_t)u, (uintmax_t)u, (uintmax_t)u);
	}
}

/* Every integer conversion with @flags, @width and @precision, every value. */
static int check_combo(const char *flags, const char *width, const char *precision)
{
	static const char convs[] = "diuxXo";
	char fmt[40];
	int count = 0;

	for (const char *c = convs; *c; c++) {
		/* '#' with d, i or u is undefined in C. */
		if (strchr(flags, '#') && strchr("diu", *c))
			continue;
		snprintf(fmt, sizeof(fmt), "[%%%s%s%sll%c]", flags, width, precision, *c);
		for (size_t i = 0; i < ARRAY_SIZE(int_values); i++, count++)
			check_fmt(fmt, int_values[i]);
	}
	return count;
}

/* Every set of flags with a range of widths and precisions. */
static void test_generated_combos(void)
{
	static const char flag_chars[] = "-0+ #";
	static const char *const widths[] = { "", "1", "4", "13", "30" };
	static const char *const precisions[] = { "", ".", ".0", ".1", ".4", ".22" };
	int count = 0;

	for (int set = 0; set < 32; set++) {
		char flags[8];
		int nf = 0;

		for (int b = 0; b < 5; b++)
			if (set & (1 << b))
				flags[nf++] = flag_chars[b];
		flags[nf] = '\0';
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
			for (size_t p = 0; p < ARRAY_SIZE(precisions); p++)
				count += check_combo(flags, widths[w], precisions[p]);
	}
	CHECK(count > 10000);
}

static void test_strings_and_chars(void)
{
	char *unterminated = malloc(3);
	const char *volatile null_str = NULL;

	check_fmt("%s|%10s|%-10s|%.2s|%10.2s|%-10.2s|%.0s|%.10s", "hello", "hello", "hello",
		  "hello", "hello", "hello", "hello", "hello");
	check_fmt("%s|%5s|%.0s|%s", "", "", "", "a b\tc");
	check_fmt("%c%c%c|%5c|%-5c|", 'a', 'b', 'c', 'x', 'y');
	check_fmt("%c|%c", 0, 255);
	check_fmt("%*s|%-*s|%.*s", 8, "ab", 8, "ab", 1, "ab");
	check_fmt("%%|%d%%|%%%s", 5, "x");

	/* A precision must stop the read: ASan guards this 3-byte buffer. */
	memcpy(unterminated, "abc", 3);
	check_fmt("%.3s|%.2s|%5.3s", unterminated, unterminated, unterminated);
	free(unterminated);

	check_ours("(null)", "%s", null_str);
	check_ours("    (null)|(null)  ", "%10s|%-8s", null_str, null_str);
	check_ours("(nu", "%.3s", null_str);
}

static void test_star_arguments(void)
{
	check_fmt("%*d|%-*d|%*d", 6, 42, 6, 42, -6, 42);
	check_fmt("%.*d|%.*d|%.*d|%.*d", 5, 42, -1, 42, -7, 42, 0, 0);
	check_fmt("%*.*d|%-*.*x|%0*d", 10, 4, -3, 10, 4, 0xabu, 8, -5);
	check_fmt("%0*d|%-*d|", -8, -5, -3, 1);
	check_fmt("%.*s|%*.*s|%.*s", INT_MAX, "abc", -4, 2, "abcdef", -2, "xyz");
}

/* Output is cut at every possible size but its full length is returned. */
static void test_truncation(void)
{
	const char *want = "value=-2147483648 name=basalt";
	int len = (int)strlen(want);
	char buf[64];

	for (int size = 0; size <= len + 2; size++) {
		memset(buf, '#', sizeof(buf));
		CHECK_EQ(basalt_snprintf(size ? buf : NULL, size, "value=%d name=%s", INT_MIN,
					 "basalt"), len);
		if (size == 0) {
			CHECK_EQ(buf[0], '#');
			continue;
		}
		int kept = size - 1 < len ? size - 1 : len;

		CHECK(memcmp(buf, want, kept) == 0);
		CHECK_EQ(buf[kept], '\0');
		CHECK_EQ(buf[kept + 1], '#');
	}
	CHECK_EQ(basalt_snprintf(NULL, 0, "%300d", 1), 300);
	CHECK_EQ(basalt_snprintf(buf, 1, "%s", "anything"), 8);
	CHECK_EQ(buf[0], '\0');
}

static const char *hook_name = "kmain";

static int fake_symbolizer(char *buf, size_t size, unsigned long addr)
{
	if (addr < 0x1000 || addr >= 0x1080)
		return -1;
	return snprintf(buf, size, "%s+0x%lx/0x80", hook_name, addr - 0x1000);
}

static void test_pointers(void)
{
	void *p = (void *)(uintptr_t)0xdeadbeefUL;
	void *kern = (void *)(uintptr_t)0xffffffff80001234UL;
	char long_name[300];

	check_ours("0x00000000deadbeef", "%p", p);
	check_ours("0x0000000000000000", "%p", NULL);
	check_ours("0xffffffff80001234", "%p", kern);
	check_ours("  0x00000000deadbeef|0x00000000deadbeef  |", "%20p|%-20p|", p, p);
	check_ours("0x00000000deadbeef", "%#p", p);

	printf_symbol_hook = NULL;
	check_ours("0x000000000000101c", "%pS", (void *)0x101c);
	check_ours("[0x000000000000101c]x", "[%pS]x", (void *)0x101c);

	printf_symbol_hook = fake_symbolizer;
	check_ours("kmain+0x1c/0x80", "%pS", (void *)0x101c);
	check_ours("at kmain+0x0/0x80: ok", "at %pS: ok", (void *)0x1000);
	check_ours("   kmain+0x1c/0x80|kmain+0x1c/0x80   |", "%18pS|%-18pS|", (void *)0x101c,
		   (void *)0x101c);
	check_ours("0x0000000000002000", "%pS", (void *)0x2000);
	check_ours("0x000000000000101c", "%p", (void *)0x101c);
	check_ours("0x000000000000101cs", "%ps", (void *)0x101c);

	/* A name longer than the internal buffer is cut, not overrun. */
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	hook_name = long_name;
	char out[400];
	int r = basalt_snprintf(out, sizeof(out), "%pS|", (void *)0x1001);

	CHECK(r > 16 && r < 300);
	CHECK_EQ(out[r - 1], '|');
	CHECK_EQ(out[0], 'n');
	hook_name = "kmain";
	printf_symbol_hook = NULL;
}

/* Not standard C, so no libc reference: these must just not misbehave. */
static int ours_unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = basalt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return r;
}

static void test_unknown_conversions(void)
{
	char buf[64];

	CHECK_EQ(ours_unchecked(buf, sizeof(buf), "a%yb"), 4);
	CHECK(strcmp(buf, "a%yb") == 0);
	CHECK_EQ(ours_unchecked(buf, sizeof(buf), "end%"), 4);
	CHECK(strcmp(buf, "end%") == 0);
	CHECK_EQ(ours_unchecked(buf, sizeof(buf), "%-08ll"), 6);
	CHECK(strcmp(buf, "%-08ll") == 0);
	CHECK_EQ(ours_unchecked(buf, sizeof(buf), "%n%d", 7), 3);
	CHECK(strcmp(buf, "%n7") == 0);
	CHECK_EQ(ours_unchecked(buf, sizeof(buf), "%99999999999999999999d|", 1), INT_MAX);
	CHECK_EQ(ours_unchecked(buf, sizeof(buf), "%.2147483648d", 1), INT_MAX);
	CHECK_EQ(ours_unchecked(buf, sizeof(buf), "%#.2147483647x|%d", 1, 2), INT_MAX);
	CHECK_EQ(ours_unchecked(buf, sizeof(buf), "%+.2147483647d", -1), INT_MAX);
	CHECK(strncmp(buf, "-000", 4) == 0);
}

int main(void)
{
	test_suite = "printf";
	RUN(test_int_table);
	RUN(test_lengths);
	RUN(test_generated_combos);
	RUN(test_strings_and_chars);
	RUN(test_star_arguments);
	RUN(test_truncation);
	RUN(test_pointers);
	RUN(test_unknown_conversions);
	TEST_EXIT();
}
