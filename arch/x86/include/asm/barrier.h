/*
 * Memory barriers with Linux's names. x86 keeps loads in order with loads
 * and stores with stores (TSO), so the SMP and DMA forms only stop the
 * compiler; mb/rmb/wmb are the real fences for write-combining memory and
 * non-temporal stores.
 */
#ifndef ASM_BARRIER_H
#define ASM_BARRIER_H

#define barrier()	__asm__ volatile("" ::: "memory")
#define mb()		__asm__ volatile("mfence" ::: "memory")
#define rmb()		__asm__ volatile("lfence" ::: "memory")
#define wmb()		__asm__ volatile("sfence" ::: "memory")
#define smp_mb()	__asm__ volatile("lock; addl $0,-4(%%rsp)" ::: "memory", "cc")
#define smp_rmb()	barrier()
#define smp_wmb()	barrier()
#define dma_rmb()	barrier()
#define dma_wmb()	barrier()

#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#endif
