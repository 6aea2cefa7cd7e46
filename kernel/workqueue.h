/*
 * Deferred work, with Linux's interface: a work_struct's function runs
 * later in process context, on a kernel worker thread, where it may sleep.
 * schedule_work() queues it on the system queue (the "events" thread),
 * flush_work() waits until it has run, cancel_work_sync() takes it off the
 * queue or waits for a run in progress. Delayed work is a work item queued
 * by a timer. alloc_workqueue() gives a driver a thread of its own.
 */
#ifndef KERNEL_WORKQUEUE_H
#define KERNEL_WORKQUEUE_H

#include <stdbool.h>
#include "kernel/timer.h"
#include "lib/list.h"

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct workqueue_struct;

struct work_struct {
	struct list_head entry;		/* on its queue while pending */
	work_func_t func;
	struct workqueue_struct *wq;	/* where it was last queued */
	unsigned int flags;		/* WORK_* below */
};
#define WORK_PENDING	0x1
#define WORK_RUNNING	0x2

struct delayed_work {
	struct work_struct work;
	struct timer_list timer;
	struct workqueue_struct *wq;
};

#define INIT_WORK(w, fn)	__init_work((w), (fn))
#define INIT_DELAYED_WORK(dw, fn) __init_delayed_work((dw), (fn))
#define to_delayed_work(w)	container_of(w, struct delayed_work, work)

void __init_work(struct work_struct *w, work_func_t fn);
void __init_delayed_work(struct delayed_work *dw, work_func_t fn);

extern struct workqueue_struct *system_wq;

/* Queue @w unless it is pending already; true if it was queued now. Any context. */
bool queue_work(struct workqueue_struct *wq, struct work_struct *w);
bool schedule_work(struct work_struct *w);
/* Queue @dw->work after @delay jiffies (0: now). */
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
			unsigned long delay);
bool schedule_delayed_work(struct delayed_work *dw, unsigned long delay);
/* Re-arm with a new delay whether or not it was pending. */
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
		      unsigned long delay);
/* Wait until @w is neither pending nor running; true if it had to wait. */
bool flush_work(struct work_struct *w);
bool flush_delayed_work(struct delayed_work *dw);
/* Take @w off its queue, or wait for its run; true if it was pending. */
bool cancel_work_sync(struct work_struct *w);
bool cancel_delayed_work(struct delayed_work *dw);
bool cancel_delayed_work_sync(struct delayed_work *dw);
static inline bool work_pending(const struct work_struct *w)
{
	return (w->flags & WORK_PENDING) != 0;
}
#define delayed_work_pending(dw) (work_pending(&(dw)->work) || timer_pending(&(dw)->timer))

/* A queue with a worker thread of its own, named @fmt (flags are ignored). */
struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max_active, ...);
#define create_singlethread_workqueue(name)	alloc_workqueue("%s", 0, 1, (name))
/* Wait for every queued item of @wq. */
void flush_workqueue(struct workqueue_struct *wq);
/* Flush, stop the worker and free the queue. */
void destroy_workqueue(struct workqueue_struct *wq);

/* --- inside the kernel ------------------------------------------------------------ */
void workqueue_init(void);
/* kfree is freeing [start, end): cancel queued work inside it, with a warning. */
void works_free_check(uintptr_t start, uintptr_t end, void *caller);
/* The timer function of every delayed work item. */
void delayed_work_timer_fn(struct timer_list *t);
/* Cancel queued work whose function lies in [start, end); how many. */
unsigned int works_cancel_range(uintptr_t start, uintptr_t end, const char *module_name,
				 const char *when);

#endif
