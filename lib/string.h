/*
 * Freestanding string and memory routines for the kernel.
 *
 * The mem* functions are real out-of-line functions because gcc emits calls
 * to memcpy, memmove, memset and memcmp on its own, even with -ffreestanding.
 * The rest follow their C library counterparts unless a comment says
 * otherwise. Host unit tests see these under basalt_* names through
 * tests/host/host_rename.h, so they never clash with the host's libc.
 */
#ifndef BASALT_LIB_STRING_H
#define BASALT_LIB_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);

/*
 * Parse an unsigned number like strtoull(): leading white space, an optional
 * '+', then digits in @base (2..36). Base 0 picks 16 for a "0x" prefix, 8
 * for a leading "0" and 10 otherwise; base 16 also accepts "0x". Unlike
 * strtoull() a '-' sign is not accepted. A value that does not fit saturates
 * to ULLONG_MAX. *end (if @end is non-NULL) is set past the last digit used,
 * or to @s when there is no number at all.
 */
unsigned long long kstrtoull(const char *s, char **end, int base);

/* As kstrtoull() but signed: also accepts '-', saturates to LLONG_MIN/MAX. */
long long kstrtoll(const char *s, char **end, int base);

#endif
