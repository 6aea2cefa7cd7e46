/*
 * User page faults. A fault inside a mapping that allows the access is
 * served here: a missing page is allocated (zeroed, or filled from the
 * mapped file), a write to a copy-on-write page gets a private copy (or
 * the page itself when nobody else maps it any more). Anything else is the
 * caller's to report: SIGSEGV for user code, -EFAULT for the user-copy
 * helpers.
 */
#include <asm/pgtable.h>
#include <asm/smp.h>
#include "fs/vfs.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/mm.h"


static uint64_t pte_flags(const struct vma *v)
{
	uint64_t f = PTE_PRESENT | PTE_USER;

	if (v->flags & VM_WRITE)
		f |= PTE_WRITE;
	if (!(v->flags & VM_EXEC))
		f |= PTE_NX;
	return f;
}

static int fill_page(struct vma *v, uint64_t va, void *page)
{
	uint64_t delta = va - v->start;
	long n;

	memset(page, 0, PAGE_SIZE);
	if (!v->file || delta >= v->file_size)
		return 0;
	n = kernel_read(v->file, page, MIN(PAGE_SIZE, v->file_size - delta),
			v->file_off + delta);
	return n < 0 ? (int)n : 0;
}

static int break_cow(struct mm *mm, struct vma *v, uint64_t va, uint64_t *pte)
{
	phys_addr_t old = *pte & PTE_ADDR_MASK, new;

	if (page_ref_get(old) == 1) {
		*pte = (*pte & ~PTE_COW) | PTE_WRITE;
		uvm_flush(va);
		return 0;
	}
	new = pmm_alloc_page();
	if (!new)
		return -ENOMEM;
	memcpy(phys_to_virt(new), phys_to_virt(old), PAGE_SIZE);
	page_ref_set(new, 1);
	*pte = new | pte_flags(v);
	page_ref_dec(old);
	uvm_flush(va);
	return 0;
}

static int map_new_page(struct mm *mm, struct vma *v, uint64_t va, uint64_t *pte);

int mm_cow_remote(struct mm *mm, uint64_t va)
{
	struct vma *v = mm_find_vma(mm, va);
	uint64_t *pte;
	int err;

	va &= PAGE_MASK;
	if (!v || !(v->flags & VM_WRITE))
		return -EFAULT;
	pte = uvm_pte(mm->pml4, va, 0);
	if (!pte || !(*pte & PTE_PRESENT) || !(*pte & PTE_COW))
		return -EFAULT;
	err = break_cow(mm, v, va, pte);
	smp_flush_tlb_mm(mm);	/* the CPUs running @mm's other threads drop the old page */
	return err;
}

int mm_fault(uint64_t addr, bool write, bool exec)
{
	struct mm *mm = current->mm;
	uint64_t va = addr & PAGE_MASK, *pte;
	struct vma *v;

	if (!mm || addr >= USER_END)
		return -EFAULT;
	v = mm_find_vma(mm, addr);
	if (!v)
		return -EFAULT;
	if ((write && !(v->flags & VM_WRITE)) || (exec && !(v->flags & VM_EXEC)) ||
	    (!write && !exec && !(v->flags & (VM_READ | VM_WRITE | VM_EXEC))))
		return -EFAULT;
	pte = uvm_pte(mm->pml4, va, 1);
	if (!pte)
		return -ENOMEM;
	if (*pte & PTE_PRESENT) {
		if (write && (*pte & PTE_COW))
			return break_cow(mm, v, va, pte);
		if (write && !(*pte & PTE_WRITE))
			return -EFAULT;
		uvm_flush(va);		/* stale TLB entry: retry */
		return 0;
	}
	return map_new_page(mm, v, va, pte);
}

/* A fresh page (zeroed, or the file's data) at @va of @v, whose PTE slot is @pte. */
static int map_new_page(struct mm *mm, struct vma *v, uint64_t va, uint64_t *pte)
{
	phys_addr_t pa = pmm_alloc_page();

	if (!pa)
		return -ENOMEM;
	if (fill_page(v, va, phys_to_virt(pa))) {
		pmm_free_page(pa);
		return -EFAULT;
	}
	page_ref_set(pa, 1);
	*pte = pa | pte_flags(v);
	mm->rss_pages++;
	return 0;
}

/*
 * Give every page of the shared mapping @v of @mm a frame, before a fork
 * makes a second address space of it: a page first touched after the fork
 * must be the same page in both (there is no shared-memory object behind
 * MAP_SHARED anonymous memory that a later fault could find).
 */
int mm_populate_shared(struct mm *mm, struct vma *v)
{
	for (uint64_t va = v->start; va < v->end; va += PAGE_SIZE) {
		uint64_t *pte = uvm_pte(mm->pml4, va, 1);
		int err;

		if (!pte)
			return -ENOMEM;
		if (*pte & PTE_PRESENT)
			continue;
		err = map_new_page(mm, v, va, pte);
		if (err)
			return err;
	}
	return 0;
}
