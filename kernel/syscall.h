/*
 * System call plumbing. Handlers are written with SYSCALL_DEFINEn, which
 * gives them typed arguments and a uniform entry point
 * long sys_NAME(const struct syscall_args *) for the dispatch table.
 * kernel/syscalls.tbl is the one list of Linux x86-64 syscall numbers and
 * names; scripts/gen-syscalls turns it into the dispatch table and the name
 * table (build/syscall_table.c). A number without a handler returns
 * -ENOSYS and is logged once by name.
 */
#ifndef KERNEL_SYSCALL_H
#define KERNEL_SYSCALL_H

#include <stdint.h>
#include <asm/uaccess.h>

struct syscall_args {
	unsigned long a[6];
};

typedef long (*syscall_fn_t)(const struct syscall_args *args);

#define __SC_ENTRY(name) long sys_##name(const struct syscall_args *args)

#define SYSCALL_DEFINE0(name)                                                \
	static long __do_sys_##name(void);                                   \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name) { (void)args; return __do_sys_##name(); }           \
	static long __do_sys_##name(void)

#define SYSCALL_DEFINE1(name, t1, a1)                                        \
	static long __do_sys_##name(t1 a1);                                  \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name) { return __do_sys_##name((t1)args->a[0]); }         \
	static long __do_sys_##name(t1 a1)

#define SYSCALL_DEFINE2(name, t1, a1, t2, a2)                                \
	static long __do_sys_##name(t1 a1, t2 a2);                           \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name)                                                     \
	{                                                                    \
		return __do_sys_##name((t1)args->a[0], (t2)args->a[1]);     \
	}                                                                    \
	static long __do_sys_##name(t1 a1, t2 a2)

#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3)                        \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3);                    \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name)                                                     \
	{                                                                    \
		return __do_sys_##name((t1)args->a[0], (t2)args->a[1],      \
				       (t3)args->a[2]);                      \
	}                                                                    \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3)

#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4)                \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4);             \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name)                                                     \
	{                                                                    \
		return __do_sys_##name((t1)args->a[0], (t2)args->a[1],      \
				       (t3)args->a[2], (t4)args->a[3]);      \
	}                                                                    \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4)

#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)        \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5);      \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name)                                                     \
	{                                                                    \
		return __do_sys_##name((t1)args->a[0], (t2)args->a[1],      \
				       (t3)args->a[2], (t4)args->a[3],       \
				       (t5)args->a[4]);                      \
	}                                                                    \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5)

#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6) \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6); \
	__SC_ENTRY(name);                                                    \
	__SC_ENTRY(name)                                                     \
	{                                                                    \
		return __do_sys_##name((t1)args->a[0], (t2)args->a[1],      \
				       (t3)args->a[2], (t4)args->a[3],       \
				       (t5)args->a[4], (t6)args->a[5]);      \
	}                                                                    \
	static long __do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6)

/* Name of syscall @nr for logs ("openat"), or NULL. */
const char *syscall_name(unsigned long nr);

#endif
