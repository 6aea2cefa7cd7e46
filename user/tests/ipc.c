/*
 * Basalt's synchronous IPC (syscalls 1000-1002, docs/ipc.md): a call and
 * its answer in registers, long parts both ways and their size limits, the
 * caller's pid as the badge, EPIPE when the server dies or the clients are
 * gone, EINTR when a signal interrupts a call, many clients on one server,
 * the fast path's hand-off left by each of its exits, and the wrong end of
 * an endpoint. Basalt only: Linux has no such calls.
 */
#include "tap.h"
#include "../fsd/ipc.h"
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/time.h>

enum { OP_ECHO = 1, OP_LONG, OP_SILENT, OP_EXIT, OP_PID, OP_LONG_ANSWER, OP_NAP, OP_SIGNALS };

static int ep[2];

/* A test server: answers until its clients are gone. */
static void serve(int rfd)
{
	static char in[IPC_LONG_MAX], out[IPC_LONG_MAX];
	struct ipc_long l = { out, 0, in, sizeof(in) };
	struct ipc_msg m = { 0 };
	int badge;
	long n;

	for (;;) {
		n = ipc_reply_recv(rfd, &m, &l, &badge);
		if (n < 0)
			_exit(n == -EPIPE ? 0 : 3);
		l.send_len = 0;
		switch (m.label) {
		case OP_ECHO:
			m.label = 100;
			for (int i = 0; i < 5; i++)
				m.w[i] = m.w[i] * 2 + 1;
			break;
		case OP_LONG:	/* answer with the bytes reversed, m.w[0] of them */
			for (long i = 0; i < n; i++)
				out[i] = in[n - 1 - i];
			l.send_len = m.w[0] ? m.w[0] : (uint64_t)n;
			m.label = (uint64_t)n;
			break;
		case OP_PID:
			m.label = (uint64_t)badge;
			break;
		case OP_SILENT:	/* never answer */
			pause();
			break;
		case OP_EXIT:
			_exit(0);
		}
	}
}

/* Make an endpoint and fork a server on it; the caller keeps the send end. */
static pid_t start_server(void)
{
	pid_t pid;

	if (ipc_create(ep, 0) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(ep[1]);
		serve(ep[0]);
	}
	close(ep[0]);
	return pid;
}

static void stop_server(pid_t pid)
{
	int st;

	close(ep[1]);
	if (waitpid(pid, &st, 0) == pid)
		CHECK_EXITED(st, 0);	/* the server saw EPIPE: no clients left */
}

static void round_trip(void)
{
	pid_t pid = start_server();
	struct ipc_msg m = { OP_ECHO, { 1, 2, 3, 4, 5 } };

	REQUIRE(pid > 0);
	CHECK_EQ(ipc_call(ep[1], &m, NULL), 0);
	CHECK_EQ(m.label, 100);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(m.w[i], (i + 1) * 2 + 1);
	for (uint64_t k = 0; k < 1000; k++) {
		m = (struct ipc_msg){ OP_ECHO, { k, k + 1, k + 2, k + 3, ~k } };
		if (ipc_call(ep[1], &m, NULL) != 0 || m.w[4] != ~k * 2 + 1) {
			CHECK_EQ(m.w[4], ~k * 2 + 1);
			break;
		}
	}
	m = (struct ipc_msg){ .label = OP_PID };
	CHECK_EQ(ipc_call(ep[1], &m, NULL), 0);
	CHECK_EQ(m.label, getpid());	/* the badge is the caller's pid */
	stop_server(pid);
}

