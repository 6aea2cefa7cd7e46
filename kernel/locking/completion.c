/*
 * Completions: one side waits until the other says "done". complete()
 * lets exactly one wait return (now or later); complete_all() lets every
 * wait return until reinit_completion(). Usable from interrupt handlers
 * on the completing side.
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
	unsigned long flags = local_irq_save();

	if (c->done != COMPLETE_ALL_DONE)
		c->done++;
	wake_up(&c->wait);
	local_irq_restore(flags);
}
EXPORT_SYMBOL(complete);

void complete_all(struct completion *c)
{
	unsigned long flags = local_irq_save();

	c->done = COMPLETE_ALL_DONE;
	wake_up(&c->wait);
	local_irq_restore(flags);
}
EXPORT_SYMBOL(complete_all);

/* Consume one completion if there is one (interrupts off). */
static bool try_consume(struct completion *c)
{
	if (!c->done)
		return false;
	if (c->done != COMPLETE_ALL_DONE)
		c->done--;
	return true;
}

/*
 * Wait for a completion, at most until @deadline (jiffies; 0: forever).
 * 1 when one was consumed, 0 on timeout, -ERESTARTSYS on a signal.
 */
static int do_wait(struct completion *c, unsigned long deadline, bool intr, uintptr_t ip)
{
	unsigned long flags;
	int ret = 1;

	might_sleep_check("wait_for_completion", ip);
	flags = local_irq_save();
	while (!try_consume(c)) {
		if (intr && signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (deadline && time_after_eq(jiffies, deadline)) {
			ret = 0;
			break;
		}
		if (deadline)
			current->wake_at_ns = ktime_ns() +
					      (deadline - jiffies) * (1000000000ULL / HZ);
		sleep_on(&c->wait, intr ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE);
		current->wake_at_ns = 0;
	}
	local_irq_restore(flags);
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
