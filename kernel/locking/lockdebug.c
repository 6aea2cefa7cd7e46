/*
 * The held-lock stack: what a task holds, in the order it took it. Lock
 * debugging asks it whether a lock is taken twice, released without being
 * held, or still held when it must not be. Pure code, shared with the host
 * tests (tests/host/test_lockdebug.c).
 */
#include "kernel/locking/lockdebug.h"

int held_lock_push(struct held_locks *h, const void *lock, const char *name, uintptr_t ip,
		   int kind)
{
	struct held_lock *e;

	if (held_lock_find(h, lock))
		return LOCKDEP_RECURSION;
	if (h->depth >= MAX_HELD_LOCKS)
		return LOCKDEP_OVERFLOW;
	e = &h->stack[h->depth++];
	e->lock = lock;
	e->name = name;
	e->ip = ip;
	e->kind = kind;
	return LOCKDEP_OK;
}

int held_lock_pop(struct held_locks *h, const void *lock)
{
	for (unsigned int i = h->depth; i-- > 0;) {
		if (h->stack[i].lock != lock)
			continue;
		for (unsigned int j = i; j + 1 < h->depth; j++)
			h->stack[j] = h->stack[j + 1];
		h->depth--;
		return LOCKDEP_OK;
	}
	return LOCKDEP_NOT_HELD;
}

const struct held_lock *held_lock_find(const struct held_locks *h, const void *lock)
{
	unsigned int n = h->depth < MAX_HELD_LOCKS ? h->depth : MAX_HELD_LOCKS;

	for (unsigned int i = 0; i < n; i++)
		if (h->stack[i].lock == lock)
			return &h->stack[i];
	return 0;
}

unsigned int held_lock_count(const struct held_locks *h, int kind)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < h->depth && i < MAX_HELD_LOCKS; i++)
		if (!kind || h->stack[i].kind == kind)
			n++;
	return n;
}

const struct held_lock *held_lock_above(const struct held_locks *h, unsigned int depth)
{
	return depth < h->depth && depth < MAX_HELD_LOCKS ? &h->stack[depth] : 0;
}
