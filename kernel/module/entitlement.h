/*
 * Entitlements: what a signed module may touch, as its manifest's ent=
 * lines say (docs/module-format.md) and docs/confinement.md explains. This
 * header is the data (kinds, limits, the parsed set) and the pure code
 * that reads and writes the lines (kernel/module/ent_lines.c, host-tested);
 * the checks the driver API makes are declared in kernel/module.h.
 */
#ifndef KERNEL_MODULE_ENTITLEMENT_H
#define KERNEL_MODULE_ENTITLEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kinds, in the order their lines must appear in a manifest. */
enum module_ent_kind {
	MODULE_ENT_PCI,		/* pci:VVVV:DDDD[:CCCCCC/MMMMMM]: bind that PCI device */
	MODULE_ENT_VIRTIO,	/* virtio:N[:VVVV]: bind that virtio device type */
	MODULE_ENT_DMA,		/* dma: the DMA API */
	MODULE_ENT_IOPORT,	/* ioport:0xS-0xE: request_region inside it */
	MODULE_ENT_IRQ,		/* irq:N: request_irq on ISA line N (0-15) */
	MODULE_ENT_MSR,		/* msr: rdmsr/wrmsr (checked by the signer's tools) */
	MODULE_ENT_EXPORT,	/* export: EXPORT_SYMBOL for other modules */
	MODULE_ENT_CPU,		/* cpu: other privileged instructions */
	MODULE_ENT_NR_KINDS
};

#define MODULE_ENT_BIT(kind)	(1u << (kind))
#define MODULE_ENT_ALL		((1u << MODULE_ENT_NR_KINDS) - 1)

/* Bounds of one manifest, so the parsed set has a fixed size. */
#define MODULE_ENT_MAX_PCI	16
#define MODULE_ENT_MAX_VIRTIO	8
#define MODULE_ENT_MAX_IOPORT	8
#define MODULE_ENT_ISA_IRQS	16	/* irq:0 .. irq:15 */

#define MODULE_ENT_ANY		0xffffffffU	/* PCI_ANY_ID, VIRTIO_DEV_ANY_ID: "*" */

/* One PCI device ID a module may bind: vendor/device or ANY; class under class_mask. */
struct module_ent_pci {
	uint32_t vendor, device;
	uint32_t class, class_mask;	/* class_mask 0: any class */
};

struct module_ent_virtio {
	uint32_t device, vendor;	/* each may be MODULE_ENT_ANY */
};

struct module_ent_ioport {
	uint16_t start, end;		/* inclusive */
};

/* Everything one manifest grants; zeroed means "nothing". */
struct module_entitlements {
	uint32_t kinds;			/* MODULE_ENT_BIT() of every kind present */
	uint16_t irqs;			/* bit N: irq:N */
	uint8_t npci, nvirtio, nioport;
	struct module_ent_pci pci[MODULE_ENT_MAX_PCI];
	struct module_ent_virtio virtio[MODULE_ENT_MAX_VIRTIO];
	struct module_ent_ioport ioport[MODULE_ENT_MAX_IOPORT];
};

/* "pci", "virtio", ...: the word of @kind in manifests, grants and the log. */
const char *module_ent_kind_name(unsigned int kind);

/*
 * Add the value of one "ent=" line (@v, @len bytes, without "ent=") to
 * @e. Lines must come in the one canonical order (kinds in enum order,
 * values ascending, no duplicates, port ranges merged), so a set has one
 * spelling. Returns 0, or -EBADMSG with a short reason in @why.
 */
int module_ent_parse_line(struct module_entitlements *e, const char *v, size_t len,
			  char *why, size_t why_size);

/*
 * Write every entitlement of @e as its line value ("pci:1234:11e8"), each
 * followed by @sep ("\n" for a manifest, " " for /proc), each preceded by
 * @prefix ("ent=" or ""). Returns the length it needs, as snprintf does.
 */
size_t module_ent_format(const struct module_entitlements *e, const char *prefix,
			 const char *sep, char *buf, size_t size);

/* Does @e let a driver bind the PCI device vendor:device of class @class? */
bool module_ent_has_pci(const struct module_entitlements *e, uint32_t vendor,
			uint32_t device, uint32_t class);
bool module_ent_has_virtio(const struct module_entitlements *e, uint32_t device,
			   uint32_t vendor);
/* Is every port of [start, start + n) inside one ioport: range of @e? */
bool module_ent_has_ports(const struct module_entitlements *e, unsigned long start,
			  unsigned long n);

#endif
