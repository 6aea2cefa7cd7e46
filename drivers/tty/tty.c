/*
 * The terminal devices: /dev/ttyS0 (COM1), /dev/tty0 and /dev/tty1 (the
 * screen's vt with the PS/2 keyboard), /dev/console (output to both, input
 * from both) and /dev/tty (the caller's controlling terminal). Each is a
 * struct tty around an n_tty line discipline; this file adds what needs
 * the rest of the kernel: blocking reads with VMIN/VTIME, poll, the input
 * path from drivers/input, controlling terminals and job control, and the
 * terminal ioctls.
 *
 * Locking: tty_lock (below), taken with interrupts off, is the lock around
 * the line discipline, the device output and the input queue's consumer
 * side; the rest is the big kernel lock's.
 */
#define pr_fmt(fmt) "tty: " fmt

#include <asm/irq.h>
#include <asm/smp.h>
#include <asm/uaccess.h>
#include "drivers/input/input.h"
#include "drivers/tty/tty.h"
#include "drivers/video/video.h"
#include "fs/vfs.h"
#include "kernel/kernel.h"
#include "kernel/lock.h"
#include "kernel/sched.h"
#include "lib/string.h"

#define TTY_WRITE_CHUNK	128	/* bytes written per interrupts-off stretch */

/* Linux's device numbers, which tell the nodes apart at open */
#define TTY_RDEV_TTY0		MKDEV(4, 0)
#define TTY_RDEV_TTY1		MKDEV(4, 1)
#define TTY_RDEV_SERIAL		MKDEV(4, 64)
#define TTY_RDEV_CTTY		MKDEV(5, 0)
#define TTY_RDEV_CONSOLE	MKDEV(5, 1)

#define CONSOLE_SERIAL	0x1
#define CONSOLE_SCREEN	0x2

struct tty {
	void (*output)(const char *s, size_t len);	/* to the device, as is */
	struct n_tty ld;
	struct winsize winsize;
	int session;		/* session it is the controlling terminal of, or 0 */
	int fg_pgrp;		/* foreground process group, or 0 */
	int open_count;		/* open files; while > 0 it takes its device's input */
	bool registered;
	struct wait_queue read_wq;	/* readers and pollers: input arrived */
	struct wait_queue write_wq;	/* writers: output restarted (VSTART) */
};

static unsigned int console_outputs = CONSOLE_SERIAL | CONSOLE_SCREEN;
static bool tty_busy;		/* in the line discipline: input waits in the queue */

/*
 * tty_lock guards every terminal's line discipline, the input queue's
 * draining and the job-control scans; it is taken with interrupts off
 * (the keyboard and UART handlers feed input under it). Whoever drops it
 * first moves queued input into the terminals, so input that arrived
 * while another CPU, or this CPU's own outer section, held it is never
 * left behind.
 */
static DEFINE_SPINLOCK(tty_lock);
static int tty_lock_cpu = -1;	/* the holder's CPU: the handler must not spin on itself */

static void tty_drain_input(void);

static unsigned long tty_lock_irqsave(void)
{
	unsigned long flags;

	spin_lock_irqsave(&tty_lock, flags);
	tty_lock_cpu = (int)smp_processor_id();
	return flags;
}

static void tty_unlock_irqrestore(unsigned long flags)
{
	if (!tty_busy)
		tty_drain_input();
	tty_lock_cpu = -1;
	spin_unlock_irqrestore(&tty_lock, flags);
	input_unthrottle();		/* a read may have made room */
}

/* Both under the console lock printk takes: a printk on another CPU must not mix into the vt's state. */
static void serial_output(const char *s, size_t len)
{
#ifdef CONFIG_SERIAL_8250
	bool locked;
	unsigned long flags = console_lock_irqsave(&locked);

	serial8250_put(s, len);
	console_unlock_irqrestore(flags, locked);
#endif
}

