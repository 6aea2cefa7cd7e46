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
 *
 * When one CPU runs and the other side sleeps in the hand-off below, the
 * round trip is shorter still, as in L4's and seL4's fast paths: the
 * message goes straight into the other side's saved user registers, the
 * task going to sleep leaves its kernel stack (its record moves into
 * task->ipc_wait), and the other side returns to user mode at once,
 * without running any kernel code of its own (sched_handoff() in
 * kernel/sched_internal.h). A task
 * asleep that way and woken by anything else (a long answer, a signal, a
 * dying server) resumes in ipc_fast_continue(), which finishes the call
 * from its record exactly as the code after sched_switch_to_fast() does.
 */
#include <asm/ptrace.h>
#include <asm/switch.h>
#include "fs/vfs.h"
#include "kernel/ipc_fast.h"
#include "kernel/ipc_internal.h"
#include "kernel/sched.h"
#include "kernel/sched_internal.h"

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

/*
 * May the running task sleep in the hand-off and let @next, the other
 * side, run at once? @direct: @next sleeps in the hand-off too, so its
 * answer goes straight into its registers and the reference it holds on
 * its end is dropped for it (the end must stay open without it).
 */
static __attribute__((always_inline)) inline bool handoff_ok(struct task *next, bool direct)
{
	return (!direct || next->ipc_wait.file->refcount > 1) && sched_handoff_begin(current, next, direct);
}

/* The words of @r's message into @to, a task's saved user registers, as its system call's result. */
static inline void fast_regs_to_regs(const struct pt_regs *r, struct pt_regs *to)
{
	to->rsi = r->rsi;
	to->rdx = r->rdx;
	to->r10 = r->r10;
	to->r8 = r->r8;
	to->r9 = r->r9;
	to->r12 = r->r12;
	to->rax = 0;
}

/* @next's hand-off sleep is over: its answer is in its registers. */
static inline void handoff_wake(struct task *next)
{
	next->ipc_wait.kind = IPC_WAIT_NONE;
	next->ipc_wait.file->refcount--;	/* > 1: handoff_ok() */
}

/*
 * lib/list.h's steps without its corruption checks, for the hand-off
 * only: every entry it moves is one it has just found on its list, and
 * the general path, which checks, handles the same lists every time.
 */
static inline void handoff_list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = e->prev = e;
}

static inline void handoff_list_add_tail(struct list_head *e, struct list_head *head)
{
	e->prev = head->prev;
	e->next = head;
	head->prev->next = e;
	head->prev = e;
}

/* Sleep in the hand-off on @f, and let @next run. */
static __attribute__((always_inline)) inline __noreturn void handoff_sleep(struct task *self, struct file *f, int kind,
				     struct task *next, bool direct)
{
	self->ipc_wait.kind = kind;
	self->ipc_wait.file = f;
	f->refcount++;
	sched_handoff(self, next, direct);
}

/* sys_ipc_call, once handoff_ok() said yes for @rx's server. */
static __noreturn void call_handoff(struct task *self, struct ipc_endpoint *ep, struct file *f,
				    struct ipc_rx *rx, bool direct)
{
	struct task *server = rx->server;
	struct ipc_call *c = &self->ipc_wait.call;

	handoff_list_del(&rx->node);
	if (direct) {
		fast_regs_to_regs(self->uregs, server->uregs);
		server->uregs->rdi = (uint64_t)self->tgid;	/* the badge */
		server->costs.ipc_messages++;			/* a request received */
		handoff_wake(server);
	} else {
		fast_regs_to_msg(self->uregs, &rx->msg);
		rx->badge = self->tgid;
		rx->result = 0;
	}
	rx->state = RX_DONE;
	if (unlikely(c->send.mm != self->mm)) {	/* the first call, or one after an exec */
		c->caller = self;
		c->fatal_only = false;
		c->grants = NULL;
		c->send = c->recv = (struct ipc_span){ self->mm, 0, 0 };
		c->badge = self->tgid;
	}
	serving_push(c, server);
	c->state = CALL_SERVING;
	c->result = 0;
	handoff_list_add_tail(&c->node, &ep->serving);
	handoff_sleep(self, f, IPC_WAIT_CALL, server, direct);
}

/* sys_ipc_reply_recv, once handoff_ok() said yes for @c's caller. */
static __noreturn void reply_handoff(struct task *self, struct ipc_endpoint *ep, struct file *f,
				     struct ipc_call *c, bool direct)
{
	struct task *caller = c->caller;
	struct ipc_rx *rx = &self->ipc_wait.rx;

	handoff_list_del(&c->node);
	if (likely(self->ipc_serving == c))	/* serving_unlink(): the newest call */
		self->ipc_serving = c->serving_next;
	else
		serving_unlink(c);
	if (direct) {
		fast_regs_to_regs(self->uregs, caller->uregs);
		caller->costs.ipc_messages += 2;	/* the request and the answer */
		handoff_wake(caller);
	} else {
		fast_regs_to_msg(self->uregs, &c->msg);
		c->result = 0;
	}
	c->state = CALL_DONE;
	self->costs.ipc_messages++;		/* the answer reached its caller */
	if (unlikely(rx->recv.mm != self->mm)) {	/* as in call_handoff() */
		rx->server = self;
		rx->recv = (struct ipc_span){ self->mm, 0, 0 };
	}
	rx->state = RX_WAITING;
	rx->result = 0;
	handoff_list_add_tail(&rx->node, &ep->receivers);
	handoff_sleep(self, f, IPC_WAIT_RX, caller, direct);
}

