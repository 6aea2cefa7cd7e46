/*
 * Interrupt control for generic code: enabling and masking interrupts on
 * this CPU, and registering handlers for legacy ISA IRQ lines, which the
 * IOAPIC routes to vectors IRQ_VECTOR_BASE + irq.
 */
#ifndef ASM_IRQ_H
#define ASM_IRQ_H

#include <stdint.h>

#define IRQ_VECTOR_BASE		32
#define TIMER_VECTOR		0xf0
#define SPURIOUS_VECTOR		0xff

struct pt_regs;
typedef void (*irq_handler_t)(unsigned int irq, void *ctx);

/* Route ISA IRQ @irq (after ACPI overrides) to @fn and unmask it. */
int irq_register(unsigned int irq, irq_handler_t fn, void *ctx);

static inline void local_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void local_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline unsigned long local_irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void local_irq_restore(unsigned long flags)
{
	if (flags & (1UL << 9))
		local_irq_enable();
}

static inline int irqs_enabled(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return (flags & (1UL << 9)) != 0;
}

#endif
