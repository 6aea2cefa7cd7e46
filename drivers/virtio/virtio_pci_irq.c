/*
 * Interrupts of the virtio PCI transport (virtio 1.1 spec, 4.1.4.5 and
 * 4.1.5): find_vqs creates the queues and picks how the device signals
 * them, best first:
 *
 *   MSI-X per queue  vector 0 for configuration changes, one more for each
 *                    queue with a callback, when the MSI-X table is big
 *                    enough;
 *   MSI-X shared     vector 0 for configuration, vector 1 for all queues;
 *   MSI-X single     one vector for everything (a device with a one-entry
 *                    table); a changed configuration generation says the
 *                    configuration changed;
 *   INTx             the PCI line, level-triggered and perhaps shared with
 *                    other devices: the ISR status register says whether
 *                    it was this device and why, and reading it clears it.
 *
 * virtio_pci.force_intx=1 on the command line skips MSI-X, to test the
 * fallback. The choice is logged once per find_vqs. Handlers are attached
 * only once every queue exists, and detached before any is freed, so the
 * shared ones can walk the device's queue list.
 */
#define pr_fmt(fmt) "virtio-pci: " fmt

#include "drivers/virtio/virtio_pci.h"
#include "kernel/irq.h"
#include "kernel/kernel.h"
#include "lib/printf.h"
#include "lib/string.h"

static bool force_intx;

