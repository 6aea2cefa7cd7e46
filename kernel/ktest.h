/*
 * In-kernel self tests. KTEST(name) defines a test that returns 0 on
 * success; KT_ASSERT records a failure with file and line and returns.
 * With ktest=all (or ktest=name,name) on the command line, ktest_run()
 * runs them and prints "ok - kernel/<name>" / "not ok - ..." lines, then
 * leaves QEMU through isa-debug-exit with the overall result.
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include "kernel/kernel.h"

struct ktest {
	const char *name;
	int (*fn)(void);
};

#define KTEST(tname)                                                         \
	static int ktest_fn_##tname(void);                                   \
	static const struct ktest __ktest_##tname                            \
		__attribute__((used, section(".ktest"), aligned(8))) = {     \
			.name = #tname, .fn = ktest_fn_##tname };            \
	static int ktest_fn_##tname(void)

/*
 * In a test (the boot task, interrupts off): let other tasks and the timer
 * run until @cond or about two seconds have passed. Needs kernel/sched.h.
 */
#define RUN_UNTIL(cond)                                                      \
	do {                                                                 \
		uint64_t __end = ktime_ns() + 2000000000ULL;                 \
		local_irq_enable();                                          \
		while (!(cond) && ktime_ns() < __end)                        \
			schedule();                                          \
		local_irq_disable();                                         \
	} while (0)

#define KT_ASSERT(cond)                                                      \
	do {                                                                 \
		if (!(cond)) {                                               \
			printk("# %s:%d: assertion failed: %s\n", __FILE__,  \
			       __LINE__, #cond);                             \
			return -1;                                           \
		}                                                            \
	} while (0)

#define KT_ASSERT_EQ(a, b)                                                   \
	do {                                                                 \
		long long __a = (long long)(a), __b = (long long)(b);        \
		if (__a != __b) {                                            \
			printk("# %s:%d: %s == %s failed: %lld != %lld\n",   \
			       __FILE__, __LINE__, #a, #b, __a, __b);        \
			return -1;                                           \
		}                                                            \
	} while (0)

#ifdef CONFIG_KTEST
void ktest_run(void);
void ktest_crash_run(void);
#else
static inline void ktest_run(void) {}
/* Test hook (kernel/test/crash.c): the pointer /proc/ktest_stale_call calls. */
void ktest_set_stale_call(void (*fn)(void));

#endif

/* Test hook (kernel/test/crash.c): the pointer /proc/ktest_stale_call calls. */
void ktest_set_stale_call(void (*fn)(void));
/*
 * The NMI handler's test hook (kernel/test/crash.c; a weak default in
 * arch/x86/cpu/traps.c says false): true if the NMI was a crash test's.
 */
struct pt_regs;
bool ktest_nmi(struct pt_regs *regs);

#endif
