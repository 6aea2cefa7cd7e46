/*
 * Intel VT-d DMA remapping (Intel VT-d spec, chapters 3, 6, 7, 8 and 10),
 * as QEMU's -device intel-iommu on q35 provides it.
 *
 * The ACPI DMAR table lists the remapping units (DRHD structures) and the
 * devices each one translates for. For every unit: a root table (one
 * entry per bus) pointing at context tables (one entry per device and
 * function), each context entry naming the device's own domain: a
 * second-level page table (3 levels for a 39-bit address width, 4 for
 * 48) that starts empty. Invalidations go through the queued invalidation
 * interface; faults are recorded by the unit and reported through its
 * fault-event interrupt (an MSI to CPU 0). Translation is switched on once
 * every PCI device has its (empty) domain, before any driver probes, so
 * from then on a device reaches only what its driver maps with the DMA
 * API (drivers/base/dma.c).
 *
 * A fault is an integrity-check failure: it is logged with the device,
 * address, direction and driver module, the device's bus mastering is
 * turned off and its driver module marked faulted; with iommu.fault=panic
 * it is a panic whose record carries the same fields. iommu=off (or
 * intel_iommu=off) leaves DMA unconfined, as does a machine without DMAR.
 *
 * Locking: each domain's spinlock guards its page tables; each unit's
 * spinlock guards its invalidation queue. Both are taken with interrupts
 * off (completion handlers unmap). Lock order: domain lock -> unit lock.
 */
#define pr_fmt(fmt) "DMAR: " fmt

#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/page.h>
#include "arch/x86/x86.h"
#include "drivers/iommu/iommu.h"
#include "drivers/pci/pci.h"
#include "fs/vfs.h"
#include "kernel/irq.h"
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "kernel/module.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

/* --- registers (VT-d spec 10.4) ------------------------------------------------ */
#define DMAR_VER	0x00
#define DMAR_CAP	0x08
#define DMAR_ECAP	0x10
#define DMAR_GCMD	0x18
#define DMAR_GSTS	0x1c
#define DMAR_RTADDR	0x20
#define DMAR_CCMD	0x28
#define DMAR_FSTS	0x34
#define DMAR_FECTL	0x38
#define DMAR_FEDATA	0x3c
#define DMAR_FEADDR	0x40
#define DMAR_FEUADDR	0x44
#define DMAR_IQH	0x80
#define DMAR_IQT	0x88
#define DMAR_IQA	0x90

#define GCMD_TE		(1U << 31)	/* translation enable */
#define GCMD_SRTP	(1U << 30)	/* set root table pointer */
#define GCMD_QIE	(1U << 26)	/* queued invalidation enable */
#define GSTS_TES	(1U << 31)
#define GSTS_RTPS	(1U << 30)
#define GSTS_QIES	(1U << 26)
#define GSTS_ONESHOT	0x96ffffffU	/* the status bits that persist in GCMD */

#define CAP_ND(c)	((c) & 7)			/* domains: 2^(4 + 2*ND) */
#define CAP_CM(c)	(((c) >> 7) & 1)		/* caching mode */
#define CAP_SAGAW(c)	(((c) >> 8) & 0x1f)		/* supported table depths */
#define CAP_FRO(c)	((((c) >> 24) & 0x3ff) * 16)	/* fault registers' offset */
#define CAP_NFR(c)	((((c) >> 40) & 0xff) + 1)	/* how many */
#define ECAP_C(e)	((e) & 1)			/* page walks snoop CPU caches */
#define ECAP_QI(e)	(((e) >> 1) & 1)

#define FSTS_PFO	(1U << 0)	/* primary fault overflow (write 1 to clear) */
#define FSTS_PPF	(1U << 1)	/* primary pending fault */
#define FSTS_FRI(s)	(((s) >> 8) & 0xff)
#define FECTL_IM	(1U << 31)	/* interrupt mask */

