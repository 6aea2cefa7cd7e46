/*
 * Locks, with Linux's names and meanings, for the kernel and for drivers:
 *
 *   spinlock_t        a ticket lock: busy-waits, never sleeps; the _irqsave
 *                     forms also turn interrupts off on this CPU, for data an
 *                     interrupt handler touches too;
 *   struct mutex      a sleeping lock, for process context only;
 *   struct completion "wait until it has happened".
 *
 * With CONFIG_DEBUG_LOCKS every lock remembers its owner and where it was
 * taken, and misuse ends in panic() with its own reason: spinlock-recursion,
 * spinlock-wrong-owner, mutex-recursion, mutex-wrong-owner, mutex-in-atomic
 * (mutex_lock with a spinlock held or in an interrupt handler),
 * sleep-in-atomic (any other sleep there) and lock-held-at-exit (a module's
 * exit returned holding a lock). The rules are in docs/locking.md.
 */
#ifndef KERNEL_LOCK_H
#define KERNEL_LOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/irq.h>
#include "kernel/wait.h"

struct task;

/*
 * --- raw spinlocks ---------------------------------------------------------------
 * A bare ticket lock with no debugging, no lock-order check and no count
 * in spin_locks_held(): for the few locks the lock machinery itself and
 * the scheduler need (sched_lock is held across a context switch and
 * released by the next task, which no owner check could follow). Everyone
 * else uses spinlock_t.
 */
typedef struct raw_spinlock {
	uint32_t next, serving;
} raw_spinlock_t;

#define __RAW_SPIN_LOCK_UNLOCKED	{ 0, 0 }
#define DEFINE_RAW_SPINLOCK(x)		raw_spinlock_t x = __RAW_SPIN_LOCK_UNLOCKED

/* The contended half: spin (answering the other CPUs' requests) for @ticket. */
void raw_spin_lock_slow(raw_spinlock_t *lock, uint32_t ticket);

#ifdef CONFIG_SMP
/* Inline: an uncontended lock and unlock are an atomic add and a store. */
static inline void raw_spin_lock(raw_spinlock_t *lock)
{
	uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_ACQUIRE);

	if (__builtin_expect(__atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE) != ticket, 0))
		raw_spin_lock_slow(lock, ticket);
}

static inline void raw_spin_unlock(raw_spinlock_t *lock)
{
	__atomic_store_n(&lock->serving, lock->serving + 1, __ATOMIC_RELEASE);
}

