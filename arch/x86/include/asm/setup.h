/*
 * Architecture entry points called once, in order, by kmain().
 */
#ifndef ASM_SETUP_H
#define ASM_SETUP_H

#include <stdint.h>

void arch_early_init(void);	/* CPU features, GDT, TSS, IDT */
void arch_irq_init(void);	/* ACPI MADT, LAPIC, IOAPIC; legacy PIC masked */
void arch_time_init(void);	/* TSC and LAPIC timer calibrated against the PIT */
void arch_time_init_ap(void);	/* an AP's LAPIC tick */
void arch_smp_init(void);	/* start the other CPUs the MADT lists (parked for now) */
void arch_idle(void);		/* wait for the next interrupt */
__attribute__((noreturn)) void machine_reboot(void);
__attribute__((noreturn)) void machine_power_off(void);

/* Keep @page (4 KiB, in the kernel image) unmapped: a stack guard. */
void paging_register_guard(void *page);
void paging_init(void);
uint64_t paging_max_phys(void);

#endif
