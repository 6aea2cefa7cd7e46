/*
 * Host tests for the screen consoles: the terminal emulation of
 * drivers/video/vt.c against a grid of cells (text, wrapping, scrolling,
 * control characters, escape sequences, colours, UTF-8, replies), and
 * drivers/video/fbcon.c's PSF parsing and pixel output on a framebuffer
 * in memory, at 32, 24 and 16 bits per pixel.
 */
#include "drivers/video/vt.c"
#include "drivers/video/fbcon.c"
#include "drivers/input/input.c"
#include "tests/host/test.h"

#include <string.h>

struct boot_info boot_info;
const uint8_t font_psf_start[1];
const uint8_t font_psf_end[1];

void register_console(struct console *con)
{
}

int printk(const char *fmt, ...)
{
	return 0;
}

/* --- a cell grid backend ------------------------------------------------- */

#define GW 10
#define GH 4

struct grid {
	uint32_t ch[GH][GW];
	uint8_t attr[GH][GW];
	bool cursor;
	unsigned int cx, cy;
	int moves;
};

static struct grid grid;
static struct vt vt;

static void g_putc(struct vt *v, unsigned int x, unsigned int y, uint32_t ch, uint8_t attr)
{
	CHECK(x < GW && y < GH && !grid.cursor);
	grid.ch[y][x] = ch;
	grid.attr[y][x] = attr;
}

static void g_clear(struct vt *v, unsigned int x, unsigned int y, unsigned int n, uint8_t attr)
{
	CHECK(x + n <= GW && y < GH && !grid.cursor);
	while (n--) {
		grid.ch[y][x] = ' ';
		grid.attr[y][x++] = attr;
	}
}

static void g_move_rows(struct vt *v, unsigned int dst, unsigned int src, unsigned int n)
{
	CHECK(dst + n <= GH && src + n <= GH && !grid.cursor);
	memmove(grid.ch[dst], grid.ch[src], n * sizeof(grid.ch[0]));
	memmove(grid.attr[dst], grid.attr[src], n * sizeof(grid.attr[0]));
	grid.moves++;
}

static void g_cursor(struct vt *v, bool show)
{
	grid.cursor = show;
	grid.cx = v->x;
	grid.cy = v->y;
}

static const struct vt_ops grid_ops = {
	.putc = g_putc,
	.clear = g_clear,
	.move_rows = g_move_rows,
	.cursor = g_cursor,
};

static void grid_reset(void)
{
	memset(&grid, 0, sizeof(grid));
	vt_init(&vt, &grid_ops, &grid, GW, GH);
	vt.reply = vt_reply_input;
}

static void put(const char *s)
{
	vt_write(&vt, s, strlen(s));
}

/* Row @y as text, trailing blanks cut; non-ASCII cells show as '#'. */
static const char *row(unsigned int y)
{
	static char buf[GW + 1];
	int i, end = 0;

	for (i = 0; i < GW; i++) {
		uint32_t c = grid.ch[y][i];

		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '#';
		if (c != ' ')
			end = i + 1;
	}
	buf[end] = '\0';
	return buf;
}

#define ROW_IS(y, s)                                                          \
	do {                                                                  \
		if (strcmp(row(y), s) != 0) {                                 \
			printf("# row %d is \"%s\", want \"%s\"\n", y, row(y), s); \
			test_cur_failed = 1;                                  \
		}                                                             \
	} while (0)
#define AT(x_, y_) CHECK(vt.x == (x_) && vt.y == (y_))

static void text_and_controls(void)
{
	grid_reset();
	ROW_IS(0, "");
	CHECK(grid.cursor);
	put("hello");
	ROW_IS(0, "hello");
	AT(5, 0);
	CHECK(grid.cursor && grid.cx == 5 && grid.cy == 0);
	put("\nab\rX");
	ROW_IS(1, "Xb");
	AT(1, 1);
	put("cd\b\bY");
	ROW_IS(1, "XYd");
	AT(2, 1);
	put("\r\b\b");		/* backspace stops at the left edge */
	AT(0, 1);
	put("\n1\t2\t3\t4");
	ROW_IS(2, "1       24");	/* tabs stop at column 8, then at the edge */
	put("\a\001\177");	/* nothing visible */
	ROW_IS(2, "1       24");
}

