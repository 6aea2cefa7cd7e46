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

/*
 * The module a request from @addr must be checked for, or NULL when it may
 * go ahead as it is: kernel code, or an unsigned module that has not
 * faulted. Nothing is formatted on this path: it runs on every call.
 */
static struct module *subject(uintptr_t addr)
{
	struct module *m = module_of_addr(addr);

	if (!m || (!m->confined && !READ_ONCE(m->faulted)))
		return NULL;
	return m;
}

static bool allowed(const struct module *m, bool granted)
{
	return granted && !READ_ONCE(m->faulted);
}

/*
 * The one log line of a refusal, "module M: <what> refused: <why>", where
 * @why is "no entitlement ..." (@fmt) or, for a faulted module, its fault.
 * Returns false, for the caller to return.
 */
__printf(3, 4)
static bool refuse(const struct module *m, const char *what, const char *fmt, ...)
{
	char why[128];
	va_list ap;

	if (READ_ONCE(m->faulted)) {
		pr_err("module %s: %s refused: module faulted (%s)\n", m->name, what, m->fault_why);
		return false;
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	pr_err("module %s: %s refused: %s\n", m->name, what, why);
	return false;
}

bool module_may_dma(const void *caller, const struct device *dev, const char *api)
{
	struct module *m = subject((uintptr_t)caller);
	char what[64];

	if (!m || allowed(m, m->ent.kinds & MODULE_ENT_BIT(MODULE_ENT_DMA)))
		return true;
	snprintf(what, sizeof(what), "%s(%s)", api, dev && dev->name ? dev->name : "?");
	return refuse(m, what, "no entitlement dma");
}

bool module_may_ioremap(const void *caller, uint64_t phys, size_t size, const char *api)
{
	struct module *m = subject((uintptr_t)caller);
	char what[64];

	if (!m || allowed(m, pci_module_owns_mmio(m, phys, size)))
		return true;
	snprintf(what, sizeof(what), "%s(%#lx, %zu)", api, (unsigned long)phys, size);
	return refuse(m, what, "no entitlement to %#lx-%#lx (no BAR of a device bound to %s)",
		      (unsigned long)phys, (unsigned long)(phys + (size ? size - 1 : 0)), m->name);
}

bool module_may_request_irq(const void *caller, unsigned int irq)
{
	struct module *m = subject((uintptr_t)caller);
	bool isa = irq < MODULE_ENT_ISA_IRQS;
	char what[32];

	if (!m || allowed(m, (isa && (m->ent.irqs & (1u << irq))) || pci_module_owns_irq(m, irq)))
		return true;
	snprintf(what, sizeof(what), "request_irq(%u)", irq);
	if (isa)
		return refuse(m, what, "no entitlement irq:%u", irq);
	return refuse(m, what,
		      "no entitlement to irq %u (not a line or vector of a device bound to %s)",
		      irq, m->name);
}

bool module_may_request_region(const void *caller, unsigned long start, unsigned long n)
{
	struct module *m = subject((uintptr_t)caller);
	char what[48];

	if (!m || allowed(m, module_ent_has_ports(&m->ent, start, n)))
		return true;
	snprintf(what, sizeof(what), "request_region(%#lx, %lu)", start, n);
	return refuse(m, what, "no entitlement ioport:%#lx-%#lx", start, start + n - 1);
}

bool module_may_bind_pci(const void *drv, const char *dev_name, uint32_t vendor,
			 uint32_t device, uint32_t class)
{
	struct module *m = subject((uintptr_t)drv);
	char what[64];

	if (!m || allowed(m, module_ent_has_pci(&m->ent, vendor, device, class)))
		return true;
	snprintf(what, sizeof(what), "probe of %s [%04x:%04x]", dev_name, vendor, device);
	return refuse(m, what, "no entitlement pci:%04x:%04x", vendor, device);
}

bool module_may_bind_virtio(const void *drv, const char *dev_name, uint32_t device,
			    uint32_t vendor)
{
	struct module *m = subject((uintptr_t)drv);
	char what[64];

	if (!m || allowed(m, module_ent_has_virtio(&m->ent, device, vendor)))
		return true;
	snprintf(what, sizeof(what), "probe of %s (virtio type %u)", dev_name, device);
	return refuse(m, what, "no entitlement virtio:%u", device);
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
