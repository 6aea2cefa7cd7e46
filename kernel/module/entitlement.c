/*
 * Confinement of signed modules (docs/confinement.md): the checks the
 * driver API makes before it gives a module DMA, MMIO, an interrupt line,
 * I/O ports or a device to bind, against the entitlements its signed
 * manifest lists. The module is found by address, as the resource tracker
 * finds owners: the caller's return address, or the driver structure the
 * bus is about to call. Kernel code and unsigned modules pass every check.
 * Also faulted modules (marked by code that caught their device, e.g. an
 * IOMMU) and /proc/module_entitlements.
 */
#include "drivers/base/device.h"
#include "drivers/pci/pci.h"
#include "fs/vfs.h"
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "kernel/module.h"
#include "lib/printf.h"
#include "lib/string.h"

static DEFINE_SPINLOCK(fault_lock);

struct module *module_confining(uintptr_t addr)
{
	struct module *m = module_of_addr(addr);

	return m && m->confined ? m : NULL;
}

void module_refused(const struct module *m, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	pr_err("module %s: %s\n", m->name, what);
}

/*
 * The module to check for a request from @addr: NULL when the request may
 * go ahead without a look at entitlements (kernel code, an unsigned module
 * that has not faulted). A faulted module is refused here, with @what.
 */
static struct module *checked_module(uintptr_t addr, const char *what, bool *refuse)
{
	struct module *m = module_of_addr(addr);

	*refuse = false;
	if (!m)
		return NULL;
	if (READ_ONCE(m->faulted)) {
		module_refused(m, "%s refused: module faulted (%s)", what, m->fault_why);
		*refuse = true;
		return NULL;
	}
	return m->confined ? m : NULL;
}

bool module_may_dma(const void *caller, const struct device *dev, const char *api)
{
	char what[64];
	struct module *m;
	bool refuse;

	snprintf(what, sizeof(what), "%s(%s)", api, dev && dev->name ? dev->name : "?");
	m = checked_module((uintptr_t)caller, what, &refuse);
	if (!m)
		return !refuse;
	if (m->ent.kinds & MODULE_ENT_BIT(MODULE_ENT_DMA))
		return true;
	module_refused(m, "%s refused: no entitlement dma", what);
	return false;
}

bool module_may_ioremap(const void *caller, uint64_t phys, size_t size, const char *api)
{
	char what[64];
	struct module *m;
	bool refuse;

	snprintf(what, sizeof(what), "%s(%#lx, %zu)", api, (unsigned long)phys, size);
	m = checked_module((uintptr_t)caller, what, &refuse);
	if (!m)
		return !refuse;
	if (pci_module_owns_mmio(m, phys, size))
		return true;
	module_refused(m, "%s refused: no entitlement to %#lx-%#lx (no BAR of a device bound to %s)",
		       what, (unsigned long)phys, (unsigned long)(phys + (size ? size - 1 : 0)),
		       m->name);
	return false;
}

bool module_may_request_irq(const void *caller, unsigned int irq)
{
	char what[32];
	struct module *m;
	bool refuse;

	snprintf(what, sizeof(what), "request_irq(%u)", irq);
	m = checked_module((uintptr_t)caller, what, &refuse);
	if (!m)
		return !refuse;
	if (irq < MODULE_ENT_ISA_IRQS && (m->ent.irqs & (1u << irq)))
		return true;
	if (pci_module_owns_irq(m, irq))
		return true;
	if (irq < MODULE_ENT_ISA_IRQS)
		module_refused(m, "%s refused: no entitlement irq:%u", what, irq);
	else
		module_refused(m, "%s refused: no entitlement to irq %u (not a line or vector of a device bound to %s)",
			       what, irq, m->name);
	return false;
}

bool module_may_request_region(const void *caller, unsigned long start, unsigned long n)
{
	char what[48];
	struct module *m;
	bool refuse;

	snprintf(what, sizeof(what), "request_region(%#lx, %lu)", start, n);
	m = checked_module((uintptr_t)caller, what, &refuse);
	if (!m)
		return !refuse;
	if (module_ent_has_ports(&m->ent, start, n))
		return true;
	module_refused(m, "%s refused: no entitlement ioport:%#lx-%#lx", what, start,
		       start + n - 1);
	return false;
}

bool module_may_bind_pci(const void *drv, const char *dev_name, uint32_t vendor,
			 uint32_t device, uint32_t class)
{
	char what[64];
	struct module *m;
	bool refuse;

	snprintf(what, sizeof(what), "probe of %s [%04x:%04x]", dev_name, vendor, device);
	m = checked_module((uintptr_t)drv, what, &refuse);
	if (!m)
		return !refuse;
	if (module_ent_has_pci(&m->ent, vendor, device, class))
		return true;
	module_refused(m, "%s refused: no entitlement pci:%04x:%04x", what, vendor, device);
	return false;
}

bool module_may_bind_virtio(const void *drv, const char *dev_name, uint32_t device,
			    uint32_t vendor)
{
	char what[64];
	struct module *m;
	bool refuse;

	snprintf(what, sizeof(what), "probe of %s (virtio type %u)", dev_name, device);
	m = checked_module((uintptr_t)drv, what, &refuse);
	if (!m)
		return !refuse;
	if (module_ent_has_virtio(&m->ent, device, vendor))
		return true;
	module_refused(m, "%s refused: no entitlement virtio:%u", what, device);
	return false;
}

void module_mark_faulted(struct module *m, const char *why)
{
	unsigned long f;
	bool first;

	if (!m)
		return;
	spin_lock_irqsave(&fault_lock, f);
	first = !m->faulted;
	if (first) {
		strlcpy(m->fault_why, why && *why ? why : "no reason given", sizeof(m->fault_why));
		WRITE_ONCE(m->faulted, true);
	}
	spin_unlock_irqrestore(&fault_lock, f);
	if (first)
		pr_err("module %s: faulted: %s; its DMA, MMIO, interrupt and port requests are refused from now on\n",
		       m->name, m->fault_why);
}

void module_mark_faulted_addr(const void *addr, const char *why)
{
	module_mark_faulted(module_of_addr((uintptr_t)addr), why);
}

/* snprintf at offset @len of @buf (@size bytes), as much as fits; the length it wanted. */
__printf(4, 5)
static size_t put(char *buf, size_t size, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(len < size ? buf + len : NULL, len < size ? size - len : 0, fmt, ap);
	va_end(ap);
	return (size_t)n;
}

/*
 * /proc/module_entitlements: "<name> <key id> <entitlement>...", "-" for
 * none, "unconfined" for an unsigned module, then "(faulted: <why>)".
 */
static long proc_entitlements_show(char *buf, size_t size)
{
	struct module *m;
	size_t len = 0;

	list_for_each_entry(m, &modules, node) {
		len += put(buf, size, len, "%s %s", m->name, m->key_id);
		if (!m->confined)
			len += put(buf, size, len, " unconfined");
		else if (!m->ent.kinds)
			len += put(buf, size, len, " -");
		else
			len += module_ent_format(&m->ent, " ", "", len < size ? buf + len : NULL,
						 len < size ? size - len : 0);
		if (READ_ONCE(m->faulted))
			len += put(buf, size, len, " (faulted: %s)", m->fault_why);
		len += put(buf, size, len, "\n");
	}
	return (long)len;
}

static int entitlements_init(void)
{
	return procfs_register("module_entitlements", proc_entitlements_show);
}
late_initcall(entitlements_init);
