/*
 * TSC frequency, sample statistics and line output for /bin/syscall-lat.
 *
 * The frequency comes from CPUID leaf 0x15 (crystal clock times the
 * TSC/crystal ratio) or leaf 0x16 (base frequency) when the CPU reports
 * one, and is always checked against CLOCK_MONOTONIC: under QEMU's TCG
 * the guest TSC is the host's counter, and under -icount it counts guest
 * instructions, so the CPU model's claim can be far off. When the two
 * disagree by more than 5% the measured value wins and the line says so.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

#define CALIBRATE_NS 200000000LL	/* 200 ms */

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ __volatile__("cpuid"
			     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			     : "a"(leaf), "c"(0));
}

static double cpuid_freq(const char **source)
{
	uint32_t r[4];

	cpuid(0, r);
	uint32_t max = r[0];
	if (max >= 0x15) {
		cpuid(0x15, r);
		/* eax: denominator, ebx: numerator, ecx: crystal Hz */
		if (r[0] && r[1] && r[2]) {
			*source = "cpuid-15";
			return (double)r[2] * r[1] / r[0];
		}
	}
	if (max >= 0x16) {
		cpuid(0x16, r);
		if (r[0] & 0xffff) {	/* base frequency in MHz */
			*source = "cpuid-16";
			return (r[0] & 0xffff) * 1e6;
		}
	}
	return 0;
}

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Ticks per second over about 200 ms of CLOCK_MONOTONIC, spinning. */
static double calibrate(void)
{
	long long t0 = mono_ns(), t1;
	uint64_t c0 = tsc_read(), c1;

	do {
		t1 = mono_ns();
		c1 = tsc_read();
	} while (t1 - t0 < CALIBRATE_NS);
	return (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
}

void tsc_find_freq(struct tsc_freq *f)
{
	f->source = "calibrated";
	f->cpuid_hz = cpuid_freq(&f->source);
	f->measured_hz = calibrate();
	f->hz = f->measured_hz;
	if (f->cpuid_hz > 0) {
		double ratio = f->cpuid_hz / f->measured_hz;
		if (ratio > 0.95 && ratio < 1.05)
			f->hz = f->cpuid_hz;
		else
			f->source = "calibrated";
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @samples in place. The p99 is the smallest sample that at least
 * 99% of the samples do not exceed. */
void stats_compute(uint64_t *samples, size_t n, struct stats *st)
{
	qsort(samples, n, sizeof(*samples), cmp_u64);
	st->min = samples[0];
	st->median = samples[n / 2];
	st->p99 = samples[(n * 99 + 99) / 100 - 1];
}

void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	for (char *p = buf; n > 0;) {
		ssize_t w = write(1, p, n);
		if (w <= 0)
			return;
		p += w;
		n -= w;
	}
}
