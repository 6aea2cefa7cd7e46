/*
 * vmalloc: virtually contiguous kernel memory built from single physical
 * pages, in the VMALLOC_START..VMALLOC_END window. Every area is surrounded
 * by unmapped guard pages, so running off either end of a vmalloc buffer or
 * a kernel stack faults at once instead of corrupting a neighbour.
 */
#define pr_fmt(fmt) "vmalloc: " fmt

#include <asm/irq.h>
#include <asm/pgtable.h>
#include <asm/smp.h>
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "lib/list.h"
#include "mm/mm.h"

struct vm_area {
	uintptr_t start;	/* first byte of the reservation (a guard page) */
	size_t pages;		/* mapped pages, between the two guards */
	bool stale;		/* freed, but other CPUs' TLBs may still map it */
	struct list_head node;	/* in vm_areas, sorted by address */
};

/*
 * Lazy TLB flushing, as Linux's lazy vunmap: a vfree in the vmalloc range
 * unmaps and frees at once, but the area's addresses stay reserved
 * ("stale") until one IPI round flushes every CPU, when LAZY_MAX_PAGES
 * have piled up or a reservation finds no room. Until then nothing can be
 * mapped where another CPU may hold an old entry; only a use after free
 * could reach the old pages through one. Module memory is flushed at
 * once (a CPU must never run unloaded code).
 */
#define LAZY_MAX_PAGES	256
static size_t lazy_pages;

/* Guards vm_areas and the count; the page allocator and page tables are taken under it. */
static DEFINE_SPINLOCK(vmalloc_lock);
static LIST_HEAD(vm_areas);
static size_t vm_used_pages;

void vmalloc_init(void)
{
	list_init(&vm_areas);
}

/* Find a gap for @span bytes in [lo, hi); insert the area there. Irqs off. */
static struct vm_area *reserve(size_t pages, uintptr_t lo, uintptr_t hi)
{
	size_t span = (pages + 2) * PAGE_SIZE;
	uintptr_t cursor = lo;
	struct vm_area *a, *area = kmalloc(sizeof(*area));
	struct list_head *before = &vm_areas;

	if (!area)
		return NULL;
	list_for_each_entry(a, &vm_areas, node) {
		if (a->start < lo) {
			uintptr_t end = a->start + (a->pages + 2) * PAGE_SIZE;

			if (end > cursor)	/* an area reaching across @lo */
				cursor = end;
			before = &a->node;
			continue;
		}
		if (a->start - cursor >= span || a->start >= hi)
			break;
		cursor = a->start + (a->pages + 2) * PAGE_SIZE;
		before = &a->node;
	}
	if (cursor >= hi || hi - cursor < span) {
		kfree(area);
		return NULL;
	}
	area->start = cursor;
	area->pages = pages;
	area->stale = false;
	list_add(&area->node, before);
	return area;
}

/*
 * Unmap and free an area's pages, a batch at a time: the other CPUs' TLBs
 * are flushed once per batch (one IPI round), and only then are the pages
 * freed, so no CPU can reach a page through a stale entry once it is reused.
 */
#define RELEASE_BATCH	16

static void purge_stale(void)
{
	struct vm_area *a, *tmp;

	if (!lazy_pages)
		return;
	smp_flush_tlb_kernel();
	list_for_each_entry_safe(a, tmp, &vm_areas, node) {
		if (a->stale) {
			list_del(&a->node);
			kfree(a);
		}
	}
	lazy_pages = 0;
}

/* vfree in the vmalloc range: unmapped here, flushed on the other CPUs later. */
static void release_lazy(struct vm_area *area)
{
	for (size_t i = 0; i < area->pages; i++) {
		phys_addr_t pa = kunmap_page_local(area->start + (i + 1) * PAGE_SIZE);

		if (pa)
			pmm_free_page(pa);
	}
	area->stale = true;
	lazy_pages += area->pages + 2;
	if (lazy_pages >= LAZY_MAX_PAGES)
		purge_stale();
}

static void release(struct vm_area *area, size_t mapped)
{
	for (size_t i = 0; i < mapped; i += RELEASE_BATCH) {
		phys_addr_t pa[RELEASE_BATCH];
		size_t n = MIN(mapped - i, (size_t)RELEASE_BATCH);

		for (size_t k = 0; k < n; k++)
			pa[k] = kunmap_page_local(area->start + (i + k + 1) * PAGE_SIZE);
		smp_flush_tlb_kernel();
		for (size_t k = 0; k < n; k++)
			if (pa[k])
				pmm_free_page(pa[k]);
	}
	list_del(&area->node);
	kfree(area);
}

static void *vmalloc_in(size_t size, uintptr_t lo, uintptr_t hi);

void *vmalloc(size_t size)
{
	return vmalloc_in(size, VMALLOC_START, VMALLOC_END);
}

/* Module memory: within +-2 GiB of the kernel's text, for PC32 relocations. */
/*
 * Next-fit from where the last module went, so an unloaded module's
 * addresses stay unmapped for as long as the area allows: a stale call into
 * one faults (and the panic names the module) instead of running another
 * module's code.
 */
void *module_alloc(size_t size)
{
	static uintptr_t module_next = MODULES_START;
	void *p = vmalloc_in(size, module_next, MODULES_END);

	if (!p)
		p = vmalloc_in(size, MODULES_START, MODULES_END);
	if (p)
		module_next = (uintptr_t)p + PAGE_ALIGN(size) + PAGE_SIZE;
	return p;
}

static void *vmalloc_in(size_t size, uintptr_t lo, uintptr_t hi)
{
	size_t pages = PAGE_ALIGN(size) >> PAGE_SHIFT;
	unsigned long flags;
	struct vm_area *area;

	if (!size)
		return NULL;
	spin_lock_irqsave(&vmalloc_lock, flags);
	area = reserve(pages, lo, hi);
	if (!area && lazy_pages) {
		purge_stale();		/* stale areas may be what is in the way */
		area = reserve(pages, lo, hi);
	}
	if (!area)
		goto fail;
	for (size_t i = 0; i < pages; i++) {
		phys_addr_t pa = pmm_alloc_page();

		if (!pa || kmap_page(area->start + (i + 1) * PAGE_SIZE, pa, PAGE_KERNEL_RW)) {
			if (pa)
				pmm_free_page(pa);
			release(area, i);
			goto fail;
		}
	}
	vm_used_pages += pages;
	spin_unlock_irqrestore(&vmalloc_lock, flags);
	return (void *)(area->start + PAGE_SIZE);
fail:
	spin_unlock_irqrestore(&vmalloc_lock, flags);
	return NULL;
}

void *vmalloc_stack(size_t size)
{
	return vmalloc(size);
}

void vfree(void *addr)
{
	uintptr_t start = (uintptr_t)addr - PAGE_SIZE;
	unsigned long flags;
	struct vm_area *a;

	if (!addr)
		return;
	spin_lock_irqsave(&vmalloc_lock, flags);
	list_for_each_entry(a, &vm_areas, node) {
		if (a->start == start && !a->stale) {
			vm_used_pages -= a->pages;
			if (start >= VMALLOC_START && start < VMALLOC_END && cpus_online > 1)
				release_lazy(a);
			else
				release(a, a->pages);
			spin_unlock_irqrestore(&vmalloc_lock, flags);
			return;
		}
	}
	spin_unlock_irqrestore(&vmalloc_lock, flags);
	panic("bad-vfree", "vfree of %p, which vmalloc never returned", addr);
}

size_t vmalloc_used_pages(void)
{
	return vm_used_pages;
}
