/*
 * A minimal futex: FUTEX_WAIT sleeps while a user word holds the expected
 * value, FUTEX_WAKE wakes up to n sleepers on that word. Enough for libc
 * locks, thread joins (CLONE_CHILD_CLEARTID) and condition variables.
 */
#include <asm/uaccess.h>
#include "kernel/sched.h"
#include "kernel/syscall.h"

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_CMD_MASK		0x7f	/* without PRIVATE and CLOCK_REALTIME */

struct futex_waiter {
	uint64_t uaddr;
	struct mm *mm;
	struct task *task;
	bool woken;
	struct list_head node;
};

static LIST_HEAD(futex_waiters);

int futex_wake_addr(uint64_t uaddr, int n)
{
	struct futex_waiter *w;
	int woken = 0;

	/* the waiter list is the BKL's (every user is a syscall) */
	list_for_each_entry(w, &futex_waiters, node) {
		if (woken >= n)
			break;
		if (w->uaddr == uaddr && w->mm == current->mm && !w->woken) {
			__atomic_store_n(&w->woken, true, __ATOMIC_SEQ_CST);
			wake_up_task(w->task);
			woken++;
		}
	}
	return woken;
}


/* Wait while *uaddr == val; @timeout_ns 0 means no timeout. */
static long futex_wait(uint64_t uaddr, uint32_t val, uint64_t timeout_ns)
{
	struct futex_waiter w = { .uaddr = uaddr, .mm = current->mm, .task = current };
	/* FUTEX_WAIT timeouts are relative (BITSET's absolute ones are treated so too) */
	uint32_t cur;
	long ret = 0;

	if (get_user(cur, (uint32_t __user *)uaddr))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	uint64_t end = timeout_ns ? ktime_ns() + timeout_ns : 0;

	list_add_tail(&w.node, &futex_waiters);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);	/* before the look at woken */
		if (__atomic_load_n(&w.woken, __ATOMIC_SEQ_CST))
			break;
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (end && ktime_ns() >= end) {
			ret = -ETIMEDOUT;
			break;
		}
		schedule_until(end);	/* 0: no timeout */
	}
	set_current_running();
	list_del(&w.node);
	return ret;
}

SYSCALL_DEFINE6(futex, uint32_t __user *, uaddr, int, op, uint32_t, val,
		const struct kernel_timespec __user *, utime, uint32_t __user *, uaddr2,
		uint32_t, val3)
{
	uint64_t ns = 0;
	int err;

	if ((uintptr_t)uaddr & 3)
		return -EINVAL;
	switch (op & FUTEX_CMD_MASK) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (utime && (err = timespec_from_user(utime, &ns)))
			return err;
		return futex_wait((uint64_t)uaddr, val, utime ? (ns ? ns : 1) : 0);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return futex_wake_addr((uint64_t)uaddr, (int)val);
	default:
		return -ENOSYS;
	}
}
