/*
 * Interval timers: alarm, setitimer and getitimer for ITIMER_REAL, which
 * send SIGALRM to the process when they expire (checked on every timer
 * tick, so the resolution is one tick). ITIMER_VIRTUAL and ITIMER_PROF are
 * accepted only when disarming.
 */
#include <asm/uaccess.h>
#include "kernel/lock.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"

#define ITIMER_REAL	0

struct itimerval {
	int64_t interval_sec, interval_usec;
	int64_t value_sec, value_usec;
};

static uint64_t tv_ns(int64_t sec, int64_t usec)
{
	return (uint64_t)sec * 1000000000ULL + (uint64_t)usec * 1000ULL;
}

extern raw_spinlock_t tasklist_lock;

/* Called from the boot CPU's timer tick: fire expired ITIMER_REAL timers. */
void itimer_tick(uint64_t now)
{
	unsigned long flags = raw_spin_lock_irqsave(&tasklist_lock);
	struct task *t;

	list_for_each_entry(t, &all_tasks, all_node) {
		if (!t->itimer_at_ns || t->itimer_at_ns > now || t->state == TASK_ZOMBIE ||
		    t->state == TASK_DEAD)
			continue;
		t->itimer_at_ns = t->itimer_interval_ns ? now + t->itimer_interval_ns : 0;
		send_signal(t, SIGALRM);
	}
	raw_spin_unlock_irqrestore(&tasklist_lock, flags);
}

static void itimer_get(struct task *t, struct itimerval *v)
{
	uint64_t now = ktime_ns(), left = t->itimer_at_ns > now ? t->itimer_at_ns - now : 0;

	if (t->itimer_at_ns && !left)
		left = 1000;			/* due: report a tiny remainder, not "off" */
	v->value_sec = (int64_t)(left / 1000000000ULL);
	v->value_usec = (int64_t)(left % 1000000000ULL / 1000);
	v->interval_sec = (int64_t)(t->itimer_interval_ns / 1000000000ULL);
	v->interval_usec = (int64_t)(t->itimer_interval_ns % 1000000000ULL / 1000);
}

static struct task *group_leader(void)
{
	struct task *t = task_by_pid(current->tgid);

	return t ? t : current;
}

SYSCALL_DEFINE2(getitimer, int, which, struct itimerval __user *, cur)
{
	struct itimerval v = { 0 };

	if (which < 0 || which > 2)
		return -EINVAL;
	if (which == ITIMER_REAL)
		itimer_get(group_leader(), &v);
	return copy_to_user(cur, &v, sizeof(v));
}

SYSCALL_DEFINE3(setitimer, int, which, const struct itimerval __user *, nv,
		struct itimerval __user *, old)
{
	struct task *t = group_leader();
	struct itimerval v = { 0 }, o;

	if (which < 0 || which > 2)
		return -EINVAL;
	if (nv && copy_from_user(&v, nv, sizeof(v)))
		return -EFAULT;
	if (v.value_usec < 0 || v.value_usec >= 1000000 || v.interval_usec < 0 ||
	    v.interval_usec >= 1000000 || v.value_sec < 0 || v.interval_sec < 0)
		return -EINVAL;
	if (which != ITIMER_REAL) {
		if (v.value_sec || v.value_usec)
			return -EINVAL;		/* CPU-time timers are not kept */
		if (old)
			return clear_user(old, sizeof(o));
		return 0;
	}
	itimer_get(t, &o);
	if (old && copy_to_user(old, &o, sizeof(o)))
		return -EFAULT;
	if (!nv)
		return 0;
	t->itimer_interval_ns = tv_ns(v.interval_sec, v.interval_usec);
	t->itimer_at_ns = (v.value_sec || v.value_usec) ?
				  ktime_ns() + tv_ns(v.value_sec, v.value_usec) : 0;
	return 0;
}

SYSCALL_DEFINE1(alarm, unsigned int, seconds)
{
	struct task *t = group_leader();
	uint64_t now = ktime_ns(), left = t->itimer_at_ns > now ? t->itimer_at_ns - now : 0;

	t->itimer_interval_ns = 0;
	t->itimer_at_ns = seconds ? now + (uint64_t)seconds * 1000000000ULL : 0;
	return (long)((left + 999999999ULL) / 1000000000ULL);
}
