/*
 * PS/2 keyboard behind the 8042 controller (ports 0x60/0x64, ISA IRQ 1).
 * The controller translates the keyboard's codes to scancode set 1, which
 * kbd_translate() turns into the bytes a terminal would send for a US
 * layout: characters with shift, caps lock and ctrl applied, ESC-prefixed
 * for alt, and VT100/xterm escape sequences for the cursor and function
 * keys. The bytes go to the console input queue (input.h). The caps, num
 * and scroll lock lights follow their modifier state.
 */
#define pr_fmt(fmt) "ps2kbd: " fmt

#include "kernel/irq.h"
#include "kernel/kernel.h"
#include "drivers/input/input.h"
#include <asm/io.h>
#include <asm/irq.h>

#define I8042_DATA		0x60
#define I8042_STATUS		0x64	/* read */
#define I8042_COMMAND		0x64	/* write */
#define I8042_STATUS_OBF	0x01	/* a byte waits at I8042_DATA */
#define I8042_STATUS_IBF	0x02	/* the controller has not taken our byte yet */
#define I8042_STATUS_AUX	0x20	/* ...and it came from the mouse port */
#define I8042_CMD_READ_CONFIG	0x20
#define I8042_CMD_WRITE_CONFIG	0x60
#define I8042_CMD_ENABLE_KBD	0xae
#define I8042_CFG_KBD_IRQ	0x01
#define I8042_CFG_KBD_CLOCK_OFF	0x10
#define I8042_CFG_TRANSLATE	0x40	/* set 2 -> set 1 */
#define I8042_TIMEOUT		100000

#define KBD_CMD_SET_LEDS	0xed
#define KBD_ACK			0xfa
#define KBD_RESEND		0xfe
#define KBD_LED_SCROLL		0x01
#define KBD_LED_NUM		0x02
#define KBD_LED_CAPS		0x04

#define KBD_MAX_SEQ		8	/* longest output of one key: ESC ESC [ 2 4 ~ */

/* Modifier and lock state, and where we are in a multi-byte scancode. */
struct kbd_state {
	bool lshift, rshift, lctrl, rctrl, lalt, ralt;
	bool caps, num, scroll;
	bool e0;		/* the previous byte was the 0xe0 prefix */
	uint8_t skip;		/* bytes left of the Pause key's 0xe1 sequence */
};

/* Set 1 make codes 0x00-0x39: unshifted and shifted US characters; 0 for none. */
static const char keymap_plain[] =
	"\0\0331234567890-=\177\tqwertyuiop[]\r\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
static const char keymap_shift[] =
	"\0\033!@#$%^&*()_+\177\tQWERTYUIOP{}\r\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";
_Static_assert(sizeof(keymap_plain) == 0x3b && sizeof(keymap_shift) == 0x3b,
	       "keymaps cover scancodes 0x00-0x39");

/* Keypad 0x47-0x53 with num lock on, and the keys they are with it off. */
static const char keypad_num[] = "789-456+1230.";
static const char *const keypad_nav[13] = {
	"\033[H", "\033[A", "\033[5~", "-", "\033[D", "", "\033[C", "+",
	"\033[F", "\033[B", "\033[6~", "\033[2~", "\033[3~",
};

/* F1-F12, as xterm sends them. */
static const char *const fkey_seq[12] = {
	"\033OP", "\033OQ", "\033OR", "\033OS", "\033[15~", "\033[17~",
	"\033[18~", "\033[19~", "\033[20~", "\033[21~", "\033[23~", "\033[24~",
};

static int kbd_emit(char *out, const char *s)
{
	int n = 0;

	while (s[n] && n < KBD_MAX_SEQ) {
		out[n] = s[n];
		n++;
	}
	return n;
}

