/*
 * Pipes: bytes come out in order, a large transfer blocks and resumes,
 * EOF arrives once every writer is closed, and writing with no reader
 * fails with EPIPE or kills with SIGPIPE. poll() reports readiness.
 */
#include "tap.h"
#include <poll.h>

static void data_through(void)
{
	int p[2];
	char buf[32] = "";

	REQUIRE(pipe(p) == 0);
	CHECK(p[0] >= 0 && p[1] >= 0 && p[0] != p[1]);
	CHECK_EQ(write(p[1], "hello, ", 7), 7);
	CHECK_EQ(write(p[1], "pipe", 4), 4);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 11);
	CHECK_STR(buf, "hello, pipe");
	/* wrong ends */
	CHECK_ERR(write(p[0], "x", 1), EBADF);
	CHECK_ERR(read(p[1], buf, 1), EBADF);
	close(p[0]);
	close(p[1]);
}

static void large_transfer(void)
{
	/* more than any pipe buffer, so the writer must block and resume */
	enum { TOTAL = 1 << 20 };
	int p[2], st;
	static unsigned char buf[8192];
	size_t got = 0;
	unsigned sum = 0;

	REQUIRE(pipe(p) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		unsigned char out[3000];
		size_t sent = 0;
		while (sent < TOTAL) {
			size_t n = TOTAL - sent < sizeof(out) ? TOTAL - sent : sizeof(out);
			for (size_t i = 0; i < n; i++)
				out[i] = (unsigned char)((sent + i) * 7 + 3);
			ssize_t w = write(p[1], out, n);
			if (w <= 0)
				_exit(2);
			sent += w;
		}
		_exit(0);
	}
	close(p[1]);
	for (;;) {
		ssize_t n = read(p[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != (unsigned char)((got + i) * 7 + 3))
				sum++;
		}
		got += n;
	}
	CHECK_EQ(got, TOTAL);
	CHECK_EQ(sum, 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
	close(p[0]);
}

static void eof_when_writer_closes(void)
{
	int p[2], st;
	char buf[8];

	REQUIRE(pipe(p) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		write(p[1], "abc", 3);
		_exit(0); /* closes the last write end */
	}
	close(p[1]);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 3);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 0);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	close(p[0]);
}

static void eof_needs_every_writer_closed(void)
{
	/* a dup'd write end keeps the pipe open */
	int p[2];
	char buf[4];

	REQUIRE(pipe(p) == 0);
	int extra = dup(p[1]);
	REQUIRE(extra >= 0);
	close(p[1]);
	CHECK_EQ(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	CHECK_ERR(read(p[0], buf, sizeof(buf)), EAGAIN);
	close(extra);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
}

static void blocked_reader_wakes_on_close(void)
{
	/* the reader is already asleep when the last writer goes away */
	int p[2], st;
	char buf[4];

	REQUIRE(pipe(p) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		tap_msleep(50);
		_exit(0);
	}
	close(p[1]);
	CHECK_EQ(read(p[0], buf, sizeof(buf)), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	close(p[0]);
}

static void epipe(void)
{
	int p[2];

	REQUIRE(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	REQUIRE(pipe(p) == 0);
	close(p[0]);
	CHECK_ERR(write(p[1], "x", 1), EPIPE);
	close(p[1]);
}

static void sigpipe_kills(void)
{
	int p[2], st;

	REQUIRE(pipe(p) == 0);
	close(p[0]);	/* before the fork: no reader anywhere when the child writes */
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		write(p[1], "x", 1);
		_exit(0); /* not reached */
	}
	close(p[1]);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_KILLED_BY(st, SIGPIPE);
}

static void sigpipe_blocked_writer(void)
{
	/* a writer blocked on a full pipe gets EPIPE when the reader exits */
	int p[2], st, go[2];

	REQUIRE(pipe(p) == 0 && pipe(go) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		close(go[0]);
		signal(SIGPIPE, SIG_IGN);
		static char buf[4096];
		write(go[1], "s", 1);
		for (;;) {
			if (write(p[1], buf, sizeof(buf)) < 0)
				_exit(errno == EPIPE ? 0 : 2);
		}
	}
	close(p[1]);
	close(go[1]);
	char c;
	CHECK_EQ(read(go[0], &c, 1), 1);
	tap_msleep(30); /* let the writer fill the pipe and block */
	close(p[0]);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
	close(go[0]);
}

static void pipe2_flags(void)
{
	int p[2];

	REQUIRE(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
	CHECK(fcntl(p[0], F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(p[1], F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	char c;
	CHECK_ERR(read(p[0], &c, 1), EAGAIN);
	close(p[0]);
	close(p[1]);
}

static void poll_readiness(void)
{
	int p[2];
	struct pollfd fds[2];

	REQUIRE(pipe(p) == 0);
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	CHECK_EQ(poll(fds, 2, 0), 1);
	CHECK_EQ(fds[0].revents, 0);
	CHECK_EQ(fds[1].revents, POLLOUT);
	CHECK_EQ(write(p[1], "z", 1), 1);
	CHECK_EQ(poll(fds, 1, 0), 1);
	CHECK(fds[0].revents & POLLIN);
	close(p[1]);
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	/* writer gone: POLLHUP */
	CHECK_EQ(poll(fds, 1, 100), 1);
	CHECK(fds[0].revents & POLLHUP);
	close(p[0]);
}

static void poll_wakes(void)
{
	/* poll sleeps until another process writes */
	int p[2], st;
	struct pollfd fd;

	REQUIRE(pipe(p) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		tap_msleep(30);
		write(p[1], "w", 1);
		_exit(0);
	}
	fd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	CHECK_EQ(poll(&fd, 1, 5000), 1);
	CHECK(fd.revents & POLLIN);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	/* and times out when nothing comes */
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	fd.revents = 0;
	CHECK_EQ(poll(&fd, 1, 20), 0);
	close(p[0]);
	close(p[1]);
}

static void shell_style_pipeline(void)
{
	/* parent | child with dup2 onto stdin/stdout, like sh does */
	int p[2], back[2], st;
	char buf[64] = "";

	REQUIRE(pipe(p) == 0 && pipe(back) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		dup2(p[0], 0);
		dup2(back[1], 1);
		close(p[0]);
		close(p[1]);
		close(back[0]);
		close(back[1]);
		char in[64];
		ssize_t n, tot = 0;
		while ((n = read(0, in + tot, sizeof(in) - 1 - tot)) > 0)
			tot += n;
		for (ssize_t i = 0; i < tot; i++)
			in[i] = in[i] >= 'a' && in[i] <= 'z' ? in[i] - 32 : in[i];
		write(1, in, tot);
		_exit(0);
	}
	close(p[0]);
	close(back[1]);
	CHECK_EQ(write(p[1], "shout this", 10), 10);
	close(p[1]);
	CHECK_EQ(read(back[0], buf, sizeof(buf)), 10);
	CHECK_STR(buf, "SHOUT THIS");
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	close(back[0]);
}

int main(int argc, char **argv)
{
	tap_init("pipe", argv[0], 0);
	RUN(data_through);
	RUN(large_transfer);
	RUN(eof_when_writer_closes);
	RUN(eof_needs_every_writer_closed);
	RUN(blocked_reader_wakes_on_close);
	RUN(epipe);
	RUN(sigpipe_kills);
	RUN(sigpipe_blocked_writer);
	RUN(pipe2_flags);
	RUN(poll_readiness);
	RUN(poll_wakes);
	RUN(shell_style_pipeline);
	return tap_done();
}
