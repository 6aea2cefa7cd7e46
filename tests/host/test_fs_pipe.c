/*
 * Host tests for pipes, FIFOs, poll/select and procfs: data through the
 * ring buffer across its wrap, EOF, EPIPE with SIGPIPE, O_NONBLOCK, a
 * blocking call interrupted by a signal, FIFO open rules, readiness
 * masks, and the /proc files ps and top parse (with fake tasks).
 */
#include "tests/host/fs_host.h"
#include "tests/host/test.h"

static long openp(const char *path, int flags)
{
	return SC(openat, U(AT_FDCWD), U(path), U(flags), 0);
}

static void pipe_data(void)
{
	static char big[100000], back[100000];
	int fds[2], base = pages_in_use;
	long n, total = 0;

	CHECK_EQ(SC(pipe2, U(fds), U(O_NONBLOCK)), 0);
	CHECK(pages_in_use == base + 16);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	/* fill to 64 KiB, then EAGAIN */
	while ((n = SC(write, U(fds[1]), U(big + total), 5000)) > 0)
		total += n;
	CHECK_EQ(n, -EAGAIN);
	CHECK(total > 65536 - 4096 && total <= 65536);	/* writes go in 4 KiB pieces */
	int avail = 0;
	CHECK_EQ(SC(ioctl, U(fds[0]), 0x541b, U(&avail)), 0);	/* FIONREAD */
	CHECK_EQ(avail, total);
	/* drain part, refill across the wrap, check every byte */
	CHECK_EQ(SC(read, U(fds[0]), U(back), 30000), 4096);	/* one chunk per read */
	long got = 4096;
	while (got < 30000)
		got += SC(read, U(fds[0]), U(back + got), U(30000 - got));
	while (total < 90000 && (n = SC(write, U(fds[1]), U(big + total), 3000)) > 0)
		total += n;
	while ((n = SC(read, U(fds[0]), U(back + got), 4096)) > 0)
		got += n;
	CHECK_EQ(n, -EAGAIN);
	CHECK_EQ(got, total);
	CHECK_EQ(memcmp(big, back, (size_t)total), 0);
	/* EOF once the writer is gone */
	SC(close, U(fds[1]));
	CHECK_EQ(SC(read, U(fds[0]), U(back), 10), 0);
	SC(close, U(fds[0]));
	CHECK_EQ(pages_in_use, base);
	CHECK_EQ(SC(pipe2, U(fds), U(O_DIRECTORY)), -EINVAL);
}

static void pipe_errors(void)
{
	int fds[2];
	char c;

	CHECK_EQ(SC(pipe, U(fds)), 0);
	CHECK_EQ(SC(lseek, U(fds[0]), 0, SEEK_SET), -ESPIPE);
	CHECK_EQ(SC(pread64, U(fds[0]), U(&c), 1, 0), -ESPIPE);
	CHECK_EQ(SC(write, U(fds[0]), U("x"), 1), -EBADF);
	CHECK_EQ(SC(read, U(fds[1]), U(&c), 1), -EBADF);
	/* a blocking read on an empty pipe sleeps; a signal ends it */
	sleeps = 0;
	CHECK_EQ(SC(read, U(fds[0]), U(&c), 1), -ERESTARTSYS);
	CHECK_EQ(sleeps, 1);
	host_task.sig_pending = 0;
	/* no reader: SIGPIPE and EPIPE */
	SC(close, U(fds[0]));
	signals_sent = 0;
	CHECK_EQ(SC(write, U(fds[1]), U("x"), 1), -EPIPE);
	CHECK_EQ(signals_sent, 1);
	CHECK_EQ(last_signal, SIGPIPE);
	SC(close, U(fds[1]));
	/* cloexec from pipe2 */
	CHECK_EQ(SC(pipe2, U(fds), U(O_CLOEXEC)), 0);
	CHECK_EQ(SC(fcntl, U(fds[0]), 1, 0), 1);
	struct kstat st;
	CHECK_EQ(SC(fstat, U(fds[0]), U(&st)), 0);
	CHECK(S_ISFIFO(st.st_mode));
	SC(close, U(fds[0]));
	SC(close, U(fds[1]));
}