static void screen_output(const char *s, size_t len)
{
#if defined(CONFIG_FB_CONSOLE) || defined(CONFIG_VGA_CONSOLE)
	struct vt *vt = vt_screen();
	bool locked;
	unsigned long flags;

	if (!vt)
		return;
	flags = console_lock_irqsave(&locked);
	vt_write(vt, s, len);
	console_unlock_irqrestore(flags, locked);
#endif
}

/* /dev/console writes where console= points, or to both by default. */
static void console_output(const char *s, size_t len)
{
	if (console_outputs & CONSOLE_SERIAL)
		serial_output(s, len);
	if (console_outputs & CONSOLE_SCREEN)
		screen_output(s, len);
}

static struct tty serial_tty = { .output = serial_output };
static struct tty screen_tty = { .output = screen_output };
static struct tty console_tty = { .output = console_output };

static struct tty *tty_by_rdev(uint32_t rdev)
{
	if (rdev == TTY_RDEV_CONSOLE)
		return &console_tty;
	if (rdev == TTY_RDEV_SERIAL && serial_tty.registered)
		return &serial_tty;
	if ((rdev == TTY_RDEV_TTY0 || rdev == TTY_RDEV_TTY1) && screen_tty.registered)
		return &screen_tty;
	return NULL;
}

static void tty_ld_write(struct n_tty *ld, const char *s, size_t len)
{
	struct tty *tty = container_of(ld, struct tty, ld);

	tty->output(s, len);
}

static void tty_ld_signal(struct n_tty *ld, int sig)
{
	struct tty *tty = container_of(ld, struct tty, ld);

	if (tty->fg_pgrp > 0)
		kill_pgrp(tty->fg_pgrp, sig);
}

static const struct n_tty_ops tty_ld_ops = {
	.write = tty_ld_write,
	.signal = tty_ld_signal,
};

/* --- input ----------------------------------------------------------------- */

/* A device's own terminal gets its input while open, else the console does. */
static struct tty *tty_for_input(unsigned int src)
{
	struct tty *own = src == INPUT_SERIAL ? &serial_tty : &screen_tty;

	return own->open_count > 0 ? own : &console_tty;
}

/*
 * Room enough for a burst of bytes (a UART FIFO, a vt's reply) beyond the
 * check. With nothing readable (a canonical line longer than the ring)
 * input is never held back: the reader could not make room, so the line
 * discipline drops what does not fit, as before.
 */
#define TTY_INPUT_SLACK	64

bool tty_input_room(unsigned int src)
{
	struct tty *tty = tty_for_input(src);
	unsigned int queued = INPUT_QUEUE_SIZE - input_room();

	if (!n_tty_input_ready(&tty->ld, false))
		return true;
	return n_tty_room(&tty->ld) > queued + TTY_INPUT_SLACK;
}

static void tty_wake(struct tty *tty)
{
	wake_up(&tty->read_wq);
	wake_up(&tty->write_wq);
}

/*
 * Move queued input into the terminals; tty_lock held. Echo can make
 * the vt answer a query (ESC[6n), which queues more input: the loop takes
 * it, since tty_busy keeps the handler from re-entering.
 */
static void tty_drain_input(void)
{
	unsigned int src;
	int c;

	tty_busy = true;
	while ((c = input_get(&src)) >= 0) {
		struct tty *tty = tty_for_input(src);
		char ch = (char)c;

		n_tty_receive(&tty->ld, &ch, 1);
		tty_wake(tty);
	}
	tty_busy = false;
}

/*
 * input.c's handler: runs in the keyboard's or the UART's interrupt, or
 * inside a tty_lock section of this CPU (the vt answering a query), which
 * drains the queue itself when it drops the lock.
 */
static void tty_input_handler(void)
{
	unsigned long flags;

	if (__atomic_load_n(&tty_lock_cpu, __ATOMIC_RELAXED) == (int)smp_processor_id())
		return;
	flags = tty_lock_irqsave();
	tty_unlock_irqrestore(flags);		/* drains */
}

