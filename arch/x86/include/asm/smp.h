/*
 * Which CPU this is: the number in the per-CPU block GS points at in
 * kernel mode (asm/switch.h). The boot CPU is 0, the CPUs smp.c starts
 * are 1 and up, numbered without gaps (CPUs 0..cpus_online-1 are the
 * online ones); GS is set before any lock is taken.
 */
#ifndef ASM_SMP_H
#define ASM_SMP_H

#include <stdint.h>

#define NR_CPUS		8

static inline unsigned int smp_processor_id(void)
{
	unsigned int id;

	__asm__ volatile("movl %%gs:24, %0" : "=r"(id));
	return id;
}

struct percpu;

/* How many CPUs run (CPUs 0..cpus_online-1). */
extern unsigned int cpus_online;

/* The same, known to be 1 at build time without CONFIG_SMP (hot paths use this). */
static inline unsigned int num_online_cpus(void)
{
#ifdef CONFIG_SMP
	return cpus_online;
#else
	return 1;
#endif
}

/* The local APIC id of CPU @cpu (an online one). */
uint32_t cpu_apic_id(unsigned int cpu);

/* Each CPU's per-CPU block, set before the CPU starts (CPU 0's is percpu0). */
extern struct percpu *percpu_ptr[NR_CPUS];

static inline struct percpu *cpu_percpu(unsigned int cpu)
{
	return percpu_ptr[cpu];
}
/* An NMI to CPU @cpu (the hard-lockup detector). */
void smp_send_nmi(unsigned int cpu);
/* An NMI to every online CPU but this one (panic's "stop"). */
void smp_send_nmi_allbutself(void);

struct mm;
/* CPUs that run the scheduler, one bit each. */
uint64_t cpu_online_mask(void);
/* Ask @cpu to look at its run queue (the reschedule IPI). */
void smp_send_reschedule(unsigned int cpu);
/*
 * Run @fn(@arg) on every CPU in @mask but this one, in interrupt context,
 * and wait until all have; smp_call_function is every other CPU. The
 * caller may hold spinlocks but not sched_lock.
 */
void smp_call_function_many(uint64_t mask, void (*fn)(void *), void *arg);
void smp_call_function(void (*fn)(void *), void *arg);
/* Flush the other CPUs' TLB entries of @mm (those running it), or of kernel mappings. */
void smp_flush_tlb_mm(struct mm *mm);
void smp_flush_tlb_kernel(void);
/* No CPU keeps @mm's tables loaded (before they are freed). */
void smp_drop_mm(struct mm *mm);
/* Answer requests the other CPUs posted for this one (spin loops with interrupts off). */
void smp_poll_ipis(void);
/* The boot CPU is done: the parked CPUs enter the scheduler. */
void smp_release_cpus(void);
/* Flush this CPU's whole TLB, global kernel entries included. */
void flush_tlb_all_local(void);

#endif
