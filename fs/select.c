/*
 * poll, ppoll, select and pselect6. A poll pass asks every file for its
 * readiness through file_ops->poll, which also registers the caller on
 * the file's wait queues through poll_wait(); a wake_up on any of them
 * (or the timeout, or a signal) makes the task run the pass again. The
 * pass runs with interrupts off, so no wake-up falls between the check
 * and the sleep.
 */
#include "fs/internal.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/string.h"
#include "mm/mm.h"

#define POLLRDNORM	0x040
#define POLLWRNORM	0x100
#define POLL_MAX_FDS	4096
#define NO_DEADLINE	UINT64_MAX


struct pollfd {
	int fd;
	int16_t events;
	int16_t revents;
};

/* Register the caller on @wq for the current poll pass (no-op without @pt). */
void poll_wait(struct file *f, struct wait_queue *wq, struct poll_table *pt)
{
	struct wait_entry *e;

	if (!pt || !wq)
		return;
	if (pt->proxy) {
		pt->proxy(pt, wq);
		return;
	}
	if (pt->count >= pt->cap) {
		pt->overflow = true;
		return;
	}
	e = &pt->entries[pt->count++];
	e->task = current;
	e->func = NULL;
	wait_entry_add(wq, e);
}

static void poll_table_clear(struct poll_table *pt)
{
	for (int i = 0; i < pt->count; i++)
		wait_entry_remove(&pt->entries[i]);
	pt->count = 0;
	pt->overflow = false;
}

static unsigned int poll_one(struct pollfd *p, struct poll_table *pt)
{
	struct file *f;
	unsigned int mask;

	if (p->fd < 0)
		return 0;
	f = fd_get(p->fd);
	if (!f)
		return POLLNVAL;
	if (f->fops && f->fops->poll)
		mask = f->fops->poll(f, pt);
	else
		mask = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	return mask & ((uint16_t)p->events | POLLERR | POLLHUP | POLLNVAL);
}

static uint64_t deadline_after(int64_t sec, int64_t nsec)
{
	uint64_t now = ktime_ns();

	if (sec < 0 || nsec < 0)
		return now;
	if ((uint64_t)sec > (NO_DEADLINE - now) / 1000000000ULL - 1)
		return NO_DEADLINE;
	return now + (uint64_t)sec * 1000000000ULL + (uint64_t)nsec;
}

/*
 * Poll @n entries until one is ready, @deadline passes (ktime_ns) or a
 * signal arrives. Returns the number of entries with revents set, or
 * -EINTR.
 */
static long do_poll(struct pollfd *fds, int n, uint64_t deadline)
{
	struct poll_table pt = { .cap = 2 * n + 4 };
	long ready;

	pt.entries = kzalloc(sizeof(*pt.entries) * (size_t)pt.cap);
	if (!pt.entries)
		return -ENOMEM;
	for (;;) {
		uint64_t wake_at;

		/* asleep before the look: a wake-up between the look and schedule() counts */
		if (current)
			set_current_state(TASK_INTERRUPTIBLE);
		ready = 0;
		for (int i = 0; i < n; i++) {
			fds[i].revents = (int16_t)poll_one(&fds[i], &pt);
			ready += fds[i].revents != 0;
		}
		if (!ready && current && signal_pending(current))
			ready = -EINTR;
		if (ready || ktime_ns() >= deadline || !current) {
			if (current)
				set_current_running();
			poll_table_clear(&pt);
			break;
		}
		wake_at = deadline == NO_DEADLINE ? 0 : deadline;
		if (pt.overflow && (!wake_at || wake_at > ktime_ns() + 10000000ULL))
			wake_at = ktime_ns() + 10000000ULL;
		schedule_until(wake_at);
		set_current_running();
		poll_table_clear(&pt);
	}
	kfree(pt.entries);
	return ready;
}

/* ppoll/pselect6: block @mask during the wait (sigsetsize must be 8). */
static long swap_sigmask(const uint64_t __user *umask, size_t size, uint64_t *old)
{
	uint64_t mask;

	if (!umask)
		return 0;
	if (size != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(&mask, umask, sizeof(mask)))
		return -EFAULT;
	*old = current->sig_blocked;
	current->sig_blocked = mask & ~(SIGMASK(SIGKILL) | SIGMASK(SIGSTOP));
	return 0;
}

/* Put the mask back, or after the handler runs if a signal interrupted us. */
static void restore_sigmask(const uint64_t __user *umask, uint64_t old, long ret)
{
	if (!umask)
		return;
	if (ret == -EINTR) {
		current->sig_saved_mask = old;
		current->sig_restore_mask = true;
	} else {
		current->sig_blocked = old;
	}
}

static long poll_user(struct pollfd __user *ufds, unsigned int nfds, uint64_t deadline,
		      const uint64_t __user *umask, size_t sigsetsize)
{
	struct pollfd *fds;
	uint64_t old = 0;
	long ret;

	if (nfds > POLL_MAX_FDS)
		return -EINVAL;
	fds = kmalloc(sizeof(*fds) * (nfds ? nfds : 1));
	if (!fds)
		return -ENOMEM;
	ret = copy_from_user(fds, ufds, sizeof(*fds) * nfds) ? -EFAULT : 0;
	if (!ret)
		ret = swap_sigmask(umask, sigsetsize, &old);
	if (!ret) {
		ret = do_poll(fds, (int)nfds, deadline);
		restore_sigmask(umask, old, ret);
	}
	for (unsigned int i = 0; ret >= 0 && i < nfds; i++)
		if (put_user(fds[i].revents, &ufds[i].revents))
			ret = -EFAULT;
	kfree(fds);
	return ret;
}