static void fifos(void)
{
	long r, w, w2;
	char buf[8];

	CHECK_EQ(SC(mknod, U("/tmp/fifo"), U(S_IFIFO | 0644), 0), 0);
	CHECK_EQ(openp("/tmp/fifo", O_WRONLY | O_NONBLOCK), -ENXIO);
	r = openp("/tmp/fifo", O_RDONLY | O_NONBLOCK);
	CHECK(r >= 0);
	CHECK_EQ(SC(read, U(r), U(buf), 8), 0);	/* no writer: end of file, as on Linux */
	w = openp("/tmp/fifo", O_WRONLY);	/* a reader exists: no wait */
	CHECK(w >= 0);
	CHECK_EQ(SC(write, U(w), U("fifo"), 4), 4);
	CHECK_EQ(SC(read, U(r), U(buf), 8), 4);
	CHECK_EQ(memcmp(buf, "fifo", 4), 0);
	SC(close, U(w));
	CHECK_EQ(SC(read, U(r), U(buf), 8), 0);
	SC(close, U(r));
	/* a blocking open with no peer waits; here a signal interrupts it */
	sleeps = 0;
	CHECK_EQ(openp("/tmp/fifo", O_RDONLY), -ERESTARTSYS);
	CHECK_EQ(sleeps, 1);
	host_task.sig_pending = 0;
	w2 = openp("/tmp/fifo", O_RDWR);
	CHECK(w2 >= 0);
	SC(close, U(w2));
	CHECK(SC(stat, U("/tmp/fifo"), U(&(struct kstat){ 0 })) == 0);
	CHECK_EQ(SC(unlink, U("/tmp/fifo")), 0);
}

static void polling(void)
{
	struct pollfd p[3];
	int fds[2];
	uint64_t rset[MAX_FDS / 64] = { 0 }, wset[MAX_FDS / 64] = { 0 };
	struct kernel_old_timeval tv = { 0, 0 };

	CHECK_EQ(SC(pipe, U(fds)), 0);
	p[0] = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = fds[1], .events = POLLOUT };
	p[2] = (struct pollfd){ .fd = 700, .events = POLLIN };
	CHECK_EQ(SC(poll, U(p), 3, 0), 2);
	CHECK_EQ(p[0].revents, 0);
	CHECK_EQ(p[1].revents, POLLOUT);
	CHECK_EQ(p[2].revents, POLLNVAL);
	SC(write, U(fds[1]), U("z"), 1);
	CHECK_EQ(SC(poll, U(p), 2, 0), 2);
	CHECK_EQ(p[0].revents, POLLIN);
	/* select: the read end is ready now */
	rset[0] = 1ULL << fds[0];
	wset[0] = 1ULL << fds[1];
	CHECK_EQ(SC(select, U(fds[1] + 1), U(rset), U(wset), 0, U(&tv)), 2);
	CHECK_EQ(rset[0], 1ULL << fds[0]);
	rset[0] = 1ULL << 40;
	CHECK_EQ(SC(select, 41, U(rset), 0, 0, U(&tv)), -EBADF);
	/* nothing ready and no timeout: sleeps until the (fake) signal */
	char c;
	SC(read, U(fds[0]), U(&c), 1);
	sleeps = 0;
	CHECK_EQ(SC(poll, U(p), 1, -1), -EINTR);
	CHECK_EQ(sleeps, 1);
	CHECK(list_empty(&fd_get(fds[0])->inode->pipe->rd_wait.sleepers));
	host_task.sig_pending = 0;
	/* writer gone: POLLHUP on the reader */
	SC(close, U(fds[1]));
	CHECK_EQ(SC(poll, U(p), 1, 0), 1);
	CHECK_EQ(p[0].revents, POLLHUP);
	SC(close, U(fds[0]));
	/* regular files are always ready */
	long fd = openp("/proc/uptime", O_RDONLY);
	p[0] = (struct pollfd){ .fd = (int)fd, .events = POLLIN | POLLOUT };
	CHECK_EQ(SC(poll, U(p), 1, 0), 1);
	CHECK_EQ(p[0].revents, POLLIN | POLLOUT);
	SC(close, U(fd));
}

static struct task fake_child;
static char fake_args[] = "sleep\0" "100";

static const char *read_all(const char *path)
{
	static char buf[4096];
	long fd = openp(path, O_RDONLY), n, got = 0;

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	while ((n = SC(read, U(fd), U(buf + got), U(sizeof(buf) - 1 - got))) > 0)
		got += n;
	buf[got] = '\0';
	SC(close, U(fd));
	return buf;
}

