/*
 * AHCI (Serial ATA, AHCI 1.3 spec): the SATA controller of QEMU's q35
 * (ICH9, 00:1f.2) and of real PCs, PCI class 01:06:01. The HBA is reset
 * and put in AHCI mode; each implemented port with a disk behind it
 * (link up, signature 0x101) gets a command list, a received-FIS area and
 * one command table per slot, is identified (IDENTIFY DEVICE) and becomes
 * /dev/sda, /dev/sdb, ... Requests are READ/WRITE DMA EXT and FLUSH CACHE
 * EXT, one command slot each, several in flight; MSI (or polling, without
 * it) completes them. ATAPI drives (the boot CD) are left alone.
 */
#define pr_fmt(fmt) "ahci: " fmt

#include <asm/io.h>
#include <asm/page.h>
#include "drivers/base/device.h"
#include "drivers/block/ahci.h"
#include "kernel/lock.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/mm.h"

#define AHCI_MAX_SECTORS	65536	/* a count of 0 in a 48-bit command */

static int ahci_poll_forced;
/* Guards every port's slots and in-flight requests against the handler (on any CPU). */
static DEFINE_SPINLOCK(ahci_lock);

static int set_poll(const char *value)
{
	ahci_poll_forced = !value || value[0] != '0';
	return 0;
}
CMDLINE_OPTION("ahci.poll", set_poll);

static uint32_t hba_read(struct ahci_host *h, unsigned int reg)
{
	return mmio_read32(h->abar + reg);
}

static void hba_write(struct ahci_host *h, unsigned int reg, uint32_t v)
{
	mmio_write32(h->abar + reg, v);
}

static uint32_t port_read(struct ahci_port *p, unsigned int reg)
{
	return mmio_read32(p->regs + reg);
}

static void port_write(struct ahci_port *p, unsigned int reg, uint32_t v)
{
	mmio_write32(p->regs + reg, v);
}

/* Wait up to @ms milliseconds for (@reg & @mask) == @want; 0 or -ETIMEDOUT. */
static int port_wait(struct ahci_port *p, unsigned int reg, uint32_t mask, uint32_t want,
		     unsigned int ms)
{
	for (unsigned int i = 0; i < ms * 10; i++) {
		if ((port_read(p, reg) & mask) == want)
			return 0;
		udelay(100);
	}
	return (port_read(p, reg) & mask) == want ? 0 : -ETIMEDOUT;
}

/* Stop the command engine and FIS reception (10.1.2), as before reprogramming. */
static int port_stop(struct ahci_port *p)
{
	uint32_t cmd = port_read(p, PORT_CMD);

	port_write(p, PORT_CMD, cmd & ~PORT_CMD_ST);
	if (port_wait(p, PORT_CMD, PORT_CMD_CR, 0, 500))
		return -ETIMEDOUT;
	port_write(p, PORT_CMD, port_read(p, PORT_CMD) & ~PORT_CMD_FRE);
	return port_wait(p, PORT_CMD, PORT_CMD_FR, 0, 500);
}

static void port_start(struct ahci_port *p)
{
	port_write(p, PORT_CMD, port_read(p, PORT_CMD) | PORT_CMD_FRE);
	port_write(p, PORT_CMD, port_read(p, PORT_CMD) | PORT_CMD_ST);
}

/*
 * Fill slot @slot's header and command FIS for @cmd on @count sectors at
 * @lba; the caller adds the PRDs. 48-bit LBA, LBA mode.
 */
static void build_cmd(struct ahci_port *p, unsigned int slot, uint8_t cmd, uint64_t lba,
		      uint32_t count, bool write)
{
	struct ahci_cmd_hdr *hdr = &p->cl[slot];
	uint8_t *fis = p->tables[slot].cfis;

	memset(fis, 0, 64);
	fis[0] = FIS_TYPE_REG_H2D;
	fis[1] = 0x80;			/* C: this is a command */
	fis[2] = cmd;
	fis[4] = lba;
	fis[5] = lba >> 8;
	fis[6] = lba >> 16;
	fis[7] = 1 << 6;		/* device: LBA */
	fis[8] = lba >> 24;
	fis[9] = lba >> 32;
	fis[10] = lba >> 40;
	fis[12] = count;
	fis[13] = count >> 8;
	hdr->flags = 5 | (write ? AHCI_HDR_WRITE : 0) | AHCI_HDR_CLEAR_BUSY;
	hdr->prdtl = 0;
	hdr->prdbc = 0;
}