static void wrap_and_scroll(void)
{
	grid_reset();
	put("0123456789");
	AT(9, 0);		/* wrap is pending: the cursor stays on the line */
	put("\n");
	AT(0, 1);		/* ...so the newline does not leave a blank line */
	put("abcdefghijk");
	ROW_IS(1, "abcdefghij");
	ROW_IS(2, "k");
	AT(1, 2);
	put("\nL3\nL4");
	CHECK_EQ(grid.moves, 1);
	ROW_IS(0, "abcdefghij");
	ROW_IS(1, "k");
	ROW_IS(2, "L3");
	ROW_IS(3, "L4");
	put("\n\n");
	ROW_IS(0, "L3");
	ROW_IS(1, "L4");
	ROW_IS(2, "");
	ROW_IS(3, "");
	AT(0, 3);
}

static void cursor_movement(void)
{
	grid_reset();
	put("\033[2;3HA");
	ROW_IS(1, "  A");
	put("\033[HB\033[4;10fC");
	ROW_IS(0, "B");
	ROW_IS(3, "         C");
	put("\033[99;99H");
	AT(9, 3);
	put("\033[2A");
	AT(9, 1);
	put("\033[3D");
	AT(6, 1);
	put("\033[C");
	AT(7, 1);
	put("\033[B\033[0B");	/* 0 counts as 1 */
	AT(7, 3);
	put("\033[99A\033[99D");
	AT(0, 0);
	put("\033[5G\033[3d");
	AT(4, 2);
	put("\0337\033[H\0338");
	AT(4, 2);
	put("\033[s\033[1;1H\033[u");
	AT(4, 2);
}

static void erasing(void)
{
	grid_reset();
	put("abcdefgh\033[3D\033[K");
	ROW_IS(0, "abcde");
	AT(5, 0);
	put("\033[2D\033[1K");
	ROW_IS(0, "    e");
	put("\033[2K");
	ROW_IS(0, "");
	put("\033[H1111\n2222\n3333\033[2;3H\033[J");
	ROW_IS(0, "1111");
	ROW_IS(1, "22");
	ROW_IS(2, "");
	put("\033[1J");
	ROW_IS(0, "");
	ROW_IS(1, "");
	put("\033[H12345\033[1;2H\033[2X");
	ROW_IS(0, "1  45");
	put("\033[2J");
	ROW_IS(0, "");
	AT(1, 0);		/* ESC[2J does not move the cursor */
}

static void colours(void)
{
	grid_reset();
	put("a\033[31mb\033[1mc\033[0md\033[44;93me\033[7mf\033[mg");
	CHECK_EQ(grid.attr[0][0], VT_ATTR(7, 0));
	CHECK_EQ(grid.attr[0][1], VT_ATTR(4, 0));	/* red is 4 in VGA order */
	CHECK_EQ(grid.attr[0][2], VT_ATTR(12, 0));	/* bold: bright */
	CHECK_EQ(grid.attr[0][3], VT_ATTR(7, 0));
	CHECK_EQ(grid.attr[0][4], VT_ATTR(14, 1));	/* bright yellow on blue */
	CHECK_EQ(grid.attr[0][5], VT_ATTR(1, 14));	/* reversed */
	CHECK_EQ(grid.attr[0][6], VT_ATTR(7, 0));
	put("\033[32;42;39;49mh\033[38;5;9;48;5;200mi\033[38;2;1;2;3;36mj");
	CHECK_EQ(grid.attr[0][7], VT_ATTR(7, 0));
	CHECK_EQ(grid.attr[0][8], VT_ATTR(12, 0));
	CHECK_EQ(grid.attr[0][9], VT_ATTR(3, 0));	/* cyan after skipped RGB */
	/* erasing uses the current background */
	put("\033[0;41m\033[2K");
	CHECK_EQ(grid.attr[0][0], VT_ATTR(7, 4));
}

