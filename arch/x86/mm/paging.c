/*
 * Kernel page tables. paging_init() replaces the boot tables with the final
 * kernel address space: the image at -2 GiB with per-section permissions
 * (text RX, rodata R, data RW+NX: W^X), stack guard pages left unmapped, and
 * the direct map of the low 4 GiB and all RAM (RW+NX, 2 MiB pages, except
 * that the alias of kernel text and rodata is read-only). The boot identity
 * map is gone afterwards, so a NULL dereference faults.
 */
#define pr_fmt(fmt) "paging: " fmt

#include <asm/cpu.h>
#include <asm/boot.h>
#include <asm/pgtable.h>
#include <asm/setup.h>
#include <asm/smp.h>
#include "kernel/kernel.h"
#include "lib/string.h"
#include "mm/mm.h"

extern char _text[], _etext[], _rodata[], _erodata[], _data[], _ebss[];
extern char _ksyms[], _kernel_end[];
extern char boot_stack_guard[];

static uint64_t *kernel_pml4;
static void *guard_pages[8];
static unsigned int nr_guard_pages;
static uint64_t direct_map_end;
static bool direct_map_live;

void paging_register_guard(void *page)
{
	BUG_ON(nr_guard_pages >= ARRAY_SIZE(guard_pages));
	guard_pages[nr_guard_pages++] = page;
}

phys_addr_t kernel_pml4_phys(void)
{
	return direct_map_live ? virt_to_phys(kernel_pml4) : (uintptr_t)kernel_pml4;
}

uint64_t paging_max_phys(void)
{
	return direct_map_end;
}

/*
 * Page-table pages are reached through the direct map once it is live; while
 * paging_init builds it, through the boot identity map of the low 4 GiB.
 */
static uint64_t *table_va(uint64_t entry)
{
	phys_addr_t pa = entry & PTE_ADDR_MASK;

	return direct_map_live ? phys_to_virt(pa) : (uint64_t *)pa;
}

/*
 * Walk from top-level table @top to the 4 KiB entry for @va, creating
 * missing levels (with @table_flags) when @create. NULL if a level is
 * missing, a huge page is in the way, or memory ran out.
 */
uint64_t *pt_walk(uint64_t *top, uintptr_t va, int create, uint64_t table_flags)
{
	uint64_t *t = top;

	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &t[(va >> shift) & 511];

		if (!(*e & PTE_PRESENT)) {
			phys_addr_t pa;

			if (!create)
				return NULL;
			pa = mm_alloc_table_page();
			if (!pa)
				return NULL;
			memset(table_va(pa), 0, PAGE_SIZE);
			/* upper levels permissive; the leaf decides */
			*e = pa | table_flags;
		} else if (*e & PTE_HUGE) {
			return NULL;
		}
		t = table_va(*e);
	}
	return &t[(va >> 12) & 511];
}

static uint64_t *walk(uintptr_t va, int create)
{
	return pt_walk(kernel_pml4, va, create, PTE_PRESENT | PTE_WRITE);
}

int kmap_page(uintptr_t va, phys_addr_t pa, uint64_t flags)
{
	uint64_t *pte = walk(va, 1);

	if (!pte)
		return -ENOMEM;
	if (*pte & PTE_PRESENT)
		return -EEXIST;
	*pte = (pa & PTE_ADDR_MASK) | flags | PTE_PRESENT;
	return 0;
}

/* Unmap @va here only: the caller flushes the other CPUs before reusing the page. */
phys_addr_t kunmap_page_local(uintptr_t va)
{
	uint64_t *pte = walk(va, 0);
	phys_addr_t pa;

	if (!pte || !(*pte & PTE_PRESENT))
		return 0;
	pa = *pte & PTE_ADDR_MASK;
	*pte = 0;
	invlpg(va);
	return pa;
}

phys_addr_t kunmap_page(uintptr_t va)
{
	phys_addr_t pa = kunmap_page_local(va);

	if (pa)
		smp_flush_tlb_kernel();	/* kernel mappings are in every CPU's TLB */
	return pa;
}

/* Change @va's permissions here only: the caller flushes the other CPUs. */
int kprotect_page_local(uintptr_t va, uint64_t flags)
{
	uint64_t *pte = walk(va, 0);

	if (!pte || !(*pte & PTE_PRESENT))
		return -EINVAL;
	*pte = (*pte & PTE_ADDR_MASK) | flags | PTE_PRESENT;
	invlpg(va);
	return 0;
}

int kprotect_page(uintptr_t va, uint64_t flags)
{
	int err = kprotect_page_local(va, flags);

	if (!err)
		smp_flush_tlb_kernel();
	return err;
}

uint64_t kpte_lookup(uintptr_t va, int *level)
{
	uint64_t *t = table_va(read_cr3());	/* the live tables, even during boot */

	for (int lvl = 4, shift = 39; lvl >= 1; lvl--, shift -= 9) {
		uint64_t e = t[(va >> shift) & 511];

		if (!(e & PTE_PRESENT))
			return 0;
		if (lvl == 1 || (lvl <= 3 && (e & PTE_HUGE))) {
			if (level)
				*level = lvl;
			return e;
		}
		t = table_va(e);
	}
	return 0;
}

