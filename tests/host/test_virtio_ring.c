/*
 * Host tests for drivers/virtio/virtio_ring.c, with a fake device that
 * reads the available ring and descriptor table and writes the used ring
 * as the spec says (2.6): chains and flags for out/in scatter lists, tokens
 * coming back in the order the device uses them (not the order added),
 * lengths clamped to what was writable, -ENOSPC when full, a random
 * workload that must leave every descriptor free again, notification
 * suppression both ways, detaching after a reset, and a device that names
 * a descriptor it was never given breaking the queue.
 */
#include "drivers/virtio/virtio_ring.c"
#include "tests/host/test.h"

/* --- stubs for the kernel ------------------------------------------------------- */
static int map_fail_after = -1;		/* fail the n-th mapping from now (-1: never) */
static int mapped_now;			/* mappings not yet unmapped */

int printk(const char *fmt, ...)
{
	return 0;
}

void list_corruption(const char *what, void *entry)
{
	printf("# list corruption: %s\n", what);
	test_cur_failed = 1;
}

void *kmalloc(size_t size)
{
	return malloc(size);
}

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

void *dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp)
{
	void *p = aligned_alloc(4096, ALIGN_UP(size, 4096UL));

	memset(p, 0, ALIGN_UP(size, 4096UL));
	*handle = (uintptr_t)p;
	return p;
}

void dma_free_coherent(struct device *dev, size_t size, void *va, dma_addr_t handle)
{
	free(va);
}

dma_addr_t dma_map_single(struct device *dev, void *ptr, size_t size,
			  enum dma_data_direction dir)
{
	if (map_fail_after == 0)
		return DMA_MAPPING_ERROR;
	if (map_fail_after > 0)
		map_fail_after--;
	mapped_now++;
	return (uintptr_t)ptr;
}

void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size,
		      enum dma_data_direction dir)
{
	mapped_now--;
}

/* --- a fake device ---------------------------------------------------------------- */
struct fake {
	struct virtio_device vdev;
	struct device parent;
	struct virtqueue *vq;
	struct vring_virtqueue *v;
	uint16_t seen_avail;		/* avail entries taken */
	uint16_t used_idx;
	int notifies;
};

static struct fake fk;

static bool fake_notify(struct virtqueue *vq)
{
	fk.notifies++;
	return true;
}

static void setup(unsigned int num)
{
	memset(&fk, 0, sizeof(fk));
	list_init(&fk.vdev.vqs);
	strcpy(fk.vdev.name, "virtio-test");
	fk.vdev.parent = &fk.parent;
	fk.vq = vring_create_virtqueue(0, num, &fk.vdev, fake_notify, NULL, "q");
	fk.v = to_vvq(fk.vq);
	mapped_now = 0;
	map_fail_after = -1;
}

static void teardown(void)
{
	vring_del_virtqueue(fk.vq);
}

/* Take the next available chain: its head, out/in counts and lengths. */
static int fake_take(unsigned int *nout, unsigned int *nin, uint32_t *in_len)
{
	struct vring_virtqueue *v = fk.v;
	uint16_t head, i;
	unsigned int n = 0;

	if (fk.seen_avail == v->avail->idx)
		return -1;
	head = v->avail->ring[fk.seen_avail++ % v->vq.num_max];
	*nout = *nin = 0;
	*in_len = 0;
	for (i = head;; i = v->desc[i].next) {
		if (v->desc[i].flags & VRING_DESC_F_WRITE) {
			(*nin)++;
			*in_len += v->desc[i].len;
		} else {
			if (*nin)
				return -2;	/* readable after writable: a spec violation */
			(*nout)++;
		}
		if (!(v->desc[i].flags & VRING_DESC_F_NEXT) || ++n > v->vq.num_max)
			break;
	}
	return head;
}

/* Write @len bytes of 0xab into the writable part of chain @head and mark it used. */
static void fake_use(uint16_t head, uint32_t len)
{
	struct vring_virtqueue *v = fk.v;
	uint32_t left = len;

	for (uint16_t i = head; left;) {
		struct vring_desc *d = &v->desc[i];

		if (d->flags & VRING_DESC_F_WRITE) {
			uint32_t n = MIN(left, d->len);

			memset((void *)(uintptr_t)d->addr, 0xab, n);
			left -= n;
		}
		if (!(d->flags & VRING_DESC_F_NEXT))
			break;
		i = d->next;
	}
	v->used->ring[fk.used_idx % v->vq.num_max] = (struct vring_used_elem){ head, len };
	fk.used_idx++;
	v->used->idx = fk.used_idx;
}