/* Feed @len bytes to @tty as if typed (TIOCSTI). */
static void tty_receive(struct tty *tty, const char *s, size_t len)
{
	unsigned long flags = tty_lock_irqsave();

	tty_busy = true;
	n_tty_receive(&tty->ld, s, len);
	tty_busy = false;
	tty_drain_input();
	tty_unlock_irqrestore(flags);
	tty_wake(tty);
}

/* Send bytes to @tty's device without output processing (TCIOFF/TCION). */
static void tty_put_raw(struct tty *tty, const char *s, size_t len)
{
	unsigned long flags = tty_lock_irqsave();

	tty_busy = true;
	tty->output(s, len);
	tty_busy = false;
	tty_drain_input();
	tty_unlock_irqrestore(flags);
}

/* --- controlling terminals and job control -------------------------------- */

/* Kernel threads have session 0; init is a leader already before its exec. */
static bool is_session_leader(const struct task *t)
{
	return t->sid > 0 && t->sid == t->tgid;
}

static bool task_alive(const struct task *t)
{
	return t->state != TASK_ZOMBIE && t->state != TASK_DEAD;
}

/* Is there a live task in session @sid (and process group @pgid if not 0)? */
static bool group_exists(int sid, int pgid)
{
	unsigned long flags = tty_lock_irqsave();
	bool found = false;
	struct task *t;

	list_for_each_entry(t, &all_tasks, all_node) {
		if (task_alive(t) && t->sid == sid && (!pgid || t->pgid == pgid)) {
			found = true;
			break;
		}
	}
	tty_unlock_irqrestore(flags);
	return found;
}

/*
 * A process group is orphaned when no member has a parent in another group
 * of the same session: no shell is left to continue it after a stop, so
 * job control answers EIO instead of stopping it.
 */
static bool pgrp_orphaned(int pgid)
{
	unsigned long flags = tty_lock_irqsave();
	bool orphaned = true;
	struct task *t;

	list_for_each_entry(t, &all_tasks, all_node) {
		if (!task_alive(t) || t->pgid != pgid || !t->parent)
			continue;
		if (t->parent->pgid != pgid && t->parent->sid == t->sid) {
			orphaned = false;
			break;
		}
	}
	tty_unlock_irqrestore(flags);
	return orphaned;
}

static bool signal_ignored_or_blocked(const struct task *t, int sig)
{
	if (t->sig_blocked & SIGMASK(sig))
		return true;
	return t->sighand && t->sighand->action[sig - 1].handler == SIG_IGN;
}

/*
 * May the caller read (@sig SIGTTIN) or change (SIGTTOU) @tty? Only the
 * foreground process group of the terminal's session may. A background
 * group is sent @sig and the call restarts once it is continued; SIGTTOU
 * ignored or blocked lets the change through (shells rely on that), SIGTTIN
 * ignored or blocked, or an orphaned group, fails with EIO.
 */
