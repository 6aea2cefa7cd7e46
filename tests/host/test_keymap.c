/*
 * Host tests for the PS/2 keyboard's scancode translation (kbd_translate()
 * in drivers/input/ps2kbd.c): the exact bytes produced for characters,
 * modifiers, locks, prefixes and the keys that send escape sequences; and
 * for the console input queue (drivers/input/input.c) those bytes go to.
 */
#include "drivers/input/ps2kbd.c"
#include "drivers/input/input.c"
#include "tests/host/test.h"

#include <string.h>

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags,
		const char *name, void *dev)
{
	return 0;
}

int printk(const char *fmt, ...)
{
	return 0;
}

static struct kbd_state ks;
static char got[256];
static size_t got_len;

static void feed(const uint8_t *codes, size_t n)
{
	char out[KBD_MAX_SEQ];
	size_t i;
	int k;

	got_len = 0;
	for (i = 0; i < n; i++) {
		k = kbd_translate(&ks, codes[i], out);
		if (k < 0 || k > KBD_MAX_SEQ || got_len + (size_t)k > sizeof(got)) {
			got_len = (size_t)-1;
			return;
		}
		memcpy(got + got_len, out, (size_t)k);
		got_len += (size_t)k;
	}
}

static int got_is(const char *s, size_t n)
{
	if (got_len == n && memcmp(got, s, n) == 0)
		return 1;
	printf("# got %zd bytes:", (ssize_t)got_len);
	for (size_t i = 0; i < got_len && i < sizeof(got); i++)
		printf(" %02x", (unsigned char)got[i]);
	printf("\n");
	return 0;
}

/* FEED(scancodes...) then EXPECT("bytes"), which may hold NULs. */
#define FEED(...)                                                   \
	do {                                                        \
		static const uint8_t c_[] = { __VA_ARGS__ };        \
		feed(c_, sizeof(c_));                               \
	} while (0)
#define EXPECT(lit) CHECK(got_is(lit, sizeof(lit) - 1))

static void reset(void)
{
	memset(&ks, 0, sizeof(ks));
}

static void letters_and_digits(void)
{
	reset();
	FEED(0x1e, 0x9e, 0x30, 0xb0, 0x2c, 0xac, 0x10, 0x90, 0x32, 0xb2);
	EXPECT("abzqm");
	FEED(0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d);
	EXPECT("1234567890-=");
	FEED(0x1a, 0x1b, 0x27, 0x28, 0x29, 0x2b, 0x33, 0x34, 0x35, 0x39);
	EXPECT("[];'`\\,./ ");
	FEED(0x1c, 0x0e, 0x0f, 0x01);
	EXPECT("\r\177\t\033");
	/* releases and unknown codes give nothing */
	FEED(0x9c, 0x8e, 0x5d, 0x59, 0x7f);
	EXPECT("");
}

static void shift_keys(void)
{
	reset();
	FEED(0x2a, 0x1e, 0x9e, 0x02, 0x82, 0xaa, 0x1e);
	EXPECT("A!a");
	FEED(0x36, 0x0d, 0x1a, 0x27, 0x28, 0x29, 0x2b, 0x33, 0x34, 0x35, 0xb6, 0x0d);
	EXPECT("+{:\"~|<>?=");
	/* both shifts: releasing one keeps the other */
	FEED(0x2a, 0x36, 0xaa, 0x1f, 0xb6, 0x1f);
	EXPECT("Ss");
}

static void caps_lock(void)
{
	reset();
	FEED(0x3a, 0xba, 0x1e, 0x02);
	EXPECT("A1");
	CHECK_EQ(kbd_leds(&ks), KBD_LED_CAPS);
	FEED(0x2a, 0x1e, 0x02, 0xaa);
	EXPECT("a!");
	FEED(0x3a, 0xba, 0x1e);
	EXPECT("a");
	CHECK_EQ(kbd_leds(&ks), 0);
}

static void ctrl_codes(void)
{
	reset();
	FEED(0x1d, 0x1e, 0x2e, 0x2c, 0x1a, 0x2b, 0x1b, 0x39, 0x0c, 0x0e, 0x9d, 0x2e);
	EXPECT("\001\003\032\033\034\035\000\037\010c");
	/* right ctrl, with caps lock on: still control codes */
	FEED(0x3a, 0xba, 0xe0, 0x1d, 0x1f, 0xe0, 0x9d, 0x1f);
	EXPECT("\023S");
}

