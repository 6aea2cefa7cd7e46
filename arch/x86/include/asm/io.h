/*
 * Port I/O and memory-mapped I/O accessors. The only way generic code talks
 * to x86 I/O ports; MMIO accessors are volatile so the compiler neither
 * merges nor reorders device accesses.
 */
#ifndef ASM_IO_H
#define ASM_IO_H

#include <stdint.h>
#include <asm/barrier.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* A write to an unused port: about 1 us of delay for slow legacy devices. */
static inline void io_wait(void)
{
	outb(0x80, 0);
}

/*
 * MMIO accessors with Linux's names and ordering: each is one access of
 * its width, never merged, split or moved by the compiler across other
 * memory accesses (the "memory" clobber), and x86's uncached mappings keep
 * device accesses in program order. The _relaxed forms are the same here.
 */
#define __BUILD_MMIO(bwl, type)                                               \
static inline type read##bwl(const volatile void *addr)                      \
{                                                                             \
	type v;                                                               \
	__asm__ volatile("mov %1, %0" : "=r"(v) : "m"(*(const volatile type *)addr) : "memory"); \
	return v;                                                             \
}                                                                             \
static inline void write##bwl(type v, volatile void *addr)                   \
{                                                                             \
	__asm__ volatile("mov %0, %1" : : "r"(v), "m"(*(volatile type *)addr) : "memory"); \
}
__BUILD_MMIO(b, uint8_t)
__BUILD_MMIO(w, uint16_t)
__BUILD_MMIO(l, uint32_t)
__BUILD_MMIO(q, uint64_t)
#undef __BUILD_MMIO

#define readb_relaxed(a)	readb(a)
#define readw_relaxed(a)	readw(a)
#define readl_relaxed(a)	readl(a)
#define readq_relaxed(a)	readq(a)
#define writeb_relaxed(v, a)	writeb(v, a)
#define writew_relaxed(v, a)	writew(v, a)
#define writel_relaxed(v, a)	writel(v, a)
#define writeq_relaxed(v, a)	writeq(v, a)
#define ioread8(a)		readb(a)
#define ioread16(a)		readw(a)
#define ioread32(a)		readl(a)
#define iowrite8(v, a)		writeb(v, a)
#define iowrite16(v, a)		writew(v, a)
#define iowrite32(v, a)		writel(v, a)

static inline uint32_t mmio_read32(const volatile void *addr)
{
	return readl(addr);
}

static inline void mmio_write32(volatile void *addr, uint32_t v)
{
	writel(v, addr);
}

#endif
