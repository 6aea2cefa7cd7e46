/*
 * The interrupt-line core: one descriptor per IRQ number, a chain of
 * handlers (struct irqaction) on each, and the flow that runs them. The
 * arch code (an IOAPIC input) or the PCI core (an MSI/MSI-X vector) says
 * how a line is masked; request_irq() and free_irq() add and remove
 * handlers, enabling the line with its first and masking it after its
 * last. A line that keeps interrupting while no handler claims it (a stuck
 * level-triggered device) is masked after a storm, with a log line, so the
 * machine keeps running. /proc/interrupts shows every line in Linux's
 * layout, with the count of each handler after its name.
 */
#define pr_fmt(fmt) "irq: " fmt

#include <asm/irq.h>
#include <asm/smp.h>
#include <asm/switch.h>
#include <asm/ptrace.h>
#include "fs/vfs.h"
#include "kernel/irq.h"
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "kernel/module.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

/* A storm: this many unhandled interrupts in a row, with no handled one between. */
#define IRQ_STORM_UNHANDLED	10000

struct irqaction {
	irq_handler_t handler;
	void *dev_id;
	const char *name;
	unsigned long flags;
	uint64_t count;			/* interrupts this handler claimed */
	struct irqaction *next;
};

struct irq_desc {
	const struct irq_chip *chip;	/* NULL: not set up */
	void *chip_data;
	unsigned long hwirq;		/* GSI or the MSI's index, for /proc/interrupts */
	bool level;
	bool vector_installed;
	bool storm_disabled;
	unsigned int disable_depth;
	struct irqaction *action;
	uint64_t count, unhandled_run, unhandled_total;
	uint64_t cpu_count[NR_CPUS];	/* per CPU, for /proc/interrupts */
};

static struct irq_desc irq_descs[NR_IRQS];
static bool msi_used[NR_IRQS - IRQ_MSI_BASE];
/* Guards the handler chains and descriptors; taken with interrupts off. */
static DEFINE_SPINLOCK(irq_lock);
/* Nesting depth of interrupt handlers: this_cpu()->irq_nesting. */
bool in_interrupt(void)
{
	return this_cpu()->irq_nesting != 0;
}
EXPORT_SYMBOL(in_interrupt);

void irq_enter(void)
{
	if (this_cpu()->irq_nesting++ == 0)
		lockdep_irq_enter();
}

void irq_exit(void)
{
	this_cpu()->irq_nesting--;
}

unsigned int irq_to_vector(unsigned int irq)
{
	if (irq < NR_IRQS_IOAPIC)
		return IRQ_VECTOR_BASE + irq;
	return MSI_VECTOR_FIRST + (irq - IRQ_MSI_BASE);
}

uint64_t irq_count_of(unsigned int irq)
{
	return irq < NR_IRQS ? irq_descs[irq].count : 0;
}
EXPORT_SYMBOL(irq_count_of);

void irq_set_chip(unsigned int irq, const struct irq_chip *chip, void *data,
		  unsigned long hwirq, bool level)
{
	struct irq_desc *d = &irq_descs[irq];

	d->chip = chip;
	d->chip_data = data;
	d->hwirq = hwirq;
	d->level = level;
}

static void desc_mask(unsigned int irq)
{
	struct irq_desc *d = &irq_descs[irq];

	if (d->chip && d->chip->mask)
		d->chip->mask(irq, d->chip_data);
}

static void desc_unmask(unsigned int irq)
{
	struct irq_desc *d = &irq_descs[irq];

	if (d->chip && d->chip->unmask)
		d->chip->unmask(irq, d->chip_data);
}

/* A storm on a line nobody claims: mask it and say so once. */
static void note_unhandled(unsigned int irq, struct irq_desc *d)
{
	d->unhandled_total++;
	if (++d->unhandled_run < IRQ_STORM_UNHANDLED || d->storm_disabled)
		return;
	d->storm_disabled = true;
	desc_mask(irq);
	pr_err("irq %u: nobody cared (%lu interrupts in a row unhandled); disabling it\n", irq,
	       d->unhandled_run);
	for (struct irqaction *a = d->action; a; a = a->next)
		pr_err("irq %u: handler %s (%pS) did not claim it\n", irq, a->name, a->handler);
}

