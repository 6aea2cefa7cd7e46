/*
 * Deliberate faults, one per integrity check, selected with
 * ktest.crash=NAME. Each must end in panic() with its own reason; the QEMU
 * test runner boots once per name and checks the dump and the record.
 */
#include <asm/cpu.h>
#include <asm/smp.h>
#include "fs/vfs.h"
#include "kernel/ktest.h"
#include "kernel/module.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

static const char *crash;

/*
 * A deliberately untracked function pointer, for the module-use-after-free
 * test: a module stores one of its functions here, is unloaded, and a write
 * to /proc/ktest_stale_call then calls it.
 */
static void (*stale_call)(void);

void ktest_set_stale_call(void (*fn)(void))
{
	stale_call = fn;
}
EXPORT_SYMBOL(ktest_set_stale_call);

static long stale_call_show(char *buf, size_t size)
{
	return snprintf(buf, size, "%p\n", (void *)stale_call);
}

static long stale_call_write(const char *buf, size_t len)
{
	if (!stale_call)
		return -ENOENT;
	stale_call();
	return (long)len;
}

static int stale_call_init(void)
{
	return procfs_register_rw("ktest_stale_call", stale_call_show, stale_call_write);
}
late_initcall(stale_call_init);

#ifdef CONFIG_MODULES
/*
 * Stands in for an IOMMU's fault handler in the faulted-module tests:
 * writing "NAME WHY" to /proc/ktest_module_fault marks module NAME faulted
 * with reason WHY, through the same module_mark_faulted() the IOMMU calls.
 */
static long module_fault_write(const char *buf, size_t len)
{
	char name[MODULE_NAME_LEN], why[64];
	size_t n = 0;

	while (n < len && n < sizeof(name) - 1 && buf[n] != ' ' && buf[n] != '\n')
		n++;
	memcpy(name, buf, n);
	name[n] = '\0';
	if (n < len && buf[n] == ' ')
		n++;
	strlcpy(why, buf + n, MIN(sizeof(why), len - n + 1));
	for (char *p = why; *p; p++)
		if (*p == '\n')
			*p = '\0';
	if (!find_module(name))
		return -ENOENT;
	module_mark_faulted(find_module(name), why);
	return (long)len;
}

static long module_fault_show(char *buf, size_t size)
{
	return snprintf(buf, size, "write: NAME WHY\n");
}

static int module_fault_init(void)
{
	return procfs_register_rw("ktest_module_fault", module_fault_show, module_fault_write);
}
late_initcall(module_fault_init);
#endif
static volatile uintptr_t crash_address = 8;	/* in the unmapped page 0 */

static int set_crash(const char *v)
{
	if (!v || !*v)
		return -EINVAL;
	crash = v;
	return 0;
}
CMDLINE_OPTION("ktest.crash", set_crash);

static __attribute__((noinline)) void crash_ud2(void)
{
	__builtin_trap();
}

static __attribute__((noinline)) void crash_null(void)
{
	*(volatile int *)crash_address = 1;
}

static __attribute__((noinline)) void crash_canary(void)
{
	char buf[16];
	volatile size_t n = 48;	/* volatile: hide the overflow from the compiler */

	memset(buf, 'A', n);
}

static __attribute__((noinline)) void crash_redzone(void)
{
	char *p = kmalloc(24);

	p[24] = 'X';		/* one past the end: into the red zone */
	kfree(p);
}

static __attribute__((noinline)) void crash_double_free(void)
{
	void *p = kmalloc(64);

	kfree(p);
	kfree(p);
}

static __attribute__((noinline)) unsigned long crash_recurse(unsigned long n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	if (n == ~0UL)		/* never true; keeps the compiler from complaining */
		return 0;
	return crash_recurse(n + 1) + pad[0];
}

static __attribute__((noinline)) void crash_stack_overflow(void)
{
	crash_recurse(0);
}

static __attribute__((noinline)) void crash_bug(void)
{
	BUG_ON(crash != NULL);
}

/*
 * Two CPUs panicking at once, the only way code runs on a parked AP: CPU 0
 * NMIs the others; in its NMI handler CPU 1 waits for CPU 0's panic to
 * begin and panics too. CPU 0 owns the one dump; CPU 1, whose NMIs are
 * blocked, leaves its reason and stops itself.
 */
static int nmi_crash_armed, nmi_crash_entered;

bool ktest_nmi(struct pt_regs *regs)
{
	if (!__atomic_load_n(&nmi_crash_armed, __ATOMIC_ACQUIRE))
		return false;
	if (smp_processor_id() != 1)
		return true;
	__atomic_store_n(&nmi_crash_entered, 1, __ATOMIC_RELEASE);
	for (int us = 0; us < 100000 && !__atomic_load_n(&panic_reason, __ATOMIC_ACQUIRE); us++)
		udelay(1);
	panic("ktest-nmi", "CPU %u panics in its NMI handler", smp_processor_id());
}

static __attribute__((noinline)) void crash_smp_two(void)
{
	if (cpus_online < 2) {
		printk("ktest: crash 'smp-two' needs 2 CPUs, has %u\n", cpus_online);
		return;
	}
	__atomic_store_n(&nmi_crash_armed, 1, __ATOMIC_RELEASE);
	smp_send_nmi_allbutself();
	for (int us = 0; us < 100000 && !__atomic_load_n(&nmi_crash_entered, __ATOMIC_ACQUIRE);
	     us++)
		udelay(1);
	panic("bug", "CPU %u panics while CPU 1 is in its NMI handler", smp_processor_id());
}

static const struct {
	const char *name;
	void (*fn)(void);
} crashes[] = {
	{ "ud2", crash_ud2 },
	{ "null", crash_null },
	{ "canary", crash_canary },
	{ "redzone", crash_redzone },
	{ "double-free", crash_double_free },
	{ "stack-overflow", crash_stack_overflow },
	{ "bug", crash_bug },
	{ "smp-two", crash_smp_two },
};

void ktest_crash_run(void)
{
	if (!crash)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(crashes); i++) {
		if (!strcmp(crashes[i].name, crash)) {
			printk("ktest: firing crash '%s'\n", crash);
			crashes[i].fn();
			printk("ktest: crash '%s' returned: the check did not fire\n", crash);
			qemu_exit(QEMU_EXIT_FAILURE);
			return;
		}
	}
	pr_err("ktest: unknown crash '%s'\n", crash);
}
