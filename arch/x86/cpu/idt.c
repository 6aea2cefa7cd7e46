/*
 * Interrupt descriptor table and the first-level dispatcher. Every vector
 * enters through isr.asm and lands in x86_interrupt(): exceptions go to
 * traps.c, device interrupts to the handler registered for their vector.
 * Double fault, NMI and machine check run on their own IST stacks.
 */
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/irq.h>
#include <asm/ptrace.h>
#include "arch/x86/x86.h"
#include "kernel/irq.h"
#include "kernel/kernel.h"
#include "kernel/sched.h"

struct idt_entry {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
extern const uint64_t isr_table[256];

struct vector_handler {
	void (*fn)(struct pt_regs *regs, void *ctx);
	void *ctx;
};
static struct vector_handler vector_handlers[256];
uint64_t irq_count[256];

static void set_gate(int vec, uint64_t addr, uint8_t ist, uint8_t dpl)
{
	struct idt_entry *e = &idt[vec];

	e->offset_lo = addr & 0xffff;
	e->selector = KERNEL_CS;
	e->ist = ist;
	e->type_attr = 0x80 | (dpl << 5) | 0xe;	/* present, interrupt gate */
	e->offset_mid = (addr >> 16) & 0xffff;
	e->offset_hi = addr >> 32;
	e->zero = 0;
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(ptr));
}

/* Fill and load the IDT: all 256 vectors point at their stubs. */
void idt_init(void)
{
	for (int v = 0; v < 256; v++)
		set_gate(v, isr_table[v], 0, 0);
	idt[2].ist = IST_NMI;
	idt[8].ist = IST_DOUBLE_FAULT;
	idt[18].ist = IST_MACHINE_CHECK;
	idt[3].type_attr |= 3 << 5;		/* int3 allowed from user mode */
	idt_load();
}

/* Install @fn for vector @vec (device interrupts and IPIs). */
int set_vector_handler(unsigned int vec, void (*fn)(struct pt_regs *, void *), void *ctx)
{
	if (vec < 32 || vec > 255 || vector_handlers[vec].fn)
		return -1;
	vector_handlers[vec].ctx = ctx;
	vector_handlers[vec].fn = fn;
	return 0;
}

/* Remove the handler of vector @vec (a driver going away frees its MSI vector). */
void clear_vector_handler(unsigned int vec)
{
	unsigned long flags = local_irq_save();

	if (vec >= 32 && vec <= 255) {
		vector_handlers[vec].fn = NULL;
		vector_handlers[vec].ctx = NULL;
	}
	local_irq_restore(flags);
}

bool vector_in_use(unsigned int vec)
{
	return vec < 32 || vec > 255 || vector_handlers[vec].fn;
}

uint64_t vector_count(unsigned int vec)
{
	return vec < 256 ? irq_count[vec] : 0;
}

/*
 * Called by isr_common for every interrupt and exception. An exception
 * from user mode is handled under the big kernel lock, like a syscall
 * (page faults change the address space); interrupt handlers never take
 * it, and neither does an NMI, a double fault or a machine check, which
 * may arrive anywhere.
 */
void x86_interrupt(struct pt_regs *regs)
{
	unsigned int vec = regs->vector;
	bool from_user = user_mode(regs);

	irq_count[vec & 0xff]++;
	if (from_user) {	/* kernel/costs.h: entries from user mode, NMI an interrupt */
		if (vec < 32 && vec != 2)
			current->costs.faults++;
		else
			current->costs.interrupts++;
	}
	if (vec == 2 || vec == 8 || vec == 18) {
		x86_exception(regs);
		return;
	}
	if (vec < 32) {
		if (from_user) {
			uint64_t cr2 = read_cr2();

			/* the wait for the lock may sleep, even move us: CR2 is per CPU */
			lock_kernel();
			write_cr2(cr2);
		}
		x86_exception(regs);
		if (from_user)
			unlock_kernel();
	} else if (vec != SPURIOUS_VECTOR) {
		irq_enter();
		if (vector_handlers[vec].fn)
			vector_handlers[vec].fn(regs, vector_handlers[vec].ctx);
		else
			pr_warn("irq: unexpected interrupt on vector %u\n", vec);
		lapic_eoi();
		irq_exit();
	}
	if (from_user && exit_work_pending(regs)) {
		lock_kernel();
		exit_to_user_mode(regs);	/* preemption and signals */
		unlock_kernel();
	}
}
