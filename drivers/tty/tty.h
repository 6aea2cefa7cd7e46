/*
 * Terminals. Each terminal device (the serial port, the screen, and
 * /dev/console, which is both) is a struct tty in tty.c: termios, window
 * size, controlling session and foreground process group, wait queues.
 * Bytes typed or received pass through a line discipline, struct n_tty in
 * n_tty.c, which does Linux's N_TTY work: line editing, echo, signal
 * characters, CR/NL mapping and output processing. The line discipline is
 * plain logic with two callbacks (output to the device, signal delivery),
 * so the host tests run it without the rest of the kernel.
 */
#ifndef DRIVERS_TTY_TTY_H
#define DRIVERS_TTY_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "drivers/tty/termios.h"

#define N_TTY_BUF_SIZE	4096	/* input ring; a power of two */
#define N_TTY_OBUF_SIZE	64	/* echo/output staging before the device write */

struct n_tty;

struct n_tty_ops {
	/* Send processed output (echo or written data) to the device. */
	void (*write)(struct n_tty *ld, const char *s, size_t len);
	/* An ISIG character arrived: signal the foreground process group. */
	void (*signal)(struct n_tty *ld, int sig);
};

/*
 * Line discipline state. The input ring holds bytes [tail, head); in
 * canonical mode [tail, canon_head) are finished lines a read may return
 * and [canon_head, head) is the line being edited. In non-canonical mode
 * canon_head == head. Indices run freely and wrap modulo the ring size.
 */
struct n_tty {
	const struct n_tty_ops *ops;
	struct termios termios;

	char buf[N_TTY_BUF_SIZE];
	uint8_t mark[N_TTY_BUF_SIZE];	/* N_TTY_DELIM, N_TTY_EOF per byte */
	unsigned int tail, canon_head, head;

	unsigned int column;		/* output cursor column, for tabs and erase */
	unsigned int canon_column;	/* column where the edited line began */
	bool lnext;			/* the previous byte was VLNEXT */
	bool stopped;			/* output stopped by VSTOP or TCOOFF */

	char obuf[N_TTY_OBUF_SIZE];	/* output staged for ops->write */
	unsigned int olen;
};

#define N_TTY_DELIM	0x01	/* the byte ends a line */
#define N_TTY_EOF	0x02	/* ...and is a VEOF marker that read() drops */

/* Set up @ld with Linux's default termios (tty_std_termios). */
void n_tty_init(struct n_tty *ld, const struct n_tty_ops *ops);
/* Linux's default termios, for drivers that adjust it. */
void n_tty_default_termios(struct termios *t);
/* Switch to new settings, keeping pending input as Linux does. */
void n_tty_set_termios(struct n_tty *ld, const struct termios *t);

/*
 * Feed @len input bytes (typed or received). Does the echo and may raise
 * signals through ld->ops. Never sleeps: interrupt handlers call it.
 */
void n_tty_receive(struct n_tty *ld, const char *s, size_t len);
/* Discard all pending input, finished lines included. */
void n_tty_flush_input(struct n_tty *ld);

/*
 * Copy readable input to @buf: in canonical mode at most one line (its
 * VEOF marker is dropped, so an empty line ended by VEOF reads as 0 bytes);
 * otherwise up to @n bytes. Returns the count, or -EAGAIN if nothing is
 * readable yet.
 */
long n_tty_read(struct n_tty *ld, char *buf, size_t n);
/*
 * Would a read return now? In non-canonical mode @for_poll asks for VMIN
 * bytes when VTIME is 0, as Linux's poll does.
 */
bool n_tty_input_ready(const struct n_tty *ld, bool for_poll);
/* Bytes the input ring can still take. */
size_t n_tty_room(const struct n_tty *ld);
/* Bytes a read could return now (FIONREAD). */
size_t n_tty_input_count(const struct n_tty *ld);

/* Write @len bytes through output processing (OPOST, ONLCR, ...). */
void n_tty_write(struct n_tty *ld, const char *s, size_t len);

/* --- the terminal devices (tty.c) ------------------------------------------ */
struct task;

/*
 * The session leader @leader is exiting: its controlling terminal loses
 * its session (SIGHUP and SIGCONT go to the foreground process group) and
 * every task of the session loses the terminal. The process code calls it.
 */
void tty_session_exit(struct task *leader);

/*
 * May the driver of input source @src (drivers/input/input.h) hand over
 * more bytes? No when the terminal they go to, counting what the input
 * queue still holds for it, is nearly full while its reader has something
 * to take; a driver told no stops reading its device until
 * input_unthrottle() (drivers/tty/serial8250.c). A racy peek: room only
 * grows meanwhile.
 */
bool tty_input_room(unsigned int src);

/* COM1 output with no newline translation (serial8250.c), for the TTY. */
void serial8250_put(const char *s, size_t len);

#endif