/* a fault record's upper 64 bits */
#define FRCD_F		(1ULL << 63)
#define FRCD_T		(1ULL << 62)	/* 1: a read (the device read memory) */
#define FRCD_FR(h)	((unsigned int)(((h) >> 32) & 0xff))
#define FRCD_SID(h)	((unsigned int)((h) & 0xffff))

/* second-level paging entries (9.8) */
#define SL_R		(1ULL << 0)
#define SL_W		(1ULL << 1)
#define SL_ADDR		0x000ffffffffff000ULL
#define SL_COUNT_SHIFT	52		/* bits 52-61 are ignored by the unit: a map count */
#define SL_COUNT_MASK	(0x3ffULL << SL_COUNT_SHIFT)

/* invalidation descriptors (6.5.2) */
#define QI_CC		0x1		/* context-cache invalidate */
#define QI_IOTLB	0x2
#define QI_WAIT		0x5
#define QI_GRAN_GLOBAL	(1ULL << 4)
#define QI_GRAN_DOMAIN	(2ULL << 4)
#define QI_IOTLB_DR	(1ULL << 7)	/* drain reads */
#define QI_IOTLB_DW	(1ULL << 6)	/* drain writes */
#define QI_WAIT_SW	(1ULL << 5)	/* write the status word */
#define QI_WAIT_FN	(1ULL << 6)	/* fence */
#define QI_ENTRIES	256		/* IQA.QS = 0: one 4 KiB page */
#define QI_TIMEOUT_NS	100000000ULL

/* --- the DMAR table (8.1-8.3) -------------------------------------------------- */
#define DMAR_TYPE_DRHD		0
#define DRHD_INCLUDE_PCI_ALL	1
#define SCOPE_ENDPOINT		1

struct dmar_header {
	uint8_t sdt[36];
	uint8_t host_address_width;	/* N - 1 */
	uint8_t flags;
	uint8_t reserved[10];
} __attribute__((packed));

struct dmar_drhd {
	uint16_t type, length;
	uint8_t flags, reserved;
	uint16_t segment;
	uint64_t base;
} __attribute__((packed));

#define MAX_UNITS	4
#define MAX_SCOPE	32

struct dmar_unit {
	uint64_t base;
	volatile uint8_t *regs;
	uint64_t cap, ecap;
	unsigned int levels;		/* 3 (39-bit) or 4 (48-bit) */
	unsigned int aw;		/* the context entry's AW field */
	bool coherent, caching_mode, include_all;
	uint16_t scope[MAX_SCOPE];	/* bus << 8 | devfn, when not include_all */
	unsigned int nscope;
	uint64_t *root;
	uint64_t *ctx[256];		/* context tables, per bus */
	uint64_t *queue;		/* the invalidation queue */
	unsigned int qtail;		/* next descriptor slot */
	volatile uint32_t *status;	/* the wait descriptors' status word */
	uint32_t status_seq;
	unsigned int irq;
	unsigned int next_did;
	unsigned int max_did;
	spinlock_t lock;
	uint64_t faults;
};

static struct dmar_unit units[MAX_UNITS];
static unsigned int nunits;
static bool iommu_off, fault_panic, active;
uint64_t iommu_faults;

static int set_iommu(const char *v)
{
	if (!v || strcmp(v, "off"))
		return -EINVAL;
	iommu_off = true;
	return 0;
}
CMDLINE_OPTION("iommu", set_iommu);

static int set_intel_iommu(const char *v)	/* Linux's spelling */
{
	return set_iommu(v);
}
CMDLINE_OPTION("intel_iommu", set_intel_iommu);

static int set_fault(const char *v)
{
	if (!v || (strcmp(v, "panic") && strcmp(v, "report")))
		return -EINVAL;
	fault_panic = !strcmp(v, "panic");
	return 0;
}
CMDLINE_OPTION("iommu.fault", set_fault);

