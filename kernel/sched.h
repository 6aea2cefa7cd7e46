/*
 * Tasks and scheduling. A task is a thread of execution with its own kernel
 * stack; user processes are tasks with an address space (struct mm) and the
 * per-process state the Linux ABI needs: open files, cwd, credentials,
 * signal handlers, process group and session. Threads created with
 * CLONE_VM/CLONE_FILES/CLONE_SIGHAND share those parts by reference count.
 *
 * Blocking uses wait queues: a task sleeps on a queue until a condition is
 * true, and wake_up() makes every sleeper runnable again to re-check.
 *
 * Several CPUs run tasks (docs/smp.md, docs/locking.md): each CPU has its
 * own run queue, all under the scheduler's sched_lock, and kernel code
 * outside interrupt handlers runs holding the big kernel lock
 * (lock_kernel), which a task gives up while it sleeps.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/irq.h>
#include <asm/ptrace.h>
#include <asm/switch.h>
#include "kernel/costs.h"
#include "kernel/ipc_types.h"
#include "kernel/kernel.h"
#include "kernel/signal.h"
#include "kernel/wait.h"
#include "kernel/locking/lockdebug.h"
#include "lib/list.h"

struct pt_regs;
struct mm;
struct files;
struct fs_context;
struct tty;

enum task_state {
	TASK_RUNNING,		/* on the run queue or on the CPU */
	TASK_INTERRUPTIBLE,	/* sleeping; a signal wakes it */
	TASK_UNINTERRUPTIBLE,	/* sleeping; only wake_up wakes it */
	TASK_STOPPED,		/* SIGSTOP/SIGTSTP; SIGCONT resumes */
	TASK_ZOMBIE,		/* exited, waiting for its parent's wait4 */
	TASK_DEAD,		/* reaped; freed by the scheduler */
};

#define TASK_COMM_LEN	16
#define KERNEL_STACK_SIZE (16 * 1024)

struct cred {
	uint32_t uid, gid, euid, egid;
};

struct task {
	int pid;		/* thread id */
	int tgid;		/* process id (== pid of the group leader) */
	int pgid, sid;
	char comm[TASK_COMM_LEN];
	volatile int state;	/* enum task_state */
	int exit_code;		/* wait4 status word once a zombie */
	unsigned int flags;

	/* scheduling */
	uint64_t kstack_top;	/* top of the kernel stack (TSS rsp0) */
	void *kstack;		/* vmalloc'd base, freed at reap */
	uint64_t saved_rsp;	/* kernel rsp while switched out */
	struct list_head run_node;	/* on a CPU's run queue or the timed sleepers */
	int cpu;			/* the CPU it runs or last ran on */
	volatile int on_cpu;		/* 1 from switch-in until its switch-out is complete */
	uint64_t cpus_allowed;		/* affinity: bit N = may run on CPU N */
	int lock_depth;			/* big kernel lock nesting, -1 when not held */
	unsigned int timeslice;
	uint64_t wake_at_ns;	/* for timed sleeps, 0 if none */
	uint64_t utime, stime;	/* ticks spent in user / kernel mode */
	uint64_t start_ns;

	/* counted costs (kernel/costs.h): this task's own, and a leader's exited threads' */
	struct task_costs costs;
	struct task_costs costs_exited;

	/* user-mode state */
	struct pt_regs *uregs;	/* user registers at the top of the kernel stack */
	uint64_t fs_base;	/* arch_prctl(ARCH_SET_FS) */
	uint64_t clear_child_tid;	/* set_tid_address */
	uint64_t set_child_tid;		/* CLONE_CHILD_SETTID: written at first run */

	/* shared, reference-counted parts */
	struct mm *mm;
	struct files *files;
	struct fs_context *fs;
	struct sighand *sighand;
	struct cred cred;
	struct tty *tty;	/* controlling terminal, shared by the session */

	/* signals */
	struct sig_info siginfo[NSIG];	/* why each pending signal was sent */
	uint64_t itimer_at_ns, itimer_interval_ns;	/* ITIMER_REAL */
	uint64_t sig_pending;
	uint64_t sig_blocked;
	uint64_t sig_saved_mask;	/* restored after rt_sigsuspend's handler */
	bool sig_restore_mask;
	bool iret_needed;		/* user rip/rflags changed: return with iretq */
	uint64_t altstack_sp, altstack_size;

	/* user FPU/SSE state (fxsave image), saved while switched out */
	uint8_t fpu_state[512] __attribute__((aligned(16)));

	/* family */
	struct task *parent;
	int ppid;		/* parent->tgid, kept beside it: getppid reads it without the BKL */
	struct list_head children;
	struct list_head sibling;
	struct list_head all_node;	/* in the global task list */
	struct wait_queue *child_exit;	/* this task's wait4 sleeps here */
	struct wait_queue child_exit_wq;
	struct wait_queue *vfork_done;	/* a vfork parent waits here for exec/exit */

