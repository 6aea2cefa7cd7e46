/*
 * The system call path on x86-64: MSR setup for SYSCALL/SYSRET, and
 * x86_syscall(), which entry.asm calls with the user registers saved as a
 * struct pt_regs. Arguments follow the Linux ABI (rdi, rsi, rdx, r10, r8,
 * r9; number in rax); the result goes back in rax.
 */
#include <asm/cpu.h>
#include <asm/desc.h>
#include <asm/page.h>
#include <asm/ptrace.h>
#include <asm/switch.h>
#include "kernel/kernel.h"
#include "kernel/mk.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "generated/syscall_count.h"

extern void syscall_entry(void);
extern const unsigned long syscall_count;
extern const syscall_fn_t syscall_table[];
extern const char *const syscall_names[];

extern struct task init_task;
struct percpu percpu0 = { .self = &percpu0, .curr = &init_task, .tss = &tss };
static uint64_t enosys_logged[8];	/* one bit per number < 512 */

int x86_syscall(struct pt_regs *regs);
int x86_syscall_work(struct pt_regs *regs);

void arch_set_kernel_stack(uint64_t top)
{
	struct percpu *c = this_cpu();

	c->kernel_rsp = top;
	c->tss->rsp[0] = top;
}

void arch_set_fs_base(uint64_t base)
{
	wrmsr(MSR_FS_BASE, base);
}

