/*
 * What /proc/cpuinfo and /sys/devices/system/cpu describe, read from CPUID
 * once on the boot CPU (the CPUs of one machine are alike; only their APIC
 * ids differ). Shared by arch/x86/cpu/proc.c and topology.c.
 */
#ifndef ARCH_X86_CPU_CPUINFO_H
#define ARCH_X86_CPU_CPUINFO_H

#include <stdint.h>

/* The CPUID words whose bits have flag names, in Linux's word order. */
enum cpuid_word {
	CPUID_1_EDX,		/* Linux's word 0 */
	CPUID_8000_0001_EDX,	/* 1 */
	CPUID_1_ECX,		/* 4 */
	CPUID_8000_0001_ECX,	/* 6 */
	CPUID_7_0_EBX,		/* 9 */
	CPUID_D_1_EAX,		/* 10 */
	CPUID_8000_0008_EBX,	/* 13 */
	CPUID_6_EAX,		/* 14 */
	CPUID_7_0_ECX,		/* 16 */
	CPUID_7_0_EDX,		/* 18 */
	NR_CPUID_WORDS
};

struct cpuinfo_x86 {
	uint32_t level;			/* highest standard leaf */
	uint32_t xlevel;		/* highest extended leaf */
	unsigned int family, model, stepping;
	unsigned int clflush_size;	/* bytes */
	unsigned int phys_bits, virt_bits;
	unsigned int cache_kb;		/* the last-level cache; 0: unknown */
	uint32_t power;			/* CPUID 0x80000007 EDX */
	uint32_t words[NR_CPUID_WORDS];
	/* APIC id bits below the core and the package fields */
	unsigned int smt_shift, pkg_shift;
};

extern struct cpuinfo_x86 boot_cpu_data;

/* Where CPU @cpu (an online one) sits: its package and its core in it. */
unsigned int cpu_package_id(unsigned int cpu);
unsigned int cpu_core_id(unsigned int cpu);
/* How many online CPUs, and distinct cores, share CPU @cpu's package. */
unsigned int cpu_package_siblings(unsigned int cpu);
unsigned int cpu_package_cores(unsigned int cpu);
/* Fill boot_cpu_data from this CPU's CPUID; topology_detect does the APIC id fields. */
void cpuinfo_detect(void);
void topology_detect(void);

#endif
