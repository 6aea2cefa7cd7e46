/*
 * Binary buddy allocator (see buddy.h for the model).
 *
 * The buddy of the block of order k at pfn is the block at pfn ^ 2^k; two
 * free buddies of the same order always merge, so a free frame belongs to
 * exactly one maximal free block. The frames of a zone are partitioned into
 * reserved frames, free blocks (head marked PG_FREE, on free_list[order])
 * and allocated blocks (head marked PG_HEAD); buddy_check() verifies that.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/buddy.h"

#define ORDER_PAGES(order) (1ULL << (order))

static bool pfn_in_zone(const struct buddy_zone *z, uint64_t pfn)
{
	return pfn >= z->base_pfn && pfn - z->base_pfn < z->npages;
}

static struct page *zone_page(const struct buddy_zone *z, uint64_t pfn)
{
	return &z->pages[pfn - z->base_pfn];
}

static bool is_free_head(const struct buddy_zone *z, uint64_t pfn, unsigned int order)
{
	const struct page *p;

	if (!pfn_in_zone(z, pfn))
		return false;
	p = zone_page(z, pfn);
	return (p->flags & PG_FREE) && p->order == order;
}

/* Put the block at @pfn on its free list; its frames have flags 0. */
static void push_free(struct buddy_zone *z, uint64_t pfn, unsigned int order)
{
	struct page *p = zone_page(z, pfn);

	p->flags = PG_FREE;
	p->order = order;
	list_add(&p->lru, &z->free_list[order]);
	z->nr_free[order]++;
}

static void pop_free(struct buddy_zone *z, struct page *p)
{
	list_del(&p->lru);
	z->nr_free[p->order]--;
	p->flags = 0;
	p->order = 0;
}

/* Return a block whose frames have flags 0 to the free lists, merging it. */
static void free_block(struct buddy_zone *z, uint64_t pfn, unsigned int order)
{
	z->free_pages += ORDER_PAGES(order);
	while (order < BUDDY_MAX_ORDER) {
		uint64_t buddy = pfn ^ ORDER_PAGES(order);

		if (!is_free_head(z, buddy, order))
			break;
		pop_free(z, zone_page(z, buddy));
		pfn &= ~ORDER_PAGES(order);
		order++;
	}
	push_free(z, pfn, order);
}

/*
 * Set up @z to cover frames [base_pfn, base_pfn + npages) using @pages, one
 * entry per frame. Every frame starts reserved; buddy_free_range() hands
 * usable ones to the allocator.
 */
void buddy_init(struct buddy_zone *z, uint64_t base_pfn, uint64_t npages, struct page *pages)
{
	unsigned int order;
	uint64_t i;

	z->base_pfn = base_pfn;
	z->npages = npages;
	z->pages = pages;
	z->free_pages = 0;
	z->total_pages = 0;
	for (order = 0; order <= BUDDY_MAX_ORDER; order++) {
		list_init(&z->free_list[order]);
		z->nr_free[order] = 0;
	}
	for (i = 0; i < npages; i++) {
		pages[i].flags = PG_RESERVED;
		pages[i].order = 0;
		pages[i].private = 0;
		pages[i].lru.next = LIST_POISON_NEXT;
		pages[i].lru.prev = LIST_POISON_PREV;
	}
}

/* Largest order of an aligned block at @pfn that fits before @end. */
static unsigned int fit_order(uint64_t pfn, uint64_t end)
{
	unsigned int order = 0;

	while (order < BUDDY_MAX_ORDER && !(pfn & ORDER_PAGES(order)) &&
	       pfn + ORDER_PAGES(order + 1) <= end)
		order++;
	return order;
}

/*
 * Release the reserved frames [pfn, pfn + count) into the allocator. Used at
 * boot for each usable region; the range may have any alignment and is cut
 * into the largest aligned blocks, which merge with neighbours released
 * earlier. Frames outside the zone are ignored. Releasing a frame that is
 * not reserved is reported and releases nothing.
 */