/* --- tests -------------------------------------------------------------------------- */
static void chain_layout(void)
{
	uint8_t hdr[16], data[100], status;
	struct scatterlist sh, sd[2], ss, *sgs[3] = { &sh, sd, &ss };
	unsigned int nout, nin, len;
	uint32_t in_len;
	int head;

	setup(8);
	sg_init_one(&sh, hdr, sizeof(hdr));
	sg_init_table(sd, 2);
	sg_set_buf(&sd[0], data, 60);
	sg_set_buf(&sd[1], data + 60, 40);
	sg_init_one(&ss, &status, 1);
	CHECK_EQ(virtqueue_add_sgs(fk.vq, sgs, 1, 2, hdr, GFP_KERNEL), 0);
	CHECK_EQ(fk.vq->num_free, 4);
	CHECK_EQ(mapped_now, 4);
	head = fake_take(&nout, &nin, &in_len);
	CHECK(head >= 0);
	CHECK_EQ(nout, 1);
	CHECK_EQ(nin, 3);
	CHECK_EQ(in_len, 101);
	CHECK(virtqueue_get_buf(fk.vq, &len) == NULL);	/* not used yet */
	fake_use((uint16_t)head, 101);
	CHECK(virtqueue_poll(fk.vq));
	CHECK(virtqueue_get_buf(fk.vq, &len) == hdr);
	CHECK_EQ(len, 101);
	CHECK_EQ(data[99], 0xab);
	CHECK_EQ(status, 0xab);
	CHECK_EQ(fk.vq->num_free, 8);
	CHECK_EQ(mapped_now, 0);
	teardown();
}

static void inbuf_outbuf(void)
{
	uint8_t a[32], b[32];
	struct scatterlist sa, sb;
	unsigned int nout, nin, len;
	uint32_t in_len;
	int ha, hb;

	setup(4);
	sg_init_one(&sa, a, sizeof(a));
	sg_init_one(&sb, b, sizeof(b));
	CHECK_EQ(virtqueue_add_outbuf(fk.vq, &sa, 1, a, GFP_KERNEL), 0);
	CHECK_EQ(virtqueue_add_inbuf(fk.vq, &sb, 1, b, GFP_KERNEL), 0);
	ha = fake_take(&nout, &nin, &in_len);
	CHECK(nout == 1 && nin == 0);
	hb = fake_take(&nout, &nin, &in_len);
	CHECK(nout == 0 && nin == 1 && in_len == 32);
	/* the device finishes the second first: that is the order they come back in */
	fake_use((uint16_t)hb, 32);
	fake_use((uint16_t)ha, 0);
	CHECK(virtqueue_get_buf(fk.vq, &len) == b);
	CHECK(virtqueue_get_buf(fk.vq, &len) == a);
	CHECK_EQ(len, 0);
	CHECK(virtqueue_get_buf(fk.vq, &len) == NULL);
	teardown();
}

static void full_queue(void)
{
	uint8_t buf[4][8];
	struct scatterlist sg[4];
	unsigned int nout, nin, len;
	uint32_t in_len;

	setup(4);
	for (int i = 0; i < 4; i++) {
		sg_init_one(&sg[i], buf[i], 8);
		CHECK_EQ(virtqueue_add_inbuf(fk.vq, &sg[i], 1, buf[i], GFP_KERNEL), 0);
	}
	CHECK_EQ(fk.vq->num_free, 0);
	CHECK_EQ(virtqueue_add_inbuf(fk.vq, &sg[0], 1, buf[0], GFP_KERNEL), -ENOSPC);
	fake_use((uint16_t)fake_take(&nout, &nin, &in_len), 8);
	CHECK(virtqueue_get_buf(fk.vq, &len) == buf[0]);
	CHECK_EQ(virtqueue_add_inbuf(fk.vq, &sg[0], 1, buf[0], GFP_KERNEL), 0);
	teardown();
}

static void bad_arguments(void)
{
	uint8_t x;
	struct scatterlist sg;

	setup(4);
	sg_init_one(&sg, &x, 1);
	CHECK_EQ(virtqueue_add_inbuf(fk.vq, &sg, 1, NULL, GFP_KERNEL), -EINVAL);
	CHECK_EQ(virtqueue_add_inbuf(fk.vq, &sg, 0, &x, GFP_KERNEL), -EINVAL);
	CHECK_EQ(fk.vq->num_free, 4);
	teardown();
}

