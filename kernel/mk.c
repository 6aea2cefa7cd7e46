/*
 * The microkernel personality (docs/microkernel.md): a process that
 * entered it with mk_enter (user/mk/mkrun.c) has its system calls turned
 * by the syscall entry into IPC messages to user-space servers, pm for
 * process identity and vfs for every file, directory, pipe and fd call,
 * MINIX-style. What stays in the kernel is the mechanism: memory mapping,
 * scheduling, signals, the process life cycle (fork, exec, exit, wait, of
 * which pm hears), IPC itself, and the files of the kernel's own name
 * space, which vfs hands back ("run it yourself", MK_ANSWER_NATIVE).
 *
 * kernel/mk_proto.h is the protocol. Each user buffer a forwarded call
 * names becomes a grant; the server working on the call, and any server
 * it calls while doing so, reach the client's memory only through
 * mk_grant_copy, checked against the grant's range and access. Like the
 * rest of IPC, this file is the big kernel lock's.
 */
#include <asm/ptrace.h>
#include <asm/uaccess.h>
#include "fs/internal.h"
#include "fs/vfs.h"
#include "kernel/ipc_internal.h"
#include "kernel/mk.h"
#include "kernel/mk_proto.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

#define MK_SLOTS	16
#define MK_PM		0
#define MK_VFS		1

#define G_READ		1	/* the server may read the client's buffer */
#define G_WRITE		2	/* ... and write it */

#define F_DUPFD		0
#define F_DUPFD_CLOEXEC	1030

/* The server registry (user/mk/mk.h): kernel client references. */
static struct ipc_endpoint *mk_slot[MK_SLOTS];

struct mk_grant {
	uint64_t addr, len;
	int access;		/* G_READ | G_WRITE */
};

struct mk_grants {
	struct mm *mm;		/* the client's */
	int n;
	struct mk_grant g[MK_IOV_MAX];
};

enum { TO_KERNEL, TO_PM, TO_VFS };

enum mk_special {
	SP_NONE,
	SP_DUP, SP_DUP2, SP_DUP3, SP_FCNTL,	/* new numbers for kernel fds come from vfs */
	SP_POLL,		/* vfs's fds only, or the kernel's only */
	SP_NATIVE_FDSET,	/* select, pselect6, ppoll: the kernel's fds only */
	SP_IOV,			/* readv, writev: a grant per element */
	SP_UMASK,		/* vfs's, and the kernel's for its own name space */
	SP_UTIMENSAT,		/* a NULL path: the fd itself */
	SP_COPY,		/* sendfile, splice, copy_file_range: the kernel's fds only */
	SP_NEWFD,		/* a kernel call that makes one fd */
	SP_EXEC, SP_CRED,	/* run here, then tell pm */
};

/*
 * How one system call travels. Argument indices are stored plus one, so
 * that 0 means "none" in the table's zero-filled entries.
 */
struct mk_route {
	uint8_t to;
	uint8_t special;
	uint8_t paths;		/* bit i: argument i is a path, copied into the message */
	uint8_t native;		/* the paths a native answer replaces (0: all of them) */
	uint8_t fd;		/* an fd argument: a kernel-backed one runs here */
	uint8_t at[6];		/* at[i]: the directory-fd argument of path argument i */
	uint8_t buf, len;	/* a buffer grant: its argument, the argument giving its size */
	uint16_t size;		/* ... or its fixed size */
	uint8_t access;		/* G_* */
	bool makes_fd;		/* returns a new fd */
};

#define A(i)		((i) + 1)
#define VFS_FD(i)	.to = TO_VFS, .fd = A(i)
#define BUF(i, l, acc)	.buf = A(i), .len = A(l), .access = (acc)
#define FIXED(i, s, acc) .buf = A(i), .size = (s), .access = (acc)
#define PATH(i)		.paths = 1 << (i)
#define PATH_AT(i, d)	.paths = 1 << (i), .at = { [i] = A(d) }

