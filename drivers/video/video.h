/*
 * The screen consoles' shared terminal: struct vt interprets a byte stream
 * (UTF-8 text, control characters and a subset of ANSI/VT100 escape
 * sequences) and turns it into cell operations on a backend, the linear
 * framebuffer (fbcon.c) or VGA text memory (vgacon.c). The backend only
 * draws; cursor position, attributes, wrapping and scrolling live in vt.c.
 */
#ifndef DRIVERS_VIDEO_VIDEO_H
#define DRIVERS_VIDEO_VIDEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A cell attribute, laid out like a VGA text attribute: foreground colour
 * in bits 0-3, background in bits 4-7, both indices into the 16-colour
 * palette in VGA order (0 black, 1 blue, 2 green, 3 cyan, 4 red, 5 magenta,
 * 6 brown, 7 light grey, and 8-15 their bright forms). vt.c converts the
 * ANSI colour numbers of escape sequences to this order.
 */
#define VT_ATTR(fg, bg)		((uint8_t)(((bg) << 4) | (fg)))
#define VT_ATTR_FG(a)		((a) & 0x0f)
#define VT_ATTR_BG(a)		((a) >> 4)
#define VT_DEFAULT_FG		7	/* light grey */
#define VT_DEFAULT_BG		0	/* black */

#define VT_MAX_PARAMS		8

struct vt;

/*
 * What a backend implements. Coordinates are cells, (0, 0) top left, and
 * always within the screen. vt_write() calls cursor(vt, false) before it
 * draws anything and cursor(vt, vt->cursor_visible) when it is done, so a
 * backend that draws its cursor into the cells can remove it first; both
 * calls may come when there is nothing to change.
 */
struct vt_ops {
	/* Draw code point @ch at (@x, @y). */
	void (*putc)(struct vt *vt, unsigned int x, unsigned int y, uint32_t ch, uint8_t attr);
	/* Blank @n cells from (@x, @y) rightwards on one row. */
	void (*clear)(struct vt *vt, unsigned int x, unsigned int y, unsigned int n,
		      uint8_t attr);
	/* Copy @n whole rows from row @src to row @dst; the ranges may overlap. */
	void (*move_rows)(struct vt *vt, unsigned int dst, unsigned int src, unsigned int n);
	/* Show the cursor at (vt->x, vt->y), or hide it. */
	void (*cursor)(struct vt *vt, bool show);
};

struct vt {
	const struct vt_ops *ops;
	void *priv;			/* the backend's own state */
	/* Answer to a query such as ESC[6n, sent as if typed; may be NULL. */
	void (*reply)(struct vt *vt, const char *s, size_t len);

	unsigned int cols, rows;
	unsigned int x, y;
	bool wrap_pending;		/* last column written: wrap on next char */
	bool cursor_visible;		/* ESC[?25h / ESC[?25l */
	unsigned int saved_x, saved_y;	/* ESC 7 / ESC[s */

	/* current SGR state and the attribute computed from it */
	uint8_t fg, bg;
	bool bold, reverse;
	uint8_t attr;

	/* escape parser */
	uint8_t state;
	char priv_marker;		/* '?' in ESC[?25l, or 0 */
	unsigned int nparams;
	unsigned int params[VT_MAX_PARAMS];

	/* UTF-8 decoder */
	uint32_t utf8_cp;
	uint8_t utf8_left;
};

/* Set up @vt for a @cols x @rows screen and clear it through @ops. */
void vt_init(struct vt *vt, const struct vt_ops *ops, void *priv, unsigned int cols,
	     unsigned int rows);
/*
 * The vt of the screen console (fbcon or vgacon, whichever set one up
 * last), or NULL without a screen. The TTY layer writes /dev/tty0 to it.
 */
struct vt *vt_screen(void);
/* Interpret @len bytes of terminal output. Not reentrant: callers serialize. */
void vt_write(struct vt *vt, const char *s, size_t len);
/* A vt->reply that queues the answer as console input (drivers/input). */
void vt_reply_input(struct vt *vt, const char *s, size_t len);
/* Code page 437 index for Unicode code point @cp, or -1 if CP437 lacks it. */
int vt_unicode_to_cp437(uint32_t cp);

#endif
