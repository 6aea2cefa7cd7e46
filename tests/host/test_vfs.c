/*
 * Host tests for the microkernel personality's vfs (user/mk/vfs/): path
 * resolution (canonical paths, "..", symlinks, mount points, ELOOP, the
 * kernel's name space answered NATIVE), the fd table (lowest number
 * outside the kernel's mk_fdmap, dup2, close-on-exec, fork sharing
 * offsets), the pipe ring and pipes, getdents64, and a fuzz of malformed
 * requests. The whole server is compiled in; its system calls to the
 * kernel (mk_grant_copy, IPC) are replaced by the small fakes below, the
 * grants by buffers of the test. Requests go through vfs_request, as a
 * worker thread would send them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* ---- fakes for user/mk/mk.h and user/fsd/ipc.h ---- */
#define BASALT_USER_MK_H
#define BASALT_USER_IPC_H
#define IPC_LONG_MAX	(64 * 1024)
#define MK_PM		0
#define MK_VFS		1
#define MK_MEMDEV	2
#define MK_SLOT_FS	3
#define MK_SLOTS	16
#define MK_GRANT_READ	0
#define MK_GRANT_WRITE	1
#define VFS_WAIT_MS	1

struct ipc_msg {
	uint64_t label;
	uint64_t w[5];
};

struct ipc_long {
	const void *send;
	uint64_t send_len;
	void *recv;
	uint64_t recv_cap;
};

/* The grants of the call being "served": buffers of the test. */
static struct {
	char *buf;
	size_t len;
	int dirs;	/* 1 << MK_GRANT_READ | 1 << MK_GRANT_WRITE */
} grants[8];
static int ngrants, call_gone;

static long mk_grant_copy(int g, uint64_t off, void *buf, size_t len, int dir)
{
	if (call_gone || g < 0 || g >= ngrants)
		return -EINVAL;
	if (!(grants[g].dirs & (1 << dir)) || off > grants[g].len || len > grants[g].len - off)
		return -EFAULT;
	if (dir == MK_GRANT_READ)
		memcpy(buf, grants[g].buf + off, len);
	else
		memcpy(grants[g].buf + off, buf, len);
	return (long)len;
}

#define FAKE_MEMDEV_FD	99

static long mk_connect(int slot)
{
	return slot == MK_MEMDEV ? FAKE_MEMDEV_FD : -ENOSYS;
}

static long mk_register(int slot, int fd) { return -ENOSYS; }
static long mk_enter(void) { return -ENOSYS; }
static long ipc_create(int fds[2], int flags) { return -ENOSYS; }
static long ipc_reply_recv(int fd, struct ipc_msg *m, const struct ipc_long *l, int *badge)
{
	return -EPIPE;
}

/* memdev, as memdev.c answers: zeros into the grant, ENOSPC from full. */
static long ipc_call(int fd, struct ipc_msg *m, const struct ipc_long *l)
{
	static char zeros[65536];

	if (fd != FAKE_MEMDEV_FD)
		return -EPIPE;
	if (m->label == 2 /* MEMDEV_WRITE */) {
		m->label = m->w[0] == 7 ? (uint64_t)-ENOSPC : m->w[3];
		return 0;
	}
	if (m->w[0] == 3) {
		m->label = 0;
		return 0;
	}
	m->label = (uint64_t)mk_grant_copy((int)m->w[1], m->w[2], zeros, m->w[3], MK_GRANT_WRITE);
	return 0;
}

/* ---- the server ---- */
#define main vfs_main
#include "user/fsd/node.c"
#include "user/fsd/handle.c"
#include "user/mk/vfs/attr.c"
#include "user/mk/vfs/client.c"
#include "user/mk/vfs/fdops.c"
#include "user/mk/vfs/file.c"
#include "user/mk/vfs/fs.c"
#include "user/mk/vfs/main.c"
#include "user/mk/vfs/names.c"
#include "user/mk/vfs/path.c"
#include "user/mk/vfs/pipe.c"
#include "user/mk/vfs/ring.c"
#include "user/mk/vfs/sys.c"
#undef main

#include "tests/host/test.h"