/* First-level handler for every device vector: run the line's handlers. */
static void irq_vector_entry(struct pt_regs *regs, void *ctx)
{
	struct irq_desc *d = ctx;
	unsigned int irq = (unsigned int)(d - irq_descs);
	irqreturn_t ret = IRQ_NONE;

	spin_lock(&irq_lock);
	d->count++;
	d->cpu_count[smp_processor_id()]++;
	for (struct irqaction *a = d->action; a; a = a->next) {
		irqreturn_t r = a->handler((int)irq, a->dev_id);

		if (r & IRQ_HANDLED)
			a->count++;
		ret |= r;
	}
	if (ret & IRQ_HANDLED)
		d->unhandled_run = 0;
	else
		note_unhandled(irq, d);
	spin_unlock(&irq_lock);
}

/* The line's controller set-up, done the first time someone asks for it. */
static int irq_setup(unsigned int irq)
{
	struct irq_desc *d = &irq_descs[irq];

	if (!d->chip && irq < NR_IRQS_IOAPIC) {
		int err = ioapic_setup_irq(irq);

		if (err)
			return err;
	}
	if (!d->chip)
		return -EINVAL;
	if (!d->vector_installed) {
		if (set_vector_handler(irq_to_vector(irq), irq_vector_entry, d))
			return -EBUSY;
		d->vector_installed = true;
	}
	return 0;
}

static void release_irq(const void *key, uintptr_t arg)
{
	free_irq((unsigned int)(uintptr_t)key, (void *)arg);
}

int request_irq(unsigned int irq, irq_handler_t handler, unsigned long flags,
		const char *name, void *dev)
{
	struct irqaction *a, **pp;
	struct irq_desc *d;
	unsigned long f;
	int err;

	if (irq >= NR_IRQS || !handler || ((flags & IRQF_SHARED) && !dev))
		return -EINVAL;
	if (!module_may_request_irq(__builtin_return_address(0), irq))
		return -EPERM;
	a = kzalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->handler = handler;
	a->dev_id = dev;
	a->name = name ? name : "?";
	a->flags = flags;

	d = &irq_descs[irq];
	spin_lock_irqsave(&irq_lock, f);
	err = irq_setup(irq);
	if (!err && d->action && !((d->action->flags & flags) & IRQF_SHARED))
		err = -EBUSY;
	if (err) {
		if (err == -EBUSY)
			pr_warn("irq %u: %s cannot have it: taken by %s%s\n", irq, a->name,
				d->action ? d->action->name : "another vector",
				d->action ? " and not shared" : "");
		spin_unlock_irqrestore(&irq_lock, f);
		kfree(a);
		return err;
	}
	for (pp = &d->action; *pp; pp = &(*pp)->next)
		;
	*pp = a;
	if (!d->action->next) {		/* the first handler: open the line */
		d->unhandled_run = 0;
		d->storm_disabled = false;
		if (!d->disable_depth)
			desc_unmask(irq);
	}
	spin_unlock_irqrestore(&irq_lock, f);
	module_track((uintptr_t)handler, MRES_IRQ, (const void *)(uintptr_t)irq, (uintptr_t)dev,
		     release_irq, "irq %u (%s) requested", irq, a->name);
	return 0;
}
EXPORT_SYMBOL(request_irq);

const char *free_irq(unsigned int irq, void *dev)
{
	struct irqaction *a = NULL, **pp;
	const char *name = NULL;
	unsigned long f;

	if (irq >= NR_IRQS)
		return NULL;
	spin_lock_irqsave(&irq_lock, f);
	for (pp = &irq_descs[irq].action; *pp; pp = &(*pp)->next) {
		if ((*pp)->dev_id == dev) {
			a = *pp;
			*pp = a->next;
			break;
		}
	}
	if (a && !irq_descs[irq].action)
		desc_mask(irq);		/* nobody left to listen */
	spin_unlock_irqrestore(&irq_lock, f);
	if (!a) {
		pr_warn("free_irq(%u, %p) from %pS: no such handler\n", irq, dev,
			__builtin_return_address(0));
		return NULL;
	}
	/* interrupts were off while it was unlinked, so no CPU is inside it now */
	module_untrack(MRES_IRQ, (const void *)(uintptr_t)irq, (uintptr_t)dev);
	name = a->name;
	kfree(a);
	return name;
}
EXPORT_SYMBOL(free_irq);

