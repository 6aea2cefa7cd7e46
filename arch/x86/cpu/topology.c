/*
 * CPU topology and /sys/devices/system/cpu. A CPU's package and core are
 * fields of its APIC id whose widths CPUID reports (leaf 0xb, else the
 * logical count of leaf 1); the boot CPU's widths hold for all of them.
 * The sysfs files are the ones programs count CPUs with: online, possible
 * and present as cpu lists ("0-3"), and one cpuN directory per CPU.
 */
#include <asm/cpu.h>
#include <asm/smp.h>
#include "arch/x86/cpu/cpuinfo.h"
#include "arch/x86/x86.h"
#include "fs/vfs.h"
#include "kernel/kernel.h"
#include "lib/printf.h"

/* The bits needed to number @n things. */
static unsigned int count_bits(unsigned int n)
{
	unsigned int bits = 0;

	while ((1U << bits) < n)
		bits++;
	return bits;
}

/* The APIC id field widths, into boot_cpu_data (called by cpuinfo_detect). */
void topology_detect(void)
{
	struct cpuinfo_x86 *c = &boot_cpu_data;
	uint32_t a, b, ecx, d;

	if (c->level >= 0xb) {
		cpuid(0xb, 0, &a, &b, &ecx, &d);
		if (b && ((ecx >> 8) & 0xff) == 1) {		/* the SMT level */
			c->smt_shift = a & 0x1f;
			c->pkg_shift = c->smt_shift;
			cpuid(0xb, 1, &a, &b, &ecx, &d);
			if (b && ((ecx >> 8) & 0xff) == 2)	/* the core level */
				c->pkg_shift = a & 0x1f;
			return;
		}
	}
	cpuid(1, 0, &a, &b, &ecx, &d);
	c->smt_shift = 0;
	c->pkg_shift = (d & (1U << 28)) ? count_bits((b >> 16) & 0xff) : 0;
}

unsigned int cpu_package_id(unsigned int cpu)
{
	return cpu_apic_id(cpu) >> boot_cpu_data.pkg_shift;
}

unsigned int cpu_core_id(unsigned int cpu)
{
	uint32_t in_pkg = cpu_apic_id(cpu) & ((1U << boot_cpu_data.pkg_shift) - 1);

	return in_pkg >> boot_cpu_data.smt_shift;
}

unsigned int cpu_package_siblings(unsigned int cpu)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < cpus_online; i++)
		n += cpu_package_id(i) == cpu_package_id(cpu);
	return n;
}

/* Count the package's CPUs that are the first online one of their core. */
unsigned int cpu_package_cores(unsigned int cpu)
{
	unsigned int pkg = cpu_package_id(cpu), n = 0;

	for (unsigned int i = 0; i < cpus_online; i++) {
		bool first = cpu_package_id(i) == pkg;

		for (unsigned int j = 0; first && j < i; j++)
			if (cpu_package_id(j) == pkg && cpu_core_id(j) == cpu_core_id(i))
				first = false;
		n += first;
	}
	return n;
}

/* The CPUs the firmware lists (all of them, when maxcpus= or nosmp left some parked). */
static unsigned int cpus_present(void)
{
	unsigned int n = MIN(acpi_info.cpus, (unsigned int)NR_CPUS);

	return MAX(n, cpus_online);
}

/* A cpu list for CPUs 0..@n-1, as Linux writes it: "0", "0-3". */
static long cpu_range_show(char *buf, size_t size, unsigned int n)
{
	if (n == 1)
		return snprintf(buf, size, "0\n");
	return snprintf(buf, size, "0-%u\n", n - 1);
}

static long online_show(char *buf, size_t size, void *data)
{
	return cpu_range_show(buf, size, cpus_online);
}

static long present_show(char *buf, size_t size, void *data)
{
	return cpu_range_show(buf, size, cpus_present());
}

static long cpu_online_show(char *buf, size_t size, void *data)
{
	return snprintf(buf, size, "%d\n", (uintptr_t)data < cpus_online);
}

static long core_id_show(char *buf, size_t size, void *data)
{
	return snprintf(buf, size, "%u\n", cpu_core_id((uintptr_t)data));
}

static long package_id_show(char *buf, size_t size, void *data)
{
	return snprintf(buf, size, "%u\n", cpu_package_id((uintptr_t)data));
}

static int cpu_sysfs_init(void)
{
	static const struct {
		const char *name;
		long (*show)(char *buf, size_t size, void *data);
		bool online_only;	/* topology: known for a running CPU */
	} per_cpu[] = {
		{ "online", cpu_online_show, false },
		{ "topology/core_id", core_id_show, true },
		{ "topology/physical_package_id", package_id_show, true },
	};
	char name[64];
	int err;

	err = sysfs_register_data("devices/system/cpu/online", online_show, NULL);
	if (!err)
		err = sysfs_register_data("devices/system/cpu/possible", present_show, NULL);
	if (!err)
		err = sysfs_register_data("devices/system/cpu/present", present_show, NULL);
	for (uintptr_t cpu = 0; !err && cpu < cpus_present(); cpu++) {
		for (size_t i = 0; !err && i < ARRAY_SIZE(per_cpu); i++) {
			/* the boot CPU cannot go offline: no online file, as on Linux */
			if ((cpu == 0 && i == 0) || (per_cpu[i].online_only && cpu >= cpus_online))
				continue;
			snprintf(name, sizeof(name), "devices/system/cpu/cpu%u/%s",
				 (unsigned int)cpu, per_cpu[i].name);
			err = sysfs_register_data(name, per_cpu[i].show, (void *)cpu);
		}
	}
	if (err)
		pr_err("cpu: /sys/devices/system/cpu is incomplete: error %d\n", err);
	return err;
}
core_initcall(cpu_sysfs_init);