/* ---- making requests ---- */
static char req_in[IPC_LONG_MAX], req_out[IPC_LONG_MAX];
static size_t req_out_len;
static struct ipc_msg ans;
static struct mk_fdmap kmap;	/* the client's kernel-backed fds */
static int client = 100;

static void grant(int g, void *buf, size_t len, int dirs)
{
	grants[g].buf = buf;
	grants[g].len = len;
	grants[g].dirs = dirs;
	if (g >= ngrants)
		ngrants = g + 1;
}

#define GR	(1 << MK_GRANT_READ)
#define GW	(1 << MK_GRANT_WRITE)

/* System call @nr from the client, with paths @s0, @s1 (NULL: none). */
static long sc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, const char *s0,
	       const char *s1)
{
	size_t pos = 0;
	long res;

	for (const char *s = s0; s; s = s == s0 ? s1 : NULL) {
		memcpy(req_in + pos, s, strlen(s) + 1);
		pos += strlen(s) + 1;
	}
	memcpy(req_in + pos, &kmap, sizeof(kmap));
	pos += sizeof(kmap);
	ans = (struct ipc_msg){ nr, { a0, a1, a2, a3, 0 } };
	pthread_mutex_lock(&vfs_lock);
	res = vfs_request(&ans, client, req_in, pos, req_out, &req_out_len);
	fs_flush_forgets();
	pthread_mutex_unlock(&vfs_lock);
	ngrants = 0;
	return res;
}

static int native(void)
{
	return ans.w[4] == MK_ANSWER_NATIVE;
}

/* A notification from pm (badge 0 here: the test has no pm). */
static long note(uint64_t op, uint64_t w0, uint64_t w1, const char *cwd)
{
	struct ipc_msg m = { op, { w0, w1, 0, 0, 022 } };
	size_t len = cwd ? strlen(cwd) + 1 : 0;
	long res;

	if (cwd)
		memcpy(req_in, cwd, len);
	pthread_mutex_lock(&vfs_lock);
	res = vfs_request(&m, 0, req_in, len, req_out, &req_out_len);
	fs_flush_forgets();
	pthread_mutex_unlock(&vfs_lock);
	return res;
}

static long open_(const char *path, long flags, long mode)
{
	return sc(SYS_open, 0, (uint64_t)flags, (uint64_t)mode, 0, path, NULL);
}

static long write_(int fd, const char *s, size_t n)
{
	grant(0, (char *)s, n, GR);
	return sc(SYS_write, (uint64_t)fd, 1, n, 0, NULL, NULL);
}

static long read_(int fd, char *buf, size_t n)
{
	grant(0, buf, n, GW);
	return sc(SYS_read, (uint64_t)fd, 1, n, 0, NULL, NULL);
}

static long stat_(const char *path, struct stat *st, int nofollow)
{
	grant(0, st, sizeof(*st), GW);
	return sc(nofollow ? SYS_lstat : SYS_stat, 1, 1, 0, 0, path, NULL);
}

/* The canonical path of a NATIVE answer. */
static const char *native_path(void)
{
	req_out[req_out_len ? req_out_len - 1 : 0] = 0;
	return req_out;
}

/* ---- the tests ---- */
static void setup_tree(void)
{
	CHECK_EQ(sc(SYS_mkdir, 1, 0755, 0, 0, "/tmp/a", NULL), 0);
	CHECK_EQ(sc(SYS_mkdir, 1, 0755, 0, 0, "/tmp/a/b", NULL), 0);
	CHECK_EQ(sc(SYS_symlink, 1, 1, 0, 0, "a/b", "/tmp/l"), 0);
	CHECK_EQ(sc(SYS_symlink, 1, 1, 0, 0, "y", "/tmp/x"), 0);
	CHECK_EQ(sc(SYS_symlink, 1, 1, 0, 0, "x", "/tmp/y"), 0);
	CHECK_EQ(sc(SYS_symlink, 1, 1, 0, 0, "/etc", "/tmp/k"), 0);
	CHECK_EQ(sc(SYS_mkdir, 1, 0755, 0, 0, "/tmp/a", NULL), -EEXIST);
}

