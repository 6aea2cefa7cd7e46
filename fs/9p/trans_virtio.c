/*
 * The virtio transport for 9P: QEMU's virtio-9p-pci (virtio device type
 * 9; 1af4:1009 transitional, 1af4:1049 modern), made by
 * "-virtfs local,path=DIR,mount_tag=TAG,...". The device configuration
 * holds the mount tag (tag_len[2], then the bytes) that mount(2)'s source
 * names. Each request is a chain of two buffers on the one virtqueue: the
 * T-message the device reads and room for the R-message it writes. One
 * request is in flight per device (the client serialises them, see
 * client.c); the queue's callback wakes the waiting task, or the task polls
 * while interrupts are off (a mount during boot). It is a driver on the
 * virtio bus (drivers/virtio/virtio.h). Everything that knows about virtio
 * is in this file.
 */
#define pr_fmt(fmt) "9p-virtio: " fmt
#include <asm/barrier.h>
#include "drivers/base/device.h"
#include "drivers/virtio/virtio.h"
#include "fs/9p/9p.h"
#include "kernel/irq.h"
#include "kernel/lock.h"
#include "kernel/sched.h"
#include "lib/list.h"
#include "lib/string.h"
#include "mm/mm.h"

#define VIRTIO_9P_MOUNT_TAG	0		/* feature: the config space has a tag */
#define V9P_CFG_TAG_LEN		0
#define V9P_CFG_TAG		2
#define V9P_TAG_MAX		255
#define V9P_WAIT_SLICE_NS	20000000ULL	/* re-check a sleeping wait this often */

struct v9p_dev {
	struct virtio_device *vdev;
	struct virtqueue *vq;
	spinlock_t lock;		/* the queue: the request adds, the callback takes */
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

/* Collect the finished request, if it is. */
static void v9p_reap(struct v9p_dev *d)
{
	unsigned long flags;
	unsigned int len;

	spin_lock_irqsave(&d->lock, flags);
	if (virtqueue_get_buf(d->vq, &len)) {
		d->reply_len = len;
		d->done = true;
	}
	spin_unlock_irqrestore(&d->lock, flags);
}

/* The queue's callback (interrupt context). */
static void v9p_done(struct virtqueue *vq)
{
	struct v9p_dev *d = vq->vdev->priv;

	v9p_reap(d);
	wake_up(&d->wq);
}

/* Sleep until the reply is in, or poll for it where no interrupt can wake us. */
static void v9p_wait(struct v9p_dev *d)
{
	struct wait_entry e = { .task = current };

	for (;;) {
		if (READ_ONCE(d->done))
			return;
		if (!irqs_enabled() || current->pid == 0) {
			v9p_reap(d);
			if (!READ_ONCE(d->done))
				udelay(5);
			continue;
		}
		prepare_to_wait(&d->wq, &e, TASK_UNINTERRUPTIBLE);
		if (!READ_ONCE(d->done))
			schedule_until(ktime_ns() + V9P_WAIT_SLICE_NS);	/* a lost interrupt costs one slice */
		finish_wait(&d->wq, &e);
		v9p_reap(d);
	}
}

static long v9p_request(struct p9_trans *t, size_t len)
{
	struct v9p_dev *d = t->priv;
	struct scatterlist out, in, *sgs[2] = { &out, &in };
	unsigned long flags;
	int err;

	if (len > t->bufsize)
		return -EMSGSIZE;
	sg_init_one(&out, t->tbuf, (unsigned int)len);
	sg_init_one(&in, t->rbuf, (unsigned int)t->bufsize);
	spin_lock_irqsave(&d->lock, flags);
	d->done = false;
	err = virtqueue_add_sgs(d->vq, sgs, 1, 1, d, GFP_ATOMIC);
	if (!err)
		virtqueue_kick(d->vq);
	spin_unlock_irqrestore(&d->lock, flags);
	if (err)
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
	struct device *dev = &d->vdev->dev;

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
		struct device *dev = &d->vdev->dev;

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

	if (!virtio_has_feature(d->vdev, VIRTIO_9P_MOUNT_TAG))
		return -ENODEV;
	len = virtio_cread16(d->vdev, V9P_CFG_TAG_LEN);
	if (!len || len > V9P_TAG_MAX)
		return -ENODEV;
	virtio_cread_bytes(d->vdev, V9P_CFG_TAG, d->tag, len);
	d->tag[len] = '\0';
	return strlen(d->tag) == len ? 0 : -ENODEV;
}

static int v9p_probe(struct virtio_device *vdev)
{
	struct v9p_dev *d = kzalloc(sizeof(*d));
	int err;

	if (!d)
		return -ENOMEM;
	d->vdev = vdev;
	vdev->priv = d;
	spin_lock_init(&d->lock);
	wait_queue_init(&d->wq);
	err = v9p_read_tag(d);
	if (err) {
		dev_err(&vdev->dev, "no usable mount tag in the device configuration\n");
		goto out_free;
	}
	d->vq = virtio_find_single_vq(vdev, v9p_done, "requests");
	if (IS_ERR(d->vq)) {
		err = (int)PTR_ERR(d->vq);
		goto out_free;
	}
	virtio_device_ready(vdev);
	list_add_tail(&d->node, &v9p_devices);
	dev_info(&vdev->dev, "virtio-9p, mount tag \"%s\"\n", d->tag);
	return 0;

out_free:
	kfree(d);
	return err;
}

static const struct virtio_device_id v9p_ids[] = {
	{ VIRTIO_ID_9P, VIRTIO_DEV_ANY_ID },
	{ 0 }
};

static const unsigned int v9p_features[] = { VIRTIO_9P_MOUNT_TAG };

static struct virtio_driver v9p_driver = {
	.name = "virtio_9p",
	.id_table = v9p_ids,
	.feature_table = v9p_features,
	.feature_table_size = ARRAY_SIZE(v9p_features),
	.probe = v9p_probe,
};

static int v9p_init(void)
{
	return register_virtio_driver(&v9p_driver);
}
device_initcall(v9p_init);
