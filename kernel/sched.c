/*
 * The scheduler: round-robin over runnable tasks with a timeslice of
 * SCHED_SLICE ticks. The kernel is not preemptible: a task switches only
 * when it sleeps, exits or calls schedule(), and a task whose slice ran out
 * is switched on its way back to user mode. Task 0 is the boot thread,
 * which becomes the idle loop.
 */
#include <asm/irq.h>
#include <asm/ptrace.h>
#include <asm/switch.h>
#include <asm/uaccess.h>
#include "kernel/lock.h"
#include "kernel/sched.h"
#include "kernel/timer.h"
#include "lib/string.h"
#include "mm/mm.h"

#define SCHED_SLICE	5	/* ticks: 50 ms at 100 Hz */

static struct task idle_task = {
	.pid = 0,
	.comm = "swapper",
	.state = TASK_RUNNING,
	.flags = TASK_KTHREAD,
};
struct task *current = &idle_task;
LIST_HEAD(all_tasks);
static LIST_HEAD(run_queue);
static LIST_HEAD(timed_sleepers);	/* tasks with wake_at_ns set, via run_node */
bool need_resched_flag;
#define need_resched need_resched_flag
static int last_pid;

struct task *task_by_pid(int pid)
{
	struct task *t;

	list_for_each_entry(t, &all_tasks, all_node)
		if (t->pid == pid && t->state != TASK_DEAD)
			return t;
	return NULL;
}

/* Pids from 2 up, wrapping at 32768; pid 1 is reserved for init. */
int alloc_pid(void)
{
	for (;;) {
		if (++last_pid >= 32768 || last_pid < 2)
			last_pid = 2;
		if (!task_by_pid(last_pid))
			return last_pid;
	}
}

static bool on_queue(struct task *t)
{
	return t->run_node.next && t->run_node.next != &t->run_node;
}

/* Make @t runnable; callable from interrupt handlers. */
void wake_up_task(struct task *t)
{
	unsigned long flags = local_irq_save();

	if (t->state == TASK_INTERRUPTIBLE || t->state == TASK_UNINTERRUPTIBLE) {
		if (on_queue(t))
			list_del_init(&t->run_node);	/* off the timed-sleep list */
		t->wake_at_ns = 0;
		t->state = TASK_RUNNING;
		if (t != current)
			list_add_tail(&t->run_node, &run_queue);
		need_resched = true;
	}
	local_irq_restore(flags);
}


void schedule_tail(void);

/* First C code of every new task, right after its first switch_stack. */

void schedule_tail(void)
{
	reap_dead_tasks();
	arch_set_kernel_stack(current->kstack_top);
	local_irq_enable();
	if (current->set_child_tid) {	/* in the child's own address space */
		put_user(current->pid, (int __user *)current->set_child_tid);
		current->set_child_tid = 0;
	}
}

static void switch_to(struct task *prev, struct task *next)
{
	if (!(prev->flags & TASK_KTHREAD))
		arch_fpu_save(prev->fpu_state);
	if (!(next->flags & TASK_KTHREAD))
		arch_fpu_restore(next->fpu_state);
	current = next;
	if (next->mm && next->mm != prev->mm)
		mm_switch(next->mm);
	if (next->kstack_top)
		arch_set_kernel_stack(next->kstack_top);
	arch_set_fs_base(next->fs_base);
	switch_stack(&prev->saved_rsp, next->saved_rsp);
}

void schedule(void)
{
	unsigned long flags;
	struct task *prev = current, *next;

	might_sleep_check("schedule", (uintptr_t)__builtin_return_address(0));
	flags = local_irq_save();

	need_resched = false;
	if (prev->state == TASK_RUNNING && prev != &idle_task && !on_queue(prev))
		list_add_tail(&prev->run_node, &run_queue);
	if (prev->state != TASK_RUNNING && prev->wake_at_ns && !on_queue(prev))
		list_add_tail(&prev->run_node, &timed_sleepers);
	if (list_empty(&run_queue)) {
		next = prev->state == TASK_RUNNING ? prev : &idle_task;
	} else {
		next = list_first_entry(&run_queue, struct task, run_node);
		list_del_init(&next->run_node);
	}
	next->timeslice = SCHED_SLICE;
	if (next != prev) {
		switch_to(prev, next);
		reap_dead_tasks();	/* we are back on our own stack */
	}
	local_irq_restore(flags);
}

/*
 * Hand the CPU straight to @next, which becomes runnable here, without a
 * trip through the run queue: the IPC fast path (kernel/ipc.c), where the
 * current task has just blocked waiting for @next's answer or has just
 * answered it. @next inherits what is left of the current timeslice, so a
 * pair of tasks calling each other cannot starve the rest. The caller sets
 * its own state first, with interrupts off, as for schedule().
 */
