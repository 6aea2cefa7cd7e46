/*
 * Starting the other CPUs (Intel SDM vol. 3, 8.4 "Multiple-Processor (MP)
 * Initialization"): for every processor the ACPI MADT lists, the boot CPU
 * copies the trampoline (trampoline.asm) below 1 MiB, leaves it a page
 * table, a stack and the entry point, and sends INIT, then STARTUP twice.
 * The AP climbs to long mode, takes the kernel's page tables, control
 * registers and EFER, gets a GDT and TSS (with IST stacks) of its own, the
 * shared IDT and its local APIC, says it is up, and waits with interrupts
 * off until the boot CPU has finished booting (smp_release_cpus); then it
 * starts its LAPIC timer and enters the scheduler with its idle task.
 * `nosmp` or `maxcpus=N` on the command line limit what is started; a CPU
 * that does not answer is reported and the boot goes on without it.
 *
 * The second half is the IPIs: reschedule, function call and TLB flush,
 * each with its own vector and count, and the NMI that panic() stops the
 * other CPUs with.
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
#include "kernel/irq.h"
#include "kernel/lock.h"
#include "kernel/sched.h"
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
	volatile int online;		/* answered the start-up */
};

static struct ap_cpu ap_cpus[MAX_CPUS];
static uint64_t bsp_cr0, bsp_cr3, bsp_cr4, bsp_efer;
static unsigned int max_cpus = MAX_CPUS;
unsigned int cpus_online = 1;
static volatile int cpus_released;	/* smp_release_cpus: the parked CPUs may go */

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
	c->percpu.tss = &c->tss;
	c->percpu.apic_id = c->apic_id;
	c->seen_cpu = smp_processor_id();
	c->seen_apic = lapic_id();
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&cpus_released, __ATOMIC_ACQUIRE))
		cpu_relax();			/* parked until the boot is done */
	flush_tlb_all_local();			/* kernel mappings changed meanwhile */
	syscall_cpu_init();
	arch_time_init_ap();
	sched_ap_start((unsigned int)cpu);
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
	return cpu ? ap_cpus[cpu].apic_id : percpu0.apic_id;
}

struct percpu *percpu_ptr[NR_CPUS] = { &percpu0 };

#define ICR_NMI		0x00004400	/* NMI delivery, level assert */

/* --- IPIs ----------------------------------------------------------------------- */
static const uint8_t ipi_vector[NR_IPI] = {
	[IPI_RESCHEDULE] = RESCHEDULE_VECTOR,
	[IPI_CALL_FUNC] = CALL_FUNCTION_VECTOR,
	[IPI_TLB] = TLB_VECTOR,
};

/*
 * One cross-CPU call at a time (call_lock): the caller fills call_data,
 * sets a bit per target and sends the IPIs; each target runs the function
 * and clears its bit; the caller waits for none to be left. A target
 * spinning on a lock with interrupts off answers from the spin loop.
 */
static DEFINE_RAW_SPINLOCK(call_lock);
static struct {
	void (*fn)(void *);
	void *arg;
	uint64_t pending;	/* CPUs that have not run fn yet */
} call_data;

uint64_t cpu_online_mask(void)
{
	uint64_t m = 0;

	for (unsigned int cpu = 0; cpu < cpus_online; cpu++)
		if (cpu_percpu(cpu)->online)
			m |= 1ULL << cpu;
	return m;
}

static void ipi_raise(unsigned int cpu, enum ipi_kind kind)
{
	__atomic_or_fetch(&cpu_percpu(cpu)->ipi_pending, 1U << kind, __ATOMIC_SEQ_CST);
	lapic_send_ipi(ap_cpus[cpu].apic_id, ipi_vector[kind]);
}

void smp_send_reschedule(unsigned int cpu)
{
	ipi_raise(cpu, IPI_RESCHEDULE);
}

void smp_poll_ipis(void)
{
	struct percpu *c = this_cpu();
	uint32_t p;

	if (__builtin_expect(!__atomic_load_n(&c->ipi_pending, __ATOMIC_RELAXED), 1))
		return;
	p = __atomic_exchange_n(&c->ipi_pending, 0, __ATOMIC_ACQ_REL);
	if (p & (1U << IPI_RESCHEDULE))
		scheduler_ipi();
	if (p & ((1U << IPI_CALL_FUNC) | (1U << IPI_TLB))) {
		call_data.fn(call_data.arg);
		__atomic_and_fetch(&call_data.pending, ~(1ULL << c->cpu), __ATOMIC_RELEASE);
	}
}

