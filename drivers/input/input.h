/*
 * Console input: one queue of bytes, as a terminal would send them, fed by
 * the keyboard and the serial port from their interrupt handlers and read
 * by whoever consumes console input (for now a polling reader; later the
 * TTY layer).
 */
#ifndef DRIVERS_INPUT_INPUT_H
#define DRIVERS_INPUT_INPUT_H

#include <stddef.h>

/* Queue one byte; called from interrupt context. Drops it if the queue is full. */
void input_push(char c);
/* Queue @len bytes (an escape sequence for one key) as input_push() does. */
void input_push_buf(const char *s, size_t len);
/* Next queued byte (0..255), or -1 if there is none. Never blocks. */
int input_getc(void);
/* Bytes dropped so far because the queue was full. */
unsigned long input_dropped(void);

#endif