/* Sleep until a request comes, or give up on a signal (as ipc_do_reply_recv); the result. */
static long fast_rx_wait(struct ipc_rx *rx)
{
	while (rx->state != RX_DONE) {
		if (signal_pending(current) && rx->state == RX_WAITING) {
			list_del(&rx->node);
			rx->result = -ERESTARTSYS;	/* the answer has gone: a restart only receives */
			break;
		}
		set_current_state(TASK_INTERRUPTIBLE);
		schedule();
	}
	return rx->result;
}

/*
 * The fast path when the hand-off cannot be used (several CPUs, or the
 * other side is not simply asleep): the records on this task's stack,
 * and sched_switch_to_fast(). Out of line, so that the hand-off's path
 * sets up no stack frame for them.
 */
static __attribute__((noinline)) long call_switch(struct task *self, struct pt_regs *regs,
						  struct ipc_endpoint *ep, struct file *f,
						  struct ipc_rx *rx)
{
	struct ipc_call c;

	/* deliver() for a message without a long part: nothing to copy but words */
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

/* The file open at @fd in @t, as fd_get() finds it, in line. */
static inline struct file *fast_fd(struct task *t, int fd)
{
	return (unsigned int)fd < MAX_FDS && t->files ? t->files->fd[fd] : NULL;
}

/* The ipc_call system call (docs/ipc.md); rdi = the send end. */
long sys_ipc_call(const struct pt_regs *args);
long sys_ipc_call(const struct pt_regs *args)
{
	struct task *self = current;
	struct pt_regs *regs = self->uregs;	/* == args, writable */
	struct ipc_endpoint *ep;
	struct ipc_rx *rx;
	struct file *f;
	bool direct;

	if (regs->r13)
		return sys_ipc_call_slow(args);		/* a long part */
	f = fast_fd(self, (int)regs->rdi);
	ep = ipc_send_end(f);
	if (!ep || list_empty(&ep->receivers))
		return sys_ipc_call_slow(args);
	rx = list_first_entry(&ep->receivers, struct ipc_rx, node);
	direct = rx == &rx->server->ipc_wait.rx;
	if (handoff_ok(rx->server, direct))	/* it checks signals */
		call_handoff(self, ep, f, rx, direct);		/* does not return */
	if (signal_pending(self))
		return sys_ipc_call_slow(args);
	return call_switch(self, regs, ep, f, rx);
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

/* sys_ipc_reply_recv's counterpart of call_switch(). */
static __attribute__((noinline)) long reply_switch(struct task *self, struct pt_regs *regs,
						   struct ipc_endpoint *ep, struct file *f,
						   struct ipc_call *c)
{
	struct ipc_rx rx;

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
	fast_rx_wait(&rx);
	fast_file_put(f);
	if (unlikely(rx.result < 0))
		return rx.result;
	self->costs.ipc_messages++;	/* a request received */
	fast_msg_to_regs(&rx.msg, regs);
	regs->rdi = (uint64_t)rx.badge;
	return rx.result;
}

/* The ipc_reply_recv system call; rdi = the receive end. */
long sys_ipc_reply_recv(const struct pt_regs *args);
long sys_ipc_reply_recv(const struct pt_regs *args)
{
	struct task *self = current;
	struct pt_regs *regs = self->uregs;
	struct ipc_endpoint *ep;
	struct ipc_call *c;
	struct file *f;
	bool direct;

	if (regs->r13)
		return sys_ipc_reply_recv_slow(args);
	f = fast_fd(self, (int)regs->rdi);
	ep = ipc_recv_end(f);
	/* the general path serves a queued caller first, and says EPIPE */
	if (!ep || !list_empty(&ep->senders) || !ep->clients)
		return sys_ipc_reply_recv_slow(args);
	c = served_call(ep);
	if (!c)		/* nothing to answer: the first wait of a server */
		return sys_ipc_reply_recv_slow(args);
	direct = c == &c->caller->ipc_wait.call;
	if (handoff_ok(c->caller, direct))	/* it checks signals */
		reply_handoff(self, ep, f, c, direct);		/* does not return */
	if (signal_pending(self))
		return sys_ipc_reply_recv_slow(args);
	return reply_switch(self, regs, ep, f, c);
}

/*
 * A task that slept in the hand-off, scheduled the ordinary way (its
 * partner took the general path, or a signal, a timeout or a dying server
 * woke it): entry.asm's ipc_fast_resume calls this on the task's own
 * stack, with nothing below its user registers. It finishes the system
 * call from task->ipc_wait as the code after sched_switch_to_fast() in
 * the functions above does, and returns nonzero if SYSRET is safe.
 */
int ipc_fast_continue(void)
{
	struct task *self = current;
	struct ipc_wait *w = &self->ipc_wait;
	struct pt_regs *regs = self->uregs;
	long ret;

	sched_resume_tail();
	lock_kernel();
	if (w->kind == IPC_WAIT_CALL) {
		struct ipc_call *c = &w->call;

		fast_call_wait(c);
		ret = c->result;
		if (ret >= 0) {
			self->costs.ipc_messages += 2;
			fast_msg_to_regs(&c->msg, regs);
		} else {
			self->costs.ipc_messages++;
		}
	} else {
		struct ipc_rx *rx = &w->rx;

		ret = fast_rx_wait(rx);
		if (ret >= 0) {
			self->costs.ipc_messages++;	/* a request received */
			fast_msg_to_regs(&rx->msg, regs);
			regs->rdi = (uint64_t)rx->badge;
		}
	}
	w->kind = IPC_WAIT_NONE;
	fast_file_put(w->file);
	return x86_syscall_finish(regs, ret);
}