bool iommu_active(void)
{
	return active;
}

static uint32_t rd32(struct dmar_unit *u, unsigned int off)
{
	return readl(u->regs + off);
}

static uint64_t rd64(struct dmar_unit *u, unsigned int off)
{
	return readq(u->regs + off);
}

static void wr32(struct dmar_unit *u, unsigned int off, uint32_t v)
{
	writel(v, u->regs + off);
}

static void wr64(struct dmar_unit *u, unsigned int off, uint64_t v)
{
	writeq(v, u->regs + off);
}

/* Set a one-shot or persistent GCMD bit and wait for GSTS to show @done. */
static int gcmd(struct dmar_unit *u, uint32_t cmd, uint32_t done)
{
	uint64_t t0 = ktime_ns();

	wr32(u, DMAR_GCMD, (rd32(u, DMAR_GSTS) & GSTS_ONESHOT) | cmd);
	while (!(rd32(u, DMAR_GSTS) & done)) {
		if (ktime_ns() - t0 > QI_TIMEOUT_NS) {
			pr_err("%#lx: command %#x not acknowledged\n", u->base, cmd);
			return -ETIMEDOUT;
		}
		cpu_relax();
	}
	return 0;
}

/* Table writes reach memory before the unit walks them (when its walks do not snoop). */
static void flush_entry(struct dmar_unit *u, const void *p)
{
	if (!u->coherent)
		__asm__ volatile("clflush (%0)" : : "r"(p) : "memory");
}

static uint64_t *alloc_table(void)
{
	phys_addr_t pa = pmm_alloc_page();

	if (!pa)
		return NULL;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return phys_to_virt(pa);
}

/* --- queued invalidation (6.5.2) ----------------------------------------------- */
/* Post descriptors and wait until the unit has done them all; unit lock held. */
static int qi_submit(struct dmar_unit *u, uint64_t lo, uint64_t hi)
{
	uint32_t seq = ++u->status_seq;
	uint64_t t0;

	u->queue[u->qtail * 2] = lo;
	u->queue[u->qtail * 2 + 1] = hi;
	u->qtail = (u->qtail + 1) % QI_ENTRIES;
	u->queue[u->qtail * 2] = QI_WAIT | QI_WAIT_SW | QI_WAIT_FN | ((uint64_t)seq << 32);
	u->queue[u->qtail * 2 + 1] = virt_to_phys((void *)u->status);
	u->qtail = (u->qtail + 1) % QI_ENTRIES;
	__asm__ volatile("sfence" ::: "memory");
	wr64(u, DMAR_IQT, (uint64_t)u->qtail << 4);
	t0 = ktime_ns();
	while (__atomic_load_n(u->status, __ATOMIC_ACQUIRE) != seq) {
		if (ktime_ns() - t0 > QI_TIMEOUT_NS) {
			pr_err("%#lx: invalidation queue stuck (head %#lx, tail %#lx)\n", u->base,
			       rd64(u, DMAR_IQH), rd64(u, DMAR_IQT));
			return -ETIMEDOUT;
		}
		cpu_relax();
	}
	return 0;
}

static void flush_domain_iotlb(struct dmar_unit *u, uint16_t did)
{
	unsigned long flags;

	spin_lock_irqsave(&u->lock, flags);
	qi_submit(u, QI_IOTLB | QI_GRAN_DOMAIN | QI_IOTLB_DR | QI_IOTLB_DW | ((uint64_t)did << 16),
		  0);
	spin_unlock_irqrestore(&u->lock, flags);
}

static void flush_all(struct dmar_unit *u)
{
	unsigned long flags;

	spin_lock_irqsave(&u->lock, flags);
	qi_submit(u, QI_CC | QI_GRAN_GLOBAL, 0);
	qi_submit(u, QI_IOTLB | QI_GRAN_GLOBAL | QI_IOTLB_DR | QI_IOTLB_DW, 0);
	spin_unlock_irqrestore(&u->lock, flags);
}

