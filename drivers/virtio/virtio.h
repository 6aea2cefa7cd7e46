/*
 * The virtio core (virtio 1.1 spec), with Linux's names and shapes
 * (<linux/virtio.h>, <linux/virtio_config.h>): a bus on which transports
 * register the devices they find (struct virtio_device) and drivers
 * register for device types (struct virtio_driver with an id table);
 * feature bits, device status and configuration space; and split
 * virtqueues (2.6) that carry requests given as scatter lists.
 *
 *   virtio.c       the bus: matching, probe/remove, status, config access
 *   virtio_ring.c  split virtqueues
 *   virtio_pci.c   the modern PCI transport (4.1): virtio-pci devices
 *
 * A driver, as in Linux:
 *   probe(vdev)    read the configuration with virtio_cread*(); get the
 *                  queues with virtio_find_vqs() (one callback each);
 *                  prepare what the device may use; virtio_device_ready().
 *   requests       virtqueue_add_inbuf/outbuf/sgs(), then virtqueue_kick();
 *                  the queue's callback runs in interrupt context when
 *                  the device has used buffers and takes them back with
 *                  virtqueue_get_buf().
 *   remove(vdev)   virtio_reset_device() (the device stops touching memory
 *                  and interrupting), vdev->config->del_vqs(vdev), free
 *                  the rest. The bus resets and frees whatever is left.
 *
 * The features a driver accepts are those in its feature_table that the
 * device offers; VIRTIO_F_VERSION_1 is required and added by the core.
 * Calls on one virtqueue must not run concurrently: a driver that adds in
 * process context and takes back in its callback serializes them with a
 * spinlock (spin_lock_irqsave). Configuration space is little-endian
 * (4.1.3.1), which on x86 is the CPU's order.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_H
#define DRIVERS_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include "drivers/base/device.h"
#include "kernel/irq.h"
#include "kernel/lock.h"
#include "lib/list.h"
#include "lib/scatterlist.h"

/* --- constants from the spec ---------------------------------------------------- */
/* device types (5) */
#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2
#define VIRTIO_ID_CONSOLE	3
#define VIRTIO_ID_RNG		4
#define VIRTIO_ID_BALLOON	5
#define VIRTIO_ID_SCSI		8
#define VIRTIO_ID_9P		9
#define VIRTIO_ID_GPU		16
#define VIRTIO_ID_INPUT		18
#define VIRTIO_ID_VSOCK		19
#define VIRTIO_ID_CRYPTO	20

/* device status bits (2.1) */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE	1	/* the guest noticed the device */
#define VIRTIO_CONFIG_S_DRIVER		2	/* and has a driver for it */
#define VIRTIO_CONFIG_S_DRIVER_OK	4	/* the driver is ready */
#define VIRTIO_CONFIG_S_FEATURES_OK	8	/* feature negotiation is complete */
#define VIRTIO_CONFIG_S_NEEDS_RESET	0x40	/* the device hit an error */
#define VIRTIO_CONFIG_S_FAILED		0x80	/* the driver gave up on it */

/* feature bits for every device type (6); 0-23 belong to the type */
#define VIRTIO_TRANSPORT_F_START	28
#define VIRTIO_F_INDIRECT_DESC		28
#define VIRTIO_F_RING_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
/* the device's DMA goes through the platform's IOMMU (QEMU iommu_platform=on) */
#define VIRTIO_F_ACCESS_PLATFORM	33
#define VIRTIO_F_ACCESS_PLATFORM	33
#define VIRTIO_F_RING_PACKED		34
#define VIRTIO_F_IN_ORDER		35
#define VIRTIO_TRANSPORT_F_END		41

struct virtio_device;
struct virtqueue;

/* --- the bus ------------------------------------------------------------------- */
#define VIRTIO_DEV_ANY_ID	0xffffffffU

/* A device a driver handles; a table ends with an entry whose device is 0. */
struct virtio_device_id {
	uint32_t device;	/* VIRTIO_ID_* */
	uint32_t vendor;	/* the transport's subsystem vendor, or VIRTIO_DEV_ANY_ID */
};

/* What a queue's owner is told when the device has used buffers (interrupt context). */
typedef void vq_callback_t(struct virtqueue *vq);

/*
 * What a transport does for the core. Drivers call del_vqs directly (as in
 * Linux); the rest through the virtio_* functions below.
 */
