/*
 * Host tests for lib/list.h: ordering of list_add/list_add_tail, deletion
 * and poisoning, both iterators, and detection of corrupted links through
 * list_corruption(), plus a random workload checked against an array model.
 */
#include "lib/list.h"
#include "tests/host/test.h"

struct item {
	int value;
	struct list_head node;
};

static int corruptions;
static const char *last_what;
static void *last_entry;

void list_corruption(const char *what, void *entry)
{
	corruptions++;
	last_what = what;
	last_entry = entry;
}

static void reset_reports(void)
{
	corruptions = 0;
	last_what = NULL;
	last_entry = NULL;
}

/* Collect the values of @head in order into @out; returns the count. */
static int collect(struct list_head *head, int *out, int max)
{
	struct item *it;
	int n = 0;

	list_for_each_entry(it, head, node) {
		if (n < max)
			out[n] = it->value;
		n++;
	}
	return n;
}

/* Walk @head backwards checking every prev link matches a next link. */
static int links_consistent(struct list_head *head)
{
	struct list_head *pos;

	for (pos = head->next; pos != head; pos = pos->next)
		if (pos->next->prev != pos || pos->prev->next != pos)
			return 0;
	return head->next->prev == head && head->prev->next == head;
}

static void test_init_and_empty(void)
{
	LIST_HEAD(stat);
	struct list_head dyn;

	list_init(&dyn);
	CHECK(list_empty(&stat));
	CHECK(list_empty(&dyn));
	CHECK(stat.next == &stat && stat.prev == &stat);
	CHECK(dyn.next == &dyn && dyn.prev == &dyn);
}

static void test_add_order(void)
{
	LIST_HEAD(head);
	struct item a = { .value = 1 }, b = { .value = 2 };
	struct item c = { .value = 3 }, d = { .value = 4 };
	int vals[8], n;

	reset_reports();
	list_add(&a.node, &head);	/* a */
	list_add(&b.node, &head);	/* b a */
	list_add_tail(&c.node, &head);	/* b a c */
	list_add_tail(&d.node, &head);	/* b a c d */
	n = collect(&head, vals, 8);
	CHECK_EQ(n, 4);
	CHECK_EQ(vals[0], 2);
	CHECK_EQ(vals[1], 1);
	CHECK_EQ(vals[2], 3);
	CHECK_EQ(vals[3], 4);
	CHECK(!list_empty(&head));
	CHECK(list_first_entry(&head, struct item, node) == &b);
	CHECK(links_consistent(&head));
	CHECK_EQ(corruptions, 0);
}

static void test_del_and_poison(void)
{
	LIST_HEAD(head);
	struct item a = { .value = 1 }, b = { .value = 2 }, c = { .value = 3 };
	int vals[4], n;

	reset_reports();
	list_add_tail(&a.node, &head);
	list_add_tail(&b.node, &head);
	list_add_tail(&c.node, &head);
	list_del(&b.node);
	CHECK(b.node.next == LIST_POISON_NEXT);
	CHECK(b.node.prev == LIST_POISON_PREV);
	CHECK_EQ((uintptr_t)LIST_POISON_NEXT, 0xdead000000000100ULL);
	n = collect(&head, vals, 4);
	CHECK_EQ(n, 2);
	CHECK_EQ(vals[0], 1);
	CHECK_EQ(vals[1], 3);
	list_del(&a.node);
	list_del(&c.node);
	CHECK(list_empty(&head));
	CHECK(links_consistent(&head));
	CHECK_EQ(corruptions, 0);

	list_add(&a.node, &head);
	list_del_init(&a.node);
	CHECK(list_empty(&a.node));
	CHECK(list_empty(&head));
	CHECK_EQ(corruptions, 0);
}

static void test_iterate_safe_delete(void)
{
	LIST_HEAD(head);
	struct item items[10], *it, *tmp;
	int vals[10], n, i, sum = 0;

	reset_reports();
	for (i = 0; i < 10; i++) {
		items[i].value = i;
		list_add_tail(&items[i].node, &head);
	}
	list_for_each_entry_safe(it, tmp, &head, node) {
		if (it->value % 2)
			list_del(&it->node);
	}
	list_for_each_entry(it, &head, node)
		sum += it->value;
	CHECK_EQ(sum, 0 + 2 + 4 + 6 + 8);
	n = collect(&head, vals, 10);
	CHECK_EQ(n, 5);
	for (i = 0; i < 5 && i < n; i++)
		CHECK_EQ(vals[i], 2 * i);
	list_for_each_entry_safe(it, tmp, &head, node)
		list_del(&it->node);
	CHECK(list_empty(&head));
	CHECK_EQ(corruptions, 0);
}

