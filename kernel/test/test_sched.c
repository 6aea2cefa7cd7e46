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
