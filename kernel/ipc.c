/*
 * Synchronous IPC endpoints (see kernel/ipc.h and docs/ipc.md): the
 * rendezvous between a caller and a server, the one copy of a long part
 * between two address spaces, and the direct switch from caller to server
 * and back. Every user is a system call, so the queues and the call and
 * receiver states are the big kernel lock's: a waiter checks its state and
 * marks itself asleep holding it, and the other side (on any CPU) can
 * change the state and wake it only once schedule() has let the lock go,
 * so no wake-up is lost. A copy that may fault marks its call or receiver
 * busy so that a signal cannot pull it away mid-copy.
 *
 * The system calls (ipc_create, ipc_call, ipc_reply_recv) are in
 * kernel/ipc_sys.c.
 */
#include <asm/pgtable.h>
#include <asm/uaccess.h>
#include "kernel/ipc_internal.h"
#include "kernel/signal.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/mm.h"

/* Endpoints die with their last reference (ends and kernel clients). */
void ipc_endpoint_put(struct ipc_endpoint *ep)
{
	if (--ep->refs == 0)
		kfree(ep);
}

struct ipc_endpoint *ipc_endpoint_alloc(void)
{
	struct ipc_endpoint *ep = kzalloc(sizeof(*ep));

	if (!ep)
		return NULL;
	list_init(&ep->senders);
	list_init(&ep->serving);
	list_init(&ep->receivers);
	return ep;
}

/* The kernel address of user address @va in @mm, if mapped (writable). */
static void *remote_ptr(struct mm *mm, uint64_t va, bool write)
{
	uint64_t need = PTE_PRESENT | PTE_USER | (write ? PTE_WRITE : 0);
	uint64_t *pte = uvm_pte(mm->pml4, va & PAGE_MASK, 0);

	/* a sibling thread forked meanwhile: unshare the page, as a fault would */
	if (pte && write && (*pte & PTE_COW) && (*pte & PTE_PRESENT) && !mm_cow_remote(mm, va))
		pte = uvm_pte(mm->pml4, va & PAGE_MASK, 0);
	if (!pte || (*pte & need) != need)
		return NULL;
	return (char *)phys_to_virt(*pte & PTE_ADDR_MASK) + (va & ~PAGE_MASK);
}

/*
 * Copy @n bytes from @src to @dst. Memory of the running task goes
 * through the uaccess helpers; memory of a blocked task is reached through
 * its page tables and the direct map (its owner faulted it in before
 * blocking); kernel spans are plain pointers. One pass, no staging buffer,
 * except between two threads of one process. Every byte that goes from
 * one party to another (not between two threads of one process) is the
 * running task's bytes_cross_as (kernel/costs.h).
 */
int ipc_span_copy(const struct ipc_span *dst, const struct ipc_span *src, size_t n)
{
	bool su = src->mm && src->mm == current->mm;
	bool du = dst->mm && dst->mm == current->mm;
	bool cross = !(su && du);	/* a kernel client's buffer is a party of its own */
	char bounce[256];
	size_t done = 0;

	while (done < n) {
		uint64_t s = src->addr + done, d = dst->addr + done;
		size_t chunk = n - done;
		void *sp = (void *)s, *dp = (void *)d;
		int err;

		if (src->mm)
			chunk = MIN(chunk, (size_t)(PAGE_SIZE - (s & ~PAGE_MASK)));
		if (dst->mm)
			chunk = MIN(chunk, (size_t)(PAGE_SIZE - (d & ~PAGE_MASK)));
		if (src->mm && !su && !(sp = remote_ptr(src->mm, s, false)))
			return -EFAULT;
		if (dst->mm && !du && !(dp = remote_ptr(dst->mm, d, true)))
			return -EFAULT;
		if (su && du) {
			chunk = MIN(chunk, sizeof(bounce));
			err = copy_from_user(bounce, (const void __user *)s, chunk) ||
			      copy_to_user((void __user *)d, bounce, chunk);
		} else if (su) {
			err = copy_from_user(dp, (const void __user *)s, chunk);
		} else if (du) {
			err = copy_to_user((void __user *)d, sp, chunk);
		} else {
			memcpy(dp, sp, chunk);
			err = 0;
		}
		if (err)
			return -EFAULT;
		if (cross)
			current->costs.bytes_cross_as += chunk;
		done += chunk;
	}
	return 0;
}

