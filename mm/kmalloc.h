/*
 * Kernel heap: kmalloc/kfree with built-in debugging.
 *
 * Requests up to 2048 bytes come from per-size-class slabs of one 4 KiB page;
 * larger ones get a whole block of 2^order pages. Every object carries a
 * header and a red zone, freed memory is poisoned, and misuse (overrun,
 * double free, write after free, bad pointer) is reported through
 * kmalloc_report(). Pages come from the two backend hooks below.
 */
#ifndef BASALT_MM_KMALLOC_H
#define BASALT_MM_KMALLOC_H

#include <stddef.h>
#include <stdint.h>

#define KMALLOC_NR_CLASSES	8	/* 16, 32, ..., 2048 bytes */
#define KMALLOC_MIN_CLASS	16
#define KMALLOC_MAX_SLAB_SIZE	2048
#define KMALLOC_MAX_ORDER	10	/* largest block asked of the backend */
#define KMALLOC_ALIGN		16	/* alignment of every object */
#define KMALLOC_POISON		0x6b	/* fill of freed objects */
#define KMALLOC_REDZONE_BYTE	0xcc	/* fill after the requested size */

/* Kinds of misuse; kmalloc_check() returns one of these or 0. */
enum kmalloc_error {
	KMALLOC_REDZONE = 1,	/* red zone or object header overwritten */
	KMALLOC_DOUBLE_FREE,	/* object freed twice */
	KMALLOC_USE_AFTER_FREE,	/* freed object written, or checked after free */
	KMALLOC_BAD_FREE,	/* pointer is not the start of a kmalloc object */
};

struct kmalloc_stats {
	uint64_t bytes_in_use;			/* sum of requested sizes */
	uint64_t objects[KMALLOC_NR_CLASSES];	/* live objects, class 16 << i */
	uint64_t large_objects;			/* live page-block objects */
	uint64_t slab_pages;			/* pages held by slabs, incl. empty */
	uint64_t large_pages;			/* pages held by large objects */
};

/*
 * Backend, implemented by the kernel (or a host test). kmalloc_page_alloc
 * returns a virtual address aligned to 4 KiB of 2^order mapped pages, or
 * NULL; kmalloc_page_free takes back exactly what it handed out.
 */
void *kmalloc_page_alloc(unsigned int order);
void kmalloc_page_free(void *va, unsigned int order);

/*
 * Called on detected misuse with a reason from enum kmalloc_error, the
 * pointer involved and a one-line description. The kernel panics; host
 * tests record the report. If it returns, kmalloc/kfree carry on as
 * documented at each call site.
 */
void kmalloc_report(int reason, const void *ptr, const char *detail);

void *kmalloc(size_t size);
void *kzalloc(size_t size);
/*
 * Called by kfree before an object is poisoned (kernel/timer.c): an armed
 * timer or queued work item inside [addr, addr+size) is cancelled with a
 * warning, as Linux's debug objects do, so the kernel's lists never point
 * into freed memory. Weak: absent in host builds.
 */
void debug_check_no_obj_freed(const void *addr, size_t size, void *caller)
	__attribute__((weak));
void kfree(void *ptr);
size_t ksize(const void *ptr);
int kmalloc_check(const void *ptr);
void kmalloc_stats(struct kmalloc_stats *st);

#endif
