/*
 * Console input before user space exists: bytes typed on the keyboard or
 * the serial line are echoed to every console, so a person at the screen
 * sees that input works. The TTY layer replaces this consumer later.
 */
#include "drivers/input/input.h"
#include "kernel/kernel.h"

void console_poll_input(void)
{
	int c;

	while ((c = input_getc()) >= 0) {
		char ch = (char)c;

		if (ch == '\r')
			ch = '\n';
		console_write_all(&ch, 1);
	}
}
