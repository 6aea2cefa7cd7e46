/*
 * Ticket spinlocks: a locker takes the next ticket with an atomic add and
 * spins until the lock serves it, so waiters get the lock in arrival order
 * whichever CPU they are on (the acquire load pairs with the release store
 * of the unlock). The kernel is not preemptible, so holding one only
 * forbids sleeping; the _irq forms also keep this CPU's interrupt handlers
 * out. A CPU spinning with interrupts off still answers the other CPUs'
 * TLB-flush and function-call requests (smp_poll_ipis), so a holder that
 * waits for them cannot deadlock against it.
 *
 * With CONFIG_DEBUG_LOCKS a lock records its owner, and taking it twice on
 * one CPU (which would spin forever), or releasing it from another task or
 * CPU, panics with its own reason, naming the lock and both call sites.
 */
#include <asm/cpu.h>
#include <asm/irq.h>
#include <asm/smp.h>
#include <asm/switch.h>
#include "kernel/irq.h"
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "kernel/locking/lockdebug.h"
#include "kernel/module.h"
#include "kernel/sched.h"

/* Spinlocks held on this CPU (a holder never sleeps, so never moves). */
#define cpu_spin_depth	(this_cpu()->spin_depth)

static inline int this_cpu_id(void)
{
	return (int)smp_processor_id();
}

/* Spin for ticket @ticket of the lock whose "serving" word is @serving. */
static inline void ticket_wait(uint32_t *serving, uint32_t ticket)
{
	while (__atomic_load_n(serving, __ATOMIC_ACQUIRE) != ticket) {
		cpu_relax();
		smp_poll_ipis();
	}
}

void raw_spin_lock_slow(raw_spinlock_t *lock, uint32_t ticket)
{
	ticket_wait(&lock->serving, ticket);
}

void __spin_lock_init(spinlock_t *lock, const char *name)
{
	lock->next = 0;
	lock->serving = 0;
	lock->name = name;
#ifdef CONFIG_DEBUG_LOCKS
	lock->owner = NULL;
	lock->owner_cpu = -1;
	lock->acquire_ip = 0;
#endif
}
EXPORT_SYMBOL(__spin_lock_init);

unsigned int spin_locks_held(void)
{
	return cpu_spin_depth;
}

#ifdef CONFIG_DEBUG_LOCKS
static const char *lock_name(const spinlock_t *lock)
{
	return lock->name ? lock->name : "(unnamed)";
}

/* A lock's class for the order check: its name string, or itself when unnamed. */
static const void *lock_class(const spinlock_t *lock)
{
	return lock->name ? (const void *)lock->name : (const void *)lock;
}

#ifdef CONFIG_LOCKDEP
/* One graph for every CPU, guarded by a raw lock (it cannot check itself). */
static struct lockdep_graph lockdep_graph;
static DEFINE_RAW_SPINLOCK(lockdep_lock);

/* The held-stack depth when this CPU's outermost interrupt came in: below it is the interrupted code's. */
void lockdep_irq_enter(void)
{
	this_cpu()->lockdep_irq_base = current->held.depth;
}

/* The order check before taking a lock of class @key. */
void lockdep_acquire(const void *key, const char *name, uintptr_t ip)
{
	struct lockdep_report r;
	unsigned long f = raw_spin_lock_irqsave(&lockdep_lock);
	int v = lockdep_check(&lockdep_graph, &current->held,
			      in_interrupt() ? this_cpu()->lockdep_irq_base : 0, key, name, ip, &r);

	raw_spin_unlock_irqrestore(&lockdep_lock, f);
	if (v != LOCKDEP_ORDER)
		return;
	panic(LOCKDEP_REASON_ORDER,
	      "lock order: %s taken at %pS while holding %s (taken at %pS), but earlier %s was taken at %pS while holding %s (taken at %pS)",
	      r.taking_name, (void *)r.taking_ip, r.held_name, (void *)r.held_ip,
	      r.earlier_after_name, r.earlier ? (void *)r.earlier->after_ip : NULL,
	      r.earlier_before_name, r.earlier ? (void *)r.earlier->before_ip : NULL);
}
#endif

static void debug_spin_acquire(spinlock_t *lock, uintptr_t ip)
{
	if (lock->owner_cpu == this_cpu_id() && spin_is_locked(lock))
		panic(LOCKDEP_REASON_SPIN_RECURSION,
		      "spinlock %s taken again on CPU %d at %pS, already held since %pS",
		      lock_name(lock), this_cpu_id(), (void *)ip, (void *)lock->acquire_ip);
	lockdep_acquire(lock_class(lock), lock_name(lock), ip);
}

static void debug_spin_acquired(spinlock_t *lock, uintptr_t ip)
{
	/* interrupts off: a handler's own push and pop must not land mid-update */
	unsigned long f = local_irq_save();

	lock->owner = current;
	lock->owner_cpu = this_cpu_id();
	lock->acquire_ip = ip;
	if (held_lock_push(&current->held, lock, lock_name(lock), ip, LOCK_KIND_SPIN) ==
	    LOCKDEP_OK)
		current->held.stack[current->held.depth - 1].class_key = lock_class(lock);
	local_irq_restore(f);
}