static const struct mk_route routes[] = {
	[0] = { VFS_FD(0), BUF(1, 2, G_WRITE) },			/* read */
	[1] = { VFS_FD(0), BUF(1, 2, G_READ) },				/* write */
	[2] = { .to = TO_VFS, PATH(0), .makes_fd = true },		/* open */
	[3] = { VFS_FD(0) },						/* close */
	[4] = { .to = TO_VFS, PATH(0), FIXED(1, 144, G_WRITE) },	/* stat */
	[5] = { VFS_FD(0), FIXED(1, 144, G_WRITE) },			/* fstat */
	[6] = { .to = TO_VFS, PATH(0), FIXED(1, 144, G_WRITE) },	/* lstat */
	[7] = { .to = TO_VFS, .special = SP_POLL },			/* poll */
	[8] = { VFS_FD(0) },						/* lseek */
	[16] = { VFS_FD(0) },						/* ioctl */
	[17] = { VFS_FD(0), BUF(1, 2, G_WRITE) },			/* pread64 */
	[18] = { VFS_FD(0), BUF(1, 2, G_READ) },			/* pwrite64 */
	[19] = { VFS_FD(0), .special = SP_IOV, .access = G_WRITE },	/* readv */
	[20] = { VFS_FD(0), .special = SP_IOV, .access = G_READ },	/* writev */
	[21] = { .to = TO_VFS, PATH(0) },				/* access */
	[22] = { .to = TO_VFS, FIXED(0, 8, G_WRITE) },			/* pipe */
	[23] = { .special = SP_NATIVE_FDSET },				/* select */
	[32] = { .to = TO_VFS, .special = SP_DUP },			/* dup */
	[33] = { .to = TO_VFS, .special = SP_DUP2 },			/* dup2 */
	[39] = { .to = TO_PM },						/* getpid */
	[40] = { .special = SP_COPY },					/* sendfile */
	[41] = { .special = SP_NEWFD },					/* socket */
	[59] = { .special = SP_EXEC },					/* execve */
	[63] = { .to = TO_PM, FIXED(0, 390, G_WRITE) },			/* uname */
	[72] = { .to = TO_VFS, .special = SP_FCNTL },			/* fcntl */
	[73] = { VFS_FD(0) },						/* flock */
	[74] = { VFS_FD(0) },						/* fsync */
	[75] = { VFS_FD(0) },						/* fdatasync */
	[76] = { .to = TO_VFS, PATH(0) },				/* truncate */
	[77] = { VFS_FD(0) },						/* ftruncate */
	[78] = { VFS_FD(0), BUF(1, 2, G_WRITE) },			/* getdents */
	[79] = { .to = TO_VFS, BUF(0, 1, G_WRITE) },			/* getcwd */
	[80] = { .to = TO_VFS, PATH(0) },				/* chdir */
	[81] = { VFS_FD(0) },						/* fchdir */
	[82] = { .to = TO_VFS, .paths = 3 },				/* rename */
	[83] = { .to = TO_VFS, PATH(0) },				/* mkdir */
	[84] = { .to = TO_VFS, PATH(0) },				/* rmdir */
	[85] = { .to = TO_VFS, PATH(0), .makes_fd = true },		/* creat */
	[86] = { .to = TO_VFS, .paths = 3 },				/* link */
	[87] = { .to = TO_VFS, PATH(0) },				/* unlink */
	[88] = { .to = TO_VFS, .paths = 3, .native = 2 },		/* symlink: the target is text */
	[89] = { .to = TO_VFS, PATH(0), BUF(1, 2, G_WRITE) },		/* readlink */
	[90] = { .to = TO_VFS, PATH(0) },				/* chmod */
	[91] = { VFS_FD(0) },						/* fchmod */
	[92] = { .to = TO_VFS, PATH(0) },				/* chown */
	[93] = { VFS_FD(0) },						/* fchown */
	[94] = { .to = TO_VFS, PATH(0) },				/* lchown */
	[95] = { .to = TO_VFS, .special = SP_UMASK },			/* umask */
	[102] = { .to = TO_PM },					/* getuid */
	[104] = { .to = TO_PM },					/* getgid */
	[105] = { .special = SP_CRED },					/* setuid */
	[106] = { .special = SP_CRED },					/* setgid */
	[107] = { .to = TO_PM },					/* geteuid */
	[108] = { .to = TO_PM },					/* getegid */
	[110] = { .to = TO_PM },					/* getppid */
	[113] = { .special = SP_CRED },					/* setreuid */
	[114] = { .special = SP_CRED },					/* setregid */
	[117] = { .special = SP_CRED },					/* setresuid */
	[119] = { .special = SP_CRED },					/* setresgid */
	[137] = { .to = TO_VFS, PATH(0), FIXED(1, 120, G_WRITE) },	/* statfs */
	[138] = { VFS_FD(0), FIXED(1, 120, G_WRITE) },			/* fstatfs */
	[165] = { .to = TO_VFS, .paths = 7, .native = 2 },		/* mount: only the target is a path */
	[166] = { .to = TO_VFS, PATH(0) },				/* umount2 */
	[213] = { .special = SP_NEWFD },				/* epoll_create */
	[217] = { VFS_FD(0), BUF(1, 2, G_WRITE) },			/* getdents64 */
	[257] = { .to = TO_VFS, PATH_AT(1, 0), .makes_fd = true },	/* openat */
	[258] = { .to = TO_VFS, PATH_AT(1, 0) },			/* mkdirat */
	[260] = { .to = TO_VFS, PATH_AT(1, 0) },			/* fchownat */
	[262] = { .to = TO_VFS, PATH_AT(1, 0), FIXED(2, 144, G_WRITE) },	/* newfstatat */
	[263] = { .to = TO_VFS, PATH_AT(1, 0) },			/* unlinkat */
	[264] = { .to = TO_VFS, .paths = 0xa, .at = { [1] = A(0), [3] = A(2) } },	/* renameat */
	[265] = { .to = TO_VFS, .paths = 0xa, .at = { [1] = A(0), [3] = A(2) } },	/* linkat */
	[266] = { .to = TO_VFS, .paths = 5, .native = 4, .at = { [2] = A(1) } },	/* symlinkat */
	[267] = { .to = TO_VFS, PATH_AT(1, 0), BUF(2, 3, G_WRITE) },	/* readlinkat */
	[268] = { .to = TO_VFS, PATH_AT(1, 0) },			/* fchmodat */
	[269] = { .to = TO_VFS, PATH_AT(1, 0) },			/* faccessat */
	[270] = { .special = SP_NATIVE_FDSET },				/* pselect6 */
	[271] = { .special = SP_NATIVE_FDSET },				/* ppoll */
	[275] = { .special = SP_COPY },					/* splice */
	[280] = { .to = TO_VFS, PATH_AT(1, 0), FIXED(2, 32, G_READ), .special = SP_UTIMENSAT },	/* utimensat */
	[283] = { .special = SP_NEWFD },				/* timerfd_create */
	[290] = { .special = SP_NEWFD },				/* eventfd2 */
	[291] = { .special = SP_NEWFD },				/* epoll_create1 */
	[292] = { .to = TO_VFS, .special = SP_DUP3 },			/* dup3 */
	[293] = { .to = TO_VFS, FIXED(0, 8, G_WRITE) },			/* pipe2 */
	[316] = { .to = TO_VFS, .paths = 0xa, .at = { [1] = A(0), [3] = A(2) } },	/* renameat2 */
	[319] = { .special = SP_NEWFD },				/* memfd_create */
	[326] = { .special = SP_COPY },					/* copy_file_range */
	[332] = { .to = TO_VFS, PATH_AT(1, 0), FIXED(4, 256, G_WRITE) },	/* statx */
	[439] = { .to = TO_VFS, PATH_AT(1, 0) },			/* faccessat2 */
};

