/*
 * Synchronous IPC in the style of L4 and seL4: an endpoint is a rendezvous
 * point with a receive end (the server's) and a send end (its clients'),
 * both file descriptors like the two ends of a pipe. ipc_call sends a
 * message and waits for the answer; ipc_reply_recv answers the caller a
 * server is serving and waits for the next one. Six message words travel
 * in registers; a long part of up to IPC_LONG_MAX bytes is copied once,
 * straight into the receiver's buffer. docs/ipc.md describes the ABI.
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/errno.h"

#ifndef EMSGSIZE
#define EMSGSIZE	90
#endif
#ifndef ENOTCONN
#define ENOTCONN	107
#endif

#define IPC_WORDS	6		/* label + 5 data words */
#define IPC_LONG_MAX	(64 * 1024)	/* bytes in one long part */

/* The register part of a message: MR0 (the label) to MR5. */
struct ipc_msg {
	uint64_t label;
	uint64_t w[IPC_WORDS - 1];
};

/*
 * The long part, read from user memory when r13 points at one: what to
 * send with this call or reply, and where the answer or next request goes.
 */
struct ipc_long {
	uint64_t send;		/* user address of the bytes to send */
	uint64_t send_len;
	uint64_t recv;		/* user address of the receive buffer */
	uint64_t recv_cap;
};

struct ipc_endpoint;
struct file;

/*
 * Take a kernel client reference on the endpoint behind @f, which must be
 * a send end (ipcfs keeps one per mount); NULL if it is not one.
 */
struct ipc_endpoint *ipc_client_get(struct file *f);
void ipc_client_put(struct ipc_endpoint *ep);

/*
 * Call @ep from the kernel: send @msg and @slen bytes at @sbuf, wait for
 * the reply (not interruptible: the server answers or dies), which
 * overwrites @msg and puts up to @rcap bytes at @rbuf. Returns the reply's
 * long length, -EPIPE if the server is gone, -EMSGSIZE if a part did not
 * fit.
 */
long ipc_call_kernel(struct ipc_endpoint *ep, struct ipc_msg *msg, const void *sbuf,
		     size_t slen, void *rbuf, size_t rcap);

struct task;
/* @t exits: fail the calls it was serving with -EIO (kernel/exit.c). */
void ipc_task_exit(struct task *t);

#endif