/* Append @len bytes at physical @pa to slot @slot's PRDT, split at 4 MiB. */
static int add_prds(struct ahci_port *p, unsigned int slot, uint64_t pa, uint32_t len)
{
	struct ahci_cmd_hdr *hdr = &p->cl[slot];

	while (len) {
		uint32_t n = MIN(len, AHCI_PRD_MAX_BYTES);
		struct ahci_prd *prd;

		if (hdr->prdtl >= AHCI_MAX_PRDS || (!p->host->dma64 && pa + n > (1ULL << 32)))
			return -EIO;
		prd = &p->tables[slot].prd[hdr->prdtl++];
		prd->dba = (uint32_t)pa;
		prd->dbau = pa >> 32;
		prd->reserved = 0;
		prd->dbc = n - 1;
		pa += n;
		len -= n;
	}
	return 0;
}

static void issue(struct ahci_port *p, unsigned int slot)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* the tables before the doorbell */
	p->busy |= 1U << slot;
	port_write(p, PORT_CI, 1U << slot);
}

/*
 * After a task file or bus error the port stops processing commands
 * (6.2.2.1): stop it, clear the errors, reset the link if the device is
 * still busy, and start it again.
 */
static void port_recover(struct ahci_port *p)
{
	port_write(p, PORT_CMD, port_read(p, PORT_CMD) & ~PORT_CMD_ST);
	port_wait(p, PORT_CMD, PORT_CMD_CR, 0, 500);
	port_write(p, PORT_SERR, 0xffffffff);
	port_write(p, PORT_IS, 0xffffffff);
	if (port_read(p, PORT_TFD) & (PORT_TFD_BSY | PORT_TFD_DRQ)) {
		port_write(p, PORT_SCTL, (port_read(p, PORT_SCTL) & ~0xfU) | 1);
		mdelay(1);
		port_write(p, PORT_SCTL, port_read(p, PORT_SCTL) & ~0xfU);
		port_wait(p, PORT_SSTS, 0xf, 3, 1000);
		port_write(p, PORT_SERR, 0xffffffff);
	}
	port_write(p, PORT_CMD, port_read(p, PORT_CMD) | PORT_CMD_ST);
}

static enum dma_data_direction rq_dir(const struct blk_request *rq)
{
	return rq->op == BLK_WRITE ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
}

static void unmap_segs(struct ahci_port *p, struct blk_request *rq, const uint64_t *bus)
{
	if (rq->op == BLK_FLUSH)
		return;
	for (unsigned int i = 0; i < rq->nr_segs; i++)
		dma_unmap_single(&p->host->pdev->dev, bus[i], rq->seg[i].len, rq_dir(rq));
}

/* Lend the device the request's buffers (through the IOMMU when there is one). */
static int map_segs(struct ahci_port *p, struct blk_request *rq, uint64_t *bus)
{
	if (rq->op == BLK_FLUSH)
		return 0;
	for (unsigned int i = 0; i < rq->nr_segs; i++) {
		bus[i] = dma_map_single(&p->host->pdev->dev, rq->seg[i].buf, rq->seg[i].len,
					rq_dir(rq));
		if (dma_mapping_error(&p->host->pdev->dev, bus[i])) {
			struct blk_request part = *rq;

			part.nr_segs = i;
			unmap_segs(p, &part, bus);
			return -EIO;
		}
	}
	return 0;
}

/* Finish every request the port has completed. Interrupts are off. */
static void port_complete(struct ahci_port *p)
{
	uint32_t is = port_read(p, PORT_IS);
	uint32_t ci, done;

	port_write(p, PORT_IS, is);
	hba_write(p->host, AHCI_IS, 1U << p->no);
	ci = port_read(p, PORT_CI);
	done = p->busy & ~ci;
	if (is & PORT_INT_ERRORS) {
		pr_err("%s: error (IS %#x, TFD %#x, SERR %#x): failing %u request(s)\n",
		       p->disk.name, is, port_read(p, PORT_TFD), port_read(p, PORT_SERR),
		       __builtin_popcount(p->busy & ci));
		done = p->busy;
		port_recover(p);
	}
	for (unsigned int slot = 0; done; slot++) {
		struct blk_request *rq;

		if (!(done & (1U << slot)))
			continue;
		done &= ~(1U << slot);
		p->busy &= ~(1U << slot);
		rq = p->inflight[slot];
		p->inflight[slot] = NULL;
		if (rq) {
			unmap_segs(p, rq, p->seg_bus[slot]);
			blk_request_done(rq, (ci & (1U << slot)) ? -EIO : 0);
		}
	}
}

