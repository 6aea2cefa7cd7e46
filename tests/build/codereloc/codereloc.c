/* Build test (tests/build/run): a module that hides a wrmsr in a
 * relocation. The bytes in the file decode as a harmless mov, but the
 * loader writes the relocation's value (0x300f, the wrmsr opcode) over
 * the mov's opcode byte. scripts/modcheck must refuse the relocation, even
 * though the module declares every entitlement. */
#include "kernel/module.h"

MODULE_ENTITLEMENT("msr");
MODULE_ENTITLEMENT("cpu");
MODULE_ENTITLEMENT("ioport=0x0-0xffff");

void codereloc_hidden(void);
__asm__(".pushsection .text\n"
	"codereloc_hidden:\n"
	"	mov $0x90909090, %eax\n"
	"	.reloc codereloc_hidden, R_X86_64_32, 0x90300f\n"
	"	ret\n"
	".popsection\n");

static int codereloc_init(void)
{
	codereloc_hidden();
	return 0;
}
module_init(codereloc_init);
MODULE_NAME("codereloc");
MODULE_LICENSE("GPL");
