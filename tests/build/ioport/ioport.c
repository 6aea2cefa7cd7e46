/* Build test (tests/build/run): a module that writes an I/O port with
 * outb() from asm/io.h. scripts/modcheck must refuse it, naming
 * ioport_poke, until it declares an ioport range holding the port; the
 * test edits the two lines marked below into each variant. */
#include "kernel/module.h"

#define IOPORT_PORT 0x80	/* the port written (the test edits this) */
/* ENTITLEMENT (the test puts a MODULE_ENTITLEMENT here) */

static __attribute__((noipa)) void ioport_poke(uint8_t v)
{
	outb(IOPORT_PORT, v);
}

static int ioport_init(void)
{
	ioport_poke(0);
	return 0;
}
module_init(ioport_init);
MODULE_NAME("ioport");
MODULE_LICENSE("GPL");
