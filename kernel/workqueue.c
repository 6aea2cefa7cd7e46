/*
 * Workqueues. Each queue has one worker kernel thread that takes work items
 * off its list in order and runs them in process context, where they may
 * sleep. system_wq (thread "events") serves schedule_work(); a driver may
 * make a queue of its own with alloc_workqueue(). Delayed work is a timer
 * that queues the item when it fires. Work a module leaves queued when it
 * goes is cancelled (and named); work of its that is running is waited for.
 */
#define pr_fmt(fmt) "workqueue: " fmt

#include "kernel/kernel.h"
#include "kernel/kthread.h"
#include "kernel/lock.h"
#include "kernel/module.h"
#include "kernel/sched.h"
#include "kernel/workqueue.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

struct workqueue_struct {
	char name[24];
	struct list_head works;		/* pending, oldest first */
	struct work_struct *current_work;	/* being run by the worker */
	struct wait_queue more;		/* the worker waits for work here */
	struct wait_queue done;		/* flushers wait here */
	struct task *worker;
	struct list_head node;		/* in all_wqs */
};

static LIST_HEAD(all_wqs);
/* Guards every queue's list, current_work and the items' flags. */
static DEFINE_SPINLOCK(wq_lock);
struct workqueue_struct *system_wq;
EXPORT_SYMBOL(system_wq);

void __init_work(struct work_struct *w, work_func_t fn)
{
	list_init(&w->entry);
	w->func = fn;
	w->wq = NULL;
	w->flags = 0;
}
EXPORT_SYMBOL(__init_work);

static int worker_thread(void *arg)
{
	struct workqueue_struct *wq = arg;

	for (;;) {
		struct work_struct *w;
		unsigned long f;

		wait_event(wq->more, !list_empty(&wq->works) || kthread_should_stop());
		spin_lock_irqsave(&wq_lock, f);
		if (list_empty(&wq->works)) {
			spin_unlock_irqrestore(&wq_lock, f);
			if (kthread_should_stop())
				return 0;
			continue;
		}
		w = list_first_entry(&wq->works, struct work_struct, entry);
		list_del_init(&w->entry);
		w->flags &= ~WORK_PENDING;
		wq->current_work = w;
		spin_unlock_irqrestore(&wq_lock, f);

		w->func(w);	/* may free @w: only its address is used below */

		spin_lock_irqsave(&wq_lock, f);
		wq->current_work = NULL;
		spin_unlock_irqrestore(&wq_lock, f);
		wake_up(&wq->done);
	}
}

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max_active, ...)
{
	struct workqueue_struct *wq = kzalloc(sizeof(*wq));
	unsigned long f;
	va_list ap;

	if (!wq)
		return NULL;
	va_start(ap, max_active);
	vsnprintf(wq->name, sizeof(wq->name), fmt, ap);
	va_end(ap);
	list_init(&wq->works);
	wait_queue_init(&wq->more);
	wait_queue_init(&wq->done);
	wq->worker = kthread_run(worker_thread, wq, "%s", wq->name);
	if (IS_ERR(wq->worker)) {
		kfree(wq);
		return NULL;
	}
	spin_lock_irqsave(&wq_lock, f);
	list_add_tail(&wq->node, &all_wqs);
	spin_unlock_irqrestore(&wq_lock, f);
	return wq;
}
EXPORT_SYMBOL(alloc_workqueue);

bool queue_work(struct workqueue_struct *wq, struct work_struct *w)
{
	unsigned long f;
	bool queued = false;

	if (!wq || !w->func)
		return false;
	spin_lock_irqsave(&wq_lock, f);
	if (!(w->flags & WORK_PENDING)) {
		w->flags |= WORK_PENDING;
		w->wq = wq;
		list_add_tail(&w->entry, &wq->works);
		queued = true;
	}
	spin_unlock_irqrestore(&wq_lock, f);
	if (queued)
		wake_up(&wq->more);
	return queued;
}
EXPORT_SYMBOL(queue_work);