/* --- domains and their page tables ---------------------------------------------- */
static unsigned int level_index(uint64_t iova, unsigned int level)
{
	return (unsigned int)(iova >> (12 + 9 * (level - 1))) & 511;
}

/* The level-1 entry for @iova, making the tables on the way if @alloc. */
static uint64_t *walk(struct iommu_domain *d, uint64_t iova, bool alloc)
{
	uint64_t *table = d->pgd;

	for (unsigned int level = d->unit->levels; level > 1; level--) {
		uint64_t *e = &table[level_index(iova, level)];

		if (!(*e & (SL_R | SL_W))) {
			uint64_t *next;

			if (!alloc || !(next = alloc_table()))
				return NULL;
			*e = virt_to_phys(next) | SL_R | SL_W;
			flush_entry(d->unit, e);
		}
		table = phys_to_virt(*e & SL_ADDR);
	}
	return &table[level_index(iova, 1)];
}

int iommu_map(struct iommu_domain *d, uint64_t iova, uint64_t phys, size_t size, int prot)
{
	uint64_t perm = (prot & IOMMU_READ ? SL_R : 0) | (prot & IOMMU_WRITE ? SL_W : 0);
	unsigned long flags;
	uint64_t off;
	int err = 0;

	if (!d || !size || (iova | phys) & ~PAGE_MASK)
		return -EINVAL;
	spin_lock_irqsave(&d->lock, flags);
	for (off = 0; off < size; off += PAGE_SIZE) {
		uint64_t *pte = walk(d, iova + off, true), count;

		if (!pte) {
			err = -ENOMEM;
			break;
		}
		count = (*pte & SL_COUNT_MASK) >> SL_COUNT_SHIFT;
		if (*pte & (SL_R | SL_W)) {
			if ((*pte & SL_ADDR) != phys + off || count == 0x3ff) {
				err = -EBUSY;	/* cannot happen with identity bus addresses */
				break;
			}
			*pte = (*pte & ~SL_COUNT_MASK) | perm | ((count + 1) << SL_COUNT_SHIFT);
		} else {
			*pte = (phys + off) | perm | (1ULL << SL_COUNT_SHIFT);
			d->mapped++;
		}
		flush_entry(d->unit, pte);
	}
	spin_unlock_irqrestore(&d->lock, flags);
	if (err) {
		if (off)
			iommu_unmap(d, iova, off);	/* none of it stays mapped */
		return err;
	}
	if (d->unit->caching_mode)		/* caches not-present entries too */
		flush_domain_iotlb(d->unit, d->did);
	return 0;
}

void iommu_unmap(struct iommu_domain *d, uint64_t iova, size_t size)
{
	unsigned long flags;
	bool gone = false;

	if (!d || !size)
		return;
	spin_lock_irqsave(&d->lock, flags);
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t *pte = walk(d, (iova & PAGE_MASK) + off, false), count;

		if (!pte || !(*pte & (SL_R | SL_W)))
			continue;		/* cleared with the domain already */
		count = (*pte & SL_COUNT_MASK) >> SL_COUNT_SHIFT;
		if (count > 1) {
			*pte = (*pte & ~SL_COUNT_MASK) | ((count - 1) << SL_COUNT_SHIFT);
		} else {
			*pte = 0;
			d->mapped--;
			gone = true;
		}
		flush_entry(d->unit, pte);
	}
	spin_unlock_irqrestore(&d->lock, flags);
	if (gone)
		flush_domain_iotlb(d->unit, d->did);
}

int iommu_lookup(struct iommu_domain *d, uint64_t iova)
{
	unsigned long flags;
	uint64_t *pte;
	int prot = 0;

	spin_lock_irqsave(&d->lock, flags);
	pte = walk(d, iova & PAGE_MASK, false);
	if (pte)
		prot = (*pte & SL_R ? IOMMU_READ : 0) | (*pte & SL_W ? IOMMU_WRITE : 0);
	spin_unlock_irqrestore(&d->lock, flags);
	return prot;
}

