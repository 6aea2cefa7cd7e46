/*
 * N_TTY, the line discipline, with Linux's semantics as busybox expects
 * them: input mapping (ISTRIP, ICRNL, INLCR, IGNCR), flow control (IXON),
 * signal characters (ISIG), canonical line editing (ERASE, KILL, WERASE,
 * LNEXT, REPRINT, EOF, EOL) with echo (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL,
 * ECHOCTL), and output processing (OPOST, ONLCR, OCRNL, ONOCR, ONLRET,
 * XTABS). It knows nothing about processes or devices: output goes to
 * ops->write and signals to ops->signal, and the caller serializes calls.
 */
#include "drivers/tty/tty.h"
#include "kernel/errno.h"
#include "kernel/signal.h"

#define RING(i)		((i) & (N_TTY_BUF_SIZE - 1))

enum erase_kind { ERASE_CHAR, ERASE_WORD, ERASE_LINE };

static bool is_cc(const struct n_tty *ld, int idx, uint8_t c)
{
	uint8_t v = ld->termios.c_cc[idx];

	return v != POSIX_VDISABLE && v == c;
}

static bool is_ctrl(uint8_t c)
{
	return c < 0x20 || c == 0x7f;
}

/* A UTF-8 continuation byte, when the terminal is in UTF-8 mode. */
static bool is_cont(const struct n_tty *ld, uint8_t c)
{
	return (ld->termios.c_iflag & IUTF8) && (c & 0xc0) == 0x80;
}

