/*
 * Kernel heap (see kmalloc.h for the interface).
 *
 * A slab is one 4 KiB page: a struct km_slab header, then equal slots of
 * [struct km_obj header | object | red zone]. A large object is a block of
 * 2^order pages: a struct km_large header, a struct km_obj, then the object.
 * Either way the metadata for a pointer sits at the start of its 4 KiB page,
 * so kfree() finds it by masking. Object headers are sealed with a checksum,
 * red zones are filled with KMALLOC_REDZONE_BYTE and free slots with
 * KMALLOC_POISON, and every transition checks what it can.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/string.h"
#include "lib/list.h"
#include "mm/kmalloc.h"

/*
 * One lock for the allocator's state, taken with interrupts off (handlers
 * allocate too); a leaf: only the page allocator is called under it. The
 * host tests run it without one.
 */
#ifdef BASALT_HOST_TEST
#define km_lock()		0UL
#define km_unlock(flags)	((void)(flags))
#else
#include "kernel/lock.h"
static DEFINE_RAW_SPINLOCK(km_spinlock);
#define km_lock()		raw_spin_lock_irqsave(&km_spinlock)
#define km_unlock(flags)	raw_spin_unlock_irqrestore(&km_spinlock, (flags))
#endif

#define KM_PAGE_SIZE	4096UL
#define KM_PAGE_MASK	(~(uintptr_t)(KM_PAGE_SIZE - 1))
#define KM_ALIGN_UP(x)	(((x) + KMALLOC_ALIGN - 1) & ~(size_t)(KMALLOC_ALIGN - 1))
#define KM_MIN_REDZONE	8

#define KM_SLAB_MAGIC	0x51ab0b1eu
#define KM_LARGE_MAGIC	0x1a59e0b1u
#define KM_OBJ_MAGIC	0x0b1ec7edu
#define KM_LIVE		0xa1
#define KM_FREE		0xf7
#define KM_NO_SLOT	0xffff
#define KM_LARGE_CLASS	0xff
#define KM_EMPTY_KEEP	1	/* empty slabs cached per class */

/* Header in front of every object. */
struct km_obj {
	uint32_t magic;
	uint32_t size;		/* requested size while live, 0 while free */
	uint16_t next_free;	/* next free slot of the slab while free */
	uint8_t cls;		/* size class, or KM_LARGE_CLASS */
	uint8_t state;		/* KM_LIVE or KM_FREE */
	uint32_t seal;		/* checksum of the fields above */
};

/* Header at the start of every slab page. */
struct km_slab {
	uint32_t magic;
	uint16_t cls;
	uint16_t nr_objs;
	uint16_t nr_free;
	uint16_t free_head;	/* first free slot or KM_NO_SLOT */
	uint32_t unused;
	struct list_head node;	/* on km.partial[cls] unless full */
};

/* Header at the start of every large block. */
struct km_large {
	uint32_t magic;
	uint32_t order;
	uint64_t unused;
};

#define KM_SLAB_HDR	32	/* first slot starts here */
#define KM_LARGE_OBJ	(sizeof(struct km_large) + sizeof(struct km_obj))
#define KM_MAX_SIZE	((KM_PAGE_SIZE << KMALLOC_MAX_ORDER) - KM_LARGE_OBJ - KM_MIN_REDZONE)

_Static_assert(sizeof(struct km_obj) == KMALLOC_ALIGN, "object header keeps alignment");
_Static_assert(sizeof(struct km_slab) <= KM_SLAB_HDR, "slab header fits");
_Static_assert(KM_SLAB_HDR % KMALLOC_ALIGN == 0, "slots stay aligned");
_Static_assert(KM_LARGE_OBJ % KMALLOC_ALIGN == 0, "large objects stay aligned");
_Static_assert(KMALLOC_NR_CLASSES == 8, "km.partial initialiser lists 8 classes");

/*
 * All allocator state, under km_spinlock (above): every exported function
 * takes it (kmalloc_page_alloc/free are called with it held).
 */
static struct {
	struct list_head partial[KMALLOC_NR_CLASSES];	/* emptiest slabs last */
	uint32_t empty[KMALLOC_NR_CLASSES];		/* empty slabs kept */
	struct kmalloc_stats stats;
} km = {
	.partial = {
		LIST_HEAD_INIT(km.partial[0]), LIST_HEAD_INIT(km.partial[1]),
		LIST_HEAD_INIT(km.partial[2]), LIST_HEAD_INIT(km.partial[3]),
		LIST_HEAD_INIT(km.partial[4]), LIST_HEAD_INIT(km.partial[5]),
		LIST_HEAD_INIT(km.partial[6]), LIST_HEAD_INIT(km.partial[7]),
	},
};