static int set_force_intx(const char *value)
{
	if (!value || !strcmp(value, "1"))
		force_intx = true;
	else if (!strcmp(value, "0"))
		force_intx = false;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPTION("virtio_pci.force_intx", set_force_intx);

/* --- handlers ------------------------------------------------------------------------ */
static irqreturn_t vp_config_interrupt(int irq, void *opaque)
{
	struct virtio_pci_device *vp = opaque;

	virtio_config_changed(&vp->vdev);
	return IRQ_HANDLED;
}

/* Every queue of the device; IRQ_HANDLED if any had used buffers. */
static irqreturn_t vp_vring_interrupt(int irq, void *opaque)
{
	struct virtio_pci_device *vp = opaque;
	irqreturn_t ret = IRQ_NONE;
	struct virtqueue *vq;

	list_for_each_entry(vq, &vp->vdev.vqs, list) {
		if (vring_interrupt(irq, vq) == IRQ_HANDLED)
			ret = IRQ_HANDLED;
	}
	return ret;
}

/* The one MSI-X vector: queues, and the configuration if its generation moved. */
static irqreturn_t vp_single_interrupt(int irq, void *opaque)
{
	struct virtio_pci_device *vp = opaque;
	uint8_t gen = readb(vp->common + COMMON_CFGGEN);

	if (gen != vp->config_gen) {
		vp->config_gen = gen;
		virtio_config_changed(&vp->vdev);
	}
	vp_vring_interrupt(irq, opaque);
	return IRQ_HANDLED;	/* the vector is the device's alone */
}

static irqreturn_t vp_intx_interrupt(int irq, void *opaque)
{
	struct virtio_pci_device *vp = opaque;
	uint8_t isr = readb(vp->isr);		/* reading clears it and lowers the line */

	if (!isr)
		return IRQ_NONE;		/* another device on the line */
	if (isr & VIRTIO_PCI_ISR_CONFIG)
		virtio_config_changed(&vp->vdev);
	vp_vring_interrupt(irq, opaque);
	return IRQ_HANDLED;
}

/* --- setting up and tearing down ------------------------------------------------------ */
/* Detach every handler, then give the vectors back. */
static void vp_free_irqs(struct virtio_pci_device *vp)
{
	struct virtqueue *vq;

	list_for_each_entry(vq, &vp->vdev.vqs, list) {
		struct vp_queue *q = vq->priv;

		if (q->irq >= 0)
			free_irq((unsigned int)q->irq, vq);
		q->irq = -1;
	}
	if (vp->shared_irq >= 0)
		free_irq((unsigned int)vp->shared_irq, vp);
	if (vp->config_irq >= 0)
		free_irq((unsigned int)vp->config_irq, vp);
	vp->shared_irq = vp->config_irq = -1;
	writew(VIRTIO_MSI_NO_VECTOR, vp->common + COMMON_MSIX);
	if (vp->have_vectors)
		pci_free_irq_vectors(vp->pdev);
	vp->have_vectors = false;
	vp->irq_mode = VP_IRQ_NONE;
}

static void vp_free_all(struct virtio_pci_device *vp)
{
	struct virtqueue *vq, *tmp;

	vp_free_irqs(vp);
	list_for_each_entry_safe(vq, tmp, &vp->vdev.vqs, list)
		vp_free_vq(vp, vq);
}

static int vp_request(struct virtio_pci_device *vp, unsigned int vec, irq_handler_t fn,
		      unsigned long flags, const char *name, void *dev, int *slot)
{
	int irq = pci_irq_vector(vp->pdev, vec), err;

	if (irq < 0)
		return irq;
	err = request_irq((unsigned int)irq, fn, flags, name, dev);
	if (!err)
		*slot = irq;
	return err;
}

/* Attach the handlers @mode needs, now that every queue exists. */
static int vp_request_irqs(struct virtio_pci_device *vp, int mode)
{
	const char *dev_name = vp->vdev.name;
	struct virtqueue *vq;
	unsigned int vec = 1;
	int err;

	snprintf(vp->config_irq_name, sizeof(vp->config_irq_name), "%s-config", dev_name);
	switch (mode) {
	case VP_IRQ_INTX:
		snprintf(vp->shared_irq_name, sizeof(vp->shared_irq_name), "%s", dev_name);
		return vp_request(vp, 0, vp_intx_interrupt, IRQF_SHARED, vp->shared_irq_name, vp,
				  &vp->shared_irq);
	case VP_IRQ_MSIX_SINGLE:
		snprintf(vp->shared_irq_name, sizeof(vp->shared_irq_name), "%s", dev_name);
		vp->config_gen = readb(vp->common + COMMON_CFGGEN);
		return vp_request(vp, 0, vp_single_interrupt, 0, vp->shared_irq_name, vp,
				  &vp->shared_irq);
	}
	err = vp_request(vp, 0, vp_config_interrupt, 0, vp->config_irq_name, vp, &vp->config_irq);
	if (err)
		return err;
	if (mode == VP_IRQ_MSIX_SHARED) {
		snprintf(vp->shared_irq_name, sizeof(vp->shared_irq_name), "%s-virtqueues",
			 dev_name);
		return vp_request(vp, 1, vp_vring_interrupt, 0, vp->shared_irq_name, vp,
				  &vp->shared_irq);
	}
	list_for_each_entry(vq, &vp->vdev.vqs, list) {
		struct vp_queue *q = vq->priv;

		if (!vq->callback)
			continue;
		snprintf(q->irq_name, sizeof(q->irq_name), "%s-%s", dev_name, vq->name);
		err = vp_request(vp, vec++, vring_interrupt, 0, q->irq_name, vq, &q->irq);
		if (err)
			return err;
	}
	return 0;
}

/* The MSI-X entry queue @i uses in @mode (its callback's @nth among those with one). */
static uint16_t queue_vector(int mode, bool has_callback, unsigned int nth)
{
	if (!has_callback)
		return VIRTIO_MSI_NO_VECTOR;
	switch (mode) {
	case VP_IRQ_MSIX_PER_VQ:
		return (uint16_t)(1 + nth);
	case VP_IRQ_MSIX_SHARED:
		return 1;
	case VP_IRQ_MSIX_SINGLE:
		return 0;
	}
	return VIRTIO_MSI_NO_VECTOR;	/* INTx */
}

/* Vectors, queues and handlers for @mode; everything undone on failure. */
static int vp_try_mode(struct virtio_pci_device *vp, int mode, unsigned int nvqs,
		       struct virtqueue *vqs[], vq_callback_t *callbacks[],
		       const char *const names[])
{
	unsigned int ncb = 0, nvec = 1, nth = 0;
	int n, err;

	for (unsigned int i = 0; i < nvqs; i++)
		ncb += callbacks[i] != NULL;
	if (mode == VP_IRQ_MSIX_PER_VQ)
		nvec = 1 + ncb;
	else if (mode == VP_IRQ_MSIX_SHARED)
		nvec = 2;
	n = pci_alloc_irq_vectors(vp->pdev, nvec, nvec,
				  mode == VP_IRQ_INTX ? PCI_IRQ_LEGACY : PCI_IRQ_MSIX);
	if (n < 0)
		return n;
	vp->have_vectors = true;
	vp->irq_mode = mode;
	vp->nvec = nvec;
	if (mode != VP_IRQ_INTX) {
		writew(0, vp->common + COMMON_MSIX);
		if (readw(vp->common + COMMON_MSIX) != 0) {
			err = -EBUSY;		/* the device could not take the vector */
			goto fail;
		}
	}
	for (unsigned int i = 0; i < nvqs; i++) {
		uint16_t vec = queue_vector(mode, callbacks[i] != NULL, nth);

		nth += callbacks[i] != NULL;
		vqs[i] = vp_setup_vq(vp, i, callbacks[i], names[i], vec, &err);
		if (!vqs[i])
			goto fail;
	}
	err = vp_request_irqs(vp, mode);
	if (err)
		goto fail;
	return 0;

fail:
	vp_free_all(vp);
	return err;
}

static void log_mode(struct virtio_pci_device *vp)
{
	const char *name = vp->vdev.name;

	switch (vp->irq_mode) {
	case VP_IRQ_MSIX_PER_VQ:
		pci_info(vp->pdev, "%s: interrupts: MSI-X, %u vectors (one per queue, one for configuration)\n",
			 name, vp->nvec);
		break;
	case VP_IRQ_MSIX_SHARED:
		pci_info(vp->pdev, "%s: interrupts: MSI-X, 2 vectors (one shared by the queues, one for configuration)\n",
			 name);
		break;
	case VP_IRQ_MSIX_SINGLE:
		pci_info(vp->pdev, "%s: interrupts: MSI-X, 1 vector shared by the queues and configuration\n",
			 name);
		break;
	case VP_IRQ_INTX:
		pci_info(vp->pdev, "%s: interrupts: INTx (IRQ %d, shared)%s\n", name, vp->shared_irq,
			 force_intx ? ", forced by virtio_pci.force_intx" : "");
		break;
	}
}

int vp_find_vqs(struct virtio_device *vdev, unsigned int nvqs, struct virtqueue *vqs[],
		vq_callback_t *callbacks[], const char *const names[])
{
	static const int modes[] = { VP_IRQ_MSIX_PER_VQ, VP_IRQ_MSIX_SHARED, VP_IRQ_MSIX_SINGLE,
				     VP_IRQ_INTX };
	struct virtio_pci_device *vp = to_vp(vdev);
	int err = -EINVAL;

	if (!nvqs)
		return -EINVAL;
	if (vp->irq_mode != VP_IRQ_NONE || !list_empty(&vdev->vqs))
		return -EBUSY;
	for (unsigned int m = force_intx ? ARRAY_SIZE(modes) - 1 : 0; m < ARRAY_SIZE(modes); m++) {
		err = vp_try_mode(vp, modes[m], nvqs, vqs, callbacks, names);
		if (!err) {
			vp_enable_vqs(vp);
			log_mode(vp);
			return 0;
		}
		/* a queue that does not exist fails the same way in every mode */
		if (err == -ENOENT || err == -ENOMEM)
			break;
	}
	pci_err(vp->pdev, "%s: cannot set up %u queue(s): error %d\n", vdev->name, nvqs, err);
	return err;
}

void vp_del_vqs(struct virtio_device *vdev)
{
	struct virtio_pci_device *vp = to_vp(vdev);

	if (readb(vp->common + COMMON_STATUS) & VIRTIO_CONFIG_S_DRIVER_OK) {
		pci_err(vp->pdev, "%s: queues deleted before a reset; resetting first\n",
			vdev->name);
		vp_reset(vdev);
	}
	vp_free_all(vp);
}
