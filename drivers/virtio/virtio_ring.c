/*
 * Split virtqueues (virtio 1.1 spec, 2.6): a descriptor table, the
 * available ring the driver fills and the used ring the device fills, in
 * one block of DMA memory. A request is a chain of descriptors, device-
 * readable ones first; its head's index is what both rings carry, and the
 * driver's token for it is kept per head.
 *
 * The device can write the shared memory, so nothing read back from it is
 * trusted: the free list and each descriptor's length and flags live in a
 * private copy (extra[]), and a used entry naming a head that is not in
 * flight breaks the queue instead of corrupting it. No indirect
 * descriptors and no event index: the NO_INTERRUPT / NO_NOTIFY flags are
 * the only notification suppression.
 */
#define pr_fmt(fmt) "virtio: " fmt

#include <asm/barrier.h>
#include "drivers/virtio/virtio.h"
#include "kernel/kernel.h"
#include "kernel/module.h"
#include "mm/mm.h"

#define VRING_DESC_F_NEXT		1
#define VRING_DESC_F_WRITE		2
#define VRING_AVAIL_F_NO_INTERRUPT	1
#define VRING_USED_F_NO_NOTIFY		1

/* The layout the device sees (little-endian, as is the CPU). */
struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* then used_event, unused without EVENT_IDX */
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

/* The driver's own copy of a descriptor. */
struct vring_desc_extra {
	dma_addr_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_virtqueue {
	struct virtqueue vq;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	void *mem;			/* desc, avail and used, one DMA block */
	dma_addr_t mem_dma;
	size_t mem_size;
	size_t avail_off, used_off;
	struct vring_desc_extra *extra;	/* per descriptor */
	void **data;			/* per head: the driver's token, NULL if free */
	uint16_t free_head;
	uint16_t avail_idx;		/* the next avail->idx */
	uint16_t avail_flags;
	uint16_t last_used;		/* used entries taken so far */
	uint16_t num_added;		/* since the last kick */
	bool broken;
	bool (*notify)(struct virtqueue *vq);
};

#define to_vvq(_vq) container_of(_vq, struct vring_virtqueue, vq)

/*
 * The device runs concurrently (another host thread, for QEMU) on coherent
 * memory: ring writes are ordered with dma_wmb, reads with dma_rmb, and a
 * store followed by a load of the device's flags needs the full smp_mb.
 */
static inline bool more_used(const struct vring_virtqueue *vq)
{
	return vq->last_used != READ_ONCE(vq->used->idx);
}

static struct device *dma_dev(const struct vring_virtqueue *vq)
{
	return vq->vq.vdev->parent;
}

static dma_addr_t vring_map(struct vring_virtqueue *vq, const struct scatterlist *sg, bool write)
{
	return dma_map_single(dma_dev(vq), sg->buf, sg->length,
			      write ? DMA_FROM_DEVICE : DMA_TO_DEVICE);
}

static void vring_unmap(struct vring_virtqueue *vq, const struct vring_desc_extra *e)
{
	dma_unmap_single(dma_dev(vq), e->addr, e->len,
			 (e->flags & VRING_DESC_F_WRITE) ? DMA_FROM_DEVICE : DMA_TO_DEVICE);
}

/* Put the chain at @head back on the free list; returns the bytes the device could write. */
static uint32_t detach_buf(struct vring_virtqueue *vq, uint16_t head)
{
	uint16_t i = head, n = 1;
	uint32_t writable = 0;

	for (;;) {
		struct vring_desc_extra *e = &vq->extra[i];

		vring_unmap(vq, e);
		if (e->flags & VRING_DESC_F_WRITE)
			writable += e->len;
		if (!(e->flags & VRING_DESC_F_NEXT) || n >= vq->vq.num_max)
			break;
		i = e->next;
		n++;
	}
	vq->extra[i].next = vq->free_head;
	vq->free_head = head;
	vq->vq.num_free += n;
	vq->data[head] = NULL;
	return writable;
}

int virtqueue_add_sgs(struct virtqueue *_vq, struct scatterlist *sgs[], unsigned int out_sgs,
		      unsigned int in_sgs, void *data, gfp_t gfp)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	unsigned int total = 0, mapped = 0;
	uint16_t head, i, prev = 0;
	struct scatterlist *sg;

	if (!data || out_sgs + in_sgs == 0)
		return -EINVAL;
	if (vq->broken)
		return -EIO;
	for (unsigned int n = 0; n < out_sgs + in_sgs; n++)
		for (sg = sgs[n]; sg; sg = sg_next(sg))
			total++;
	if (!total)
		return -EINVAL;
	if (total > vq->vq.num_free)
		return -ENOSPC;

