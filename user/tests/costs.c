/*
 * Counted costs (docs/costs.md): /proc/self/costs, /proc/PID/costs and
 * /proc/costs checked against calls whose costs are known: N getppid
 * calls, a 4 KiB write and read, a write cut short by a fault, page
 * faults, a busy loop's timer ticks, a pipe ping-pong between two
 * processes pinned to one CPU (and between two threads, which share one
 * CR3), IPC calls with long parts (both sides), a read through fsd on
 * /srv, a thread's counts after it exits, another process's file and a
 * missing pid's. Every figure is a difference between two readings of a
 * file kept open (a read from offset 0 takes a new snapshot), checked
 * within a tolerance. Basalt only: on another kernel every case is skipped.
 */
#include "tap.h"
#include "../fsd/ipc.h"
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#define COSTS(X)                                                               \
	X(kernel_entries) X(syscalls) X(faults) X(interrupts) X(ipc_messages) \
	X(context_switches) X(as_switches) X(bytes_user_copied)               \
	X(bytes_from_user) X(bytes_to_user) X(bytes_cross_as)

struct costs {
#define X(name) long long name;
	COSTS(X)
#undef X
};

static const char *const names[] = {
#define X(name) #name,
	COSTS(X)
#undef X
};
#define NCOSTS (sizeof(names) / sizeof(names[0]))

/* Parse "name value" lines: 0 if every name is there exactly once and nothing else. */
static int parse(const char *text, struct costs *c)
{
	long long *v = (long long *)c;
	int seen[NCOSTS] = { 0 };
	char name[64];
	long long val;
	int len;

	memset(c, 0, sizeof(*c));
	while (*text) {
		size_t i;

		if (sscanf(text, "%63s %lld%n", name, &val, &len) != 2 || text[len] != '\n')
			return -1;
		for (i = 0; i < NCOSTS && strcmp(names[i], name); i++)
			;
		if (i == NCOSTS || seen[i]++)
			return -1;
		v[i] = val;
		text += len + 1;
	}
	for (size_t i = 0; i < NCOSTS; i++)
		if (!seen[i])
			return -1;
	return 0;
}

static int open_costs(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/costs", (int)pid);
	return open(path, O_RDONLY);
}

/* One reading: a fresh snapshot from an open costs file (one pread syscall). */
static int reading(int fd, struct costs *c)
{
	char buf[1024];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = 0;
	return parse(buf, c);
}

/* @what of after minus before must lie in [lo, hi]. */
#define CHECK_DELTA(before, after, what, lo, hi)                               \
	do {                                                                   \
		long long _d = (after).what - (before).what;                   \
		long long _lo = (lo), _hi = (hi);                              \
		if (_d < _lo || _d > _hi) {                                    \
			tap_printf("# %s:%d: %s rose by %lld, expected %lld..%lld\n", \
				   __FILE__, __LINE__, #what, _d, _lo, _hi);   \
			tap_cur_failed = 1;                                    \
		}                                                              \
	} while (0)

static void pin_cpu0(void)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	CHECK_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
}

static void format(void)
{
	char buf[1024];
	struct costs c, sys;
	DIR *d;
	struct dirent *de;
	int listed = 0;

	REQUIRE(tap_read_file("/proc/self/costs", buf, sizeof(buf)) > 0);
	REQUIRE(parse(buf, &c) == 0);
	CHECK_EQ(c.kernel_entries, c.syscalls + c.faults + c.interrupts);
	CHECK_EQ(c.bytes_user_copied, c.bytes_from_user + c.bytes_to_user);
	CHECK(c.syscalls > 0);
	CHECK(c.context_switches > 0);	/* a forked process is switched to before it runs */
	CHECK(c.bytes_from_user > 0);	/* the path above */
	REQUIRE(tap_read_file("/proc/costs", buf, sizeof(buf)) > 0);
	REQUIRE(parse(buf, &sys) == 0);
	CHECK_EQ(sys.kernel_entries, sys.syscalls + sys.faults + sys.interrupts);
	CHECK(sys.syscalls > c.syscalls);
	CHECK(sys.context_switches > c.context_switches);
	d = opendir("/proc/self");
	REQUIRE(d != NULL);
	while ((de = readdir(d)) != NULL)
		listed += !strcmp(de->d_name, "costs");
	closedir(d);
	CHECK_EQ(listed, 1);
}