/* Move a long part: its length, or -EMSGSIZE if the receiver has no room. */
static long transfer(const struct ipc_span *dst, const struct ipc_span *src)
{
	int err;

	if (src->len > dst->len)
		return -EMSGSIZE;
	err = ipc_span_copy(dst, src, src->len);
	return err ? err : (long)src->len;
}

/*
 * Fault in the user range @addr..+@len of the running task (for writing
 * if @write), so that another task can copy to or from it through the
 * direct map while this one sleeps.
 */
int ipc_prefault(uint64_t addr, size_t len, bool write)
{
	uint64_t need = PTE_PRESENT | (write ? PTE_WRITE : 0);
	struct mm *mm = current->mm;

	if (!len)
		return 0;
	if (!mm || !access_ok((const void __user *)addr, len))
		return -EFAULT;
	for (uint64_t va = addr & PAGE_MASK; va < addr + len; va += PAGE_SIZE) {
		uint64_t *pte = uvm_pte(mm->pml4, va, 0);

		if (pte && (*pte & need) == need)
			continue;
		if (mm_fault(va, write, false))
			return -EFAULT;
	}
	return 0;
}

/* Finish call @c with @result and let its caller run again. */
static void call_done(struct ipc_call *c, long result)
{
	c->result = result;
	c->state = CALL_DONE;
	wake_up_task(c->caller);
}

/* Hand call @c to the receiver @rx: copy it in and mark it served. */
static long deliver(struct ipc_endpoint *ep, struct ipc_call *c, struct ipc_rx *rx,
		    struct task *server)
{
	long n = transfer(&rx->recv, &c->send);

	if (n < 0)
		return n;
	rx->msg = c->msg;
	rx->badge = c->badge;
	serving_push(c, server);
	c->state = CALL_SERVING;
	list_add_tail(&c->node, &ep->serving);
	return n;
}

/*
 * Sleep in @state, switching straight to @handoff when there is one: the
 * task that must run next for us to get an answer.
 */
static void block(struct task *handoff, int state)
{
	set_current_state(state);
	if (handoff)
		sched_switch_to(handoff);
	else
		schedule();
}

/*
 * The caller's half: queue @c on @ep (or give it straight to a waiting
 * server and switch to it) and wait for the answer. @intr: a signal aborts
 * the call with -EINTR unless a copy is in progress.
 */
long ipc_do_call(struct ipc_endpoint *ep, struct ipc_call *c, bool intr)
{
	struct task *handoff = NULL;
	long n;

	if (!ep->servers)
		return -EPIPE;
	c->caller = current;
	c->state = CALL_QUEUED;
	if (!list_empty(&ep->receivers)) {
		struct ipc_rx *rx = list_first_entry(&ep->receivers, struct ipc_rx, node);

		list_del_init(&rx->node);
		rx->state = RX_BUSY;
		n = deliver(ep, c, rx, rx->server);
		if (n < 0) {
			rx->state = RX_WAITING;		/* it waits for the next one */
			list_add(&rx->node, &ep->receivers);
			wake_up_task(rx->server);	/* to see a signal that came meanwhile */
			return n;
		}
		rx->result = n;
		rx->state = RX_DONE;
		handoff = rx->server;
	} else {
		list_add_tail(&c->node, &ep->senders);
	}
	for (;;) {
		if (c->state == CALL_DONE)
			break;
		if (intr && signal_pending(current) && c->state != CALL_BUSY &&
		    (c->state == CALL_QUEUED || !c->fatal_only || fatal_signal_pending(current))) {
			list_del(&c->node);	/* queued, or served: the reply is dropped */
			serving_unlink(c);
			c->state = CALL_DONE;
			c->result = -EINTR;
			break;
		}
		block(handoff, intr ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE);
		handoff = NULL;
	}
	if (handoff)
		wake_up_task(handoff);	/* never slept: the server still must run */
	/* kernel/costs.h: the request if a server took it, the answer if one came */
	if (likely(c->result >= 0))
		current->costs.ipc_messages += 2;
	else if (c->server)
		current->costs.ipc_messages++;
	return c->result;
}

/* Answer the call the running task is serving on @ep, if any; its caller. */
static struct task *reply(struct ipc_endpoint *ep, const struct ipc_msg *msg,
			  const struct ipc_span *send)
{
	struct ipc_call *c;
	long n;

	list_for_each_entry(c, &ep->serving, node) {
		if (c->server != current)
			continue;
		list_del_init(&c->node);
		serving_unlink(c);
		c->state = CALL_BUSY;
		n = transfer(&c->recv, send);
		c->msg = *msg;
		c->result = n;
		c->state = CALL_DONE;
		current->costs.ipc_messages++;	/* the answer reached its caller */
		return c->caller;
	}
	return NULL;
}

