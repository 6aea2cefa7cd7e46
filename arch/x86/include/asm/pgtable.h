/*
 * x86-64 four-level page tables as seen by generic mm code: entry flags and
 * the map/unmap/lookup operations on the kernel's address space (and later
 * on per-process ones).
 */
#ifndef ASM_PGTABLE_H
#define ASM_PGTABLE_H

#include <stdint.h>
#include <asm/page.h>

#define PTE_PRESENT	(1ULL << 0)
#define PTE_WRITE	(1ULL << 1)
#define PTE_USER	(1ULL << 2)
#define PTE_PWT		(1ULL << 3)
#define PTE_PCD		(1ULL << 4)
#define PTE_ACCESSED	(1ULL << 5)
#define PTE_DIRTY	(1ULL << 6)
#define PTE_HUGE	(1ULL << 7)
#define PTE_GLOBAL	(1ULL << 8)
#define PTE_NX		(1ULL << 63)
#define PTE_ADDR_MASK	0x000ffffffffff000ULL

#define PAGE_KERNEL_RW	(PTE_PRESENT | PTE_WRITE | PTE_NX | PTE_GLOBAL)
#define PAGE_KERNEL_RO	(PTE_PRESENT | PTE_NX | PTE_GLOBAL)
#define PAGE_KERNEL_RX	(PTE_PRESENT | PTE_GLOBAL)
#define PAGE_KERNEL_IO	(PAGE_KERNEL_RW | PTE_PCD | PTE_PWT)

/* Map one 4 KiB page in the kernel half; 0 or -ENOMEM/-EEXIST. */
int kmap_page(uintptr_t va, phys_addr_t pa, uint64_t flags);
/* Unmap one 4 KiB page; returns its physical address or 0 if none. */
phys_addr_t kunmap_page(uintptr_t va);
phys_addr_t kunmap_page_local(uintptr_t va);	/* no flush on the other CPUs */
int kprotect_page_local(uintptr_t va, uint64_t flags);
/* Change the flags of a mapped 4 KiB page; 0 or -EINVAL. */
int kprotect_page(uintptr_t va, uint64_t flags);
/*
 * The leaf entry mapping @va and its level (1 = 4 KiB, 2 = 2 MiB,
 * 3 = 1 GiB), or 0 if unmapped.
 */
uint64_t kpte_lookup(uintptr_t va, int *level);
/* The 4 KiB entry for @va under top-level table @top (see paging.c). */
uint64_t *pt_walk(uint64_t *top, uintptr_t va, int create, uint64_t table_flags);
/* Count kernel mappings that are both writable and executable. */
unsigned long paging_wx_scan(uintptr_t *first_bad);
phys_addr_t kernel_pml4_phys(void);

#endif

/* --- user address spaces (arch/x86/mm/uvm.c) -------------------------------- */
/* A new top-level table sharing the kernel half; 0 when out of memory. */
phys_addr_t uvm_create(void);
/* Free every user-half table (not the pages they map) and the top level. */
void uvm_destroy(phys_addr_t pml4);
/* The 4 KiB leaf entry for @va in @pml4, created on demand if @create. */
uint64_t *uvm_pte(phys_addr_t pml4, uintptr_t va, int create);
/* The next present leaf entry in [*va, end), *va set to its address; NULL if none. */
uint64_t *uvm_next_pte(phys_addr_t pml4, uint64_t *va, uint64_t end);
void uvm_activate(phys_addr_t pml4);
void uvm_flush(uintptr_t va);
void uvm_flush_all(void);

#define PAGE_USER_RW	(PTE_PRESENT | PTE_USER | PTE_WRITE | PTE_NX)
#define PAGE_USER_RO	(PTE_PRESENT | PTE_USER | PTE_NX)
#define PTE_COW		(1ULL << 9)	/* software bit: shared copy-on-write */
