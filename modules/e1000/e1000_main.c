/*
 * e1000: a driver for the Intel 82540EM Gigabit Ethernet controller, the
 * network card QEMU emulates as "-device e1000" (8086:100e), and its
 * sibling the 82545EM ("-device e1000-82545em", 8086:100f). Register and
 * descriptor names follow Intel's 8254x Software Developer's Manual (SDM).
 *
 * This file is the PCI driver: probe brings an adapter up (reset, MAC
 * address, rings, interrupt line, /dev and /proc entries), remove takes it
 * down in the reverse order, and a watchdog reports the link and collects
 * the hardware's counters. There is no network stack: user space sends
 * and receives whole Ethernet frames through /dev/e1000-N (e1000_chr.c).
 */
#include <asm/io.h>
#include "kernel/irq.h"
#include "kernel/module.h"
#include "kernel/timer.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"
#include "modules/e1000/e1000.h"

MODULE_NAME("e1000");
MODULE_VERSION("1.0");
MODULE_DESCRIPTION("Intel 8254x (QEMU e1000) Ethernet: raw frames on /dev/e1000-N");
MODULE_AUTHOR("Basalt");
MODULE_LICENSE("GPL");

#define E1000_WATCHDOG_PERIOD	(2 * HZ)
#define E1000_QUIESCE_MS	10	/* for DMA in flight after the units stop */

struct e1000_nic *e1000_nics[E1000_MAX_NICS];

/* --- reset and setup (SDM 14: "General Initialization and Reset Operation") ----- */
/*
 * Quiet the device and reset it: afterwards it raises no interrupt and
 * does no DMA until the rings are programmed again.
 */
static void e1000_reset_hw(struct e1000_nic *nic)
{
	e1000_write(nic, E1000_IMC, ~0U);
	e1000_rings_stop(nic);
	mdelay(E1000_QUIESCE_MS);
	e1000_write(nic, E1000_CTRL, e1000_read(nic, E1000_CTRL) | E1000_CTRL_RST);
	for (int i = 0; i < 100 && (e1000_read(nic, E1000_CTRL) & E1000_CTRL_RST); i++)
		udelay(100);	/* RST clears itself once the reset is done */
	mdelay(5);		/* and the EEPROM has been read again */
	e1000_write(nic, E1000_IMC, ~0U);
	e1000_read(nic, E1000_ICR);	/* drop causes latched before the reset */
}

/* One 16-bit EEPROM word through EERD (SDM 13.4.4); 0 or -ETIMEDOUT. */
static int e1000_eeprom_read(struct e1000_nic *nic, unsigned int word, uint16_t *val)
{
	e1000_write(nic, E1000_EERD, (word << E1000_EERD_ADDR_SHIFT) | E1000_EERD_START);
	for (int i = 0; i < 1000; i++) {
		uint32_t v = e1000_read(nic, E1000_EERD);

		if (v & E1000_EERD_DONE) {
			*val = (uint16_t)(v >> E1000_EERD_DATA_SHIFT);
			return 0;
		}
		udelay(5);
	}
	return -ETIMEDOUT;
}

/*
 * The MAC address: EEPROM words 0-2, low byte first, trusted when the
 * first 64 words sum to 0xbaba (SDM 5.6.1). Otherwise take what the
 * hardware loaded into RAL0/RAH0 at reset.
 */
static int e1000_read_mac(struct e1000_nic *nic)
{
	uint16_t sum = 0, w;
	bool eeprom_ok = true;
	uint32_t ral, rah;

	for (unsigned int i = 0; i < E1000_EEPROM_WORDS; i++) {
		if (e1000_eeprom_read(nic, i, &w)) {
			eeprom_ok = false;
			break;
		}
		sum += w;
		if (i < E1000_EEPROM_MAC_WORDS) {
			nic->mac[2 * i] = (uint8_t)w;
			nic->mac[2 * i + 1] = (uint8_t)(w >> 8);
		}
	}
	if (!eeprom_ok || sum != E1000_EEPROM_SUM) {
		dev_info(&nic->pdev->dev, "EEPROM %s; using the address in RAL0/RAH0\n",
			 eeprom_ok ? "checksum is wrong" : "does not answer");
		ral = e1000_read(nic, E1000_RAL(0));
		rah = e1000_read(nic, E1000_RAH(0));
		for (int i = 0; i < 4; i++)
			nic->mac[i] = (uint8_t)(ral >> (8 * i));
		nic->mac[4] = (uint8_t)rah;
		nic->mac[5] = (uint8_t)(rah >> 8);
	}
	/* all zeros, or a multicast address (bit 0 of the first byte), is no address */
	if ((nic->mac[0] & 1) || !(nic->mac[0] | nic->mac[1] | nic->mac[2] | nic->mac[3] |
				   nic->mac[4] | nic->mac[5])) {
		dev_err(&nic->pdev->dev, "no valid MAC address\n");
		return -EIO;
	}
	return 0;
}

