/*
 * The microkernel personality's hooks (kernel/mk.c, docs/microkernel.md):
 * the syscall entry hands a personality process's calls to mk_syscall,
 * fork and exit tell pm.
 */
#ifndef KERNEL_MK_H
#define KERNEL_MK_H

struct pt_regs;
struct task;

/* Serve system call @nr of the running task, which is in the personality. */
long mk_syscall(struct pt_regs *regs, unsigned long nr);
/* @child of @parent (a personality process) exists and has not run yet. */
void mk_fork(struct task *parent, struct task *child);
/* @t, the last of its process in the personality, exits with @status. */
void mk_exit(struct task *t, int status);

#endif