/* Bytes from an object's start to the end of its slot, red zone included. */
static size_t class_room(unsigned int cls)
{
	return KM_ALIGN_UP(((size_t)KMALLOC_MIN_CLASS << cls) + KM_MIN_REDZONE);
}

static size_t slot_size(unsigned int cls)
{
	return sizeof(struct km_obj) + class_room(cls);
}

static unsigned int objs_per_slab(unsigned int cls)
{
	return (unsigned int)((KM_PAGE_SIZE - KM_SLAB_HDR) / slot_size(cls));
}

static unsigned int size_class(size_t size)
{
	unsigned int cls = 0;

	while (((size_t)KMALLOC_MIN_CLASS << cls) < size)
		cls++;
	return cls;
}

static unsigned int large_order(size_t size)
{
	size_t need = KM_LARGE_OBJ + size + KM_MIN_REDZONE;
	unsigned int order = 0;

	while ((KM_PAGE_SIZE << order) < need)
		order++;
	return order;
}

static struct km_obj *slot_obj(struct km_slab *s, unsigned int idx)
{
	return (struct km_obj *)((char *)s + KM_SLAB_HDR + idx * slot_size(s->cls));
}

static uint32_t obj_seal(const struct km_obj *o)
{
	uint32_t h = o->magic ^ 0x9e3779b9u;

	h = (h ^ o->size) * 0x85ebca6bu;
	h = (h ^ ((uint32_t)o->next_free << 16 | (uint32_t)o->cls << 8 | o->state)) * 0xc2b2ae35u;
	return h ^ (h >> 16);
}

static void obj_set(struct km_obj *o, uint32_t size, unsigned int cls, uint8_t state,
		    uint16_t next_free)
{
	o->magic = KM_OBJ_MAGIC;
	o->size = size;
	o->next_free = next_free;
	o->cls = (uint8_t)cls;
	o->state = state;
	o->seal = obj_seal(o);
}

static bool obj_header_ok(const struct km_obj *o, unsigned int cls)
{
	return o->magic == KM_OBJ_MAGIC && o->seal == obj_seal(o) && o->cls == cls &&
	       (o->state == KM_LIVE || o->state == KM_FREE);
}

/* True if all @n bytes at @p equal @v. */
/*
 * Is every byte of @p..+@n equal to @v? A word at a time: every kmalloc
 * checks a whole freed slot for writes after kfree this way.
 */
static bool all_bytes(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;
	uint64_t pattern = 0x0101010101010101ULL * v;

	for (; n && ((uintptr_t)b & 7); n--)
		if (*b++ != v)
			return false;
	for (; n >= 8; n -= 8, b += 8)
		if (*(const uint64_t *)b != pattern)
			return false;
	for (; n; n--)
		if (*b++ != v)
			return false;
	return true;
}

/* Where a pointer leads: its object header and the bytes it may span. */
struct km_ref {
	struct km_obj *obj;
	struct km_slab *slab;	/* NULL for a large object */
	struct km_large *large;	/* NULL for a slab object */
	size_t room;
};

/*
 * Find the object that starts at @ptr. Returns 0, KMALLOC_BAD_FREE if @ptr
 * is not an object start, or KMALLOC_REDZONE if its header was overwritten.
 * The object may be live or free.
 */
static int km_find(const void *ptr, struct km_ref *ref, const char **detail)
{
	uintptr_t page = (uintptr_t)ptr & KM_PAGE_MASK;
	uintptr_t off = (uintptr_t)ptr - page;
	unsigned int cls;

	if (!ptr) {
		*detail = "NULL is not an object";
		return KMALLOC_BAD_FREE;
	}
	ref->slab = NULL;
	ref->large = NULL;
	if (*(const uint32_t *)page == KM_SLAB_MAGIC) {
		struct km_slab *s = (struct km_slab *)page;
		size_t first = KM_SLAB_HDR + sizeof(struct km_obj);

		cls = s->cls;
		if (cls >= KMALLOC_NR_CLASSES || s->nr_objs != objs_per_slab(cls) ||
		    off < first || (off - first) % slot_size(cls) ||
		    (off - first) / slot_size(cls) >= s->nr_objs) {
			*detail = "pointer is not the start of a slab object";
			return KMALLOC_BAD_FREE;
		}
		ref->slab = s;
		ref->room = class_room(cls);
	} else if (*(const uint32_t *)page == KM_LARGE_MAGIC) {
		struct km_large *l = (struct km_large *)page;

		if (l->order > KMALLOC_MAX_ORDER || off != KM_LARGE_OBJ) {
			*detail = "pointer is not the start of a large object";
			return KMALLOC_BAD_FREE;
		}
		cls = KM_LARGE_CLASS;
		ref->large = l;
		ref->room = (KM_PAGE_SIZE << l->order) - KM_LARGE_OBJ;
	} else {
		*detail = "pointer is not in a kmalloc page";
		return KMALLOC_BAD_FREE;
	}
	ref->obj = (struct km_obj *)ptr - 1;
	if (!obj_header_ok(ref->obj, cls) || ref->obj->size > ref->room - KM_MIN_REDZONE) {
		*detail = "object header overwritten (underrun or stray write)";
		return KMALLOC_REDZONE;
	}
	return 0;
}