static void random_workload(void)
{
	enum { NUM = 16, OPS = 20000 };
	static uint8_t bufs[NUM][4][64];
	struct scatterlist sg[NUM][4];
	int pending[NUM], npending = 0, inflight = 0, completed = 0;
	bool busy[NUM] = { false };
	unsigned int seed = 12345;

	setup(NUM);
	for (int op = 0; op < OPS; op++) {
		unsigned int r = (seed = seed * 1103515245 + 12345) >> 8;
		unsigned int nout, nin, len;
		uint32_t in_len;
		int head, slot;

		if (r % 3 == 0) {		/* add a request of 1-4 pieces */
			unsigned int n = 1 + r / 3 % 4, out = r / 12 % (n + 1);
			struct scatterlist *sgs[2];

			for (slot = 0; slot < NUM && busy[slot]; slot++)
				;
			if (slot == NUM)
				continue;
			sg_init_table(sg[slot], n);
			for (unsigned int i = 0; i < n; i++)
				sg_set_buf(&sg[slot][i], bufs[slot][i], 64);
			if (out == 0 || out == n) {
				sgs[0] = sg[slot];
				head = virtqueue_add_sgs(fk.vq, sgs, out ? 1 : 0, out ? 0 : 1,
							 bufs[slot], GFP_KERNEL);
			} else {
				sg[slot][out - 1].flags |= SG_END;
				sgs[0] = sg[slot];
				sgs[1] = &sg[slot][out];
				head = virtqueue_add_sgs(fk.vq, sgs, 1, 1, bufs[slot], GFP_KERNEL);
			}
			if (head == 0) {
				busy[slot] = true;
				inflight++;
			} else {
				CHECK_EQ(head, -ENOSPC);
				CHECK(fk.vq->num_free < n);
			}
		} else if (r % 3 == 1) {	/* the device takes one and may finish a random one */
			head = fake_take(&nout, &nin, &in_len);
			if (head >= 0)
				pending[npending++] = head;
			CHECK(head != -2);
			if (npending && (r & 0x100)) {
				int k = (int)(r / 3 % (unsigned int)npending);

				fake_use((uint16_t)pending[k], 0);
				pending[k] = pending[--npending];
			}
		} else {			/* the driver takes back what is used */
			uint8_t (*got)[4][64] = virtqueue_get_buf(fk.vq, &len);

			if (got) {
				slot = (int)(got - bufs);
				CHECK(slot >= 0 && slot < NUM && busy[slot]);
				busy[slot] = false;
				inflight--;
				completed++;
			}
		}
	}
	/* drain: the device finishes everything, the driver takes it all back */
	for (;;) {
		unsigned int nout, nin;
		uint32_t in_len;
		int head = fake_take(&nout, &nin, &in_len);

		if (head < 0)
			break;
		pending[npending++] = head;
	}
	while (npending)
		fake_use((uint16_t)pending[--npending], 0);
	while (virtqueue_get_buf(fk.vq, NULL))
		inflight--;
	CHECK_EQ(inflight, 0);
	CHECK(completed > OPS / 20);
	CHECK_EQ(fk.vq->num_free, NUM);
	CHECK_EQ(mapped_now, 0);
	teardown();
}

static void length_clamped(void)
{
	uint8_t buf[16];
	struct scatterlist sg;
	unsigned int nout, nin, len;
	uint32_t in_len;

	setup(4);
	sg_init_one(&sg, buf, sizeof(buf));
	CHECK_EQ(virtqueue_add_inbuf(fk.vq, &sg, 1, buf, GFP_KERNEL), 0);
	fake_take(&nout, &nin, &in_len);
	fk.v->used->ring[0] = (struct vring_used_elem){ 0, 4096 };	/* claims too much */
	fk.v->used->idx = ++fk.used_idx;
	CHECK(virtqueue_get_buf(fk.vq, &len) == buf);
	CHECK_EQ(len, 16);
	teardown();
}

static void bogus_used_id_breaks(void)
{
	uint8_t buf[16];
	struct scatterlist sg;
	unsigned int len;

	setup(4);
	sg_init_one(&sg, buf, sizeof(buf));
	CHECK_EQ(virtqueue_add_inbuf(fk.vq, &sg, 1, buf, GFP_KERNEL), 0);
	fk.v->used->ring[0] = (struct vring_used_elem){ 3, 1 };	/* never given out */
	fk.v->used->idx = 1;
	CHECK(virtqueue_get_buf(fk.vq, &len) == NULL);
	CHECK(virtqueue_is_broken(fk.vq));
	CHECK_EQ(virtqueue_add_inbuf(fk.vq, &sg, 1, buf, GFP_KERNEL), -EIO);
	teardown();
}

