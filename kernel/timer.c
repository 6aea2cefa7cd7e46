/*
 * Kernel timers. Armed timers sit on one list sorted by expiry; every tick
 * of the LAPIC timer runs those that are due, in interrupt context, with
 * the list unlocked so a function may re-arm its own timer. A module's
 * timers still armed when it goes are cancelled (and named) by the loader.
 */
#define pr_fmt(fmt) "timer: " fmt

#include <asm/cpu.h>
#include "kernel/irq.h"
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "kernel/module.h"
#include "kernel/timer.h"
#include "kernel/workqueue.h"
#include "mm/kmalloc.h"

static LIST_HEAD(timer_pending_list);
/* Guards the pending list, the pending flags and running_timer. */
static DEFINE_SPINLOCK(timer_lock);
static struct timer_list *running_timer;	/* whose function runs now */

void timer_setup(struct timer_list *t, void (*fn)(struct timer_list *), unsigned int flags)
{
	list_init(&t->entry);
	t->function = fn;
	t->flags = flags;
	t->expires = 0;
	t->pending = false;
}
EXPORT_SYMBOL(timer_setup);

/* Unlink @t if armed (timer_lock held); true if it was. */
static bool detach(struct timer_list *t)
{
	if (!t->pending)
		return false;
	list_del_init(&t->entry);
	t->pending = false;
	return true;
}

int mod_timer(struct timer_list *t, unsigned long expires)
{
	struct timer_list *pos;
	struct list_head *before;
	unsigned long f;
	bool was;

	if (!t->function) {
		pr_warn("mod_timer from %pS: timer_setup was not called\n",
			__builtin_return_address(0));
		return 0;
	}
	spin_lock_irqsave(&timer_lock, f);
	was = detach(t);
	t->expires = expires;
	before = &timer_pending_list;
	list_for_each_entry(pos, &timer_pending_list, entry) {
		if (time_after(pos->expires, expires))
			break;
		before = &pos->entry;
	}
	list_add(&t->entry, before);
	t->pending = true;
	spin_unlock_irqrestore(&timer_lock, f);
	return was;
}
EXPORT_SYMBOL(mod_timer);

void add_timer(struct timer_list *t)
{
	mod_timer(t, t->expires);
}
EXPORT_SYMBOL(add_timer);

int del_timer(struct timer_list *t)
{
	unsigned long f;
	bool was;

	spin_lock_irqsave(&timer_lock, f);
	was = detach(t);
	spin_unlock_irqrestore(&timer_lock, f);
	return was;
}
EXPORT_SYMBOL(del_timer);

int del_timer_sync(struct timer_list *t)
{
	if (in_interrupt() && running_timer == t) {
		pr_warn("del_timer_sync from its own function %pS would wait forever\n",
			t->function);
		return del_timer(t);
	}
	/*
	 * The function runs in CPU 0's tick, maybe right now on another CPU:
	 * detach it, and if it is running (running_timer is set under
	 * timer_lock), wait for it to return and look again (it may re-arm).
	 */
	for (;;) {
		unsigned long f;
		bool was, running;

		spin_lock_irqsave(&timer_lock, f);
		was = detach(t);
		running = running_timer == t;
		spin_unlock_irqrestore(&timer_lock, f);
		if (!running)
			return was;
		while (__atomic_load_n(&running_timer, __ATOMIC_ACQUIRE) == t)
			cpu_relax();
	}
}
EXPORT_SYMBOL(del_timer_sync);

void run_timers(void)
{
	for (;;) {
		struct timer_list *t;
		unsigned long f;

		spin_lock_irqsave(&timer_lock, f);
		if (list_empty(&timer_pending_list)) {
			spin_unlock_irqrestore(&timer_lock, f);
			return;
		}
		t = list_first_entry(&timer_pending_list, struct timer_list, entry);
		if (time_after(t->expires, jiffies)) {
			spin_unlock_irqrestore(&timer_lock, f);
			return;
		}
		detach(t);
		running_timer = t;
		spin_unlock_irqrestore(&timer_lock, f);
		t->function(t);
		__atomic_store_n(&running_timer, NULL, __ATOMIC_RELEASE);
	}
}

void debug_check_no_obj_freed(const void *addr, size_t size, void *caller)
{
	uintptr_t start = (uintptr_t)addr, end = start + size;
	struct timer_list *t, *tmp;
	unsigned long f;

	/* the common case, cheaply: nothing armed (a racing mod_timer is the caller's bug) */
	if (list_empty(&timer_pending_list))
		goto works;
	spin_lock_irqsave(&timer_lock, f);
	list_for_each_entry_safe(t, tmp, &timer_pending_list, entry) {
		void *fn = (void *)t->function;

		if ((uintptr_t)t < start || (uintptr_t)t >= end)
			continue;
		if (t->function == delayed_work_timer_fn)
			fn = (void *)from_timer((struct delayed_work *)0, t, timer)->work.func;
		detach(t);
		pr_warn("kfree of %p (%zu bytes) at %pS frees timer %pS while armed; cancelled\n",
			addr, size, caller, fn);
	}
	spin_unlock_irqrestore(&timer_lock, f);
works:
	works_free_check(start, end, caller);
}

unsigned int timers_cancel_range(uintptr_t start, uintptr_t end, const char *module_name,
				 const char *when)
{
	struct timer_list *t, *tmp;
	unsigned int n = 0;
	unsigned long f;

	spin_lock_irqsave(&timer_lock, f);
	list_for_each_entry_safe(t, tmp, &timer_pending_list, entry) {
		uintptr_t fn = (uintptr_t)t->function, self = (uintptr_t)t;
		bool dwork = t->function == delayed_work_timer_fn;

		if (dwork)	/* judge by the work's function */
			fn = (uintptr_t)from_timer((struct delayed_work *)0, t, timer)->work.func;

		if ((fn < start || fn >= end) && (self < start || self >= end))
			continue;
		detach(t);
		printk(KERN_WARNING "module %s: %s left %s %pS %s; cancelled\n", module_name, when,
		       dwork ? "delayed work" : "timer", (void *)fn, dwork ? "pending" : "armed");
		n++;
	}
	/*
	 * A timer of the module may be running on another CPU right now,
	 * detached by run_timers, and its function may re-arm it: wait for it
	 * and look again, as del_timer_sync does.
	 */
	for (;;) {
		uintptr_t run = (uintptr_t)running_timer;

		if (!run || run < start || run >= end)
			break;
		spin_unlock_irqrestore(&timer_lock, f);
		while ((uintptr_t)__atomic_load_n(&running_timer, __ATOMIC_ACQUIRE) == run)
			cpu_relax();
		spin_lock_irqsave(&timer_lock, f);
		list_for_each_entry_safe(t, tmp, &timer_pending_list, entry) {
			if ((uintptr_t)t >= start && (uintptr_t)t < end) {
				detach(t);
				n++;
			}
		}
	}
	spin_unlock_irqrestore(&timer_lock, f);
	return n;
}