struct virtio_config_ops {
	/* Read or write @len bytes of device configuration at @offset. */
	void (*get)(struct virtio_device *vdev, unsigned int offset, void *buf,
		    unsigned int len);
	void (*set)(struct virtio_device *vdev, unsigned int offset, const void *buf,
		    unsigned int len);
	/* Changes whenever the device changes its configuration (4.1.4.3). */
	uint32_t (*generation)(struct virtio_device *vdev);
	uint8_t (*get_status)(struct virtio_device *vdev);
	void (*set_status)(struct virtio_device *vdev, uint8_t status);
	/* Status 0, waited for; no callback runs any more once it returns. */
	void (*reset)(struct virtio_device *vdev);
	/* Create @nvqs queues (callbacks[i] NULL: no interrupt wanted for it). */
	int (*find_vqs)(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
			vq_callback_t *callbacks[], const char *const names[]);
	/* Free every queue of @vdev and the interrupts behind them. */
	void (*del_vqs)(struct virtio_device *vdev);
	uint64_t (*get_features)(struct virtio_device *vdev);
	/* Write vdev->features to the device (before FEATURES_OK). */
	int (*finalize_features)(struct virtio_device *vdev);
	/* "0000:00:03.0" */
	const char *(*bus_name)(struct virtio_device *vdev);
};

struct virtio_device {
	struct device dev;		/* for dev_info(&vdev->dev, ...): "virtio0" */
	struct device *parent;		/* the transport's device: DMA goes through it */
	int index;			/* virtio<index> */
	char name[16];			/* "virtio0" */
	struct virtio_device_id id;
	const struct virtio_config_ops *config;
	uint64_t features;		/* negotiated */
	struct list_head vqs;		/* its struct virtqueue, by list */
	struct virtio_driver *driver;	/* bound driver, or NULL */
	void *priv;			/* the driver's */
	spinlock_t config_lock;		/* guards the two below */
	bool config_enabled;		/* config_changed may be called */
	bool config_change_pending;	/* a change came while it could not */
	struct list_head node;		/* owned by the bus */
};

struct virtio_driver {
	const char *name;
	const struct virtio_device_id *id_table;
	const unsigned int *feature_table;	/* feature bits the driver understands */
	unsigned int feature_table_size;
	/* Take over @vdev (process context, may sleep): 0 binds it. */
	int (*probe)(struct virtio_device *vdev);
	/* Let go of @vdev: reset it, delete its queues, free everything. */
	void (*remove)(struct virtio_device *vdev);
	/* The device changed its configuration (interrupt context). */
	void (*config_changed)(struct virtio_device *vdev);
	struct list_head node;		/* owned by the bus */
};

/*
 * Add @drv and probe every unbound device it matches. 0 or -errno: -EPERM
 * when the driver's module may bind none of the devices it matched (no
 * virtio: entitlement for them). A module's driver that is still
 * registered when its exit returns is unregistered then (with a warning).
 */
int register_virtio_driver(struct virtio_driver *drv);
/* Remove every device @drv holds (its remove(), then a reset) and forget it. */
void unregister_virtio_driver(struct virtio_driver *drv);

/* --- for drivers ------------------------------------------------------------------ */
static inline bool virtio_has_feature(const struct virtio_device *vdev, unsigned int fbit)
{
	return fbit < 64 && (vdev->features & (1ULL << fbit));
}

/* Tell the device the driver is ready (DRIVER_OK): it may use the queues now. */
void virtio_device_ready(struct virtio_device *vdev);
/* Reset the device: it stops using the queues; callbacks have finished. */
void virtio_reset_device(struct virtio_device *vdev);
uint8_t virtio_get_status(struct virtio_device *vdev);

/*
 * Configuration space, each field with its natural width (4.1.3.1). The
 * 64-bit reads and virtio_cread_bytes re-read until the configuration
 * generation is unchanged, so they never mix an old and a new value;
 * virtio_cread_bytes reads a byte at a time, for strings and fields of
 * any alignment (virtio-9p's mount tag at offset 2).
 */
uint8_t virtio_cread8(struct virtio_device *vdev, unsigned int offset);
uint16_t virtio_cread16(struct virtio_device *vdev, unsigned int offset);
uint32_t virtio_cread32(struct virtio_device *vdev, unsigned int offset);
uint64_t virtio_cread64(struct virtio_device *vdev, unsigned int offset);
void virtio_cread_bytes(struct virtio_device *vdev, unsigned int offset, void *buf,
			unsigned int len);
void virtio_cwrite8(struct virtio_device *vdev, unsigned int offset, uint8_t val);
void virtio_cwrite16(struct virtio_device *vdev, unsigned int offset, uint16_t val);
void virtio_cwrite32(struct virtio_device *vdev, unsigned int offset, uint32_t val);
void virtio_cwrite64(struct virtio_device *vdev, unsigned int offset, uint64_t val);

/*
 * Create the device's first @nvqs queues, queue i with callbacks[i] (or
 * none) and names[i], into vqs[]. Interrupts: an MSI-X vector per queue
 * plus one for configuration changes when the device has enough, else one
 * MSI-X vector for all queues, else the shared INTx line. 0 or -errno.
 */
int virtio_find_vqs(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
		    vq_callback_t *callbacks[], const char *const names[]);
