/*
 * Linux's kernel-thread interface over the scheduler's kthread_alloc: a
 * struct kthread beside the task holds the stop request and the function's
 * result. The thread's function runs inside a trampoline that, once the
 * function returns, waits for kthread_stop, so the task is still there to
 * be stopped and its result is not lost. A module's threads still running
 * when it goes are stopped by the loader.
 */
#define pr_fmt(fmt) "kthread: " fmt

#include <stdarg.h>
#include "kernel/kernel.h"
#include "kernel/kthread.h"
#include "kernel/lock.h"
#include "kernel/module.h"
#include "kernel/sched.h"
#include "lib/printf.h"
#include "mm/mm.h"

struct kthread {
	int (*fn)(void *data);
	void *data;
	int result;
	bool started, returned;
	volatile bool should_stop;
	struct wait_queue stop_wq;	/* a returned thread waits here for kthread_stop */
	struct completion exited;
};

static int kthread_trampoline(void *arg)
{
	struct kthread *k = arg;

	k->result = k->fn ? k->fn(k->data) : -EINTR;
	k->returned = true;
	wait_event(k->stop_wq, k->should_stop);
	current->kthread = NULL;
	complete_all(&k->exited);	/* @k belongs to kthread_stop from here on */
	return 0;
}

static void release_kthread(const void *key, uintptr_t arg)
{
	kthread_stop((struct task *)key);
}

struct task *kthread_create(int (*fn)(void *data), void *data, const char *namefmt, ...)
{
	struct kthread *k = kzalloc(sizeof(*k));
	char name[TASK_COMM_LEN];
	struct task *t;
	va_list ap;

	if (!k)
		return ERR_PTR(-ENOMEM);
	va_start(ap, namefmt);
	vsnprintf(name, sizeof(name), namefmt, ap);
	va_end(ap);
	k->fn = fn;
	k->data = data;
	wait_queue_init(&k->stop_wq);
	init_completion(&k->exited);
	t = kthread_alloc(name, kthread_trampoline, k);
	if (!t) {
		kfree(k);
		return ERR_PTR(-ENOMEM);
	}
	t->kthread = k;
	module_track((uintptr_t)fn, MRES_KTHREAD, t, 0, release_kthread, "kthread %s (pid %d)",
		     name, t->pid);
	return t;
}
EXPORT_SYMBOL(kthread_create);

int wake_up_process(struct task *t)
{
	struct kthread *k = t->kthread;

	if (k && !k->started) {
		k->started = true;
		task_start(t);
		return 1;
	}
	wake_up_task(t);
	return 1;
}
EXPORT_SYMBOL(wake_up_process);

bool kthread_should_stop(void)
{
	return current->kthread && current->kthread->should_stop;
}
EXPORT_SYMBOL(kthread_should_stop);

int kthread_stop(struct task *t)
{
	struct kthread *k = t->kthread;
	int ret;

	if (!k) {
		pr_warn("kthread_stop from %pS: pid %d is not a kthread_create thread\n",
			__builtin_return_address(0), t->pid);
		return -EINVAL;
	}
	module_untrack(MRES_KTHREAD, t, 0);
	k->should_stop = true;
	if (!k->started) {	/* never ran: run it only to end it */
		k->fn = NULL;
		k->started = true;
		task_start(t);
	}
	wake_up_task(t);
	wake_up(&k->stop_wq);
	wait_for_completion(&k->exited);
	ret = k->result;
	kfree(k);
	return ret;
}
EXPORT_SYMBOL(kthread_stop);