bool schedule_work(struct work_struct *w)
{
	return queue_work(system_wq, w);
}
EXPORT_SYMBOL(schedule_work);

static bool is_running(struct work_struct *w)
{
	return w->wq && w->wq->current_work == w;
}

bool flush_work(struct work_struct *w)
{
	struct workqueue_struct *wq = w->wq;
	bool waited = false;

	if (!wq)
		return false;
	might_sleep();
	while (work_pending(w) || is_running(w)) {
		waited = true;
		wait_event(wq->done, !work_pending(w) && !is_running(w));
	}
	return waited;
}
EXPORT_SYMBOL(flush_work);

bool cancel_work_sync(struct work_struct *w)
{
	unsigned long f;
	bool was = false;

	spin_lock_irqsave(&wq_lock, f);
	if (w->flags & WORK_PENDING) {
		list_del_init(&w->entry);
		w->flags &= ~WORK_PENDING;
		was = true;
	}
	spin_unlock_irqrestore(&wq_lock, f);
	if (w->wq && is_running(w))
		wait_event(w->wq->done, !is_running(w));
	return was;
}
EXPORT_SYMBOL(cancel_work_sync);

/* --- delayed work ---------------------------------------------------------------- */
void delayed_work_timer_fn(struct timer_list *t)
{
	struct delayed_work *dw = from_timer(dw, t, timer);

	queue_work(dw->wq, &dw->work);
}

void __init_delayed_work(struct delayed_work *dw, work_func_t fn)
{
	__init_work(&dw->work, fn);
	timer_setup(&dw->timer, delayed_work_timer_fn, 0);
	dw->wq = NULL;
}
EXPORT_SYMBOL(__init_delayed_work);

bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
			unsigned long delay)
{
	if (delayed_work_pending(dw))
		return false;
	dw->wq = wq;
	if (!delay)
		return queue_work(wq, &dw->work);
	mod_timer(&dw->timer, jiffies + delay);
	return true;
}
EXPORT_SYMBOL(queue_delayed_work);

bool schedule_delayed_work(struct delayed_work *dw, unsigned long delay)
{
	return queue_delayed_work(system_wq, dw, delay);
}
EXPORT_SYMBOL(schedule_delayed_work);

bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
		      unsigned long delay)
{
	bool was = cancel_delayed_work(dw);

	queue_delayed_work(wq, dw, delay);
	return was;
}
EXPORT_SYMBOL(mod_delayed_work);

bool cancel_delayed_work(struct delayed_work *dw)
{
	bool was = del_timer(&dw->timer);
	unsigned long f;

	spin_lock_irqsave(&wq_lock, f);
	if (dw->work.flags & WORK_PENDING) {
		list_del_init(&dw->work.entry);
		dw->work.flags &= ~WORK_PENDING;
		was = true;
	}
	spin_unlock_irqrestore(&wq_lock, f);
	return was;
}
EXPORT_SYMBOL(cancel_delayed_work);

bool cancel_delayed_work_sync(struct delayed_work *dw)
{
	bool was = del_timer_sync(&dw->timer);

	return cancel_work_sync(&dw->work) || was;
}
EXPORT_SYMBOL(cancel_delayed_work_sync);

bool flush_delayed_work(struct delayed_work *dw)
{
	if (del_timer_sync(&dw->timer))
		queue_work(dw->wq, &dw->work);
	return flush_work(&dw->work);
}
EXPORT_SYMBOL(flush_delayed_work);

/* --- whole queues ------------------------------------------------------------------ */
void flush_workqueue(struct workqueue_struct *wq)
{
	might_sleep();
	wait_event(wq->done, list_empty(&wq->works) && !wq->current_work);
}
EXPORT_SYMBOL(flush_workqueue);