static void procfs_files(void)
{
	static struct mm mm;
	char buf[512], *p;
	int fields = 0;

	mm.arg_start = (uint64_t)(uintptr_t)fake_args;
	mm.arg_end = mm.arg_start + sizeof(fake_args);
	mm.rss_pages = 3;
	fake_child = (struct task){ .pid = 42, .tgid = 42, .pgid = 42, .sid = 1,
				    .state = TASK_INTERRUPTIBLE, .parent = &host_task, .mm = &mm,
				    .utime = 250, .stime = 50, .cred = { 7, 7, 7, 7 } };
	strcpy(fake_child.comm, "sle ep)");
	list_add_tail(&fake_child.all_node, &all_tasks);

	strcpy(buf, read_all("/proc/42/stat"));
	CHECK_EQ(strncmp(buf, "42 (sle ep)) S 1 42 1 0 -1 ", 27), 0);
	for (p = strrchr(buf, ')'); p && *p; p++)
		fields += *p == ' ';
	CHECK_EQ(fields + 2, 52);	/* pid and comm come before the last ')' */
	p = strrchr(buf, ')') + 2;
	unsigned long ut, st, rss;
	/* state ppid pgrp session tty tpgid flags 4*faults utime stime ... rss */
	CHECK_EQ(sscanf(p, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu "
			"%*d %*d %*d %*d %*d %*d %*u %*u %lu", &ut, &st, &rss), 3);
	CHECK_EQ(ut, 250);
	CHECK_EQ(st, 50);
	CHECK_EQ(rss, 3);
	long fd = openp("/proc/42/cmdline", O_RDONLY);
	CHECK_EQ(SC(read, U(fd), U(buf), sizeof(buf)), sizeof(fake_args));
	CHECK_EQ(memcmp(buf, fake_args, sizeof(fake_args)), 0);
	SC(close, U(fd));
	CHECK_EQ(strcmp(read_all("/proc/42/comm"), "sle ep)\n"), 0);
	CHECK(strstr(read_all("/proc/42/status"), "PPid:\t1\nTracerPid:\t0\nUid:\t7\t7\t7\t7\n"));
	CHECK(strstr(read_all("/proc/42/status"), "State:\tS (sleeping)\n"));
	CHECK_EQ(strcmp(read_all("/proc/42/statm"), "42 3 0 0 0 0 0\n"), 0);
	struct kstat kst;
	CHECK_EQ(SC(stat, U("/proc/42/stat"), U(&kst)), 0);
	CHECK_EQ(kst.st_uid, 7);
	CHECK_EQ(SC(stat, U("/proc/43"), U(&kst)), -ENOENT);
	CHECK_EQ(SC(stat, U("/proc/042"), U(&kst)), -ENOENT);
	CHECK_EQ(SC(stat, U("/proc/0"), U(&kst)), -ENOENT);	/* the idle task is no process */
	CHECK_EQ(SC(stat, U("/proc/42/nope"), U(&kst)), -ENOENT);
	/* self, and a listing with both processes */
	CHECK_EQ(SC(readlink, U("/proc/self"), U(buf), sizeof(buf)), 1);
	CHECK_EQ(buf[0], '1');
	CHECK(strncmp(read_all("/proc/self/stat"), "1 (init) R 0 ", 13) == 0);
	fd = openp("/proc", O_RDONLY | O_DIRECTORY);
	long n = SC(getdents64, U(fd), U(buf), sizeof(buf));
	int has_self = 0, has_1 = 0, has_42 = 0, has_meminfo = 0;
	for (long off = 0; off < n;) {
		struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);

		has_self |= !strcmp(d->d_name, "self");
		has_1 |= !strcmp(d->d_name, "1");
		has_42 |= !strcmp(d->d_name, "42");
		has_meminfo |= !strcmp(d->d_name, "meminfo");
		off += d->d_reclen;
	}
	CHECK(n > 0 && has_self && has_1 && has_42 && has_meminfo);
	CHECK_EQ(SC(getdents64, U(fd), U(buf), sizeof(buf)), 0);
	SC(close, U(fd));
	/* an open file keeps its snapshot after the process is gone */
	fd = openp("/proc/42/comm", O_RDONLY);
	list_del(&fake_child.all_node);
	CHECK_EQ(SC(stat, U("/proc/42"), U(&kst)), -ENOENT);
	CHECK_EQ(SC(read, U(fd), U(buf), sizeof(buf)), 8);
	SC(close, U(fd));
	/* system files */
	CHECK(strstr(read_all("/proc/meminfo"),
		     "MemTotal:          16384 kB\nMemFree:            4000 kB\n"));
	CHECK(strstr(read_all("/proc/stat"), "cpu  ") == read_all("/proc/stat"));
	CHECK(strstr(read_all("/proc/loadavg"), " 1/1 1\n") != NULL);
	/* one line per online CPU after the total, from each CPU's tick counts */
	CHECK(strstr(read_all("/proc/stat"), "cpu  201 0 20 2000 ") != NULL);
	CHECK(strstr(read_all("/proc/stat"), "\ncpu0 100 0 10 1000 ") != NULL);
	CHECK(strstr(read_all("/proc/stat"), "\ncpu1 101 0 10 1000 ") != NULL);
	CHECK(strstr(read_all("/proc/stat"), "\nctxt 14\n") != NULL);
	CHECK(strstr(read_all("/proc/stat"), "\ncpu2 ") == NULL);
	CHECK_EQ(strcmp(read_all("/proc/cmdline"), "loglevel=6 host\n"), 0);
	CHECK(strncmp(read_all("/proc/version"), "Basalt version ", 15) == 0);
}

