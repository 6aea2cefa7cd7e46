/*
 * Host tests for mm/buddy.c: range release with odd alignments, allocation
 * alignment, a long random alloc/free workload checked against a bitmap of
 * owned frames, exhaustion and full recovery, detection of invalid frees,
 * and buddy_check() catching deliberately corrupted state.
 */
#include "mm/buddy.c"
#include "tests/host/test.h"

#define MAX_PAGES 8192

static struct page pages[MAX_PAGES];
static struct buddy_zone zone;

static int bad_frees;
static const char *last_why;
static uint64_t last_pfn;
static int corruptions;

void buddy_bad_free(const char *why, uint64_t pfn)
{
	bad_frees++;
	last_why = why;
	last_pfn = pfn;
}

void list_corruption(const char *what, void *entry)
{
	printf("# list corruption: %s at %p\n", what, entry);
	corruptions++;
}

static void reset_reports(void)
{
	bad_frees = 0;
	last_why = NULL;
	last_pfn = 0;
	corruptions = 0;
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Per-frame "free" marks, in zone-relative frame numbers. */
static uint8_t is_free[MAX_PAGES];

static int all_free(uint64_t pfn, uint64_t n)
{
	uint64_t i;

	if (pfn < zone.base_pfn || pfn + n > zone.base_pfn + zone.npages)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_free[pfn - zone.base_pfn + i])
			return 0;
	return 1;
}

/*
 * Expected free-list lengths when the frames marked in is_free[] are
 * maximally merged: every aligned all-free block whose parent block is not
 * all free (or that is already of the largest order).
 */
static void expected_counts(uint64_t *out)
{
	uint64_t pfn, first, end = zone.base_pfn + zone.npages;
	unsigned int o;

	for (o = 0; o <= BUDDY_MAX_ORDER; o++) {
		uint64_t size = 1ULL << o;

		out[o] = 0;
		first = (zone.base_pfn + size - 1) & ~(size - 1);
		for (pfn = first; pfn + size <= end; pfn += size) {
			if (!all_free(pfn, size))
				continue;
			if (o < BUDDY_MAX_ORDER && all_free(pfn & ~(2 * size - 1), 2 * size))
				continue;
			out[o]++;
		}
	}
}

static void check_fully_merged(void)
{
	uint64_t want[BUDDY_MAX_ORDER + 1];
	unsigned int o;

	expected_counts(want);
	for (o = 0; o <= BUDDY_MAX_ORDER; o++)
		CHECK_EQ(zone.nr_free[o], want[o]);
}

static void mark_free(uint64_t pfn, uint64_t n, int v)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		if (pfn + i >= zone.base_pfn && pfn + i < zone.base_pfn + zone.npages)
			is_free[pfn + i - zone.base_pfn] = (uint8_t)v;
}

static void setup(uint64_t base, uint64_t npages)
{
	memset(is_free, 0, sizeof(is_free));
	memset(pages, 0xa5, sizeof(pages));
	buddy_init(&zone, base, npages, pages);
	reset_reports();
}

static void test_init_all_reserved(void)
{
	uint64_t i;
	int reserved = 1;

	setup(1000, 5000);
	for (i = 0; i < 5000; i++)
		reserved &= pages[i].flags == PG_RESERVED;
	CHECK(reserved);
	CHECK_EQ(buddy_free_pages(&zone), 0);
	CHECK_EQ(buddy_total_pages(&zone), 0);
	CHECK_EQ(buddy_check(&zone), 0);
	CHECK_EQ(buddy_alloc(&zone, 0), -1);
	CHECK(buddy_pfn_to_page(&zone, 1000) == &pages[0]);
	CHECK(buddy_pfn_to_page(&zone, 5999) == &pages[4999]);
	CHECK(buddy_pfn_to_page(&zone, 999) == NULL);
	CHECK(buddy_pfn_to_page(&zone, 6000) == NULL);
	CHECK_EQ(buddy_page_to_pfn(&zone, &pages[17]), 1017);
	CHECK(sizeof(struct page) <= 32);
}

static void test_free_range_merges(void)
{
	unsigned int o;

	setup(0, 4096);
	buddy_free_range(&zone, 0, 4096);
	CHECK_EQ(buddy_free_pages(&zone), 4096);
	CHECK_EQ(buddy_total_pages(&zone), 4096);
	CHECK_EQ(zone.nr_free[BUDDY_MAX_ORDER], 4);
	for (o = 0; o < BUDDY_MAX_ORDER; o++)
		CHECK_EQ(zone.nr_free[o], 0);
	CHECK_EQ(buddy_check(&zone), 0);
	CHECK_EQ(bad_frees + corruptions, 0);
}

