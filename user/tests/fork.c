/*
 * fork, execve, wait: exit codes reach the parent, signals show up as
 * WIFSIGNALED, exec passes argv and the environment, wait4 and waitpid
 * pick the right child, and pids relate the way POSIX says.
 */
#include "tap.h"

/* Re-executed as "fork --child CODE ARG": check argv/env, exit CODE. */
static int child_main(int argc, char **argv)
{
	const char *e = getenv("BASALT_FORK_TEST");

	if (argc != 4 || strcmp(argv[3], "second arg") != 0)
		return 100;
	if (!e || strcmp(e, "value=with=equals") != 0)
		return 101;
	return atoi(argv[2]);
}

static void exit_code(void)
{
	int st, codes[] = { 0, 1, 42, 255 };

	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid_t pid = fork();
		REQUIRE(pid >= 0);
		if (pid == 0)
			_exit(codes[i]);
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK_EXITED(st, codes[i]);
	}
}

static void exit_flushes_stdio(void)
{
	/* exit() (not _exit) runs atexit handlers and flushes stdio. */
	int p[2], st;
	char buf[16] = "";

	REQUIRE(pipe(p) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 1);
		printf("flushed");
		exit(7);
	}
	close(p[1]);
	CHECK_EQ(read(p[0], buf, sizeof(buf) - 1), 7);
	CHECK_STR(buf, "flushed");
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 7);
	close(p[0]);
}

static void signaled(void)
{
	int st;
	pid_t pid = fork();

	REQUIRE(pid >= 0);
	if (pid == 0) {
		kill(getpid(), SIGTERM);
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st));
	CHECK_KILLED_BY(st, SIGTERM);

	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_KILLED_BY(st, SIGKILL);
}

static void exec_self(void)
{
	char *argv[] = { tap_argv0, "--child", "23", "second arg", NULL };
	char *envp[] = { "BASALT_FORK_TEST=value=with=equals", "OTHER=1", NULL };
	int st;
	pid_t pid = fork();

	REQUIRE(pid >= 0);
	if (pid == 0) {
		execve(tap_argv0, argv, envp);
		_exit(99);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 23);
}

static void exec_keeps_pid(void)
{
	/* The exec'd image reports its pid through its exit status. */
	char *argv[] = { tap_argv0, "--pid", NULL };
	int p[2], st;
	pid_t pid, seen = 0;

	REQUIRE(pipe(p) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		execv(tap_argv0, argv);
		_exit(99);
	}
	close(p[1]);
	CHECK_EQ(read(p[0], &seen, sizeof(seen)), (long)sizeof(seen));
	CHECK_EQ(seen, pid);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
	close(p[0]);
}

static void exec_errors(void)
{
	char *argv[] = { "nope", NULL };
	char *envp[] = { NULL };

	CHECK_ERR(execve("/nonexistent/program", argv, envp), ENOENT);
	/* a directory is not executable */
	CHECK_ERR(execve("/", argv, envp), EACCES);
	/* a file that is neither ELF nor #! script */
	REQUIRE(tap_write_file("garbage", "\x01\x02\x03\x04 not a program\n", 20) == 0);
	REQUIRE(chmod("garbage", 0755) == 0);
	CHECK_ERR(execve("garbage", argv, envp), ENOEXEC);
}

