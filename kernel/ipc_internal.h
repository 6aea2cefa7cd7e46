/*
 * Shared by kernel/ipc.c (the rendezvous and the copies) and
 * kernel/ipc_sys.c (the system calls and the endpoint files) only: the
 * endpoint, a call in flight (on its caller's kernel stack) and a server
 * waiting in ipc_reply_recv (on the server's).
 */
#ifndef KERNEL_IPC_INTERNAL_H
#define KERNEL_IPC_INTERNAL_H

#include <stdbool.h>
#include "kernel/ipc.h"
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
/* The endpoint behind a send end / receive end file, or NULL. */
struct ipc_endpoint *ipc_send_end(struct file *f);
struct ipc_endpoint *ipc_recv_end(struct file *f);
int ipc_prefault(uint64_t addr, size_t len, bool write);
long ipc_do_call(struct ipc_endpoint *ep, struct ipc_call *c, bool intr);
long ipc_do_reply_recv(struct ipc_endpoint *ep, const struct ipc_msg *msg,
		       const struct ipc_span *send, struct ipc_rx *rx);
void ipc_servers_gone(struct ipc_endpoint *ep);
int ipc_send_end_install(struct ipc_endpoint *ep);
int ipc_span_copy(const struct ipc_span *dst, const struct ipc_span *src, size_t n);
void ipc_clients_gone(struct ipc_endpoint *ep);

#endif
