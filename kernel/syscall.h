/*
 * System call plumbing. Handlers are written with SYSCALL_DEFINEn, which
 * gives them typed arguments and a uniform entry point
 * long sys_NAME(const struct pt_regs *) for the dispatch table.
 * kernel/syscalls.tbl is the one list of Linux x86-64 syscall numbers and
 * names; scripts/gen-syscalls turns it into the dispatch table and the name
 * table (build/syscall_table.c). A number without a handler returns
 * -ENOSYS and is logged once by name.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>
#include <asm/uaccess.h>

struct pt_regs;

/*
 * Handlers read their arguments straight from the saved user registers
 * (Linux's order: rdi, rsi, rdx, r10, r8, r9): no copy on the way in.
 */
#include <asm/ptrace.h>
#define SC_ARG0(r)	((r)->rdi)
#define SC_ARG1(r)	((r)->rsi)
#define SC_ARG2(r)	((r)->rdx)
#define SC_ARG3(r)	((r)->r10)
#define SC_ARG4(r)	((r)->r8)
#define SC_ARG5(r)	((r)->r9)

typedef long (*syscall_fn_t)(const struct pt_regs *args);

/* kernel/exec.c: execve with the caller's user argv and envp (kernel/mk.c) */
int execve_user_args(const char *kpath, const char *interp, const char *arg, const char *script,
		     char *const __user *uargv, char *const __user *uenvp);

/* Run system call @nr's own handler (or -ENOSYS), whatever the caller's personality. */
long syscall_native(struct pt_regs *regs, unsigned long nr);

/* Build a register frame to call one handler from another (sys_mkdir -> sys_mkdirat). */
static inline struct pt_regs sc_regs(const unsigned long a[6])
{
	struct pt_regs r = { 0 };

	r.rdi = a[0];
	r.rsi = a[1];
	r.rdx = a[2];
	r.r10 = a[3];
	r.r8 = a[4];
	r.r9 = a[5];
	return r;
}
#define SC_REGS(...) sc_regs((const unsigned long[6]){ __VA_ARGS__ })

#define __SC_ENTRY(name) long sys_##name(const struct pt_regs *args)

#define SYSCALL_DEFINE0(name)                                                \
	static long __do_sys_##name(void);                                   \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name) { (void)args; return __do_sys_##name(); }           \
	static long __do_sys_##name(void)

#define SYSCALL_DEFINE1(name, t1, a1)                                        \
	static long __do_sys_##name(t1 a1);                                  \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name) { return __do_sys_##name((t1)SC_ARG0(args)); }         \
	static long __do_sys_##name(t1 a1)

#define SYSCALL_DEFINE2(name, t1, a1, t2, a2)                                \
	static long __do_sys_##name(t1 a1, t2 a2);                           \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name)                                                     \
	{                                                                    \
		return __do_sys_##name((t1)SC_ARG0(args), (t2)SC_ARG1(args));     \
	}                                                                    \
	static long __do_sys_##name(t1 a1, t2 a2)

#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3)                        \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3);                    \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name)                                                     \
	{                                                                    \
		return __do_sys_##name((t1)SC_ARG0(args), (t2)SC_ARG1(args),      \
				       (t3)SC_ARG2(args));                      \
	}                                                                    \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3)

#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4)                \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4);             \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name)                                                     \
	{                                                                    \
		return __do_sys_##name((t1)SC_ARG0(args), (t2)SC_ARG1(args),      \
				       (t3)SC_ARG2(args), (t4)SC_ARG3(args));      \
	}                                                                    \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4)

#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)        \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5);      \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name)                                                     \
	{                                                                    \
		return __do_sys_##name((t1)SC_ARG0(args), (t2)SC_ARG1(args),      \
				       (t3)SC_ARG2(args), (t4)SC_ARG3(args),       \
				       (t5)SC_ARG4(args));                      \
	}                                                                    \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5)

#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6) \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6); \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name)                                                     \
	{                                                                    \
		return __do_sys_##name((t1)SC_ARG0(args), (t2)SC_ARG1(args),      \
				       (t3)SC_ARG2(args), (t4)SC_ARG3(args),       \
				       (t5)SC_ARG4(args), (t6)SC_ARG5(args));      \
	}                                                                    \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6)

/* Name of syscall @nr for logs ("openat"), or NULL. */
const char *syscall_name(unsigned long nr);
/* -ENOSYS for @nr, logged once by name: what numbers without a handler run. */
long syscall_unknown(unsigned long nr);

#endif
