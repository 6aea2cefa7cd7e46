/*
 * What the PCI core needs from the platform: where the PCI Express
 * configuration space (ECAM) is mapped, as ACPI's MCFG table says. MSI
 * messages come from asm/irq.h.
 */
#ifndef ASM_PCI_H
#define ASM_PCI_H

#include <stdint.h>

/* Segment 0's ECAM base and bus range; 0, or -ENODEV without an MCFG table. */
int acpi_pci_ecam(uint64_t *base, unsigned int *bus_start, unsigned int *bus_end);

#endif