/*
 * The server's half: answer the call it is serving (if any), then take
 * the next request into @rx, waiting for one. Returns the request's long
 * length, -EPIPE when no client is left, -ERESTARTSYS on a signal (safe to
 * restart: the answer has gone already).
 */
long ipc_do_reply_recv(struct ipc_endpoint *ep, const struct ipc_msg *msg,
		       const struct ipc_span *send, struct ipc_rx *rx)
{
	struct task *handoff = reply(ep, msg, send);
	long n;

	while (!list_empty(&ep->senders)) {
		struct ipc_call *c = list_first_entry(&ep->senders, struct ipc_call, node);

		list_del_init(&c->node);
		c->state = CALL_BUSY;
		n = deliver(ep, c, rx, current);
		if (n >= 0) {
			if (handoff)
				wake_up_task(handoff);
			current->costs.ipc_messages++;	/* a request received */
			return n;
		}
		call_done(c, n);	/* it did not fit: the caller hears why */
	}
	if (!ep->clients) {
		if (handoff)
			wake_up_task(handoff);
		return -EPIPE;
	}
	rx->server = current;
	rx->state = RX_WAITING;
	list_add_tail(&rx->node, &ep->receivers);
	for (;;) {
		if (rx->state == RX_DONE)
			break;
		if (signal_pending(current) && rx->state == RX_WAITING) {
			list_del(&rx->node);
			rx->result = -ERESTARTSYS;
			break;
		}
		block(handoff, TASK_INTERRUPTIBLE);
		handoff = NULL;
	}
	if (handoff)
		wake_up_task(handoff);
	if (likely(rx->result >= 0))
		current->costs.ipc_messages++;	/* a request received */
	return rx->result;
}

/* The last receive end is gone: every caller, queued or served, gets EPIPE. */
void ipc_servers_gone(struct ipc_endpoint *ep)
{
	struct ipc_call *c, *tmp;

	list_for_each_entry_safe(c, tmp, &ep->senders, node) {
		list_del_init(&c->node);
		call_done(c, -EPIPE);
	}
	list_for_each_entry_safe(c, tmp, &ep->serving, node) {
		list_del_init(&c->node);
		serving_unlink(c);
		call_done(c, -EPIPE);
	}
}

/*
 * @t is exiting: the calls it was serving fail with EIO (a server that
 * dies mid-call), while the calls still queued wait for whoever receives
 * next, the server's successor if someone restarts it.
 */
void ipc_task_exit(struct task *t)
{
	struct ipc_call *c;

	while ((c = t->ipc_serving)) {
		t->ipc_serving = c->serving_next;
		c->serving_next = NULL;
		list_del_init(&c->node);
		call_done(c, -EIO);
	}
}

/* The last send end is gone: waiting servers get EPIPE. */
void ipc_clients_gone(struct ipc_endpoint *ep)
{
	struct ipc_rx *rx, *tmp;

	list_for_each_entry_safe(rx, tmp, &ep->receivers, node) {
		list_del_init(&rx->node);
		rx->result = -EPIPE;
		rx->state = RX_DONE;
		wake_up_task(rx->server);
	}
}

struct ipc_endpoint *ipc_client_get(struct file *f)
{
	struct ipc_endpoint *ep = ipc_send_end(f);

	if (!ep)
		return NULL;
	ep->refs++;
	ep->clients++;
	return ep;
}

void ipc_client_put(struct ipc_endpoint *ep)
{
	if (--ep->clients == 0)
		ipc_clients_gone(ep);
	ipc_endpoint_put(ep);
}

long ipc_call_kernel(struct ipc_endpoint *ep, struct ipc_msg *msg, const void *sbuf,
		     size_t slen, void *rbuf, size_t rcap)
{
	struct ipc_call c = {
		.msg = *msg,
		.send = { NULL, (uint64_t)sbuf, slen },
		.recv = { NULL, (uint64_t)rbuf, rcap },
		.badge = 0,
	};
	long n;

	if (slen > IPC_LONG_MAX)
		return -EMSGSIZE;
	list_init(&c.node);
	n = ipc_do_call(ep, &c, false);
	if (n >= 0)
		*msg = c.msg;
	return n;
}
