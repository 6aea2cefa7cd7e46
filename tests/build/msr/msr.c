/* Build test (tests/build/run): a module that writes a model-specific
 * register with wrmsr() from asm/cpu.h. scripts/modcheck must refuse it,
 * naming msr_poke, unless it declares the "msr" entitlement (the test adds
 * it where marked). */
#include <asm/cpu.h>
#include "kernel/module.h"

/* ENTITLEMENT (the test puts a MODULE_ENTITLEMENT here) */

static __attribute__((noipa)) void msr_poke(uint64_t v)
{
	wrmsr(MSR_KERNEL_GS_BASE, v);
}

static int msr_init(void)
{
	msr_poke(0);
	return 0;
}
module_init(msr_init);
MODULE_NAME("msr");
MODULE_LICENSE("GPL");
