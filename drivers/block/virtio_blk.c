/*
 * virtio-blk (virtio 1.1 spec, 5.2): a disk behind one virtqueue. Each
 * request is a descriptor chain: a 16-byte header (type, sector) the
 * device reads, the data segments, and a status byte it writes. Up to
 * queue-size / 3 requests are in flight at once; the MSI-X interrupt (or
 * polling, without one) completes them. QEMU: -drive file=X,if=virtio
 * (transitional, 1af4:1001) or -device virtio-blk-pci,disable-legacy=on
 * (1af4:1042). The disks are /dev/vda, /dev/vdb, ... in probe order.
 */
#include "drivers/base/device.h"
#include "drivers/block/blkdev.h"
#include "drivers/virtio/virtio.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/mm.h"

#define VIRTIO_BLK_F_SEG_MAX	2
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_FLUSH	9

#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4

#define VIRTIO_BLK_CFG_CAPACITY	0
#define VIRTIO_BLK_CFG_SEG_MAX	12

#define VBLK_QUEUE_MAX		128

struct vblk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk {
	struct virtio_dev vd;
	struct virtqueue vq;
	struct block_device disk;
	struct vblk_hdr *hdr;		/* per descriptor head, in DMA memory */
	uint8_t *status;
	uint64_t hdr_phys, status_phys;
	struct blk_request *inflight[VBLK_QUEUE_MAX];
	unsigned int seg_max;
	uint64_t irqs;
};

static int vblk_poll_forced;

static int set_poll(const char *value)
{
	vblk_poll_forced = !value || value[0] != '0';
	return 0;
}
CMDLINE_OPTION("virtio_blk.poll", set_poll);

/* Finish every request the device has completed. Interrupts are off. */
static void vblk_complete(struct vblk *vb)
{
	uint32_t len;
	int head;

	while ((head = virtqueue_get(&vb->vq, &len)) >= 0) {
		struct blk_request *rq = vb->inflight[head];

		vb->inflight[head] = NULL;
		if (rq)
			blk_request_done(rq, vb->status[head] ? -EIO : 0);
	}
}

static void vblk_irq(unsigned int vector, void *ctx)
{
	struct vblk *vb = ctx;

	vb->irqs++;
	vblk_complete(vb);
}

static void vblk_poll(struct block_device *disk)
{
	unsigned long flags = local_irq_save();

	vblk_complete(disk->priv);
	local_irq_restore(flags);
}

struct room_arg {
	struct vblk *vb;
	unsigned int need;
};

static bool has_room(void *arg)
{
	struct room_arg *ra = arg;

	return ra->vb->vq.num_free >= ra->need;
}

static int vblk_submit(struct block_device *disk, struct blk_request *rq)
{
	struct vblk *vb = disk->priv;
	struct vq_buf bufs[BLK_MAX_SEGS + 2];
	struct room_arg ra = { vb, rq->nr_segs + 2 };
	unsigned long flags;
	unsigned int n = 0;
	int head;

	if (rq->op == BLK_FLUSH) {
		if (!(vb->vd.features & (1ULL << VIRTIO_BLK_F_FLUSH))) {
			flags = local_irq_save();
			blk_request_done(rq, 0);
			local_irq_restore(flags);
			return 0;
		}
		ra.need = 2;
	} else if (rq->nr_segs > vb->seg_max) {
		return -EIO;
	}
	if (ra.need > vb->vq.size)
		return -EIO;
	for (;;) {
		flags = local_irq_save();
		if (vb->vq.num_free >= ra.need)
			break;
		local_irq_restore(flags);
		blk_wait_cond(disk, has_room, &ra);
	}
	/* the header slot is the head's index: claim it once the head is known */
	bufs[n++] = (struct vq_buf){ 0, sizeof(struct vblk_hdr), false };
	if (rq->op != BLK_FLUSH)
		for (unsigned int i = 0; i < rq->nr_segs; i++)
			bufs[n++] = (struct vq_buf){ virt_to_phys(rq->seg[i].buf), rq->seg[i].len,
						     rq->op == BLK_READ };
	bufs[n++] = (struct vq_buf){ 0, 1, true };
	head = vb->vq.free_head;
	bufs[0].phys = vb->hdr_phys + (uint64_t)head * sizeof(struct vblk_hdr);
	bufs[n - 1].phys = vb->status_phys + (uint64_t)head;
	vb->hdr[head].type = rq->op == BLK_READ ? VIRTIO_BLK_T_IN :
			     rq->op == BLK_WRITE ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_FLUSH;
	vb->hdr[head].reserved = 0;
	vb->hdr[head].sector = rq->op == BLK_FLUSH ? 0 : rq->sector;
	vb->status[head] = 0xff;
	vb->inflight[head] = rq;
	virtqueue_add(&vb->vq, bufs, n);
	virtqueue_kick(&vb->vq);
	local_irq_restore(flags);
	return 0;
}