static void path_canonical(void)
{
	struct stat st, st2;

	CHECK_EQ(stat_("/tmp/./a//b/", &st, 0), 0);
	CHECK(S_ISDIR(st.st_mode) && !native());
	CHECK_EQ(stat_("/tmp/l/../b", &st2, 0), 0);	/* l -> a/b, .. is a */
	CHECK_EQ(st2.st_ino, st.st_ino);
	CHECK_EQ(stat_("/tmp/l", &st2, 1), 0);
	CHECK(S_ISLNK(st2.st_mode));
	CHECK_EQ(stat_("/tmp/..", &st, 0), 0);		/* out of the mount: the kernel's "/" */
	CHECK(native());
	CHECK(!strcmp(native_path(), "/"));
	CHECK_EQ(stat_("/tmp/k/passwd", &st, 0), 0);	/* a link into the kernel's name space */
	CHECK(native() && !strcmp(native_path(), "/etc/passwd"));
	CHECK_EQ(stat_("/tmp/x", &st, 0), -ELOOP);
	CHECK_EQ(stat_("/tmp/nothere", &st, 0), -ENOENT);
	CHECK_EQ(stat_("/no-such-dir-here/../tmp", &st, 0), -ENOENT);
	CHECK_EQ(stat_("", &st, 0), -ENOENT);
	CHECK_EQ(stat_("/dev/null", &st, 0), 0);
	CHECK(S_ISCHR(st.st_mode) && !native() && st.st_rdev == 0x103);
}

static void path_errors(void)
{
	char name[300], longp[5000];
	struct stat st;
	int fd = (int)open_("/tmp/file", O_CREAT | O_WRONLY, 0644);

	CHECK(fd >= 0);
	CHECK_EQ(sc(SYS_close, (uint64_t)fd, 0, 0, 0, NULL, NULL), 0);
	CHECK_EQ(stat_("/tmp/file/x", &st, 0), -ENOTDIR);
	CHECK_EQ(stat_("/tmp/file/", &st, 0), -ENOTDIR);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	memcpy(name, "/tmp/", 5);
	CHECK_EQ(stat_(name, &st, 0), -ENAMETOOLONG);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	CHECK_EQ(stat_(longp, &st, 0), -ENAMETOOLONG);
	CHECK_EQ(sc(SYS_rmdir, 1, 0, 0, 0, "/tmp", NULL), -EBUSY);
	CHECK_EQ(sc(SYS_rmdir, 1, 0, 0, 0, "/tmp/a", NULL), -ENOTEMPTY);
	CHECK_EQ(sc(SYS_rmdir, 1, 0, 0, 0, "/tmp/a/b/.", NULL), -EINVAL);
	CHECK_EQ(sc(SYS_unlink, 1, 0, 0, 0, "/tmp/a", NULL), -EISDIR);
	CHECK_EQ(sc(SYS_rename, 1, 1, 0, 0, "/tmp/a", "/tmp/a/b/c"), -EINVAL);
	CHECK_EQ(sc(SYS_rename, 1, 1, 0, 0, "/tmp/file", "/etc/file"), -EXDEV);
	CHECK_EQ(sc(SYS_link, 1, 1, 0, 0, "/tmp/file", "/root/file"), -EXDEV);
	CHECK_EQ(sc(SYS_rename, 1, 1, 0, 0, "/etc/a", "/etc/b"), 0);
	CHECK(native());
	CHECK(!memcmp(req_out, "/etc/a\0/etc/b", 14));
}

static void cwd_relative(void)
{
	char buf[64];
	struct stat st, st2;

	CHECK_EQ(sc(SYS_chdir, 1, 0, 0, 0, "/tmp/a", NULL), 0);
	CHECK(!native());
	grant(0, buf, sizeof(buf), GW);
	CHECK_EQ(sc(SYS_getcwd, 1, sizeof(buf), 0, 0, NULL, NULL), 7);
	CHECK(!strcmp(buf, "/tmp/a"));
	CHECK_EQ(stat_("b", &st, 0), 0);
	CHECK_EQ(stat_("/tmp/a/b", &st2, 0), 0);
	CHECK_EQ(st.st_ino, st2.st_ino);
	CHECK_EQ(stat_("../..", &st, 0), 0);
	CHECK(native() && !strcmp(native_path(), "/"));
	grant(0, buf, 3, GW);
	CHECK_EQ(sc(SYS_getcwd, 1, 3, 0, 0, NULL, NULL), -ERANGE);
	/* into the kernel's name space: vfs keeps it and the kernel follows */
	CHECK_EQ(sc(SYS_chdir, 1, 0, 0, 0, "/tmp/..", NULL), 0);
	CHECK(native() && !strcmp(native_path(), "/"));
	CHECK_EQ(sc(SYS_chdir, 1, 0, 0, 0, "/tmp/file", NULL), -ENOTDIR);
	CHECK_EQ(sc(SYS_chdir, 1, 0, 0, 0, "/", NULL), 0);
}

