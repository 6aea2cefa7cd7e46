/*
 * Out-of-line interrupt-flag helpers for modules. The kernel turns
 * interrupts on and off with inline cli/sti (asm/irq.h); a module built
 * with -DMODULE calls these instead, so the instructions stay in the
 * kernel and the signer (scripts/modcheck) can refuse any cli/sti it finds
 * in a module that does not declare the "cpu" entitlement.
 */
#include <asm/irq.h>
#include "kernel/module.h"

void arch_local_irq_enable(void)
{
	native_irq_enable();
}
EXPORT_SYMBOL(arch_local_irq_enable);

void arch_local_irq_disable(void)
{
	native_irq_disable();
}
EXPORT_SYMBOL(arch_local_irq_disable);

/* The flags before: local_irq_restore() turns interrupts back on if they were. */
unsigned long arch_local_irq_save(void)
{
	unsigned long flags = native_save_fl();

	native_irq_disable();
	return flags;
}
EXPORT_SYMBOL(arch_local_irq_save);

void arch_local_irq_restore(unsigned long flags)
{
	if (flags & X86_EFLAGS_IF)
		native_irq_enable();
}
EXPORT_SYMBOL(arch_local_irq_restore);
