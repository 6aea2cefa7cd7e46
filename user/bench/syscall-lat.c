/*
 * /bin/syscall-lat: system call latency, the same static binary on Basalt
 * and on Linux. For each operation it makes WARMUP calls, then SAMPLES
 * calls each bracketed by `lfence; rdtsc`, and prints one line
 *
 *   bench <op> <path> n=<samples> min=<ticks> median=<ticks> p99=<ticks>
 *         min_ns=<ns> median_ns=<ns> p99_ns=<ns>
 *
 * (on one line), or "bench <op> <path> n/a reason=<why>" when the
 * operation is not available (no IPC syscalls, nothing mounted on /srv),
 * or "bench <op> <path> failed reason=<why>" when it broke. <path> is "-"
 * for operations on no file, "tmpfs", "fsd" or "ext2" for file operations
 * (/tmp, /srv, an ext2 disk mounted on /mnt/ext2 by the caller), and
 * for the two-process round trips the placement (-P, place.h): "-"
 * (unpinned, the default), "same-cpu" or "two-cpus"; a pinned row is
 * preceded by a "bench-place" line saying where both processes were, and
 * fails with reason=misplaced when either was not on its CPU. On Basalt
 * each measured row is followed by two "bench-costs" lines (costs.h):
 * what one call cost this process and the whole system in kernel entries,
 * IPC messages, switches and copied bytes. A human table follows as "# "
 * lines. Exit status 0 unless something failed.
 *
 *   syscall-lat [-n SAMPLES] [-w WARMUP] [-o OP,...] [-p tmpfs,fsd,ext2]
 *               [-P PLACEMENT,...] [-T TMPDIR] [-S SRVDIR] [-E EXT2DIR]
 *               [-t SECONDS] [-q]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "costs.h"
#include "measure.h"
#include "ops.h"
#include "place.h"

struct path {
	const char *label;	/* "tmpfs", "fsd" or "ext2" */
	const char *dir;
	const char *why;	/* why it cannot be measured, or NULL */
};

struct result {
	const struct op *op;
	const char *path;
	const char *status;	/* NULL: measured; else "n/a" or "failed" */
	const char *why;
	struct stats st;
};

static size_t nsamples = 20000, nwarmup = 1000;
static unsigned int timeout_s = 60;
static struct tsc_freq freq;
static uint64_t *samples;
static struct result results[64];
static int nresults;
static volatile sig_atomic_t timed_out;
static struct place_report *peer_report;	/* shared with the forked partners */
static int have_costs;		/* /proc/self/costs and /proc/costs: Basalt's counted costs */

/* The first alarm stops the current operation (a blocked call returns
 * EINTR: no SA_RESTART); a second one, 5 s later, ends the program. */
static void on_alarm(int sig)
{
	static const char msg[] = "bench-error watchdog: an operation ignored its timeout\n";

	if (timed_out) {
		write(1, msg, sizeof(msg) - 1);
		_exit(3);
	}
	timed_out = 1;
	alarm(5);
}

static const char *errno_name(int e)
{
	switch (e) {
	case ENOSYS: return "ENOSYS";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EROFS: return "EROFS";
	case EINVAL: return "EINVAL";
	case EIO: return "EIO";
	case EINTR: return "EINTR";
	case EPIPE: return "EPIPE";
	case EBADF: return "EBADF";
	case EFAULT: return "EFAULT";
	case ENOMEM: return "ENOMEM";
	case ENOSPC: return "ENOSPC";
	case EPROTO: return "EPROTO";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "errno";
	}
}

static double to_ns(uint64_t ticks)
{
	return (double)ticks * 1e9 / freq.hz;
}

static struct result *record(const struct op *op, const char *path, const char *status,
			     const char *why)
{
	struct result *r = &results[nresults < 63 ? nresults++ : 63];

	r->op = op;
	r->path = path;
	r->status = status;
	r->why = why;
	if (status)
		say("bench %s %s %s reason=%s\n", op->name, path, status, why);
	return r;
}

/*
 * Warm up, then sample; with counted costs, read them twice between the
 * two (what a reading costs) and once after. Returns 0, or -errno from
 * the call that failed.
 */
static int sample(const struct op *op, struct op_ctx *c, struct costs_reading cr[3])
{
	for (size_t i = 0; i < nwarmup + nsamples; i++) {
		uint64_t t0, t1;
		int err;

		if (i == nwarmup && have_costs) {
			costs_read(&cr[0]);
			costs_read(&cr[1]);
		}
		t0 = tsc_read();
		err = op->call(c);
		t1 = tsc_read();
		if (err)
			return timed_out ? -EINTR : err;
		if (timed_out)
			return -EINTR;
		if (i >= nwarmup)
			samples[i - nwarmup] = t1 - t0;
	}
	if (have_costs)
		costs_read(&cr[2]);
	return 0;
}

/*
 * After a pinned row: print where both processes were, pinned and seen by
 * getcpu before and after the run, and return why the row is void (NULL
 * when both stayed put).
 */