static bool redzone_ok(const struct km_ref *ref)
{
	const uint8_t *p = (const uint8_t *)(ref->obj + 1);

	return all_bytes(p + ref->obj->size, ref->room - ref->obj->size, KMALLOC_REDZONE_BYTE);
}

/* Turn a free slot or a fresh block into a live object of @size bytes. */
static void *obj_make_live(struct km_obj *o, size_t size, unsigned int cls, size_t room)
{
	uint8_t *p = (uint8_t *)(o + 1);

	obj_set(o, (uint32_t)size, cls, KM_LIVE, KM_NO_SLOT);
	memset(p + size, KMALLOC_REDZONE_BYTE, room - size);
	km.stats.bytes_in_use += size;
	return p;
}

static struct km_slab *slab_create(unsigned int cls)
{
	struct km_slab *s = kmalloc_page_alloc(0);
	unsigned int i, n = objs_per_slab(cls);

	if (!s)
		return NULL;
	s->magic = KM_SLAB_MAGIC;
	s->cls = (uint16_t)cls;
	s->nr_objs = (uint16_t)n;
	s->nr_free = (uint16_t)n;
	s->free_head = 0;
	s->unused = 0;
	for (i = 0; i < n; i++) {
		struct km_obj *o = slot_obj(s, i);

		obj_set(o, 0, cls, KM_FREE, i + 1 < n ? (uint16_t)(i + 1) : KM_NO_SLOT);
		memset(o + 1, KMALLOC_POISON, class_room(cls));
	}
	list_add_tail(&s->node, &km.partial[cls]);
	km.empty[cls]++;
	km.stats.slab_pages++;
	return s;
}

/*
 * Take the first free slot of @s. If the free list was overwritten the slab
 * is reported, taken out of service and NULL returned.
 */
static struct km_obj *slab_take(struct km_slab *s)
{
	unsigned int cls = s->cls;
	struct km_obj *o = NULL;

	if (s->free_head < s->nr_objs)
		o = slot_obj(s, s->free_head);
	if (!o || !obj_header_ok(o, cls) || o->state != KM_FREE) {
		kmalloc_report(KMALLOC_USE_AFTER_FREE, o ? (void *)(o + 1) : (void *)s,
			       "free slot header overwritten after kfree; slab abandoned");
		if (s->nr_free == s->nr_objs)
			km.empty[cls]--;
		s->nr_free = 0;
		s->free_head = KM_NO_SLOT;
		list_del(&s->node);
		return NULL;
	}
	if (s->nr_free == s->nr_objs)
		km.empty[cls]--;
	s->free_head = o->next_free;
	s->nr_free--;
	if (!s->nr_free)
		list_del(&s->node);
	return o;
}

static void *slab_alloc(size_t size)
{
	unsigned int cls = size_class(size);
	struct km_obj *o;

	do {
		if (list_empty(&km.partial[cls]) && !slab_create(cls))
			return NULL;
		o = slab_take(list_first_entry(&km.partial[cls], struct km_slab, node));
	} while (!o);

	if (!all_bytes(o + 1, class_room(cls), KMALLOC_POISON))
		kmalloc_report(KMALLOC_USE_AFTER_FREE, o + 1,
			       "freed object was written after kfree");
	km.stats.objects[cls]++;
	return obj_make_live(o, size, cls, class_room(cls));
}

static void slab_free(const struct km_ref *ref)
{
	struct km_slab *s = ref->slab;
	struct km_obj *o = ref->obj;
	unsigned int cls = s->cls;
	size_t idx = ((char *)o - (char *)slot_obj(s, 0)) / slot_size(cls);

	memset(o + 1, KMALLOC_POISON, ref->room);
	obj_set(o, 0, cls, KM_FREE, s->free_head);
	s->free_head = (uint16_t)idx;
	if (++s->nr_free == 1)
		list_add(&s->node, &km.partial[cls]);
	km.stats.objects[cls]--;
	if (s->nr_free < s->nr_objs)
		return;

	list_del(&s->node);
	if (km.empty[cls] >= KM_EMPTY_KEEP) {
		s->magic = 0;
		km.stats.slab_pages--;
		kmalloc_page_free(s, 0);
	} else {
		km.empty[cls]++;
		list_add_tail(&s->node, &km.partial[cls]);
	}
}