static irqreturn_t ahci_irq(int irq, void *ctx)
{
	struct ahci_host *h = ctx;
	uint32_t is = hba_read(h, AHCI_IS);

	if (!is)
		return IRQ_NONE;
	h->irqs++;
	spin_lock(&ahci_lock);
	for (unsigned int i = 0; i < 32; i++) {
		if ((is & (1U << i)) && h->ports[i])
			port_complete(h->ports[i]);
	}
	spin_unlock(&ahci_lock);
	hba_write(h, AHCI_IS, is);
	return IRQ_HANDLED;
}

static void ahci_poll(struct block_device *disk)
{
	unsigned long flags;

	spin_lock_irqsave(&ahci_lock, flags);
	port_complete(disk->priv);
	spin_unlock_irqrestore(&ahci_lock, flags);
}

static bool has_slot(void *arg);

/* A free slot, or -1. ahci_lock held. */
static int free_slot(struct ahci_port *p)
{
	uint32_t used = p->busy | port_read(p, PORT_CI);

	for (unsigned int slot = 0; slot < p->host->nr_slots; slot++)
		if (!(used & (1U << slot)))
			return slot;
	return -1;
}

static bool has_slot(void *arg)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&ahci_lock, flags);
	ok = free_slot(arg) >= 0;
	spin_unlock_irqrestore(&ahci_lock, flags);
	return ok;
}

static int ahci_submit(struct block_device *disk, struct blk_request *rq)
{
	struct ahci_port *p = disk->priv;
	uint64_t bus[BLK_MAX_SEGS];
	uint32_t count = 0;
	unsigned long flags;
	uint8_t cmd;
	int slot;

	for (unsigned int i = 0; i < rq->nr_segs; i++)
		count += rq->seg[i].len >> SECTOR_SHIFT;
	if (rq->op != BLK_FLUSH && (!count || count > AHCI_MAX_SECTORS || rq->nr_segs > BLK_MAX_SEGS))
		return -EIO;
	if (map_segs(p, rq, bus))
		return -EIO;
	for (;;) {
		spin_lock_irqsave(&ahci_lock, flags);
		slot = free_slot(p);
		if (slot >= 0)
			break;
		spin_unlock_irqrestore(&ahci_lock, flags);
		blk_wait_cond(disk, has_slot, p);
	}
	cmd = rq->op == BLK_READ ? ATA_CMD_READ_DMA_EXT :
	      rq->op == BLK_WRITE ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_FLUSH_EXT;
	build_cmd(p, slot, cmd, rq->op == BLK_FLUSH ? 0 : rq->sector,
		  rq->op == BLK_FLUSH ? 0 : count, rq->op == BLK_WRITE);
	if (rq->op != BLK_FLUSH) {
		for (unsigned int i = 0; i < rq->nr_segs; i++) {
			if (add_prds(p, slot, bus[i], rq->seg[i].len)) {
				spin_unlock_irqrestore(&ahci_lock, flags);
				unmap_segs(p, rq, bus);
				return -EIO;
			}
		}
		memcpy(p->seg_bus[slot], bus, rq->nr_segs * sizeof(bus[0]));
	}
	p->inflight[slot] = rq;
	issue(p, slot);
	spin_unlock_irqrestore(&ahci_lock, flags);
	return 0;
}

static const struct block_device_ops ahci_ops = {
	.submit = ahci_submit,
	.poll = ahci_poll,
};

/* Copy an ATA string (two characters per word, swapped) and trim the blanks. */
static void ata_string(char *dst, const uint16_t *words, unsigned int nwords)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nwords; i++) {
		dst[n++] = words[i] >> 8;
		dst[n++] = words[i] & 0xff;
	}
	while (n && (dst[n - 1] == ' ' || !dst[n - 1]))
		n--;
	dst[n] = 0;
}