void buddy_free_range(struct buddy_zone *z, uint64_t pfn, uint64_t count)
{
	uint64_t zone_end = z->base_pfn + z->npages;
	uint64_t end, i;

	end = count > UINT64_MAX - pfn ? UINT64_MAX : pfn + count;
	if (pfn < z->base_pfn)
		pfn = z->base_pfn;
	if (end > zone_end)
		end = zone_end;
	if (pfn >= end)
		return;

	for (i = pfn; i < end; i++) {
		if (!(zone_page(z, i)->flags & PG_RESERVED)) {
			buddy_bad_free("buddy_free_range: frame is not reserved", i);
			return;
		}
	}
	for (i = pfn; i < end; i++)
		zone_page(z, i)->flags = 0;
	z->total_pages += end - pfn;

	while (pfn < end) {
		unsigned int order = fit_order(pfn, end);

		free_block(z, pfn, order);
		pfn += ORDER_PAGES(order);
	}
}

/*
 * Allocate 2^@order contiguous frames aligned to their size. Returns the
 * first pfn, or -1 if no block is large enough.
 */
int64_t buddy_alloc(struct buddy_zone *z, unsigned int order)
{
	unsigned int o;
	struct page *p;
	uint64_t pfn;

	if (order > BUDDY_MAX_ORDER)
		return -1;
	for (o = order; o <= BUDDY_MAX_ORDER; o++)
		if (!list_empty(&z->free_list[o]))
			break;
	if (o > BUDDY_MAX_ORDER)
		return -1;

	p = list_first_entry(&z->free_list[o], struct page, lru);
	pfn = buddy_page_to_pfn(z, p);
	pop_free(z, p);
	while (o > order) {
		o--;
		push_free(z, pfn + ORDER_PAGES(o), o);
	}
	p->flags = PG_HEAD;
	p->order = order;
	p->private = 0;
	z->free_pages -= ORDER_PAGES(order);
	return (int64_t)pfn;
}

/* True if @pfn lies inside a block on the free lists. */
static bool in_free_block(const struct buddy_zone *z, uint64_t pfn)
{
	unsigned int order;

	for (order = 0; order <= BUDDY_MAX_ORDER; order++)
		if (is_free_head(z, pfn & ~(ORDER_PAGES(order) - 1), order))
			return true;
	return false;
}

/* Why freeing (@pfn, @order) is wrong, or NULL if it is a valid free. */
static const char *free_error(const struct buddy_zone *z, uint64_t pfn, unsigned int order)
{
	const struct page *p;

	if (order > BUDDY_MAX_ORDER)
		return "buddy_free: order too large";
	if (!pfn_in_zone(z, pfn))
		return "buddy_free: pfn outside the zone";
	if (pfn & (ORDER_PAGES(order) - 1))
		return "buddy_free: pfn not aligned to the order";
	p = zone_page(z, pfn);
	if (p->flags & PG_HEAD)
		return p->order == order ? NULL : "buddy_free: wrong order for this block";
	if (p->flags & PG_RESERVED)
		return "buddy_free: frame is reserved";
	if (in_free_block(z, pfn))
		return "buddy_free: double free";
	return "buddy_free: not the first frame of an allocated block";
}

/*
 * Free the block of 2^@order frames at @pfn obtained from buddy_alloc() and
 * merge it with its free buddies. Invalid frees are reported through
 * buddy_bad_free() and otherwise ignored.
 */
void buddy_free(struct buddy_zone *z, uint64_t pfn, unsigned int order)
{
	const char *why = free_error(z, pfn, order);
	struct page *p;

	if (why) {
		buddy_bad_free(why, pfn);
		return;
	}
	p = zone_page(z, pfn);
	p->flags = 0;
	p->order = 0;
	p->private = 0;
	free_block(z, pfn, order);
}

/* The struct page of @pfn, or NULL if the zone does not cover it. */
struct page *buddy_pfn_to_page(struct buddy_zone *z, uint64_t pfn)
{
	return pfn_in_zone(z, pfn) ? zone_page(z, pfn) : NULL;
}

