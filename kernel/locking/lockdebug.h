/*
 * The bookkeeping behind lock debugging, kept free of kernel services so
 * the host tests can run it under sanitizers: a stack of the locks a task
 * holds (with where each was taken), the checks on it, and the names of
 * the integrity checks that fire. The lock code in kernel/locking/ turns a
 * verdict into panic().
 */
#ifndef KERNEL_LOCKING_LOCKDEBUG_H
#define KERNEL_LOCKING_LOCKDEBUG_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_HELD_LOCKS	24

enum held_lock_kind { LOCK_KIND_SPIN = 1, LOCK_KIND_MUTEX = 2 };

struct held_lock {
	const void *lock;
	const char *name;
	uintptr_t ip;		/* where it was taken */
	int kind;		/* enum held_lock_kind */
};

struct held_locks {
	unsigned int depth;
	struct held_lock stack[MAX_HELD_LOCKS];
};

enum lockdep_verdict {
	LOCKDEP_OK = 0,
	LOCKDEP_RECURSION,	/* the lock is already on the stack */
	LOCKDEP_NOT_HELD,	/* released but not on the stack */
	LOCKDEP_OVERFLOW,	/* more than MAX_HELD_LOCKS at once */
};

/* Record that @lock is now held; RECURSION (and no change) if it already is. */
int held_lock_push(struct held_locks *h, const void *lock, const char *name, uintptr_t ip,
		   int kind);
/* Forget @lock wherever it is on the stack (locks may be released out of order). */
int held_lock_pop(struct held_locks *h, const void *lock);
/* The entry for @lock, or NULL. */
const struct held_lock *held_lock_find(const struct held_locks *h, const void *lock);
/* How many held locks are of @kind (0: any). */
unsigned int held_lock_count(const struct held_locks *h, int kind);
/* The first lock above @depth (taken after the stack was that deep), or NULL. */
const struct held_lock *held_lock_above(const struct held_locks *h, unsigned int depth);

/* The reasons panic() is given, one per check (docs/locking.md). */
#define LOCKDEP_REASON_SPIN_RECURSION	"spinlock-recursion"
#define LOCKDEP_REASON_SPIN_OWNER	"spinlock-wrong-owner"
#define LOCKDEP_REASON_MUTEX_RECURSION	"mutex-recursion"
#define LOCKDEP_REASON_MUTEX_OWNER	"mutex-wrong-owner"
#define LOCKDEP_REASON_MUTEX_ATOMIC	"mutex-in-atomic"
#define LOCKDEP_REASON_SLEEP_ATOMIC	"sleep-in-atomic"
#define LOCKDEP_REASON_HELD_AT_EXIT	"lock-held-at-exit"

#endif