static long big_show(char *buf, size_t size)
{
	size_t n = 0;

	for (int i = 0; i < 3000; i++)
		n += (size_t)snprintf(buf + MIN(n, size), size - MIN(n, size), "line %04d\n", i);
	return (long)n;
}

static void procfs_register_big(void)
{
	const char *s;

	CHECK_EQ(procfs_register("big", big_show), 0);
	CHECK_EQ(procfs_register("big", big_show), -EEXIST);
	/* nested names create their directories; paths must be well formed */
	CHECK_EQ(procfs_register("a/b", big_show), 0);
	CHECK_EQ(procfs_register("a/b/", big_show), -EINVAL);
	CHECK_EQ(procfs_register("/a", big_show), -EINVAL);
	CHECK_EQ(procfs_register("a", big_show), -EEXIST);
	CHECK_EQ(procfs_register("a/b/c", big_show), -ENOTDIR);
	CHECK_EQ(strncmp(read_all("/proc/a/b"), "line 0000\nline 0001\n", 20), 0);
	long fd = openp("/proc/big", O_RDONLY);
	static char buf[40000];
	long got = 0, n;

	while ((n = SC(read, U(fd), U(buf + got), 1000)) > 0)
		got += n;
	CHECK_EQ(got, 30000);
	CHECK_EQ(memcmp(buf + 29990, "line 2999\n", 10), 0);
	CHECK_EQ(SC(lseek, U(fd), -10, SEEK_END), 29990);
	SC(close, U(fd));
	s = read_all("/proc/version");
	CHECK(s[0] == 'B');
}

static long sys_data_show(char *buf, size_t size, void *data)
{
	return snprintf(buf, size, "%s\n", (const char *)data);
}

/* Whether directory @path lists @name. */
static bool dir_lists(const char *path, const char *name)
{
	static char buf[4096];
	long fd = openp(path, O_RDONLY | O_DIRECTORY), n;
	bool found = false;

	while (fd >= 0 && (n = SC(getdents64, U(fd), U(buf), sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);

			found |= !strcmp(d->d_name, name);
			off += d->d_reclen;
		}
	}
	SC(close, U(fd));
	return found;
}

static void sysfs_files(void)
{
	struct kstat kst;

	CHECK_EQ(sysfs_register_data("devices/system/test/online", sys_data_show, "0-3"), 0);
	CHECK_EQ(sysfs_register_data("devices/system/test/cpu1/online", sys_data_show, "1"), 0);
	CHECK_EQ(sysfs_register_data("devices/system/test/online", sys_data_show, "x"), -EEXIST);
	CHECK_EQ(sysfs_register_data("devices/system/test/online/x", sys_data_show, "x"),
		 -ENOTDIR);
	CHECK_EQ(strcmp(read_all("/sys/devices/system/test/online"), "0-3\n"), 0);
	CHECK_EQ(strcmp(read_all("/sys/devices/system/test/cpu1/online"), "1\n"), 0);
	CHECK(dir_lists("/sys", "devices"));
	CHECK(dir_lists("/sys/devices/system/test", "cpu1"));
	CHECK(!dir_lists("/sys", "self"));
	/* a separate tree: nothing of /proc's shows in /sys, nor the reverse */
	CHECK_EQ(SC(stat, U("/sys/meminfo"), U(&kst)), -ENOENT);
	CHECK_EQ(SC(stat, U("/proc/devices/system/test/online"), U(&kst)), -ENOENT);
	CHECK_EQ(SC(stat, U("/sys/devices/system/test/cpu1"), U(&kst)), 0);
	CHECK(S_ISDIR(kst.st_mode));
	CHECK_EQ(SC(stat, U("/sys/devices/system/test/online"), U(&kst)), 0);
	CHECK_EQ(kst.st_mode, S_IFREG | 0444);
	long fd = openp("/sys/devices/system/test/online", O_WRONLY);
	if (fd >= 0) {
		CHECK(SC(write, U(fd), U("x"), 1) < 0);
		SC(close, U(fd));
	}
}

int main(void)
{
	test_suite = "fs_pipe";
	host_boot(NULL, 0);
	RUN(pipe_data);
	RUN(pipe_errors);
	RUN(fifos);
	RUN(polling);
	RUN(procfs_files);
	RUN(procfs_register_big);
	RUN(sysfs_files);
	TEST_EXIT();
}
