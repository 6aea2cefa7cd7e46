/*
 * The system-wide files of /proc: meminfo, uptime, loadavg, stat,
 * version, cmdline, mounts and filesystems. Each is a show function
 * registered through procfs_register(), like any subsystem's (cpuinfo is
 * the architecture's, arch/x86/cpu/proc.c).
 */
#include <asm/cpu.h>
#include <asm/smp.h>
#include "fs/internal.h"
#include "kernel/sched.h"
#include "lib/printf.h"
#include "mm/mm.h"

#define USER_HZ	100

/* Append formatted text at *n, tracking the full length even past @size. */
__printf(4, 5) static void emit(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*n += (size_t)vsnprintf(buf + MIN(*n, size), size - MIN(*n, size), fmt, ap);
	va_end(ap);
}

static long meminfo_show(char *buf, size_t size)
{
	unsigned long total = (unsigned long)pmm_total_count() * (PAGE_SIZE / 1024);
	unsigned long avail = (unsigned long)pmm_free_count() * (PAGE_SIZE / 1024);
	size_t n = 0;

	emit(buf, size, &n, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\n", total, avail);
	emit(buf, size, &n, "MemAvailable:   %8lu kB\nBuffers:        %8lu kB\n", avail, 0UL);
	emit(buf, size, &n, "Cached:         %8lu kB\nSwapCached:     %8lu kB\n", 0UL, 0UL);
	emit(buf, size, &n, "Shmem:          %8lu kB\nSlab:           %8lu kB\n", 0UL, 0UL);
	emit(buf, size, &n, "SReclaimable:   %8lu kB\nSwapTotal:      %8lu kB\n", 0UL, 0UL);
	emit(buf, size, &n, "SwapFree:       %8lu kB\n", 0UL);
	return (long)n;
}

static long uptime_show(char *buf, size_t size)
{
	uint64_t cs = ktime_ns() / 10000000ULL;	/* hundredths of a second */

	return snprintf(buf, size, "%lu.%02lu 0.00\n", (unsigned long)(cs / 100),
			(unsigned long)(cs % 100));
}

static long loadavg_show(char *buf, size_t size)
{
	int running = 0, total = 0, last = 0;
	struct task *t;

	list_for_each_entry(t, &all_tasks, all_node) {
		if (t->state == TASK_DEAD)
			continue;
		total++;
		running += t->state == TASK_RUNNING;
		last = MAX(last, t->pid);
	}
	return snprintf(buf, size, "0.00 0.00 0.00 %d/%d %d\n", running, total, last);
}

/* Times per CPU, in USER_HZ ticks, from each CPU's own tick accounting. */
static long stat_show(char *buf, size_t size)
{
	uint64_t tot[3] = { 0, 0, 0 }, ctxt = 0;
	int procs = 0, running = 0;
	struct task *t;
	size_t n = 0;

	list_for_each_entry(t, &all_tasks, all_node) {
		procs++;
		running += t->state == TASK_RUNNING;
	}
	for (unsigned int cpu = 0; cpu < cpus_online; cpu++) {
		uint64_t v[3];

		sched_cpu_times(cpu, &v[0], &v[1], &v[2]);
		for (int i = 0; i < 3; i++)
			tot[i] += v[i] * USER_HZ / CONFIG_HZ;
		ctxt += sched_cpu_switches(cpu);
	}
	emit(buf, size, &n, "cpu  %lu 0 %lu %lu 0 0 0 0 0 0\n", (unsigned long)tot[0],
	     (unsigned long)tot[1], (unsigned long)tot[2]);
	for (unsigned int cpu = 0; cpu < cpus_online; cpu++) {
		uint64_t v[3];

		sched_cpu_times(cpu, &v[0], &v[1], &v[2]);
		emit(buf, size, &n, "cpu%u %lu 0 %lu %lu 0 0 0 0 0 0\n", cpu,
		     (unsigned long)(v[0] * USER_HZ / CONFIG_HZ), (unsigned long)(v[1] * USER_HZ / CONFIG_HZ),
		     (unsigned long)(v[2] * USER_HZ / CONFIG_HZ));
	}
	emit(buf, size, &n, "intr 0\nctxt %lu\nbtime 0\nprocesses %d\n", (unsigned long)ctxt,
	     procs);
	emit(buf, size, &n, "procs_running %d\nprocs_blocked 0\n", running);
	return (long)n;
}

/* The big kernel lock's contention, since boot: how much SMP serializes. */
static long bkl_stat_show(char *buf, size_t size)
{
	uint64_t contended, sleeps, wait_ns;

	bkl_stats(&contended, &sleeps, &wait_ns);
	return snprintf(buf, size, "contended %lu\nslept %lu\nwait_us %lu\n",
			(unsigned long)contended, (unsigned long)sleeps,
			(unsigned long)(wait_ns / 1000));
}

/*
 * Each CPU's TSC ticks spent halted, and the TSC now: busy time with the
 * TSC's resolution (under QEMU -icount shift=0, busy guest instructions),
 * for the benchmarks (user/tests/storage-bench.sh).
 */
static long idle_tsc_show(char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "tsc %lu\n", (unsigned long)rdtsc());

	for (unsigned int cpu = 0; cpu < cpus_online && n < size; cpu++)
		n += (size_t)snprintf(buf + n, size - n, "cpu%u %lu\n", cpu,
				      (unsigned long)sched_cpu_idle_tsc(cpu));
	return (long)(n < size ? n : size);
}

static long version_show(char *buf, size_t size)
{
	return snprintf(buf, size, "Basalt version %s (gcc) #1 %s %s\n", BASALT_VERSION,
			__DATE__, __TIME__);
}

static long cmdline_show(char *buf, size_t size)
{
	return snprintf(buf, size, "%s\n", saved_command_line);
}

/* Register the built-in files (idempotent: a second call finds them there). */
int proc_misc_init(void)
{
	static const struct {
		const char *name;
		long (*show)(char *buf, size_t size);
	} files[] = {
		{ "meminfo", meminfo_show }, { "uptime", uptime_show },
		{ "loadavg", loadavg_show }, { "stat", stat_show }, { "bkl_stat", bkl_stat_show },
		{ "idle_tsc", idle_tsc_show },
		{ "version", version_show }, { "cmdline", cmdline_show },
		{ "mounts", mounts_show },
		{ "filesystems", filesystems_show },
	};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		procfs_register(files[i].name, files[i].show);
	return 0;
}
core_initcall(proc_misc_init);
