/*
 * The DMA API: coherent buffers are physically contiguous, zeroed pages
 * below a device's addressing limit, reached by the kernel through the
 * direct map; streaming mappings hand the device the physical address of
 * an existing direct-mapped buffer. A device behind an IOMMU
 * (drivers/iommu/) reaches only what is mapped here for it, and a buffer
 * that shares its pages with other data is bounced. Also ioremap. The page
 * allocator takes no limit, so a block above it is held aside (the list
 * is threaded through the held pages themselves) and another one taken,
 * until one fits; the held blocks are then given back. With the usual
 * QEMU memory sizes the first block fits.
 */
#define pr_fmt(fmt) "dma: " fmt

#include <asm/page.h>
#include "drivers/base/device.h"
#include "drivers/iommu/iommu.h"
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

/*
 * --- with an IOMMU ----------------------------------------------------------------
 * A confined device (dev->iommu set) reaches only pages mapped in its
 * domain. Bus addresses stay the physical ones, so masks work as without.
 * Coherent buffers are whole pages of their own, mapped read-write.
 * A streaming mapping of whole pages maps them with the direction's
 * permission; any other buffer shares its pages with unrelated kernel
 * data, so the device gets a bounce buffer of its own pages instead, and
 * the data is copied in before (to the device) and out after (from it).
 * Records of both live in one list under dma_lock; the IOMMU calls run
 * outside it.
 */
struct dma_rec {
	struct list_head node;
	struct iommu_domain *d;
	uint64_t bus;		/* the bus address handed out (page-aligned) */
	size_t size;		/* bytes mapped (whole pages) */
	void *orig;		/* a bounced buffer's own address, else NULL */
	size_t len;		/* its length */
	int dir;
	bool coherent;
};

static DEFINE_SPINLOCK(dma_lock);
static LIST_HEAD(dma_recs);
uint64_t dma_bounced_bytes;	/* copied through bounce buffers since boot (/proc/iommu) */

static size_t page_round(size_t n)
{
	return (n + PAGE_SIZE - 1) & PAGE_MASK;
}

static int dir_prot(int dir)
{
	return dir == DMA_TO_DEVICE ? IOMMU_READ :
	       dir == DMA_FROM_DEVICE ? IOMMU_WRITE : IOMMU_READ | IOMMU_WRITE;
}

static void rec_add(struct dma_rec *r)
{
	unsigned long flags;

	spin_lock_irqsave(&dma_lock, flags);
	list_add_tail(&r->node, &dma_recs);
	spin_unlock_irqrestore(&dma_lock, flags);
}

/* Unlink and return the record of @bus in @d (any domain for NULL); NULL: none. */
static struct dma_rec *rec_take(struct iommu_domain *d, uint64_t bus, bool coherent)
{
	struct dma_rec *r, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&dma_lock, flags);
	list_for_each_entry(r, &dma_recs, node) {
		if ((!d || r->d == d) && r->bus == bus && r->coherent == coherent) {
			list_del(&r->node);
			found = r;
			break;
		}
	}
	spin_unlock_irqrestore(&dma_lock, flags);
	return found;
}

/* The bounce record covering @bus in @d, still linked (sync calls); dma_lock held. */
static struct dma_rec *bounce_find(struct iommu_domain *d, uint64_t bus)
{
	struct dma_rec *r;

	list_for_each_entry(r, &dma_recs, node)
		if (r->d == d && r->orig && bus >= r->bus && bus < r->bus + r->size)
			return r;
	return NULL;
}

static void bounce_copy(struct dma_rec *r, bool to_device)
{
	if (to_device)
		memcpy(phys_to_virt(r->bus), r->orig, r->len);
	else
		memcpy(r->orig, phys_to_virt(r->bus), r->len);
	__atomic_add_fetch(&dma_bounced_bytes, r->len, __ATOMIC_RELAXED);
}

/*
 * The driver let go of @dev (unbound, or its module is going): the device
 * loses every mapping, and bounce buffers it was still lent are freed.
 */
void dma_device_released(struct device *dev)
{
	struct iommu_domain *d = dev ? dev->iommu : NULL;
	struct dma_rec *r, *n;
	unsigned long flags;
	LIST_HEAD(gone);
	unsigned int left = 0;
	uint64_t pages;

	if (!d)
		return;
	spin_lock_irqsave(&dma_lock, flags);
	list_for_each_entry_safe(r, n, &dma_recs, node) {
		if (r->d == d && !r->coherent) {
			list_del(&r->node);
			list_add_tail(&r->node, &gone);
			left++;
		}
	}
	spin_unlock_irqrestore(&dma_lock, flags);
	pages = iommu_domain_clear(d);
	list_for_each_entry_safe(r, n, &gone, node) {
		if (r->orig)
			pmm_free_pages(r->bus, size_order(r->size));
		kfree(r);
	}
	if (left)
		pr_warn("%s: the driver left %u streaming mapping(s); removed\n", dev->name, left);
	if (pages)
		pr_info("%s: %lu page(s) no longer reachable by the device\n", dev->name,
			(unsigned long)pages);
}

/* --- coherent buffers ------------------------------------------------------------- */
/* Free a coherent buffer, taking it out of the device's domain first if it is confined. */
static void coherent_free(void *va, size_t size)
{
	struct dma_rec *r = rec_take(NULL, virt_to_phys(va), true);

	if (r) {
		iommu_unmap(r->d, r->bus, r->size);
		kfree(r);
	}
	pmm_free_pages(virt_to_phys(va), size_order(size ? size : 1));
}

