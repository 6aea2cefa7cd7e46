/*
 * The operations /bin/syscall-lat measures. Each is a table entry: an
 * optional setup and teardown around a measured call that the sampling
 * loop brackets with the TSC. File operations run once per directory
 * (tmpfs, the monolithic path; /srv, the file server reached by IPC), the
 * two-process round trips once per placement (place.h).
 */
#ifndef BASALT_BENCH_OPS_H
#define BASALT_BENCH_OPS_H

#include <stdint.h>
#include <sys/types.h>

#include "place.h"

/* How often an operation runs: once, on each file path, at each placement. */
enum op_each { EACH_ONCE, EACH_PATH, EACH_PLACEMENT };

struct op_ctx {
	const char *dir;	/* file operations: the directory measured */
	char path[256];		/* the scratch file in it */
	int fd;
	int to_child[2], from_child[2];
	pid_t child;
	int ep[2];		/* an IPC endpoint: receive end, send end */
	uint64_t seq;		/* round trips so far: what the next one sends */
	const struct placement *place;	/* EACH_PLACEMENT: where both run */
	struct place_report self;	/* the client's (this process's) placement */
	struct place_report *peer;	/* the child's, in memory shared with it */
	const char *why;	/* set by a setup that cannot run: the n/a reason */
	unsigned char buf[4096] __attribute__((aligned(64)));
};

struct op {
	const char *name;	/* on the result line: "bench <name> <path> ..." */
	const char *what;	/* for the human table */
	enum op_each each;
	/* 0 when ready; -1 (with why set) when the operation is not available */
	int (*setup)(struct op_ctx *c);
	/* the measured call: 0, or -errno */
	int (*call)(struct op_ctx *c);
	void (*teardown)(struct op_ctx *c);
};

extern const struct op ops[];
extern const int nops;

/* The timeout, in seconds, that a setup gives the child it forks. */
extern unsigned int op_child_timeout;

#endif
