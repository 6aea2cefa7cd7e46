/*
 * Host tests for the held-lock stack behind lock debugging
 * (kernel/locking/lockdebug.c): push and pop in and out of order, the
 * recursion, not-held and overflow verdicts (each leaving the stack as it
 * was), lookup of an entry, counts by kind, held_lock_above() as used to
 * catch a lock still held when a module's init or exit returns, a
 * random workload checked against a simple array model, and the
 * lock-order graph: an A-B then B-A inversion reported with both sites,
 * same-class nesting allowed, an interrupt's own locks judged apart from
 * the ones it interrupted, and full tables.
 */
#include "kernel/locking/lockdebug.c"
#include "tests/host/test.h"

#include <string.h>

/* Distinct lock objects: only their addresses matter. */
static char locks[64];
#define L(i)	((const void *)&locks[i])

static struct held_locks h;

/* One distinct name per lock id, so the random test can check each entry's. */
static const char lock_names[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!?";

static void reset(void)
{
	memset(&h, 0, sizeof(h));
}

/* The stack holds exactly @n locks, L(ids[0]) at the bottom. */
static int stack_is(const int *ids, unsigned int n)
{
	if (h.depth != n)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		if (h.stack[i].lock != L(ids[i]))
			return 0;
	return 1;
}

static void test_push_pop_in_order(void)
{
	static const int ab[] = { 0, 1 };
	static const int a[] = { 0 };

	reset();
	CHECK_EQ(held_lock_push(&h, L(0), "a", 0x100, LOCK_KIND_SPIN), LOCKDEP_OK);
	CHECK_EQ(held_lock_push(&h, L(1), "b", 0x200, LOCK_KIND_MUTEX), LOCKDEP_OK);
	CHECK(stack_is(ab, 2));
	CHECK_EQ(held_lock_pop(&h, L(1)), LOCKDEP_OK);
	CHECK(stack_is(a, 1));
	CHECK_EQ(held_lock_pop(&h, L(0)), LOCKDEP_OK);
	CHECK_EQ(h.depth, 0);
	CHECK(held_lock_find(&h, L(0)) == NULL);
}

static void test_pop_out_of_order(void)
{
	static const int acd[] = { 0, 2, 3 };
	static const int cd[] = { 2, 3 };
	const struct held_lock *e;

	reset();
	for (int i = 0; i < 4; i++)
		CHECK_EQ(held_lock_push(&h, L(i), "x", 0x1000 + i, LOCK_KIND_SPIN), LOCKDEP_OK);
	CHECK_EQ(held_lock_pop(&h, L(1)), LOCKDEP_OK);		/* from the middle */
	CHECK(stack_is(acd, 3));
	CHECK_EQ(held_lock_pop(&h, L(0)), LOCKDEP_OK);		/* the bottom */
	CHECK(stack_is(cd, 2));
	/* entries moved down keep their own data */
	e = held_lock_find(&h, L(3));
	CHECK(e != NULL);
	if (e)
		CHECK_EQ(e->ip, 0x1003);
	CHECK_EQ(held_lock_pop(&h, L(1)), LOCKDEP_NOT_HELD);	/* already gone */
	CHECK(stack_is(cd, 2));
}

static void test_recursion(void)
{
	static const int ab[] = { 0, 1 };
	struct held_locks before;

	reset();
	held_lock_push(&h, L(0), "a", 0x10, LOCK_KIND_SPIN);
	held_lock_push(&h, L(1), "b", 0x20, LOCK_KIND_MUTEX);
	before = h;
	CHECK_EQ(held_lock_push(&h, L(0), "again", 0x30, LOCK_KIND_MUTEX), LOCKDEP_RECURSION);
	CHECK_EQ(held_lock_push(&h, L(1), "again", 0x40, LOCK_KIND_SPIN), LOCKDEP_RECURSION);
	CHECK(stack_is(ab, 2));
	CHECK(memcmp(&before, &h, sizeof(h)) == 0);		/* name, ip, kind unchanged */
}

static void test_not_held(void)
{
	static const int a[] = { 0 };

	reset();
	CHECK_EQ(held_lock_pop(&h, L(0)), LOCKDEP_NOT_HELD);	/* empty stack */
	CHECK_EQ(h.depth, 0);
	held_lock_push(&h, L(0), "a", 0x10, LOCK_KIND_SPIN);
	CHECK_EQ(held_lock_pop(&h, L(5)), LOCKDEP_NOT_HELD);
	CHECK(stack_is(a, 1));
}

static void test_overflow(void)
{
	struct held_locks before;

	reset();
	for (int i = 0; i < MAX_HELD_LOCKS; i++)
		CHECK_EQ(held_lock_push(&h, L(i), "x", i, LOCK_KIND_SPIN), LOCKDEP_OK);
	CHECK_EQ(h.depth, MAX_HELD_LOCKS);
	before = h;
	CHECK_EQ(held_lock_push(&h, L(MAX_HELD_LOCKS), "one too many", 0, LOCK_KIND_MUTEX),
		 LOCKDEP_OVERFLOW);
	CHECK(memcmp(&before, &h, sizeof(h)) == 0);
	CHECK(held_lock_find(&h, L(MAX_HELD_LOCKS)) == NULL);
	/* a lock already held is still recursion, not overflow, on a full stack */
	CHECK_EQ(held_lock_push(&h, L(3), "x", 0, LOCK_KIND_SPIN), LOCKDEP_RECURSION);
	CHECK_EQ(held_lock_count(&h, 0), MAX_HELD_LOCKS);
	/* popping one makes room again */
	CHECK_EQ(held_lock_pop(&h, L(0)), LOCKDEP_OK);
	CHECK_EQ(held_lock_push(&h, L(MAX_HELD_LOCKS), "fits", 0, LOCK_KIND_MUTEX), LOCKDEP_OK);
	CHECK(held_lock_find(&h, L(MAX_HELD_LOCKS)) == &h.stack[MAX_HELD_LOCKS - 1]);
}

static void test_find(void)
{
	const struct held_lock *e;

	reset();
	held_lock_push(&h, L(0), "tty_lock", 0xffffffff80101234, LOCK_KIND_SPIN);
	held_lock_push(&h, L(1), "module_mutex", 0xffffffff80205678, LOCK_KIND_MUTEX);
	held_lock_push(&h, L(2), "irq_lock", 0xffffffff80309abc, LOCK_KIND_SPIN);
	e = held_lock_find(&h, L(1));
	CHECK(e == &h.stack[1]);
	if (e) {
		CHECK(e->lock == L(1));
		CHECK(strcmp(e->name, "module_mutex") == 0);
		CHECK_EQ(e->ip, 0xffffffff80205678);
		CHECK_EQ(e->kind, LOCK_KIND_MUTEX);
	}
	e = held_lock_find(&h, L(2));
	CHECK(e && strcmp(e->name, "irq_lock") == 0 && e->kind == LOCK_KIND_SPIN);
	CHECK(held_lock_find(&h, L(3)) == NULL);
	CHECK(held_lock_find(&h, NULL) == NULL);
}

static void test_count_by_kind(void)
{
	reset();
	CHECK_EQ(held_lock_count(&h, 0), 0);
	CHECK_EQ(held_lock_count(&h, LOCK_KIND_SPIN), 0);
	held_lock_push(&h, L(0), "s0", 0, LOCK_KIND_SPIN);
	held_lock_push(&h, L(1), "m0", 0, LOCK_KIND_MUTEX);
	held_lock_push(&h, L(2), "s1", 0, LOCK_KIND_SPIN);
	held_lock_push(&h, L(3), "s2", 0, LOCK_KIND_SPIN);
	CHECK_EQ(held_lock_count(&h, LOCK_KIND_SPIN), 3);
	CHECK_EQ(held_lock_count(&h, LOCK_KIND_MUTEX), 1);
	CHECK_EQ(held_lock_count(&h, 0), 4);
	held_lock_pop(&h, L(2));
	held_lock_pop(&h, L(1));
	CHECK_EQ(held_lock_count(&h, LOCK_KIND_SPIN), 2);
	CHECK_EQ(held_lock_count(&h, LOCK_KIND_MUTEX), 0);
	CHECK_EQ(held_lock_count(&h, 0), 2);
}

/*
 * The module loader notes the depth before init/exit and asks for the
 * first lock above it afterwards: that is the one the module left held.
 */
static void test_above(void)
{
	unsigned int depth;
	const struct held_lock *e;

	reset();
	CHECK(held_lock_above(&h, 0) == NULL);
	held_lock_push(&h, L(0), "caller", 0x10, LOCK_KIND_MUTEX);
	depth = h.depth;

	/* a well-behaved exit: takes and drops locks, leaves none */
	held_lock_push(&h, L(1), "dev_lock", 0x20, LOCK_KIND_SPIN);
	held_lock_push(&h, L(2), "inner", 0x30, LOCK_KIND_MUTEX);
	held_lock_pop(&h, L(1));
	held_lock_pop(&h, L(2));
	CHECK(held_lock_above(&h, depth) == NULL);

	/* an exit that forgets one: it is reported, with where it was taken */
	held_lock_push(&h, L(3), "leaked", 0x40, LOCK_KIND_SPIN);
	held_lock_push(&h, L(4), "released", 0x50, LOCK_KIND_MUTEX);
	held_lock_pop(&h, L(4));
	e = held_lock_above(&h, depth);
	CHECK(e != NULL);
	if (e) {
		CHECK(e->lock == L(3));
		CHECK(strcmp(e->name, "leaked") == 0);
		CHECK_EQ(e->ip, 0x40);
		CHECK_EQ(e->kind, LOCK_KIND_SPIN);
	}

	/* two left: the first one taken is named, not the newest */
	held_lock_push(&h, L(5), "second", 0x60, LOCK_KIND_MUTEX);
	e = held_lock_above(&h, depth);
	CHECK(e && e->lock == L(3));
	/* the oldest above depth released out of order: the other is found */
	held_lock_pop(&h, L(3));
	e = held_lock_above(&h, depth);
	CHECK(e && e->lock == L(5));

	/* the caller's own lock is never "above" */
	held_lock_pop(&h, L(5));
	CHECK(held_lock_above(&h, depth) == NULL);
	CHECK(held_lock_above(&h, 0) == &h.stack[0]);
	CHECK(held_lock_above(&h, 5) == NULL);			/* deeper than the stack */
	CHECK(held_lock_above(&h, MAX_HELD_LOCKS + 3) == NULL);
}

static void test_above_full_stack(void)
{
	reset();
	for (int i = 0; i < MAX_HELD_LOCKS; i++)
		held_lock_push(&h, L(i), "x", i, LOCK_KIND_SPIN);
	CHECK(held_lock_above(&h, MAX_HELD_LOCKS - 1) == &h.stack[MAX_HELD_LOCKS - 1]);
	CHECK(held_lock_above(&h, MAX_HELD_LOCKS) == NULL);
}

/* --- random workload against a model ------------------------------------------- */

struct model_entry {
	int id;
	uintptr_t ip;
	int kind;
};

static struct model_entry model[64];
static unsigned int model_n;

static int model_index(int id)
{
	for (unsigned int i = 0; i < model_n; i++)
		if (model[i].id == id)
			return (int)i;
	return -1;
}

static int model_push(int id, uintptr_t ip, int kind)
{
	if (model_index(id) >= 0)
		return LOCKDEP_RECURSION;
	if (model_n >= MAX_HELD_LOCKS)
		return LOCKDEP_OVERFLOW;
	model[model_n++] = (struct model_entry){ id, ip, kind };
	return LOCKDEP_OK;
}

static int model_pop(int id)
{
	int i = model_index(id);

	if (i < 0)
		return LOCKDEP_NOT_HELD;
	memmove(&model[i], &model[i + 1], (model_n - i - 1) * sizeof(model[0]));
	model_n--;
	return LOCKDEP_OK;
}

/* Does the stack agree with the model, entry by entry and in every query? */
static int matches_model(void)
{
	unsigned int spins = 0, mutexes = 0;

	if (h.depth != model_n)
		return 0;
	for (unsigned int i = 0; i < model_n; i++) {
		const struct held_lock *e = held_lock_find(&h, L(model[i].id));

		if (e != &h.stack[i] || e->ip != model[i].ip || e->kind != model[i].kind ||
		    e->name != &lock_names[model[i].id])
			return 0;
		if (held_lock_above(&h, i) != e)
			return 0;
		if (model[i].kind == LOCK_KIND_SPIN)
			spins++;
		else
			mutexes++;
	}
	return held_lock_above(&h, model_n) == NULL &&
	       held_lock_count(&h, LOCK_KIND_SPIN) == spins &&
	       held_lock_count(&h, LOCK_KIND_MUTEX) == mutexes &&
	       held_lock_count(&h, 0) == model_n;
}

static void test_random_model(void)
{
	unsigned int seed = 12345, pushes = 0, pops = 0, overflows = 0, recursions = 0;
	int bad_step = -1;

	reset();
	model_n = 0;
	for (int step = 0; step < 20000 && bad_step < 0; step++) {
		int id, got, want;

		seed = seed * 1103515245 + 12345;
		/* 40 lock ids, more than MAX_HELD_LOCKS, so overflow happens too */
		id = (seed >> 8) % 40;
		if ((seed >> 20) % 100 < 55) {
			uintptr_t ip = 0xffffffff80000000 + step;
			int kind = (seed >> 4) & 1 ? LOCK_KIND_SPIN : LOCK_KIND_MUTEX;

			got = held_lock_push(&h, L(id), &lock_names[id], ip, kind);
			want = model_push(id, ip, kind);
			pushes += got == LOCKDEP_OK;
			overflows += got == LOCKDEP_OVERFLOW;
			recursions += got == LOCKDEP_RECURSION;
		} else {
			got = held_lock_pop(&h, L(id));
			want = model_pop(id);
			pops += got == LOCKDEP_OK;
		}
		if (got != want || !matches_model())
			bad_step = step;
	}
	CHECK_EQ(bad_step, -1);
	/* the workload reached every verdict, so the comparison meant something */
	CHECK(pushes > 1000 && pops > 1000);
	CHECK(overflows > 0);
	CHECK(recursions > 0);
}

/* --- the lock-order graph ------------------------------------------------------- */
static struct lockdep_graph g;
static const char name_a[] = "A", name_b[] = "B", name_c[] = "C";

/* Take @key (check, then push) the way the kernel's lock code does. */
static int take(const char *key, uintptr_t ip, struct lockdep_report *r)
{
	int v = lockdep_check(&g, &h, 0, key, key, ip, r);

	if (v == LOCKDEP_OK)
		held_lock_push(&h, key, key, ip, LOCK_KIND_SPIN);
	return v;
}

static void test_order_ab_ba(void)
{
	struct lockdep_report r;

	reset();
	memset(&g, 0, sizeof(g));
	CHECK_EQ(take(name_a, 0x10, &r), LOCKDEP_OK);
	CHECK_EQ(take(name_b, 0x20, &r), LOCKDEP_OK);	/* records A before B */
	held_lock_pop(&h, name_b);
	held_lock_pop(&h, name_a);
	CHECK_EQ(take(name_b, 0x30, &r), LOCKDEP_OK);	/* B alone: fine */
	CHECK_EQ(take(name_c, 0x40, &r), LOCKDEP_OK);	/* B before C: new, fine */
	CHECK_EQ(take(name_a, 0x50, &r), LOCKDEP_ORDER);	/* A under B: inverted */
	CHECK(r.taking_name == name_a && r.taking_ip == 0x50);
	CHECK(r.held_name == name_b && r.held_ip == 0x30);
	CHECK(r.earlier != NULL);
	CHECK(r.earlier && r.earlier->before_ip == 0x10 && r.earlier->after_ip == 0x20);
	CHECK(!strcmp(r.earlier_before_name, "A") && !strcmp(r.earlier_after_name, "B"));
	CHECK_EQ(h.depth, 2);	/* the refused lock was not pushed */
}

static void test_order_same_class_and_base(void)
{
	struct lockdep_report r;

	reset();
	memset(&g, 0, sizeof(g));
	CHECK_EQ(take(name_a, 1, &r), LOCKDEP_OK);
	CHECK_EQ(take(name_b, 2, &r), LOCKDEP_OK);
	held_lock_pop(&h, name_b);
	held_lock_pop(&h, name_a);
	/* two locks of one class nest without complaint (same name string) */
	CHECK_EQ(lockdep_check(&g, &h, 0, name_a, name_a, 3, &r), LOCKDEP_OK);
	held_lock_push(&h, L(1), name_a, 3, LOCK_KIND_SPIN);
	CHECK_EQ(lockdep_check(&g, &h, 0, name_a, name_a, 4, &r), LOCKDEP_OK);
	/* an interrupt handler taking A above an interrupted B sees only its own locks */
	reset();
	held_lock_push(&h, name_b, name_b, 5, LOCK_KIND_SPIN);
	CHECK_EQ(lockdep_check(&g, &h, 1, name_a, name_a, 6, &r), LOCKDEP_OK);
	CHECK_EQ(lockdep_check(&g, &h, 0, name_a, name_a, 6, &r), LOCKDEP_ORDER);
}

static void test_order_tables_full(void)
{
	static char keys[LOCKDEP_MAX_CLASSES + 8];
	struct lockdep_report r;

	reset();
	memset(&g, 0, sizeof(g));
	for (unsigned int i = 0; i < sizeof(keys); i++)
		CHECK_EQ(lockdep_check(&g, &h, 0, &keys[i], "k", i, &r), LOCKDEP_OK);
	CHECK(g.full);
	CHECK_EQ(g.nclasses, LOCKDEP_MAX_CLASSES);
	/* with a full class table a new class is not judged (checking is partial) */
	CHECK_EQ(take(name_a, 1, &r), LOCKDEP_OK);
}

int main(void)
{
	test_suite = "lockdebug";
	RUN(test_push_pop_in_order);
	RUN(test_pop_out_of_order);
	RUN(test_recursion);
	RUN(test_not_held);
	RUN(test_overflow);
	RUN(test_find);
	RUN(test_count_by_kind);
	RUN(test_above);
	RUN(test_above_full_stack);
	RUN(test_random_model);
	RUN(test_order_ab_ba);
	RUN(test_order_same_class_and_base);
	RUN(test_order_tables_full);
	TEST_EXIT();
}
