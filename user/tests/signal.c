/*
 * Signals: handlers run (with siginfo and the right mask), sigprocmask
 * holds a signal pending until unblocked, CPU faults become SIGSEGV /
 * SIGILL / SIGFPE / SIGTRAP that kill only the faulting process, signals
 * travel between processes, SIGCHLD reports a child's exit, stop/continue
 * works for job control, and interrupted system calls return EINTR or
 * restart as SA_RESTART says. Register and FPU state survive a handler.
 */
#include "tap.h"

static volatile sig_atomic_t hits;
static volatile int last_signo, last_code, last_pid, last_status;
static volatile void *last_addr;
static volatile int mask_had_self, mask_had_extra;

static void on_info(int sig, siginfo_t *si, void *uc)
{
	sigset_t now;

	hits++;
	last_signo = si->si_signo;
	last_code = si->si_code;
	last_pid = si->si_pid;
	last_status = si->si_status;
	last_addr = si->si_addr;
	sigprocmask(SIG_BLOCK, NULL, &now);
	mask_had_self = sigismember(&now, sig);
	mask_had_extra = sigismember(&now, SIGUSR2);
}

static int catch(int sig, int flags)
{
	struct sigaction sa = { 0 };

	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	return sigaction(sig, &sa, NULL);
}

static void reset(void)
{
	hits = 0;
	last_signo = last_code = last_pid = last_status = 0;
	mask_had_self = mask_had_extra = -1;
}

static void handler_runs(void)
{
	sigset_t after;

	REQUIRE(catch(SIGUSR1, 0) == 0);
	reset();
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_signo, SIGUSR1);
	CHECK_EQ(last_code, SI_USER);
	CHECK_EQ(last_pid, getpid());
	/* the signal itself and sa_mask are blocked while the handler runs */
	CHECK_EQ(mask_had_self, 1);
	CHECK_EQ(mask_had_extra, 1);
	/* and unblocked again after sigreturn */
	sigprocmask(SIG_BLOCK, NULL, &after);
	CHECK_EQ(sigismember(&after, SIGUSR1), 0);
	CHECK_EQ(sigismember(&after, SIGUSR2), 0);
	/* raise() uses tkill */
	reset();
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_signo, SIGUSR1);
}

static void plain_handler_old_action(void)
{
	struct sigaction sa = { 0 }, old;

	sa.sa_handler = SIG_IGN;
	REQUIRE(sigaction(SIGUSR2, &sa, NULL) == 0);
	REQUIRE(catch(SIGUSR2, SA_RESTART) == 0);
	REQUIRE(sigaction(SIGUSR2, NULL, &old) == 0);
	CHECK(old.sa_flags & SA_SIGINFO);
	CHECK(old.sa_flags & SA_RESTART);
	CHECK(old.sa_sigaction == on_info);
	CHECK(sigismember(&old.sa_mask, SIGUSR2));
	CHECK(signal(SIGUSR2, SIG_DFL) != SIG_ERR);
	REQUIRE(sigaction(SIGUSR2, NULL, &old) == 0);
	CHECK(old.sa_handler == SIG_DFL);
}

static void sigprocmask_blocks(void)
{
	sigset_t set, pend, old;

	REQUIRE(catch(SIGUSR1, 0) == 0);
	reset();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	REQUIRE(sigprocmask(SIG_BLOCK, &set, &old) == 0);
	CHECK_EQ(sigismember(&old, SIGUSR1), 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0); /* standard signals do not queue */
	CHECK_EQ(hits, 0);
	REQUIRE(sigpending(&pend) == 0);
	CHECK_EQ(sigismember(&pend, SIGUSR1), 1);
	CHECK_EQ(sigismember(&pend, SIGUSR2), 0);
	/* delivered before sigprocmask returns */
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &set, NULL), 0);
	CHECK_EQ(hits, 1);
	REQUIRE(sigpending(&pend) == 0);
	CHECK_EQ(sigismember(&pend, SIGUSR1), 0);
	/* SIG_SETMASK, and SIGKILL/SIGSTOP cannot be blocked */
	sigfillset(&set);
	REQUIRE(sigprocmask(SIG_SETMASK, &set, NULL) == 0);
	REQUIRE(sigprocmask(SIG_SETMASK, NULL, &old) == 0);
	CHECK_EQ(sigismember(&old, SIGKILL), 0);
	CHECK_EQ(sigismember(&old, SIGSTOP), 0);
	CHECK_EQ(sigismember(&old, SIGTERM), 1);
	CHECK_ERR(sigprocmask(12345, &set, NULL), EINVAL);
}

