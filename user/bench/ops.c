/*
 * The operations of /bin/syscall-lat. Each measured call does the least
 * that exercises its path: the null syscall (getppid) is the cost of
 * entering and leaving the kernel; the file calls add the VFS and, on
 * /srv, an IPC round trip to the file server with its copies and context
 * switches; the pipe and IPC round trips add two context switches each,
 * and a wake-up on the other CPU when the two processes are pinned apart.
 *
 * The IPC calls are Basalt's (numbers 1000-1002, docs/ipc.md, wrapped by
 * user/fsd/ipc.h); any other kernel answers ENOSYS and the row reads "n/a".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdint.h>
#include <unistd.h>

#include "ops.h"
#include "../fsd/ipc.h"

#define FILE_LEN		8192

unsigned int op_child_timeout = 60;

static int ok_or_errno(long r)
{
	return r < 0 ? -errno : 0;
}

/* --- no setup: the cost of the measurement itself and of bare syscalls --- */

static int call_nothing(struct op_ctx *c)
{
	__asm__ __volatile__("" : : : "memory");
	return 0;
}

static int call_getppid(struct op_ctx *c)
{
	return ok_or_errno(getppid());
}

static int call_getpid(struct op_ctx *c)
{
	return ok_or_errno(getpid());
}

/* --- /dev/null --- */

static int setup_devnull(struct op_ctx *c)
{
	c->fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return c->fd < 0 ? -1 : 0;
}

static int call_write_null(struct op_ctx *c)
{
	ssize_t r = write(c->fd, c->buf, 1);

	return r == 1 ? 0 : r < 0 ? -errno : -EIO;
}

