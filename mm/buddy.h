/*
 * Binary buddy allocator over page frame numbers.
 *
 * A zone covers a contiguous span of frames and owns one struct page per
 * frame (the array is supplied by the caller). Blocks are 2^order frames,
 * aligned to their size in absolute pfn terms, for orders 0..BUDDY_MAX_ORDER.
 * The allocator never touches the frames themselves, only struct page, so it
 * makes no assumption about how physical memory is mapped and runs unchanged
 * in host unit tests. Not thread-safe: callers serialise access to a zone.
 */
#ifndef BASALT_MM_BUDDY_H
#define BASALT_MM_BUDDY_H

#include <stdint.h>

#include "lib/list.h"

#define BUDDY_MAX_ORDER 10 /* largest block: 1024 frames, 4 MiB */

/* struct page flags */
#define PG_FREE		(1u << 0) /* first frame of a free block */
#define PG_RESERVED	(1u << 1) /* never handed to the allocator */
#define PG_HEAD		(1u << 2) /* first frame of an allocated block */
#define PG_SLAB		(1u << 3) /* block used by a slab (set by its user) */

/*
 * Per-frame metadata. Only the first frame of a block carries meaningful
 * flags and order; the other frames of a block have flags 0.
 */
struct page {
	uint32_t flags;
	uint8_t order;		/* order of the block this frame heads */
	uint8_t unused[3];
	uint64_t private;	/* free for the owner of an allocated block */
	struct list_head lru;	/* free list link while PG_FREE */
};

struct buddy_zone {
	uint64_t base_pfn;
	uint64_t npages;		/* frames spanned, reserved or not */
	struct page *pages;		/* npages entries, pages[0] is base_pfn */
	struct list_head free_list[BUDDY_MAX_ORDER + 1];
	uint64_t nr_free[BUDDY_MAX_ORDER + 1];	/* blocks on each free list */
	uint64_t free_pages;		/* frames currently free */
	uint64_t total_pages;		/* frames ever released by buddy_free_range */
};

/*
 * Called when a free is invalid: double free, reserved frame, misaligned
 * pfn, wrong order, or a pfn outside the zone. The kernel panics; host tests
 * record the report. If it returns, the offending free is ignored.
 */
void buddy_bad_free(const char *why, uint64_t pfn);

void buddy_init(struct buddy_zone *z, uint64_t base_pfn, uint64_t npages,
		struct page *pages);
void buddy_free_range(struct buddy_zone *z, uint64_t pfn, uint64_t count);
int64_t buddy_alloc(struct buddy_zone *z, unsigned int order);
void buddy_free(struct buddy_zone *z, uint64_t pfn, unsigned int order);
struct page *buddy_pfn_to_page(struct buddy_zone *z, uint64_t pfn);
uint64_t buddy_page_to_pfn(const struct buddy_zone *z, const struct page *page);
uint64_t buddy_free_pages(const struct buddy_zone *z);
uint64_t buddy_total_pages(const struct buddy_zone *z);
int buddy_check(const struct buddy_zone *z);

#endif
