/*
 * User address spaces: the list of mappings (struct vma) of a process,
 * creating, splitting and removing them, duplicating an address space for
 * fork with copy-on-write, and the brk/mmap/munmap/mprotect system calls.
 * Pages are not allocated here; mm/fault.c brings them in on first touch.
 */
#include <asm/pgtable.h>
#include <asm/smp.h>
#include "fs/vfs.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/string.h"
#include "mm/mm.h"

#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define MAP_GROWSDOWN	0x100
#define MAP_NORESERVE	0x4000
#define MAP_POPULATE	0x8000
#define MAP_FIXED_NOREPLACE 0x100000

struct mm *mm_create(void)
{
	struct mm *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	mm->pml4 = uvm_create();
	if (!mm->pml4) {
		kfree(mm);
		return NULL;
	}
	mm->refcount = 1;
	mm->mmap_base = USER_MMAP_TOP;
	list_init(&mm->vmas);
	return mm;
}

/* Load @mm's page tables on this CPU, if they are not loaded already; true if CR3 changed. */
bool mm_switch(struct mm *mm)
{
	struct percpu *c = this_cpu();

	if (c->active_mm == mm)
		return false;
	c->active_mm = mm;	/* before CR3: a shootdown from now on includes this CPU */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uvm_activate(mm->pml4);
	return true;
}

/*
 * Only the kernel's tables on this CPU (a kernel thread, idle, or the mm
 * is going); true if CR3 changed.
 */
bool mm_switch_kernel(void)
{
	struct percpu *c = this_cpu();

	if (!c->active_mm)
		return false;
	uvm_activate(kernel_pml4_phys());
	c->active_mm = NULL;
	return true;
}

static struct vma *vma_find(struct mm *mm, uint64_t addr)
{
	struct vma *v;

	list_for_each_entry(v, &mm->vmas, node)
		if (addr >= v->start && addr < v->end)
			return v;
	return NULL;
}

struct vma *mm_find_vma(struct mm *mm, uint64_t addr)
{
	return vma_find(mm, addr);
}

static void vma_insert(struct mm *mm, struct vma *nv)
{
	struct vma *v;
	struct list_head *before = &mm->vmas;

	list_for_each_entry(v, &mm->vmas, node) {
		if (v->start > nv->start)
			break;
		before = &v->node;
	}
	list_add(&nv->node, before);
}

/* Drop the pages mapped in [start, end) of @mm. */
static void unmap_pages(struct mm *mm, uint64_t start, uint64_t end)
{
	uint64_t *pte;

	for (uint64_t va = start; (pte = uvm_next_pte(mm->pml4, &va, end)); va += PAGE_SIZE) {
		page_ref_dec(*pte & PTE_ADDR_MASK);
		*pte = 0;
		mm->rss_pages--;
		if (current->mm == mm)
			uvm_flush(va);
	}
}

static struct vma *vma_clone(const struct vma *v)
{
	struct vma *n = kmalloc(sizeof(*n));

	if (!n)
		return NULL;
	*n = *v;
	if (n->file)
		file_get(n->file);
	return n;
}

static void vma_free(struct vma *v)
{
	if (v->file)
		file_put(v->file);
	kfree(v);
}

/* Split @v at @addr (inside it); the new upper part follows it in the list. */
static int vma_split(struct vma *v, uint64_t addr)
{
	struct vma *hi = vma_clone(v);
	uint64_t delta = addr - v->start;

	if (!hi)
		return -ENOMEM;
	hi->start = addr;
	hi->file_off = v->file_off + delta;
	hi->file_size = v->file_size > delta ? v->file_size - delta : 0;
	v->end = addr;
	v->file_size = MIN(v->file_size, delta);
	list_add(&hi->node, &v->node);
	return 0;
}

