/*
 * Signals with Linux's x86-64 numbers and structures. The kernel keeps a
 * pending and a blocked mask per task (bit sig-1) and a shared handler
 * table per process; do_signal() runs on every return to user mode.
 */
#ifndef KERNEL_SIGNAL_H
#define KERNEL_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGABRT		6
#define SIGBUS		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGUSR1		10
#define SIGSEGV		11
#define SIGUSR2		12
#define SIGPIPE		13
#define SIGALRM		14
#define SIGTERM		15
#define SIGSTKFLT	16
#define SIGCHLD		17
#define SIGCONT		18
#define SIGSTOP		19
#define SIGTSTP		20
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGURG		23
#define SIGXCPU		24
#define SIGXFSZ		25
#define SIGVTALRM	26
#define SIGPROF		27
#define SIGWINCH	28
#define SIGIO		29
#define SIGPWR		30
#define SIGSYS		31
#define NSIG		64

#define SIG_DFL		0UL
#define SIG_IGN		1UL

#define SA_NOCLDSTOP	0x00000001
#define SA_NOCLDWAIT	0x00000002
#define SA_SIGINFO	0x00000004
#define SA_RESTORER	0x04000000
#define SA_ONSTACK	0x08000000
#define SA_RESTART	0x10000000
#define SA_NODEFER	0x40000000
#define SA_RESETHAND	0x80000000

#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

#define SIGMASK(sig)	(1ULL << ((sig) - 1))

/* struct sigaction as the rt_sigaction syscall passes it (kernel layout) */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct sighand {
	int refcount;
	struct k_sigaction action[NSIG];
};

/* si_code values */
#define SI_USER		0
#define SI_KERNEL	0x80
#define SI_TKILL	(-6)
#define SEGV_MAPERR	1
#define SEGV_ACCERR	2
#define CLD_EXITED	1
#define CLD_KILLED	2
#define CLD_DUMPED	3
#define CLD_STOPPED	5
#define CLD_CONTINUED	6

/* What the kernel remembers about a pending signal (siginfo_t's fields). */
struct sig_info {
	int code;
	int pid, uid;
	int status;
	uint64_t addr;
};

struct task;
struct pt_regs;

/* send_signal with details for the handler's siginfo_t. */
int send_signal_info(struct task *t, int sig, const struct sig_info *info);
/* Fill a user siginfo_t (128 bytes) for @sig from @info. */
void siginfo_to_user_layout(void *out128, int sig, const struct sig_info *info);

/* Queue @sig for @t and wake it if it sleeps interruptibly; 0 or -errno. */
int send_signal(struct task *t, int sig);
/* A pending, unblocked signal will kill @t (SIGKILL, or a default action that terminates). */
bool fatal_signal_pending(struct task *t);
/* Send SIGKILL to every other thread of the caller's process (kernel/exit.c). */
void zap_other_threads(void);
/* Signal every task in process group @pgid; -ESRCH if none. */
int kill_pgrp(int pgid, int sig);
/* Deliver pending signals before returning to user mode with @regs. */
void do_signal(struct pt_regs *regs);

#endif
