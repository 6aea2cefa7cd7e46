/*
 * Host tests for the N_TTY line discipline (drivers/tty/n_tty.c): bytes are
 * fed as if typed, and the tests check what read() would return, what is
 * echoed to the device (after output processing) and which signals are
 * raised, for canonical editing, echo flags, input mapping, signals,
 * non-canonical reads, mode switches and output processing.
 */
#include "drivers/tty/n_tty.c"
#include "tests/host/test.h"

#include <string.h>

static char echoed[8192];
static size_t echoed_len;
static int sigs[8];
static int nsigs;
static struct n_tty ld;

static void stub_write(struct n_tty *l, const char *s, size_t len)
{
	if (echoed_len + len < sizeof(echoed)) {
		memcpy(echoed + echoed_len, s, len);
		echoed_len += len;
	}
	echoed[echoed_len] = '\0';
}

static void stub_signal(struct n_tty *l, int sig)
{
	if (nsigs < 8)
		sigs[nsigs++] = sig;
}

static const struct n_tty_ops stub_ops = {
	.write = stub_write,
	.signal = stub_signal,
};

static void reset(void)
{
	n_tty_init(&ld, &stub_ops);
	echoed_len = 0;
	echoed[0] = '\0';
	nsigs = 0;
}

static void clear_echo(void)
{
	echoed_len = 0;
	echoed[0] = '\0';
}

static void type(const char *s)
{
	n_tty_receive(&ld, s, strlen(s));
}

/* Read up to @n bytes into a NUL-terminated static buffer; NULL on -EAGAIN. */
static const char *rd(size_t n)
{
	static char buf[N_TTY_BUF_SIZE + 1];
	long r = n_tty_read(&ld, buf, n);

	if (r < 0)
		return NULL;
	buf[r] = '\0';
	return buf;
}

#define READS(n, want)                                                     \
	do {                                                               \
		const char *_got = rd(n);                                  \
		CHECK(_got != NULL);                                       \
		if (_got && strcmp(_got, want)) {                          \
			printf("# read \"%s\", want \"%s\"\n", _got, want); \
			test_cur_failed = 1;                               \
		}                                                          \
	} while (0)

#define ECHOED(want)                                                       \
	do {                                                               \
		if (strcmp(echoed, want)) {                                \
			printf("# %s:%d: echoed \"%s\", want \"%s\"\n",     \
			       __FILE__, __LINE__, echoed, want);          \
			test_cur_failed = 1;                               \
		}                                                          \
	} while (0)

static void set_lflag(uint32_t on, uint32_t off)
{
	struct termios t = ld.termios;

	t.c_lflag = (t.c_lflag | on) & ~off;
	n_tty_set_termios(&ld, &t);
}

static void defaults(void)
{
	reset();
	CHECK_EQ(ld.termios.c_iflag, ICRNL | IXON);
	CHECK_EQ(ld.termios.c_oflag, OPOST | ONLCR);
	CHECK_EQ(ld.termios.c_lflag,
		 ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN);
	CHECK_EQ(ld.termios.c_cc[VINTR], 3);
	CHECK_EQ(ld.termios.c_cc[VQUIT], 034);
	CHECK_EQ(ld.termios.c_cc[VERASE], 0177);
	CHECK_EQ(ld.termios.c_cc[VKILL], 025);
	CHECK_EQ(ld.termios.c_cc[VEOF], 4);
	CHECK_EQ(ld.termios.c_cc[VMIN], 1);
	CHECK_EQ(ld.termios.c_cc[VTIME], 0);
	CHECK_EQ(ld.termios.c_cc[VSUSP], 032);
	CHECK_EQ(ld.termios.c_cc[VWERASE], 027);
	CHECK_EQ(ld.termios.c_cc[VEOL], 0);
	CHECK_EQ(sizeof(struct termios), 36);
	CHECK_EQ(sizeof(struct winsize), 8);
}

static void canonical_line(void)
{
	reset();
	type("hello");
	CHECK(rd(100) == NULL);			/* no line yet */
	CHECK(!n_tty_input_ready(&ld, false));
	type("\r");				/* ICRNL: Enter sends CR */
	CHECK(n_tty_input_ready(&ld, false));
	ECHOED("hello\r\n");			/* ONLCR on the echoed newline */
	CHECK_EQ(n_tty_input_count(&ld), 6);
	READS(100, "hello\n");
	CHECK(rd(100) == NULL);
}