/* The resource tracker's release (a module forgot the buffer): @arg is the size. */
static void release_coherent(const void *key, uintptr_t arg)
{
	coherent_free((void *)key, arg);
}

void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp)
{
	if (!module_may_dma(__builtin_return_address(0), dev, __func__))
		return NULL;
	uint64_t mask = dev ? dev->coherent_dma_mask : DMA_BIT_MASK(32);
	struct iommu_domain *d = dev ? dev->iommu : NULL;
	void *va = alloc_below(size, mask ? mask : DMA_BIT_MASK(32), handle);
	struct dma_rec *r;

	if (!va)
		return NULL;
	if (d) {
		r = kzalloc(sizeof(*r));
		if (!r || iommu_map(d, *handle, *handle, PAGE_SIZE << size_order(size ? size : 1),
				    IOMMU_READ | IOMMU_WRITE)) {
			kfree(r);
			pmm_free_pages(*handle, size_order(size ? size : 1));
			pr_err("%s: cannot map a %zu-byte buffer for the device\n", dev->name, size);
			return NULL;
		}
		r->d = d;
		r->bus = *handle;
		r->size = PAGE_SIZE << size_order(size ? size : 1);
		r->coherent = true;
		rec_add(r);
	}
	module_track((uintptr_t)__builtin_return_address(0), MRES_DMA_COHERENT, va, size,
		     release_coherent, "DMA buffer of %zu bytes at %#lx for %s", size, *handle,
		     dev ? dev->name : "?");
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
	coherent_free(va, size);
}
EXPORT_SYMBOL(dma_free_coherent);

/* The direct map and the kernel image are physically contiguous; vmalloc and module memory are not. */
static bool virt_addr_is_direct(uintptr_t v)
{
	return (v >= PHYS_MAP_BASE && v < VMALLOC_START) || (v >= KERNEL_VMA && v < MODULES_START);
}

/* --- streaming mappings ----------------------------------------------------------- */
static dma_addr_t map_confined(struct device *dev, void *ptr, uint64_t pa, size_t size, int dir,
			       uint64_t mask)
{
	struct iommu_domain *d = dev->iommu;
	struct dma_rec *r;
	uint64_t bus;
	void *bounce;

	if (!(pa & ~PAGE_MASK) && !(size & ~PAGE_MASK)) {
		/* whole pages: nothing else shares them */
		if (iommu_map(d, pa, pa, size, dir_prot(dir)))
			return DMA_MAPPING_ERROR;
		return pa;
	}
	r = kzalloc(sizeof(*r));
	bounce = r ? alloc_below(size, mask, &bus) : NULL;
	if (!bounce) {
		kfree(r);
		return DMA_MAPPING_ERROR;
	}
	r->d = d;
	r->bus = bus;
	r->size = PAGE_SIZE << size_order(size);
	r->orig = ptr;
	r->len = size;
	r->dir = dir;
	if (dir != DMA_FROM_DEVICE)
		bounce_copy(r, true);
	if (iommu_map(d, bus, bus, r->size, dir_prot(dir))) {
		pmm_free_pages(bus, size_order(size));
		kfree(r);
		return DMA_MAPPING_ERROR;
	}
	rec_add(r);
	return bus;
}

/*
 * The buffer must be in the direct map (kmalloc, page allocator),
 * physically contiguous across the pages it spans, and below the
 * device's mask. Without an IOMMU the bus address is the physical one.
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
	if (dev && dev->iommu)
		return map_confined(dev, ptr, pa, size, dir, mask);
	return pa;
}
EXPORT_SYMBOL(dma_map_single);

void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size,
		      enum dma_data_direction dir)
{
	struct iommu_domain *d = dev ? dev->iommu : NULL;
	struct dma_rec *r;

	__asm__ volatile("" ::: "memory");	/* the device's writes before the CPU reads */
	if (!d || addr == DMA_MAPPING_ERROR)
		return;
	r = rec_take(d, addr, false);
	if (!r) {
		iommu_unmap(d, addr & PAGE_MASK, page_round(size + (addr & ~PAGE_MASK)));
		return;
	}
	iommu_unmap(d, r->bus, r->size);	/* the device is done before the copy out */
	if (r->dir != DMA_TO_DEVICE)
		bounce_copy(r, false);
	pmm_free_pages(r->bus, size_order(r->size));
	kfree(r);
}
EXPORT_SYMBOL(dma_unmap_single);

static void sync_bounce(struct device *dev, dma_addr_t addr, bool to_device)
{
	struct iommu_domain *d = dev ? dev->iommu : NULL;
	struct dma_rec *r;
	unsigned long flags;

	if (!d)
		return;
	spin_lock_irqsave(&dma_lock, flags);
	r = bounce_find(d, addr);
	if (r && (to_device ? r->dir != DMA_FROM_DEVICE : r->dir != DMA_TO_DEVICE))
		bounce_copy(r, to_device);
	spin_unlock_irqrestore(&dma_lock, flags);
}

void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir)
{
	__asm__ volatile("" ::: "memory");
	sync_bounce(dev, addr, false);
}
EXPORT_SYMBOL(dma_sync_single_for_cpu);

void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir)
{
	sync_bounce(dev, addr, true);
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