static void *large_alloc(size_t size)
{
	unsigned int order = large_order(size);
	struct km_large *l = kmalloc_page_alloc(order);
	struct km_obj *o;

	if (!l)
		return NULL;
	l->magic = KM_LARGE_MAGIC;
	l->order = order;
	l->unused = 0;
	o = (struct km_obj *)(l + 1);
	memset(o + 1, KMALLOC_POISON, size);
	km.stats.large_objects++;
	km.stats.large_pages += 1ULL << order;
	return obj_make_live(o, size, KM_LARGE_CLASS, (KM_PAGE_SIZE << order) - KM_LARGE_OBJ);
}

static void large_free(const struct km_ref *ref)
{
	unsigned int order = ref->large->order;

	memset(ref->obj + 1, KMALLOC_POISON, ref->room);
	obj_set(ref->obj, 0, KM_LARGE_CLASS, KM_FREE, KM_NO_SLOT);
	km.stats.large_objects--;
	km.stats.large_pages -= 1ULL << order;
	kmalloc_page_free(ref->large, order);
}

/*
 * Allocate @size bytes aligned to KMALLOC_ALIGN. Returns NULL for size 0,
 * for sizes above about 4 MiB, or when the backend has no pages. The
 * contents are KMALLOC_POISON, not zero.
 */
void *kmalloc(size_t size)
{
	unsigned long flags;
	void *p;

	if (!size || size > KM_MAX_SIZE)
		return NULL;
	flags = km_lock();
	p = size <= KMALLOC_MAX_SLAB_SIZE ? slab_alloc(size) : large_alloc(size);
	km_unlock(flags);
	return p;
}

/* kmalloc() with the memory cleared. */
void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/*
 * Free an object from kmalloc(); NULL is ignored. A bad pointer, a header
 * overwrite or a double free is reported and nothing is freed; an overrun
 * red zone is reported and the object is freed anyway.
 */
void kfree(void *ptr)
{
	struct km_ref ref;
	const char *detail;
	unsigned long flags;
	bool redzone;
	int err;

	if (!ptr)
		return;
	flags = km_lock();
	err = km_find(ptr, &ref, &detail);
	if (!err && ref.obj->state == KM_FREE) {
		err = KMALLOC_DOUBLE_FREE;
		detail = "object is already free";
	}
	redzone = err || redzone_ok(&ref);
	km_unlock(flags);
	if (err) {
		kmalloc_report(err, ptr, detail);
		return;
	}
	if (!redzone)
		kmalloc_report(KMALLOC_REDZONE, ptr, "write past the end of the object");
	if (debug_check_no_obj_freed)	/* an armed timer or queued work inside? */
		debug_check_no_obj_freed(ptr, ref.obj->size, __builtin_return_address(0));

	flags = km_lock();		/* the object is still the caller's: ref holds */
	km.stats.bytes_in_use -= ref.obj->size;
	if (ref.slab)
		slab_free(&ref);
	else
		large_free(&ref);
	km_unlock(flags);
}

/*
 * The size requested for the live object at @ptr, or 0 if @ptr is not one.
 * Bytes past it belong to the red zone, so this is all the caller may use.
 */
size_t ksize(const void *ptr)
{
	struct km_ref ref;
	const char *detail;

	if (km_find(ptr, &ref, &detail) || ref.obj->state != KM_LIVE)
		return 0;
	return ref.obj->size;
}

/*
 * Validate the live object at @ptr without reporting or changing anything.
 * Returns 0 if it is intact, else the enum kmalloc_error that kfree would
 * report (KMALLOC_USE_AFTER_FREE if the object has been freed).
 */
int kmalloc_check(const void *ptr)
{
	struct km_ref ref;
	const char *detail;
	int err = km_find(ptr, &ref, &detail);

	if (err)
		return err;
	if (ref.obj->state == KM_FREE)
		return KMALLOC_USE_AFTER_FREE;
	return redzone_ok(&ref) ? 0 : KMALLOC_REDZONE;
}

/* Copy the current counters into @st. */
void kmalloc_stats(struct kmalloc_stats *st)
{
	*st = km.stats;
}