void sched_switch_to(struct task *next)
{
	unsigned long flags = local_irq_save();
	struct task *prev = current;

	if (next == prev || (next->state != TASK_RUNNING && next->state != TASK_INTERRUPTIBLE &&
			     next->state != TASK_UNINTERRUPTIBLE)) {
		local_irq_restore(flags);
		schedule();
		return;
	}
	if (on_queue(next))
		list_del_init(&next->run_node);	/* off the run queue or the timed sleepers */
	next->wake_at_ns = 0;
	next->state = TASK_RUNNING;
	if (prev->state == TASK_RUNNING && prev != &idle_task && !on_queue(prev))
		list_add_tail(&prev->run_node, &run_queue);
	if (prev->state != TASK_RUNNING && prev->wake_at_ns && !on_queue(prev))
		list_add_tail(&prev->run_node, &timed_sleepers);
	next->timeslice = prev->timeslice ? prev->timeslice : 1;
	switch_to(prev, next);
	reap_dead_tasks();
	local_irq_restore(flags);
}

/* Timer tick: account, wake expired sleepers, ask for a switch at slice end. */
void sched_tick(bool user_mode)
{
	uint64_t now = ktime_ns();
	struct task *t, *tmp;

	if (user_mode)
		current->utime++;
	else
		current->stime++;
	run_timers();
	list_for_each_entry_safe(t, tmp, &timed_sleepers, run_node) {
		if (t->wake_at_ns && t->wake_at_ns <= now)
			wake_up_task(t);
	}
	itimer_tick(now);
	if (current == &idle_task ? !list_empty(&run_queue) : --current->timeslice == 0)
		need_resched = true;
}

bool sched_need_resched(void)
{
	return need_resched;
}

int sleep_ns(uint64_t ns)
{
	unsigned long flags = local_irq_save();
	uint64_t end = ktime_ns() + ns;
	int ret = 0;

	while (ktime_ns() < end) {
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		current->wake_at_ns = end;	/* wake_up_task clears it */
		current->state = TASK_INTERRUPTIBLE;
		schedule();
	}
	if (on_queue(current))
		list_del_init(&current->run_node);
	current->wake_at_ns = 0;
	current->state = TASK_RUNNING;
	local_irq_restore(flags);
	return ret;
}

/* A new task with a kernel stack; not yet runnable. */
struct task *task_alloc(const char *name)
{
	struct task *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->kstack = vmalloc_stack(KERNEL_STACK_SIZE);
	if (!t->kstack) {
		kfree(t);
		return NULL;
	}
	t->kstack_top = (uint64_t)t->kstack + KERNEL_STACK_SIZE;
	t->uregs = (struct pt_regs *)(t->kstack_top - sizeof(struct pt_regs));
	wait_queue_init(&t->child_exit_wq);
	t->child_exit = &t->child_exit_wq;
	t->pid = t->tgid = alloc_pid();
	strlcpy(t->comm, name, sizeof(t->comm));
	list_init(&t->children);
	list_init(&t->run_node);
	t->start_ns = ktime_ns();
	t->state = TASK_UNINTERRUPTIBLE;
	list_add_tail(&t->all_node, &all_tasks);
	return t;
}

void task_start(struct task *t)
{
	unsigned long flags = local_irq_save();

	t->state = TASK_RUNNING;
	list_add_tail(&t->run_node, &run_queue);
	local_irq_restore(flags);
}

/* Called by kthread_entry (entry.asm) in the new thread. */
void kthread_main(int (*fn)(void *), void *arg);
void kthread_main(int (*fn)(void *), void *arg)
{
	do_exit(fn(arg) << 8);
}

struct task *kthread_alloc(const char *name, int (*fn)(void *), void *arg)
{
	struct task *t = task_alloc(name);

	if (!t)
		return NULL;
	t->flags |= TASK_KTHREAD;
	t->parent = &idle_task;
	list_add_tail(&t->sibling, &idle_task.children);
	/* frames start below the pt_regs slot, which exec may fill in */
	t->saved_rsp = arch_prepare_stack((uint64_t)t->uregs, kthread_entry, (uint64_t)fn,
					  (uint64_t)arg);
	return t;
}

struct task *kthread_spawn(const char *name, int (*fn)(void *), void *arg)
{
	struct task *t = kthread_alloc(name, fn, arg);

	if (t)
		task_start(t);
	return t;
}

void sched_init(void)
{
	wait_queue_init(&idle_task.child_exit_wq);
	idle_task.child_exit = &idle_task.child_exit_wq;
	list_init(&idle_task.children);
	list_init(&idle_task.run_node);
	list_add_tail(&idle_task.all_node, &all_tasks);
	syscall_init();
}

/* Free what is left of a reaped task (its stack is not in use any more). */
void task_free(struct task *t)
{
	list_del(&t->all_node);
	vfree(t->kstack);
	kfree(t);
}
