/*
 * Wait queues: a task sleeps on a queue until a condition is true, and
 * wake_up() makes every sleeper runnable again to re-check it. The
 * condition-checking wait_event*() macros are in kernel/sched.h; this small
 * header is what structures that embed a queue (locks, devices) need.
 */
#ifndef KERNEL_WAIT_H
#define KERNEL_WAIT_H

#include "lib/list.h"

struct task;

struct wait_queue {
	struct list_head sleepers;	/* struct wait_entry */
};

/*
 * One task waiting on one queue; poll() uses several at once. With @func
 * set, wake_up calls it instead of waking @task (a layer that forwards
 * wake-ups, like the misc device binding); it runs under the queues' lock
 * and may only call wake_up_locked.
 */
struct wait_entry {
	struct task *task;
	struct list_head node;
	void (*func)(struct wait_entry *e);
	unsigned int flags;		/* WQ_FLAG_* */
};

/* Unlinked by the wake-up that wakes it (prepare_to_wait's entries). */
#define WQ_FLAG_AUTOREMOVE	1

#define WAIT_QUEUE_INIT(name) { LIST_HEAD_INIT((name).sleepers) }
#define DEFINE_WAIT_QUEUE(name) struct wait_queue name = WAIT_QUEUE_INIT(name)

void wait_queue_init(struct wait_queue *wq);
void wait_entry_add(struct wait_queue *wq, struct wait_entry *e);
void wait_entry_remove(struct wait_entry *e);
/* Make every task sleeping on @wq runnable (any context, any CPU). */
void wake_up(struct wait_queue *wq);
/* The same from a forwarding entry's func, which runs with the queues' lock held. */
void wake_up_locked(struct wait_queue *wq);
/*
 * The open-coded wait, as in Linux:
 *
 *	struct wait_entry e = { .task = current };
 *	for (;;) {
 *		prepare_to_wait(&wq, &e, TASK_INTERRUPTIBLE);
 *		if (condition)
 *			break;
 *		schedule();
 *	}
 *	finish_wait(&wq, &e);
 *
 * prepare_to_wait links @e (unless it is linked) and sets the task's
 * state; the wake_up that wakes the task also unlinks @e, so the loop
 * links it again before its next look. finish_wait makes the task
 * runnable and unlinks @e; after such a wake-up it has nothing to do and
 * takes no lock.
 */
void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e, int state);
void finish_wait(struct wait_queue *wq, struct wait_entry *e);

#endif
