/*
 * The IPC system calls and the files that name endpoints. ipc_create
 * makes an endpoint and returns its two ends like pipe2: fds[0] receives
 * (the server's), fds[1] sends (for clients). Both are anonymous files, so
 * fork inherits them and exit closes them; the last receive end closing
 * fails every waiting caller with EPIPE, the last send end closing wakes
 * waiting servers with EPIPE.
 *
 * Message words travel in registers, read from and written back to the
 * caller's struct pt_regs: rsi, rdx, r10, r8, r9, r12 are MR0..MR5; r13
 * points at a struct ipc_long when a long part goes with the message.
 */
#include <asm/ptrace.h>
#include "fs/vfs.h"
#include "kernel/ipc_internal.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "mm/mm.h"

/* fs/internal.h: undo an fd_install when the second end finds no slot */
int fd_close(int fd);

static void ipc_release(struct inode *ino, struct file *f);

const struct file_ops ipc_recv_fops = { .release = ipc_release };
const struct file_ops ipc_send_fops = { .release = ipc_release };

static void ipc_release(struct inode *ino, struct file *f)
{
	struct ipc_endpoint *ep = f->priv;

	if (f->fops == &ipc_recv_fops) {
		if (--ep->servers == 0)
			ipc_servers_gone(ep);
	} else if (--ep->clients == 0) {
		ipc_clients_gone(ep);
	}
	ipc_endpoint_put(ep);
}

static void regs_to_msg(const struct pt_regs *r, struct ipc_msg *m)
{
	m->label = r->rsi;
	m->w[0] = r->rdx;
	m->w[1] = r->r10;
	m->w[2] = r->r8;
	m->w[3] = r->r9;
	m->w[4] = r->r12;
}

static void msg_to_regs(const struct ipc_msg *m, struct pt_regs *r)
{
	r->rsi = m->label;
	r->rdx = m->w[0];
	r->r10 = m->w[1];
	r->r8 = m->w[2];
	r->r9 = m->w[3];
	r->r12 = m->w[4];
}

/*
 * Read the long-part descriptor at @ulong (none when 0) into user spans of
 * the running task, checked and faulted in: @send is read later by a
 * server that copies it in, @recv written by the other side.
 */
static int get_long(uint64_t ulong, struct ipc_span *send, struct ipc_span *recv)
{
	struct ipc_long l;
	int err;

	*send = (struct ipc_span){ current->mm, 0, 0 };
	*recv = (struct ipc_span){ current->mm, 0, 0 };
	if (!ulong)
		return 0;
	if (copy_from_user(&l, (const void __user *)ulong, sizeof(l)))
		return -EFAULT;
	if (l.send_len > IPC_LONG_MAX)
		return -EMSGSIZE;
	send->addr = l.send;
	send->len = l.send_len;
	recv->addr = l.recv;
	recv->len = MIN(l.recv_cap, (uint64_t)IPC_LONG_MAX);
	err = ipc_prefault(send->addr, send->len, false);
	return err ? err : ipc_prefault(recv->addr, recv->len, true);
}

/* A new send end for @ep, installed as a close-on-exec fd (mk_connect). */
int ipc_send_end_install(struct ipc_endpoint *ep)
{
	struct inode *ino = inode_alloc(NULL, 0600);
	struct file *wr = ino ? file_alloc(ino, &ipc_send_fops, O_WRONLY) : NULL;
	int fd;

	if (ino)
		inode_put(ino);
	if (!wr)
		return -ENOMEM;
	wr->priv = ep;
	ep->refs++;
	ep->clients++;
	fd = fd_install(wr, 1);
	if (fd < 0)
		file_put(wr);	/* releases the end again */
	return fd;
}

SYSCALL_DEFINE2(ipc_create, int __user *, ufds, int, flags)
{
	struct ipc_endpoint *ep;
	struct inode *ino;
	struct file *rd = NULL, *wr = NULL;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	ep = ipc_endpoint_alloc();
	ino = inode_alloc(NULL, 0600);
	if (ino && ep) {
		rd = file_alloc(ino, &ipc_recv_fops, O_RDONLY);
		wr = file_alloc(ino, &ipc_send_fops, O_WRONLY);
	}
	if (ino)
		inode_put(ino);		/* the files hold it */
	if (!rd || !wr) {
		kfree(rd);	/* never released: no end counted yet */
		kfree(wr);
		kfree(ep);
		return -ENOMEM;
	}
	rd->priv = wr->priv = ep;
	ep->refs = 2;
	ep->servers = ep->clients = 1;
	return fd_install_pair(rd, wr, flags & O_CLOEXEC, ufds);
}

/*
 * rdi = send end; MR0..MR5 = request, then answer; r13 = long part or 0.
 * sys_ipc_call (kernel/ipc_fast.c) tries the fast path first.
 */
SYSCALL_DEFINE1(ipc_call_slow, int, fd)
{
	struct pt_regs *regs = current->uregs;
	struct file *f = fd_get(fd);
	struct ipc_endpoint *ep = ipc_send_end(f);
	struct ipc_call c = { .badge = current->tgid };
	long n;

	if (!ep)
		return -EBADF;
	n = get_long(regs->r13, &c.send, &c.recv);
	if (n)
		return n;
	regs_to_msg(regs, &c.msg);
	list_init(&c.node);
	file_get(f);
	n = ipc_do_call(ep, &c, true);
	file_put(f);
	if (n >= 0)
		msg_to_regs(&c.msg, regs);
	return n;
}

/*
 * rdi = receive end; MR0..MR5 = answer to the call being served (if
 * any), then the next request, with the caller's pid (0: the kernel) in
 * rdi; r13 = long parts or 0. Returns the request's long length. The
 * fast path (sys_ipc_reply_recv, kernel/ipc_fast.c) comes first.
 */
SYSCALL_DEFINE1(ipc_reply_recv_slow, int, fd)
{
	struct pt_regs *regs = current->uregs;
	struct file *f = fd_get(fd);
	struct ipc_endpoint *ep = ipc_recv_end(f);
	struct ipc_span send;
	struct ipc_msg answer;
	struct ipc_rx rx = { 0 };
	long n;

	if (!ep)
		return -EBADF;
	n = get_long(regs->r13, &send, &rx.recv);
	if (n)
		return n;
	regs_to_msg(regs, &answer);
	list_init(&rx.node);
	file_get(f);
	n = ipc_do_reply_recv(ep, &answer, &send, &rx);
	file_put(f);
	if (n >= 0) {
		msg_to_regs(&rx.msg, regs);
		regs->rdi = (uint64_t)rx.badge;
	}
	return n;
}
