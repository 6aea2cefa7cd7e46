/*
 * DMA buffers: physically contiguous, zeroed pages below a device's
 * addressing limit, reached by the kernel through the direct map. The page
 * allocator takes no limit, so a block above it is held aside (the list
 * is threaded through the held pages themselves) and another one taken,
 * until one fits; the held blocks are then given back. With the usual
 * QEMU memory sizes the first block fits.
 */
#define pr_fmt(fmt) "dma: " fmt

#include <asm/page.h>
#include "drivers/base/device.h"
#include "kernel/kernel.h"
#include "kernel/module.h"
#include "lib/string.h"
#include "mm/mm.h"

#define DMA_MAX_ORDER	10		/* 4 MiB */
#define DMA_MAX_TRIES	65536

static unsigned int size_order(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

void *dma_alloc_coherent_mask(size_t size, uint64_t mask, uint64_t *phys)
{
	unsigned int order = size_order(size ? size : 1);
	phys_addr_t held = 0, pa = 0;	/* held: a list of rejected blocks */
	void *va = NULL;

	if (order > DMA_MAX_ORDER) {
		pr_err("%zu bytes is more than one DMA buffer can hold\n", size);
		return NULL;
	}
	for (int tries = 0; tries < DMA_MAX_TRIES; tries++) {
		pa = pmm_alloc_pages(order);
		if (!pa)
			break;
		if (pa + (PAGE_SIZE << order) - 1 <= mask) {
			va = phys_to_virt(pa);
			break;
		}
		*(phys_addr_t *)phys_to_virt(pa) = held;
		held = pa;
	}
	while (held) {
		phys_addr_t next = *(phys_addr_t *)phys_to_virt(held);

		pmm_free_pages(held, order);
		held = next;
	}
	if (!va) {
		pr_err("no free %zu-byte buffer below %#lx\n", size, mask);
		return NULL;
	}
	memset(va, 0, PAGE_SIZE << order);
	*phys = pa;
	return va;
}
EXPORT_SYMBOL(dma_alloc_coherent_mask);

void *dma_alloc_coherent(size_t size, uint64_t *phys)
{
	return dma_alloc_coherent_mask(size, DMA_BIT_MASK(32), phys);
}
EXPORT_SYMBOL(dma_alloc_coherent);

void dma_free_coherent(void *va, size_t size, uint64_t phys)
{
	if (!va)
		return;
	if (virt_to_phys(va) != phys) {
		pr_err("freeing %p with the wrong bus address %#lx\n", va, phys);
		return;
	}
	pmm_free_pages(phys, size_order(size ? size : 1));
}
EXPORT_SYMBOL(dma_free_coherent);
