/*
 * Signal delivery. send_signal() marks a signal pending; on the way back
 * to user mode do_signal() takes the lowest pending, unblocked one and
 * either applies the default action (terminate, stop, continue, ignore) or
 * builds Linux's rt_sigframe on the user stack and enters the handler;
 * rt_sigreturn undoes the frame. Syscalls interrupted with -ERESTARTSYS are
 * restarted or fail with EINTR as SA_RESTART says.
 */
#include <asm/ptrace.h>
#include <asm/switch.h>
#include <asm/uaccess.h>
#include "kernel/lock.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/string.h"

#define STOP_SIGS	(SIGMASK(SIGSTOP) | SIGMASK(SIGTSTP) | SIGMASK(SIGTTIN) | SIGMASK(SIGTTOU))
#define IGNORE_SIGS	(SIGMASK(SIGCHLD) | SIGMASK(SIGURG) | SIGMASK(SIGWINCH) | SIGMASK(SIGCONT))
#define CORE_SIGS	(SIGMASK(SIGQUIT) | SIGMASK(SIGILL) | SIGMASK(SIGTRAP) |     \
			 SIGMASK(SIGABRT) | SIGMASK(SIGBUS) | SIGMASK(SIGFPE) |       \
			 SIGMASK(SIGSEGV) | SIGMASK(SIGXCPU) | SIGMASK(SIGXFSZ) |     \
			 SIGMASK(SIGSYS))

/* Linux's user-visible layouts (x86-64) */
struct sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved[8];
};

struct ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
	struct sigcontext mc;
	uint64_t sigmask;
};

struct siginfo {
	int32_t si_signo, si_errno, si_code, pad;
	int32_t si_pid, si_uid;
	uint64_t si_addr_or_status;
	uint8_t rest[128 - 32];
};

struct rt_sigframe {
	uint64_t pretcode;
	struct ucontext uc;
	struct siginfo info;
};

void siginfo_to_user_layout(void *out128, int sig, const struct sig_info *info)
{
	int32_t *w = out128;
	bool fault = sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
		     sig == SIGTRAP;

	memset(out128, 0, 128);
	w[0] = sig;
	w[2] = info->code;
	if (fault && info->code > 0) {
		memcpy(w + 4, &info->addr, 8);		/* si_addr */
		return;
	}
	w[4] = info->pid;
	w[5] = info->uid;
	if (sig == SIGCHLD)
		w[6] = info->status;
}

int send_signal(struct task *t, int sig)
{
	struct sig_info info = { .code = SI_USER, .pid = current->tgid, .uid = (int)current->cred.uid };

	return send_signal_info(t, sig, &info);
}

/*
 * Signals are sent from any context and CPU (a ^C in the serial
 * interrupt, the ITIMER_REAL tick, another task's kill); siglock orders
 * them against each other, and the owner clears its pending bits with
 * atomic operations. The order is siglock, then sched_lock (the wake-up).
 */
static DEFINE_RAW_SPINLOCK(siglock);

/* Ignored (SIG_IGN, or SIG_DFL whose default is to ignore) and not blocked. */
static bool signal_discarded(const struct task *t, int sig)
{
	uint64_t bit = SIGMASK(sig);
	const struct k_sigaction *ka;

	if ((t->sig_blocked & bit) || !t->sighand || sig == SIGKILL || sig == SIGSTOP)
		return false;
	ka = &t->sighand->action[sig - 1];
	return ka->handler == SIG_IGN || (ka->handler == SIG_DFL && (IGNORE_SIGS & bit));
}

bool fatal_signal_pending(struct task *t)
{
	uint64_t live = t->sig_pending & ~t->sig_blocked;

	if (live & SIGMASK(SIGKILL))
		return true;
	for (int sig = 1; live && sig <= NSIG; sig++) {
		uint64_t bit = SIGMASK(sig);

		if (!(live & bit))
			continue;
		live &= ~bit;
		if (t->sighand && t->sighand->action[sig - 1].handler == SIG_DFL &&
		    !((IGNORE_SIGS | STOP_SIGS) & bit))
			return true;
	}
	return false;
}

