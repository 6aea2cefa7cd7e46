/*
 * edu: a driver for QEMU's educational PCI device (-device edu, 1234:11e8;
 * QEMU's docs/specs/edu.rst). BAR0 holds its registers: a factorial unit
 * and a DMA engine with 4 KiB of device memory, both signalling completion
 * with an interrupt, which this driver takes as an MSI, or on the shared,
 * level-triggered INTx line with intx=1 (irq_poll=1 polls the status
 * registers instead).
 *
 *   /dev/edu      write a decimal n (0-12), read back n! computed by the device
 *   /dev/edu_dma  write data (up to 4095 bytes): it goes to the device's
 *                 memory by DMA and comes back by DMA into a second buffer,
 *                 which must match; read fetches the device's memory again
 */
#include <asm/cpu.h>
#include <asm/io.h>
#include "drivers/base/device.h"
#include "drivers/pci/pci.h"
#include "fs/vfs.h"
#include "kernel/module.h"
#include "kernel/sched.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

MODULE_NAME("edu");
MODULE_VERSION("1.0");
MODULE_DESCRIPTION("QEMU edu device: factorials and DMA, with MSI");
MODULE_AUTHOR("Basalt");
MODULE_LICENSE("GPL");

static bool irq_poll;
module_param_bool(irq_poll, "poll the status registers instead of using interrupts");
static bool intx;
module_param_bool(intx, "use the shared INTx line instead of MSI");
static int dma_bits = 28;
module_param_int(dma_bits, "address bits the device's DMA engine uses (its dma_mask)");
/* DMA round trips and the TSC ticks they took, all and waiting for the device (/proc/edu_dma) */
static uint64_t rt_count, rt_ticks, rt_device_ticks;
static bool streaming;
module_param_bool(streaming, "lend the device freshly kmalloc'd buffers with dma_map_single "
			     "for each transfer, instead of the coherent buffer");

/* registers in BAR0 */
#define EDU_ID			0x00	/* 0xRRrr00ed: major, minor */
#define EDU_LIVENESS		0x04	/* reads back the bitwise inverse */
#define EDU_FACTORIAL		0x08
#define EDU_STATUS		0x20
#define  EDU_STATUS_COMPUTING	0x01
#define  EDU_STATUS_IRQ_FACT	0x80	/* interrupt when the factorial is done */
#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_RAISE		0x60
#define EDU_IRQ_ACK		0x64
#define EDU_DMA_SRC		0x80	/* 64-bit registers from here on */
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define  EDU_DMA_START		0x01
#define  EDU_DMA_TO_RAM		0x02	/* direction: device memory -> RAM */
#define  EDU_DMA_IRQ		0x04
#define EDU_DMA_BUF		0x40000	/* the device's memory, as the engine sees it */
#define EDU_DMA_BUF_SIZE	4096
/*
 * QEMU 7.2 stops the whole VM ("hardware error") on a transfer that ends
 * exactly at the end of the device's buffer, so its last byte is not used.
 */
#define EDU_DMA_USABLE		(EDU_DMA_BUF_SIZE - 1)

/* interrupt status bits */
#define EDU_IRQ_FACT		0x00000001
#define EDU_IRQ_DMA		0x00000100
#define EDU_IRQ_TEST		0x00010000	/* raised by hand at probe */

#define EDU_MAX_N		12	/* 13! does not fit the 32-bit register */
#define EDU_TIMEOUT_NS		2000000000ULL

struct edu {
	struct pci_dev *pdev;
	volatile uint8_t *regs;
	bool use_msi;		/* interrupt-driven (MSI or INTx), not polling */
	unsigned int irq;
	struct wait_queue irq_wq;	/* woken by the interrupt handler */
	volatile uint32_t irq_seen;	/* status bits the handler acknowledged */
	volatile uint64_t irqs;
	bool busy;			/* one operation at a time */
	struct wait_queue busy_wq;
	char result[24];		/* last factorial, as text */
	uint8_t *dma_out, *dma_in;	/* host buffers: to the device, from it */
	uint64_t dma_out_bus, dma_in_bus;
	size_t dma_len;			/* bytes of device memory written so far */
	struct misc_device fact_dev, dma_dev;
};

