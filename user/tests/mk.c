/*
 * The kernel side of the microkernel personality (kernel/mk.c,
 * docs/microkernel.md), tested against a scripted server: each case
 * registers one endpoint of its own as both pm and vfs, forks a server
 * that checks what the kernel sends and answers as the case wants, and a
 * client that enters the personality and makes the calls. What is checked:
 * the message (number, words, badge), grants (in range, in direction, only
 * while working on the call), the kernel's own fds never leaving the
 * kernel, "run it yourself" answers, a malformed answer, a server dying
 * mid-call, the fork and exit notifications. The real pm and vfs, if
 * running, are put back after each case. Basalt only.
 */
#include "tap.h"
#include "../fsd/ipc.h"
#include "../mk/mk.h"
#include "../../kernel/mk_proto.h"
#include <poll.h>
#include <sys/uio.h>

#define NOT_KERNEL_FD	77	/* a number the client's kernel table never holds */

static int saved_pm = -1, saved_vfs = -1;

/* What a scripted server does with one request; returns the answer's long length. */
typedef size_t (*handler_fn)(struct ipc_msg *m, const char *in, long n, int badge, char *out);

static int server_failed;

#define S_CHECK(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			tap_printf("# server: %s:%d: CHECK(%s) failed\n", __FILE__, \
				   __LINE__, #cond);                           \
			server_failed = 1;                                     \
		}                                                              \
	} while (0)

/* Answer the notifications the kernel sends on its own; 1 if @m was one. */
static int notification(struct ipc_msg *m, int badge)
{
	if (badge != 0 || m->label < MK_OP_BASE)
		return 0;
	m->label = 0;
	return 1;
}

static void serve(int rfd, handler_fn h)
{
	static char in[IPC_LONG_MAX], out[IPC_LONG_MAX];
	struct ipc_long l = { out, 0, in, sizeof(in) };
	struct ipc_msg m = { 0 };
	int badge;
	long n;

	for (;;) {
		n = ipc_reply_recv(rfd, &m, &l, &badge);
		if (n < 0)
			_exit(n == -EPIPE ? server_failed : 3);
		l.send_len = 0;
		if (!notification(&m, badge))
			l.send_len = h(&m, in, n, badge, out);
	}
}

/*
 * Run @client in the personality against @server. The client's checks
 * and the server's both count.
 */