static const char *check_placement(const struct op *op, const char *path, struct op_ctx *c)
{
	const struct place_report *me = &c->self, *peer = c->peer;
	const char *bad = place_check(me);

	if (!bad)
		bad = place_check(peer);
	say("bench-place %s %s client_cpu=%d client_before=%d client_after=%d server_cpu=%d "
	    "server_before=%d server_after=%d result=%s\n", op->name, path, me->want, me->before,
	    me->after, peer->want, peer->before, peer->after, bad ? bad : "ok");
	return bad;
}

/*
 * Measure @op once: on file path @p, or at placement @pl (both NULL for
 * neither). A pinned row pins this process first; the child that setup
 * forks pins itself (ops.c); the pinning is undone afterwards.
 */
static void run_op(const struct op *op, const struct path *p, const struct placement *pl)
{
	const char *path = p ? p->label : pl ? pl->label : "-";
	struct op_ctx c = { .dir = p ? p->dir : NULL, .fd = -1, .child = -1,
			    .ep = { -1, -1 }, .to_child = { -1, -1 }, .from_child = { -1, -1 },
			    .place = pl, .peer = peer_report };
	int pinned = pl && pl->client_cpu >= 0;
	struct costs_reading cr[3];
	const char *bad = NULL;

	if (p && p->why) {
		record(op, path, "n/a", p->why);
		return;
	}
	if (pinned && !place_possible(pl)) {
		record(op, path, "n/a", "no-such-cpu");
		return;
	}
	memset(c.peer, 0xff, sizeof(*c.peer));
	if (place_pin(pinned ? pl->client_cpu : -1, &c.self) < 0) {
		place_restore();
		record(op, path, "failed", "setaffinity-failed");
		return;
	}
	timed_out = 0;
	alarm(timeout_s);
	if (op->setup && op->setup(&c) < 0) {
		int e = errno;
		alarm(0);
		if (op->teardown)
			op->teardown(&c);
		if (pinned)
			place_restore();
		record(op, path, c.why ? "n/a" : "failed", c.why ? c.why : errno_name(e));
		return;
	}
	int err = sample(op, &c, cr);
	alarm(0);
	c.self.after = place_here();
	if (op->teardown)
		op->teardown(&c);	/* the child writes its last CPU as it exits */
	if (pinned) {
		bad = check_placement(op, path, &c);
		place_restore();
	}
	if (err) {
		record(op, path, "failed", err == -EINTR ? "timeout" : errno_name(-err));
		return;
	}
	if (bad) {
		record(op, path, "failed", bad);
		return;
	}
	struct result *r = record(op, path, NULL, NULL);
	stats_compute(samples, nsamples, &r->st);
	say("bench %s %s n=%zu min=%llu median=%llu p99=%llu min_ns=%.1f median_ns=%.1f p99_ns=%.1f\n",
	    op->name, path, nsamples, (unsigned long long)r->st.min,
	    (unsigned long long)r->st.median, (unsigned long long)r->st.p99,
	    to_ns(r->st.min), to_ns(r->st.median), to_ns(r->st.p99));
	if (have_costs)
		costs_report(op->name, path, nsamples, cr);
}

/* Is @dir a mount point? By /proc/mounts, else by its device number. */
static const char *mount_check(const char *dir, char *fstype, size_t len)
{
	char line[512], mnt[256], type[64];
	struct stat a, b;
	char parent[300];
	FILE *f = fopen("/proc/mounts", "r");

	if (stat(dir, &a) < 0)
		return "not-mounted";
	if (f) {
		int found = 0;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%*s %255s %63s", mnt, type) == 2 && !strcmp(mnt, dir)) {
				snprintf(fstype, len, "%s", type);
				found = 1;
			}
		fclose(f);
		return found ? NULL : "not-mounted";
	}
	snprintf(parent, sizeof(parent), "%s/..", dir);
	if (stat(parent, &b) < 0 || a.st_dev == b.st_dev)
		return "not-mounted";
	return NULL;
}

static int wanted(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!list)
		return 1;
	for (const char *s = list; (s = strstr(s, name)) != NULL; s += n)
		if ((s == list || s[-1] == ',') && (s[n] == ',' || s[n] == '\0'))
			return 1;
	return 0;
}

/* Every name in the comma-separated @list is a placement. */
static int placements_known(const char *list)
{
	char name[32];

	for (const char *s = list; *s;) {
		size_t n = strcspn(s, ",");
		if (n == 0 || n >= sizeof(name))
			return 0;
		memcpy(name, s, n);
		name[n] = '\0';
		if (!place_find(name))
			return 0;
		s += n + (s[n] == ',');
	}
	return 1;
}

