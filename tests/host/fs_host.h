/*
 * The kernel around fs/ for host tests: every fs source file, plus stubs
 * for what it calls elsewhere (kmalloc over malloc, pages over
 * aligned_alloc, user copies over memcpy with one poisoned address that
 * faults, a fake current task, printk into a buffer, wait queues that
 * must never actually sleep). Included once by each tests/host/test_fs*.c.
 */
#ifndef TESTS_HOST_FS_HOST_H
#define TESTS_HOST_FS_HOST_H

#define CONFIG_HZ 100
#define CONFIG_LOG_BUF_SHIFT 16
#define CONFIG_DEFAULT_LOGLEVEL 6
#define BASALT_VERSION "0.1.0-host"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <asm/boot.h>
#include <asm/cpu.h>
#include "fs/internal.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "mm/mm.h"

/*
 * all_tasks lives inside a task, so list_for_each_entry's computed
 * "entry" for the head is suitably aligned for UBSan.
 */
static struct task host_task_list;
#define all_tasks host_task_list.all_node

#include "fs/attr.c"
#include "fs/dcache.c"
#include "fs/devfs.c"
#include "fs/dirops.c"
#include "fs/fcntl.c"
#include "fs/file.c"
#include "fs/initramfs.c"
#include "fs/inode.c"
#include "fs/links.c"
#include "fs/memdev.c"
#include "fs/namei.c"
#include "fs/open.c"
#include "fs/pipe.c"
#include "fs/proc_misc.c"
#include "fs/proc_pid.c"
#include "fs/procfs.c"
#include "fs/read_write.c"
#include "fs/select.c"
#include "fs/stat.c"
#include "fs/super.c"
#include "fs/tmpfs.c"
#include "fs/tmpfs_file.c"
#include "kernel/costs.c"

/* A user address the fake uaccess helpers treat as unmapped. */
#define BAD_UPTR	((void *)0x1000)

struct boot_info boot_info;
unsigned int cpus_online = 2;

/* Two per-CPU blocks for /proc/idle_tsc and /proc/costs (no idle tasks: NULL). */
static struct percpu host_cpus[2];
struct percpu *percpu_ptr[NR_CPUS] = { &host_cpus[0], &host_cpus[1] };

/* Each host "CPU" reports fixed tick counts, CPU N: user 100+N, system 10, idle 1000. */
void sched_cpu_times(unsigned int cpu, uint64_t *user, uint64_t *sys, uint64_t *idle)
{
	*user = 100 + cpu;
	*sys = 10;
	*idle = 1000;
}

uint64_t sched_cpu_switches(unsigned int cpu)
{
	return 7;
}

uint64_t sched_cpu_idle_tsc(unsigned int cpu)
{
	return 1000 + cpu;
}

void bkl_stats(uint64_t *contended, uint64_t *sleeps, uint64_t *wait_ns)
{
	*contended = 3;
	*sleeps = 2;
	*wait_ns = 5000;
}
char saved_command_line[BOOT_CMDLINE_SIZE] = "loglevel=6 host";
int console_loglevel = 7;
struct task *current;
static struct task host_task;

static char printk_buf[8192];
static size_t printk_len;
static int pages_in_use, sleeps, signals_sent, last_signal;

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (fmt[0] == '\001' && fmt[1])
		fmt += 2;
	if (printk_len > sizeof(printk_buf) / 2)
		printk_len = 0;
	n = vsnprintf(printk_buf + printk_len, sizeof(printk_buf) - printk_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		printk_len = MIN(printk_len + (size_t)n, sizeof(printk_buf) - 1);
	if (getenv("FS_HOST_VERBOSE"))
		printf("# printk: %s", printk_buf + printk_len - (size_t)MIN(n, (int)printk_len));
	return n;
}

static void printk_clear(void)
{
	printk_len = 0;
	printk_buf[0] = '\0';
}

void panic(const char *reason, const char *fmt, ...)
{
	printf("# panic: %s\n", reason);
	abort();
}

void list_corruption(const char *what, void *entry)
{
	printf("# list corruption: %s\n", what);
	abort();
}

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

void *vmalloc(size_t size)
{
	return malloc(size);
}

void vfree(void *p)
{
	free(p);
}

/* Pages: host memory, handed out as "physical" addresses phys_to_virt undoes. */
phys_addr_t pmm_alloc_pages(unsigned int order)
{
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE << order);

	if (!p)
		return 0;
	pages_in_use += 1 << order;
	return (phys_addr_t)((uintptr_t)p - PHYS_MAP_BASE);
}

void pmm_free_pages(phys_addr_t pa, unsigned int order)
{
	pages_in_use -= 1 << order;
	free(phys_to_virt(pa));
}

uint64_t pmm_free_count(void)
{
	return 1000;
}

uint64_t pmm_total_count(void)
{
	return 4096;
}

uint64_t ktime_ns(void)
{
	static uint64_t t = 1000000000ULL;

	return t += 1000;
}

uint64_t get_random_u64(void)
{
	return 0x0123456789abcdefULL;
}