/* Release [5, 2900) in shuffled odd-sized pieces, then clipped ranges. */
static void test_free_range_odd_alignment(void)
{
	uint64_t cuts[64], pieces = 0, pos = 5, total = 0, i;
	uint64_t order[64];

	setup(3, 3000);
	rng_state = 12345;
	while (pos < 2900) {
		uint64_t len = 1 + rnd() % 173;

		if (pos + len > 2900)
			len = 2900 - pos;
		cuts[pieces++] = pos;
		pos += len;
	}
	cuts[pieces] = 2900;
	for (i = 0; i < pieces; i++)
		order[i] = i;
	for (i = pieces - 1; i > 0; i--) {
		uint64_t j = rnd() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < pieces; i++) {
		uint64_t k = order[i], len = cuts[k + 1] - cuts[k];

		buddy_free_range(&zone, cuts[k], len);
		mark_free(cuts[k], len, 1);
		total += len;
		CHECK_EQ(buddy_free_pages(&zone), total);
		CHECK_EQ(buddy_check(&zone), 0);
	}
	check_fully_merged();

	/* Partly below the zone start and partly past its end: clipped. */
	buddy_free_range(&zone, 0, 5);
	mark_free(0, 5, 1);
	buddy_free_range(&zone, 2990, 100);
	mark_free(2990, 100, 1);
	buddy_free_range(&zone, 5000, 10);
	CHECK_EQ(buddy_free_pages(&zone), total + 2 + 13);
	CHECK_EQ(buddy_total_pages(&zone), total + 2 + 13);
	CHECK_EQ(buddy_check(&zone), 0);
	check_fully_merged();
	CHECK_EQ(bad_frees + corruptions, 0);
}

static void test_alloc_alignment_and_range(void)
{
	int64_t got[64];
	unsigned int orders[64], i;
	int ok = 1;

	setup(5, 4000);
	buddy_free_range(&zone, 5, 995);
	buddy_free_range(&zone, 1100, 2905);	/* [1000, 1100) stays reserved */
	for (i = 0; i < 64; i++) {
		uint64_t pfn;

		orders[i] = i % (BUDDY_MAX_ORDER + 1);
		got[i] = buddy_alloc(&zone, orders[i]);
		if (got[i] < 0)
			continue;
		pfn = (uint64_t)got[i];
		ok &= (pfn & ((1ULL << orders[i]) - 1)) == 0;
		ok &= pfn >= 5 && pfn + (1ULL << orders[i]) <= 4005;
		ok &= pfn + (1ULL << orders[i]) <= 1000 || pfn >= 1100;
		ok &= pages[pfn - 5].flags == PG_HEAD && pages[pfn - 5].order == orders[i];
	}
	CHECK(ok);
	CHECK_EQ(buddy_alloc(&zone, BUDDY_MAX_ORDER + 1), -1);
	CHECK_EQ(buddy_check(&zone), 0);
	for (i = 0; i < 64; i++)
		if (got[i] >= 0)
			buddy_free(&zone, (uint64_t)got[i], orders[i]);
	CHECK_EQ(buddy_free_pages(&zone), 995 + 2905);
	CHECK_EQ(buddy_check(&zone), 0);
	mark_free(5, 995, 1);
	mark_free(1100, 2905, 1);
	check_fully_merged();
	CHECK_EQ(bad_frees + corruptions, 0);
}

struct live_block {
	uint64_t pfn;
	unsigned int order;
};

static struct live_block live[MAX_PAGES];
static uint8_t owned[MAX_PAGES];

