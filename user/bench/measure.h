/*
 * The measuring half of /bin/syscall-lat: reading the TSC, finding its
 * frequency, turning a run of samples into min / median / p99, and
 * printing result lines. Nothing here knows which operation is measured.
 */
#ifndef BASALT_BENCH_MEASURE_H
#define BASALT_BENCH_MEASURE_H

#include <stddef.h>
#include <stdint.h>

/*
 * lfence waits for every earlier instruction to finish before rdtsc reads
 * the counter, so neither bracket lets the measured code leak across it.
 * Under QEMU's -icount the counter is the guest's instruction count.
 */
static inline uint64_t tsc_read(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

struct tsc_freq {
	double hz;		/* ticks per second used for the _ns figures */
	double cpuid_hz;	/* what CPUID leaf 0x15/0x16 says, 0 when silent */
	double measured_hz;	/* against CLOCK_MONOTONIC */
	const char *source;	/* "cpuid-15", "cpuid-16" or "calibrated" */
};

struct stats {
	uint64_t min, median, p99;
};

void tsc_find_freq(struct tsc_freq *f);
void stats_compute(uint64_t *samples, size_t n, struct stats *st);

/* A whole line to stdout with one write(2), so output survives fork. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