	struct kthread *kthread;	/* kthread_create's bookkeeping, or NULL */

	/* the microkernel personality (kernel/mk.c, docs/microkernel.md) */
	bool mk;			/* system calls go to the servers; inherited */
	struct ipc_call *ipc_serving;	/* calls this task serves, newest first (kernel/ipc.c) */
	struct ipc_wait ipc_wait;	/* blocked in the fast path's hand-off (kernel/ipc_fast.c) */
#ifdef CONFIG_DEBUG_LOCKS
	struct held_locks held;		/* locks this task holds, in order */
#endif
};

#define TASK_KTHREAD	0x1	/* kernel thread: no user mode */
#define TASK_VFORK_DONE	0x2
#define TASK_CONTINUED	0x4	/* resumed by SIGCONT, not yet reported to wait */

/* The task running on this CPU. */
#ifdef BASALT_HOST_TEST
extern struct task *current;
#else
static inline struct task *get_current(void)
{
	struct task *t;

	__asm__("movq %%gs:32, %0" : "=r"(t));	/* the same task wherever it runs */
	return t;
}
#define current get_current()
#endif
extern struct list_head all_tasks;

/*
 * A sleeping task's state is set before its wake-up condition is checked
 * (a full barrier between the two), and wakers change it only under
 * sched_lock: a wake-up between the check and schedule() finds the task
 * asleep and makes it runnable again, and schedule() then does not sleep.
 */
static inline void set_current_state(int state)
{
	__atomic_store_n(&current->state, state, __ATOMIC_SEQ_CST);
}

/* SIGKILL and SIGSTOP cannot be blocked. */
#define UNBLOCKABLE	(SIGMASK(SIGKILL) | SIGMASK(SIGSTOP))

/* Has @t a signal it does not block? (inline: every interruptible sleep asks) */
static inline bool signal_pending(const struct task *t)
{
	return (t->sig_pending & ~(t->sig_blocked & ~UNBLOCKABLE)) != 0;
}

/*
 * Sleep until @cond is true. The interruptible form returns -ERESTARTSYS (the
 * syscall is restarted or fails with EINTR, as the signal handler asks) when a
 * signal arrives first, else 0. The task is on the queue and marked asleep
 * before @cond is checked, so a wake_up from another CPU or an interrupt
 * handler cannot be lost.
 */
#define wait_event_interruptible(wq, cond)                                   \
	({                                                                   \
		int __ret = 0;                                               \
		struct wait_entry __we = { .task = current };                \
		for (;;) {                                                   \
			if (cond)	/* the common case: no wait at all */ \
				break;                                       \
			prepare_to_wait(&(wq), &__we, TASK_INTERRUPTIBLE);   \
			if (cond)                                            \
				break;                                       \
			if (signal_pending(current)) {                       \
				__ret = -ERESTARTSYS;                        \
				break;                                       \
			}                                                    \
			schedule();                                          \
		}                                                            \
		if (__we.node.next)	/* it did prepare: unlink */         \
			finish_wait(&(wq), &__we);                           \
		__ret;                                                       \
	})

#define wait_event(wq, cond)                                                 \
	do {                                                                 \
		struct wait_entry __we = { .task = current };                \
		if (cond)	/* the common case: no wait at all */         \
			break;                                               \
		for (;;) {                                                   \
			prepare_to_wait(&(wq), &__we, TASK_UNINTERRUPTIBLE); \
			if (cond)                                            \
				break;                                       \
			schedule();                                          \
		}                                                            \
		finish_wait(&(wq), &__we);                                   \
	} while (0)

/* After a sleep loop: runnable, with no timed wake-up left (the _ form: sched_lock held). */
void set_current_running(void);
void __set_current_running(void);

/* --- the big kernel lock (kernel/sched.c) ---------------------------------------- */
/*
 * Held by every task running kernel code on behalf of a process or a
 * kernel thread, from syscall or fault entry to the return to user mode;
 * schedule() gives it up while the task sleeps and takes it back after.
 * Interrupt handlers never take it. Nested: lock_depth counts.
 */
extern struct task *bkl_owner;
extern unsigned int bkl_nwaiters;
/*
 * More than one CPU runs (fixed at sched_init): on one CPU the BKL does
 * nothing, and without CONFIG_SMP it compiles away.
 */
#ifdef CONFIG_SMP
extern bool bkl_enabled;
#else
#define bkl_enabled false
#endif
void bkl_acquire(void);
void bkl_release_slow(void);

/* The uncontended halves inline: a compare-exchange to take it, a store to let go. */
static inline void lock_kernel(void)
{
	struct task *t;

	if (!bkl_enabled)		/* one CPU: nothing to exclude, not even a count */
		return;
	t = current;
	if (++t->lock_depth == 0 && !__sync_bool_compare_and_swap(&bkl_owner, NULL, t))
		bkl_acquire();
}