static void unknown_sequences(void)
{
	grid_reset();
	put("a\033[?1049hb\033]0;title\007c\033(Bd\033[>1;2ce\033[1;2;3;4;5;6;7;8;9;10mf");
	put("\033]2;x\033\\g\033[!ph\033Zi\033[1\x18j\033OP\033Ptext\033\\");
	ROW_IS(0, "abcdefghij");
	/* a sequence split across writes */
	grid_reset();
	put("\033");
	put("[3");
	put("1mR");
	ROW_IS(0, "R");
	CHECK_EQ(grid.attr[0][0], VT_ATTR(4, 0));
	put("\033[?25l");
	CHECK(!grid.cursor);
	put("x\033[?25h");
	CHECK(grid.cursor);
}

static void utf8(void)
{
	grid_reset();
	put("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80!");
	CHECK_EQ(grid.ch[0][0], 0xe9);
	CHECK_EQ(grid.ch[0][1], 0x20ac);
	CHECK_EQ(grid.ch[0][2], 0x1f600);
	CHECK_EQ(grid.ch[0][3], '!');
	put("\xff\xc3z");	/* bad byte; lead cut short by 'z' */
	CHECK_EQ(grid.ch[0][4], 0xfffd);
	CHECK_EQ(grid.ch[0][5], 0xfffd);
	CHECK_EQ(grid.ch[0][6], 'z');
	put("\xe2\x82");
	put("\xac");
	CHECK_EQ(grid.ch[0][7], 0x20ac);
	CHECK_EQ(vt_unicode_to_cp437(0xe9), 0x82);
	CHECK_EQ(vt_unicode_to_cp437(0x2588), 0xdb);
	CHECK_EQ(vt_unicode_to_cp437('A'), 'A');
	CHECK_EQ(vt_unicode_to_cp437(0x20ac), -1);
}

static void replies(void)
{
	char buf[16];
	int c, n = 0;

	while (input_getc() >= 0)
		;
	grid_reset();
	put("\033[2;4H\033[6n\033[5n");
	while ((c = input_getc()) >= 0 && n < 15)
		buf[n++] = (char)c;
	buf[n] = '\0';
	CHECK(strcmp(buf, "\033[2;4R\033[0n") == 0);
	ROW_IS(1, "");
}

static void line_insert_delete(void)
{
	grid_reset();
	put("A\nB\nC\nD\033[2;1H\033[L");
	ROW_IS(0, "A");
	ROW_IS(1, "");
	ROW_IS(2, "B");
	ROW_IS(3, "C");
	put("\033[2M");
	ROW_IS(1, "C");
	ROW_IS(2, "");
	put("\033[H\033M");	/* reverse index at the top scrolls down */
	ROW_IS(0, "");
	ROW_IS(1, "A");
}

/* --- fonts ------------------------------------------------------------------ */

static uint8_t fontbuf[4096];

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* An 8x4 PSF2 font: glyph 0 '?', glyph 1 'A' (and E-acute), glyph 2 the euro. */
static const uint8_t glyph_q[4] = { 0x3c, 0x04, 0x00, 0x10 };
static const uint8_t glyph_a[4] = { 0x18, 0x24, 0x7e, 0x42 };
static const uint8_t glyph_e[4] = { 0x3c, 0x70, 0x70, 0x3c };

