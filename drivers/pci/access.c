/*
 * Configuration space access. PCI Express machines (QEMU's q35) map every
 * function's 4 KiB of configuration space into memory (ECAM) at the base
 * ACPI's MCFG table names: bus << 20 | slot << 15 | func << 12 | offset.
 * Without that table, the PCI 3.0 "configuration mechanism #1" ports are
 * used: an address written to 0xcf8 selects a dword that 0xcfc reads or
 * writes, which reaches only the first 256 bytes.
 */
#define pr_fmt(fmt) "pci: " fmt

#include <asm/io.h>
#include <asm/irq.h>
#include <asm/page.h>
#include <asm/pci.h>
#include "drivers/pci/pci.h"
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "kernel/module.h"

#define PCI_CONFIG_ADDRESS	0xcf8
#define PCI_CONFIG_DATA		0xcfc
#define PCI_CONFIG_ENABLE	0x80000000U

static volatile uint8_t *ecam;		/* NULL: use the ports */
static unsigned int ecam_bus_start, ecam_bus_end;

/* Address of (bus, slot, func, off) in the ECAM window, or NULL outside it. */
static volatile void *ecam_addr(unsigned int bus, unsigned int slot, unsigned int func,
				unsigned int off)
{
	if (bus < ecam_bus_start || bus > ecam_bus_end || slot > 31 || func > 7 || off > 4095)
		return NULL;
	return ecam + ((uintptr_t)bus << 20 | slot << 15 | func << 12 | off);
}

/* The 0xcf8 address / 0xcfc data pair is one register pair for every CPU. */
static DEFINE_SPINLOCK(pci_config_lock);

static uint32_t port_read(unsigned int bus, unsigned int slot, unsigned int func,
			  unsigned int off, int size)
{
	unsigned long flags;
	uint32_t v;

	if (off > 255)
		return 0xffffffffU;
	spin_lock_irqsave(&pci_config_lock, flags);
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | bus << 16 | slot << 11 | func << 8 |
					 (off & 0xfc));
	if (size == 1)
		v = inb(PCI_CONFIG_DATA + (off & 3));
	else if (size == 2)
		v = inw(PCI_CONFIG_DATA + (off & 2));
	else
		v = inl(PCI_CONFIG_DATA);
	spin_unlock_irqrestore(&pci_config_lock, flags);
	return v;
}

static void port_write(unsigned int bus, unsigned int slot, unsigned int func,
		       unsigned int off, int size, uint32_t v)
{
	unsigned long flags;

	if (off > 255)
		return;
	spin_lock_irqsave(&pci_config_lock, flags);
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | bus << 16 | slot << 11 | func << 8 |
					 (off & 0xfc));
	if (size == 1)
		outb(PCI_CONFIG_DATA + (off & 3), (uint8_t)v);
	else if (size == 2)
		outw(PCI_CONFIG_DATA + (off & 2), (uint16_t)v);
	else
		outl(PCI_CONFIG_DATA, v);
	spin_unlock_irqrestore(&pci_config_lock, flags);
}

/*
 * Read @size (1, 2 or 4) bytes at @off of a function's configuration
 * space; all ones when nothing answers, as the hardware does.
 */
uint32_t pci_conf_read(unsigned int bus, unsigned int slot, unsigned int func,
		       unsigned int off, int size)
{
	volatile void *p;

	if (!ecam)
		return port_read(bus, slot, func, off, size);
	p = ecam_addr(bus, slot, func, off);
	if (!p)
		return 0xffffffffU;
	if (size == 1)
		return *(volatile uint8_t *)p;
	if (size == 2)
		return *(volatile uint16_t *)p;
	return *(volatile uint32_t *)p;
}

void pci_conf_write(unsigned int bus, unsigned int slot, unsigned int func,
		    unsigned int off, int size, uint32_t v)
{
	volatile void *p;

	if (!ecam) {
		port_write(bus, slot, func, off, size, v);
		return;
	}
	p = ecam_addr(bus, slot, func, off);
	if (!p)
		return;
	if (size == 1)
		*(volatile uint8_t *)p = (uint8_t)v;
	else if (size == 2)
		*(volatile uint16_t *)p = (uint16_t)v;
	else
		*(volatile uint32_t *)p = v;
}

/* Choose the access method: ECAM when the MCFG window lies in the direct map. */
int pci_config_init(void)
{
	uint64_t base;
	unsigned int start, end;

	if (acpi_pci_ecam(&base, &start, &end)) {
		pr_info("no MCFG table: configuration through ports 0xcf8/0xcfc\n");
		return 0;
	}
	if (end < start || base + ((uint64_t)(end + 1) << 20) > 0x100000000ULL) {
		pr_warn("ECAM window at %#lx (buses %u-%u) is unusable; using ports 0xcf8/0xcfc\n",
			base, start, end);
		return 0;
	}
	ecam = phys_to_virt(base);	/* MCFG's base is that of bus 0 */
	ecam_bus_start = start;
	ecam_bus_end = end;
	pr_info("ECAM at %#lx for buses %02x-%02x\n",
		base + ((uint64_t)start << 20), start, end);
	return 0;
}

const char *pci_config_method(void)
{
	return ecam ? "ECAM" : "ports 0xcf8/0xcfc";
}

/* --- per-device accessors ------------------------------------------------------ */
uint8_t pci_read_config8(struct pci_dev *dev, unsigned int off)
{
	return (uint8_t)pci_conf_read(dev->bus, dev->slot, dev->func, off, 1);
}
EXPORT_SYMBOL(pci_read_config8);

uint16_t pci_read_config16(struct pci_dev *dev, unsigned int off)
{
	return (uint16_t)pci_conf_read(dev->bus, dev->slot, dev->func, off, 2);
}
EXPORT_SYMBOL(pci_read_config16);

uint32_t pci_read_config32(struct pci_dev *dev, unsigned int off)
{
	return pci_conf_read(dev->bus, dev->slot, dev->func, off, 4);
}
EXPORT_SYMBOL(pci_read_config32);

void pci_write_config8(struct pci_dev *dev, unsigned int off, uint8_t v)
{
	pci_conf_write(dev->bus, dev->slot, dev->func, off, 1, v);
}
EXPORT_SYMBOL(pci_write_config8);

void pci_write_config16(struct pci_dev *dev, unsigned int off, uint16_t v)
{
	pci_conf_write(dev->bus, dev->slot, dev->func, off, 2, v);
}
EXPORT_SYMBOL(pci_write_config16);

void pci_write_config32(struct pci_dev *dev, unsigned int off, uint32_t v)
{
	pci_conf_write(dev->bus, dev->slot, dev->func, off, 4, v);
}
EXPORT_SYMBOL(pci_write_config32);
