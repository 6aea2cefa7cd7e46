/*
 * Misc character devices: /dev/<name> with major 10 and a minor number
 * given out by name. The node's own file_ops (kernel code, never unloaded)
 * only open: they point the file at a binding, an ops table of proxies for
 * the driver's operations. A module's rmmod unbinds it: open files keep a
 * valid binding whose proxies now fail with -ENODEV instead of jumping into
 * freed module text, and the driver's exit waits for calls in progress.
 */
#define pr_fmt(fmt) "misc: " fmt

#include "drivers/base/device.h"
#include "fs/vfs.h"
#include "kernel/kernel.h"
#include "kernel/module.h"
#include "kernel/sched.h"
#include "lib/list.h"
#include "lib/string.h"
#include "mm/mm.h"

/* One registration of a driver on a node; freed when unbound and unused. */
struct misc_binding {
	struct file_ops ops;		/* what open files call */
	const struct file_ops *target;	/* the driver's operations; NULL once unbound */
	void *priv;
	int open_files;
	int active;			/* calls into the driver in progress */
	struct wait_queue idle;		/* woken when active drops to 0 */
	/*
	 * poll: sleepers wait on @pollers, which lives as long as the binding;
	 * one proxy entry per driver queue forwards its wake-ups, and is taken
	 * off the driver's queue when the driver goes.
	 */
	struct wait_queue pollers;
	struct list_head proxies;	/* struct misc_poll_proxy */
};

struct misc_poll_proxy {
	struct wait_entry entry;	/* on the driver's queue */
	struct wait_queue *wq;
	struct misc_binding *b;
	struct list_head node;		/* in b->proxies */
};

/* A name in /dev and its minor number, kept for the kernel's lifetime. */
struct misc_node {
	char name[32];
	unsigned int minor;
	struct misc_binding *binding;	/* NULL when no driver is bound */
	struct list_head node;
};

static LIST_HEAD(misc_nodes);
static unsigned int next_minor = 64;	/* clear of Linux's fixed misc minors */

static struct misc_binding *binding_of(struct file *f)
{
	return container_of(f->fops, struct misc_binding, ops);
}

/* Enter the driver unless it has gone (no preemption in the kernel: no race). */
static bool enter(struct misc_binding *b)
{
	if (!b->target)
		return false;
	b->active++;
	return true;
}

static void leave(struct misc_binding *b)
{
	if (--b->active == 0)
		wake_up(&b->idle);
}

static long misc_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct misc_binding *b = binding_of(f);
	long ret;

	if (!enter(b))
		return -ENODEV;
	ret = b->target->read(f, buf, n, pos);
	leave(b);
	return ret;
}

static long misc_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct misc_binding *b = binding_of(f);
	long ret;

	if (!enter(b))
		return -ENODEV;
	ret = b->target->write(f, buf, n, pos);
	leave(b);
	return ret;
}

static long misc_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct misc_binding *b = binding_of(f);
	long ret;

	if (!enter(b))
		return -ENODEV;
	ret = b->target->ioctl(f, cmd, arg);
	leave(b);
	return ret;
}

static void proxy_wake(struct wait_entry *e)
{
	struct misc_poll_proxy *p = container_of(e, struct misc_poll_proxy, entry);

	wake_up_locked(&p->b->pollers);	/* wake_up holds the queues' lock */
}

/* The driver's poll named @wq: forward its wake-ups to the binding's own queue. */
struct misc_poll_ctx {
	struct misc_binding *b;
	struct poll_table *outer;	/* the caller's */
};

static void proxy_queue(struct poll_table *pt, struct wait_queue *wq)
{
	struct misc_poll_ctx *ctx = pt->proxy_ctx;
	struct misc_binding *b = ctx->b;
	struct misc_poll_proxy *p;

	list_for_each_entry(p, &b->proxies, node)
		if (p->wq == wq)
			return;
	p = kzalloc(sizeof(*p));
	if (!p) {
		ctx->outer->overflow = true;	/* poll again soon */
		return;
	}
	p->wq = wq;
	p->b = b;
	p->entry.func = proxy_wake;
	list_add_tail(&p->node, &b->proxies);
	wait_entry_add(wq, &p->entry);
}

/*
 * The caller's poll table never reaches the driver's queues: a task asleep
 * in poll() waits on the binding, so a driver that goes away (and frees its
 * queues) leaves no entry of the sleeper's behind in freed memory.
 */
static unsigned int misc_poll(struct file *f, struct poll_table *pt)
{
	struct misc_binding *b = binding_of(f);
	struct misc_poll_ctx ctx = { .b = b, .outer = pt };
	struct poll_table inner = { .proxy = proxy_queue, .proxy_ctx = &ctx };
	unsigned int mask;

	if (!enter(b))
		return POLLERR | POLLHUP;
	mask = b->target->poll(f, pt ? &inner : NULL);
	leave(b);
	poll_wait(f, &b->pollers, pt);
	return mask;
}

