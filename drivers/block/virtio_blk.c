/*
 * virtio-blk (virtio 1.1 spec, 5.2): a disk behind one virtqueue, as a
 * driver on the virtio bus (drivers/virtio/virtio.h). Each request is a
 * chain of a 16-byte header (type, sector) the device reads, the data
 * segments, and a status byte it writes; header and status live in a
 * per-request slot. As many requests are in flight as the queue has
 * descriptors for; the queue's interrupt (or polling, before interrupts
 * are on or with virtio_blk.poll) completes them. QEMU: -drive
 * file=X,if=virtio or -device virtio-blk-pci. The disks are /dev/vda,
 * /dev/vdb, ... in probe order.
 */
#include "drivers/block/blkdev.h"
#include "drivers/virtio/virtio.h"
#include "kernel/lock.h"
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

struct vblk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* One request in flight: what the device reads first and writes last. */
struct vblk_slot {
	struct vblk_hdr hdr;
	uint8_t status;
	struct blk_request *rq;		/* NULL while the slot is free */
};

struct vblk {
	struct virtio_device *vdev;
	struct virtqueue *vq;
	spinlock_t lock;		/* the queue and the slots */
	struct block_device disk;
	struct vblk_slot *slots;	/* one per descriptor: never all in use */
	unsigned int nslots;
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

/* Finish every request the device has completed. Called with vb->lock held. */
static void vblk_complete(struct vblk *vb)
{
	struct vblk_slot *slot;
	unsigned int len;

	while ((slot = virtqueue_get_buf(vb->vq, &len))) {
		struct blk_request *rq = slot->rq;

		slot->rq = NULL;
		blk_request_done(rq, slot->status ? -EIO : 0);
	}
	if (!virtqueue_is_broken(vb->vq))
		return;
	/* the device broke the ring: nothing more will complete, so fail the rest */
	for (unsigned int i = 0; i < vb->nslots; i++) {
		struct blk_request *rq = vb->slots[i].rq;

		if (rq) {
			vb->slots[i].rq = NULL;
			blk_request_done(rq, -EIO);
		}
	}
}

/* The queue's callback (interrupt context). */
static void vblk_done(struct virtqueue *vq)
{
	struct vblk *vb = vq->vdev->priv;
	unsigned long flags;

	spin_lock_irqsave(&vb->lock, flags);
	vb->irqs++;
	vblk_complete(vb);
	spin_unlock_irqrestore(&vb->lock, flags);
}

static void vblk_poll(struct block_device *disk)
{
	struct vblk *vb = disk->priv;
	unsigned long flags;

	spin_lock_irqsave(&vb->lock, flags);
	vblk_complete(vb);
	spin_unlock_irqrestore(&vb->lock, flags);
}

struct room_arg {
	struct vblk *vb;
	unsigned int need;
};

static bool has_room(void *arg)
{
	struct room_arg *ra = arg;

	return ra->vb->vq->num_free >= ra->need || virtqueue_is_broken(ra->vb->vq);
}

static struct vblk_slot *free_slot(struct vblk *vb)
{
	for (unsigned int i = 0; i < vb->nslots; i++)
		if (!vb->slots[i].rq)
			return &vb->slots[i];
	return NULL;
}

static int vblk_submit(struct block_device *disk, struct blk_request *rq)
{
	struct vblk *vb = disk->priv;
	struct scatterlist hdr, status, data[BLK_MAX_SEGS], *sgs[3];
	struct room_arg ra = { vb, rq->nr_segs + 2 };
	unsigned int out = 0, in = 0;
	struct vblk_slot *slot;
	unsigned long flags;
	int err;

	if (rq->op == BLK_FLUSH) {
		if (!virtio_has_feature(vb->vdev, VIRTIO_BLK_F_FLUSH)) {
			spin_lock_irqsave(&vb->lock, flags);
			blk_request_done(rq, 0);
			spin_unlock_irqrestore(&vb->lock, flags);
			return 0;
		}
		ra.need = 2;
	} else if (rq->nr_segs > vb->seg_max || !rq->nr_segs) {
		return -EIO;
	}
	if (ra.need > virtqueue_get_vring_size(vb->vq))
		return -EIO;
	for (;;) {
		spin_lock_irqsave(&vb->lock, flags);
		if (virtqueue_is_broken(vb->vq)) {
			spin_unlock_irqrestore(&vb->lock, flags);
			return -EIO;
		}
		if (vb->vq->num_free >= ra.need)
			break;
		spin_unlock_irqrestore(&vb->lock, flags);
		blk_wait_cond(disk, has_room, &ra);
	}
	slot = free_slot(vb);		/* each request holds 2+ descriptors: one is free */
	if (!slot) {
		spin_unlock_irqrestore(&vb->lock, flags);
		return -EBUSY;
	}
	slot->hdr.type = rq->op == BLK_READ ? VIRTIO_BLK_T_IN :
			 rq->op == BLK_WRITE ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_FLUSH;
	slot->hdr.reserved = 0;
	slot->hdr.sector = rq->op == BLK_FLUSH ? 0 : rq->sector;
	slot->status = 0xff;
	slot->rq = rq;

	sg_init_one(&hdr, &slot->hdr, sizeof(slot->hdr));
	sgs[out++] = &hdr;
	if (rq->op != BLK_FLUSH) {
		sg_init_table(data, rq->nr_segs);
		for (unsigned int i = 0; i < rq->nr_segs; i++)
			sg_set_buf(&data[i], rq->seg[i].buf, rq->seg[i].len);
		if (rq->op == BLK_WRITE)
			sgs[out++] = data;
		else
			sgs[out + in++] = data;
	}
	sg_init_one(&status, &slot->status, 1);
	sgs[out + in++] = &status;
	err = virtqueue_add_sgs(vb->vq, sgs, out, in, slot, GFP_ATOMIC);
	if (err)
		slot->rq = NULL;
	else
		virtqueue_kick(vb->vq);
	spin_unlock_irqrestore(&vb->lock, flags);
	return err;
}

static const struct block_device_ops vblk_ops = {
	.submit = vblk_submit,
	.poll = vblk_poll,
};

static int vblk_probe(struct virtio_device *vdev)
{
	struct vblk *vb = kzalloc(sizeof(*vb));
	int err;

	if (!vb)
		return -ENOMEM;
	vb->vdev = vdev;
	spin_lock_init(&vb->lock);
	vdev->priv = vb;
	vb->vq = virtio_find_single_vq(vdev, vblk_poll_forced ? NULL : vblk_done, "requests");
	if (IS_ERR(vb->vq)) {
		err = (int)PTR_ERR(vb->vq);
		goto out_free;
	}
	vb->nslots = virtqueue_get_vring_size(vb->vq);
	vb->slots = kzalloc(vb->nslots * sizeof(*vb->slots));
	err = -ENOMEM;
	if (!vb->slots)
		goto out_del;
	vb->seg_max = BLK_MAX_SEGS;
	if (virtio_has_feature(vdev, VIRTIO_BLK_F_SEG_MAX))
		vb->seg_max = MIN(BLK_MAX_SEGS, virtio_cread32(vdev, VIRTIO_BLK_CFG_SEG_MAX));
	if (!vb->seg_max)
		vb->seg_max = 1;
	vb->disk.nr_sectors = virtio_cread64(vdev, VIRTIO_BLK_CFG_CAPACITY);
	vb->disk.read_only = virtio_has_feature(vdev, VIRTIO_BLK_F_RO);
	vb->disk.use_irq = !vblk_poll_forced;
	vb->disk.ops = &vblk_ops;
	vb->disk.priv = vb;
	virtio_device_ready(vdev);
	dev_info(&vdev->dev, "virtio-blk, queue of %u, %s%s\n", vb->nslots,
		 vb->disk.use_irq ? "interrupts" : "polled (virtio_blk.poll)",
		 virtio_has_feature(vdev, VIRTIO_BLK_F_FLUSH) ? ", cache flush" : "");
	err = blkdev_register_disk(&vb->disk, "vd");
	if (err)
		goto out_reset;
	return 0;

out_reset:
	virtio_reset_device(vdev);
	kfree(vb->slots);
out_del:
	virtio_del_vqs(vdev);
out_free:
	kfree(vb);
	return err;
}

static const struct virtio_device_id vblk_ids[] = {
	{ VIRTIO_ID_BLOCK, VIRTIO_DEV_ANY_ID },
	{ 0 }
};

static const unsigned int vblk_features[] = {
	VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_RO, VIRTIO_BLK_F_FLUSH,
};

static struct virtio_driver vblk_driver = {
	.name = "virtio_blk",
	.id_table = vblk_ids,
	.feature_table = vblk_features,
	.feature_table_size = ARRAY_SIZE(vblk_features),
	.probe = vblk_probe,
};

static int vblk_init(void)
{
	return register_virtio_driver(&vblk_driver);
}
device_initcall(vblk_init);
