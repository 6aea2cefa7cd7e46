/*
 * The virtio transport for 9P: QEMU's virtio-9p-pci (virtio device type
 * 9; 1af4:1009 transitional, 1af4:1049 modern), made by
 * "-virtfs local,path=DIR,mount_tag=TAG,...". The device configuration
 * holds the mount tag (tag_len[2], then the bytes) that mount(2)'s source
 * names. Each request is a chain of two buffers on the one virtqueue: the
 * T-message the device reads and room for the R-message it writes. One
 * request is in flight per device (the client serialises them, see
 * client.c); its MSI-X interrupt wakes the waiting task, or the task polls
 * when there is none. Everything that knows about virtio is in this file.
 */
#define pr_fmt(fmt) "9p-virtio: " fmt
#include "drivers/base/device.h"
#include "drivers/block/virtio.h"
#include "fs/9p/9p.h"
#include "kernel/irq.h"
#include "kernel/sched.h"
#include "lib/list.h"
#include "lib/string.h"
#include "mm/mm.h"

#define VIRTIO_9P_MOUNT_TAG	0		/* feature: the config space has a tag */
#define V9P_CFG_TAG_LEN		0
#define V9P_CFG_TAG		2
#define V9P_TAG_MAX		255
#define V9P_QUEUE_MAX		8		/* two descriptors are ever in use */
#define V9P_WAIT_SLICE_NS	20000000ULL	/* re-check a sleeping wait this often */

struct v9p_dev {
	struct virtio_dev vd;
	struct virtqueue vq;
	struct p9_trans trans;
	dma_addr_t tbuf_phys, rbuf_phys;
	bool in_use;			/* a mount holds the transport */
	volatile bool done;		/* the reply to the request in flight is in */
	uint32_t reply_len;
	struct wait_queue wq;
	struct list_head node;
	char tag[V9P_TAG_MAX + 1];
};

static LIST_HEAD(v9p_devices);

/* Collect the finished request, if it is. Interrupts are off. */
static void v9p_reap(struct v9p_dev *d)
{
	uint32_t len;

	if (virtqueue_get(&d->vq, &len) >= 0) {
		d->reply_len = len;
		d->done = true;
	}
}

static irqreturn_t v9p_irq(int irq, void *ctx)
{
	struct v9p_dev *d = ctx;

	v9p_reap(d);
	wake_up(&d->wq);
	return IRQ_HANDLED;
}

/* Sleep until the reply is in, or poll for it where no interrupt can wake us. */
static void v9p_wait(struct v9p_dev *d)
{
	for (;;) {
		unsigned long flags = local_irq_save_sched();

		if (d->done) {
			local_irq_restore_sched(flags);
			return;
		}
		if (!d->vd.msix || !irqs_enabled() || current->pid == 0) {
			v9p_reap(d);
			local_irq_restore_sched(flags);
			if (!d->done)
				udelay(5);
			continue;
		}
		/* a lost interrupt costs one slice, not a hang */
		current->wake_at_ns = ktime_ns() + V9P_WAIT_SLICE_NS;
		sleep_on(&d->wq, TASK_UNINTERRUPTIBLE);
		current->wake_at_ns = 0;
		v9p_reap(d);
		local_irq_restore_sched(flags);
	}
}

static long v9p_request(struct p9_trans *t, size_t len)
{
	struct v9p_dev *d = t->priv;
	struct vq_buf bufs[2] = {
		{ d->tbuf_phys, (uint32_t)len, false },
		{ d->rbuf_phys, (uint32_t)t->bufsize, true },
	};
	unsigned long flags;
	int head;

	if (len > t->bufsize)
		return -EMSGSIZE;
	flags = local_irq_save();
	d->done = false;
	head = virtqueue_add(&d->vq, bufs, 2);
	if (head >= 0)
		virtqueue_kick(&d->vq);
	local_irq_restore(flags);
	if (head < 0)
		return -EIO;
	v9p_wait(d);
	if (d->reply_len > t->bufsize) {
		pr_err("%s: the device says it wrote %u bytes into %zu\n", d->tag, d->reply_len,
		       t->bufsize);
		return -EIO;
	}
	return d->reply_len;
}