static void ignored(void)
{
	REQUIRE(signal(SIGUSR1, SIG_IGN) != SIG_ERR);
	CHECK_EQ(kill(getpid(), SIGUSR1), 0);
	CHECK_EQ(raise(SIGUSR1), 0);
	/* still alive: pass */
}

static void uncatchable(void)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = SIG_IGN;
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(0, &sa, NULL), EINVAL);
	CHECK_ERR(sigaction(65, &sa, NULL), EINVAL);
}

static void default_actions(void)
{
	static const int kills[] = { SIGUSR1, SIGTERM, SIGHUP, SIGINT, SIGALRM };
	static const int ignores[] = { SIGCHLD, SIGURG, SIGWINCH };
	int st;

	for (unsigned i = 0; i < sizeof(kills) / sizeof(kills[0]); i++) {
		pid_t pid = fork();
		REQUIRE(pid >= 0);
		if (pid == 0) {
			signal(kills[i], SIG_DFL);	/* a background start may have ignored it */
			kill(getpid(), kills[i]);
			_exit(0);
		}
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK_KILLED_BY(st, kills[i]);
	}
	for (unsigned i = 0; i < sizeof(ignores) / sizeof(ignores[0]); i++) {
		pid_t pid = fork();
		REQUIRE(pid >= 0);
		if (pid == 0) {
			signal(ignores[i], SIG_DFL);
			kill(getpid(), ignores[i]);
			_exit(0);
		}
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK_EXITED(st, 0);
	}
}

/* through a variable, so the compiler cannot see the address is bad */
static volatile int *volatile null_ptr = (int *)0x10;

static void null_write(void)
{
	*null_ptr = 1;
}

static void kernel_write(void)
{
	*(volatile long *)0xffffffff80000000UL = 1;
}

static void kernel_read(void)
{
	/* the direct map and the kernel image are off limits */
	(void)*(volatile long *)0xffff800000000000UL;
	(void)*(volatile long *)0xffffffff80100000UL;
}

static void noncanonical(void)
{
	(void)*(volatile long *)0x0000800000000000UL; /* #GP, not #PF */
}

static void segv_kills_only_child(void)
{
	CHECK_KILLED_BY(tap_child(null_write), SIGSEGV);
	CHECK_KILLED_BY(tap_child(kernel_write), SIGSEGV);
	CHECK_KILLED_BY(tap_child(kernel_read), SIGSEGV);
	CHECK_KILLED_BY(tap_child(noncanonical), SIGSEGV);
	/* the parent is unharmed and can still fork */
	CHECK_EXITED(tap_child(reset), 0);
}

static void segv_exit_handler(int sig, siginfo_t *si, void *uc)
{
	_exit(si->si_signo == SIGSEGV && si->si_addr == (void *)0x1238 &&
			      si->si_code == SEGV_MAPERR ?
		      0 :
		      3);
}

static void segv_siginfo_child(void)
{
	struct sigaction sa = { 0 };

	sa.sa_sigaction = segv_exit_handler;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSEGV, &sa, NULL) != 0)
		_exit(2);
	*(volatile int *)0x1238 = 5;
	_exit(4);
}

static void segv_siginfo(void)
{
	CHECK_EXITED(tap_child(segv_siginfo_child), 0);
}

