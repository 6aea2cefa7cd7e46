/*
 * Bus enumeration at boot. Starting from bus 0 (and the extra host bridges
 * a multi-function device 0:0 stands for), every slot's function 0 is
 * read; functions 1-7 only when its header says multi-function, and the
 * bus behind each PCI-to-PCI bridge as the firmware numbered it. Each
 * function becomes a struct pci_dev with its BARs sized by the write-all-
 * ones method, and gets one line in the log. /proc/pci lists them.
 */
#define pr_fmt(fmt) "pci: " fmt

#include "drivers/pci/pci.h"
#include "fs/vfs.h"
#include "kernel/kernel.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

LIST_HEAD(pci_devices);
static uint8_t bus_seen[256 / 8];

/* Names for devices QEMU's PC machines commonly have (for the log only). */
static const struct {
	uint16_t vendor, device;
	const char *name;
} known_devices[] = {
	{ 0x8086, 0x29c0, "Q35 host bridge" },
	{ 0x8086, 0x2918, "ICH9 LPC bridge" },
	{ 0x8086, 0x2922, "ICH9 AHCI" },
	{ 0x8086, 0x2930, "ICH9 SMBus" },
	{ 0x8086, 0x1237, "440FX host bridge" },
	{ 0x8086, 0x7000, "PIIX3 ISA bridge" },
	{ 0x8086, 0x7010, "PIIX3 IDE" },
	{ 0x8086, 0x7113, "PIIX4 ACPI" },
	{ 0x8086, 0x100e, "e1000" },
	{ 0x8086, 0x10d3, "e1000e" },
	{ 0x1234, 0x1111, "Bochs VGA" },
	{ 0x1234, 0x11e8, "edu" },
	{ 0x1b36, 0x000c, "PCIe root port" },
	{ 0x1b36, 0x000d, "xHCI" },
	{ 0x1af4, 0x1000, "virtio-net" },
	{ 0x1af4, 0x1001, "virtio-blk" },
	{ 0x1af4, 0x1041, "virtio-net" },
	{ 0x1af4, 0x1042, "virtio-blk" },
};

static const char *known_name(uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < ARRAY_SIZE(known_devices); i++) {
		if (known_devices[i].vendor == vendor && known_devices[i].device == device)
			return known_devices[i].name;
	}
	return NULL;
}

/* Write all ones to the BAR at @off and read back which address bits stick. */
static uint32_t bar_probe(struct pci_dev *dev, unsigned int off, uint32_t *orig)
{
	uint32_t mask;

	*orig = pci_read_config32(dev, off);
	pci_write_config32(dev, off, 0xffffffffU);
	mask = pci_read_config32(dev, off);
	pci_write_config32(dev, off, *orig);
	return mask;
}

/* Size BAR @i; returns how many BAR slots it used (2 for a 64-bit BAR). */
static int size_bar(struct pci_dev *dev, int i, int nbars)
{
	unsigned int off = PCI_BASE_ADDRESS_0 + 4 * i;
	struct pci_bar *b = &dev->bar[i];
	uint32_t orig, mask, orig_hi, mask_hi;

	mask = bar_probe(dev, off, &orig);
	if (!mask || mask == 0xffffffffU)
		return 1;			/* not implemented */
	if (orig & 1) {			/* I/O space */
		mask &= ~3U;
		if (!(mask & 0xffff0000U))
			mask |= 0xffff0000U;	/* a 16-bit decoder */
		b->type = PCI_BAR_IO;
		b->addr = orig & ~3U;
		b->size = (uint32_t)(~mask + 1);
		return 1;
	}
	b->prefetchable = orig & 8;
	b->addr = orig & ~0xfU;
	if (((orig >> 1) & 3) == 2 && i + 1 < nbars) {	/* 64-bit: the next BAR is the top */
		mask_hi = bar_probe(dev, off + 4, &orig_hi);
		b->type = PCI_BAR_MEM64;
		b->addr |= (uint64_t)orig_hi << 32;
		b->size = ~((uint64_t)mask_hi << 32 | (mask & ~0xfU)) + 1;
		return 2;
	}
	b->type = PCI_BAR_MEM32;
	b->size = (uint32_t)(~(mask & ~0xfU) + 1);
	return 1;
}

