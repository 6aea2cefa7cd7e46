/*
 * Harness for Basalt's user-space tests: static musl programs that run the
 * same on Basalt and on Linux. Each program is one group; each case is a
 * function run by RUN() in a forked child (so a crash or hang in one case
 * cannot take the others with it) and reported as one line,
 * "ok - user/<group>/<case>" or "not ok - user/<group>/<case>", with "# "
 * lines saying what failed. The exit status is non-zero if any case failed.
 *
 * Output goes straight to write(2) one whole line at a time: stdio buffers
 * would be copied into every fork and printed twice.
 */
#ifndef BASALT_USER_TAP_H
#define BASALT_USER_TAP_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *tap_group = "unnamed";
static char tap_argv0[256];
static char tap_dir[256];
static int tap_failed_cases;
static int tap_cur_failed;
static int tap_cur_notes;

#define TAP_UNUSED __attribute__((unused))

/* Print one line with a single write(2). */
__attribute__((format(printf, 1, 2))) static void tap_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* a case that fails in a loop says so 20 times, not 300 */
	if (buf[0] == '#' && ++tap_cur_notes > 20) {
		if (tap_cur_notes > 21)
			return;
		n = snprintf(buf, sizeof(buf), "# (more messages suppressed)\n");
	}
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	while (n > 0) {
		ssize_t w = write(1, buf, n);
		if (w <= 0)
			break;
		memmove(buf, buf + w, n - w);
		n -= w;
	}
}

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			tap_printf("# %s:%d: CHECK(%s) failed (errno %d: %s)\n", \
				   __FILE__, __LINE__, #cond, errno,           \
				   strerror(errno));                           \
			tap_cur_failed = 1;                                    \
		}                                                              \
	} while (0)

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);            \
		if (_a != _b) {                                                \
			tap_printf("# %s:%d: %s == %s failed: %lld != %lld\n", \
				   __FILE__, __LINE__, #a, #b, _a, _b);        \
			tap_cur_failed = 1;                                    \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *_a = (a), *_b = (b);                               \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                       \
			tap_printf("# %s:%d: %s == %s failed: \"%s\" != \"%s\"\n", \
				   __FILE__, __LINE__, #a, #b,                 \
				   _a ? _a : "(null)", _b ? _b : "(null)");    \
			tap_cur_failed = 1;                                    \
		}                                                              \
	} while (0)

/* The call must fail with -1 and errno @err. */
#define CHECK_ERR(call, err)                                                   \
	do {                                                                   \
		errno = 0;                                                     \
		long _r = (long)(call);                                        \
		int _e = errno;                                                \
		if (_r != -1 || _e != (err)) {                                 \
			tap_printf("# %s:%d: %s returned %ld errno %d (%s), expected -1 errno %d (%s)\n", \
				   __FILE__, __LINE__, #call, _r, _e,          \
				   strerror(_e), (int)(err), strerror(err));   \
			tap_cur_failed = 1;                                    \
		}                                                              \
	} while (0)

/* Bail out of a case whose later checks depend on this one. */
#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			tap_printf("# %s:%d: REQUIRE(%s) failed (errno %d: %s)\n", \
				   __FILE__, __LINE__, #cond, errno,           \
				   strerror(errno));                           \
			tap_cur_failed = 1;                                    \
			return;                                                \
		}                                                              \
	} while (0)

/* Describe a wait status for failure messages. */
static TAP_UNUSED const char *tap_wstatus(int st)
{
	static char buf[64];

	if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, sizeof(buf), "killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else
		snprintf(buf, sizeof(buf), "status 0x%x", st);
	return buf;
}