static size_t make_psf2(void)
{
	static const uint8_t table[] = {
		'?', 0xff,
		'A', 0xc3, 0x89, 0xfe, 'A', 0xcc, 0x81, 0xff,	/* + a sequence */
		0xe2, 0x82, 0xac, 0xff,
	};
	uint8_t *p = fontbuf;

	memset(fontbuf, 0, sizeof(fontbuf));
	le32(p, PSF2_MAGIC);
	le32(p + 4, 0);
	le32(p + 8, 32);
	le32(p + 12, PSF2_HAS_UNICODE_TABLE);
	le32(p + 16, 3);
	le32(p + 20, 4);
	le32(p + 24, 4);
	le32(p + 28, 8);
	memcpy(p + 32, glyph_q, 4);
	memcpy(p + 36, glyph_a, 4);
	memcpy(p + 40, glyph_e, 4);
	memcpy(p + 44, table, sizeof(table));
	return 44 + sizeof(table);
}

static struct fb_font font;

static void psf2_parse(void)
{
	size_t n = make_psf2();

	CHECK(font_parse(&font, fontbuf, n) == NULL);
	CHECK_EQ(font.width, 8);
	CHECK_EQ(font.height, 4);
	CHECK_EQ(font.count, 3);
	CHECK_EQ(font_lookup(&font, 'A'), 1);
	CHECK_EQ(font_lookup(&font, 0xc9), 1);
	CHECK_EQ(font_lookup(&font, 0x20ac), 2);
	CHECK_EQ(font_lookup(&font, 0x301), 0);		/* only inside a sequence */
	CHECK_EQ(font_lookup(&font, 'B'), 0);		/* fallback '?' */
	CHECK_EQ(font.fallback, 0);

	/* malformed fonts are refused, whatever is wrong */
	CHECK(font_parse(&font, fontbuf, n - 1) != NULL);	/* table cut */
	CHECK(font_parse(&font, fontbuf, 40) != NULL);	/* glyphs cut */
	CHECK(font_parse(&font, fontbuf, 20) != NULL);	/* header cut */
	fontbuf[20] = 5;					/* charsize */
	CHECK(font_parse(&font, fontbuf, n) != NULL);
	make_psf2();
	fontbuf[45] = 0x82;					/* bad UTF-8 lead */
	CHECK(font_parse(&font, fontbuf, n) != NULL);
	make_psf2();
	le32(fontbuf + 8, 5000);				/* header size */
	CHECK(font_parse(&font, fontbuf, n) != NULL);
	make_psf2();
	fontbuf[0] = 0x73;
	CHECK(font_parse(&font, fontbuf, n) != NULL);
}

static void psf1_parse(void)
{
	uint8_t *p = fontbuf, *t;
	unsigned int i;

	memset(fontbuf, 0, sizeof(fontbuf));
	p[0] = PSF1_MAGIC0;
	p[1] = PSF1_MAGIC1;
	p[2] = PSF1_MODEHASTAB;
	p[3] = 2;
	for (i = 0; i < 256; i++)
		p[4 + 2 * i] = (uint8_t)i;
	/* glyph i is code point 255 - i; glyph 0 also the euro; glyph 1 nothing */
	t = p + 4 + 512;
	for (i = 0; i < 256; i++) {
		if (i != 1) {
			*t++ = (uint8_t)(255 - i);
			*t++ = 0;
		}
		if (i == 2) {		/* 255 again: the first glyph keeps it */
			*t++ = 0xff;
			*t++ = 0x00;
		}
		if (i == 0) {
			*t++ = 0xac;
			*t++ = 0x20;
			*t++ = 0xfe;	/* a sequence: ignored */
			*t++ = 0xff;
			*t++ = 0x41;
			*t++ = 0x00;
		}
		*t++ = 0xff;
		*t++ = 0xff;
	}
	CHECK(font_parse(&font, fontbuf, (size_t)(t - fontbuf)) == NULL);
	CHECK_EQ(font.count, 256);
	CHECK_EQ(font.height, 2);
	CHECK_EQ(font_lookup(&font, 'A'), 255 - 'A');
	CHECK_EQ(font_lookup(&font, 0x20ac), 0);
	CHECK_EQ(font_lookup(&font, 255), 0);
	CHECK_EQ(font_lookup(&font, 254), font.fallback);	/* glyph 1 unmapped */
	CHECK_EQ(font.fallback, 255 - '?');
	CHECK(font_parse(&font, fontbuf, (size_t)(t - fontbuf) - 1) != NULL);

	/* without a table, glyphs are taken to be in CP437 order */
	p[2] = 0;
	CHECK(font_parse(&font, fontbuf, 4 + 512) == NULL);
	CHECK_EQ(font_lookup(&font, 'A'), 'A');
	CHECK_EQ(font_lookup(&font, 0xe9), 0x82);
	CHECK_EQ(font_lookup(&font, 0x20ac), '?');
	CHECK(font_parse(&font, fontbuf, 4 + 511) != NULL);
}

