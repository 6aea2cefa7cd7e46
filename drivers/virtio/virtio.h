/*
 * Virtio 1.x over PCI (the "modern" interface of the virtio 1.1 spec,
 * section 4.1): the transport that finds the common, notify, ISR and
 * device configuration structures through vendor-specific PCI
 * capabilities, negotiates features, sets up split virtqueues (2.6) and
 * takes the queue interrupt as an MSI-X message. virtio-blk uses it; a
 * virtio-net or virtio-rng driver would too.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_H
#define DRIVERS_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/irq.h>
#include "drivers/pci/pci.h"

#define VIRTIO_PCI_VENDOR	0x1af4

/* device status bits (2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	64
#define VIRTIO_STATUS_FAILED		128

#define VIRTIO_F_VERSION_1	32

/* split virtqueue layout (2.6) */
#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

struct virtqueue {
	uint16_t index, size;
	struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
	uint16_t free_head, num_free, last_used;
	volatile uint16_t *notify;
	void *mem;
	uint64_t mem_phys;
	size_t mem_size;
};

struct virtio_dev {
	struct pci_dev *pdev;
	volatile uint8_t *common, *isr, *device, *notify_base;
	uint32_t notify_mult;
	uint64_t features;		/* negotiated */
	bool msix;			/* the queue interrupt is an MSI-X message */
	int vector;
};

/* A buffer for virtqueue_add: device-readable unless @write. */
struct vq_buf {
	uint64_t phys;
	uint32_t len;
	bool write;
};

/* Find the structures, reset the device and say ACKNOWLEDGE | DRIVER. */
int virtio_pci_init(struct virtio_dev *vd, struct pci_dev *pdev);
/* Accept the features in @wanted the device offers (VERSION_1 is required). */
int virtio_negotiate(struct virtio_dev *vd, uint64_t wanted);
/* Give queue 0's interrupt an MSI-X vector running @fn; -errno to poll instead. */
int virtio_enable_msix(struct virtio_dev *vd, irq_handler_t fn, void *ctx);
/* Allocate and enable queue @idx with at most @max entries. */
int virtio_setup_queue(struct virtio_dev *vd, unsigned int idx, unsigned int max,
		       struct virtqueue *vq);
void virtio_driver_ok(struct virtio_dev *vd);
/* Reset the device and turn its MSI-X off; it no longer touches memory. */
void virtio_reset(struct virtio_dev *vd);
uint8_t virtio_cfg_read8(struct virtio_dev *vd, unsigned int off);
uint32_t virtio_cfg_read32(struct virtio_dev *vd, unsigned int off);
uint64_t virtio_cfg_read64(struct virtio_dev *vd, unsigned int off);

/* Chain @n buffers (readable ones first): the head's index, or -ENOSPC. */
int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned int n);
void virtqueue_kick(struct virtqueue *vq);
/* The head of the next chain the device finished (and free it), or -1. */
int virtqueue_get(struct virtqueue *vq, uint32_t *len);

#endif
