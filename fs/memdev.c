/*
 * The memory devices of major 1: /dev/null, /dev/zero, /dev/full,
 * /dev/random and /dev/urandom (both from get_random_u64), and /dev/kmsg
 * (writes become kernel log lines, a read returns the newest part of the
 * log once). Also the syslog syscall, so busybox dmesg can read the log.
 */
#include "fs/internal.h"
#include "kernel/syscall.h"
#include "lib/string.h"
#include "mm/mm.h"

#define LOG_BUF_SIZE	(1UL << CONFIG_LOG_BUF_SHIFT)

static long null_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	return 0;
}

static long null_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	return (long)n;
}

/* Like Linux's /dev/null: the data is never touched, not even copied in. */
static long null_write_user(struct file *f, const char __user *ubuf, size_t n, uint64_t *pos)
{
	return (long)n;
}

static long zero_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	memset(buf, 0, n);
	return (long)n;
}

static long full_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	return -ENOSPC;
}

static long random_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t r = get_random_u64();

		memcpy(buf + i, &r, MIN((size_t)8, n - i));
	}
	return (long)n;
}

/* Seeking a memory device succeeds and changes nothing that matters. */
static long mem_llseek(struct file *f, int64_t off, int whence)
{
	f->pos = 0;
	return 0;
}

static long kmsg_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	long len;

	if (*pos)
		return 0;
	len = (long)log_buf_read(buf, n);
	*pos += (uint64_t)len;
	return len;
}

/* A write is one log message; a "<N>" prefix gives its level. */
static long kmsg_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	static const char *const fmt[8] = {
		KERN_EMERG "%.*s\n", KERN_ALERT "%.*s\n", KERN_CRIT "%.*s\n",
		KERN_ERR "%.*s\n", KERN_WARNING "%.*s\n", KERN_NOTICE "%.*s\n",
		KERN_INFO "%.*s\n", KERN_DEBUG "%.*s\n",
	};
	size_t len = n, skip = 0;
	int level = 4;

	if (len >= 3 && buf[0] == '<' && buf[1] >= '0' && buf[1] <= '7' && buf[2] == '>') {
		level = buf[1] - '0';
		skip = 3;
	}
	while (len > skip && buf[len - 1] == '\n')
		len--;
	printk(fmt[level], (int)MIN(len - skip, (size_t)400), buf + skip);
	return (long)n;
}

static const struct file_ops null_fops = {
	.read = null_read, .write = null_write, .write_user = null_write_user,
	.llseek = mem_llseek,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = null_write, .llseek = mem_llseek,
};
static const struct file_ops full_fops = {
	.read = zero_read, .write = full_write, .llseek = mem_llseek,
};
static const struct file_ops random_fops = {
	.read = random_read, .write = null_write, .llseek = mem_llseek,
};
static const struct file_ops kmsg_fops = {
	.read = kmsg_read, .write = kmsg_write, .llseek = mem_llseek,
};

int memdev_init(void)
{
	static const struct {
		const char *name;
		unsigned int minor, mode;
		const struct file_ops *fops;
	} devs[] = {
		{ "null", 3, 0666, &null_fops },	{ "zero", 5, 0666, &zero_fops },
		{ "full", 7, 0666, &full_fops },	{ "random", 8, 0666, &random_fops },
		{ "urandom", 9, 0666, &random_fops },	{ "kmsg", 11, 0644, &kmsg_fops },
	};
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(devs); i++)
		err = devfs_register(devs[i].name, devs[i].mode, MKDEV(1, devs[i].minor),
				     devs[i].fops, NULL) ?: err;
	return err;
}
device_initcall(memdev_init);

enum {
	SYSLOG_CLOSE, SYSLOG_OPEN, SYSLOG_READ, SYSLOG_READ_ALL, SYSLOG_READ_CLEAR,
	SYSLOG_CLEAR, SYSLOG_CONSOLE_OFF, SYSLOG_CONSOLE_ON, SYSLOG_CONSOLE_LEVEL,
	SYSLOG_SIZE_UNREAD, SYSLOG_SIZE_BUFFER,
};

/*
 * klogctl. Reading returns the newest @len bytes of the log, as Linux
 * does for READ_ALL; the log cannot be cleared, so READ behaves like
 * READ_ALL and CLEAR does nothing.
 */
SYSCALL_DEFINE3(syslog, int, type, char __user *, ubuf, int, len)
{
	char *buf;
	long n;

	switch (type) {
	case SYSLOG_CLOSE:
	case SYSLOG_OPEN:
	case SYSLOG_CLEAR:
		return 0;
	case SYSLOG_CONSOLE_OFF:
		console_loglevel = 1;
		return 0;
	case SYSLOG_CONSOLE_ON:
		console_loglevel = CONFIG_DEFAULT_LOGLEVEL + 1;
		return 0;
	case SYSLOG_CONSOLE_LEVEL:
		if (len < 1 || len > 8)
			return -EINVAL;
		console_loglevel = len;
		return 0;
	case SYSLOG_SIZE_BUFFER:
		return (long)LOG_BUF_SIZE;
	case SYSLOG_READ:
	case SYSLOG_READ_ALL:
	case SYSLOG_READ_CLEAR:
	case SYSLOG_SIZE_UNREAD:
		break;
	default:
		return -EINVAL;
	}
	if (type != SYSLOG_SIZE_UNREAD && (len < 0 || !ubuf))
		return -EINVAL;
	buf = vmalloc(LOG_BUF_SIZE);
	if (!buf)
		return -ENOMEM;
	if (type == SYSLOG_SIZE_UNREAD)
		n = (long)log_buf_read(buf, LOG_BUF_SIZE);
	else
		n = (long)log_buf_read(buf, MIN((size_t)len, (size_t)LOG_BUF_SIZE));
	if (type != SYSLOG_SIZE_UNREAD && n > 0 && copy_to_user(ubuf, buf, (size_t)n))
		n = -EFAULT;
	vfree(buf);
	return n;
}
