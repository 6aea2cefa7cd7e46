/*
 * Per-CPU data reached through GS in kernel mode (the syscall entry needs
 * the kernel stack before it can touch anything else), and the primitives
 * the scheduler uses to build and switch kernel stacks.
 */
#ifndef ASM_SWITCH_H
#define ASM_SWITCH_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/list.h"

struct task;
struct tss;
struct mm;

/* The IPIs (arch/x86/kernel/smp.c): bits of percpu.ipi_pending, and rows of /proc/interrupts. */
enum ipi_kind { IPI_RESCHEDULE, IPI_CALL_FUNC, IPI_TLB, NR_IPI };

/*
 * One per CPU. The first fields sit at fixed offsets the assembly uses;
 * the rest belong to the subsystem named beside them, which documents
 * its locking (most are touched only by their own CPU).
 */
struct percpu {
	struct percpu *self;	/* gs:0 */
	uint64_t kernel_rsp;	/* gs:8: top of the running task's kernel stack */
	uint64_t user_rsp;	/* gs:16: scratch for the syscall entry */
	uint32_t cpu;		/* gs:24: this CPU's number (0 = the boot CPU) */
	uint32_t apic_id;
	struct task *curr;	/* gs:32: the task running here ("current") */
	struct tss *tss;

	/* kernel/sched.c, under sched_lock */
	struct task *idle;		/* this CPU's idle task */
	struct task *prev;		/* switched away from; finish_switch clears its on_cpu */
	struct list_head run_queue;	/* runnable tasks waiting for this CPU */
	unsigned int nr_queued;
	volatile bool need_resched;
	/* syscall_entry must go through x86_syscall: the BKL is on, or curr is in the personality */
	volatile bool syscall_slow;
	struct mm *active_mm;		/* the user page tables loaded here, or NULL */
	uint64_t schedules;		/* __schedule() calls: the soft-lockup detector watches it */
	uint64_t schedules_seen, schedules_seen_ns;	/* kernel/lockup.c, this CPU only */
	uint64_t context_switches;
	uint64_t user_ticks, system_ticks, idle_ticks;	/* /proc/stat's cpuN line */
	uint64_t idle_tsc;		/* TSC ticks spent halted in the idle loop (/proc/idle_tsc) */

	/* kernel/irq.c and kernel/locking/: this CPU only */
	unsigned int irq_nesting;
	unsigned int spin_depth;
	unsigned int lockdep_irq_base;
	uint64_t timer_ticks;		/* LAPIC timer interrupts taken here */

	/* arch/x86/kernel/smp.c */
	uint32_t ipi_pending;		/* bits of enum ipi_kind, set by the sender */
	uint64_t ipi_count[NR_IPI];
	uint64_t nmi_count;
	volatile bool online;		/* running the scheduler */
};

extern struct percpu percpu0;

/* This CPU's need_resched in one instruction (the syscall exit reads it every time). */
static inline bool this_cpu_need_resched(void)
{
	return *(volatile bool __seg_gs *)__builtin_offsetof(struct percpu, need_resched);
}

/* This CPU's block. */
static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));	/* may differ after a schedule() */
	return p;
}

void switch_stack(uint64_t *save_rsp, uint64_t new_rsp);
void ret_from_fork(void);
struct pt_regs;
__attribute__((noreturn)) void arch_enter_user(struct pt_regs *regs);
/* Finish a system call whose kernel frames were given up (kernel/ipc_fast.c). */
int x86_syscall_finish(struct pt_regs *regs, long ret);
void kthread_entry(void);
/* Set the stack the CPU uses for traps and syscalls from user mode. */
void arch_set_kernel_stack(uint64_t top);
void arch_set_fs_base(uint64_t base);
void syscall_init(void);
void syscall_cpu_init(void);	/* this CPU's SYSCALL MSRs */

/* The user-visible x87/SSE state: save, restore, and the state at exec. */
static inline void arch_fpu_save(void *area)
{
	__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

static inline void arch_fpu_restore(const void *area)
{
	__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

void arch_fpu_init_state(void *area);

/*
 * Lay out a new kernel stack so that switch_stack() into it "returns" to
 * @entry with r12 = @r12 and r13 = @r13; returns the rsp to switch to.
 */
static inline uint64_t arch_prepare_stack(uint64_t top, void (*entry)(void), uint64_t r12,
					  uint64_t r13)
{
	uint64_t *sp = (uint64_t *)top;

	*--sp = 0;			/* alignment / fake return */
	*--sp = (uint64_t)entry;	/* ret target */
	*--sp = 0;			/* rbp */
	*--sp = 0;			/* rbx */
	*--sp = r12;
	*--sp = r13;
	*--sp = 0;			/* r14 */
	*--sp = 0;			/* r15 */
	return (uint64_t)sp;
}

#endif
