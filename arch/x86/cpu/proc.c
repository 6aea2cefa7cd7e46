/*
 * /proc/cpuinfo in Linux's format: one block per online CPU with the
 * identification, topology and feature flags CPUID reports. The flag names
 * are Linux's for the same CPUID bits (bits Linux does not name are left
 * out), printed in Linux's order, so tools that grep for "avx2" or count
 * "processor" lines read it as they read Linux's.
 */
#include <asm/cpu.h>
#include <asm/smp.h>
#include "arch/x86/cpu/cpuinfo.h"
#include "fs/vfs.h"
#include "kernel/kernel.h"
#include "lib/printf.h"
#include "lib/string.h"

struct cpuinfo_x86 boot_cpu_data;

static const char *const flag_names[NR_CPUID_WORDS][32] = {
	[CPUID_1_EDX] = {
		"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", NULL,
		"sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", NULL,
		"dts", "acpi", "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe",
	},
	/* the bits that repeat leaf 1's have no second name */
	[CPUID_8000_0001_EDX] = {
		[11] = "syscall", [19] = "mp", [20] = "nx", [22] = "mmxext",
		[25] = "fxsr_opt", [26] = "pdpe1gb", [27] = "rdtscp", [29] = "lm",
		[30] = "3dnowext", [31] = "3dnow",
	},
	[CPUID_1_ECX] = {
		"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est", "tm2",
		"ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", NULL, "pcid", "dca",
		"sse4_1", "sse4_2", "x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes",
		"xsave", NULL /* osxsave */, "avx", "f16c", "rdrand", "hypervisor",
	},
	[CPUID_8000_0001_ECX] = {
		"lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a",
		"misalignsse", "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", NULL,
		"lwp", "fma4", "tce", NULL, "nodeid_msr", NULL, "tbm", "topoext", "perfctr_core",
		"perfctr_nb", NULL, "bpext", "ptsc", "perfctr_llc", "mwaitx",
	},
	[CPUID_7_0_EBX] = {
		"fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", NULL, "smep", "bmi2",
		"erms", "invpcid", "rtm", "cqm", "mpx", "rdt_a", NULL, "avx512f", "avx512dq",
		"rdseed", "adx", "smap", "avx512ifma", NULL, "clflushopt", "clwb", "intel_pt",
		"avx512pf", "avx512er", "avx512cd", "sha_ni", "avx512bw", "avx512vl",
	},
	[CPUID_D_1_EAX] = { "xsaveopt", "xsavec", "xgetbv1", "xsaves" },
	[CPUID_8000_0008_EBX] = {
		[0] = "clzero", [1] = "irperf", [2] = "xsaveerptr", [4] = "rdpru",
		[9] = "wbnoinvd",
	},
	[CPUID_6_EAX] = {
		[0] = "dtherm", [1] = "ida", [2] = "arat", [4] = "pln", [6] = "pts",
		[7] = "hwp", [8] = "hwp_notify", [9] = "hwp_act_window", [10] = "hwp_epp",
		[11] = "hwp_pkg_req",
	},
	[CPUID_7_0_ECX] = {
		[1] = "avx512vbmi", [2] = "umip", [3] = "pku", [4] = "ospke", [5] = "waitpkg",
		[6] = "avx512_vbmi2", [8] = "gfni", [9] = "vaes", [10] = "vpclmulqdq",
		[11] = "avx512_vnni", [12] = "avx512_bitalg", [13] = "tme",
		[14] = "avx512_vpopcntdq", [16] = "la57", [22] = "rdpid",
		[24] = "bus_lock_detect", [25] = "cldemote", [27] = "movdiri",
		[28] = "movdir64b", [29] = "enqcmd", [30] = "sgx_lc",
	},
	[CPUID_7_0_EDX] = {
		[2] = "avx512_4vnniw", [3] = "avx512_4fmaps", [4] = "fsrm",
		[8] = "avx512_vp2intersect", [10] = "md_clear", [14] = "serialize",
		[16] = "tsxldtrk", [18] = "pconfig", [19] = "arch_lbr", [20] = "ibt",
		[22] = "amx_bf16", [23] = "avx512_fp16", [24] = "amx_tile", [25] = "amx_int8",
		[28] = "flush_l1d", [29] = "arch_capabilities",
	},
};