	head = i = vq->free_head;
	for (unsigned int n = 0; n < out_sgs + in_sgs; n++) {
		bool write = n >= out_sgs;

		for (sg = sgs[n]; sg; sg = sg_next(sg)) {
			struct vring_desc_extra *e = &vq->extra[i];

			e->addr = vring_map(vq, sg, write);
			if (dma_mapping_error(dma_dev(vq), e->addr)) {
				pr_err("%s: queue %s: buffer %p cannot be mapped for DMA\n",
				       _vq->vdev->name, _vq->name, sg->buf);
				goto unmap;
			}
			e->len = sg->length;
			e->flags = VRING_DESC_F_NEXT | (write ? VRING_DESC_F_WRITE : 0);
			vq->desc[i] = (struct vring_desc){ e->addr, e->len, e->flags, e->next };
			mapped++;
			prev = i;
			i = e->next;
		}
	}
	vq->extra[prev].flags &= ~VRING_DESC_F_NEXT;
	vq->desc[prev].flags = vq->extra[prev].flags;
	vq->free_head = i;
	vq->vq.num_free -= total;
	vq->data[head] = data;

	/* the ring entry, then the index that makes it visible */
	vq->avail->ring[vq->avail_idx & (vq->vq.num_max - 1)] = head;
	dma_wmb();
	vq->avail_idx++;
	WRITE_ONCE(vq->avail->idx, vq->avail_idx);
	vq->num_added++;
	return 0;

unmap:
	for (i = head; mapped--; i = vq->extra[i].next)
		vring_unmap(vq, &vq->extra[i]);
	return -EIO;
}
EXPORT_SYMBOL(virtqueue_add_sgs);

int virtqueue_add_outbuf(struct virtqueue *vq, struct scatterlist sg[], unsigned int num,
			 void *data, gfp_t gfp)
{
	if (!num)
		return -EINVAL;
	sg_mark_end(&sg[num - 1]);
	return virtqueue_add_sgs(vq, &sg, 1, 0, data, gfp);
}
EXPORT_SYMBOL(virtqueue_add_outbuf);

int virtqueue_add_inbuf(struct virtqueue *vq, struct scatterlist sg[], unsigned int num,
			void *data, gfp_t gfp)
{
	if (!num)
		return -EINVAL;
	sg_mark_end(&sg[num - 1]);
	return virtqueue_add_sgs(vq, &sg, 0, 1, data, gfp);
}
EXPORT_SYMBOL(virtqueue_add_inbuf);

bool virtqueue_kick_prepare(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	bool needed;

	/* the new index must be visible before we look at the device's flag */
	smp_mb();
	needed = vq->num_added && !(READ_ONCE(vq->used->flags) & VRING_USED_F_NO_NOTIFY);
	vq->num_added = 0;
	return needed;
}
EXPORT_SYMBOL(virtqueue_kick_prepare);

bool virtqueue_notify(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (vq->broken)
		return false;
	if (!vq->notify(_vq)) {
		vq->broken = true;
		return false;
	}
	return true;
}
EXPORT_SYMBOL(virtqueue_notify);

bool virtqueue_kick(struct virtqueue *vq)
{
	if (virtqueue_kick_prepare(vq))
		return virtqueue_notify(vq);
	return true;
}
EXPORT_SYMBOL(virtqueue_kick);

void *virtqueue_get_buf(struct virtqueue *_vq, unsigned int *len)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	struct vring_used_elem *u;
	uint32_t id, used_len, writable;
	void *data;

	if (vq->broken || !more_used(vq))
		return NULL;
	dma_rmb();		/* the entry is read after the index that covers it */
	u = &vq->used->ring[vq->last_used & (vq->vq.num_max - 1)];
	id = READ_ONCE(u->id);
	used_len = READ_ONCE(u->len);
	if (id >= vq->vq.num_max || !vq->data[id]) {
		pr_err("%s: queue %s: device used descriptor %u, which is not in flight\n",
		       _vq->vdev->name, _vq->name, id);
		vq->broken = true;
		return NULL;
	}
	data = vq->data[id];
	writable = detach_buf(vq, (uint16_t)id);
	vq->last_used++;
	if (used_len > writable) {
		pr_err("%s: queue %s: device wrote %u bytes into %u\n", _vq->vdev->name, _vq->name,
		       used_len, writable);
		used_len = writable;
	}
	if (len)
		*len = used_len;
	return data;
}
EXPORT_SYMBOL(virtqueue_get_buf);

void virtqueue_disable_cb(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	vq->avail_flags |= VRING_AVAIL_F_NO_INTERRUPT;
	WRITE_ONCE(vq->avail->flags, vq->avail_flags);
}
EXPORT_SYMBOL(virtqueue_disable_cb);

bool virtqueue_enable_cb(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	vq->avail_flags &= ~VRING_AVAIL_F_NO_INTERRUPT;
	WRITE_ONCE(vq->avail->flags, vq->avail_flags);
	smp_mb();		/* the flag is out before we look for work that beat it */
	return !more_used(vq);
}
EXPORT_SYMBOL(virtqueue_enable_cb);

