/*
 * Process-wide odds and ends: uname fields, brk growth and shrinkage,
 * sysinfo (busybox free and uptime use it), thread-local storage set up by
 * arch_prctl, identity calls, resource limits, and the auxiliary vector the
 * kernel hands a static program.
 */
#include "tap.h"
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

static int terminated(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

static void uname_fields(void)
{
	struct utsname u;

	REQUIRE(uname(&u) == 0);
	CHECK(terminated(u.sysname, sizeof(u.sysname)) && u.sysname[0]);
	CHECK(terminated(u.nodename, sizeof(u.nodename)));
	CHECK(terminated(u.release, sizeof(u.release)) && u.release[0] >= '0' &&
	      u.release[0] <= '9');
	CHECK(terminated(u.version, sizeof(u.version)) && u.version[0]);
	CHECK_STR(u.machine, "x86_64");
	/* release "X.Y..." as programs parse it */
	int major = 0, minor = -1;
	CHECK(sscanf(u.release, "%d.%d", &major, &minor) == 2 && minor >= 0);
	tap_printf("# uname: %s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version,
		   u.machine);
	/* sethostname is visible through uname (root only; skipped otherwise) */
	if (geteuid() == 0) {
		char old[65];
		snprintf(old, sizeof(old), "%s", u.nodename);
		pid_t pid = fork();
		REQUIRE(pid >= 0);
		if (pid == 0) {
			/* in a child so a failure cannot leave the name changed */
			if (sethostname("basalt-test", 11) != 0)
				_exit(2);
			struct utsname v;
			uname(&v);
			int ok = !strcmp(v.nodename, "basalt-test");
			sethostname(old, strlen(old));
			_exit(ok ? 0 : 3);
		}
		int st;
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK_EXITED(st, 0);
	} else {
		tap_printf("# sethostname not checked: not root\n");
	}
}

static char *brk_top;

static void touch_above_brk(void)
{
	*(volatile char *)(brk_top + 4096) = 1;
}

static void brk_growth(void)
{
	/* raw brk: returns the new break, or the old one on failure */
	char *start = (char *)syscall(SYS_brk, 0);
	long grow = 1 << 20;

	REQUIRE(start != NULL);
	char *end = (char *)syscall(SYS_brk, start + grow);
	CHECK(end == start + grow);
	if (end != start + grow)
		return;
	/* new memory is zeroed and writable */
	CHECK_EQ(start[0], 0);
	CHECK_EQ(start[grow - 1], 0);
	memset(start, 0xab, grow);
	CHECK_EQ((unsigned char)start[grow / 2], 0xab);
	/* grow more; earlier contents stay */
	end = (char *)syscall(SYS_brk, start + 2 * grow);
	CHECK(end == start + 2 * grow);
	CHECK_EQ((unsigned char)start[grow - 1], 0xab);
	CHECK_EQ(start[grow], 0);
	/* shrink: the pages above the break are gone */
	end = (char *)syscall(SYS_brk, start + 4096);
	CHECK(end == start + 4096);
	brk_top = start;
	CHECK_KILLED_BY(tap_child(touch_above_brk), SIGSEGV);
	/* grown back, it reads zero again */
	end = (char *)syscall(SYS_brk, start + grow);
	CHECK(end == start + grow);
	CHECK_EQ(start[8192], 0);
	/* an absurd request fails and leaves the break alone */
	end = (char *)syscall(SYS_brk, (char *)0x7ffffffff000UL + (1UL << 40));
	CHECK(end == start + grow);
	CHECK((char *)syscall(SYS_brk, 0) == start + grow);
	syscall(SYS_brk, start);
}

static void sbrk_libc(void)
{
	void *a = sbrk(0);
	CHECK(a != (void *)-1);
	/* musl only allows sbrk(0); malloc keeps working either way */
	char *m = malloc(100000);
	CHECK(m != NULL);
	if (m) {
		memset(m, 1, 100000);
		free(m);
	}
}

static void sysinfo_call(void)
{
	struct sysinfo si;

	REQUIRE(sysinfo(&si) == 0);
	CHECK(si.mem_unit >= 1);
	CHECK((unsigned long long)si.totalram * si.mem_unit > (1ULL << 20));
	CHECK(si.freeram <= si.totalram);
	CHECK(si.procs >= 1);
	CHECK(si.uptime < 10UL * 365 * 86400);
}

static __thread int tls_value = 1234;
static __thread char tls_buf[64];

static void tls(void)
{
	/* %fs points at musl's thread block */
	CHECK_EQ(tls_value, 1234);
	tls_value = 99;
	CHECK_EQ(tls_value, 99);
	CHECK_EQ(tls_buf[10], 0);
	errno = 0;
	CHECK(close(-1) == -1 && errno == EBADF); /* errno lives in TLS */
	/* a forked child has its own copy, at the same address */
	int *addr = &tls_value, st;
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		tls_value = 5;
		_exit(&tls_value == addr && tls_value == 5 ? 0 : 1);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
	CHECK_EQ(tls_value, 99);
}

static void identity(void)
{
	CHECK_EQ(getuid(), geteuid());
	CHECK_EQ(getgid(), getegid());
	uid_t r, e, s;
	CHECK_EQ(getresuid(&r, &e, &s), 0);
	CHECK_EQ(r, getuid());
	gid_t groups[64];
	CHECK(getgroups(64, groups) >= 0);
	mode_t old = umask(077);
	CHECK_EQ(umask(old), 077);
}

static void limits(void)
{
	struct rlimit rl;

	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	CHECK(rl.rlim_cur >= 256);
	CHECK_EQ(getrlimit(RLIMIT_STACK, &rl), 0);
	CHECK(rl.rlim_cur >= (1 << 20) || rl.rlim_cur == RLIM_INFINITY);
	CHECK_EQ(getpriority(PRIO_PROCESS, 0), 0);
}

static void auxv(void)
{
	CHECK_EQ(getauxval(AT_PAGESZ), 4096);
	CHECK(getauxval(AT_PHDR) != 0);
	CHECK(getauxval(AT_PHNUM) > 0);
	CHECK(getauxval(AT_RANDOM) != 0); /* musl seeds its canaries from it */
	CHECK_EQ(getauxval(AT_UID), getuid());
	CHECK_EQ(sysconf(_SC_PAGESIZE), 4096);
}

static void stack_growth(void)
{
	/* touch 1 MiB of stack, well below the initial mapping */
	volatile char big[1 << 20];

	big[0] = 1;
	big[sizeof(big) - 1] = 2;
	for (size_t i = 0; i < sizeof(big); i += 4096)
		big[i] = (char)i;
	CHECK_EQ(big[4096], (char)4096);
}

int main(int argc, char **argv)
{
	tap_init("sys", argv[0], 0);
	RUN(uname_fields);
	RUN(brk_growth);
	RUN(sbrk_libc);
	RUN(sysinfo_call);
	RUN(tls);
	RUN(identity);
	RUN(limits);
	RUN(auxv);
	RUN(stack_growth);
	return tap_done();
}
