/*
 * /tests/ticks: run a command and say what it cost the machine, for the
 * macro benchmark (docs/bench.md). The same static binary on Basalt and
 * on Linux; it runs outside mkrun, so it reads the kernel's own counters
 * whichever personality the command runs in.
 *
 *   ticks LABEL CMD [ARG...]
 *
 * prints, after CMD exits, one line
 *
 *   bench-macro LABEL status=S ticks=T busy=B idle=I ns=N cpus=C
 *
 * T is the TSC delta; under QEMU's -icount shift=0 that is the guest's
 * instructions plus the virtual time skipped while every CPU idled (the
 * clock jumps to the next timer while the guest waits for the disk). B is
 * T times the CPUs less their idle ticks I: Basalt's /proc/idle_tsc counts
 * them exactly; on Linux the idle and iowait time of /proc/stat's "cpu"
 * line (in clock ticks of 10 ms; a CPU idling while a task waits for the
 * disk counts as iowait, not idle) is turned into TSC ticks at the run's
 * own ticks per ns. N is CLOCK_MONOTONIC
 * time. On Basalt a second line gives what the whole system's counted
 * costs (/proc/costs, docs/costs.md) rose by: "bench-macro-costs LABEL
 * syscalls=... context_switches=... ...". Exit status: CMD's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

#define MAX_COUNTERS	32

struct counters {
	int n;
	char name[MAX_COUNTERS][40];
	long long v[MAX_COUNTERS];
};

struct reading {
	uint64_t tsc;
	long long ns;
	double idle;		/* TSC ticks (Basalt) or seconds (Linux) all CPUs idled */
	int idle_in_ticks;	/* 1: idle is Basalt's ticks; 0: Linux's seconds; -1: none */
	int cpus;
	struct counters costs;
};

static int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* "name value" lines, as /proc/costs and /proc/idle_tsc have them. */
static void read_counters(const char *path, struct counters *c)
{
	char buf[2048];
	int len;

	c->n = 0;
	if (read_text(path, buf, sizeof(buf)) < 0)
		return;
	for (const char *s = buf; c->n < MAX_COUNTERS &&
	     sscanf(s, "%39s %lld%n", c->name[c->n], &c->v[c->n], &len) == 2; s += len)
		c->n++;
}

static void take(struct reading *r)
{
	struct counters idle;
	unsigned long long idle_clk, iowait_clk;
	char buf[512];
	struct timespec ts;

	/* the idle counters first and the TSC last, so no idle time falls between */
	r->idle_in_ticks = -1;
	r->cpus = 0;
	read_counters("/proc/idle_tsc", &idle);
	if (idle.n > 0) {
		r->idle = 0;
		for (int i = 0; i < idle.n; i++)
			if (!strncmp(idle.name[i], "cpu", 3)) {
				r->idle += (double)idle.v[i];
				r->cpus++;
			}
		r->idle_in_ticks = 1;
	} else if (read_text("/proc/stat", buf, sizeof(buf)) == 0 &&
		   sscanf(buf, "cpu %*u %*u %*u %llu %llu", &idle_clk, &iowait_clk) == 2) {
		r->idle = (double)(idle_clk + iowait_clk) / (double)sysconf(_SC_CLK_TCK);
		r->idle_in_ticks = 0;
		r->cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	}
	read_counters("/proc/costs", &r->costs);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r->ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	r->tsc = tsc_read();
}

static void report(const char *label, int status, const struct reading *a,
		   const struct reading *b)
{
	uint64_t ticks = b->tsc - a->tsc;
	long long ns = b->ns - a->ns;
	double idle = b->idle - a->idle;
	int cpus = b->cpus > 0 ? b->cpus : 1;

	if (b->idle_in_ticks == 0)	/* seconds, at this run's ticks per ns */
		idle *= 1e9 * ((double)ticks / (double)(ns > 0 ? ns : 1));
	if (b->idle_in_ticks < 0)
		say("bench-macro %s status=%d ticks=%llu busy=unknown idle=unknown ns=%lld cpus=%d\n",
		    label, status, (unsigned long long)ticks, ns, cpus);
	else
		say("bench-macro %s status=%d ticks=%llu busy=%.0f idle=%.0f ns=%lld cpus=%d\n",
		    label, status, (unsigned long long)ticks, (double)ticks * cpus - idle, idle,
		    ns, cpus);
	if (a->costs.n == 0 || a->costs.n != b->costs.n)
		return;

	char line[1024];
	size_t len = (size_t)snprintf(line, sizeof(line), "bench-macro-costs %s", label);
	for (int i = 0; i < b->costs.n && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s=%lld",
					b->costs.name[i], b->costs.v[i] - a->costs.v[i]);
	say("%s\n", line);
}

int main(int argc, char **argv)
{
	struct reading a, b;
	int status = 0;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: ticks LABEL CMD [ARG...]\n");
		return 2;
	}
	take(&a);
	pid = fork();
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "ticks: cannot run %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		fprintf(stderr, "ticks: fork: %s\n", strerror(errno));
		return 1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	take(&b);
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	report(argv[1], status, &a, &b);
	return status;
}
