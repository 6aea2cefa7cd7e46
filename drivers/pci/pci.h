/*
 * PCI: the devices found on the PCI (Express) buses at boot, their
 * configuration space, and the driver model. A driver lists the devices
 * it handles in a pci_device_id table and registers a struct pci_driver;
 * the core calls probe() for every matching device not yet bound and
 * remove() when the driver is unregistered (a module being unloaded).
 * Configuration space is reached through ECAM when ACPI's MCFG table
 * gives its window, else through the legacy ports 0xcf8/0xcfc.
 */
#ifndef DRIVERS_PCI_PCI_H
#define DRIVERS_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include "drivers/base/device.h"
#include "kernel/irq.h"
#include "kernel/kernel.h"
#include "lib/list.h"

/* --- configuration space registers (PCI Local Bus spec 3.0, ch. 6) -------- */
#define PCI_VENDOR_ID		0x00	/* 16 bits */
#define PCI_DEVICE_ID		0x02	/* 16 bits */
#define PCI_COMMAND		0x04	/* 16 bits */
#define  PCI_COMMAND_IO		0x0001
#define  PCI_COMMAND_MEMORY	0x0002
#define  PCI_COMMAND_MASTER	0x0004
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS		0x06	/* 16 bits */
#define  PCI_STATUS_CAP_LIST	0x0010
#define PCI_REVISION_ID		0x08	/* 8 bits; class code in the next 3 bytes */
#define PCI_HEADER_TYPE		0x0e	/* 8 bits; bit 7: multi-function */
#define  PCI_HEADER_TYPE_NORMAL	0
#define  PCI_HEADER_TYPE_BRIDGE	1
#define PCI_BASE_ADDRESS_0	0x10	/* 6 BARs (2 on a bridge) of 32 bits */
#define PCI_SECONDARY_BUS	0x19	/* bridges: the bus behind the bridge */
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d

/* capability ids */
#define PCI_CAP_ID_PM		0x01
#define PCI_CAP_ID_MSI		0x05
#define PCI_CAP_ID_VNDR		0x09
#define PCI_CAP_ID_EXP		0x10
#define PCI_CAP_ID_MSIX		0x11

#define PCI_ANY_ID		0xffffffffU
#define PCI_NUM_BARS		6

enum pci_bar_type { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

/* One base address register, sized at boot by writing all ones to it. */
struct pci_bar {
	uint64_t addr;		/* bus address: physical memory or I/O port */
	uint64_t size;		/* 0 when the BAR is not implemented */
	int type;		/* enum pci_bar_type */
	bool prefetchable;
};

struct pci_driver;

struct pci_dev {
	struct device dev;	/* for the DMA API and dev_* logging: &pdev->dev */
	uint8_t bus, slot, func;
	uint16_t vendor, device;
	uint16_t subsystem_vendor, subsystem_device;
	uint32_t class;		/* base class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
	uint8_t hdr_type;	/* PCI_HEADER_TYPE_* (without the multi-function bit) */
	uint8_t irq_line;	/* legacy INTx line the firmware assigned, 0xff if none */
	uint8_t irq_pin;	/* 1..4 = INTA..INTD, 0 if none */
	/*
	 * Linux's pdev->irq: the IRQ number of the INTx line as the chipset
	 * routes it (an IOAPIC input), or of the first vector once
	 * pci_alloc_irq_vectors gave MSI/MSI-X; 0 if none.
	 */
	unsigned int irq;
	uint8_t cap_ptr;	/* first capability, 0 if none */
	struct pci_bar bar[PCI_NUM_BARS];
	const char *known_name;	/* from the core's small table, or NULL */
	char name[16];		/* "0000:00:03.0" */

	struct pci_dev *parent;	/* the bridge above it, NULL on bus 0 */

