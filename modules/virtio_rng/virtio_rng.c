/*
 * virtio_rng: the virtio entropy device (virtio 1.1 spec, 5.4; QEMU's
 * -device virtio-rng-pci) as /dev/hwrng, Linux's name for it. The device
 * has one request queue and no configuration: the driver offers a buffer
 * the device may write, and the device fills it with random bytes.
 *
 * read() blocks until it has all the bytes asked for: when the driver's
 * buffer is used up it submits it again and sleeps on a completion, which
 * the queue's callback (interrupt context) completes. A signal ends the
 * wait; the request stays with the device and the next read takes its
 * bytes. Only the first device is /dev/hwrng; others are left unbound.
 */
#include "drivers/base/device.h"
#include "drivers/virtio/virtio.h"
#include "fs/vfs.h"
#include "kernel/lock.h"
#include "kernel/module.h"
#include "lib/string.h"
#include "mm/mm.h"

MODULE_NAME("virtio_rng");
MODULE_VERSION("1.0");
MODULE_DESCRIPTION("virtio entropy device as /dev/hwrng");
MODULE_AUTHOR("Basalt");
MODULE_LICENSE("GPL");

#define RNG_BUF_SIZE	2048

struct virtrng {
	struct virtio_device *vdev;
	struct virtqueue *vq;
	struct misc_device misc;
	struct mutex read_lock;		/* one reader at a time owns the buffer */
	spinlock_t vq_lock;		/* the queue: reads add, the callback takes */
	struct completion have_data;
	uint8_t *buf;			/* RNG_BUF_SIZE bytes the device writes */
	unsigned int data_len;		/* bytes the device wrote last time */
	unsigned int data_idx;		/* of which the readers have taken so many */
	bool busy;			/* the buffer is with the device */
	bool removing;			/* the driver is going: readers give up */
	uint64_t irqs;
};

static struct virtrng *the_rng;		/* the device behind /dev/hwrng */

/* The queue's callback: the device filled the buffer. */
static void random_recv_done(struct virtqueue *vq)
{
	struct virtrng *vi = vq->vdev->priv;
	unsigned long flags;
	unsigned int len;

	spin_lock_irqsave(&vi->vq_lock, flags);
	vi->irqs++;
	if (virtqueue_get_buf(vq, &len)) {
		vi->data_len = len;
		complete(&vi->have_data);
	}
	spin_unlock_irqrestore(&vi->vq_lock, flags);
}

/* Give the buffer to the device. Called with read_lock held. */
static int request_entropy(struct virtrng *vi)
{
	struct scatterlist sg;
	unsigned long flags;
	int err;

	reinit_completion(&vi->have_data);
	vi->data_len = vi->data_idx = 0;
	sg_init_one(&sg, vi->buf, RNG_BUF_SIZE);
	spin_lock_irqsave(&vi->vq_lock, flags);
	err = virtqueue_add_inbuf(vi->vq, &sg, 1, vi->buf, GFP_ATOMIC);
	if (!err)
		virtqueue_kick(vi->vq);
	spin_unlock_irqrestore(&vi->vq_lock, flags);
	if (!err)
		vi->busy = true;
	return err;
}

static long rng_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct virtrng *vi = f->priv;
	size_t copied = 0;
	int err = 0;

	if (mutex_lock_interruptible(&vi->read_lock))
		return -ERESTARTSYS;
	while (copied < n && !err) {
		unsigned int chunk;

		if (vi->removing) {
			err = -ENODEV;
			break;
		}
		if (vi->data_idx == vi->data_len) {
			if (!vi->busy)
				err = request_entropy(vi);
			if (!err)
				err = wait_for_completion_interruptible(&vi->have_data);
			if (err)
				break;
			vi->busy = false;
			continue;	/* the device may have written nothing */
		}
		chunk = (unsigned int)MIN(n - copied, (size_t)(vi->data_len - vi->data_idx));
		memcpy(buf + copied, vi->buf + vi->data_idx, chunk);
		vi->data_idx += chunk;
		copied += chunk;
	}
	mutex_unlock(&vi->read_lock);
	return copied ? (long)copied : err;
}

static const struct file_ops rng_fops = {
	.read = rng_read,
};

static int virtrng_probe(struct virtio_device *vdev)
{
	struct virtrng *vi;
	int err;

	if (the_rng)
		return -EBUSY;
	vi = kzalloc(sizeof(*vi));
	if (!vi)
		return -ENOMEM;
	vi->vdev = vdev;
	vdev->priv = vi;
	mutex_init(&vi->read_lock);
	spin_lock_init(&vi->vq_lock);
	init_completion(&vi->have_data);
	err = -ENOMEM;
	vi->buf = kmalloc(RNG_BUF_SIZE);
	if (!vi->buf)
		goto out_free;
	vi->vq = virtio_find_single_vq(vdev, random_recv_done, "input");
	if (IS_ERR(vi->vq)) {
		err = (int)PTR_ERR(vi->vq);
		goto out_free;
	}
	virtio_device_ready(vdev);
	vi->misc = (struct misc_device){ .name = "hwrng", .mode = 0444, .fops = &rng_fops,
					 .priv = vi };
	err = misc_register(&vi->misc);
	if (err)
		goto out_reset;
	the_rng = vi;
	dev_info(&vdev->dev, "/dev/hwrng ready, queue of %u\n", virtqueue_get_vring_size(vi->vq));
	return 0;

out_reset:
	virtio_reset_device(vdev);
	virtio_del_vqs(vdev);
out_free:
	kfree(vi->buf);
	kfree(vi);
	return err;
}

static void virtrng_remove(struct virtio_device *vdev)
{
	struct virtrng *vi = vdev->priv;

	/* wake sleeping readers, then wait for every call to leave */
	vi->removing = true;
	complete_all(&vi->have_data);
	misc_deregister(&vi->misc);
	virtio_reset_device(vdev);
	virtio_del_vqs(vdev);
	dev_info(&vdev->dev, "removed after %llu interrupt(s)\n", (unsigned long long)vi->irqs);
	kfree(vi->buf);
	kfree(vi);
	the_rng = NULL;
}

static const struct virtio_device_id virtrng_ids[] = {
	{ VIRTIO_ID_RNG, VIRTIO_DEV_ANY_ID },
	{ 0 }
};
MODULE_DEVICE_TABLE(virtio, virtrng_ids);

static struct virtio_driver virtrng_driver = {
	.name = "virtio_rng",
	.id_table = virtrng_ids,
	.probe = virtrng_probe,
	.remove = virtrng_remove,
};

static int virtrng_init(void)
{
	return register_virtio_driver(&virtrng_driver);
}

static void virtrng_exit(void)
{
	unregister_virtio_driver(&virtrng_driver);
}

module_init(virtrng_init);
module_exit(virtrng_exit);
