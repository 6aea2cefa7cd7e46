/*
 * The PCI core: what a driver does with a device (enable it, map its BARs,
 * find its capabilities) and the driver model that binds drivers to
 * devices. Devices are enumerated once at boot (probe.c); drivers come and
 * go with their modules, so registration probes every matching device not
 * yet bound, and unregistration removes each device the driver holds and
 * makes sure the device can no longer interrupt or DMA.
 */
#define pr_fmt(fmt) "pci: " fmt

#include <asm/page.h>
#include <asm/pgtable.h>
#include "drivers/pci/pci.h"
#include "kernel/kernel.h"
#include "kernel/module.h"
#include "lib/string.h"

static LIST_HEAD(pci_drivers);

int pci_enable_device(struct pci_dev *dev)
{
	uint16_t cmd = pci_read_config16(dev, PCI_COMMAND);

	for (int i = 0; i < PCI_NUM_BARS; i++) {
		if (dev->bar[i].type == PCI_BAR_IO)
			cmd |= PCI_COMMAND_IO;
		else if (dev->bar[i].type != PCI_BAR_NONE)
			cmd |= PCI_COMMAND_MEMORY;
	}
	pci_write_config16(dev, PCI_COMMAND, cmd | PCI_COMMAND_MASTER);
	return 0;
}
EXPORT_SYMBOL(pci_enable_device);

void pci_disable_device(struct pci_dev *dev)
{
	uint16_t cmd = pci_read_config16(dev, PCI_COMMAND);

	cmd &= ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	pci_write_config16(dev, PCI_COMMAND, cmd);
}
EXPORT_SYMBOL(pci_disable_device);

/*
 * Below 4 GiB the direct map already covers the BAR (the firmware's MTRRs
 * make the PCI hole uncacheable); above, the BAR's pages are mapped
 * uncached at their direct-map addresses, which no RAM uses.
 */
void *pci_iomap(struct pci_dev *dev, int bar)
{
	struct pci_bar *b;

	if (bar < 0 || bar >= PCI_NUM_BARS)
		return NULL;
	b = &dev->bar[bar];
	if ((b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64) || !b->addr || !b->size) {
		pci_err(dev, "BAR%d is not a memory BAR\n", bar);
		return NULL;
	}
	if (!module_may_ioremap(__builtin_return_address(0), b->addr, b->size, "pci_iomap"))
		return NULL;
	return ioremap_untracked(b->addr, b->size);
}
EXPORT_SYMBOL(pci_iomap);

unsigned int pci_find_capability(struct pci_dev *dev, unsigned int cap_id)
{
	unsigned int pos = dev->cap_ptr;

	/* at most 48 capabilities fit in 192 bytes: a longer chain is a loop */
	for (int ttl = 48; pos >= 0x40 && ttl > 0; ttl--) {
		uint16_t ent = pci_read_config16(dev, pos);

		if ((ent & 0xff) == cap_id)
			return pos;
		pos = (ent >> 8) & 0xfc;
	}
	return 0;
}
EXPORT_SYMBOL(pci_find_capability);

struct pci_dev *pci_find_device(uint32_t vendor, uint32_t device, struct pci_dev *from)
{
	struct list_head *pos = from ? from->node.next : pci_devices.next;

	for (; pos != &pci_devices; pos = pos->next) {
		struct pci_dev *dev = list_entry(pos, struct pci_dev, node);

		if ((vendor == PCI_ANY_ID || vendor == dev->vendor) &&
		    (device == PCI_ANY_ID || device == dev->device))
			return dev;
	}
	return NULL;
}
EXPORT_SYMBOL(pci_find_device);

/* --- driver model ----------------------------------------------------------------- */
static bool id_matches(const struct pci_device_id *id, const struct pci_dev *dev)
{
	return (id->vendor == PCI_ANY_ID || id->vendor == dev->vendor) &&
	       (id->device == PCI_ANY_ID || id->device == dev->device) &&
	       (id->subvendor == PCI_ANY_ID || id->subvendor == dev->subsystem_vendor) &&
	       (id->subdevice == PCI_ANY_ID || id->subdevice == dev->subsystem_device) &&
	       !((id->class ^ dev->class) & id->class_mask);
}

static const struct pci_device_id *match_device(const struct pci_driver *drv,
						const struct pci_dev *dev)
{
	for (const struct pci_device_id *id = drv->id_table; id; id++) {
		if (!id->vendor && !id->device && !id->class_mask)
			return NULL;		/* end of the table */
		if (id_matches(id, dev))
			return id;
	}
	return NULL;
}

/* The driver is done with @dev (its code may be about to go): silence the device. */
static void release_device(struct pci_dev *dev, struct pci_driver *drv)
{
	if (dev->nvec) {
		pci_warn(dev, "driver %s left %u interrupt vector(s) allocated; freeing them\n",
			 drv->name, dev->nvec);
		pci_free_irq_vectors(dev);
	}
	pci_clear_master(dev);
	dma_device_released(&dev->dev);
	dev->driver = NULL;
	dev->driver_data = NULL;
	dev->dev.driver_name = NULL;
}