/* One character key, with caps lock, ctrl and alt applied. */
static int kbd_emit_char(const struct kbd_state *ks, char c, char *out)
{
	int n = 0;

	if (ks->caps && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c ^= 0x20;
	if (ks->lctrl || ks->rctrl) {
		if ((c >= '@' && c <= '_') || (c >= 'a' && c <= 'z'))
			c &= 0x1f;
		else if (c == ' ' || c == '2')
			c = 0;
		else if (c == '6')
			c = 0x1e;
		else if (c == '-' || c == '/')
			c = 0x1f;
		else if (c == '\177')
			c = '\b';
	}
	if (ks->lalt || ks->ralt)
		out[n++] = '\033';
	out[n++] = c;
	return n;
}

/* Track shift, ctrl, alt and the locks; true if @sc was one of them. */
static bool kbd_modifier(struct kbd_state *ks, uint8_t sc, bool e0, bool up)
{
	switch (sc) {
	case 0x2a:	/* with 0xe0: a fake shift around some keys; ignore */
		if (!e0)
			ks->lshift = !up;
		return true;
	case 0x36:
		if (!e0)
			ks->rshift = !up;
		return true;
	case 0x1d:
		*(e0 ? &ks->rctrl : &ks->lctrl) = !up;
		return true;
	case 0x38:
		*(e0 ? &ks->ralt : &ks->lalt) = !up;
		return true;
	case 0x3a:
		if (!up && !e0)
			ks->caps = !ks->caps;
		return !e0;
	case 0x45:
		if (!up && !e0)
			ks->num = !ks->num;
		return !e0;
	case 0x46:
		if (!up && !e0)
			ks->scroll = !ks->scroll;
		return !e0;
	}
	return false;
}

/* Keys behind the 0xe0 prefix: the cursor block, keypad enter and '/'. */
static int kbd_extended(const struct kbd_state *ks, uint8_t sc, char *out)
{
	if (sc == 0x1c)
		return kbd_emit_char(ks, '\r', out);
	if (sc == 0x35)
		return kbd_emit_char(ks, '/', out);
	if (sc >= 0x47 && sc <= 0x53 && sc != 0x4a && sc != 0x4c && sc != 0x4e)
		return kbd_emit(out, keypad_nav[sc - 0x47]);
	return 0;
}

/*
 * Translate one byte from the controller (scancode set 1) and update @ks.
 * Writes the bytes a terminal would send for it to @out, which holds
 * KBD_MAX_SEQ bytes, and returns how many (0 for releases, prefixes and
 * modifiers).
 */
static int kbd_translate(struct kbd_state *ks, uint8_t code, char *out)
{
	bool up = code & 0x80, e0 = ks->e0, shift;
	uint8_t sc = code & 0x7f;
	char c;

	if (ks->skip) {
		ks->skip--;
		return 0;
	}
	if (code == 0xe0) {
		ks->e0 = true;
		return 0;
	}
	if (code == 0xe1) {
		ks->skip = 2;
		return 0;
	}
	ks->e0 = false;

	if (kbd_modifier(ks, sc, e0, up) || up)
		return 0;
	if (e0)
		return kbd_extended(ks, sc, out);

	if (sc >= 0x3b && sc <= 0x44)
		return kbd_emit(out, fkey_seq[sc - 0x3b]);
	if (sc == 0x57 || sc == 0x58)
		return kbd_emit(out, fkey_seq[10 + sc - 0x57]);
	if (sc >= 0x47 && sc <= 0x53) {
		if (ks->num)
			return kbd_emit_char(ks, keypad_num[sc - 0x47], out);
		return kbd_emit(out, keypad_nav[sc - 0x47]);
	}
	if (sc >= sizeof(keymap_plain) - 1)
		return 0;
	shift = ks->lshift || ks->rshift;
	c = shift ? keymap_shift[sc] : keymap_plain[sc];
	if (!c)
		return 0;
	return kbd_emit_char(ks, c, out);
}

static uint8_t kbd_leds(const struct kbd_state *ks)
{
	return (ks->caps ? KBD_LED_CAPS : 0) | (ks->num ? KBD_LED_NUM : 0) |
	       (ks->scroll ? KBD_LED_SCROLL : 0);
}

/* --- the 8042 and the keyboard ------------------------------------------ */

enum led_state { LED_IDLE, LED_WAIT_CMD_ACK, LED_WAIT_DATA_ACK };

static struct kbd_state kbd;
static enum led_state led_state;
static uint8_t led_value;		/* what we are sending */
static uint8_t leds_shown;		/* what the keyboard acknowledged */
static unsigned int led_wait;		/* keys seen while waiting for an ACK */

static bool i8042_wait_write(void)
{
	int i;

	for (i = 0; i < I8042_TIMEOUT; i++)
		if (!(inb(I8042_STATUS) & I8042_STATUS_IBF))
			return true;
	return false;
}

static bool i8042_wait_read(void)
{
	int i;

	for (i = 0; i < I8042_TIMEOUT; i++)
		if (inb(I8042_STATUS) & I8042_STATUS_OBF)
			return true;
	return false;
}

static bool i8042_command(uint8_t cmd)
{
	if (!i8042_wait_write())
		return false;
	outb(I8042_COMMAND, cmd);
	return true;
}

/* Send a byte to the keyboard itself. */
static bool kbd_send(uint8_t v)
{
	if (!i8042_wait_write())
		return false;
	outb(I8042_DATA, v);
	return true;
}

static void i8042_flush(void)
{
	int i;

	for (i = 0; i < 64 && (inb(I8042_STATUS) & I8042_STATUS_OBF); i++)
		inb(I8042_DATA);
}

/* Start setting the lights if they differ from the lock state. */
static void led_update(void)
{
	uint8_t want = kbd_leds(&kbd);

	if (led_state != LED_IDLE && ++led_wait > 8)
		led_state = LED_IDLE;	/* an ACK got lost: start over */
	if (led_state != LED_IDLE || want == leds_shown)
		return;
	led_value = want;
	led_wait = 0;
	if (kbd_send(KBD_CMD_SET_LEDS))
		led_state = LED_WAIT_CMD_ACK;
}

static void led_reply(uint8_t code)
{
	if (code == KBD_ACK && led_state == LED_WAIT_CMD_ACK) {
		led_state = kbd_send(led_value) ? LED_WAIT_DATA_ACK : LED_IDLE;
	} else if (code == KBD_ACK && led_state == LED_WAIT_DATA_ACK) {
		leds_shown = led_value;
		led_state = LED_IDLE;
		led_update();
	} else {
		led_state = LED_IDLE;	/* a resend request: retry on the next key */
	}
}

static void ps2kbd_byte(uint8_t code)
{
	char buf[KBD_MAX_SEQ];
	int n;

	if (code == KBD_ACK || code == KBD_RESEND) {
		led_reply(code);
		return;
	}
	if (code == 0x00 || code == 0xff)	/* overrun or key detection error */
		return;
	n = kbd_translate(&kbd, code, buf);
	input_push_buf(buf, (size_t)n);
	led_update();
}

static irqreturn_t ps2kbd_irq(int irq, void *ctx)
{
	uint8_t status;
	int i;

	for (i = 0; i < 16; i++) {
		status = inb(I8042_STATUS);
		if (!(status & I8042_STATUS_OBF))
			break;
		if (status & I8042_STATUS_AUX)
			inb(I8042_DATA);	/* a mouse byte: not ours */
		else
			ps2kbd_byte(inb(I8042_DATA));
	}
	return i ? IRQ_HANDLED : IRQ_NONE;
}

static int ps2kbd_init(void)
{
	uint8_t cfg;
	int err;

	if (inb(I8042_STATUS) == 0xff) {
		pr_info("no 8042 controller\n");
		return -ENODEV;
	}
	i8042_flush();
	if (!i8042_command(I8042_CMD_READ_CONFIG) || !i8042_wait_read()) {
		pr_err("8042 controller does not answer\n");
		return -EIO;
	}
	cfg = inb(I8042_DATA);
	/* interrupts on, clock on; we only speak set 1, so keep translating */
	cfg |= I8042_CFG_KBD_IRQ | I8042_CFG_TRANSLATE;
	cfg &= ~I8042_CFG_KBD_CLOCK_OFF;
	if (!i8042_command(I8042_CMD_WRITE_CONFIG) || !kbd_send(cfg) ||
	    !i8042_command(I8042_CMD_ENABLE_KBD)) {
		pr_err("8042 controller does not take commands\n");
		return -EIO;
	}
	i8042_flush();

	err = request_irq(1, ps2kbd_irq, 0, "i8042", NULL);
	if (err) {
		pr_err("cannot register IRQ 1: %d\n", err);
		return err;
	}
	i8042_flush();		/* a key pressed meanwhile raised no interrupt */
	pr_info("PS/2 keyboard on IRQ 1\n");
	return 0;
}
device_initcall(ps2kbd_init);