static void alt_prefix(void)
{
	reset();
	FEED(0x38, 0x1e, 0xb8, 0x1e, 0xe0, 0x38, 0x30, 0xe0, 0xb8);
	EXPECT("\033aa\033b");
}

static void cursor_keys(void)
{
	reset();
	FEED(0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x50, 0xe0, 0x4d, 0xe0, 0x4b);
	EXPECT("\033[A\033[B\033[C\033[D");
	FEED(0xe0, 0x47, 0xe0, 0x4f, 0xe0, 0x53, 0xe0, 0x52, 0xe0, 0x49, 0xe0, 0x51);
	EXPECT("\033[H\033[F\033[3~\033[2~\033[5~\033[6~");
	/* keypad enter and slash */
	FEED(0xe0, 0x1c, 0xe0, 0x35);
	EXPECT("\r/");
}

static void keypad_and_num_lock(void)
{
	reset();
	FEED(0x48, 0x4b, 0x53, 0x37, 0x4a, 0x4e);
	EXPECT("\033[A\033[D\033[3~*-+");
	FEED(0x45, 0xc5, 0x47, 0x48, 0x49, 0x4c, 0x52, 0x53);
	EXPECT("78950.");
	CHECK_EQ(kbd_leds(&ks), KBD_LED_NUM);
}

static void function_keys(void)
{
	reset();
	FEED(0x3b, 0x3e, 0x3f, 0x44, 0x57, 0x58);
	EXPECT("\033OP\033OS\033[15~\033[21~\033[23~\033[24~");
}

static void prefixes_are_ignored(void)
{
	reset();
	/* Print Screen with its fake shift must not leave shift held */
	FEED(0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa, 0x1e);
	EXPECT("a");
	/* Pause: e1 1d 45 e1 9d c5 must not press ctrl or num lock */
	FEED(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x1e, 0x48);
	EXPECT("a\033[A");
	/* extended scroll lock (e0 46 = ctrl+break) does not toggle it */
	FEED(0xe0, 0x46, 0xe0, 0xc6);
	CHECK_EQ(kbd_leds(&ks), 0);
}

static void input_queue(void)
{
	int i, n = 0;

	while (input_getc() >= 0)
		;
	input_push('x');
	input_push((char)0xff);
	input_push_buf("yz", 2);
	CHECK_EQ(input_getc(), 'x');
	CHECK_EQ(input_getc(), 0xff);
	CHECK_EQ(input_getc(), 'y');
	CHECK_EQ(input_getc(), 'z');
	CHECK_EQ(input_getc(), -1);

	for (i = 0; i < INPUT_BUF_SIZE + 10; i++)
		input_push((char)('a' + i % 26));
	CHECK_EQ(input_dropped(), 10);
	while ((i = input_getc()) >= 0) {
		CHECK_EQ(i, 'a' + n % 26);
		n++;
	}
	CHECK_EQ(n, INPUT_BUF_SIZE);
}

static void driver_path(void)
{
	memset(&kbd, 0, sizeof(kbd));
	while (input_getc() >= 0)
		;
	ps2kbd_byte(KBD_ACK);		/* stray ACK: not a key */
	ps2kbd_byte(0x2a);
	ps2kbd_byte(0x23);
	ps2kbd_byte(0xaa);
	ps2kbd_byte(0x17);
	ps2kbd_byte(0xe0);
	ps2kbd_byte(0x4b);
	CHECK_EQ(input_getc(), 'H');
	CHECK_EQ(input_getc(), 'i');
	CHECK_EQ(input_getc(), '\033');
	CHECK_EQ(input_getc(), '[');
	CHECK_EQ(input_getc(), 'D');
	CHECK_EQ(input_getc(), -1);
}

int main(void)
{
	test_suite = "keymap";
	RUN(letters_and_digits);
	RUN(shift_keys);
	RUN(caps_lock);
	RUN(ctrl_codes);
	RUN(alt_prefix);
	RUN(cursor_keys);
	RUN(keypad_and_num_lock);
	RUN(function_keys);
	RUN(prefixes_are_ignored);
	RUN(input_queue);
	RUN(driver_path);
	TEST_EXIT();
}
