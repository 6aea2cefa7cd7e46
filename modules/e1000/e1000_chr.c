/*
 * The e1000 user interface: a misc character device per adapter,
 * /dev/e1000-N, that moves whole Ethernet frames (no network stack):
 *
 *   write()  sends exactly one frame, 14 to 1514 bytes (destination MAC,
 *            source MAC, type, payload; the device adds the CRC), else
 *            EINVAL; blocks while the transmit ring is full
 *   read()   returns exactly one received frame, cut to the buffer if it
 *            is shorter; blocks until one arrives (EAGAIN with O_NONBLOCK)
 *   poll()   POLLIN when a frame is queued, POLLOUT when one can be sent
 *
 * Frames are queued only while the device is open, at most E1000_RXQ_LEN;
 * a full queue drops its oldest frame (counted as rx_dropped). Every open
 * file shares the one queue. /proc/net/e1000-N shows the counters.
 */
#include "drivers/base/device.h"
#include "fs/vfs.h"
#include "kernel/sched.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "modules/e1000/e1000.h"

static int e1000_chr_open(struct inode *ino, struct file *f)
{
	struct e1000_nic *nic = f->priv;
	unsigned long flags;

	spin_lock_irqsave(&nic->lock, flags);
	nic->open_files++;
	spin_unlock_irqrestore(&nic->lock, flags);
	return 0;
}

static void e1000_chr_release(struct inode *ino, struct file *f)
{
	struct e1000_nic *nic = f->priv;
	unsigned long flags;

	spin_lock_irqsave(&nic->lock, flags);
	if (--nic->open_files == 0)
		nic->rxq_count = 0;	/* nobody will read them */
	spin_unlock_irqrestore(&nic->lock, flags);
}

static long e1000_chr_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct e1000_nic *nic = f->priv;
	struct e1000_frame *fr;
	unsigned long flags;
	long ret;

	if (!n)
		return 0;
	for (;;) {
		spin_lock_irqsave(&nic->lock, flags);
		if (nic->gone || nic->rxq_count)
			break;
		spin_unlock_irqrestore(&nic->lock, flags);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(nic->rx_wait,
					       READ_ONCE(nic->rxq_count) || READ_ONCE(nic->gone));
		if (ret)
			return ret;
	}
	if (nic->gone) {
		ret = -ENODEV;
	} else {
		fr = &nic->rxq[nic->rxq_head];
		ret = MIN(n, (size_t)fr->len);
		memcpy(buf, fr->data, (size_t)ret);
		nic->rxq_head = (nic->rxq_head + 1) % E1000_RXQ_LEN;
		nic->rxq_count--;
	}
	spin_unlock_irqrestore(&nic->lock, flags);
	return ret;
}

static long e1000_chr_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct e1000_nic *nic = f->priv;
	bool counted = false;
	unsigned long flags;
	int err;

	if (n < ETH_HLEN || n > ETH_FRAME_LEN)
		return -EINVAL;
	for (;;) {
		spin_lock_irqsave(&nic->lock, flags);
		err = nic->gone ? -ENODEV : e1000_xmit_locked(nic, buf, n);
		if (err != -EAGAIN)
			break;
		if (!counted)
			nic->stats.tx_ring_full++;
		counted = true;
		spin_unlock_irqrestore(&nic->lock, flags);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(nic->tx_wait, !e1000_tx_ring_full(nic) ||
							     READ_ONCE(nic->gone));
		if (err)
			return err;
	}
	spin_unlock_irqrestore(&nic->lock, flags);
	return err ? err : (long)n;
}

static unsigned int e1000_chr_poll(struct file *f, struct poll_table *pt)
{
	struct e1000_nic *nic = f->priv;
	unsigned int mask = 0;
	unsigned long flags;

	poll_wait(f, &nic->rx_wait, pt);
	poll_wait(f, &nic->tx_wait, pt);
	spin_lock_irqsave(&nic->lock, flags);
	if (nic->gone)
		mask = POLLERR | POLLHUP;
	else {
		if (nic->rxq_count)
			mask |= POLLIN;
		if (!e1000_tx_ring_full(nic))
			mask |= POLLOUT;
	}
	spin_unlock_irqrestore(&nic->lock, flags);
	return mask;
}

static const struct file_ops e1000_chr_fops = {
	.open = e1000_chr_open,
	.release = e1000_chr_release,
	.read = e1000_chr_read,
	.write = e1000_chr_write,
	.poll = e1000_chr_poll,
};