	/* set by the core while a driver is bound */
	struct pci_driver *driver;
	void *driver_data;
	unsigned int intx_irq;	/* INTx's IRQ number (0: no INTx) */
	unsigned int nvec;	/* vectors from pci_alloc_irq_vectors */
	unsigned int irq_type;	/* PCI_IRQ_* those vectors are */
	unsigned int msix_cap;	/* capability offsets, 0 if absent */
	volatile uint32_t *msix_table;
	bool dma_faulted;	/* the IOMMU blocked its DMA; bus mastering was turned off */
	struct list_head node;	/* in the list of all devices */
};

/*
 * A device a driver handles: each field must equal the device's, except
 * PCI_ANY_ID which matches anything; the class matches under class_mask
 * (0 ignores the class). A table ends with an all-zero entry.
 */
struct pci_device_id {
	uint32_t vendor, device;
	uint32_t subvendor, subdevice;
	uint32_t class, class_mask;
};

#define PCI_DEVICE(v, d)                                                      \
	.vendor = (v), .device = (d), .subvendor = PCI_ANY_ID, .subdevice = PCI_ANY_ID
#define PCI_DEVICE_CLASS(c, mask)                                             \
	.vendor = PCI_ANY_ID, .device = PCI_ANY_ID, .subvendor = PCI_ANY_ID,  \
	.subdevice = PCI_ANY_ID, .class = (c), .class_mask = (mask)

struct pci_driver {
	const char *name;
	const struct pci_device_id *id_table;
	/* Take over @dev; 0 binds it, -errno leaves it free. May sleep. */
	int (*probe)(struct pci_dev *dev, const struct pci_device_id *id);
	/* Release @dev: stop the device, free its interrupts and memory. */
	void (*remove)(struct pci_dev *dev);
	struct list_head node;	/* owned by the core */
};

/* Log about @dev as "<driver> 0000:00:03.0: ..." ("pci" while no driver is bound). */
#define pci_printk(level, dev, fmt, ...)                                      \
	printk(level "%s %s: " fmt, (dev)->driver ? (dev)->driver->name : "pci", \
	       (dev)->name, ##__VA_ARGS__)
#define pci_err(dev, fmt, ...)	pci_printk(KERN_ERR, dev, fmt, ##__VA_ARGS__)
#define pci_warn(dev, fmt, ...)	pci_printk(KERN_WARNING, dev, fmt, ##__VA_ARGS__)
#define pci_info(dev, fmt, ...)	pci_printk(KERN_INFO, dev, fmt, ##__VA_ARGS__)

/* --- configuration space -------------------------------------------------- */
uint8_t pci_read_config8(struct pci_dev *dev, unsigned int off);
uint16_t pci_read_config16(struct pci_dev *dev, unsigned int off);
uint32_t pci_read_config32(struct pci_dev *dev, unsigned int off);
void pci_write_config8(struct pci_dev *dev, unsigned int off, uint8_t v);
void pci_write_config16(struct pci_dev *dev, unsigned int off, uint16_t v);
void pci_write_config32(struct pci_dev *dev, unsigned int off, uint32_t v);

/* --- devices ---------------------------------------------------------------- */
/* Turn on memory and I/O decoding (for the BARs it has) and bus mastering. */
int pci_enable_device(struct pci_dev *dev);
/* Turn decoding and bus mastering off again. */
void pci_disable_device(struct pci_dev *dev);
/* A kernel pointer to memory BAR @bar (uncached above 4 GiB), or NULL. */
void *pci_iomap(struct pci_dev *dev, int bar);
/* Offset of capability @cap_id in configuration space, or 0 if absent. */
unsigned int pci_find_capability(struct pci_dev *dev, unsigned int cap_id);
/* The next device matching @vendor/@device (PCI_ANY_ID: any) after @from. */
struct pci_dev *pci_find_device(uint32_t vendor, uint32_t device, struct pci_dev *from);

static inline void pci_set_drvdata(struct pci_dev *dev, void *data)
{
	dev->driver_data = data;
}

static inline void *pci_get_drvdata(struct pci_dev *dev)
{
	return dev->driver_data;
}

static inline const char *pci_name(const struct pci_dev *dev)
{
	return dev->name;
}

/* --- interrupts (drivers/pci/irq.c, drivers/pci/msi.c) ---------------------- */
#define PCI_IRQ_LEGACY		0x1	/* INTx, possibly shared with other devices */
#define PCI_IRQ_INTX		PCI_IRQ_LEGACY
#define PCI_IRQ_MSI		0x2
#define PCI_IRQ_MSIX		0x4
#define PCI_IRQ_ALL_TYPES	(PCI_IRQ_LEGACY | PCI_IRQ_MSI | PCI_IRQ_MSIX)

/*
 * Give @dev between @min_vecs and @max_vecs interrupt vectors, trying
 * MSI-X, then MSI, then INTx as @flags allow (INTx and plain MSI give one
 * here). Returns the number allocated, or -ENOSPC / -EINVAL. Then
 * request_irq(pci_irq_vector(dev, i), ...) for each. MSI-X vectors (and
 * MSI where the device has mask bits) stay masked until a handler is
 * attached.
 */
int pci_alloc_irq_vectors(struct pci_dev *dev, unsigned int min_vecs, unsigned int max_vecs,
			  unsigned int flags);
/* The IRQ number of vector @nr, or -EINVAL. */
int pci_irq_vector(struct pci_dev *dev, unsigned int nr);
/* Give the vectors back (free_irq them first); INTx is enabled again. */
void pci_free_irq_vectors(struct pci_dev *dev);
/* Linux's older one-vector forms: MSI only; the IRQ is then in dev->irq. */
int pci_enable_msi(struct pci_dev *dev);
void pci_disable_msi(struct pci_dev *dev);
/* Turn the device's INTx output on or off (PCI_COMMAND_INTX_DISABLE). */
void pci_intx(struct pci_dev *dev, int enable);
/* Bus mastering (DMA) on or off. */
void pci_set_master(struct pci_dev *dev);
void pci_clear_master(struct pci_dev *dev);

/* --- drivers ------------------------------------------------------------------ */
/*
 * Add @drv and probe every unbound device its id_table matches. 0, or
 * -EINVAL, -EBUSY (a driver of that name), -EPERM (its module may bind
 * none of the devices it matched: no pci: entitlement for their IDs).
 */
int pci_register_driver(struct pci_driver *drv);
/* Call remove() for every device bound to @drv and forget the driver. */
void pci_unregister_driver(struct pci_driver *drv);

/* --- which module drives what (kernel/module/entitlement.c, an IOMMU) ------- */
struct module;
/*
 * The module whose driver is bound to @dev, or NULL (no driver, or a
 * built-in one). An IOMMU fault on @dev: module_mark_faulted(pci_dev_module(dev), why).
 */
struct module *pci_dev_module(const struct pci_dev *dev);
/* Is @irq the INTx line, or one of the vectors, of a device bound to a driver of @m? */
bool pci_module_owns_irq(const struct module *m, unsigned int irq);
/* Is [@phys, @phys + @size) inside one memory BAR of a device bound to a driver of @m? */
bool pci_module_owns_mmio(const struct module *m, uint64_t phys, uint64_t size);

/* --- inside the core (drivers/pci/; not exported: modules cannot call these) --- */
extern struct list_head pci_devices;
int pci_config_init(void);
uint32_t pci_conf_read(unsigned int bus, unsigned int slot, unsigned int func,
		       unsigned int off, int size);
void pci_conf_write(unsigned int bus, unsigned int slot, unsigned int func,
		    unsigned int off, int size, uint32_t v);
const char *pci_config_method(void);
int pci_scan(void);
/* Work out every device's INTx IRQ from the chipset's routing (drivers/pci/irq.c). */
void pci_route_intx_all(void);

#endif