static uint64_t arg(const struct pt_regs *r, int i)
{
	switch (i) {
	case 0: return r->rdi;
	case 1: return r->rsi;
	case 2: return r->rdx;
	case 3: return r->r10;
	case 4: return r->r8;
	default: return r->r9;
	}
}

static void set_arg(struct pt_regs *r, int i, uint64_t v)
{
	switch (i) {
	case 0: r->rdi = v; break;
	case 1: r->rsi = v; break;
	case 2: r->rdx = v; break;
	case 3: r->r10 = v; break;
	case 4: r->r8 = v; break;
	default: r->r9 = v; break;
	}
}

/* The client's fd @fd is one of the kernel's (see kernel/mk_proto.h). */
static bool kernel_fd(uint64_t fd)
{
	return (int64_t)fd >= 0 && fd < MAX_FDS && fd_get((int)fd);
}

_Static_assert(MK_FDMAP_BITS == MAX_FDS, "the fd map covers the kernel's whole fd table");

static void fill_fdmap(struct mk_fdmap *map)
{
	memcpy(map->bits, current->files->open, sizeof(map->bits));
}

/*
 * Call the server in @slot from the kernel, with @badge, @grants and the
 * kernel buffers given; the answer overwrites @m. -EIO when there is no
 * server or it died mid-call. A client's call (@intr) is withdrawn by
 * any signal while queued, by a fatal one only once a server has it: a
 * server may have consumed data for it already (a pipe's bytes), which a
 * handler's restart would lose.
 */
static long kcall(int slot, struct ipc_msg *m, const void *sbuf, size_t slen, void *rbuf,
		  size_t rcap, int badge, struct mk_grants *grants, bool intr)
{
	struct ipc_endpoint *ep = mk_slot[slot];
	struct ipc_call c = {
		.msg = *m,
		.send = { NULL, (uint64_t)sbuf, slen },
		.recv = { NULL, (uint64_t)rbuf, rcap },
		.badge = badge,
		.grants = grants,
		.fatal_only = true,
	};
	long n;

	if (!ep)
		return -EIO;
	list_init(&c.node);
	n = ipc_do_call(ep, &c, intr);
	if (n == -EPIPE || n == -EMSGSIZE)
		n = -EIO;
	if (n >= 0)
		*m = c.msg;
	return n;
}

/* Tell pm something about @t (badge 0: the kernel). */
static long notify(struct task *t, uint64_t op, uint64_t w0, uint64_t w1, const void *buf,
		   size_t len)
{
	const struct cred *c = &t->cred;
	struct ipc_msg m = {
		.label = op,
		.w = { w0, w1, c->uid | (uint64_t)c->gid << 32, c->euid | (uint64_t)c->egid << 32,
		       t->fs ? t->fs->umask : 022 },
	};
	long n = kcall(MK_PM, &m, buf, len, NULL, 0, 0, NULL, false);

	if (n < 0)
		return n;
	return (long)m.label < 0 ? (long)m.label : 0;
}

/* @count fd numbers (at least @min) chosen by vfs for files the kernel made. */
static long alloc_fds(int count, uint64_t min, int fds[2])
{
	struct ipc_msg m = { .label = MK_ALLOC_FD, .w = { (uint64_t)count, min } };
	struct mk_fdmap map;
	long n;

	fill_fdmap(&map);
	n = kcall(MK_VFS, &m, &map, sizeof(map), NULL, 0, current->tgid, NULL, false);
	if (n < 0)
		return n;
	if ((long)m.label < 0)
		return (long)m.label;
	for (int i = 0; i < count; i++) {
		if (m.w[i] >= MAX_FDS || fd_get((int)m.w[i]))
			return -EIO;	/* vfs broke the protocol: refuse, never clobber */
		fds[i] = (int)m.w[i];
	}
	return 0;
}