bool virtqueue_poll(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	return !vq->broken && more_used(vq);
}
EXPORT_SYMBOL(virtqueue_poll);

void *virtqueue_detach_unused_buf(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	for (unsigned int i = 0; i < vq->vq.num_max; i++) {
		void *data = vq->data[i];

		if (!data)
			continue;
		detach_buf(vq, (uint16_t)i);
		vq->avail_idx--;
		WRITE_ONCE(vq->avail->idx, vq->avail_idx);
		return data;
	}
	return NULL;
}
EXPORT_SYMBOL(virtqueue_detach_unused_buf);

unsigned int virtqueue_get_vring_size(const struct virtqueue *vq)
{
	return vq->num_max;
}
EXPORT_SYMBOL(virtqueue_get_vring_size);

bool virtqueue_is_broken(const struct virtqueue *vq)
{
	return to_vvq(vq)->broken;
}
EXPORT_SYMBOL(virtqueue_is_broken);

void virtio_break_device(struct virtio_device *vdev)
{
	struct virtqueue *vq;

	list_for_each_entry(vq, &vdev->vqs, list)
		to_vvq(vq)->broken = true;
}
EXPORT_SYMBOL(virtio_break_device);

irqreturn_t vring_interrupt(int irq, void *opaque)
{
	struct virtqueue *_vq = opaque;
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (!more_used(vq))
		return IRQ_NONE;
	if (!vq->broken && _vq->callback)
		_vq->callback(_vq);
	return IRQ_HANDLED;
}
EXPORT_SYMBOL(vring_interrupt);

/* --- creation, for transports --------------------------------------------------- */
struct virtqueue *vring_create_virtqueue(unsigned int index, unsigned int num,
					 struct virtio_device *vdev,
					 bool (*notify)(struct virtqueue *vq),
					 vq_callback_t *callback, const char *name)
{
	struct vring_virtqueue *vq;

	if (!num || num > VIRTQUEUE_MAX_SIZE || (num & (num - 1)))
		return NULL;
	vq = kzalloc(sizeof(*vq));
	if (!vq)
		return NULL;
	vq->extra = kzalloc(num * sizeof(*vq->extra));
	vq->data = kzalloc(num * sizeof(*vq->data));
	/* alignment (2.6): descriptors 16, available ring 2, used ring 4 */
	vq->avail_off = num * sizeof(struct vring_desc);
	vq->used_off = ALIGN_UP(vq->avail_off + 6 + 2 * num, 4UL);
	vq->mem_size = vq->used_off + 6 + 8 * num;
	vq->mem = dma_alloc_coherent(vdev->parent, vq->mem_size, &vq->mem_dma, GFP_KERNEL);
	if (!vq->extra || !vq->data || !vq->mem) {
		if (vq->mem)
			dma_free_coherent(vdev->parent, vq->mem_size, vq->mem, vq->mem_dma);
		kfree(vq->data);
		kfree(vq->extra);
		kfree(vq);
		return NULL;
	}
	vq->desc = vq->mem;
	vq->avail = (void *)((uint8_t *)vq->mem + vq->avail_off);
	vq->used = (void *)((uint8_t *)vq->mem + vq->used_off);
	for (unsigned int i = 0; i + 1 < num; i++)
		vq->extra[i].next = (uint16_t)(i + 1);
	vq->notify = notify;
	vq->vq.callback = callback;
	vq->vq.name = name;
	vq->vq.vdev = vdev;
	vq->vq.index = index;
	vq->vq.num_free = num;
	vq->vq.num_max = num;
	if (!callback) {	/* nobody to tell: ask the device not to interrupt */
		vq->avail_flags = VRING_AVAIL_F_NO_INTERRUPT;
		vq->avail->flags = vq->avail_flags;
	}
	list_add_tail(&vq->vq.list, &vdev->vqs);
	return &vq->vq;
}
EXPORT_SYMBOL(vring_create_virtqueue);

void vring_del_virtqueue(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	list_del(&_vq->list);
	dma_free_coherent(dma_dev(vq), vq->mem_size, vq->mem, vq->mem_dma);
	kfree(vq->data);
	kfree(vq->extra);
	kfree(vq);
}
EXPORT_SYMBOL(vring_del_virtqueue);

dma_addr_t virtqueue_get_desc_addr(const struct virtqueue *vq)
{
	return to_vvq(vq)->mem_dma;
}
EXPORT_SYMBOL(virtqueue_get_desc_addr);

dma_addr_t virtqueue_get_avail_addr(const struct virtqueue *vq)
{
	return to_vvq(vq)->mem_dma + to_vvq(vq)->avail_off;
}
EXPORT_SYMBOL(virtqueue_get_avail_addr);

dma_addr_t virtqueue_get_used_addr(const struct virtqueue *vq)
{
	return to_vvq(vq)->mem_dma + to_vvq(vq)->used_off;
}
EXPORT_SYMBOL(virtqueue_get_used_addr);
