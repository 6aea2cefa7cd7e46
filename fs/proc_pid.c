/*
 * /proc/<pid>: one directory per process (thread group leader) with the
 * files busybox ps, top, pidof and kill read: stat (Linux's field order,
 * times in USER_HZ ticks), statm, status, cmdline (argv from the
 * process's own memory) and comm; and Basalt's costs (kernel/costs.h),
 * which takes a new snapshot at every read from offset 0, so that a
 * benchmark can keep it open and pread it before and after.
 */
#include "fs/internal.h"
#include "kernel/sched.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

#define USER_HZ		100
#define PID_INO(pid, i)	(((uint64_t)(pid) + 1) << 8 | (uint64_t)(i))

struct pid_ctx {
	struct task *task;
};

static long gen_stat(const void *ctx, char *buf, size_t size);
static long gen_statm(const void *ctx, char *buf, size_t size);
static long gen_status(const void *ctx, char *buf, size_t size);
static long gen_cmdline(const void *ctx, char *buf, size_t size);
static long gen_comm(const void *ctx, char *buf, size_t size);
static long gen_costs(const void *ctx, char *buf, size_t size);

static const struct file_ops pid_file_fops, pid_fresh_fops;

static const struct {
	const char *name;
	proc_gen_t gen;
	const struct file_ops *fops;	/* pid_fresh_fops: a new snapshot at offset 0 */
} pid_files[] = {
	{ "cmdline", gen_cmdline, &pid_file_fops }, { "comm", gen_comm, &pid_file_fops },
	{ "stat", gen_stat, &pid_file_fops },	    { "statm", gen_statm, &pid_file_fops },
	{ "status", gen_status, &pid_file_fops },   { "costs", gen_costs, &pid_fresh_fops },
};

static const struct inode_ops pid_dir_iops;
static const struct file_ops pid_dir_fops;
static bool pid_revalidate(struct inode *ino);
static const struct inode_ops pid_file_iops = {
	.evict = proc_evict,
	.revalidate = pid_revalidate,
};

/* The live process @pid (a thread group leader, not the idle task 0), or NULL. */
static struct task *find_process(int pid)
{
	struct task *t = pid > 0 ? task_by_pid(pid) : NULL;

	if (!t || t->tgid != pid || t->state == TASK_DEAD)
		return NULL;
	return t;
}

/* A cached /proc/<pid> name is good while the process lives. */
static bool pid_revalidate(struct inode *ino)
{
	return find_process(((struct proc_node *)ino->priv)->pid) != NULL;
}

static char state_char(int state)
{
	switch (state) {
	case TASK_RUNNING:
		return 'R';
	case TASK_INTERRUPTIBLE:
		return 'S';
	case TASK_UNINTERRUPTIBLE:
		return 'D';
	case TASK_STOPPED:
		return 'T';
	case TASK_ZOMBIE:
		return 'Z';
	default:
		return 'X';
	}
}

static uint64_t to_user_hz(uint64_t ticks)
{
	return ticks * USER_HZ / CONFIG_HZ;
}

static int thread_count(struct task *leader)
{
	struct task *t;
	int n = 0;

	list_for_each_entry(t, &all_tasks, all_node) {
		if (t->tgid == leader->tgid && t->state != TASK_DEAD)
			n++;
	}
	return n;
}

static long gen_stat(const void *ctx, char *buf, size_t size)
{
	struct task *t = ((const struct pid_ctx *)ctx)->task;
	uint64_t vsize = t->mm ? mm_total_vm_pages(t->mm) * PAGE_SIZE : 0;
	uint64_t rss = t->mm ? t->mm->rss_pages : 0;

	return snprintf(buf, size,
			"%d (%s) %c %d %d %d 0 -1 %u 0 0 0 0 %lu %lu 0 0 20 0 %d 0 %lu %lu %lu "
			"18446744073709551615 0 0 %lu 0 0 %lu %lu 0 0 0 0 0 17 %d 0 0 0 0 0 "
			"0 0 0 %lu %lu %lu %lu %d\n",
			t->pid, t->comm, state_char(t->state), t->parent ? t->parent->tgid : 0,
			t->pgid, t->sid, t->flags & TASK_KTHREAD ? 0x00200000U : 0,
			(unsigned long)to_user_hz(t->utime), (unsigned long)to_user_hz(t->stime),
			thread_count(t), (unsigned long)(t->start_ns / (1000000000 / USER_HZ)),
			(unsigned long)vsize, (unsigned long)rss,
			(unsigned long)(t->mm ? t->mm->start_stack : 0),
			(unsigned long)t->sig_pending, (unsigned long)t->sig_blocked,
			t->cpu,		/* field 39: the CPU it last ran on */
			(unsigned long)(t->mm ? t->mm->arg_start : 0),
			(unsigned long)(t->mm ? t->mm->arg_end : 0),
			(unsigned long)(t->mm ? t->mm->env_start : 0),
			(unsigned long)(t->mm ? t->mm->env_end : 0), t->exit_code);
}