/* Free the tables below @table (at @level), leaving it empty. */
static void free_tables(struct dmar_unit *u, uint64_t *table, unsigned int level)
{
	for (unsigned int i = 0; i < 512; i++) {
		if (level > 1 && (table[i] & (SL_R | SL_W))) {
			uint64_t *next = phys_to_virt(table[i] & SL_ADDR);

			free_tables(u, next, level - 1);
			pmm_free_page(virt_to_phys(next));
		}
		table[i] = 0;
	}
	flush_entry(u, table);
}

uint64_t iommu_domain_clear(struct iommu_domain *d)
{
	unsigned long flags;
	uint64_t pages;

	if (!d)
		return 0;
	spin_lock_irqsave(&d->lock, flags);
	pages = d->mapped;
	free_tables(d->unit, d->pgd, d->unit->levels);
	d->mapped = 0;
	spin_unlock_irqrestore(&d->lock, flags);
	flush_domain_iotlb(d->unit, d->did);
	return pages;
}

/* Give @pdev an empty domain of its own behind @u. */
static int attach_device(struct dmar_unit *u, struct pci_dev *pdev)
{
	unsigned int devfn = (unsigned int)pdev->slot << 3 | pdev->func;
	struct iommu_domain *d;
	uint64_t *ctx;

	if (u->next_did > u->max_did) {
		pr_err("%s: no domain id left (the unit has %u)\n", pdev->name, u->max_did);
		return -ENOSPC;
	}
	if (!u->ctx[pdev->bus]) {
		if (!(u->ctx[pdev->bus] = alloc_table()))
			return -ENOMEM;
		u->root[pdev->bus * 2] = virt_to_phys(u->ctx[pdev->bus]) | 1;
		flush_entry(u, &u->root[pdev->bus * 2]);
	}
	d = kzalloc(sizeof(*d));
	if (!d || !(d->pgd = alloc_table())) {
		kfree(d);
		return -ENOMEM;
	}
	d->unit = u;
	d->pdev = pdev;
	d->did = (uint16_t)u->next_did++;
	spin_lock_init(&d->lock);
	ctx = &u->ctx[pdev->bus][devfn * 2];
	ctx[1] = u->aw | (uint64_t)d->did << 8;
	ctx[0] = virt_to_phys(d->pgd) | 1;	/* present; translation type 0: second level */
	flush_entry(u, ctx);
	pdev->dev.iommu = d;
	pr_info("%s [%04x:%04x]%s%s: domain %u\n", pdev->name, pdev->vendor, pdev->device,
		pdev->known_name ? " " : "", pdev->known_name ? pdev->known_name : "", d->did);
	return 0;
}

static bool in_scope(struct dmar_unit *u, const struct pci_dev *pdev)
{
	uint16_t sid = (uint16_t)(pdev->bus << 8 | pdev->slot << 3 | pdev->func);

	if (u->include_all)
		return true;
	for (unsigned int i = 0; i < u->nscope; i++)
		if (u->scope[i] == sid)
			return true;
	return false;
}

/* --- faults (7.3) --------------------------------------------------------------- */
static const char *fault_reason(unsigned int fr)
{
	switch (fr) {
	case 0x1: return "no root entry";
	case 0x2: return "no context entry for the device";
	case 0x3: return "invalid context entry";
	case 0x4: return "address beyond the unit's width";
	case 0x5: return "the page is not mapped writable for the device";
	case 0x6: return "the page is not mapped readable for the device";
	case 0x7: return "page-table walk failed";
	case 0xc: return "reserved bits set in a paging entry";
	case 0xd: return "translation type blocked";
	default: return "see the VT-d spec, appendix A";
	}
}