static void close_fd(struct op_ctx *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* --- a scratch file of FILE_LEN bytes in the directory measured --- */

static int setup_file(struct op_ctx *c)
{
	/* a fixed-width name: path lookup costs the same whatever the pid */
	snprintf(c->path, sizeof(c->path), "%s/syscall-lat.%08d", c->dir, (int)getpid());
	c->fd = open(c->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (c->fd < 0)
		return -1;
	for (int i = 0; i < FILE_LEN; i += sizeof(c->buf)) {
		memset(c->buf, 'a' + i / (int)sizeof(c->buf), sizeof(c->buf));
		if (pwrite(c->fd, c->buf, sizeof(c->buf), i) != (ssize_t)sizeof(c->buf))
			return -1;
	}
	return 0;
}

static void teardown_file(struct op_ctx *c)
{
	close_fd(c);
	unlink(c->path);
}

static int setup_file_closed(struct op_ctx *c)
{
	if (setup_file(c) < 0)
		return -1;
	close_fd(c);
	return 0;
}

static int expect_len(ssize_t r, size_t want)
{
	return r == (ssize_t)want ? 0 : r < 0 ? -errno : -EIO;
}

static int call_pread_64(struct op_ctx *c)
{
	return expect_len(pread(c->fd, c->buf, 64, 0), 64);
}

static int call_pread_4k(struct op_ctx *c)
{
	return expect_len(pread(c->fd, c->buf, 4096, 0), 4096);
}

static int call_pwrite_64(struct op_ctx *c)
{
	return expect_len(pwrite(c->fd, c->buf, 64, 0), 64);
}

static int call_pwrite_4k(struct op_ctx *c)
{
	return expect_len(pwrite(c->fd, c->buf, 4096, 0), 4096);
}

static int call_open_close(struct op_ctx *c)
{
	int fd = open(c->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return ok_or_errno(close(fd));
}

static int call_fstat(struct op_ctx *c)
{
	struct stat st;

	return ok_or_errno(fstat(c->fd, &st));
}

/* --- a second process: pipe echo and IPC server --- */

/*
 * A child that ended its loop on EOF or EPIPE exits by itself, after
 * writing where it ran last; give it two seconds before the SIGKILL.
 */
static void reap_child(struct op_ctx *c)
{
	pid_t r = 0;

	if (c->child > 0) {
		for (int i = 0; i < 200 && (r = waitpid(c->child, NULL, WNOHANG)) == 0; i++)
			usleep(10000);
		if (r == 0) {
			kill(c->child, SIGKILL);
			while (waitpid(c->child, NULL, 0) < 0 && errno == EINTR)
				;
		}
	}
	c->child = -1;
}

/*
 * Fork the partner. The child pins itself to the placement's server CPU
 * and fills c->peer before the parent goes on, so no round trip is timed
 * before both processes are where they should be. Returns as fork does.
 */
static pid_t fork_partner(struct op_ctx *c)
{
	int ready[2];
	char b = 0;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return -1;
	c->child = fork();
	if (c->child == 0) {
		alarm(op_child_timeout);
		close(ready[0]);
		place_pin(c->place ? c->place->server_cpu : -1, c->peer);
		if (write(ready[1], &b, 1) != 1)
			_exit(1);
		close(ready[1]);
		return 0;
	}
	close(ready[1]);
	if (c->child > 0 && read(ready[0], &b, 1) != 1) {
		close(ready[0]);
		errno = ECHILD;
		return -1;	/* teardown reaps it */
	}
	close(ready[0]);
	return c->child;
}

/* The child's last act: say where it ran at the end, and leave. */
static void partner_exit(struct op_ctx *c, int status)
{
	c->peer->after = place_here();
	_exit(status);
}

static void close_pipes(struct op_ctx *c)
{
	for (int i = 0; i < 2; i++) {
		if (c->to_child[i] >= 0)
			close(c->to_child[i]);
		if (c->from_child[i] >= 0)
			close(c->from_child[i]);
		c->to_child[i] = c->from_child[i] = -1;
	}
}

/* The child answers each byte with its complement until the parent
 * closes its end. */
static int setup_pipe(struct op_ctx *c)
{
	if (pipe2(c->to_child, O_CLOEXEC) < 0 || pipe2(c->from_child, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork_partner(c);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		unsigned char b;
		close(c->to_child[1]);
		close(c->from_child[0]);
		while (read(c->to_child[0], &b, 1) == 1) {
			b = (unsigned char)~b;
			if (write(c->from_child[1], &b, 1) != 1)
				break;
		}
		partner_exit(c, 0);
	}
	close(c->to_child[0]);
	close(c->from_child[1]);
	c->to_child[0] = c->from_child[1] = -1;
	return 0;
}

/* One byte there and its complement back; the byte changes every time,
 * so a stale or lost answer is caught. */
static int call_pipe_rt(struct op_ctx *c)
{
	unsigned char out = (unsigned char)++c->seq, in;

	if (write(c->to_child[1], &out, 1) != 1)
		return -errno;
	ssize_t r = read(c->from_child[0], &in, 1);
	if (r != 1)
		return r < 0 ? -errno : -EPIPE;
	return in == (unsigned char)~out ? 0 : -EPROTO;
}

static void teardown_pipe(struct op_ctx *c)
{
	close_pipes(c);		/* EOF ends the child's loop */
	reap_child(c);
}

/*
 * The raw IPC round trip: a forked server on one endpoint answers each
 * call with the label complemented and word i plus i + 1, all in
 * registers (user/fsd/ipc.h). The first ipc_reply_recv serves no call
 * yet, so it only waits.
 */
static int setup_ipc(struct op_ctx *c)
{
	long r = ipc_create(c->ep, O_CLOEXEC);

	if (r < 0) {
		c->why = r == -ENOSYS ? "ENOSYS" : "ipc_create-failed";
		return -1;
	}
	pid_t pid = fork_partner(c);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct ipc_msg m = { 0 };
		close(c->ep[1]);
		for (;;) {
			r = ipc_reply_recv(c->ep[0], &m, NULL, NULL);
			if (r < 0 && r != -EINTR)
				partner_exit(c, r == -EPIPE ? 0 : 1);	/* EPIPE: no client left */
			m.label = ~m.label;
			for (int i = 0; i < IPC_WORDS - 1; i++)
				m.w[i] += i + 1;
		}
	}
	close(c->ep[0]);
	c->ep[0] = -1;
	return 0;
}

static int call_ipc_rt(struct op_ctx *c)
{
	uint64_t s = ++c->seq;
	struct ipc_msg m = { .label = s, .w = { s, s << 8, s << 16, s << 24, s << 32 } };
	long r = ipc_call(c->ep[1], &m, NULL);

	if (r < 0)
		return (int)r;
	if (m.label != ~s)
		return -EPROTO;
	for (int i = 0; i < IPC_WORDS - 1; i++)
		if (m.w[i] != (s << (8 * i)) + i + 1)
			return -EPROTO;
	return 0;
}

static void teardown_ipc(struct op_ctx *c)
{
	for (int i = 0; i < 2; i++)
		if (c->ep[i] >= 0)
			close(c->ep[i]);
	c->ep[0] = c->ep[1] = -1;
	reap_child(c);
}

const struct op ops[] = {
	{ "overhead", "empty bracket (measurement cost)", EACH_ONCE, NULL, call_nothing, NULL },
	{ "getppid", "null syscall (getppid)", EACH_ONCE, NULL, call_getppid, NULL },
	{ "getpid", "getpid", EACH_ONCE, NULL, call_getpid, NULL },
	{ "write-null", "write 1 B to /dev/null", EACH_ONCE, setup_devnull, call_write_null, close_fd },
	{ "pread-64", "pread 64 B", EACH_PATH, setup_file, call_pread_64, teardown_file },
	{ "pread-4k", "pread 4 KiB", EACH_PATH, setup_file, call_pread_4k, teardown_file },
	{ "pwrite-64", "pwrite 64 B", EACH_PATH, setup_file, call_pwrite_64, teardown_file },
	{ "pwrite-4k", "pwrite 4 KiB", EACH_PATH, setup_file, call_pwrite_4k, teardown_file },
	{ "open-close", "open + close", EACH_PATH, setup_file_closed, call_open_close, teardown_file },
	{ "fstat", "fstat", EACH_PATH, setup_file, call_fstat, teardown_file },
	{ "pipe-rt", "pipe round trip, 2 processes", EACH_PLACEMENT, setup_pipe, call_pipe_rt,
	  teardown_pipe },
	{ "ipc-rt", "IPC call/reply round trip", EACH_PLACEMENT, setup_ipc, call_ipc_rt,
	  teardown_ipc },
};
const int nops = sizeof(ops) / sizeof(ops[0]);