int send_signal_info(struct task *t, int sig, const struct sig_info *info)
{
	struct task *notify = NULL;
	unsigned long flags;

	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (!t || t->state == TASK_ZOMBIE || t->state == TASK_DEAD)
		return -ESRCH;
	flags = raw_spin_lock_irqsave(&siglock);
	if (sig == SIGCONT || sig == SIGKILL) {
		__atomic_and_fetch(&t->sig_pending, ~STOP_SIGS, __ATOMIC_SEQ_CST);
		if (t->state == TASK_STOPPED) {
			t->state = TASK_INTERRUPTIBLE;
			t->exit_code = 0;
			if (sig == SIGCONT && t->parent) {
				t->flags |= TASK_CONTINUED;
				notify = t->parent;
			}
			wake_up_task(t);
		}
	}
	if (STOP_SIGS & SIGMASK(sig))
		__atomic_and_fetch(&t->sig_pending, ~SIGMASK(SIGCONT), __ATOMIC_SEQ_CST);
	if (signal_discarded(t, sig)) {
		/* as on Linux: an ignored, unblocked signal is dropped when sent, so
		 * a SIGCHLD nobody handles cannot interrupt a wait */
		raw_spin_unlock_irqrestore(&siglock, flags);
		goto notify;
	}
	if (!(t->sig_pending & SIGMASK(sig)))
		t->siginfo[sig - 1] = *info;	/* standard signals do not queue */
	__atomic_or_fetch(&t->sig_pending, SIGMASK(sig), __ATOMIC_SEQ_CST);
	/* wake an interruptible sleeper; sigtimedwait waits on blocked ones too */
	if (t->state == TASK_INTERRUPTIBLE)
		wake_up_task(t);
	else
		kick_task(t);	/* running elsewhere: have it look before its next tick */
	raw_spin_unlock_irqrestore(&siglock, flags);
notify:
	if (notify) {
		struct sig_info ci = { .code = CLD_CONTINUED, .pid = t->tgid,
				       .uid = (int)t->cred.uid, .status = SIGCONT };

		if (!(notify->sighand->action[SIGCHLD - 1].flags & SA_NOCLDSTOP))
			send_signal_info(notify, SIGCHLD, &ci);
		wake_up(notify->child_exit);
	}
	return 0;
}

/* The owner takes @bit out of its pending set. */
static void clear_pending(uint64_t bit)
{
	__atomic_and_fetch(&current->sig_pending, ~bit, __ATOMIC_SEQ_CST);
}

int kill_pgrp(int pgid, int sig)
{
	struct task *t;
	int found = 0;

	list_for_each_entry(t, &all_tasks, all_node) {
		if (t->pgid == pgid && t->pid && t->state != TASK_ZOMBIE &&
		    t->state != TASK_DEAD && !(t->flags & TASK_KTHREAD)) {
			if (sig)
				send_signal(t, sig);
			found = 1;
		}
	}
	return found ? 0 : -ESRCH;
}

/* Stop until SIGCONT (or SIGKILL); tell the parent. */
static void do_stop(int sig)
{
	set_current_state(TASK_STOPPED);
	current->exit_code = (sig << 8) | 0x7f;
	if (current->parent) {
		struct sig_info info = { .code = CLD_STOPPED, .pid = current->tgid,
					 .uid = (int)current->cred.uid, .status = sig };
		const struct k_sigaction *ka = &current->parent->sighand->action[SIGCHLD - 1];

		if (!(ka->flags & SA_NOCLDSTOP))
			send_signal_info(current->parent, SIGCHLD, &info);
		wake_up(current->parent->child_exit);
	}
	schedule();
}

