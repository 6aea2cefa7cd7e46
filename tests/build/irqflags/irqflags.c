/* Build test (tests/build/run): a module that turns interrupts off and on
 * with the kernel's helpers (local_irq_save/restore, local_irq_disable/
 * enable, spin_lock_irqsave/irqrestore) and declares no entitlement. Built with -DMODULE, the helpers call the kernel's
 * out-of-line copies, so the module holds no cli/sti and must be signed. */
#include "kernel/module.h"

static DEFINE_SPINLOCK(irqflags_lock);
static int irqflags_count;

static int irqflags_init(void)
{
	unsigned long flags = local_irq_save();

	irqflags_count++;
	local_irq_restore(flags);
	local_irq_disable();
	irqflags_count++;
	local_irq_enable();
	spin_lock_irqsave(&irqflags_lock, flags);
	irqflags_count++;
	spin_unlock_irqrestore(&irqflags_lock, flags);
	return irqs_enabled() ? 0 : -EINVAL;
}
module_init(irqflags_init);
MODULE_NAME("irqflags");
MODULE_LICENSE("GPL");
