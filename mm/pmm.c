/*
 * Physical memory at boot: turns the loader's memory map into the buddy
 * allocator. A bump allocator hands out the first pages (the kernel page
 * tables and the struct page array) from usable RAM just past the kernel;
 * then every usable page that is not the first MiB, the kernel image, a
 * GRUB module, the boot information or a bump allocation goes to the buddy
 * allocator.
 */
#define pr_fmt(fmt) "mm: " fmt

#include <asm/boot.h>
#include <asm/irq.h>
#include <asm/pgtable.h>
#include <asm/setup.h>
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/mm.h"

extern char _boot_start[], _kernel_end[];

static struct buddy_zone zone;
static uint16_t *page_refs;		/* mappings of each user page (COW) */
static bool buddy_ready;
static phys_addr_t bump_start, bump_next, bump_limit;
static uint64_t usable_bytes;
static uint64_t ram_end;		/* end of the highest usable region */

struct range {
	uint64_t start, end;
};

/* Everything that must never be handed out, gathered from boot_info. */
static unsigned int reserved_ranges(struct range *r, unsigned int max)
{
	unsigned int n = 0;

	r[n++] = (struct range){ 0, 0x100000 };
	r[n++] = (struct range){ (uint64_t)_boot_start, virt_to_phys(_kernel_end) };
	r[n++] = (struct range){ boot_info.mbi_start, boot_info.mbi_end };
	for (unsigned int i = 0; i < boot_info.module_count && n < max; i++)
		r[n++] = (struct range){ boot_info.modules[i].start, boot_info.modules[i].end };
	if (bump_next > bump_start && n < max)
		r[n++] = (struct range){ bump_start, bump_next };
	if (n < max)
		r[n++] = (struct range){ PSTORE_PHYS, PSTORE_PHYS + PSTORE_SIZE };
	for (unsigned int i = 0; i < n; i++) {	/* whole pages */
		r[i].start &= PAGE_MASK;
		r[i].end = PAGE_ALIGN(r[i].end);
	}
	return n;
}

/* First byte at or after @pa not inside a reserved range. */
static uint64_t skip_reserved(uint64_t pa, const struct range *r, unsigned int n)
{
	bool moved = true;

	while (moved) {
		moved = false;
		for (unsigned int i = 0; i < n; i++) {
			if (pa >= r[i].start && pa < r[i].end) {
				pa = PAGE_ALIGN(r[i].end);
				moved = true;
			}
		}
	}
	return pa;
}

/* Pick the bump region: the largest free stretch of usable RAM below 1 GiB. */
static void bump_init(void)
{
	struct range res[BOOT_MAX_MODULES + 4];
	unsigned int n = reserved_ranges(res, ARRAY_SIZE(res));

	for (unsigned int i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mem_region *m = &boot_info.mmap[i];
		uint64_t pa = PAGE_ALIGN(m->base), end = MIN(m->base + m->len, 0x40000000ULL);

		if (m->type != BOOT_MEM_USABLE)
			continue;
		usable_bytes += m->len;
		ram_end = MAX(ram_end, m->base + m->len);
		while (pa < end) {
			uint64_t stop = end & PAGE_MASK;

			pa = skip_reserved(pa, res, n);
			if (pa >= stop)
				break;
			for (unsigned int j = 0; j < n; j++)
				if (res[j].start > pa && res[j].start < stop)
					stop = res[j].start & PAGE_MASK;
			if (stop > pa && stop - pa > bump_limit - bump_start) {
				bump_start = bump_next = pa;
				bump_limit = stop;
			}
			pa = stop;
		}
	}
}

static phys_addr_t bump_alloc(size_t bytes)
{
	phys_addr_t pa = bump_next;

	bytes = PAGE_ALIGN(bytes);
	if (bump_limit - bump_next < bytes)
		panic("no-memory", "boot allocator exhausted (%lu bytes wanted)", bytes);
	bump_next += bytes;
	return pa;
}

phys_addr_t mm_alloc_table_page(void)
{
	if (buddy_ready)
		return pmm_alloc_page();
	return bump_alloc(PAGE_SIZE);
}

/* The buddy zone's lock: a leaf, taken with interrupts off. */
static DEFINE_RAW_SPINLOCK(zone_lock);

phys_addr_t pmm_alloc_pages(unsigned int order)
{
	unsigned long flags = raw_spin_lock_irqsave(&zone_lock);
	int64_t pfn = buddy_alloc(&zone, order);

	raw_spin_unlock_irqrestore(&zone_lock, flags);
	return pfn < 0 ? 0 : (phys_addr_t)pfn << PAGE_SHIFT;
}

void pmm_free_pages(phys_addr_t pa, unsigned int order)
{
	unsigned long flags = raw_spin_lock_irqsave(&zone_lock);

	buddy_free(&zone, pa >> PAGE_SHIFT, order);
	raw_spin_unlock_irqrestore(&zone_lock, flags);
}

/* Reference counts of pages mapped into user space (shared after fork). */
void page_ref_set(phys_addr_t pa, unsigned int n)
{
	page_refs[pa >> PAGE_SHIFT] = (uint16_t)n;
}

unsigned int page_ref_get(phys_addr_t pa)
{
	return page_refs[pa >> PAGE_SHIFT];
}