static struct edu *edu;		/* one device at a time */

static uint32_t edu_read(struct edu *e, unsigned int reg)
{
	return readl(e->regs + reg);
}

static void edu_write(struct edu *e, unsigned int reg, uint32_t v)
{
	writel(v, e->regs + reg);
}

static void edu_write64(struct edu *e, unsigned int reg, uint64_t v)
{
	writeq(v, e->regs + reg);
}

/*
 * The interrupt handler, for MSI or the INTx line it may share with other
 * devices: the status register says whether it is ours; acknowledge what
 * the device raised and wake the waiter.
 */
static irqreturn_t edu_irq(int irq, void *ctx)
{
	struct edu *e = ctx;
	uint32_t status = edu_read(e, EDU_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	edu_write(e, EDU_IRQ_ACK, status);
	__atomic_or_fetch(&e->irq_seen, status, __ATOMIC_SEQ_CST);
	e->irqs++;
	wake_up(&e->irq_wq);
	return IRQ_HANDLED;
}

/*
 * Sleep until the handler has seen @bit, at most EDU_TIMEOUT_NS. Like
 * wait_event_interruptible, with a deadline the scheduler's timed wake-up
 * enforces. 0, -ETIMEDOUT or -ERESTARTSYS.
 */
static int edu_wait_irq(struct edu *e, uint32_t bit)
{
	uint64_t deadline = ktime_ns() + EDU_TIMEOUT_NS;
	struct wait_entry w = { .task = current };
	int ret = 0;

	for (;;) {
		prepare_to_wait(&e->irq_wq, &w, TASK_INTERRUPTIBLE);
		if (__atomic_load_n(&e->irq_seen, __ATOMIC_ACQUIRE) & bit)
			break;
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (ktime_ns() >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		schedule_until(deadline);
	}
	finish_wait(&e->irq_wq, &w);
	__atomic_and_fetch(&e->irq_seen, ~bit, __ATOMIC_SEQ_CST);
	return ret;
}

/* Poll until (@reg & @mask) == 0, sleeping a millisecond between reads. */
static int edu_poll_clear(struct edu *e, unsigned int reg, uint32_t mask)
{
	uint64_t deadline = ktime_ns() + EDU_TIMEOUT_NS;

	while (edu_read(e, reg) & mask) {
		if (ktime_ns() >= deadline)
			return -ETIMEDOUT;
		sleep_ns(1000000);
	}
	return 0;
}

/* Take the device; an operation left behind by a signal is let finish first. */
static int edu_get(struct edu *e)
{
	int err = wait_event_interruptible(e->busy_wq, !e->busy);

	if (err)
		return err;
	e->busy = true;
	err = edu_poll_clear(e, EDU_STATUS, EDU_STATUS_COMPUTING);
	if (!err)
		err = edu_poll_clear(e, EDU_DMA_CMD, EDU_DMA_START);
	if (err) {
		pci_err(e->pdev, "device stays busy\n");
		e->busy = false;
		wake_up(&e->busy_wq);
	}
	return err;
}

static void edu_put(struct edu *e)
{
	e->busy = false;
	wake_up(&e->busy_wq);
}

/* --- factorials: /dev/edu ------------------------------------------------------------ */
static int edu_factorial(struct edu *e, uint32_t n, uint32_t *result)
{
	int err;

	__atomic_and_fetch(&e->irq_seen, ~EDU_IRQ_FACT, __ATOMIC_SEQ_CST);
	edu_write(e, EDU_STATUS, e->use_msi ? EDU_STATUS_IRQ_FACT : 0);
	edu_write(e, EDU_FACTORIAL, n);
	if (e->use_msi)
		err = edu_wait_irq(e, EDU_IRQ_FACT);
	else
		err = edu_poll_clear(e, EDU_STATUS, EDU_STATUS_COMPUTING);
	if (err)
		return err;
	*result = edu_read(e, EDU_FACTORIAL);
	return 0;
}

static long edu_fact_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct edu *e = f->priv;
	char text[24], *end;
	unsigned long long v;
	uint32_t result;
	int err;

	if (n >= sizeof(text))
		return -EINVAL;
	memcpy(text, buf, n);
	text[n] = '\0';
	v = kstrtoull(text, &end, 10);
	while (*end == ' ' || *end == '\n' || *end == '\t')
		end++;
	if (end == text || *end || v > EDU_MAX_N)
		return -EINVAL;
	err = edu_get(e);
	if (err)
		return err;
	err = edu_factorial(e, (uint32_t)v, &result);
	if (!err)
		snprintf(e->result, sizeof(e->result), "%u\n", result);
	edu_put(e);
	if (err) {
		pci_err(e->pdev, "factorial of %llu failed: error %d\n", v, err);
		return err;
	}
	return (long)n;
}

static long edu_fact_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct edu *e = f->priv;
	size_t len = strlen(e->result);

	if (*pos >= len)
		return 0;
	n = MIN(n, len - *pos);
	memcpy(buf, e->result + *pos, n);
	*pos += n;
	return (long)n;
}