void disable_irq_nosync(unsigned int irq)
{
	unsigned long f;

	if (irq >= NR_IRQS)
		return;
	spin_lock_irqsave(&irq_lock, f);
	if (irq_descs[irq].disable_depth++ == 0)
		desc_mask(irq);
	spin_unlock_irqrestore(&irq_lock, f);
}
EXPORT_SYMBOL(disable_irq_nosync);

void disable_irq(unsigned int irq)
{
	/*
	 * Handlers run holding irq_lock, which disable_irq_nosync takes: once
	 * it returns, no handler of the line runs on any CPU.
	 */
	disable_irq_nosync(irq);
}
EXPORT_SYMBOL(disable_irq);

void enable_irq(unsigned int irq)
{
	struct irq_desc *d;
	unsigned long f;

	if (irq >= NR_IRQS)
		return;
	d = &irq_descs[irq];
	spin_lock_irqsave(&irq_lock, f);
	if (!d->disable_depth)
		pr_warn("enable_irq(%u) from %pS: not disabled\n", irq,
			__builtin_return_address(0));
	else if (--d->disable_depth == 0 && d->action && !d->storm_disabled)
		desc_unmask(irq);
	spin_unlock_irqrestore(&irq_lock, f);
}
EXPORT_SYMBOL(enable_irq);

int irq_alloc_msi(unsigned int n)
{
	unsigned int total = NR_IRQS - IRQ_MSI_BASE;
	unsigned long f;
	int first = -ENOSPC;

	if (!n || n > total)
		return -EINVAL;
	spin_lock_irqsave(&irq_lock, f);
	for (unsigned int i = 0; i + n <= total && first < 0; i++) {
		unsigned int j;

		for (j = 0; j < n && !msi_used[i + j] && !vector_in_use(irq_to_vector(
				IRQ_MSI_BASE + i + j)); j++)
			;
		if (j < n)
			continue;
		for (j = 0; j < n; j++) {
			struct irq_desc *d = &irq_descs[IRQ_MSI_BASE + i + j];

			msi_used[i + j] = true;
			memset(d, 0, sizeof(*d));
		}
		first = (int)(IRQ_MSI_BASE + i);
	}
	spin_unlock_irqrestore(&irq_lock, f);
	if (first < 0)
		pr_err("no %u free message-signalled interrupt vector(s)\n", n);
	return first;
}

void irq_free_msi(unsigned int first, unsigned int n)
{
	unsigned long f;

	spin_lock_irqsave(&irq_lock, f);
	for (unsigned int irq = first; irq < first + n && irq < NR_IRQS; irq++) {
		struct irq_desc *d = &irq_descs[irq];

		if (irq < IRQ_MSI_BASE || !msi_used[irq - IRQ_MSI_BASE])
			continue;
		desc_mask(irq);
		while (d->action) {	/* the driver forgot free_irq: do it for it */
			struct irqaction *a = d->action;
			struct module *m = module_of_addr((uintptr_t)a->handler);

			if (m)
				printk(KERN_WARNING "module %s: pci_free_irq_vectors left irq %u (%s) requested; freed\n",
				       m->name, irq, a->name);
			else
				pr_warn("irq %u: freeing an MSI vector that %s still has; handler removed\n",
					irq, a->name);
			d->action = a->next;
			module_untrack(MRES_IRQ, (const void *)(uintptr_t)irq, (uintptr_t)a->dev_id);
			kfree(a);
		}
		if (d->vector_installed)
			clear_vector_handler(irq_to_vector(irq));
		memset(d, 0, sizeof(*d));
		msi_used[irq - IRQ_MSI_BASE] = false;
	}
	spin_unlock_irqrestore(&irq_lock, f);
}