static void release_pci_driver(const void *key, uintptr_t arg)
{
	pci_unregister_driver((struct pci_driver *)key);
}

/* Probe @dev with @drv if its table matches; -EPERM if its module may not bind @dev. */
static int try_bind(struct pci_driver *drv, struct pci_dev *dev)
{
	const struct pci_device_id *id = match_device(drv, dev);
	int err;

	if (!id)
		return 0;
	if (!module_may_bind_pci(drv, dev->name, dev->vendor, dev->device, dev->class))
		return -EPERM;
	dev->driver = drv;
	dev->dev.driver_name = drv->name;
	err = drv->probe(dev, id);
	if (err) {
		pci_warn(dev, "probe by driver %s failed with error %d\n", drv->name,
			err);
		release_device(dev, drv);
		return 0;
	}
	pci_info(dev, "bound to driver %s\n", drv->name);
	return 0;
}

/*
 * A device the driver's module may not bind (its manifest lacks the ID) is
 * left alone with a log line; if that left the driver with no device at
 * all, it is not registered and the call fails with -EPERM.
 */
int pci_register_driver(struct pci_driver *drv)
{
	struct pci_driver *d;
	struct pci_dev *dev;
	bool refused = false, bound = false;

	if (!drv->name || !drv->id_table || !drv->probe)
		return -EINVAL;
	list_for_each_entry(d, &pci_drivers, node) {
		if (d == drv || !strcmp(d->name, drv->name)) {
			pr_err("driver %s is already registered\n", drv->name);
			return -EBUSY;
		}
	}
	list_add_tail(&drv->node, &pci_drivers);
	module_track((uintptr_t)drv, MRES_PCI_DRIVER, drv, 0, release_pci_driver,
		     "PCI driver %s registered", drv->name);
	list_for_each_entry(dev, &pci_devices, node) {
		if (!dev->driver && try_bind(drv, dev))
			refused = true;
		bound |= dev->driver == drv;
	}
	if (refused && !bound) {
		list_del(&drv->node);
		module_untrack(MRES_PCI_DRIVER, drv, 0);
		return -EPERM;
	}
	return 0;
}
EXPORT_SYMBOL(pci_register_driver);

void pci_unregister_driver(struct pci_driver *drv)
{
	struct pci_dev *dev;

	list_for_each_entry(dev, &pci_devices, node) {
		if (dev->driver != drv)
			continue;
		if (drv->remove)
			drv->remove(dev);
		release_device(dev, drv);
		pci_info(dev, "released by driver %s\n", drv->name);
	}
	list_del(&drv->node);
	module_untrack(MRES_PCI_DRIVER, drv, 0);
}
EXPORT_SYMBOL(pci_unregister_driver);

void pci_set_master(struct pci_dev *dev)
{
	pci_write_config16(dev, PCI_COMMAND,
			   pci_read_config16(dev, PCI_COMMAND) | PCI_COMMAND_MASTER);
}
EXPORT_SYMBOL(pci_set_master);

void pci_clear_master(struct pci_dev *dev)
{
	pci_write_config16(dev, PCI_COMMAND,
			   pci_read_config16(dev, PCI_COMMAND) & ~PCI_COMMAND_MASTER);
}
EXPORT_SYMBOL(pci_clear_master);

void pci_intx(struct pci_dev *dev, int enable)
{
	uint16_t cmd = pci_read_config16(dev, PCI_COMMAND);

	cmd = enable ? cmd & ~PCI_COMMAND_INTX_DISABLE : cmd | PCI_COMMAND_INTX_DISABLE;
	pci_write_config16(dev, PCI_COMMAND, cmd);
}
EXPORT_SYMBOL(pci_intx);

struct module *pci_dev_module(const struct pci_dev *dev)
{
	return dev && dev->driver ? module_of_addr((uintptr_t)dev->driver) : NULL;
}

bool pci_module_owns_irq(const struct module *m, unsigned int irq)
{
	struct pci_dev *dev;

	list_for_each_entry(dev, &pci_devices, node) {
		if (!m || pci_dev_module(dev) != m)
			continue;
		if ((dev->intx_irq && irq == dev->intx_irq) ||
		    (dev->nvec && irq >= dev->irq && irq - dev->irq < dev->nvec))
			return true;
	}
	return false;
}

bool pci_module_owns_mmio(const struct module *m, uint64_t phys, uint64_t size)
{
	struct pci_dev *dev;

	list_for_each_entry(dev, &pci_devices, node) {
		if (!m || pci_dev_module(dev) != m)
			continue;
		for (int i = 0; i < PCI_NUM_BARS; i++) {
			const struct pci_bar *b = &dev->bar[i];

			if ((b->type == PCI_BAR_MEM32 || b->type == PCI_BAR_MEM64) && b->size &&
			    phys >= b->addr && phys - b->addr < b->size &&
			    size <= b->size - (phys - b->addr))
				return true;
		}
	}
	return false;
}

/* Find the configuration space and every device before drivers register. */
static int pci_init(void)
{
	int n;

	pci_config_init();
	n = pci_scan();
	pci_route_intx_all();
	pr_info("%d function(s) found through %s\n", n, pci_config_method());
	return 0;
}
arch_initcall(pci_init);
