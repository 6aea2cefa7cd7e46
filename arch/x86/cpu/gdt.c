/*
 * Global descriptor table and task-state segment. Long mode ignores most of
 * segmentation; what remains is privilege (CS/SS) and the TSS, which holds
 * the ring-0 stack for interrupts from user mode and the IST stacks used for
 * double faults, NMIs and machine checks, so those run on a known-good stack
 * even when the kernel stack has overflowed into its guard page.
 */
#include <asm/desc.h>
#include <asm/page.h>
#include <asm/setup.h>
#include "kernel/kernel.h"
#include "lib/string.h"

#define IST_STACK_SIZE	(4 * PAGE_SIZE)

/* Each IST stack sits above an unmapped guard page. */
struct ist_stack {
	uint8_t guard[PAGE_SIZE];
	uint8_t stack[IST_STACK_SIZE];
} __attribute__((aligned(PAGE_SIZE)));

static struct ist_stack ist_stacks[3];
struct tss tss __attribute__((aligned(16)));

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16))) = {
	[0] = 0,
	[1] = 0x00af9a000000ffff,	/* kernel code: L, P, DPL0, exec/read */
	[2] = 0x00cf92000000ffff,	/* kernel data */
	[3] = 0x00cffa000000ffff,	/* user 32-bit code (SYSRET layout) */
	[4] = 0x00cff2000000ffff,	/* user data */
	[5] = 0x00affa000000ffff,	/* user 64-bit code */
	/* [6], [7]: TSS descriptor, filled at run time */
};

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static void set_tss_descriptor(uint64_t *table, struct tss *t)
{
	uint64_t base = (uint64_t)t;
	uint64_t limit = sizeof(*t) - 1;

	table[6] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		   (0x89ULL << 40) |		/* present, 64-bit TSS available */
		   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	table[7] = base >> 32;
}

/* Load the final GDT and TSS; reload every segment register. */
void gdt_init(void)
{
	memset(&tss, 0, sizeof(tss));
	for (int i = 0; i < 3; i++) {
		tss.ist[i] = (uint64_t)(ist_stacks[i].stack + IST_STACK_SIZE);
		paging_register_guard(ist_stacks[i].guard);
	}
	tss.iomap_base = sizeof(tss);	/* no I/O bitmap: user port I/O faults */
	gdt_load(gdt, &tss);
}

/*
 * Copy the GDT's segments into @table (GDT_ENTRIES long), point its TSS
 * descriptor at @t, and load both on this CPU (each CPU has its own TSS).
 */
void gdt_load(uint64_t *table, struct tss *t)
{
	struct desc_ptr ptr = { sizeof(gdt) - 1, (uint64_t)table };

	if (table != gdt)
		memcpy(table, gdt, 6 * sizeof(gdt[0]));
	set_tss_descriptor(table, t);
	__asm__ volatile("lgdt %0" : : "m"(ptr));
	__asm__ volatile("pushq %0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w1, %%ds\n\t"
			 "movw %w1, %%es\n\t"
			 "movw %w1, %%ss\n\t"
			 : : "i"(KERNEL_CS), "r"(KERNEL_DS) : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(TSS_SEL));
}