static void mk_case(handler_fn server, void (*client)(void))
{
	int ep[2], st;
	pid_t s, c;

	REQUIRE(ipc_create(ep, 0) == 0);
	REQUIRE(mk_register(MK_PM, ep[1]) == 0);
	REQUIRE(mk_register(MK_VFS, ep[1]) == 0);
	s = fork();
	if (s == 0) {
		close(ep[1]);
		serve(ep[0], server);
	}
	close(ep[0]);
	c = fork();
	if (c == 0) {
		close(ep[1]);
		if (mk_enter() != 0)
			_exit(90);
		client();
		_exit(tap_cur_failed);
	}
	CHECK(waitpid(c, &st, 0) == c);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		tap_printf("# client %s\n", tap_wstatus(st));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	mk_register(MK_PM, saved_pm);
	mk_register(MK_VFS, saved_vfs);
	close(ep[1]);		/* the server's last client: it sees EPIPE */
	CHECK(waitpid(s, &st, 0) == s);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		tap_printf("# server %s\n", tap_wstatus(st));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* --- the message: number, arguments, badge ------------------------------ */

static size_t words_server(struct ipc_msg *m, const char *in, long n, int badge, char *out)
{
	if (m->label == SYS_getppid) {
		m->label = 4242;
	} else if (m->label == SYS_lseek) {
		S_CHECK(m->w[0] == NOT_KERNEL_FD && m->w[1] == 12345 && m->w[2] == SEEK_END);
		S_CHECK(badge > 0);
		m->label = (uint64_t)badge;	/* the client checks it is its pid */
	} else {
		m->label = (uint64_t)-ENOSYS;
	}
	return 0;
}

static void words_client(void)
{
	CHECK_EQ(syscall(SYS_getppid), 4242);
	/* the badge is the process id; gettid stays in the kernel */
	CHECK_EQ(syscall(SYS_lseek, NOT_KERNEL_FD, 12345, SEEK_END), syscall(SYS_gettid));
}

static void words(void)
{
	mk_case(words_server, words_client);
}

/* --- grants --------------------------------------------------------------- */

static size_t grant_server(struct ipc_msg *m, const char *in, long n, int badge, char *out)
{
	char buf[16] = { 0 };

	if (m->label == SYS_write) {
		S_CHECK(m->w[0] == NOT_KERNEL_FD && m->w[2] == 5);
		S_CHECK(mk_grant_copy(0, 0, buf, 5, MK_GRANT_READ) == 5);
		S_CHECK(memcmp(buf, "hello", 5) == 0);
		S_CHECK(mk_grant_copy(0, 1, buf, 5, MK_GRANT_READ) == -EFAULT);	/* past its end */
		S_CHECK(mk_grant_copy(0, 6, buf, 0, MK_GRANT_READ) == -EFAULT);
		S_CHECK(mk_grant_copy(0, 0, buf, 5, MK_GRANT_WRITE) == -EFAULT);	/* read-only */
		S_CHECK(mk_grant_copy(1, 0, buf, 1, MK_GRANT_READ) == -EINVAL);	/* no such grant */
		S_CHECK(mk_grant_copy(0, 0, (void *)8, 5, MK_GRANT_READ) == -EFAULT);	/* our side bad */
		m->label = 5;
	} else if (m->label == SYS_read) {
		S_CHECK(m->w[2] == 8);
		S_CHECK(mk_grant_copy(0, 0, "abcdefgh", 8, MK_GRANT_WRITE) == 8);
		m->label = 8;
	} else if (m->label == SYS_pread64) {
		S_CHECK(m->w[2] == IPC_LONG_MAX);	/* 1 MiB asked, clamped */
		S_CHECK(mk_grant_copy(0, IPC_LONG_MAX - 1, "z", 1, MK_GRANT_WRITE) == 1);
		S_CHECK(mk_grant_copy(0, IPC_LONG_MAX, "z", 1, MK_GRANT_WRITE) == -EFAULT);
		m->label = IPC_LONG_MAX;
	} else if (m->label == SYS_writev) {
		S_CHECK(m->w[2] == 2);
		S_CHECK(mk_grant_copy(0, 0, buf, 3, MK_GRANT_READ) == 3 && memcmp(buf, "one", 3) == 0);
		S_CHECK(mk_grant_copy(1, 0, buf, 3, MK_GRANT_READ) == 3 && memcmp(buf, "two", 3) == 0);
		S_CHECK(mk_grant_copy(2, 0, buf, 1, MK_GRANT_READ) == -EINVAL);
		m->label = 6;
	} else {
		m->label = (uint64_t)-ENOSYS;
	}
	return 0;
}

static void grant_client(void)
{
	static char big[1 << 20];
	char buf[9] = { 0 };
	struct iovec iov[2] = { { "one", 3 }, { "two", 3 } };

	CHECK_EQ(write(NOT_KERNEL_FD, "hello", 5), 5);
	CHECK_EQ(read(NOT_KERNEL_FD, buf, 8), 8);
	CHECK_STR(buf, "abcdefgh");
	CHECK_EQ(pread(NOT_KERNEL_FD, big, sizeof(big), 0), IPC_LONG_MAX);
	CHECK_EQ(big[IPC_LONG_MAX - 1], 'z');
	CHECK_EQ(writev(NOT_KERNEL_FD, iov, 2), 6);
	CHECK_ERR(read(NOT_KERNEL_FD, (void *)8, 8), EFAULT);	/* never reaches the server */
}

static void grants(void)
{
	mk_case(grant_server, grant_client);
}

/* A server with no client call in hand has no grants at all. */
static void grant_outside_call(void)
{
	char c;

	CHECK_EQ(mk_grant_copy(0, 0, &c, 1, MK_GRANT_READ), -EINVAL);
}

/* --- the kernel's own fds stay in the kernel ---------------------------- */

static int kernel_pipe[2];

static size_t refuse_server(struct ipc_msg *m, const char *in, long n, int badge, char *out)
{
	if (m->label == MK_ALLOC_FD) {		/* dup of a kernel fd: vfs picks the number */
		S_CHECK(badge > 0 && m->w[0] == 1);
		m->label = 0;
		m->w[0] = 40;
		return 0;
	}
	if (m->label == MK_DROP_FD) {
		S_CHECK(m->w[0] == 41);
		m->label = 0;
		return 0;
	}
	if (m->label == SYS_poll) {
		m->label = (uint64_t)-ENOSYS;
		return 0;
	}
	tap_printf("# server: call %lu on fd %lu reached the server\n", (unsigned long)m->label,
		   (unsigned long)m->w[0]);
	server_failed = 1;
	m->label = (uint64_t)-EXDEV;
	return 0;
}

static void kernel_fds_client(void)
{
	char c = 0;
	struct pollfd mixed[2] = { { kernel_pipe[0], POLLIN, 0 }, { NOT_KERNEL_FD, POLLIN, 0 } };
	struct pollfd mine = { kernel_pipe[0], POLLIN, 0 };

	CHECK_EQ(write(kernel_pipe[1], "k", 1), 1);
	CHECK_EQ(poll(&mine, 1, 1000), 1);
	CHECK_EQ(read(kernel_pipe[0], &c, 1), 1);
	CHECK_EQ(c, 'k');
	CHECK_EQ(dup(kernel_pipe[1]), 40);
	CHECK_EQ(write(40, "d", 1), 1);		/* the copy is the kernel's too */
	CHECK_EQ(read(kernel_pipe[0], &c, 1), 1);
	CHECK_EQ(c, 'd');
	CHECK_EQ(dup2(40, 41), 41);
	CHECK_EQ(close(40), 0);
	CHECK_EQ(close(41), 0);
	CHECK_ERR(poll(mixed, 2, 0), EINVAL);	/* both kinds in one set */
}

static void kernel_fds(void)
{
	REQUIRE(pipe(kernel_pipe) == 0);
	mk_case(refuse_server, kernel_fds_client);
}

/* --- "run it yourself" and a malformed answer ------------------------------ */

static size_t native_server(struct ipc_msg *m, const char *in, long n, int badge, char *out)
{
	if (m->label == SYS_open && strcmp(in, "pretend") == 0) {
		/* the path arrives NUL-terminated, the fd map after it */
		S_CHECK(n == (long)(strlen("pretend") + 1 + sizeof(struct mk_fdmap)));
		m->label = 0;
		m->w[0] = 9;
		m->w[4] = MK_ANSWER_NATIVE;
		strcpy(out, "/init");
		return strlen("/init") + 1;
	}
	if (m->label == SYS_open && strcmp(in, "broken") == 0) {
		m->w[4] = MK_ANSWER_NATIVE;
		memset(out, 'x', 64);		/* no NUL */
		return 64;
	}
	m->label = (uint64_t)-ENOSYS;
	return 0;
}

static void native_client(void)
{
	char buf[10] = { 0 };
	int fd = open("pretend", O_RDONLY);

	CHECK_EQ(fd, 9);
	CHECK_EQ(read(fd, buf, 9), 9);		/* fd 9 is the kernel's: read here */
	CHECK_STR(buf, "#!/bin/sh");
	CHECK_EQ(close(fd), 0);
	CHECK_ERR(open("broken", O_RDONLY), EIO);
}

static void native_answer(void)
{
	mk_case(native_server, native_client);
}

/* --- a server that dies mid-call ------------------------------------------ */

static size_t dying_server(struct ipc_msg *m, const char *in, long n, int badge, char *out)
{
	if (m->label == SYS_fsync)
		_exit(0);
	m->label = (uint64_t)-ENOSYS;
	return 0;
}

static void dying_client(void)
{
	CHECK_ERR(fsync(NOT_KERNEL_FD), EIO);
}

static void server_dies(void)
{
	int ep[2], st;
	pid_t s, c;

	/* like mk_case, but the server's death is the point */
	REQUIRE(ipc_create(ep, 0) == 0);
	REQUIRE(mk_register(MK_PM, ep[1]) == 0 && mk_register(MK_VFS, ep[1]) == 0);
	s = fork();
	if (s == 0) {
		close(ep[1]);
		serve(ep[0], dying_server);
	}
	c = fork();
	if (c == 0) {
		close(ep[0]);
		close(ep[1]);
		if (mk_enter() != 0)
			_exit(90);
		dying_client();
		_exit(tap_cur_failed);
	}
	/* we keep a receive end too, as pm does: the exit notification finds no server, fails */
	CHECK(waitpid(s, &st, 0) == s);
	close(ep[0]);
	CHECK(waitpid(c, &st, 0) == c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	mk_register(MK_PM, saved_pm);
	mk_register(MK_VFS, saved_vfs);
	close(ep[1]);
}

/* --- fork and exit are told to pm ------------------------------------------ */

static size_t family_server(struct ipc_msg *m, const char *in, long n, int badge, char *out)
{
	m->label = (uint64_t)-ENOSYS;
	return 0;
}

/* pm's side of the notifications: counted in a file the case reads. */
static void family_serve(int rfd)
{
	static char in[IPC_LONG_MAX];
	struct ipc_long l = { NULL, 0, in, sizeof(in) };
	struct ipc_msg m = { 0 };
	int badge, forks = 0, exits = 0, enters = 0;
	long n;

	for (;;) {
		n = ipc_reply_recv(rfd, &m, &l, &badge);
		if (n < 0)
			break;
		if (badge == 0 && m.label == MK_ENTER) {
			enters++;
			S_CHECK(n > 1 && in[0] == '/' && in[n - 1] == 0);	/* the cwd */
		} else if (badge == 0 && m.label == MK_FORK) {
			forks++;
			S_CHECK(m.w[1] != m.w[0] && kill((pid_t)m.w[1], 0) == 0);
		} else if (badge == 0 && m.label == MK_EXIT) {
			exits++;
		} else {
			family_server(&m, in, n, badge, NULL);
			continue;
		}
		m.label = 0;
	}
	S_CHECK(enters == 1 && forks == 1 && exits == 2);
	_exit(server_failed);
}

static void family(void)
{
	int ep[2], st;
	pid_t s, c;

	REQUIRE(ipc_create(ep, 0) == 0);
	REQUIRE(mk_register(MK_PM, ep[1]) == 0 && mk_register(MK_VFS, ep[1]) == 0);
	s = fork();
	if (s == 0) {
		close(ep[1]);
		family_serve(ep[0]);
	}
	close(ep[0]);
	c = fork();
	if (c == 0) {
		pid_t g;

		close(ep[1]);
		if (mk_enter() != 0)
			_exit(90);
		g = fork();
		if (g == 0)
			_exit(7);
		_exit(waitpid(g, &st, 0) == g && WEXITSTATUS(st) == 7 ? 0 : 1);
	}
	CHECK(waitpid(c, &st, 0) == c);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	mk_register(MK_PM, saved_pm);
	mk_register(MK_VFS, saved_vfs);
	close(ep[1]);
	CHECK(waitpid(s, &st, 0) == s);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Only root outside the personality may register servers. */
static void register_rules(void)
{
	int ep[2];

	REQUIRE(ipc_create(ep, 0) == 0);
	CHECK_EQ(mk_register(MK_SLOTS, ep[1]), -EINVAL);
	CHECK_EQ(mk_register(MK_PM, ep[0]), -EBADF);	/* a receive end */
	CHECK_EQ(mk_register(MK_PM, 0), -EBADF);
	CHECK_EQ(mk_connect(MK_SLOTS - 1), -ENOENT);
	if (fork() == 0) {
		setuid(1000);
		_exit(mk_register(MK_SLOTS - 1, ep[1]) == -EPERM && mk_connect(MK_PM) == -EPERM ? 0 : 1);
	}
	int st;
	wait(&st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(int argc, char **argv)
{
	tap_init("mk", argv[0], 0);
	saved_pm = (int)mk_connect(MK_PM);
	saved_vfs = (int)mk_connect(MK_VFS);
	if (saved_pm < 0)
		saved_pm = -1;
	if (saved_vfs < 0)
		saved_vfs = -1;
	RUN(words);
	RUN(grants);
	RUN(grant_outside_call);
	RUN(kernel_fds);
	RUN(native_answer);
	RUN(server_dies);
	RUN(family);
	RUN(register_rules);
	return tap_done();
}
