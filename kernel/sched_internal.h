/*
 * The scheduler's run-queue helpers, shared by kernel/sched.c and the wait
 * queues (kernel/wait.c) so that a wake-up is inlined from the queue walk
 * down to the enqueue: the pipe round trip wakes twice and sleeps twice,
 * and every call on that path shows in its instruction count. Everything
 * here runs with sched_lock held and interrupts off; nothing outside the
 * scheduler, the wait queues and the IPC fast path's hand-off
 * (kernel/ipc_fast.c) may include this header.
 */
#ifndef KERNEL_SCHED_INTERNAL_H
#define KERNEL_SCHED_INTERNAL_H

#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/smp.h>
#include <asm/switch.h>
#include "kernel/lock.h"
#include "kernel/sched.h"
#include "mm/mm.h"

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

/*
 * The IPC fast path's direct hand-off (kernel/ipc_fast.c), when one CPU
 * runs (no BKL), in line in its two callers. sched_handoff_begin() turns
 * interrupts off and says whether @next may run here at once (else
 * nothing has changed). sched_handoff() then puts @prev to sleep and
 * gives its kernel stack up: ipc_handoff (entry.asm) leaves it a frame
 * that resumes in ipc_fast_continue() when it is next scheduled.
 *
 * @next, when it slept the same way (@direct), has nothing on its kernel
 * stack but its user registers, which its partner has filled with the
 * answer: it returns to user mode at once, needing only its address
 * space, kernel stack and FPU state. With one CPU and interrupts off
 * nothing else can look at either task until then, so sched_lock is not
 * taken. Else (!@direct) @next goes on in its own switch_to() as after
 * any switch, and its finish_switch() releases sched_lock, taken here.
 */
static __attribute__((always_inline)) inline bool sched_handoff_begin(struct task *prev,
								      struct task *next,
								      bool direct)
{
	struct percpu *c;
	uint16_t iret_or_mask;

	if (bkl_enabled)
		return false;
	local_irq_disable();		/* a system call: interrupts were on */
	if (!direct)
		raw_spin_lock(&sched_lock);
	c = this_cpu();
	/* any pending signal, even a blocked one, sends both to the general path */
	__builtin_memcpy(&iret_or_mask, &next->sig_restore_mask, sizeof(iret_or_mask));
	/*
	 * A task asleep in the hand-off is on no queue (it slept with no
	 * timeout); with one CPU every affinity mask holds CPU 0, and a task
	 * asleep is not on it (on_cpu is cleared as soon as it is off).
	 */
	if (likely(next->state == TASK_INTERRUPTIBLE && (direct || !on_queue(next)) && !c->need_resched && !prev->wake_at_ns &&
		   !(prev->sig_pending | next->sig_pending) && !iret_or_mask))
		return true;
	if (!direct)
		raw_spin_unlock(&sched_lock);
	local_irq_enable();
	return false;
}

void ipc_handoff(uint64_t *save_rsp, struct pt_regs *next_regs, struct pt_regs *prev_regs);
void ipc_handoff_stack(uint64_t *save_rsp, uint64_t next_rsp, struct pt_regs *prev_regs);

static __attribute__((always_inline)) inline __noreturn void sched_handoff(struct task *prev,
									   struct task *next,
									   bool direct)
{
	struct percpu *c = this_cpu();
	struct mm *mm = next->mm;

	prev->state = TASK_INTERRUPTIBLE;
	next->state = TASK_RUNNING;
	next->timeslice = prev->timeslice ? prev->timeslice : 1;
	prev->timeslice = 0;
	c->schedules++;
	next->on_cpu = 1;
	next->cpu = (int)c->cpu;
	/* switch_to() up to switch_stack: both are user tasks */
	arch_fpu_save(prev->fpu_state);
	arch_fpu_restore(next->fpu_state);
	c->curr = next;
	c->syscall_slow = next->mk;
	c->context_switches++;
	next->costs.context_switches++;
	if (c->active_mm != mm) {		/* mm_switch() */
		c->active_mm = mm;
		write_cr3(mm->pml4);
		next->costs.as_switches++;
	}
	c->kernel_rsp = next->kstack_top;	/* arch_set_kernel_stack() */
	c->tss->rsp[0] = next->kstack_top;
	wrmsr(MSR_FS_BASE, next->fs_base);	/* arch_set_fs_base() */
	if (direct) {
		prev->on_cpu = 0;		/* finish_switch(), early: see above */
		ipc_handoff(&prev->saved_rsp, next->uregs, prev->uregs);
	} else {
		next->wake_at_ns = 0;
		c->prev = prev;
		ipc_handoff_stack(&prev->saved_rsp, next->saved_rsp, prev->uregs);
	}
	__builtin_unreachable();
}

#endif
