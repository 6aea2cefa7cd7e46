/*
 * crashtest: deliberate faults from a loaded, signed module, one per
 * integrity check, so the tests can see that each check fires in module
 * code as well as in the kernel and that the panic record names the
 * module. `cat /proc/crashtest` lists the triggers; `echo NAME >
 * /proc/crashtest` fires one. Each trigger is its own noinline function
 * named crashtest_<name> so it shows in the backtrace. Three of them
 * (text, module-text, wx) only set up the damage and wait for the
 * integrity watchdog to find it; a trigger that returns did not work.
 */
#include <asm/cpu.h>
#include <asm/irq.h>
#include <asm/pgtable.h>
#include <asm/uaccess.h>
#include <asm/io.h>
#include "drivers/pci/pci.h"
#include "fs/vfs.h"
#include "kernel/ktest.h"
#include "kernel/module.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "lib/list.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

MODULE_NAME("crashtest");
MODULE_VERSION("1.0");
MODULE_DESCRIPTION("Fires one integrity check on demand (/proc/crashtest)");
MODULE_ENTITLEMENT("cpu");	/* a cli of its own for the hard-lockup trigger */
MODULE_ENTITLEMENT("dma");	/* dma-unmapped maps a buffer for edu */
MODULE_AUTHOR("Basalt");
MODULE_LICENSE("GPL");

#define CT_NOINLINE	__attribute__((noinline))
#define CT_UAF_SIZE	512
#define CT_UAF_TRIES	256
#define CT_WAIT_NS	(10ULL * 1000000000ULL)	/* five watchdog periods */

/* volatile: the compiler must not see through the faults it would refuse */
static volatile uintptr_t ct_null_addr = 0x10;
static volatile size_t ct_overflow_len = 48;
static volatile unsigned long ct_depth;
static volatile int ct_bug_condition;

/* Never called: the byte that module-text changes. */
static CT_NOINLINE __attribute__((used)) int crashtest_victim(int x)
{
	return x * 3 + 1;
}

static CT_NOINLINE int crashtest_stack_canary(void)
{
	char buf[16];

	memset(buf, 'A', ct_overflow_len);
	return buf[0];
}

/* Big frames, and work after the call so it cannot become a loop. */
static CT_NOINLINE int crashtest_stack_overflow(void)
{
	volatile char pad[512];

	pad[0] = (char)ct_depth;
	if (++ct_depth == 0)
		return 0;
	return crashtest_stack_overflow() + pad[0];
}

static CT_NOINLINE int crashtest_redzone(void)
{
	volatile char *p = kmalloc(24);

	if (!p)
		return -ENOMEM;
	p[24] = 'X';		/* one past the end: into the red zone */
	kfree((void *)p);
	return 0;
}

static CT_NOINLINE int crashtest_double_free(void)
{
	void *p = kmalloc(64);

	if (!p)
		return -ENOMEM;
	kfree(p);
	kfree(p);
	return 0;
}

/*
 * Write into a freed object, then allocate until kmalloc hands the same
 * slot out again: it checks the free poison before it does. A live
 * neighbour in the same slab page keeps that page from being released.
 */
static CT_NOINLINE int crashtest_use_after_free(void)
{
	static void *held[CT_UAF_TRIES];
	void *batch[8], *victim = NULL;
	unsigned int n = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(batch); i++)
		batch[i] = kmalloc(CT_UAF_SIZE);
	for (unsigned int i = 1; i < ARRAY_SIZE(batch) && !victim; i++)
		if (batch[i] && batch[i - 1] &&
		    ((uintptr_t)batch[i] & PAGE_MASK) == ((uintptr_t)batch[i - 1] & PAGE_MASK))
			victim = batch[i];
	if (victim) {
		kfree(victim);
		((volatile char *)victim)[8] = 'X';
		while (n < CT_UAF_TRIES) {
			held[n] = kmalloc(CT_UAF_SIZE);
			if (!held[n] || held[n++] == victim)
				break;
		}
	}
	while (n)
		kfree(held[--n]);
	for (unsigned int i = 0; i < ARRAY_SIZE(batch); i++)
		if (batch[i] != victim)
			kfree(batch[i]);
	return victim ? 0 : -ENOMEM;
}

static CT_NOINLINE int crashtest_list(void)
{
	struct list_head head, a, b;

	list_init(&head);
	list_add_tail(&a, &head);
	list_add_tail(&b, &head);
	*(struct list_head *volatile *)&b.prev = &head;	/* a stray pointer */
	list_del(&a);
	return 0;
}