/* Random allocations and frees; no frame is ever handed out twice. */
static void test_random_stress(void)
{
	const uint64_t base = 77, npages = 7000;
	uint64_t snapshot[BUDDY_MAX_ORDER + 1], initial, nlive = 0, nowned = 0, op;
	int overlap = 0, check_failures = 0, count_failures = 0;
	unsigned int o;

	setup(base, npages);
	buddy_free_range(&zone, base, 1500);
	buddy_free_range(&zone, base + 1501, 3000);	/* one reserved frame */
	buddy_free_range(&zone, base + 4600, 2400);
	initial = buddy_free_pages(&zone);
	memcpy(snapshot, zone.nr_free, sizeof(snapshot));
	memset(owned, 0, sizeof(owned));
	rng_state = 0xb5a17ULL;

	for (op = 0; op < 60000; op++) {
		if (nlive && (rnd() % 100 < 45 || nlive == MAX_PAGES)) {
			uint64_t k = rnd() % nlive, i;
			struct live_block b = live[k];

			for (i = 0; i < (1ULL << b.order); i++)
				owned[b.pfn - base + i] = 0;
			nowned -= 1ULL << b.order;
			buddy_free(&zone, b.pfn, b.order);
			live[k] = live[--nlive];
		} else {
			unsigned int order = (unsigned int)(rnd() % 100 < 70 ? rnd() % 3 : rnd() % 11);
			int64_t pfn = buddy_alloc(&zone, order);
			uint64_t i;

			if (pfn < 0)
				continue;
			for (i = 0; i < (1ULL << order); i++) {
				uint64_t f = (uint64_t)pfn - base + i;

				if (f >= npages || owned[f] || pages[f].flags & PG_RESERVED ||
				    f == 1500 || (f >= 4501 && f < 4600))
					overlap++;
				else
					owned[f] = 1;
			}
			nowned += 1ULL << order;
			live[nlive].pfn = (uint64_t)pfn;
			live[nlive++].order = order;
		}
		if (op % 250 == 0) {
			check_failures += buddy_check(&zone) != 0;
			count_failures += buddy_free_pages(&zone) + nowned != initial;
		}
	}
	CHECK_EQ(overlap, 0);
	CHECK_EQ(check_failures, 0);
	CHECK_EQ(count_failures, 0);
	CHECK(nlive > 100);

	while (nlive) {
		uint64_t k = rnd() % nlive;

		buddy_free(&zone, live[k].pfn, live[k].order);
		live[k] = live[--nlive];
	}
	CHECK_EQ(buddy_free_pages(&zone), initial);
	CHECK_EQ(buddy_check(&zone), 0);
	for (o = 0; o <= BUDDY_MAX_ORDER; o++)
		CHECK_EQ(zone.nr_free[o], snapshot[o]);
	CHECK_EQ(bad_frees + corruptions, 0);
}

/* Take every frame, then every order-3 block, and give it all back. */
static void test_exhaustion(void)
{
	uint64_t snapshot[BUDDY_MAX_ORDER + 1], initial, n = 0, i;
	unsigned int o;
	int64_t pfn;

	setup(10, 5000);
	buddy_free_range(&zone, 13, 4990);
	initial = buddy_free_pages(&zone);
	memcpy(snapshot, zone.nr_free, sizeof(snapshot));

	while ((pfn = buddy_alloc(&zone, 0)) >= 0)
		live[n++].pfn = (uint64_t)pfn;
	CHECK_EQ(n, initial);
	CHECK_EQ(buddy_free_pages(&zone), 0);
	for (o = 0; o <= BUDDY_MAX_ORDER; o++)
		CHECK_EQ(buddy_alloc(&zone, o), -1);
	CHECK_EQ(buddy_check(&zone), 0);
	rng_state = 99;
	while (n) {
		uint64_t k = rnd() % n;

		buddy_free(&zone, live[k].pfn, 0);
		live[k] = live[--n];
	}
	CHECK_EQ(buddy_free_pages(&zone), initial);
	CHECK_EQ(buddy_check(&zone), 0);
	for (o = 0; o <= BUDDY_MAX_ORDER; o++)
		CHECK_EQ(zone.nr_free[o], snapshot[o]);

	while ((pfn = buddy_alloc(&zone, 3)) >= 0)
		live[n++].pfn = (uint64_t)pfn;
	for (o = 3; o <= BUDDY_MAX_ORDER; o++)
		CHECK_EQ(zone.nr_free[o], 0);
	CHECK_EQ(buddy_free_pages(&zone), initial - 8 * n);
	CHECK_EQ(buddy_check(&zone), 0);
	for (i = 0; i < n; i++)
		buddy_free(&zone, live[i].pfn, 3);
	CHECK_EQ(buddy_free_pages(&zone), initial);
	for (o = 0; o <= BUDDY_MAX_ORDER; o++)
		CHECK_EQ(zone.nr_free[o], snapshot[o]);
	CHECK_EQ(bad_frees + corruptions, 0);
}

static void expect_bad_free(uint64_t pfn, unsigned int order, const char *why)
{
	uint64_t before = buddy_free_pages(&zone);
	int reports = bad_frees;

	buddy_free(&zone, pfn, order);
	CHECK_EQ(bad_frees, reports + 1);
	CHECK_EQ(last_pfn, pfn);
	CHECK(last_why && strstr(last_why, why));
	if (last_why && !strstr(last_why, why))
		printf("# got \"%s\", wanted \"%s\"\n", last_why, why);
	CHECK_EQ(buddy_free_pages(&zone), before);
	CHECK_EQ(buddy_check(&zone), 0);
}

