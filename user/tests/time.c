/*
 * Clocks and sleeping: CLOCK_MONOTONIC only moves forward and tracks
 * nanosleep, CLOCK_REALTIME and gettimeofday agree and are set from the
 * real-time clock, nanosleep sleeps at least as long as asked (and not
 * absurdly longer), rejects bad arguments and reports the time left when a
 * signal cuts it short. Both the libc path (vDSO on Linux) and the raw
 * system call are checked.
 */
#include "tap.h"
#include <sys/times.h>

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void monotonic_increases(void)
{
	struct timespec a, b;
	long long prev = 0;

	for (int i = 0; i < 1000; i++) {
		REQUIRE(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
		CHECK(a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
		if (ns(&a) < prev) {
			tap_printf("# went backwards: %lld < %lld\n", ns(&a), prev);
			tap_cur_failed = 1;
			break;
		}
		prev = ns(&a);
	}
	/* the raw system call agrees with libc */
	REQUIRE(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b) == 0);
	CHECK(ns(&b) >= prev);
	/* and it advances across a busy loop of ~5 ms */
	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while (ns(&b) - ns(&a) < 5000000 && ns(&b) - ns(&a) >= 0);
	CHECK(ns(&b) - ns(&a) >= 5000000);
	CHECK_ERR(clock_gettime((clockid_t)12345, &a), EINVAL);
}

static void nanosleep_sleeps(void)
{
	struct timespec a, b, req = { 0, 50 * 1000 * 1000 };

	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_EQ(nanosleep(&req, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	long long slept = ns(&b) - ns(&a);
	CHECK(slept >= 50000000);
	CHECK(slept < 1000000000); /* generous for a slow emulator */
	if (slept < 50000000 || slept >= 1000000000)
		tap_printf("# slept %lld ns for 50 ms\n", slept);
	/* zero sleeps return at once */
	req.tv_nsec = 0;
	CHECK_EQ(nanosleep(&req, NULL), 0);
	/* and the raw call too */
	req.tv_nsec = 10 * 1000 * 1000;
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_EQ(syscall(SYS_nanosleep, &req, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK(ns(&b) - ns(&a) >= 10000000);
}

static void nanosleep_errors(void)
{
	struct timespec bad = { 0, 1000000000 }, neg = { -1, 0 };

	CHECK_ERR(nanosleep(&bad, NULL), EINVAL);
	CHECK_ERR(nanosleep(&neg, NULL), EINVAL);
}

static void on_usr1(int sig)
{
}

static void nanosleep_interrupted(void)
{
	struct sigaction sa = { 0 };
	struct timespec req = { 2, 0 }, rem = { 0, 0 };
	int st;

	sa.sa_handler = on_usr1; /* no SA_RESTART: nanosleep never restarts anyway */
	REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		tap_msleep(30);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	CHECK_ERR(nanosleep(&req, &rem), EINTR);
	/* most of the two seconds are left */
	CHECK(rem.tv_sec >= 1 || rem.tv_nsec > 500000000);
	CHECK(ns(&rem) <= ns(&req));
	CHECK_EQ(waitpid(pid, &st, 0), pid);
}

static void realtime(void)
{
	struct timespec ts, mono1, mono2;
	struct timeval tv;

	REQUIRE(clock_gettime(CLOCK_REALTIME, &ts) == 0);
	/* after 2020-01-01: the clock was set from the RTC, not left at 0 */
	CHECK(ts.tv_sec > 1577836800);
	REQUIRE(gettimeofday(&tv, NULL) == 0);
	CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	CHECK(tv.tv_sec - ts.tv_sec <= 1 && tv.tv_sec - ts.tv_sec >= 0);
	CHECK(time(NULL) - ts.tv_sec <= 1);
	/*
	 * Realtime advances with monotonic. The monotonic reads bracket the
	 * realtime ones, so dm >= dr; a vCPU the host did not run between two
	 * reads widens the bracket, so a wide one is measured again (3 tries).
	 */
	long long dr = 0, dm = 0;
	for (int try = 0; try < 3; try++) {
		struct timespec ts2;

		clock_gettime(CLOCK_MONOTONIC, &mono1);
		clock_gettime(CLOCK_REALTIME, &ts);
		tap_msleep(20);
		clock_gettime(CLOCK_REALTIME, &ts2);
		clock_gettime(CLOCK_MONOTONIC, &mono2);
		dr = ns(&ts2) - ns(&ts);
		dm = ns(&mono2) - ns(&mono1);
		if (dr - dm < 5000000 && dm - dr < 5000000)
			break;
	}
	CHECK(dr >= 19000000);
	CHECK(dr - dm < 5000000 && dm - dr < 5000000);
}

static void other_clocks(void)
{
	struct timespec ts, res;

	CHECK_EQ(clock_getres(CLOCK_MONOTONIC, &res), 0);
	CHECK(res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 10000000);
	CHECK_EQ(clock_gettime(CLOCK_BOOTTIME, &ts), 0);
	CHECK_EQ(clock_gettime(CLOCK_MONOTONIC_RAW, &ts), 0);
	CHECK_EQ(clock_gettime(CLOCK_MONOTONIC_COARSE, &ts), 0);
	CHECK_EQ(clock_gettime(CLOCK_REALTIME_COARSE, &ts), 0);
	/*
	 * CPU time: a busy loop uses some. It is counted in 10 ms ticks, and a
	 * vCPU on a loaded host may get none of a short loop's wall time, so
	 * the loop spins until the count moves, for up to 5 s.
	 */
	struct timespec c1, c2;
	CHECK_EQ(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1), 0);
	long long start = tap_now_ms();
	volatile long x = 0;
	do {
		for (int i = 0; i < 100000; i++)
			x++;
		CHECK_EQ(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c2), 0);
	} while (ns(&c2) == ns(&c1) && tap_now_ms() - start < 5000);
	CHECK(ns(&c2) > ns(&c1));
}

static void times_call(void)
{
	struct tms t;
	clock_t a = times(&t);

	CHECK(a != (clock_t)-1);
	CHECK(t.tms_utime >= 0 && t.tms_stime >= 0);
	CHECK(sysconf(_SC_CLK_TCK) == 100);
}

int main(int argc, char **argv)
{
	tap_init("time", argv[0], 0);
	RUN(monotonic_increases);
	RUN(nanosleep_sleeps);
	RUN(nanosleep_errors);
	RUN(nanosleep_interrupted);
	RUN(realtime);
	RUN(other_clocks);
	RUN(times_call);
	return tap_done();
}