static void test_container_of(void)
{
	struct item x = { .value = 42 };
	struct list_head *p = &x.node;

	CHECK(container_of(p, struct item, node) == &x);
	CHECK_EQ(list_entry(p, struct item, node)->value, 42);
}

static void test_double_del_detected(void)
{
	LIST_HEAD(head);
	struct item a = { .value = 1 }, b = { .value = 2 };

	reset_reports();
	list_add_tail(&a.node, &head);
	list_add_tail(&b.node, &head);
	list_del(&a.node);
	CHECK_EQ(corruptions, 0);
	list_del(&a.node);
	CHECK_EQ(corruptions, 1);
	CHECK(last_entry == &a.node);
	CHECK(last_what != NULL);
	/* The list itself is untouched. */
	CHECK(head.next == &b.node && head.prev == &b.node);
	CHECK(links_consistent(&head));
}

static void test_corrupt_neighbours_detected(void)
{
	LIST_HEAD(head);
	struct item a = { .value = 1 }, b = { .value = 2 }, c = { .value = 3 };
	struct item stray = { .value = 9 };
	struct list_head *saved;

	reset_reports();
	list_add_tail(&a.node, &head);
	list_add_tail(&b.node, &head);
	list_add_tail(&c.node, &head);

	/* Break c->prev: deleting b must notice next->prev != b. */
	saved = c.node.prev;
	c.node.prev = &a.node;
	list_del(&b.node);
	CHECK_EQ(corruptions, 1);
	CHECK(last_entry == &b.node);
	CHECK(a.node.next == &b.node);	/* nothing was unlinked */
	c.node.prev = saved;

	/* Break a->next: deleting b must notice prev->next != b. */
	a.node.next = &c.node;
	list_del(&b.node);
	CHECK_EQ(corruptions, 2);
	a.node.next = &b.node;

	/* Adding after an entry whose next->prev is wrong. */
	c.node.prev = &a.node;
	list_add(&stray.node, &b.node);
	CHECK_EQ(corruptions, 3);
	CHECK(last_entry == &stray.node);
	CHECK(b.node.next == &c.node);
	c.node.prev = &b.node;

	/* Adding an entry that is already linked next to the insertion point. */
	list_add(&b.node, &a.node);
	CHECK_EQ(corruptions, 4);
	list_add_tail(&c.node, &head);
	CHECK_EQ(corruptions, 5);

	CHECK(links_consistent(&head));
	list_del(&b.node);
	CHECK_EQ(corruptions, 5);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* Random adds and deletes, compared with an array holding the same order. */
static void test_random_against_model(void)
{
	enum { N = 64 };
	LIST_HEAD(head);
	struct item items[N];
	int model[N], len = 0, on[N] = { 0 }, vals[N], i, j, op;

	reset_reports();
	for (i = 0; i < N; i++)
		items[i].value = i;
	for (op = 0; op < 20000; op++) {
		int k = (int)(rnd() % N);

		if (!on[k]) {
			if (rnd() & 1) {
				list_add(&items[k].node, &head);
				for (j = len; j > 0; j--)
					model[j] = model[j - 1];
				model[0] = k;
			} else {
				list_add_tail(&items[k].node, &head);
				model[len] = k;
			}
			len++;
			on[k] = 1;
		} else {
			list_del(&items[k].node);
			for (j = 0; model[j] != k; j++)
				;
			for (; j < len - 1; j++)
				model[j] = model[j + 1];
			len--;
			on[k] = 0;
		}
		if (op % 97 == 0) {
			CHECK_EQ(collect(&head, vals, N), len);
			for (j = 0; j < len; j++)
				if (vals[j] != model[j])
					break;
			CHECK_EQ(j, len);
			CHECK(links_consistent(&head));
		}
	}
	CHECK_EQ(corruptions, 0);
}

int main(void)
{
	test_suite = "list";
	RUN(test_init_and_empty);
	RUN(test_add_order);
	RUN(test_del_and_poison);
	RUN(test_iterate_safe_delete);
	RUN(test_container_of);
	RUN(test_double_del_detected);
	RUN(test_corrupt_neighbours_detected);
	RUN(test_random_against_model);
	TEST_EXIT();
}
