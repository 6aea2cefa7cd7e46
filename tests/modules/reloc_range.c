/* Built with -mcmodel=small: taking the address of `value` as a 32-bit
 * unsigned number is an R_X86_64_32 relocation (zero-extended), which
 * cannot hold an address of module memory at -2 GiB: refused with
 * "relocation out of range". */
#include "kernel/module.h"

static int value = 42;
volatile unsigned int reloc_addr32;

static int reloc_init(void)
{
	reloc_addr32 = (unsigned int)(unsigned long)&value;
	return 0;
}
module_init(reloc_init);
MODULE_NAME("reloc_range");
MODULE_VERSION("1");
MODULE_LICENSE("GPL");