static void ipi_interrupt(struct pt_regs *regs, void *ctx)
{
	this_cpu()->ipi_count[(uintptr_t)ctx]++;
	smp_poll_ipis();
}

static void call_many(uint64_t mask, void (*fn)(void *), void *arg, enum ipi_kind kind)
{
	unsigned long flags;

	mask &= cpu_online_mask() & ~(1ULL << smp_processor_id());
	if (!mask)
		return;
	flags = raw_spin_lock_irqsave(&call_lock);
	call_data.fn = fn;
	call_data.arg = arg;
	__atomic_store_n(&call_data.pending, mask, __ATOMIC_SEQ_CST);
	for (unsigned int cpu = 0; cpu < cpus_online; cpu++)
		if (mask & (1ULL << cpu))
			ipi_raise(cpu, kind);
	while (__atomic_load_n(&call_data.pending, __ATOMIC_ACQUIRE))
		cpu_relax();
	raw_spin_unlock_irqrestore(&call_lock, flags);
}

void smp_call_function_many(uint64_t mask, void (*fn)(void *), void *arg)
{
	call_many(mask, fn, arg, IPI_CALL_FUNC);
}

void smp_call_function(void (*fn)(void *), void *arg)
{
	call_many(~0ULL, fn, arg, IPI_CALL_FUNC);
}

void flush_tlb_all_local(void)
{
	uint64_t cr4 = read_cr4();

	if (cr4 & CR4_PGE) {		/* toggling PGE drops global entries too */
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}

/* The CPUs other than this one whose loaded user tables are @mm's. */
static uint64_t cpus_running_mm(struct mm *mm)
{
	uint64_t m = 0;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* the PTE change before the look */
	for (unsigned int cpu = 0; cpu < cpus_online; cpu++)
		if (cpu != smp_processor_id() && cpu_percpu(cpu)->active_mm == mm)
			m |= 1ULL << cpu;
	return m;
}

static void tlb_flush_fn(void *arg)
{
	if (!arg)
		flush_tlb_all_local();
	else if (this_cpu()->active_mm == arg)
		write_cr3(read_cr3());
}

void smp_flush_tlb_mm(struct mm *mm)
{
	uint64_t mask = cpus_running_mm(mm);

	if (mask)
		call_many(mask, tlb_flush_fn, mm, IPI_TLB);
}

void smp_flush_tlb_kernel(void)
{
	if (cpus_online > 1)
		call_many(~0ULL, tlb_flush_fn, NULL, IPI_TLB);
}

static void drop_mm_fn(void *arg)
{
	if (this_cpu()->active_mm == arg)
		mm_switch_kernel();
}

void smp_drop_mm(struct mm *mm)
{
	uint64_t mask = cpus_running_mm(mm);

	if (mask)
		call_many(mask, drop_mm_fn, mm, IPI_CALL_FUNC);
}

void smp_release_cpus(void)
{
	if (cpus_online <= 1)
		return;
	for (unsigned int k = 0; k < NR_IPI; k++)
		set_vector_handler(ipi_vector[k], ipi_interrupt, (void *)(uintptr_t)k);
	__atomic_store_n(&cpus_released, 1, __ATOMIC_RELEASE);
	for (unsigned int cpu = 1; cpu < cpus_online; cpu++) {
		for (int ms = 0; ms < 1000 && !cpu_percpu(cpu)->online; ms++)
			mdelay(1);
		if (!cpu_percpu(cpu)->online)
			pr_err("CPU %u did not enter the scheduler\n", cpu);
	}
	pr_info("%u CPUs run the scheduler\n", __builtin_popcountll(cpu_online_mask()));
}

void smp_send_nmi(unsigned int cpu)
{
	lapic_send_ipi(ap_cpus[cpu].apic_id, ICR_NMI);
}

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
	for (unsigned int i = 1; i < MAX_CPUS; i++)
		percpu_ptr[i] = &ap_cpus[i].percpu;
	if (n <= 1)
		return;
#ifndef CONFIG_SMP
	pr_info("1 of %u CPUs used (built without CONFIG_SMP)\n", n);
	return;
#endif
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
			pr_info("CPU %u (APIC id %u) is up\n", cpu, c->apic_id);
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