static void do_ud2(void)
{
	__asm__ volatile("ud2");
}

static void do_int3(void)
{
	__asm__ volatile("int3");
}

static void do_div0(void)
{
	volatile int a = 1, b = 0;
	a = a / b;
}

static void cpu_exceptions(void)
{
	CHECK_KILLED_BY(tap_child(do_ud2), SIGILL);
	CHECK_KILLED_BY(tap_child(do_int3), SIGTRAP);
	CHECK_KILLED_BY(tap_child(do_div0), SIGFPE);
}

static void kill_between_processes(void)
{
	int ready[2], st;
	char c;
	sigset_t set;

	REQUIRE(pipe(ready) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		catch(SIGUSR1, 0);
		reset();
		write(ready[1], "r", 1);
		sigemptyset(&set);
		while (!hits)
			sigsuspend(&set);
		_exit(last_pid == getppid() && last_code == SI_USER ? 42 : 1);
	}
	CHECK_EQ(read(ready[0], &c, 1), 1);
	CHECK_EQ(kill(pid, 0), 0);
	CHECK_EQ(kill(pid, SIGUSR1), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 42);
	/* it is gone now */
	CHECK_ERR(kill(pid, 0), ESRCH);
	CHECK_ERR(kill(getpid(), 1000), EINVAL);
	close(ready[0]);
	close(ready[1]);
}

static void kill_process_group(void)
{
	/* kill(-pgid) reaches every member of the group */
	int st;
	pid_t a, b;

	a = fork();
	REQUIRE(a >= 0);
	if (a == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(a, a); /* both sides, to avoid the race */
	b = fork();
	REQUIRE(b >= 0);
	if (b == 0) {
		setpgid(0, a);
		for (;;)
			pause();
	}
	setpgid(b, a);
	CHECK_EQ(getpgid(b), a);
	CHECK_EQ(kill(-a, SIGTERM), 0);
	CHECK_EQ(waitpid(a, &st, 0), a);
	CHECK_KILLED_BY(st, SIGTERM);
	CHECK_EQ(waitpid(b, &st, 0), b);
	CHECK_KILLED_BY(st, SIGTERM);
}

static void sigchld_delivered(void)
{
	sigset_t set, empty;
	int st;

	REQUIRE(catch(SIGCHLD, 0) == 0);
	reset();
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	REQUIRE(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0)
		_exit(9);
	sigemptyset(&empty);
	while (!hits)
		sigsuspend(&empty);
	CHECK_EQ(last_signo, SIGCHLD);
	CHECK_EQ(last_pid, pid);
	CHECK_EQ(last_code, CLD_EXITED);
	CHECK_EQ(last_status, 9);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 9);
}

static void stop_and_continue(void)
{
	int st;
	pid_t pid = fork();

	REQUIRE(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	CHECK(WIFSTOPPED(st));
	CHECK_EQ(WSTOPSIG(st), SIGSTOP);
	CHECK_EQ(kill(pid, SIGCONT), 0);
	CHECK_EQ(waitpid(pid, &st, WCONTINUED), pid);
	CHECK(WIFCONTINUED(st));
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_KILLED_BY(st, SIGKILL);
}

static void eintr_and_restart(void)
{
	int p[2], st;
	char c;

	REQUIRE(pipe(p) == 0);
	/* without SA_RESTART a blocked read returns EINTR */
	REQUIRE(catch(SIGUSR1, 0) == 0);
	reset();
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		tap_msleep(30);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	CHECK_ERR(read(p[0], &c, 1), EINTR);
	CHECK_EQ(hits, 1);
	CHECK_EQ(waitpid(pid, &st, 0), pid);

	/* with SA_RESTART it keeps waiting and gets the byte */
	REQUIRE(catch(SIGUSR1, SA_RESTART) == 0);
	reset();
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		tap_msleep(30);
		kill(getppid(), SIGUSR1);
		tap_msleep(30);
		write(p[1], "R", 1);
		_exit(0);
	}
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(c, 'R');
	CHECK_EQ(hits, 1);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	close(p[0]);
	close(p[1]);
}

