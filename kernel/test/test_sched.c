/*
 * In-kernel scheduler tests: kernel threads run, sleep on wait queues and
 * timers, are woken, exit and are reaped, with context switches between
 * them and the test.
 */
#include "kernel/ktest.h"
#include "kernel/sched.h"

static volatile int counter;
static volatile int stage;
static DEFINE_WAIT_QUEUE(test_wq);

static int thread_count(void *arg)
{
	for (int i = 0; i < 100; i++) {
		counter++;
		schedule();
	}
	return 0;
}

static int thread_wait(void *arg)
{
	wait_event(test_wq, stage == 1);
	stage = 2;
	return 0;
}

static int thread_sleep(void *arg)
{
	uint64_t t0 = ktime_ns();

	sleep_ns(30 * 1000000ULL);
	*(uint64_t *)arg = ktime_ns() - t0;
	return 0;
}

KTEST(sched_kthreads_run_and_exit)
{
	struct task *a, *b;
	int before = 0;
	struct task *t;

	list_for_each_entry(t, &all_tasks, all_node)
		before++;
	counter = 0;
	a = kthread_spawn("kt-a", thread_count, NULL);
	b = kthread_spawn("kt-b", thread_count, NULL);
	KT_ASSERT(a && b && a->pid != b->pid);
	RUN_UNTIL(counter == 200);
	KT_ASSERT_EQ(counter, 200);
	/* both exited; a later schedule frees them */
	RUN_UNTIL(0);
	int after = 0;

	list_for_each_entry(t, &all_tasks, all_node)
		after++;
	KT_ASSERT_EQ(after, before);
	return 0;
}

KTEST(sched_wait_queue_wakeup)
{
	stage = 0;
	KT_ASSERT(kthread_spawn("kt-wait", thread_wait, NULL) != NULL);
	RUN_UNTIL(0);
	KT_ASSERT_EQ(stage, 0);		/* still asleep */
	stage = 1;
	wake_up(&test_wq);
	RUN_UNTIL(stage == 2);
	KT_ASSERT_EQ(stage, 2);
	return 0;
}

KTEST(sched_timed_sleep)
{
	volatile uint64_t slept = 0;

	KT_ASSERT(kthread_spawn("kt-sleep", thread_sleep, (void *)&slept) != NULL);
	RUN_UNTIL(slept != 0);
	KT_ASSERT(slept >= 30 * 1000000ULL);
	KT_ASSERT(slept < 1000 * 1000000ULL);
	return 0;
}

/*
 * The lost wake-up race, across CPUs: a thread on CPU 1 waits for each of
 * LW_ROUNDS events that a timer function on CPU 0's tick posts, one at a
 * time, only after the thread has seen the previous one. The waker holds
 * no big kernel lock, so its wake-up can land at any point of the
 * sleeper's wait; one that came between the sleeper's look and its
 * schedule() and got lost would leave it asleep for good with the event
 * posted, and the rounds would stop short.
 */
#include <asm/smp.h>
#include "kernel/kthread.h"
#include "kernel/timer.h"

#define LW_ROUNDS	300
static DEFINE_WAIT_QUEUE(lw_wq);
static volatile unsigned int lw_posted, lw_seen, lw_done, lw_cpu_ok;
static struct timer_list lw_timer;

static void lw_timer_fn(struct timer_list *t)
{
	if (lw_seen == lw_posted && lw_posted < LW_ROUNDS) {
		lw_posted++;
		wake_up(&lw_wq);
	}
	if (lw_posted < LW_ROUNDS || lw_seen < lw_posted)
		mod_timer(&lw_timer, jiffies + 1);
}

static int lw_sleeper(void *arg)
{
	unsigned int want = (unsigned int)(uintptr_t)arg;

	for (unsigned int r = 1; r <= LW_ROUNDS; r++) {
		wait_event(lw_wq, lw_posted >= r);
		lw_cpu_ok += smp_processor_id() == want;
		lw_seen = r;
	}
	lw_done = 1;
	return 0;
}

KTEST(sched_no_lost_wakeup_across_cpus)
{
	unsigned int cpu = cpus_online > 1 ? 1 : 0;
	struct task *t;
	uint64_t end;

	lw_posted = lw_seen = lw_done = lw_cpu_ok = 0;
	t = kthread_create(lw_sleeper, (void *)(uintptr_t)cpu, "kt-lostwake");
	KT_ASSERT(!IS_ERR(t));
	KT_ASSERT_EQ(sched_set_allowed(t, 1ULL << cpu), 0);
	wake_up_process(t);
	timer_setup(&lw_timer, lw_timer_fn, 0);
	mod_timer(&lw_timer, jiffies + 1);
	end = ktime_ns() + 20 * 1000000000ULL;
	while (!lw_done && ktime_ns() < end)
		RUN_UNTIL(lw_done);
	del_timer_sync(&lw_timer);
	if (!lw_done)
		printk("# lost wake-up: the sleeper stopped at round %u, %u posted\n", lw_seen,
		       lw_posted);
	KT_ASSERT(lw_done);
	KT_ASSERT_EQ(lw_seen, LW_ROUNDS);
	KT_ASSERT_EQ(lw_cpu_ok, LW_ROUNDS);	/* every round on its pinned CPU */
	return 0;
}
