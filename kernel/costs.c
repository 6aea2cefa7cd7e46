/*
 * Counted costs (kernel/costs.h, docs/costs.md): adding up the per-task
 * counters for /proc/PID/costs (a process: its live threads and those
 * that exited) and /proc/costs (the system: every task alive and every
 * task freed since boot). The counters themselves are incremented where
 * the work is done: the syscall and interrupt entries, the user copies,
 * the scheduler's switch and kernel/ipc.c. The readers and the two folds
 * below run under the big kernel lock, as every other walk of the task
 * list in process context does, so a count is never seen twice or lost
 * while it moves from a task to a total.
 */
#include <asm/smp.h>
#include "fs/vfs.h"
#include "kernel/costs.h"
#include "kernel/sched.h"
#include "lib/printf.h"

static struct task_costs costs_dead;	/* every task freed since boot */

static void costs_add(struct task_costs *sum, const struct task_costs *c)
{
	uint64_t *s = (uint64_t *)sum;
	const uint64_t *a = (const uint64_t *)c;

	for (size_t i = 0; i < COSTS_FIELDS; i++)
		s[i] += a[i];
}

/*
 * Is @t a thread of @leader's process? A thread never starts before its
 * leader, which tells it from a new process that was given the pid of a
 * leader that died before its threads.
 */
static bool thread_of(const struct task *t, const struct task *leader)
{
	return t->tgid == leader->tgid && t->start_ns >= leader->start_ns;
}

void costs_of_process(const struct task *leader, struct task_costs *sum)
{
	struct task *t;

	*sum = leader->costs_exited;
	list_for_each_entry(t, &all_tasks, all_node) {
		/* a dead thread's counts are in costs_exited already */
		if (thread_of(t, leader) && t->state != TASK_DEAD)
			costs_add(sum, &t->costs);
	}
}

/*
 * The leader's costs_exited is written only here, by its exiting threads,
 * never by the leader itself, so it needs no more than the BKL: the
 * leader's own counters stay its own.
 */
void costs_thread_exit(struct task *t)
{
	struct task *leader = task_by_pid(t->tgid);

	if (leader && leader != t && thread_of(t, leader))
		costs_add(&leader->costs_exited, &t->costs);
}

void costs_task_freed(const struct task *t)
{
	costs_add(&costs_dead, &t->costs);
}

long costs_format(const struct task_costs *c, char *buf, size_t size)
{
	return snprintf(buf, size,
			"kernel_entries %lu\nsyscalls %lu\nfaults %lu\ninterrupts %lu\n"
			"ipc_messages %lu\ncontext_switches %lu\nas_switches %lu\n"
			"bytes_user_copied %lu\nbytes_from_user %lu\nbytes_to_user %lu\n"
			"bytes_cross_as %lu\n",
			(unsigned long)(c->syscalls + c->faults + c->interrupts),
			(unsigned long)c->syscalls, (unsigned long)c->faults,
			(unsigned long)c->interrupts, (unsigned long)c->ipc_messages,
			(unsigned long)c->context_switches, (unsigned long)c->as_switches,
			(unsigned long)(c->bytes_from_user + c->bytes_to_user),
			(unsigned long)c->bytes_from_user, (unsigned long)c->bytes_to_user,
			(unsigned long)c->bytes_cross_as);
}

/* /proc/costs: the tasks alive (the idle tasks too), plus those freed. */
static long costs_show(char *buf, size_t size)
{
	struct task_costs sum = costs_dead;
	struct task *t;

	list_for_each_entry(t, &all_tasks, all_node)
		costs_add(&sum, &t->costs);
	for (unsigned int cpu = 1; cpu < cpus_online; cpu++) {	/* CPU 0's is on the list */
		const struct task *idle = cpu_percpu(cpu)->idle;

		if (idle)
			costs_add(&sum, &idle->costs);
	}
	return costs_format(&sum, buf, size);
}

static int costs_init(void)
{
	return procfs_register_fresh("costs", costs_show);
}
core_initcall(costs_init);
