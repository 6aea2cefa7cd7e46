/*
 * CPU registers, model-specific registers, CPUID and the instructions generic
 * code needs (hlt, pause, rdtsc), as inline functions. They stay inline in
 * modules too: a module that calls rdmsr()/wrmsr() must declare the "msr"
 * entitlement, and read_cr*()/write_cr*(), halt() or invlpg() need "cpu"
 * (scripts/modcheck refuses the instructions otherwise); cpuid(), rdtsc()
 * and cpu_relax() are not privileged.
 */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <stdint.h>

#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_APIC_BASE		0x1b

#define EFER_SCE	(1U << 0)
#define EFER_LME	(1U << 8)
#define EFER_NXE	(1U << 11)

#define CR0_WP		(1UL << 16)
#define CR4_PGE		(1UL << 7)
#define CR4_OSFXSR	(1UL << 9)
#define CR4_UMIP	(1UL << 11)
#define CR4_SMEP	(1UL << 20)
#define CR4_SMAP	(1UL << 21)

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid"
			 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)));
}

#define DEFINE_CR(n)                                                   \
	static inline uint64_t read_cr##n(void)                        \
	{                                                              \
		uint64_t v;                                            \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));      \
		return v;                                              \
	}                                                              \
	static inline void write_cr##n(uint64_t v)                     \
	{                                                              \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void halt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uintptr_t read_rbp(void)
{
	uintptr_t v;

	__asm__ volatile("mov %%rbp, %0" : "=r"(v));
	return v;
}

/* CPU feature bits we care about, filled by cpu_detect(). */
struct cpu_features {
	char vendor[13];
	char brand[49];
	unsigned nx : 1, pdpe1gb : 1, smep : 1, smap : 1, umip : 1,
		rdrand : 1, x2apic : 1, invariant_tsc : 1, pge : 1;
};

extern struct cpu_features cpu_features;
void cpu_detect(void);

#endif