static void exec_script(void)
{
	/* "#!" interpreter lines: the kernel runs the interpreter with the script. */
	char buf[300], *argv[] = { "./script.sh", "arg1", NULL };
	int st;

	snprintf(buf, sizeof(buf), "#!%s --interp\n", tap_argv0);
	REQUIRE(tap_write_file("script.sh", buf, strlen(buf)) == 0);
	REQUIRE(chmod("script.sh", 0755) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		execv("./script.sh", argv);
		_exit(99);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
}

static void wait_specific(void)
{
	pid_t pids[5];
	int st;

	for (int i = 0; i < 5; i++) {
		pids[i] = fork();
		REQUIRE(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(10 + i);
	}
	/* reap in reverse order by pid */
	for (int i = 4; i >= 0; i--) {
		CHECK_EQ(waitpid(pids[i], &st, 0), pids[i]);
		CHECK_EXITED(st, 10 + i);
	}
	CHECK_ERR(waitpid(-1, &st, 0), ECHILD);
	CHECK_ERR(waitpid(pids[0], &st, 0), ECHILD);
}

static void wait_any(void)
{
	enum { N = 20 };
	int seen[N] = { 0 }, st;
	pid_t pids[N];

	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		REQUIRE(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(i);
	}
	for (int n = 0; n < N; n++) {
		pid_t got = wait(&st);
		REQUIRE(got > 0);
		REQUIRE(WIFEXITED(st) && WEXITSTATUS(st) < N);
		CHECK_EQ(got, pids[WEXITSTATUS(st)]);
		seen[WEXITSTATUS(st)]++;
	}
	for (int i = 0; i < N; i++)
		CHECK_EQ(seen[i], 1);
	CHECK_ERR(wait(&st), ECHILD);
}

static void wait_nohang(void)
{
	int p[2], st;
	char c = 'x';

	REQUIRE(pipe(p) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		read(p[0], &c, 1); /* until the parent says go */
		_exit(5);
	}
	close(p[0]);
	CHECK_EQ(waitpid(pid, &st, WNOHANG), 0);
	CHECK_EQ(write(p[1], &c, 1), 1);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 5);
	close(p[1]);
}

static void wait4_rusage(void)
{
	struct rusage ru;
	int st;
	pid_t pid = fork();

	REQUIRE(pid >= 0);
	if (pid == 0)
		_exit(3);
	memset(&ru, 0xff, sizeof(ru));
	CHECK_EQ(wait4(pid, &st, 0, &ru), pid);
	CHECK_EXITED(st, 3);
	CHECK(ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 &&
	      ru.ru_utime.tv_usec < 1000000);
}

static void pids(void)
{
	int p[2], st;
	pid_t me = getpid(), got[2];

	CHECK(me > 0);
	CHECK(getppid() > 0 && getppid() != me);
	CHECK_EQ(syscall(186 /* gettid */), me);
	REQUIRE(pipe(p) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		pid_t v[2] = { getpid(), getppid() };
		write(p[1], v, sizeof(v));
		_exit(0);
	}
	CHECK_EQ(read(p[0], got, sizeof(got)), (long)sizeof(got));
	CHECK_EQ(got[0], pid);
	CHECK_EQ(got[1], me);
	CHECK(pid != me);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	close(p[0]);
	close(p[1]);
}

static void vfork_exec(void)
{
	/* busybox and musl's posix_spawn use vfork-style clones */
	char *argv[] = { tap_argv0, "--child", "77", "second arg", NULL };
	char *envp[] = { "BASALT_FORK_TEST=value=with=equals", NULL };
	int st;
	pid_t pid = vfork();

	REQUIRE(pid >= 0);
	if (pid == 0) {
		execve(tap_argv0, argv, envp);
		_exit(99);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 77);
}

static void vfork_shares_memory(void)
{
	static volatile int shared;
	int st;

	shared = 1;
	pid_t pid = vfork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		shared = 2; /* the parent is suspended until we exit */
		_exit(0);
	}
	CHECK_EQ(shared, 2);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
}

static void process_groups(void)
{
	int st;
	pid_t pid = fork();

	REQUIRE(pid >= 0);
	if (pid == 0) {
		if (setpgid(0, 0) != 0 || getpgrp() != getpid())
			_exit(1);
		if (setsid() != -1) /* already a group leader: EPERM */
			_exit(2);
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);

	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		pid_t sid = setsid();
		if (sid != getpid() || getsid(0) != sid || getpgrp() != sid)
			_exit(1);
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--child"))
		return child_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "--pid")) {
		pid_t me = getpid();
		return write(1, &me, sizeof(me)) == sizeof(me) ? 0 : 1;
	}
	/* run as an interpreter: argv = interp, --interp, ./script.sh, arg1 */
	if (argc > 1 && !strcmp(argv[1], "--interp"))
		return argc == 4 && !strcmp(argv[2], "./script.sh") &&
		       !strcmp(argv[3], "arg1") ? 0 : 1;

	tap_init("fork", argv[0], 1);
	RUN(exit_code);
	RUN(exit_flushes_stdio);
	RUN(signaled);
	RUN(exec_self);
	RUN(exec_keeps_pid);
	RUN(exec_errors);
	RUN(exec_script);
	RUN(wait_specific);
	RUN(wait_any);
	RUN(wait_nohang);
	RUN(wait4_rusage);
	RUN(pids);
	RUN(vfork_exec);
	RUN(vfork_shares_memory);
	RUN(process_groups);
	return tap_done();
}
