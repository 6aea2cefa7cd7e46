/*
 * Wait queues. A sleeper links a wait_entry (usually on its own stack) into
 * the queue, marks itself not runnable and calls schedule(); wake_up()
 * makes every linked task runnable again. The sleeper unlinks itself when
 * it runs, so one task may wait on several queues at once (poll).
 */
#include <asm/irq.h>
#include "kernel/sched.h"

void wait_queue_init(struct wait_queue *wq)
{
	list_init(&wq->sleepers);
}

void wait_entry_add(struct wait_queue *wq, struct wait_entry *e)
{
	unsigned long flags = local_irq_save();

	list_add_tail(&e->node, &wq->sleepers);
	local_irq_restore(flags);
}

void wait_entry_remove(struct wait_entry *e)
{
	unsigned long flags = local_irq_save();

	list_del(&e->node);
	local_irq_restore(flags);
}

void wake_up(struct wait_queue *wq)
{
	unsigned long flags = local_irq_save();
	struct wait_entry *e;

	if (wq->sleepers.next) {	/* tolerate a zeroed, never-initialized queue */
		list_for_each_entry(e, &wq->sleepers, node) {
			if (e->func)
				e->func(e);
			else
				wake_up_task(e->task);
		}
	}
	local_irq_restore(flags);
}

/* Called with interrupts off; returns with them off. */
void sleep_on(struct wait_queue *wq, int state)
{
	struct wait_entry e = { .task = current };

	if (!wq->sleepers.next)
		list_init(&wq->sleepers);
	list_add_tail(&e.node, &wq->sleepers);
	current->state = state;
	schedule();
	list_del(&e.node);
}

unsigned long local_irq_save_sched(void)
{
	return local_irq_save();
}

void local_irq_restore_sched(unsigned long flags)
{
	local_irq_restore(flags);
}
