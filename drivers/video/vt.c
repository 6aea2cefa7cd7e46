/*
 * Terminal emulation shared by the screen consoles. vt_write() decodes
 * UTF-8, handles the control characters (\n also returns the carriage, as
 * the kernel's own messages expect) and parses escape sequences: the cursor
 * movements, erasing and SGR colour sequences that printk and busybox's
 * line editing use, plus a few more that come cheap. Sequences it does not
 * know are consumed whole, so they never show up as garbage on the screen.
 */
#include "drivers/video/video.h"
#include "drivers/input/input.h"

static struct vt *screen_vt;	/* the screen console's vt, for the TTY layer */

enum vt_state {
	VT_NORMAL,
	VT_ESC,		/* after ESC */
	VT_CSI,		/* after ESC [ */
	VT_OSC,		/* after ESC ] (or P, X, ^, _): a string up to BEL or ESC \ */
	VT_OSC_ESC,	/* ESC inside an OSC string */
	VT_SKIP1,	/* ESC ( and friends: drop one more byte */
};

/* ANSI colour numbers (black, red, green, yellow, blue...) to VGA order. */
static const uint8_t ansi_to_vga[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };

/* Unicode code points of CP437 bytes 0x80-0xff, the VGA's built-in font. */
static const uint16_t cp437_high[128] = {
	0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7,
	0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
	0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
	0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192,
	0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba,
	0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
	0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
	0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
	0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567,
	0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b,
	0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
	0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4,
	0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
	0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248,
	0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
};

int vt_unicode_to_cp437(uint32_t cp)
{
	unsigned int i;

	if (cp >= 0x20 && cp < 0x7f)
		return (int)cp;
	for (i = 0; i < 128; i++)
		if (cp437_high[i] == cp)
			return (int)(0x80 + i);
	return -1;
}

static void vt_update_attr(struct vt *vt)
{
	uint8_t fg = vt->fg, bg = vt->bg, t;

	if (vt->bold && fg < 8)
		fg |= 8;
	if (vt->reverse) {
		t = fg;
		fg = bg;
		bg = t;
	}
	vt->attr = VT_ATTR(fg, bg);
}

static void vt_reset_attr(struct vt *vt)
{
	vt->fg = VT_DEFAULT_FG;
	vt->bg = VT_DEFAULT_BG;
	vt->bold = false;
	vt->reverse = false;
	vt_update_attr(vt);
}

/* Erased cells take the current background, as on the Linux console. */
static uint8_t vt_erase_attr(struct vt *vt)
{
	return VT_ATTR(VT_DEFAULT_FG, VT_ATTR_BG(vt->attr));
}

static void vt_clear_rows(struct vt *vt, unsigned int first, unsigned int n)
{
	unsigned int y;

	for (y = first; y < first + n; y++)
		vt->ops->clear(vt, 0, y, vt->cols, vt_erase_attr(vt));
}

/* Scroll rows @top to the bottom up (@n > 0) or down (@n < 0) by |@n| rows. */
static void vt_scroll(struct vt *vt, unsigned int top, int n)
{
	unsigned int lines = vt->rows - top;
	unsigned int k = (unsigned int)(n < 0 ? -n : n);

	if (k > lines)
		k = lines;
	if (n > 0) {
		if (k < lines)
			vt->ops->move_rows(vt, top, top + k, lines - k);
		vt_clear_rows(vt, vt->rows - k, k);
	} else if (n < 0) {
		if (k < lines)
			vt->ops->move_rows(vt, top + k, top, lines - k);
		vt_clear_rows(vt, top, k);
	}
}

static void vt_linefeed(struct vt *vt)
{
	if (vt->y + 1 >= vt->rows)
		vt_scroll(vt, 0, 1);
	else
		vt->y++;
}

static void vt_put_char(struct vt *vt, uint32_t cp)
{
	if (vt->wrap_pending) {
		vt->wrap_pending = false;
		vt->x = 0;
		vt_linefeed(vt);
	}
	vt->ops->putc(vt, vt->x, vt->y, cp, vt->attr);
	if (vt->x + 1 >= vt->cols)
		vt->wrap_pending = true;
	else
		vt->x++;
}