static const struct file_ops edu_fact_fops = {
	.read = edu_fact_read,
	.write = edu_fact_write,
};

/* --- DMA: /dev/edu_dma --------------------------------------------------------------- */
/* Move @count bytes between host bus address @host and device offset @off. */
static int edu_dma(struct edu *e, uint64_t host, unsigned int off, size_t count, bool to_ram)
{
	uint32_t cmd = EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0);
	int err;

	uint64_t t0 = rdtsc();

	if (!count || off + count > EDU_DMA_USABLE)	/* QEMU stops on a bad range */
		return -EINVAL;
	__atomic_and_fetch(&e->irq_seen, ~EDU_IRQ_DMA, __ATOMIC_SEQ_CST);
	edu_write64(e, EDU_DMA_SRC, to_ram ? EDU_DMA_BUF + off : host);
	edu_write64(e, EDU_DMA_DST, to_ram ? host : EDU_DMA_BUF + off);
	edu_write64(e, EDU_DMA_COUNT, count);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* the buffer is written before the start */
	edu_write64(e, EDU_DMA_CMD, cmd | (e->use_msi ? EDU_DMA_IRQ : 0));
	if (e->use_msi)
		err = edu_wait_irq(e, EDU_IRQ_DMA);
	else
		err = edu_poll_clear(e, EDU_DMA_CMD, EDU_DMA_START);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	rt_device_ticks += rdtsc() - t0;
	return err;
}

/*
 * The same round trip through buffers the driver maps for the one transfer,
 * as a network or disk driver does: -EILSEQ if the data came back different.
 */
static int edu_dma_streaming(struct edu *e, const char *buf, unsigned int off, size_t n)
{
	struct device *dev = &e->pdev->dev;
	uint8_t *out = kmalloc(n), *in = kzalloc(n);
	uint64_t bus;
	int err = -ENOMEM;

	if (!out || !in)
		goto out;
	memcpy(out, buf, n);
	err = -EIO;
	bus = dma_map_single(dev, out, n, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, bus))
		goto out;
	err = edu_dma(e, bus, off, n, false);
	dma_unmap_single(dev, bus, n, DMA_TO_DEVICE);
	if (err)
		goto out;
	err = -EIO;
	bus = dma_map_single(dev, in, n, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, bus))
		goto out;
	err = edu_dma(e, bus, off, n, true);
	dma_unmap_single(dev, bus, n, DMA_FROM_DEVICE);
	if (!err && memcmp(out, in, n))
		err = -EILSEQ;
out:
	kfree(out);
	kfree(in);
	return err;
}

