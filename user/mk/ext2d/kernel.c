/*
 * The kernel core as fs/ext2 sees it, in a user process: kmalloc over
 * malloc, printk to stderr (the level prefix dropped, debug lines too),
 * one task that never sleeps, the credentials new inodes are owned by,
 * the clocks, and the initcalls the program links. ext2 is single-
 * threaded here: its per-mount lock is always free or already ours, so
 * wait_event() never reaches the wait-queue functions that would sleep.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "shim.h"

static struct task the_task;
struct task *current = &the_task;
static struct cred the_cred;

void *kmalloc(size_t size)
{
	return malloc(size ? size : 1);
}

void *kzalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void kfree(void *p)
{
	free(p);
}

int vprintk(const char *fmt, va_list ap)
{
	char line[256];
	int n;

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		if (fmt[1] == KERN_DEBUG[1])
			return 0;
		fmt += 2;
	}
	n = vsnprintf(line, sizeof(line), fmt, ap);
	ext2d_log(line);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

/* A broken invariant of the list code: stop here rather than corrupt the disk. */
void list_corruption(const char *what, void *entry)
{
	printk(KERN_ERR "ext2d: list corruption: %s (%p)\n", what, entry);
	abort();
}

void panic(const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printk(KERN_ERR "ext2d: %s: ", reason);
	vprintk(fmt, ap);
	va_end(ap);
	abort();
}

const struct cred *current_cred(void)
{
	return &the_cred;
}

void shim_set_cred(uint32_t uid, uint32_t gid)
{
	the_cred.uid = the_cred.euid = uid;
	the_cred.gid = the_cred.egid = gid;
}

/*
 * The lock is never contended in one thread, so nobody waits: reaching
 * these would mean a lock leaked, which must not turn into a silent hang.
 */
void wait_queue_init(struct wait_queue *wq)
{
	list_init(&wq->sleepers);
}

void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e, int state)
{
}

void finish_wait(struct wait_queue *wq, struct wait_entry *e)
{
}

void schedule(void)
{
	panic("deadlock", "ext2 waited for its own lock\n");
}

void wake_up(struct wait_queue *wq)
{
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t ktime_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t ktime_real_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

/* fs/inode.c's: timestamps from the wall clock. */
void vfs_timestamp(struct timespec64 *ts)
{
	uint64_t ns = ktime_real_ns();

	ts->sec = (int64_t)(ns / 1000000000ULL);
	ts->nsec = (int64_t)(ns % 1000000000ULL);
}

/* initcalls.ld gathers the .initcallN sections between these, as the kernel's script does. */
extern const initcall_t __initcall_start[], __initcall_end[];

void do_initcalls(void)
{
	for (const initcall_t *fn = __initcall_start; fn < __initcall_end; fn++)
		(*fn)();
}