static void v9p_free_bufs(struct v9p_dev *d, size_t size)
{
	struct device *dev = &d->vd.pdev->dev;

	if (d->trans.tbuf)
		dma_free_coherent(dev, size, d->trans.tbuf, d->tbuf_phys);
	if (d->trans.rbuf)
		dma_free_coherent(dev, size, d->trans.rbuf, d->rbuf_phys);
	d->trans.tbuf = d->trans.rbuf = NULL;
}

static void v9p_close(struct p9_trans *t)
{
	struct v9p_dev *d = t->priv;

	v9p_free_bufs(d, t->bufsize);
	d->in_use = false;
}

static const struct p9_trans_ops v9p_ops = {
	.request = v9p_request,
	.close = v9p_close,
};

int p9_trans_virtio_open(const char *tag, size_t msize, struct p9_trans **out)
{
	struct v9p_dev *d;

	list_for_each_entry(d, &v9p_devices, node) {
		struct device *dev = &d->vd.pdev->dev;

		if (strcmp(d->tag, tag))
			continue;
		if (d->in_use)
			return -EBUSY;
		d->trans.tbuf = dma_alloc_coherent(dev, msize, &d->tbuf_phys, GFP_KERNEL);
		d->trans.rbuf = dma_alloc_coherent(dev, msize, &d->rbuf_phys, GFP_KERNEL);
		if (!d->trans.tbuf || !d->trans.rbuf) {
			v9p_free_bufs(d, msize);
			return -ENOMEM;
		}
		d->trans.ops = &v9p_ops;
		d->trans.bufsize = msize;
		d->trans.priv = d;
		d->in_use = true;
		*out = &d->trans;
		return 0;
	}
	pr_err("no virtio-9p device has the mount tag \"%s\"\n", tag);
	return -ENOENT;
}

/* The mount tag from the device configuration; -ENODEV if it has none. */
static int v9p_read_tag(struct v9p_dev *d)
{
	unsigned int len;

	if (!(d->vd.features & (1ULL << VIRTIO_9P_MOUNT_TAG)))
		return -ENODEV;
	len = virtio_cfg_read8(&d->vd, V9P_CFG_TAG_LEN) |
	      (unsigned int)virtio_cfg_read8(&d->vd, V9P_CFG_TAG_LEN + 1) << 8;
	if (!len || len > V9P_TAG_MAX)
		return -ENODEV;
	for (unsigned int i = 0; i < len; i++)
		d->tag[i] = (char)virtio_cfg_read8(&d->vd, V9P_CFG_TAG + i);
	d->tag[len] = '\0';
	return strlen(d->tag) == len ? 0 : -ENODEV;
}

static int v9p_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct v9p_dev *d = kzalloc(sizeof(*d));
	int err;

	if (!d)
		return -ENOMEM;
	wait_queue_init(&d->wq);
	err = pci_enable_device(pdev);
	if (!err)
		err = virtio_pci_init(&d->vd, pdev);
	if (!err)
		err = virtio_negotiate(&d->vd, 1ULL << VIRTIO_9P_MOUNT_TAG);
	if (err)
		goto out_free;
	err = v9p_read_tag(d);
	if (err) {
		pci_err(pdev, "no usable mount tag in the device configuration\n");
		goto out_reset;
	}
	dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (virtio_enable_msix(&d->vd, v9p_irq, d))
		pci_info(pdev, "no MSI-X: waiting for replies by polling\n");
	err = virtio_setup_queue(&d->vd, 0, V9P_QUEUE_MAX, &d->vq);
	if (err)
		goto out_reset;
	virtio_driver_ok(&d->vd);
	pci_set_drvdata(pdev, d);
	list_add_tail(&d->node, &v9p_devices);
	pci_info(pdev, "virtio-9p, mount tag \"%s\", %s\n", d->tag,
		 d->vd.msix ? "MSI-X" : "polled");
	return 0;

out_reset:
	virtio_reset(&d->vd);
out_free:
	kfree(d);
	return err;
}

static const struct pci_device_id v9p_ids[] = {
	{ PCI_DEVICE(VIRTIO_PCI_VENDOR, 0x1009) },	/* transitional */
	{ PCI_DEVICE(VIRTIO_PCI_VENDOR, 0x1049) },	/* virtio 1.x only */
	{ 0 }
};

static struct pci_driver v9p_driver = {
	.name = "virtio-9p",
	.id_table = v9p_ids,
	.probe = v9p_probe,
};

static int v9p_init(void)
{
	return pci_register_driver(&v9p_driver);
}
device_initcall(v9p_init);
