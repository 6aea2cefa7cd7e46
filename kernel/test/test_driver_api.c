/*
 * In-kernel tests of the driver interface's deferred work and locks:
 * timers fire once, late enough, and never after del_timer_sync; work runs
 * in a worker thread, flush_work waits for it and cancel_work_sync stops
 * it; delayed work waits its delay; kthread_stop returns the function's
 * value; a mutex keeps two sleeping threads out of each other's way;
 * completions count and time out.
 */
#include "kernel/irq.h"
#include "kernel/kthread.h"
#include "kernel/ktest.h"
#include "kernel/lock.h"
#include "kernel/sched.h"
#include "kernel/timer.h"
#include "kernel/workqueue.h"

/*
 * Tests run in the boot task, which must never sleep: a body that sleeps
 * runs in a kernel thread of its own while the boot task waits for it.
 */
static int (*volatile body_fn)(void);
static volatile int body_result, body_done;

static int body_thread(void *arg)
{
	body_result = body_fn();
	body_done = 1;
	return 0;
}

static int in_thread(int (*fn)(void))
{
	body_fn = fn;
	body_done = 0;
	body_result = -1;
	if (!kthread_spawn("kt-body", body_thread, NULL))
		return -1;
	RUN_UNTIL(body_done);
	return body_done ? body_result : -1;
}

static struct timer_list t_timer;
static volatile int t_fired;
static volatile unsigned long t_fired_at;

static void t_timer_fn(struct timer_list *t)
{
	t_fired++;
	t_fired_at = jiffies;
}

KTEST(timer_fires_once_after_its_expiry)
{
	unsigned long start;

	t_fired = 0;
	timer_setup(&t_timer, t_timer_fn, 0);
	start = jiffies;
	mod_timer(&t_timer, start + 5);
	KT_ASSERT(timer_pending(&t_timer));
	RUN_UNTIL(t_fired);
	KT_ASSERT(t_fired == 1);
	KT_ASSERT(time_after_eq(t_fired_at, start + 5));
	KT_ASSERT(!timer_pending(&t_timer));
	RUN_UNTIL(jiffies > t_fired_at + 10);
	KT_ASSERT(t_fired == 1);
	return 0;
}

KTEST(timer_del_sync_stops_it)
{
	unsigned long start = jiffies;

	t_fired = 0;
	timer_setup(&t_timer, t_timer_fn, 0);
	mod_timer(&t_timer, jiffies + 3);
	KT_ASSERT(mod_timer(&t_timer, jiffies + 4) == 1);	/* re-armed while pending */
	KT_ASSERT(del_timer_sync(&t_timer) == 1);
	RUN_UNTIL(jiffies > start + 10);
	KT_ASSERT(t_fired == 0);
	KT_ASSERT(del_timer(&t_timer) == 0);
	return 0;
}

static struct work_struct w_work;
static volatile int w_ran;
static volatile int w_in_kthread;

static void w_fn(struct work_struct *w)
{
	w_ran++;
	w_in_kthread = (current->flags & TASK_KTHREAD) && !in_interrupt();
}

static int work_flush_body(void)
{
	w_ran = 0;
	INIT_WORK(&w_work, w_fn);
	KT_ASSERT(schedule_work(&w_work));
	KT_ASSERT(!schedule_work(&w_work));	/* already pending */
	flush_work(&w_work);
	KT_ASSERT(w_ran == 1);
	KT_ASSERT(w_in_kthread);
	KT_ASSERT(!work_pending(&w_work));
	return 0;
}

KTEST(work_runs_in_a_worker_and_flush_waits)
{
	return in_thread(work_flush_body);
}

KTEST(work_cancel_sync_before_it_runs)
{
	w_ran = 0;
	INIT_WORK(&w_work, w_fn);
	schedule_work(&w_work);
	KT_ASSERT(cancel_work_sync(&w_work));	/* the worker has not run: interrupts are off */
	RUN_UNTIL(w_ran);
	KT_ASSERT(w_ran == 0);
	return 0;
}

static struct delayed_work d_work;
static volatile unsigned long d_ran_at;

static void d_fn(struct work_struct *w)
{
	d_ran_at = jiffies;
}