static struct pci_dev *device_by_sid(unsigned int sid)
{
	struct pci_dev *dev;

	list_for_each_entry(dev, &pci_devices, node)
		if (((unsigned int)dev->bus << 8 | dev->slot << 3 | dev->func) == sid)
			return dev;
	return NULL;
}

/* The name of the module @pdev's driver lives in ("built-in" for the kernel's own). */
static const char *driver_module(struct pci_dev *pdev)
{
	struct module *m = pdev ? pci_dev_module(pdev) : NULL;

	if (!pdev || !pdev->driver)
		return "none";
	return m ? m->name : "built-in";
}

static void report_fault(struct dmar_unit *u, uint64_t addr, uint64_t hi)
{
	unsigned int sid = FRCD_SID(hi), fr = FRCD_FR(hi);
	struct pci_dev *pdev = device_by_sid(sid);
	const char *dir = hi & FRCD_T ? "read" : "write";
	const char *drv = pdev && pdev->driver ? pdev->driver->name : "no driver";
	const char *mod = driver_module(pdev);
	char name[16];

	u->faults++;
	__atomic_add_fetch(&iommu_faults, 1, __ATOMIC_RELAXED);
	snprintf(name, sizeof(name), "%04x:%02x:%02x.%x", 0, sid >> 8, (sid >> 3) & 31, sid & 7);
	if (fault_panic) {
		panic_note_dma_fault(name, addr, dir, drv, mod, fr);
		panic("dma-fault", "DMA %s of %#lx by %s (%s, module %s) blocked: %s", dir,
		      (unsigned long)addr, name, drv, mod, fault_reason(fr));
	}
	pr_err("integrity check failed: DMA %s of %#lx by %s (%s, module %s) blocked: %s "
	       "(reason %#x)\n", dir, (unsigned long)addr, name, drv, mod, fault_reason(fr), fr);
	if (pdev && (pci_read_config16(pdev, PCI_COMMAND) & PCI_COMMAND_MASTER)) {
		char why[64];

		pci_clear_master(pdev);
		pdev->dma_faulted = true;
		snprintf(why, sizeof(why), "DMA %s of %#lx blocked by the IOMMU", dir,
			 (unsigned long)addr);
		module_mark_faulted(pci_dev_module(pdev), why);
		pr_err("%s: bus mastering off; driver %s (module %s) marked faulted\n", name, drv,
		       mod);
	}
}

static irqreturn_t dmar_fault_irq(int irq, void *data)
{
	struct dmar_unit *u = data;
	uint32_t fsts = rd32(u, DMAR_FSTS);
	unsigned int nfr = CAP_NFR(u->cap), fro = CAP_FRO(u->cap);
	bool any = false;

	if (!(fsts & (FSTS_PPF | FSTS_PFO)))
		return IRQ_NONE;
	for (unsigned int n = 0, i = FSTS_FRI(fsts); n < nfr; n++, i = (i + 1) % nfr) {
		unsigned int off = fro + i * 16;
		uint64_t hi = rd64(u, off + 8), lo;

		if (!(hi & FRCD_F))
			break;
		lo = rd64(u, off);
		wr32(u, off + 12, (uint32_t)(FRCD_F >> 32));	/* write 1 to clear F */
		report_fault(u, lo & PAGE_MASK, hi);
		any = true;
	}
	if (fsts & FSTS_PFO) {
		pr_err("%#lx: fault records overflowed; some faults were not recorded\n", u->base);
		any = true;
	}
	wr32(u, DMAR_FSTS, FSTS_PFO);
	return any ? IRQ_HANDLED : IRQ_NONE;
}

static void fault_mask(unsigned int irq, void *data)
{
	wr32(data, DMAR_FECTL, FECTL_IM);
}

static void fault_unmask(unsigned int irq, void *data)
{
	wr32(data, DMAR_FECTL, 0);
}

