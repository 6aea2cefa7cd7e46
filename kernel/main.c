/*
 * kmain(): the kernel's start, after arch/x86/boot has entered long mode and
 * copied the boot loader's information into boot_info. Each step is one
 * line; drivers are not named here, they register through initcalls.
 */
#include <asm/boot.h>
#include <asm/irq.h>
#include <asm/setup.h>
#include <asm/smp.h>
#include "kernel/kernel.h"
#include "kernel/workqueue.h"
#include "fs/vfs.h"
#include "kernel/ktest.h"
#include "kernel/sched.h"
#include "mm/mm.h"

extern const initcall_t __initcall_start[], __initcall_end[];

void do_initcalls(void)
{
	for (const initcall_t *fn = __initcall_start; fn < __initcall_end; fn++) {
		int err = (*fn)();

		if (err)
			pr_warn("initcall %pS failed with error %d\n", (void *)*fn, err);
	}
}

static void print_banner(void)
{
	printk(KERN_NOTICE "Basalt %s (x86_64) built %s %s\n", BASALT_VERSION, __DATE__,
	       __TIME__);
	pr_info("Command line: %s\n", saved_command_line);
	pr_info("Boot loader: %s%s\n", boot_info.loader[0] ? boot_info.loader : "unknown",
		boot_info.uefi ? " (UEFI)" : " (BIOS)");
	if (boot_info.fb.type == BOOT_FB_RGB)
		pr_info("Display: %ux%u framebuffer, %u bpp, at %#lx\n", boot_info.fb.width,
			boot_info.fb.height, boot_info.fb.bpp, boot_info.fb.addr);
	else if (boot_info.fb.type == BOOT_FB_EGA_TEXT)
		pr_info("Display: %ux%u EGA text mode\n", boot_info.fb.width, boot_info.fb.height);
	else
		pr_info("Display: none reported by the boot loader\n");
}

void kmain(void)
{
	early_console_init();		/* serial console, so everything below can print */
	ksyms_init();			/* symbolized %pS and backtraces */
	cmdline_parse(boot_info.cmdline);
	cmdline_apply();		/* loglevel=, console=, panic=, ...; warns on unknown */
	print_banner();
	arch_early_init();		/* CPU features, GDT, TSS + IST stacks, IDT */
	mm_init();			/* page tables with W^X, buddy allocator, vmalloc */
	arch_irq_init();		/* ACPI MADT, LAPIC, IOAPIC; legacy PIC masked */
	arch_time_init();		/* PIT-calibrated TSC clock and LAPIC tick */
	arch_smp_init();		/* the other CPUs: started, then parked */
	sched_init();			/* task 0, the syscall entry */
	lock_kernel();			/* the rest of the boot is task context */
	smp_release_cpus();		/* the other CPUs join the scheduler */
	workqueue_init();		/* the "events" worker for schedule_work */
	do_initcalls();			/* consoles, keyboard, tty and other drivers */
	vfs_init();			/* tmpfs root from the initramfs, /dev, /proc */
	mm_print_summary();
	ktest_run();			/* in-kernel tests when ktest= was given */
	start_init();			/* pid 1 runs /init */
	unlock_kernel();
	local_irq_enable();
	pr_info("Basalt is up: idling with interrupts on\n");
	cpu_idle_loop();		/* task 0 is the boot CPU's idle task */
}
