/*
 * Text console on the linear framebuffer that GRUB sets up. Characters are
 * drawn with a PSF font (PSF1 or PSF2, with or without a Unicode table)
 * built into the kernel by font.asm; scrolling moves pixel rows in place.
 * The terminal logic (escapes, wrapping, colours) is vt.c's; this file
 * only turns cells into pixels, in 16, 24 or 32 bits per pixel.
 */

#define pr_fmt(fmt) "fbcon: " fmt

#include "kernel/kernel.h"
#include "lib/string.h"
#include "drivers/video/video.h"
#include <asm/boot.h>
#include <asm/page.h>

/* The font file, between these two symbols (font.asm). */
extern const uint8_t font_psf_start[];
extern const uint8_t font_psf_end[];

#define PSF1_MAGIC0		0x36
#define PSF1_MAGIC1		0x04
#define PSF1_MODE512		0x01
#define PSF1_MODEHASTAB		0x02
#define PSF1_MODESEQ		0x04
#define PSF1_HEADER_SIZE	4
#define PSF1_SEPARATOR		0xffff
#define PSF1_STARTSEQ		0xfffe

#define PSF2_MAGIC		0x864ab572	/* bytes 72 b5 4a 86 */
#define PSF2_HAS_UNICODE_TABLE	0x01
#define PSF2_HEADER_SIZE	32
#define PSF2_SEPARATOR		0xff
#define PSF2_STARTSEQ		0xfe

#define FONT_MAX_DIM		64	/* widest and tallest glyph we draw */
#define FONT_MAX_WIDE		1024	/* code points >= 256 we can map */
#define FONT_NO_GLYPH		0xffff

struct font_map {
	uint16_t cp;
	uint16_t glyph;
};

struct fb_font {
	const uint8_t *glyphs;
	unsigned int count, width, height;
	unsigned int row_bytes, glyph_bytes;
	bool has_table;
	uint16_t fallback;		/* glyph for code points the font lacks */
	uint16_t low[256];		/* glyph of each code point below 256 */
	unsigned int nwide;
	struct font_map wide[FONT_MAX_WIDE];	/* sorted by cp */
};

struct fbcon {
	struct vt vt;
	const struct fb_font *font;
	uint8_t *base;			/* pixel (0, 0) */
	unsigned int pitch, width, height, bytes_pp;
	uint32_t palette[16];
	uint32_t xor_mask;		/* white: inverts a pixel for the cursor */
	bool cursor_drawn;
	unsigned int cursor_x, cursor_y;
};

static uint32_t rd32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void font_map_add(struct fb_font *f, uint32_t cp, unsigned int glyph)
{
	if (cp < 256) {
		if (f->low[cp] == FONT_NO_GLYPH)
			f->low[cp] = (uint16_t)glyph;
	} else if (cp <= 0xffff && f->nwide < FONT_MAX_WIDE) {
		f->wide[f->nwide].cp = (uint16_t)cp;
		f->wide[f->nwide].glyph = (uint16_t)glyph;
		f->nwide++;
	}
}

