/*
 * Process exit and reaping: exit/exit_group release a task's resources,
 * hand its children to init, and leave a zombie whose status the parent
 * collects with wait4. Threads (and children of a parent that ignores
 * SIGCHLD) are reaped automatically.
 */
#include <asm/uaccess.h>
#include "drivers/tty/tty.h"
#include "fs/vfs.h"
#include "kernel/ipc.h"
#include "kernel/mk.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/string.h"
#include "mm/mm.h"

#define WNOHANG		1
#define WUNTRACED	2
#define WCONTINUED	8
#define WSTOPPED	2
#define WEXITED		4
#define WNOWAIT		0x01000000
#define __WALL		0x40000000
#define P_ALL		0
#define P_PID		1
#define P_PGID		2

void task_release_parts(struct task *t);

LIST_HEAD(dead_tasks);	/* under the BKL; peeked by dead_tasks_pending() */


/* Free tasks that died on their own stacks; runs on another task's stack, under the BKL. */
void reap_dead_tasks(void)
{
	struct task *t, *tmp;

	list_for_each_entry_safe(t, tmp, &dead_tasks, sibling) {
		if (t == current)
			continue;
		list_del(&t->sibling);
		task_free(t);
	}
}

static void reparent_children(struct task *t)
{
	struct task *init = task_by_pid(1), *c, *tmp;

	list_for_each_entry_safe(c, tmp, &t->children, sibling) {
		list_del(&c->sibling);
		c->parent = init && init != t ? init : NULL;
		c->ppid = c->parent ? c->parent->tgid : 0;
		if (c->parent) {
			list_add_tail(&c->sibling, &c->parent->children);
			if (c->state == TASK_ZOMBIE)
				wake_up(c->parent->child_exit);
		} else {
			list_init(&c->sibling);
		}
	}
}

static bool parent_ignores_children(struct task *parent)
{
	const struct k_sigaction *ka;

	if (!parent || !parent->sighand)
		return true;
	ka = &parent->sighand->action[SIGCHLD - 1];
	return ka->handler == SIG_IGN || (ka->flags & SA_NOCLDWAIT);
}

void do_exit(int status)
{
	struct task *t = current, *parent = t->parent;

	local_irq_enable();
	if (t->pid == 1 && !(t->flags & TASK_KTHREAD))
		panic("init-exit", "init (pid 1, %s) exited with status %#x", t->comm, status);
	if (t->ipc_serving)
		ipc_task_exit(t);	/* a server dies: the calls it had fail with EIO */
	if (t->mk && t->tgid == t->pid)
		mk_exit(t, status);	/* pm and vfs forget the process, its files close */
	if (t->clear_child_tid) {
		put_user(0, (int __user *)t->clear_child_tid);
		futex_wake_addr(t->clear_child_tid, 1);
	}
	if (t->vfork_done) {
		struct wait_queue *q = t->vfork_done;

		t->vfork_done = NULL;
		wake_up(q);
	}
	if (t->sid == t->pid && t->tgid == t->pid)
		tty_session_exit(t);	/* SIGHUP the foreground group, free the tty */
	task_release_parts(t);
	reparent_children(t);

	local_irq_disable();
	t->exit_code = status;
	if (t->tgid != t->pid)
		costs_thread_exit(t);	/* as it turns TASK_DEAD: the BKL's readers see it once */
	if (t->tgid != t->pid || !parent || parent_ignores_children(parent)) {
		/* nobody will wait for it: free once off this stack */
		if (parent)
			list_del(&t->sibling);
		t->state = TASK_DEAD;
		list_add_tail(&t->sibling, &dead_tasks);
		if (parent && t->tgid == t->pid)
			wake_up(parent->child_exit);
	} else {
		struct sig_info info = { .pid = t->tgid, .uid = (int)t->cred.uid };

		if (status & 0x7f) {
			info.code = (status & 0x80) ? CLD_DUMPED : CLD_KILLED;
			info.status = status & 0x7f;
		} else {
			info.code = CLD_EXITED;
			info.status = (status >> 8) & 0xff;
		}
		t->state = TASK_ZOMBIE;
		send_signal_info(parent, SIGCHLD, &info);
		wake_up(parent->child_exit);
	}
	schedule();
	panic("bug", "a dead task (pid %d) was scheduled", t->pid);
}

SYSCALL_DEFINE1(exit, int, code)
{
	do_exit((code & 0xff) << 8);
}

/* exit_group, or a fatal signal: the other threads of the process die too. */
void zap_other_threads(void)
{
	struct task *t;

	list_for_each_entry(t, &all_tasks, all_node)
		if (t->tgid == current->tgid && t != current && t->state != TASK_ZOMBIE &&
		    t->state != TASK_DEAD)
			send_signal(t, SIGKILL);
}

SYSCALL_DEFINE1(exit_group, int, code)
{
	zap_other_threads();
	do_exit((code & 0xff) << 8);
}

/*
 * Children belong to the process, not to the thread that forked them
 * (kernel/fork.c makes the group leader their parent), so any thread may
 * wait for them: the scans walk the leader's list and sleep on its queue.
 */