static volatile double fp_sink;

static void on_alarm_fp(int sig)
{
	/* clobber the FPU/SSE state; the interrupted code must not notice */
	volatile double x = 3.0;
	for (int i = 0; i < 100; i++)
		x = x * 1.5 + 0.25;
	fp_sink = x;
	hits++;
}

static void itimer_and_fpu_state(void)
{
	struct sigaction sa = { 0 };
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } }, off = { 0 };
	long long start = tap_now_ms();
	long bad = 0, rounds = 0;

	sa.sa_handler = on_alarm_fp;
	sa.sa_flags = SA_RESTART;
	REQUIRE(sigaction(SIGALRM, &sa, NULL) == 0);
	hits = 0;
	REQUIRE(setitimer(ITIMER_REAL, &it, NULL) == 0);
	while (hits < 10 && tap_now_ms() - start < 3000) {
		/* integer and SSE values that must stay consistent */
		double d = 1.0;
		long n = 1;
		for (int i = 0; i < 1000; i++) {
			d = d * 2.0;
			n = n * 2;
			if (d != (double)n)
				bad++;
			if (i % 60 == 59)
				d = 1.0, n = 1;
		}
		rounds++;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	CHECK(hits >= 10);
	CHECK_EQ(bad, 0);
	CHECK(rounds > 0);
}

static void exec_resets_handlers(void)
{
	/* handled -> default, ignored stays ignored, mask and pending-free */
	char *argv[] = { tap_argv0, "--check-exec", NULL };
	sigset_t set;
	int st;
	pid_t pid = fork();

	REQUIRE(pid >= 0);
	if (pid == 0) {
		catch(SIGUSR1, 0);
		signal(SIGHUP, SIG_IGN);
		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		sigprocmask(SIG_BLOCK, &set, NULL);
		execv(tap_argv0, argv);
		_exit(99);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
}

static int check_exec(void)
{
	struct sigaction sa;
	sigset_t set;

	if (sigaction(SIGUSR1, NULL, &sa) != 0 || sa.sa_handler != SIG_DFL)
		return 1;
	if (sigaction(SIGHUP, NULL, &sa) != 0 || sa.sa_handler != SIG_IGN)
		return 2;
	if (sigprocmask(SIG_BLOCK, NULL, &set) != 0 || !sigismember(&set, SIGUSR2))
		return 3;
	return 0;
}

static void fork_inherits(void)
{
	sigset_t set;
	int st;

	REQUIRE(catch(SIGUSR1, 0) == 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	REQUIRE(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	REQUIRE(kill(getpid(), SIGUSR2) == 0); /* pending, not inherited */
	reset();
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		sigset_t m, pend;
		sigprocmask(SIG_BLOCK, NULL, &m);
		sigpending(&pend);
		if (!sigismember(&m, SIGUSR2) || sigismember(&pend, SIGUSR2))
			_exit(1);
		raise(SIGUSR1);
		_exit(hits == 1 ? 0 : 2);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
	CHECK_EQ(hits, 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--check-exec"))
		return check_exec();
	tap_init("signal", argv[0], 0);
	RUN(handler_runs);
	RUN(plain_handler_old_action);
	RUN(sigprocmask_blocks);
	RUN(ignored);
	RUN(uncatchable);
	RUN(default_actions);
	RUN(segv_kills_only_child);
	RUN(segv_siginfo);
	RUN(cpu_exceptions);
	RUN(kill_between_processes);
	RUN(kill_process_group);
	RUN(sigchld_delivered);
	RUN(stop_and_continue);
	RUN(eintr_and_restart);
	RUN(itimer_and_fpu_state);
	RUN(exec_resets_handlers);
	RUN(fork_inherits);
	return tap_done();
}
