/*
 * Process and thread creation: clone(2) and its fork/vfork forms. The
 * child gets a copy of the parent's user registers on its own kernel stack
 * (rax = 0) and starts in ret_from_fork, which returns straight to user
 * mode. Address space, files, fs context and signal handlers are copied or
 * shared as the CLONE_* flags ask.
 */
#include <asm/ptrace.h>
#include <asm/switch.h>
#include "fs/vfs.h"
#include "kernel/mk.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/string.h"
#include "mm/mm.h"

#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_VFORK		0x00004000
#define CLONE_PARENT		0x00008000
#define CLONE_THREAD		0x00010000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_CHILD_SETTID	0x01000000

static struct sighand *sighand_copy(struct sighand *old)
{
	struct sighand *s = kmalloc(sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, old, sizeof(*s));
	s->refcount = 1;
	return s;
}

/* The pieces a new task shares or copies; undone by the caller on error. */
static int copy_process_parts(struct task *t, unsigned long flags)
{
	struct task *p = current;

	if (flags & CLONE_VM) {
		t->mm = p->mm;
		p->mm->refcount++;
	} else {
		t->mm = mm_fork(p->mm);
	}
	if (flags & CLONE_FILES) {
		t->files = p->files;
		p->files->refcount++;
	} else {
		t->files = files_dup(p->files);
	}
	if (flags & CLONE_FS) {
		t->fs = p->fs;
		p->fs->refcount++;
	} else {
		t->fs = fs_context_dup(p->fs);
	}
	if (flags & CLONE_SIGHAND) {
		t->sighand = p->sighand;
		p->sighand->refcount++;
	} else {
		t->sighand = sighand_copy(p->sighand);
	}
	return (t->mm && t->files && t->fs && t->sighand) ? 0 : -ENOMEM;
}

void task_release_parts(struct task *t)
{
	if (t->files)
		files_put(t->files);
	t->files = NULL;
	if (t->fs)
		fs_context_put(t->fs);
	t->fs = NULL;
	if (t->sighand && --t->sighand->refcount == 0)
		kfree(t->sighand);
	t->sighand = NULL;
	if (t->mm && t == current)
		mm_switch_kernel();	/* off the tables before they may go */
	if (t->mm)
		mm_put(t->mm);
	t->mm = NULL;
}

static long do_clone(unsigned long flags, uint64_t newsp, int __user *parent_tid,
		     int __user *child_tid, uint64_t tls)
{
	struct task *p = current, *t, *leader;
	struct pt_regs *regs;
	struct wait_queue vfork_wq;
	int pid;

	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	t = task_alloc(p->comm);
	if (!t)
		return -ENOMEM;
	if (copy_process_parts(t, flags)) {
		task_release_parts(t);
		t->state = TASK_DEAD;
		task_free(t);
		return -ENOMEM;
	}
	pid = t->pid;
	t->tgid = (flags & CLONE_THREAD) ? p->tgid : t->pid;
	t->pgid = p->pgid;
	t->sid = p->sid;
	t->tty = p->tty;
	t->cred = p->cred;
	t->sig_blocked = p->sig_blocked;
	t->altstack_sp = p->altstack_sp;
	t->altstack_size = p->altstack_size;
	t->fs_base = (flags & CLONE_SETTLS) ? tls : p->fs_base;
	/* a process's children are its leader's, whichever thread forked them */
	leader = p->tgid == p->pid ? p : task_by_pid(p->tgid);
	if (!leader || leader->state == TASK_ZOMBIE)
		leader = p;
	t->parent = (flags & (CLONE_PARENT | CLONE_THREAD)) && leader->parent ? leader->parent : leader;
	t->ppid = t->parent->tgid;
	list_add_tail(&t->sibling, &t->parent->children);
	arch_fpu_save(t->fpu_state);

	regs = t->uregs;
	*regs = *p->uregs;
	regs->rax = 0;
	if (newsp)
		regs->rsp = newsp;
	t->saved_rsp = arch_prepare_stack((uint64_t)regs, ret_from_fork, (uint64_t)regs, 0);

	if (flags & CLONE_PARENT_SETTID)
		put_user(pid, parent_tid);
	if (flags & CLONE_CHILD_SETTID)
		t->set_child_tid = (uint64_t)child_tid;	/* the child writes it */
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = (uint64_t)child_tid;
	if (flags & CLONE_VFORK) {
		wait_queue_init(&vfork_wq);
		t->vfork_done = &vfork_wq;
	}
	t->mk = p->mk;
	if (t->mk && !(flags & CLONE_THREAD))
		mk_fork(p, t);		/* pm and vfs copy the parent's state before the child runs */
	task_start(t);
	if (flags & CLONE_VFORK)
		wait_event(vfork_wq, t->vfork_done == NULL);
	return pid;
}

SYSCALL_DEFINE5(clone, unsigned long, flags, unsigned long, newsp, int __user *, parent_tid,
		int __user *, child_tid, unsigned long, tls)
{
	return do_clone(flags & ~0xffUL, newsp, parent_tid, child_tid, tls);
}

SYSCALL_DEFINE0(fork)
{
	return do_clone(0, 0, NULL, NULL, 0);
}

SYSCALL_DEFINE0(vfork)
{
	return do_clone(CLONE_VM | CLONE_VFORK, 0, NULL, NULL, 0);
}
