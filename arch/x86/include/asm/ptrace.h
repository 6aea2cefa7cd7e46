/*
 * struct pt_regs: the register frame built by the interrupt entry stubs
 * (arch/x86/cpu/isr.asm), in push order reversed. Also the frame the syscall
 * entry will build, so signal and panic code read one layout.
 */
#ifndef ASM_PTRACE_H
#define ASM_PTRACE_H

#include <stdint.h>

struct pt_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

static inline int user_mode(const struct pt_regs *regs)
{
	return (regs->cs & 3) == 3;
}

/* Snapshot the caller's registers (for panic() outside an exception). */
static inline __attribute__((always_inline)) void arch_capture_regs(struct pt_regs *r)
{
	__asm__ volatile("mov %%rax, %0\n\tmov %%rbx, %1\n\tmov %%rcx, %2\n\t"
			 "mov %%rdx, %3\n\tmov %%rsi, %4\n\tmov %%rdi, %5\n\t"
			 "mov %%rsp, %6\n\tmov %%rbp, %7"
			 : "=m"(r->rax), "=m"(r->rbx), "=m"(r->rcx), "=m"(r->rdx),
			   "=m"(r->rsi), "=m"(r->rdi), "=m"(r->rsp), "=m"(r->rbp));
	__asm__ volatile("mov %%r8, %0\n\tmov %%r9, %1\n\tmov %%r10, %2\n\t"
			 "mov %%r11, %3\n\tmov %%r12, %4\n\tmov %%r13, %5\n\t"
			 "mov %%r14, %6\n\tmov %%r15, %7"
			 : "=m"(r->r8), "=m"(r->r9), "=m"(r->r10), "=m"(r->r11),
			   "=m"(r->r12), "=m"(r->r13), "=m"(r->r14), "=m"(r->r15));
	__asm__ volatile("pushfq; popq %0" : "=r"(r->rflags));
	r->cs = 0x08;
	r->ss = 0x10;
	r->vector = r->error_code = 0;
}

#endif