static void vt_goto(struct vt *vt, long x, long y)
{
	if (x < 0)
		x = 0;
	if (x >= (long)vt->cols)
		x = vt->cols - 1;
	if (y < 0)
		y = 0;
	if (y >= (long)vt->rows)
		y = vt->rows - 1;
	vt->x = (unsigned int)x;
	vt->y = (unsigned int)y;
	vt->wrap_pending = false;
}

/* Execute a C0 control character other than ESC. */
static void vt_control(struct vt *vt, uint8_t c)
{
	switch (c) {
	case '\b':
		vt_goto(vt, (long)vt->x - 1, vt->y);
		break;
	case '\t':
		vt_goto(vt, (vt->x / 8 + 1) * 8, vt->y);
		break;
	case '\n':
	case '\v':
	case '\f':
		vt->x = 0;
		vt->wrap_pending = false;
		vt_linefeed(vt);
		break;
	case '\r':
		vt->x = 0;
		vt->wrap_pending = false;
		break;
	case 0x18:	/* CAN and SUB abort a sequence */
	case 0x1a:
		vt->state = VT_NORMAL;
		break;
	default:	/* BEL and the rest: nothing to show */
		break;
	}
}

static void vt_send(struct vt *vt, const char *s, size_t len)
{
	if (vt->reply)
		vt->reply(vt, s, len);
}

void vt_reply_input(struct vt *vt, const char *s, size_t len)
{
	input_push_buf(s, len);
}