void destroy_workqueue(struct workqueue_struct *wq)
{
	unsigned long f;

	if (!wq)
		return;
	flush_workqueue(wq);
	spin_lock_irqsave(&wq_lock, f);
	list_del(&wq->node);
	spin_unlock_irqrestore(&wq_lock, f);
	kthread_stop(wq->worker);
	kfree(wq);
}
EXPORT_SYMBOL(destroy_workqueue);

static bool in_range(uintptr_t a, uintptr_t start, uintptr_t end)
{
	return a >= start && a < end;
}

/* Anything queued on any queue? (unlocked peek for kfree's common case) */
static bool any_queued(void)
{
	struct workqueue_struct *wq;

	list_for_each_entry(wq, &all_wqs, node)
		if (!list_empty(&wq->works))
			return true;
	return false;
}

/* kfree of [start, end) at @caller: take queued items inside it off their queue. */
void works_free_check(uintptr_t start, uintptr_t end, void *caller)
{
	struct workqueue_struct *wq;
	struct work_struct *w, *tmp;
	unsigned long f;

	/* an item that is running may free itself, as Linux allows: not checked */
	if (!any_queued())
		return;
	spin_lock_irqsave(&wq_lock, f);
	list_for_each_entry(wq, &all_wqs, node) {
		list_for_each_entry_safe(w, tmp, &wq->works, entry) {
			if ((uintptr_t)w < start || (uintptr_t)w >= end)
				continue;
			list_del_init(&w->entry);
			w->flags &= ~WORK_PENDING;
			pr_warn("kfree at %pS frees work %pS while queued; cancelled\n", caller,
				w->func);
		}
	}
	spin_unlock_irqrestore(&wq_lock, f);
}

/* Take the module's queued items off every queue; how many (wq_lock held). */
static unsigned int cancel_queued(uintptr_t start, uintptr_t end, const char *module_name,
				  const char *when)
{
	struct workqueue_struct *wq;
	struct work_struct *w, *tmp;
	unsigned int n = 0;

	list_for_each_entry(wq, &all_wqs, node) {
		list_for_each_entry_safe(w, tmp, &wq->works, entry) {
			if (!in_range((uintptr_t)w->func, start, end))
				continue;
			list_del_init(&w->entry);
			w->flags &= ~WORK_PENDING;
			printk(KERN_WARNING "module %s: %s left work %pS queued; cancelled\n",
			       module_name, when, w->func);
			n++;
		}
	}
	return n;
}

/* A queue running one of the module's items, or NULL (wq_lock held). */
static struct workqueue_struct *running_in(uintptr_t start, uintptr_t end)
{
	struct workqueue_struct *wq;

	list_for_each_entry(wq, &all_wqs, node)
		if (wq->current_work && in_range((uintptr_t)wq->current_work->func, start, end))
			return wq;
	return NULL;
}

/*
 * Cancel what is queued, wait for what runs, and again: an item that
 * re-queues itself while it runs is caught on the next pass.
 */
unsigned int works_cancel_range(uintptr_t start, uintptr_t end, const char *module_name,
				const char *when)
{
	unsigned int n = 0;

	for (;;) {
		struct workqueue_struct *wq;
		struct work_struct *cur;
		work_func_t fn = NULL;
		unsigned long f;

		spin_lock_irqsave(&wq_lock, f);
		n += cancel_queued(start, end, module_name, when);
		wq = running_in(start, end);
		cur = wq ? wq->current_work : NULL;
		if (cur)
			fn = cur->func;
		spin_unlock_irqrestore(&wq_lock, f);
		if (!wq)
			return n;
		printk(KERN_WARNING "module %s: %s left work %pS running; waiting for it\n",
		       module_name, when, fn);
		wait_event(wq->done, wq->current_work != cur);
	}
}

void workqueue_init(void)
{
	system_wq = alloc_workqueue("events", 0, 0);
	if (!system_wq)
		panic("bug", "cannot start the events workqueue");
}
