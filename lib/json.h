/*
 * A tiny append-only JSON writer into a fixed buffer, for the panic record.
 * It never allocates and never overflows: output past the end is dropped
 * and .overflow is set. Commas between members are inserted automatically.
 */
#ifndef LIB_JSON_H
#define LIB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_buf {
	char *buf;
	size_t size;
	size_t len;
	int need_comma;
	int overflow;
};

#define JSON_BUF_INIT(b, n) { .buf = (b), .size = (n) }

void json_open(struct json_buf *j, char bracket);	/* '{' or '[' */
void json_close(struct json_buf *j, char bracket);	/* '}' or ']' */
void json_key_open(struct json_buf *j, const char *key, char bracket);
void json_key_string(struct json_buf *j, const char *key, const char *s);
void json_key_u64(struct json_buf *j, const char *key, uint64_t v);
void json_key_bool(struct json_buf *j, const char *key, bool v);
void json_key_hex(struct json_buf *j, const char *key, uint64_t v);
void json_array_string(struct json_buf *j, const char *s, size_t len);

#endif
