/*
 * Interrupt control for generic code: enabling and masking interrupts on
 * this CPU, the vector table, and the interrupt controllers behind the IRQ
 * core (kernel/irq.h): IOAPIC inputs arrive on IRQ_VECTOR_BASE + irq,
 * message-signalled interrupts on vectors of their own.
 */
#ifndef ASM_IRQ_H
#define ASM_IRQ_H

#include <stdbool.h>
#include <stdint.h>

#define IRQ_VECTOR_BASE		32
#define TIMER_VECTOR		0xf0
/* IPIs between CPUs (arch/x86/kernel/smp.c) */
#define TLB_VECTOR		0xfb
#define CALL_FUNCTION_VECTOR	0xfc
#define RESCHEDULE_VECTOR	0xfd
#define SPURIOUS_VECTOR		0xff

struct pt_regs;

/* --- vectors (arch/x86/cpu/idt.c) -------------------------------------------------- */
/* Install @fn for vector @vec: 0, or -1 when the vector is taken or reserved. */
int set_vector_handler(unsigned int vec, void (*fn)(struct pt_regs *, void *), void *ctx);
void clear_vector_handler(unsigned int vec);
bool vector_in_use(unsigned int vec);
/* Interrupts taken on @vec since boot. */
uint64_t vector_count(unsigned int vec);

/*
 * IOAPIC inputs (arch/x86/kernel/apic.c): set up IRQ @irq (an ISA line
 * 0-15, through ACPI's source overrides, or input 16-23, level-triggered
 * for PCI INTx) masked, on vector IRQ_VECTOR_BASE + irq, and give it to the
 * IRQ core (irq_set_chip). 0 or -EINVAL.
 */
int ioapic_setup_irq(unsigned int irq);

/*
 * Message-signalled interrupts: a device raises one by writing @data to
 * @address, which targets this CPU's local APIC; vectors come from
 * MSI_VECTOR_FIRST..MSI_VECTOR_LAST (IRQ numbers IRQ_MSI_BASE and up).
 */
#define MSI_VECTOR_FIRST	0x40
#define MSI_VECTOR_LAST		0xdf

struct msi_msg {
	uint64_t address;
	uint32_t data;
};

/* The edge-triggered, fixed-delivery message for @vector on this CPU. */
void msi_compose_msg(unsigned int vector, struct msi_msg *msg);

/*
 * The interrupt flag. native_* are the instructions themselves. The kernel
 * uses them inline; a module (compiled with -DMODULE) calls the kernel's
 * out-of-line copies in arch/x86/kernel/irqflags.c instead, so its code
 * holds no cli/sti unless its author wrote one (scripts/modcheck refuses
 * those without the "cpu" entitlement; docs/confinement-signer.md).
 */
#define X86_EFLAGS_IF	(1UL << 9)

static inline void native_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void native_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline unsigned long native_save_fl(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return flags;
}

/* The same, out of line and exported (what modules call). */
void arch_local_irq_enable(void);
void arch_local_irq_disable(void);
unsigned long arch_local_irq_save(void);
void arch_local_irq_restore(unsigned long flags);

#ifndef MODULE
static inline void local_irq_enable(void)
{
	native_irq_enable();
}

static inline void local_irq_disable(void)
{
	native_irq_disable();
}

static inline unsigned long local_irq_save(void)
{
	unsigned long flags = native_save_fl();

	native_irq_disable();
	return flags;
}

static inline void local_irq_restore(unsigned long flags)
{
	if (flags & X86_EFLAGS_IF)
		native_irq_enable();
}
#else
static inline void local_irq_enable(void)
{
	arch_local_irq_enable();
}

static inline void local_irq_disable(void)
{
	arch_local_irq_disable();
}

static inline unsigned long local_irq_save(void)
{
	return arch_local_irq_save();
}

static inline void local_irq_restore(unsigned long flags)
{
	arch_local_irq_restore(flags);
}
#endif

/* Reading the flags is not privileged: inline for modules too. */
static inline int irqs_enabled(void)
{
	return (native_save_fl() & X86_EFLAGS_IF) != 0;
}

#endif
