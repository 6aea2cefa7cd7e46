/*
 * Where the two processes of a round trip run, for /bin/syscall-lat's
 * -P option: unpinned, both on CPU 0 ("same-cpu"), or the client on CPU 0
 * and its partner on CPU 1 ("two-cpus"). Each process pins itself with
 * sched_setaffinity and reads back where it is with getcpu before and
 * after the run, so a pinning the kernel accepted but did not honour
 * shows up as a misplaced row rather than as a plausible figure.
 */
#ifndef BASALT_BENCH_PLACE_H
#define BASALT_BENCH_PLACE_H

struct placement {
	const char *label;	/* the <path> field of the result line */
	int client_cpu;		/* -1: not pinned */
	int server_cpu;
};

/* What one process saw of its own CPU; -1 while unknown. */
struct place_report {
	int want;		/* the CPU it was pinned to, -1 for none */
	int before;		/* getcpu once pinned, before the first round trip */
	int after;		/* getcpu after the last one */
	int err;		/* 0, or the errno of a failed sched_setaffinity */
};

extern const struct placement placements[];
extern const int nplacements;

/* The placement called @label, or NULL. */
const struct placement *place_find(const char *label);

/* Pin the calling process to @cpu (nothing when @cpu < 0) and fill
 * r->want, r->before and r->err. Returns 0 or -errno. */
int place_pin(int cpu, struct place_report *r);

/* Remember the CPUs the process may use at start; place_restore() gives
 * them back after a pinned row. place_possible() says whether both of
 * @pl's CPUs are among them. */
void place_save(void);
void place_restore(void);
int place_possible(const struct placement *pl);

/* The CPU the caller runs on now (getcpu), or -1. */
int place_here(void);

/* NULL when @r shows a process that stayed where it was pinned,
 * else a one-word reason. */
const char *place_check(const struct place_report *r);

/* A page shared with the children forked after it, for their reports;
 * NULL when mmap fails. */
struct place_report *place_shared(void);

#endif
