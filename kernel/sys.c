/*
 * Small system calls about the process and the machine: identities,
 * process groups and sessions, uname, limits, randomness, thread-area and
 * TID bookkeeping, resource usage, and reboot/poweroff.
 */
#include <asm/barrier.h>
#include <asm/setup.h>
#include <asm/smp.h>
#include <asm/switch.h>
#include <asm/uaccess.h>
#include "fs/vfs.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/string.h"
#include "mm/mm.h"

SYSCALL_DEFINE0(getpid)
{
	return current->tgid;
}

SYSCALL_DEFINE0(gettid)
{
	return current->pid;
}

SYSCALL_DEFINE0(getppid)
{
	return READ_ONCE(current->ppid);	/* no BKL: the parent may be exiting meanwhile */
}

SYSCALL_DEFINE0(getuid)
{
	return current->cred.uid;
}

SYSCALL_DEFINE0(geteuid)
{
	return current->cred.euid;
}

SYSCALL_DEFINE0(getgid)
{
	return current->cred.gid;
}

SYSCALL_DEFINE0(getegid)
{
	return current->cred.egid;
}

SYSCALL_DEFINE1(setuid, uint32_t, uid)
{
	if (current->cred.euid != 0 && uid != current->cred.uid)
		return -EPERM;
	current->cred.uid = current->cred.euid = uid;
	return 0;
}

SYSCALL_DEFINE1(setgid, uint32_t, gid)
{
	if (current->cred.euid != 0 && gid != current->cred.gid)
		return -EPERM;
	current->cred.gid = current->cred.egid = gid;
	return 0;
}

SYSCALL_DEFINE3(getresuid, uint32_t __user *, r, uint32_t __user *, e, uint32_t __user *, s)
{
	if (put_user(current->cred.uid, r) || put_user(current->cred.euid, e) ||
	    put_user(current->cred.euid, s))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE3(getresgid, uint32_t __user *, r, uint32_t __user *, e, uint32_t __user *, s)
{
	if (put_user(current->cred.gid, r) || put_user(current->cred.egid, e) ||
	    put_user(current->cred.egid, s))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(getgroups, int, size, uint32_t __user *, list)
{
	return 0;
}

SYSCALL_DEFINE2(setgroups, int, size, const uint32_t __user *, list)
{
	return current->cred.euid == 0 ? 0 : -EPERM;
}

SYSCALL_DEFINE2(setpgid, int, pid, int, pgid)
{
	struct task *t = pid ? task_by_pid(pid) : current;

	if (!t || (t != current && t->parent != current))
		return -ESRCH;
	if (pgid < 0)
		return -EINVAL;
	if (t->pid == t->sid)
		return -EPERM;		/* a session leader keeps its group */
	t->pgid = pgid ? pgid : t->pid;
	return 0;
}

SYSCALL_DEFINE1(getpgid, int, pid)
{
	struct task *t = pid ? task_by_pid(pid) : current;

	return t ? t->pgid : -ESRCH;
}

SYSCALL_DEFINE0(getpgrp)
{
	return current->pgid;
}

SYSCALL_DEFINE0(setsid)
{
	struct task *t;

	/* a process group leader, or a pid some group already uses, cannot */
	list_for_each_entry(t, &all_tasks, all_node)
		if (t->pgid == current->pid && t->state != TASK_DEAD)
			return -EPERM;
	current->sid = current->pgid = current->pid;
	current->tty = NULL;
	return current->sid;
}

SYSCALL_DEFINE1(getsid, int, pid)
{
	struct task *t = pid ? task_by_pid(pid) : current;

	return t ? t->sid : -ESRCH;
}

struct utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domain[65];
};

static char hostname[65] = "basalt";

SYSCALL_DEFINE1(uname, struct utsname __user *, buf)
{
	struct utsname u;

	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "Basalt");
	strcpy(u.nodename, hostname);
	strcpy(u.release, "6.1.0-basalt-" BASALT_VERSION);
	strcpy(u.version, "#1 Basalt " BASALT_VERSION);
	strcpy(u.machine, "x86_64");
	strcpy(u.domain, "(none)");
	return copy_to_user(buf, &u, sizeof(u));
}

SYSCALL_DEFINE2(sethostname, const char __user *, name, int, len)
{
	char tmp[65];

	if (current->cred.euid != 0)
		return -EPERM;
	if (len < 0 || len > 64)
		return -EINVAL;
	if (copy_from_user(tmp, name, len))
		return -EFAULT;
	tmp[len] = '\0';
	strcpy(hostname, tmp);
	return 0;
}

