/*
 * The virtio 1.x PCI transport (virtio 1.1 spec, 4.1): a PCI driver that
 * binds every virtio PCI function (vendor 1af4, devices 1000-107f) and
 * puts it on the virtio bus. The structures the core needs (common
 * configuration, notifications, ISR status, device configuration) are
 * named by vendor-specific capabilities giving a BAR, an offset and a
 * length. Transitional devices (QEMU's default, 1af4:1000+) carry the same
 * capabilities next to their legacy I/O BAR, so one code path drives them
 * and modern-only devices (1af4:1040 + type); legacy-only ones are refused.
 * Interrupts and find_vqs are in virtio_pci_irq.c.
 */
#define pr_fmt(fmt) "virtio-pci: " fmt

#include "drivers/virtio/virtio_pci.h"
#include "kernel/kernel.h"
#include "kernel/module.h"
#include "lib/string.h"
#include "mm/mm.h"

#define VIRTIO_PCI_VENDOR		0x1af4
#define VIRTIO_PCI_FIRST		0x1000	/* 1000-103f transitional, 1040-107f modern */
#define VIRTIO_PCI_MODERN		0x1040
#define VIRTIO_PCI_LAST			0x107f

/* vendor capability (4.1.4): cfg_type at +3, bar at +4, offset at +8, length at +12 */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_NOTIFY_MULT	16	/* notify_off_multiplier, after the capability */

#define RESET_TIMEOUT_US	1000000

static uint8_t rd8(volatile uint8_t *base, unsigned int off)
{
	return readb(base + off);
}

static uint16_t rd16(volatile uint8_t *base, unsigned int off)
{
	return readw(base + off);
}

static uint32_t rd32(volatile uint8_t *base, unsigned int off)
{
	return readl(base + off);
}

static void wr8(volatile uint8_t *base, unsigned int off, uint8_t v)
{
	writeb(v, base + off);
}

static void wr16(volatile uint8_t *base, unsigned int off, uint16_t v)
{
	writew(v, base + off);
}

static void wr32(volatile uint8_t *base, unsigned int off, uint32_t v)
{
	writel(v, base + off);
}

/* 64-bit fields are written as two 32-bit halves, low first (4.1.3.1). */
static void wr64(volatile uint8_t *base, unsigned int off, uint64_t v)
{
	wr32(base, off, (uint32_t)v);
	wr32(base, off + 4, (uint32_t)(v >> 32));
}

/* --- configuration ops ------------------------------------------------------------- */
static bool cfg_range_ok(struct virtio_pci_device *vp, unsigned int off, unsigned int len)
{
	if (vp->device && off <= vp->device_len && len <= vp->device_len - off)
		return true;
	pr_err("%s: configuration access at %u+%u outside its %u bytes\n", vp->vdev.name, off,
	       len, vp->device_len);
	return false;
}

static void vp_get(struct virtio_device *vdev, unsigned int off, void *buf, unsigned int len)
{
	struct virtio_pci_device *vp = to_vp(vdev);
	uint8_t *b = buf;
	uint16_t w;
	uint32_t l;

	if (!cfg_range_ok(vp, off, len)) {
		memset(buf, 0, len);
		return;
	}
	switch (len) {
	case 1:
		*b = rd8(vp->device, off);
		break;
	case 2:
		w = rd16(vp->device, off);
		memcpy(buf, &w, 2);
		break;
	case 4:
		l = rd32(vp->device, off);
		memcpy(buf, &l, 4);
		break;
	case 8:
		l = rd32(vp->device, off);
		memcpy(b, &l, 4);
		l = rd32(vp->device, off + 4);
		memcpy(b + 4, &l, 4);
		break;
	default:
		for (unsigned int i = 0; i < len; i++)
			b[i] = rd8(vp->device, off + i);
	}
}