/* After reset: link, flow control, address filters, interrupt throttling. */
static void e1000_setup_hw(struct e1000_nic *nic)
{
	uint32_t ctrl = e1000_read(nic, E1000_CTRL);
	const uint8_t *m = nic->mac;

	/* let the PHY negotiate speed and duplex and bring the link up (SDM 14.5) */
	ctrl |= E1000_CTRL_SLU | E1000_CTRL_ASDE;
	ctrl &= ~(E1000_CTRL_LRST | E1000_CTRL_ILOS | E1000_CTRL_PHY_RST | E1000_CTRL_VME);
	e1000_write(nic, E1000_CTRL, ctrl);

	/* no flow control: never send or honour PAUSE frames */
	e1000_write(nic, E1000_FCAL, 0);
	e1000_write(nic, E1000_FCAH, 0);
	e1000_write(nic, E1000_FCT, 0);
	e1000_write(nic, E1000_FCTTV, 0);

	/* receive filters: our address in slot 0, the other slots and multicast off */
	e1000_write(nic, E1000_RAL(0), m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24);
	e1000_write(nic, E1000_RAH(0), m[4] | m[5] << 8 | E1000_RAH_AV);
	for (int i = 1; i < E1000_RAR_ENTRIES; i++) {
		e1000_write(nic, E1000_RAL(i), 0);
		e1000_write(nic, E1000_RAH(i), 0);
	}
	for (int i = 0; i < E1000_MTA_WORDS; i++)
		e1000_write(nic, E1000_MTA(i), 0);

	e1000_write(nic, E1000_ITR, 0);		/* an interrupt for every event */
}

/* --- the watchdog: link state and statistics, every 2 s and on LSC --------------- */
static void e1000_watchdog(struct work_struct *work)
{
	struct e1000_nic *nic = container_of(to_delayed_work(work), struct e1000_nic, watchdog);
	uint32_t status = e1000_read(nic, E1000_STATUS);
	unsigned int speeds[4] = { 10, 100, 1000, 1000 };
	bool up = status & E1000_STATUS_LU, changed;
	unsigned long flags;

	spin_lock_irqsave(&nic->lock, flags);
	/* these counters clear when read: add them up */
	nic->stats.rx_missed += e1000_read(nic, E1000_MPC);
	nic->stats.rx_no_buffer += e1000_read(nic, E1000_RNBC);
	nic->stats.crc_errors += e1000_read(nic, E1000_CRCERRS);
	changed = up != nic->link_up;
	nic->link_up = up;
	nic->speed = speeds[(status & E1000_STATUS_SPEED_MASK) >> E1000_STATUS_SPEED_SHIFT];
	nic->full_duplex = status & E1000_STATUS_FD;
	spin_unlock_irqrestore(&nic->lock, flags);

	if (changed && up)
		dev_info(&nic->pdev->dev, "link up, %u Mbps %s duplex\n", nic->speed,
			 nic->full_duplex ? "full" : "half");
	else if (changed)
		dev_info(&nic->pdev->dev, "link down\n");
	if (!READ_ONCE(nic->gone))
		schedule_delayed_work(&nic->watchdog, E1000_WATCHDOG_PERIOD);
}

/* --- probe and remove ----------------------------------------------------------------- */
static int e1000_free_index(void)
{
	for (int i = 0; i < E1000_MAX_NICS; i++)
		if (!e1000_nics[i])
			return i;
	return -1;
}