static inline void unlock_kernel(void)
{
	if (bkl_enabled && --current->lock_depth < 0) {
		if (__builtin_expect(!__atomic_load_n(&bkl_nwaiters, __ATOMIC_RELAXED), 1)) {
			__atomic_store_n(&bkl_owner, NULL, __ATOMIC_RELEASE);
			__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* before the second look */
			if (__builtin_expect(!__atomic_load_n(&bkl_nwaiters, __ATOMIC_RELAXED), 1))
				return;
		}
		bkl_release_slow();
	}
}
/* Acquisitions that waited, waits that slept, and the time waited (/proc/bkl_stat). */
void bkl_stats(uint64_t *contended, uint64_t *sleeps, uint64_t *wait_ns);
static inline bool kernel_locked(void)
{
	return !bkl_enabled || current->lock_depth >= 0;
}

/* --- scheduler -------------------------------------------------------------- */
void sched_init(void);
/* An AP enters the scheduler: its idle task (the AP's boot stack) runs @idle_loop. */
__noreturn void sched_ap_start(unsigned int cpu);
/* Idle loop of every CPU: schedule when there is work, halt otherwise. */
__noreturn void cpu_idle_loop(void);
/* Affinity (sched_setaffinity): move @t to a CPU in @mask. */
int sched_set_allowed(struct task *t, uint64_t mask);
/* The lockup detectors' look, from every CPU's tick (kernel/lockup.c). */
void lockup_tick(struct pt_regs *regs);
/* A reschedule IPI arrived (arch code). */
void scheduler_ipi(void);
/* Per-CPU counters for /proc: switches, queued tasks. */
uint64_t sched_cpu_switches(unsigned int cpu);
/* TSC ticks CPU @cpu spent halted in its idle loop (/proc/idle_tsc). */
uint64_t sched_cpu_idle_tsc(unsigned int cpu);
/* Ticks CPU @cpu spent in user mode, in the kernel, and idle. */
void sched_cpu_times(unsigned int cpu, uint64_t *user, uint64_t *sys, uint64_t *idle);
/* Give up the CPU; returns when this task is chosen again. */
void schedule(void);
/* The same, and a sleeping task is woken at ktime_ns() @deadline_ns at the latest (0: never). */
void schedule_until(uint64_t deadline_ns);
/* Switch straight to @next, making it runnable (the IPC fast path). */
void sched_switch_to(struct task *next);
/* The same, lean when @next is simply asleep; sleeps in @state (no set_current_state first). */
void sched_switch_to_fast(struct task *next, int state);
/*
 * The first C code of a task that slept in the IPC fast path's hand-off
 * (kernel/sched_internal.h) and was resumed the ordinary way.
 */
void sched_resume_tail(void);
/* Called from the timer interrupt: account time, preempt at slice end. */
void sched_tick(bool user_mode);
/* Make @t runnable (from any context). */
void wake_up_task(struct task *t);
/* Sleep for @ns nanoseconds; -EINTR if a signal arrives. */
int sleep_ns(uint64_t ns);

/* Start a kernel thread running fn(arg) now (kernel/kthread.h has Linux's forms). */
struct task *kthread_spawn(const char *name, int (*fn)(void *), void *arg);
/* The same, not yet runnable (task_start makes it so). */
struct task *kthread_alloc(const char *name, int (*fn)(void *), void *arg);
struct task *task_by_pid(int pid);
int alloc_pid(void);

/* Run the first user program (/init, /sbin/init, then /bin/sh). */
void start_init(void);

/* Task life cycle (kernel/sched.c, kernel/fork.c, kernel/exit.c). */
struct task *task_alloc(const char *name);
/* Leave the kernel for user mode with the registers in current->uregs. */
__noreturn void enter_user_mode(void);
int do_execve(const char *path, char *const *argv, char *const *envp);
void task_start(struct task *t);
void task_free(struct task *t);
void task_release_parts(struct task *t);	/* drop mm, files, fs, handlers */
void reap_dead_tasks(void);
extern struct list_head dead_tasks;
/* A racy peek (every schedule() asks): the caller locks before reaping. */
static inline bool dead_tasks_pending(void)
{
	return !list_empty(&dead_tasks);
}
/* Wake up to @n tasks in FUTEX_WAIT on user address @uaddr. */
int futex_wake_addr(uint64_t uaddr, int n);
bool sched_need_resched(void);
/* Make @t, if it runs on another CPU, look at its signals now (a reschedule IPI). */
void kick_task(struct task *t);
void itimer_tick(uint64_t now_ns);	/* ITIMER_REAL expiry, from the tick */
__noreturn void do_exit(int status);
/* Before every return to user mode: reschedule, deliver signals. */
void exit_to_user_mode(struct pt_regs *regs);
/* Anything for exit_to_user_mode to do? (the common syscall skips it) */
static inline bool exit_work_pending(const struct pt_regs *regs)
{
	return this_cpu_need_resched() || current->sig_pending || current->sig_restore_mask ||
	       (long)regs->rax == -ERESTARTSYS;
}

#endif
