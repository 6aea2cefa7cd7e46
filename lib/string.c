/*
 * Freestanding string and memory routines (see lib/string.h).
 *
 * Plain C: the copy and fill loops move a machine word at a time once both
 * pointers share an alignment, and fall back to bytes otherwise. gcc turns
 * such loops into calls to memcpy or memset only when those are builtins;
 * the kernel's -ffreestanding and the host tests' -fno-builtin rule that
 * out, so these functions never end up calling themselves.
 */
#include <stdint.h>

#include "lib/string.h"

/* A word that may alias any other type, for the word-at-a-time loops. */
typedef unsigned long __attribute__((__may_alias__)) word_t;

#define WORD_SIZE sizeof(word_t)
#define WORD_MASK (WORD_SIZE - 1)
#define ULLONG_MAX_VAL (~0ULL)
#define LLONG_MAX_VAL ((long long)(ULLONG_MAX_VAL >> 1))

static int same_alignment(const void *a, const void *b)
{
	return (((uintptr_t)a ^ (uintptr_t)b) & WORD_MASK) == 0;
}

static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if (same_alignment(d, s)) {
		for (; n && ((uintptr_t)d & WORD_MASK); n--)
			*d++ = *s++;
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			*(word_t *)d = *(const word_t *)s;
			d += WORD_SIZE;
			s += WORD_SIZE;
		}
	}
	for (; n; n--)
		*d++ = *s++;
}

static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if (same_alignment(d, s)) {
		for (; n && ((uintptr_t)d & WORD_MASK); n--)
			*--d = *--s;
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(word_t *)d = *(const word_t *)s;
		}
	}
	for (; n; n--)
		*--d = *--s;
}

/* The kernel may bring its own (CONFIG_ARCH_HAS_MEMCPY: string moves on x86). */
#ifndef CONFIG_ARCH_HAS_MEMCPY
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}
#endif

/* Copy @n bytes between buffers that may overlap. */
void *memmove(void *dst, const void *src, size_t n)
{
	/* Unsigned difference: also true when dst lies below src. */
	if ((uintptr_t)dst - (uintptr_t)src >= n)
		copy_forward(dst, src, n);
	else
		copy_backward(dst, src, n);
	return dst;
}

/* The kernel may bring its own (CONFIG_ARCH_HAS_MEMCPY covers memset too). */
#ifndef CONFIG_ARCH_HAS_MEMCPY
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char byte = (unsigned char)c;
	word_t pattern = (~(word_t)0 / 0xff) * byte;

	for (; n && ((uintptr_t)d & WORD_MASK); n--)
		*d++ = byte;
	for (; n >= WORD_SIZE; n -= WORD_SIZE) {
		*(word_t *)d = pattern;
		d += WORD_SIZE;
	}
	for (; n; n--)
		*d++ = byte;
	return dst;
}
#endif

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
	}
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

/* Length of @s, but look at no more than @max bytes. */
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		if (*p != *q || !*p)
			return *p - *q;
	}
	return 0;
}

/* First @c in @s; searching for '\0' finds the terminator. */
char *strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

/* Last @c in @s; searching for '\0' finds the terminator. */
char *strrchr(const char *s, int c)
{
	char ch = (char)c;
	const char *last = NULL;

	for (;; s++) {
		if (*s == ch)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

/* First occurrence of @needle in @haystack; an empty needle matches at once. */
char *strstr(const char *haystack, const char *needle)
{
	size_t len = strlen(needle);

	if (!len)
		return (char *)haystack;
	for (; *haystack; haystack++) {
		if (*haystack == *needle && strncmp(haystack, needle, len) == 0)
			return (char *)haystack;
	}
	return NULL;
}

char *strcpy(char *restrict dst, const char *restrict src)
{
	char *d = dst;

	while ((*d++ = *src++))
		;
	return dst;
}

/*
 * C's strncpy: copy at most @n bytes and pad the rest of @dst with zeros.
 * The result is not terminated when @src is @n bytes or longer; prefer
 * strlcpy() unless a zero-padded fixed-size field is what is wanted.
 */
char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i]; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = '\0';
	return dst;
}

/*
 * Copy @src into the @size-byte buffer @dst, truncating if needed and always
 * terminating when @size > 0. Returns strlen(src), so truncation happened
 * exactly when the result is >= @size.
 */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

static int is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Value of digit @c in bases up to 36, or 36 when it is not a digit. */
static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 36;
}

/*
 * Shared by kstrtoull() and kstrtoll(): parse the digits at @s (white space
 * and sign already skipped) in @base, handling the base prefixes. Sets
 * *overflow when the value does not fit and *end past the last digit, or to
 * NULL when there are no digits.
 */
static unsigned long long parse_digits(const char *s, const char **end, int base, int *overflow)
{
	unsigned long long val = 0;
	const char *digits;
	int d;

	*overflow = 0;
	*end = NULL;
	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    digit_value(s[2]) < 16) {
		s += 2;
		base = 16;
	} else if (base == 0) {
		base = s[0] == '0' ? 8 : 10;
	}
	if (base < 2 || base > 36)
		return 0;

	for (digits = s; (d = digit_value(*s)) < base; s++) {
		if (val > (ULLONG_MAX_VAL - d) / base)
			*overflow = 1;
		else
			val = val * base + d;
	}
	if (s != digits)
		*end = s;
	return *overflow ? ULLONG_MAX_VAL : val;
}

unsigned long long kstrtoull(const char *s, char **end, int base)
{
	const char *p = s, *stop;
	unsigned long long val;
	int overflow;

	while (is_space(*p))
		p++;
	if (*p == '+')
		p++;
	val = parse_digits(p, &stop, base, &overflow);
	if (end)
		*end = (char *)(stop ? stop : s);
	return stop ? val : 0;
}

long long kstrtoll(const char *s, char **end, int base)
{
	const char *p = s, *stop;
	unsigned long long mag, limit;
	int negative = 0, overflow;

	while (is_space(*p))
		p++;
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	mag = parse_digits(p, &stop, base, &overflow);
	if (end)
		*end = (char *)(stop ? stop : s);
	if (!stop)
		return 0;

	/* LLONG_MIN's magnitude is one more than LLONG_MAX. */
	limit = (unsigned long long)LLONG_MAX_VAL + negative;
	if (overflow || mag > limit)
		mag = limit;
	if (negative)
		return mag ? -(long long)(mag - 1) - 1 : 0;
	return (long long)mag;
}
