/*
 * Kernel timers, with Linux's interface: a struct timer_list runs its
 * function once, in interrupt context on the timer tick, when jiffies
 * reaches its expiry. mod_timer() (re)arms it, del_timer_sync() disarms it
 * and waits until a run in progress has finished, so the function can
 * never run after it returns. jiffies count ticks of HZ per second.
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/kernel.h"
#include "lib/list.h"

#define HZ	CONFIG_HZ

struct timer_list {
	struct list_head entry;		/* in the pending list while armed */
	unsigned long expires;		/* in jiffies */
	void (*function)(struct timer_list *t);
	unsigned int flags;
	bool pending;
};

/* Inside the function: the structure that embeds @timer as @field. */
#define from_timer(var, timer, field)	container_of(timer, __typeof__(*(var)), field)

/* Prepare @t to run @fn; it is not armed yet. */
void timer_setup(struct timer_list *t, void (*fn)(struct timer_list *), unsigned int flags);
/* Arm @t for @expires (absolute jiffies); 1 if it was pending before. */
int mod_timer(struct timer_list *t, unsigned long expires);
void add_timer(struct timer_list *t);
/* Disarm @t; 1 if it was pending. The function may still be running. */
int del_timer(struct timer_list *t);
/* Disarm @t and wait for a running function to return. Not from @t's own function. */
int del_timer_sync(struct timer_list *t);
#define timer_delete_sync(t)	del_timer_sync(t)
#define timer_delete(t)		del_timer(t)

static inline bool timer_pending(const struct timer_list *t)
{
	return t->pending;
}

static inline unsigned long msecs_to_jiffies(unsigned int ms)
{
	return ((unsigned long)ms * HZ + 999) / 1000;
}

static inline unsigned long usecs_to_jiffies(unsigned int us)
{
	return ((unsigned long)us * HZ + 999999) / 1000000;
}

static inline unsigned int jiffies_to_msecs(unsigned long j)
{
	return (unsigned int)(j * 1000 / HZ);
}

#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)

/* --- inside the kernel ------------------------------------------------------------ */
/* Run expired timers (called on every tick, in interrupt context). */
void run_timers(void);
/* Disarm every timer whose function lies in [start, end); how many. */
unsigned int timers_cancel_range(uintptr_t start, uintptr_t end, const char *module_name,
				 const char *when);

#endif
