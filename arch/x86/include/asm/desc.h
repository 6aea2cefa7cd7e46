/*
 * Segment selectors and the TSS. The GDT order is fixed by SYSRET, which
 * derives the user selectors from STAR: kernel code, kernel data, user
 * 32-bit code (unused), user data, user 64-bit code, then the TSS.
 */
#ifndef ASM_DESC_H
#define ASM_DESC_H

#include <stdint.h>

#define KERNEL_CS	0x08
#define KERNEL_DS	0x10
#define USER32_CS	0x18
#define USER_DS		(0x20 | 3)
#define USER_CS		(0x28 | 3)
#define TSS_SEL		0x30

#define IST_DOUBLE_FAULT	1
#define IST_NMI			2
#define IST_MACHINE_CHECK	3

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

extern struct tss tss;

#define GDT_ENTRIES	8

void gdt_init(void);
/* Load a GDT (@table, GDT_ENTRIES long) with its own TSS @t on this CPU. */
void gdt_load(uint64_t *table, struct tss *t);
void idt_init(void);
/* Load the (shared) IDT on this CPU. */
void idt_load(void);
/* Kernel stack the CPU switches to on an interrupt from user mode. */
static inline void tss_set_kernel_stack(uint64_t top)
{
	tss.rsp[0] = top;
}

#endif
