/*
 * The first process. A kernel thread becomes pid 1: it gets the root file
 * system, opens /dev/console as stdin, stdout and stderr, and executes the
 * first program that works among init= (command line), /init, /sbin/init
 * and /bin/sh, then leaves for user mode. No init at all is a panic with a
 * message saying what was tried.
 */
#include <asm/switch.h>
#include "fs/vfs.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/mm.h"

static const char *init_override;

static int set_init(const char *v)
{
	if (!v || v[0] != '/')
		return -EINVAL;
	init_override = v;
	return 0;
}
CMDLINE_OPTION("init", set_init);

static char *const init_envp[] = {
	"HOME=/root", "TERM=linux", "PATH=/sbin:/bin:/usr/sbin:/usr/bin", "SHELL=/bin/sh", NULL,
};

static void open_console(void)
{
	int err;
	/* O_NOCTTY: the console becomes the controlling tty of the login
	 * session that init starts, not of init itself */
	struct file *f = vfs_open("/dev/console", O_RDWR | O_NOCTTY, 0, &err);

	if (!f) {
		pr_err("init: cannot open /dev/console (error %d); init has no stdio\n", err);
		return;
	}
	fd_install(f, 0);
	fd_install(file_get(f), 0);
	fd_install(file_get(f), 0);
}

void enter_user_mode(void)
{
	arch_enter_user(current->uregs);
}

static int init_thread(void *unused)
{
	const char *candidates[] = { init_override, "/init", "/sbin/init", "/bin/sh" };
	struct task *t = current;

	t->sighand = kzalloc(sizeof(*t->sighand));
	t->files = files_alloc();
	t->fs = fs_context_root();
	if (!t->sighand || !t->files || !t->fs)
		panic("no-memory", "cannot set up the init process");
	t->sighand->refcount = 1;
	t->pgid = t->sid = t->pid;
	open_console();
	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
		char *argv[] = { (char *)candidates[i], NULL };
		int err;

		if (!candidates[i])
			continue;
		err = do_execve(candidates[i], argv, init_envp);
		if (!err) {
			pr_info("init: running %s as pid %d\n", candidates[i], t->pid);
			enter_user_mode();
		}
		pr_err("init: cannot run %s (error %d)\n", candidates[i], err);
	}
	panic("no-init", "no working init found: tried init=, /init, /sbin/init and /bin/sh");
}

void start_init(void)
{
	struct task *t = kthread_spawn("init", init_thread, NULL);

	if (!t)
		panic("no-memory", "cannot create the init task");
	t->pid = t->tgid = 1;		/* reserved by alloc_pid; it has not run yet */
}

/* basalt.test=NAME is read by /init from /proc/cmdline; accept it here. */
static int set_user_test(const char *v)
{
	return v && *v ? 0 : -EINVAL;
}
CMDLINE_OPTION("basalt.test", set_user_test);
