/*
 * Wait queues. A sleeper links a wait_entry (usually on its own stack) into
 * the queue, marks itself not runnable and calls schedule(); wake_up()
 * makes every linked task runnable again. One task may wait on several
 * queues at once (poll); those entries stay linked until the sleeper
 * unlinks them. prepare_to_wait's entries are unlinked by the wake-up
 * itself (Linux's autoremove_wake_function), so the usual loop's
 * finish_wait after a wake-up needs no lock.
 *
 * Every queue is guarded by the scheduler's sched_lock (a raw lock taken
 * with interrupts off), so wake_up works from interrupt handlers and from
 * any CPU, and the task states it changes are consistent with the run
 * queues. A forwarding entry's func runs under it too: it may only wake.
 * The wake-up is inlined down to the run-queue insert (sched_internal.h):
 * a pipe round trip wakes twice.
 */
#include <asm/irq.h>
#include "kernel/lock.h"
#include "kernel/sched.h"
#include "kernel/sched_internal.h"

void wait_queue_init(struct wait_queue *wq)
{
	list_init(&wq->sleepers);
}

static void queue_init_once(struct wait_queue *wq)
{
	if (!wq->sleepers.next)		/* tolerate a zeroed, never-initialized queue */
		list_init(&wq->sleepers);
}

static bool entry_linked(const struct wait_entry *e)
{
	return e->node.next && !list_empty(&e->node);
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

/*
 * An autoremove entry is unlinked after its task is woken, and its last
 * store (prev pointing at itself) is a release: finish_wait, seeing the
 * entry unlinked without the lock, also sees the task runnable, and the
 * entry (on the sleeper's stack) is not touched again, since the walk
 * below has read the next entry first.
 */
static __attribute__((always_inline)) inline void wake_entry(struct wait_entry *e)
{
	if (e->func) {
		e->func(e);
		return;
	}
	__wake_up_task(e->task);
	if (e->flags & WQ_FLAG_AUTOREMOVE) {
		list_del(&e->node);
		e->node.next = &e->node;
		__atomic_store_n(&e->node.prev, &e->node, __ATOMIC_RELEASE);
	}
}

static __attribute__((always_inline)) inline void wake_all(struct wait_queue *wq)
{
	struct wait_entry *e, *n;

	if (wq->sleepers.next) {
		list_for_each_entry_safe(e, n, &wq->sleepers, node)
			wake_entry(e);
	}
}

void wake_up_locked(struct wait_queue *wq)
{
	wake_all(wq);
}

/*
 * An empty queue is seen without the lock: a sleeper links itself and sets
 * its state (a full barrier) before it checks its condition, and the
 * waker's condition store comes before the fence below, so either the
 * sleeper sees the condition or the waker sees the sleeper.
 */
static __attribute__((noinline)) void wake_up_sleepers(struct wait_queue *wq)
{
	unsigned long flags = raw_spin_lock_irqsave(&sched_lock);

	wake_all(wq);
	raw_spin_unlock_irqrestore(&sched_lock, flags);
}

void wake_up(struct wait_queue *wq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (wq->sleepers.next && !list_empty(&wq->sleepers))
		wake_up_sleepers(wq);
}

void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e, int state)
{
	unsigned long flags = raw_spin_lock_irqsave(&sched_lock);

	queue_init_once(wq);
	e->flags |= WQ_FLAG_AUTOREMOVE;
	if (!entry_linked(e))
		list_add_tail(&e->node, &wq->sleepers);
	set_current_state(state);
	raw_spin_unlock_irqrestore(&sched_lock, flags);
}

static __attribute__((noinline)) void finish_wait_locked(struct wait_entry *e)
{
	unsigned long flags = raw_spin_lock_irqsave(&sched_lock);

	__set_current_running();
	if (entry_linked(e))
		list_del_init(&e->node);
	raw_spin_unlock_irqrestore(&sched_lock, flags);
}

void finish_wait(struct wait_queue *wq, struct wait_entry *e)
{
	/* woken through @e: unlinked, runnable, off the timed sleepers */
	if (__atomic_load_n(&e->node.prev, __ATOMIC_ACQUIRE) == &e->node &&
	    current->state == TASK_RUNNING)
		return;
	finish_wait_locked(e);
}
