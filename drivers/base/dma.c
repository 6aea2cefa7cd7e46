/*
 * The DMA API without an IOMMU: coherent buffers are physically
 * contiguous, zeroed pages below a device's addressing limit, reached by
 * the kernel through the direct map; streaming mappings hand the device
 * the physical address of an existing direct-mapped buffer. Also ioremap. The page
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
#include <asm/pgtable.h>
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

/* Whole zeroed pages below @mask, physically contiguous; NULL if none is free. */
static void *alloc_below(size_t size, uint64_t mask, uint64_t *phys)
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

int dma_set_mask(struct device *dev, uint64_t mask)
{
	if (mask < DMA_BIT_MASK(24))
		return -EIO;
	dev->dma_mask = mask;
	return 0;
}
EXPORT_SYMBOL(dma_set_mask);

int dma_set_coherent_mask(struct device *dev, uint64_t mask)
{
	if (mask < DMA_BIT_MASK(24))
		return -EIO;
	dev->coherent_dma_mask = mask;
	return 0;
}
EXPORT_SYMBOL(dma_set_coherent_mask);

int dma_set_mask_and_coherent(struct device *dev, uint64_t mask)
{
	int err = dma_set_mask(dev, mask);

	return err ? err : dma_set_coherent_mask(dev, mask);
}
EXPORT_SYMBOL(dma_set_mask_and_coherent);

static void release_coherent(const void *key, uintptr_t arg)
{
	void *va = (void *)key;

	pmm_free_pages(virt_to_phys(va), size_order(arg ? arg : 1));
}

void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp)
{
	if (!module_may_dma(__builtin_return_address(0), dev, __func__))
		return NULL;
	uint64_t mask = dev ? dev->coherent_dma_mask : DMA_BIT_MASK(32);
	void *va = alloc_below(size, mask ? mask : DMA_BIT_MASK(32), handle);

	if (va)
		module_track((uintptr_t)__builtin_return_address(0), MRES_DMA_COHERENT, va, size,
			     release_coherent, "DMA buffer of %zu bytes at %#lx for %s", size,
			     *handle, dev ? dev->name : "?");
	return va;
}
EXPORT_SYMBOL(dma_alloc_coherent);

void dma_free_coherent(struct device *dev, size_t size, void *va, dma_addr_t handle)
{
	if (!va)
		return;
	if (virt_to_phys(va) != handle) {
		pr_err("freeing %p with the wrong bus address %#lx\n", va, handle);
		return;
	}
	module_untrack(MRES_DMA_COHERENT, va, size);
	pmm_free_pages(handle, size_order(size ? size : 1));
}
EXPORT_SYMBOL(dma_free_coherent);

/* The direct map and the kernel image are physically contiguous; vmalloc and module memory are not. */
static bool virt_addr_is_direct(uintptr_t v)
{
	return (v >= PHYS_MAP_BASE && v < VMALLOC_START) || (v >= KERNEL_VMA && v < MODULES_START);
}

/*
 * Without an IOMMU the bus address is the physical one; the buffer must be
 * in the direct map (kmalloc, page allocator), physically contiguous
 * across the pages it spans, and below the device's mask.
 */
dma_addr_t dma_map_single(struct device *dev, void *ptr, size_t size,
			  enum dma_data_direction dir)
{
	if (!module_may_dma(__builtin_return_address(0), dev, __func__))
		return DMA_MAPPING_ERROR;
	uintptr_t va = (uintptr_t)ptr;
	uint64_t pa, mask = dev && dev->dma_mask ? dev->dma_mask : DMA_BIT_MASK(32);

	if (!size || dir > DMA_FROM_DEVICE || !virt_addr_is_direct(va) ||
	    !virt_addr_is_direct(va + size - 1)) {
		pr_err("dma_map_single(%p, %zu) from %pS: not a direct-mapped buffer\n", ptr,
		       size, __builtin_return_address(0));
		return DMA_MAPPING_ERROR;
	}
	pa = virt_to_phys(ptr);
	if (pa + size - 1 > mask) {
		pr_err("dma_map_single: %#lx+%zu is above %s's DMA mask %#lx\n", pa, size,
		       dev ? dev->name : "?", mask);
		return DMA_MAPPING_ERROR;
	}
	__asm__ volatile("" ::: "memory");	/* the CPU's writes before the device reads */
	return pa;
}
EXPORT_SYMBOL(dma_map_single);

void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size,
		      enum dma_data_direction dir)
{
	__asm__ volatile("" ::: "memory");	/* the device's writes before the CPU reads */
}
EXPORT_SYMBOL(dma_unmap_single);

void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir)
{
	__asm__ volatile("" ::: "memory");
}
EXPORT_SYMBOL(dma_sync_single_for_cpu);

void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir)
{
	__asm__ volatile("" ::: "memory");
}
EXPORT_SYMBOL(dma_sync_single_for_device);

/* --- MMIO ------------------------------------------------------------------------ */
static void release_ioremap(const void *key, uintptr_t arg)
{
	iounmap((void *)key);
}

/*
 * Device memory below 4 GiB is in the direct map already (uncached where
 * the firmware's MTRRs say so); above, its pages are mapped uncached into
 * the direct map's range on first use. Mappings are never torn down: the
 * page tables are shared, so iounmap only drops the module's record.
 */
void *ioremap_untracked(uint64_t phys, size_t size)
{
	if (!size || phys + size < phys)
		return NULL;
	for (uint64_t pa = phys & PAGE_MASK; phys + size > 0x100000000ULL && pa < phys + size;
	     pa += PAGE_SIZE) {
		uintptr_t v = (uintptr_t)phys_to_virt(pa);
		int level;

		if (pa < 0x100000000ULL || kpte_lookup(v, &level))
			continue;	/* in the direct map already */
		if (kmap_page(v, pa, PAGE_KERNEL_IO)) {
			pr_err("ioremap: cannot map %#lx\n", pa);
			return NULL;
		}
	}
	return phys_to_virt(phys);
}

void *ioremap(uint64_t phys, size_t size)
{
	if (!module_may_ioremap(__builtin_return_address(0), phys, size, __func__))
		return NULL;
	void *va = ioremap_untracked(phys, size);

	if (!va)
		return NULL;
	module_track((uintptr_t)__builtin_return_address(0), MRES_IOREMAP, va, 0,
		     release_ioremap, "ioremap of %zu bytes at %#lx", size, phys);
	return va;
}
EXPORT_SYMBOL(ioremap);

void iounmap(void *addr)
{
	module_untrack(MRES_IOREMAP, addr, 0);
}
EXPORT_SYMBOL(iounmap);
