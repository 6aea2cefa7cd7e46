/*
 * The IPC system calls' two halves: sys_ipc_call and sys_ipc_reply_recv
 * (kernel/ipc_fast.c, the table's entries) try the fast path and leave
 * the rest, having changed nothing, to the general handlers in
 * kernel/ipc_sys.c.
 */
#ifndef KERNEL_IPC_FAST_H
#define KERNEL_IPC_FAST_H

struct pt_regs;

long sys_ipc_call_slow(const struct pt_regs *args);
long sys_ipc_reply_recv_slow(const struct pt_regs *args);
/* entry.asm's ipc_fast_resume: finish a call slept in the hand-off; nonzero if SYSRET is safe. */
int ipc_fast_continue(void);

#endif