static int setup_frame(struct pt_regs *regs, int sig, const struct k_sigaction *ka)
{
	uint64_t sp = regs->rsp - 128;		/* skip the red zone */
	uint64_t fp_addr;
	struct rt_sigframe f;
	uint8_t fpu[512] __attribute__((aligned(16)));

	if ((ka->flags & SA_ONSTACK) && current->altstack_size &&
	    !(sp > current->altstack_sp && sp - current->altstack_sp <= current->altstack_size))
		sp = current->altstack_sp + current->altstack_size;
	sp = (sp - sizeof(fpu)) & ~63ULL;
	fp_addr = sp;
	sp = ((sp - sizeof(f)) & ~15ULL) - 8;	/* handler sees rsp % 16 == 8 */

	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.ss_sp = current->altstack_sp;
	f.uc.ss_size = current->altstack_size;
	f.uc.mc = (struct sigcontext){
		.r8 = regs->r8, .r9 = regs->r9, .r10 = regs->r10, .r11 = regs->r11,
		.r12 = regs->r12, .r13 = regs->r13, .r14 = regs->r14, .r15 = regs->r15,
		.rdi = regs->rdi, .rsi = regs->rsi, .rbp = regs->rbp, .rbx = regs->rbx,
		.rdx = regs->rdx, .rax = regs->rax, .rcx = regs->rcx, .rsp = regs->rsp,
		.rip = regs->rip, .eflags = regs->rflags, .cs = (uint16_t)regs->cs,
		.ss = (uint16_t)regs->ss, .err = regs->error_code == ~0UL ? 0 : regs->error_code,
		.trapno = regs->vector < 32 ? regs->vector : 0, .fpstate = fp_addr,
	};
	f.uc.sigmask = current->sig_restore_mask ? current->sig_saved_mask : current->sig_blocked;
	siginfo_to_user_layout(&f.info, sig, &current->siginfo[sig - 1]);
	arch_fpu_save(fpu);
	if (copy_to_user((void *)fp_addr, fpu, sizeof(fpu)) ||
	    copy_to_user((void *)sp, &f, sizeof(f)))
		return -EFAULT;
	current->sig_restore_mask = false;

	regs->rdi = sig;
	regs->rsi = sp + offsetof(struct rt_sigframe, info);
	regs->rdx = sp + offsetof(struct rt_sigframe, uc);
	regs->rax = 0;
	regs->rsp = sp;
	regs->rip = ka->handler;
	current->iret_needed = true;
	regs->rflags &= ~(1UL << 10);		/* DF clear, as the ABI wants */
	return 0;
}

/* Decide what an interrupted syscall returns now that @sig is handled. */
static void syscall_restart(struct pt_regs *regs, const struct k_sigaction *ka)
{
	if ((long)regs->rax != -ERESTARTSYS || regs->error_code != ~0UL)
		return;
	if (ka && ka->handler != SIG_DFL && ka->handler != SIG_IGN && !(ka->flags & SA_RESTART)) {
		regs->rax = -EINTR;
		return;
	}
	regs->rax = regs->vector;		/* the syscall number */
	regs->rip -= 2;				/* back over the syscall instruction */
	regs->rcx = regs->rip;
	current->iret_needed = true;
}

void do_signal(struct pt_regs *regs)
{
	uint64_t deliverable = current->sig_pending & ~(current->sig_blocked & ~UNBLOCKABLE);
	int sig = __builtin_ctzll(deliverable) + 1;
	struct k_sigaction *ka = &current->sighand->action[sig - 1];
	uint64_t bit = SIGMASK(sig);

	clear_pending(bit);
	if (ka->handler == SIG_IGN || (ka->handler == SIG_DFL && (IGNORE_SIGS & bit)))
		return;
	if (ka->handler == SIG_DFL) {
		if (STOP_SIGS & bit) {
			do_stop(sig);
			return;
		}
		zap_other_threads();	/* a fatal signal kills the whole process, as on Linux */
		do_exit((CORE_SIGS & bit) ? (sig | 0x80) : sig);
	}
	syscall_restart(regs, ka);
	if (setup_frame(regs, sig, ka)) {
		pr_info("signal: pid %d (%s): bad signal frame for signal %d, killing\n",
			current->pid, current->comm, sig);
		do_exit(SIGSEGV);
	}
	if (!(ka->flags & SA_NODEFER))
		current->sig_blocked |= bit;
	current->sig_blocked |= ka->mask & ~UNBLOCKABLE;
	if (ka->flags & SA_RESETHAND)
		ka->handler = SIG_DFL;
}