/* Give the new kernel file at @kfd the number @want (vfs's choice; -1: ask). */
static long place_fd(int kfd, int want)
{
	int fds[2];
	long err;

	if (want < 0) {
		err = alloc_fds(1, 0, fds);
		if (err) {
			fd_close(kfd);
			return err;
		}
		want = fds[0];
	}
	if (want == kfd)
		return kfd;
	if (want >= MAX_FDS || fd_get(want)) {
		fd_close(kfd);
		return -EIO;
	}
	return fd_move(kfd, want);
}

static void drop_vfs_fd(int fd)
{
	struct ipc_msg m = { .label = MK_DROP_FD, .w = { (uint64_t)fd } };

	kcall(MK_VFS, &m, NULL, 0, NULL, 0, current->tgid, NULL, false);
}

/* Run the call here; a new fd it makes gets a number vfs agrees to. */
static long native(struct pt_regs *regs, unsigned long nr, const struct mk_route *r)
{
	long ret = syscall_native(regs, nr);

	if (ret >= 0 && r && (r->makes_fd || r->special == SP_NEWFD))
		ret = place_fd((int)ret, -1);
	return ret;
}

/* Path arguments, copied in order, each NUL-terminated (NULL: empty). */
static long copy_paths(const struct pt_regs *regs, const struct mk_route *r, char *out,
		       size_t cap)
{
	size_t len = 0;

	for (int i = 0; i < 6; i++) {
		uint64_t p = arg(regs, i);
		long n;

		if (!(r->paths & (1 << i)))
			continue;
		if (!p) {
			out[len++] = 0;
			continue;
		}
		n = strncpy_from_user(out + len, (const char __user *)p, MIN(cap - len, (size_t)PATH_MAX));
		if (n < 0)
			return n;
		len += (size_t)n + 1;
	}
	return (long)len;
}

/* A path argument is relative to a directory fd of the kernel's: run it here. */
static bool at_kernel_dir(const struct pt_regs *regs, const struct mk_route *r, const char *paths)
{
	const char *p = paths;

	for (int i = 0; i < 6; i++) {
		if (!(r->paths & (1 << i)))
			continue;
		if (r->at[i] && *p != '/' && kernel_fd(arg(regs, r->at[i] - 1)) &&
		    (int)arg(regs, r->at[i] - 1) != AT_FDCWD)
			return true;
		p += strlen(p) + 1;
	}
	return false;
}

/*
 * vfs answered "the kernel's own name space": run the call with its path
 * arguments replaced by vfs's canonical absolute paths, placed below the
 * caller's red zone as a signal frame would be, and its directory fds by
 * AT_FDCWD; a new fd gets the number vfs chose (@want).
 */
static long run_native(struct pt_regs *regs, unsigned long nr, const struct mk_route *r,
		       const char *ans, size_t alen, int want)
{
	uint8_t replace = r->native ? r->native : r->paths;
	const char *strs[6];
	uint64_t saved[6], sp;
	int ns = 0, np = __builtin_popcount(r->paths), k = 0;
	long ret;

	for (size_t off = 0; off < alen && ns < 6;) {
		size_t l = strnlen(ans + off, alen - off);

		if (off + l == alen)
			return -EIO;	/* no NUL: a broken answer */
		strs[ns++] = ans + off;
		off += l + 1;
	}
	if (ns != np && ns != __builtin_popcount(replace))
		return -EIO;
	sp = (regs->rsp - 128 - alen) & ~15UL;
	if (copy_to_user((void __user *)sp, ans, alen))
		return -EFAULT;
	for (int i = 0; i < 6; i++)
		saved[i] = arg(regs, i);
	for (int i = 0; i < 6; i++) {
		bool rep = replace & (1 << i);

		if (!(r->paths & (1 << i)) || (ns != np && !rep))
			continue;
		if (rep) {
			set_arg(regs, i, sp + (uint64_t)(strs[k] - ans));
			if (r->at[i])
				set_arg(regs, r->at[i] - 1, (uint64_t)(int64_t)AT_FDCWD);
		}
		k++;
	}
	ret = syscall_native(regs, nr);
	if (nr != 59 || ret != 0)	/* a new program's registers are its own (rdx: 0 for glibc) */
		for (int i = 0; i < 6; i++)
			set_arg(regs, i, saved[i]);
	if (ret >= 0 && r->makes_fd)
		ret = place_fd((int)ret, want);
	return ret;
}

/* One grant on the client's buffer @addr..+@len, faulted in first. */
static long add_grant(struct mk_grants *gr, uint64_t addr, uint64_t len, int access)
{
	long err;

	if (gr->n == MK_IOV_MAX)
		return -EINVAL;
	err = ipc_prefault(addr, len, access & G_WRITE);
	if (err)
		return err;
	gr->g[gr->n++] = (struct mk_grant){ addr, len, access };
	return 0;
}

struct iovec_user {
	uint64_t base, len;
};

/*
 * Send the call to its server and give back the answer. The message is
 * the call's number and first five arguments, its paths and the fd map;
 * its buffers become grants.
 */
