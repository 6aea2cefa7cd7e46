/*
 * Reading Basalt's counted costs around a benchmark (costs.h). The files
 * stay open; a pread from offset 0 takes a new snapshot, so a reading is
 * two system calls. What a reading itself costs (those calls, the text
 * they copy out) is measured by two readings back to back and taken off,
 * so what is left is the calls' own cost, whoever paid it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "costs.h"
#include "measure.h"

static const char *const costs_names[COSTS_N] = {
	"kernel_entries", "syscalls", "faults", "interrupts", "ipc_messages",
	"context_switches", "as_switches", "bytes_user_copied", "bytes_from_user",
	"bytes_to_user", "bytes_cross_as",
};

static int self_fd = -1, sys_fd = -1;

int costs_open(void)
{
	if (self_fd < 0)
		self_fd = open("/proc/self/costs", O_RDONLY | O_CLOEXEC);
	if (sys_fd < 0)
		sys_fd = open("/proc/costs", O_RDONLY | O_CLOEXEC);
	return self_fd >= 0 && sys_fd >= 0;
}

/* "name value" lines into @v; names it does not know are skipped. */
static void read_one(int fd, long long *v)
{
	char buf[1024], name[64];
	long long val;
	int len;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	memset(v, 0, COSTS_N * sizeof(*v));
	if (n <= 0)
		return;
	buf[n] = 0;
	for (const char *s = buf; sscanf(s, "%63s %lld%n", name, &val, &len) == 2; s += len) {
		for (int i = 0; i < COSTS_N; i++)
			if (!strcmp(name, costs_names[i]))
				v[i] = val;
	}
}

void costs_read(struct costs_reading *r)
{
	read_one(self_fd, r->self);
	read_one(sys_fd, r->sys);
}

static void report(const char *op, const char *path, const char *scope, size_t n,
		   const long long *a, const long long *b, const long long *c)
{
	char line[512];
	size_t len = (size_t)snprintf(line, sizeof(line), "bench-costs %s %s scope=%s n=%zu", op,
				      path, scope, n);

	for (int i = 0; i < COSTS_N && len < sizeof(line); i++) {
		long long work = (c[i] - b[i]) - (b[i] - a[i]);

		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s=%.3f", costs_names[i],
					(double)work / (double)n);
	}
	say("%s\n", line);
}

void costs_report(const char *op, const char *path, size_t n, const struct costs_reading r[3])
{
	report(op, path, "self", n, r[0].self, r[1].self, r[2].self);
	report(op, path, "system", n, r[0].sys, r[1].sys, r[2].sys);
}