/*
 * Flip the byte at @va behind the page tables' back: map its physical page
 * writable in place of a scratch vmalloc page, change it, and put the
 * scratch page back.
 */
static int flip_byte(uintptr_t va)
{
	int level = 0;
	uint64_t pte = kpte_lookup(va, &level), span;
	phys_addr_t pa, own;
	void *win;

	if (!pte || level < 1 || level > 3)
		return -EFAULT;
	span = PAGE_SIZE << (9 * (level - 1));
	pa = (pte & PTE_ADDR_MASK & ~(span - 1)) + (va & (span - 1));
	win = vmalloc(PAGE_SIZE);
	if (!win)
		return -ENOMEM;
	own = kunmap_page((uintptr_t)win);
	if (kmap_page((uintptr_t)win, pa & PAGE_MASK, PAGE_KERNEL_RW) == 0) {
		((volatile uint8_t *)win)[pa & ~PAGE_MASK] ^= 0xff;
		kunmap_page((uintptr_t)win);
	}
	kmap_page((uintptr_t)win, own, PAGE_KERNEL_RW);
	vfree(win);
	return 0;
}

/* Sleep while the watchdog looks; returning means it never panicked. */
static void wait_for_watchdog(const char *what)
{
	uint64_t end = ktime_ns() + CT_WAIT_NS;

	pr_info("crashtest: %s; waiting for the watchdog\n", what);
	while (ktime_ns() < end && !signal_pending(current))
		sleep_ns(100000000ULL);
	pr_err("crashtest: the watchdog did not notice within %llu s\n",
	       CT_WAIT_NS / 1000000000ULL);
}

static CT_NOINLINE int crashtest_text(void)
{
	uintptr_t target = (uintptr_t)ksym_address;	/* called only by a ktest */
	int err = flip_byte(target);

	if (err)
		return err;
	wait_for_watchdog("flipped a byte of kernel text in ksym_address");
	flip_byte(target);
	return -ETIMEDOUT;
}

/*
 * --- dma-text: a device writes kernel text -----------------------------------------
 * crashtest binds QEMU's edu device for a moment (it must be free: rmmod
 * edu first) and has its DMA engine copy 8 bytes of its zeroed buffer to
 * the physical address of ksym_address, as a buggy or malicious device
 * would, with nothing mapped for it. Behind an IOMMU the write is blocked
 * and reported (drivers/iommu/), and the text is unchanged; with
 * iommu=off it lands and the watchdog panics with "text", naming where.
 */
#define CT_EDU_DMA_SRC		0x80
#define CT_EDU_DMA_DST		0x88
#define CT_EDU_DMA_COUNT	0x90
#define CT_EDU_DMA_CMD		0x98
#define CT_EDU_DMA_START	0x01
#define CT_EDU_DMA_TO_RAM	0x02
#define CT_EDU_BUF		0x40000
#define CT_DMA_BYTES		8
#define CT_DMA_WAIT_NS		2000000000ULL

static const struct pci_device_id ct_edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ 0 }
};
MODULE_DEVICE_TABLE(pci, ct_edu_ids);

static struct pci_dev *ct_edu;

static int ct_edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int err = pci_enable_device(pdev);

	if (err)
		return err;
	pci_set_master(pdev);
	ct_edu = pdev;
	return 0;
}

static void ct_edu_remove(struct pci_dev *pdev)
{
	pci_disable_device(pdev);
	ct_edu = NULL;
}

static struct pci_driver ct_edu_driver = {
	.name = "crashtest",
	.id_table = ct_edu_ids,
	.probe = ct_edu_probe,
	.remove = ct_edu_remove,
};

/* Bind the free edu device; its registers, or NULL. */
static volatile uint8_t *ct_edu_get(const char *trigger)
{
	volatile uint8_t *regs;

	if (pci_register_driver(&ct_edu_driver))
		return NULL;
	if (!ct_edu || !(regs = pci_iomap(ct_edu, 0))) {
		pr_err("crashtest: %s needs a free edu device (-device edu; rmmod edu)\n", trigger);
		pci_unregister_driver(&ct_edu_driver);
		return NULL;
	}
	return regs;
}

/* Have edu copy CT_DMA_BYTES of its buffer to bus address @bus, and wait for it. */
static void ct_edu_dma_to_ram(volatile uint8_t *regs, uint64_t bus)
{
	uint64_t end = ktime_ns() + CT_DMA_WAIT_NS;

	writeq(CT_EDU_BUF, regs + CT_EDU_DMA_SRC);
	writeq(bus, regs + CT_EDU_DMA_DST);
	writeq(CT_DMA_BYTES, regs + CT_EDU_DMA_COUNT);
	writeq(CT_EDU_DMA_START | CT_EDU_DMA_TO_RAM, regs + CT_EDU_DMA_CMD);
	while ((readq(regs + CT_EDU_DMA_CMD) & CT_EDU_DMA_START) && ktime_ns() < end)
		sleep_ns(10000000ULL);
	sleep_ns(50000000ULL);		/* time for a fault interrupt's report */
}

