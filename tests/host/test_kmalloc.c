/*
 * Host tests for mm/kmalloc.c, backed by mm/buddy.c over a static arena so
 * freed pages stay addressable (and ASan stays quiet about deliberate
 * use-after-free writes). Covers every size 1..9000, alignment, red zones,
 * double free, write after free, bad pointers, kzalloc, backend failure and
 * statistics returning to their baseline after a random workload.
 */
#include "mm/buddy.c"
#include "mm/kmalloc.c"
#include "tests/host/test.h"

#define ARENA_PAGES 8192	/* 32 MiB */

static uint8_t arena[ARENA_PAGES * 4096] __attribute__((aligned(4096)));
static struct page arena_pages[ARENA_PAGES];
static struct buddy_zone zone;
static int backend_fail;

void *kmalloc_page_alloc(unsigned int order)
{
	int64_t pfn;

	if (backend_fail)
		return NULL;
	pfn = buddy_alloc(&zone, order);
	return pfn < 0 ? NULL : (void *)(uintptr_t)((uint64_t)pfn << 12);
}

static int backend_bad_frees;

void kmalloc_page_free(void *va, unsigned int order)
{
	if ((uintptr_t)va & 4095)
		backend_bad_frees++;
	buddy_free(&zone, (uintptr_t)va >> 12, order);
}

void buddy_bad_free(const char *why, uint64_t pfn)
{
	printf("# buddy_bad_free: %s (pfn %#llx)\n", why, (unsigned long long)pfn);
	backend_bad_frees++;
}

void list_corruption(const char *what, void *entry)
{
	printf("# list corruption: %s at %p\n", what, entry);
	backend_bad_frees++;
}

static int reports;
static int last_reason;
static const void *last_ptr;

void kmalloc_report(int reason, const void *ptr, const char *detail)
{
	reports++;
	last_reason = reason;
	last_ptr = ptr;
	(void)detail;
}

static void reset_reports(void)
{
	reports = 0;
	last_reason = 0;
	last_ptr = NULL;
}

/* Expect exactly one new report of @reason about @ptr since @before. */
#define EXPECT_REPORT(before, reason, ptr)                 \
	do {                                               \
		CHECK_EQ(reports, (before) + 1);           \
		CHECK_EQ(last_reason, reason);             \
		CHECK(last_ptr == (const void *)(ptr));    \
	} while (0)

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Class index the interface promises for a small size (16 << i >= size). */
static int class_of(size_t size)
{
	int i = 0;

	while ((16u << i) < size)
		i++;
	return i;
}

static int baseline_equal(const struct kmalloc_stats *a, const struct kmalloc_stats *b)
{
	int i, same = a->bytes_in_use == b->bytes_in_use &&
		      a->large_objects == b->large_objects && a->large_pages == b->large_pages;

	for (i = 0; i < KMALLOC_NR_CLASSES; i++)
		same &= a->objects[i] == b->objects[i];
	return same;
}

/* Pages the backend has handed out must be exactly the ones kmalloc holds. */
static void check_backend_accounting(void)
{
	struct kmalloc_stats st;

	kmalloc_stats(&st);
	CHECK_EQ(buddy_total_pages(&zone) - buddy_free_pages(&zone),
		 st.slab_pages + st.large_pages);
	CHECK_EQ(buddy_check(&zone), 0);
	CHECK_EQ(backend_bad_frees, 0);
}

static void test_zero_and_huge(void)
{
	reset_reports();
	CHECK(kmalloc(0) == NULL);
	CHECK(kzalloc(0) == NULL);
	CHECK(kmalloc(SIZE_MAX) == NULL);
	CHECK(kmalloc(5u << 20) == NULL);
	kfree(NULL);
	CHECK_EQ(ksize(NULL), 0);
	CHECK_EQ(kmalloc_check(NULL), KMALLOC_BAD_FREE);
	CHECK_EQ(reports, 0);
}

#define RING 128

struct obj {
	uint8_t *p;
	size_t size;
	uint8_t fill;
};

static int overlaps(const struct obj *a, const struct obj *b)
{
	return a->p < b->p + b->size && b->p < a->p + a->size;
}

static int intact(const struct obj *o)
{
	size_t i;

	for (i = 0; i < o->size; i++)
		if (o->p[i] != o->fill)
			return 0;
	return kmalloc_check(o->p) == 0;
}

