/*
 * The scheduler's run-queue helpers, shared by kernel/sched.c and the wait
 * queues (kernel/wait.c) so that a wake-up is inlined from the queue walk
 * down to the enqueue: the pipe round trip wakes twice and sleeps twice,
 * and every call on that path shows in its instruction count. Everything
 * here runs with sched_lock held and interrupts off; nothing outside the
 * scheduler and the wait queues may include this header.
 */
#ifndef KERNEL_SCHED_INTERNAL_H
#define KERNEL_SCHED_INTERNAL_H

#include <asm/smp.h>
#include <asm/switch.h>
#include "kernel/lock.h"
#include "kernel/sched.h"

extern raw_spinlock_t sched_lock;

static inline bool on_queue(const struct task *t)
{
	return t->run_node.next && t->run_node.next != &t->run_node;
}

static inline bool cpu_usable(unsigned int cpu)
{
	return cpu < cpus_online && cpu_percpu(cpu)->online;
}

static inline bool allowed_on(const struct task *t, unsigned int cpu)
{
	return cpu < 64 && (t->cpus_allowed & (1ULL << cpu)) && cpu_usable(cpu);
}

/* How busy @cpu is: its queue, plus one when it runs something other than idle. */
static inline unsigned int cpu_load(unsigned int cpu)
{
	struct percpu *c = cpu_percpu(cpu);

	return c->nr_queued + (c->curr != c->idle);
}

/* Where a task that becomes runnable should go: the least loaded allowed CPU, its own first. */
unsigned int select_cpu_smp(const struct task *t);

static inline unsigned int select_cpu(const struct task *t)
{
	return num_online_cpus() == 1 ? 0 : select_cpu_smp(t);
}

static inline void enqueue(struct task *t, unsigned int cpu)
{
	struct percpu *c = cpu_percpu(cpu);

	t->cpu = (int)cpu;
	list_add_tail(&t->run_node, &c->run_queue);
	c->nr_queued++;
}

static inline void dequeue(struct task *t)
{
	list_del_init(&t->run_node);
	cpu_percpu((unsigned int)t->cpu)->nr_queued--;
}

/* Queue @t on a CPU and make sure that CPU looks at its queue soon. */
static __attribute__((always_inline)) inline void activate(struct task *t)
{
	unsigned int cpu = select_cpu(t);
	struct percpu *c = cpu_percpu(cpu);

	enqueue(t, cpu);
	if (c->curr == c->idle && !c->need_resched) {
		c->need_resched = true;
		if (cpu != smp_processor_id())
			smp_send_reschedule(cpu);
	}
}

/* Make @t runnable (a sleeper, else nothing happens). */
static __attribute__((always_inline)) inline void __wake_up_task(struct task *t)
{
	if (t->state != TASK_INTERRUPTIBLE && t->state != TASK_UNINTERRUPTIBLE)
		return;
	if (on_queue(t))
		list_del_init(&t->run_node);	/* off the timed-sleep list */
	t->wake_at_ns = 0;
	t->state = TASK_RUNNING;
	if (!t->on_cpu)
		activate(t);
	/* else it has not switched out yet: schedule() sees it runnable and keeps it */
}

#endif