void syscall_init(void)
{
	wrmsr(MSR_GS_BASE, (uint64_t)&percpu0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	syscall_cpu_init();
}

/* The SYSCALL MSRs are per CPU: every CPU sets its own. */
void syscall_cpu_init(void)
{
	wrmsr(MSR_STAR, ((uint64_t)(USER32_CS | 3) << 48) | ((uint64_t)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* clear TF, DF, IF, IOPL, AC, NT on entry */
	wrmsr(MSR_SFMASK, 0x47700);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

const char *syscall_name(unsigned long nr)
{
	return nr < syscall_count ? syscall_names[nr] : NULL;
}

/* The handler of every number without one (sys_ni_syscall, build/syscall_table.c). */
long syscall_unknown(unsigned long nr)
{
	if (nr >= 512 || !(enosys_logged[nr / 64] & (1ULL << (nr % 64)))) {
		const char *name = syscall_name(nr);

		if (nr < 512)
			enosys_logged[nr / 64] |= 1ULL << (nr % 64);
		pr_info("syscall: %s (%lu) not implemented, returning -ENOSYS (pid %d, %s)\n",
			name ? name : "unknown", nr, current->pid, current->comm);
	}
	return -ENOSYS;
}

long syscall_native(struct pt_regs *regs, unsigned long nr)
{
	if (likely(nr < SYSCALL_COUNT))
		return syscall_table[nr](regs);
	return syscall_unknown(nr);
}

static bool is_canonical(uint64_t a)
{
	return a < USER_END;
}

/*
 * The system calls that run without the big kernel lock: they only read
 * the caller's own task (getpid, getppid, gettid, get[e]uid, get[e]gid),
 * so they scale across CPUs. Everything else takes it.
 */
static const uint64_t bkl_free[] = {
	[0] = 1ULL << 39,					/* getpid */
	[1] = 1ULL << (102 - 64) | 1ULL << (104 - 64) |		/* getuid, getgid */
	      1ULL << (107 - 64) | 1ULL << (108 - 64) |		/* geteuid, getegid */
	      1ULL << (110 - 64),				/* getppid */
	[2] = 1ULL << (186 - 128),				/* gettid */
};

static inline bool needs_bkl(unsigned long nr)
{
	return nr >= 64 * ARRAY_SIZE(bkl_free) || !(bkl_free[nr / 64] & (1ULL << (nr % 64)));
}

/*
 * SYSRET reloads rip from rcx and rflags from r11, and faults in ring 0
 * on a non-canonical rcx. The entry saved rcx == rip and r11 == rflags;
 * only execve, signal frames, rt_sigreturn and restarts change them, and
 * those set iret_needed, so the common return skips the checks.
 */
static inline int sysret_ok(const struct pt_regs *regs)
{
	if (likely(!current->iret_needed))
		return 1;
	current->iret_needed = false;
	return regs->rcx == regs->rip && regs->r11 == regs->rflags &&
	       is_canonical(regs->rip) && !(regs->rflags & ((1 << 8) | (1 << 16)));	/* TF, RF */
}

/*
 * The dispatch, inlined twice: with @bkl a constant false (one CPU, or a
 * BKL-free call) it is the same code as a kernel without CONFIG_SMP.
 */
static __attribute__((always_inline)) inline int do_syscall(struct pt_regs *regs,
							    unsigned long nr, bool bkl, bool mk)
{
	long ret;

	if (bkl)
		lock_kernel();
	if (mk)
		ret = mk_syscall(regs, nr);	/* the microkernel personality: kernel/mk.c */
	else if (likely(nr < SYSCALL_COUNT))
		ret = syscall_table[nr](regs);
	else
		ret = syscall_unknown(nr);
	regs->rax = ret;
	if (unlikely(exit_work_pending(regs))) {
		if (!bkl)
			lock_kernel();		/* a no-op on one CPU */
		exit_to_user_mode(regs);
		if (!bkl)
			unlock_kernel();
	}
	if (bkl)
		unlock_kernel();
	return sysret_ok(regs);
}

/*
 * The paths into the kernel that are not syscall_entry's inline dispatch
 * (an out-of-range number, or a call that needs the BKL on several CPUs).
 * Returns nonzero when SYSRET may return to user mode with @regs.
 */
int x86_syscall(struct pt_regs *regs)
{
	unsigned long nr = regs->vector;

	current->costs.syscalls++;	/* kernel/costs.h: one increment on the null call's path */
	if (unlikely(current->mk))
		return do_syscall(regs, nr, bkl_enabled, true);
	if (unlikely(bkl_enabled) && needs_bkl(nr))
		return do_syscall(regs, nr, true, false);
	return do_syscall(regs, nr, false, false);	/* one CPU, or a call that needs no BKL */
}

/*
 * syscall_entry dispatched the call itself (no BKL needed) and found work
 * for the way out: a reschedule, a signal, a restart, a mask to restore,
 * or rip and rflags to check. Returns nonzero when SYSRET is safe.
 */
int x86_syscall_work(struct pt_regs *regs)
{
	if (exit_work_pending(regs)) {
		lock_kernel();		/* a no-op on one CPU */
		exit_to_user_mode(regs);
		unlock_kernel();
	}
	return sysret_ok(regs);
}

/*
 * The end of a system call whose kernel frames were given up (the IPC
 * fast path's hand-off, kernel/ipc_fast.c), taken up again with the BKL
 * held: what do_syscall does after the handler. Nonzero when SYSRET is safe.
 */
int x86_syscall_finish(struct pt_regs *regs, long ret)
{
	regs->rax = ret;
	if (unlikely(exit_work_pending(regs)))
		exit_to_user_mode(regs);
	unlock_kernel();
	return sysret_ok(regs);
}

/* The offsets syscall_entry (entry.asm) uses. */
_Static_assert(__builtin_offsetof(struct percpu, curr) == 32, "entry.asm PERCPU_CURR");
_Static_assert(__builtin_offsetof(struct percpu, need_resched) == 0x54,
	       "entry.asm PERCPU_NEED_RESCHED");
_Static_assert(__builtin_offsetof(struct percpu, syscall_slow) == 0x55,
	       "entry.asm PERCPU_SYSCALL_SLOW");
_Static_assert(__builtin_offsetof(struct task, costs.syscalls) == 0x90,
	       "entry.asm TASK_COSTS_SYSCALLS");
_Static_assert(__builtin_offsetof(struct task, sig_pending) == 0x788,
	       "entry.asm TASK_SIG_PENDING");
_Static_assert(__builtin_offsetof(struct task, sig_restore_mask) == 0x7a0 &&
	       __builtin_offsetof(struct task, iret_needed) == 0x7a1,
	       "entry.asm TASK_SIG_RESTORE_MASK");
_Static_assert(__builtin_offsetof(struct pt_regs, rax) == 14 * 8, "entry.asm PT_RAX");
_Static_assert(sizeof(((struct task *)0)->sig_pending) == 8, "entry.asm compares 8 bytes");