void page_ref_inc(phys_addr_t pa)
{
	BUG_ON(page_refs[pa >> PAGE_SHIFT] == 0xffff);
	page_refs[pa >> PAGE_SHIFT]++;
}

/* Drop one mapping; the page is freed with its last one. */
void page_ref_dec(phys_addr_t pa)
{
	uint16_t *r = &page_refs[pa >> PAGE_SHIFT];

	BUG_ON(*r == 0);
	if (--*r == 0)
		pmm_free_page(pa);
}

uint64_t pmm_free_count(void)
{
	return buddy_free_pages(&zone);
}

uint64_t pmm_total_count(void)
{
	return zone.total_pages;
}

void buddy_bad_free(const char *why, uint64_t pfn)
{
	panic("bad-page-free", "page allocator: %s (pfn %#lx)", why, pfn);
}

/* Hand every usable, unreserved page to the buddy allocator. */
static void buddy_populate(void)
{
	struct range res[BOOT_MAX_MODULES + 4];
	unsigned int n = reserved_ranges(res, ARRAY_SIZE(res));

	for (unsigned int i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mem_region *m = &boot_info.mmap[i];
		uint64_t pa = PAGE_ALIGN(m->base), end = (m->base + m->len) & PAGE_MASK;

		if (m->type != BOOT_MEM_USABLE)
			continue;
		while (pa < end) {
			uint64_t stop = end;

			pa = skip_reserved(pa, res, n);
			if (pa >= end)
				break;
			for (unsigned int j = 0; j < n; j++)
				if (res[j].start > pa && res[j].start < stop)
					stop = res[j].start & PAGE_MASK;
			buddy_free_range(&zone, pa >> PAGE_SHIFT, (stop - pa) >> PAGE_SHIFT);
			pa = stop;
		}
	}
}

void pmm_init(void)
{
	uint64_t npages = ram_end >> PAGE_SHIFT;
	struct page *pages;

	pages = phys_to_virt(bump_alloc(npages * sizeof(struct page)));
	page_refs = phys_to_virt(bump_alloc(npages * sizeof(*page_refs)));
	memset(page_refs, 0, npages * sizeof(*page_refs));
	buddy_init(&zone, 0, npages, pages);
	buddy_populate();
	buddy_ready = true;
}

static void check_wx(void)
{
	uintptr_t bad = 0;
	unsigned long n = paging_wx_scan(&bad);

	if (n)
		panic("wx", "%lu kernel mappings are writable and executable, the first at %#lx",
		      n, bad);
	pr_info("W^X: no kernel mapping is both writable and executable\n");
}

/* Bring memory management up, in dependency order. */
void mm_init(void)
{
	bump_init();
	if (usable_bytes < (uint64_t)CONFIG_MIN_MEMORY_MB << 20)
		panic("no-memory",
		      "Basalt needs at least %d MiB of RAM but the memory map shows %lu KiB usable; start QEMU with more memory (-m 128M)",
		      CONFIG_MIN_MEMORY_MB, usable_bytes >> 10);
	paging_init();		/* final page tables; the identity map is gone */
	check_wx();		/* W^X holds for every kernel mapping */
	pmm_init();		/* buddy allocator over what remains */
	vmalloc_init();
}

void mm_print_summary(void)
{
	uint64_t total = pmm_total_count(), free = pmm_free_count();
	uint64_t kernel = (virt_to_phys(_kernel_end) - (uint64_t)_boot_start) >> 10;

	pr_info("Memory: %luK/%luK available (%luK kernel image, %luK page tables and page array, %luK reserved in all)\n",
		free << 2, usable_bytes >> 10, kernel, (bump_next - bump_start) >> 10,
		(usable_bytes >> 10) - (total << 2));
}

/* The panic record region, if usable RAM covers it (see kernel/pstore.c). */
phys_addr_t pstore_phys(void)
{
	for (unsigned int i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mem_region *m = &boot_info.mmap[i];

		if (m->type == BOOT_MEM_USABLE && m->base <= PSTORE_PHYS &&
		    m->base + m->len >= PSTORE_PHYS + PSTORE_SIZE)
			return PSTORE_PHYS;
	}
	return 0;
}

/* kmalloc's page backend: whole blocks from the buddy allocator. */
void *kmalloc_page_alloc(unsigned int order)
{
	phys_addr_t pa = pmm_alloc_pages(order);

	return pa ? phys_to_virt(pa) : NULL;
}

void kmalloc_page_free(void *va, unsigned int order)
{
	pmm_free_pages(virt_to_phys(va), order);
}

void kmalloc_report(int reason, const void *ptr, const char *detail)
{
	static const char *const names[] = {
		[KMALLOC_REDZONE] = "redzone",
		[KMALLOC_DOUBLE_FREE] = "double-free",
		[KMALLOC_USE_AFTER_FREE] = "use-after-free",
		[KMALLOC_BAD_FREE] = "bad-free",
	};
	const char *name = reason >= 0 && reason < (int)ARRAY_SIZE(names) && names[reason] ?
				   names[reason] : "heap";

	panic(name, "kmalloc: %s at %p: %s", name, ptr, detail);
}