/* IDENTIFY DEVICE by polling (at probe): the size and model of the disk. */
static int port_identify(struct ahci_port *p)
{
	uint64_t phys;
	uint16_t *id = dma_alloc_coherent(&p->host->pdev->dev, SECTOR_SIZE, &phys, GFP_KERNEL);
	int err = 0;

	if (!id)
		return -ENOMEM;
	build_cmd(p, 0, ATA_CMD_IDENTIFY, 0, 0, false);
	p->tables[0].cfis[7] = 0;
	add_prds(p, 0, phys, SECTOR_SIZE);
	port_write(p, PORT_IS, 0xffffffff);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	port_write(p, PORT_CI, 1);
	for (unsigned int i = 0; i < 50000 && (port_read(p, PORT_CI) & 1); i++) {
		if (port_read(p, PORT_IS) & PORT_INT_TFES)
			break;
		udelay(100);
	}
	if ((port_read(p, PORT_CI) & 1) || (port_read(p, PORT_IS) & PORT_INT_ERRORS) ||
	    (port_read(p, PORT_TFD) & PORT_TFD_ERR)) {
		err = -EIO;
		port_recover(p);
		goto out;
	}
	if (id[83] & (1 << 10))		/* 48-bit addresses */
		p->disk.nr_sectors = id[100] | (uint64_t)id[101] << 16 |
				     (uint64_t)id[102] << 32 | (uint64_t)id[103] << 48;
	else
		p->disk.nr_sectors = id[60] | (uint32_t)id[61] << 16;
	ata_string(p->model, id + 27, 20);
	if (!p->disk.nr_sectors)
		err = -EIO;
out:
	port_write(p, PORT_IS, 0xffffffff);
	dma_free_coherent(&p->host->pdev->dev, SECTOR_SIZE, id, phys);
	return err;
}

/*
 * Take port @no: stop it, give it its memory, start FIS reception, and
 * if a disk answers, start the engine and identify it. 0 with a disk,
 * -ENODEV without one.
 */
static int port_init(struct ahci_port *p)
{
	uint32_t sig;

	if (port_stop(p)) {
		pr_warn("port %u: the command engine does not stop\n", p->no);
		return -EIO;
	}
	p->dma = dma_alloc_coherent(&p->host->pdev->dev, AHCI_PORT_DMA_SIZE, &p->dma_phys,
				    GFP_KERNEL);
	if (!p->dma)
		return -ENOMEM;
	p->cl = p->dma;
	p->tables = (struct ahci_cmd_table *)((uint8_t *)p->dma + AHCI_TABLES_OFF);
	for (unsigned int slot = 0; slot < AHCI_SLOTS; slot++) {
		uint64_t pa = p->dma_phys + AHCI_TABLES_OFF +
			      slot * sizeof(struct ahci_cmd_table);

		p->cl[slot].ctba = (uint32_t)pa;
		p->cl[slot].ctbau = pa >> 32;
	}
	port_write(p, PORT_CLB, (uint32_t)p->dma_phys);
	port_write(p, PORT_CLBU, p->dma_phys >> 32);
	port_write(p, PORT_FB, (uint32_t)(p->dma_phys + AHCI_CL_SIZE));
	port_write(p, PORT_FBU, (p->dma_phys + AHCI_CL_SIZE) >> 32);
	port_write(p, PORT_SERR, 0xffffffff);
	port_write(p, PORT_IS, 0xffffffff);
	port_write(p, PORT_IE, 0);
	port_write(p, PORT_CMD, port_read(p, PORT_CMD) | PORT_CMD_SUD | PORT_CMD_POD |
				PORT_CMD_FRE);
	/* DET 1: a device is there but the link is not up yet */
	if (PORT_SSTS_DET(port_read(p, PORT_SSTS)) == 0 ||
	    port_wait(p, PORT_SSTS, 0xf, 3, 20))
		goto no_disk;
	/* the device's first register FIS sets the signature and clears BSY */
	if (port_wait(p, PORT_TFD, PORT_TFD_BSY | PORT_TFD_DRQ, 0, 1000))
		goto no_disk;
	sig = port_read(p, PORT_SIG);
	if (sig != SATA_SIG_ATA) {
		if (sig == SATA_SIG_ATAPI)
			pr_info("port %u: ATAPI drive, not used\n", p->no);
		goto no_disk;
	}
	port_write(p, PORT_SERR, 0xffffffff);
	port_start(p);
	if (port_identify(p)) {
		pr_warn("port %u: IDENTIFY DEVICE failed\n", p->no);
		goto no_disk;
	}
	return 0;

no_disk:
	port_stop(p);
	dma_free_coherent(&p->host->pdev->dev, AHCI_PORT_DMA_SIZE, p->dma, p->dma_phys);
	return -ENODEV;
}