void exit_to_user_mode(struct pt_regs *regs)
{
	for (;;) {
		if (sched_need_resched()) {
			schedule();
			continue;
		}
		if (signal_pending(current)) {
			do_signal(regs);
			continue;
		}
		break;
	}
	/* no handler ran: an interrupted syscall simply restarts */
	syscall_restart(regs, NULL);
	if (current->sig_restore_mask) {
		current->sig_blocked = current->sig_saved_mask;
		current->sig_restore_mask = false;
	}
}

SYSCALL_DEFINE0(rt_sigreturn)
{
	struct pt_regs *regs = current->uregs;
	struct rt_sigframe f;
	uint8_t fpu[512] __attribute__((aligned(16)));
	uint64_t frame = regs->rsp - 8;		/* the handler's ret popped pretcode */

	if (copy_from_user(&f, (void *)frame, sizeof(f)))
		do_exit(SIGSEGV);
	regs->r8 = f.uc.mc.r8;
	regs->r9 = f.uc.mc.r9;
	regs->r10 = f.uc.mc.r10;
	regs->r11 = f.uc.mc.r11;
	regs->r12 = f.uc.mc.r12;
	regs->r13 = f.uc.mc.r13;
	regs->r14 = f.uc.mc.r14;
	regs->r15 = f.uc.mc.r15;
	regs->rdi = f.uc.mc.rdi;
	regs->rsi = f.uc.mc.rsi;
	regs->rbp = f.uc.mc.rbp;
	regs->rbx = f.uc.mc.rbx;
	regs->rdx = f.uc.mc.rdx;
	regs->rcx = f.uc.mc.rcx;
	regs->rsp = f.uc.mc.rsp;
	regs->rip = f.uc.mc.rip;
	/* user may change only the arithmetic flags, DF, TF and AC */
	regs->rflags = (regs->rflags & ~0x40dd5UL) | (f.uc.mc.eflags & 0x40dd5UL);
	regs->error_code = 0;			/* no longer a restartable syscall frame */
	current->iret_needed = true;		/* every register came from the frame */
	current->sig_blocked = f.uc.sigmask & ~UNBLOCKABLE;
	if (f.uc.mc.fpstate && !copy_from_user(fpu, (void *)f.uc.mc.fpstate, sizeof(fpu))) {
		*(uint32_t *)(fpu + 24) &= 0xffff;	/* MXCSR reserved bits would #GP */
		arch_fpu_restore(fpu);
	}
	return f.uc.mc.rax;
}

SYSCALL_DEFINE4(rt_sigaction, int, sig, const struct k_sigaction __user *, act,
		struct k_sigaction __user *, oact, size_t, size)
{
	struct k_sigaction k;

	if (sig < 1 || sig > NSIG || size != sizeof(uint64_t))
		return -EINVAL;
	if (oact && copy_to_user(oact, &current->sighand->action[sig - 1], sizeof(k)))
		return -EFAULT;
	if (act) {
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
		if (copy_from_user(&k, act, sizeof(k)))
			return -EFAULT;
		current->sighand->action[sig - 1] = k;
		if (k.handler == SIG_IGN)
			clear_pending(SIGMASK(sig));
	}
	return 0;
}

SYSCALL_DEFINE4(rt_sigprocmask, int, how, const uint64_t __user *, set, uint64_t __user *, oset,
		size_t, size)
{
	uint64_t new, old = current->sig_blocked;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (set) {
		if (copy_from_user(&new, set, sizeof(new)))
			return -EFAULT;
		if (how == SIG_BLOCK)
			current->sig_blocked |= new;
		else if (how == SIG_UNBLOCK)
			current->sig_blocked &= ~new;
		else if (how == SIG_SETMASK)
			current->sig_blocked = new;
		else
			return -EINVAL;
		current->sig_blocked &= ~UNBLOCKABLE;
	}
	if (oset && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(rt_sigpending, uint64_t __user *, set, size_t, size)
{
	uint64_t p = current->sig_pending & current->sig_blocked;

	return copy_to_user(set, &p, sizeof(p));
}

SYSCALL_DEFINE2(rt_sigsuspend, const uint64_t __user *, mask, size_t, size)
{
	uint64_t m;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&m, mask, sizeof(m)))
		return -EFAULT;
	current->sig_saved_mask = current->sig_blocked;
	current->sig_restore_mask = true;
	current->sig_blocked = m & ~UNBLOCKABLE;
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (signal_pending(current))
			break;
		schedule();
	}
	set_current_running();
	return -EINTR;
}