static long gen_statm(const void *ctx, char *buf, size_t size)
{
	struct task *t = ((const struct pid_ctx *)ctx)->task;

	return snprintf(buf, size, "%lu %lu 0 0 0 0 0\n",
			(unsigned long)(t->mm ? mm_total_vm_pages(t->mm) : 0),
			(unsigned long)(t->mm ? t->mm->rss_pages : 0));
}

static long gen_status(const void *ctx, char *buf, size_t size)
{
	static const char *const names[] = { "running", "sleeping", "disk sleep", "stopped",
					     "zombie", "dead" };
	struct task *t = ((const struct pid_ctx *)ctx)->task;
	int st = t->state >= 0 && t->state <= TASK_DEAD ? t->state : TASK_DEAD;

	return snprintf(buf, size,
			"Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
			"PPid:\t%d\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
			"FDSize:\t%d\nVmSize:\t%lu kB\nVmRSS:\t%lu kB\nThreads:\t%d\n"
			"SigPnd:\t%016lx\nSigBlk:\t%016lx\n",
			t->comm, t->fs ? t->fs->umask : 022, state_char(st), names[st], t->tgid,
			t->pid, t->parent ? t->parent->tgid : 0, t->cred.uid, t->cred.euid,
			t->cred.euid, t->cred.euid, t->cred.gid, t->cred.egid, t->cred.egid,
			t->cred.egid, MAX_FDS,
			(unsigned long)(t->mm ? mm_total_vm_pages(t->mm) * 4 : 0),
			(unsigned long)(t->mm ? t->mm->rss_pages * 4 : 0), thread_count(t),
			(unsigned long)t->sig_pending, (unsigned long)t->sig_blocked);
}

/* argv as NUL-separated strings, read from the process's memory. */
static long gen_cmdline(const void *ctx, char *buf, size_t size)
{
	struct task *t = ((const struct pid_ctx *)ctx)->task;
	uint64_t len;
	long n;

	if (!t->mm || t->state == TASK_ZOMBIE || t->mm->arg_end <= t->mm->arg_start)
		return 0;
	len = MIN(t->mm->arg_end - t->mm->arg_start, (uint64_t)PAGE_SIZE);
	if (len >= size)
		return (long)len + 1;	/* ask for a bigger buffer */
	n = mm_read(t->mm, t->mm->arg_start, buf, (size_t)len);
	return n < 0 ? 0 : n;
}

static long gen_comm(const void *ctx, char *buf, size_t size)
{
	return snprintf(buf, size, "%s\n", ((const struct pid_ctx *)ctx)->task->comm);
}

/* The process's counted costs: its threads, alive and exited. */
static long gen_costs(const void *ctx, char *buf, size_t size)
{
	struct task_costs sum;

	costs_of_process(((const struct pid_ctx *)ctx)->task, &sum);
	return costs_format(&sum, buf, size);
}

static int pid_file_open(struct inode *ino, struct file *f)
{
	struct proc_node *pn = ino->priv;
	struct pid_ctx ctx = { find_process(pn->pid) };

	if (!ctx.task)
		return -ESRCH;
	return proc_open_text(f, pid_files[pn->index].gen, &ctx);
}

static struct inode *pid_inode(struct super_block *sb, struct task *t, int index)
{
	struct inode *ino;

	if (index < 0)
		ino = proc_new_inode(sb, PID_INO(t->tgid, 0), S_IFDIR | 0555, &pid_dir_iops,
				     &pid_dir_fops, PROC_PID_DIR, t->tgid, 0);
	else
		ino = proc_new_inode(sb, PID_INO(t->tgid, index + 1), S_IFREG | 0444,
				     &pid_file_iops, pid_files[index].fops, PROC_PID_FILE,
				     t->tgid, index);
	if (ino) {
		ino->uid = t->cred.euid;
		ino->gid = t->cred.egid;
	}
	return ino;
}

