/*
 * The records of the IPC rendezvous (kernel/ipc.c): a call in flight and
 * a server waiting in ipc_reply_recv. They live on their task's kernel
 * stack while it waits, or, for a task that gave its stack up in the
 * fast path's direct hand-off (kernel/ipc_fast.c), in its struct task
 * (task->ipc_wait), which is why kernel/sched.h needs them.
 */
#ifndef KERNEL_IPC_TYPES_H
#define KERNEL_IPC_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include "kernel/ipc.h"
#include "lib/list.h"

struct file;
struct mm;
struct task;

/* A long part: user memory of @mm, or kernel memory when @mm is NULL. */
struct ipc_span {
	struct mm *mm;
	uint64_t addr;
	size_t len;			/* bytes to send, or room to receive */
};

enum ipc_call_state {
	CALL_QUEUED,			/* on ep->senders */
	CALL_BUSY,			/* a server is copying to or from it */
	CALL_SERVING,			/* on ep->serving, c->server owes the answer */
	CALL_DONE,			/* c->result and c->msg hold the outcome */
};

struct mk_grants;

struct ipc_call {
	struct list_head node;
	struct task *caller;
	struct task *server;
	struct ipc_call *serving_next;	/* the server's older calls (task->ipc_serving) */
	volatile int state;		/* enum ipc_call_state */
	bool fatal_only;		/* once served, only a fatal signal withdraws it */
	long result;			/* answer's long length or -errno */
	struct ipc_msg msg;		/* the request, then the answer */
	struct ipc_span send, recv;
	int badge;			/* caller's pid, 0 for the kernel */
	struct mk_grants *grants;	/* a forwarded system call's buffers (kernel/mk.c) */
};

enum ipc_rx_state { RX_WAITING, RX_BUSY, RX_DONE };

struct ipc_rx {
	struct list_head node;		/* on ep->receivers while RX_WAITING */
	struct task *server;
	volatile int state;		/* enum ipc_rx_state */
	long result;			/* request's long length or -errno */
	struct ipc_msg msg;
	struct ipc_span recv;
	int badge;
};

/*
 * A task blocked in the fast path's hand-off: its kernel stack holds
 * only its user registers, and ipc_fast_continue() finishes the call
 * from this record when the task is scheduled the ordinary way.
 */
enum ipc_wait_kind { IPC_WAIT_NONE, IPC_WAIT_CALL, IPC_WAIT_RX };

struct ipc_wait {
	int kind;			/* enum ipc_wait_kind */
	struct file *file;		/* the end it waits on, held open until it is back */
	/*
	 * Not a union: the fields that are the same for every hand-off of
	 * this task (who, no long part in this address space, no grants)
	 * are written when the address space changes, not for every call.
	 */
	struct ipc_call call;		/* IPC_WAIT_CALL: the call it waits to be answered */
	struct ipc_rx rx;		/* IPC_WAIT_RX: where the next request goes */
};

#endif