static const struct irq_chip dmar_msi_chip = {
	.name = "DMAR-MSI",
	.mask = fault_mask,
	.unmask = fault_unmask,
};

static int setup_fault_irq(struct dmar_unit *u)
{
	struct msi_msg msg;
	int irq = irq_alloc_msi(1);

	if (irq < 0)
		return irq;
	u->irq = (unsigned int)irq;
	irq_set_chip(u->irq, &dmar_msi_chip, u, 0, false);
	msi_compose_msg(irq_to_vector(u->irq), &msg);
	wr32(u, DMAR_FECTL, FECTL_IM);
	wr32(u, DMAR_FEDATA, msg.data);
	wr32(u, DMAR_FEADDR, (uint32_t)msg.address);
	wr32(u, DMAR_FEUADDR, (uint32_t)(msg.address >> 32));
	return request_irq(u->irq, dmar_fault_irq, 0, "dmar-fault", u);	/* unmasks */
}

/* --- bring-up --------------------------------------------------------------------- */
static int unit_init(struct dmar_unit *u)
{
	unsigned int sagaw;
	struct pci_dev *pdev;
	phys_addr_t qpa, spa;
	int err;

	u->regs = ioremap_untracked(u->base, PAGE_SIZE);
	if (!u->regs)
		return -ENOMEM;
	u->cap = rd64(u, DMAR_CAP);
	u->ecap = rd64(u, DMAR_ECAP);
	sagaw = CAP_SAGAW(u->cap);
	if (sagaw & 2) {
		u->levels = 3;		/* 39-bit: all of a QEMU guest's memory */
		u->aw = 1;
	} else if (sagaw & 4) {
		u->levels = 4;
		u->aw = 2;
	} else {
		pr_err("%#lx: no 39- or 48-bit table format (SAGAW %#x)\n", u->base, sagaw);
		return -ENODEV;
	}
	if (!ECAP_QI(u->ecap)) {
		pr_err("%#lx: no queued invalidation\n", u->base);
		return -ENODEV;
	}
	if (rd32(u, DMAR_GSTS) & GSTS_TES) {
		pr_err("%#lx: translation already on (left by the firmware?); not touched\n",
		       u->base);
		return -EBUSY;
	}
	u->coherent = ECAP_C(u->ecap);
	u->caching_mode = CAP_CM(u->cap);
	u->max_did = (1U << (4 + 2 * CAP_ND(u->cap))) - 1;
	u->next_did = 1;
	spin_lock_init(&u->lock);
	u->root = alloc_table();
	qpa = pmm_alloc_page();
	spa = pmm_alloc_page();
	if (!u->root || !qpa || !spa)
		return -ENOMEM;
	u->queue = phys_to_virt(qpa);
	memset(u->queue, 0, PAGE_SIZE);
	u->status = phys_to_virt(spa);
	*u->status = 0;

	wr64(u, DMAR_RTADDR, virt_to_phys(u->root));
	if ((err = gcmd(u, GCMD_SRTP, GSTS_RTPS)))
		return err;
	wr64(u, DMAR_IQT, 0);
	wr64(u, DMAR_IQA, qpa);			/* QS = 0: 256 descriptors */
	if ((err = gcmd(u, GCMD_QIE, GSTS_QIES)))
		return err;
	if ((err = setup_fault_irq(u)))
		pr_warn("%#lx: no fault interrupt (%d): faults are found only on the next one\n",
			u->base, err);
	list_for_each_entry(pdev, &pci_devices, node) {
		if (in_scope(u, pdev) && (err = attach_device(u, pdev)))
			return err;
	}
	flush_all(u);
	if ((err = gcmd(u, GCMD_TE, GSTS_TES)))
		return err;
	pr_info("%#lx: VT-d %u.%u, %u-level tables (%u-bit), %u domain ids, %s page walks%s; "
		"DMA remapping on\n", u->base, (rd32(u, DMAR_VER) >> 4) & 0xf,
		rd32(u, DMAR_VER) & 0xf, u->levels, u->levels == 3 ? 39 : 48, u->max_did + 1,
		u->coherent ? "coherent" : "non-coherent", u->caching_mode ? ", caching mode" : "");
	return 0;
}