static void one_line_per_read(void)
{
	reset();
	type("ab\ncd\nef");
	READS(100, "ab\n");
	READS(100, "cd\n");
	CHECK(rd(100) == NULL);			/* "ef" is still being edited */
	type("\n");
	READS(2, "ef");				/* short buffer: rest stays */
	READS(100, "\n");
}

static void erase_char(void)
{
	reset();
	type("abc\177\177d\n");
	ECHOED("abc\b \b\b \bd\r\n");
	READS(100, "ad\n");

	/* ^H erases too when it is VERASE; erasing an empty line echoes nothing */
	reset();
	ld.termios.c_cc[VERASE] = '\b';
	type("\b\bx\by\n");
	ECHOED("x\b \by\r\n");
	READS(100, "y\n");

	/* without ECHOE the erase character itself is echoed */
	reset();
	set_lflag(0, ECHOE);
	type("ab\177\n");
	ECHOED("ab^?\r\n");
	READS(100, "a\n");

	/* an erased control character took two columns (^A) */
	reset();
	type("\001\177\n");
	ECHOED("^A\b \b\b \b\r\n");
	READS(100, "\n");
}

static void erase_utf8_and_tab(void)
{
	reset();
	ld.termios.c_iflag |= IUTF8;
	type("x\xc3\xa9\177\n");		/* é is one character */
	ECHOED("x\xc3\xa9\b \b\r\n");
	READS(100, "x\n");

	/* a prompt leaves the cursor at column 2; the tab then takes 6 */
	reset();
	n_tty_write(&ld, "$ ", 2);
	clear_echo();
	type("\tx\177\177");
	ECHOED("\tx\b \b\b\b\b\b\b\b");
	type("\n");
	READS(100, "\n");

	/* a tab after another tab is a full 8 columns back */
	reset();
	type("ab\t\t\177");
	ECHOED("ab\t\t\b\b\b\b\b\b\b\b");
}

static void kill_line(void)
{
	reset();
	type("abc\025x\n");
	ECHOED("abc\b \b\b \b\b \bx\r\n");	/* ECHOKE: erase visibly */
	READS(100, "x\n");

	reset();
	set_lflag(0, ECHOKE);
	type("abc\025x\n");
	ECHOED("abc^U\r\nx\r\n");		/* ECHOK: kill char, newline */
	READS(100, "x\n");

	reset();
	set_lflag(0, ECHO);
	type("abc\025x\n");
	ECHOED("");
	READS(100, "x\n");
}

static void word_erase(void)
{
	reset();
	type("foo bar  \027baz\n");
	READS(100, "foo baz\n");
	reset();
	type("one two_3\027\027x\n");
	READS(100, "x\n");
	/* without IEXTEN ^W is an ordinary character */
	reset();
	set_lflag(0, IEXTEN);
	type("a\027\n");
	READS(100, "a\027\n");
}

static void eof_char(void)
{
	reset();
	type("abc\004");
	ECHOED("abc");				/* VEOF is not echoed */
	READS(100, "abc");			/* no newline, marker dropped */
	CHECK(rd(100) == NULL);
	type("\004");
	READS(100, "");				/* empty line with EOF: end of file */
	CHECK(rd(100) == NULL);

	/* a buffer filled exactly up to the marker takes the marker too */
	type("xy\004\004");
	CHECK_EQ(n_tty_input_count(&ld), 2);
	READS(2, "xy");
	READS(100, "");
	CHECK(rd(100) == NULL);
}

static void eol_char(void)
{
	reset();
	ld.termios.c_cc[VEOL] = ';';
	type("ls;");
	ECHOED("ls;");
	READS(100, "ls;");
}

static void echo_flags(void)
{
	reset();
	set_lflag(ECHONL, ECHO);
	type("secret\n");
	ECHOED("\r\n");				/* ECHONL alone echoes the newline */
	READS(100, "secret\n");

	reset();
	set_lflag(0, ECHOCTL);
	type("\001\n");
	ECHOED("\001\r\n");
	READS(100, "\001\n");

	reset();
	type("\033[A\n");			/* ESC shows as ^[ */
	ECHOED("^[[A\r\n");
}