static int tty_job_check(struct tty *tty, int sig)
{
	struct task *t = current;

	if (t->tty != tty || tty->fg_pgrp <= 0 || t->pgid == tty->fg_pgrp)
		return 0;
	if (signal_ignored_or_blocked(t, sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (pgrp_orphaned(t->pgid))
		return -EIO;
	kill_pgrp(t->pgid, sig);
	return -ERESTARTSYS;
}

/* Make @tty the controlling terminal of the caller's session. */
static void tty_attach(struct tty *tty)
{
	current->tty = tty;
	tty->session = current->sid;
	tty->fg_pgrp = current->pgid;
}

/* Take @tty from its session: no task keeps it as controlling terminal. */
static void tty_detach(struct tty *tty)
{
	unsigned long flags = tty_lock_irqsave();
	struct task *t;

	list_for_each_entry(t, &all_tasks, all_node)
		if (t->tty == tty)
			t->tty = NULL;
	tty->session = 0;
	tty->fg_pgrp = 0;
	tty_unlock_irqrestore(flags);
}

/* Free to become a controlling terminal: no live session holds it. */
static bool tty_unowned(struct tty *tty)
{
	return tty->session <= 0 || !group_exists(tty->session, 0);
}

/*
 * Opening a terminal makes it the controlling terminal of a session leader
 * that has none. Unlike Linux, /dev/console qualifies too, so a shell run
 * as init on the console gets job control.
 */
static void tty_open_ctty(struct tty *tty)
{
	if (is_session_leader(current) && !current->tty && tty_unowned(tty))
		tty_attach(tty);
}

void tty_session_exit(struct task *leader)
{
	struct tty *tty = leader->tty;
	int pgrp;

	if (!tty)
		return;
	if (tty->session != leader->sid) {
		leader->tty = NULL;
		return;
	}
	pgrp = tty->fg_pgrp;
	tty_detach(tty);
	if (pgrp > 0) {
		kill_pgrp(pgrp, SIGHUP);
		kill_pgrp(pgrp, SIGCONT);
	}
}

/* --- reading and writing ---------------------------------------------------- */

/*
 * Sleep until input is ready, a signal arrives (-ERESTARTSYS) or, when
 * @deadline (ktime_ns) is not 0, until then (-ETIMEDOUT).
 */
static bool tty_input_ready(struct tty *tty)
{
	unsigned long flags = tty_lock_irqsave();
	bool ready = n_tty_input_ready(&tty->ld, false);

	tty_unlock_irqrestore(flags);
	return ready;
}

static int tty_wait_input(struct tty *tty, uint64_t deadline)
{
	struct wait_entry e = { .task = current };
	int ret = 0;

	if (!deadline)
		return wait_event_interruptible(tty->read_wq, tty_input_ready(tty));
	for (;;) {
		prepare_to_wait(&tty->read_wq, &e, TASK_INTERRUPTIBLE);
		if (tty_input_ready(tty))
			break;
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (ktime_ns() >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		schedule_until(deadline);	/* the tick wakes us then */
	}
	finish_wait(&tty->read_wq, &e);
	return ret;
}

/*
 * Canonical mode returns one line. Otherwise VMIN and VTIME decide: MIN
 * bytes (or fewer if @n is smaller), with TIME as an inter-byte timer once
 * one has arrived; with MIN 0, whatever arrives within TIME (at once if 0).
 */
static long tty_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct tty *tty = f->priv;
	uint64_t deadline = 0;
	size_t got = 0;
	int err;

	if (!n)
		return 0;
	err = tty_job_check(tty, SIGTTIN);
	if (err)
		return err;
	for (;;) {
		const struct termios *t = &tty->ld.termios;
		unsigned int vmin = t->c_cc[VMIN], vtime = t->c_cc[VTIME];
		unsigned long flags = tty_lock_irqsave();
		long r = n_tty_read(&tty->ld, buf + got, n - got);

		tty_unlock_irqrestore(flags);
		if (t->c_lflag & ICANON) {
			if (r >= 0)
				return (long)got + r;
			if (got)
				return (long)got;
		} else {
			if (r > 0)
				got += (size_t)r;
			if (got == n || (vmin && got >= vmin) || (!vmin && (got || !vtime)))
				return (long)got;
			if (vtime && (vmin ? r > 0 : !deadline))
				deadline = ktime_ns() + vtime * 100000000ULL;
		}
		if (f->flags & O_NONBLOCK)
			return got ? (long)got : -EAGAIN;
		err = tty_wait_input(tty, deadline);
		if (err == -ETIMEDOUT)
			return (long)got;
		if (err)
			return got ? (long)got : err;
	}
}

static long tty_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct tty *tty = f->priv;
	size_t done = 0;
	int err;

	if (tty->ld.termios.c_lflag & TOSTOP) {
		err = tty_job_check(tty, SIGTTOU);
		if (err)
			return err;
	}
	while (done < n) {
		size_t chunk = MIN(n - done, (size_t)TTY_WRITE_CHUNK);
		unsigned long flags;

		err = wait_event_interruptible(tty->write_wq, !tty->ld.stopped);
		if (err)
			return done ? (long)done : err;
		flags = tty_lock_irqsave();
		tty_busy = true;
		n_tty_write(&tty->ld, buf + done, chunk);
		tty_busy = false;
		tty_drain_input();	/* e.g. the vt's reply to ESC[6n */
		tty_unlock_irqrestore(flags);
		done += chunk;
	}
	return (long)done;
}

static unsigned int tty_poll(struct file *f, struct poll_table *pt)
{
	struct tty *tty = f->priv;
	unsigned int mask = 0;

	poll_wait(f, &tty->read_wq, pt);
	poll_wait(f, &tty->write_wq, pt);
	if (n_tty_input_ready(&tty->ld, true))
		mask |= POLLIN;
	if (!tty->ld.stopped)
		mask |= POLLOUT;
	return mask;
}

/* --- ioctls ------------------------------------------------------------------ */

static int tty_set_termios(struct tty *tty, unsigned int cmd, const void __user *arg)
{
	struct termios t;
	unsigned long flags;
	int err;

	if (copy_from_user(&t, arg, sizeof(t)))
		return -EFAULT;
	err = tty_job_check(tty, SIGTTOU);
	if (err)
		return err;
	/* output is written synchronously, so TCSETSW has nothing to wait for */
	flags = tty_lock_irqsave();
	if (cmd == TCSETSF)
		n_tty_flush_input(&tty->ld);
	n_tty_set_termios(&tty->ld, &t);
	tty_unlock_irqrestore(flags);
	tty_wake(tty);
	return 0;
}

static int tty_set_winsize(struct tty *tty, const void __user *arg)
{
	struct winsize ws;

	if (copy_from_user(&ws, arg, sizeof(ws)))
		return -EFAULT;
	if (!memcmp(&ws, &tty->winsize, sizeof(ws)))
		return 0;
	tty->winsize = ws;
	if (tty->fg_pgrp > 0)
		kill_pgrp(tty->fg_pgrp, SIGWINCH);
	return 0;
}

/* TIOCSPGRP: only within the caller's session, on its controlling terminal. */
static int tty_set_pgrp(struct tty *tty, const int __user *arg)
{
	int pgrp, err;

	if (current->tty != tty || tty->session != current->sid)
		return -ENOTTY;
	err = tty_job_check(tty, SIGTTOU);
	if (err)
		return err;
	if (get_user(pgrp, arg))
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	if (!group_exists(current->sid, pgrp))
		return -EPERM;
	tty->fg_pgrp = pgrp;
	return 0;
}

/* TIOCSCTTY: a session leader takes @tty; @steal (root) takes it from another. */
static int tty_set_ctty(struct tty *tty, unsigned long steal)
{
	if (current->tty == tty && tty->session == current->sid)
		return 0;
	if (!is_session_leader(current) || current->tty)
		return -EPERM;
	if (!tty_unowned(tty)) {
		if (steal != 1 || current->cred.euid != 0)
			return -EPERM;
		tty_detach(tty);
	}
	tty_attach(tty);
	return 0;
}

/* TIOCNOTTY: drop the controlling terminal; a session leader frees it. */
static int tty_no_ctty(struct tty *tty)
{
	if (current->tty != tty)
		return -ENOTTY;
	if (is_session_leader(current))
		tty_session_exit(current);
	else
		current->tty = NULL;
	return 0;
}

static int tty_flow(struct tty *tty, unsigned long arg)
{
	uint8_t c;
	int err = tty_job_check(tty, SIGTTOU);

	if (err)
		return err;
	switch (arg) {
	case TCOOFF:
	case TCOON:
		tty->ld.stopped = arg == TCOOFF;
		tty_wake(tty);
		return 0;
	case TCIOFF:
	case TCION:
		c = tty->ld.termios.c_cc[arg == TCIOFF ? VSTOP : VSTART];
		if (c != POSIX_VDISABLE)
			tty_put_raw(tty, (const char *)&c, 1);
		return 0;
	}
	return -EINVAL;
}

static int tty_flush(struct tty *tty, unsigned long arg)
{
	unsigned long flags;
	int err;

	if (arg != TCIFLUSH && arg != TCOFLUSH && arg != TCIOFLUSH)
		return -EINVAL;
	err = tty_job_check(tty, SIGTTOU);
	if (err)
		return err;
	if (arg != TCOFLUSH) {		/* output is never queued */
		flags = tty_lock_irqsave();
		n_tty_flush_input(&tty->ld);
		tty_unlock_irqrestore(flags);
	}
	return 0;
}

static long tty_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct tty *tty = f->priv;
	void __user *uarg = (void __user *)arg;
	unsigned long flags;
	int v;
	char c;

	switch (cmd) {
	case TCGETS:
		return copy_to_user(uarg, &tty->ld.termios, sizeof(struct termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return tty_set_termios(tty, cmd, uarg);
	case TIOCGWINSZ:
		return copy_to_user(uarg, &tty->winsize, sizeof(struct winsize));
	case TIOCSWINSZ:
		return tty_set_winsize(tty, uarg);
	case TIOCGPGRP:
		if (current->tty != tty)
			return -ENOTTY;
		return put_user(tty->fg_pgrp, (int __user *)uarg);
	case TIOCSPGRP:
		return tty_set_pgrp(tty, uarg);
	case TIOCGSID:
		if (current->tty != tty || tty->session <= 0)
			return -ENOTTY;
		return put_user(tty->session, (int __user *)uarg);
	case TIOCSCTTY:
		return tty_set_ctty(tty, arg);
	case TIOCNOTTY:
		return tty_no_ctty(tty);
	case FIONREAD:
		flags = tty_lock_irqsave();
		v = (int)n_tty_input_count(&tty->ld);
		tty_unlock_irqrestore(flags);
		return put_user(v, (int __user *)uarg);
	case TIOCOUTQ:
		return put_user(0, (int __user *)uarg);
	case TCFLSH:
		return tty_flush(tty, arg);
	case TCXONC:
		return tty_flow(tty, arg);
	case TIOCSTI:
		if (current->tty != tty && current->cred.euid != 0)
			return -EPERM;
		if (get_user(c, (char __user *)uarg))
			return -EFAULT;
		tty_receive(tty, &c, 1);
		return 0;
	case FIONBIO:
		if (get_user(v, (int __user *)uarg))
			return -EFAULT;
		if (v)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~O_NONBLOCK;
		return 0;
	case TIOCGETD:
		return put_user(N_TTY, (int __user *)uarg);
	case TIOCSETD:
		if (get_user(v, (int __user *)uarg))
			return -EFAULT;
		return v == N_TTY ? 0 : -EINVAL;
	case TCSBRK:		/* tcdrain(): output is already out */
	case TCSBRKP:
	case TIOCSBRK:
	case TIOCCBRK:
	case TIOCEXCL:
	case TIOCNXCL:
		return 0;
	}
	return -ENOTTY;
}

/* /dev/tty opens the caller's controlling terminal, the others themselves. */
static int tty_open(struct inode *ino, struct file *f)
{
	struct tty *tty;
	unsigned long flags;

	if (ino->rdev == TTY_RDEV_CTTY) {
		tty = current->tty;
		if (!tty)
			return -ENXIO;
	} else {
		tty = tty_by_rdev(ino->rdev);
		if (!tty)
			return -ENXIO;
		if (!(f->flags & O_NOCTTY))
			tty_open_ctty(tty);
	}
	f->priv = tty;
	flags = tty_lock_irqsave();
	tty->open_count++;
	tty_unlock_irqrestore(flags);
	return 0;
}

static void tty_release(struct inode *ino, struct file *f)
{
	struct tty *tty = f->priv;
	unsigned long flags;

	if (!tty)
		return;
	flags = tty_lock_irqsave();
	tty->open_count--;
	tty_unlock_irqrestore(flags);
}

static const struct file_ops tty_fops = {
	.open = tty_open,
	.release = tty_release,
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
};

/* --- setup ------------------------------------------------------------------- */

static void tty_setup(struct tty *tty, uint16_t cols, uint16_t rows)
{
	n_tty_init(&tty->ld, &tty_ld_ops);
	tty->ld.termios.c_iflag |= IUTF8;	/* every terminal here speaks UTF-8 */
	tty->winsize = (struct winsize){ .ws_row = rows, .ws_col = cols };
	wait_queue_init(&tty->read_wq);
	wait_queue_init(&tty->write_wq);
}

static int tty_register(struct tty *tty, const char *name, uint32_t rdev, uint32_t perm)
{
	int err = devfs_register(name, S_IFCHR | perm, rdev, &tty_fops, tty);

	if (err)
		pr_err("cannot register /dev/%s: error %d\n", name, err);
	return err;
}

/* Runs after the consoles (device_initcall) so the screen's size is known. */
static int tty_init(void)
{
	const char *con = cmdline_get("console");
	struct vt *vt = NULL;

#if defined(CONFIG_FB_CONSOLE) || defined(CONFIG_VGA_CONSOLE)
	vt = vt_screen();
#endif
	if (!vt)
		console_outputs = CONSOLE_SERIAL;
	else if (con && !strcmp(con, "ttyS0"))
		console_outputs = CONSOLE_SERIAL;
	else if (con && !strcmp(con, "tty0"))
		console_outputs = CONSOLE_SCREEN;

	/* the console's size is the screen's when the screen shows it */
	if (console_outputs & CONSOLE_SCREEN)
		tty_setup(&console_tty, (uint16_t)vt->cols, (uint16_t)vt->rows);
	else
		tty_setup(&console_tty, 80, 24);
	console_tty.ld.termios.c_cflag = B115200 | CS8 | CREAD | HUPCL | CLOCAL;
	tty_register(&console_tty, "console", TTY_RDEV_CONSOLE, 0600);
	tty_register(&console_tty, "tty", TTY_RDEV_CTTY, 0666);
#ifdef CONFIG_SERIAL_8250
	tty_setup(&serial_tty, 80, 24);
	serial_tty.ld.termios.c_cflag = B115200 | CS8 | CREAD | HUPCL | CLOCAL;
	serial_tty.registered = !tty_register(&serial_tty, "ttyS0", TTY_RDEV_SERIAL, 0660);
#endif
	if (vt) {
		tty_setup(&screen_tty, (uint16_t)vt->cols, (uint16_t)vt->rows);
		screen_tty.registered = !tty_register(&screen_tty, "tty0", TTY_RDEV_TTY0, 0620);
		tty_register(&screen_tty, "tty1", TTY_RDEV_TTY1, 0620);
	}
	input_set_handler(tty_input_handler);	/* also takes what was typed during boot */
	pr_info("/dev/console is %ux%u, on %s%s%s\n", console_tty.winsize.ws_col,
		console_tty.winsize.ws_row, console_outputs & CONSOLE_SERIAL ? "ttyS0" : "",
		console_outputs == (CONSOLE_SERIAL | CONSOLE_SCREEN) ? " and " : "",
		console_outputs & CONSOLE_SCREEN ? "tty0" : "");
	return 0;
}
late_initcall(tty_init);
