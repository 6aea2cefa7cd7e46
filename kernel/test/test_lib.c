/*
 * In-kernel tests of the core services: the embedded symbol table, the log
 * buffer, the command line, time keeping and the interrupt path.
 */
#include <asm/irq.h>
#include "kernel/ktest.h"
#include "lib/crc32.h"
#include "lib/printf.h"
#include "lib/string.h"

KTEST(ksyms_lookup)
{
	uintptr_t off, size;
	const char *name = ksym_lookup((uintptr_t)kmain + 3, &off, &size);
	char buf[64];

	KT_ASSERT(name != NULL);
	KT_ASSERT_EQ(strcmp(name, "kmain"), 0);
	KT_ASSERT_EQ(off, 3);
	KT_ASSERT(size > 3);
	KT_ASSERT_EQ(ksym_address("ktest_run"), (uintptr_t)ktest_run);
	snprintf(buf, sizeof(buf), "%pS", (void *)((uintptr_t)panic + 1));
	KT_ASSERT(!strncmp(buf, "panic+0x1/0x", 12));
	return 0;
}

KTEST(log_buffer)
{
	static char buf[4096];
	size_t n;

	printk(KERN_DEBUG "ktest marker %x\n", 0xb45a17);
	n = log_buf_read(buf, sizeof(buf) - 1);
	buf[n] = '\0';
	KT_ASSERT(strstr(buf, "<7>[") != NULL);
	KT_ASSERT(strstr(buf, "ktest marker b45a17\n") != NULL);
	return 0;
}

KTEST(cmdline_table)
{
	KT_ASSERT(cmdline_get("ktest") != NULL);
	KT_ASSERT(cmdline_get("no-such-option-given") == NULL);
	return 0;
}

KTEST(crc32_vector)
{
	KT_ASSERT_EQ(crc32(0, "123456789", 9), 0xcbf43926);
	return 0;
}

KTEST(clock_monotonic)
{
	uint64_t t0 = ktime_ns(), t1;

	mdelay(20);
	t1 = ktime_ns();
	KT_ASSERT(t1 > t0);
	KT_ASSERT(t1 - t0 >= 19000000ULL);
	return 0;
}

KTEST(timer_interrupts)
{
	uint64_t j0 = jiffies;

	local_irq_enable();
	mdelay(100);
	local_irq_disable();
	/* 100 ms at HZ: allow generous slack for TCG, but it must tick */
	KT_ASSERT(jiffies - j0 >= (uint64_t)CONFIG_HZ / 20);
	KT_ASSERT(jiffies - j0 <= (uint64_t)CONFIG_HZ);
	return 0;
}

KTEST(stack_protector_armed)
{
	extern uint64_t __stack_chk_guard;

	KT_ASSERT(__stack_chk_guard != 0);
	KT_ASSERT_EQ(__stack_chk_guard & 0xff, 0);
	return 0;
}