static void signals(void)
{
	reset();
	type("abc\003");
	CHECK_EQ(nsigs, 1);
	CHECK_EQ(sigs[0], SIGINT);
	ECHOED("abc^C");
	type("\n");
	READS(100, "\n");			/* "abc" was flushed */

	reset();
	type("\034\032");
	CHECK_EQ(nsigs, 2);
	CHECK_EQ(sigs[0], SIGQUIT);
	CHECK_EQ(sigs[1], SIGTSTP);
	ECHOED("^\\^Z");

	/* NOFLSH keeps the typed line */
	reset();
	set_lflag(NOFLSH, 0);
	type("ab\003\n");
	CHECK_EQ(nsigs, 1);
	READS(100, "ab\n");

	/* without ISIG ^C is data */
	reset();
	set_lflag(0, ISIG | ICANON | ECHO);
	type("\003");
	CHECK_EQ(nsigs, 0);
	READS(100, "\003");

	/* the signal is raised after its echo is out */
	reset();
	type("x\003");
	CHECK_EQ(echoed_len, 3);
	CHECK_EQ(nsigs, 1);
}

static void literal_next(void)
{
	reset();
	type("\026\003\026\177\n");
	CHECK_EQ(nsigs, 0);
	ECHOED("^\b^C^\b^?\r\n");
	READS(100, "\003\177\n");
}

static void reprint_line(void)
{
	reset();
	type("abc\022");
	ECHOED("abc^R\r\nabc");
	type("\n");
	READS(100, "abc\n");
}

static void input_mapping(void)
{
	reset();
	ld.termios.c_iflag &= ~ICRNL;
	type("a\r\n");
	READS(100, "a\r\n");

	reset();
	ld.termios.c_iflag |= IGNCR;
	type("a\rb\n");
	READS(100, "ab\n");

	reset();
	set_lflag(0, ICANON);
	ld.termios.c_iflag = INLCR;
	type("\n");
	READS(100, "\r");

	reset();
	ld.termios.c_iflag |= ISTRIP;
	type("\xe1\n");
	READS(100, "a\n");
}

static void flow_control(void)
{
	reset();
	type("\023");
	CHECK(ld.stopped);
	type("a\021b\n");
	CHECK(!ld.stopped);
	READS(100, "ab\n");			/* ^S and ^Q are not input */

	reset();
	ld.termios.c_iflag |= IXANY;
	type("\023x");
	CHECK(!ld.stopped);

	reset();
	type("\023");
	ld.termios.c_iflag = 0;
	n_tty_set_termios(&ld, &ld.termios);
	CHECK(ld.stopped);			/* only a change of IXON starts it */
	reset();
	type("\023");
	{
		struct termios t = ld.termios;

		t.c_iflag &= ~IXON;
		n_tty_set_termios(&ld, &t);
	}
	CHECK(!ld.stopped);
}

static void noncanonical(void)
{
	reset();
	set_lflag(0, ICANON | ECHO | ISIG);
	CHECK(rd(10) == NULL);
	type("ab");
	CHECK(n_tty_input_ready(&ld, false));
	CHECK_EQ(n_tty_input_count(&ld), 2);
	READS(1, "a");
	READS(10, "b");
	ECHOED("");
	type("\177\025\n");			/* no editing without ICANON */
	READS(10, "\177\025\n");

	/* poll asks for VMIN bytes when VTIME is 0 */
	ld.termios.c_cc[VMIN] = 3;
	type("xy");
	CHECK(!n_tty_input_ready(&ld, true));
	CHECK(n_tty_input_ready(&ld, false));
	type("z");
	CHECK(n_tty_input_ready(&ld, true));
	READS(10, "xyz");

	/* echo still works in raw mode: '\n' is echoed as a newline */
	reset();
	set_lflag(0, ICANON);
	type("q\001\n");
	ECHOED("q^A\r\n");
}

