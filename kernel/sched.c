/*
 * The scheduler: round-robin over runnable tasks with a timeslice of
 * SCHED_SLICE ticks, on every CPU. The kernel is not preemptible: a task
 * switches only when it sleeps, exits or calls schedule(), and a task
 * whose slice ran out is switched on its way back to user mode.
 *
 * Each CPU has its own run queue (struct percpu) and its own idle task
 * (task 0 is the boot CPU's, the boot thread itself). A woken task goes to
 * the queue of an idle CPU it may run on, preferring the one it last ran
 * on, and that CPU is kicked with a reschedule IPI; a CPU whose queue is
 * empty takes a task from the longest other queue (an idle CPU looks on
 * every tick). Affinity (cpus_allowed) limits both.
 *
 * Locking (docs/locking.md): one raw spinlock, sched_lock, guards every
 * run queue, the timed sleepers, every wait queue and the state of every
 * task. It is taken with interrupts off and held across the context
 * switch: the task switched to releases it (finish_switch), after the
 * previous task's registers are saved and its on_cpu cleared, so no other
 * CPU can pick a task whose switch-out is not complete, and a task never
 * runs on two CPUs at once.
 *
 * The big kernel lock (bkl_owner) serializes kernel code run on behalf
 * of tasks, as Linux 2.0-2.4 did: syscalls, faults and kernel threads
 * hold it, schedule() drops it while the task is away and takes it back
 * after. Interrupt handlers never take it.
 */
#include <asm/barrier.h>
#include <asm/cpu.h>
#include <asm/irq.h>
#include <asm/ptrace.h>
#include <asm/setup.h>
#include <asm/smp.h>
#include <asm/switch.h>
#include <asm/uaccess.h>
#include "kernel/irq.h"
#include "kernel/lock.h"
#include "kernel/sched.h"
#include "kernel/sched_internal.h"
#include "kernel/timer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

#define SCHED_SLICE	5	/* ticks: 50 ms at 100 Hz */
#define ALL_CPUS	(~0ULL)

/* The boot CPU's idle task: the boot thread, which kmain turns into the idle loop. */
struct task init_task = {
	.pid = 0,
	.comm = "swapper/0",
	.state = TASK_RUNNING,
	.flags = TASK_KTHREAD,
	.on_cpu = 1,
	.cpus_allowed = 1,
	.lock_depth = -1,
};
static struct task ap_idle_tasks[NR_CPUS];

DEFINE_RAW_SPINLOCK(sched_lock);
/* all_tasks changes under the BKL and this lock; the tick's itimer scan takes only this. */
DEFINE_RAW_SPINLOCK(tasklist_lock);

LIST_HEAD(all_tasks);
static LIST_HEAD(timed_sleepers);	/* tasks with wake_at_ns set, via run_node */
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

/*
 * --- the big kernel lock ---------------------------------------------------------
 * bkl_owner is the holding task, or NULL. Taking a free lock is one
 * compare-exchange (inline in kernel/sched.h). A waiter spins while the
 * owner is running on a CPU (it will let go soon), then queues on
 * bkl_waiters and sleeps, so with more virtual CPUs than host cores nobody
 * burns a host core spinning for a holder whose CPU is not even running.
 * A release with waiters wakes the first to compete; once it has waited
 * BKL_HANDOFF_NS the lock is handed straight to it, so a task that lets go
 * and asks again at once (a loop of system calls) cannot starve it.
 */
#define BKL_SPINS	2000
struct task *bkl_owner;
static LIST_HEAD(bkl_waiters);		/* struct wait_entry, under sched_lock */
unsigned int bkl_nwaiters;		/* written under sched_lock, peeked without */
#ifdef CONFIG_SMP
bool bkl_enabled;
#endif
/* Contention figures for /proc/bkl_stat: acquisitions that had to wait, sleeps, ns waited. */
static uint64_t bkl_contended, bkl_sleeps, bkl_wait_ns;

