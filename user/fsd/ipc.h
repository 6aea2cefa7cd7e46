/*
 * Basalt's IPC system calls for user programs (fsd, user/tests/ipc.c, the
 * benchmarks): header-only wrappers that put the six message words in
 * registers, as kernel/ipc_sys.c expects. They return the raw result:
 * a long-part length (>= 0) or a negative errno, without touching errno.
 * docs/ipc.md describes the ABI.
 */
#ifndef BASALT_USER_IPC_H
#define BASALT_USER_IPC_H

#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>

#define SYS_ipc_create		1000
#define SYS_ipc_call		1001
#define SYS_ipc_reply_recv	1002

#define IPC_WORDS	6
#define IPC_LONG_MAX	(64 * 1024)

/* The register part: MR0 (the label) to MR5. */
struct ipc_msg {
	uint64_t label;
	uint64_t w[IPC_WORDS - 1];
};

/* The long part: bytes to send, and room for what comes back. */
struct ipc_long {
	const void *send;
	uint64_t send_len;
	void *recv;
	uint64_t recv_cap;
};

/* fds[0]: the receive end (server), fds[1]: the send end (clients). */
static inline long ipc_create(int fds[2], int flags)
{
	long r = syscall(SYS_ipc_create, fds, flags);

	return r < 0 ? -errno : r;
}

/* One IPC system call: @m goes out in registers and comes back in them. */
static inline long ipc_syscall(long nr, int fd, struct ipc_msg *m, const struct ipc_long *l,
			       int *badge)
{
	register uint64_t rdi __asm__("rdi") = (uint64_t)fd;
	register uint64_t rsi __asm__("rsi") = m->label;
	register uint64_t rdx __asm__("rdx") = m->w[0];
	register uint64_t r10 __asm__("r10") = m->w[1];
	register uint64_t r8 __asm__("r8") = m->w[2];
	register uint64_t r9 __asm__("r9") = m->w[3];
	register uint64_t r12 __asm__("r12") = m->w[4];
	register uint64_t r13 __asm__("r13") = (uint64_t)l;
	long ret = nr;

	__asm__ volatile("syscall"
			 : "+a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
			   "+r"(r9), "+r"(r12)
			 : "r"(r13)
			 : "rcx", "r11", "memory");
	if (ret >= 0) {
		m->label = rsi;
		m->w[0] = rdx;
		m->w[1] = r10;
		m->w[2] = r8;
		m->w[3] = r9;
		m->w[4] = r12;
		if (badge)
			*badge = (int)rdi;
	}
	return ret;
}

/*
 * Send @m (and l->send_len bytes) on the send end @fd and wait for the
 * answer, which overwrites @m (its long part lands in l->recv). Returns the
 * answer's long length, or -EPIPE (no server), -EINTR (a signal),
 * -EMSGSIZE (a long part did not fit), -EBADF, -EFAULT.
 */
static inline long ipc_call(int fd, struct ipc_msg *m, const struct ipc_long *l)
{
	return ipc_syscall(SYS_ipc_call, fd, m, l, 0);
}

/*
 * Answer the call being served with @m (and l->send_len bytes), then wait
 * on the receive end @fd for the next request, which overwrites @m (long
 * part in l->recv); *@badge gets the caller's pid, 0 for the kernel.
 * Returns the request's long length, or -EPIPE when no client is left.
 */
static inline long ipc_reply_recv(int fd, struct ipc_msg *m, const struct ipc_long *l,
				  int *badge)
{
	return ipc_syscall(SYS_ipc_reply_recv, fd, m, l, badge);
}

#endif