/* CPUID 0x80000007 EDX, "power management:" (bit 8, the invariant TSC, is a flag) */
static const char *const power_names[32] = {
	"ts", "fid", "vid", "ttp", "tm", "stc", "100mhzsteps", "hwpstate", NULL, "cpb",
	"eff_freq_ro", "proc_feedback", "acc_power",
};

/* The last-level cache in KB: leaf 4's deterministic parameters, else AMD's leaves. */
static unsigned int cache_size_kb(const struct cpuinfo_x86 *c)
{
	uint32_t a, b, ecx, d;
	unsigned int best_level = 0, kb = 0;

	for (uint32_t i = 0; c->level >= 4 && i < 16; i++) {
		cpuid(4, i, &a, &b, &ecx, &d);
		if ((a & 0x1f) == 0)			/* no more caches */
			break;
		if ((a & 0x1f) == 2 || ((a >> 5) & 7) < best_level)	/* instructions */
			continue;
		best_level = (a >> 5) & 7;
		kb = (unsigned int)(((uint64_t)(b >> 22) + 1) * (((b >> 12) & 0x3ff) + 1) *
				    ((b & 0xfff) + 1) * ((uint64_t)ecx + 1) / 1024);
	}
	if (kb || c->xlevel < 0x80000006)
		return kb;
	cpuid(0x80000006, 0, &a, &b, &ecx, &d);
	return (d >> 18) ? (d >> 18) * 512 : ecx >> 16;	/* L3, else L2 */
}

void cpuinfo_detect(void)
{
	struct cpuinfo_x86 *c = &boot_cpu_data;
	uint32_t a, b, ecx, d, *w = c->words;

	cpuid(0, 0, &c->level, &b, &ecx, &d);
	cpuid(0x80000000, 0, &c->xlevel, &b, &ecx, &d);
	if (c->xlevel < 0x80000000 || c->xlevel > 0x8000ffff)
		c->xlevel = 0;
	cpuid(1, 0, &a, &b, &w[CPUID_1_ECX], &w[CPUID_1_EDX]);
	c->family = (a >> 8) & 0xf;
	c->model = (a >> 4) & 0xf;
	c->stepping = a & 0xf;
	if (c->family == 0xf)
		c->family += (a >> 20) & 0xff;
	if (c->family >= 6)
		c->model += ((a >> 16) & 0xf) << 4;
	c->clflush_size = (w[CPUID_1_EDX] & (1U << 19)) ? ((b >> 8) & 0xff) * 8 : 64;
	if (c->level >= 6)
		cpuid(6, 0, &w[CPUID_6_EAX], &b, &ecx, &d);
	if (c->level >= 7)
		cpuid(7, 0, &a, &w[CPUID_7_0_EBX], &w[CPUID_7_0_ECX], &w[CPUID_7_0_EDX]);
	if (c->level >= 0xd)
		cpuid(0xd, 1, &w[CPUID_D_1_EAX], &b, &ecx, &d);
	if (c->xlevel >= 0x80000001)
		cpuid(0x80000001, 0, &a, &b, &w[CPUID_8000_0001_ECX], &w[CPUID_8000_0001_EDX]);
	if (c->xlevel >= 0x80000007)
		cpuid(0x80000007, 0, &a, &b, &ecx, &c->power);
	c->phys_bits = 36;
	c->virt_bits = 48;
	if (c->xlevel >= 0x80000008) {
		cpuid(0x80000008, 0, &a, &w[CPUID_8000_0008_EBX], &ecx, &d);
		c->phys_bits = a & 0xff;
		c->virt_bits = (a >> 8) & 0xff;
	}
	c->cache_kb = cache_size_kb(c);
	topology_detect();
}