static void files_and_fds(void)
{
	char buf[32];
	int fd, fd2, fd3;

	/* kernel-backed 0, 1, 2 and 3: vfs starts at 4 */
	kmap.bits[0] = 0xf;
	fd = (int)open_("/tmp/data", O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK_EQ(fd, 4);
	CHECK_EQ(write_(fd, "hello, world", 12), 12);
	fd2 = (int)sc(SYS_dup, (uint64_t)fd, 0, 0, 0, NULL, NULL);
	CHECK_EQ(fd2, 5);
	CHECK_EQ(sc(SYS_lseek, (uint64_t)fd2, 7, SEEK_SET, 0, NULL, NULL), 7);
	CHECK_EQ(read_(fd, buf, sizeof(buf)), 5);	/* the offset is shared */
	CHECK(!memcmp(buf, "world", 5));
	grant(0, buf, 5, GW);
	CHECK_EQ(sc(SYS_pread64, (uint64_t)fd, 1, 5, 0, NULL, NULL), 5);
	CHECK(!memcmp(buf, "hello", 5));
	/* dup2 onto one of the kernel's numbers is allowed (the kernel closes its own) */
	CHECK_EQ(sc(SYS_dup2, (uint64_t)fd, 3, 0, 0, NULL, NULL), 3);
	CHECK_EQ(sc(SYS_dup3, (uint64_t)fd, (uint64_t)fd, 0, 0, NULL, NULL), -EINVAL);
	fd3 = (int)sc(SYS_fcntl, (uint64_t)fd, F_DUPFD_CLOEXEC, 10, 0, NULL, NULL);
	CHECK_EQ(fd3, 10);
	CHECK_EQ(sc(SYS_fcntl, (uint64_t)fd3, F_GETFD, 0, 0, NULL, NULL), FD_CLOEXEC);
	CHECK_EQ(sc(SYS_fcntl, (uint64_t)fd, F_GETFL, 0, 0, NULL, NULL) & O_ACCMODE, O_RDWR);
	/* fork shares the description; exec closes the close-on-exec ones */
	CHECK_EQ(note(MK_FORK, (uint64_t)client, 101, NULL), 0);
	client = 101;
	CHECK_EQ(sc(SYS_lseek, (uint64_t)fd, 1, SEEK_SET, 0, NULL, NULL), 1);
	CHECK_EQ(note(MK_EXEC, 101, 0, NULL), 0);
	CHECK_EQ(sc(SYS_fcntl, (uint64_t)fd3, F_GETFD, 0, 0, NULL, NULL), -EBADF);
	CHECK_EQ(note(MK_EXIT, 101, 0, NULL), 0);
	client = 100;
	CHECK_EQ(sc(SYS_lseek, (uint64_t)fd, 0, SEEK_CUR, 0, NULL, NULL), 1);
	CHECK_EQ(sc(SYS_close, (uint64_t)fd2, 0, 0, 0, NULL, NULL), 0);
	CHECK_EQ(sc(SYS_close, (uint64_t)fd2, 0, 0, 0, NULL, NULL), -EBADF);
	/* a native open gets the lowest number outside the map */
	CHECK_EQ(open_("/etc/passwd", O_RDONLY, 0), 0);
	CHECK(native() && ans.w[0] == 5 && !strcmp(native_path(), "/etc/passwd"));
	kmap.bits[0] |= 1 << 5;		/* the kernel made it */
	CHECK_EQ(open_("/tmp/data", O_RDONLY, 0), 6);
	CHECK_EQ(open_("/tmp/data", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	CHECK_EQ(open_("/tmp/data", O_CREAT | O_EXCL | O_RDWR, 0600), -EEXIST);
	CHECK_EQ(open_("/tmp/a", O_RDWR, 0), -EISDIR);
	CHECK_EQ(open_("/tmp/l", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	/* MK_ALLOC_FD: numbers for the kernel's files */
	ans = (struct ipc_msg){ MK_ALLOC_FD, { 2, 0 } };
	memcpy(req_in, &kmap, sizeof(kmap));
	pthread_mutex_lock(&vfs_lock);
	CHECK_EQ(vfs_request(&ans, client, req_in, sizeof(kmap), req_out, &req_out_len), 0);
	pthread_mutex_unlock(&vfs_lock);
	CHECK(ans.w[0] == 7 && ans.w[1] == 8);
	/* until the table is full */
	for (int i = 0; i < VFS_FD_MAX; i++)
		if (sc(SYS_dup, 4, 0, 0, 0, NULL, NULL) == -EMFILE)
			break;
	CHECK_EQ(sc(SYS_dup, 4, 0, 0, 0, NULL, NULL), -EMFILE);
	CHECK_EQ(note(MK_EXIT, 100, 0, NULL), 0);
	CHECK_EQ(note(MK_ENTER, 100, 1, "/tmp/a"), 0);
	CHECK_EQ(sc(SYS_fcntl, 4, F_GETFD, 0, 0, NULL, NULL), -EBADF);
	kmap.bits[0] = 0x7;
}

static long copy_mem(void *arg, size_t done, char *p, size_t len)
{
	char *buf = arg;

	memcpy(p, buf + done, len);
	return 0;
}

static long copy_out_mem(void *arg, size_t done, char *p, size_t len)
{
	memcpy((char *)arg + done, p, len);
	return 0;
}

static long copy_fail(void *arg, size_t done, char *p, size_t len)
{
	return -EFAULT;
}

static void ring_buffer(void)
{
	struct ring rg;
	char in[10] = "0123456789", out[16];

	CHECK_EQ(ring_init(&rg, 8), 0);
	CHECK_EQ(ring_put(&rg, 6, copy_mem, in, 0), 6);
	CHECK_EQ(ring_get(&rg, 4, copy_out_mem, out, 0, 0), 4);
	CHECK(!memcmp(out, "0123", 4));
	CHECK_EQ(ring_put(&rg, 10, copy_mem, in, 0), 6);	/* wraps: 2 + 6 */
	CHECK_EQ(ring_space(&rg), 0);
	CHECK_EQ(ring_get(&rg, 16, copy_out_mem, out, 0, 1), 8);	/* peek */
	CHECK(!memcmp(out, "45012345", 8));
	CHECK_EQ(ring_get(&rg, 3, copy_fail, NULL, 0, 0), -EFAULT);
	CHECK_EQ(rg.count, 8);	/* a failed copy takes nothing */
	ring_drop(&rg, 3);
	CHECK_EQ(ring_get(&rg, 16, copy_out_mem, out, 0, 0), 5);
	CHECK(!memcmp(out, "12345", 5));
	ring_free(&rg);
}

static void pipes(void)
{
	int fds[2] = { -1, -1 };
	char buf[8192];
	struct pollfd pf[2];

	grant(0, fds, sizeof(fds), GW);
	CHECK_EQ(sc(SYS_pipe2, 1, O_NONBLOCK, 0, 0, NULL, NULL), 0);
	CHECK(fds[0] == 3 && fds[1] == 4);
	CHECK_EQ(read_(fds[0], buf, 10), -EAGAIN);
	CHECK_EQ(write_(fds[1], "abc", 3), 3);
	pf[0] = (struct pollfd){ fds[0], POLLIN, 0 };
	pf[1] = (struct pollfd){ fds[1], POLLOUT, 0 };
	grant(0, pf, sizeof(pf), GR | GW);
	CHECK_EQ(sc(SYS_poll, 1, 2, 0, 0, NULL, NULL), 2);
	CHECK(pf[0].revents == POLLIN && pf[1].revents == POLLOUT);
	CHECK_EQ(sc(SYS_lseek, (uint64_t)fds[0], 0, SEEK_CUR, 0, NULL, NULL), -ESPIPE);
	CHECK_EQ(read_(fds[1], buf, 10), -EBADF);
	CHECK_EQ(read_(fds[0], buf, 10), 3);
	for (int i = 0; i < 16; i++)
		CHECK_EQ(write_(fds[1], buf, 4096), 4096);
	CHECK_EQ(write_(fds[1], buf, 10), -EAGAIN);
	CHECK_EQ(sc(SYS_close, (uint64_t)fds[1], 0, 0, 0, NULL, NULL), 0);
	for (int i = 0; i < 8; i++)
		CHECK_EQ(read_(fds[0], buf, 8192), 8192);
	CHECK_EQ(read_(fds[0], buf, 8192), 0);	/* EOF */
	grant(0, fds, sizeof(fds), GW);
	CHECK_EQ(sc(SYS_pipe, 1, 0, 0, 0, NULL, NULL), 0);
	CHECK_EQ(sc(SYS_close, (uint64_t)fds[0], 0, 0, 0, NULL, NULL), 0);
	CHECK_EQ(write_(fds[1], "x", 1), -EPIPE);
	CHECK_EQ(sc(SYS_close, (uint64_t)fds[1], 0, 0, 0, NULL, NULL), 0);
	/* a read whose call was withdrawn (a signal) leaves the bytes */
	grant(0, fds, sizeof(fds), GW);
	CHECK_EQ(sc(SYS_pipe, 1, 0, 0, 0, NULL, NULL), 0);
	CHECK_EQ(write_(fds[1], "zz", 2), 2);
	call_gone = 1;
	CHECK(read_(fds[0], buf, 10) < 0);
	call_gone = 0;
	CHECK_EQ(read_(fds[0], buf, 10), 2);
	CHECK(!memcmp(buf, "zz", 2));
	CHECK_EQ(sc(SYS_close, (uint64_t)fds[1], 0, 0, 0, NULL, NULL), 0);
	CHECK_EQ(sc(SYS_close, (uint64_t)fds[0], 0, 0, 0, NULL, NULL), 0);
	CHECK_EQ(sc(SYS_close, 3, 0, 0, 0, NULL, NULL), 0);
}

static void memdev_nodes(void)
{
	char buf[16] = "xxxxxxxxxxxxxxx";
	int fd = (int)open_("/dev/zero", O_RDWR, 0);

	CHECK(fd >= 3 && !native());
	CHECK_EQ(read_(fd, buf, 8), 8);
	CHECK(!memcmp(buf, "\0\0\0\0\0\0\0\0x", 9));
	CHECK_EQ(write_(fd, buf, 8), 8);
	sc(SYS_close, (uint64_t)fd, 0, 0, 0, NULL, NULL);
	fd = (int)open_("/dev/full", O_WRONLY, 0);
	CHECK_EQ(write_(fd, buf, 8), -ENOSPC);
	sc(SYS_close, (uint64_t)fd, 0, 0, 0, NULL, NULL);
	fd = (int)open_("/dev/null", O_RDWR, 0);
	CHECK_EQ(write_(fd, buf, 8), 8);
	CHECK_EQ(read_(fd, buf, 8), 0);
	sc(SYS_close, (uint64_t)fd, 0, 0, 0, NULL, NULL);
	CHECK_EQ(open_("/dev/tty", O_RDWR, 0), 0);
	CHECK(native());
}

static void vectors(void)
{
	char a[3], b[100], data[] = "abcdefghij";
	int fd = (int)open_("/tmp/vec", O_CREAT | O_RDWR, 0644);

	/* writev without lengths: found by trying */
	grant(0, data, 4, GR);
	grant(1, data + 4, 6, GR);
	CHECK_EQ(sc(SYS_writev, (uint64_t)fd, 1, 2, 0, NULL, NULL), 10);
	CHECK_EQ(sc(SYS_lseek, (uint64_t)fd, 0, SEEK_SET, 0, NULL, NULL), 0);
	grant(0, a, sizeof(a), GW);
	grant(1, b, sizeof(b), GW);
	CHECK_EQ(sc(SYS_readv, (uint64_t)fd, 1, 2, 0, NULL, NULL), 10);
	CHECK(!memcmp(a, "abc", 3) && !memcmp(b, "defghij", 7));
	CHECK_EQ(sc(SYS_lseek, (uint64_t)fd, 0, SEEK_CUR, 0, NULL, NULL), 10);
	sc(SYS_close, (uint64_t)fd, 0, 0, 0, NULL, NULL);
}

static void dirents(void)
{
	char buf[4096];
	int fd = (int)open_("/tmp/a", O_RDONLY | O_DIRECTORY, 0), seen = 0;
	long n;

	CHECK(fd >= 0);
	grant(0, buf, sizeof(buf), GW);
	n = sc(SYS_getdents64, (uint64_t)fd, 1, sizeof(buf), 0, NULL, NULL);
	CHECK_EQ(n, 3 * 24);	/* ".", "..", "b": 24 bytes each */
	for (long off = 0; off < n;) {
		uint16_t reclen;

		memcpy(&reclen, buf + off + 16, 2);
		seen |= !strcmp(buf + off + 19, "b") ? 1 : 0;
		CHECK(buf[off + 18] == DT_DIR);
		off += reclen;
	}
	CHECK(seen);
	grant(0, buf, sizeof(buf), GW);
	CHECK_EQ(sc(SYS_getdents64, (uint64_t)fd, 1, sizeof(buf), 0, NULL, NULL), 0);
	grant(0, buf, 10, GW);
	CHECK_EQ(sc(SYS_lseek, (uint64_t)fd, 0, SEEK_SET, 0, NULL, NULL), 0);
	CHECK_EQ(sc(SYS_getdents64, (uint64_t)fd, 1, 10, 0, NULL, NULL), -EINVAL);
	sc(SYS_close, (uint64_t)fd, 0, 0, 0, NULL, NULL);
}

static uint64_t seed = 12345;

static uint64_t RND(void)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return seed >> 33;
}

/* Nothing the client sends may crash vfs: random calls, words, long parts. */
static void fuzz(void)
{
	static char gbuf[4][512];
	int errors = 0;

	call_gone = 0;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len;
		long res;

		ans.label = RND() % 5 == 0 ? MK_OP_BASE + RND() % 8 : RND() % 450;
		for (int i = 0; i < 5; i++) {
			uint64_t k = RND() % 4;

			ans.w[i] = k == 0 ? RND() % 12 : k == 1 ? (uint64_t)-1 - RND() % 200
				   : k == 2 ? RND() << 20 : RND() % 300;
		}
		len = RND() % 4 == 0 ? RND() % 3000 : RND() % 80;
		for (size_t i = 0; i < len; i++) {
			static const char alpha[] = "/./..tmp/abl\0xk";

			req_in[i] = RND() % 3 ? alpha[RND() % (sizeof(alpha) - 1)] : (char)RND();
		}
		for (int g = 0; g < 4; g++)
			grant(g, gbuf[g], RND() % 512, (int)(RND() % 4));
		/* no blocking: a waiting call finds it was withdrawn */
		call_gone = RND() % 8 == 0;
		pthread_mutex_lock(&vfs_lock);
		res = vfs_request(&ans, (int)(RND() % 4) + 200, req_in, len, req_out, &req_out_len);
		fs_flush_forgets();
		pthread_mutex_unlock(&vfs_lock);
		call_gone = 0;
		errors += res < 0;
		if (RND() % 50 == 0)
			note(MK_EXIT, RND() % 4 + 200, 0, NULL);
	}
	CHECK(errors > 1000);	/* most of it is nonsense */
	CHECK(req_out_len <= IPC_LONG_MAX);
}

int main(void)
{
	test_suite = "vfs";
	pthread_mutex_lock(&vfs_lock);
	if (fs_init()) {
		printf("not ok - host/vfs/init\n");
		return 1;
	}
	pthread_mutex_unlock(&vfs_lock);
	note(MK_ENTER, (uint64_t)client, 1, "/");
	kmap.bits[0] = 0x7;
	RUN(setup_tree);
	RUN(path_canonical);
	RUN(path_errors);
	RUN(cwd_relative);
	RUN(files_and_fds);
	RUN(ring_buffer);
	RUN(pipes);
	RUN(memdev_nodes);
	RUN(vectors);
	RUN(dirents);
	RUN(fuzz);
	TEST_EXIT();
}
