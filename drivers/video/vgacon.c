/*
 * VGA text-mode console: cells of (CP437 character, attribute) in the text
 * buffer at physical 0xb8000, with the hardware cursor placed through the
 * CRTC registers. Used when GRUB leaves the screen in text mode, or when a
 * BIOS boot gives us no framebuffer at all. vt.c does the terminal work.
 */

#define pr_fmt(fmt) "vgacon: " fmt

#include "kernel/kernel.h"
#include "drivers/video/video.h"
#include <asm/boot.h>
#include <asm/io.h>
#include <asm/page.h>

#define VGA_TEXT_PHYS		0xb8000
#define VGA_COLS		80
#define VGA_ROWS		25

#define CRTC_INDEX		0x3d4
#define CRTC_DATA		0x3d5
#define CRTC_CURSOR_START	0x0a	/* bits 0-4 first scan line, bit 5 off */
#define CRTC_CURSOR_END		0x0b
#define CRTC_CURSOR_HI		0x0e
#define CRTC_CURSOR_LO		0x0f
#define CRTC_CURSOR_OFF		0x20

struct vgacon {
	struct vt vt;
	volatile uint16_t *mem;
	bool cursor_on;
};

static struct vgacon vgacon;

static uint8_t crtc_read(uint8_t reg)
{
	outb(CRTC_INDEX, reg);
	return inb(CRTC_DATA);
}

static void crtc_write(uint8_t reg, uint8_t v)
{
	outb(CRTC_INDEX, reg);
	outb(CRTC_DATA, v);
}

/* Bit 7 of the attribute makes the cell blink, so backgrounds stay dark. */
static uint16_t vga_cell(uint32_t ch, uint8_t attr)
{
	int c = vt_unicode_to_cp437(ch);

	if (c < 0)
		c = '?';
	return (uint16_t)((attr & 0x7f) << 8 | c);
}

static void vgacon_putc(struct vt *vt, unsigned int x, unsigned int y, uint32_t ch, uint8_t attr)
{
	struct vgacon *vc = vt->priv;

	vc->mem[y * vt->cols + x] = vga_cell(ch, attr);
}

static void vgacon_clear(struct vt *vt, unsigned int x, unsigned int y, unsigned int n,
			 uint8_t attr)
{
	struct vgacon *vc = vt->priv;
	volatile uint16_t *p = vc->mem + y * vt->cols + x;
	uint16_t blank = vga_cell(' ', attr);

	while (n--)
		*p++ = blank;
}

static void vgacon_move_rows(struct vt *vt, unsigned int dst, unsigned int src, unsigned int n)
{
	struct vgacon *vc = vt->priv;
	volatile uint16_t *d = vc->mem + dst * vt->cols, *s = vc->mem + src * vt->cols;
	size_t i, cells = (size_t)n * vt->cols;

	if (dst < src) {
		for (i = 0; i < cells; i++)
			d[i] = s[i];
	} else {
		for (i = cells; i-- > 0;)
			d[i] = s[i];
	}
}

static void vgacon_cursor_enable(struct vgacon *vc, bool on)
{
	uint8_t start = crtc_read(CRTC_CURSOR_START) & ~CRTC_CURSOR_OFF;

	crtc_write(CRTC_CURSOR_START, on ? start : start | CRTC_CURSOR_OFF);
	vc->cursor_on = on;
}

/*
 * The hardware draws the cursor over the text, so hiding it around a
 * write is not needed: only an ESC[?25l hide (cursor_visible false) turns
 * it off.
 */
static void vgacon_cursor(struct vt *vt, bool show)
{
	struct vgacon *vc = vt->priv;
	unsigned int pos = vt->y * vt->cols + vt->x;

	if (!show) {
		if (!vt->cursor_visible && vc->cursor_on)
			vgacon_cursor_enable(vc, false);
		return;
	}
	crtc_write(CRTC_CURSOR_HI, (uint8_t)(pos >> 8));
	crtc_write(CRTC_CURSOR_LO, (uint8_t)pos);
	if (!vc->cursor_on)
		vgacon_cursor_enable(vc, true);
}

static const struct vt_ops vgacon_ops = {
	.putc = vgacon_putc,
	.clear = vgacon_clear,
	.move_rows = vgacon_move_rows,
	.cursor = vgacon_cursor,
};

static void vgacon_write(struct console *con, const char *s, size_t len)
{
	vt_write(&vgacon.vt, s, len);
}

static struct console vgacon_console = {
	.name = "vgacon",
	.write = vgacon_write,
};

static int vgacon_init(void)
{
	const struct boot_framebuffer *fb = &boot_info.fb;
	uint64_t addr = VGA_TEXT_PHYS;
	unsigned int cols = VGA_COLS, rows = VGA_ROWS;

	if (fb->type == BOOT_FB_EGA_TEXT) {
		if (fb->addr)
			addr = fb->addr;
		if (fb->width >= 40 && fb->width <= 132 && fb->height >= 25 && fb->height <= 60) {
			cols = fb->width;
			rows = fb->height;
		}
	} else if (fb->type != BOOT_FB_NONE || boot_info.uefi) {
		return 0;	/* a framebuffer console, or no VGA under UEFI */
	}

	vgacon.mem = phys_to_virt(addr);
	/* an underline cursor on the last two scan lines of a 16-line cell */
	crtc_write(CRTC_CURSOR_START, (crtc_read(CRTC_CURSOR_START) & 0xc0) | 14 | CRTC_CURSOR_OFF);
	crtc_write(CRTC_CURSOR_END, (crtc_read(CRTC_CURSOR_END) & 0xe0) | 15);
	vt_init(&vgacon.vt, &vgacon_ops, &vgacon, cols, rows);
	vgacon.vt.reply = vt_reply_input;
	register_console(&vgacon_console);
	pr_info("%ux%u text at 0x%llx\n", cols, rows, (unsigned long long)addr);
	return 0;
}
device_initcall(vgacon_init);
