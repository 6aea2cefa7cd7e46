/*
 * Starting the other CPUs (Intel SDM vol. 3, 8.4 "Multiple-Processor (MP)
 * Initialization"): for every processor the ACPI MADT lists, the boot CPU
 * copies the trampoline (trampoline.asm) below 1 MiB, leaves it a page
 * table, a stack and the entry point, and sends INIT, then STARTUP twice.
 * The AP climbs to long mode, takes the kernel's page tables, control
 * registers and EFER, gets a GDT and TSS (with IST stacks) of its own, the
 * shared IDT and its local APIC, says it is up, and parks with interrupts
 * off: the scheduler runs on the boot CPU only until per-CPU run queues
 * exist. `nosmp` or `maxcpus=N` on the command line limit what is started;
 * a CPU that does not answer is reported and the boot goes on without it.
 */
#define pr_fmt(fmt) "smp: " fmt

#include <asm/boot.h>
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/page.h>
#include <asm/pgtable.h>
#include <asm/setup.h>
#include <asm/smp.h>
#include <asm/switch.h>
#include "arch/x86/x86.h"
#include "kernel/kernel.h"
#include "lib/string.h"
#include "mm/mm.h"

#define TRAMPOLINE_PHYS	0x8000
#define AP_STACK_SIZE	(16 * 1024)
#define IST_SIZE	(16 * 1024)
#define ICR_INIT	0x00004500	/* INIT, level assert */
#define ICR_STARTUP	0x00004600	/* STARTUP; the vector is the page number */

extern const uint8_t trampoline_start[], trampoline_end[], trampoline_params[];

struct trampoline_params {
	uint64_t cr3, stack, entry, cpu;
};

struct ap_cpu {
	struct percpu percpu;		/* GS in kernel mode */
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss tss __attribute__((aligned(16)));
	uint32_t apic_id;
	uint32_t seen_cpu, seen_apic;	/* what the AP itself reads through GS and its LAPIC */
	volatile int online;
};

static struct ap_cpu ap_cpus[MAX_CPUS];
static uint64_t bsp_cr0, bsp_cr3, bsp_cr4, bsp_efer;
static unsigned int max_cpus = MAX_CPUS;
unsigned int cpus_online = 1;

static int set_nosmp(const char *v)
{
	max_cpus = 1;
	return 0;
}
CMDLINE_OPTION("nosmp", set_nosmp);

static int set_maxcpus(const char *v)
{
	unsigned long long n;
	char *end;

	if (!v || !*v)
		return -EINVAL;
	n = kstrtoull(v, &end, 10);
	if (*end || n > MAX_CPUS)
		return -EINVAL;
	max_cpus = n ? (unsigned int)n : 1;
	return 0;
}
CMDLINE_OPTION("maxcpus", set_maxcpus);

/* The AP's first C code, on its own stack, with the trampoline's page table. */
__noreturn void ap_entry(uint64_t cpu);
__noreturn void ap_entry(uint64_t cpu)
{
	struct ap_cpu *c = &ap_cpus[cpu];

	write_cr3(bsp_cr3);
	c->percpu.self = &c->percpu;
	c->percpu.cpu = (uint32_t)cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)&c->percpu);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_EFER, bsp_efer);
	write_cr0(bsp_cr0);
	write_cr4(bsp_cr4);
	gdt_load(c->gdt, &c->tss);
	idt_load();
	lapic_cpu_init();
	c->seen_cpu = smp_processor_id();
	c->seen_apic = lapic_id();
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	for (;;)
		__asm__ volatile("cli; hlt");	/* parked: no per-CPU scheduler yet */
}

/*
 * A page table for the trampoline's switch to long mode: the kernel's own
 * upper half, plus the low 2 MiB identity-mapped so the instructions after
 * the paging switch are still there. Returns its physical address or 0.
 */
/*
 * The trampoline's page and the three table pages after it, all below 1 MiB
 * (the 32-bit code loads CR3 from 32 bits; the allocator never hands out
 * the low MiB): usable RAM in the firmware's map, clear of the loader's
 * information and modules.
 */
#define TRAMPOLINE_END	(TRAMPOLINE_PHYS + 4 * PAGE_SIZE)

static bool overlaps(uint64_t start, uint64_t end)
{
	return start < TRAMPOLINE_END && end > TRAMPOLINE_PHYS;
}

static bool trampoline_area_free(void)
{
	bool usable = false;

	for (unsigned int i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mem_region *r = &boot_info.mmap[i];

		if (r->type == BOOT_MEM_USABLE && r->base <= TRAMPOLINE_PHYS &&
		    r->base + r->len >= TRAMPOLINE_END)
			usable = true;
	}
	if (overlaps(boot_info.mbi_start, boot_info.mbi_end))
		return false;
	for (unsigned int i = 0; i < boot_info.module_count; i++)
		if (overlaps(boot_info.modules[i].start, boot_info.modules[i].end))
			return false;
	return usable;
}

