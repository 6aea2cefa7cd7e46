/*
 * Counted costs (docs/costs.md) for /bin/syscall-lat: Basalt's counters
 * of kernel entries, IPC messages, switches and copied bytes, read from
 * /proc/self/costs (this process) and /proc/costs (the whole system, so
 * that fsd's and a round trip's partner's work is in it too) around an
 * operation's samples, and printed per call as "bench-costs" lines. On a
 * kernel without these files (Linux) nothing is read or printed.
 */
#ifndef BASALT_BENCH_COSTS_H
#define BASALT_BENCH_COSTS_H

#include <stddef.h>

#define COSTS_N 11

/* One reading: this process's counters and the system's, in costs_names order. */
struct costs_reading {
	long long self[COSTS_N], sys[COSTS_N];
};

/* Open the two files, once; 1 if the kernel counts costs, else 0. */
int costs_open(void);
/* Take a reading (two preads from offset 0, each a fresh snapshot). */
void costs_read(struct costs_reading *r);
/*
 * Print the per-call costs of @n calls: r[0] and r[1] are two readings
 * back to back (what reading costs), r[2] the reading after the calls.
 */
void costs_report(const char *op, const char *path, size_t n, const struct costs_reading r[3]);

#endif