static struct task *waiter(void)
{
	struct task *l = current->tgid == current->pid ? NULL : task_by_pid(current->tgid);

	return l && l->state != TASK_ZOMBIE ? l : current;
}

static bool wait_matches(struct task *c, int pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == 0)
		return c->pgid == current->pgid;
	if (pid < -1)
		return c->pgid == -pid;
	return true;
}

/* One pass over the children; >0 pid reaped/reported, 0 none ready, -ECHILD. */
static long wait_scan(int pid, int options, int *status)
{
	struct task *c, *tmp;
	bool any = false;

	list_for_each_entry_safe(c, tmp, &waiter()->children, sibling) {
		if (!wait_matches(c, pid) || c->tgid != c->pid)
			continue;
		any = true;
		if (c->state == TASK_ZOMBIE) {
			int cpid = c->pid;

			*status = c->exit_code;
			current->utime += c->utime;
			current->stime += c->stime;
			list_del(&c->sibling);
			c->state = TASK_DEAD;
			task_free(c);
			return cpid;
		}
		if ((options & WUNTRACED) && c->state == TASK_STOPPED && c->exit_code) {
			*status = c->exit_code;
			c->exit_code = 0;
			return c->pid;
		}
		if ((options & WCONTINUED) && (c->flags & TASK_CONTINUED)) {
			*status = 0xffff;
			c->flags &= ~TASK_CONTINUED;
			return c->pid;
		}
	}
	return any ? 0 : -ECHILD;
}

/* Is there something for wait4 to collect (or nothing left to wait for)? */
static bool wait_scan_ready(int pid, int options)
{
	struct task *c;
	bool any = false;

	list_for_each_entry(c, &waiter()->children, sibling) {
		if (!wait_matches(c, pid) || c->tgid != c->pid)
			continue;
		any = true;
		if (c->state == TASK_ZOMBIE ||
		    ((options & WUNTRACED) && c->state == TASK_STOPPED && c->exit_code) ||
		    ((options & WCONTINUED) && (c->flags & TASK_CONTINUED)))
			return true;
	}
	return !any;
}

/*
 * waitid: like wait4 but selected by (idtype, id), with WEXITED/WSTOPPED,
 * WNOWAIT to peek, and a siginfo_t result.
 */
static long waitid_scan(int pid, int options, struct sig_info *out)
{
	struct task *c;
	bool any = false;

	list_for_each_entry(c, &waiter()->children, sibling) {
		if (!wait_matches(c, pid) || c->tgid != c->pid)
			continue;
		any = true;
		if ((options & WEXITED) && c->state == TASK_ZOMBIE) {
			int st = c->exit_code, cpid = c->pid;

			*out = (struct sig_info){ .pid = cpid, .uid = (int)c->cred.uid };
			if (st & 0x7f) {
				out->code = (st & 0x80) ? CLD_DUMPED : CLD_KILLED;
				out->status = st & 0x7f;
			} else {
				out->code = CLD_EXITED;
				out->status = (st >> 8) & 0xff;
			}
			if (!(options & WNOWAIT)) {
				list_del(&c->sibling);
				c->state = TASK_DEAD;
				task_free(c);
			}
			return cpid;
		}
		if ((options & WSTOPPED) && c->state == TASK_STOPPED && c->exit_code) {
			*out = (struct sig_info){ .pid = c->pid, .uid = (int)c->cred.uid,
						  .code = CLD_STOPPED, .status = c->exit_code >> 8 };
			if (!(options & WNOWAIT))
				c->exit_code = 0;
			return c->pid;
		}
	}
	return any ? 0 : -ECHILD;
}

SYSCALL_DEFINE5(waitid, int, idtype, int, id, void __user *, infop, int, options,
		void __user *, rusage)
{
	struct sig_info info = { 0 };
	uint8_t buf[128];
	int pid;
	long r;

	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (idtype == P_ALL)
		pid = -1;
	else if (idtype == P_PID && id > 0)
		pid = id;
	else if (idtype == P_PGID && id >= 0)
		pid = id ? -id : 0;
	else
		return -EINVAL;
	for (;;) {
		r = waitid_scan(pid, options, &info);
		if (r != 0 || (options & WNOHANG))
			break;
		r = wait_event_interruptible(*waiter()->child_exit, wait_scan_ready(pid, WUNTRACED));
		if (r)
			return r;
	}
	if (r < 0)
		return r;
	if (infop) {
		if (r > 0)
			siginfo_to_user_layout(buf, SIGCHLD, &info);
		else
			memset(buf, 0, sizeof(buf));	/* WNOHANG, nothing ready */
		if (copy_to_user(infop, buf, sizeof(buf)))
			return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE4(wait4, int, pid, int __user *, ustatus, int, options, void __user *, rusage)
{
	int status = 0;
	long r;

	for (;;) {
		r = wait_scan(pid, options, &status);
		if (r != 0 || (options & WNOHANG))
			break;
		r = wait_event_interruptible(*waiter()->child_exit,
					     wait_scan_ready(pid, options));
		if (r)
			return r;
	}
	if (r > 0 && ustatus && put_user(status, ustatus))
		return -EFAULT;
	if (r > 0 && rusage)
		clear_user(rusage, 144);
	return r;
}
