/*
 * leaky: a test module that forgets to clean up, on purpose. It binds
 * QEMU's edu device as a PCI driver (its ID table is its only entitlement),
 * and its probe maps the device's registers, takes its shared INTx line,
 * arms a timer that makes the device raise an interrupt every 10 ms, queues
 * a delayed work item an hour away and registers /proc/leaky; its remove
 * and its exit do nothing, so the driver stays registered too. The kernel
 * must release all six when the module goes, with one warning each, and
 * keep running while the device's line is still asserted. With storm=1 the
 * handler never claims the interrupt and never acknowledges it, so the
 * level-triggered line fires without end until the kernel disables it.
 * With free_armed=1 it also keeps a timer and a work item in kmalloc'd
 * memory and its exit frees that memory with the timer armed and the work
 * queued, as a driver that forgets del_timer_sync before kfree does. Used
 * by user/tests/drivers.sh.
 */
#include "drivers/pci/pci.h"
#include "fs/vfs.h"
#include "kernel/module.h"
#include "lib/printf.h"
#include "mm/mm.h"

MODULE_NAME("leaky");
MODULE_VERSION("1.0");
MODULE_DESCRIPTION("Leaves an IRQ, a timer, a work item and a /proc entry behind (a test)");
MODULE_AUTHOR("Basalt");
MODULE_LICENSE("GPL");

static bool storm;
module_param_bool(storm, "never claim the interrupt: an interrupt storm");
static bool free_armed;
module_param_bool(free_armed, "exit kfrees an armed timer and a queued work item");

/* Per-device state the Linux way: kzalloc'd, with its timer and work inside. */
struct leaky_obj {
	struct timer_list timer;
	struct work_struct work;
};
static struct leaky_obj *obj;

static void leaky_obj_timer(struct timer_list *t)
{
	pr_err("leaky: the freed object's timer ran\n");
}

static void leaky_obj_work(struct work_struct *w)
{
	pr_err("leaky: the freed object's work ran\n");
}

#define EDU_IRQ_STATUS	0x24
#define EDU_IRQ_RAISE	0x60
#define EDU_IRQ_ACK	0x64

static struct leaky {
	void *regs;
	unsigned int irq;
	unsigned long interrupts, ticks;
	struct timer_list timer;
	struct delayed_work work;
	bool bound;
} leaky;

static irqreturn_t leaky_irq(int irq, void *dev)
{
	struct leaky *l = dev;
	uint32_t status = readl((uint8_t *)l->regs + EDU_IRQ_STATUS);

	if (storm || !status)
		return IRQ_NONE;
	writel(status, (uint8_t *)l->regs + EDU_IRQ_ACK);
	l->interrupts++;
	return IRQ_HANDLED;
}

static void leaky_timer_fn(struct timer_list *t)
{
	struct leaky *l = from_timer(l, t, timer);

	l->ticks++;
	writel(1, (uint8_t *)l->regs + EDU_IRQ_RAISE);
	if (!storm)
		mod_timer(&l->timer, jiffies + msecs_to_jiffies(10));
}

static void leaky_work_fn(struct work_struct *w)
{
	pr_err("leaky: the work item ran, but it should have been cancelled\n");
}

static long leaky_show(char *buf, size_t size, void *data)
{
	struct leaky *l = data;

	return snprintf(buf, size, "irq %u interrupts %lu ticks %lu\n", l->irq, l->interrupts,
			l->ticks);
}

static int leaky_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int err;

	if (!pdev->intx_irq) {
		pr_err("leaky: needs an edu device with an INTx line\n");
		return -ENODEV;
	}
	leaky.regs = ioremap(pdev->bar[0].addr, 4096);	/* inside BAR0: allowed */
	if (!leaky.regs)
		return -ENOMEM;
	pci_write_config16(pdev, PCI_COMMAND, pci_read_config16(pdev, PCI_COMMAND) |
			   PCI_COMMAND_MEMORY);
	pci_intx(pdev, 1);
	leaky.irq = pdev->intx_irq;
	err = request_irq(leaky.irq, leaky_irq, IRQF_SHARED, "leaky", &leaky);
	if (err)
		return err;
	timer_setup(&leaky.timer, leaky_timer_fn, 0);
	mod_timer(&leaky.timer, jiffies + 1);
	INIT_DELAYED_WORK(&leaky.work, leaky_work_fn);
	schedule_delayed_work(&leaky.work, 3600 * HZ);
	err = procfs_register_data("leaky", leaky_show, NULL, &leaky);
	if (err)
		return err;	/* the kernel releases the rest */
	if (free_armed) {
		obj = kzalloc(sizeof(*obj));
		if (!obj)
			return -ENOMEM;
		timer_setup(&obj->timer, leaky_obj_timer, 0);
		mod_timer(&obj->timer, jiffies + 3600 * HZ);
		INIT_WORK(&obj->work, leaky_obj_work);
	}
	leaky.bound = true;
	pr_info("leaky: holding irq %u%s, a timer, a work item and /proc/leaky\n", leaky.irq,
		storm ? " (never claimed: storm)" : "");
	return 0;
}

static void leaky_remove(struct pci_dev *pdev)
{
	/* gives back nothing that probe took */
}

static const struct pci_device_id leaky_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },		/* QEMU's edu */
	{ 0 }
};
MODULE_DEVICE_TABLE(pci, leaky_ids);

static struct pci_driver leaky_driver = {
	.name = "leaky",
	.id_table = leaky_ids,
	.probe = leaky_probe,
	.remove = leaky_remove,
};

static int leaky_init(void)
{
	int err = pci_register_driver(&leaky_driver);

	if (err)
		return err;
	if (!leaky.bound) {
		pr_err("leaky: no unbound edu device took it\n");
		pci_unregister_driver(&leaky_driver);
		return -ENODEV;
	}
	return 0;
}

static void leaky_exit(void)
{
	pr_info("leaky: exit, releasing nothing\n");
	if (obj) {	/* free_armed: the work cannot run before the kfree */
		schedule_work(&obj->work);
		kfree(obj);
		obj = NULL;
	}
}

module_init(leaky_init);
module_exit(leaky_exit);
