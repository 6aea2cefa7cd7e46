/*
 * /tests/run: Basalt's user-space test driver, started by /init when the
 * kernel command line says basalt.test=NAME, and by tests/linux/run-on-host.
 *
 *   run [all | NAME[,NAME...]]...
 *
 * Runs each test program in this directory (NAME.sh through /bin/sh) in its
 * own process group with a time limit, copies every line it prints, counts
 * the "ok - " and "not ok - " lines, reports a test that crashed, hung or
 * printed nothing as "not ok", and ends with
 * "user-tests: N passed, N failed". Exit status 0 only if none failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Basic process machinery first, so the first failure is the telling one.
 * Programs not listed here run only when named: "stress" (stress.c, a
 * few seconds of load per case) has QEMU cases of its own, stress-up and
 * stress-smp4, and would only slow the "all" run down.
 */
static const char *const order[] = {
	"sys", "fork", "cow", "pipe", "signal", "mmap", "efault",
	"time", "files", "getdents", "proc", "smp", "costs", "busybox",
};
#define NTESTS (sizeof(order) / sizeof(order[0]))

static char dir[PATH_MAX];
static int passed, failed;
static int timeout_s = 300;	/* per program; the drivers group takes ~100 s on a loaded 2-core host */

static void out(const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(1, s, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return;
		}
		s += n;
		len -= n;
	}
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		out(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Copy one line of a test's output and count it. */
static void line(const char *s, size_t len, int *nok, int *nfail)
{
	out(s, len);
	out("\n", 1);
	if (len >= 5 && !strncmp(s, "ok - ", 5)) {
		(*nok)++;
		passed++;
	} else if (len >= 9 && !strncmp(s, "not ok - ", 9)) {
		(*nfail)++;
		failed++;
	}
}

/* Report a test's own failure under a made-up case name ("user/fork/exit"). */
static void fail(const char *prefix, const char *what, const char *why)
{
	say("not ok - %s/%s # %s\n", prefix, what, why);
	failed++;
}

/*
 * Run test @name; "mk:NAME" runs it in the microkernel personality, under
 * /bin/mkrun (docs/microkernel.md), its results named as usual.
 */
static void run_one(const char *name)
{
	char path[PATH_MAX + 64], prefix[80], buf[4096], why[PATH_MAX + 200];
	int script, p[2], st = 0, nok = 0, nfail = 0;
	int mk = !strncmp(name, "mk:", 3);
	size_t have = 0;
	struct stat sb;

	if (mk)
		name += 3;

	/* NAME.sh beside us is a shell script, NAME a program */
	snprintf(path, sizeof(path), "%s/%s.sh", dir, name);
	script = stat(path, &sb) == 0;

	snprintf(path, sizeof(path), "%s/%s%s", dir, name, script ? ".sh" : "");
	snprintf(prefix, sizeof(prefix), script ? "%s" : "user/%s", name);
	(void)sb;
	if (stat(path, &sb) != 0) {
		snprintf(why, sizeof(why), "%s: %s", path, strerror(errno));
		fail(prefix, "missing", why);
		return;
	}
	if (pipe(p) != 0) {
		fail(prefix, "start", strerror(errno));
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fail(prefix, "start", strerror(errno));
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL); /* ignored here; tests get the default */
		setpgid(0, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		if (mk && script)
			execl("/bin/mkrun", "mkrun", "sh", path, (char *)NULL);
		else if (mk)
			execl("/bin/mkrun", "mkrun", path, (char *)NULL);
		else if (script)
			execlp("sh", "sh", path, (char *)NULL); /* busybox sh: first on PATH */
		else
			execl(path, path, (char *)NULL); /* absolute: tests re-exec argv[0] */
		_exit(127);
	}
	setpgid(pid, pid);
	close(p[1]);

	long long deadline = now_ms() + timeout_s * 1000LL;
	int timed_out = 0;
	for (;;) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		long long left = deadline - now_ms();
		if (left <= 0) {
			timed_out = 1;
			break;
		}
		int r = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		ssize_t n = read(p[0], buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += n;
		char *start = buf, *nl;
		while ((nl = memchr(start, '\n', buf + have - start)) != NULL) {
			line(start, nl - start, &nok, &nfail);
			start = nl + 1;
		}
		have = buf + have - start;
		memmove(buf, start, have);
		if (have == sizeof(buf)) { /* an overlong line: pass it on as is */
			line(buf, have, &nok, &nfail);
			have = 0;
		}
	}
	if (have)
		line(buf, have, &nok, &nfail);
	close(p[0]);
	if (timed_out)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	/* background processes a test left behind */
	kill(-pid, SIGKILL);

	if (timed_out) {
		snprintf(why, sizeof(why), "no result after %d s", timeout_s);
		fail(prefix, "timeout", why);
	} else if (WIFSIGNALED(st)) {
		snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(st));
		fail(prefix, "exit", why);
	} else if (WEXITSTATUS(st) != 0 && nfail == 0) {
		snprintf(why, sizeof(why), "exit status %d without a failed case",
			 WEXITSTATUS(st));
		fail(prefix, "exit", why);
	} else if (nok + nfail == 0) {
		snprintf(why, sizeof(why), "printed no results (exit status %d)",
			 WEXITSTATUS(st));
		fail(prefix, "exit", why);
	}
}

/* A test in "all", or any other program or script in this directory. */
static int known(const char *name)
{
	char path[PATH_MAX + 64];
	struct stat sb;

	if (!strncmp(name, "mk:", 3))
		name += 3;
	for (size_t i = 0; i < NTESTS; i++)
		if (!strcmp(order[i], name))
			return 1;
	if (strchr(name, '/') || !strcmp(name, "run"))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (stat(path, &sb) == 0)
		return 1;
	snprintf(path, sizeof(path), "%s/%s.sh", dir, name);
	return stat(path, &sb) == 0;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX];
	int all = argc < 2;

	/* the tests sit beside this program (beside a symlink to it, too) */
	snprintf(self, sizeof(self), "%s", argv[0]);
	if (!strchr(self, '/') || !realpath(dirname(self), dir))
		snprintf(dir, sizeof(dir), "/tests");
	if (getenv("BASALT_TEST_TIMEOUT"))
		timeout_s = atoi(getenv("BASALT_TEST_TIMEOUT"));
	if (!getenv("TMPDIR"))
		setenv("TMPDIR", "/tmp", 1);
	signal(SIGPIPE, SIG_IGN);

	for (int i = 1; i < argc; i++) {
		char *save, *tok, *arg = argv[i];
		for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (!strcmp(tok, "all"))
				all = 1;
			else if (!known(tok))
				fail("user", tok, "unknown test name");
			else
				run_one(tok);
		}
	}
	if (all)
		for (size_t i = 0; i < NTESTS; i++)
			run_one(order[i]);
	say("user-tests: %d passed, %d failed\n", passed, failed);
	return failed == 0 && passed > 0 ? 0 : 1;
}