static bool bkl_trylock(struct task *t)
{
	struct task *none = NULL;

	return __atomic_compare_exchange_n(&bkl_owner, &none, t, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

/*
 * Is @owner some CPU's current task? Pointer comparisons only: the owner
 * may have let go, exited and been freed since it was read, so it is
 * never dereferenced here.
 */
static bool task_running_somewhere(const struct task *owner)
{
	for (unsigned int cpu = 0; cpu < num_online_cpus(); cpu++)
		if (READ_ONCE(cpu_percpu(cpu)->curr) == owner)
			return true;
	return false;
}

/* A sleeping waiter, and since when it waits (for the starvation hand-over). */
struct bkl_waiter {
	struct wait_entry e;
	uint64_t since_ns;
};

/* sched_lock held: @w takes the lock itself, leaving the queue. */
static bool bkl_take_queued(struct bkl_waiter *w, struct task *t)
{
	if (!bkl_trylock(t))
		return false;
	if (!list_empty(&w->e.node)) {
		list_del_init(&w->e.node);
		bkl_nwaiters--;
	}
	return true;
}

void bkl_acquire(void)
{
	struct task *t = current, *owner;
	struct bkl_waiter w = { .e = { .task = t } };
	unsigned long flags;
	uint64_t t0;
	int depth;

	if (bkl_trylock(t))
		return;
	t0 = ktime_ns();
	__atomic_add_fetch(&bkl_contended, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < BKL_SPINS; i++) {
		owner = __atomic_load_n(&bkl_owner, __ATOMIC_RELAXED);
		if (!owner && bkl_trylock(t))
			goto out;
		if (owner && !task_running_somewhere(owner))
			break;			/* handed to a sleeper: no point spinning */
		cpu_relax();
	}
	if (t == this_cpu()->idle || in_interrupt()) {
		while (!bkl_trylock(t))
			cpu_relax();
		goto out;
	}
	depth = t->lock_depth;
	t->lock_depth = -1;		/* not held while asleep: schedule() must not drop it */
	flags = raw_spin_lock_irqsave(&sched_lock);
	list_init(&w.e.node);
	bkl_nwaiters++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* counted before the last look */
	if (!bkl_take_queued(&w, t)) {
		list_add_tail(&w.e.node, &bkl_waiters);
		w.since_ns = ktime_ns();
		for (;;) {
			set_current_state(TASK_UNINTERRUPTIBLE);
			raw_spin_unlock_irqrestore(&sched_lock, flags);
			if (__atomic_load_n(&bkl_owner, __ATOMIC_ACQUIRE) != t) {
				__atomic_add_fetch(&bkl_sleeps, 1, __ATOMIC_RELAXED);
				schedule();
			}
			flags = raw_spin_lock_irqsave(&sched_lock);
			if (__atomic_load_n(&bkl_owner, __ATOMIC_ACQUIRE) == t)
				break;		/* handed over (and dequeued) by the releaser */
			if (bkl_take_queued(&w, t))
				break;		/* woken to compete, and won */
		}
	} else {
		bkl_nwaiters--;		/* never queued */
	}
	__set_current_running();
	raw_spin_unlock_irqrestore(&sched_lock, flags);
	t->lock_depth = depth;
out:
	__atomic_add_fetch(&bkl_wait_ns, ktime_ns() - t0, __ATOMIC_RELAXED);
}

/*
 * unlock_kernel's slow half: waiters are queued (sched_lock taken here).
 * Usually the lock is simply let go and the first waiter woken to compete
 * for it with whoever spins; but a first waiter that has waited
 * BKL_HANDOFF_NS gets it handed over, so no loop of system calls on
 * another CPU can starve it.
 */
#define BKL_HANDOFF_NS	1000000ULL

void bkl_release_slow(void)
{
	struct task *t = current;
	bool mine = __atomic_load_n(&bkl_owner, __ATOMIC_RELAXED) == t;
	struct bkl_waiter *w = NULL;
	unsigned long flags;

	flags = raw_spin_lock_irqsave(&sched_lock);
	if (!list_empty(&bkl_waiters))
		w = container_of(list_first_entry(&bkl_waiters, struct wait_entry, node),
				 struct bkl_waiter, e);
	if (w && ktime_ns() - w->since_ns >= BKL_HANDOFF_NS) {
		struct task *from = mine ? t : NULL;

		if (__atomic_compare_exchange_n(&bkl_owner, &from, w->e.task, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			list_del_init(&w->e.node);
			bkl_nwaiters--;
			__wake_up_task(w->e.task);
			raw_spin_unlock_irqrestore(&sched_lock, flags);
			return;
		}
	}
	if (mine)
		__atomic_store_n(&bkl_owner, NULL, __ATOMIC_RELEASE);
	if (w)
		__wake_up_task(w->e.task);
	raw_spin_unlock_irqrestore(&sched_lock, flags);
}

void bkl_stats(uint64_t *contended, uint64_t *sleeps, uint64_t *wait_ns)
{
	*contended = bkl_contended;
	*sleeps = bkl_sleeps;
	*wait_ns = bkl_wait_ns;
}

/* --- run queues (all under sched_lock; the helpers are in sched_internal.h) ---- */
unsigned int select_cpu_smp(const struct task *t)
{
	unsigned int best = (unsigned int)t->cpu, self = smp_processor_id();

	if (!allowed_on(t, best))
		best = allowed_on(t, self) ? self : 0;
	for (unsigned int cpu = 0; cpu < cpus_online; cpu++) {
		if (allowed_on(t, cpu) && (!allowed_on(t, best) || cpu_load(cpu) < cpu_load(best)))
			best = cpu;
	}
	return best;	/* CPU 0 when nothing allowed is online: the mask is checked at set time */
}

/* Make @t runnable; callable from any context and any CPU. */
void wake_up_task(struct task *t)
{
	unsigned long flags = raw_spin_lock_irqsave(&sched_lock);

	__wake_up_task(t);
	raw_spin_unlock_irqrestore(&sched_lock, flags);
}

/* The first queued task @cpu may take from its own queue, or from the longest other one. */
static struct task *pick_next(unsigned int cpu)
{
	struct percpu *c = cpu_percpu(cpu);
	unsigned int victim = cpu, most = 0;
	struct task *t;

	if (!list_empty(&c->run_queue))
		return list_first_entry(&c->run_queue, struct task, run_node);
	for (unsigned int o = 0; o < num_online_cpus(); o++) {
		if (o != cpu && cpu_percpu(o)->nr_queued > most) {
			most = cpu_percpu(o)->nr_queued;
			victim = o;
		}
	}
	if (victim == cpu)
		return NULL;
	list_for_each_entry(t, &cpu_percpu(victim)->run_queue, run_node)
		if (t->cpus_allowed & (1ULL << cpu))
			return t;
	return NULL;
}

void schedule_tail(void);
void ret_from_fork(void);

/*
 * The second half of a switch, in the task switched to: the one switched
 * away from is now off its stack, so other CPUs may pick it (on_cpu 0),
 * and sched_lock, taken by the previous task, is released.
 */
static void finish_switch(void)
{
	struct percpu *c = this_cpu();

	__atomic_store_n(&c->prev->on_cpu, 0, __ATOMIC_RELEASE);
	c->prev = NULL;
	raw_spin_unlock(&sched_lock);
}

/* First C code of every new task, right after its first switch_stack. */
void schedule_tail(void)
{
	finish_switch();
	arch_set_kernel_stack(current->kstack_top);
	local_irq_enable();
	if (current->set_child_tid) {	/* in the child's own address space */
		lock_kernel();
		put_user(current->pid, (int __user *)current->set_child_tid);
		current->set_child_tid = 0;
		unlock_kernel();
	}
}

static void switch_to(struct percpu *c, struct task *prev, struct task *next)
{
	if (!(prev->flags & TASK_KTHREAD))
		arch_fpu_save(prev->fpu_state);
	if (!(next->flags & TASK_KTHREAD))
		arch_fpu_restore(next->fpu_state);
	c->curr = next;
	c->syscall_slow = bkl_enabled || next->mk;	/* entry.asm's in-line dispatch or not */
	c->prev = prev;
	c->context_switches++;
	/* kernel/costs.h: @next is ours now (on_cpu), so these are its own counts */
	next->costs.context_switches++;
	if (next->mm)
		next->costs.as_switches += mm_switch(next->mm);	/* loads CR3 only if it changes */
	else
		next->costs.as_switches += mm_switch_kernel();	/* no CPU keeps a dead mm's tables */
	if (next->kstack_top)
		arch_set_kernel_stack(next->kstack_top);
	arch_set_fs_base(next->fs_base);
	switch_stack(&prev->saved_rsp, next->saved_rsp);
	finish_switch();			/* as @prev again, maybe on another CPU */
}

/*
 * Put @prev where its state says (a run queue, the timed sleepers or
 * nowhere) and switch to @next, or to the best queued task when @next is
 * NULL. sched_lock is held with interrupts off; it is released on return.
 */
static __attribute__((always_inline)) inline void __schedule(struct task *prev,
							      struct task *next)
{
	struct percpu *c = this_cpu();
	unsigned int cpu = c->cpu;

	c->need_resched = false;
	c->schedules++;
	/* a signal that came after the sleeper checked: it must not sleep through it */
	if (prev->state == TASK_INTERRUPTIBLE && signal_pending(prev)) {
		if (on_queue(prev))
			list_del_init(&prev->run_node);
		prev->wake_at_ns = 0;
		prev->state = TASK_RUNNING;
	}
	if (prev->state == TASK_RUNNING) {
		if (prev != c->idle && !on_queue(prev)) {
			if (allowed_on(prev, cpu))
				enqueue(prev, cpu);
			else
				activate(prev);		/* its affinity moved it away */
		}
	} else if (prev->wake_at_ns && !on_queue(prev)) {
		list_add_tail(&prev->run_node, &timed_sleepers);
	}
	if (!next)
		next = pick_next(cpu);
	if (next && on_queue(next))
		dequeue(next);
	if (!next)
		next = c->idle;
	if (next == prev) {
		raw_spin_unlock(&sched_lock);
		return;
	}
	next->timeslice = next->timeslice && next != c->idle ? next->timeslice : SCHED_SLICE;
	next->on_cpu = 1;
	next->cpu = (int)cpu;
	switch_to(c, prev, next);
}

/* The same, out of line, for the paths that are not the plain schedule(). */
static __attribute__((noinline)) void __schedule_other(struct task *prev, struct task *next)
{
	__schedule(prev, next);
}

/* Give up the big kernel lock for the time away; the depth stays with the task. */
static inline int release_kernel_lock(struct task *t)
{
	int depth = t->lock_depth;

	if (depth >= 0 && bkl_enabled) {
		int saved = t->lock_depth;

		t->lock_depth = 0;
		unlock_kernel();	/* lock_depth 0 -> -1: lets go */
		t->lock_depth = saved;
	}
	return depth;
}

/*
 * Back from a switch: take the BKL again if the task held it, and free
 * the tasks that died meanwhile (under the BKL, which guards the task
 * lists; a task without it, like an idle loop, reaps only if the lock is
 * free at once).
 */
static __attribute__((noinline)) void reacquire_kernel_lock_slow(int depth)
{
	struct task *t = current;

	if (depth >= 0) {
		if (bkl_enabled) {
			t->lock_depth = -1;
			lock_kernel();		/* -1 -> 0: takes it */
			t->lock_depth = depth;
		}
		if (dead_tasks_pending())
			reap_dead_tasks();
	} else if (dead_tasks_pending()) {
		if (!bkl_enabled) {
			reap_dead_tasks();	/* one CPU: nothing to take */
		} else if (!bkl_nwaiters && bkl_trylock(t)) {
			t->lock_depth = 0;
			reap_dead_tasks();
			unlock_kernel();	/* 0 -> -1: lets go */
		}
	}
}

/* The common case inline: nothing to take back (one CPU) and no one to reap. */
static inline void reacquire_kernel_lock(int depth)
{
	if ((depth < 0 || !bkl_enabled) && !dead_tasks_pending())
		return;
	reacquire_kernel_lock_slow(depth);
}

static __attribute__((always_inline)) inline void do_schedule(uint64_t deadline_ns, uintptr_t ip)
{
	struct task *prev = current;
	unsigned long flags;
	int depth;

	might_sleep_check("schedule", ip);
	depth = release_kernel_lock(prev);
	flags = raw_spin_lock_irqsave(&sched_lock);
	if (deadline_ns && prev->state != TASK_RUNNING)
		prev->wake_at_ns = deadline_ns;	/* the tick wakes it then */
	prev->timeslice = 0;		/* a fresh slice next time */
	__schedule(prev, NULL);
	local_irq_restore(flags);
	reacquire_kernel_lock(depth);
}

void schedule(void)
{
	do_schedule(0, (uintptr_t)__builtin_return_address(0));
}

void schedule_until(uint64_t deadline_ns)
{
	do_schedule(deadline_ns, (uintptr_t)__builtin_return_address(0));
}

/*
 * Hand the CPU straight to @next, which becomes runnable here, without a
 * trip through the run queue: the IPC fast path (kernel/ipc.c), where the
 * current task has just blocked waiting for @next's answer or has just
 * answered it. @next inherits what is left of the current timeslice, so a
 * pair of tasks calling each other cannot starve the rest. The caller sets
 * its own state first, as for schedule(). When @next cannot run here (it
 * is still on another CPU, or its affinity forbids this one) it is simply
 * woken and this is an ordinary schedule().
 */
void sched_switch_to(struct task *next)
{
	struct task *prev = current;
	unsigned long flags;
	int depth;
	bool sleeping;

	depth = release_kernel_lock(prev);
	flags = raw_spin_lock_irqsave(&sched_lock);
	sleeping = next->state == TASK_INTERRUPTIBLE || next->state == TASK_UNINTERRUPTIBLE;
	if (next == prev || next->on_cpu || !allowed_on(next, this_cpu()->cpu) ||
	    (!sleeping && (next->state != TASK_RUNNING || !on_queue(next)))) {
		if (sleeping)
			__wake_up_task(next);
		__schedule_other(prev, NULL);
	} else {
		if (on_queue(next)) {
			if (sleeping)
				list_del_init(&next->run_node);		/* the timed sleepers */
			else
				dequeue(next);
		}
		next->wake_at_ns = 0;
		next->state = TASK_RUNNING;
		next->timeslice = prev->timeslice ? prev->timeslice : 1;
		prev->timeslice = 0;
		__schedule_other(prev, next);
	}
	local_irq_restore(flags);
	reacquire_kernel_lock(depth);
}

/*
 * sched_switch_to() for the IPC fast path (kernel/ipc_fast.c), which
 * calls it from a system call (interrupts on) instead of
 * set_current_state(@state) + sched_switch_to(@next): when @next sleeps
 * in @state too (off every CPU, off the timed sleepers, allowed here) and
 * nothing else asks for this CPU (no reschedule due, no signal to cut an
 * interruptible sleep short), the current task goes to sleep and @next
 * runs at once, without the general __schedule(); otherwise it is exactly
 * the general path.
 */
void sched_switch_to_fast(struct task *next, int state)
{
	struct task *prev = current;
	struct percpu *c;
	int depth;

	depth = release_kernel_lock(prev);
	local_irq_disable();		/* a system call: interrupts were on */
	raw_spin_lock(&sched_lock);
	c = this_cpu();
	if (unlikely(next->state != state || next->on_cpu || on_queue(next) ||
		     !(next->cpus_allowed & (1ULL << c->cpu)) || c->need_resched ||
		     prev->wake_at_ns || (state == TASK_INTERRUPTIBLE && signal_pending(prev)))) {
		raw_spin_unlock(&sched_lock);
		local_irq_enable();
		reacquire_kernel_lock(depth);
		set_current_state(state);
		sched_switch_to(next);
		return;
	}
	prev->state = state;
	next->wake_at_ns = 0;
	next->state = TASK_RUNNING;
	next->timeslice = prev->timeslice ? prev->timeslice : 1;
	prev->timeslice = 0;
	c->schedules++;
	next->on_cpu = 1;
	next->cpu = (int)c->cpu;
	switch_to(c, prev, next);
	local_irq_enable();
	reacquire_kernel_lock(depth);
}

void sched_resume_tail(void)
{
	finish_switch();
	local_irq_enable();
}

/* Is a busy CPU's queue holding work this idle CPU could take? (a racy peek, for the tick) */
static bool work_elsewhere(unsigned int cpu)
{
	for (unsigned int o = 0; o < num_online_cpus(); o++) {
		struct percpu *c = cpu_percpu(o);

		if (o != cpu && c->nr_queued && c->curr != c->idle)
			return true;
	}
	return false;
}

/*
 * Timer tick, on every CPU: account, ask for a switch at slice end, and on
 * an idle CPU look for work to pull. The boot CPU's tick also runs the
 * timers and wakes expired sleepers for everyone.
 */
void sched_tick(bool user_mode)
{
	struct percpu *c = this_cpu();
	struct task *cur = c->curr;
	uint64_t now = ktime_ns();

	if (user_mode) {
		cur->utime++;
		c->user_ticks++;
	} else {
		cur->stime++;
		if (cur == c->idle)
			c->idle_ticks++;
		else
			c->system_ticks++;
	}
	if (c->cpu == 0) {
		struct task *t, *tmp;

		run_timers();
		raw_spin_lock(&sched_lock);
		list_for_each_entry_safe(t, tmp, &timed_sleepers, run_node) {
			if (t->wake_at_ns && t->wake_at_ns <= now)
				__wake_up_task(t);
		}
		raw_spin_unlock(&sched_lock);
		itimer_tick(now);
	}
	if (cur == c->idle) {
		if (c->nr_queued || work_elsewhere(c->cpu))
			c->need_resched = true;
		c->schedules++;		/* idle is never a lockup */
	} else if (cur->timeslice == 0 || --cur->timeslice == 0) {
		c->need_resched = true;
	}
}

bool sched_need_resched(void)
{
	return this_cpu()->need_resched;
}

void scheduler_ipi(void)
{
	this_cpu()->need_resched = true;
}

/*
 * @t, running on another CPU (perhaps in user mode), should notice a new
 * signal now rather than at that CPU's next tick: a reschedule IPI makes
 * it pass through exit_to_user_mode, which delivers it (Linux's
 * kick_process). A racy look: a task that just left its CPU checks its
 * signals on its way back anyway.
 */
void kick_task(struct task *t)
{
	int cpu = READ_ONCE(t->cpu);

	if (num_online_cpus() > 1 && READ_ONCE(t->on_cpu) && cpu >= 0 &&
	    (unsigned int)cpu != smp_processor_id() && cpu_percpu((unsigned int)cpu)->curr == t)
		smp_send_reschedule((unsigned int)cpu);
}

uint64_t sched_cpu_idle_tsc(unsigned int cpu)
{
	return cpu_percpu(cpu)->idle_tsc;
}

uint64_t sched_cpu_switches(unsigned int cpu)
{
	return cpu_percpu(cpu)->context_switches;
}

void sched_cpu_times(unsigned int cpu, uint64_t *user, uint64_t *sys, uint64_t *idle)
{
	struct percpu *c = cpu_percpu(cpu);

	*user = c->user_ticks;
	*sys = c->system_ticks;
	*idle = c->idle_ticks;
}

int sleep_ns(uint64_t ns)
{
	uint64_t end = ktime_ns() + ns;
	int ret = 0;

	for (;;) {
		unsigned long flags = raw_spin_lock_irqsave(&sched_lock);

		current->wake_at_ns = end;	/* wake_up_task clears it */
		set_current_state(TASK_INTERRUPTIBLE);
		raw_spin_unlock_irqrestore(&sched_lock, flags);
		if (ktime_ns() >= end)
			break;
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		schedule();
	}
	set_current_running();
	return ret;
}

/* sched_lock held: runnable again, and off the timed sleepers. */
void __set_current_running(void)
{
	if (current->state != TASK_RUNNING && on_queue(current))
		list_del_init(&current->run_node);
	current->wake_at_ns = 0;
	current->state = TASK_RUNNING;
}

void set_current_running(void)
{
	unsigned long flags = raw_spin_lock_irqsave(&sched_lock);

	__set_current_running();
	raw_spin_unlock_irqrestore(&sched_lock, flags);
}

/* --- affinity ------------------------------------------------------------------ */
int sched_set_allowed(struct task *t, uint64_t mask)
{
	uint64_t online = cpus_online >= 64 ? ALL_CPUS : (1ULL << cpus_online) - 1;
	unsigned long flags;

	if (!(mask & online))
		return -EINVAL;
	flags = raw_spin_lock_irqsave(&sched_lock);
	t->cpus_allowed = mask;
	if (t->state == TASK_RUNNING && on_queue(t) && !allowed_on(t, (unsigned int)t->cpu)) {
		dequeue(t);
		activate(t);
	} else if (t->on_cpu && !allowed_on(t, (unsigned int)t->cpu)) {
		/* running where it may not: it moves at its next schedule() */
		cpu_percpu((unsigned int)t->cpu)->need_resched = true;
		if ((unsigned int)t->cpu != smp_processor_id())
			smp_send_reschedule((unsigned int)t->cpu);
	}
	raw_spin_unlock_irqrestore(&sched_lock, flags);
	return 0;
}

/* --- tasks ----------------------------------------------------------------------- */
/* A new task with a kernel stack; not yet runnable. */
struct task *task_alloc(const char *name)
{
	struct task *t = kzalloc(sizeof(*t));
	unsigned long flags;

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
	t->lock_depth = -1;
	/* inherited, as on Linux; an idle task's children may run anywhere */
	t->cpus_allowed = current->pid == 0 ? ALL_CPUS : current->cpus_allowed;
	t->cpu = (int)smp_processor_id();
	flags = raw_spin_lock_irqsave(&tasklist_lock);
	list_add_tail(&t->all_node, &all_tasks);
	raw_spin_unlock_irqrestore(&tasklist_lock, flags);
	return t;
}

void task_start(struct task *t)
{
	unsigned long flags = raw_spin_lock_irqsave(&sched_lock);

	t->state = TASK_RUNNING;
	activate(t);
	raw_spin_unlock_irqrestore(&sched_lock, flags);
}

/* Called by kthread_entry (entry.asm) in the new thread. */
void kthread_main(int (*fn)(void *), void *arg);
void kthread_main(int (*fn)(void *), void *arg)
{
	lock_kernel();			/* kernel threads run under the BKL like syscalls */
	do_exit(fn(arg) << 8);
}

struct task *kthread_alloc(const char *name, int (*fn)(void *), void *arg)
{
	struct task *t = task_alloc(name);

	if (!t)
		return NULL;
	t->flags |= TASK_KTHREAD;
	t->parent = &init_task;
	t->ppid = 0;
	list_add_tail(&t->sibling, &init_task.children);
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

static void percpu_sched_init(unsigned int cpu, struct task *idle)
{
	struct percpu *c = cpu_percpu(cpu);

	list_init(&c->run_queue);
	c->nr_queued = 0;
	c->idle = idle;
	c->syscall_slow = bkl_enabled;
}

void sched_init(void)
{
#ifdef CONFIG_SMP
	bkl_enabled = cpus_online > 1;	/* the CPUs are all started by now */
#endif
	wait_queue_init(&init_task.child_exit_wq);
	init_task.child_exit = &init_task.child_exit_wq;
	list_init(&init_task.children);
	list_init(&init_task.run_node);
	list_add_tail(&init_task.all_node, &all_tasks);
	for (unsigned int cpu = 0; cpu < cpus_online; cpu++)
		percpu_sched_init(cpu, cpu ? &ap_idle_tasks[cpu] : &init_task);
	this_cpu()->online = true;
	syscall_init();
}

/* The idle loop of every CPU. Interrupts are off between the check and the halt. */
__noreturn void cpu_idle_loop(void)
{
	uint64_t t0;

	for (;;) {
		local_irq_disable();
		if (this_cpu()->need_resched) {
			local_irq_enable();
			schedule();
			continue;
		}
		t0 = rdtsc();
		arch_idle();		/* sti; hlt: no wake-up slips in between */
		this_cpu()->idle_tsc += rdtsc() - t0;	/* with the handler that woke it */
	}
}

/* An AP joins: its boot stack becomes its idle task's. */
__noreturn void sched_ap_start(unsigned int cpu)
{
	struct task *idle = &ap_idle_tasks[cpu];
	struct percpu *c = this_cpu();

	idle->pid = 0;
	snprintf(idle->comm, sizeof(idle->comm), "swapper/%u", cpu);
	idle->state = TASK_RUNNING;
	idle->flags = TASK_KTHREAD;
	idle->on_cpu = 1;
	idle->cpu = (int)cpu;
	idle->cpus_allowed = 1ULL << cpu;
	idle->lock_depth = -1;
	list_init(&idle->children);
	list_init(&idle->run_node);
	c->curr = idle;
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	local_irq_enable();
	cpu_idle_loop();
}

/* Free what is left of a reaped task, once its last switch-out is complete. */
void task_free(struct task *t)
{
	unsigned long flags;

	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		cpu_relax();		/* a zombie still on its way out on another CPU */
	flags = raw_spin_lock_irqsave(&tasklist_lock);
	list_del(&t->all_node);
	raw_spin_unlock_irqrestore(&tasklist_lock, flags);
	costs_task_freed(t);		/* under the BKL, as /proc/costs reads */
	vfree(t->kstack);
	kfree(t);
}
