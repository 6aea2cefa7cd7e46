/*
 * Deliberate faults, one per integrity check, selected with
 * ktest.crash=NAME. Each must end in panic() with its own reason; the QEMU
 * test runner boots once per name and checks the dump and the record.
 */
#include <asm/cpu.h>
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