static void long_messages(void)
{
	static char out[IPC_LONG_MAX + 1], in[IPC_LONG_MAX];
	struct ipc_long l = { out, IPC_LONG_MAX, in, sizeof(in) };
	struct ipc_msg m = { .label = OP_LONG };
	pid_t pid = start_server();

	REQUIRE(pid > 0);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + i / 4096);
	CHECK_EQ(ipc_call(ep[1], &m, &l), IPC_LONG_MAX);
	CHECK_EQ(m.label, IPC_LONG_MAX);
	int bad = 0;
	for (size_t i = 0; i < IPC_LONG_MAX; i++)
		bad += in[i] != out[IPC_LONG_MAX - 1 - i];
	CHECK_EQ(bad, 0);
	/* odd sizes and page-crossing addresses */
	l = (struct ipc_long){ out + 4090, 13, in + 4093, 100 };
	m = (struct ipc_msg){ .label = OP_LONG };
	CHECK_EQ(ipc_call(ep[1], &m, &l), 13);
	CHECK(in[4093] == out[4102] && in[4105] == out[4090]);
	/* too long to send; an answer longer than the room for it */
	l = (struct ipc_long){ out, IPC_LONG_MAX + 1, in, sizeof(in) };
	m = (struct ipc_msg){ .label = OP_LONG };
	CHECK_EQ(ipc_call(ep[1], &m, &l), -EMSGSIZE);
	l = (struct ipc_long){ out, 10, in, 5 };
	m = (struct ipc_msg){ .label = OP_LONG };
	CHECK_EQ(ipc_call(ep[1], &m, &l), -EMSGSIZE);
	l = (struct ipc_long){ (void *)8, 10, in, 5 };
	CHECK_EQ(ipc_call(ep[1], &m, &l), -EFAULT);
	/* the server is still fine */
	m = (struct ipc_msg){ OP_ECHO, { 7 } };
	CHECK_EQ(ipc_call(ep[1], &m, NULL), 0);
	CHECK_EQ(m.w[0], 15);
	stop_server(pid);
}

static void server_death(void)
{
	struct ipc_msg m = { .label = OP_EXIT };
	pid_t pid = start_server();
	int st;

	REQUIRE(pid > 0);
	/* the server takes the call and exits without answering: EIO */
	CHECK_EQ(ipc_call(ep[1], &m, NULL), -EIO);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	m = (struct ipc_msg){ .label = OP_ECHO };
	CHECK_EQ(ipc_call(ep[1], &m, NULL), -EPIPE);	/* nobody left to serve */
	close(ep[1]);
	/* killed while callers wait for it */
	pid = start_server();
	REQUIRE(pid > 0);
	m = (struct ipc_msg){ .label = OP_SILENT };
	pid_t killer = fork();
	if (killer == 0) {
		tap_msleep(100);
		kill(pid, SIGKILL);
		_exit(0);
	}
	CHECK_EQ(ipc_call(ep[1], &m, NULL), -EIO);
	CHECK_EQ(waitpid(killer, &st, 0), killer);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	close(ep[1]);
}

static void on_alarm(int sig)
{
}

