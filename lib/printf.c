/*
 * vsnprintf() and snprintf() for the kernel (see lib/printf.h).
 *
 * Each conversion is parsed into a struct fmt_spec, its argument is fetched
 * according to the length modifier, and the text goes through a struct
 * fmt_out, which stores what fits in the caller's buffer and counts the
 * rest. This file calls nothing outside itself, so it builds on its own in
 * the host tests.
 */
#include <stdbool.h>
#include <stdint.h>

#include "lib/printf.h"

#define FMT_INT_MAX __INT_MAX__

enum {
	FL_LEFT = 1 << 0,	/* '-': pad on the right */
	FL_ZERO = 1 << 1,	/* '0': pad numbers with zeros */
	FL_PLUS = 1 << 2,	/* '+': always print a sign */
	FL_SPACE = 1 << 3,	/* ' ': space where a '+' would go */
	FL_ALT = 1 << 4,	/* '#': 0x prefix, leading 0 for octal */
};

enum fmt_length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct fmt_spec {
	unsigned int flags;
	int width;		/* 0 when not given */
	int precision;		/* -1 when not given */
	enum fmt_length length;
	char conv;
};

struct fmt_out {
	char *buf;
	size_t size;
	size_t len;		/* bytes produced so far, stored or not */
};

_Static_assert(sizeof(size_t) == sizeof(ptrdiff_t), "%z and %t share a size");

/* NULL until the kernel's symbol table code installs its resolver. */
int (*printf_symbol_hook)(char *buf, size_t size, unsigned long addr);

