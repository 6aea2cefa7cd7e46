/*
 * Interrupt controllers: the legacy 8259 PICs are remapped and masked; the
 * local APIC delivers its timer and takes EOIs; the IOAPIC routes ISA IRQs
 * (respecting ACPI's source overrides) to vectors IRQ_VECTOR_BASE + irq on
 * this CPU, masked until the IRQ core (kernel/irq.c) opens them.
 */
#define pr_fmt(fmt) "apic: " fmt

#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/irq.h>
#include <asm/page.h>
#include <asm/ptrace.h>
#include <asm/setup.h>
#include <asm/switch.h>
#include "arch/x86/x86.h"
#include "kernel/irq.h"
#include "kernel/kernel.h"

#define LAPIC_ID	0x020
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR	0x390
#define LAPIC_TIMER_DIV	0x3e0
#define LVT_MASKED	(1U << 16)
#define LVT_PERIODIC	(1U << 17)

static volatile uint8_t *lapic;
static volatile uint32_t *ioapic;

static uint32_t lapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(lapic + reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(lapic + reg) = v;
}

void lapic_eoi(void)
{
	if (lapic)
		lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

/* Remap the 8259s off the exception vectors, then mask every line. */
void pic_disable(void)
{
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 4);
	outb(0xa1, 2);
	outb(0x21, 1);
	outb(0xa1, 1);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	ioapic[0] = reg;
	ioapic[4] = v;
}

static uint32_t ioapic_read(uint32_t reg)
{
	ioapic[0] = reg;
	return ioapic[4];
}

/* Send GSI @gsi to @vector on this CPU, unmasked. */
void ioapic_route(unsigned int gsi, unsigned int vector, int level, int active_low)
{
	unsigned int pin = gsi - acpi_info.ioapic_gsi_base;
	uint32_t lo = vector | (level ? 1U << 15 : 0) | (active_low ? 1U << 13 : 0);

	ioapic_write(0x11 + 2 * pin, cpu_apic_id(0) << 24);	/* device interrupts: the boot CPU */
	ioapic_write(0x10 + 2 * pin, lo);
}

static uint64_t lapic_ticks_per_sec;

/* Start the LAPIC timer in periodic mode at @hz (after calibration). */

void lapic_timer_start(uint32_t vector, uint32_t hz)
{
	lapic_write(LAPIC_TIMER_DIV, 0x3);	/* divide by 16 */
	lapic_write(LAPIC_LVT_TIMER, vector | LVT_PERIODIC);
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)(lapic_ticks_per_sec / hz));
}

/* Record the measured timer rate (ticks per second at divide-by-16). */
void lapic_timer_set_rate(uint64_t ticks_per_sec)
{
	lapic_ticks_per_sec = ticks_per_sec;
}

/* Let the timer count down from its maximum, masked, for calibration. */
void lapic_timer_count_start(void)
{
	lapic_write(LAPIC_TIMER_DIV, 0x3);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffff);
}

uint32_t lapic_timer_count_elapsed(void)
{
	return 0xffffffff - lapic_read(LAPIC_TIMER_CUR);
}

static unsigned int ioapic_pins;

static void ioapic_set_mask(unsigned int gsi, bool masked)
{
	unsigned int pin = gsi - acpi_info.ioapic_gsi_base;
	uint32_t lo = ioapic_read(0x10 + 2 * pin);

	ioapic_write(0x10 + 2 * pin, masked ? lo | LVT_MASKED : lo & ~LVT_MASKED);
}

static void ioapic_mask(unsigned int irq, void *data)
{
	ioapic_set_mask((unsigned int)(uintptr_t)data, true);
}

static void ioapic_unmask(unsigned int irq, void *data)
{
	ioapic_set_mask((unsigned int)(uintptr_t)data, false);
}

static const struct irq_chip ioapic_chip = {
	.name = "IO-APIC",
	.mask = ioapic_mask,
	.unmask = ioapic_unmask,
};

/*
 * ISA lines go through ACPI's interrupt source overrides (IRQ 0 is GSI 2
 * on QEMU), edge-triggered and active-high unless an override says
 * otherwise. Inputs 16-23 carry PCI INTx on q35: level-triggered and
 * active-high, as QEMU's ACPI tables describe them.
 */
int ioapic_setup_irq(unsigned int irq)
{
	unsigned int gsi = irq;
	int level = irq >= 16, low = 0;

	if (irq >= NR_IRQS_IOAPIC)
		return -EINVAL;
	if (irq < 16 && acpi_info.isa_override[irq].present) {
		uint16_t f = acpi_info.isa_override[irq].flags;

		gsi = acpi_info.isa_override[irq].gsi;
		low = (f & 3) == 3;
		level = ((f >> 2) & 3) == 3;
	}
	if (gsi < acpi_info.ioapic_gsi_base || gsi - acpi_info.ioapic_gsi_base >= ioapic_pins)
		return -EINVAL;
	ioapic_route(gsi, IRQ_VECTOR_BASE + irq, level, low);
	ioapic_set_mask(gsi, true);
	irq_set_chip(irq, &ioapic_chip, (void *)(uintptr_t)gsi, gsi, level);
	return 0;
}

#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define ICR_PENDING	(1U << 12)

/* Interrupts off: a handler's own IPI must not land between the two writes. */
void lapic_send_ipi(uint32_t dest, uint32_t icr_lo)
{
	unsigned long flags = local_irq_save();

	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, icr_lo);
	for (int i = 0; i < 100000 && (lapic_read(LAPIC_ICR_LO) & ICR_PENDING); i++)
		__asm__ volatile("pause");
	local_irq_restore(flags);
}

void lapic_cpu_init(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1U << 11));
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, 0x400);	/* NMI */
	lapic_write(LAPIC_SVR, 0x100 | SPURIOUS_VECTOR);
}

/* Bring up the interrupt controllers (interrupts stay off). */
void arch_irq_init(void)
{
	unsigned int pins;

	pic_disable();
	acpi_init();
	lapic = phys_to_virt(acpi_info.lapic_addr);
	ioapic = phys_to_virt(acpi_info.ioapic_addr);
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1U << 11));
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, 0x400);	/* NMI */
	lapic_write(LAPIC_SVR, 0x100 | SPURIOUS_VECTOR);
	percpu0.apic_id = lapic_id();	/* where device interrupts are sent */

	pins = ((ioapic_read(1) >> 16) & 0xff) + 1;
	ioapic_pins = pins;
	for (unsigned int i = 0; i < pins; i++)
		ioapic_write(0x10 + 2 * i, LVT_MASKED);
	pr_info("LAPIC id %u, IOAPIC with %u pins, legacy PIC masked\n", lapic_id(), pins);
}
