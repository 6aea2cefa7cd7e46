/*
 * Private to the virtio PCI transport: virtio_pci.c (capabilities,
 * registers, configuration, queue registers, probe) and virtio_pci_irq.c
 * (interrupt modes, find_vqs/del_vqs). Drivers include virtio.h only.
 */
#ifndef DRIVERS_VIRTIO_VIRTIO_PCI_H
#define DRIVERS_VIRTIO_VIRTIO_PCI_H

#include <asm/io.h>
#include "drivers/pci/pci.h"
#include "drivers/virtio/virtio.h"

/* struct virtio_pci_common_cfg (4.1.4.3) */
#define COMMON_DFSELECT		0x00
#define COMMON_DF		0x04
#define COMMON_GFSELECT		0x08
#define COMMON_GF		0x0c
#define COMMON_MSIX		0x10	/* config_msix_vector */
#define COMMON_NUMQ		0x12
#define COMMON_STATUS		0x14
#define COMMON_CFGGEN		0x15
#define COMMON_Q_SELECT		0x16
#define COMMON_Q_SIZE		0x18
#define COMMON_Q_MSIX		0x1a	/* queue_msix_vector */
#define COMMON_Q_ENABLE		0x1c
#define COMMON_Q_NOFF		0x1e
#define COMMON_Q_DESC		0x20
#define COMMON_Q_AVAIL		0x28
#define COMMON_Q_USED		0x30
#define COMMON_LEN		0x38

/* ISR status bits (4.1.4.5), cleared by reading */
#define VIRTIO_PCI_ISR_QUEUE	0x1
#define VIRTIO_PCI_ISR_CONFIG	0x2

#define VIRTIO_MSI_NO_VECTOR	0xffff

enum vp_irq_mode {
	VP_IRQ_NONE,		/* no queues yet */
	VP_IRQ_MSIX_PER_VQ,	/* vector 0: configuration, 1..n: a queue each */
	VP_IRQ_MSIX_SHARED,	/* vector 0: configuration, 1: every queue */
	VP_IRQ_MSIX_SINGLE,	/* vector 0: everything */
	VP_IRQ_INTX,		/* the shared line; the ISR says what happened */
};

struct virtio_pci_device {
	struct virtio_device vdev;
	struct pci_dev *pdev;
	volatile uint8_t *common, *isr, *device, *notify_base;
	uint32_t device_len, notify_len, notify_mult;
	uint16_t num_queues;
	/* interrupts, set by find_vqs */
	int irq_mode;			/* enum vp_irq_mode */
	bool have_vectors;		/* pci_alloc_irq_vectors succeeded */
	unsigned int nvec;		/* how many */
	uint8_t config_gen;		/* VP_IRQ_MSIX_SINGLE: the generation last seen */
	int config_irq;			/* MSI-X configuration vector's IRQ, or -1 */
	int shared_irq;			/* the queues' shared vector or INTx IRQ, or -1 */
	char config_irq_name[24];	/* "virtio0-config" */
	char shared_irq_name[24];	/* "virtio0-virtqueues", "virtio0" */
};

#define to_vp(v) container_of(v, struct virtio_pci_device, vdev)

/* Per queue, in vq->priv. */
struct vp_queue {
	volatile uint16_t *notify;	/* where the queue's index is written */
	int irq;			/* its own MSI-X vector's IRQ, or -1 */
	char irq_name[32];		/* "virtio0-input" */
};

/* virtio_pci.c: queue @index on MSI-X entry @vector, not yet enabled; NULL + *@err. */
struct virtqueue *vp_setup_vq(struct virtio_pci_device *vp, unsigned int index,
			      vq_callback_t *callback, const char *name, uint16_t vector,
			      int *err);
/* Enable every queue of the device (for good: only a reset disables them). */
void vp_enable_vqs(struct virtio_pci_device *vp);
/* Forget one queue: its vector in the device, its memory. */
void vp_free_vq(struct virtio_pci_device *vp, struct virtqueue *vq);
void vp_reset(struct virtio_device *vdev);

/* virtio_pci_irq.c */
int vp_find_vqs(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
		vq_callback_t *callbacks[], const char *const names[]);
void vp_del_vqs(struct virtio_device *vdev);

#endif
