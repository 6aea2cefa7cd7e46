/*
 * Pipes and FIFOs: a 64 KiB ring buffer with a reader count, a writer
 * count and a wait queue for each side. Reads block while the pipe is
 * empty and writers remain; writes of up to PIPE_BUF bytes are atomic;
 * writing with no reader left raises SIGPIPE and fails with EPIPE.
 * Anonymous pipes come from pipe(2); a FIFO in tmpfs gets a pipe when it
 * is first opened, and opening one end waits for the other.
 */
#include "fs/internal.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "kernel/syscall.h"
#include "lib/string.h"
#include "mm/mm.h"

#define PIPE_ORDER	4
#define PIPE_SIZE	(PAGE_SIZE << PIPE_ORDER)	/* 64 KiB */
#define PIPE_BUF	4096
#define POLLRDNORM	0x040
#define POLLWRNORM	0x100
#define FIONREAD	0x541b

struct pipe {
	char *buf;
	uint32_t head, tail;		/* bytes written / read, ever (wrapping) */
	int readers, writers;
	unsigned int r_opens, w_opens;	/* opens so far, for FIFO open waits */
	struct wait_queue rd_wait;	/* readers wait for data */
	struct wait_queue wr_wait;	/* writers wait for room */
};

static const struct file_ops pipe_fops;

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = kzalloc(sizeof(*p));
	phys_addr_t pa;

	if (!p)
		return NULL;
	pa = pmm_alloc_pages(PIPE_ORDER);
	if (!pa) {
		kfree(p);
		return NULL;
	}
	p->buf = phys_to_virt(pa);
	wait_queue_init(&p->rd_wait);
	wait_queue_init(&p->wr_wait);
	return p;
}

/* Free the pipe of @ino once neither end is open (a FIFO's data goes too). */
static void pipe_maybe_free(struct inode *ino)
{
	struct pipe *p = ino->pipe;

	if (!p || p->readers || p->writers)
		return;
	pmm_free_pages(virt_to_phys(p->buf), PIPE_ORDER);
	kfree(p);
	ino->pipe = NULL;
}

static uint32_t pipe_used(struct pipe *p)
{
	return p->head - p->tail;
}

static long pipe_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct pipe *p = f->inode->pipe;
	size_t k, first;
	int err;

	if (!n)
		return 0;
	while (!pipe_used(p)) {
		if (!p->writers)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(p->rd_wait, pipe_used(p) || !p->writers);
		if (err)
			return err;
	}
	k = MIN(n, (size_t)pipe_used(p));
	first = MIN(k, (size_t)(PIPE_SIZE - p->tail % PIPE_SIZE));
	memcpy(buf, p->buf + p->tail % PIPE_SIZE, first);
	memcpy(buf + first, p->buf, k - first);
	p->tail += (uint32_t)k;
	wake_up(&p->wr_wait);
	return (long)k;
}

/* Copy up to @n bytes in; returns how many fitted. */
static size_t pipe_put(struct pipe *p, const char *buf, size_t n)
{
	size_t k = MIN(n, (size_t)(PIPE_SIZE - pipe_used(p)));
	size_t first = MIN(k, (size_t)(PIPE_SIZE - p->head % PIPE_SIZE));

	memcpy(p->buf + p->head % PIPE_SIZE, buf, first);
	memcpy(p->buf, buf + first, k - first);
	p->head += (uint32_t)k;
	if (k)
		wake_up(&p->rd_wait);
	return k;
}

static long pipe_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct pipe *p = f->inode->pipe;
	size_t done = 0;
	int err;

	while (done < n) {
		size_t need = n <= PIPE_BUF ? n : 1;

		if (!p->readers) {
			if (current)
				send_signal(current, SIGPIPE);
			return done ? (long)done : -EPIPE;
		}
		if (PIPE_SIZE - pipe_used(p) >= need) {
			done += pipe_put(p, buf + done, n - done);
			continue;
		}
		if (f->flags & O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		err = wait_event_interruptible(p->wr_wait,
					       PIPE_SIZE - pipe_used(p) >= need || !p->readers);
		if (err)
			return done ? (long)done : err;
	}
	return (long)done;
}

