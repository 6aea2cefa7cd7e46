/*
 * Interrupt vectors for PCI devices, Linux's pci_alloc_irq_vectors(): MSI-X
 * (PCI Local Bus spec 3.0, 6.8.2) with up to as many vectors as the
 * device's table has, each maskable in its table entry; MSI (6.8.1) with
 * one vector, in the 32-bit or 64-bit layout, maskable where the device
 * has mask bits; or the INTx line. Vectors come from the IRQ core
 * (irq_alloc_msi) and stay masked until a handler is attached; while MSI
 * or MSI-X is on, INTx is disabled so the device never raises both.
 */
#define pr_fmt(fmt) "pci: " fmt

#include <asm/io.h>
#include <asm/irq.h>
#include "drivers/pci/pci.h"
#include "kernel/irq.h"
#include "kernel/kernel.h"
#include "kernel/module.h"

#define PCI_MSI_FLAGS		2	/* message control, 16 bits */
#define  PCI_MSI_FLAGS_ENABLE	0x0001
#define  PCI_MSI_FLAGS_QSIZE	0x0070	/* multiple message enable */
#define  PCI_MSI_FLAGS_64BIT	0x0080
#define  PCI_MSI_FLAGS_MASKBIT	0x0100
#define PCI_MSI_ADDRESS_LO	4
#define PCI_MSI_ADDRESS_HI	8	/* 64-bit layout only */
#define PCI_MSI_DATA_32		8
#define PCI_MSI_DATA_64		12
#define PCI_MSI_MASK_32		12
#define PCI_MSI_MASK_64		16

#define PCI_MSIX_FLAGS		2
#define  PCI_MSIX_FLAGS_QSIZE	0x07ff	/* table size - 1 */
#define  PCI_MSIX_FLAGS_MASKALL	0x4000
#define  PCI_MSIX_FLAGS_ENABLE	0x8000
#define PCI_MSIX_TABLE		4	/* BAR indicator in bits 2:0, offset above */
#define PCI_MSIX_ENTRY_SIZE	16
#define PCI_MSIX_ENTRY_VECTOR_CTRL 12
#define  PCI_MSIX_ENTRY_CTRL_MASKBIT 1

/* --- MSI-X ---------------------------------------------------------------------- */
static void msix_set_mask(void *entry, bool masked)
{
	volatile uint8_t *e = entry;

	writel(masked ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0, e + PCI_MSIX_ENTRY_VECTOR_CTRL);
	(void)readl(e + PCI_MSIX_ENTRY_VECTOR_CTRL);	/* flush the posted write */
}

static void msix_mask(unsigned int irq, void *data)
{
	msix_set_mask(data, true);
}

static void msix_unmask(unsigned int irq, void *data)
{
	msix_set_mask(data, false);
}

static const struct irq_chip msix_chip = {
	.name = "PCI-MSIX",
	.mask = msix_mask,
	.unmask = msix_unmask,
};

static int enable_msix(struct pci_dev *dev, unsigned int min, unsigned int max)
{
	unsigned int cap = pci_find_capability(dev, PCI_CAP_ID_MSIX), n, bir;
	uint16_t ctrl;
	uint32_t table;
	uint8_t *base;
	int first;

	if (!cap)
		return -ENODEV;
	ctrl = pci_read_config16(dev, cap + PCI_MSIX_FLAGS);
	n = MIN(max, (unsigned int)(ctrl & PCI_MSIX_FLAGS_QSIZE) + 1);
	if (n < min)
		return -ENOSPC;
	table = pci_read_config32(dev, cap + PCI_MSIX_TABLE);
	bir = table & 7;
	if (bir >= PCI_NUM_BARS || dev->bar[bir].size < (table & ~7U) + n * PCI_MSIX_ENTRY_SIZE)
		return -ENODEV;
	base = pci_iomap(dev, (int)bir);
	if (!base)
		return -ENODEV;
	first = irq_alloc_msi(n);
	if (first < 0)
		return first;
	base += table & ~7U;
	/* mask the whole function while the table is written */
	pci_write_config16(dev, cap + PCI_MSIX_FLAGS,
			   ctrl | PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *e = base + i * PCI_MSIX_ENTRY_SIZE;
		unsigned int irq = (unsigned int)first + i;
		struct msi_msg msg;

		msi_compose_msg(irq_to_vector(irq), &msg);
		msix_set_mask(e, true);
		writel((uint32_t)msg.address, e);
		writel((uint32_t)(msg.address >> 32), e + 4);
		writel(msg.data, e + 8);
		irq_set_chip(irq, &msix_chip, e, ((unsigned long)dev->bus << 16) |
			     ((unsigned long)dev->slot << 11) | ((unsigned long)dev->func << 8) | i,
			     false);
	}
	pci_intx(dev, 0);
	pci_write_config16(dev, cap + PCI_MSIX_FLAGS, (ctrl | PCI_MSIX_FLAGS_ENABLE) &
			   ~PCI_MSIX_FLAGS_MASKALL);
	dev->msix_cap = cap;
	dev->msix_table = (volatile uint32_t *)base;
	dev->irq_type = PCI_IRQ_MSIX;
	dev->nvec = n;
	dev->irq = (unsigned int)first;
	pci_info(dev, "MSI-X: %u vector(s), IRQ %d-%u\n", n, first, (unsigned int)first + n - 1);
	return (int)n;
}

static void disable_msix(struct pci_dev *dev)
{
	uint16_t ctrl = pci_read_config16(dev, dev->msix_cap + PCI_MSIX_FLAGS);

	pci_write_config16(dev, dev->msix_cap + PCI_MSIX_FLAGS, ctrl & ~PCI_MSIX_FLAGS_ENABLE);
	dev->msix_table = NULL;
}

