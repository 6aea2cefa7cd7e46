/*
 * Time sources. At boot the PIT (channel 2, gated through port 0x61, a
 * fixed 1.193182 MHz clock) times five 20 ms windows while the TSC and the
 * LAPIC timer count; the shortest gives both rates. The TSC then provides
 * the monotonic nanosecond clock and the LAPIC timer the periodic tick
 * (CONFIG_HZ).
 */
#define pr_fmt(fmt) "time: " fmt

#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/irq.h>
#include <asm/ptrace.h>
#include <asm/setup.h>
#include "arch/x86/x86.h"
#include "kernel/kernel.h"
#include "kernel/sched.h"


#define PIT_HZ		1193182
#define CALIB_MS	20	/* one PIT window */
#define CALIB_TRIES	5

volatile uint64_t jiffies;
static uint64_t tsc_hz;
static uint64_t tsc_boot;

uint64_t tsc_khz(void)
{
	return tsc_hz / 1000;
}

/* Nanoseconds since arch_time_init(); 0 before it. */
uint64_t ktime_ns(void)
{
	uint64_t d;

	if (!tsc_hz)
		return 0;
	d = rdtsc() - tsc_boot;
	/* split to avoid overflow: whole seconds plus remainder */
	return (d / tsc_hz) * 1000000000ULL + (d % tsc_hz) * 1000000000ULL / tsc_hz;
}

void udelay(unsigned long us)
{
	uint64_t end;

	if (!tsc_hz) {
		for (unsigned long i = 0; i < us; i++)
			io_wait();
		return;
	}
	end = rdtsc() + tsc_hz / 1000000 * us;
	while (rdtsc() < end)
		cpu_relax();
}

void mdelay(unsigned long ms)
{
	while (ms--)
		udelay(1000);
}

/* Every CPU's LAPIC timer lands here; the boot CPU's keeps jiffies. */
static void timer_interrupt(struct pt_regs *regs, void *ctx)
{
	struct percpu *c = this_cpu();

	c->timer_ticks++;
	if (c->cpu == 0)
		jiffies++;
	sched_tick(user_mode(regs));
	lockup_tick(regs);
}

/*
 * Run the PIT one-shot on channel 2 once and measure the TSC and the LAPIC
 * timer over it. Returns the TSC cycles, or 0 when the PIT never fired.
 */
static uint64_t pit_window(uint32_t *lapic_ticks)
{
	uint32_t count = PIT_HZ * CALIB_MS / 1000;
	uint8_t gate = (inb(0x61) & ~0x02) | 0x01;	/* speaker off, gate on */
	uint64_t t0, t1;
	unsigned long spins = 0;

	outb(0x61, gate & ~0x01);
	outb(0x43, 0xb0);		/* channel 2, lo/hi byte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	lapic_timer_count_start();
	t0 = rdtsc();
	outb(0x61, gate);		/* rising gate edge starts the count */
	while (!(inb(0x61) & 0x20) && ++spins < 100000000UL)
		;
	t1 = rdtsc();
	*lapic_ticks = lapic_timer_count_elapsed();
	if (!(inb(0x61) & 0x20) || t1 <= t0)
		return 0;
	return t1 - t0;
}

/*
 * A delay between reading the TSC and the PIT starting (or between the PIT
 * firing and the TSC being read again) only lengthens a window: an emulator
 * thread descheduled by a busy host makes the TSC look fast and the clock
 * run slow. So the shortest of several windows is the best estimate.
 */
static void calibrate(void)
{
	uint64_t best = 0;
	uint32_t best_lapic = 0;

	for (int i = 0; i < CALIB_TRIES; i++) {
		uint32_t lapic;
		uint64_t cycles = pit_window(&lapic);

		if (cycles && (!best || cycles < best)) {
			best = cycles;
			best_lapic = lapic;
		}
	}
	if (!best) {
		pr_warn("PIT calibration failed; assuming a 1 GHz TSC\n");
		tsc_hz = 1000000000ULL;
		lapic_timer_set_rate(62500000);
		return;
	}
	tsc_hz = best * 1000 / CALIB_MS;
	lapic_timer_set_rate((uint64_t)best_lapic * 1000 / CALIB_MS);
}

void arch_time_init(void)
{
	calibrate();
	tsc_boot = rdtsc();
	set_vector_handler(TIMER_VECTOR, timer_interrupt, NULL);
	lapic_timer_start(TIMER_VECTOR, CONFIG_HZ);
	time_set_realtime(rtc_read_epoch());
	pr_info("TSC %lu.%03lu MHz%s, LAPIC timer at %d Hz\n", tsc_hz / 1000000,
		(tsc_hz / 1000) % 1000, cpu_features.invariant_tsc ? " (invariant)" : "",
		CONFIG_HZ);
}

/* An AP's own tick, at the rate the boot CPU measured. */
void arch_time_init_ap(void)
{
	lapic_timer_start(TIMER_VECTOR, CONFIG_HZ);
}

void arch_idle(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

/* isa-debug-exit: QEMU leaves with status (code << 1) | 1. */
void qemu_exit(uint8_t code)
{
	outb(0xf4, code);
}

uint64_t get_random_u64(void)
{
	uint64_t v;
	unsigned char ok = 0;

	if (cpu_features.rdrand) {
		for (int i = 0; i < 10 && !ok; i++)
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
		if (ok)
			return v;
	}
	v = rdtsc();
	v ^= v << 13;
	v ^= v >> 7;
	v ^= v << 17;
	return v * 0x2545f4914f6cdd1dULL;
}