/* Glyph index for code point @cp, or FONT_NO_GLYPH. */
static unsigned int font_find(const struct fb_font *f, uint32_t cp)
{
	unsigned int lo = 0, hi = f->nwide, mid;
	int c;

	if (!f->has_table) {
		c = vt_unicode_to_cp437(cp);
		return c >= 0 && (unsigned int)c < f->count ? (unsigned int)c : FONT_NO_GLYPH;
	}
	if (cp < 256)
		return f->low[cp];
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (f->wide[mid].cp == cp)
			return f->wide[mid].glyph;
		if (f->wide[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return FONT_NO_GLYPH;
}

/* Glyph to draw for code point @cp: the font's own, or its fallback. */
static inline unsigned int font_lookup(const struct fb_font *f, uint32_t cp)
{
	unsigned int g = font_find(f, cp);

	return g != FONT_NO_GLYPH ? g : f->fallback;
}

/* PSF1 table: per glyph, 16-bit code points ended by 0xffff. */
static const char *font_parse_psf1_table(struct fb_font *f, const uint8_t *p, const uint8_t *end)
{
	unsigned int g, v;
	bool seq;

	for (g = 0; g < f->count; g++) {
		for (seq = false;; p += 2) {
			if (end - p < 2)
				return "unicode table is cut short";
			v = p[0] | p[1] << 8;
			if (v == PSF1_SEPARATOR)
				break;
			if (v == PSF1_STARTSEQ)
				seq = true;
			else if (!seq)
				font_map_add(f, v, g);
		}
		p += 2;
	}
	return NULL;
}

/* PSF2 table: per glyph, UTF-8 code points ended by 0xff. */
static const char *font_parse_psf2_table(struct fb_font *f, const uint8_t *p, const uint8_t *end)
{
	unsigned int g, n, i;
	uint32_t cp;
	bool seq;

	for (g = 0; g < f->count; g++) {
		for (seq = false;;) {
			if (p >= end)
				return "unicode table is cut short";
			if (*p == PSF2_SEPARATOR)
				break;
			if (*p == PSF2_STARTSEQ) {
				seq = true;
				p++;
				continue;
			}
			if (*p < 0x80)
				n = 0, cp = *p;
			else if ((*p & 0xe0) == 0xc0)
				n = 1, cp = *p & 0x1f;
			else if ((*p & 0xf0) == 0xe0)
				n = 2, cp = *p & 0x0f;
			else if ((*p & 0xf8) == 0xf0)
				n = 3, cp = *p & 0x07;
			else
				return "bad UTF-8 in unicode table";
			if (end - p <= n)
				return "unicode table is cut short";
			for (i = 1; i <= n; i++) {
				if ((p[i] & 0xc0) != 0x80)
					return "bad UTF-8 in unicode table";
				cp = cp << 6 | (p[i] & 0x3f);
			}
			p += n + 1;
			if (!seq)
				font_map_add(f, cp, g);
		}
		p++;
	}
	return NULL;
}

/*
 * Read the PSF font in @data into @f, which keeps pointers into @data.
 * Returns NULL, or what is wrong with the font.
 */
static const char *font_parse(struct fb_font *f, const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size, *table;
	unsigned int header, i, j;
	const char *err = NULL;
	bool psf2 = false;
	struct font_map t;

	memset(f, 0, sizeof(*f));
	if (size >= PSF1_HEADER_SIZE && data[0] == PSF1_MAGIC0 && data[1] == PSF1_MAGIC1) {
		header = PSF1_HEADER_SIZE;
		f->count = data[2] & PSF1_MODE512 ? 512 : 256;
		f->has_table = (data[2] & (PSF1_MODEHASTAB | PSF1_MODESEQ)) != 0;
		f->width = 8;
		f->height = data[3];
		f->glyph_bytes = data[3];
	} else if (size >= PSF2_HEADER_SIZE && rd32(data) == PSF2_MAGIC) {
		psf2 = true;
		header = rd32(data + 8);
		f->has_table = rd32(data + 12) & PSF2_HAS_UNICODE_TABLE;
		f->count = rd32(data + 16);
		f->glyph_bytes = rd32(data + 20);
		f->height = rd32(data + 24);
		f->width = rd32(data + 28);
		if (header < PSF2_HEADER_SIZE || header > size)
			return "bad header size";
		if (f->count == 0 || f->count > 0xffff)
			return "bad glyph count";
	} else {
		return "not a PSF font";
	}
	if (f->width == 0 || f->height == 0 || f->width > FONT_MAX_DIM ||
	    f->height > FONT_MAX_DIM)
		return "unsupported glyph size";
	f->row_bytes = (f->width + 7) / 8;
	if (f->glyph_bytes != f->row_bytes * f->height)
		return "glyph size does not match its dimensions";
	if ((uint64_t)f->count * f->glyph_bytes > size - header)
		return "glyphs are cut short";

	f->glyphs = data + header;
	table = f->glyphs + (size_t)f->count * f->glyph_bytes;
	for (i = 0; i < 256; i++)
		f->low[i] = FONT_NO_GLYPH;
	if (f->has_table) {
		if (psf2)
			err = font_parse_psf2_table(f, table, end);
		else
			err = font_parse_psf1_table(f, table, end);
		if (err)
			return err;
	}

	/* insertion sort: a few hundred entries, once */
	for (i = 1; i < f->nwide; i++) {
		t = f->wide[i];
		for (j = i; j > 0 && f->wide[j - 1].cp > t.cp; j--)
			f->wide[j] = f->wide[j - 1];
		f->wide[j] = t;
	}
	i = font_find(f, 0xfffd);
	if (i == FONT_NO_GLYPH)
		i = font_find(f, '?');
	f->fallback = i != FONT_NO_GLYPH ? (uint16_t)i : 0;
	return NULL;
}

/* Pack an 8-bit-per-channel colour into the framebuffer's pixel format. */
static uint32_t fb_pack(const struct boot_framebuffer *fb, uint32_t rgb)
{
	const uint8_t pos[3] = { fb->red_pos, fb->green_pos, fb->blue_pos };
	const uint8_t bits[3] = { fb->red_size, fb->green_size, fb->blue_size };
	uint32_t v = 0, c;
	int i;

	for (i = 0; i < 3; i++) {
		c = (rgb >> (16 - 8 * i)) & 0xff;
		if (bits[i] == 0 || bits[i] > 8 || pos[i] >= 32)
			continue;
		v |= (c >> (8 - bits[i])) << pos[i];
	}
	return v;
}

static inline void fb_put_px(uint8_t *p, unsigned int bytes_pp, uint32_t v)
{
	switch (bytes_pp) {
	case 4:
		*(uint32_t *)p = v;
		break;
	case 3:
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		break;
	default:
		*(uint16_t *)p = (uint16_t)v;
		break;
	}
}

static inline uint8_t *fbcon_cell(struct fbcon *fc, unsigned int x, unsigned int y)
{
	return fc->base + (size_t)y * fc->font->height * fc->pitch +
	       (size_t)x * fc->font->width * fc->bytes_pp;
}

static void fbcon_putc(struct vt *vt, unsigned int x, unsigned int y, uint32_t ch, uint8_t attr)
{
	struct fbcon *fc = vt->priv;
	const struct fb_font *f = fc->font;
	const uint8_t *g = f->glyphs + (size_t)font_lookup(f, ch) * f->glyph_bytes;
	uint32_t fg = fc->palette[VT_ATTR_FG(attr)], bg = fc->palette[VT_ATTR_BG(attr)];
	uint8_t *line = fbcon_cell(fc, x, y);
	unsigned int row, i;

	for (row = 0; row < f->height; row++, line += fc->pitch, g += f->row_bytes) {
		if (fc->bytes_pp == 4 && f->width == 8) {
			uint32_t *p = (uint32_t *)line;
			unsigned int bits = g[0];

			for (i = 0; i < 8; i++)
				p[i] = bits & (0x80 >> i) ? fg : bg;
			continue;
		}
		for (i = 0; i < f->width; i++)
			fb_put_px(line + i * fc->bytes_pp, fc->bytes_pp,
				  g[i / 8] & (0x80 >> (i % 8)) ? fg : bg);
	}
}

static void fbcon_clear(struct vt *vt, unsigned int x, unsigned int y, unsigned int n,
			uint8_t attr)
{
	struct fbcon *fc = vt->priv;
	uint32_t bg = fc->palette[VT_ATTR_BG(attr)];
	unsigned int npx = n * fc->font->width, row, i;
	uint8_t *line = fbcon_cell(fc, x, y);

	for (row = 0; row < fc->font->height; row++, line += fc->pitch) {
		if (fc->bytes_pp == 4) {
			uint32_t *p = (uint32_t *)line;

			for (i = 0; i < npx; i++)
				p[i] = bg;
		} else {
			for (i = 0; i < npx; i++)
				fb_put_px(line + i * fc->bytes_pp, fc->bytes_pp, bg);
		}
	}
}

static void fbcon_move_rows(struct vt *vt, unsigned int dst, unsigned int src, unsigned int n)
{
	struct fbcon *fc = vt->priv;

	memmove(fbcon_cell(fc, 0, dst), fbcon_cell(fc, 0, src),
		(size_t)n * fc->font->height * fc->pitch);
}

/* Invert the cell at the cursor: drawing it twice restores it. */
static void fbcon_invert_cursor(struct fbcon *fc)
{
	uint8_t *line = fbcon_cell(fc, fc->cursor_x, fc->cursor_y);
	unsigned int row, i, w = fc->font->width * fc->bytes_pp;

	for (row = 0; row < fc->font->height; row++, line += fc->pitch) {
		if (fc->bytes_pp == 4) {
			for (i = 0; i < fc->font->width; i++)
				((uint32_t *)line)[i] ^= fc->xor_mask;
		} else {
			for (i = 0; i < w; i++)
				line[i] ^= (uint8_t)(fc->xor_mask >> (8 * (i % fc->bytes_pp)));
		}
	}
}

static void fbcon_cursor(struct vt *vt, bool show)
{
	struct fbcon *fc = vt->priv;

	if (fc->cursor_drawn)
		fbcon_invert_cursor(fc);
	fc->cursor_drawn = show;
	fc->cursor_x = vt->x;
	fc->cursor_y = vt->y;
	if (show)
		fbcon_invert_cursor(fc);
}

static const struct vt_ops fbcon_ops = {
	.putc = fbcon_putc,
	.clear = fbcon_clear,
	.move_rows = fbcon_move_rows,
	.cursor = fbcon_cursor,
};

/* VGA's 16 colours, in its own order (video.h), as 0xRRGGBB. */
static const uint32_t fbcon_colours[16] = {
	0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
	0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
};

/*
 * Attach @fc to the framebuffer described by @fb, whose pixels are mapped
 * at @base, and clear the screen. Returns NULL or why it cannot be used.
 */
static const char *fbcon_setup(struct fbcon *fc, const struct fb_font *font, void *base,
			       const struct boot_framebuffer *fb)
{
	unsigned int i;

	if (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)
		return "unsupported pixel depth";
	if (fb->width < font->width || fb->height < font->height ||
	    fb->pitch < fb->width * (fb->bpp / 8))
		return "bad framebuffer geometry";

	memset(fc, 0, sizeof(*fc));
	fc->font = font;
	fc->base = base;
	fc->pitch = fb->pitch;
	fc->width = fb->width;
	fc->height = fb->height;
	fc->bytes_pp = fb->bpp / 8;
	for (i = 0; i < 16; i++)
		fc->palette[i] = fb_pack(fb, fbcon_colours[i]);
	fc->xor_mask = fb_pack(fb, 0xffffff);
	vt_init(&fc->vt, &fbcon_ops, fc, fb->width / font->width, fb->height / font->height);
	return NULL;
}

static struct fb_font fbcon_font;
static struct fbcon fbcon;

static void fbcon_write(struct console *con, const char *s, size_t len)
{
	vt_write(&fbcon.vt, s, len);
}

static struct console fbcon_console = {
	.name = "fbcon",
	.write = fbcon_write,
};

static int fbcon_init(void)
{
	const struct boot_framebuffer *fb = &boot_info.fb;
	const char *err;

	if (fb->type != BOOT_FB_RGB)
		return 0;
	err = font_parse(&fbcon_font, font_psf_start, (size_t)(font_psf_end - font_psf_start));
	if (err) {
		pr_err("built-in font: %s\n", err);
		return -EINVAL;
	}
	/* the direct map is only sure to cover the low 4 GiB */
	if (fb->addr + (uint64_t)fb->pitch * fb->height > (1ULL << 32)) {
		pr_err("framebuffer at 0x%llx is above 4 GiB\n", (unsigned long long)fb->addr);
		return -EINVAL;
	}
	err = fbcon_setup(&fbcon, &fbcon_font, phys_to_virt(fb->addr), fb);
	if (err) {
		pr_err("%ux%u %u bpp framebuffer: %s\n", fb->width, fb->height, fb->bpp, err);
		return -EINVAL;
	}
	fbcon.vt.reply = vt_reply_input;
	register_console(&fbcon_console);
	pr_info("%ux%u %u bpp framebuffer, %ux%u text with a %ux%u font\n", fb->width,
		fb->height, fb->bpp, fbcon.vt.cols, fbcon.vt.rows, fbcon_font.width,
		fbcon_font.height);
	return 0;
}
device_initcall(fbcon_init);
