/*
 * Freestanding formatted output into a buffer, used by printk, panic and
 * anything else that builds text. No floating point: the kernel is built
 * with -mgeneral-regs-only.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%, with the flags - 0 + space #,
 * a field width and a precision (either may be *), and the length modifiers
 * hh h l ll z t j. They behave as in C, except that %p always prints 0x and
 * 16 hex digits, and %n is not supported. %pS prints a code address as
 * "symbol+0xoff/0xsize" through printf_symbol_hook.
 */
#ifndef BASALT_LIB_PRINTF_H
#define BASALT_LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Format into @buf like C's vsnprintf(): write at most @size bytes including
 * the terminating NUL (always written when @size > 0) and return the length
 * the whole output would have had, so a result >= @size means truncation.
 * A length beyond INT_MAX is reported as INT_MAX rather than as an error.
 */
__attribute__((format(printf, 3, 0)))
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* As vsnprintf(), with the arguments given directly. */
__attribute__((format(printf, 3, 4)))
int snprintf(char *buf, size_t size, const char *fmt, ...);

/*
 * Symbolizer for %pS, installed by the kernel's symbol table code once it can
 * resolve addresses. It writes the name of @addr ("kmain+0x1c/0x80") into
 * @buf, NUL-terminated within @size bytes, and returns its length, or a
 * negative value if it does not know the address. While it is NULL, or when
 * it fails, %pS prints like %p.
 */
extern int (*printf_symbol_hook)(char *buf, size_t size, unsigned long addr);

#endif