static long forward(struct pt_regs *regs, unsigned long nr, const struct mk_route *r)
{
	int slot = r->to == TO_PM ? MK_PM : MK_VFS;
	struct mk_grants gr = { .mm = current->mm };
	struct ipc_msg m = { .label = nr };
	char small[sizeof(struct mk_fdmap) + MK_IOV_MAX * sizeof(uint64_t)];
	char *out = small, *in = NULL;
	size_t olen = 0, icap = 0;
	long n, ret;

	for (int i = 0; i < 5; i++)
		m.w[i] = arg(regs, i);
	if (r->buf && (r->len || r->size) && !(r->special == SP_UTIMENSAT && !arg(regs, 2))) {
		uint64_t len = r->len ? arg(regs, r->len - 1) : r->size;

		if (r->len && len > IPC_LONG_MAX) {
			len = IPC_LONG_MAX;	/* a short read or write, as POSIX allows */
			m.w[r->len - 1] = len;
		}
		if (r->special == SP_UTIMENSAT)
			len = 32;
		ret = add_grant(&gr, arg(regs, r->buf - 1), len, r->access);
		if (ret)
			return ret;
	}
	if (r->special == SP_IOV) {
		struct iovec_user iov[MK_IOV_MAX];
		uint64_t cnt = arg(regs, 2), total = 0;

		if ((int64_t)cnt < 0 || cnt > 1024)
			return -EINVAL;
		cnt = MIN(cnt, (uint64_t)MK_IOV_MAX);
		if (copy_from_user(iov, (const void __user *)arg(regs, 1), cnt * sizeof(iov[0])))
			return -EFAULT;
		for (uint64_t i = 0; i < cnt; i++) {
			uint64_t len = MIN(iov[i].len, (uint64_t)IPC_LONG_MAX - total);

			ret = add_grant(&gr, iov[i].base, len, r->access);
			if (ret)
				return ret;
			total += len;
		}
		m.w[2] = cnt;
	}
	if (r->special == SP_POLL) {
		uint64_t nfds = arg(regs, 1);

		ret = add_grant(&gr, arg(regs, 0), nfds * 8, G_READ | G_WRITE);
		if (ret)
			return ret;
	}
	if (r->paths) {
		out = kmalloc(3 * PATH_MAX + sizeof(struct mk_fdmap));
		in = kmalloc(2 * PATH_MAX);
		icap = 2 * PATH_MAX;
		ret = -ENOMEM;
		if (!out || !in)
			goto done;
		ret = copy_paths(regs, r, out, 3 * PATH_MAX);
		if (ret < 0)
			goto done;
		olen = (size_t)ret;
		if (at_kernel_dir(regs, r, out)) {
			ret = native(regs, nr, r);
			goto done;
		}
	}
	if (slot == MK_VFS) {
		fill_fdmap((struct mk_fdmap *)(out + olen));
		olen += sizeof(struct mk_fdmap);
	}
	if (r->special == SP_IOV) {	/* readv, writev: each element's length after the map */
		for (int i = 0; i < gr.n; i++)
			memcpy(out + olen + i * sizeof(uint64_t), &gr.g[i].len, sizeof(uint64_t));
		olen += (size_t)gr.n * sizeof(uint64_t);
	}
	n = kcall(slot, &m, out, olen, in, icap, current->tgid, &gr, true);
	if (n < 0)
		ret = n;
	else if (m.w[4] == MK_ANSWER_NATIVE && r->paths)
		ret = run_native(regs, nr, r, in, (size_t)n, (int)m.w[0]);
	else
		ret = (long)m.label;
done:
	if (out != small)
		kfree(out);
	kfree(in);
	return ret;
}

/*
 * execve of a program in vfs's name space (a script in /tmp, say). The
 * kernel reads the file through vfs, as a client would: into a scratch
 * buffer below the caller's stack (the image is replaced anyway; if the
 * exec fails, that memory was free), granted to vfs for each pread.
 */
#define EXEC_SCRATCH	IPC_LONG_MAX
#define EXEC_MAX	(64UL << 20)	/* a program read from vfs: at most this big */

static long vfs_fd_call(struct pt_regs *regs, unsigned long nr, uint64_t fd, uint64_t a1,
			uint64_t a2, uint64_t a3, uint64_t grant, uint64_t glen, int access)
{
	struct mk_grants gr = { .mm = current->mm };
	struct ipc_msg m = { .label = nr, .w = { fd, a1, a2, a3 } };
	struct mk_fdmap map;
	long n;

	if (glen && (n = add_grant(&gr, grant, glen, access)))
		return n;
	fill_fdmap(&map);
	n = kcall(MK_VFS, &m, &map, sizeof(map), NULL, 0, current->tgid, &gr, true);
	return n < 0 ? n : (long)m.label;
}

