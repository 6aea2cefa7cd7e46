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
	e->class_key = name;
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

/* --- the lock-order graph ------------------------------------------------------ */
static int class_of(struct lockdep_graph *g, const void *key, const char *name)
{
	for (unsigned int i = 0; i < g->nclasses; i++)
		if (g->key[i] == key)
			return (int)i;
	if (g->nclasses >= LOCKDEP_MAX_CLASSES) {
		g->full = true;
		return -1;
	}
	g->key[g->nclasses] = key;
	g->name[g->nclasses] = name;
	return (int)g->nclasses++;
}

static bool ordered(const struct lockdep_graph *g, int a, int b)
{
	return (g->after[a][b / 8] >> (b % 8)) & 1;
}

static const struct lockdep_edge *find_edge(const struct lockdep_graph *g, int a, int b)
{
	for (unsigned int i = 0; i < g->nedges; i++)
		if (g->edges[i].before == a && g->edges[i].after == b)
			return &g->edges[i];
	return 0;
}

static void add_edge(struct lockdep_graph *g, int a, int b, uintptr_t ip_a, uintptr_t ip_b)
{
	g->after[a][b / 8] |= (uint8_t)(1U << (b % 8));
	if (g->nedges >= LOCKDEP_MAX_EDGES) {
		g->full = true;
		return;
	}
	g->edges[g->nedges++] = (struct lockdep_edge){ (uint16_t)a, (uint16_t)b, ip_a, ip_b };
}

int lockdep_check(struct lockdep_graph *g, const struct held_locks *h, unsigned int base,
		  const void *key, const char *name, uintptr_t ip, struct lockdep_report *out)
{
	unsigned int n = h->depth < MAX_HELD_LOCKS ? h->depth : MAX_HELD_LOCKS;
	int b = class_of(g, key, name);

	if (b < 0)
		return LOCKDEP_OK;
	/* first the check for every held lock, then the recording */
	for (unsigned int i = base; i < n; i++) {
		int a = class_of(g, h->stack[i].class_key, h->stack[i].name);

		if (a < 0 || a == b)
			continue;	/* same class: nesting of two locks of a kind is allowed */
		if (ordered(g, b, a)) {
			out->held_name = h->stack[i].name;
			out->held_ip = h->stack[i].ip;
			out->taking_name = name;
			out->taking_ip = ip;
			out->earlier = find_edge(g, b, a);
			out->earlier_before_name = g->name[b];
			out->earlier_after_name = g->name[a];
			return LOCKDEP_ORDER;
		}
	}
	for (unsigned int i = base; i < n; i++) {
		int a = class_of(g, h->stack[i].class_key, h->stack[i].name);

		if (a >= 0 && a != b && !ordered(g, a, b))
			add_edge(g, a, b, h->stack[i].ip, ip);
	}
	return LOCKDEP_OK;
}