/* Size every BAR with decoding off, so the probe values never decode. */
static void size_bars(struct pci_dev *dev)
{
	int nbars = dev->hdr_type == PCI_HEADER_TYPE_NORMAL ? 6 :
		    dev->hdr_type == PCI_HEADER_TYPE_BRIDGE ? 2 : 0;
	uint16_t cmd = pci_read_config16(dev, PCI_COMMAND);

	if (!nbars)
		return;
	pci_write_config16(dev, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (int i = 0; i < nbars;)
		i += size_bar(dev, i, nbars);
	pci_write_config16(dev, PCI_COMMAND, cmd);
}

static const char *const bar_type_names[] = {
	[PCI_BAR_IO] = "io", [PCI_BAR_MEM32] = "mem32", [PCI_BAR_MEM64] = "mem64",
};

static void log_device(struct pci_dev *dev)
{
	pci_info(dev, "[%04x:%04x] class %06x%s%s\n", dev->vendor, dev->device,
		dev->class, dev->known_name ? " " : "", dev->known_name ? dev->known_name : "");
	for (int i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *b = &dev->bar[i];

		if (b->type == PCI_BAR_NONE)
			continue;
		pci_info(dev, "BAR%d %s%s %#lx size %#lx\n", i, bar_type_names[b->type],
			b->prefetchable ? " prefetchable" : "", b->addr, b->size);
	}
}

static void scan_bus(unsigned int bus);
static struct pci_dev *scan_parent;	/* the bridge whose bus is being scanned */

/* Record function (bus, slot, func), then follow it if it is a bridge. */
static void add_function(unsigned int bus, unsigned int slot, unsigned int func)
{
	struct pci_dev *dev = kzalloc(sizeof(*dev));
	uint32_t class_rev;

	if (!dev) {
		pr_err("out of memory for %02x:%02x.%u\n", bus, slot, func);
		return;
	}
	dev->bus = bus;
	dev->slot = slot;
	dev->func = func;
	dev->parent = scan_parent;
	dev->vendor = pci_read_config16(dev, PCI_VENDOR_ID);
	dev->device = pci_read_config16(dev, PCI_DEVICE_ID);
	class_rev = pci_read_config32(dev, PCI_REVISION_ID);
	dev->revision = class_rev & 0xff;
	dev->class = class_rev >> 8;
	dev->hdr_type = pci_read_config8(dev, PCI_HEADER_TYPE) & 0x7f;
	if (dev->hdr_type == PCI_HEADER_TYPE_NORMAL) {
		dev->subsystem_vendor = pci_read_config16(dev, PCI_SUBSYSTEM_VENDOR_ID);
		dev->subsystem_device = pci_read_config16(dev, PCI_SUBSYSTEM_ID);
	}
	dev->irq_line = pci_read_config8(dev, PCI_INTERRUPT_LINE);
	dev->irq_pin = pci_read_config8(dev, PCI_INTERRUPT_PIN);
	if (pci_read_config16(dev, PCI_STATUS) & PCI_STATUS_CAP_LIST)
		dev->cap_ptr = pci_read_config8(dev, PCI_CAPABILITY_LIST) & 0xfc;
	dev->known_name = known_name(dev->vendor, dev->device);
	snprintf(dev->name, sizeof(dev->name), "0000:%02x:%02x.%u", bus, slot, func);
	dev->dev.name = dev->name;
	dev->dev.dma_mask = DMA_BIT_MASK(32);		/* Linux's default */
	dev->dev.coherent_dma_mask = DMA_BIT_MASK(32);
	size_bars(dev);
	list_add_tail(&dev->node, &pci_devices);
	log_device(dev);

	if (dev->hdr_type == PCI_HEADER_TYPE_BRIDGE) {
		unsigned int secondary = pci_read_config8(dev, PCI_SECONDARY_BUS);

		if (secondary > bus) {	/* 0: the firmware left it unconfigured */
			struct pci_dev *outer = scan_parent;

			scan_parent = dev;
			scan_bus(secondary);
			scan_parent = outer;
		}
	}
}

static void scan_slot(unsigned int bus, unsigned int slot)
{
	unsigned int nfuncs;

	if ((pci_conf_read(bus, slot, 0, PCI_VENDOR_ID, 2) & 0xffff) == 0xffff)
		return;
	nfuncs = (pci_conf_read(bus, slot, 0, PCI_HEADER_TYPE, 1) & 0x80) ? 8 : 1;
	for (unsigned int func = 0; func < nfuncs; func++) {
		if ((pci_conf_read(bus, slot, func, PCI_VENDOR_ID, 2) & 0xffff) != 0xffff)
			add_function(bus, slot, func);
	}
}

static void scan_bus(unsigned int bus)
{
	if (bus > 255 || (bus_seen[bus / 8] & (1U << (bus % 8))))
		return;
	bus_seen[bus / 8] |= 1U << (bus % 8);
	for (unsigned int slot = 0; slot < 32; slot++)
		scan_slot(bus, slot);
}

/* /proc/pci: one line per function, like `lspci -n`, with its interrupt and driver. */
static long proc_pci_show(char *buf, size_t size)
{
	struct pci_dev *dev;
	size_t n = 0;

	list_for_each_entry(dev, &pci_devices, node) {
		char irq[16] = "-";

		if (n >= size)
			break;
		if (dev->irq_type & (PCI_IRQ_MSI | PCI_IRQ_MSIX))
			snprintf(irq, sizeof(irq), "%s:%u", dev->irq_type & PCI_IRQ_MSIX ? "msix" : "msi",
				 dev->irq);
		else if (dev->intx_irq)
			snprintf(irq, sizeof(irq), "intx:%u", dev->intx_irq);
		n += (size_t)snprintf(buf + n, size - n, "%02x:%02x.%u %04x: %04x:%04x rev %02x %s %s\n",
				      dev->bus, dev->slot, dev->func, dev->class >> 8,
				      dev->vendor, dev->device, dev->revision, irq,
				      dev->driver ? dev->driver->name : "-");
	}
	return (long)MIN(n, size);
}

/* Enumerate every bus once; returns the number of functions found. */
int pci_scan(void)
{
	int count = 0;
	struct pci_dev *dev;

	scan_bus(0);
	/* a multi-function host bridge at 0:0: function f is the bridge to bus f */
	if ((pci_conf_read(0, 0, 0, PCI_HEADER_TYPE, 1) & 0x80)) {
		for (unsigned int func = 1; func < 8; func++) {
			uint32_t class = pci_conf_read(0, 0, func, PCI_REVISION_ID, 4) >> 8;

			if ((pci_conf_read(0, 0, func, PCI_VENDOR_ID, 2) & 0xffff) != 0xffff &&
			    (class >> 8) == 0x0600)
				scan_bus(func);
		}
	}
	list_for_each_entry(dev, &pci_devices, node)
		count++;
	procfs_register("pci", proc_pci_show);
	return count;
}