static long exec_from_vfs(struct pt_regs *regs, int fd, const char *path)
{
	uint64_t scratch = (regs->rsp - 128 - EXEC_SCRATCH) & PAGE_MASK;
	char hidden[40], *data = NULL, *nl;
	struct file *f;
	size_t size = 0;
	uint32_t mode;
	long n;
	int err;

	/* struct stat's st_mode is at byte 24 */
	n = vfs_fd_call(regs, 5, (uint64_t)fd, scratch, 0, 0, scratch, 144, G_WRITE);
	if (n < 0)
		return n;
	if (copy_from_user(&mode, (const void __user *)(scratch + 24), sizeof(mode)))
		return -EFAULT;
	if (!S_ISREG(mode) || !(mode & 0111))
		return -EACCES;
	for (;;) {
		char *bigger;

		n = vfs_fd_call(regs, 17, (uint64_t)fd, scratch, EXEC_SCRATCH, size, scratch,
				EXEC_SCRATCH, G_WRITE);
		if (n <= 0)
			break;
		if (size + (size_t)n > EXEC_MAX) {
			n = -E2BIG;
			break;
		}
		bigger = vmalloc(size + (size_t)n + 1);
		if (!bigger) {
			n = -ENOMEM;
			break;
		}
		memcpy(bigger, data, size);
		vfree(data);
		data = bigger;
		if (copy_from_user(data + size, (const void __user *)scratch, (size_t)n)) {
			n = -EFAULT;
			break;
		}
		size += (size_t)n;
		if (size >= 256 && memcmp(data, "\x7f" "ELF", 4) != 0)
			break;	/* a script needs only its first line */
	}
	if (n < 0)
		goto out;
	n = -ENOEXEC;
	if (!data)
		goto out;	/* empty */
	err = -ENOEXEC;
	data[size] = 0;
	if (size > 2 && data[0] == '#' && data[1] == '!' && (nl = strchr(data, '\n'))) {
		char *interp = data + 2, *arg = NULL;

		*nl = 0;
		while (*interp == ' ' || *interp == '\t')
			interp++;
		for (char *p = interp; *p; p++) {
			if (*p == ' ' || *p == '\t') {
				*p++ = 0;
				while (*p == ' ' || *p == '\t')
					p++;
				arg = *p ? p : NULL;
				break;
			}
		}
		/* the interpreter opens the script by its own name, through vfs */
		if (*interp)
			err = execve_user_args(NULL, interp, arg, path, (char *const __user *)regs->rsi,
					       (char *const __user *)regs->rdx);
	} else if (size >= 4 && !memcmp(data, "\x7f" "ELF", 4)) {
		/* a copy in the kernel's own tmpfs that exec can map, gone once mapped */
		snprintf(hidden, sizeof(hidden), "/tmp/.mk-exec-%d", current->pid);
		f = vfs_open(hidden, O_CREAT | O_WRONLY | O_TRUNC, 0700, &err);
		if (f) {
			n = kernel_write(f, data, size, 0);
			file_put(f);
			err = n == (long)size ? execve_user_args(hidden, NULL, NULL, NULL,
								 (char *const __user *)regs->rsi,
								 (char *const __user *)regs->rdx)
					      : (n < 0 ? (int)n : -EIO);
			do_unlinkat(AT_FDCWD, hidden);
			if (!err) {
				const char *base = strrchr(path, '/');

				strlcpy(current->comm, base ? base + 1 : path, sizeof(current->comm));
			}
		}
	}
	n = err;
out:
	vfree(data);
	return n;
}

static const struct mk_route exec_route = { .to = TO_VFS, .paths = 1 };

/*
 * execve: vfs says where the program is. In the kernel's name space the
 * kernel runs it by vfs's canonical path; in vfs's own, it is read
 * through vfs (exec_from_vfs). pm hears of the exec either way.
 */
static long mk_execve(struct pt_regs *regs)
{
	char *out = kmalloc(PATH_MAX + sizeof(struct mk_fdmap)), *in = kmalloc(PATH_MAX);
	struct mk_grants gr = { .mm = current->mm };
	struct ipc_msg m = { .label = 2, .w = { regs->rdi, O_RDONLY | O_CLOEXEC } };
	long n, ret = -ENOMEM;

	if (!out || !in)
		goto done;
	ret = strncpy_from_user(out, (const char __user *)regs->rdi, PATH_MAX);
	if (ret < 0)
		goto done;
	fill_fdmap((struct mk_fdmap *)(out + ret + 1));
	n = kcall(MK_VFS, &m, out, (size_t)ret + 1 + sizeof(struct mk_fdmap), in, PATH_MAX,
		  current->tgid, &gr, true);
	if (n < 0) {
		ret = n;
	} else if (m.w[4] == MK_ANSWER_NATIVE) {
		ret = run_native(regs, 59, &exec_route, in, (size_t)n, -1);
		if (ret == 0) {		/* named as called (/bin/cat), not as resolved (busybox) */
			const char *base = strrchr(out, '/');

			strlcpy(current->comm, base ? base + 1 : out, sizeof(current->comm));
		}
	} else if ((long)m.label < 0) {
		ret = (long)m.label;
	} else {
		int fd = (int)m.label;

		ret = exec_from_vfs(regs, fd, out);
		if (ret < 0)	/* on success the close-on-exec fd went with MK_EXEC */
			vfs_fd_call(regs, 3, (uint64_t)fd, 0, 0, 0, 0, 0, 0);
	}
done:
	kfree(out);
	kfree(in);
	if (ret == 0)
		notify(current, MK_EXEC, (uint64_t)current->tgid, 0, NULL, 0);
	return ret;
}

