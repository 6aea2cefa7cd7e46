/*
 * Lockup detectors, two integrity checks run from every CPU's tick:
 *
 *   soft-lockup   a CPU ran one task in the kernel (or anything but its
 *                 idle loop) for softlockup_thresh seconds without calling
 *                 schedule(): a kernel loop that never gives the CPU up.
 *                 The stuck CPU's own tick sees it and panics with the
 *                 interrupted registers.
 *   hard-lockup   a CPU took no timer interrupt for hardlockup_thresh
 *                 seconds: it is stuck with interrupts off. Each CPU
 *                 watches its "buddy" (the next CPU's tick count), as
 *                 Linux's buddy detector does; on a stall it sends the
 *                 buddy an NMI, which interrupts even a cli'd loop, and the
 *                 NMI handler panics there, so the record carries the stuck
 *                 CPU's registers and trace. It needs two CPUs.
 *
 * softlockup_thresh=N and hardlockup_thresh=N (seconds, 0 turns the
 * detector off) on the command line; the defaults are Linux's 20 and 10.
 */
#include <asm/irq.h>
#include <asm/ptrace.h>
#include <asm/smp.h>
#include <asm/switch.h>
#include "kernel/kernel.h"
#include "kernel/sched.h"
#include "lib/string.h"

#define NSEC	1000000000ULL

static uint64_t softlockup_ns = 20 * NSEC;
static uint64_t hardlockup_ns = 10 * NSEC;

static int set_thresh(const char *v, uint64_t *out)
{
	unsigned long long n;
	char *end;

	if (!v || !*v)
		return -EINVAL;
	n = kstrtoull(v, &end, 10);
	if (*end || n > 3600)
		return -EINVAL;
	*out = n * NSEC;
	return 0;
}

static int set_softlockup(const char *v)
{
	return set_thresh(v, &softlockup_ns);
}
CMDLINE_OPTION("softlockup_thresh", set_softlockup);

static int set_hardlockup(const char *v)
{
	return set_thresh(v, &hardlockup_ns);
}
CMDLINE_OPTION("hardlockup_thresh", set_hardlockup);

/* What CPU N's watcher last saw of N's tick count, and when it changed. */
static struct {
	uint64_t ticks, since_ns;
	bool nmi_sent;
} watched[NR_CPUS];
static bool hardlockup_pending[NR_CPUS];	/* an NMI for this CPU is the detector's */

void lockup_tick(struct pt_regs *regs)
{
	struct percpu *c = this_cpu();
	uint64_t now = ktime_ns();

	if (panic_in_progress())
		return;
	if (c->schedules != c->schedules_seen || !c->schedules_seen_ns) {
		c->schedules_seen = c->schedules;	/* it scheduled since the last tick */
		c->schedules_seen_ns = now;
	} else if (softlockup_ns && c->curr != c->idle &&
		   now - c->schedules_seen_ns > softlockup_ns) {
		panic_regs("soft-lockup", regs,
			   "soft lockup: CPU %u stuck for %lus without scheduling (%s, pid %d)",
			   c->cpu, (unsigned long)((now - c->schedules_seen_ns) / NSEC),
			   c->curr->comm, c->curr->pid);
	}
	if (hardlockup_ns && num_online_cpus() > 1) {
		unsigned int b = (c->cpu + 1) % cpus_online;
		struct percpu *bc = cpu_percpu(b);
		uint64_t ticks = __atomic_load_n(&bc->timer_ticks, __ATOMIC_RELAXED);

		if (!bc->online)
			return;
		if (ticks != watched[b].ticks || !watched[b].since_ns) {
			watched[b].ticks = ticks;
			watched[b].since_ns = now;
			watched[b].nmi_sent = false;
		} else if (now - watched[b].since_ns > hardlockup_ns && !watched[b].nmi_sent) {
			watched[b].nmi_sent = true;
			__atomic_store_n(&hardlockup_pending[b], true, __ATOMIC_SEQ_CST);
			smp_send_nmi(b);
		}
	}
}

/* The NMI handler's hook (arch/x86/cpu/traps.c): was this NMI the detector's? */
bool watchdog_nmi(struct pt_regs *regs)
{
	unsigned int cpu = smp_processor_id();

	if (cpu >= NR_CPUS || !__atomic_exchange_n(&hardlockup_pending[cpu], false,
						   __ATOMIC_SEQ_CST))
		return false;
	panic_regs("hard-lockup", regs,
		   "hard lockup: CPU %u took no timer interrupt for %lus (interrupts off at %pS)",
		   cpu, (unsigned long)(hardlockup_ns / NSEC), (void *)regs->rip);
	return true;
}
