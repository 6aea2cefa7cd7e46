/*
 * In-kernel memory tests: the buddy allocator on real RAM, kmalloc's
 * debugging checks, vmalloc guard pages, and the kernel page tables'
 * permissions (W^X, guard pages, no identity map).
 */
#include <asm/pgtable.h>
#include "kernel/ktest.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/mm.h"

extern char _text[], _etext[], _rodata[], _erodata[], _data[];
extern char boot_stack_guard[];

KTEST(pmm_alloc_free)
{
	uint64_t before = pmm_free_count();
	phys_addr_t pa[11];

	for (unsigned int order = 0; order <= 10; order++) {
		pa[order] = pmm_alloc_pages(order);
		KT_ASSERT(pa[order] != 0);
		KT_ASSERT((pa[order] & ((PAGE_SIZE << order) - 1)) == 0);
		memset(phys_to_virt(pa[order]), (int)order, PAGE_SIZE << order);
	}
	for (unsigned int order = 0; order <= 10; order++) {
		const uint8_t *p = phys_to_virt(pa[order]);

		for (size_t i = 0; i < (PAGE_SIZE << order); i += 512)
			KT_ASSERT_EQ(p[i], order);	/* no two blocks overlap */
		pmm_free_pages(pa[order], order);
	}
	KT_ASSERT_EQ(pmm_free_count(), before);
	return 0;
}

KTEST(pmm_stress)
{
	static phys_addr_t held[512];
	static uint8_t order_of[512];
	uint64_t before = pmm_free_count(), seed = 12345;

	memset(held, 0, sizeof(held));
	for (int op = 0; op < 20000; op++) {
		unsigned int i;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		i = (seed >> 33) % 512;
		if (held[i]) {
			KT_ASSERT_EQ(*(uint64_t *)phys_to_virt(held[i]), held[i]);
			pmm_free_pages(held[i], order_of[i]);
			held[i] = 0;
		} else {
			order_of[i] = (seed >> 20) % 4;
			held[i] = pmm_alloc_pages(order_of[i]);
			KT_ASSERT(held[i] != 0);
			*(uint64_t *)phys_to_virt(held[i]) = held[i];
		}
	}
	for (int i = 0; i < 512; i++)
		if (held[i])
			pmm_free_pages(held[i], order_of[i]);
	KT_ASSERT_EQ(pmm_free_count(), before);
	return 0;
}

KTEST(kmalloc_sizes)
{
	static void *p[64];
	struct kmalloc_stats before, after;

	kmalloc_stats(&before);
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 64; i++) {
			size_t sz = 1 + (size_t)i * 97 * (round + 1);

			p[i] = kmalloc(sz);
			KT_ASSERT(p[i] != NULL);
			KT_ASSERT(((uintptr_t)p[i] & 15) == 0);
			memset(p[i], i, sz);
			KT_ASSERT_EQ(kmalloc_check(p[i]), 0);
		}
		for (int i = 0; i < 64; i++)
			kfree(p[i]);
	}
	kmalloc_stats(&after);
	KT_ASSERT_EQ(after.bytes_in_use, before.bytes_in_use);
	return 0;
}

KTEST(kmalloc_redzone_detected)
{
	char *p = kmalloc(40);

	KT_ASSERT(p != NULL);
	KT_ASSERT_EQ(kmalloc_check(p), 0);
	char saved = p[40];

	p[40] = 'X';			/* one byte past the object */
	KT_ASSERT_EQ(kmalloc_check(p), KMALLOC_REDZONE);
	p[40] = saved;
	KT_ASSERT_EQ(kmalloc_check(p), 0);
	kfree(p);
	return 0;
}

KTEST(kmalloc_freed_object_detected)
{
	char *p = kmalloc(100);

	KT_ASSERT(p != NULL);
	kfree(p);
	KT_ASSERT_EQ(kmalloc_check(p), KMALLOC_USE_AFTER_FREE);
	KT_ASSERT(kmalloc_check(p + 1) != 0);	/* not an object start */
	return 0;
}

