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
/* The local APIC id of CPU @cpu (an online one). */
uint32_t cpu_apic_id(unsigned int cpu);
/* CPU @cpu's per-CPU block. */
struct percpu *cpu_percpu(unsigned int cpu);
/* An NMI to every online CPU but this one (panic's "stop"). */
void smp_send_nmi_allbutself(void);

#endif