static void mode_switch(void)
{
	/* a half-typed line becomes readable in raw mode */
	reset();
	type("abc");
	set_lflag(0, ICANON);
	READS(100, "abc");

	/* raw bytes pending when canonical mode returns form one line */
	type("xy");
	set_lflag(ICANON, 0);
	READS(100, "xy");
	type("z");
	CHECK(rd(100) == NULL);
	type("\n");
	READS(100, "z\n");

	/* finished lines keep their boundaries across a round trip */
	reset();
	type("l1\nl2");
	set_lflag(0, ICANON);
	set_lflag(ICANON, 0);
	READS(100, "l1\n");
	READS(100, "l2");
}

static void full_buffer(void)
{
	static char big[5000];

	reset();
	memset(big, 'a', sizeof(big));
	n_tty_receive(&ld, big, sizeof(big));
	CHECK_EQ(ld.head - ld.tail, N_TTY_BUF_SIZE - 1);
	type("\n");				/* the newline still fits */
	CHECK_EQ(n_tty_input_count(&ld), N_TTY_BUF_SIZE);
	{
		const char *got = rd(N_TTY_BUF_SIZE);

		CHECK(got != NULL);
		CHECK_EQ(got ? strlen(got) : 0, N_TTY_BUF_SIZE);
		CHECK(got && got[N_TTY_BUF_SIZE - 1] == '\n');
	}
	/* the ring wraps cleanly afterwards */
	type("after\n");
	READS(100, "after\n");
}

static void flush_all(void)
{
	reset();
	type("a\nb");
	n_tty_flush_input(&ld);
	CHECK(rd(100) == NULL);
	type("c\n");
	READS(100, "c\n");
}

static void output_processing(void)
{
	reset();
	n_tty_write(&ld, "a\nb\n", 4);
	ECHOED("a\r\nb\r\n");

	reset();
	ld.termios.c_oflag = 0;
	n_tty_write(&ld, "a\nb", 3);
	ECHOED("a\nb");				/* no OPOST: raw */

	reset();
	ld.termios.c_oflag = OPOST | XTABS;
	n_tty_write(&ld, "ab\tc", 4);
	ECHOED("ab      c");

	reset();
	ld.termios.c_oflag = OPOST | OCRNL;
	n_tty_write(&ld, "x\r", 2);
	ECHOED("x\n");

	reset();
	ld.termios.c_oflag = OPOST | ONOCR | ONLCR;
	n_tty_write(&ld, "\rab\r", 4);
	ECHOED("ab\r");				/* CR at column 0 dropped */

	reset();
	ld.termios.c_oflag = OPOST | OLCUC;
	n_tty_write(&ld, "Hi!", 3);
	ECHOED("HI!");

	/* more than the staging buffer goes out whole and in order */
	reset();
	{
		static char big[300];
		size_t i;

		for (i = 0; i < sizeof(big); i++)
			big[i] = (char)('a' + i % 26);
		n_tty_write(&ld, big, sizeof(big));
		CHECK_EQ(echoed_len, sizeof(big));
		CHECK(memcmp(echoed, big, sizeof(big)) == 0);
	}
}

static void disabled_chars(void)
{
	/* a NUL byte must not match a disabled c_cc entry (VEOL is 0) */
	reset();
	type("a");
	n_tty_receive(&ld, "\0", 1);
	CHECK(rd(100) == NULL);
	type("\n");
	{
		char buf[8];

		CHECK_EQ(n_tty_read(&ld, buf, sizeof(buf)), 3);
		CHECK(buf[0] == 'a' && buf[1] == '\0' && buf[2] == '\n');
	}
	/* a disabled VINTR does not signal */
	reset();
	ld.termios.c_cc[VINTR] = POSIX_VDISABLE;
	type("\003");
	CHECK_EQ(nsigs, 0);
}

int main(void)
{
	test_suite = "tty";
	RUN(defaults);
	RUN(canonical_line);
	RUN(one_line_per_read);
	RUN(erase_char);
	RUN(erase_utf8_and_tab);
	RUN(kill_line);
	RUN(word_erase);
	RUN(eof_char);
	RUN(eol_char);
	RUN(echo_flags);
	RUN(signals);
	RUN(literal_next);
	RUN(reprint_line);
	RUN(input_mapping);
	RUN(flow_control);
	RUN(noncanonical);
	RUN(mode_switch);
	RUN(full_buffer);
	RUN(flush_all);
	RUN(output_processing);
	RUN(disabled_chars);
	TEST_EXIT();
}