static void table(void)
{
	say("# %-34s %-8s %10s %10s %10s %10s %10s %10s\n", "operation", "path", "min",
	    "median", "p99", "min ns", "median ns", "p99 ns");
	for (int i = 0; i < nresults; i++) {
		struct result *r = &results[i];
		if (r->status) {
			say("# %-34s %-8s %10s (%s)\n", r->op->what, r->path, r->status, r->why);
			continue;
		}
		say("# %-34s %-8s %10llu %10llu %10llu %10.1f %10.1f %10.1f\n", r->op->what,
		    r->path, (unsigned long long)r->st.min, (unsigned long long)r->st.median,
		    (unsigned long long)r->st.p99, to_ns(r->st.min), to_ns(r->st.median),
		    to_ns(r->st.p99));
	}
}

static void usage(void)
{
	say("usage: syscall-lat [-n SAMPLES] [-w WARMUP] [-o OP,...] [-p tmpfs,fsd,ext2]\n"
	    "                   [-P PLACEMENT,...] [-T TMPDIR] [-S SRVDIR] [-E EXT2DIR]\n"
	    "                   [-t SECONDS] [-q]\n");
	say("placements:");
	for (int i = 0; i < nplacements; i++)
		say(" %s", placements[i].label);
	say("\n");
	say("operations:");
	for (int i = 0; i < nops; i++)
		say(" %s", ops[i].name);
	say("\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *oplist = NULL, *pathlist = NULL, *placelist = "-";
	struct path paths[] = { { "tmpfs", "/tmp", NULL }, { "fsd", "/srv", NULL },
				{ "ext2", "/mnt/ext2", NULL } };
	char fstype[64] = "?", srvtype[64] = "?", ext2type[64] = "?";
	int quiet = 0, opt;

	while ((opt = getopt(argc, argv, "n:w:o:p:P:T:S:E:t:q")) != -1) {
		switch (opt) {
		case 'n': nsamples = strtoul(optarg, NULL, 0); break;
		case 'w': nwarmup = strtoul(optarg, NULL, 0); break;
		case 'o': oplist = optarg; break;
		case 'p': pathlist = optarg; break;
		case 'P': placelist = optarg; break;
		case 'T': paths[0].dir = optarg; break;
		case 'S': paths[1].dir = optarg; break;
		case 'E': paths[2].dir = optarg; break;
		case 't': timeout_s = strtoul(optarg, NULL, 0); break;
		case 'q': quiet = 1; break;
		default: usage();
		}
	}
	if (nsamples < 1 || optind != argc || !placements_known(placelist))
		usage();
	samples = malloc(nsamples * sizeof(*samples));
	if (!samples) {
		say("bench-error cannot allocate %zu samples\n", nsamples);
		return 1;
	}
	peer_report = place_shared();
	if (!peer_report) {
		say("bench-error cannot map a shared page\n");
		return 1;
	}
	place_save();
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	op_child_timeout = timeout_s + 10;

	struct utsname u;
	uname(&u);
	tsc_find_freq(&freq);
	have_costs = costs_open();
	mount_check(paths[0].dir, fstype, sizeof(fstype));
	paths[1].why = mount_check(paths[1].dir, srvtype, sizeof(srvtype));
	paths[2].why = mount_check(paths[2].dir, ext2type, sizeof(ext2type));
	/* Linux mounts ext2 with its ext4 driver, which may call it either */
	if (!paths[2].why && strcmp(ext2type, "ext2") && strcmp(ext2type, "ext4") &&
	    strcmp(ext2type, "?"))
		paths[2].why = "not-ext2";
	say("bench-info kernel=\"%s %s\" samples=%zu warmup=%zu tsc_hz=%.0f tsc_source=%s "
	    "cpuid_hz=%.0f measured_hz=%.0f tmpfs=%s:%s fsd=%s:%s ext2=%s:%s costs=%s\n",
	    u.sysname, u.release, nsamples, nwarmup, freq.hz, freq.source, freq.cpuid_hz,
	    freq.measured_hz, paths[0].dir, fstype, paths[1].dir, paths[1].why ? "none" : srvtype,
	    paths[2].dir, paths[2].why ? "none" : ext2type, have_costs ? "proc" : "none");

	for (int i = 0; i < nops; i++) {
		if (!wanted(oplist, ops[i].name))
			continue;
		switch (ops[i].each) {
		case EACH_ONCE:
			run_op(&ops[i], NULL, NULL);
			break;
		case EACH_PATH:
			for (int j = 0; j < (int)(sizeof(paths) / sizeof(paths[0])); j++)
				if (wanted(pathlist, paths[j].label))
					run_op(&ops[i], &paths[j], NULL);
			break;
		case EACH_PLACEMENT:
			for (int j = 0; j < nplacements; j++)
				if (wanted(placelist, placements[j].label))
					run_op(&ops[i], NULL, &placements[j]);
			break;
		}
	}
	if (!quiet)
		table();
	int failed = 0, na = 0;
	for (int i = 0; i < nresults; i++) {
		failed += results[i].status && !strcmp(results[i].status, "failed");
		na += results[i].status && !strcmp(results[i].status, "n/a");
	}
	say("bench-done measured=%d na=%d failed=%d\n", nresults - failed - na, na, failed);
	return failed || nresults == 0 ? 1 : 0;
}