SYSCALL_DEFINE0(pause)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (signal_pending(current))
			break;
		schedule();
	}
	set_current_running();
	return -EINTR;
}

SYSCALL_DEFINE2(sigaltstack, const uint64_t __user *, ss, uint64_t __user *, old)
{
	uint64_t n[3], o[3] = { current->altstack_sp, current->altstack_size ? 0 : 2,
				current->altstack_size };

	if (old && copy_to_user(old, o, sizeof(o)))
		return -EFAULT;
	if (ss) {
		if (copy_from_user(n, ss, sizeof(n)))
			return -EFAULT;
		if (n[1] & 2) {			/* SS_DISABLE */
			current->altstack_sp = current->altstack_size = 0;
		} else {
			current->altstack_sp = n[0];
			current->altstack_size = n[2];
		}
	}
	return 0;
}

/* kill(): pid > 0 one process, 0 the caller's group, -1 everyone, < -1 a group */
SYSCALL_DEFINE2(kill, int, pid, int, sig)
{
	struct task *t;
	int found = 0;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid > 0) {
		t = task_by_pid(pid);
		if (!t || (t->flags & TASK_KTHREAD))
			return -ESRCH;
		return sig ? send_signal(t, sig) : 0;
	}
	if (pid == 0)
		return kill_pgrp(current->pgid, sig);
	if (pid < -1)
		return kill_pgrp(-pid, sig);
	list_for_each_entry(t, &all_tasks, all_node) {
		if (t->pid > 1 && t != current && !(t->flags & TASK_KTHREAD) &&
		    t->state != TASK_ZOMBIE && t->state != TASK_DEAD) {
			if (sig)
				send_signal(t, sig);
			found = 1;
		}
	}
	return found ? 0 : -ESRCH;
}

static int send_tkill(struct task *t, int sig)
{
	struct sig_info info = { .code = SI_TKILL, .pid = current->tgid,
				 .uid = (int)current->cred.uid };

	if (!t || (t->flags & TASK_KTHREAD))
		return -ESRCH;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	return sig ? send_signal_info(t, sig, &info) : 0;
}

SYSCALL_DEFINE2(tkill, int, tid, int, sig)
{
	return send_tkill(task_by_pid(tid), sig);
}

SYSCALL_DEFINE3(tgkill, int, tgid, int, tid, int, sig)
{
	struct task *t = task_by_pid(tid);

	if (!t || t->tgid != tgid)
		return -ESRCH;
	return send_tkill(t, sig);
}

/* Wait for a signal in @set without running its handler; return its number. */
SYSCALL_DEFINE4(rt_sigtimedwait, const uint64_t __user *, uset, void __user *, uinfo,
		const struct kernel_timespec __user *, uts, size_t, size)
{
	uint64_t set, end = 0, ns;
	int err;
	uint8_t buf[128];

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	set &= ~UNBLOCKABLE;
	if (uts) {
		err = timespec_from_user(uts, &ns);
		if (err)
			return err;
		end = ktime_ns() + ns;
	}
	for (;;) {
		uint64_t ready = current->sig_pending & set;

		if (ready) {
			int sig = __builtin_ctzll(ready) + 1;

			clear_pending(SIGMASK(sig));
			if (uinfo) {
				siginfo_to_user_layout(buf, sig, &current->siginfo[sig - 1]);
				if (copy_to_user(uinfo, buf, sizeof(buf)))
					return -EFAULT;
			}
			return sig;
		}
		if (signal_pending(current))
			return -EINTR;		/* another signal, to be handled */
		if (uts && ktime_ns() >= end)
			return -EAGAIN;
		/* asleep before the next look: a signal sent meanwhile wakes it */
		set_current_state(TASK_INTERRUPTIBLE);
		if (!(current->sig_pending & set) && !signal_pending(current))
			schedule_until(uts ? end : 0);
		set_current_running();
	}
}