static CT_NOINLINE int crashtest_dma_text(void)
{
	/*
	 * The first 64-byte block that starts inside ksym_address (called only
	 * by a ktest; 107 bytes long), so that the watchdog, which names the
	 * block a change is in, names ksym_address whatever the layout.
	 */
	uintptr_t target = ((uintptr_t)ksym_address + 63) & ~(uintptr_t)63;
	uint64_t before, phys = virt_to_phys((void *)target);
	volatile uint8_t *regs;

	memcpy(&before, (const void *)target, sizeof(before));
	if (!(regs = ct_edu_get("dma-text")))
		return -ENODEV;
	pr_info("crashtest: edu %s DMAs %d bytes to %#lx, the text of ksym_address\n",
		ct_edu->name, CT_DMA_BYTES, (unsigned long)phys);
	ct_edu_dma_to_ram(regs, phys);
	pci_unregister_driver(&ct_edu_driver);
	if (memcmp(&before, (const void *)target, sizeof(before))) {
		wait_for_watchdog("the device's write changed kernel text");
		return -ETIMEDOUT;
	}
	pr_info("crashtest: dma-text: the device's write did not land; kernel text unchanged\n");
	return 0;
}

/*
 * dma-unmapped: a page mapped for edu with the DMA API takes its write;
 * unmapped, the same bus address faults and the page stays as it was.
 */
static CT_NOINLINE int crashtest_dma_unmapped(void)
{
	volatile uint8_t *regs;
	phys_addr_t pa = pmm_alloc_pages(0);
	uint8_t *page = pa ? phys_to_virt(pa) : NULL;
	uint64_t bus;
	bool landed, again;
	int err = 0;

	if (!page)
		return -ENOMEM;
	if (!(regs = ct_edu_get("dma-unmapped"))) {
		pmm_free_pages(pa, 0);
		return -ENODEV;
	}
	memset(page, 0xaa, PAGE_SIZE);
	bus = dma_map_single(&ct_edu->dev, page, PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(&ct_edu->dev, bus)) {
		err = -EIO;
		goto out;
	}
	ct_edu_dma_to_ram(regs, bus);
	dma_unmap_single(&ct_edu->dev, bus, PAGE_SIZE, DMA_FROM_DEVICE);
	landed = page[0] != 0xaa;
	memset(page, 0xaa, PAGE_SIZE);
	pr_info("crashtest: edu DMAs to %#lx again, after dma_unmap_single\n", (unsigned long)bus);
	ct_edu_dma_to_ram(regs, bus);
	again = page[0] != 0xaa;
	pr_info("crashtest: dma-unmapped: mapped write %s, unmapped write %s\n",
		landed ? "landed" : "LOST", again ? "LANDED" : "blocked");
	if (!landed || again)
		err = -EIO;
out:
	pci_unregister_driver(&ct_edu_driver);
	pmm_free_pages(pa, 0);
	return err;
}

static CT_NOINLINE int crashtest_module_text(void)
{
	uintptr_t target = (uintptr_t)crashtest_victim;
	int err = flip_byte(target);

	if (err)
		return err;
	wait_for_watchdog("flipped a byte of crashtest_victim");
	flip_byte(target);
	return -ETIMEDOUT;
}

static CT_NOINLINE int crashtest_wx(void)
{
	void *p = vmalloc(PAGE_SIZE);

	if (!p)
		return -ENOMEM;
	kprotect_page((uintptr_t)p, PTE_PRESENT | PTE_WRITE | PTE_GLOBAL);
	wait_for_watchdog("mapped a page writable and executable");
	kprotect_page((uintptr_t)p, PAGE_KERNEL_RW);
	vfree(p);
	return -ETIMEDOUT;
}

static CT_NOINLINE int crashtest_bug(void)
{
	BUG_ON(ct_bug_condition);
	return 0;
}

static CT_NOINLINE int crashtest_null_deref(void)
{
	return *(volatile const int *)ct_null_addr;
}

/*
 * Read a byte of the caller's stack page without stac: with SMAP the CPU
 * refuses. The user copy first makes sure the page is present, so the
 * fault is a protection fault and not a missing page.
 */
