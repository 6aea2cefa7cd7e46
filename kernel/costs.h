/*
 * Counted costs (docs/costs.md): what each task has made the kernel do,
 * counted always, so that a benchmark can give next to a time how many
 * kernel entries, IPC messages, address-space switches and copied bytes
 * one call costs. Every counter is a field of the task it describes,
 * incremented without a lock by the CPU running that task (or switching
 * to it); /proc/PID/costs and /proc/costs add them up (kernel/costs.c).
 */
#ifndef KERNEL_COSTS_H
#define KERNEL_COSTS_H

#include <stddef.h>
#include <stdint.h>

struct task;

struct task_costs {
	uint64_t syscalls;		/* SYSCALL instructions, known numbers or not */
	uint64_t faults;		/* exceptions taken in user mode (page faults, #GP, int3...) */
	uint64_t interrupts;		/* interrupts taken in user mode (timer, devices, IPIs, NMI) */
	uint64_t ipc_messages;		/* IPC messages this task sent or was delivered (kernel/ipc.c) */
	uint64_t context_switches;	/* times the scheduler switched to this task */
	uint64_t as_switches;		/* those of them that loaded another CR3 */
	uint64_t bytes_from_user;	/* copy_from_user, strncpy_from_user */
	uint64_t bytes_to_user;		/* copy_to_user, clear_user */
	uint64_t bytes_cross_as;	/* IPC long-part bytes copied between two parties */
};

#define COSTS_FIELDS (sizeof(struct task_costs) / sizeof(uint64_t))

/* The process whose leader is @leader: its live threads and the exited ones. */
void costs_of_process(const struct task *leader, struct task_costs *sum);
/* Write the "name value" lines of @c into @buf; the length it needs. */
long costs_format(const struct task_costs *c, char *buf, size_t size);
/* A thread (not the leader) is exiting: its counts go to its leader's total. */
void costs_thread_exit(struct task *t);
/* @t is freed: its counts go to the system's total of dead tasks. */
void costs_task_freed(const struct task *t);

#endif
