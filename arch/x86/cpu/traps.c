/*
 * CPU exceptions. An exception in kernel mode is a broken invariant: look
 * for a fixup (the user-copy helpers register their faulting instructions),
 * otherwise panic with the registers and a decoded description. Exceptions
 * from user mode become signals once processes exist.
 */
#include <asm/cpu.h>
#include <asm/page.h>
#include <asm/ptrace.h>
#include "arch/x86/x86.h"
#include "kernel/kernel.h"
#include "kernel/ktest.h"
#include "kernel/module.h"
#include "kernel/sched.h"
#include "mm/mm.h"

static const char *const exception_names[32] = {
	[0] = "divide error (#DE)",
	[1] = "debug (#DB)",
	[2] = "non-maskable interrupt (NMI)",
	[3] = "breakpoint (#BP)",
	[4] = "overflow (#OF)",
	[5] = "bound range exceeded (#BR)",
	[6] = "invalid opcode (#UD)",
	[7] = "device not available (#NM)",
	[8] = "double fault (#DF)",
	[10] = "invalid TSS (#TS)",
	[11] = "segment not present (#NP)",
	[12] = "stack-segment fault (#SS)",
	[13] = "general protection fault (#GP)",
	[14] = "page fault (#PF)",
	[16] = "x87 floating-point error (#MF)",
	[17] = "alignment check (#AC)",
	[18] = "machine check (#MC)",
	[19] = "SIMD floating-point error (#XM)",
	[20] = "virtualization exception (#VE)",
	[21] = "control protection (#CP)",
};

/* An entry of __ex_table: a faulting instruction and where to resume. */
struct exception_fixup {
	uint64_t insn;
	uint64_t fixup;
};
extern const struct exception_fixup __ex_table_start[], __ex_table_end[];

static const struct exception_fixup *find_fixup(uint64_t rip)
{
	for (const struct exception_fixup *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->insn == rip)
			return e;
	return NULL;
}

/* Signal for each exception raised by user code. */
static int exception_signal(unsigned int vec)
{
	switch (vec) {
	case 0:
	case 16:
	case 19:
		return SIGFPE;
	case 1:
	case 3:
		return SIGTRAP;
	case 6:
		return SIGILL;
	case 17:
		return SIGBUS;
	default:
		return SIGSEGV;
	}
}

/* A fault user code cannot be allowed to survive: one log line, then a signal. */
static void user_fault(struct pt_regs *regs, int sig, uint64_t addr)
{
	struct sig_info info = { .code = sig == SIGSEGV ? ((regs->error_code & 1) && regs->vector == 14 ?
							  SEGV_ACCERR : SEGV_MAPERR) : 1,
				 .addr = addr };

	pr_info("%s[%d]: %s at %#lx rip %#lx rsp %#lx error %lx\n", current->comm,
		current->pid, sig == SIGSEGV ? "segfault" : "fatal trap", addr, regs->rip,
		regs->rsp, regs->error_code);
	/* a blocked or ignored fatal signal cannot be honoured: force the default */
	if ((current->sig_blocked & SIGMASK(sig)) ||
	    current->sighand->action[sig - 1].handler == SIG_IGN) {
		current->sig_blocked &= ~SIGMASK(sig);
		current->sighand->action[sig - 1].handler = SIG_DFL;
	}
	send_signal_info(current, sig, &info);
}

static __noreturn void page_fault_panic(struct pt_regs *regs);

static void page_fault(struct pt_regs *regs)
{
	uint64_t cr2 = read_cr2(), err = regs->error_code;
	bool write = err & 2, exec = err & 16;
	const struct exception_fixup *fix;

	if (user_mode(regs)) {
		if (mm_fault(cr2, write, exec))
			user_fault(regs, SIGSEGV, cr2);
		return;
	}
	fix = find_fixup(regs->rip);
	if (fix && cr2 < USER_END) {
		/* a user-copy helper: page the memory in, else fail the copy */
		if (!mm_fault(cr2, write, false))
			return;
		regs->rip = fix->fixup;
		return;
	}
	page_fault_panic(regs);
}

static __noreturn void page_fault_panic(struct pt_regs *regs)
{
	uint64_t cr2 = read_cr2();
	uint64_t err = regs->error_code;
	const char *reason = "page-fault";

	const char *gone = module_unloaded_at(cr2);

	if (gone && (err & 16))	/* a call leaves its return address at the stack top */
		panic_regs("module-use-after-free", regs,
			   "call or jump at %#lx in the memory of unloaded module %s (instruction fetch, called from %pS)",
			   cr2, gone, (void *)*(uint64_t *)regs->rsp);
	if (gone)
		panic_regs("module-use-after-free", regs,
			   "%s at %#lx in the memory of unloaded module %s (data access at %pS)",
			   (err & 2) ? "write" : "read", cr2, gone, (void *)regs->rip);
	if (cr2 < 4096)
		reason = "null-deref";
	else if ((err & 1) && !(err & 4) && cr2 < USER_END)
		reason = "smap";
	panic_regs(reason, regs, "page fault at %#lx: %s %s in kernel mode%s%s", cr2,
		   (err & 1) ? "protection violation on" : "not-present page on",
		   (err & 16) ? "instruction fetch" : (err & 2) ? "write" : "read",
		   (err & 8) ? ", reserved bit set" : "",
		   (err & 1) && cr2 < USER_END ? " (user page touched: SMAP/SMEP)" : "");
}

bool __attribute__((weak)) watchdog_nmi(struct pt_regs *regs)
{
	return false;
}

bool __attribute__((weak)) ktest_nmi(struct pt_regs *regs)
{
	return false;
}

/*
 * NMI (its own IST stack on every CPU): panic's stop request, the lockup
 * detector's tick, a crash test's, or something unexpected that is only
 * reported.
 */
static void nmi(struct pt_regs *regs)
{
	/*
	 * An NMI in the syscall entry's first instruction, or just before its
	 * sysret, finds the kernel's CS with the user's GS (the entry stub
	 * swaps only when it interrupted user mode): take the per-CPU block back.
	 */
	bool user_gs = (int64_t)rdmsr(MSR_GS_BASE) >= 0;

	if (user_gs)
		__asm__ volatile("swapgs" ::: "memory");
	this_cpu()->nmi_count++;
	if (!(panic_nmi(regs) || watchdog_nmi(regs) || ktest_nmi(regs)))
		pr_warn("NMI received at %pS\n", (void *)regs->rip);
	if (user_gs)
		__asm__ volatile("swapgs" ::: "memory");
}

/* Handle exception regs->vector. */
void x86_exception(struct pt_regs *regs)
{
	unsigned int vec = regs->vector;
	const char *name = exception_names[vec] ? exception_names[vec] : "reserved exception";

	if (vec == 2) {
		nmi(regs);
		return;
	}
	if (vec == 14) {
		page_fault(regs);
		return;
	}
	if (user_mode(regs)) {
		user_fault(regs, exception_signal(vec), regs->rip);
		return;
	}
	if (find_fixup(regs->rip)) {
		regs->rip = find_fixup(regs->rip)->fixup;
		return;
	}
	if (vec == 8)
		panic_regs("double-fault", regs,
			   "double fault (kernel stack overflow into its guard page?)");
	panic_regs("exception", regs, "%s, error code %#lx, in %s mode", name,
		   regs->error_code, user_mode(regs) ? "user" : "kernel");
}
