/*
 * 16550 UART on COM1 (port 0x3f8): the boot console, present on every PC
 * and in every QEMU machine, and the console the tests read. Output is
 * polled (a panic must still print); input arrives on IRQ 4 and goes to
 * the console input queue, tagged as serial, for the TTY layer, with
 * flow control (below).
 */
#include <asm/io.h>
#include <asm/irq.h>
#include "drivers/input/input.h"
#include "drivers/tty/tty.h"
#include "kernel/irq.h"
#include "kernel/kernel.h"
#include "kernel/lock.h"

#define COM1		0x3f8
#define UART_DATA	0
#define UART_IER	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define LSR_DATA_READY	0x01
#define LSR_THR_EMPTY	0x20

static void serial_putc(char c)
{
	for (int spin = 0; spin < 100000 && !(inb(COM1 + UART_LSR) & LSR_THR_EMPTY); spin++)
		;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

static void serial_write(struct console *con, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

void serial8250_put(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		serial_putc(s[i]);
}

static struct console serial_console = {
	.name = "ttyS0",
	.write = serial_write,
};

/* 115200 8N1, FIFO on; register as the first console. */
void early_console_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x80);	/* DLAB: divisor follows */
	outb(COM1 + UART_DATA, 1);	/* 115200 baud */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x03);	/* 8 data bits, no parity, 1 stop */
	outb(COM1 + UART_FCR, 0xc7);	/* enable and clear FIFOs */
	outb(COM1 + UART_MCR, 0x0b);	/* DTR, RTS, OUT2 (IRQ line enable) */
	register_console(&serial_console);
}

/*
 * Flow control: the handler takes bytes from the UART only while the
 * terminal has room (tty_input_room). When it has none, the receive
 * interrupt is turned off and the rest stays in the UART's FIFO; a real
 * line would then drop RTS, and QEMU simply stops passing bytes on from
 * its side (the paste waits there). A read that makes room calls
 * serial_unthrottle(), which turns the interrupt back on: pending data
 * raises it at once. So no byte is dropped, whatever the terminal's mode.
 */
static DEFINE_SPINLOCK(rx_lock);
static bool rx_throttled;

static irqreturn_t serial_irq(int irq, void *ctx)
{
	irqreturn_t ret = IRQ_NONE;
	unsigned long flags;

	while (inb(COM1 + UART_LSR) & LSR_DATA_READY) {
		char c;

		if (!tty_input_room(INPUT_SERIAL)) {
			spin_lock_irqsave(&rx_lock, flags);
			rx_throttled = true;
			outb(COM1 + UART_IER, 0);
			spin_unlock_irqrestore(&rx_lock, flags);
			return IRQ_HANDLED;
		}
		c = (char)inb(COM1 + UART_DATA);
		input_push_from(INPUT_SERIAL, c);	/* CR stays CR: ICRNL maps it */
		ret = IRQ_HANDLED;
	}
	return ret;
}

static void serial_unthrottle(void)
{
	unsigned long flags;

	if (!__atomic_load_n(&rx_throttled, __ATOMIC_RELAXED) || !tty_input_room(INPUT_SERIAL))
		return;
	spin_lock_irqsave(&rx_lock, flags);
	if (rx_throttled) {
		rx_throttled = false;
		outb(COM1 + UART_IER, 0x01);	/* data still in the FIFO interrupts at once */
	}
	spin_unlock_irqrestore(&rx_lock, flags);
}

static int serial_irq_init(void)
{
	if (request_irq(4, serial_irq, 0, "ttyS0", NULL))
		return -EBUSY;
	input_set_unthrottle(serial_unthrottle);
	outb(COM1 + UART_IER, 0x01);	/* interrupt on received data */
	return 0;
}
device_initcall(serial_irq_init);
