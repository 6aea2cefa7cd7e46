/*
 * Pipes, served by vfs itself: a ring of PIPE_SIZE bytes, readers that
 * wait for data or the last writer's close (EOF), writers that wait for
 * room (writes of PIPE_BUF bytes or less go in whole), EPIPE without a
 * reader, EAGAIN with O_NONBLOCK. A waiting worker wakes at least once a
 * second to see whether its call is still there: a signal may have taken
 * the client out of its read, and then the bytes must stay for the next.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include "vfs.h"

#ifndef VFS_WAIT_MS
#define VFS_WAIT_MS	1000	/* how often a waiting worker checks its call */
#endif
#define PIPE_SIZE	(64 * 1024)
#define PIPE_ATOMIC	4096	/* PIPE_BUF */

struct pipe {
	struct ring rg;
	int readers, writers;
	pthread_cond_t cond;	/* bytes or room, or an end closed */
};

static pthread_cond_t poll_cond = PTHREAD_COND_INITIALIZER;

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait on @cond (vfs_lock held) until @deadline_ms (-1: none), at most VFS_WAIT_MS. */
static void timed_wait(pthread_cond_t *cond, int64_t deadline_ms)
{
	int64_t wait = VFS_WAIT_MS, left = deadline_ms - now_ms();
	struct timespec ts;

	if (deadline_ms >= 0 && left < wait)
		wait = left > 0 ? left : 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wait / 1000;
	ts.tv_nsec += (wait % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(cond, &vfs_lock, &ts);
}

void poll_wake(void)
{
	pthread_cond_broadcast(&poll_cond);
}

void poll_wait(int64_t deadline_ms)
{
	timed_wait(&poll_cond, deadline_ms);
}

static void changed(struct pipe *p)
{
	pthread_cond_broadcast(&p->cond);
	poll_wake();
}

long pipe_make(struct vfile **rd, struct vfile **wr, int flags)
{
	struct pipe *p = calloc(1, sizeof(*p));
	int nb = flags & O_NONBLOCK;

	if (!p || ring_init(&p->rg, PIPE_SIZE)) {
		free(p);
		return -ENOMEM;
	}
	pthread_cond_init(&p->cond, NULL);
	*rd = vfile_new(VF_PIPE, O_RDONLY | nb);
	*wr = vfile_new(VF_PIPE, O_WRONLY | nb);
	if (!*rd || !*wr) {
		free(*rd);
		free(*wr);
		ring_free(&p->rg);
		free(p);
		return -ENOMEM;
	}
	(*rd)->pipe = (*wr)->pipe = p;
	(*wr)->end = 1;
	p->readers = p->writers = 1;
	return 0;
}

void pipe_close(struct vfile *f)
{
	struct pipe *p = f->pipe;

	if (f->end)
		p->writers--;
	else
		p->readers--;
	changed(p);
	if (p->readers || p->writers)
		return;
	ring_free(&p->rg);
	pthread_cond_destroy(&p->cond);
	free(p);
}

/* Wait for the pipe to change; -EINTR when the call or the client is gone. */
static long wait_pipe(struct client *c, struct pipe *p)
{
	if (c->dead)
		return -EINTR;
	timed_wait(&p->cond, -1);
	return c->dead || !call_alive() ? -EINTR : 0;
}

long pipe_read(struct client *c, struct vfile *f, size_t len, xfer_fn fn, void *arg, int nonblock,
	       int peek)
{
	struct pipe *p = f->pipe;
	long k;

	if (len == 0)
		return 0;
	while (p->rg.count == 0) {
		if (p->writers == 0)
			return 0;
		if (nonblock || (f->flags & O_NONBLOCK))
			return -EAGAIN;
		if ((k = wait_pipe(c, p)) < 0)
			return k;
	}
	k = ring_get(&p->rg, len, fn, arg, 0, peek);
	if (k > 0 && !peek)
		changed(p);
	return k;
}

void pipe_drop(struct vfile *f, size_t n)
{
	ring_drop(&f->pipe->rg, n);
	changed(f->pipe);
}

long pipe_write(struct client *c, struct vfile *f, size_t len, xfer_fn fn, void *arg)
{
	struct pipe *p = f->pipe;
	size_t done = 0;
	long k;

	while (done < len) {
		size_t need = done == 0 && len <= PIPE_ATOMIC ? len : 1;

		if (p->readers == 0)
			return done ? (long)done : -EPIPE;
		if (ring_space(&p->rg) < need) {
			if (f->flags & O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			if ((k = wait_pipe(c, p)) < 0)
				return done ? (long)done : k;
			continue;
		}
		k = ring_put(&p->rg, len - done, fn, arg, done);
		if (k < 0)
			return done ? (long)done : k;
		done += (size_t)k;
		changed(p);
	}
	return (long)done;
}

short pipe_poll(struct vfile *f, short events)
{
	struct pipe *p = f->pipe;
	short rev = 0;

	if (f->end == 0) {
		if (p->rg.count)
			rev |= events & (POLLIN | POLLRDNORM);
		if (p->writers == 0)
			rev |= POLLHUP;
	} else if (p->readers == 0) {
		rev |= POLLERR;
	} else if (ring_space(&p->rg) >= PIPE_ATOMIC) {
		rev |= events & (POLLOUT | POLLWRNORM);
	}
	return rev;
}

size_t pipe_size(struct vfile *f)
{
	return f->pipe->rg.size;
}