/* --- pixels ----------------------------------------------------------------- */

#define FB_COLS		4
#define FB_ROWS		3
#define FB_W		(FB_COLS * 8 + 3)	/* spare pixels right and below */
#define FB_H		(FB_ROWS * 4 + 2)
#define FB_PITCH	(FB_W * 4 + 12)
#define SENTINEL	0x5a

static uint8_t fbmem[FB_PITCH * FB_H];
static struct fbcon fc;

static struct boot_framebuffer fb_desc(uint8_t bpp)
{
	struct boot_framebuffer fb = {
		.type = BOOT_FB_RGB, .pitch = FB_PITCH, .width = FB_W, .height = FB_H,
		.bpp = bpp, .red_pos = 16, .red_size = 8, .green_pos = 8, .green_size = 8,
		.blue_pos = 0, .blue_size = 8,
	};

	if (bpp == 16) {
		fb.red_pos = 11, fb.red_size = 5;
		fb.green_pos = 5, fb.green_size = 6;
		fb.blue_pos = 0, fb.blue_size = 5;
	}
	return fb;
}

static uint32_t pixel(unsigned int x, unsigned int y)
{
	const uint8_t *p = fbmem + y * FB_PITCH + x * fc.bytes_pp;

	if (fc.bytes_pp == 4)
		return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
	if (fc.bytes_pp == 3)
		return p[0] | p[1] << 8 | p[2] << 16;
	return p[0] | p[1] << 8;
}

/* Does cell (@cx, @cy) show @glyph in colours @fg on @bg? */
static int cell_shows(unsigned int cx, unsigned int cy, const uint8_t *glyph, uint32_t fg,
		      uint32_t bg)
{
	unsigned int x, y;

	for (y = 0; y < 4; y++)
		for (x = 0; x < 8; x++) {
			uint32_t want = glyph[y] & (0x80 >> x) ? fg : bg;

			if (pixel(cx * 8 + x, cy * 4 + y) != want) {
				printf("# cell %u,%u pixel %u,%u: %06x, want %06x\n", cx, cy, x, y,
				       pixel(cx * 8 + x, cy * 4 + y), want);
				return 0;
			}
		}
	return 1;
}

static const uint8_t glyph_blank[4];
static const uint8_t glyph_full[4] = { 0xff, 0xff, 0xff, 0xff };

static int spare_untouched(void)
{
	unsigned int x, y;

	for (y = 0; y < FB_H; y++)
		for (x = 0; x < FB_PITCH; x++)
			if ((y >= FB_ROWS * 4 || x >= FB_COLS * 8 * fc.bytes_pp) &&
			    fbmem[y * FB_PITCH + x] != SENTINEL)
				return 0;
	return 1;
}

static void fb_start(uint8_t bpp)
{
	struct boot_framebuffer fb = fb_desc(bpp);

	memset(fbmem, SENTINEL, sizeof(fbmem));
	CHECK(font_parse(&font, fontbuf, make_psf2()) == NULL);
	CHECK(fbcon_setup(&fc, &font, fbmem, &fb) == NULL);
	CHECK_EQ(fc.vt.cols, FB_COLS);
	CHECK_EQ(fc.vt.rows, FB_ROWS);
}

