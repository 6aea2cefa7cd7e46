/*
 * From the assembly entry to kmain(): set the stack-protector canary while
 * no protected function is on the stack, copy the Multiboot2 information
 * (still reachable through the boot identity map), then start the kernel.
 * Also the architecture's early init and reset paths.
 */
#include <asm/boot.h>
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/irq.h>
#include <asm/setup.h>
#include <asm/switch.h>
#include "arch/x86/x86.h"
#include "kernel/kernel.h"

extern uint64_t __stack_chk_guard;

__attribute__((no_stack_protector, noreturn))
void x86_boot_main(uint32_t magic, uint32_t mbi_phys);

__attribute__((no_stack_protector, noreturn))
void x86_boot_main(uint32_t magic, uint32_t mbi_phys)
{
	wrmsr(MSR_GS_BASE, (uint64_t)&percpu0);	/* per-CPU data, before any lock */
	cpu_detect();
	__stack_chk_guard = get_random_u64() & ~0xffULL;	/* NUL low byte stops string overruns */
	multiboot2_parse(mbi_phys, &boot_info);
	kmain();
	for (;;)
		halt();
}

void arch_early_init(void)
{
	gdt_init();
	idt_init();
	cpu_enable_protections();
}

/* Reset through the keyboard controller, then by triple fault. */
void machine_reboot(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	local_irq_disable();
	for (int i = 0; i < 100000 && (inb(0x64) & 2); i++)
		;
	outb(0x64, 0xfe);
	mdelay(50);
	outb(0xcf9, 0x06);		/* PCI reset control (q35) */
	mdelay(50);
	__asm__ volatile("lidt %0; int3" : : "m"(no_idt));
	for (;;)
		halt();
}

/* QEMU's q35 ACPI PM block: write SLP_TYP|SLP_EN to PM1a_CNT (0x604). */
void machine_power_off(void)
{
	local_irq_disable();
	qemu_exit(QEMU_EXIT_SUCCESS);	/* under the test runner: a distinct status */
	outw(0x604, 0x2000);		/* q35: PM1a_CNT at PMBASE 0x600, S5 */
	outw(0xb004, 0x2000);		/* i440fx with QEMU's default PM base */
	for (;;)
		halt();
}
