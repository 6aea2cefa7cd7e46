/*
 * Several CPUs as a program sees them: sched_getaffinity lists the online
 * CPUs (as many as /proc/cpuinfo and sysconf say), sched_setaffinity moves
 * the caller to each CPU in turn and getcpu confirms it, a child inherits
 * its parent's mask across fork and exec, bad masks are refused with
 * Linux's errors, and busybox taskset pins a command.
 */
#include "tap.h"
#include <sched.h>
#include <sys/syscall.h>

static int online_cpus(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strncmp(line, "processor\t", 10) == 0;
	fclose(f);
	return n;
}

static int here(void)
{
	unsigned int cpu = 99, node = 99;

	if (syscall(SYS_getcpu, &cpu, &node, NULL) != 0 || node != 0)
		return -1;
	return (int)cpu;
}

static void affinity_lists_online_cpus(void)
{
	cpu_set_t set;
	int n = online_cpus();

	REQUIRE(n >= 1);
	CPU_ZERO(&set);
	CHECK_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
	CHECK_EQ(CPU_COUNT(&set), n);
	CHECK_EQ(sysconf(_SC_NPROCESSORS_ONLN), n);
	tap_printf("# %d CPUs online\n", n);
}

static void pinned_to_each_cpu(void)
{
	cpu_set_t all, one;
	int n = online_cpus();

	REQUIRE(sched_getaffinity(0, sizeof(all), &all) == 0);
	for (int cpu = 0; cpu < n; cpu++) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		CHECK_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
		CHECK_EQ(here(), cpu);
		for (volatile int i = 0; i < 200000; i++)
			;			/* ticks and slices come and go */
		sched_yield();
		CHECK_EQ(here(), cpu);
		CHECK_EQ(sched_getcpu(), cpu);
	}
	CHECK_EQ(sched_setaffinity(0, sizeof(all), &all), 0);
}

static void child_inherits_mask(void)
{
	cpu_set_t all, one;
	int n = online_cpus(), st, last = n - 1;
	pid_t pid;

	REQUIRE(sched_getaffinity(0, sizeof(all), &all) == 0);
	CPU_ZERO(&one);
	CPU_SET(last, &one);
	REQUIRE(sched_setaffinity(0, sizeof(one), &one) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		cpu_set_t got;

		CPU_ZERO(&got);
		_exit(sched_getaffinity(0, sizeof(got), &got) != 0 ? 10 :
		      CPU_COUNT(&got) != 1 || !CPU_ISSET(last, &got) ? 11 :
		      here() != last ? 12 : 0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
	/* another process's mask, by pid */
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	{
		cpu_set_t got;

		CPU_ZERO(&got);
		CHECK_EQ(sched_getaffinity(pid, sizeof(got), &got), 0);
		CHECK(CPU_ISSET(last, &got) && CPU_COUNT(&got) == 1);
		CHECK_EQ(sched_setaffinity(pid, sizeof(all), &all), 0);
		CHECK_EQ(sched_getaffinity(pid, sizeof(got), &got), 0);
		CHECK_EQ(CPU_COUNT(&got), n);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	CHECK_EQ(sched_setaffinity(0, sizeof(all), &all), 0);
}

static void bad_masks_refused(void)
{
	cpu_set_t none, far;
	uint64_t small;

	CPU_ZERO(&none);
	CHECK_ERR(sched_setaffinity(0, sizeof(none), &none), EINVAL);
	CPU_ZERO(&far);
	CPU_SET(60, &far);			/* no such CPU online */
	CHECK_ERR(sched_setaffinity(0, sizeof(far), &far), EINVAL);
	CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 4, &small), EINVAL);	/* too short */
	CHECK_ERR(sched_getaffinity(999999, sizeof(far), &far), ESRCH);
	CHECK_ERR(syscall(SYS_getcpu, (void *)1, NULL, NULL), EFAULT);
}

static void taskset_pins_a_command(void)
{
	int n = online_cpus(), last = n - 1;
	char cmd[128], out[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "taskset -c %d cat /proc/self/stat 2>&1", last);
	p = popen(cmd, "r");
	REQUIRE(p != NULL);
	/* field 39 of /proc/PID/stat is the CPU it last ran on */
	{
		char line[1024] = "";
		char *f = line;

		if (fgets(line, sizeof(line), p)) {
			char *rp = strrchr(line, ')');

			f = rp ? rp + 2 : line;
			for (int i = 3; i < 39 && f; i++) {
				f = strchr(f, ' ');
				if (f)
					f++;
			}
			if (f)
				snprintf(out, sizeof(out), "%d", atoi(f));
		}
	}
	CHECK_EQ(pclose(p), 0);
	CHECK_EQ(atoi(out), last);
	tap_printf("# taskset -c %d: ran on CPU %s\n", last, out);
}

int main(int argc, char **argv)
{
	tap_init("smp", argv[0], 1);
	RUN(affinity_lists_online_cpus);
	RUN(pinned_to_each_cpu);
	RUN(child_inherits_mask);
	RUN(bad_masks_refused);
	RUN(taskset_pins_a_command);
	return tap_done();
}