static CT_NOINLINE int crashtest_smap(void)
{
	const char *user = (const char *)(USER_STACK_TOP - 1);
	char c;

	if (copy_from_user(&c, (const void __user *)user, 1))
		return -EFAULT;
	(void)*(volatile const char *)user;
	pr_err("crashtest: read user memory without a fault: no SMAP on this CPU?\n");
	return -EIO;
}

/* --- lock debugging: each misuse panics with its own reason ----------------------- */
static DEFINE_SPINLOCK(ct_lock);
static DEFINE_MUTEX(ct_mutex);
static DECLARE_COMPLETION(ct_holder_ready);
static bool ct_hold_at_exit;

static CT_NOINLINE int crashtest_spinlock_recursion(void)
{
	spin_lock(&ct_lock);
	spin_lock(&ct_lock);		/* would spin forever */
	spin_unlock(&ct_lock);
	return 0;
}

static CT_NOINLINE int crashtest_spinlock_wrong_owner(void)
{
	spin_unlock(&ct_lock);		/* nobody holds it */
	return 0;
}

static CT_NOINLINE int crashtest_mutex_recursion(void)
{
	mutex_lock(&ct_mutex);
	mutex_lock(&ct_mutex);		/* would sleep forever */
	mutex_unlock(&ct_mutex);
	return 0;
}

/* Takes ct_mutex and keeps it until stopped. */
static int ct_mutex_holder(void *arg)
{
	DECLARE_COMPLETION(never);

	mutex_lock(&ct_mutex);
	complete(&ct_holder_ready);
	while (!kthread_should_stop())
		wait_for_completion_timeout(&never, HZ);
	return 0;
}

static CT_NOINLINE int crashtest_mutex_wrong_owner(void)
{
	struct task *t = kthread_run(ct_mutex_holder, NULL, "ct-holder");

	if (IS_ERR(t))
		return (int)PTR_ERR(t);
	wait_for_completion(&ct_holder_ready);
	mutex_unlock(&ct_mutex);	/* the kthread owns it */
	return 0;
}

static CT_NOINLINE int crashtest_mutex_in_atomic(void)
{
	spin_lock(&ct_lock);
	mutex_lock(&ct_mutex);
	mutex_unlock(&ct_mutex);
	spin_unlock(&ct_lock);
	return 0;
}

static CT_NOINLINE int crashtest_sleep_in_atomic(void)
{
	DECLARE_COMPLETION(never);
	unsigned long flags;

	spin_lock_irqsave(&ct_lock, flags);
	wait_for_completion_timeout(&never, HZ / 10);
	spin_unlock_irqrestore(&ct_lock, flags);
	return 0;
}

static DEFINE_SPINLOCK(ct_lock_a);
static DEFINE_SPINLOCK(ct_lock_b);

/* A then B, later B then A: no deadlock this time, but the order is broken. */
static CT_NOINLINE int crashtest_lock_order(void)
{
	spin_lock(&ct_lock_a);
	spin_lock(&ct_lock_b);
	spin_unlock(&ct_lock_b);
	spin_unlock(&ct_lock_a);
	spin_lock(&ct_lock_b);
	spin_lock(&ct_lock_a);
	spin_unlock(&ct_lock_a);
	spin_unlock(&ct_lock_b);
	return 0;
}

/*
 * Lockups: spin in the kernel with interrupts on (the tick still comes,
 * but nothing schedules: soft-lockup) or off (no tick at all: another
 * CPU's watcher NMIs this one: hard-lockup). Boot with a short
 * softlockup_thresh=/hardlockup_thresh= to see them in seconds.
 */
static CT_NOINLINE int crashtest_soft_lockup(void)
{
	for (;;)
		cpu_relax();
	return 0;
}

static CT_NOINLINE int crashtest_hard_lockup(void)
{
	native_irq_disable();	/* the instruction itself, hence the "cpu" entitlement */
	for (;;)
		cpu_relax();
	return 0;
}

/* Armed here; fires when rmmod runs the exit, which returns holding ct_lock. */
static CT_NOINLINE int crashtest_lock_held_at_exit(void)
{
	ct_hold_at_exit = true;
	return 0;
}

#ifdef CONFIG_KTEST
/* Armed here: after rmmod, `echo 1 > /proc/ktest_stale_call` calls into our freed text. */
static CT_NOINLINE void crashtest_stale_target(void)
{
	pr_err("crashtest: running after unload?\n");
}

static CT_NOINLINE int crashtest_module_use_after_free(void)
{
	ktest_set_stale_call(crashtest_stale_target);
	return 0;
}
#endif