int mm_unmap(struct mm *mm, uint64_t start, uint64_t len)
{
	uint64_t end = start + PAGE_ALIGN(len);
	struct list_head *pos = mm->vmas.next;

	if ((start & ~PAGE_MASK) || !len || end > USER_END || end < start)
		return -EINVAL;
	while (pos != &mm->vmas) {
		struct vma *v = list_entry(pos, struct vma, node);

		if (v->end <= start || v->start >= end) {
			pos = pos->next;
			continue;
		}
		if (v->start < start) {
			/* keep the part below; the upper part is next in the list */
			if (vma_split(v, start))
				return -ENOMEM;
			pos = pos->next;
			continue;
		}
		if (v->end > end && vma_split(v, end))
			return -ENOMEM;
		pos = pos->next;
		unmap_pages(mm, v->start, v->end);
		list_del(&v->node);
		vma_free(v);
	}
	return 0;
}

int mm_map(struct mm *mm, uint64_t start, uint64_t len, unsigned int flags,
	   struct file *file, uint64_t off, uint64_t file_size)
{
	struct vma *v;

	len = PAGE_ALIGN(len);
	if ((start & ~PAGE_MASK) || !len || start + len > USER_END || start + len < start)
		return -EINVAL;
	mm_unmap(mm, start, len);
	v = kzalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->start = start;
	v->end = start + len;
	v->flags = flags;
	v->file = file ? file_get(file) : NULL;
	v->file_off = off;
	v->file_size = file_size;
	vma_insert(mm, v);
	return 0;
}

uint64_t mm_find_free(struct mm *mm, uint64_t len)
{
	uint64_t top = mm->mmap_base;
	struct vma *v;

	len = PAGE_ALIGN(len);
	/* top-down: walk the mappings from the highest, look for a gap below top */
	for (;;) {
		uint64_t cand = top - len;
		bool clash = false;

		if (len > top || cand < 0x10000000ULL)
			return 0;
		list_for_each_entry(v, &mm->vmas, node) {
			if (v->start < top && v->end > cand) {
				top = v->start;
				clash = true;
				break;
			}
		}
		if (!clash)
			return cand;
	}
}

/* fork: share every page copy-on-write (shared mappings stay shared). */
struct mm *mm_fork(struct mm *parent)
{
	struct mm *mm = mm_create();
	struct vma *v;

	if (!mm)
		return NULL;
	mm->brk_start = parent->brk_start;
	mm->brk = parent->brk;
	mm->mmap_base = parent->mmap_base;
	mm->start_stack = parent->start_stack;
	mm->arg_start = parent->arg_start;
	mm->arg_end = parent->arg_end;
	mm->env_start = parent->env_start;
	mm->env_end = parent->env_end;
	list_for_each_entry(v, &parent->vmas, node) {
		struct vma *n;
		uint64_t *src;

		if ((v->flags & VM_SHARED) && !v->file &&
		    mm_populate_shared(parent, v))
			goto fail;
		n = vma_clone(v);
		if (!n)
			goto fail;
		list_add_tail(&n->node, &mm->vmas);
		for (uint64_t va = v->start; (src = uvm_next_pte(parent->pml4, &va, v->end));
		     va += PAGE_SIZE) {
			uint64_t *dst = uvm_pte(mm->pml4, va, 1);

			if (!dst)
				goto fail;
			if (!(v->flags & VM_SHARED) && (*src & PTE_WRITE))
				*src = (*src & ~PTE_WRITE) | PTE_COW;
			*dst = *src;
			page_ref_inc(*src & PTE_ADDR_MASK);
			mm->rss_pages++;
		}
	}
	uvm_flush_all();
	return mm;
fail:
	mm_put(mm);
	return NULL;
}

void mm_put(struct mm *mm)
{
	struct vma *v, *tmp;

	if (!mm || --mm->refcount > 0)
		return;
	list_for_each_entry_safe(v, tmp, &mm->vmas, node) {
		unmap_pages(mm, v->start, v->end);
		list_del(&v->node);
		vma_free(v);
	}
	if (this_cpu()->active_mm == mm)
		mm_switch_kernel();
	smp_drop_mm(mm);	/* no other CPU may keep the tables loaded either */
	uvm_destroy(mm->pml4);
	kfree(mm);
}