static bool can_read(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool can_write(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

static unsigned int pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->inode->pipe;
	unsigned int mask = 0;

	if (can_read(f)) {
		poll_wait(f, &p->rd_wait, pt);
		if (pipe_used(p))
			mask |= POLLIN | POLLRDNORM;
		if (!p->writers && p->w_opens)
			mask |= POLLHUP;
	}
	if (can_write(f)) {
		poll_wait(f, &p->wr_wait, pt);
		if (PIPE_SIZE - pipe_used(p) >= PIPE_BUF)
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	return mask;
}

static long pipe_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	int n = (int)pipe_used(f->inode->pipe);

	if (cmd != FIONREAD)
		return -ENOTTY;
	return put_user(n, (int __user *)arg) ? -EFAULT : 0;
}

static void pipe_release(struct inode *ino, struct file *f)
{
	struct pipe *p = ino->pipe;

	if (can_read(f))
		p->readers--;
	if (can_write(f))
		p->writers--;
	wake_up(&p->rd_wait);
	wake_up(&p->wr_wait);
	pipe_maybe_free(ino);
}

static const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
};

/* Count @f as a reader and/or writer of @p and wake the other side. */
static void pipe_join(struct pipe *p, struct file *f)
{
	if (can_read(f)) {
		p->readers++;
		p->r_opens++;
	}
	if (can_write(f)) {
		p->writers++;
		p->w_opens++;
	}
	wake_up(&p->rd_wait);
	wake_up(&p->wr_wait);
}

/*
 * Open a FIFO: a reader waits for a writer and a writer for a reader,
 * unless O_NONBLOCK (then a lone writer gets ENXIO) or O_RDWR.
 */
int fifo_open(struct inode *ino, struct file *f)
{
	unsigned int seen;
	struct pipe *p;
	int err = 0;

	if (!ino->pipe && !(ino->pipe = pipe_alloc()))
		return -ENOMEM;
	p = ino->pipe;
	if ((f->flags & O_ACCMODE) == O_WRONLY && (f->flags & O_NONBLOCK) && !p->readers) {
		pipe_maybe_free(ino);
		return -ENXIO;
	}
	f->fops = &pipe_fops;
	pipe_join(p, f);
	if ((f->flags & O_NONBLOCK) || (f->flags & O_ACCMODE) == O_RDWR)
		return 0;
	if ((f->flags & O_ACCMODE) == O_RDONLY && !p->writers) {
		seen = p->w_opens;
		err = wait_event_interruptible(p->rd_wait, p->w_opens != seen);
	} else if ((f->flags & O_ACCMODE) == O_WRONLY && !p->readers) {
		seen = p->r_opens;
		err = wait_event_interruptible(p->wr_wait, p->r_opens != seen);
	}
	if (err) {
		pipe_release(ino, f);
		f->fops = NULL;
	}
	return err;
}

int pipe_create(struct file **rd, struct file **wr, unsigned int flags)
{
	struct inode *ino = inode_alloc(NULL, S_IFIFO | 0600);

	if (!ino)
		return -ENOMEM;
	ino->pipe = pipe_alloc();
	*rd = ino->pipe ? file_alloc(ino, &pipe_fops, O_RDONLY | (flags & O_NONBLOCK)) : NULL;
	*wr = *rd ? file_alloc(ino, &pipe_fops, O_WRONLY | (flags & O_NONBLOCK)) : NULL;
	if (!*wr) {
		if (*rd)
			kfree(*rd);
		if (ino->pipe) {
			pmm_free_pages(virt_to_phys(ino->pipe->buf), PIPE_ORDER);
			kfree(ino->pipe);
		}
		kfree(ino);
		return -ENOMEM;
	}
	pipe_join(ino->pipe, *rd);
	pipe_join(ino->pipe, *wr);
	inode_put(ino);		/* the files hold it now */
	return 0;
}

SYSCALL_DEFINE2(pipe2, int __user *, ufds, int, flags)
{
	struct file *rd, *wr;
	int err;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	err = pipe_create(&rd, &wr, (unsigned int)flags);
	if (err)
		return err;
	return fd_install_pair(rd, wr, flags & O_CLOEXEC, ufds);
}

SYSCALL_DEFINE1(pipe, int __user *, ufds)
{
	struct pt_regs a = SC_REGS((unsigned long)ufds, 0);

	return sys_pipe2(&a);
}
