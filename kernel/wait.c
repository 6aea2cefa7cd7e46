/*
 * Wait queues. A sleeper links a wait_entry (usually on its own stack) into
 * the queue, marks itself not runnable and calls schedule(); wake_up()
 * makes every linked task runnable again. The sleeper unlinks itself when
 * it runs, so one task may wait on several queues at once (poll).
 *
 * Every queue is guarded by the scheduler's sched_lock (a raw lock taken
 * with interrupts off), so wake_up works from interrupt handlers and from
 * any CPU, and the task states it changes are consistent with the run
 * queues. A forwarding entry's func runs under it too: it may only wake.
 */
#include <asm/irq.h>
#include "kernel/lock.h"
#include "kernel/sched.h"

extern raw_spinlock_t sched_lock;

void wait_queue_init(struct wait_queue *wq)
{
	list_init(&wq->sleepers);
}

static void queue_init_once(struct wait_queue *wq)
{
	if (!wq->sleepers.next)		/* tolerate a zeroed, never-initialized queue */
		list_init(&wq->sleepers);
}

void wait_entry_add(struct wait_queue *wq, struct wait_entry *e)
{
	unsigned long flags = raw_spin_lock_irqsave(&sched_lock);

	queue_init_once(wq);
	list_add_tail(&e->node, &wq->sleepers);
	raw_spin_unlock_irqrestore(&sched_lock, flags);
	/* linked before the caller's look at its condition (wake_up peeks unlocked) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void wait_entry_remove(struct wait_entry *e)
{
	unsigned long flags = raw_spin_lock_irqsave(&sched_lock);

	list_del(&e->node);
	raw_spin_unlock_irqrestore(&sched_lock, flags);
}

/* Under sched_lock (kernel/sched.c). */
void __wake_up_task(struct task *t);

void wake_up_locked(struct wait_queue *wq)
{
	struct wait_entry *e;

	if (wq->sleepers.next) {
		list_for_each_entry(e, &wq->sleepers, node) {
			if (e->func)
				e->func(e);
			else
				__wake_up_task(e->task);
		}
	}
}

/*
 * An empty queue is seen without the lock: a sleeper links itself and sets
 * its state (a full barrier) before it checks its condition, and the
 * waker's condition store comes before the fence below, so either the
 * sleeper sees the condition or the waker sees the sleeper.
 */
void wake_up(struct wait_queue *wq)
{
	unsigned long flags;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!wq->sleepers.next || list_empty(&wq->sleepers))
		return;
	flags = raw_spin_lock_irqsave(&sched_lock);
	wake_up_locked(wq);
	raw_spin_unlock_irqrestore(&sched_lock, flags);
}

void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e, int state)
{
	unsigned long flags = raw_spin_lock_irqsave(&sched_lock);

	queue_init_once(wq);
	if (!e->node.next || list_empty(&e->node))
		list_add_tail(&e->node, &wq->sleepers);
	set_current_state(state);
	raw_spin_unlock_irqrestore(&sched_lock, flags);
}

void finish_wait(struct wait_queue *wq, struct wait_entry *e)
{
	unsigned long flags = raw_spin_lock_irqsave(&sched_lock);

	__set_current_running();
	if (e->node.next && !list_empty(&e->node))
		list_del_init(&e->node);
	raw_spin_unlock_irqrestore(&sched_lock, flags);
}