KTEST(delayed_work_waits_its_delay)
{
	unsigned long start = jiffies;

	d_ran_at = 0;
	INIT_DELAYED_WORK(&d_work, d_fn);
	KT_ASSERT(schedule_delayed_work(&d_work, 5));
	KT_ASSERT(delayed_work_pending(&d_work));
	RUN_UNTIL(d_ran_at);
	KT_ASSERT(d_ran_at && time_after_eq(d_ran_at, start + 5));
	schedule_delayed_work(&d_work, 1000);
	KT_ASSERT(cancel_delayed_work_sync(&d_work));
	KT_ASSERT(!delayed_work_pending(&d_work));
	return 0;
}

static volatile int k_loops;

static int k_loop(void *arg)
{
	int n = 0;

	while (!kthread_should_stop()) {
		k_loops = ++n;
		schedule();
	}
	return n > 0 ? 42 : -1;
}

static volatile int k_returned;

static int k_returns(void *arg)
{
	k_returned = 1;
	return 7;
}

static int kthread_body(void)
{
	struct task *t = kthread_run(k_loop, NULL, "kt-%s", "loop");
	struct task *r;

	KT_ASSERT(!IS_ERR(t));
	k_loops = 0;
	RUN_UNTIL(k_loops >= 10);	/* let it loop a while (maybe on another CPU) */
	KT_ASSERT(kthread_stop(t) == 42);
	k_returned = 0;
	r = kthread_run(k_returns, NULL, "kt-ret");
	KT_ASSERT(!IS_ERR(r));
	RUN_UNTIL(k_returned);
	KT_ASSERT(kthread_stop(r) == 7);	/* returned on its own, still stoppable */
	r = kthread_create(k_returns, NULL, "kt-never");
	KT_ASSERT(!IS_ERR(r));
	KT_ASSERT(kthread_stop(r) == -EINTR);	/* never woken: its function never ran */
	return 0;
}

KTEST(kthread_stop_returns_the_result)
{
	return in_thread(kthread_body);
}

static DEFINE_MUTEX(m_lock);
static volatile int m_inside, m_overlap, m_done;

static int m_worker(void *arg)
{
	for (int i = 0; i < 20; i++) {
		mutex_lock(&m_lock);
		if (m_inside++)
			m_overlap = 1;
		schedule();		/* let the other one try while we hold it */
		m_inside--;
		mutex_unlock(&m_lock);
		schedule();
	}
	m_done++;
	return 0;
}

KTEST(mutex_excludes_sleeping_threads)
{
	m_inside = m_overlap = m_done = 0;
	KT_ASSERT(!IS_ERR(kthread_run(m_worker, NULL, "kt-m1")));
	KT_ASSERT(!IS_ERR(kthread_run(m_worker, NULL, "kt-m2")));
	RUN_UNTIL(m_done == 2);
	KT_ASSERT(m_done == 2);
	KT_ASSERT(!m_overlap);
	KT_ASSERT(!mutex_is_locked(&m_lock));
	KT_ASSERT(mutex_trylock(&m_lock));
	KT_ASSERT(!mutex_trylock(&m_lock));	/* held, even by us */
	mutex_unlock(&m_lock);
	return 0;
}

static int completion_body(void)
{
	DECLARE_COMPLETION(c);
	unsigned long start;

	complete(&c);
	complete(&c);
	KT_ASSERT(wait_for_completion_timeout(&c, 10) > 0);
	KT_ASSERT(wait_for_completion_timeout(&c, 10) > 0);
	start = jiffies;
	KT_ASSERT(wait_for_completion_timeout(&c, 3) == 0);
	KT_ASSERT(time_after_eq(jiffies, start + 3));
	complete_all(&c);
	KT_ASSERT(completion_done(&c));
	wait_for_completion(&c);
	wait_for_completion(&c);
	return 0;
}

KTEST(completion_counts_and_times_out)
{
	return in_thread(completion_body);
}

KTEST(spinlock_counts_and_trylock)
{
	DEFINE_SPINLOCK(l);
	unsigned long flags;

	KT_ASSERT(!spin_is_locked(&l));
	spin_lock_irqsave(&l, flags);
	KT_ASSERT(spin_is_locked(&l) && spin_locks_held() >= 1);
	KT_ASSERT(!spin_trylock(&l));
	spin_unlock_irqrestore(&l, flags);
	KT_ASSERT(spin_trylock(&l));
	spin_unlock(&l);
	KT_ASSERT(!spin_is_locked(&l));
	return 0;
}
