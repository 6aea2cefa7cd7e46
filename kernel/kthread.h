/*
 * Kernel threads, with Linux's interface: kthread_run() starts fn(data) in
 * a thread of its own; the function loops until kthread_should_stop() and
 * returns; kthread_stop() asks it to, wakes it and waits for its return
 * value. A thread that returns on its own stays stoppable (its result is
 * kept until kthread_stop).
 */
#ifndef KERNEL_KTHREAD_H
#define KERNEL_KTHREAD_H

#include <stdbool.h>
#include "kernel/kernel.h"

struct task;

/* A new thread that has not run yet; wake_up_process() starts it. ERR_PTR on failure. */
__printf(3, 4) struct task *kthread_create(int (*fn)(void *data), void *data,
					   const char *namefmt, ...);
#define kthread_run(fn, data, namefmt, ...)                                   \
	({                                                                    \
		struct task *__k = kthread_create(fn, data, namefmt, ##__VA_ARGS__); \
		if (!IS_ERR(__k))                                             \
			wake_up_process(__k);                                 \
		__k;                                                          \
	})
/* Start a thread made by kthread_create (or wake a sleeping task). */
int wake_up_process(struct task *t);
/* Ask @t to stop, wake it, wait for it; returns what its function returned. */
int kthread_stop(struct task *t);
/* In the thread: has kthread_stop been called? */
bool kthread_should_stop(void);

#endif