/* dup, dup2, dup3, fcntl(F_DUPFD): a kernel fd's copy gets a number from vfs. */
static long dup_kernel_fd(int old, uint64_t min, int cloexec)
{
	int fds[2];
	long err = alloc_fds(1, min, fds);

	if (err)
		return err;
	return fd_install_at(fds[0], file_get(fd_get(old)), cloexec);
}

static long mk_dup2(struct pt_regs *regs, unsigned long nr, const struct mk_route *r)
{
	uint64_t old = arg(regs, 0), new = arg(regs, 1);
	int flags = nr == 292 ? (int)arg(regs, 2) : 0;
	long ret;

	if (nr == 292 && ((flags & ~O_CLOEXEC) || old == new))
		return -EINVAL;
	if (kernel_fd(old)) {
		if (old == new)
			return (long)new;
		if (new >= MAX_FDS)
			return -EBADF;
		fd_install_at((int)new, file_get(fd_get((int)old)), flags & O_CLOEXEC);
		drop_vfs_fd((int)new);
		return (long)new;
	}
	ret = forward(regs, nr, r);
	if (ret >= 0 && kernel_fd(new))
		fd_close((int)new);	/* now vfs's */
	return ret;
}

/* poll: the kernel's fds run here, vfs's go there, a mixture is refused. */
static long mk_poll(struct pt_regs *regs, unsigned long nr, const struct mk_route *r)
{
	uint64_t nfds = arg(regs, 1), kernel = 0;
	int fds[64];

	if (nfds > 1024)
		return -EINVAL;
	for (uint64_t i = 0; i < nfds; i += 64) {
		uint64_t n = MIN(nfds - i, (uint64_t)64);

		for (uint64_t j = 0; j < n; j++)
			if (copy_from_user(&fds[j], (const void __user *)(arg(regs, 0) + (i + j) * 8), 4))
				return -EFAULT;
		for (uint64_t j = 0; j < n; j++)
			kernel += fds[j] < 0 || kernel_fd((uint64_t)fds[j]);
	}
	if (kernel == nfds)
		return native(regs, nr, NULL);
	if (kernel)
		return -EINVAL;
	return forward(regs, nr, r);
}

/* select's fd sets, pselect6's, ppoll's array: all the kernel's, or refused. */
static long mk_native_fdset(struct pt_regs *regs, unsigned long nr)
{
	if (nr == 271) {
		uint64_t nfds = arg(regs, 1);

		if (nfds > 1024)
			return -EINVAL;
		for (uint64_t i = 0; i < nfds; i++) {
			int fd;

			if (copy_from_user(&fd, (const void __user *)(arg(regs, 0) + i * 8), 4))
				return -EFAULT;
			if (fd >= 0 && !kernel_fd((uint64_t)fd))
				return -EINVAL;
		}
	} else {
		uint64_t nfds = MIN(arg(regs, 0), (uint64_t)MAX_FDS);

		for (int s = 1; s <= 3; s++) {
			uint64_t set = arg(regs, s), w;

			for (uint64_t i = 0; set && i < nfds; i += 64) {
				if (copy_from_user(&w, (const void __user *)(set + i / 8), 8))
					return -EFAULT;
				if (nfds - i < 64)
					w &= (1ULL << (nfds - i)) - 1;
				for (; w; w &= w - 1)
					if (!kernel_fd(i + (uint64_t)__builtin_ctzll(w)))
						return -EINVAL;
			}
		}
	}
	return syscall_native(regs, nr);
}

/* ipc_create: two kernel fds, renumbered by vfs and written back. */
static long mk_ipc_create(struct pt_regs *regs)
{
	int __user *ufds = (int __user *)arg(regs, 0);
	int kfds[2], fds[2];
	long ret = syscall_native(regs, 1000);

	if (ret < 0)
		return ret;
	if (copy_from_user(kfds, ufds, sizeof(kfds)))
		return -EFAULT;
	ret = alloc_fds(2, 0, fds);
	if (!ret && (fd_move(kfds[0], fds[0]) < 0 || fd_move(kfds[1], fds[1]) < 0))
		ret = -EIO;
	if (ret) {
		fd_close(kfds[0]);
		fd_close(kfds[1]);
		return ret;
	}
	return copy_to_user(ufds, fds, sizeof(fds)) ? -EFAULT : 0;
}