/* --- /proc/net/e1000-N ---------------------------------------------------------------- */
/* A show function has no argument, so each index gets a small one of its own. */
static long e1000_proc_show(int index, char *buf, size_t size)
{
	struct e1000_nic *nic = e1000_nics[index];
	struct e1000_stats s;
	unsigned long flags;
	char link[32] = "down";
	const uint8_t *m;

	if (!nic)
		return -ENODEV;
	spin_lock_irqsave(&nic->lock, flags);	/* one consistent snapshot */
	s = nic->stats;
	if (nic->link_up)
		snprintf(link, sizeof(link), "up %u Mbps %s duplex", nic->speed,
			 nic->full_duplex ? "full" : "half");
	spin_unlock_irqrestore(&nic->lock, flags);
	m = nic->mac;
	return snprintf(buf, size,
			"device:       %s\n"
			"pci:          %s\n"
			"mac:          %02x:%02x:%02x:%02x:%02x:%02x\n"
			"irq:          %u\n"
			"link:         %s\n"
			"rx_packets:   %llu\n"
			"rx_bytes:     %llu\n"
			"rx_dropped:   %llu\n"
			"rx_no_reader: %llu\n"
			"rx_errors:    %llu\n"
			"rx_overruns:  %llu\n"
			"rx_missed:    %llu\n"
			"rx_no_buffer: %llu\n"
			"crc_errors:   %llu\n"
			"tx_packets:   %llu\n"
			"tx_bytes:     %llu\n"
			"tx_ring_full: %llu\n"
			"interrupts:   %llu\n",
			nic->name, pci_name(nic->pdev), m[0], m[1], m[2], m[3], m[4], m[5],
			nic->irq, link, (unsigned long long)s.rx_packets,
			(unsigned long long)s.rx_bytes, (unsigned long long)s.rx_dropped,
			(unsigned long long)s.rx_no_reader, (unsigned long long)s.rx_errors,
			(unsigned long long)s.rx_overruns, (unsigned long long)s.rx_missed,
			(unsigned long long)s.rx_no_buffer, (unsigned long long)s.crc_errors,
			(unsigned long long)s.tx_packets, (unsigned long long)s.tx_bytes,
			(unsigned long long)s.tx_ring_full, (unsigned long long)s.interrupts);
}

#define E1000_PROC_SHOW(n)                                                    \
	static long e1000_proc_show##n(char *buf, size_t size)                \
	{                                                                     \
		return e1000_proc_show(n, buf, size);                         \
	}
E1000_PROC_SHOW(0)
E1000_PROC_SHOW(1)
E1000_PROC_SHOW(2)
E1000_PROC_SHOW(3)

static long (*const e1000_proc_shows[E1000_MAX_NICS])(char *, size_t) = {
	e1000_proc_show0, e1000_proc_show1, e1000_proc_show2, e1000_proc_show3,
};

/* --- registration ----------------------------------------------------------------------- */
int e1000_chr_register(struct e1000_nic *nic)
{
	int err;

	nic->misc = (struct misc_device){
		.name = nic->name, .mode = 0666, .fops = &e1000_chr_fops, .priv = nic,
	};
	err = misc_register(&nic->misc);
	if (err)
		return err;
	err = procfs_register(nic->proc_name, e1000_proc_shows[nic->index]);
	if (err) {
		misc_deregister(&nic->misc);
		return err;
	}
	return 0;
}

/*
 * Sleepers in poll() keep an entry on our wait queues until they run
 * again, and the queues are about to be freed: wake them and let them go.
 */
static void e1000_drain_waiters(struct wait_queue *wq)
{
	for (int i = 0; i < 1000 && !list_empty(&wq->sleepers); i++) {
		wake_up(wq);
		sleep_ns(1000000);
	}
}

/*
 * Called with nic->gone set: sleeping readers and writers wake, see it and
 * return ENODEV; misc_deregister waits for them, and after it the node's
 * calls fail with ENODEV without entering this module.
 */
void e1000_chr_unregister(struct e1000_nic *nic)
{
	procfs_unregister(nic->proc_name);
	wake_up(&nic->rx_wait);
	wake_up(&nic->tx_wait);
	misc_deregister(&nic->misc);
	e1000_drain_waiters(&nic->rx_wait);
	e1000_drain_waiters(&nic->tx_wait);
}