size_t log_buf_read(char *buf, size_t size)
{
	static const char log[] = "<6>[    0.000000] host log line\n";
	size_t n = MIN(size, sizeof(log) - 1);

	memcpy(buf, log + sizeof(log) - 1 - n, n);
	return n;
}

int copy_from_user(void *dst, const void __user *src, size_t n)
{
	if (n && (src == BAD_UPTR || !src))
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

int copy_to_user(void __user *dst, const void *src, size_t n)
{
	if (n && (dst == BAD_UPTR || !dst))
		return -EFAULT;
	memcpy(dst, src, n);
	return 0;
}

int clear_user(void __user *dst, size_t n)
{
	if (n && dst == BAD_UPTR)
		return -EFAULT;
	memset(dst, 0, n);
	return 0;
}

long strncpy_from_user(char *dst, const char __user *src, size_t n)
{
	size_t len;

	if (src == BAD_UPTR || !src)
		return -EFAULT;
	len = strnlen(src, n);
	if (len == n)
		return -ENAMETOOLONG;
	memcpy(dst, src, len + 1);
	return (long)len;
}

void wait_queue_init(struct wait_queue *wq)
{
	list_init(&wq->sleepers);
}

void wait_entry_add(struct wait_queue *wq, struct wait_entry *e)
{
	list_add_tail(&e->node, &wq->sleepers);
}

void wait_entry_remove(struct wait_entry *e)
{
	list_del(&e->node);
}

void wake_up(struct wait_queue *wq)
{
}

/* A host test must never block: record it and pretend a signal came. */
void prepare_to_wait(struct wait_queue *wq, struct wait_entry *e, int state)
{
	current->state = state;
}

void finish_wait(struct wait_queue *wq, struct wait_entry *e)
{
	current->state = TASK_RUNNING;
}

void schedule(void)
{
	sleeps++;
	current->state = TASK_RUNNING;
	current->sig_pending |= SIGMASK(SIGUSR1);
}

void schedule_until(uint64_t deadline_ns)
{
	schedule();
}

void set_current_running(void)
{
	current->state = TASK_RUNNING;
}

int send_signal(struct task *t, int sig)
{
	signals_sent++;
	last_signal = sig;
	return 0;
}

struct task *task_by_pid(int pid)
{
	struct task *t;

	list_for_each_entry(t, &all_tasks, all_node) {
		if (t->pid == pid)
			return t;
	}
	return NULL;
}

long mm_read(struct mm *mm, uint64_t addr, void *buf, size_t n)
{
	memcpy(buf, (void *)(uintptr_t)addr, n);
	return (long)n;
}

uint64_t mm_total_vm_pages(struct mm *mm)
{
	return 42;
}

/* Boot the VFS on the host with @cpio as the initramfs; current runs as root. */
static void host_boot(const void *cpio, size_t len)
{
	host_task.pid = host_task.tgid = host_task.pgid = host_task.sid = 1;
	strcpy(host_task.comm, "init");
	list_init(&all_tasks);
	host_task.state = TASK_RUNNING;
	list_add_tail(&host_task.all_node, &all_tasks);
	current = &host_task;
	memdev_init();
	proc_misc_init();
	vfs_init_tree(cpio, len);
	host_task.files = files_alloc();
	host_task.fs = fs_context_root();
}

/* Syscalls with up to six arguments of any integer or pointer type. */
#define U(x)	((unsigned long)(x))
#define SC(name, ...) ({ struct pt_regs __r = SC_REGS(__VA_ARGS__); sys_##name(&__r); })

/* --- a newc archive writer for tests ------------------------------------------- */
struct cpio_buf {
	uint8_t *data;
	size_t len, cap;
	uint32_t next_ino;
};

static void cpio_raw(struct cpio_buf *c, const void *p, size_t n)
{
	if (!n)
		return;
	if (c->len + n + 4 > c->cap) {
		c->cap = (c->len + n + 4) * 2;
		c->data = realloc(c->data, c->cap);
	}
	memcpy(c->data + c->len, p, n);
	c->len += n;
}

static void cpio_pad(struct cpio_buf *c)
{
	static const uint8_t zero[4];

	cpio_raw(c, zero, (4 - c->len % 4) % 4);
}

/* Append an entry; @ino 0 means "a fresh inode number". */
static void cpio_add(struct cpio_buf *c, const char *name, uint32_t mode, uint32_t ino,
		     uint32_t nlink, const void *data, size_t size, uint32_t rmaj, uint32_t rmin)
{
	char hdr[111];

	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		 ino ? ino : ++c->next_ino + 1000, mode, 0U, 0U, nlink, 1700000000U, size, 0U, 0U,
		 rmaj, rmin, strlen(name) + 1, 0U);
	cpio_raw(c, hdr, 110);
	cpio_raw(c, name, strlen(name) + 1);
	cpio_pad(c);
	cpio_raw(c, data, size);
	cpio_pad(c);
}

static void cpio_trailer(struct cpio_buf *c)
{
	cpio_add(c, "TRAILER!!!", 0, 0, 1, NULL, 0, 0, 0);
}

#endif