long mk_syscall(struct pt_regs *regs, unsigned long nr)
{
	const struct mk_route *r = nr < ARRAY_SIZE(routes) ? &routes[nr] : NULL;
	long ret;

	if (nr == 1000)
		return mk_ipc_create(regs);
	if (!r || (r->to == TO_KERNEL && r->special == SP_NONE))
		return syscall_native(regs, nr);
	if (r->fd && kernel_fd(arg(regs, r->fd - 1)))
		return syscall_native(regs, nr);
	switch (r->special) {
	case SP_DUP:
		if (kernel_fd(arg(regs, 0)))
			return dup_kernel_fd((int)arg(regs, 0), 0, 0);
		break;
	case SP_DUP2:
	case SP_DUP3:
		return mk_dup2(regs, nr, r);
	case SP_FCNTL:
		if (!kernel_fd(arg(regs, 0)))
			break;
		if (arg(regs, 1) == F_DUPFD || arg(regs, 1) == F_DUPFD_CLOEXEC)
			return dup_kernel_fd((int)arg(regs, 0), arg(regs, 2),
					     arg(regs, 1) == F_DUPFD_CLOEXEC);
		return syscall_native(regs, nr);
	case SP_POLL:
		return mk_poll(regs, nr, r);
	case SP_NATIVE_FDSET:
		return mk_native_fdset(regs, nr);
	case SP_UMASK:
		ret = forward(regs, nr, r);
		current->fs->umask = arg(regs, 0) & 0777;	/* for the kernel's name space */
		return ret;
	case SP_UTIMENSAT:
		if (!arg(regs, 1) && kernel_fd(arg(regs, 0)))
			return syscall_native(regs, nr);
		break;
	case SP_COPY: {
		int out = nr == 40 ? 0 : 2, in = nr == 40 ? 1 : 0;

		if (!kernel_fd(arg(regs, in)) || !kernel_fd(arg(regs, out)))
			return -EINVAL;		/* callers fall back to read and write */
		return syscall_native(regs, nr);
	}
	case SP_NEWFD:
		return native(regs, nr, r);
	case SP_EXEC:
		return mk_execve(regs);
	case SP_CRED:
		ret = syscall_native(regs, nr);
		if (ret == 0)
			notify(current, MK_CRED, (uint64_t)current->tgid, 0, NULL, 0);
		return ret;
	}
	ret = forward(regs, nr, r);
	if (ret == -EPIPE && (nr == 1 || nr == 18 || nr == 20))
		send_signal(current, SIGPIPE);	/* a vfs pipe with no reader, as the kernel's would */
	return ret;
}

void mk_fork(struct task *parent, struct task *child)
{
	long err = notify(child, MK_FORK, (uint64_t)parent->tgid, (uint64_t)child->tgid, NULL, 0);

	if (err)
		pr_warn("mk: pm did not take the fork of %d from %d (%ld); its files start empty\n",
			child->tgid, parent->tgid, err);
}

void mk_exit(struct task *t, int status)
{
	notify(t, MK_EXIT, (uint64_t)t->tgid, (uint64_t)status, NULL, 0);
}

/*
 * The grants of the client call @t works on: its newest call's, or, when
 * that came from another server, the grants of the call that server works
 * on, and so on (vfs -> ext2d). NULL when no client call is at the root.
 */
static struct mk_grants *grants_of(struct task *t)
{
	for (int depth = 0; t && depth < 4; depth++) {
		struct ipc_call *c = t->ipc_serving;

		if (!c)
			return NULL;
		if (c->grants)
			return c->grants;
		t = c->caller;
	}
	return NULL;
}

SYSCALL_DEFINE5(mk_grant_copy, int, g, uint64_t, off, void __user *, buf, size_t, len, int, dir)
{
	struct mk_grants *gr = grants_of(current);
	struct ipc_span client, local = { current->mm, (uint64_t)buf, len };
	const struct mk_grant *grant;
	int err;

	if (!gr || g < 0 || g >= gr->n || (dir != 0 && dir != 1))
		return -EINVAL;
	grant = &gr->g[g];
	if (off > grant->len || len > grant->len - off ||
	    !(grant->access & (dir ? G_WRITE : G_READ)))
		return -EFAULT;
	if (!access_ok(buf, len))
		return -EFAULT;
	client = (struct ipc_span){ gr->mm, grant->addr + off, len };
	err = dir ? ipc_span_copy(&client, &local, len) : ipc_span_copy(&local, &client, len);
	return err ? err : (long)len;
}

SYSCALL_DEFINE2(mk_register, int, slot, int, fd)
{
	struct ipc_endpoint *ep = NULL;

	if (current->cred.euid != 0 || current->mk)
		return -EPERM;
	if (slot < 0 || slot >= MK_SLOTS)
		return -EINVAL;
	if (fd != -1 && !(ep = ipc_client_get(fd_get(fd))))
		return -EBADF;
	if (mk_slot[slot])
		ipc_client_put(mk_slot[slot]);
	mk_slot[slot] = ep;
	return 0;
}

SYSCALL_DEFINE1(mk_connect, int, slot)
{
	if (current->cred.euid != 0 || current->mk)
		return -EPERM;
	if (slot < 0 || slot >= MK_SLOTS)
		return -EINVAL;
	if (!mk_slot[slot])
		return -ENOENT;
	return ipc_send_end_install(mk_slot[slot]);
}

SYSCALL_DEFINE0(mk_enter)
{
	struct fs_context *fs = current->fs;
	char *buf;
	long off, err;

	if (current->mk)
		return 0;
	if (!mk_slot[MK_PM] || !mk_slot[MK_VFS])
		return -ENOTCONN;
	buf = io_buf_alloc();
	if (!buf)
		return -ENOMEM;
	off = d_path(fs->cwd, fs->root, buf, PATH_MAX);
	if (off < 0) {
		io_buf_free(buf);
		return off;
	}
	err = notify(current, MK_ENTER, (uint64_t)current->tgid, (uint64_t)current->ppid,
		     buf + off, (size_t)(PATH_MAX - off));
	io_buf_free(buf);
	if (err)
		return err;
	current->mk = true;
	this_cpu()->syscall_slow = true;	/* entry.asm: our calls go through x86_syscall now */
	return 0;
}