static void vp_set(struct virtio_device *vdev, unsigned int off, const void *buf,
		   unsigned int len)
{
	struct virtio_pci_device *vp = to_vp(vdev);
	const uint8_t *b = buf;
	uint16_t w;
	uint32_t l;

	if (!cfg_range_ok(vp, off, len))
		return;
	switch (len) {
	case 1:
		wr8(vp->device, off, *b);
		break;
	case 2:
		memcpy(&w, buf, 2);
		wr16(vp->device, off, w);
		break;
	case 4:
		memcpy(&l, buf, 4);
		wr32(vp->device, off, l);
		break;
	case 8:
		memcpy(&l, b, 4);
		wr32(vp->device, off, l);
		memcpy(&l, b + 4, 4);
		wr32(vp->device, off + 4, l);
		break;
	default:
		for (unsigned int i = 0; i < len; i++)
			wr8(vp->device, off + i, b[i]);
	}
}

static uint32_t vp_generation(struct virtio_device *vdev)
{
	return rd8(to_vp(vdev)->common, COMMON_CFGGEN);
}

static uint8_t vp_get_status(struct virtio_device *vdev)
{
	return rd8(to_vp(vdev)->common, COMMON_STATUS);
}

static void vp_set_status(struct virtio_device *vdev, uint8_t status)
{
	wr8(to_vp(vdev)->common, COMMON_STATUS, status);
}

/* Writing 0 resets; the device is reset once it reads back 0 (4.1.4.3.2). */
void vp_reset(struct virtio_device *vdev)
{
	struct virtio_pci_device *vp = to_vp(vdev);
	int us = 0;

	wr8(vp->common, COMMON_STATUS, 0);
	while (rd8(vp->common, COMMON_STATUS) && us < RESET_TIMEOUT_US) {
		udelay(10);
		us += 10;
	}
	if (us >= RESET_TIMEOUT_US) {
		/* its rings are about to be freed: take away its DMA first */
		pr_err("%s: device does not finish its reset; bus mastering turned off\n",
		       vdev->name);
		pci_clear_master(vp->pdev);
	}
}

static uint64_t vp_get_features(struct virtio_device *vdev)
{
	struct virtio_pci_device *vp = to_vp(vdev);
	uint64_t f;

	wr32(vp->common, COMMON_DFSELECT, 0);
	f = rd32(vp->common, COMMON_DF);
	wr32(vp->common, COMMON_DFSELECT, 1);
	f |= (uint64_t)rd32(vp->common, COMMON_DF) << 32;
	return f;
}

static int vp_finalize_features(struct virtio_device *vdev)
{
	struct virtio_pci_device *vp = to_vp(vdev);

	if (!virtio_has_feature(vdev, VIRTIO_F_VERSION_1))
		return -EINVAL;
	wr32(vp->common, COMMON_GFSELECT, 0);
	wr32(vp->common, COMMON_GF, (uint32_t)vdev->features);
	wr32(vp->common, COMMON_GFSELECT, 1);
	wr32(vp->common, COMMON_GF, (uint32_t)(vdev->features >> 32));
	return 0;
}

static const char *vp_bus_name(struct virtio_device *vdev)
{
	return pci_name(to_vp(vdev)->pdev);
}

/* --- queues ------------------------------------------------------------------------- */
static bool vp_notify(struct virtqueue *vq)
{
	struct vp_queue *q = vq->priv;

	writew((uint16_t)vq->index, q->notify);	/* the queue's index (4.1.4.4) */
	return true;
}

/*
 * Create queue @index and tell the device where it is, with interrupts on
 * MSI-X entry @vector (or VIRTIO_MSI_NO_VECTOR). It is enabled later, by
 * vp_enable_vqs: until then a failure can still be undone without a reset.
 */