static char *vt_put_uint(char *p, unsigned int v)
{
	char tmp[10];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* Parameter @i of the current sequence, or @def if absent or zero. */
static unsigned int vt_param(struct vt *vt, unsigned int i, unsigned int def)
{
	if (i < vt->nparams && i < VT_MAX_PARAMS && vt->params[i])
		return vt->params[i];
	return def;
}

/* ESC[...m: select graphic rendition. */
static void vt_sgr(struct vt *vt)
{
	unsigned int i, p, n = vt->nparams ? vt->nparams : 1;

	if (n > VT_MAX_PARAMS)
		n = VT_MAX_PARAMS;
	for (i = 0; i < n; i++) {
		p = vt->params[i];
		if (p == 0) {
			vt_reset_attr(vt);
		} else if (p == 1) {
			vt->bold = true;
		} else if (p == 2 || p == 22) {
			vt->bold = false;
		} else if (p == 7) {
			vt->reverse = true;
		} else if (p == 27) {
			vt->reverse = false;
		} else if (p >= 30 && p <= 37) {
			vt->fg = ansi_to_vga[p - 30];
		} else if (p == 39) {
			vt->fg = VT_DEFAULT_FG;
		} else if (p >= 40 && p <= 47) {
			vt->bg = ansi_to_vga[p - 40];
		} else if (p == 49) {
			vt->bg = VT_DEFAULT_BG;
		} else if (p >= 90 && p <= 97) {
			vt->fg = ansi_to_vga[p - 90] | 8;
		} else if (p >= 100 && p <= 107) {
			vt->bg = ansi_to_vga[p - 100] | 8;
		} else if ((p == 38 || p == 48) && i + 1 < n) {
			/* 38;5;N takes the colour if N is one of the 16; 38;2;R;G;B is skipped */
			if (vt->params[i + 1] == 5 && i + 2 < n) {
				unsigned int c = vt->params[i + 2];

				if (c < 16) {
					c = ansi_to_vga[c & 7] | (c & 8);
					if (p == 38)
						vt->fg = (uint8_t)c;
					else
						vt->bg = (uint8_t)c;
				}
				i += 2;
			} else if (vt->params[i + 1] == 2) {
				i += 4;
			}
		}
	}
	vt_update_attr(vt);
}

/* ESC[nJ (@line false) and ESC[nK (@line true). */
static void vt_erase(struct vt *vt, unsigned int mode, bool line)
{
	uint8_t a = vt_erase_attr(vt);

	switch (mode) {
	case 0:		/* cursor to end */
		vt->ops->clear(vt, vt->x, vt->y, vt->cols - vt->x, a);
		if (!line)
			vt_clear_rows(vt, vt->y + 1, vt->rows - vt->y - 1);
		break;
	case 1:		/* start to cursor, inclusive */
		vt->ops->clear(vt, 0, vt->y, vt->x + 1, a);
		if (!line)
			vt_clear_rows(vt, 0, vt->y);
		break;
	case 2:		/* all */
	case 3:
		if (line)
			vt->ops->clear(vt, 0, vt->y, vt->cols, a);
		else
			vt_clear_rows(vt, 0, vt->rows);
		break;
	}
}

static void vt_report(struct vt *vt, unsigned int what)
{
	char buf[32], *p = buf;

	*p++ = '\033';
	*p++ = '[';
	if (what == 5) {		/* status: OK */
		*p++ = '0';
		*p++ = 'n';
	} else if (what == 6) {		/* cursor position */
		p = vt_put_uint(p, vt->y + 1);
		*p++ = ';';
		p = vt_put_uint(p, vt->x + 1);
		*p++ = 'R';
	} else {
		return;
	}
	vt_send(vt, buf, (size_t)(p - buf));
}

/* Act on a complete CSI sequence ending in @final. */
static void vt_csi_dispatch(struct vt *vt, uint8_t final)
{
	unsigned int n = vt_param(vt, 0, 1);
	long x = vt->x, y = vt->y;

	if (vt->priv_marker == '?') {
		if ((final == 'h' || final == 'l') && vt_param(vt, 0, 0) == 25)
			vt->cursor_visible = final == 'h';
		return;
	}
	if (vt->priv_marker)
		return;

	switch (final) {
	case 'A': vt_goto(vt, x, y - n); break;
	case 'B': vt_goto(vt, x, y + n); break;
	case 'C': vt_goto(vt, x + n, y); break;
	case 'D': vt_goto(vt, x - n, y); break;
	case 'E': vt_goto(vt, 0, y + n); break;
	case 'F': vt_goto(vt, 0, y - n); break;
	case 'G':
	case '`': vt_goto(vt, (long)n - 1, y); break;
	case 'd': vt_goto(vt, x, (long)n - 1); break;
	case 'H':
	case 'f': vt_goto(vt, (long)vt_param(vt, 1, 1) - 1, (long)n - 1); break;
	case 'J': vt_erase(vt, vt_param(vt, 0, 0), false); break;
	case 'K': vt_erase(vt, vt_param(vt, 0, 0), true); break;
	case 'X':
		vt->ops->clear(vt, vt->x, vt->y, n < vt->cols - vt->x ? n : vt->cols - vt->x,
			       vt_erase_attr(vt));
		break;
	case 'L': vt_scroll(vt, vt->y, -(int)n); break;
	case 'M': vt_scroll(vt, vt->y, (int)n); break;
	case 'S': vt_scroll(vt, 0, (int)n); break;
	case 'T': vt_scroll(vt, 0, -(int)n); break;
	case 'm': vt_sgr(vt); break;
	case 'n': vt_report(vt, vt_param(vt, 0, 0)); break;
	case 's':
		vt->saved_x = vt->x;
		vt->saved_y = vt->y;
		break;
	case 'u': vt_goto(vt, vt->saved_x, vt->saved_y); break;
	default:	/* unsupported: consumed and ignored */
		break;
	}
}

static void vt_csi_byte(struct vt *vt, uint8_t c)
{
	unsigned int i;

	if (c >= '0' && c <= '9') {
		if (vt->nparams == 0)
			vt->nparams = 1;
		i = vt->nparams - 1;
		if (i < VT_MAX_PARAMS && vt->params[i] < 10000)
			vt->params[i] = vt->params[i] * 10 + (c - '0');
	} else if (c == ';') {
		if (vt->nparams == 0)
			vt->nparams = 1;
		if (vt->nparams <= VT_MAX_PARAMS)
			vt->nparams++;
	} else if (c >= 0x3c && c <= 0x3f) {	/* < = > ? */
		if (vt->nparams == 0 && !vt->priv_marker)
			vt->priv_marker = (char)c;
	} else if (c >= 0x20 && c <= 0x2f) {	/* intermediates: not supported */
		vt->priv_marker = (char)c;
	} else if (c >= 0x40 && c <= 0x7e) {
		vt->state = VT_NORMAL;
		vt_csi_dispatch(vt, c);
	} else {
		vt->state = VT_NORMAL;		/* malformed */
	}
}

static void vt_esc_byte(struct vt *vt, uint8_t c)
{
	unsigned int i;

	vt->state = VT_NORMAL;
	switch (c) {
	case '[':
		vt->state = VT_CSI;
		vt->nparams = 0;
		vt->priv_marker = 0;
		for (i = 0; i < VT_MAX_PARAMS; i++)
			vt->params[i] = 0;
		break;
	case ']': case 'P': case 'X': case '^': case '_':
		vt->state = VT_OSC;
		break;
	case '(': case ')': case '*': case '+': case '#': case '%':
	case 'N': case 'O':	/* single shifts, e.g. ESC O P for F1 */
		vt->state = VT_SKIP1;
		break;
	case '7':
		vt->saved_x = vt->x;
		vt->saved_y = vt->y;
		break;
	case '8':
		vt_goto(vt, vt->saved_x, vt->saved_y);
		break;
	case 'D':	/* index */
		vt_linefeed(vt);
		break;
	case 'E':	/* next line */
		vt_control(vt, '\n');
		break;
	case 'M':	/* reverse index */
		if (vt->y == 0)
			vt_scroll(vt, 0, -1);
		else
			vt->y--;
		break;
	case 'c':	/* full reset */
		vt_reset_attr(vt);
		vt_clear_rows(vt, 0, vt->rows);
		vt_goto(vt, 0, 0);
		vt->cursor_visible = true;
		break;
	default:
		break;
	}
}

/* Feed one UTF-8 lead or ASCII byte in the normal state. */
static void vt_text_byte(struct vt *vt, uint8_t c)
{
	if (c < 0x20) {
		if (c == 0x1b)
			vt->state = VT_ESC;
		else
			vt_control(vt, c);
	} else if (c < 0x7f) {
		vt_put_char(vt, c);
	} else if (c >= 0xc2 && c <= 0xdf) {
		vt->utf8_cp = c & 0x1f;
		vt->utf8_left = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		vt->utf8_cp = c & 0x0f;
		vt->utf8_left = 2;
	} else if (c >= 0xf0 && c <= 0xf4) {
		vt->utf8_cp = c & 0x07;
		vt->utf8_left = 3;
	} else if (c != 0x7f) {
		vt_put_char(vt, 0xfffd);	/* stray continuation or bad lead */
	}
}

static void vt_byte(struct vt *vt, uint8_t c)
{
	if (vt->utf8_left) {
		if ((c & 0xc0) == 0x80) {
			vt->utf8_cp = (vt->utf8_cp << 6) | (c & 0x3f);
			if (--vt->utf8_left == 0 && vt->utf8_cp >= 0xa0)
				vt_put_char(vt, vt->utf8_cp);
			return;
		}
		vt->utf8_left = 0;
		vt_put_char(vt, 0xfffd);
	}

	switch (vt->state) {
	case VT_NORMAL:
		vt_text_byte(vt, c);
		break;
	case VT_ESC:
		if (c == 0x1b)
			break;
		if (c < 0x20)
			vt_control(vt, c);
		else
			vt_esc_byte(vt, c);
		break;
	case VT_CSI:
		if (c == 0x1b)
			vt->state = VT_ESC;
		else if (c < 0x20)
			vt_control(vt, c);
		else
			vt_csi_byte(vt, c);
		break;
	case VT_OSC:
		if (c == 0x07 || c == 0x18 || c == 0x1a)
			vt->state = VT_NORMAL;
		else if (c == 0x1b)
			vt->state = VT_OSC_ESC;
		break;
	case VT_OSC_ESC:
	case VT_SKIP1:
		vt->state = VT_NORMAL;
		break;
	}
}

void vt_init(struct vt *vt, const struct vt_ops *ops, void *priv, unsigned int cols,
	     unsigned int rows)
{
	*vt = (struct vt){
		.ops = ops,
		.priv = priv,
		.cols = cols,
		.rows = rows,
		.cursor_visible = true,
		.state = VT_NORMAL,
	};
	vt_reset_attr(vt);
	vt_clear_rows(vt, 0, rows);
	ops->cursor(vt, true);
	screen_vt = vt;
}

struct vt *vt_screen(void)
{
	return screen_vt;
}

void vt_write(struct vt *vt, const char *s, size_t len)
{
	size_t i;

	vt->ops->cursor(vt, false);
	for (i = 0; i < len; i++)
		vt_byte(vt, (uint8_t)s[i]);
	vt->ops->cursor(vt, vt->cursor_visible);
}