static int e1000_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int index = e1000_free_index(), err;
	struct e1000_nic *nic;

	if (index < 0) {
		dev_err(&pdev->dev, "only %d adapters are supported\n", E1000_MAX_NICS);
		return -EBUSY;
	}
	if (!pdev->irq) {
		dev_err(&pdev->dev, "no INTx interrupt line\n");
		return -ENODEV;
	}
	nic = kzalloc(sizeof(*nic));
	if (!nic)
		return -ENOMEM;
	nic->pdev = pdev;
	nic->index = index;
	nic->irq = pdev->irq;
	snprintf(nic->name, sizeof(nic->name), "e1000-%d", index);
	snprintf(nic->proc_name, sizeof(nic->proc_name), "net/e1000-%d", index);
	spin_lock_init(&nic->lock);
	wait_queue_init(&nic->rx_wait);
	wait_queue_init(&nic->tx_wait);
	INIT_DELAYED_WORK(&nic->watchdog, e1000_watchdog);

	err = pci_enable_device(pdev);
	if (err)
		goto out_free;
	/* descriptors and buffers may lie anywhere: the rings take 64-bit addresses */
	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (err)
		goto out_disable;
	nic->regs = pci_iomap(pdev, 0);
	if (!nic->regs) {
		err = -ENXIO;
		goto out_disable;
	}
	pci_set_master(pdev);

	e1000_reset_hw(nic);
	err = e1000_read_mac(nic);
	if (err)
		goto out_disable;
	e1000_setup_hw(nic);
	err = e1000_rings_alloc(nic);
	if (err)
		goto out_disable;
	e1000_rings_start(nic);

	/* the 8254x has no MSI: its INTx line, which other devices may share */
	err = request_irq(nic->irq, e1000_intr, IRQF_SHARED, nic->name, nic);
	if (err) {
		dev_err(&pdev->dev, "cannot get IRQ %u: error %d\n", nic->irq, err);
		goto out_rings;
	}
	e1000_nics[index] = nic;	/* the slot gives the adapter its number */
	err = e1000_chr_register(nic);
	if (err)
		goto out_irq;

	pci_set_drvdata(pdev, nic);
	dev_info(&pdev->dev, "%s: MAC %02x:%02x:%02x:%02x:%02x:%02x, IRQ %u, /dev/%s\n",
		 nic->name, nic->mac[0], nic->mac[1], nic->mac[2], nic->mac[3], nic->mac[4],
		 nic->mac[5], nic->irq, nic->name);
	/*
	 * Unmask, and raise a link status change by hand (ICS) so the
	 * watchdog runs at once and reports the link as it finds it.
	 */
	e1000_write(nic, E1000_IMS, E1000_IMS_ENABLE);
	e1000_write(nic, E1000_ICS, E1000_ICR_LSC);
	return 0;

out_irq:
	e1000_nics[index] = NULL;
	free_irq(nic->irq, nic);
	cancel_delayed_work_sync(&nic->watchdog);	/* the handler may have kicked it */
out_rings:
	e1000_reset_hw(nic);		/* no DMA into the rings we are freeing */
	e1000_rings_free(nic);
out_disable:
	pci_clear_master(pdev);
	pci_disable_device(pdev);
out_free:
	kfree(nic);
	return err;
}

/* Undo probe, last step first; the adapter is silent and its memory free after. */
static void e1000_remove(struct pci_dev *pdev)
{
	struct e1000_nic *nic = pci_get_drvdata(pdev);
	unsigned long flags;

	/* users first: sleepers wake and leave, new calls fail with ENODEV */
	spin_lock_irqsave(&nic->lock, flags);
	nic->gone = true;
	spin_unlock_irqrestore(&nic->lock, flags);
	e1000_chr_unregister(nic);

	/* then the device: interrupts masked, receiver and transmitter off */
	e1000_write(nic, E1000_IMC, ~0U);
	e1000_rings_stop(nic);
	free_irq(nic->irq, nic);	/* the handler is not running, and will not */
	cancel_delayed_work_sync(&nic->watchdog);
	e1000_reset_hw(nic);
	pci_clear_master(pdev);

	/* and last the memory the device could reach */
	e1000_rings_free(nic);
	pci_disable_device(pdev);
	e1000_nics[nic->index] = NULL;
	pci_set_drvdata(pdev, NULL);
	dev_info(&pdev->dev, "%s removed after %llu interrupts, %llu frames in, %llu out\n",
		 nic->name, (unsigned long long)nic->stats.interrupts,
		 (unsigned long long)nic->stats.rx_packets,
		 (unsigned long long)nic->stats.tx_packets);
	kfree(nic);
}

static const struct pci_device_id e1000_ids[] = {
	{ PCI_DEVICE(0x8086, 0x100e) },	/* 82540EM: QEMU's "e1000" */
	{ PCI_DEVICE(0x8086, 0x100f) },	/* 82545EM copper: "e1000-82545em" */
	{ 0 }
};
MODULE_DEVICE_TABLE(pci, e1000_ids);
MODULE_ENTITLEMENT("dma");

static struct pci_driver e1000_driver = {
	.name = "e1000",
	.id_table = e1000_ids,
	.probe = e1000_probe,
	.remove = e1000_remove,
};

static int e1000_init(void)
{
	int err = pci_register_driver(&e1000_driver);

	if (err)
		return err;
	if (e1000_free_index() == 0) {
		pr_err("e1000: no 82540EM/82545EM adapter (QEMU: -device e1000)\n");
		pci_unregister_driver(&e1000_driver);
		return -ENODEV;
	}
	return 0;
}

static void e1000_exit(void)
{
	pci_unregister_driver(&e1000_driver);	/* calls e1000_remove for each adapter */
}

module_init(e1000_init);
module_exit(e1000_exit);