static const struct trigger {
	const char *name;
	int (*fire)(void);
	const char *what;
} triggers[] = {
	{ "stack-canary", crashtest_stack_canary, "overflow a local array over the canary" },
	{ "stack-overflow", crashtest_stack_overflow, "recurse into the stack's guard page" },
	{ "redzone", crashtest_redzone, "write one byte past a kmalloc object" },
	{ "double-free", crashtest_double_free, "kfree the same object twice" },
	{ "use-after-free", crashtest_use_after_free, "write to a freed object, reallocate it" },
	{ "list", crashtest_list, "list_del with a corrupted neighbour" },
	{ "text", crashtest_text, "change kernel text (the watchdog panics)" },
	{ "module-text", crashtest_module_text, "change this module's text (the watchdog panics)" },
	{ "dma-unmapped", crashtest_dma_unmapped,
	  "stop: have edu DMA to a page, unmap it, DMA again (the IOMMU blocks the second)" },
	{ "dma-text", crashtest_dma_text,
	  "stop: have the edu device DMA into kernel text (the IOMMU blocks it; else the watchdog panics)" },
	{ "wx", crashtest_wx, "map a page writable and executable (the watchdog panics)" },
	{ "bug", crashtest_bug, "BUG_ON a true condition" },
	{ "null-deref", crashtest_null_deref, "read address 0x10" },
	{ "spinlock-recursion", crashtest_spinlock_recursion, "take a spinlock twice" },
	{ "spinlock-wrong-owner", crashtest_spinlock_wrong_owner, "release a spinlock nobody holds" },
	{ "mutex-recursion", crashtest_mutex_recursion, "take a mutex twice" },
	{ "mutex-wrong-owner", crashtest_mutex_wrong_owner, "unlock a mutex a kthread holds" },
	{ "mutex-in-atomic", crashtest_mutex_in_atomic, "mutex_lock with a spinlock held" },
	{ "sleep-in-atomic", crashtest_sleep_in_atomic, "sleep with a spinlock held" },
	{ "lock-order", crashtest_lock_order, "take two spinlocks in both orders (AB, then BA)" },
	{ "soft-lockup", crashtest_soft_lockup, "spin in the kernel, interrupts on, never scheduling" },
	{ "hard-lockup", crashtest_hard_lockup, "spin in the kernel with interrupts off" },
	{ "lock-held-at-exit", crashtest_lock_held_at_exit,
	  "arm: the exit returns holding a spinlock (then rmmod)" },
#ifdef CONFIG_KTEST
	{ "module-use-after-free", crashtest_module_use_after_free,
	  "arm: a stale pointer to this module (rmmod, then write /proc/ktest_stale_call)" },
#endif
	{ "smap", crashtest_smap, "read user memory directly (SMAP)" },
};

static long crashtest_show(char *buf, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(triggers); i++) {
		n += snprintf(buf + n, size - n, "%-16s %s\n", triggers[i].name,
			      triggers[i].what);
		if (n >= size)
			return size;
	}
	return n;
}

static long crashtest_write(const char *buf, size_t len)
{
	char name[32];
	size_t n = len;
	int err;

	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(name))
		return -EINVAL;
	memcpy(name, buf, n);
	name[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(triggers); i++) {
		if (strcmp(triggers[i].name, name))
			continue;
		pr_info("crashtest: firing '%s'\n", name);
		ct_bug_condition = 1;
		err = triggers[i].fire();
		ct_bug_condition = 0;
		if (err == 0 && !strncmp(triggers[i].what, "arm:", 4)) {
			pr_info("crashtest: '%s' armed\n", name);
			return (long)len;
		}
		if (err == 0 && !strncmp(triggers[i].what, "stop:", 5)) {
			pr_info("crashtest: '%s' was stopped before it did harm\n", name);
			return (long)len;
		}
		pr_err("crashtest: '%s' returned %d: the check did not fire\n", name, err);
		return err < 0 ? err : -EIO;
	}
	pr_err("crashtest: unknown trigger '%s' (cat /proc/crashtest)\n", name);
	return -EINVAL;
}

static int crashtest_init(void)
{
	int err = procfs_register_rw("crashtest", crashtest_show, crashtest_write);

	if (err) {
		pr_err("crashtest: cannot register /proc/crashtest (error %d)\n", err);
		return err;
	}
	pr_info("crashtest: %u triggers in /proc/crashtest\n", (unsigned int)ARRAY_SIZE(triggers));
	return 0;
}

static void crashtest_exit(void)
{
	procfs_unregister("crashtest");
	if (ct_hold_at_exit)
		spin_lock(&ct_lock);	/* and return with it held */
}

module_init(crashtest_init);
module_exit(crashtest_exit);
