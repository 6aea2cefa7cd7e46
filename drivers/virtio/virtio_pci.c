/*
 * The virtio 1.x PCI transport (virtio 1.1 spec, 4.1.4): each structure
 * the driver needs (common configuration, notifications, ISR status,
 * device configuration) is named by a vendor-specific capability giving a
 * BAR, an offset and a length. Transitional devices (QEMU's default
 * 1af4:1001) carry the same capabilities next to their legacy I/O BAR, so
 * one code path drives both them and modern-only devices (1af4:1042).
 * The queue interrupt is an MSI-X message (PCI 3.0, 6.8.2) programmed here.
 */
#include <asm/io.h>
#include "drivers/base/device.h"
#include "drivers/virtio/virtio.h"
#include "kernel/kernel.h"
#include "lib/string.h"
#include "mm/mm.h"

/* vendor capability: cfg_type at +3, bar at +4, offset at +8, length at +12 */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4

/* struct virtio_pci_common_cfg */
#define COMMON_DFSELECT		0x00
#define COMMON_DF		0x04
#define COMMON_GFSELECT		0x08
#define COMMON_GF		0x0c
#define COMMON_MSIX		0x10
#define COMMON_NUMQ		0x12
#define COMMON_STATUS		0x14
#define COMMON_CFGGEN		0x15
#define COMMON_Q_SELECT		0x16
#define COMMON_Q_SIZE		0x18
#define COMMON_Q_MSIX		0x1a
#define COMMON_Q_ENABLE		0x1c
#define COMMON_Q_NOFF		0x1e
#define COMMON_Q_DESC		0x20
#define COMMON_Q_AVAIL		0x28
#define COMMON_Q_USED		0x30

#define VIRTIO_MSI_NO_VECTOR	0xffff
#define MSIX_FLAGS		2	/* message control, 16 bits */
#define  MSIX_FLAGS_ENABLE	0x8000
#define  MSIX_FLAGS_MASKALL	0x4000
#define MSIX_TABLE		4	/* offset | BIR */
#define RESET_TIMEOUT_US	1000000

static uint8_t rd8(volatile uint8_t *base, unsigned int off)
{
	return *(volatile uint8_t *)(base + off);
}

static uint16_t rd16(volatile uint8_t *base, unsigned int off)
{
	return *(volatile uint16_t *)(base + off);
}

static void wr8(volatile uint8_t *base, unsigned int off, uint8_t v)
{
	*(volatile uint8_t *)(base + off) = v;
}

static void wr16(volatile uint8_t *base, unsigned int off, uint16_t v)
{
	*(volatile uint16_t *)(base + off) = v;
}

static void wr64(volatile uint8_t *base, unsigned int off, uint64_t v)
{
	mmio_write32(base + off, (uint32_t)v);
	mmio_write32(base + off + 4, (uint32_t)(v >> 32));
}

/* The mapped structure a capability at @pos names, checked against its BAR. */
static volatile uint8_t *map_cap(struct pci_dev *pdev, unsigned int pos, uint32_t need)
{
	uint8_t bar = pci_read_config8(pdev, pos + 4);
	uint32_t off = pci_read_config32(pdev, pos + 8);
	uint32_t len = pci_read_config32(pdev, pos + 12);
	uint8_t *base;

	if (bar >= PCI_NUM_BARS || len < need || (uint64_t)off + len > pdev->bar[bar].size)
		return NULL;
	base = pci_iomap(pdev, bar);
	return base ? base + off : NULL;
}