SYSCALL_DEFINE3(poll, struct pollfd __user *, ufds, unsigned int, nfds, int, timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? NO_DEADLINE
					   : deadline_after(timeout_ms / 1000,
							    (int64_t)(timeout_ms % 1000) * 1000000);

	return poll_user(ufds, nfds, deadline, NULL, 0);
}

SYSCALL_DEFINE5(ppoll, struct pollfd __user *, ufds, unsigned int, nfds,
		const struct timespec64 __user *, uts, const uint64_t __user *, umask,
		size_t, sigsetsize)
{
	struct timespec64 ts;
	uint64_t deadline = NO_DEADLINE;

	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
			return -EINVAL;
		deadline = deadline_after(ts.sec, ts.nsec);
	}
	return poll_user(ufds, nfds, deadline, umask, sigsetsize);
}

/* select: turn the three fd sets into poll entries and back. */
static long do_select(int nfds, uint64_t __user *uin, uint64_t __user *uout,
		      uint64_t __user *uex, uint64_t deadline, const uint64_t __user *umask,
		      size_t sigsetsize)
{
	uint64_t in[MAX_FDS / 64] = { 0 }, out[MAX_FDS / 64] = { 0 }, ex[MAX_FDS / 64] = { 0 };
	size_t words, bytes;
	struct pollfd *fds;
	uint64_t old = 0;
	long ret = 0;
	int n = 0;

	if (nfds < 0)
		return -EINVAL;
	if (nfds > MAX_FDS)
		nfds = MAX_FDS;	/* no descriptor above the table can be open */
	words = (size_t)(nfds + 63) / 64;
	bytes = words * 8;
	if ((uin && copy_from_user(in, uin, bytes)) || (uout && copy_from_user(out, uout, bytes)) ||
	    (uex && copy_from_user(ex, uex, bytes)))
		return -EFAULT;
	fds = kmalloc(sizeof(*fds) * (size_t)(nfds ? nfds : 1));
	if (!fds)
		return -ENOMEM;
	for (int fd = 0; fd < nfds; fd++) {
		uint64_t bit = 1ULL << (fd % 64);
		int16_t ev = (int16_t)(((in[fd / 64] & bit) ? POLLIN | POLLHUP : 0) |
				       ((out[fd / 64] & bit) ? POLLOUT : 0) |
				       ((ex[fd / 64] & bit) ? POLLPRI : 0));

		if (!ev)
			continue;
		if (!fd_get(fd)) {
			ret = -EBADF;
			goto out;
		}
		fds[n++] = (struct pollfd){ .fd = fd, .events = ev };
	}
	ret = swap_sigmask(umask, sigsetsize, &old);
	if (ret)
		goto out;
	ret = do_poll(fds, n, deadline);
	restore_sigmask(umask, old, ret);
	if (ret < 0)
		goto out;
	memset(in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	memset(ex, 0, sizeof(ex));
	ret = 0;
	for (int i = 0; i < n; i++) {
		int fd = fds[i].fd;
		uint64_t bit = 1ULL << (fd % 64);
		unsigned int r = (uint16_t)fds[i].revents;

		if ((fds[i].events & POLLIN) && (r & (POLLIN | POLLHUP | POLLERR))) {
			in[fd / 64] |= bit;
			ret++;
		}
		if ((fds[i].events & POLLOUT) && (r & (POLLOUT | POLLERR))) {
			out[fd / 64] |= bit;
			ret++;
		}
		if ((fds[i].events & POLLPRI) && (r & POLLPRI)) {
			ex[fd / 64] |= bit;
			ret++;
		}
	}
	if ((uin && copy_to_user(uin, in, bytes)) || (uout && copy_to_user(uout, out, bytes)) ||
	    (uex && copy_to_user(uex, ex, bytes)))
		ret = -EFAULT;
out:
	kfree(fds);
	return ret;
}

SYSCALL_DEFINE5(select, int, nfds, uint64_t __user *, uin, uint64_t __user *, uout,
		uint64_t __user *, uex, struct kernel_old_timeval __user *, utv)
{
	uint64_t deadline = NO_DEADLINE, now;
	struct kernel_old_timeval tv;
	long ret;

	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		deadline = deadline_after(tv.tv_sec + tv.tv_usec / 1000000,
					  (tv.tv_usec % 1000000) * 1000);
	}
	ret = do_select(nfds, uin, uout, uex, deadline, NULL, 0);
	if (utv && deadline != NO_DEADLINE) {
		now = ktime_ns();
		now = now < deadline ? deadline - now : 0;
		tv.tv_sec = (int64_t)(now / 1000000000ULL);
		tv.tv_usec = (int64_t)(now % 1000000000ULL / 1000);
		if (copy_to_user(utv, &tv, sizeof(tv)) && ret >= 0)
			ret = -EFAULT;
	}
	return ret;
}

SYSCALL_DEFINE6(pselect6, int, nfds, uint64_t __user *, uin, uint64_t __user *, uout,
		uint64_t __user *, uex, const struct timespec64 __user *, uts,
		const void __user *, usig)
{
	struct {
		const uint64_t __user *mask;
		size_t size;
	} sig = { NULL, 0 };
	uint64_t deadline = NO_DEADLINE;
	struct timespec64 ts;

	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
			return -EINVAL;
		deadline = deadline_after(ts.sec, ts.nsec);
	}
	if (usig && copy_from_user(&sig, usig, sizeof(sig)))
		return -EFAULT;
	return do_select(nfds, uin, uout, uex, deadline, sig.mask, sig.size);
}
