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

/*
 * Message-signalled interrupts (arch/x86/kernel/msi.c): a device raises one
 * by writing @data to @address, which targets this CPU's local APIC; the
 * vector comes from the range MSI_VECTOR_FIRST..MSI_VECTOR_LAST.
 */
#define MSI_VECTOR_FIRST	0x40
#define MSI_VECTOR_LAST		0xdf

struct msi_msg {
	uint64_t address;
	uint32_t data;
};

/*
 * Take a free vector, install @fn (called as fn(vector, ctx) with interrupts
 * off, the EOI sent after it returns) and fill @msg with the edge-triggered,
 * fixed-delivery message for it. Returns the vector or -ENOSPC.
 */
int msi_alloc_vector(irq_handler_t fn, void *ctx, struct msi_msg *msg);
/* Remove the handler and return @vector to the free pool. */
void msi_free_vector(unsigned int vector);
/* Interrupts taken on @vector since boot. */
uint64_t msi_vector_count(unsigned int vector);

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