static phys_addr_t trampoline_page_table(void)
{
	phys_addr_t pml4 = TRAMPOLINE_PHYS + PAGE_SIZE, pdpt = pml4 + PAGE_SIZE;
	phys_addr_t pd = pdpt + PAGE_SIZE;
	uint64_t *t;

	t = phys_to_virt(pml4);
	memcpy(t, phys_to_virt(bsp_cr3 & PTE_ADDR_MASK), PAGE_SIZE);
	t[0] = pdpt | PTE_PRESENT | PTE_WRITE;
	t = phys_to_virt(pdpt);
	memset(t, 0, PAGE_SIZE);
	t[0] = pd | PTE_PRESENT | PTE_WRITE;
	t = phys_to_virt(pd);
	memset(t, 0, PAGE_SIZE);
	t[0] = 0 | PTE_PRESENT | PTE_WRITE | PTE_HUGE;
	return pml4;
}

static int prepare_cpu(unsigned int cpu)
{
	struct ap_cpu *c = &ap_cpus[cpu];

	memset(&c->tss, 0, sizeof(c->tss));
	for (int i = 0; i < 3; i++) {
		uint8_t *ist = vmalloc_stack(IST_SIZE);	/* a guard page below */

		if (!ist)
			return -ENOMEM;
		c->tss.ist[i] = (uint64_t)(ist + IST_SIZE);
	}
	c->tss.iomap_base = sizeof(c->tss);
	return 0;
}

/* INIT, then STARTUP twice (SDM 8.4.4.1); wait up to 200 ms for the AP. */
static bool start_cpu(unsigned int cpu, phys_addr_t table)
{
	struct trampoline_params *p = phys_to_virt(TRAMPOLINE_PHYS + (trampoline_params -
								     trampoline_start));
	uint8_t *stack = vmalloc_stack(AP_STACK_SIZE);
	uint32_t apic = ap_cpus[cpu].apic_id;

	if (!stack || prepare_cpu(cpu))
		return false;
	p->cr3 = table;
	p->stack = (uint64_t)stack + AP_STACK_SIZE;
	p->entry = (uint64_t)ap_entry;
	p->cpu = cpu;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	lapic_send_ipi(apic, ICR_INIT);
	mdelay(10);
	for (int i = 0; i < 2 && !ap_cpus[cpu].online; i++) {
		lapic_send_ipi(apic, ICR_STARTUP | (TRAMPOLINE_PHYS >> 12));
		udelay(200);
	}
	for (int ms = 0; ms < 200 && !__atomic_load_n(&ap_cpus[cpu].online, __ATOMIC_ACQUIRE);
	     ms++)
		mdelay(1);
	return ap_cpus[cpu].online;
}

uint32_t cpu_apic_id(unsigned int cpu)
{
	return ap_cpus[cpu].apic_id;
}

struct percpu *cpu_percpu(unsigned int cpu)
{
	return cpu ? &ap_cpus[cpu].percpu : &percpu0;
}

#define ICR_NMI		0x00004400	/* NMI delivery, level assert */

void smp_send_nmi_allbutself(void)
{
	unsigned int self = smp_processor_id();

	for (unsigned int cpu = 0; cpu < cpus_online; cpu++)
		if (cpu != self)
			lapic_send_ipi(ap_cpus[cpu].apic_id, ICR_NMI);
}

void arch_smp_init(void)
{
	unsigned int n = MIN(acpi_info.cpus, MAX_CPUS), bsp = lapic_id(), cpu = 1;
	phys_addr_t table;

	ap_cpus[0].apic_id = bsp;
	if (n <= 1)
		return;
	if (max_cpus < n) {
		pr_info("%u of %u CPUs used (%s)\n", max_cpus, n,
			max_cpus == 1 ? "nosmp" : "maxcpus=");
		if (max_cpus == 1)
			return;
	}
	bsp_cr0 = read_cr0();
	bsp_cr3 = read_cr3();
	bsp_cr4 = read_cr4();
	bsp_efer = rdmsr(MSR_EFER);
	if (trampoline_end - trampoline_start > (long)PAGE_SIZE || !trampoline_area_free()) {
		pr_err("%#x-%#lx is not free RAM for the start-up code: staying on one CPU\n",
		       TRAMPOLINE_PHYS, (unsigned long)TRAMPOLINE_END - 1);
		return;
	}
	table = trampoline_page_table();
	memcpy(phys_to_virt(TRAMPOLINE_PHYS), trampoline_start,
	       (size_t)(trampoline_end - trampoline_start));
	for (unsigned int i = 0; i < n && cpu < max_cpus; i++) {
		if (acpi_info.apic_ids[i] == bsp)
			continue;
		ap_cpus[cpu].apic_id = acpi_info.apic_ids[i];
		if (start_cpu(cpu, table)) {
			struct ap_cpu *c = &ap_cpus[cpu];

			if (c->seen_cpu != cpu || c->seen_apic != c->apic_id)
				pr_err("CPU %u reads itself as CPU %u with APIC id %u (want %u)\n", cpu,
				       c->seen_cpu, c->seen_apic, c->apic_id);
			pr_info("CPU %u (APIC id %u) is up, parked until per-CPU scheduling lands\n",
				cpu, c->apic_id);
			cpu++;
			cpus_online++;
		} else {
			/* INIT again: a late AP must not run on the next one's stack */
			lapic_send_ipi(acpi_info.apic_ids[i], ICR_INIT);
			pr_err("CPU with APIC id %u did not come up; going on without it\n",
			       acpi_info.apic_ids[i]);
		}
	}
	pr_info("%u CPU(s) up\n", cpus_online);
}
