/*
 * Console input: one queue of bytes, as a terminal would send them, fed by
 * the keyboard and the serial port from their interrupt handlers. Each
 * byte remembers its source, so the TTY layer can hand keyboard bytes to
 * the screen's terminal and serial bytes to the serial line's. The TTY
 * layer installs a handler that is told of every new byte; before it does
 * (or in a kernel without one), kernel/console.c echoes the queue.
 */
#ifndef DRIVERS_INPUT_INPUT_H
#define DRIVERS_INPUT_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#define INPUT_QUEUE_SIZE	512	/* bytes the queue holds; a power of two */

/* Where a byte came from. */
#define INPUT_KBD	0	/* the keyboard, and the screen's replies (ESC[6n) */
#define INPUT_SERIAL	1	/* COM1 */

/* Queue one byte from @src; called from interrupt context. Drops it if full. */
void input_push_from(unsigned int src, char c);
/* Queue one keyboard byte. */
void input_push(char c);
/* Queue @len keyboard bytes (an escape sequence for one key) at once. */
void input_push_buf(const char *s, size_t len);
/* Next queued byte (0..255) and, if @src is not NULL, its source; -1 if none. */
int input_get(unsigned int *src);
/* Next queued byte (0..255), or -1 if there is none. Never blocks. */
int input_getc(void);
/* Bytes dropped so far because the queue was full. */
unsigned long input_dropped(void);
/* Free slots in the queue now (a racy peek for a producer's flow control). */
unsigned int input_room(void);

/*
 * Flow control: a producer that stopped taking bytes from its device
 * because the consumer had no room (the UART) sets @fn; the consumer calls
 * input_unthrottle() whenever it has made room, and @fn decides whether to
 * take bytes again.
 */
void input_set_unthrottle(void (*fn)(void));
void input_unthrottle(void);

/*
 * Call @fn after every push, in the pusher's context (often an interrupt
 * handler, so @fn must not sleep); it drains the queue with input_get().
 */
void input_set_handler(void (*fn)(void));
/* Has a consumer taken the queue over? */
bool input_has_handler(void);

#endif