/* Read the DRHD structures; 0 and the units filled in, or -ENODEV. */
static int parse_dmar(void)
{
	size_t len;
	const uint8_t *t = acpi_find_table("DMAR", &len), *p, *end;

	if (!t || len < sizeof(struct dmar_header))
		return -ENODEV;
	end = t + len;
	for (p = t + sizeof(struct dmar_header); p + 4 <= end;) {
		const struct dmar_drhd *h = (const void *)p;
		struct dmar_unit *u;

		if (h->length < 4 || p + h->length > end) {
			pr_err("malformed remapping structure at offset %ld; ignoring the rest\n",
			       (long)(p - t));
			break;
		}
		if (h->type != DMAR_TYPE_DRHD || h->length < sizeof(*h) || h->segment) {
			p += h->length;
			continue;
		}
		if (nunits == MAX_UNITS) {
			pr_warn("more than %d remapping units; the rest are not used\n", MAX_UNITS);
			break;
		}
		u = &units[nunits++];
		u->base = h->base;
		u->include_all = h->flags & DRHD_INCLUDE_PCI_ALL;
		/* device scopes: type, length, reserved[2], enumeration id, start bus, path */
		for (const uint8_t *s = p + sizeof(*h); s + 6 <= p + h->length; s += s[1]) {
			if (s[1] < 6 || s + s[1] > p + h->length)
				break;
			if (s[0] == SCOPE_ENDPOINT && s[1] >= 8 && u->nscope < MAX_SCOPE)
				u->scope[u->nscope++] = (uint16_t)(s[5] << 8 | s[6] << 3 | s[7]);
		}
		p += h->length;
	}
	return nunits ? 0 : -ENODEV;
}

static long iommu_show(char *buf, size_t size)
{
	struct pci_dev *pdev;
	size_t n = 0;

	for (unsigned int i = 0; i < nunits; i++)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0,
				      "unit %#lx levels %u faults %lu\n", units[i].base,
				      units[i].levels, (unsigned long)units[i].faults);
	list_for_each_entry(pdev, &pci_devices, node) {
		struct iommu_domain *d = pdev->dev.iommu;

		if (!d)
			continue;
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0,
				      "%s domain %u pages %lu driver %s%s\n", pdev->name, d->did,
				      (unsigned long)d->mapped,
				      pdev->driver ? pdev->driver->name : "-",
				      pdev->dma_faulted ? " faulted" : "");
	}
	n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "bounced %lu bytes\n",
			      (unsigned long)dma_bounced_bytes);
	if (!active)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "DMA unconfined\n");
	return (long)(n < size ? n : size);
}

/* After PCI enumeration, before any driver probes (subsys level). */
static int iommu_init(void)
{
	int err;

	procfs_register("iommu", iommu_show);
	if (iommu_off) {
		pr_warn("iommu=off: DMA is unconfined (devices can reach all of memory)\n");
		return 0;
	}
	if (parse_dmar()) {
		pr_info("no remapping unit (no ACPI DMAR table): DMA is unconfined\n");
		return 0;
	}
	for (unsigned int i = 0; i < nunits; i++) {
		err = unit_init(&units[i]);
		if (err) {
			struct pci_dev *pdev;

			list_for_each_entry(pdev, &pci_devices, node)
				if (pdev->dev.iommu && pdev->dev.iommu->unit == &units[i])
					pdev->dev.iommu = NULL;	/* left as it was: unconfined */
			pr_err("%#lx: not used (%d): DMA through it is unconfined\n", units[i].base,
			       err);
			continue;
		}
		active = true;
	}
	return 0;
}
subsys_initcall(iommu_init);
