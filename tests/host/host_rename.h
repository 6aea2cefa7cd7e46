/*
 * Force-included (-include) into every host test. lib/string.c and
 * lib/printf.c define memcpy, strlen, snprintf and friends, which would clash
 * with the host's libc, so each of those names is renamed to basalt_<name>.
 *
 * The libc headers are read first, under their real names. Each basalt_<name>
 * then gets a gnu_inline fallback that forwards to libc, so a test that does
 * not include lib/string.c or lib/printf.c still links and simply uses libc;
 * when a test does include one of them, its definitions replace the
 * fallbacks (gcc allows redefining a gnu_inline function). A test that needs
 * libc after including ours can #undef the name again.
 */
#ifndef BASALT_HOST_RENAME_H
#define BASALT_HOST_RENAME_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST_FALLBACK extern inline __attribute__((gnu_inline, always_inline))

HOST_FALLBACK void *basalt_memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	return memcpy(dst, src, n);
}

HOST_FALLBACK void *basalt_memmove(void *dst, const void *src, size_t n)
{
	return memmove(dst, src, n);
}

HOST_FALLBACK void *basalt_memset(void *dst, int c, size_t n)
{
	return memset(dst, c, n);
}

HOST_FALLBACK int basalt_memcmp(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n);
}

HOST_FALLBACK size_t basalt_strlen(const char *s)
{
	return strlen(s);
}

HOST_FALLBACK size_t basalt_strnlen(const char *s, size_t max)
{
	return strnlen(s, max);
}

HOST_FALLBACK int basalt_strcmp(const char *a, const char *b)
{
	return strcmp(a, b);
}

HOST_FALLBACK int basalt_strncmp(const char *a, const char *b, size_t n)
{
	return strncmp(a, b, n);
}

HOST_FALLBACK char *basalt_strchr(const char *s, int c)
{
	return strchr(s, c);
}

HOST_FALLBACK char *basalt_strrchr(const char *s, int c)
{
	return strrchr(s, c);
}

HOST_FALLBACK char *basalt_strstr(const char *haystack, const char *needle)
{
	return strstr(haystack, needle);
}

HOST_FALLBACK char *basalt_strcpy(char *restrict dst, const char *restrict src)
{
	return strcpy(dst, src);
}

HOST_FALLBACK char *basalt_strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	return strncpy(dst, src, n);
}

/* Not every host libc has strlcpy, so this fallback is written out. */
HOST_FALLBACK size_t basalt_strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

__attribute__((format(printf, 3, 0)))
HOST_FALLBACK int basalt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

__attribute__((format(printf, 3, 4)))
HOST_FALLBACK int basalt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	return snprintf(buf, size, fmt, __builtin_va_arg_pack());
}

#undef HOST_FALLBACK

#define memcpy basalt_memcpy
#define memmove basalt_memmove
#define memset basalt_memset
#define memcmp basalt_memcmp
#define strlen basalt_strlen
#define strnlen basalt_strnlen
#define strcmp basalt_strcmp
#define strncmp basalt_strncmp
#define strchr basalt_strchr
#define strrchr basalt_strrchr
#define strstr basalt_strstr
#define strcpy basalt_strcpy
#define strncpy basalt_strncpy
#define strlcpy basalt_strlcpy
#define vsnprintf basalt_vsnprintf
#define snprintf basalt_snprintf

#endif
