/*
 * Sleeping locks. A mutex has one owner task; a task that finds it taken
 * sleeps on the mutex's wait queue until the owner unlocks it, then tries
 * again. Only process context may take one, never with a spinlock held.
 * With CONFIG_DEBUG_LOCKS, taking it twice, unlocking it from a task that
 * does not own it and taking it in atomic context panic with their own
 * reasons.
 *
 * The wait_lock guards the owner field. A waiter is on the wait queue and
 * marked asleep (prepare_to_wait) before it looks at the owner, so an
 * unlock on another CPU between the look and schedule() wakes it.
 */
#include <asm/irq.h>
#include "kernel/irq.h"
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "kernel/locking/lockdebug.h"
#include "kernel/module.h"
#include "kernel/sched.h"

void __mutex_init(struct mutex *m, const char *name)
{
	__spin_lock_init(&m->wait_lock, name);
	m->owner = NULL;
	wait_queue_init(&m->waiters);
	m->name = name;
	m->acquire_ip = 0;
}
EXPORT_SYMBOL(__mutex_init);

static void debug_mutex_check(struct mutex *m, uintptr_t ip)
{
#ifdef CONFIG_DEBUG_LOCKS
	if (in_interrupt() || spin_locks_held())
		panic(LOCKDEP_REASON_MUTEX_ATOMIC, "mutex_lock(%s) at %pS %s", m->name, (void *)ip,
		      in_interrupt() ? "in an interrupt handler" : "while holding a spinlock");
	if (m->owner == current)
		panic(LOCKDEP_REASON_MUTEX_RECURSION,
		      "mutex %s taken again by %s (pid %d) at %pS, already held since %pS", m->name,
		      current->comm, current->pid, (void *)ip, (void *)m->acquire_ip);
	lockdep_acquire(m->name, m->name, ip);
#endif
}

static void mutex_acquired(struct mutex *m, uintptr_t ip)
{
	m->owner = current;
	m->acquire_ip = ip;
#ifdef CONFIG_DEBUG_LOCKS
	held_lock_push(&current->held, m, m->name, ip, LOCK_KIND_MUTEX);
#endif
}

/* Sleep until the mutex is free; false when @intr and a signal came first. */
static bool mutex_wait(struct mutex *m, bool intr, uintptr_t ip)
{
	struct wait_entry e = { .task = current };
	unsigned long flags;
	bool got = true;

	debug_mutex_check(m, ip);
	for (;;) {
		/* on the queue and asleep before the look: mutex_unlock's wake_up cannot be missed */
		prepare_to_wait(&m->waiters, &e, intr ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE);
		spin_lock_irqsave(&m->wait_lock, flags);
		if (!m->owner) {
			mutex_acquired(m, ip);
			spin_unlock_irqrestore(&m->wait_lock, flags);
			break;
		}
		spin_unlock_irqrestore(&m->wait_lock, flags);
		if (intr && signal_pending(current)) {
			got = false;
			break;
		}
		schedule();
	}
	finish_wait(&m->waiters, &e);
	return got;
}

void mutex_lock(struct mutex *m)
{
	mutex_wait(m, false, (uintptr_t)__builtin_return_address(0));
}
EXPORT_SYMBOL(mutex_lock);

int mutex_lock_interruptible(struct mutex *m)
{
	return mutex_wait(m, true, (uintptr_t)__builtin_return_address(0)) ? 0 : -EINTR;
}
EXPORT_SYMBOL(mutex_lock_interruptible);

int mutex_trylock(struct mutex *m)
{
	unsigned long flags;
	int ok = 0;

	spin_lock_irqsave(&m->wait_lock, flags);
	if (!m->owner) {
		mutex_acquired(m, (uintptr_t)__builtin_return_address(0));
		ok = 1;
	}
	spin_unlock_irqrestore(&m->wait_lock, flags);
	return ok;
}
EXPORT_SYMBOL(mutex_trylock);

void mutex_unlock(struct mutex *m)
{
	uintptr_t ip = (uintptr_t)__builtin_return_address(0);
	unsigned long flags;

	spin_lock_irqsave(&m->wait_lock, flags);
#ifdef CONFIG_DEBUG_LOCKS
	if (m->owner != current) {
		struct task *owner = m->owner;

		spin_unlock_irqrestore(&m->wait_lock, flags);
		panic(LOCKDEP_REASON_MUTEX_OWNER,
		      "mutex %s unlocked at %pS by %s (pid %d) but %s%s%s", m->name, (void *)ip,
		      current->comm, current->pid, owner ? "owned by " : "not locked",
		      owner ? owner->comm : "", owner ? "" : "");
	}
	held_lock_pop(&current->held, m);
#endif
	(void)ip;
	m->owner = NULL;
	wake_up(&m->waiters);
	spin_unlock_irqrestore(&m->wait_lock, flags);
}
EXPORT_SYMBOL(mutex_unlock);