static const struct block_device_ops vblk_ops = {
	.submit = vblk_submit,
	.poll = vblk_poll,
};

static int vblk_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	uint64_t wanted = (1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_RO) |
			  (1ULL << VIRTIO_BLK_F_FLUSH);
	struct vblk *vb = kzalloc(sizeof(*vb));
	void *dma;
	int err;

	if (!vb)
		return -ENOMEM;
	err = pci_enable_device(pdev);
	if (!err)
		err = virtio_pci_init(&vb->vd, pdev);
	if (!err)
		err = virtio_negotiate(&vb->vd, wanted);
	if (err)
		goto out_free;
	if (vblk_poll_forced || virtio_enable_msix(&vb->vd, vblk_irq, vb))
		pci_info(pdev, "no MSI-X: completing requests by polling\n");
	err = virtio_setup_queue(&vb->vd, 0, VBLK_QUEUE_MAX, &vb->vq);
	if (err)
		goto out_reset;
	dma = dma_alloc_coherent_mask(PAGE_SIZE, ~0ULL, &vb->hdr_phys);
	if (!dma) {
		err = -ENOMEM;
		goto out_reset;
	}
	vb->hdr = dma;
	vb->status = (uint8_t *)dma + VBLK_QUEUE_MAX * sizeof(struct vblk_hdr);
	vb->status_phys = vb->hdr_phys + VBLK_QUEUE_MAX * sizeof(struct vblk_hdr);
	vb->seg_max = BLK_MAX_SEGS;
	if (vb->vd.features & (1ULL << VIRTIO_BLK_F_SEG_MAX))
		vb->seg_max = MIN(BLK_MAX_SEGS, virtio_cfg_read32(&vb->vd, VIRTIO_BLK_CFG_SEG_MAX));
	if (!vb->seg_max)
		vb->seg_max = 1;
	vb->disk.nr_sectors = virtio_cfg_read64(&vb->vd, VIRTIO_BLK_CFG_CAPACITY);
	vb->disk.read_only = vb->vd.features & (1ULL << VIRTIO_BLK_F_RO);
	vb->disk.use_irq = vb->vd.msix;
	vb->disk.ops = &vblk_ops;
	vb->disk.priv = vb;
	virtio_driver_ok(&vb->vd);
	pci_set_drvdata(pdev, vb);
	pci_info(pdev, "virtio-blk, queue of %u, %s%s\n", vb->vq.size,
		 vb->vd.msix ? "MSI-X" : "polled",
		 (vb->vd.features & (1ULL << VIRTIO_BLK_F_FLUSH)) ? ", cache flush" : "");
	return blkdev_register_disk(&vb->disk, "vd");

out_reset:
	virtio_reset(&vb->vd);
out_free:
	kfree(vb);
	return err;
}

static const struct pci_device_id vblk_ids[] = {
	{ PCI_DEVICE(VIRTIO_PCI_VENDOR, 0x1001) },	/* transitional */
	{ PCI_DEVICE(VIRTIO_PCI_VENDOR, 0x1042) },	/* virtio 1.x only */
	{ 0 }
};

static struct pci_driver vblk_driver = {
	.name = "virtio-blk",
	.id_table = vblk_ids,
	.probe = vblk_probe,
};

static int vblk_init(void)
{
	return pci_register_driver(&vblk_driver);
}
device_initcall(vblk_init);