/* Every size 1..9000, with the last RING objects kept alive alongside. */
static void test_all_sizes_roundtrip(void)
{
	struct obj ring[RING] = { { 0 } };
	struct kmalloc_stats base, now;
	int misaligned = 0, bad_size = 0, overlap = 0, damaged = 0, nulls = 0;
	size_t s;
	int i;

	reset_reports();
	kmalloc_stats(&base);
	for (s = 1; s <= 9000; s++) {
		struct obj *slot = &ring[s % RING], o;

		if (slot->p) {
			damaged += !intact(slot);
			kfree(slot->p);
			slot->p = NULL;
		}
		o.size = s;
		o.fill = (uint8_t)(s * 7 + 1);
		o.p = kmalloc(s);
		if (!o.p) {
			nulls++;
			continue;
		}
		misaligned += ((uintptr_t)o.p % KMALLOC_ALIGN) != 0;
		bad_size += ksize(o.p) != s;
		for (i = 0; i < RING; i++)
			if (ring[i].p && overlaps(&ring[i], &o))
				overlap++;
		memset(o.p, o.fill, s);
		damaged += !intact(&o);
		*slot = o;
	}
	for (i = 0; i < RING; i++) {
		if (ring[i].p) {
			damaged += !intact(&ring[i]);
			kfree(ring[i].p);
		}
	}
	CHECK_EQ(nulls, 0);
	CHECK_EQ(misaligned, 0);
	CHECK_EQ(bad_size, 0);
	CHECK_EQ(overlap, 0);
	CHECK_EQ(damaged, 0);
	CHECK_EQ(reports, 0);
	kmalloc_stats(&now);
	CHECK(baseline_equal(&base, &now));
	check_backend_accounting();
}

static void test_kzalloc_zeroes(void)
{
	static const size_t sizes[] = { 1, 24, 200, 2048, 5000, 70000 };
	unsigned int k;

	reset_reports();
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k], i, nonzero = 0;
		uint8_t *p = kmalloc(n), *q;

		CHECK(p != NULL);
		if (!p)
			continue;
		memset(p, 0xff, n);
		kfree(p);
		q = kzalloc(n);
		CHECK(q != NULL);
		if (!q)
			continue;
		for (i = 0; i < n; i++)
			nonzero += q[i] != 0;
		CHECK_EQ(nonzero, 0);
		CHECK_EQ(kmalloc_check(q), 0);
		kfree(q);
	}
	CHECK_EQ(reports, 0);
}

/* A one-byte overrun is seen by kmalloc_check (silently) and by kfree. */
static void test_redzone_overrun(void)
{
	static const size_t sizes[] = { 1, 8, 15, 16, 17, 100, 128, 1000, 2040, 2048,
					2049, 4096, 9000, 100000 };
	unsigned int k;

	reset_reports();
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		uint8_t *p = kmalloc(n);
		int before;

		CHECK(p != NULL);
		if (!p)
			continue;
		memset(p, 0x11, n);
		CHECK_EQ(kmalloc_check(p), 0);
		p[n] = 0x11;
		before = reports;
		CHECK_EQ(kmalloc_check(p), KMALLOC_REDZONE);
		CHECK_EQ(kmalloc_check(p), KMALLOC_REDZONE);
		CHECK_EQ(reports, before);
		kfree(p);
		EXPECT_REPORT(before, KMALLOC_REDZONE, p);
		if (last_reason != KMALLOC_REDZONE)
			printf("# size %zu not caught\n", n);
	}
	check_backend_accounting();
}

/* Overwriting the header in front of an object (an underrun) is caught. */
static void test_header_underrun(void)
{
	uint8_t *p = kmalloc(40), *q = kmalloc(3000), save;
	int before = reports;

	CHECK(p && q);
	if (!p || !q)
		return;
	save = p[-4];
	p[-4] ^= 0x40;
	CHECK_EQ(kmalloc_check(p), KMALLOC_REDZONE);
	CHECK_EQ(reports, before);
	kfree(p);			/* reported, not freed */
	EXPECT_REPORT(before, KMALLOC_REDZONE, p);
	p[-4] = save;
	CHECK_EQ(kmalloc_check(p), 0);
	kfree(p);
	CHECK_EQ(reports, before + 1);

	save = q[-16];
	q[-16] = 0;
	CHECK_EQ(kmalloc_check(q), KMALLOC_REDZONE);
	kfree(q);
	EXPECT_REPORT(before + 1, KMALLOC_REDZONE, q);
	q[-16] = save;
	kfree(q);
	CHECK_EQ(reports, before + 2);
	check_backend_accounting();
}