uint64_t buddy_page_to_pfn(const struct buddy_zone *z, const struct page *page)
{
	return z->base_pfn + (uint64_t)(page - z->pages);
}

uint64_t buddy_free_pages(const struct buddy_zone *z)
{
	return z->free_pages;
}

/* Frames handed to the allocator so far, free or allocated. */
uint64_t buddy_total_pages(const struct buddy_zone *z)
{
	return z->total_pages;
}

/*
 * Walk free_list[@order] defensively (links are checked before they are
 * followed). Returns the number of blocks or a negative error.
 */
static int64_t check_free_list(const struct buddy_zone *z, unsigned int order)
{
	const struct list_head *head = &z->free_list[order];
	const struct list_head *last = head, *pos;
	const char *base = (const char *)z->pages;
	int64_t n = 0;

	for (pos = head->next; pos != head; last = pos, pos = pos->next) {
		const char *pg = (const char *)container_of(pos, struct page, lru);
		const struct page *p = (const struct page *)pg;

		if (pg < base || pg >= base + z->npages * sizeof(struct page) ||
		    (uint64_t)(pg - base) % sizeof(struct page))
			return -1;
		if (pos->prev != last || (uint64_t)++n > z->npages)
			return -1;
		if (!(p->flags & PG_FREE) || p->order != order)
			return -2;
	}
	if (head->prev != last)
		return -1;
	return n;
}

/* Check the block headed by frame @i; returns its size in frames or < 0. */
static int64_t check_block(const struct buddy_zone *z, uint64_t i)
{
	const struct page *p = &z->pages[i];
	uint64_t pfn = z->base_pfn + i, size, j;

	if ((p->flags & PG_FREE) && (p->flags & PG_HEAD))
		return -5;
	if (p->order > BUDDY_MAX_ORDER)
		return -6;
	size = ORDER_PAGES(p->order);
	if ((pfn & (size - 1)) || i + size > z->npages)
		return -6;
	for (j = 1; j < size; j++)
		if (p[j].flags & (PG_FREE | PG_HEAD | PG_RESERVED))
			return -7;
	if ((p->flags & PG_FREE) && p->order < BUDDY_MAX_ORDER &&
	    is_free_head(z, pfn ^ size, p->order))
		return -8;
	return (int64_t)size;
}

/*
 * Verify every invariant of @z. Returns 0, or a negative code naming the
 * first violation found:
 *  -1 broken free list links     -2 listed block not free or wrong order
 *  -3 nr_free disagrees          -4 free_pages disagrees
 *  -5 block both free and used   -6 bad block order, alignment or extent
 *  -7 frame inside a block marked -8 two free buddies left unmerged
 *  -9 frame in no block and not reserved
 * -10 free heads not all listed -11 total_pages disagrees
 */
int buddy_check(const struct buddy_zone *z)
{
	uint64_t listed = 0, free_frames = 0, free_heads = 0, reserved = 0, i;
	unsigned int order;
	int64_t n;

	for (order = 0; order <= BUDDY_MAX_ORDER; order++) {
		n = check_free_list(z, order);
		if (n < 0)
			return (int)n;
		if ((uint64_t)n != z->nr_free[order])
			return -3;
		listed += (uint64_t)n;
		free_frames += (uint64_t)n << order;
	}
	if (free_frames != z->free_pages)
		return -4;

	for (i = 0; i < z->npages; ) {
		const struct page *p = &z->pages[i];

		if (p->flags & (PG_FREE | PG_HEAD)) {
			n = check_block(z, i);
			if (n < 0)
				return (int)n;
			if (p->flags & PG_FREE)
				free_heads++;
			i += (uint64_t)n;
		} else if (p->flags & PG_RESERVED) {
			reserved++;
			i++;
		} else {
			return -9;
		}
	}
	if (free_heads != listed)
		return -10;
	if (z->npages - reserved != z->total_pages)
		return -11;
	return 0;
}