static void fb_put(const char *s)
{
	vt_write(&fc.vt, s, strlen(s));
}

static void fb_draw32(void)
{
	uint32_t grey = 0xaaaaaa, red = 0xaa0000, blue = 0x0000aa, white = 0xffffff;

	fb_start(32);
	CHECK(cell_shows(0, 0, glyph_full, white, 0));	/* the block cursor */
	CHECK(cell_shows(1, 0, glyph_blank, grey, 0));
	fb_put("A\033[31;44m\xe2\x82\xac\033[mB");
	CHECK(cell_shows(0, 0, glyph_a, grey, 0));
	CHECK(cell_shows(1, 0, glyph_e, red, blue));
	CHECK(cell_shows(2, 0, glyph_q, grey, 0));
	CHECK(cell_shows(3, 0, glyph_full, white, 0));	/* cursor on a blank */
	fb_put("\b");
	CHECK(cell_shows(3, 0, glyph_blank, grey, 0));
	CHECK(cell_shows(2, 0, glyph_q, grey ^ white, white));	/* inverted '?' */
	CHECK(spare_untouched());
}

static void fb_scroll(void)
{
	fb_start(32);
	fb_put("A\n\033[31m\xe2\x82\xac\033[m\nAA\nx");
	/* "A" scrolled away; the euro is on top, then "AA", then "x" (='?') */
	CHECK(cell_shows(0, 0, glyph_e, 0xaa0000, 0));
	CHECK(cell_shows(1, 0, glyph_blank, 0xaaaaaa, 0));
	CHECK(cell_shows(0, 1, glyph_a, 0xaaaaaa, 0));
	CHECK(cell_shows(1, 1, glyph_a, 0xaaaaaa, 0));
	CHECK(cell_shows(0, 2, glyph_q, 0xaaaaaa, 0));
	CHECK(cell_shows(2, 2, glyph_blank, 0xaaaaaa, 0));
	CHECK(spare_untouched());
	fb_put("\033[2J\033[?25l");
	CHECK(cell_shows(1, 2, glyph_blank, 0xaaaaaa, 0));
	CHECK(cell_shows(0, 0, glyph_blank, 0xaaaaaa, 0));
	CHECK(spare_untouched());
}

static void fb_draw24_16(void)
{
	fb_start(24);
	fb_put("\033[97;41mA");
	CHECK(cell_shows(0, 0, glyph_a, 0xffffff, 0xaa0000));
	CHECK(cell_shows(1, 0, glyph_full, 0xffffff, 0));
	fb_put("\nA");
	CHECK(cell_shows(0, 1, glyph_a, 0xffffff, 0xaa0000));
	CHECK(spare_untouched());

	fb_start(16);
	fb_put("\033[91;44mA\033[m");
	/* bright red ff5555 and blue 0000aa in RGB565 */
	CHECK(cell_shows(0, 0, glyph_a, 0xfaaa, 0x0015));
	CHECK(cell_shows(1, 0, glyph_full, 0xffff, 0));
	CHECK(spare_untouched());

	CHECK(fbcon_setup(&fc, &font, fbmem, &(struct boot_framebuffer){
		.bpp = 8, .width = 100, .height = 100, .pitch = 100 }) != NULL);
	CHECK(fbcon_setup(&fc, &font, fbmem, &(struct boot_framebuffer){
		.bpp = 32, .width = 100, .height = 100, .pitch = 100 }) != NULL);
}

int main(void)
{
	test_suite = "fbcon";
	RUN(text_and_controls);
	RUN(wrap_and_scroll);
	RUN(cursor_movement);
	RUN(erasing);
	RUN(colours);
	RUN(unknown_sequences);
	RUN(utf8);
	RUN(replies);
	RUN(line_insert_delete);
	RUN(psf2_parse);
	RUN(psf1_parse);
	RUN(fb_draw32);
	RUN(fb_scroll);
	RUN(fb_draw24_16);
	TEST_EXIT();
}
