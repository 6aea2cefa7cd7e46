/*
 * Just enough ACPI to find the interrupt controllers: locate the RSDP (from
 * GRUB's tag, else the BIOS area), walk the XSDT or RSDT to the MADT, and
 * record the local APIC and IOAPIC addresses and the ISA interrupt source
 * overrides. Every table's checksum is verified; a bad or missing table
 * falls back to the PC defaults with a warning. The PCI core asks for the
 * MCFG table's configuration window through acpi_pci_ecam().
 */
#define pr_fmt(fmt) "acpi: " fmt

#include <asm/boot.h>
#include <asm/page.h>
#include <asm/pci.h>
#include "arch/x86/x86.h"
#include "kernel/kernel.h"
#include "lib/string.h"

struct acpi_sdt {
	char sig[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem[6];
	char oem_table[8];
	uint32_t oem_rev;
	uint32_t creator, creator_rev;
} __attribute__((packed));

struct acpi_rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

struct acpi_info acpi_info = {
	.lapic_addr = 0xfee00000,
	.ioapic_addr = 0xfec00000,
};

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

static const struct acpi_rsdp *find_rsdp(void)
{
	if (boot_info.rsdp)
		return (const void *)boot_info.rsdp_copy;
	/* BIOS: a 16-byte aligned signature in the top 128 KiB below 1 MiB */
	for (uint64_t pa = 0xe0000; pa < 0x100000; pa += 16) {
		const struct acpi_rsdp *r = phys_to_virt(pa);

		if (!memcmp(r->sig, "RSD PTR ", 8) && !checksum(r, 20))
			return r;
	}
	return NULL;
}

static const struct acpi_sdt *map_table(uint64_t pa)
{
	const struct acpi_sdt *t;

	if (!pa || pa >= 0x100000000ULL)	/* the direct map covers 4 GiB */
		return NULL;
	t = phys_to_virt(pa);
	if (t->length < sizeof(*t) || t->length > (1 << 20) || checksum(t, t->length)) {
		pr_warn("table at %#lx has a bad length or checksum, ignored\n", pa);
		return NULL;
	}
	return t;
}

static const struct acpi_sdt *find_table(const struct acpi_rsdp *rsdp, const char *sig)
{
	int wide = rsdp->revision >= 2 && rsdp->xsdt;
	const struct acpi_sdt *root = map_table(wide ? rsdp->xsdt : rsdp->rsdt);
	size_t n, esz = wide ? 8 : 4;

	if (!root)
		return NULL;
	n = (root->length - sizeof(*root)) / esz;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = (const uint8_t *)(root + 1) + i * esz;
		uint64_t pa = 0;
		const struct acpi_sdt *t;

		memcpy(&pa, e, esz);
		t = map_table(pa);
		if (t && !memcmp(t->sig, sig, 4))
			return t;
	}
	return NULL;
}

static void parse_madt(const struct acpi_sdt *madt)
{
	const uint8_t *p = (const uint8_t *)(madt + 1);
	const uint8_t *end = (const uint8_t *)madt + madt->length;
	bool have_ioapic = false;

	acpi_info.lapic_addr = *(const uint32_t *)p;
	for (p += 8; p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		switch (p[0]) {
		case 0:		/* processor local APIC */
			if (p[1] >= 8 && (*(const uint32_t *)(p + 4) & 1)) {
				if (acpi_info.cpus < MAX_CPUS)
					acpi_info.apic_ids[acpi_info.cpus] = p[3];
				acpi_info.cpus++;
			}
			break;
		case 1:		/* IOAPIC: we drive the first one */
			if (p[1] >= 12 && !have_ioapic) {
				acpi_info.ioapic_addr = *(const uint32_t *)(p + 4);
				acpi_info.ioapic_gsi_base = *(const uint32_t *)(p + 8);
				have_ioapic = true;
			}
			break;
		case 2:		/* interrupt source override */
			if (p[1] >= 10 && p[2] == 0 && p[3] < 16) {
				acpi_info.isa_override[p[3]].gsi = *(const uint32_t *)(p + 4);
				acpi_info.isa_override[p[3]].flags = *(const uint16_t *)(p + 8);
				acpi_info.isa_override[p[3]].present = 1;
			}
			break;
		case 5:		/* 64-bit local APIC address */
			if (p[1] >= 12)
				memcpy(&acpi_info.lapic_addr, p + 4, 8);
			break;
		}
	}
}

/* Find the MADT; returns 0, or -1 when the PC defaults are used. */
const void *acpi_find_table(const char *sig, size_t *len)
{
	const struct acpi_rsdp *rsdp = find_rsdp();
	const struct acpi_sdt *t = rsdp ? find_table(rsdp, sig) : NULL;

	if (t && len)
		*len = t->length;
	return t;
}

int acpi_init(void)
{
	const struct acpi_rsdp *rsdp = find_rsdp();
	const struct acpi_sdt *madt;

	if (!rsdp) {
		pr_warn("no RSDP found; assuming a PC with one CPU and the default IOAPIC\n");
		acpi_info.cpus = 1;
		return -1;
	}
	madt = find_table(rsdp, "APIC");
	if (!madt) {
		pr_warn("no valid MADT; using default APIC addresses\n");
		acpi_info.cpus = 1;
		return -1;
	}
	parse_madt(madt);
	pr_info("RSDP rev %u (%.6s), %u CPU(s), LAPIC %#lx, IOAPIC %#lx (GSI base %u)\n",
		rsdp->revision, rsdp->oem, acpi_info.cpus, acpi_info.lapic_addr,
		acpi_info.ioapic_addr, acpi_info.ioapic_gsi_base);
	return 0;
}

/*
 * The PCI Express configuration window (ECAM) of segment 0 from the MCFG
 * table: 0 with *base and the bus range filled in, or -ENODEV (the caller
 * falls back to the legacy configuration ports).
 */
int acpi_pci_ecam(uint64_t *base, unsigned int *bus_start, unsigned int *bus_end)
{
	const struct acpi_rsdp *rsdp = find_rsdp();
	const struct acpi_sdt *mcfg = rsdp ? find_table(rsdp, "MCFG") : NULL;
	const uint8_t *p, *end;

	if (!mcfg)
		return -ENODEV;
	end = (const uint8_t *)mcfg + mcfg->length;
	/* 8 reserved bytes, then 16-byte entries: base, segment, first and last bus */
	for (p = (const uint8_t *)(mcfg + 1) + 8; p + 16 <= end; p += 16) {
		uint64_t addr;
		uint16_t segment;

		memcpy(&addr, p, 8);
		memcpy(&segment, p + 8, 2);
		if (segment != 0 || !addr)
			continue;
		*base = addr;
		*bus_start = p[10];
		*bus_end = p[11];
		return 0;
	}
	return -ENODEV;
}