#define ARCH_SET_GS	0x1001
#define ARCH_SET_FS	0x1002
#define ARCH_GET_FS	0x1003
#define ARCH_GET_GS	0x1004

SYSCALL_DEFINE2(arch_prctl, int, code, unsigned long, addr)
{
	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_END)
			return -EPERM;
		current->fs_base = addr;
		arch_set_fs_base(addr);
		return 0;
	case ARCH_GET_FS:
		return put_user(current->fs_base, (uint64_t __user *)addr);
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE1(set_tid_address, int __user *, tidptr)
{
	current->clear_child_tid = (uint64_t)tidptr;
	return current->pid;
}

SYSCALL_DEFINE2(set_robust_list, void __user *, head, size_t, len)
{
	return len == 24 ? 0 : -EINVAL;
}

struct rlimit64 {
	uint64_t cur, max;
};

#define RLIM_INFINITY	(~0ULL)

static void default_rlimit(int res, struct rlimit64 *r)
{
	r->cur = r->max = RLIM_INFINITY;
	if (res == 3)			/* RLIMIT_STACK */
		r->cur = USER_STACK_SIZE;
	else if (res == 7)		/* RLIMIT_NOFILE */
		r->cur = r->max = 256;
}

SYSCALL_DEFINE4(prlimit64, int, pid, int, res, const struct rlimit64 __user *, nl,
		struct rlimit64 __user *, ol)
{
	struct rlimit64 r;

	if (res < 0 || res >= 16)
		return -EINVAL;
	default_rlimit(res, &r);
	if (ol && copy_to_user(ol, &r, sizeof(r)))
		return -EFAULT;
	return 0;			/* new limits are accepted but not enforced */
}

SYSCALL_DEFINE2(getrlimit, int, res, struct rlimit64 __user *, rl)
{
	struct rlimit64 r;

	if (res < 0 || res >= 16)
		return -EINVAL;
	default_rlimit(res, &r);
	return copy_to_user(rl, &r, sizeof(r));
}

SYSCALL_DEFINE2(setrlimit, int, res, const struct rlimit64 __user *, rl)
{
	return (res < 0 || res >= 16) ? -EINVAL : 0;
}