static void test_double_free(void)
{
	static const size_t sizes[] = { 1, 16, 300, 2048, 2049, 50000 };
	struct kmalloc_stats st1, st2;
	unsigned int k;

	reset_reports();
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		void *keep = kmalloc(sizes[k]);	/* keeps the slab from being released */
		void *p = kmalloc(sizes[k]);
		int before = reports;

		CHECK(p && keep);
		kfree(p);
		CHECK_EQ(reports, before);
		CHECK_EQ(kmalloc_check(p), KMALLOC_USE_AFTER_FREE);
		kmalloc_stats(&st1);
		kfree(p);
		EXPECT_REPORT(before, KMALLOC_DOUBLE_FREE, p);
		kmalloc_stats(&st2);
		CHECK(baseline_equal(&st1, &st2));
		kfree(keep);
		CHECK_EQ(reports, before + 1);
	}
	check_backend_accounting();
}

/* A write into a freed object is caught when its slot is handed out again. */
static void test_write_after_free(void)
{
	static const size_t sizes[] = { 1, 16, 100, 512, 2048 };
	unsigned int k;

	reset_reports();
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		uint8_t *p = kmalloc(n), *got[300];
		int before = reports, i, found = -1, count = 0;

		CHECK(p != NULL);
		if (!p)
			continue;
		kfree(p);
		p[n - 1] = 0;			/* the bug under test */
		for (i = 0; i < 300 && found < 0; i++) {
			got[i] = kmalloc(n);
			count++;
			if (reports != before)
				found = i;
		}
		CHECK(found >= 0);
		EXPECT_REPORT(before, KMALLOC_USE_AFTER_FREE, p);
		CHECK(found >= 0 && got[found] == p);
		for (i = 0; i < count; i++)
			kfree(got[i]);
		CHECK_EQ(reports, before + 1);
	}
	check_backend_accounting();
}

/* Pointers that are not object starts are refused and change nothing. */
static void test_bad_pointers(void)
{
	_Alignas(4096) static uint8_t not_heap[8192];
	_Alignas(4096) uint8_t stack_buf[8192];
	uint8_t *objs[200], *page, *big;
	struct kmalloc_stats st1, st2;
	int i, j, before, accepted = 0, tried = 0, unchecked = 0;

	reset_reports();
	memset(stack_buf, 0, sizeof(stack_buf));
	for (i = 0; i < 200; i++)
		objs[i] = kmalloc(64);
	big = kmalloc(20000);
	CHECK(big != NULL);
	kmalloc_stats(&st1);

	before = reports;
	kfree(objs[0] + 1);
	EXPECT_REPORT(before, KMALLOC_BAD_FREE, objs[0] + 1);
	kfree(objs[0] + 16);
	EXPECT_REPORT(before + 1, KMALLOC_BAD_FREE, objs[0] + 16);
	kfree(objs[0] - 16);
	EXPECT_REPORT(before + 2, KMALLOC_BAD_FREE, objs[0] - 16);
	kfree(big + 16);
	EXPECT_REPORT(before + 3, KMALLOC_BAD_FREE, big + 16);
	kfree(big + 4096 + 32);
	EXPECT_REPORT(before + 4, KMALLOC_BAD_FREE, big + 4096 + 32);
	kfree(stack_buf + 48);
	EXPECT_REPORT(before + 5, KMALLOC_BAD_FREE, stack_buf + 48);
	kfree(not_heap + 4096 + 48);
	EXPECT_REPORT(before + 6, KMALLOC_BAD_FREE, not_heap + 4096 + 48);
	CHECK_EQ(kmalloc_check(objs[0] + 1), KMALLOC_BAD_FREE);
	CHECK_EQ(kmalloc_check(stack_buf + 100), KMALLOC_BAD_FREE);
	CHECK_EQ(reports, before + 7);

	/* Random addresses inside a slab page that hold live objects. */
	page = (uint8_t *)((uintptr_t)objs[0] & ~(uintptr_t)4095);
	rng_state = 4242;
	for (i = 0; i < 4000; i++) {
		uint8_t *q = page + rnd() % 4096;
		int live = 0, r = reports;

		for (j = 0; j < 200; j++)
			live |= objs[j] == q;
		if (live)
			continue;
		tried++;
		kfree(q);
		if (reports != r + 1 ||
		    (last_reason != KMALLOC_BAD_FREE && last_reason != KMALLOC_DOUBLE_FREE))
			accepted++;
	}
	CHECK(tried > 3900);
	CHECK_EQ(accepted, 0);
	kmalloc_stats(&st2);
	CHECK(baseline_equal(&st1, &st2));

	for (i = 0; i < 200; i++) {
		unchecked += kmalloc_check(objs[i]) != 0;
		kfree(objs[i]);
	}
	CHECK_EQ(kmalloc_check(big), 0);
	kfree(big);
	CHECK_EQ(unchecked, 0);
	check_backend_accounting();
}

