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

static int apply_fixup(struct pt_regs *regs)
{
	for (const struct exception_fixup *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == regs->rip) {
			regs->rip = e->fixup;
			return 1;
		}
	}
	return 0;
}

static void page_fault_panic(struct pt_regs *regs)
{
	uint64_t cr2 = read_cr2();
	uint64_t err = regs->error_code;
	const char *reason = "page-fault";

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

/* Handle exception regs->vector. */
void x86_exception(struct pt_regs *regs)
{
	unsigned int vec = regs->vector;
	const char *name = exception_names[vec] ? exception_names[vec] : "reserved exception";

	if (!user_mode(regs) && apply_fixup(regs))
		return;
	if (vec == 2) {
		pr_warn("NMI received at %pS\n", (void *)regs->rip);
		return;
	}
	if (vec == 14 && !user_mode(regs))
		page_fault_panic(regs);
	if (vec == 8)
		panic_regs("double-fault", regs,
			   "double fault (kernel stack overflow into its guard page?)");
	panic_regs("exception", regs, "%s, error code %#lx, in %s mode", name,
		   regs->error_code, user_mode(regs) ? "user" : "kernel");
}
