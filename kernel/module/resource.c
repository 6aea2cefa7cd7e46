/*
 * What each module holds. The kernel's driver API records an IRQ handler,
 * a kthread, a device node, a /proc entry, a PCI driver, a DMA buffer,
 * an MMIO mapping or a claim of I/O ports against the module its owner pointer lies in (the Nooks
 * idea: the kernel, not the driver, keeps the books). When the module's
 * exit returns, or its init fails, whatever is still recorded is released
 * newest first, each with one warning line naming module and resource, so
 * nothing can reach the module's memory once it is freed.
 *
 * Pure list code over kmalloc and printk, so the host tests can run it
 * (tests/host/test_modresource.c).
 */
#include <stdarg.h>
#include "kernel/kernel.h"
#include "kernel/module.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

#ifndef BASALT_HOST_TEST
#include "kernel/lock.h"
/* Guards every module's resource list; never held across a release call. */
static DEFINE_SPINLOCK(resource_lock);
#define res_lock(f)	spin_lock_irqsave(&resource_lock, f)
#define res_unlock(f)	spin_unlock_irqrestore(&resource_lock, f)
#else
#define res_lock(f)	((void)(f))
#define res_unlock(f)	((void)(f))
#endif

/*
 * The record whose release function runs now. Its own untrack (free_irq
 * untracks what request_irq tracked) must consume it, not an identical
 * record of the same or another module.
 */
static struct module_resource *in_release;

static const char *const release_verb[MRES_NR_TYPES] = {
	[MRES_IRQ] = "freed",
	[MRES_KTHREAD] = "stopped",
	[MRES_MISCDEV] = "deregistered",
	[MRES_PROCFS] = "removed",
	[MRES_PCI_DRIVER] = "unregistered",
	[MRES_DMA_COHERENT] = "freed",
	[MRES_IOREMAP] = "unmapped",
	[MRES_VIRTIO_DRIVER] = "unregistered",
	[MRES_IOPORT] = "released",
};

int module_track(uintptr_t owner, int type, const void *key, uintptr_t arg,
		 void (*release)(const void *key, uintptr_t arg), const char *fmt, ...)
{
	struct module *m = module_of_addr(owner);
	struct module_resource *r;
	unsigned long f = 0;
	va_list ap;

	if (!m)
		return 0;	/* the kernel's own: nothing to do at unload */
	if (type < 0 || type >= MRES_NR_TYPES || !release)
		return -EINVAL;
	r = kzalloc(sizeof(*r));
	if (!r) {
		pr_warn("module %s: cannot record a resource (out of memory)\n", m->name);
		return -ENOMEM;
	}
	r->type = type;
	r->key = key;
	r->arg = arg;
	r->release = release;
	va_start(ap, fmt);
	vsnprintf(r->what, sizeof(r->what), fmt, ap);
	va_end(ap);
	res_lock(f);
	if (!m->resources.next)
		list_init(&m->resources);
	list_add_tail(&r->node, &m->resources);
	res_unlock(f);
	return 0;
}

/* Unlink the record of (type, key, arg) from whichever module has it. */
static struct module_resource *unlink_record(int type, const void *key, uintptr_t arg)
{
	struct module_resource *r;
	struct module *m;

	list_for_each_entry(m, &modules, node) {
		if (!m->resources.next)
			continue;
		list_for_each_entry(r, &m->resources, node) {
			if (r->type == type && r->key == key && r->arg == arg) {
				list_del(&r->node);
				return r;
			}
		}
	}
	return NULL;
}

void module_untrack(int type, const void *key, uintptr_t arg)
{
	struct module_resource *r;
	unsigned long f = 0;

	res_lock(f);
	if (in_release && in_release->type == type && in_release->key == key &&
	    in_release->arg == arg) {
		in_release = NULL;	/* the release in progress: already unlinked */
		r = NULL;
	} else {
		r = unlink_record(type, key, arg);
	}
	res_unlock(f);
	kfree(r);
}

void module_warn_left(struct module *m, const char *when, const char *what, const char *verb)
{
	pr_warn("module %s: %s left %s; %s\n", m->name, when, what, verb);
}

/* The newest record of @m of @type (-1: any), unlinked; NULL when none is left. */
static struct module_resource *take_newest(struct module *m, int type)
{
	struct module_resource *r;

	for (struct list_head *p = m->resources.prev; p != &m->resources; p = p->prev) {
		r = list_entry(p, struct module_resource, node);
		if (type < 0 || r->type == type) {
			list_del(&r->node);
			return r;
		}
	}
	return NULL;
}

unsigned int module_release_resources(struct module *m, const char *when, int type)
{
	unsigned int n = 0;

	if (!m->resources.next)
		return 0;
	for (;;) {
		struct module_resource *r;
		unsigned long f = 0;

		res_lock(f);
		r = take_newest(m, type);
		res_unlock(f);
		if (!r)
			break;
		module_warn_left(m, when, r->what, release_verb[r->type]);
		res_lock(f);
		in_release = r;
		res_unlock(f);
		r->release(r->key, r->arg);
		res_lock(f);
		in_release = NULL;
		res_unlock(f);
		kfree(r);
		n++;
	}
	return n;
}