/* The driver is going: take the proxies off its queues, wake the sleepers. */
static void drop_proxies(struct misc_binding *b)
{
	struct misc_poll_proxy *p, *tmp;

	list_for_each_entry_safe(p, tmp, &b->proxies, node) {
		wait_entry_remove(&p->entry);
		list_del(&p->node);
		kfree(p);
	}
	wake_up(&b->pollers);	/* they poll again and see POLLERR | POLLHUP */
}

static long misc_llseek(struct file *f, int64_t off, int whence)
{
	struct misc_binding *b = binding_of(f);
	long ret;

	if (!enter(b))
		return -ENODEV;
	ret = b->target->llseek(f, off, whence);
	leave(b);
	return ret;
}

static void misc_release(struct inode *ino, struct file *f)
{
	struct misc_binding *b = binding_of(f);

	/* the driver may free a queue of this file's: re-poll everyone without it */
	drop_proxies(b);
	if (enter(b)) {
		if (b->target->release)
			b->target->release(ino, f);
		leave(b);
	}
	if (--b->open_files == 0 && !b->target)
		kfree(b);
}

/* The node's open: bind the file to the current driver, then let it open. */
static int misc_open(struct inode *ino, struct file *f)
{
	struct misc_node *mn = f->priv;
	struct misc_binding *b = mn ? mn->binding : NULL;
	int err = 0;

	if (!b)
		return -ENODEV;
	f->fops = &b->ops;
	f->priv = b->priv;
	b->open_files++;
	if (b->target->open) {
		b->active++;
		err = b->target->open(ino, f);
		leave(b);
	}
	if (err)
		b->open_files--;	/* the VFS calls no release after a failed open */
	return err;
}

static const struct file_ops misc_node_fops = {
	.open = misc_open,
};

static struct misc_node *find_or_create_node(const char *name, uint32_t mode)
{
	struct misc_node *mn;
	int err;

	list_for_each_entry(mn, &misc_nodes, node) {
		if (!strcmp(mn->name, name))
			return mn;
	}
	if (strlen(name) >= sizeof(mn->name) || next_minor > 255)
		return NULL;
	mn = kzalloc(sizeof(*mn));
	if (!mn)
		return NULL;
	strcpy(mn->name, name);
	mn->minor = next_minor;
	err = devfs_register(name, mode, MKDEV(MISC_MAJOR, mn->minor), &misc_node_fops, mn);
	if (err) {
		kfree(mn);
		return NULL;
	}
	next_minor++;
	list_add_tail(&mn->node, &misc_nodes);
	return mn;
}

static void release_misc(const void *key, uintptr_t arg)
{
	misc_deregister((struct misc_device *)key);
}

int misc_register(struct misc_device *dev)
{
	const struct file_ops *t = dev->fops;
	struct misc_binding *b;
	struct misc_node *mn;

	if (!dev->name || !t || dev->binding)
		return -EINVAL;
	mn = find_or_create_node(dev->name, dev->mode);
	if (!mn) {
		pr_err("cannot create /dev/%s\n", dev->name);
		return -EINVAL;
	}
	if (mn->binding) {
		pr_err("/dev/%s already has a driver\n", dev->name);
		return -EBUSY;
	}
	b = kzalloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->ops = (struct file_ops){
		.read = t->read ? misc_read : NULL,
		.write = t->write ? misc_write : NULL,
		.ioctl = t->ioctl ? misc_ioctl : NULL,
		.poll = t->poll ? misc_poll : NULL,
		.llseek = t->llseek ? misc_llseek : NULL,
		.release = misc_release,
	};
	b->target = t;
	b->priv = dev->priv;
	wait_queue_init(&b->idle);
	wait_queue_init(&b->pollers);
	list_init(&b->proxies);
	mn->binding = b;
	dev->binding = b;
	module_track((uintptr_t)t, MRES_MISCDEV, dev, 0, release_misc, "/dev/%s registered",
		     dev->name);
	return 0;
}
EXPORT_SYMBOL(misc_register);

void misc_deregister(struct misc_device *dev)
{
	struct misc_binding *b = dev->binding;
	struct misc_node *mn;

	if (!b)
		return;
	module_untrack(MRES_MISCDEV, dev, 0);
	list_for_each_entry(mn, &misc_nodes, node) {
		if (mn->binding == b)
			mn->binding = NULL;
	}
	b->target = NULL;		/* no new calls into the driver */
	wait_event(b->idle, b->active == 0);
	drop_proxies(b);
	dev->binding = NULL;
	if (b->open_files) {
		pr_warn("/dev/%s: driver left with %d file(s) open; they now fail with ENODEV\n",
			dev->name, b->open_files);
		return;		/* the last release frees the binding */
	}
	kfree(b);
}
EXPORT_SYMBOL(misc_deregister);