static void notification_flags(void)
{
	uint8_t buf[16];
	struct scatterlist sg;
	unsigned int nout, nin;
	uint32_t in_len;

	setup(4);
	CHECK(fk.v->avail->flags & VRING_AVAIL_F_NO_INTERRUPT);	/* no callback */
	CHECK(!virtqueue_kick(fk.vq) || fk.notifies == 0);	/* nothing added: no notify */
	CHECK_EQ(fk.notifies, 0);
	sg_init_one(&sg, buf, sizeof(buf));
	virtqueue_add_inbuf(fk.vq, &sg, 1, buf, GFP_KERNEL);
	CHECK(virtqueue_kick(fk.vq));
	CHECK_EQ(fk.notifies, 1);
	fk.v->used->flags = VRING_USED_F_NO_NOTIFY;		/* the device is polling */
	virtqueue_add_inbuf(fk.vq, &sg, 1, buf + 1, GFP_KERNEL);
	virtqueue_kick(fk.vq);
	CHECK_EQ(fk.notifies, 1);
	CHECK(virtqueue_enable_cb(fk.vq));			/* nothing used yet */
	CHECK(!(fk.v->avail->flags & VRING_AVAIL_F_NO_INTERRUPT));
	fake_use((uint16_t)fake_take(&nout, &nin, &in_len), 1);
	CHECK(!virtqueue_enable_cb(fk.vq));			/* work is waiting */
	virtqueue_disable_cb(fk.vq);
	CHECK(fk.v->avail->flags & VRING_AVAIL_F_NO_INTERRUPT);
	teardown();
}

static int callbacks;

static void count_cb(struct virtqueue *vq)
{
	callbacks++;
}

static void interrupt_runs_callback(void)
{
	uint8_t buf[16];
	struct scatterlist sg;
	unsigned int nout, nin;
	uint32_t in_len;

	setup(4);
	fk.vq->callback = count_cb;
	callbacks = 0;
	CHECK_EQ(vring_interrupt(0, fk.vq), IRQ_NONE);		/* nothing used */
	sg_init_one(&sg, buf, sizeof(buf));
	virtqueue_add_inbuf(fk.vq, &sg, 1, buf, GFP_KERNEL);
	fake_use((uint16_t)fake_take(&nout, &nin, &in_len), 1);
	CHECK_EQ(vring_interrupt(0, fk.vq), IRQ_HANDLED);
	CHECK_EQ(callbacks, 1);
	teardown();
}

static void detach_after_reset(void)
{
	uint8_t buf[3][16];
	struct scatterlist sg[3];
	int n = 0;

	setup(4);
	for (int i = 0; i < 3; i++) {
		sg_init_one(&sg[i], buf[i], 16);
		virtqueue_add_inbuf(fk.vq, &sg[i], 1, buf[i], GFP_KERNEL);
	}
	while (virtqueue_detach_unused_buf(fk.vq))
		n++;
	CHECK_EQ(n, 3);
	CHECK_EQ(fk.vq->num_free, 4);
	CHECK_EQ(fk.v->avail->idx, 0);
	CHECK_EQ(mapped_now, 0);
	teardown();
}

static void mapping_failure_undone(void)
{
	uint8_t a[8], b[8], c[8];
	struct scatterlist sg[3];

	setup(4);
	sg_init_table(sg, 3);
	sg_set_buf(&sg[0], a, 8);
	sg_set_buf(&sg[1], b, 8);
	sg_set_buf(&sg[2], c, 8);
	map_fail_after = 2;		/* the third piece cannot be mapped */
	CHECK_EQ(virtqueue_add_inbuf(fk.vq, sg, 3, a, GFP_KERNEL), -EIO);
	CHECK_EQ(mapped_now, 0);
	CHECK_EQ(fk.vq->num_free, 4);
	CHECK_EQ(fk.v->avail->idx, 0);
	map_fail_after = -1;
	CHECK_EQ(virtqueue_add_inbuf(fk.vq, sg, 3, a, GFP_KERNEL), 0);
	teardown();
}

int main(void)
{
	test_suite = "virtio_ring";
	RUN(chain_layout);
	RUN(inbuf_outbuf);
	RUN(full_queue);
	RUN(bad_arguments);
	RUN(random_workload);
	RUN(length_clamped);
	RUN(bogus_used_id_breaks);
	RUN(notification_flags);
	RUN(interrupt_runs_callback);
	RUN(detach_after_reset);
	RUN(mapping_failure_undone);
	TEST_EXIT();
}