/* Reset the HBA (GHC.HR) and turn AHCI mode on (10.4.3). */
static int hba_reset(struct ahci_host *h)
{
	hba_write(h, AHCI_GHC, AHCI_GHC_AE);
	hba_write(h, AHCI_GHC, AHCI_GHC_AE | AHCI_GHC_HR);
	for (unsigned int i = 0; i < 1000 && (hba_read(h, AHCI_GHC) & AHCI_GHC_HR); i++)
		mdelay(1);
	if (hba_read(h, AHCI_GHC) & AHCI_GHC_HR)
		return -ETIMEDOUT;
	hba_write(h, AHCI_GHC, AHCI_GHC_AE);
	return 0;
}

static void add_disk(struct ahci_host *h, struct ahci_port *p)
{
	p->disk.use_irq = h->msi;
	p->disk.ops = &ahci_ops;
	p->disk.priv = p;
	h->ports[p->no] = p;
	if (h->msi)
		port_write(p, PORT_IE, PORT_INT_DHRS | PORT_INT_PSS | PORT_INT_SDBS |
				       PORT_INT_ERRORS);
	if (blkdev_register_disk(&p->disk, "sd"))
		return;
	pr_info("%s: port %u, %s, %lu sectors (%lu MiB)\n", p->disk.name, p->no, p->model,
		(unsigned long)p->disk.nr_sectors, (unsigned long)(p->disk.nr_sectors >> 11));
}

static int ahci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ahci_host *h = kzalloc(sizeof(*h));
	uint32_t cap, pi, vs;
	int err;

	if (!h)
		return -ENOMEM;
	h->pdev = pdev;
	err = pci_enable_device(pdev);
	if (err)
		goto out_free;
	h->abar = pci_iomap(pdev, 5);
	if (!h->abar) {
		pci_err(pdev, "no ABAR (BAR 5)\n");
		err = -ENODEV;
		goto out_disable;
	}
	err = hba_reset(h);
	if (err) {
		pci_err(pdev, "the HBA does not come out of reset\n");
		goto out_disable;
	}
	cap = hba_read(h, AHCI_CAP);
	pi = hba_read(h, AHCI_PI);
	vs = hba_read(h, AHCI_VS);
	h->nr_slots = MIN(AHCI_CAP_NCS(cap), AHCI_SLOTS);
	h->dma64 = cap & AHCI_CAP_S64A;
	h->msi = !ahci_poll_forced && pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI) == 1;
	if (h->msi && request_irq(pci_irq_vector(pdev, 0), ahci_irq, 0, "ahci", h)) {
		pci_free_irq_vectors(pdev);
		h->msi = false;
	}
	pci_set_drvdata(pdev, h);
	hba_write(h, AHCI_IS, 0xffffffff);
	if (h->msi)
		hba_write(h, AHCI_GHC, AHCI_GHC_AE | AHCI_GHC_IE);
	pci_info(pdev, "AHCI %x.%x, %u slots, ports %#x, %s\n", vs >> 16, (vs >> 8) & 0xff,
		 h->nr_slots, pi, h->msi ? "MSI" : "polled");
	for (unsigned int i = 0; i < 32; i++) {
		struct ahci_port *p;

		if (!(pi & (1U << i)))
			continue;
		p = kzalloc(sizeof(*p));
		if (!p)
			break;
		p->host = h;
		p->no = i;
		p->regs = h->abar + AHCI_PORT(i);
		if (port_init(p)) {
			kfree(p);
			continue;
		}
		add_disk(h, p);
	}
	return 0;

out_disable:
	pci_disable_device(pdev);
out_free:
	kfree(h);
	return err;
}

static const struct pci_device_id ahci_ids[] = {
	{ PCI_DEVICE_CLASS(0x010601, 0xffffff) },	/* mass storage, SATA, AHCI */
	{ 0 }
};

static struct pci_driver ahci_driver = {
	.name = "ahci",
	.id_table = ahci_ids,
	.probe = ahci_probe,
};

static int ahci_init(void)
{
	return pci_register_driver(&ahci_driver);
}
device_initcall(ahci_init);