KTEST(vmalloc_guard_pages)
{
	size_t used = vmalloc_used_pages();
	uint8_t *p = vmalloc(5 * PAGE_SIZE + 1);
	uintptr_t va = (uintptr_t)p;

	KT_ASSERT(p != NULL);
	KT_ASSERT_EQ(vmalloc_used_pages(), used + 6);
	memset(p, 0x5a, 6 * PAGE_SIZE);
	KT_ASSERT(kpte_lookup(va - PAGE_SIZE, NULL) == 0);
	KT_ASSERT(kpte_lookup(va + 6 * PAGE_SIZE, NULL) == 0);
	KT_ASSERT(kpte_lookup(va, NULL) & PTE_NX);
	vfree(p);
	KT_ASSERT(kpte_lookup(va, NULL) == 0);
	KT_ASSERT_EQ(vmalloc_used_pages(), used);
	return 0;
}

KTEST(paging_kernel_permissions)
{
	int level;
	uint64_t e;

	e = kpte_lookup((uintptr_t)_text, &level);
	KT_ASSERT((e & PTE_PRESENT) && !(e & PTE_WRITE) && !(e & PTE_NX));
	KT_ASSERT_EQ(level, 1);
	e = kpte_lookup((uintptr_t)_rodata, NULL);
	KT_ASSERT((e & PTE_PRESENT) && !(e & PTE_WRITE) && (e & PTE_NX));
	e = kpte_lookup((uintptr_t)_data, NULL);
	KT_ASSERT((e & PTE_PRESENT) && (e & PTE_WRITE) && (e & PTE_NX));
	/* the direct-map alias of kernel text is read-only too */
	e = kpte_lookup((uintptr_t)phys_to_virt(virt_to_phys(_text)), NULL);
	KT_ASSERT((e & PTE_PRESENT) && !(e & PTE_WRITE) && (e & PTE_NX));
	return 0;
}

KTEST(paging_wx_clean)
{
	uintptr_t bad = 0;

	KT_ASSERT_EQ(paging_wx_scan(&bad), 0);
	return 0;
}

KTEST(paging_guards_and_null)
{
	KT_ASSERT(kpte_lookup((uintptr_t)boot_stack_guard, NULL) == 0);
	KT_ASSERT(kpte_lookup(0, NULL) == 0);		/* no identity map left */
	KT_ASSERT(kpte_lookup(0x200000, NULL) == 0);
	return 0;
}

KTEST(paging_map_unmap)
{
	phys_addr_t pa = pmm_alloc_page();
	uintptr_t va = VMALLOC_END - 16 * PAGE_SIZE;

	KT_ASSERT(pa != 0);
	KT_ASSERT_EQ(kmap_page(va, pa, PAGE_KERNEL_RW), 0);
	KT_ASSERT_EQ(kmap_page(va, pa, PAGE_KERNEL_RW), -EEXIST);
	*(volatile uint64_t *)va = 0x1122334455667788ULL;
	KT_ASSERT_EQ(*(uint64_t *)phys_to_virt(pa), 0x1122334455667788ULL);
	KT_ASSERT_EQ(kprotect_page(va, PAGE_KERNEL_RO), 0);
	KT_ASSERT(!(kpte_lookup(va, NULL) & PTE_WRITE));
	KT_ASSERT_EQ(kunmap_page(va), pa);
	KT_ASSERT(kpte_lookup(va, NULL) == 0);
	pmm_free_page(pa);
	return 0;
}

KTEST(paging_wx_scan_detects)
{
	phys_addr_t pa = pmm_alloc_page();
	uintptr_t va = VMALLOC_END - 32 * PAGE_SIZE, bad = 0;

	KT_ASSERT(pa != 0);
	/* a deliberately writable and executable mapping */
	KT_ASSERT_EQ(kmap_page(va, pa, PTE_PRESENT | PTE_WRITE), 0);
	KT_ASSERT_EQ(paging_wx_scan(&bad), 1);
	KT_ASSERT_EQ(bad, va);
	KT_ASSERT_EQ(kunmap_page(va), pa);
	KT_ASSERT_EQ(paging_wx_scan(&bad), 0);
	pmm_free_page(pa);
	return 0;
}