static void tap_run(const char *name, void (*fn)(void))
{
	pid_t pid;
	int st = 0;

	tap_cur_failed = 0;
	tap_cur_notes = 0;
	pid = getenv("TAP_NOFORK") ? -1 : fork();
	if (pid == 0) {
		alarm(60); /* a hung case dies of SIGALRM instead of hanging (TCG on a loaded host is slow) */
		fn();
		_exit(tap_cur_failed);
	}
	if (pid < 0) {
		fn();
	} else {
		if (waitpid(pid, &st, 0) != pid) {
			tap_printf("# waitpid for case %s failed: %s\n", name, strerror(errno));
			tap_cur_failed = 1;
		} else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			/* exit 1 is a failed check, already described */
			if (!(WIFEXITED(st) && WEXITSTATUS(st) == 1))
				tap_printf("# case %s %s\n", name, tap_wstatus(st));
			tap_cur_failed = 1;
		}
	}
	tap_printf("%sok - user/%s/%s\n", tap_cur_failed ? "not " : "", tap_group, name);
	tap_failed_cases += tap_cur_failed;
}

#define RUN(fn) tap_run(#fn, fn)

/* Remove a directory tree (for the scratch directory). */
static TAP_UNUSED void tap_rmtree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char sub[512];

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		struct stat st;
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			tap_rmtree(sub);
		else
			unlink(sub);
	}
	closedir(d);
	rmdir(path);
}

static void tap_cleanup(void)
{
	if (tap_dir[0]) {
		if (chdir("/") == 0)
			tap_rmtree(tap_dir);
		tap_dir[0] = 0;
	}
}

/*
 * Start a group: remember argv[0] (for re-executing ourselves) and, when
 * @scratch, make a private directory under $TMPDIR (or /tmp) and chdir into
 * it, so cases use relative names; it is removed by tap_done().
 */
static void tap_init(const char *group, const char *argv0, int scratch)
{
	tap_group = group;
	/* absolute, so re-executing works from the scratch directory */
	if (!realpath(argv0, tap_argv0))
		snprintf(tap_argv0, sizeof(tap_argv0), "%s", argv0);
	if (scratch) {
		const char *tmp = getenv("TMPDIR");
		snprintf(tap_dir, sizeof(tap_dir), "%s/basalt-%s-XXXXXX",
			 tmp && *tmp ? tmp : "/tmp", group);
		if (!mkdtemp(tap_dir) || chdir(tap_dir) != 0) {
			tap_printf("not ok - user/%s/scratch-dir # %s: %s\n", group, tap_dir,
				   strerror(errno));
			exit(1);
		}
	}
}

static int tap_done(void)
{
	tap_cleanup();
	return tap_failed_cases ? 1 : 0;
}

/* Run @fn in a child process and return its wait status (-1 on failure). */
static TAP_UNUSED int tap_child(void (*fn)(void))
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		fn();
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

/* The child must have been killed by signal @sig. */
#define CHECK_KILLED_BY(st, sig)                                               \
	do {                                                                   \
		int _s = (st);                                                 \
		if (_s == -1 || !WIFSIGNALED(_s) || WTERMSIG(_s) != (sig)) {   \
			tap_printf("# %s:%d: child %s, expected to be killed by signal %d (%s)\n", \
				   __FILE__, __LINE__, _s == -1 ? "not started" : tap_wstatus(_s), \
				   (sig), strsignal(sig));                     \
			tap_cur_failed = 1;                                    \
		}                                                              \
	} while (0)

#define CHECK_EXITED(st, code)                                                 \
	do {                                                                   \
		int _s = (st);                                                 \
		if (_s == -1 || !WIFEXITED(_s) || WEXITSTATUS(_s) != (code)) { \
			tap_printf("# %s:%d: child %s, expected exit %d\n",    \
				   __FILE__, __LINE__, _s == -1 ? "not started" : tap_wstatus(_s), \
				   (code));                                    \
			tap_cur_failed = 1;                                    \
		}                                                              \
	} while (0)

/* Sleep @ms milliseconds (restarting after signal handlers). */
static TAP_UNUSED void tap_msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Milliseconds on the monotonic clock. */
static TAP_UNUSED long long tap_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Write a whole file; returns 0 on success. */
static TAP_UNUSED int tap_write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* Read up to @size - 1 bytes of a file into @buf, NUL-terminated. */
static TAP_UNUSED ssize_t tap_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	return got;
}

#endif
