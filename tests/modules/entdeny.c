/* An entitlement test (user/tests/entitle.sh): a driver for QEMU's edu
 * whose only entitlement is that device (its ID table). insmod with act=
 * tries one thing it has no entitlement for and fails with the error the
 * kernel's refusal gave:
 *   irq       request_irq(8): an ISA line without irq:8
 *   region    request_region(0x70, 2): ports without ioport:0x70-0x71
 *   dma       dma_alloc_coherent from probe: no dma
 *   dmamap    dma_map_single from probe: no dma
 *   ioremap   ioremap of edu's BAR0 without binding edu
 *   iomap     pci_iomap of edu without binding it
 * act=bound binds edu and uses what binding it gives (pci_iomap, ioremap
 * inside BAR0, request_irq on its INTx line), which must all work, and
 * stays loaded with /proc/entdeny: writing "irq" requests and frees that
 * line again, so a test can see the request refused once the module has
 * been marked faulted. */
#include "drivers/base/device.h"
#include "drivers/pci/pci.h"
#include "fs/vfs.h"
#include "kernel/module.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

MODULE_NAME("entdeny");
MODULE_VERSION("1");
MODULE_LICENSE("GPL");

static char act[16] = "bound";
module_param_string(act, "irq, region, dma, dmamap, ioremap, iomap or bound (the default)");

static const struct pci_device_id entdeny_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },		/* QEMU's edu */
	{ 0 }
};
MODULE_DEVICE_TABLE(pci, entdeny_ids);

static struct pci_dev *bound_dev;
static int probe_err;
static int cookie;		/* dev_id for request_irq */

static irqreturn_t entdeny_irq(int irq, void *dev)
{
	return IRQ_NONE;	/* edu raises nothing for this driver */
}

/* What act=bound may do with the device it holds; 0 when all of it worked. */
static int use_bound(struct pci_dev *pdev)
{
	void *regs = pci_iomap(pdev, 0), *again;
	int err;

	if (!regs)
		return -EPERM;
	again = ioremap(pdev->bar[0].addr + 0x100, 0x100);
	if (!again)
		return -EPERM;
	iounmap(again);
	err = request_irq(pdev->intx_irq, entdeny_irq, IRQF_SHARED, "entdeny", &cookie);
	if (err)
		return err;
	free_irq(pdev->intx_irq, &cookie);
	pr_info("entdeny: BAR0 mapped twice and irq %u requested: bound to %s\n",
		pdev->intx_irq, pci_name(pdev));
	return 0;
}

static int entdeny_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	dma_addr_t bus;
	void *buf;

	if (!strcmp(act, "dma")) {
		buf = dma_alloc_coherent(&pdev->dev, 4096, &bus, GFP_KERNEL);
		if (buf)
			dma_free_coherent(&pdev->dev, 4096, buf, bus);
		probe_err = buf ? -EINVAL : -EPERM;
	} else if (!strcmp(act, "dmamap")) {
		buf = kmalloc(64);
		if (!buf)
			return -ENOMEM;
		bus = dma_map_single(&pdev->dev, buf, 64, DMA_TO_DEVICE);
		if (!dma_mapping_error(&pdev->dev, bus))
			dma_unmap_single(&pdev->dev, bus, 64, DMA_TO_DEVICE);
		kfree(buf);
		probe_err = dma_mapping_error(&pdev->dev, bus) ? -EPERM : -EINVAL;
	} else {
		probe_err = use_bound(pdev);
	}
	if (probe_err)
		return probe_err;
	bound_dev = pdev;
	return 0;
}

static void entdeny_remove(struct pci_dev *pdev)
{
	bound_dev = NULL;
}

static struct pci_driver entdeny_driver = {
	.name = "entdeny",
	.id_table = entdeny_ids,
	.probe = entdeny_probe,
	.remove = entdeny_remove,
};

static long entdeny_show(char *buf, size_t size)
{
	return snprintf(buf, size, "%s\n", bound_dev ? pci_name(bound_dev) : "unbound");
}

/* "irq": request the bound device's line and free it again. */
static long entdeny_write(const char *buf, size_t len)
{
	int err;

	if (len < 3 || memcmp(buf, "irq", 3))
		return -EINVAL;
	if (!bound_dev)
		return -ENODEV;
	err = request_irq(bound_dev->intx_irq, entdeny_irq, IRQF_SHARED, "entdeny", &cookie);
	if (err)
		return err;
	free_irq(bound_dev->intx_irq, &cookie);
	return (long)len;
}

/* The tries that need no device bound; -EPERM is the refusal they expect. */
static int try_unbound(void)
{
	struct pci_dev *edu = pci_find_device(0x1234, 0x11e8, NULL);
	void *p;

	if (!strcmp(act, "irq")) {
		int err = request_irq(8, entdeny_irq, 0, "entdeny", &cookie);

		if (!err)
			free_irq(8, &cookie);
		return err ? err : -EINVAL;
	}
	if (!strcmp(act, "region")) {
		if (!request_region(0x70, 2, "entdeny"))
			return -EPERM;
		release_region(0x70, 2);
		return -EINVAL;
	}
	if (!edu)
		return -ENODEV;
	p = !strcmp(act, "ioremap") ? ioremap(edu->bar[0].addr, 4096) : pci_iomap(edu, 0);
	if (!p)
		return -EPERM;
	iounmap(p);
	return -EINVAL;
}

static int entdeny_init(void)
{
	int err;

	if (!strcmp(act, "irq") || !strcmp(act, "region") || !strcmp(act, "ioremap") ||
	    !strcmp(act, "iomap"))
		return try_unbound();
	err = pci_register_driver(&entdeny_driver);
	if (err)
		return err;
	if (!bound_dev) {
		pci_unregister_driver(&entdeny_driver);
		return probe_err ? probe_err : -ENODEV;
	}
	err = procfs_register_rw("entdeny", entdeny_show, entdeny_write);
	if (err)
		pci_unregister_driver(&entdeny_driver);
	return err;
}

static void entdeny_exit(void)
{
	procfs_unregister("entdeny");
	pci_unregister_driver(&entdeny_driver);
}

module_init(entdeny_init);
module_exit(entdeny_exit);
