/*
 * Console input before a TTY layer owns it: bytes typed on the keyboard or
 * the serial line are echoed to every console, so a person at the screen
 * sees that input works. Once drivers/tty has installed its input handler
 * (or in a kernel built with it), the terminals echo and this does nothing.
 */
#include "drivers/input/input.h"
#include "kernel/kernel.h"

void console_poll_input(void)
{
	int c;

	if (input_has_handler())
		return;
	while ((c = input_getc()) >= 0) {
		char ch = (char)c;

		if (ch == '\r')
			ch = '\n';
		console_write_all(&ch, 1);
	}
}
