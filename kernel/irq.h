/*
 * Device interrupts, with Linux's interface: request_irq() attaches a
 * handler to an interrupt line, free_irq() detaches it, and several
 * handlers can share one line (IRQF_SHARED). Each handler says whether the
 * interrupt was its device's (IRQ_HANDLED) or not (IRQ_NONE); a line that
 * keeps interrupting while nobody claims it is disabled with a log line.
 *
 * Numbers: 0-15 are the ISA lines, 16-23 the other IOAPIC inputs (PCI INTx
 * on q35), and 24 and up message-signalled interrupts that the PCI core
 * hands out (pci_alloc_irq_vectors, pci_irq_vector). /proc/interrupts lists
 * them in Linux's layout.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <stdbool.h>
#include <stdint.h>

typedef enum irqreturn {
	IRQ_NONE = 0,		/* not from my device */
	IRQ_HANDLED = 1,	/* mine, and dealt with */
} irqreturn_t;

typedef irqreturn_t (*irq_handler_t)(int irq, void *dev_id);

#define IRQF_SHARED		0x00000080	/* other handlers may share the line */
#define IRQF_TRIGGER_RISING	0x00000001	/* accepted for Linux sources; the line's */
#define IRQF_TRIGGER_FALLING	0x00000002	/* trigger comes from firmware tables */
#define IRQF_TRIGGER_HIGH	0x00000004
#define IRQF_TRIGGER_LOW	0x00000008

#define NR_IRQS_IOAPIC		24
#define IRQ_MSI_BASE		24
#define NR_IRQS			(IRQ_MSI_BASE + 160)

/*
 * Attach @handler to line @irq, called as handler(irq, @dev) with
 * interrupts off. @dev identifies this handler for free_irq and must be
 * non-NULL on a shared line; every handler of a shared line must pass
 * IRQF_SHARED. The line is enabled when its first handler arrives.
 * 0, -EINVAL (bad number or arguments), -EBUSY (taken, not shared),
 * -ENOMEM, -EPERM (a module asking for a line that is neither its PCI
 * device's nor an ISA line it has an irq: entitlement for).
 */
int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags,
		const char *name, void *dev);
/* Detach the handler registered with @dev; returns its name, NULL if none. */
const char *free_irq(unsigned int irq, void *dev);
/* Mask the line (nested: enable_irq undoes one disable_irq). */
void disable_irq(unsigned int irq);
void disable_irq_nosync(unsigned int irq);
void enable_irq(unsigned int irq);

/* True inside an interrupt handler. */
bool in_interrupt(void);
#define in_irq()	in_interrupt()

/* --- for interrupt controllers and the PCI core --------------------------------- */
/*
 * How a line is masked: the IOAPIC's redirection entry, or a PCI device's
 * MSI/MSI-X mask bit. @data is the chip's own, set with irq_set_chip().
 */
struct irq_chip {
	const char *name;		/* "IO-APIC", "PCI-MSI", "PCI-MSIX" */
	void (*mask)(unsigned int irq, void *data);
	void (*unmask)(unsigned int irq, void *data);
};

void irq_set_chip(unsigned int irq, const struct irq_chip *chip, void *data,
		  unsigned long hwirq, bool level);
/* Take @n consecutive MSI numbers; the first, or -ENOSPC. */
int irq_alloc_msi(unsigned int n);
void irq_free_msi(unsigned int first, unsigned int n);
/* The CPU vector that line @irq arrives on. */
unsigned int irq_to_vector(unsigned int irq);
/* Bracket every interrupt handler (arch entry code): in_interrupt() is true inside. */
void irq_enter(void);
void irq_exit(void);
/* Interrupts delivered on @irq since boot. */
uint64_t irq_count_of(unsigned int irq);

#endif
