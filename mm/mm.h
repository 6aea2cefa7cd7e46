/*
 * Memory management: the physical page allocator (buddy system over the
 * boot memory map), kmalloc for small objects and vmalloc for large,
 * virtually contiguous areas with guard pages.
 */
#ifndef MM_MM_H
#define MM_MM_H

#include <stddef.h>
#include <stdint.h>
#include <asm/page.h>
#include "mm/kmalloc.h"

/* Set up the page allocator, the kernel page tables, kmalloc and vmalloc. */
void mm_init(void);
void mm_print_summary(void);

/* 2^order contiguous physical pages; 0 when out of memory. */
phys_addr_t pmm_alloc_pages(unsigned int order);
void pmm_free_pages(phys_addr_t pa, unsigned int order);
static inline phys_addr_t pmm_alloc_page(void)
{
	return pmm_alloc_pages(0);
}
static inline void pmm_free_page(phys_addr_t pa)
{
	pmm_free_pages(pa, 0);
}
uint64_t pmm_free_count(void);	/* free pages */
uint64_t pmm_total_count(void);	/* pages handed to the allocator at boot */

/* A page for a page table: from the boot allocator early, the buddy later. */
phys_addr_t mm_alloc_table_page(void);

/* Virtually contiguous, page-granular, with an unmapped guard page after. */
void *vmalloc(size_t size);
void vfree(void *addr);
/* A kernel stack of @size bytes with a guard page below; returns its base. */
void *vmalloc_stack(size_t size);
size_t vmalloc_used_pages(void);
void vmalloc_init(void);
void pmm_init(void);

#endif