int virtio_pci_init(struct virtio_dev *vd, struct pci_dev *pdev)
{
	unsigned int pos = pdev->cap_ptr;

	memset(vd, 0, sizeof(*vd));
	vd->pdev = pdev;
	for (int ttl = 48; pos >= 0x40 && ttl > 0; ttl--) {
		uint16_t ent = pci_read_config16(pdev, pos);

		if ((ent & 0xff) == PCI_CAP_ID_VNDR) {
			switch (pci_read_config8(pdev, pos + 3)) {
			case VIRTIO_PCI_CAP_COMMON_CFG:
				if (!vd->common)
					vd->common = map_cap(pdev, pos, 0x38);
				break;
			case VIRTIO_PCI_CAP_NOTIFY_CFG:
				if (!vd->notify_base) {
					vd->notify_base = map_cap(pdev, pos, 2);
					vd->notify_mult = pci_read_config32(pdev, pos + 16);
				}
				break;
			case VIRTIO_PCI_CAP_ISR_CFG:
				if (!vd->isr)
					vd->isr = map_cap(pdev, pos, 1);
				break;
			case VIRTIO_PCI_CAP_DEVICE_CFG:
				if (!vd->device)
					vd->device = map_cap(pdev, pos, 1);
				break;
			}
		}
		pos = (ent >> 8) & 0xfc;
	}
	if (!vd->common || !vd->notify_base || !vd->device) {
		pci_err(pdev, "no virtio 1.x capabilities (a legacy-only device?)\n");
		return -ENODEV;
	}
	virtio_reset(vd);
	if (rd8(vd->common, COMMON_STATUS)) {
		pci_err(pdev, "device does not reset\n");
		return -EIO;
	}
	wr8(vd->common, COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr8(vd->common, COMMON_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	return 0;
}

int virtio_negotiate(struct virtio_dev *vd, uint64_t wanted)
{
	uint64_t offered;
	uint8_t status;

	mmio_write32(vd->common + COMMON_DFSELECT, 0);
	offered = mmio_read32(vd->common + COMMON_DF);
	mmio_write32(vd->common + COMMON_DFSELECT, 1);
	offered |= (uint64_t)mmio_read32(vd->common + COMMON_DF) << 32;
	if (!(offered & (1ULL << VIRTIO_F_VERSION_1))) {
		pci_err(vd->pdev, "device does not offer VIRTIO_F_VERSION_1\n");
		return -ENODEV;
	}
	vd->features = offered & (wanted | (1ULL << VIRTIO_F_VERSION_1));
	mmio_write32(vd->common + COMMON_GFSELECT, 0);
	mmio_write32(vd->common + COMMON_GF, (uint32_t)vd->features);
	mmio_write32(vd->common + COMMON_GFSELECT, 1);
	mmio_write32(vd->common + COMMON_GF, (uint32_t)(vd->features >> 32));
	status = rd8(vd->common, COMMON_STATUS) | VIRTIO_STATUS_FEATURES_OK;
	wr8(vd->common, COMMON_STATUS, status);
	if (!(rd8(vd->common, COMMON_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		pci_err(vd->pdev, "device refused features %#lx\n", (unsigned long)vd->features);
		wr8(vd->common, COMMON_STATUS, status | VIRTIO_STATUS_FAILED);
		return -ENODEV;
	}
	return 0;
}

int virtio_enable_msix(struct virtio_dev *vd, irq_handler_t fn, void *ctx)
{
	struct pci_dev *pdev = vd->pdev;
	unsigned int cap = pci_find_capability(pdev, PCI_CAP_ID_MSIX);
	volatile uint8_t *table;
	struct msi_msg msg;
	uint32_t tbl;
	uint16_t ctrl;
	int vec;

	if (!cap)
		return -ENODEV;
	tbl = pci_read_config32(pdev, cap + MSIX_TABLE);
	if ((tbl & 7) >= PCI_NUM_BARS || (tbl & ~7U) + 16 > pdev->bar[tbl & 7].size)
		return -ENODEV;
	table = pci_iomap(pdev, tbl & 7);
	if (!table)
		return -ENODEV;
	table += tbl & ~7U;
	vec = msi_alloc_vector(fn, ctx, &msg);
	if (vec < 0)
		return vec;
	ctrl = pci_read_config16(pdev, cap + MSIX_FLAGS);
	pci_write_config16(pdev, cap + MSIX_FLAGS, ctrl | MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL);
	mmio_write32(table + 0, (uint32_t)msg.address);
	mmio_write32(table + 4, (uint32_t)(msg.address >> 32));
	mmio_write32(table + 8, msg.data);
	mmio_write32(table + 12, 0);		/* unmask entry 0 */
	pci_write_config16(pdev, PCI_COMMAND,
			   pci_read_config16(pdev, PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
	pci_write_config16(pdev, cap + MSIX_FLAGS, (ctrl | MSIX_FLAGS_ENABLE) & ~MSIX_FLAGS_MASKALL);
	wr16(vd->common, COMMON_MSIX, VIRTIO_MSI_NO_VECTOR);
	vd->msix = true;
	vd->vector = vec;
	return 0;
}

/* Undo virtio_enable_msix after the device refused the vector. */
static void disable_msix(struct virtio_dev *vd)
{
	unsigned int cap = pci_find_capability(vd->pdev, PCI_CAP_ID_MSIX);

	if (!vd->msix)
		return;
	pci_write_config16(vd->pdev, cap + MSIX_FLAGS,
			   pci_read_config16(vd->pdev, cap + MSIX_FLAGS) & ~MSIX_FLAGS_ENABLE);
	msi_free_vector((unsigned int)vd->vector);
	vd->msix = false;
}

int virtio_setup_queue(struct virtio_dev *vd, unsigned int idx, unsigned int max,
		       struct virtqueue *vq)
{
	unsigned int size, avail_off, used_off;

	wr16(vd->common, COMMON_Q_SELECT, (uint16_t)idx);
	size = rd16(vd->common, COMMON_Q_SIZE);
	if (!size)
		return -ENODEV;
	while (size > max || (size & (size - 1)))
		size = (size & (size - 1)) ? 1U << (31 - __builtin_clz(size)) : size / 2;
	memset(vq, 0, sizeof(*vq));
	avail_off = size * sizeof(struct vring_desc);
	used_off = ALIGN_UP(avail_off + 6 + 2 * size, 4096U);
	vq->mem_size = used_off + ALIGN_UP(6 + 8 * size, 4096U);
	vq->mem = dma_alloc_coherent_mask(vq->mem_size, ~0ULL, &vq->mem_phys);
	if (!vq->mem)
		return -ENOMEM;
	vq->index = (uint16_t)idx;
	vq->size = (uint16_t)size;
	vq->desc = vq->mem;
	vq->avail = (void *)((uint8_t *)vq->mem + avail_off);
	vq->used = (void *)((uint8_t *)vq->mem + used_off);
	for (unsigned int i = 0; i < size; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	vq->num_free = (uint16_t)size;
	wr16(vd->common, COMMON_Q_SIZE, (uint16_t)size);
	wr64(vd->common, COMMON_Q_DESC, vq->mem_phys);
	wr64(vd->common, COMMON_Q_AVAIL, vq->mem_phys + avail_off);
	wr64(vd->common, COMMON_Q_USED, vq->mem_phys + used_off);
	if (vd->msix) {
		wr16(vd->common, COMMON_Q_MSIX, 0);
		if (rd16(vd->common, COMMON_Q_MSIX) != 0) {
			pci_warn(vd->pdev, "device refused the MSI-X vector: polling\n");
			disable_msix(vd);
			wr16(vd->common, COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
		}
	}
	vq->notify = (volatile uint16_t *)(vd->notify_base +
					   rd16(vd->common, COMMON_Q_NOFF) * vd->notify_mult);
	wr16(vd->common, COMMON_Q_ENABLE, 1);
	return 0;
}

void virtio_driver_ok(struct virtio_dev *vd)
{
	wr8(vd->common, COMMON_STATUS, rd8(vd->common, COMMON_STATUS) | VIRTIO_STATUS_DRIVER_OK);
}

void virtio_reset(struct virtio_dev *vd)
{
	wr8(vd->common, COMMON_STATUS, 0);
	for (int us = 0; us < RESET_TIMEOUT_US && rd8(vd->common, COMMON_STATUS); us += 10)
		udelay(10);
	disable_msix(vd);
}

uint8_t virtio_cfg_read8(struct virtio_dev *vd, unsigned int off)
{
	return rd8(vd->device, off);
}

uint32_t virtio_cfg_read32(struct virtio_dev *vd, unsigned int off)
{
	return mmio_read32(vd->device + off);
}

/* Two 32-bit reads; retried if the device changed its configuration between them. */
uint64_t virtio_cfg_read64(struct virtio_dev *vd, unsigned int off)
{
	uint64_t v;
	uint8_t gen;

	do {
		gen = rd8(vd->common, COMMON_CFGGEN);
		v = mmio_read32(vd->device + off) |
		    (uint64_t)mmio_read32(vd->device + off + 4) << 32;
	} while (gen != rd8(vd->common, COMMON_CFGGEN));
	return v;
}

int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs, unsigned int n)
{
	uint16_t head = vq->free_head, i = head, last = head;

	if (!n || n > vq->num_free)
		return -ENOSPC;
	for (unsigned int k = 0; k < n; k++) {
		vq->desc[i].addr = bufs[k].phys;
		vq->desc[i].len = bufs[k].len;
		vq->desc[i].flags = (bufs[k].write ? VRING_DESC_F_WRITE : 0) |
				    (k + 1 < n ? VRING_DESC_F_NEXT : 0);
		last = i;
		i = vq->desc[i].next;
	}
	vq->free_head = vq->desc[last].next;
	vq->num_free -= (uint16_t)n;
	vq->avail->ring[vq->avail->idx % vq->size] = head;
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* ring entry before the index */
	vq->avail->idx++;
	return head;
}

void virtqueue_kick(struct virtqueue *vq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*vq->notify = vq->index;
}

int virtqueue_get(struct virtqueue *vq, uint32_t *len)
{
	uint16_t head, i, n = 1;

	if (vq->last_used == vq->used->idx)
		return -1;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	head = (uint16_t)vq->used->ring[vq->last_used % vq->size].id;
	*len = vq->used->ring[vq->last_used % vq->size].len;
	vq->last_used++;
	if (head >= vq->size)
		return -1;
	for (i = head; vq->desc[i].flags & VRING_DESC_F_NEXT && n < vq->size; n++)
		i = vq->desc[i].next;
	vq->desc[i].next = vq->free_head;
	vq->free_head = head;
	vq->num_free += n;
	return head;
}
