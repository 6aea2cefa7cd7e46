/*
 * Helpers every device driver uses, whatever its bus: memory a device can
 * reach by DMA, and "misc" character devices (/dev/<name>) that a module
 * can register and take away again while the node in /dev stays safe to
 * open: calls after the driver has gone fail with -ENODEV.
 */
#ifndef DRIVERS_BASE_DEVICE_H
#define DRIVERS_BASE_DEVICE_H

#include <stddef.h>
#include <stdint.h>

struct file_ops;

/* --- DMA buffers (drivers/base/dma.c) --------------------------------------- */
#define DMA_BIT_MASK(n)	((n) >= 64 ? ~0ULL : (1ULL << (n)) - 1)

/*
 * @size bytes of zeroed, physically contiguous memory (whole pages, at most
 * 4 MiB) that a device addressing @mask can reach: the last byte's physical
 * address is <= @mask. Returns the kernel address and puts the bus
 * address in *@phys; NULL when no such memory is free.
 */
void *dma_alloc_coherent_mask(size_t size, uint64_t mask, uint64_t *phys);
/* The same for a device with 32-bit addressing. */
void *dma_alloc_coherent(size_t size, uint64_t *phys);
/* Give back a buffer from dma_alloc_coherent*(). */
void dma_free_coherent(void *va, size_t size, uint64_t phys);

/* --- misc character devices (drivers/base/misc.c) ----------------------------- */
#define MISC_MAJOR	10

struct misc_binding;

/*
 * /dev/@name served by @fops. f->priv is @priv when the driver's open()
 * runs (it may replace it with per-open data). The node and its minor
 * number are kept when the driver deregisters, and reused when a driver
 * registers the same name again.
 */
struct misc_device {
	const char *name;
	uint32_t mode;			/* permission bits, e.g. 0666 */
	const struct file_ops *fops;
	void *priv;
	struct misc_binding *binding;	/* owned by misc.c */
};

/* Create or rebind /dev/@dev->name; 0 or -errno (-EBUSY if bound already). */
int misc_register(struct misc_device *dev);
/*
 * Unbind: new calls on open files fail with -ENODEV, calls in progress are
 * waited for, and the driver's release() is not called afterwards. Files
 * still open are reported, so a driver should be idle when it goes away.
 */
void misc_deregister(struct misc_device *dev);

#endif