/* One queue (index 0): the queue, or ERR_PTR(-errno) (test with IS_ERR). */
struct virtqueue *virtio_find_single_vq(struct virtio_device *vdev, vq_callback_t *callback,
					const char *name);
/* vdev->config->del_vqs(vdev), for symmetry. */
void virtio_del_vqs(struct virtio_device *vdev);

/* --- virtqueues (virtio_ring.c) --------------------------------------------------- */
struct virtqueue {
	struct list_head list;		/* in vdev->vqs */
	vq_callback_t *callback;
	const char *name;
	struct virtio_device *vdev;
	unsigned int index;		/* the device's queue number */
	unsigned int num_free;		/* descriptors not in use */
	unsigned int num_max;		/* the ring's size */
	void *priv;			/* the transport's */
};

/*
 * Offer one request: @out_sgs device-readable scatter lists, then @in_sgs
 * device-writable ones, from @sgs; @data (not NULL) is what
 * virtqueue_get_buf returns for it. 0, -ENOSPC (not enough free
 * descriptors: wait for the device to use some), -EIO (a broken queue or a
 * buffer the device cannot reach) or -EINVAL. The device sees the request
 * after virtqueue_kick. @gfp: GFP_ATOMIC in interrupt context.
 */
int virtqueue_add_sgs(struct virtqueue *vq, struct scatterlist *sgs[], unsigned int out_sgs,
		      unsigned int in_sgs, void *data, gfp_t gfp);
/* One device-readable (out) or device-writable (in) list of @num entries. */
int virtqueue_add_outbuf(struct virtqueue *vq, struct scatterlist sg[], unsigned int num,
			 void *data, gfp_t gfp);
int virtqueue_add_inbuf(struct virtqueue *vq, struct scatterlist sg[], unsigned int num,
			void *data, gfp_t gfp);
/* Tell the device about the requests added (unless it asked not to be told). */
bool virtqueue_kick(struct virtqueue *vq);
/* virtqueue_kick in two halves: whether to notify (under the lock), then notify. */
bool virtqueue_kick_prepare(struct virtqueue *vq);
bool virtqueue_notify(struct virtqueue *vq);
/*
 * The next request the device has finished, as the data given to add, with
 * the bytes it wrote in *@len; NULL when there is none.
 */
void *virtqueue_get_buf(struct virtqueue *vq, unsigned int *len);
/* Ask the device not to interrupt for this queue (a hint, as in the spec). */
void virtqueue_disable_cb(struct virtqueue *vq);
/* Ask for interrupts again: false if buffers are waiting already (take them). */
bool virtqueue_enable_cb(struct virtqueue *vq);
/* True if used buffers are waiting. */
bool virtqueue_poll(struct virtqueue *vq);
/* After a reset: take back a request the device never finished, or NULL. */
void *virtqueue_detach_unused_buf(struct virtqueue *vq);
unsigned int virtqueue_get_vring_size(const struct virtqueue *vq);
bool virtqueue_is_broken(const struct virtqueue *vq);

/* --- for transports ------------------------------------------------------------- */
/*
 * Put @vdev on the bus (vdev->config and vdev->id set): it is reset,
 * acknowledged and offered to the registered drivers. 0 or -errno.
 */
int register_virtio_device(struct virtio_device *vdev);
/* Take it off again, removing its driver first. */
void unregister_virtio_device(struct virtio_device *vdev);
/* The device said its configuration changed (interrupt context). */
void virtio_config_changed(struct virtio_device *vdev);

/* Largest ring vring_create_virtqueue makes. */
#define VIRTQUEUE_MAX_SIZE	256

/*
 * A split virtqueue of @num entries (a power of two) for queue @index of
 * @vdev, in memory vdev->parent can reach; @notify tells the device about
 * new buffers. NULL when memory runs out.
 */
struct virtqueue *vring_create_virtqueue(unsigned int index, unsigned int num,
					 struct virtio_device *vdev,
					 bool (*notify)(struct virtqueue *vq),
					 vq_callback_t *callback, const char *name);
void vring_del_virtqueue(struct virtqueue *vq);
/*
 * The queue's interrupt handler (@vq is the struct virtqueue): runs its
 * callback if the device used buffers (IRQ_HANDLED), else IRQ_NONE.
 */
irqreturn_t vring_interrupt(int irq, void *vq);
/* Bus addresses of the ring's three parts, for the transport's registers. */
dma_addr_t virtqueue_get_desc_addr(const struct virtqueue *vq);
dma_addr_t virtqueue_get_avail_addr(const struct virtqueue *vq);
dma_addr_t virtqueue_get_used_addr(const struct virtqueue *vq);
/* Mark every queue of @vdev broken: adds fail, get_buf returns NULL. */
void virtio_break_device(struct virtio_device *vdev);

#endif