struct virtqueue *vp_setup_vq(struct virtio_pci_device *vp, unsigned int index,
			      vq_callback_t *callback, const char *name, uint16_t vector,
			      int *err)
{
	struct virtqueue *vq;
	struct vp_queue *q;
	uint32_t off;
	uint16_t size;

	*err = -ENOENT;
	if (index >= vp->num_queues)
		return NULL;
	wr16(vp->common, COMMON_Q_SELECT, (uint16_t)index);
	size = rd16(vp->common, COMMON_Q_SIZE);
	if (!size || (size & (size - 1)) || rd16(vp->common, COMMON_Q_ENABLE))
		return NULL;
	off = (uint32_t)rd16(vp->common, COMMON_Q_NOFF) * vp->notify_mult;
	*err = -EINVAL;
	if (off > vp->notify_len || vp->notify_len - off < 2)
		return NULL;
	*err = -ENOMEM;
	q = kzalloc(sizeof(*q));
	if (!q)
		return NULL;
	vq = vring_create_virtqueue(index, MIN(size, VIRTQUEUE_MAX_SIZE), &vp->vdev, vp_notify,
				    callback, name);
	if (!vq) {
		kfree(q);
		return NULL;
	}
	q->notify = (volatile uint16_t *)(vp->notify_base + off);
	q->irq = -1;
	vq->priv = q;
	wr16(vp->common, COMMON_Q_SIZE, (uint16_t)virtqueue_get_vring_size(vq));
	wr64(vp->common, COMMON_Q_DESC, virtqueue_get_desc_addr(vq));
	wr64(vp->common, COMMON_Q_AVAIL, virtqueue_get_avail_addr(vq));
	wr64(vp->common, COMMON_Q_USED, virtqueue_get_used_addr(vq));
	wr16(vp->common, COMMON_Q_MSIX, vector);
	if (vector != VIRTIO_MSI_NO_VECTOR && rd16(vp->common, COMMON_Q_MSIX) != vector) {
		*err = -EBUSY;		/* the device could not take the vector */
		vp_free_vq(vp, vq);
		return NULL;
	}
	*err = 0;
	return vq;
}

void vp_enable_vqs(struct virtio_pci_device *vp)
{
	struct virtqueue *vq;

	list_for_each_entry(vq, &vp->vdev.vqs, list) {
		wr16(vp->common, COMMON_Q_SELECT, (uint16_t)vq->index);
		wr16(vp->common, COMMON_Q_ENABLE, 1);
	}
}

void vp_free_vq(struct virtio_pci_device *vp, struct virtqueue *vq)
{
	wr16(vp->common, COMMON_Q_SELECT, (uint16_t)vq->index);
	wr16(vp->common, COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
	kfree(vq->priv);
	vring_del_virtqueue(vq);
}

static const struct virtio_config_ops vp_config_ops = {
	.get = vp_get,
	.set = vp_set,
	.generation = vp_generation,
	.get_status = vp_get_status,
	.set_status = vp_set_status,
	.reset = vp_reset,
	.find_vqs = vp_find_vqs,
	.del_vqs = vp_del_vqs,
	.get_features = vp_get_features,
	.finalize_features = vp_finalize_features,
	.bus_name = vp_bus_name,
};

/* --- probe ---------------------------------------------------------------------------- */
/* The structure the capability at @pos names, checked against its BAR; @len gets its length. */
static volatile uint8_t *map_cap(struct pci_dev *pdev, unsigned int pos, uint32_t need,
				 uint32_t *len)
{
	uint8_t bar = pci_read_config8(pdev, pos + 4);
	uint32_t off = pci_read_config32(pdev, pos + 8);
	uint8_t *base;

	*len = pci_read_config32(pdev, pos + 12);
	if (bar >= PCI_NUM_BARS || *len < need || (uint64_t)off + *len > pdev->bar[bar].size)
		return NULL;
	base = pci_iomap(pdev, bar);
	return base ? base + off : NULL;
}

/* Map the first capability of each kind (4.1.4: the driver uses the first it can). */
static int find_caps(struct virtio_pci_device *vp)
{
	struct pci_dev *pdev = vp->pdev;
	unsigned int pos = pdev->cap_ptr;
	uint32_t len;

	for (int ttl = 48; pos >= 0x40 && ttl > 0; ttl--) {
		uint16_t ent = pci_read_config16(pdev, pos);

		if ((ent & 0xff) != PCI_CAP_ID_VNDR)
			goto next;
		switch (pci_read_config8(pdev, pos + 3)) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			if (!vp->common)
				vp->common = map_cap(pdev, pos, COMMON_LEN, &len);
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			if (!vp->notify_base && pos + VIRTIO_PCI_CAP_NOTIFY_MULT + 4 <= 256 &&
			    pci_read_config8(pdev, pos + 2) >= VIRTIO_PCI_CAP_NOTIFY_MULT + 4) {
				vp->notify_base = map_cap(pdev, pos, 2, &vp->notify_len);
				vp->notify_mult = pci_read_config32(pdev,
								    pos + VIRTIO_PCI_CAP_NOTIFY_MULT);
			}
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			if (!vp->isr)
				vp->isr = map_cap(pdev, pos, 1, &len);
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			if (!vp->device)
				vp->device = map_cap(pdev, pos, 0, &vp->device_len);
			break;
		}
next:
		pos = (ent >> 8) & 0xfc;
	}
	if (!vp->common || !vp->notify_base || !vp->isr)
		return -ENODEV;
	if (!vp->device)
		vp->device_len = 0;
	return 0;
}