static void getppid_calls(void)
{
	enum { N = 20000 };
	struct costs a, b;
	int fd = open_costs(getpid());

	REQUIRE(fd >= 0);
	REQUIRE(reading(fd, &a) == 0);
	for (int i = 0; i < N; i++)
		syscall(SYS_getppid);
	REQUIRE(reading(fd, &b) == 0);
	tap_printf("# %d getppid: syscalls +%lld, kernel_entries +%lld, bytes_user_copied +%lld\n",
		   N, b.syscalls - a.syscalls, b.kernel_entries - a.kernel_entries,
		   b.bytes_user_copied - a.bytes_user_copied);
	/* the second reading's pread is counted in it, the first's was already */
	CHECK_DELTA(a, b, syscalls, N, N + 8);
	CHECK_DELTA(a, b, kernel_entries, N, N + N / 20 + 50);
	CHECK_DELTA(a, b, ipc_messages, 0, 0);
	CHECK_DELTA(a, b, bytes_from_user, 0, 64);
	close(fd);
}

static void write_and_read_4k(void)
{
	static char buf[4096];
	struct costs a, b;
	int cfd = open_costs(getpid());
	int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);

	REQUIRE(cfd >= 0 && fd >= 0);
	memset(buf, 'x', sizeof(buf));
	REQUIRE(reading(cfd, &a) == 0);
	CHECK_EQ(write(fd, buf, sizeof(buf)), sizeof(buf));
	REQUIRE(reading(cfd, &b) == 0);
	CHECK_DELTA(a, b, bytes_from_user, 4096, 4096 + 64);
	CHECK_DELTA(a, b, syscalls, 2, 4);
	REQUIRE(reading(cfd, &a) == 0);
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), sizeof(buf));
	REQUIRE(reading(cfd, &b) == 0);
	/* plus the text the first reading copied out */
	CHECK_DELTA(a, b, bytes_to_user, 4096, 4096 + 1024);
	CHECK_DELTA(a, b, bytes_from_user, 0, 64);
	CHECK_DELTA(a, b, bytes_user_copied, 4096, 4096 + 1024 + 64);
	close(fd);
	close(cfd);
}

/* A copy stopped by a fault counts what it copied, not what it was asked. */
static void fault_uncounts(void)
{
	struct costs a, b;
	int cfd = open_costs(getpid());
	int fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	REQUIRE(cfd >= 0 && fd >= 0 && p != MAP_FAILED);
	memset(p, 'y', 4096);
	REQUIRE(mprotect(p + 4096, 4096, PROT_NONE) == 0);
	REQUIRE(reading(cfd, &a) == 0);
	CHECK_EQ(write(fd, p, 2 * 4096), 4096);	/* the second page faults */
	REQUIRE(reading(cfd, &b) == 0);
	CHECK_DELTA(a, b, bytes_from_user, 4096, 4096 + 64);
	munmap(p, 2 * 4096);
	close(fd);
	close(cfd);
}

static void page_faults(void)
{
	enum { PAGES = 32 };
	struct costs a, b;
	int fd = open_costs(getpid());
	char *p = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	REQUIRE(fd >= 0 && p != MAP_FAILED);
	REQUIRE(reading(fd, &a) == 0);
	for (int i = 0; i < PAGES; i++)
		p[i * 4096] = 1;
	REQUIRE(reading(fd, &b) == 0);
	CHECK_DELTA(a, b, faults, PAGES, PAGES + 8);
	CHECK_DELTA(a, b, kernel_entries, PAGES + 1, PAGES + 40);
	munmap(p, PAGES * 4096);
	close(fd);
}