static void test_backend_failure(void)
{
	uint8_t *got[64];
	int i, n = 0;

	reset_reports();
	backend_fail = 1;
	CHECK(kmalloc(5000) == NULL);
	for (i = 0; i < 64; i++) {
		got[n] = kmalloc(2048);
		if (!got[n])
			break;
		n++;
	}
	CHECK(i < 64);
	backend_fail = 0;
	for (i = 0; i < n; i++)
		kfree(got[i]);
	CHECK_EQ(reports, 0);
	check_backend_accounting();
}

/* A random mix of sizes; counters must track it and return to baseline. */
static void test_stats_random_workload(void)
{
	enum { MAXLIVE = 512 };
	static struct obj live[MAXLIVE];
	uint64_t want_bytes = 0, want_objs[KMALLOC_NR_CLASSES] = { 0 }, want_large = 0;
	struct kmalloc_stats base, now;
	int nlive = 0, damaged = 0, stat_errors = 0, nulls = 0, op, i;

	reset_reports();
	kmalloc_stats(&base);
	rng_state = 0x5eed;
	for (op = 0; op < 40000; op++) {
		if (nlive && (nlive == MAXLIVE || rnd() % 2)) {
			int k = (int)(rnd() % (uint64_t)nlive);
			struct obj *o = &live[k];

			damaged += !intact(o);
			kfree(o->p);
			want_bytes -= o->size;
			if (o->size > KMALLOC_MAX_SLAB_SIZE)
				want_large--;
			else
				want_objs[class_of(o->size)]--;
			*o = live[--nlive];
		} else {
			uint64_t r = rnd() % 100;
			size_t n = r < 60 ? 1 + rnd() % 128 : r < 95 ? 1 + rnd() % 2048 :
					      2049 + rnd() % 30000;
			struct obj *o = &live[nlive];

			o->p = kmalloc(n);
			if (!o->p) {
				nulls++;
				continue;
			}
			o->size = n;
			o->fill = (uint8_t)rnd();
			memset(o->p, o->fill, n);
			want_bytes += n;
			if (n > KMALLOC_MAX_SLAB_SIZE)
				want_large++;
			else
				want_objs[class_of(n)]++;
			nlive++;
		}
		if (op % 500 == 0) {
			kmalloc_stats(&now);
			stat_errors += now.bytes_in_use != base.bytes_in_use + want_bytes;
			stat_errors += now.large_objects != base.large_objects + want_large;
			for (i = 0; i < KMALLOC_NR_CLASSES; i++)
				stat_errors += now.objects[i] != base.objects[i] + want_objs[i];
		}
	}
	while (nlive) {
		damaged += !intact(&live[nlive - 1]);
		kfree(live[--nlive].p);
	}
	CHECK_EQ(nulls, 0);
	CHECK_EQ(damaged, 0);
	CHECK_EQ(stat_errors, 0);
	CHECK_EQ(reports, 0);
	kmalloc_stats(&now);
	CHECK(baseline_equal(&base, &now));
	CHECK(now.slab_pages <= KMALLOC_NR_CLASSES);
	check_backend_accounting();
}

int main(void)
{
	test_suite = "kmalloc";
	buddy_init(&zone, (uintptr_t)arena >> 12, ARENA_PAGES, arena_pages);
	buddy_free_range(&zone, (uintptr_t)arena >> 12, ARENA_PAGES);

	RUN(test_zero_and_huge);
	RUN(test_all_sizes_roundtrip);
	RUN(test_kzalloc_zeroes);
	RUN(test_redzone_overrun);
	RUN(test_header_underrun);
	RUN(test_double_free);
	RUN(test_write_after_free);
	RUN(test_bad_pointers);
	RUN(test_backend_failure);
	RUN(test_stats_random_workload);
	TEST_EXIT();
}
