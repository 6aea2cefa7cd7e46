/*
 * CPU identification and feature enabling: read CPUID once into
 * cpu_features, then turn on the protections the design asks for (NX is
 * already on from boot; SMEP, SMAP, UMIP and global pages here).
 */
#include <asm/cpu.h>
#include <asm/switch.h>
#include "arch/x86/x86.h"
#include "kernel/kernel.h"
#include "lib/string.h"

#ifdef CONFIG_SMEP_SMAP
#define CONFIG_SMEP_SMAP_ENABLED 1
#else
#define CONFIG_SMEP_SMAP_ENABLED 0
#endif

struct cpu_features cpu_features;
static bool smep_smap_enabled = true;
uint8_t smap_enabled;		/* read by the user-copy helpers: stac/clac needed */

static int set_nosmap(const char *v)
{
	smep_smap_enabled = false;
	return 0;
}
CMDLINE_OPTION("nosmap", set_nosmap);

/* Fill cpu_features from CPUID. */
void cpu_detect(void)
{
	uint32_t a, b, c, d, max, maxext;
	struct cpu_features *f = &cpu_features;

	cpuid(0, 0, &max, &b, &c, &d);
	memcpy(f->vendor, &b, 4);
	memcpy(f->vendor + 4, &d, 4);
	memcpy(f->vendor + 8, &c, 4);
	f->vendor[12] = '\0';

	cpuid(1, 0, &a, &b, &c, &d);
	f->rdrand = !!(c & (1U << 30));
	f->x2apic = !!(c & (1U << 21));
	f->pge = !!(d & (1U << 13));
	if (max >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		f->smep = !!(b & (1U << 7));
		f->smap = !!(b & (1U << 20));
		f->umip = !!(c & (1U << 2));
	}
	cpuid(0x80000000, 0, &maxext, &b, &c, &d);
	if (maxext >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		f->nx = !!(d & (1U << 20));
		f->pdpe1gb = !!(d & (1U << 26));
	}
	if (maxext >= 0x80000004) {
		uint32_t *p = (uint32_t *)f->brand;

		for (uint32_t leaf = 0x80000002; leaf <= 0x80000004; leaf++, p += 4)
			cpuid(leaf, 0, &p[0], &p[1], &p[2], &p[3]);
		f->brand[48] = '\0';
	}
	if (maxext >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		f->invariant_tsc = !!(d & (1U << 8));
	}
}

/* A clean FPU image for a new program: default control words, no state. */
void arch_fpu_init_state(void *area)
{
	uint8_t *p = area;

	memset(area, 0, 512);
	p[0] = 0x7f;			/* FCW 0x037f */
	p[1] = 0x03;
	p[24] = 0x80;			/* MXCSR 0x1f80 */
	p[25] = 0x1f;
}

/* Enable SMEP/SMAP/UMIP/PGE as available; report what is on. */
void cpu_enable_protections(void)
{
	uint64_t cr4 = read_cr4();
	const struct cpu_features *f = &cpu_features;

	if (f->pge)
		cr4 |= CR4_PGE;
	/* user code uses SSE: fxsave/fxrstor and SIMD exceptions on */
	cr4 |= CR4_OSFXSR | (1UL << 10);
	write_cr0((read_cr0() & ~((1UL << 2) | (1UL << 3))) | (1UL << 1));
	if (f->umip)
		cr4 |= CR4_UMIP;
	if (CONFIG_SMEP_SMAP_ENABLED && smep_smap_enabled) {
		if (f->smep)
			cr4 |= CR4_SMEP;
		if (f->smap) {
			cr4 |= CR4_SMAP;
			smap_enabled = 1;
		}
	}
	write_cr4(cr4);
	pr_info("cpu: %s %s\n", f->vendor, f->brand);
	pr_info("cpu: NX %s, SMEP %s, SMAP %s, UMIP %s, 1G pages %s\n",
		f->nx ? "on" : "absent", (cr4 & CR4_SMEP) ? "on" : "off",
		(cr4 & CR4_SMAP) ? "on" : "off", (cr4 & CR4_UMIP) ? "on" : "off",
		f->pdpe1gb ? "yes" : "no");
}
