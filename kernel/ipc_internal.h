/*
 * Shared by kernel/ipc.c (the rendezvous and the copies) and
 * kernel/ipc_sys.c (the system calls and the endpoint files) only: the
 * endpoint; the records of a call in flight and of a server waiting in
 * ipc_reply_recv are in kernel/ipc_types.h.
 */
#ifndef KERNEL_IPC_INTERNAL_H
#define KERNEL_IPC_INTERNAL_H

#include <stdbool.h>
#include "fs/vfs.h"
#include "kernel/ipc.h"
#include "kernel/ipc_types.h"
#include "kernel/sched.h"
#include "lib/list.h"

struct mm;
struct task;

struct ipc_endpoint {
	int refs;			/* open ends and kernel clients */
	int servers;			/* open receive ends */
	int clients;			/* open send ends and kernel clients */
	struct list_head senders;	/* struct ipc_call waiting for a server */
	struct list_head serving;	/* struct ipc_call received, not answered yet */
	struct list_head receivers;	/* struct ipc_rx: servers waiting for a call */
};

/*
 * A server's calls in progress, newest first (task->ipc_serving): what
 * kernel/mk.c walks to find the grants a server may use, and what fails
 * with EIO when the server dies.
 */
static inline void serving_push(struct ipc_call *c, struct task *server)
{
	c->server = server;
	c->serving_next = server->ipc_serving;
	server->ipc_serving = c;
}

static inline void serving_unlink(struct ipc_call *c)
{
	struct ipc_call **pp;

	if (!c->server)
		return;
	for (pp = &c->server->ipc_serving; *pp; pp = &(*pp)->serving_next) {
		if (*pp == c) {
			*pp = c->serving_next;
			break;
		}
	}
	c->serving_next = NULL;
}

struct ipc_endpoint *ipc_endpoint_alloc(void);
void ipc_endpoint_put(struct ipc_endpoint *ep);
/* The endpoint behind a send end / receive end file, or NULL (in line: the fast path asks). */
extern const struct file_ops ipc_send_fops, ipc_recv_fops;

static inline struct ipc_endpoint *ipc_send_end(struct file *f)
{
	return f && f->fops == &ipc_send_fops ? f->priv : NULL;
}

static inline struct ipc_endpoint *ipc_recv_end(struct file *f)
{
	return f && f->fops == &ipc_recv_fops ? f->priv : NULL;
}
int ipc_prefault(uint64_t addr, size_t len, bool write);
long ipc_do_call(struct ipc_endpoint *ep, struct ipc_call *c, bool intr);
long ipc_do_reply_recv(struct ipc_endpoint *ep, const struct ipc_msg *msg,
		       const struct ipc_span *send, struct ipc_rx *rx);
void ipc_servers_gone(struct ipc_endpoint *ep);
int ipc_send_end_install(struct ipc_endpoint *ep);
int ipc_span_copy(const struct ipc_span *dst, const struct ipc_span *src, size_t n);
void ipc_clients_gone(struct ipc_endpoint *ep);

#endif
