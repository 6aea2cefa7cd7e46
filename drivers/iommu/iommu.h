/*
 * DMA remapping (drivers/iommu/intel-iommu.c, Intel VT-d): every PCI device
 * behind a remapping unit gets a domain of its own, a second-level page
 * table that starts empty, so the device reaches only what its driver maps
 * through the DMA API (drivers/base/dma.c), with the access asked for.
 * Bus addresses are the physical addresses of the mapped pages (an
 * identity map of just those pages), so a device's DMA mask means what it
 * means without an IOMMU. docs/confinement.md has the whole story.
 */
#ifndef DRIVERS_IOMMU_IOMMU_H
#define DRIVERS_IOMMU_IOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/errno.h"
#include "kernel/lock.h"
#include "lib/list.h"

#define IOMMU_READ	1	/* the device may read (DMA_TO_DEVICE) */
#define IOMMU_WRITE	2	/* the device may write (DMA_FROM_DEVICE) */

struct dmar_unit;
struct pci_dev;

struct iommu_domain {
	struct dmar_unit *unit;
	struct pci_dev *pdev;		/* the one device it translates for */
	uint16_t did;			/* the hardware's domain id */
	uint64_t *pgd;			/* top-level table (virtual address) */
	spinlock_t lock;		/* the page tables */
	uint64_t mapped;		/* pages mapped now */
};

#ifdef CONFIG_INTEL_IOMMU
/* An IOMMU translates for some device (false: DMA is unconfined). */
bool iommu_active(void);
/*
 * Map @size bytes (whole pages) at bus address @iova to @phys with @prot
 * (IOMMU_READ | IOMMU_WRITE). A page mapped twice keeps a count, and the
 * union of the permissions, until both mappings are gone. 0 or -ENOMEM.
 */
int iommu_map(struct iommu_domain *d, uint64_t iova, uint64_t phys, size_t size, int prot);
/* Unmap what iommu_map mapped, and flush the unit's IOTLB for the domain. */
void iommu_unmap(struct iommu_domain *d, uint64_t iova, size_t size);
/* Does @d map the page of @iova, and with which permissions (0: not mapped)? */
int iommu_lookup(struct iommu_domain *d, uint64_t iova);
/* Take every mapping away (the driver is unbound); returns the pages that were mapped. */
uint64_t iommu_domain_clear(struct iommu_domain *d);

/* Faults the units recorded since boot (the tests read /proc/iommu). */
extern uint64_t iommu_faults;
/* Bytes copied through bounce buffers since boot (drivers/base/dma.c). */
extern uint64_t dma_bounced_bytes;
#else
/* Without the driver no device has a domain: the DMA API never calls these. */
static inline bool iommu_active(void) { return false; }
static inline int iommu_map(struct iommu_domain *d, uint64_t iova, uint64_t phys, size_t size,
			    int prot) { return -ENODEV; }
static inline void iommu_unmap(struct iommu_domain *d, uint64_t iova, size_t size) {}
static inline int iommu_lookup(struct iommu_domain *d, uint64_t iova) { return 0; }
static inline uint64_t iommu_domain_clear(struct iommu_domain *d) { return 0; }
#endif

#endif
