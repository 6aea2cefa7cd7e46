/*
 * Virtual memory layout constants (docs/memory-layout.md) and the
 * physical <-> virtual conversions of the direct map.
 *
 *   0x0000000000000000 - 0x00007fffffffffff  user space
 *   0xffff888000000000 - ...                 direct map of physical memory
 *   0xffffc90000000000 - 0xffffe8ffffffffff  vmalloc (stacks, large areas)
 *   0xffffffff80000000 - 0xffffffff9fffffff  kernel image (-2 GiB)
 *   0xffffffffa0000000 - 0xfffffffffeffffff  modules (within +-2 GiB of text)
 */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#include <stdint.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define HUGE_PAGE_SIZE	(1UL << 21)

#define KERNEL_VMA	0xffffffff80000000UL
#define PHYS_MAP_BASE	0xffff888000000000UL
#define VMALLOC_START	0xffffc90000000000UL
#define VMALLOC_END	0xffffe90000000000UL
#define MODULES_START	0xffffffffa0000000UL
#define MODULES_END	0xffffffffff000000UL
#define USER_END	0x0000800000000000UL

#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & PAGE_MASK)

typedef uint64_t phys_addr_t;

static inline void *phys_to_virt(phys_addr_t pa)
{
	return (void *)(pa + PHYS_MAP_BASE);
}

/* Valid for direct-map and kernel-image addresses, not vmalloc ones. */
static inline phys_addr_t virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;

	if (v >= KERNEL_VMA)
		return v - KERNEL_VMA;
	return v - PHYS_MAP_BASE;
}

#endif
