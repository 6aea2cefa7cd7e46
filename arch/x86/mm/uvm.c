/*
 * Page tables of user address spaces. Every process has its own PML4 whose
 * lower half (entries 0-255) maps its user memory and whose upper half is a
 * copy of the kernel's entries, which paging_init pre-created so they never
 * change: all processes share one kernel mapping.
 */
#include <asm/cpu.h>
#include <asm/pgtable.h>
#include <asm/smp.h>
#include "kernel/kernel.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/mm.h"

phys_addr_t uvm_create(void)
{
	phys_addr_t pa = pmm_alloc_page();
	uint64_t *t, *k;

	if (!pa)
		return 0;
	t = phys_to_virt(pa);
	k = phys_to_virt(kernel_pml4_phys());
	memset(t, 0, PAGE_SIZE / 2);
	memcpy(t + 256, k + 256, PAGE_SIZE / 2);
	return pa;
}

static void free_level(uint64_t *t, int level)
{
	for (int i = 0; i < 512; i++) {
		if (!(t[i] & PTE_PRESENT) || (t[i] & PTE_HUGE))
			continue;
		if (level > 2)
			free_level(phys_to_virt(t[i] & PTE_ADDR_MASK), level - 1);
		pmm_free_page(t[i] & PTE_ADDR_MASK);
	}
}

void uvm_destroy(phys_addr_t pml4)
{
	uint64_t *t = phys_to_virt(pml4);

	for (int i = 0; i < 256; i++) {
		if (!(t[i] & PTE_PRESENT))
			continue;
		free_level(phys_to_virt(t[i] & PTE_ADDR_MASK), 3);
		pmm_free_page(t[i] & PTE_ADDR_MASK);
	}
	pmm_free_page(pml4);
}

uint64_t *uvm_pte(phys_addr_t pml4, uintptr_t va, int create)
{
	if (va >= USER_END)
		return NULL;
	return pt_walk(phys_to_virt(pml4), va, create, PTE_PRESENT | PTE_WRITE | PTE_USER);
}

/*
 * The first present leaf entry of @pml4 at or above *@va and below @end,
 * with *@va set to its address; NULL when there is none. Empty tables are
 * skipped whole (512 GiB, 1 GiB or 2 MiB at a time), so a walk over a huge
 * sparse range costs what is mapped in it, not its size.
 */
uint64_t *uvm_next_pte(phys_addr_t pml4, uint64_t *va, uint64_t end)
{
	uint64_t a = *va;

	if (end > USER_END)
		end = USER_END;
	while (a < end) {
		uint64_t *t = phys_to_virt(pml4);
		int shift;

		for (shift = 39; shift > 12; shift -= 9) {
			uint64_t e = t[(a >> shift) & 511];

			if (!(e & PTE_PRESENT) || (e & PTE_HUGE))
				break;
			t = phys_to_virt(e & PTE_ADDR_MASK);
		}
		if (shift > 12) {	/* no table below this level: skip its span */
			uint64_t next = (a | ((1ULL << shift) - 1)) + 1;

			if (next <= a)
				break;
			a = next;
			continue;
		}
		for (unsigned int i = (a >> 12) & 511; i < 512 && a < end; i++, a += PAGE_SIZE) {
			if (t[i] & PTE_PRESENT) {
				*va = a;
				return &t[i];
			}
		}
	}
	*va = end;
	return NULL;
}

void uvm_activate(phys_addr_t pml4)
{
	write_cr3(pml4);
}

/*
 * A user mapping of the running task's mm changed: flush it here and on
 * every other CPU running a thread of the same mm (a TLB shootdown by IPI;
 * the others reload CR3). Callers hold the big kernel lock.
 */
void uvm_flush(uintptr_t va)
{
	invlpg(va);
	if (current->mm)
		smp_flush_tlb_mm(current->mm);
}

void uvm_flush_all(void)
{
	write_cr3(read_cr3());
	if (current->mm)
		smp_flush_tlb_mm(current->mm);
}