static void out_char(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* @count copies of @c; only what fits is stored, so huge widths cost nothing. */
static void out_repeat(struct fmt_out *o, char c, int count)
{
	for (; count > 0 && o->len + 1 < o->size; count--)
		o->buf[o->len++] = c;
	if (count > 0)
		o->len += count;
}

static void out_mem(struct fmt_out *o, const char *s, size_t n)
{
	for (; n; n--)
		out_char(o, *s++);
}

/* @s, padded with spaces to the field width on the side the flags ask for. */
static void out_padded(struct fmt_out *o, const struct fmt_spec *sp, const char *s, size_t n)
{
	int pad = (size_t)sp->width > n ? sp->width - (int)n : 0;

	if (!(sp->flags & FL_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, s, n);
	if (sp->flags & FL_LEFT)
		out_repeat(o, ' ', pad);
}

static size_t bounded_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

/*
 * Print the magnitude @mag of an integer with its sign, base prefix,
 * precision zeros and padding, in the order C specifies.
 */
static void out_number(struct fmt_out *o, const struct fmt_spec *sp, unsigned long long mag,
		       bool negative)
{
	const char *digit_chars = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned int base = sp->conv == 'o' ? 8 : sp->conv == 'u' || sp->conv == 'd' ? 10 : 16;
	bool is_signed = sp->conv == 'd';
	char digits[24], prefix[3];
	int ndigits = 0, nprefix = 0, zeros, pad;
	long long body;

	if (negative)
		prefix[nprefix++] = '-';
	else if (is_signed && (sp->flags & FL_PLUS))
		prefix[nprefix++] = '+';
	else if (is_signed && (sp->flags & FL_SPACE))
		prefix[nprefix++] = ' ';
	if (sp->conv == 'p' || (mag && (sp->flags & FL_ALT) && base == 16)) {
		prefix[nprefix++] = '0';
		prefix[nprefix++] = sp->conv == 'X' ? 'X' : 'x';
	}

	for (; mag; mag /= base)
		digits[ndigits++] = digit_chars[mag % base];

	/* The default precision of 1 makes zero print as "0". */
	zeros = (sp->precision < 0 ? 1 : sp->precision) - ndigits;
	if (zeros < 0)
		zeros = 0;
	if (base == 8 && (sp->flags & FL_ALT) && !zeros)
		zeros = 1;

	/* Wide arithmetic: a precision near INT_MAX must not overflow. */
	body = (long long)nprefix + zeros + ndigits;
	pad = sp->width > body ? sp->width - (int)body : 0;
	if ((sp->flags & (FL_ZERO | FL_LEFT)) == FL_ZERO && sp->precision < 0) {
		zeros += pad;
		pad = 0;
	}

	if (!(sp->flags & FL_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, prefix, nprefix);
	out_repeat(o, '0', zeros);
	while (ndigits)
		out_char(o, digits[--ndigits]);
	if (sp->flags & FL_LEFT)
		out_repeat(o, ' ', pad);
}

static long long arg_signed(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long arg_unsigned(va_list *ap, enum fmt_length length)
{
	switch (length) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
	case LEN_T:
		return va_arg(*ap, size_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* A decimal width or precision, saturating instead of overflowing. */
static int parse_decimal(const char **fmt)
{
	int n = 0;

	for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++) {
		int d = **fmt - '0';

		n = n > (FMT_INT_MAX - d) / 10 ? FMT_INT_MAX : n * 10 + d;
	}
	return n;
}

static unsigned int flag_bit(char c)
{
	switch (c) {
	case '-':
		return FL_LEFT;
	case '0':
		return FL_ZERO;
	case '+':
		return FL_PLUS;
	case ' ':
		return FL_SPACE;
	case '#':
		return FL_ALT;
	default:
		return 0;
	}
}

/*
 * Parse flags, width, precision and length after a '%' into @sp, taking
 * '*' arguments from @ap. Returns the position of the conversion character.
 */
static const char *parse_spec(const char *fmt, struct fmt_spec *sp, va_list *ap)
{
	unsigned int bit;

	sp->flags = 0;
	for (; (bit = flag_bit(*fmt)); fmt++)
		sp->flags |= bit;

	if (*fmt == '*') {
		int w = va_arg(*ap, int);

		fmt++;
		if (w < 0) {
			sp->flags |= FL_LEFT;
			w = w == -FMT_INT_MAX - 1 ? FMT_INT_MAX : -w;
		}
		sp->width = w;
	} else {
		sp->width = parse_decimal(&fmt);
	}

	sp->precision = -1;
	if (*fmt == '.') {
		fmt++;
		if (*fmt == '*') {
			int p = va_arg(*ap, int);

			fmt++;
			sp->precision = p < 0 ? -1 : p;
		} else {
			sp->precision = parse_decimal(&fmt);
		}
	}

	sp->length = LEN_NONE;
	switch (*fmt) {
	case 'h':
		sp->length = fmt[1] == 'h' ? LEN_HH : LEN_H;
		break;
	case 'l':
		sp->length = fmt[1] == 'l' ? LEN_LL : LEN_L;
		break;
	case 'z':
		sp->length = LEN_Z;
		break;
	case 't':
		sp->length = LEN_T;
		break;
	case 'j':
		sp->length = LEN_J;
		break;
	}
	if (sp->length == LEN_HH || sp->length == LEN_LL)
		fmt += 2;
	else if (sp->length != LEN_NONE)
		fmt++;
	return fmt;
}

/* %p, or %pS through the symbol hook when there is one that succeeds. */
static void out_pointer(struct fmt_out *o, struct fmt_spec *sp, unsigned long addr, bool symbol)
{
	char name[128];
	int n;

	if (symbol && printf_symbol_hook) {
		n = printf_symbol_hook(name, sizeof(name), addr);
		if (n >= 0) {
			out_padded(o, sp, name, bounded_len(name, (size_t)n));
			return;
		}
	}
	sp->precision = 16;
	out_number(o, sp, addr, false);
}

/* Print one conversion whose spec has been parsed; false if it is unknown. */
static bool out_conversion(struct fmt_out *o, struct fmt_spec *sp, va_list *ap, bool symbol)
{
	long long v;
	const char *s;
	size_t max;
	char c;

	switch (sp->conv) {
	case 'd':
	case 'i':
		sp->conv = 'd';
		v = arg_signed(ap, sp->length);
		out_number(o, sp, v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v, v < 0);
		return true;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		out_number(o, sp, arg_unsigned(ap, sp->length), false);
		return true;
	case 'p':
		out_pointer(o, sp, (unsigned long)va_arg(*ap, void *), symbol);
		return true;
	case 'c':
		c = (char)va_arg(*ap, int);
		out_padded(o, sp, &c, 1);
		return true;
	case 's':
		s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		max = sp->precision < 0 ? (size_t)-1 : (size_t)sp->precision;
		out_padded(o, sp, s, bounded_len(s, max));
		return true;
	case '%':
		out_char(o, '%');
		return true;
	default:
		return false;
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { .buf = buf, .size = size, .len = 0 };
	struct fmt_spec sp;
	const char *start;
	bool symbol;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		start = fmt;
		fmt = parse_spec(fmt + 1, &sp, &args);
		sp.conv = *fmt;
		symbol = sp.conv == 'p' && fmt[1] == 'S';
		if (out_conversion(&o, &sp, &args, symbol)) {
			fmt += symbol ? 2 : 1;
			continue;
		}
		/* Unknown or unfinished conversion: print it as it stands. */
		if (*fmt)
			fmt++;
		out_mem(&o, start, fmt - start);
	}
	va_end(args);

	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > FMT_INT_MAX ? FMT_INT_MAX : (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
