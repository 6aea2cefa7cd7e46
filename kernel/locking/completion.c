/*
 * Completions: one side waits until the other says "done". complete()
 * lets exactly one wait return (now or later); complete_all() lets every
 * wait return until reinit_completion(). Usable from interrupt handlers
 * on the completing side. The count is changed with atomic operations, so
 * completing and waiting CPUs need no lock; the wait queue has its own.
 */
#include <asm/irq.h>
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "kernel/module.h"
#include "kernel/sched.h"
#include "kernel/timer.h"

void init_completion(struct completion *c)
{
	c->done = 0;
	wait_queue_init(&c->wait);
}
EXPORT_SYMBOL(init_completion);

void complete(struct completion *c)
{
	unsigned int d = __atomic_load_n(&c->done, __ATOMIC_RELAXED);

	while (d != COMPLETE_ALL_DONE &&
	       !__atomic_compare_exchange_n(&c->done, &d, d + 1, false, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED))
		;
	wake_up(&c->wait);
}
EXPORT_SYMBOL(complete);

void complete_all(struct completion *c)
{
	__atomic_store_n(&c->done, COMPLETE_ALL_DONE, __ATOMIC_RELEASE);
	wake_up(&c->wait);
}
EXPORT_SYMBOL(complete_all);

/* Consume one completion if there is one. */
static bool try_consume(struct completion *c)
{
	unsigned int d = __atomic_load_n(&c->done, __ATOMIC_ACQUIRE);

	for (;;) {
		if (!d)
			return false;
		if (d == COMPLETE_ALL_DONE)
			return true;
		if (__atomic_compare_exchange_n(&c->done, &d, d - 1, false, __ATOMIC_ACQUIRE,
						__ATOMIC_ACQUIRE))
			return true;
	}
}

/*
 * Wait for a completion, at most until @deadline (jiffies; 0: forever).
 * 1 when one was consumed, 0 on timeout, -ERESTARTSYS on a signal.
 */
static int do_wait(struct completion *c, unsigned long deadline, bool intr, uintptr_t ip)
{
	struct wait_entry e = { .task = current };
	int ret = 1;

	might_sleep_check("wait_for_completion", ip);
	for (;;) {
		prepare_to_wait(&c->wait, &e, intr ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE);
		if (try_consume(c))
			break;
		if (intr && signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (deadline && time_after_eq(jiffies, deadline)) {
			ret = 0;
			break;
		}
		schedule_until(deadline ? ktime_ns() + (deadline - jiffies) * (1000000000ULL / HZ)
					: 0);
	}
	finish_wait(&c->wait, &e);
	return ret;
}

void wait_for_completion(struct completion *c)
{
	do_wait(c, 0, false, (uintptr_t)__builtin_return_address(0));
}
EXPORT_SYMBOL(wait_for_completion);

unsigned long wait_for_completion_timeout(struct completion *c, unsigned long timeout)
{
	unsigned long deadline = jiffies + (timeout ? timeout : 1);

	if (do_wait(c, deadline, false, (uintptr_t)__builtin_return_address(0)) <= 0)
		return 0;
	return time_after(deadline, jiffies) ? deadline - jiffies : 1;
}
EXPORT_SYMBOL(wait_for_completion_timeout);

int wait_for_completion_interruptible(struct completion *c)
{
	int ret = do_wait(c, 0, true, (uintptr_t)__builtin_return_address(0));

	return ret < 0 ? ret : 0;
}
EXPORT_SYMBOL(wait_for_completion_interruptible);

bool completion_done(struct completion *c)
{
	return c->done != 0;
}
EXPORT_SYMBOL(completion_done);