/* Timer ticks that land in user mode are kernel entries too. */
static void busy_loop_ticks(void)
{
	struct costs a, b;
	int fd = open_costs(getpid());
	long long t0;

	REQUIRE(fd >= 0);
	REQUIRE(reading(fd, &a) == 0);
	t0 = tap_now_ms();
	while (tap_now_ms() - t0 < 150)
		for (volatile int i = 0; i < 100000; i++)
			;
	REQUIRE(reading(fd, &b) == 0);
	CHECK_DELTA(a, b, interrupts, 2, 1000);
	CHECK_EQ(b.kernel_entries - a.kernel_entries,
		 (b.syscalls - a.syscalls) + (b.faults - a.faults) + (b.interrupts - a.interrupts));
	close(fd);
}

/* Two processes on CPU 0: every round trip switches there and back. */
static void pipe_ping_pong(void)
{
	enum { ROUNDS = 300 };
	int p1[2], p2[2], me, kid;
	struct costs a, b, ka, kb;
	char c = 0;
	pid_t pid;

	pin_cpu0();	/* before the fork: the child inherits it */
	REQUIRE(pipe(p1) == 0 && pipe(p2) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(p1[1]);
		close(p2[0]);
		while (read(p1[0], &c, 1) == 1)
			if (write(p2[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(p1[0]);
	close(p2[1]);
	for (int i = 0; i < 10; i++)	/* warm up: the child's first faults */
		REQUIRE(write(p1[1], &c, 1) == 1 && read(p2[0], &c, 1) == 1);
	me = open_costs(getpid());
	kid = open_costs(pid);
	REQUIRE(me >= 0 && kid >= 0);
	REQUIRE(reading(kid, &ka) == 0 && reading(me, &a) == 0);
	for (int i = 0; i < ROUNDS; i++)
		REQUIRE(write(p1[1], &c, 1) == 1 && read(p2[0], &c, 1) == 1);
	REQUIRE(reading(me, &b) == 0 && reading(kid, &kb) == 0);
	/* one switch to each process per round trip, each with its own CR3 */
	CHECK_DELTA(a, b, as_switches, ROUNDS * 9 / 10, ROUNDS * 3 / 2 + 10);
	CHECK_DELTA(ka, kb, as_switches, ROUNDS * 9 / 10, ROUNDS * 3 / 2 + 10);
	CHECK_DELTA(a, b, context_switches, ROUNDS * 9 / 10, ROUNDS * 3 / 2 + 10);
	CHECK(b.context_switches - a.context_switches >= b.as_switches - a.as_switches);
	long long both = (b.as_switches - a.as_switches) + (kb.as_switches - ka.as_switches);
	tap_printf("# %d round trips: %lld address-space switches (%lld + %lld)\n", ROUNDS, both,
		   b.as_switches - a.as_switches, kb.as_switches - ka.as_switches);
	CHECK(both >= 2 * ROUNDS * 9 / 10 && both <= 2 * ROUNDS * 5 / 4 + 20);
	/* a byte each way, each copied in and out once */
	CHECK_DELTA(ka, kb, bytes_from_user, ROUNDS, ROUNDS + 8);
	CHECK_DELTA(ka, kb, bytes_to_user, ROUNDS, ROUNDS + 8);
	close(p1[1]);
	close(p2[0]);
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
	close(me);
	close(kid);
}

static int tp1[2], tp2[2];

static void *thread_echo(void *arg)
{
	char c;

	while (read(tp1[0], &c, 1) == 1)
		if (write(tp2[1], &c, 1) != 1)
			break;
	return arg;
}

/* Two threads of one process on CPU 0: they switch, but share one CR3. */
static void thread_ping_pong(void)
{
	enum { ROUNDS = 300 };
	struct costs a, b;
	pthread_t t;
	char c = 0;
	int fd;

	pin_cpu0();	/* the thread inherits it */
	REQUIRE(pipe(tp1) == 0 && pipe(tp2) == 0);
	REQUIRE(pthread_create(&t, NULL, thread_echo, NULL) == 0);
	for (int i = 0; i < 10; i++)
		REQUIRE(write(tp1[1], &c, 1) == 1 && read(tp2[0], &c, 1) == 1);
	fd = open_costs(getpid());
	REQUIRE(fd >= 0);
	REQUIRE(reading(fd, &a) == 0);
	for (int i = 0; i < ROUNDS; i++)
		REQUIRE(write(tp1[1], &c, 1) == 1 && read(tp2[0], &c, 1) == 1);
	REQUIRE(reading(fd, &b) == 0);
	tap_printf("# %d round trips between threads: %lld context switches, %lld address-space switches\n",
		   ROUNDS, b.context_switches - a.context_switches, b.as_switches - a.as_switches);
	/* both threads' counts: two switches per round trip, no CR3 load */
	CHECK_DELTA(a, b, context_switches, 2 * ROUNDS * 9 / 10, 2 * ROUNDS * 5 / 4 + 20);
	CHECK_DELTA(a, b, as_switches, 0, ROUNDS / 20 + 4);
	close(tp1[1]);	/* the thread sees EOF */
	CHECK_EQ(pthread_join(t, NULL), 0);
	close(fd);
}

enum { IPC_CALLS = 200, IPC_LEN = 1000 };

/* Echo the long part back, reversed, until the clients are gone. */
static void ipc_server(int rfd)
{
	static char in[IPC_LEN], out[IPC_LEN];
	struct ipc_long l = { out, 0, in, sizeof(in) };
	struct ipc_msg m = { 0 };
	int badge;
	long n;

	for (;;) {
		n = ipc_reply_recv(rfd, &m, &l, &badge);
		if (n < 0)
			_exit(n == -EPIPE ? 0 : 3);
		for (long i = 0; i < n; i++)
			out[i] = in[n - 1 - i];
		l.send_len = (uint64_t)n;
		m.label = (uint64_t)n;
	}
}

static void ipc_both_sides(void)
{
	static char out[IPC_LEN], in[IPC_LEN];
	struct ipc_long l = { out, IPC_LEN, in, sizeof(in) };
	struct costs a, b, sa, sb;
	struct ipc_msg m;
	int ep[2], me, srv, st;
	pid_t pid;

	REQUIRE(ipc_create(ep, 0) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(ep[1]);
		ipc_server(ep[0]);
	}
	close(ep[0]);
	memset(out, 'q', sizeof(out));
	m = (struct ipc_msg){ .label = 1 };
	REQUIRE(ipc_call(ep[1], &m, &l) == IPC_LEN);	/* the server is up and answered */
	me = open_costs(getpid());
	srv = open_costs(pid);
	REQUIRE(me >= 0 && srv >= 0);
	REQUIRE(reading(srv, &sa) == 0 && reading(me, &a) == 0);
	for (int k = 0; k < IPC_CALLS; k++) {
		m = (struct ipc_msg){ .label = 1 };
		REQUIRE(ipc_call(ep[1], &m, &l) == IPC_LEN);
	}
	REQUIRE(reading(me, &b) == 0 && reading(srv, &sb) == 0);
	/* a request and an answer per call, on each side */
	CHECK_DELTA(a, b, ipc_messages, 2 * IPC_CALLS, 2 * IPC_CALLS + 2);
	CHECK_DELTA(sa, sb, ipc_messages, 2 * IPC_CALLS, 2 * IPC_CALLS + 2);
	CHECK_DELTA(a, b, syscalls, IPC_CALLS, IPC_CALLS + 4);
	/* each long part crosses once, copied by whichever side ran */
	long long cross = (b.bytes_cross_as - a.bytes_cross_as) + (sb.bytes_cross_as - sa.bytes_cross_as);
	tap_printf("# %d calls of %d bytes each way: %lld bytes across address spaces\n",
		   IPC_CALLS, IPC_LEN, cross);
	CHECK(cross >= 2LL * IPC_CALLS * IPC_LEN && cross <= 2LL * (IPC_CALLS + 1) * IPC_LEN);
	close(ep[1]);	/* the server sees EPIPE and exits */
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
	close(me);
	close(srv);
}

/* A read through fsd: the kernel's ipcfs calls the server on the reader's behalf. */
static void fsd_read(void)
{
	static char buf[4096];
	char mounts[4096], path[64];
	struct costs a, b;
	int cfd, fd;

	if (tap_read_file("/proc/mounts", mounts, sizeof(mounts)) < 0 ||
	    !strstr(mounts, " /srv ipcfs ")) {
		tap_printf("# /srv is not served by fsd here: nothing to check\n");
		return;
	}
	snprintf(path, sizeof(path), "/srv/costs-%d", (int)getpid());
	memset(buf, 'f', sizeof(buf));
	REQUIRE(tap_write_file(path, buf, sizeof(buf)) == 0);
	cfd = open_costs(getpid());
	fd = open(path, O_RDONLY);
	REQUIRE(cfd >= 0 && fd >= 0);
	REQUIRE(reading(cfd, &a) == 0);
	CHECK_EQ(pread(fd, buf, sizeof(buf), 0), sizeof(buf));
	REQUIRE(reading(cfd, &b) == 0);
	tap_printf("# pread of 4 KiB on /srv: ipc_messages +%lld, context_switches +%lld, as_switches +%lld, bytes_cross_as +%lld\n",
		   b.ipc_messages - a.ipc_messages, b.context_switches - a.context_switches,
		   b.as_switches - a.as_switches, b.bytes_cross_as - a.bytes_cross_as);
	/* one READ round trip: the request sent, the answer received */
	CHECK_DELTA(a, b, ipc_messages, 2, 8);
	CHECK_DELTA(a, b, bytes_to_user, 4096, 4096 + 1024);
	CHECK_DELTA(a, b, context_switches, 1, 8);
	close(fd);
	close(cfd);
	unlink(path);
}

static void *thread_calls(void *arg)
{
	for (int i = 0; i < 5000; i++)
		syscall(SYS_getppid);
	return arg;
}

/* A thread's counts stay in the process's total after it exits. */
static void thread_folds_in(void)
{
	struct costs a, b;
	pthread_t t;
	int fd = open_costs(getpid());

	REQUIRE(fd >= 0);
	REQUIRE(reading(fd, &a) == 0);
	REQUIRE(pthread_create(&t, NULL, thread_calls, NULL) == 0);
	REQUIRE(pthread_join(t, NULL) == 0);
	tap_msleep(20);	/* the thread's exit is done by now */
	REQUIRE(reading(fd, &b) == 0);
	CHECK_DELTA(a, b, syscalls, 5000, 5000 + 200);
	close(fd);
}

static void other_and_missing(void)
{
	struct costs c;
	char path[64], buf[1024], go;
	int p[2], fd, st;
	pid_t pid;

	REQUIRE(pipe(p) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < 1000; i++)
			syscall(SYS_getppid);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	REQUIRE(read(p[0], &go, 1) == 1);
	snprintf(path, sizeof(path), "/proc/%d/costs", (int)pid);
	REQUIRE(tap_read_file(path, buf, sizeof(buf)) > 0);
	REQUIRE(parse(buf, &c) == 0);
	CHECK(c.syscalls >= 1001);
	CHECK(c.bytes_from_user >= 1);	/* the byte written */
	fd = open(path, O_RDONLY);
	REQUIRE(fd >= 0);
	kill(pid, SIGKILL);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	/* the process is gone: no new snapshot, no file by that name */
	CHECK_ERR(pread(fd, buf, sizeof(buf), 0), ESRCH);
	close(fd);
	CHECK_ERR(open(path, O_RDONLY), ENOENT);
	close(p[0]);
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "format", format },
	{ "getppid_calls", getppid_calls },
	{ "write_and_read_4k", write_and_read_4k },
	{ "fault_uncounts", fault_uncounts },
	{ "page_faults", page_faults },
	{ "busy_loop_ticks", busy_loop_ticks },
	{ "pipe_ping_pong", pipe_ping_pong },
	{ "thread_ping_pong", thread_ping_pong },
	{ "ipc_both_sides", ipc_both_sides },
	{ "fsd_read", fsd_read },
	{ "thread_folds_in", thread_folds_in },
	{ "other_and_missing", other_and_missing },
};

int main(int argc, char **argv)
{
	struct utsname u;
	int basalt = uname(&u) == 0 && strstr(u.release, "basalt") != NULL;

	tap_init("costs", argv[0], 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (basalt)
			tap_run(cases[i].name, cases[i].fn);
		else
			tap_printf("ok - user/costs/%s # SKIP Basalt only\n", cases[i].name);
	}
	return tap_done();
}
