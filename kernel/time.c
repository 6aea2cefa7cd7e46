/*
 * Time for user space: clock_gettime and friends, and sleeping. The
 * monotonic clock is the TSC-based ktime_ns(); the real-time clock is the
 * CMOS date read at boot plus the monotonic time since.
 */
#include <asm/uaccess.h>
#include "kernel/sched.h"
#include "kernel/syscall.h"

#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID	3
#define CLOCK_MONOTONIC_RAW	4
#define CLOCK_REALTIME_COARSE	5
#define CLOCK_MONOTONIC_COARSE	6
#define CLOCK_BOOTTIME		7
#define TIMER_ABSTIME		1

static uint64_t realtime_offset_ns;	/* epoch ns at ktime 0 */

void time_set_realtime(uint64_t epoch_sec)
{
	realtime_offset_ns = epoch_sec * 1000000000ULL - ktime_ns();
}

uint64_t ktime_real_ns(void)
{
	return realtime_offset_ns + ktime_ns();
}

static int clock_ns(int clk, uint64_t *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = realtime_offset_ns + ktime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = ktime_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = (current->utime + current->stime) * (1000000000ULL / CONFIG_HZ);
		return 0;
	default:
		return -EINVAL;
	}
}

static int put_ts(struct kernel_timespec __user *u, uint64_t ns)
{
	struct kernel_timespec ts = { (int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL) };

	return copy_to_user(u, &ts, sizeof(ts));
}

SYSCALL_DEFINE2(clock_gettime, int, clk, struct kernel_timespec __user *, tp)
{
	uint64_t ns;
	int err = clock_ns(clk, &ns);

	return err ? err : put_ts(tp, ns);
}

SYSCALL_DEFINE2(clock_getres, int, clk, struct kernel_timespec __user *, tp)
{
	uint64_t ns;

	if (clock_ns(clk, &ns))
		return -EINVAL;
	return tp ? put_ts(tp, 1) : 0;
}

SYSCALL_DEFINE2(gettimeofday, int64_t __user *, tv, void __user *, tz)
{
	uint64_t ns = realtime_offset_ns + ktime_ns();
	int64_t v[2] = { (int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL / 1000) };

	if (tv && copy_to_user(tv, v, sizeof(v)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE1(time, int64_t __user *, t)
{
	int64_t s = (int64_t)((realtime_offset_ns + ktime_ns()) / 1000000000ULL);

	if (t && put_user(s, t))
		return -EFAULT;
	return s;
}

static long do_nanosleep(uint64_t ns, struct kernel_timespec __user *rem)
{
	uint64_t end = ktime_ns() + ns;

	if (sleep_ns(ns) == -EINTR) {
		uint64_t now = ktime_ns();

		if (rem)
			put_ts(rem, now < end ? end - now : 0);
		return -EINTR;
	}
	return 0;
}

int timespec_from_user(const void __user *u, uint64_t *ns)
{
	struct kernel_timespec ts;

	if (copy_from_user(&ts, u, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
		return -EINVAL;
	*ns = (uint64_t)ts.sec * 1000000000ULL + (uint64_t)ts.nsec;
	return 0;
}

SYSCALL_DEFINE2(nanosleep, const struct kernel_timespec __user *, req,
		struct kernel_timespec __user *, rem)
{
	uint64_t ns;
	int err = timespec_from_user(req, &ns);

	return err ? err : do_nanosleep(ns, rem);
}

SYSCALL_DEFINE4(clock_nanosleep, int, clk, int, flags, const struct kernel_timespec __user *, req,
		struct kernel_timespec __user *, rem)
{
	uint64_t ns, now;
	int err = timespec_from_user(req, &ns);

	if (err)
		return err;
	if (clock_ns(clk, &now))
		return -EINVAL;
	if (flags & TIMER_ABSTIME) {
		ns = ns > now ? ns - now : 0;
		rem = NULL;
	}
	return do_nanosleep(ns, rem);
}
