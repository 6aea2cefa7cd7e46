/*
 * printk: format a message, stamp it with the time since boot, keep it in
 * the log ring buffer (read later by dmesg and the panic dump), and write
 * it to every registered console when its level is below console_loglevel.
 * A message starts with an optional KERN_<LEVEL> prefix ("\0016").
 */
#include <asm/cpu.h>
#include <asm/irq.h>
#include <asm/smp.h>
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "lib/printf.h"
#include "lib/string.h"

#define LOG_BUF_SIZE	(1U << CONFIG_LOG_BUF_SHIFT)
#define DEFAULT_LEVEL	6

int console_loglevel = CONFIG_DEFAULT_LOGLEVEL + 1;
static struct console *consoles;
static char log_buf[LOG_BUF_SIZE];
static uint64_t log_head;	/* total bytes ever written; index = head % size */
static bool line_start = true;

/*
 * logbuf_lock guards the ring, the console list and the consoles' output,
 * so lines from different CPUs never interleave. A printk on a CPU that
 * already holds it (an NMI or a fault in the middle of one) goes ahead
 * without it, and so does one during a panic once the lock has not come
 * free for a while: a CPU stopped while holding it must not silence the
 * dump.
 */
static DEFINE_RAW_SPINLOCK(logbuf_lock);
static volatile int logbuf_cpu = -1;

static unsigned long logbuf_lock_irqsave(bool *locked)
{
	unsigned long flags = local_irq_save();
	int cpu = (int)smp_processor_id();

	*locked = false;
	if (logbuf_cpu == cpu)
		return flags;
	if (panic_in_progress()) {
		for (int i = 0; i < 100000 && !*locked; i++) {
			*locked = raw_spin_trylock(&logbuf_lock);
			cpu_relax();
		}
		if (!*locked)
			return flags;
	} else {
		raw_spin_lock(&logbuf_lock);
		*locked = true;
	}
	logbuf_cpu = cpu;
	return flags;
}

static void logbuf_unlock_irqrestore(unsigned long flags, bool locked)
{
	if (locked) {
		logbuf_cpu = -1;
		raw_spin_unlock(&logbuf_lock);
	}
	local_irq_restore(flags);
}

static char console_only[64];	/* console= restriction, "" for all */

static int set_loglevel(const char *v)
{
	if (!v || v[0] < '0' || v[0] > '7' || v[1])
		return -EINVAL;
	console_loglevel = v[0] - '0' + 1;
	return 0;
}
CMDLINE_OPTION("loglevel", set_loglevel);

static int set_quiet(const char *v)
{
	console_loglevel = 5;
	return 0;
}
CMDLINE_OPTION("quiet", set_quiet);

static int set_console(const char *v)
{
	if (!v || strlen(v) >= sizeof(console_only))
		return -EINVAL;
	if (strcmp(v, "ttyS0") && strcmp(v, "tty0"))
		return -EINVAL;
	strcpy(console_only, v);
	return 0;
}
CMDLINE_OPTION("console", set_console);

/* Does console= (if given) select @con? ttyS0 = serial, tty0 = the screen. */
static bool console_enabled(const struct console *con)
{
	if (!console_only[0])
		return true;
	if (!strcmp(console_only, "ttyS0"))
		return !strcmp(con->name, "ttyS0");
	return strcmp(con->name, "ttyS0") != 0;
}

/* Write the log so far to a console that arrives late (like CON_PRINTBUFFER). */
static void replay_log(struct console *con)
{
	uint64_t pos = log_head - MIN(log_head, (uint64_t)LOG_BUF_SIZE);
	char line[256];

	while (pos < log_head) {
		size_t n = 0;
		int level;

		while (pos < log_head && n < sizeof(line) - 1) {
			char c = log_buf[pos++ % LOG_BUF_SIZE];

			line[n++] = c;
			if (c == '\n')
				break;
		}
		if (n > 3 && line[0] == '<' && line[2] == '>') {
			level = line[1] - '0';
			if (level < console_loglevel)
				con->write(con, line + 3, n - 3);
		}
	}
}

/* The same lock for the TTY layer's writes to the consoles: one writer at a time on the vt and the UART. */
unsigned long console_lock_irqsave(bool *locked)
{
	return logbuf_lock_irqsave(locked);
}

void console_unlock_irqrestore(unsigned long flags, bool locked)
{
	logbuf_unlock_irqrestore(flags, locked);
}

void register_console(struct console *con)
{
	bool locked;
	unsigned long flags = logbuf_lock_irqsave(&locked);
	struct console **p = &consoles;

	while (*p)
		p = &(*p)->next;
	con->next = NULL;
	*p = con;
	if (p != &consoles && console_enabled(con))
		replay_log(con);
	logbuf_unlock_irqrestore(flags, locked);
}

void console_write_all(const char *s, size_t len)
{
	for (struct console *c = consoles; c; c = c->next)
		if (console_enabled(c))
			c->write(c, s, len);
}

static void log_store(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		log_buf[(log_head + i) % LOG_BUF_SIZE] = s[i];
	log_head += len;
}

size_t log_buf_read(char *buf, size_t size)
{
	uint64_t avail = MIN(log_head, (uint64_t)LOG_BUF_SIZE);
	uint64_t start = log_head - avail;
	size_t n = MIN((uint64_t)size, avail);

	/* the newest bytes win when buf is smaller than the log */
	start = log_head - n;
	for (size_t i = 0; i < n; i++)
		buf[i] = log_buf[(start + i) % LOG_BUF_SIZE];
	return n;
}

void log_buf_tail(unsigned int nlines, void (*fn)(const char *, size_t, void *), void *ctx)
{
	uint64_t avail = MIN(log_head, (uint64_t)LOG_BUF_SIZE);
	uint64_t pos = log_head, stop = log_head - avail;
	unsigned int seen = 0;
	char line[256];

	/* step back over nlines newlines (the one ending the last line included) */
	while (pos > stop) {
		if (log_buf[(pos - 1) % LOG_BUF_SIZE] == '\n' && pos != log_head &&
		    ++seen > nlines)
			break;
		pos--;
	}
	while (pos < log_head) {
		size_t n = 0;

		while (pos < log_head && n < sizeof(line) - 1) {
			char c = log_buf[pos++ % LOG_BUF_SIZE];

			if (c == '\n')
				break;
			line[n++] = c;
		}
		fn(line, n, ctx);
	}
}

int vprintk(const char *fmt, va_list ap)
{
	char text[512], stamp[32];
	int level = DEFAULT_LEVEL, len, slen = 0;
	unsigned long flags;
	bool locked;

	if (fmt[0] == KERN_SOH[0] && fmt[1] >= '0' && fmt[1] <= '7') {
		level = fmt[1] - '0';
		fmt += 2;
	}
	len = vsnprintf(text, sizeof(text), fmt, ap);
	if (len >= (int)sizeof(text))
		len = sizeof(text) - 1;

	flags = logbuf_lock_irqsave(&locked);
	if (line_start) {
		uint64_t ns = ktime_ns();

		slen = snprintf(stamp, sizeof(stamp), "<%d>[%5lu.%06lu] ", level,
				ns / 1000000000, (ns / 1000) % 1000000);
		log_store(stamp, slen);
	}
	log_store(text, len);
	if (level < console_loglevel) {
		if (slen)
			console_write_all(stamp + 3, slen - 3);	/* without "<N>" */
		console_write_all(text, len);
	}
	line_start = len > 0 && text[len - 1] == '\n';
	logbuf_unlock_irqrestore(flags, locked);
	return len;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
