/*
 * The IPC fast path: ipc_call and ipc_reply_recv when the message is six
 * words in registers (no long part) and the other side is already
 * waiting, which is every round trip of a server loop. The request goes
 * from the caller's saved registers straight into the waiting server's
 * receive record, the answer straight into the waiting caller's call
 * record, and sched_switch_to_fast() hands the CPU over without the
 * general scheduler. Everything else (a long part, nobody waiting, a
 * queue of callers, a pending signal, EPIPE) is left to the general path
 * in kernel/ipc.c (through kernel/ipc_sys.c) before anything has changed.
 *
 * Both sides leave the same records on the endpoint as the general path
 * does (a struct ipc_call on ep->serving, a struct ipc_rx on
 * ep->receivers) and wait in the same loop, so either path may answer or
 * deliver to the other: a call made here may be answered by an
 * ipc_reply_recv with a long part, withdrawn by a signal or failed by
 * ipc_servers_gone() as any other. Like the general path it runs under
 * the big kernel lock, which sched_switch_to_fast() gives up across the
 * switch.
 */
#include <asm/ptrace.h>
#include "fs/vfs.h"
#include "kernel/ipc_fast.h"
#include "kernel/ipc_internal.h"
#include "kernel/sched.h"

/* The message registers of docs/ipc.md (as kernel/ipc_sys.c reads them). */
static inline void fast_regs_to_msg(const struct pt_regs *r, struct ipc_msg *m)
{
	m->label = r->rsi;
	m->w[0] = r->rdx;
	m->w[1] = r->r10;
	m->w[2] = r->r8;
	m->w[3] = r->r9;
	m->w[4] = r->r12;
}

static inline void fast_msg_to_regs(const struct ipc_msg *m, struct pt_regs *r)
{
	r->rsi = m->label;
	r->rdx = m->w[0];
	r->r10 = m->w[1];
	r->r8 = m->w[2];
	r->r9 = m->w[3];
	r->r12 = m->w[4];
}

/*
 * The general path's file_get/file_put around the wait, in line: the end
 * stays open (and its endpoint alive) while this task sleeps on it.
 */
static inline void fast_file_put(struct file *f)
{
	if (f->refcount > 1)
		f->refcount--;
	else
		file_put(f);
}

/* Sleep until the call is answered, or withdraw it on a signal (as ipc_do_call). */
static void fast_call_wait(struct ipc_call *c)
{
	while (c->state != CALL_DONE) {
		if (signal_pending(current) && c->state != CALL_BUSY) {
			list_del(&c->node);	/* queued, or served: the reply is dropped */
			serving_unlink(c);
			c->state = CALL_DONE;
			c->result = -EINTR;
			break;
		}
		set_current_state(TASK_INTERRUPTIBLE);
		schedule();
	}
}

/* The ipc_call system call (docs/ipc.md); rdi = the send end. */
long sys_ipc_call(const struct pt_regs *args);
long sys_ipc_call(const struct pt_regs *args)
{
	struct pt_regs *regs = current->uregs;	/* == args, writable */
	int fd = (int)args->rdi;
	struct task *self = current;
	struct ipc_endpoint *ep;
	struct ipc_call c;
	struct ipc_rx *rx;
	struct file *f;

	if (regs->r13)
		return sys_ipc_call_slow(args);		/* a long part */
	f = fd_get(fd);
	ep = ipc_send_end(f);
	if (!ep || list_empty(&ep->receivers) || signal_pending(self))
		return sys_ipc_call_slow(args);
	/* deliver() for a message without a long part: nothing to copy but words */
	rx = list_first_entry(&ep->receivers, struct ipc_rx, node);
	list_del_init(&rx->node);
	fast_regs_to_msg(regs, &rx->msg);
	rx->badge = self->tgid;
	rx->result = 0;
	rx->state = RX_DONE;
	c.caller = self;
	serving_push(&c, rx->server);	/* sets c.server */
	c.fatal_only = false;
	c.grants = NULL;
	c.state = CALL_SERVING;
	c.result = 0;
	c.send = c.recv = (struct ipc_span){ self->mm, 0, 0 };
	c.badge = self->tgid;
	list_add_tail(&c.node, &ep->serving);
	f->refcount++;
	sched_switch_to_fast(c.server, TASK_INTERRUPTIBLE);
	fast_call_wait(&c);
	fast_file_put(f);
	/* kernel/costs.h: the request (a server took it) and the answer, if it came */
	if (unlikely(c.result < 0)) {
		self->costs.ipc_messages++;
		return c.result;
	}
	self->costs.ipc_messages += 2;
	fast_msg_to_regs(&c.msg, regs);
	return c.result;
}

/* The call on @ep that the running task is serving, if any. */
static inline struct ipc_call *served_call(struct ipc_endpoint *ep)
{
	struct ipc_call *c;

	list_for_each_entry(c, &ep->serving, node)
		if (c->server == current)
			return c;
	return NULL;
}

/* The ipc_reply_recv system call; rdi = the receive end. */
long sys_ipc_reply_recv(const struct pt_regs *args);
long sys_ipc_reply_recv(const struct pt_regs *args)
{
	struct pt_regs *regs = current->uregs;
	int fd = (int)args->rdi;
	struct task *self = current;
	struct ipc_endpoint *ep;
	struct ipc_call *c;
	struct ipc_rx rx;
	struct file *f;

	if (regs->r13)
		return sys_ipc_reply_recv_slow(args);
	f = fd_get(fd);
	ep = ipc_recv_end(f);
	/* the general path serves a queued caller first, and says EPIPE */
	if (!ep || !list_empty(&ep->senders) || !ep->clients || signal_pending(self))
		return sys_ipc_reply_recv_slow(args);
	c = served_call(ep);
	if (!c)		/* nothing to answer: the first wait of a server */
		return sys_ipc_reply_recv_slow(args);
	/* reply() with no long part: the words, and the caller may go */
	list_del_init(&c->node);
	serving_unlink(c);
	fast_regs_to_msg(regs, &c->msg);
	c->result = 0;
	c->state = CALL_DONE;
	self->costs.ipc_messages++;	/* the answer reached its caller */
	/* wait for the next request, as ipc_do_reply_recv does */
	rx.server = self;
	rx.state = RX_WAITING;
	rx.result = 0;
	rx.recv = (struct ipc_span){ self->mm, 0, 0 };
	rx.badge = 0;
	list_add_tail(&rx.node, &ep->receivers);
	f->refcount++;
	sched_switch_to_fast(c->caller, TASK_INTERRUPTIBLE);
	while (rx.state != RX_DONE) {
		if (signal_pending(self) && rx.state == RX_WAITING) {
			list_del(&rx.node);
			rx.result = -ERESTARTSYS;	/* the answer has gone: a restart only receives */
			break;
		}
		set_current_state(TASK_INTERRUPTIBLE);
		schedule();
	}
	fast_file_put(f);
	if (unlikely(rx.result < 0))
		return rx.result;
	self->costs.ipc_messages++;	/* a request received */
	fast_msg_to_regs(&rx.msg, regs);
	regs->rdi = (uint64_t)rx.badge;
	return rx.result;
}