/* --- MSI ------------------------------------------------------------------------ */
static unsigned int msi_mask_reg(unsigned int cap, uint16_t ctrl)
{
	return cap + ((ctrl & PCI_MSI_FLAGS_64BIT) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

static void msi_set_mask(struct pci_dev *dev, bool masked)
{
	unsigned int cap = pci_find_capability(dev, PCI_CAP_ID_MSI);
	uint16_t ctrl = pci_read_config16(dev, cap + PCI_MSI_FLAGS);
	uint32_t bits;

	if (!(ctrl & PCI_MSI_FLAGS_MASKBIT))
		return;		/* this device cannot mask MSI */
	bits = pci_read_config32(dev, msi_mask_reg(cap, ctrl));
	pci_write_config32(dev, msi_mask_reg(cap, ctrl), masked ? bits | 1 : bits & ~1U);
}

static void msi_mask(unsigned int irq, void *data)
{
	msi_set_mask(data, true);
}

static void msi_unmask(unsigned int irq, void *data)
{
	msi_set_mask(data, false);
}

static const struct irq_chip msi_chip = {
	.name = "PCI-MSI",
	.mask = msi_mask,
	.unmask = msi_unmask,
};

static int enable_msi(struct pci_dev *dev)
{
	unsigned int cap = pci_find_capability(dev, PCI_CAP_ID_MSI);
	struct msi_msg msg;
	uint16_t ctrl;
	int irq;

	if (!cap)
		return -ENODEV;
	irq = irq_alloc_msi(1);
	if (irq < 0)
		return irq;
	msi_compose_msg(irq_to_vector((unsigned int)irq), &msg);
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
	irq_set_chip((unsigned int)irq, &msi_chip, dev,
		     ((unsigned long)dev->bus << 16) | ((unsigned long)dev->slot << 11) |
		     ((unsigned long)dev->func << 8), false);
	msi_set_mask(dev, true);
	pci_intx(dev, 0);
	pci_write_config16(dev, cap + PCI_MSI_FLAGS, ctrl | PCI_MSI_FLAGS_ENABLE);
	dev->irq_type = PCI_IRQ_MSI;
	dev->nvec = 1;
	dev->irq = (unsigned int)irq;
	pci_info(dev, "MSI: IRQ %d (%s address %#lx)\n", irq,
		 (ctrl & PCI_MSI_FLAGS_64BIT) ? "64-bit" : "32-bit", msg.address);
	return 1;
}

static void disable_msi(struct pci_dev *dev)
{
	unsigned int cap = pci_find_capability(dev, PCI_CAP_ID_MSI);
	uint16_t ctrl = pci_read_config16(dev, cap + PCI_MSI_FLAGS);

	pci_write_config16(dev, cap + PCI_MSI_FLAGS, ctrl & ~PCI_MSI_FLAGS_ENABLE);
}

/* --- the interface ------------------------------------------------------------------ */
int pci_alloc_irq_vectors(struct pci_dev *dev, unsigned int min_vecs, unsigned int max_vecs,
			  unsigned int flags)
{
	int ret = -ENOSPC;

	if (!min_vecs || max_vecs < min_vecs || !(flags & PCI_IRQ_ALL_TYPES))
		return -EINVAL;
	if (dev->nvec) {
		pci_err(dev, "interrupt vectors are allocated already\n");
		return -EBUSY;
	}
	if (flags & PCI_IRQ_MSIX) {
		ret = enable_msix(dev, min_vecs, max_vecs);
		if (ret > 0)
			return ret;
	}
	if ((flags & PCI_IRQ_MSI) && min_vecs == 1) {
		ret = enable_msi(dev);
		if (ret > 0)
			return ret;
	}
	if ((flags & PCI_IRQ_LEGACY) && min_vecs == 1 && dev->intx_irq) {
		dev->irq_type = PCI_IRQ_LEGACY;
		dev->nvec = 1;
		dev->irq = dev->intx_irq;
		pci_intx(dev, 1);
		return 1;
	}
	return ret < 0 ? ret : -ENOSPC;
}
EXPORT_SYMBOL(pci_alloc_irq_vectors);

int pci_irq_vector(struct pci_dev *dev, unsigned int nr)
{
	if (nr >= dev->nvec)
		return -EINVAL;
	return (int)(dev->irq + nr);
}
EXPORT_SYMBOL(pci_irq_vector);

void pci_free_irq_vectors(struct pci_dev *dev)
{
	if (!dev->nvec)
		return;
	if (dev->irq_type == PCI_IRQ_MSIX)
		disable_msix(dev);
	else if (dev->irq_type == PCI_IRQ_MSI)
		disable_msi(dev);
	if (dev->irq_type != PCI_IRQ_LEGACY)
		irq_free_msi(dev->irq, dev->nvec);
	pci_intx(dev, 1);
	dev->irq = dev->intx_irq;
	dev->irq_type = 0;
	dev->nvec = 0;
}
EXPORT_SYMBOL(pci_free_irq_vectors);

int pci_enable_msi(struct pci_dev *dev)
{
	int n = pci_alloc_irq_vectors(dev, 1, 1, PCI_IRQ_MSI);

	return n < 0 ? n : 0;
}
EXPORT_SYMBOL(pci_enable_msi);

void pci_disable_msi(struct pci_dev *dev)
{
	if (dev->irq_type == PCI_IRQ_MSI)
		pci_free_irq_vectors(dev);
}
EXPORT_SYMBOL(pci_disable_msi);