uint64_t mm_total_vm_pages(struct mm *mm)
{
	uint64_t n = 0;
	struct vma *v;

	list_for_each_entry(v, &mm->vmas, node)
		n += (v->end - v->start) >> PAGE_SHIFT;
	return n;
}

long mm_read(struct mm *mm, uint64_t addr, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		uint64_t va = addr + done;
		uint64_t *pte = uvm_pte(mm->pml4, va & PAGE_MASK, 0);
		size_t chunk = MIN(n - done, PAGE_SIZE - (va & ~PAGE_MASK));

		if (!pte || !(*pte & PTE_PRESENT))
			break;
		memcpy((char *)buf + done,
		       (char *)phys_to_virt(*pte & PTE_ADDR_MASK) + (va & ~PAGE_MASK), chunk);
		done += chunk;
	}
	return done ? (long)done : -EFAULT;
}

static unsigned int prot_to_vm(unsigned long prot)
{
	return ((prot & PROT_READ) ? VM_READ : 0) | ((prot & PROT_WRITE) ? VM_WRITE : 0) |
	       ((prot & PROT_EXEC) ? VM_EXEC : 0);
}

SYSCALL_DEFINE1(brk, unsigned long, addr)
{
	struct mm *mm = current->mm;
	uint64_t old_end = PAGE_ALIGN(mm->brk), new_end = PAGE_ALIGN(addr);

	if (addr < mm->brk_start || addr >= USER_MMAP_TOP - USER_STACK_SIZE)
		return mm->brk;
	if (new_end > old_end) {
		struct vma *v;

		list_for_each_entry(v, &mm->vmas, node)
			if (v->start < new_end && v->end > old_end)
				return mm->brk;		/* would overlap a mapping */
		if (mm_map(mm, old_end, new_end - old_end, VM_READ | VM_WRITE, NULL, 0, 0))
			return mm->brk;
	} else if (new_end < old_end) {
		mm_unmap(mm, new_end, old_end - new_end);
	}
	mm->brk = addr;
	return addr;
}

SYSCALL_DEFINE6(mmap, unsigned long, addr, unsigned long, len, unsigned long, prot,
		unsigned long, flags, int, fd, unsigned long, off)
{
	struct mm *mm = current->mm;
	struct file *file = NULL;
	unsigned int vmflags = prot_to_vm(prot);
	uint64_t file_size = 0;
	int err;

	if (!len || (off & ~PAGE_MASK) || len > USER_END)
		return -EINVAL;
	if (!(flags & (MAP_SHARED | MAP_PRIVATE)))
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!(flags & MAP_ANONYMOUS)) {
		file = fd_get(fd);
		if (!file)
			return -EBADF;
		if (!S_ISREG(file->inode->mode))
			return -ENODEV;
		if ((file->flags & O_ACCMODE) == O_WRONLY)
			return -EACCES;
		if ((flags & MAP_SHARED) && (prot & PROT_WRITE))
			return -EACCES;		/* no write-back to files yet */
		file_size = file->inode->size > off ? file->inode->size - off : 0;
	} else if (flags & MAP_SHARED) {
		vmflags |= VM_SHARED;
	}
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & ~PAGE_MASK)
			return -EINVAL;
		if ((flags & MAP_FIXED_NOREPLACE)) {
			struct vma *v;

			list_for_each_entry(v, &mm->vmas, node)
				if (v->start < addr + len && v->end > addr)
					return -EEXIST;
		}
	} else {
		addr = mm_find_free(mm, len);
		if (!addr)
			return -ENOMEM;
	}
	err = mm_map(mm, addr, len, vmflags, file, off, file_size);
	return err ? err : (long)addr;
}

SYSCALL_DEFINE2(munmap, unsigned long, addr, unsigned long, len)
{
	return mm_unmap(current->mm, addr, len);
}