/* Append formatted text at *n, tracking the full length even past @size. */
__printf(4, 5) static void emit(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*n += (size_t)vsnprintf(buf + MIN(*n, size), size - MIN(*n, size), fmt, ap);
	va_end(ap);
}

static void emit_flags(char *buf, size_t size, size_t *n)
{
	const struct cpuinfo_x86 *c = &boot_cpu_data;

	emit(buf, size, n, "flags\t\t:");
	for (int w = 0; w < NR_CPUID_WORDS; w++) {
		for (int bit = 0; bit < 32; bit++)
			if ((c->words[w] & (1U << bit)) && flag_names[w][bit])
				emit(buf, size, n, " %s", flag_names[w][bit]);
		/* Linux's synthetic flags for an invariant TSC sit after leaf 1 EDX's */
		if (w == CPUID_8000_0001_EDX && (c->power & (1U << 8)))
			emit(buf, size, n, " constant_tsc nonstop_tsc");
	}
	emit(buf, size, n, "\n");
}

static void emit_cpu(char *buf, size_t size, size_t *n, unsigned int cpu)
{
	const struct cpuinfo_x86 *c = &boot_cpu_data;
	const char *brand = cpu_features.brand;
	unsigned long khz = (unsigned long)tsc_khz();
	bool fpu = c->words[CPUID_1_EDX] & 1;

	while (*brand == ' ')		/* Intel right-justifies the brand string */
		brand++;
	emit(buf, size, n, "processor\t: %u\nvendor_id\t: %s\n", cpu, cpu_features.vendor);
	emit(buf, size, n, "cpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %s\n", c->family,
	     c->model, *brand ? brand : "unknown");
	emit(buf, size, n, "stepping\t: %u\nmicrocode\t: 0x0\n", c->stepping);
	emit(buf, size, n, "cpu MHz\t\t: %lu.%03lu\n", khz / 1000, khz % 1000);
	if (c->cache_kb)
		emit(buf, size, n, "cache size\t: %u KB\n", c->cache_kb);
	emit(buf, size, n, "physical id\t: %u\nsiblings\t: %u\ncore id\t\t: %u\n",
	     cpu_package_id(cpu), cpu_package_siblings(cpu), cpu_core_id(cpu));
	emit(buf, size, n, "cpu cores\t: %u\napicid\t\t: %u\ninitial apicid\t: %u\n",
	     cpu_package_cores(cpu), cpu_apic_id(cpu), cpu_apic_id(cpu));
	emit(buf, size, n, "fpu\t\t: %s\nfpu_exception\t: %s\ncpuid level\t: %u\n",
	     fpu ? "yes" : "no", fpu ? "yes" : "no", c->level);
	emit(buf, size, n, "wp\t\t: %s\n", (read_cr0() & CR0_WP) ? "yes" : "no");
	emit_flags(buf, size, n);
	/* loops_per_jiffy from the TSC makes Linux's figure 2 per MHz */
	emit(buf, size, n, "bogomips\t: %lu.%02lu\n", khz / 500, (khz / 5) % 100);
	emit(buf, size, n, "clflush size\t: %u\ncache_alignment\t: %u\n", c->clflush_size,
	     c->clflush_size);
	emit(buf, size, n, "address sizes\t: %u bits physical, %u bits virtual\n",
	     c->phys_bits, c->virt_bits);
	emit(buf, size, n, "power management:");
	for (int bit = 0; bit < 32; bit++)
		if ((c->power & (1U << bit)) && power_names[bit])
			emit(buf, size, n, " %s", power_names[bit]);
	emit(buf, size, n, "\n\n");
}

static long cpuinfo_show(char *buf, size_t size)
{
	size_t n = 0;

	for (unsigned int cpu = 0; cpu < cpus_online; cpu++)
		emit_cpu(buf, size, &n, cpu);
	return (long)n;
}

static int cpuinfo_init(void)
{
	cpuinfo_detect();
	return procfs_register("cpuinfo", cpuinfo_show);
}
core_initcall(cpuinfo_init);