/* --- /proc/interrupts ---------------------------------------------------------- */
/* One column per online CPU, as Linux prints them. */
static size_t cpu_columns(char *buf, size_t size, const uint64_t *counts, size_t stride)
{
	size_t n = 0;

	for (unsigned int cpu = 0; cpu < cpus_online && n < size; cpu++)
		n += snprintf(buf + n, size - n, " %10lu",
			      *(const uint64_t *)((const char *)counts + cpu * stride));
	return MIN(n, size);
}

/* A row of per-CPU counters kept in struct percpu (at @offset). */
static size_t percpu_row(char *buf, size_t size, const char *tag, size_t offset,
			 const char *what)
{
	uint64_t v[NR_CPUS];
	size_t n;

	for (unsigned int cpu = 0; cpu < cpus_online; cpu++)
		v[cpu] = *(const uint64_t *)((const char *)cpu_percpu(cpu) + offset);
	n = snprintf(buf, size, " %s:", tag);
	n = MIN(n, size);
	n += cpu_columns(buf + n, size - n, v, sizeof(v[0]));
	if (n < size)
		n += snprintf(buf + n, size - n, "   %s\n", what);
	return MIN(n, size);
}

static long proc_interrupts_show(char *buf, size_t size)
{
	size_t n = 0;
	unsigned long f;
	uint64_t spu[NR_CPUS] = { vector_count(SPURIOUS_VECTOR) };

	n += snprintf(buf + n, size - n, "     ");
	for (unsigned int cpu = 0; cpu < cpus_online && n < size; cpu++)
		n += snprintf(buf + n, size - n, "       CPU%u", cpu);
	if (n < size)
		buf[n++] = '\n';
	spin_lock_irqsave(&irq_lock, f);
	for (unsigned int irq = 0; irq < NR_IRQS && n < size; irq++) {
		struct irq_desc *d = &irq_descs[irq];

		if (!d->action && !d->count)
			continue;
		n += snprintf(buf + n, size - n, "%4u:", irq);
		n = MIN(n, size);
		n += cpu_columns(buf + n, size - n, d->cpu_count, sizeof(d->cpu_count[0]));
		if (n < size)
			n += snprintf(buf + n, size - n, " %9s %4lu-%-8s",
				      d->chip ? d->chip->name : "none", d->hwirq,
				      d->level ? "fasteoi" : "edge");
		for (struct irqaction *a = d->action; a && n < size; a = a->next)
			n += snprintf(buf + n, size - n, "%s%s(%lu)", a == d->action ? "  " : ", ",
				      a->name, a->count);
		if (d->storm_disabled && n < size)
			n += snprintf(buf + n, size - n, "  [disabled: nobody cared]");
		if (n < size)
			buf[n++] = '\n';
	}
	spin_unlock_irqrestore(&irq_lock, f);
	if (n < size)
		n += percpu_row(buf + n, size - n, "NMI", offsetof(struct percpu, nmi_count),
				"Non-maskable interrupts");
	if (n < size)
		n += percpu_row(buf + n, size - n, "LOC", offsetof(struct percpu, timer_ticks),
				"Local timer interrupts");
	if (n < size) {
		n += snprintf(buf + n, size - n, " SPU:");
		n = MIN(n, size);
		n += cpu_columns(buf + n, size - n, spu, sizeof(spu[0]));
		if (n < size)
			n += snprintf(buf + n, size - n, "   Spurious interrupts\n");
	}
	if (n < size)
		n += percpu_row(buf + n, size - n, "RES",
				offsetof(struct percpu, ipi_count[IPI_RESCHEDULE]),
				"Rescheduling interrupts");
	if (n < size)
		n += percpu_row(buf + n, size - n, "CAL",
				offsetof(struct percpu, ipi_count[IPI_CALL_FUNC]),
				"Function call interrupts");
	if (n < size)
		n += percpu_row(buf + n, size - n, "TLB", offsetof(struct percpu, ipi_count[IPI_TLB]),
				"TLB shootdowns");
	return (long)MIN(n, size);
}

static int irq_proc_init(void)
{
	return procfs_register("interrupts", proc_interrupts_show);
}
late_initcall(irq_proc_init);