SYSCALL_DEFINE3(mprotect, unsigned long, addr, unsigned long, len, unsigned long, prot)
{
	struct mm *mm = current->mm;
	uint64_t end = addr + PAGE_ALIGN(len);
	unsigned int vmflags = prot_to_vm(prot);
	struct vma *v;

	if ((addr & ~PAGE_MASK) || end < addr || end > USER_END)
		return -EINVAL;
	/* the whole range must be mapped */
	for (uint64_t a = addr; a < end;) {
		v = vma_find(mm, a);
		if (!v)
			return -ENOMEM;
		a = v->end;
	}
	list_for_each_entry(v, &mm->vmas, node) {
		if (v->end <= addr || v->start >= end)
			continue;
		if (v->start < addr) {
			if (vma_split(v, addr))
				return -ENOMEM;
			continue;
		}
		if (v->end > end && vma_split(v, end))
			return -ENOMEM;
		v->flags = (v->flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | vmflags;
		for (uint64_t va = v->start, *pte; (pte = uvm_next_pte(mm->pml4, &va, v->end));
		     va += PAGE_SIZE) {
			/* drop write (COW pages regain it in the fault handler) */
			if (!(vmflags & VM_WRITE) || (*pte & PTE_COW))
				*pte &= ~PTE_WRITE;
			else
				*pte |= PTE_WRITE;
			if (vmflags & VM_EXEC)
				*pte &= ~PTE_NX;
			else
				*pte |= PTE_NX;
			uvm_flush(va);
		}
	}
	return 0;
}

SYSCALL_DEFINE3(madvise, unsigned long, addr, unsigned long, len, int, advice)
{
	return 0;
}

#define MREMAP_MAYMOVE	1
#define MREMAP_FIXED	2

static bool range_free(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v;

	list_for_each_entry(v, &mm->vmas, node)
		if (v->start < end && v->end > start)
			return false;
	return end <= USER_END && end > start;
}

/* Move the page-table entries of [from, from+len) to [to, to+len). */
static int move_ptes(struct mm *mm, uint64_t from, uint64_t to, uint64_t len)
{
	uint64_t *src;

	for (uint64_t va = from; (src = uvm_next_pte(mm->pml4, &va, from + len)); va += PAGE_SIZE) {
		uint64_t *dst = uvm_pte(mm->pml4, to + (va - from), 1);

		if (!dst)
			return -ENOMEM;
		*dst = *src;
		*src = 0;
		uvm_flush(va);
	}
	return 0;
}

SYSCALL_DEFINE5(mremap, unsigned long, old, unsigned long, old_len, unsigned long, new_len,
		unsigned long, flags, unsigned long, new_addr)
{
	struct mm *mm = current->mm;
	struct vma *v, *nv;
	uint64_t target;

	if ((old & ~PAGE_MASK) || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) || !new_len)
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	v = vma_find(mm, old);
	if (!v || old + old_len > v->end || !old_len)
		return -EFAULT;
	if (!(flags & MREMAP_FIXED)) {
		if (new_len <= old_len) {
			if (new_len < old_len)
				mm_unmap(mm, old + new_len, old_len - new_len);
			return old;
		}
		if (old + old_len == v->end && range_free(mm, v->end, old + new_len)) {
			v->end = old + new_len;		/* grow in place */
			return old;
		}
		if (!(flags & MREMAP_MAYMOVE))
			return -ENOMEM;
		target = mm_find_free(mm, new_len);
		if (!target)
			return -ENOMEM;
	} else {
		target = new_addr;
		if ((target & ~PAGE_MASK) || (target < old + old_len && target + new_len > old))
			return -EINVAL;
		mm_unmap(mm, target, new_len);
	}
	nv = vma_clone(v);
	if (!nv)
		return -ENOMEM;
	nv->file_off = v->file_off + (old - v->start);
	nv->file_size = v->file_size > old - v->start ? v->file_size - (old - v->start) : 0;
	nv->start = target;
	nv->end = target + new_len;
	if (move_ptes(mm, old, target, MIN(old_len, new_len))) {
		vma_free(nv);
		return -ENOMEM;
	}
	vma_insert(mm, nv);
	mm_unmap(mm, old, old_len);	/* its pages moved; this drops the mapping */
	return target;
}