static long edu_dma_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct edu *e = f->priv;
	unsigned int off = (unsigned int)*pos;
	uint64_t t0;
	int err;

	if (*pos >= EDU_DMA_USABLE)
		return -ENOSPC;
	n = MIN(n, EDU_DMA_USABLE - off);
	err = edu_get(e);
	if (err)
		return err;
	t0 = rdtsc();
	if (streaming) {
		err = edu_dma_streaming(e, buf, off, n);
	} else {
		memcpy(e->dma_out, buf, n);
		memset(e->dma_in, 0, n);
		err = edu_dma(e, e->dma_out_bus, off, n, false);
		if (!err)
			err = edu_dma(e, e->dma_in_bus, off, n, true);
		if (!err && memcmp(e->dma_out, e->dma_in, n))
			err = -EILSEQ;
	}
	if (err == -EILSEQ) {
		pci_err(e->pdev, "DMA round trip of %zu bytes at offset %u came back different\n",
			n, off);
		err = -EIO;
	}
	if (!err) {
		if (!e->dma_len)	/* the first one: a benchmark makes thousands */
			pci_info(e->pdev, "DMA round trip of %zu bytes at offset %u verified%s\n", n,
				 off, streaming ? " (streaming mappings)" : "");
		e->dma_len = MAX(e->dma_len, off + n);
		rt_count++;
		rt_ticks += rdtsc() - t0;
	}
	edu_put(e);
	if (err)
		return err;
	*pos += n;
	return (long)n;
}

static long edu_dma_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct edu *e = f->priv;
	unsigned int off = (unsigned int)*pos;
	int err;

	if (*pos >= e->dma_len)
		return 0;
	n = MIN(n, e->dma_len - off);
	err = edu_get(e);
	if (err)
		return err;
	err = edu_dma(e, e->dma_in_bus, off, n, true);
	if (!err)
		memcpy(buf, e->dma_in, n);
	edu_put(e);
	if (err)
		return err;
	*pos += n;
	return (long)n;
}

static const struct file_ops edu_dma_fops = {
	.read = edu_dma_read,
	.write = edu_dma_write,
};

/* --- probe and remove ---------------------------------------------------------------- */
/* Raise an interrupt by hand: proves the MSI route before anyone relies on it. */
static int edu_test_irq(struct edu *e)
{
	__atomic_and_fetch(&e->irq_seen, ~EDU_IRQ_TEST, __ATOMIC_SEQ_CST);
	edu_write(e, EDU_IRQ_RAISE, EDU_IRQ_TEST);
	return edu_wait_irq(e, EDU_IRQ_TEST);
}

static void edu_free_irq(struct edu *e)
{
	if (!e->use_msi)
		return;
	free_irq(e->irq, e);
	pci_free_irq_vectors(e->pdev);
	e->use_msi = false;
}

static int edu_setup_irq(struct edu *e)
{
	int err;

	if (irq_poll) {
		pci_info(e->pdev, "polling the device (irq_poll=1)\n");
		return 0;
	}
	err = pci_alloc_irq_vectors(e->pdev, 1, 1, intx ? PCI_IRQ_LEGACY :
				    PCI_IRQ_MSI | PCI_IRQ_LEGACY);
	if (err < 0) {
		pci_warn(e->pdev, "no interrupt (error %d); polling the device instead\n", err);
		return 0;
	}
	e->irq = (unsigned int)pci_irq_vector(e->pdev, 0);
	err = request_irq(e->irq, edu_irq, IRQF_SHARED, "edu", e);
	if (err) {
		pci_warn(e->pdev, "cannot have IRQ %u (error %d); polling instead\n", e->irq, err);
		pci_free_irq_vectors(e->pdev);
		return 0;
	}
	e->use_msi = true;	/* "interrupt-driven", MSI or INTx */
	err = edu_test_irq(e);
	if (err) {
		pci_err(e->pdev, "test interrupt did not arrive (error %d); polling instead\n", err);
		edu_free_irq(e);
	}
	return 0;
}

static int edu_check(struct edu *e)
{
	uint32_t id = edu_read(e, EDU_ID), probe = 0x5a5aa5a5U ^ (uint32_t)ktime_ns();

	if ((id & 0xff) != 0xed) {
		pci_err(e->pdev, "identification register reads %#x, not an edu device\n", id);
		return -ENODEV;
	}
	edu_write(e, EDU_LIVENESS, probe);
	if (edu_read(e, EDU_LIVENESS) != ~probe) {
		pci_err(e->pdev, "liveness check failed\n");
		return -EIO;
	}
	pci_info(e->pdev, "edu device version %u.%u, liveness check passed\n", id >> 24,
		 (id >> 16) & 0xff);
	return 0;
}