static void debug_spin_release(spinlock_t *lock, uintptr_t ip)
{
	unsigned long f;

	if (!spin_is_locked(lock))
		panic(LOCKDEP_REASON_SPIN_OWNER, "spinlock %s released at %pS but not held",
		      lock_name(lock), (void *)ip);
	if (lock->owner != current || lock->owner_cpu != this_cpu_id())
		panic(LOCKDEP_REASON_SPIN_OWNER,
		      "spinlock %s released at %pS by %s (pid %d) on CPU %d, but held by %s on CPU %d since %pS",
		      lock_name(lock), (void *)ip, current->comm, current->pid, this_cpu_id(),
		      lock->owner ? lock->owner->comm : "?", lock->owner_cpu,
		      (void *)lock->acquire_ip);
	f = local_irq_save();
	held_lock_pop(&current->held, lock);
	lock->owner = NULL;
	lock->owner_cpu = -1;
	local_irq_restore(f);
}
#else
static inline void debug_spin_acquire(spinlock_t *lock, uintptr_t ip) {}
static inline void debug_spin_acquired(spinlock_t *lock, uintptr_t ip) {}
static inline void debug_spin_release(spinlock_t *lock, uintptr_t ip) {}
#endif

static void do_spin_lock(spinlock_t *lock, uintptr_t ip)
{
	uint32_t ticket;

	debug_spin_acquire(lock, ip);
	ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);
	ticket_wait(&lock->serving, ticket);
	cpu_spin_depth++;
	debug_spin_acquired(lock, ip);
}

static void do_spin_unlock(spinlock_t *lock, uintptr_t ip)
{
	debug_spin_release(lock, ip);
	cpu_spin_depth--;
	__atomic_store_n(&lock->serving, lock->serving + 1, __ATOMIC_RELEASE);
}

void spin_lock(spinlock_t *lock)
{
	do_spin_lock(lock, (uintptr_t)__builtin_return_address(0));
}
EXPORT_SYMBOL(spin_lock);

void spin_unlock(spinlock_t *lock)
{
	do_spin_unlock(lock, (uintptr_t)__builtin_return_address(0));
}
EXPORT_SYMBOL(spin_unlock);

int spin_trylock(spinlock_t *lock)
{
	uint32_t serving = __atomic_load_n(&lock->serving, __ATOMIC_RELAXED);
	uint32_t expect = serving;

	/* free means next == serving: take ticket @serving if still so */
	if (!__atomic_compare_exchange_n(&lock->next, &expect, serving + 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return 0;
	cpu_spin_depth++;
	debug_spin_acquired(lock, (uintptr_t)__builtin_return_address(0));
	return 1;
}
EXPORT_SYMBOL(spin_trylock);

void spin_lock_irq(spinlock_t *lock)
{
	local_irq_disable();
	do_spin_lock(lock, (uintptr_t)__builtin_return_address(0));
}
EXPORT_SYMBOL(spin_lock_irq);

void spin_unlock_irq(spinlock_t *lock)
{
	do_spin_unlock(lock, (uintptr_t)__builtin_return_address(0));
	local_irq_enable();
}
EXPORT_SYMBOL(spin_unlock_irq);

unsigned long _spin_lock_irqsave(spinlock_t *lock)
{
	unsigned long flags = local_irq_save();

	do_spin_lock(lock, (uintptr_t)__builtin_return_address(0));
	return flags;
}
EXPORT_SYMBOL(_spin_lock_irqsave);

void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
	do_spin_unlock(lock, (uintptr_t)__builtin_return_address(0));
	local_irq_restore(flags);
}
EXPORT_SYMBOL(spin_unlock_irqrestore);

void assert_spin_locked(const spinlock_t *lock)
{
	BUG_ON(!spin_is_locked(lock));
#ifdef CONFIG_DEBUG_LOCKS
	BUG_ON(lock->owner_cpu != this_cpu_id());
#endif
}
EXPORT_SYMBOL(assert_spin_locked);

void might_sleep_check(const char *what, uintptr_t ip)
{
#ifdef CONFIG_DEBUG_LOCKS
	if (in_interrupt())
		panic(LOCKDEP_REASON_SLEEP_ATOMIC, "%s at %pS would sleep in an interrupt handler",
		      what, (void *)ip);
	if (cpu_spin_depth) {
		const struct held_lock *h = NULL;

		for (unsigned int i = current->held.depth; i-- > 0;)
			if (current->held.stack[i].kind == LOCK_KIND_SPIN) {
				h = &current->held.stack[i];
				break;
			}
		panic(LOCKDEP_REASON_SLEEP_ATOMIC,
		      "%s at %pS would sleep holding spinlock %s (taken at %pS)", what, (void *)ip,
		      h ? h->name : "?", h ? (void *)h->ip : NULL);
	}
#endif
}
EXPORT_SYMBOL(might_sleep_check);

unsigned int lock_held_depth(void)
{
#ifdef CONFIG_DEBUG_LOCKS
	return current->held.depth;
#else
	return 0;
#endif
}

void lock_check_released(unsigned int depth, const char *module_name, const char *when)
{
#ifdef CONFIG_DEBUG_LOCKS
	const struct held_lock *h = held_lock_above(&current->held, depth);

	if (h)
		panic(LOCKDEP_REASON_HELD_AT_EXIT,
		      "module %s: %s returned holding %s %s (taken at %pS)", module_name, when,
		      h->kind == LOCK_KIND_MUTEX ? "mutex" : "spinlock", h->name, (void *)h->ip);
#endif
}
