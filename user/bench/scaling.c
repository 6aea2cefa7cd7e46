/*
 * /tests/scaling: how throughput grows with CPUs, the same static binary on
 * Basalt and on Linux. For each operation it forks WORKERS independent
 * processes that start together and repeat the operation for SECONDS of
 * wall time, each timing its own run, and prints the sum of their rates:
 *
 *   bench scaling <op> workers=<n> ops=<total> seconds=<s> ops_per_s=<rate>
 *
 * scripts/bench --scaling boots it at -smp 1, 2 and 4 with as many workers
 * as CPUs, and divides. The operations: getppid (a null system call),
 * pread-4k (4 KiB from a tmpfs file of the worker's own) and fork-exit
 * (fork, the child exits, the parent waits).
 *
 *   scaling [-n WORKERS] [-t SECONDS] [-o OP,...] [-T TMPDIR]
 *
 * Without options it reads scaling.workers=, scaling.seconds= and
 * scaling.ops= from /proc/cmdline; WORKERS defaults to the online CPUs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS	64

struct worker_ctx {
	int fd;			/* pread-4k: the worker's file */
	char buf[4096];
};

struct report {
	unsigned long ops;
	unsigned long ns;
	int err;		/* errno of a failed call, or 0 */
};

static int op_getppid(struct worker_ctx *w)
{
	return getppid() > 0 ? 0 : errno;
}

static int op_pread(struct worker_ctx *w)
{
	return pread(w->fd, w->buf, sizeof(w->buf), 0) == sizeof(w->buf) ? 0 : errno ? errno : EIO;
}

static int op_fork(struct worker_ctx *w)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(0);
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? 0 : ECHILD;
}

static const struct {
	const char *name;
	int (*call)(struct worker_ctx *w);
	unsigned int batch;	/* calls between two looks at the clock */
} ops[] = {
	{ "getppid", op_getppid, 256 },
	{ "pread-4k", op_pread, 64 },
	{ "fork-exit", op_fork, 1 },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static const char *tmpdir = "/tmp";

static unsigned long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_sec * 1000000000UL + ts.tv_nsec;
}

/* A worker: wait for the start, run for @secs, write what it did to @out. */
static void worker(int op, int id, double secs, int start, int out)
{
	static struct worker_ctx w;
	struct report r = { 0 };
	char path[256], c;
	unsigned long t0, deadline;

	if (ops[op].call == op_pread) {
		snprintf(path, sizeof(path), "%s/scaling.%d.%d", tmpdir, (int)getppid(), id);
		w.fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		memset(w.buf, 'x', sizeof(w.buf));
		if (w.fd < 0 || write(w.fd, w.buf, sizeof(w.buf)) != sizeof(w.buf))
			r.err = errno ? errno : EIO;
		unlink(path);
	}
	read(start, &c, 1);		/* EOF: every worker is ready */
	t0 = now_ns();
	deadline = t0 + (unsigned long)(secs * 1e9);
	while (!r.err && now_ns() < deadline) {
		for (unsigned int i = 0; i < ops[op].batch && !r.err; i++, r.ops++)
			r.err = ops[op].call(&w);
	}
	r.ns = now_ns() - t0;
	write(out, &r, sizeof(r));
	_exit(r.err ? 1 : 0);
}

/* One operation with @n workers; prints its line, returns 0 or -1. */
static int measure(int op, int n, double secs)
{
	int start[2], results[2], st, failed = 0;
	unsigned long total = 0;
	double rate = 0;
	struct report r;

	if (pipe(start) || pipe(results))
		return -1;
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			printf("bench scaling %s failed reason=\"fork: %s\"\n", ops[op].name,
			       strerror(errno));
			n = i;
			failed = 1;
			break;
		}
		if (pid == 0) {
			close(start[1]);
			close(results[0]);
			worker(op, i, secs, start[0], results[1]);
		}
	}
	close(start[0]);
	close(start[1]);		/* go */
	close(results[1]);
	for (int i = 0; i < n; i++) {
		if (read(results[0], &r, sizeof(r)) != sizeof(r)) {
			failed = 1;
			break;
		}
		if (r.err) {
			printf("bench scaling %s failed reason=\"%s\"\n", ops[op].name,
			       strerror(r.err));
			failed = 1;
		}
		total += r.ops;
		rate += r.ns ? r.ops * 1e9 / r.ns : 0;
	}
	close(results[0]);
	while (wait(&st) > 0)
		;
	if (failed)
		return -1;
	printf("bench scaling %s workers=%d ops=%lu seconds=%.1f ops_per_s=%.0f\n", ops[op].name,
	       n, total, secs, rate);
	fflush(stdout);
	return 0;
}

/* The CPUs in /sys/devices/system/cpu/online ("0-3,6"), else sysconf's count. */
static int online_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	char buf[256] = "", *p = buf;
	int n = 0, a, b, len;

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	while (sscanf(p, "%d%n", &a, &len) == 1) {
		p += len;
		b = a;
		if (*p == '-' && sscanf(p + 1, "%d%n", &b, &len) == 1)
			p += 1 + len;
		n += b >= a ? b - a + 1 : 0;
		if (*p++ != ',')
			break;
	}
	return n > 0 ? n : (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* scaling.KEY=VALUE words of the kernel command line, as options. */
static void cmdline_options(int *n, double *secs, char **list)
{
	static char buf[4096];
	FILE *f = fopen("/proc/cmdline", "r");
	char *save, *w;

	if (!f)
		return;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	for (w = strtok_r(buf, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
		if (!strncmp(w, "scaling.workers=", 16))
			*n = atoi(w + 16);
		else if (!strncmp(w, "scaling.seconds=", 16))
			*secs = atof(w + 16);
		else if (!strncmp(w, "scaling.ops=", 12))
			*list = w + 12;
	}
}

int main(int argc, char **argv)
{
	int n = 0, opt, failed = 0, measured = 0;
	double secs = 3;
	char *list = NULL, *save, *tok;
	struct utsname u;

	if (argc == 1)
		cmdline_options(&n, &secs, &list);
	while ((opt = getopt(argc, argv, "n:t:o:T:")) != -1) {
		switch (opt) {
		case 'n':
			n = atoi(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'o':
			list = optarg;
			break;
		case 'T':
			tmpdir = optarg;
			break;
		default:
			fprintf(stderr, "usage: scaling [-n WORKERS] [-t SECONDS] [-o OP,...] "
					"[-T TMPDIR]\n");
			return 2;
		}
	}
	if (n <= 0)
		n = online_cpus();
	if (n > MAX_WORKERS || secs <= 0) {
		fprintf(stderr, "scaling: at most %d workers, and a positive time\n", MAX_WORKERS);
		return 2;
	}
	uname(&u);
	printf("bench-info scaling uname=\"%s %s\" cpus=%d workers=%d\n", u.sysname, u.release,
	       online_cpus(), n);
	for (size_t op = 0; op < NOPS; op++) {
		int wanted = !list;

		if (list) {
			char copy[256];

			snprintf(copy, sizeof(copy), "%s", list);
			for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				wanted |= !strcmp(tok, ops[op].name);
		}
		if (!wanted)
			continue;
		if (measure((int)op, n, secs))
			failed++;
		else
			measured++;
	}
	printf("%s - bench/scaling\n", failed || !measured ? "not ok" : "ok");
	printf("bench-done scaling measured=%d failed=%d\n", measured, failed);
	return failed || !measured;
}
