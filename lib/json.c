/*
 * JSON writer for the panic record (see lib/json.h). Strings are escaped
 * per RFC 8259: quote, backslash and control characters; bytes >= 0x80 are
 * written as \u00XX so the record stays ASCII whatever the log contains.
 */
#include "lib/json.h"
#include "lib/printf.h"
#include "lib/string.h"

static void put(struct json_buf *j, char c)
{
	if (j->len + 1 < j->size) {
		j->buf[j->len++] = c;
		j->buf[j->len] = '\0';
	} else {
		j->overflow = 1;
	}
}

static void puts_raw(struct json_buf *j, const char *s)
{
	while (*s)
		put(j, *s++);
}

static void comma(struct json_buf *j)
{
	if (j->need_comma)
		put(j, ',');
	j->need_comma = 1;
}

static void put_string(struct json_buf *j, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	put(j, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			put(j, '\\');
			put(j, (char)c);
		} else if (c == '\n') {
			puts_raw(j, "\\n");
		} else if (c < 0x20 || c >= 0x7f) {
			puts_raw(j, "\\u00");
			put(j, hex[c >> 4]);
			put(j, hex[c & 15]);
		} else {
			put(j, (char)c);
		}
	}
	put(j, '"');
}

static void key(struct json_buf *j, const char *k)
{
	comma(j);
	put_string(j, k, strlen(k));
	put(j, ':');
}

void json_open(struct json_buf *j, char bracket)
{
	comma(j);
	put(j, bracket);
	j->need_comma = 0;
}

void json_close(struct json_buf *j, char bracket)
{
	put(j, bracket);
	j->need_comma = 1;
}

void json_key_open(struct json_buf *j, const char *k, char bracket)
{
	key(j, k);
	put(j, bracket);
	j->need_comma = 0;
}

void json_key_string(struct json_buf *j, const char *k, const char *s)
{
	key(j, k);
	put_string(j, s, strlen(s));
}

void json_key_u64(struct json_buf *j, const char *k, uint64_t v)
{
	char num[24];

	key(j, k);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	puts_raw(j, num);
}

void json_key_bool(struct json_buf *j, const char *k, bool v)
{
	key(j, k);
	puts_raw(j, v ? "true" : "false");
}

void json_key_hex(struct json_buf *j, const char *k, uint64_t v)
{
	char num[24];

	key(j, k);
	snprintf(num, sizeof(num), "\"0x%016llx\"", (unsigned long long)v);
	puts_raw(j, num);
}

void json_array_string(struct json_buf *j, const char *s, size_t len)
{
	comma(j);
	put_string(j, s, len);
}
