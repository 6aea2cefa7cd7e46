/*
 * Declarations shared inside arch/x86 only (generic code uses the asm/ headers).
 */
#ifndef ARCH_X86_X86_H
#define ARCH_X86_X86_H

#include <stddef.h>
#include <stdint.h>
#include <asm/smp.h>

struct pt_regs;
struct boot_info;

void multiboot2_parse(uint64_t mbi, struct boot_info *bi);
void cpu_enable_protections(void);
void x86_exception(struct pt_regs *regs);
void x86_interrupt(struct pt_regs *regs);
extern uint64_t irq_count[256];

/* apic.c */
void lapic_eoi(void);
void lapic_timer_start(uint32_t vector, uint32_t hz);
uint32_t lapic_id(void);
/* Send an inter-processor interrupt: @icr_lo to the CPU with APIC id @dest. */
void lapic_send_ipi(uint32_t dest, uint32_t icr_lo);
/* Enable this CPU's local APIC (an AP's, as arch_irq_init does the BSP's). */
void lapic_cpu_init(void);
void pic_disable(void);
void ioapic_route(unsigned int gsi, unsigned int vector, int level, int active_low);
int acpi_init(void);
/* The ACPI table with signature @sig (checksum verified) and its length, or NULL. */
const void *acpi_find_table(const char *sig, size_t *len);
void lapic_timer_set_rate(uint64_t ticks_per_sec);
uint64_t rtc_read_epoch(void);
void lapic_timer_count_start(void);
uint32_t lapic_timer_count_elapsed(void);

#define MAX_CPUS	NR_CPUS

/* ACPI facts the MADT gave us */
struct acpi_info {
	uint64_t lapic_addr;
	uint64_t ioapic_addr;
	uint32_t ioapic_gsi_base;
	unsigned int cpus;
	uint8_t apic_ids[MAX_CPUS];	/* the first MAX_CPUS enabled processors */
	struct {
		uint32_t gsi;
		uint16_t flags;
		uint8_t present;
	} isa_override[16];
};
extern struct acpi_info acpi_info;

#endif
