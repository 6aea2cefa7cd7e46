/*
 * Helpers every device driver uses, whatever its bus: struct device, memory
 * a device can reach by DMA (coherent buffers and streaming mappings of
 * existing ones), ioremap for device memory, and "misc" character devices
 * (/dev/<name>) that a module can register and take away again while the
 * node in /dev stays safe to open: calls after the driver has gone fail
 * with -ENODEV.
 */
#ifndef DRIVERS_BASE_DEVICE_H
#define DRIVERS_BASE_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/kernel.h"

struct file_ops;
struct iommu_domain;

typedef uint64_t dma_addr_t;
typedef unsigned int gfp_t;
#define GFP_KERNEL	0x0
#define GFP_ATOMIC	0x1

/*
 * What every bus's device has in common, as in Linux: a name for log lines
 * and the DMA addressing limits. Drivers pass &pdev->dev to the DMA API and
 * the dev_* log helpers.
 */
struct device {
	const char *name;		/* "0000:00:03.0" */
	const char *driver_name;	/* the bound driver's, or NULL */
	uint64_t dma_mask;		/* streaming mappings must lie below it */
	uint64_t coherent_dma_mask;	/* coherent buffers too */
	struct iommu_domain *iommu;	/* its DMA remapping domain, NULL: unconfined */
};

static inline const char *dev_name(const struct device *dev)
{
	return dev->name;
}

#define dev_printk(level, dev, fmt, ...)                                      \
	printk(level "%s %s: " fmt, (dev)->driver_name ? (dev)->driver_name : "device", \
	       (dev)->name, ##__VA_ARGS__)
#define dev_err(dev, fmt, ...)	dev_printk(KERN_ERR, dev, fmt, ##__VA_ARGS__)
#define dev_warn(dev, fmt, ...)	dev_printk(KERN_WARNING, dev, fmt, ##__VA_ARGS__)
#define dev_info(dev, fmt, ...)	dev_printk(KERN_INFO, dev, fmt, ##__VA_ARGS__)
#define dev_dbg(dev, fmt, ...)	dev_printk(KERN_DEBUG, dev, fmt, ##__VA_ARGS__)

/* --- DMA (drivers/base/dma.c) -------------------------------------------------- */
#define DMA_BIT_MASK(n)	((n) >= 64 ? ~0ULL : (1ULL << (n)) - 1)
#define DMA_MAPPING_ERROR	(~(dma_addr_t)0)

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,	/* the device reads the buffer */
	DMA_FROM_DEVICE = 2,	/* the device writes it */
	DMA_NONE = 3,
};

/* Set the device's addressing limit; -EIO if memory cannot satisfy it. */
int dma_set_mask(struct device *dev, uint64_t mask);
int dma_set_coherent_mask(struct device *dev, uint64_t mask);
int dma_set_mask_and_coherent(struct device *dev, uint64_t mask);

/*
 * @size bytes of zeroed, physically contiguous memory (whole pages, at
 * most 4 MiB) below the device's coherent mask, shared with it for as long
 * as the driver keeps it: returns the kernel address and puts the bus
 * address in *@handle; NULL when no such memory is free. A buffer a module
 * forgets is freed (and named) when it is unloaded.
 */
void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp);
void dma_free_coherent(struct device *dev, size_t size, void *va, dma_addr_t handle);

/*
 * Streaming DMA: lend the device an existing kernel buffer for one
 * transfer in direction @dir. The bus address, or DMA_MAPPING_ERROR (test
 * with dma_mapping_error) when the buffer is not in the direct map or lies
 * above the device's mask. Unmap before the CPU looks at data the device
 * wrote. Mappings may cross pages only where the memory is contiguous.
 */
dma_addr_t dma_map_single(struct device *dev, void *ptr, size_t size,
			  enum dma_data_direction dir);
void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size,
		      enum dma_data_direction dir);
static inline int dma_mapping_error(struct device *dev, dma_addr_t addr)
{
	return addr == DMA_MAPPING_ERROR;
}
/* The driver let go of @dev: with an IOMMU it loses every mapping (the PCI core calls it). */
void dma_device_released(struct device *dev);
/* Ownership hand-over in the middle of a mapping (bounce buffers are copied). */
void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
			     enum dma_data_direction dir);
void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
				enum dma_data_direction dir);

/* --- MMIO mappings (drivers/base/dma.c) --------------------------------------- */
/* A kernel pointer to @size bytes of device memory at @phys (uncached), or NULL. */
void *ioremap(uint64_t phys, size_t size);
/* The same mapping without recording it for a module (pci_iomap, the kernel's own). */
void *ioremap_untracked(uint64_t phys, size_t size);
void iounmap(void *addr);

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