/* Lookup of a number in the /proc root. */
int proc_pid_dir_lookup(struct inode *root, const char *name, size_t len, struct inode **out)
{
	struct task *t;
	int pid = 0;

	if (!len || len > 9 || (name[0] == '0' && len > 1))
		return -ENOENT;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -ENOENT;
		pid = pid * 10 + (name[i] - '0');
	}
	t = find_process(pid);
	if (!t)
		return -ENOENT;
	*out = pid_inode(root->sb, t, -1);
	return *out ? 0 : -ENOMEM;
}

/* The smallest live process id >= @from, or -1. */
static int next_pid(int from)
{
	struct task *t;
	int best = -1;

	list_for_each_entry(t, &all_tasks, all_node) {
		if (t->pid > 0 && t->pid == t->tgid && t->state != TASK_DEAD && t->pid >= from &&
		    (best < 0 || t->pid < best))
			best = t->pid;
	}
	return best;
}

/* The process directories of the /proc root, from f->pos on. */
int proc_pid_dirs_readdir(struct file *f, struct dirent_sink *sink, filldir_t fill)
{
	char name[16];
	int pid;

	while ((pid = next_pid((int)(f->pos - PROC_PID_POS))) >= 0) {
		int n = snprintf(name, sizeof(name), "%d", pid);

		if (fill(sink, name, (size_t)n, PID_INO(pid, 0), S_IFDIR >> 12,
			 PROC_PID_POS + (uint64_t)pid + 1))
			return 0;
		f->pos = PROC_PID_POS + (uint64_t)pid + 1;
	}
	return 0;
}

static int pid_dir_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct proc_node *pn = dir->priv;
	struct task *t = find_process(pn->pid);

	if (!t)
		return -ENOENT;
	for (size_t i = 0; i < ARRAY_SIZE(pid_files); i++) {
		if (strlen(pid_files[i].name) == len && !memcmp(pid_files[i].name, name, len)) {
			*out = pid_inode(dir->sb, t, (int)i);
			return *out ? 0 : -ENOMEM;
		}
	}
	return -ENOENT;
}

static int pid_dir_readdir(struct file *f, struct dirent_sink *sink, filldir_t fill)
{
	struct proc_node *pn = f->inode->priv;

	if (f->pos == 0) {
		if (fill(sink, ".", 1, f->inode->ino, S_IFDIR >> 12, 1))
			return 0;
		f->pos = 1;
	}
	if (f->pos == 1) {
		if (fill(sink, "..", 2, 1, S_IFDIR >> 12, 2))
			return 0;
		f->pos = 2;
	}
	while (f->pos - 2 < ARRAY_SIZE(pid_files)) {
		size_t i = (size_t)f->pos - 2;

		if (fill(sink, pid_files[i].name, strlen(pid_files[i].name),
			 PID_INO(pn->pid, i + 1), S_IFREG >> 12, f->pos + 1))
			return 0;
		f->pos++;
	}
	return 0;
}

static const struct inode_ops pid_dir_iops = {
	.lookup = pid_dir_lookup,
	.evict = proc_evict,
	.revalidate = pid_revalidate,
};

static const struct file_ops pid_dir_fops = {
	.readdir = pid_dir_readdir,
	.llseek = generic_llseek,
};

static const struct file_ops pid_file_fops = {
	.open = pid_file_open,
	.read = proc_text_read,
	.llseek = proc_text_llseek,
	.release = proc_text_release,
};

/* A read from offset 0 takes a new snapshot, while the process lives. */
static long pid_fresh_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct proc_node *pn = f->inode->priv;

	if (*pos == 0) {
		struct pid_ctx ctx = { find_process(pn->pid) };
		long err;

		if (!ctx.task)
			return -ESRCH;
		err = proc_text_refresh(f, pid_files[pn->index].gen, &ctx);
		if (err)
			return err;
	}
	return proc_text_read(f, buf, n, pos);
}

static const struct file_ops pid_fresh_fops = {
	.open = pid_file_open,
	.read = pid_fresh_read,
	.llseek = proc_text_llseek,
	.release = proc_text_release,
};
