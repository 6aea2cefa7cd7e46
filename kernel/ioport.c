/*
 * I/O port regions (kernel/ioport.h): a list of claimed, disjoint ranges
 * of the 64 KiB port space, shown as /proc/ioports in Linux's layout. A
 * claim from a module is checked against its ioport: entitlements and
 * recorded by the resource tracker, so an unloaded module's ports are
 * released with a warning.
 */
#include "fs/vfs.h"
#include "kernel/ioport.h"
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "kernel/module.h"
#include "lib/printf.h"
#include "mm/mm.h"

#define IO_SPACE_LIMIT	0xffffUL

static LIST_HEAD(regions);		/* by start */
static DEFINE_SPINLOCK(regions_lock);

static void release_ioport(const void *key, uintptr_t arg)
{
	release_region((unsigned long)(uintptr_t)key, arg);
}

struct resource *request_region(unsigned long start, unsigned long n, const char *name)
{
	const void *caller = __builtin_return_address(0);
	struct resource *r, *pos, *busy = NULL;
	struct list_head *before = &regions;
	unsigned long f;

	if (!n || start > IO_SPACE_LIMIT || n - 1 > IO_SPACE_LIMIT - start)
		return NULL;
	if (!module_may_request_region(caller, start, n))
		return NULL;
	r = kzalloc(sizeof(*r));
	if (!r)
		return NULL;
	r->start = start;
	r->end = start + n - 1;
	r->name = name ? name : "?";
	spin_lock_irqsave(&regions_lock, f);
	list_for_each_entry(pos, &regions, node) {
		if (pos->start <= r->end && r->start <= pos->end) {
			busy = pos;
			break;
		}
		if (pos->start < r->start)
			before = &pos->node;
	}
	if (!busy)
		list_add(&r->node, before);
	spin_unlock_irqrestore(&regions_lock, f);
	if (busy) {
		pr_warn("ioport: %s cannot have %#lx-%#lx: %#lx-%#lx is held by %s\n", r->name,
			r->start, r->end, busy->start, busy->end, busy->name);
		kfree(r);
		return NULL;
	}
	module_track((uintptr_t)caller, MRES_IOPORT, (const void *)(uintptr_t)start, n,
		     release_ioport, "I/O ports %#lx-%#lx (%s) requested", r->start, r->end,
		     r->name);
	return r;
}
EXPORT_SYMBOL(request_region);

void release_region(unsigned long start, unsigned long n)
{
	struct resource *pos, *r = NULL;
	unsigned long f;

	spin_lock_irqsave(&regions_lock, f);
	list_for_each_entry(pos, &regions, node) {
		if (pos->start == start && pos->end == start + n - 1) {
			r = pos;
			list_del(&r->node);
			break;
		}
	}
	spin_unlock_irqrestore(&regions_lock, f);
	if (!r) {
		pr_warn("release_region(%#lx, %lu) from %pS: no such region\n", start, n,
			__builtin_return_address(0));
		return;
	}
	module_untrack(MRES_IOPORT, (const void *)(uintptr_t)start, n);
	kfree(r);
}
EXPORT_SYMBOL(release_region);

/* /proc/ioports as Linux prints it: "0070-0071 : rtc". */
static long proc_ioports_show(char *buf, size_t size)
{
	struct resource *r;
	size_t len = 0;
	unsigned long f;

	spin_lock_irqsave(&regions_lock, f);
	list_for_each_entry(r, &regions, node)
		len += snprintf(buf + len, size > len ? size - len : 0, "%04lx-%04lx : %s\n",
				r->start, r->end, r->name);
	spin_unlock_irqrestore(&regions_lock, f);
	return (long)len;
}

static int ioport_init(void)
{
	return procfs_register("ioports", proc_ioports_show);
}
late_initcall(ioport_init);