static void test_double_free_detected(void)
{
	int64_t a, b;

	setup(0, 2048);
	buddy_free_range(&zone, 0, 2048);
	a = buddy_alloc(&zone, 2);
	b = buddy_alloc(&zone, 0);
	CHECK(a >= 0 && b >= 0);
	buddy_free(&zone, (uint64_t)a, 2);
	CHECK_EQ(bad_frees, 0);
	/* a's block merged back into a larger free block: still caught. */
	expect_bad_free((uint64_t)a, 2, "double free");
	buddy_free(&zone, (uint64_t)b, 0);
	expect_bad_free((uint64_t)b, 0, "double free");
	CHECK_EQ(buddy_free_pages(&zone), 2048);
	CHECK_EQ(bad_frees, 2);
	CHECK_EQ(corruptions, 0);
}

static void test_bad_free_detected(void)
{
	int64_t a;

	setup(100, 2000);
	buddy_free_range(&zone, 128, 1024);
	a = buddy_alloc(&zone, 3);
	CHECK(a >= 0);
	if (a < 0)
		return;
	expect_bad_free(100, 0, "reserved");
	expect_bad_free((uint64_t)a + 2, 1, "not the first frame");
	expect_bad_free((uint64_t)a + 1, 1, "not aligned");
	expect_bad_free((uint64_t)a, 2, "wrong order");
	expect_bad_free(50, 0, "outside");
	expect_bad_free(5000, 0, "outside");
	expect_bad_free((uint64_t)a, BUDDY_MAX_ORDER + 1, "order too large");

	/* Releasing frames that are already free is caught too. */
	buddy_free_range(&zone, 1000, 10);
	CHECK_EQ(bad_frees, 8);
	CHECK_EQ(last_pfn, 1000);
	CHECK_EQ(buddy_free_pages(&zone), 1024 - 8);
	CHECK_EQ(buddy_check(&zone), 0);

	buddy_free(&zone, (uint64_t)a, 3);
	CHECK_EQ(bad_frees, 8);
	CHECK_EQ(buddy_free_pages(&zone), 1024);
	CHECK_EQ(buddy_check(&zone), 0);
	CHECK_EQ(corruptions, 0);
}

/* buddy_check must notice each kind of damage. */
static void test_check_detects_corruption(void)
{
	struct page saved;
	int64_t a;
	uint64_t head;

	setup(0, 4096);
	buddy_free_range(&zone, 0, 4000);
	CHECK_EQ(buddy_check(&zone), 0);

	pages[5].flags = PG_FREE;		/* frame inside a free block */
	CHECK(buddy_check(&zone) < 0);
	pages[5].flags = 0;
	CHECK_EQ(buddy_check(&zone), 0);

	zone.nr_free[3]++;
	CHECK(buddy_check(&zone) < 0);
	zone.nr_free[3]--;

	zone.free_pages++;
	CHECK(buddy_check(&zone) < 0);
	zone.free_pages--;

	pages[4050].flags = 0;			/* leaked reserved frame */
	CHECK_EQ(buddy_check(&zone), -9);
	pages[4050].flags = PG_RESERVED;

	head = buddy_page_to_pfn(&zone, list_first_entry(&zone.free_list[10], struct page, lru));
	saved = pages[head];
	pages[head].order = 9;			/* listed on the wrong list */
	CHECK(buddy_check(&zone) < 0);
	pages[head] = saved;

	/* Split an allocated pair into two unmerged free buddies by hand. */
	a = buddy_alloc(&zone, 1);
	CHECK(a >= 0);
	CHECK_EQ(buddy_check(&zone), 0);
	pages[a].flags = 0;
	push_free(&zone, (uint64_t)a, 0);
	push_free(&zone, (uint64_t)a + 1, 0);
	zone.free_pages += 2;
	CHECK_EQ(buddy_check(&zone), -8);
	CHECK_EQ(corruptions, 0);
}

int main(void)
{
	test_suite = "buddy";
	RUN(test_init_all_reserved);
	RUN(test_free_range_merges);
	RUN(test_free_range_odd_alignment);
	RUN(test_alloc_alignment_and_range);
	RUN(test_random_stress);
	RUN(test_exhaustion);
	RUN(test_double_free_detected);
	RUN(test_bad_free_detected);
	RUN(test_check_detects_corruption);
	TEST_EXIT();
}