static int vp_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct virtio_pci_device *vp;
	int err;

	vp = kzalloc(sizeof(*vp));
	if (!vp)
		return -ENOMEM;
	vp->pdev = pdev;
	/* transitional devices name their type in the subsystem id (4.1.2.1) */
	if (pdev->device < VIRTIO_PCI_MODERN)
		vp->vdev.id.device = pdev->subsystem_device;
	else
		vp->vdev.id.device = pdev->device - VIRTIO_PCI_MODERN;
	vp->vdev.id.vendor = pdev->subsystem_vendor;
	vp->vdev.config = &vp_config_ops;
	vp->vdev.parent = &pdev->dev;
	vp->config_irq = vp->shared_irq = -1;
	err = pci_enable_device(pdev);
	if (err)
		goto out_free;
	/* rings and buffers may be anywhere: queue addresses are 64-bit (4.1.4.3) */
	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err)
		goto out_disable;
	err = find_caps(vp);
	if (err) {
		pci_err(pdev, "no virtio 1.x capabilities (a legacy-only device?)\n");
		goto out_disable;
	}
	vp->num_queues = rd16(vp->common, COMMON_NUMQ);
	pci_set_drvdata(pdev, vp);
	err = register_virtio_device(&vp->vdev);
	if (err)
		goto out_disable;
	return 0;

out_disable:
	pci_disable_device(pdev);
out_free:
	kfree(vp);
	return err;
}

static void vp_remove(struct pci_dev *pdev)
{
	struct virtio_pci_device *vp = pci_get_drvdata(pdev);

	unregister_virtio_device(&vp->vdev);
	pci_disable_device(pdev);
	kfree(vp);
}

/* 1af4:1000 through 1af4:107f, filled in at init */
static struct pci_device_id vp_ids[VIRTIO_PCI_LAST - VIRTIO_PCI_FIRST + 2];

static struct pci_driver vp_driver = {
	.name = "virtio-pci",
	.id_table = vp_ids,
	.probe = vp_probe,
	.remove = vp_remove,
};

static int vp_init(void)
{
	for (unsigned int d = VIRTIO_PCI_FIRST; d <= VIRTIO_PCI_LAST; d++)
		vp_ids[d - VIRTIO_PCI_FIRST] = (struct pci_device_id){
			PCI_DEVICE(VIRTIO_PCI_VENDOR, d) };
	return pci_register_driver(&vp_driver);
}
device_initcall(vp_init);
