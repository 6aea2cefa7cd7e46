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
	const void *class_key;	/* the lock-order class (its name string) */
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
	LOCKDEP_ORDER,		/* the opposite order was seen before */
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

/*
 * The lock-order validator (Linux's lockdep, in small): locks belong to
 * classes (one per name string: DEFINE_SPINLOCK/spin_lock_init/mutex_init
 * sites), and taking class B while holding class A records "A before B"
 * with both call sites. Taking A while holding B after that is an order
 * violation even if it never deadlocked: lockdep_check reports it with
 * the earlier sites. Only direct inversions are found (A-B then B-A), not
 * longer cycles.
 */
#define LOCKDEP_MAX_CLASSES	128
#define LOCKDEP_MAX_EDGES	512

struct lockdep_edge {
	uint16_t before, after;		/* class indices */
	uintptr_t before_ip, after_ip;	/* where each was taken the first time */
};

struct lockdep_graph {
	unsigned int nclasses, nedges;
	const void *key[LOCKDEP_MAX_CLASSES];
	const char *name[LOCKDEP_MAX_CLASSES];
	uint8_t after[LOCKDEP_MAX_CLASSES][LOCKDEP_MAX_CLASSES / 8];	/* bit b of row a: a before b */
	struct lockdep_edge edges[LOCKDEP_MAX_EDGES];
	bool full;			/* a table overflowed: checking is partial */
};

/* What an order violation was: now "held, then taking" against the recorded opposite. */
struct lockdep_report {
	const char *held_name, *taking_name;
	uintptr_t held_ip, taking_ip;	/* this time */
	const struct lockdep_edge *earlier;	/* taking before held, seen before (may be NULL) */
	const char *earlier_before_name, *earlier_after_name;
};

/*
 * Taking the lock of class @key (@name) at @ip while @h holds its entries
 * from @base on (the entries below belong to the context an interrupt
 * handler interrupted): LOCKDEP_OK, after recording the new orders, or
 * LOCKDEP_ORDER with @out filled.
 */
int lockdep_check(struct lockdep_graph *g, const struct held_locks *h, unsigned int base,
		  const void *key, const char *name, uintptr_t ip, struct lockdep_report *out);

/* The reasons panic() is given, one per check (docs/locking.md). */
#define LOCKDEP_REASON_SPIN_RECURSION	"spinlock-recursion"
#define LOCKDEP_REASON_SPIN_OWNER	"spinlock-wrong-owner"
#define LOCKDEP_REASON_MUTEX_RECURSION	"mutex-recursion"
#define LOCKDEP_REASON_MUTEX_OWNER	"mutex-wrong-owner"
#define LOCKDEP_REASON_MUTEX_ATOMIC	"mutex-in-atomic"
#define LOCKDEP_REASON_SLEEP_ATOMIC	"sleep-in-atomic"
#define LOCKDEP_REASON_HELD_AT_EXIT	"lock-held-at-exit"
#define LOCKDEP_REASON_ORDER		"lock-order"

#endif