static bool is_word(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

void n_tty_default_termios(struct termios *t)
{
	static const uint8_t cc[NCCS] = {
		[VINTR] = 003, [VQUIT] = 034, [VERASE] = 0177, [VKILL] = 025,
		[VEOF] = 004, [VTIME] = 0, [VMIN] = 1, [VSTART] = 021,
		[VSTOP] = 023, [VSUSP] = 032, [VREPRINT] = 022,
		[VDISCARD] = 017, [VWERASE] = 027, [VLNEXT] = 026,
	};
	int i;

	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD | HUPCL;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	t->c_line = N_TTY;
	for (i = 0; i < NCCS; i++)
		t->c_cc[i] = cc[i];
}

void n_tty_init(struct n_tty *ld, const struct n_tty_ops *ops)
{
	ld->ops = ops;
	n_tty_default_termios(&ld->termios);
	ld->tail = ld->canon_head = ld->head = 0;
	ld->column = ld->canon_column = 0;
	ld->lnext = false;
	ld->stopped = false;
	ld->olen = 0;
}

/* --- output ---------------------------------------------------------------- */

static void out_flush(struct n_tty *ld)
{
	if (ld->olen) {
		ld->ops->write(ld, ld->obuf, ld->olen);
		ld->olen = 0;
	}
}

static void out_raw(struct n_tty *ld, uint8_t c)
{
	if (ld->olen == N_TTY_OBUF_SIZE)
		out_flush(ld);
	ld->obuf[ld->olen++] = (char)c;
}

/* One byte through output processing, keeping track of the column. */
static void out_char(struct n_tty *ld, uint8_t c)
{
	uint32_t of = ld->termios.c_oflag;
	unsigned int spaces;

	if (!(of & OPOST)) {
		out_raw(ld, c);
		return;
	}
	switch (c) {
	case '\n':
		if (of & ONLRET)
			ld->column = 0;
		if (of & ONLCR) {
			ld->column = ld->canon_column = 0;
			out_raw(ld, '\r');
			out_raw(ld, '\n');
			return;
		}
		ld->canon_column = ld->column;
		break;
	case '\r':
		if ((of & ONOCR) && ld->column == 0)
			return;
		if (of & OCRNL) {
			c = '\n';
			if (of & ONLRET)
				ld->column = ld->canon_column = 0;
			break;
		}
		ld->column = ld->canon_column = 0;
		break;
	case '\t':
		spaces = 8 - (ld->column & 7);
		ld->column += spaces;
		if ((of & TABDLY) == XTABS) {
			while (spaces--)
				out_raw(ld, ' ');
			return;
		}
		break;
	case '\b':
		if (ld->column > 0)
			ld->column--;
		break;
	default:
		if (!is_ctrl(c)) {
			if ((of & OLCUC) && c >= 'a' && c <= 'z')
				c -= 'a' - 'A';
			if (!is_cont(ld, c))
				ld->column++;
		}
		break;
	}
	out_raw(ld, c);
}

void n_tty_write(struct n_tty *ld, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		out_char(ld, (uint8_t)s[i]);
	out_flush(ld);
}

/* --- echo ------------------------------------------------------------------ */

/* Echo @c, showing control characters as ^X under ECHOCTL. */
static void echo_char(struct n_tty *ld, uint8_t c)
{
	if ((ld->termios.c_lflag & ECHOCTL) && is_ctrl(c) && c != '\t') {
		out_char(ld, '^');
		out_char(ld, c ^ 0x40);
	} else {
		out_char(ld, c);
	}
}

/* The first byte of a new line records where on the screen the line began. */
static void echo_line_start(struct n_tty *ld)
{
	if (ld->canon_head == ld->head)
		ld->canon_column = ld->column;
}

static void echo_rubout(struct n_tty *ld)
{
	out_char(ld, '\b');
	out_char(ld, ' ');
	out_char(ld, '\b');
}

/* Back the cursor over a tab that was just removed from the line. */
static void echo_erase_tab(struct n_tty *ld)
{
	unsigned int i = ld->head, col = 0, bs;
	bool after_tab = false;
	uint8_t c;

	while (i != ld->canon_head) {
		c = (uint8_t)ld->buf[RING(--i)];
		if (c == '\t') {
			after_tab = true;
			break;
		}
		if (is_ctrl(c)) {
			if (ld->termios.c_lflag & ECHOCTL)
				col += 2;
		} else if (!is_cont(ld, c)) {
			col++;
		}
	}
	if (!after_tab)
		col += ld->canon_column;
	for (bs = 8 - (col & 7); bs; bs--)
		out_char(ld, '\b');
}

/* Show that character @c (erased by an @kind key) is gone. */
static void echo_erase(struct n_tty *ld, enum erase_kind kind, uint8_t c)
{
	uint32_t lf = ld->termios.c_lflag;

	if (kind == ERASE_CHAR && !(lf & ECHOE)) {
		echo_char(ld, ld->termios.c_cc[VERASE]);
	} else if (c == '\t') {
		echo_erase_tab(ld);
	} else {
		if (is_ctrl(c) && (lf & ECHOCTL))
			echo_rubout(ld);
		if (!is_ctrl(c) || (lf & ECHOCTL))
			echo_rubout(ld);
	}
}

/* --- input ----------------------------------------------------------------- */

static unsigned int n_tty_used(const struct n_tty *ld)
{
	return ld->head - ld->tail;
}

static void put_byte(struct n_tty *ld, uint8_t c, uint8_t mark)
{
	ld->buf[RING(ld->head)] = (char)c;
	ld->mark[RING(ld->head)] = mark;
	ld->head++;
}

/* End the edited line with @c; the line becomes readable. */
static void commit_line(struct n_tty *ld, uint8_t c, uint8_t mark)
{
	if (n_tty_used(ld) >= N_TTY_BUF_SIZE)
		return;
	put_byte(ld, c, N_TTY_DELIM | mark);
	ld->canon_head = ld->head;
}

void n_tty_flush_input(struct n_tty *ld)
{
	ld->tail = ld->canon_head = ld->head;
	ld->lnext = false;
}

/* ERASE, WERASE or KILL in canonical mode. */
static void eraser(struct n_tty *ld, uint8_t key)
{
	uint32_t lf = ld->termios.c_lflag;
	enum erase_kind kind;
	unsigned int h, words = 0;
	uint8_t c;

	if (is_cc(ld, VERASE, key))
		kind = ERASE_CHAR;
	else if (is_cc(ld, VWERASE, key))
		kind = ERASE_WORD;
	else
		kind = ERASE_LINE;
	if (ld->head == ld->canon_head)
		return;
	if (kind == ERASE_LINE && (!(lf & ECHO) || !(lf & ECHOK) || !(lf & ECHOKE) ||
				   !(lf & ECHOE))) {
		ld->head = ld->canon_head;
		if (lf & ECHO) {
			echo_char(ld, key);
			if (lf & ECHOK)
				out_char(ld, '\n');
		}
		return;
	}
	while (ld->head != ld->canon_head) {
		/* a UTF-8 character goes as a whole */
		h = ld->head;
		do {
			c = (uint8_t)ld->buf[RING(--h)];
		} while (is_cont(ld, c) && h != ld->canon_head);
		if (is_cont(ld, c))
			break;
		if (kind == ERASE_WORD) {
			if (is_word(c))
				words++;
			else if (words)
				break;
		}
		ld->head = h;
		if (lf & ECHO)
			echo_erase(ld, kind, c);
		if (kind == ERASE_CHAR)
			break;
	}
}

/* VREPRINT: show the line being edited again on a fresh line. */
static void reprint(struct n_tty *ld, uint8_t key)
{
	unsigned int i;

	echo_char(ld, key);
	out_char(ld, '\n');
	for (i = ld->canon_head; i != ld->head; i++)
		echo_char(ld, (uint8_t)ld->buf[RING(i)]);
}

/* VINTR, VQUIT, VSUSP: flush (unless NOFLSH), echo, then signal. */
static void isig(struct n_tty *ld, int sig, uint8_t key)
{
	if (!(ld->termios.c_lflag & NOFLSH))
		n_tty_flush_input(ld);
	if (ld->termios.c_iflag & IXON)
		ld->stopped = false;
	if (ld->termios.c_lflag & ECHO)
		echo_char(ld, key);
	out_flush(ld);
	ld->ops->signal(ld, sig);
}

/* Store an ordinary byte (or one quoted with VLNEXT), echoing it. */
static void receive_plain(struct n_tty *ld, uint8_t c, bool quoted)
{
	uint32_t lf = ld->termios.c_lflag;
	unsigned int limit = (lf & ICANON) ? N_TTY_BUF_SIZE - 1 : N_TTY_BUF_SIZE;

	if (n_tty_used(ld) >= limit) {
		/* full: a canonical line keeps one slot for its newline */
		if ((ld->termios.c_iflag & IMAXBEL) && (lf & ECHO))
			out_raw(ld, '\a');
		return;
	}
	if (lf & ECHO) {
		if (c == '\n' && !quoted) {
			out_char(ld, '\n');
		} else {
			echo_line_start(ld);
			echo_char(ld, c);
		}
	}
	put_byte(ld, c, 0);
	if (!(lf & ICANON))
		ld->canon_head = ld->head;
}

/* The canonical-mode special characters; false if @c is not one. */
static bool receive_canon(struct n_tty *ld, uint8_t c)
{
	uint32_t lf = ld->termios.c_lflag;
	bool ext = lf & IEXTEN;

	if (is_cc(ld, VERASE, c) || is_cc(ld, VKILL, c) || (ext && is_cc(ld, VWERASE, c))) {
		eraser(ld, c);
	} else if (ext && is_cc(ld, VLNEXT, c)) {
		ld->lnext = true;
		if ((lf & ECHO) && (lf & ECHOCTL)) {
			out_char(ld, '^');
			out_char(ld, '\b');
		}
	} else if (ext && (lf & ECHO) && is_cc(ld, VREPRINT, c)) {
		reprint(ld, c);
	} else if (c == '\n') {
		if (lf & (ECHO | ECHONL))
			out_char(ld, '\n');
		commit_line(ld, c, 0);
	} else if (is_cc(ld, VEOF, c)) {
		commit_line(ld, c, N_TTY_EOF);
	} else if (is_cc(ld, VEOL, c) || (ext && is_cc(ld, VEOL2, c))) {
		if (lf & ECHO) {
			echo_line_start(ld);
			echo_char(ld, c);
		}
		commit_line(ld, c, 0);
	} else {
		return false;
	}
	return true;
}

static void receive_char(struct n_tty *ld, uint8_t c)
{
	uint32_t inf = ld->termios.c_iflag, lf = ld->termios.c_lflag;

	if (inf & ISTRIP)
		c &= 0x7f;
	if ((inf & IUCLC) && (lf & IEXTEN) && c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	if (ld->lnext) {
		ld->lnext = false;
		if (ld->stopped && (inf & IXON) && (inf & IXANY))
			ld->stopped = false;
		receive_plain(ld, c, true);
		return;
	}
	if (inf & IXON) {
		if (is_cc(ld, VSTART, c)) {
			ld->stopped = false;
			return;
		}
		if (is_cc(ld, VSTOP, c)) {
			ld->stopped = true;
			return;
		}
	}
	if (lf & ISIG) {
		if (is_cc(ld, VINTR, c)) {
			isig(ld, SIGINT, c);
			return;
		}
		if (is_cc(ld, VQUIT, c)) {
			isig(ld, SIGQUIT, c);
			return;
		}
		if (is_cc(ld, VSUSP, c)) {
			isig(ld, SIGTSTP, c);
			return;
		}
	}
	if (ld->stopped && (inf & IXON) && (inf & IXANY))
		ld->stopped = false;
	if (c == '\r') {
		if (inf & IGNCR)
			return;
		if (inf & ICRNL)
			c = '\n';
	} else if (c == '\n' && (inf & INLCR)) {
		c = '\r';
	}
	if ((lf & ICANON) && receive_canon(ld, c))
		return;
	receive_plain(ld, c, false);
}

void n_tty_receive(struct n_tty *ld, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		receive_char(ld, (uint8_t)s[i]);
	out_flush(ld);
}

void n_tty_set_termios(struct n_tty *ld, const struct termios *t)
{
	bool was_canon = ld->termios.c_lflag & ICANON;
	bool had_ixon = ld->termios.c_iflag & IXON;

	ld->termios = *t;
	if (had_ixon && !(t->c_iflag & IXON))
		ld->stopped = false;
	if (was_canon == !!(t->c_lflag & ICANON))
		return;
	/*
	 * Into canonical mode, pending bytes form one finished line; out of
	 * it, the half-edited line becomes readable as it is.
	 */
	if ((t->c_lflag & ICANON) && ld->head != ld->tail)
		ld->mark[RING(ld->head - 1)] |= N_TTY_DELIM;
	ld->canon_head = ld->head;
	ld->lnext = false;
}

/* --- reading --------------------------------------------------------------- */

long n_tty_read(struct n_tty *ld, char *buf, size_t n)
{
	size_t got = 0;
	unsigned int i;

	if (ld->canon_head == ld->tail)
		return -EAGAIN;
	if (!(ld->termios.c_lflag & ICANON)) {
		while (got < n && ld->tail != ld->canon_head)
			buf[got++] = ld->buf[RING(ld->tail++)];
		return (long)got;
	}
	while (got < n && ld->tail != ld->canon_head) {
		i = RING(ld->tail++);
		if (ld->mark[i] & N_TTY_EOF)
			return (long)got;
		buf[got++] = ld->buf[i];
		if (ld->mark[i] & N_TTY_DELIM)
			return (long)got;
	}
	/* the caller's buffer is full: a VEOF marker right behind goes too */
	if (ld->tail != ld->canon_head && (ld->mark[RING(ld->tail)] & N_TTY_EOF))
		ld->tail++;
	return (long)got;
}

bool n_tty_input_ready(const struct n_tty *ld, bool for_poll)
{
	const struct termios *t = &ld->termios;
	unsigned int avail = ld->canon_head - ld->tail;

	if (!(t->c_lflag & ICANON) && for_poll && !t->c_cc[VTIME] && t->c_cc[VMIN] > 1)
		return avail >= t->c_cc[VMIN];
	return avail > 0;
}

size_t n_tty_room(const struct n_tty *ld)
{
	return N_TTY_BUF_SIZE - n_tty_used(ld);
}

size_t n_tty_input_count(const struct n_tty *ld)
{
	size_t n = 0;
	unsigned int i;

	if (!(ld->termios.c_lflag & ICANON))
		return ld->canon_head - ld->tail;
	for (i = ld->tail; i != ld->canon_head; i++)
		if (!(ld->mark[RING(i)] & N_TTY_EOF))
			n++;
	return n;
}
