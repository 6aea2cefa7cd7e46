/*
 * Which IOAPIC input a PCI device's INTx pin reaches. On q35 the ICH9
 * chipset routes each slot's INTA-D to one of eight PIRQ lines, PIRQ A-H on
 * IOAPIC inputs 16-23, the way QEMU's ACPI _PRT (and SeaBIOS and OVMF,
 * which follow it) describe: slots 0-24 rotate over PIRQ E-H starting at
 * (slot + pin) mod 4, slot 30 (the DMI-PCI bridge) PIRQ E-H by pin, and
 * the other slots 25-31 PIRQ A-D by pin. A device behind a
 * bridge has its pin swizzled by its slot at each bridge on the way up
 * (PCI-to-PCI Bridge spec, 9.1). Elsewhere the firmware's INTERRUPT_LINE
 * is taken as an ISA line.
 */
#define pr_fmt(fmt) "pci: " fmt

#include "drivers/pci/pci.h"
#include "kernel/kernel.h"

#define PCI_VENDOR_INTEL	0x8086
#define ICH9_LPC_DEVICE		0x2918

static bool chipset_is_q35(void)
{
	struct pci_dev *lpc = pci_find_device(PCI_VENDOR_INTEL, ICH9_LPC_DEVICE, NULL);

	return lpc && lpc->bus == 0 && lpc->slot == 0x1f && lpc->func == 0;
}

/* The IRQ number for @dev's INTx on q35 (an IOAPIC input 16-23). */
static unsigned int q35_route(const struct pci_dev *dev)
{
	unsigned int pin = dev->irq_pin - 1;	/* 0..3 = INTA..INTD */

	for (; dev->parent; dev = dev->parent)
		pin = (pin + dev->slot) % 4;
	if (dev->slot <= 24)
		return 16 + 4 + (dev->slot + pin) % 4;	/* PIRQ E-H, rotated */
	if (dev->slot == 30)
		return 16 + 4 + pin;			/* the DMI-PCI bridge: PIRQ E-H */
	return 16 + pin;				/* PIRQ A-D */
}

void pci_route_intx_all(void)
{
	bool q35 = chipset_is_q35();
	struct pci_dev *dev;

	list_for_each_entry(dev, &pci_devices, node) {
		if (dev->irq_pin < 1 || dev->irq_pin > 4)
			continue;
		if (q35)
			dev->intx_irq = q35_route(dev);
		else if (dev->irq_line && dev->irq_line < 16)
			dev->intx_irq = dev->irq_line;
		dev->irq = dev->intx_irq;
	}
	if (!q35)
		pr_info("not a q35 chipset: INTx taken from the firmware's interrupt lines\n");
}