static inline int raw_spin_trylock(raw_spinlock_t *lock)
{
	uint32_t serving = __atomic_load_n(&lock->serving, __ATOMIC_RELAXED), expect = serving;

	return __atomic_compare_exchange_n(&lock->next, &expect, serving + 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}
#else
/*
 * One CPU: nobody to exclude but interrupt handlers, which the _irqsave
 * forms keep out. The counts stay (one add each) so raw_spin_is_locked
 * still tells the truth; the compiler barriers keep the critical section
 * between them.
 */
static inline void raw_spin_lock(raw_spinlock_t *lock)
{
	lock->next++;
	__asm__ volatile("" ::: "memory");
}

static inline void raw_spin_unlock(raw_spinlock_t *lock)
{
	__asm__ volatile("" ::: "memory");
	lock->serving++;
}

static inline int raw_spin_trylock(raw_spinlock_t *lock)
{
	if (lock->next != lock->serving)
		return 0;
	raw_spin_lock(lock);
	return 1;
}
#endif

static inline unsigned long raw_spin_lock_irqsave(raw_spinlock_t *lock)
{
	unsigned long flags = local_irq_save();

	raw_spin_lock(lock);
	return flags;
}

static inline void raw_spin_unlock_irqrestore(raw_spinlock_t *lock, unsigned long flags)
{
	raw_spin_unlock(lock);
	local_irq_restore(flags);
}

static inline bool raw_spin_is_locked(const raw_spinlock_t *lock)
{
	return __atomic_load_n(&lock->next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&lock->serving, __ATOMIC_RELAXED);
}

/* --- spinlocks ----------------------------------------------------------------- */
typedef struct spinlock {
	uint32_t next;		/* the ticket the next locker takes */
	uint32_t serving;	/* the ticket that holds the lock */
	const char *name;	/* for debug reports: the variable's name */
#ifdef CONFIG_DEBUG_LOCKS
	struct task *owner;
	int owner_cpu;		/* -1 while unlocked */
	uintptr_t acquire_ip;	/* who took it */
#endif
} spinlock_t;

#ifdef CONFIG_DEBUG_LOCKS
#define __SPIN_LOCK_UNLOCKED(lockname)                                        \
	{ .next = 0, .serving = 0, .name = #lockname, .owner = NULL, .owner_cpu = -1 }
#else
#define __SPIN_LOCK_UNLOCKED(lockname) { .next = 0, .serving = 0, .name = #lockname }
#endif
#define DEFINE_SPINLOCK(x)	spinlock_t x = __SPIN_LOCK_UNLOCKED(x)
#define spin_lock_init(l)	__spin_lock_init((l), #l)

void __spin_lock_init(spinlock_t *lock, const char *name);
void spin_lock(spinlock_t *lock);
void spin_unlock(spinlock_t *lock);
/* Take the lock if it is free: 1 if taken, 0 if someone holds it. */
int spin_trylock(spinlock_t *lock);
/* spin_lock with interrupts off on this CPU; spin_unlock_irq turns them on. */
void spin_lock_irq(spinlock_t *lock);
void spin_unlock_irq(spinlock_t *lock);
unsigned long _spin_lock_irqsave(spinlock_t *lock);
void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags);
/* Saves the interrupt flag in @flags (an unsigned long), as in Linux. */
#define spin_lock_irqsave(lock, flags)                                        \
	do {                                                                  \
		(flags) = _spin_lock_irqsave(lock);                           \
	} while (0)

static inline bool spin_is_locked(const spinlock_t *lock)
{
	return __atomic_load_n(&lock->next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&lock->serving, __ATOMIC_RELAXED);
}

/* BUG unless @lock is held (by this CPU, with debugging on). */
void assert_spin_locked(const spinlock_t *lock);

/* --- mutexes --------------------------------------------------------------------- */
struct mutex {
	spinlock_t wait_lock;		/* guards owner and the waiters */
	struct task *owner;		/* NULL while free */
	struct wait_queue waiters;
	const char *name;
	uintptr_t acquire_ip;
};

#define __MUTEX_INITIALIZER(lockname)                                         \
	{ .wait_lock = __SPIN_LOCK_UNLOCKED(lockname.wait_lock), .owner = NULL, \
	  .waiters = WAIT_QUEUE_INIT((lockname).waiters), .name = #lockname }
#define DEFINE_MUTEX(x)		struct mutex x = __MUTEX_INITIALIZER(x)
#define mutex_init(m)		__mutex_init((m), #m)

void __mutex_init(struct mutex *m, const char *name);
/* Sleep until the mutex is free, then own it. Process context only. */
void mutex_lock(struct mutex *m);
/* The same, but a signal ends the wait: 0 when locked, -EINTR otherwise. */
int mutex_lock_interruptible(struct mutex *m);
/* 1 when locked, 0 when someone else holds it (never sleeps). */
int mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);

static inline bool mutex_is_locked(const struct mutex *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) != NULL;
}

/* --- completions ----------------------------------------------------------------- */
struct completion {
	unsigned int done;		/* complete() calls not yet consumed */
	struct wait_queue wait;
};

#define COMPLETION_INITIALIZER(work) { 0, WAIT_QUEUE_INIT((work).wait) }
#define DECLARE_COMPLETION(work)	struct completion work = COMPLETION_INITIALIZER(work)
#define COMPLETE_ALL_DONE	0x7fffffffU

void init_completion(struct completion *c);
static inline void reinit_completion(struct completion *c)
{
	c->done = 0;
}
/* Wake one waiter (or let the next wait return at once). Any context. */
void complete(struct completion *c);
/* Wake every waiter, now and later, until reinit_completion. Any context. */
void complete_all(struct completion *c);
void wait_for_completion(struct completion *c);
/* 0 on timeout, else the jiffies that were left (at least 1). */
unsigned long wait_for_completion_timeout(struct completion *c, unsigned long timeout);
/* 0, or -ERESTARTSYS when a signal arrived first. */
int wait_for_completion_interruptible(struct completion *c);
bool completion_done(struct completion *c);

/* --- for the scheduler and the module loader ----------------------------------- */
/* Spinlocks held on this CPU right now (sleeping with any is a bug). */
unsigned int spin_locks_held(void);
/* Panic with sleep-in-atomic if the caller may not sleep here. */
void might_sleep_check(const char *what, uintptr_t ip);
#define might_sleep()	might_sleep_check(__func__, (uintptr_t)__builtin_return_address(0))
#ifdef CONFIG_LOCKDEP
/* The lock-order check before taking a lock of class @key (kernel/locking/). */
void lockdep_acquire(const void *key, const char *name, uintptr_t ip);
/* The outermost interrupt handler starts: the held locks so far are not its. */
void lockdep_irq_enter(void);
#else
static inline void lockdep_acquire(const void *key, const char *name, uintptr_t ip) {}
static inline void lockdep_irq_enter(void) {}
#endif
/* Locks the current task holds (the held-lock stack's depth). */
unsigned int lock_held_depth(void);
/* Panic with lock-held-at-exit if the task holds more than @depth locks ("exit"/"init"). */
void lock_check_released(unsigned int depth, const char *module_name, const char *when);

#endif