static void edu_free(struct edu *e)
{
	if (e->dma_out)
		dma_free_coherent(&e->pdev->dev, 2 * EDU_DMA_BUF_SIZE, e->dma_out, e->dma_out_bus);
	kfree(e);
}

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu *e;
	int err;

	if (edu)
		return -EBUSY;
	if (dma_bits < 20 || dma_bits > 64)
		return -EINVAL;
	e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->pdev = pdev;
	wait_queue_init(&e->irq_wq);
	wait_queue_init(&e->busy_wq);
	pci_enable_device(pdev);
	e->regs = pci_iomap(pdev, 0);
	err = e->regs ? edu_check(e) : -ENXIO;
	if (err)
		goto out_free;
	/* one allocation: the outgoing buffer, then the incoming one */
	dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(dma_bits));
	e->dma_out = dma_alloc_coherent(&pdev->dev, 2 * EDU_DMA_BUF_SIZE, &e->dma_out_bus,
					GFP_KERNEL);
	if (!e->dma_out) {
		err = -ENOMEM;
		goto out_free;
	}
	e->dma_in = e->dma_out + EDU_DMA_BUF_SIZE;
	e->dma_in_bus = e->dma_out_bus + EDU_DMA_BUF_SIZE;
	edu_setup_irq(e);

	e->fact_dev = (struct misc_device){ .name = "edu", .mode = 0666,
					    .fops = &edu_fact_fops, .priv = e };
	e->dma_dev = (struct misc_device){ .name = "edu_dma", .mode = 0666,
					   .fops = &edu_dma_fops, .priv = e };
	err = misc_register(&e->fact_dev);
	if (err)
		goto out_msi;
	err = misc_register(&e->dma_dev);
	if (err)
		goto out_fact;
	pci_set_drvdata(pdev, e);
	edu = e;
	pci_info(pdev, "/dev/edu and /dev/edu_dma ready, DMA buffers at %#lx, %s\n",
		 e->dma_out_bus, !e->use_msi ? "polling" : e->pdev->irq_type == PCI_IRQ_MSI ? "interrupts by MSI" :
		 "interrupts by INTx");
	return 0;

out_fact:
	misc_deregister(&e->fact_dev);
out_msi:
	edu_free_irq(e);
out_free:
	pci_disable_device(pdev);
	edu_free(e);
	return err;
}

static void edu_remove(struct pci_dev *pdev)
{
	struct edu *e = pci_get_drvdata(pdev);

	misc_deregister(&e->dma_dev);	/* waits for calls in progress */
	misc_deregister(&e->fact_dev);
	edu_write(e, EDU_STATUS, 0);
	edu_free_irq(e);
	pci_disable_device(pdev);
	pci_info(pdev, "removed after %lu interrupt(s)\n", (unsigned long)e->irqs);
	edu_free(e);
	edu = NULL;
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ 0 }
};
MODULE_DEVICE_TABLE(pci, edu_ids);
MODULE_ENTITLEMENT("dma");

static struct pci_driver edu_driver = {
	.name = "edu",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};

/* What a round trip costs the CPU: all of it, less the wait for the device. */
static long edu_dma_stats_show(char *buf, size_t size)
{
	return snprintf(buf, size, "round_trips %lu\nticks %lu\ndevice_ticks %lu\nstreaming %d\n",
			(unsigned long)rt_count, (unsigned long)rt_ticks,
			(unsigned long)rt_device_ticks, streaming);
}

static int edu_init(void)
{
	int err = pci_register_driver(&edu_driver);

	if (err)
		return err;
	if (!edu) {
		pr_err("edu: no edu device (start QEMU with -device edu)\n");
		pci_unregister_driver(&edu_driver);
		return -ENODEV;
	}
	procfs_register("edu_dma", edu_dma_stats_show);
	return 0;
}

static void edu_exit(void)
{
	procfs_unregister("edu_dma");
	pci_unregister_driver(&edu_driver);
}

module_init(edu_init);
module_exit(edu_exit);