static int is_guard(uintptr_t va)
{
	for (unsigned int i = 0; i < nr_guard_pages; i++)
		if ((uintptr_t)guard_pages[i] == va)
			return 1;
	return 0;
}

static void map_image_range(char *start, char *end, uint64_t flags)
{
	for (uintptr_t va = (uintptr_t)start; va < (uintptr_t)end; va += PAGE_SIZE) {
		if (is_guard(va))
			continue;
		if (kmap_page(va, va - KERNEL_VMA, flags))
			panic("no-memory", "cannot map the kernel image at %#lx", va);
	}
}

/* Direct map [0, end): 2 MiB pages, 4 KiB around the kernel's read-only part. */
static void map_direct(uint64_t end)
{
	phys_addr_t ro_start = virt_to_phys(_text), ro_end = virt_to_phys(_erodata);

	for (uint64_t pa = 0; pa < end; pa += HUGE_PAGE_SIZE) {
		uintptr_t va = (uintptr_t)phys_to_virt(pa);
		uint64_t *pd;

		if (pa + HUGE_PAGE_SIZE <= ro_start || pa >= ro_end) {
			/* walk to the PD by creating a PT slot's parent, then set a huge entry */
			uint64_t *t = kernel_pml4;

			for (int shift = 39; shift > 21; shift -= 9) {
				uint64_t *e = &t[(va >> shift) & 511];

				if (!(*e & PTE_PRESENT)) {
					phys_addr_t tp = mm_alloc_table_page();

					if (!tp)
						panic("no-memory", "out of memory building the direct map");
					memset(table_va(tp), 0, PAGE_SIZE);
					*e = tp | PTE_PRESENT | PTE_WRITE;
				}
				t = table_va(*e);
			}
			pd = &t[(va >> 21) & 511];
			*pd = pa | PAGE_KERNEL_RW | PTE_HUGE;
			continue;
		}
		for (uint64_t p = pa; p < pa + HUGE_PAGE_SIZE; p += PAGE_SIZE) {
			uint64_t fl = (p >= ro_start && p < ro_end) ? PAGE_KERNEL_RO : PAGE_KERNEL_RW;

			if (kmap_page((uintptr_t)phys_to_virt(p), p, fl))
				panic("no-memory", "out of memory building the direct map");
		}
	}
}

/* Build and load the final kernel page tables. */
void paging_init(void)
{
	uint64_t end = 0x100000000ULL;

	for (unsigned int i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mem_region *r = &boot_info.mmap[i];

		if (r->type == BOOT_MEM_USABLE && r->base + r->len > end)
			end = r->base + r->len;
	}
	direct_map_end = ALIGN_UP(end, HUGE_PAGE_SIZE);
	paging_register_guard(boot_stack_guard);

	kernel_pml4 = table_va(mm_alloc_table_page());
	memset(kernel_pml4, 0, PAGE_SIZE);
	/* pre-create every kernel-half PML4 slot so all address spaces share them */
	for (int i = 256; i < 512; i++) {
		phys_addr_t pa = mm_alloc_table_page();

		memset(table_va(pa), 0, PAGE_SIZE);
		kernel_pml4[i] = pa | PTE_PRESENT | PTE_WRITE;
	}
	map_image_range(_text, _etext, PAGE_KERNEL_RX);
	map_image_range(_rodata, _erodata, PAGE_KERNEL_RO);
	map_image_range(_data, (char *)ALIGN_UP((uintptr_t)_ebss, PAGE_SIZE), PAGE_KERNEL_RW);
	map_image_range(_ksyms, _kernel_end, PAGE_KERNEL_RO);
	map_direct(direct_map_end);
	write_cr3((uintptr_t)kernel_pml4);
	kernel_pml4 = phys_to_virt((uintptr_t)kernel_pml4);
	direct_map_live = true;
	write_cr0(read_cr0() | CR0_WP);
}

static unsigned long scan(uint64_t *t, int lvl, uintptr_t base, uintptr_t *first)
{
	unsigned long bad = 0;

	for (int i = 0; i < 512; i++) {
		uint64_t e = t[i];
		uintptr_t va = base + ((uintptr_t)i << (12 + 9 * (lvl - 1)));

		if (lvl == 4 && i < 256)
			continue;		/* user half */
		if (lvl == 4 && i >= 256)
			va |= 0xffff000000000000UL;
		if (!(e & PTE_PRESENT))
			continue;
		if (lvl == 1 || (lvl <= 3 && (e & PTE_HUGE))) {
			if ((e & PTE_WRITE) && !(e & PTE_NX)) {
				if (!bad && first)
					*first = va;
				bad++;
			}
			continue;
		}
		bad += scan(table_va(e), lvl - 1, va, bad ? NULL : first);
	}
	return bad;
}

unsigned long paging_wx_scan(uintptr_t *first_bad)
{
	return scan(kernel_pml4, 4, 0, first_bad);
}