static void signal_interrupts(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct ipc_msg m = { .label = OP_SILENT };
	pid_t pid = start_server();
	long long t0 = tap_now_ms();

	REQUIRE(pid > 0);
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	CHECK_EQ(ipc_call(ep[1], &m, NULL), -EINTR);
	CHECK(tap_now_ms() - t0 >= 500);
	alarm(0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(ep[1]);
}

/* A server thread waits with a long-part buffer while a sibling thread forks. */
static int cow_ep[2];

static void *cow_server(void *arg)
{
	static char in[8192];
	struct ipc_long l = { NULL, 0, in, sizeof(in) };
	struct ipc_msg m = { 0 };
	long n = ipc_reply_recv(cow_ep[0], &m, &l, NULL);	/* waits: its buffer is faulted in */

	m.label = n == 5 && memcmp(in, "hello", 5) == 0 ? 77 : 1;
	l.recv_cap = 0;
	ipc_reply_recv(cow_ep[0], &m, &l, NULL);	/* answers; then EPIPE when the client is gone */
	return arg;
}

static void fork_while_serving(void)
{
	struct ipc_long l = { "hello", 5, NULL, 0 };
	struct ipc_msg m = { .label = 1 };
	pthread_t t;
	pid_t pid;
	int st;

	REQUIRE(ipc_create(cow_ep, 0) == 0);
	REQUIRE(pthread_create(&t, NULL, cow_server, NULL) == 0);
	tap_msleep(200);	/* the server thread is waiting */
	pid = fork();		/* every page of ours turns copy-on-write */
	if (pid == 0)
		_exit(0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	/* the message lands in the server thread's now shared buffer: unshared, not EFAULT */
	pid = fork();
	if (pid == 0) {
		close(cow_ep[0]);
		_exit(ipc_call(cow_ep[1], &m, &l) == 0 && m.label == 77 ? 0 : 1);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(cow_ep[1]);
	pthread_join(t, NULL);
	close(cow_ep[0]);
}

static void many_clients(void)
{
	enum { CLIENTS = 8, CALLS = 300 };
	pid_t kids[CLIENTS], pid = start_server();
	int st;

	REQUIRE(pid > 0);
	for (int c = 0; c < CLIENTS; c++) {
		kids[c] = fork();
		if (kids[c] == 0) {
			for (uint64_t k = 0; k < CALLS; k++) {
				struct ipc_msg m = { OP_ECHO, { (uint64_t)c, k } };
				if (ipc_call(ep[1], &m, NULL) != 0 || m.w[0] != (uint64_t)c * 2 + 1 ||
				    m.w[1] != k * 2 + 1)
					_exit(1);
				if (k % 50 == 0)
					sched_yield();
			}
			_exit(0);
		}
	}
	for (int c = 0; c < CLIENTS; c++) {
		CHECK_EQ(waitpid(kids[c], &st, 0), kids[c]);
		CHECK_EXITED(st, 0);
	}
	stop_server(pid);
}

static volatile int usr1_count;

static void on_usr1(int sig)
{
	usr1_count++;
}

/*
 * A server that waits with no long-part buffer, so that every
 * register-only round trip takes the kernel's fast path and, on one CPU,
 * its hand-off (kernel/ipc_fast.c): both sides then sleep with their
 * kernel stacks given up, and whatever wakes them otherwise (a long part,
 * a signal, a death, the last client leaving) goes through
 * ipc_fast_continue().
 */
static void serve_registers(int rfd)
{
	static const char answer[8] = "answer!";
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	struct ipc_long l = { answer, sizeof(answer), NULL, 0 };
	struct ipc_msg m = { 0 };
	bool long_answer = false;
	long n;

	sigaction(SIGUSR1, &sa, NULL);
	for (;;) {
		n = ipc_reply_recv(rfd, &m, long_answer ? &l : NULL, NULL);
		long_answer = false;
		if (n < 0)
			_exit(n == -EPIPE ? 0 : 3);
		switch (m.label) {
		case OP_ECHO:
			m.label = 100;
			for (int i = 0; i < 5; i++)
				m.w[i] = m.w[i] * 2 + 1;
			break;
		case OP_LONG_ANSWER:	/* 8 bytes the caller has no room for */
			long_answer = true;
			break;
		case OP_NAP:		/* the caller sleeps meanwhile */
			tap_msleep((int)m.w[0]);
			m.label = 101;
			break;
		case OP_SIGNALS:
			m.label = (uint64_t)usr1_count;
			break;
		case OP_EXIT:
			_exit(0);
		}
	}
}

static pid_t start_register_server(void)
{
	pid_t pid;

	if (ipc_create(ep, 0) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(ep[1]);
		serve_registers(ep[0]);
	}
	close(ep[0]);
	return pid;
}

/* A few register-only round trips, checked; afterwards both sides sleep in the hand-off. */
static int echoes(int n)
{
	for (uint64_t k = 0; k < (uint64_t)n; k++) {
		struct ipc_msg m = { OP_ECHO, { k, k + 1, k + 2, k + 3, ~k } };

		if (ipc_call(ep[1], &m, NULL) != 0 || m.label != 100 || m.w[0] != k * 2 + 1 ||
		    m.w[4] != ~k * 2 + 1)
			return -1;
	}
	return 0;
}

static void handoff_exits(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { .it_value = { 0, 100000 } };	/* 100 ms */
	static const char hello[5] = "hello";
	struct ipc_long l = { hello, sizeof(hello), NULL, 0 };
	struct ipc_msg m;
	pid_t pid = start_register_server();
	int st;

	REQUIRE(pid > 0);
	CHECK_EQ(echoes(200), 0);
	/* a long answer to a caller asleep in the hand-off, which has no room */
	m = (struct ipc_msg){ .label = OP_LONG_ANSWER };
	CHECK_EQ(ipc_call(ep[1], &m, NULL), -EMSGSIZE);
	CHECK_EQ(echoes(10), 0);
	/* a long request for a server asleep in the hand-off, which has no room */
	m = (struct ipc_msg){ .label = OP_ECHO };
	CHECK_EQ(ipc_call(ep[1], &m, &l), -EMSGSIZE);
	CHECK_EQ(echoes(10), 0);
	/*
	 * A signal for the server asleep in the hand-off: the handler runs and
	 * the wait goes on, whether a request comes before the server has run
	 * (it takes the request, then the handler) or after (its wait is
	 * restarted).
	 */
	CHECK_EQ(kill(pid, SIGUSR1), 0);
	m = (struct ipc_msg){ .label = OP_SIGNALS };
	CHECK_EQ(ipc_call(ep[1], &m, NULL), 0);
	CHECK_EQ(m.label, 1);
	CHECK_EQ(echoes(10), 0);
	CHECK_EQ(kill(pid, SIGUSR1), 0);
	tap_msleep(50);
	m = (struct ipc_msg){ .label = OP_SIGNALS };
	CHECK_EQ(ipc_call(ep[1], &m, NULL), 0);
	CHECK_EQ(m.label, 2);
	CHECK_EQ(echoes(10), 0);
	/* a signal for the caller asleep in the hand-off: EINTR, and the server goes on */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	m = (struct ipc_msg){ .label = OP_NAP, .w = { 500 } };
	CHECK_EQ(ipc_call(ep[1], &m, NULL), -EINTR);
	CHECK_EQ(echoes(10), 0);
	/* the server dies while its caller sleeps in the hand-off: EIO */
	m = (struct ipc_msg){ .label = OP_EXIT };
	CHECK_EQ(ipc_call(ep[1], &m, NULL), -EIO);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
	close(ep[1]);
	/* the last client leaves while the server sleeps in the hand-off: EPIPE, and it exits */
	pid = start_register_server();
	REQUIRE(pid > 0);
	CHECK_EQ(echoes(50), 0);
	stop_server(pid);
}

static void wrong_ends(void)
{
	struct ipc_msg m = { .label = OP_ECHO };
	int fds[2], badge, p[2];

	REQUIRE(ipc_create(fds, 0) == 0);
	CHECK_EQ(ipc_call(fds[0], &m, NULL), -EBADF);
	CHECK_EQ(ipc_reply_recv(fds[1], &m, NULL, &badge), -EBADF);
	REQUIRE(pipe(p) == 0);
	CHECK_EQ(ipc_call(p[1], &m, NULL), -EBADF);
	CHECK_EQ(ipc_create(fds, 0x1234), -EINVAL);
	/* with no client left, a server hears EPIPE at once */
	close(fds[1]);
	CHECK_EQ(ipc_reply_recv(fds[0], &m, NULL, &badge), -EPIPE);
	close(fds[0]);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	tap_init("ipc", argv[0], 0);
	RUN(round_trip);
	RUN(long_messages);
	RUN(server_death);
	RUN(signal_interrupts);
	RUN(many_clients);
	RUN(fork_while_serving);
	RUN(handoff_exits);
	RUN(wrong_ends);
	return tap_done();
}