SYSCALL_DEFINE3(getrandom, void __user *, buf, size_t, len, unsigned int, flags)
{
	uint8_t tmp[256];
	size_t done = 0;

	len = MIN(len, (size_t)33554431);
	while (done < len) {
		size_t n = MIN(len - done, sizeof(tmp));

		for (size_t i = 0; i < n; i += 8) {
			uint64_t r = get_random_u64();

			memcpy(tmp + i, &r, MIN((size_t)8, n - i));
		}
		if (copy_to_user((char *)buf + done, tmp, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return done;
}

/* Nice values are not used by the scheduler; report and accept 0. */
SYSCALL_DEFINE2(getpriority, int, which, int, who)
{
	return (which < 0 || which > 2) ? -EINVAL : 20;	/* 20 - nice, as Linux */
}

SYSCALL_DEFINE3(setpriority, int, which, int, who, int, prio)
{
	return (which < 0 || which > 2) ? -EINVAL : 0;
}

SYSCALL_DEFINE0(sched_yield)
{
	schedule();
	return 0;
}

/* Affinity: a 64-bit mask (NR_CPUS is at most 64), as Linux's cpumask for such kernels. */
static struct task *affinity_task(int pid)
{
	if (pid < 0)
		return NULL;
	return pid ? task_by_pid(pid) : current;
}

SYSCALL_DEFINE3(sched_getaffinity, int, pid, unsigned int, len, uint64_t __user *, mask)
{
	struct task *t = affinity_task(pid);
	uint64_t m;

	if (len < sizeof(m) || (len & (sizeof(long) - 1)))
		return -EINVAL;
	if (!t)
		return pid < 0 ? -EINVAL : -ESRCH;
	m = t->cpus_allowed & cpu_online_mask();
	return copy_to_user(mask, &m, sizeof(m)) ?: (long)sizeof(m);
}

SYSCALL_DEFINE3(sched_setaffinity, int, pid, unsigned int, len, const uint64_t __user *, mask)
{
	struct task *t = affinity_task(pid);
	uint64_t m = 0;

	if (copy_from_user(&m, mask, MIN(len, (unsigned int)sizeof(m))))
		return -EFAULT;
	if (!t)
		return pid < 0 ? -EINVAL : -ESRCH;
	if (t->flags & TASK_KTHREAD)
		return -EINVAL;		/* kernel threads keep their own placement */
	if (current->cred.euid != 0 && current->cred.euid != t->cred.uid &&
	    current->cred.euid != t->cred.euid)
		return -EPERM;
	return sched_set_allowed(t, m);
}

SYSCALL_DEFINE3(getcpu, unsigned int __user *, cpu, unsigned int __user *, node, void __user *, c)
{
	unsigned int here = smp_processor_id();

	if ((cpu && put_user(here, cpu)) || (node && put_user(0U, node)))
		return -EFAULT;
	return 0;
}

struct rusage {
	int64_t utime_sec, utime_usec, stime_sec, stime_usec;
	int64_t rest[14];
};

SYSCALL_DEFINE2(getrusage, int, who, struct rusage __user *, ru)
{
	struct rusage r;
	uint64_t tick_us = 1000000 / CONFIG_HZ;

	memset(&r, 0, sizeof(r));
	r.utime_sec = current->utime * tick_us / 1000000;
	r.utime_usec = current->utime * tick_us % 1000000;
	r.stime_sec = current->stime * tick_us / 1000000;
	r.stime_usec = current->stime * tick_us % 1000000;
	return copy_to_user(ru, &r, sizeof(r));
}

struct tms {
	int64_t utime, stime, cutime, cstime;
};

SYSCALL_DEFINE1(times, struct tms __user *, buf)
{
	struct tms t = { (int64_t)current->utime, (int64_t)current->stime, 0, 0 };

	if (buf && copy_to_user(buf, &t, sizeof(t)))
		return -EFAULT;
	return (long)jiffies;
}

struct sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[256];
};

SYSCALL_DEFINE1(sysinfo, struct sysinfo __user *, info)
{
	struct sysinfo s;
	struct task *t;

	memset(&s, 0, sizeof(s));
	s.uptime = (int64_t)(ktime_ns() / 1000000000ULL);
	s.totalram = pmm_total_count();
	s.freeram = pmm_free_count();
	list_for_each_entry(t, &all_tasks, all_node)
		s.procs++;
	s.mem_unit = PAGE_SIZE;
	return copy_to_user(info, &s, 112);
}

#define LINUX_REBOOT_MAGIC1	0xfee1dead
#define LINUX_REBOOT_CMD_RESTART	0x01234567
#define LINUX_REBOOT_CMD_HALT		0xcdef0123
#define LINUX_REBOOT_CMD_POWER_OFF	0x4321fedc
#define LINUX_REBOOT_CMD_CAD_ON		0x89abcdef
#define LINUX_REBOOT_CMD_CAD_OFF	0x00000000

SYSCALL_DEFINE4(reboot, unsigned int, magic1, unsigned int, magic2, unsigned int, cmd,
		void __user *, arg)
{
	if (current->cred.euid != 0)
		return -EPERM;
	if (magic1 != LINUX_REBOOT_MAGIC1)
		return -EINVAL;
	if (cmd == LINUX_REBOOT_CMD_RESTART || cmd == LINUX_REBOOT_CMD_HALT ||
	    cmd == LINUX_REBOOT_CMD_POWER_OFF)
		block_sync_all();		/* nothing written is lost */
	switch (cmd) {
	case LINUX_REBOOT_CMD_RESTART:
		printk(KERN_NOTICE "reboot: Restarting system\n");
		machine_reboot();
	case LINUX_REBOOT_CMD_HALT:
	case LINUX_REBOOT_CMD_POWER_OFF:
		printk(KERN_NOTICE "reboot: Power down\n");
		machine_power_off();
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE5(prctl, int, option, unsigned long, a2, unsigned long, a3, unsigned long, a4,
		unsigned long, a5)
{
	char name[TASK_COMM_LEN];

	switch (option) {
	case 15:			/* PR_SET_NAME */
		if (strncpy_from_user(name, (const char *)a2, sizeof(name)) < 0)
			return -EFAULT;
		name[sizeof(name) - 1] = '\0';
		strcpy(current->comm, name);
		return 0;
	case 16:			/* PR_GET_NAME */
		return copy_to_user((void *)a2, current->comm, TASK_COMM_LEN);
	default:
		return -EINVAL;
	}
}
