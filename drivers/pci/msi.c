/*
 * MSI for PCI devices: one vector per device, taken from the platform's
 * MSI vector pool (asm/irq.h) and written into the device's MSI capability
 * (PCI Local Bus spec 3.0, 6.8.1), which comes in a 32-bit and a 64-bit
 * address layout and may have per-vector mask bits. While MSI is on,
 * INTx is disabled so the device never raises both.
 */
#define pr_fmt(fmt) "pci: " fmt

#include <asm/irq.h>
#include "drivers/pci/pci.h"
#include "kernel/kernel.h"
#include "kernel/module.h"

#define PCI_MSI_FLAGS		2	/* message control, 16 bits */
#define  PCI_MSI_FLAGS_ENABLE	0x0001
#define  PCI_MSI_FLAGS_QMASK	0x000e	/* multiple message capable */
#define  PCI_MSI_FLAGS_QSIZE	0x0070	/* multiple message enable */
#define  PCI_MSI_FLAGS_64BIT	0x0080
#define  PCI_MSI_FLAGS_MASKBIT	0x0100
#define PCI_MSI_ADDRESS_LO	4
#define PCI_MSI_ADDRESS_HI	8	/* 64-bit layout only */
#define PCI_MSI_DATA_32		8
#define PCI_MSI_DATA_64		12
#define PCI_MSI_MASK_32		12
#define PCI_MSI_MASK_64		16

int pci_enable_msi(struct pci_dev *dev, irq_handler_t fn, void *ctx)
{
	unsigned int cap = pci_find_capability(dev, PCI_CAP_ID_MSI);
	struct msi_msg msg;
	uint16_t ctrl;
	int vec;

	if (!cap)
		return -ENODEV;
	if (dev->msi_vector)
		return -EBUSY;
	vec = msi_alloc_vector(fn, ctx, &msg);
	if (vec < 0)
		return vec;

	ctrl = pci_read_config16(dev, cap + PCI_MSI_FLAGS);
	ctrl &= ~(PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);	/* one vector */
	pci_write_config16(dev, cap + PCI_MSI_FLAGS, ctrl);
	pci_write_config32(dev, cap + PCI_MSI_ADDRESS_LO, (uint32_t)msg.address);
	if (ctrl & PCI_MSI_FLAGS_64BIT) {
		pci_write_config32(dev, cap + PCI_MSI_ADDRESS_HI, (uint32_t)(msg.address >> 32));
		pci_write_config16(dev, cap + PCI_MSI_DATA_64, (uint16_t)msg.data);
	} else {
		pci_write_config16(dev, cap + PCI_MSI_DATA_32, (uint16_t)msg.data);
	}
	if (ctrl & PCI_MSI_FLAGS_MASKBIT) {
		unsigned int mask = cap + ((ctrl & PCI_MSI_FLAGS_64BIT) ? PCI_MSI_MASK_64 :
									  PCI_MSI_MASK_32);

		pci_write_config32(dev, mask, pci_read_config32(dev, mask) & ~1U);
	}
	pci_write_config16(dev, PCI_COMMAND,
			   pci_read_config16(dev, PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
	pci_write_config16(dev, cap + PCI_MSI_FLAGS, ctrl | PCI_MSI_FLAGS_ENABLE);
	dev->msi_vector = vec;
	pci_info(dev, "MSI on vector %#x (%s address %#lx)\n", vec,
		(ctrl & PCI_MSI_FLAGS_64BIT) ? "64-bit" : "32-bit", msg.address);
	return 0;
}
EXPORT_SYMBOL(pci_enable_msi);

void pci_disable_msi(struct pci_dev *dev)
{
	unsigned int cap = pci_find_capability(dev, PCI_CAP_ID_MSI);

	if (!dev->msi_vector)
		return;
	if (cap) {
		uint16_t ctrl = pci_read_config16(dev, cap + PCI_MSI_FLAGS);

		pci_write_config16(dev, cap + PCI_MSI_FLAGS, ctrl & ~PCI_MSI_FLAGS_ENABLE);
	}
	pci_write_config16(dev, PCI_COMMAND,
			   pci_read_config16(dev, PCI_COMMAND) & ~PCI_COMMAND_INTX_DISABLE);
	msi_free_vector((unsigned int)dev->msi_vector);
	dev->msi_vector = 0;
}
EXPORT_SYMBOL(pci_disable_msi);
