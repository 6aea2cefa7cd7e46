/*
 * Memory management: the physical page allocator (buddy system over the
 * boot memory map), kmalloc for small objects and vmalloc for large,
 * virtually contiguous areas with guard pages.
 */
#ifndef MM_MM_H
#define MM_MM_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <asm/page.h>
#include "lib/list.h"
#include "mm/kmalloc.h"

/* Set up the page allocator, the kernel page tables, kmalloc and vmalloc. */
void mm_init(void);
void mm_print_summary(void);

/* 2^order contiguous physical pages; 0 when out of memory. */
phys_addr_t pmm_alloc_pages(unsigned int order);
void pmm_free_pages(phys_addr_t pa, unsigned int order);
static inline phys_addr_t pmm_alloc_page(void)
{
	return pmm_alloc_pages(0);
}
static inline void pmm_free_page(phys_addr_t pa)
{
	pmm_free_pages(pa, 0);
}
uint64_t pmm_free_count(void);	/* free pages */
uint64_t pmm_total_count(void);	/* pages handed to the allocator at boot */

/* Mapping counts of user pages: the last page_ref_dec frees the page. */
void page_ref_set(phys_addr_t pa, unsigned int n);
unsigned int page_ref_get(phys_addr_t pa);
void page_ref_inc(phys_addr_t pa);
void page_ref_dec(phys_addr_t pa);

/*
 * A RAM region kept out of the allocator for the panic record, at a fixed
 * physical address so the next boot finds it (kernel/pstore.c).
 */
#define PSTORE_PHYS	0xf00000UL
#define PSTORE_SIZE	0x10000UL
phys_addr_t pstore_phys(void);	/* 0 when RAM does not cover it */

/* A page for a page table: from the boot allocator early, the buddy later. */
phys_addr_t mm_alloc_table_page(void);

/* Virtually contiguous, page-granular, with an unmapped guard page after. */
void *vmalloc(size_t size);
void vfree(void *addr);
/* Like vmalloc, in the module area near the kernel image; free with vfree. */
void *module_alloc(size_t size);
/* A kernel stack of @size bytes with a guard page below; returns its base. */
void *vmalloc_stack(size_t size);
size_t vmalloc_used_pages(void);
void vmalloc_init(void);
void pmm_init(void);

/* --- user address spaces (mm/vma.c, mm/fault.c) ------------------------------ */
struct file;

#define VM_READ		0x1
#define VM_WRITE	0x2
#define VM_EXEC		0x4
#define VM_SHARED	0x8
#define VM_GROWSDOWN	0x10

/* One mapping: [start, end) with permissions, anonymous or from a file. */
struct vma {
	uint64_t start, end;
	unsigned int flags;		/* VM_* */
	struct file *file;		/* NULL for anonymous memory */
	uint64_t file_off;		/* file offset of start */
	uint64_t file_size;		/* bytes of file data (rest reads as zero) */
	struct list_head node;		/* in mm->vmas, sorted by start */
};

/* A process's user address space. */
struct mm {
	int refcount;
	phys_addr_t pml4;		/* top-level page table (kernel half shared) */
	struct list_head vmas;
	uint64_t brk_start, brk;
	uint64_t mmap_base;		/* next search start for mmap(NULL) */
	uint64_t start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;	/* for /proc/pid/cmdline */
	uint64_t rss_pages;		/* resident pages */
};

struct mm *mm_create(void);
struct mm *mm_fork(struct mm *parent);	/* copy-on-write duplicate */
void mm_put(struct mm *mm);
bool mm_switch(struct mm *mm);		/* load its page tables; true if CR3 changed */
bool mm_switch_kernel(void);		/* the kernel's tables only; the same */
int mm_populate_shared(struct mm *mm, struct vma *v);	/* before fork: every page present */
/* Read another process's memory (for /proc/pid/cmdline); bytes read or -errno. */
long mm_read(struct mm *mm, uint64_t addr, void *buf, size_t n);
uint64_t mm_total_vm_pages(struct mm *mm);
struct vma *mm_find_vma(struct mm *mm, uint64_t addr);
/*
 * Resolve a page fault at @addr in the current address space: demand-zero,
 * file read-in or copy-on-write. 0 when handled, -EFAULT when the access is
 * not allowed (the caller signals SIGSEGV or applies a fixup).
 */
int mm_fault(uint64_t addr, bool write, bool exec);
/*
 * Give @va of @mm, which is not the running task's, a private copy of its
 * copy-on-write page, so that the kernel may write into it for that task
 * (an IPC message for a server blocked in receive whose sibling forked).
 */
int mm_cow_remote(struct mm *mm, uint64_t va);
/* Map [start, start+len) in @mm; file may be NULL. Returns 0 or -errno. */
int mm_map(struct mm *mm, uint64_t start, uint64_t len, unsigned int flags,
	   struct file *file, uint64_t off, uint64_t file_size);
int mm_unmap(struct mm *mm, uint64_t start, uint64_t len);
/* Find a free range of @len bytes below the mmap base; 0 if none. */
uint64_t mm_find_free(struct mm *mm, uint64_t len);

#define USER_STACK_TOP	0x00007ffffffff000ULL
#define USER_STACK_SIZE	(8ULL << 20)
#define USER_MMAP_TOP	0x00007f0000000000ULL

#endif
