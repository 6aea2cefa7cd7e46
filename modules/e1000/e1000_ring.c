/*
 * e1000 descriptor rings and the interrupt handler.
 *
 * Each direction is a ring of 16-byte descriptors in coherent DMA memory
 * that the driver and the device share through a head and a tail index
 * (SDM 3.2.6, 3.4): the device owns the descriptors from head up to (not
 * including) tail, the driver the rest. Every descriptor points at a
 * 2 KiB buffer of its own, also coherent memory, so a frame is copied once
 * between a buffer and the caller and nothing is mapped per packet.
 *
 * The interrupt handler reads ICR (which acknowledges every cause), takes
 * received frames off the ring into the queue read() serves, retires sent
 * descriptors and kicks the watchdog on a link change. nic->lock protects
 * the rings and the queue against it.
 */
#include <asm/barrier.h>
#include "kernel/irq.h"
#include "kernel/kernel.h"
#include "lib/string.h"
#include "mm/mm.h"
#include "modules/e1000/e1000.h"

#define TX_RING_BYTES	(E1000_NUM_TX_DESC * sizeof(struct e1000_tx_desc))
#define RX_RING_BYTES	(E1000_NUM_RX_DESC * sizeof(struct e1000_rx_desc))
#define TX_BUFS_BYTES	(E1000_NUM_TX_DESC * E1000_BUF_SIZE)
#define RX_BUFS_BYTES	(E1000_NUM_RX_DESC * E1000_BUF_SIZE)

static inline uint32_t lower_32_bits(uint64_t v)
{
	return (uint32_t)v;
}

static inline uint32_t upper_32_bits(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

/* --- allocation ------------------------------------------------------------------ */
int e1000_rings_alloc(struct e1000_nic *nic)
{
	struct device *dev = &nic->pdev->dev;

	nic->tx_ring = dma_alloc_coherent(dev, TX_RING_BYTES, &nic->tx_ring_dma, GFP_KERNEL);
	nic->rx_ring = dma_alloc_coherent(dev, RX_RING_BYTES, &nic->rx_ring_dma, GFP_KERNEL);
	nic->tx_bufs = dma_alloc_coherent(dev, TX_BUFS_BYTES, &nic->tx_bufs_dma, GFP_KERNEL);
	nic->rx_bufs = dma_alloc_coherent(dev, RX_BUFS_BYTES, &nic->rx_bufs_dma, GFP_KERNEL);
	nic->rxq = kmalloc(E1000_RXQ_LEN * sizeof(*nic->rxq));
	if (!nic->tx_ring || !nic->rx_ring || !nic->tx_bufs || !nic->rx_bufs || !nic->rxq) {
		e1000_rings_free(nic);
		return -ENOMEM;
	}
	return 0;
}

/* Free whatever e1000_rings_alloc got (it may have stopped half way). */
void e1000_rings_free(struct e1000_nic *nic)
{
	struct device *dev = &nic->pdev->dev;

	if (nic->tx_ring)
		dma_free_coherent(dev, TX_RING_BYTES, nic->tx_ring, nic->tx_ring_dma);
	if (nic->rx_ring)
		dma_free_coherent(dev, RX_RING_BYTES, nic->rx_ring, nic->rx_ring_dma);
	if (nic->tx_bufs)
		dma_free_coherent(dev, TX_BUFS_BYTES, nic->tx_bufs, nic->tx_bufs_dma);
	if (nic->rx_bufs)
		dma_free_coherent(dev, RX_BUFS_BYTES, nic->rx_bufs, nic->rx_bufs_dma);
	kfree(nic->rxq);
	nic->tx_ring = NULL;
	nic->rx_ring = NULL;
	nic->tx_bufs = NULL;
	nic->rx_bufs = NULL;
	nic->rxq = NULL;
}

/* --- starting and stopping ------------------------------------------------------- */
static void e1000_tx_start(struct e1000_nic *nic)
{
	memset(nic->tx_ring, 0, TX_RING_BYTES);
	nic->tx_tail = nic->tx_clean = 0;
	e1000_write(nic, E1000_TDBAL, lower_32_bits(nic->tx_ring_dma));
	e1000_write(nic, E1000_TDBAH, upper_32_bits(nic->tx_ring_dma));
	e1000_write(nic, E1000_TDLEN, TX_RING_BYTES);
	e1000_write(nic, E1000_TDH, 0);
	e1000_write(nic, E1000_TDT, 0);		/* head == tail: nothing to send */
	e1000_write(nic, E1000_TIDV, 0);	/* report completions at once */
	/* IEEE 802.3 gaps for copper (SDM 13.4.34): IPGT 10, IPGR1 8, IPGR2 6 */
	e1000_write(nic, E1000_TIPG,
		    10 | (8 << E1000_TIPG_IPGR1_SHIFT) | (6 << E1000_TIPG_IPGR2_SHIFT));
	/* collision threshold 15 and distance 64 bytes: full duplex (SDM 13.4.33) */
	e1000_write(nic, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP |
		    (0x0f << E1000_TCTL_CT_SHIFT) | (0x40 << E1000_TCTL_COLD_SHIFT));
}

static void e1000_rx_start(struct e1000_nic *nic)
{
	for (unsigned int i = 0; i < E1000_NUM_RX_DESC; i++) {
		nic->rx_ring[i] = (struct e1000_rx_desc){
			.addr = nic->rx_bufs_dma + (dma_addr_t)i * E1000_BUF_SIZE,
		};
	}
	nic->rx_next = 0;
	nic->rxq_head = nic->rxq_count = 0;
	e1000_write(nic, E1000_RDBAL, lower_32_bits(nic->rx_ring_dma));
	e1000_write(nic, E1000_RDBAH, upper_32_bits(nic->rx_ring_dma));
	e1000_write(nic, E1000_RDLEN, RX_RING_BYTES);
	/*
	 * Give the device every descriptor but one: head == tail would mean
	 * "none", so a full ring always has one gap.
	 */
	e1000_write(nic, E1000_RDH, 0);
	e1000_write(nic, E1000_RDT, E1000_NUM_RX_DESC - 1);
	e1000_write(nic, E1000_RDTR, 0);	/* no interrupt delay */
	e1000_write(nic, E1000_RADV, 0);
	/* our unicast address (RAL0/RAH0) and broadcast; 2 KiB buffers; no CRC */
	e1000_write(nic, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_BSIZE_2048 |
		    E1000_RCTL_SECRC | E1000_RCTL_RDMTS_HALF);
}

void e1000_rings_start(struct e1000_nic *nic)
{
	e1000_tx_start(nic);
	e1000_rx_start(nic);
}

void e1000_rings_stop(struct e1000_nic *nic)
{
	e1000_write(nic, E1000_RCTL, 0);
	e1000_write(nic, E1000_TCTL, 0);
	e1000_read(nic, E1000_STATUS);		/* flush the posted writes */
}

/* --- transmit ---------------------------------------------------------------------- */
bool e1000_tx_ring_full(struct e1000_nic *nic)
{
	return (nic->tx_tail + 1) % E1000_NUM_TX_DESC == nic->tx_clean;
}

/*
 * Put one frame into the next descriptor and tell the device by moving
 * the tail. The device adds the CRC (IFCS) and pads short frames (TCTL.PSP).
 */
int e1000_xmit_locked(struct e1000_nic *nic, const void *frame, size_t len)
{
	unsigned int i = nic->tx_tail;
	struct e1000_tx_desc *d = &nic->tx_ring[i];
	size_t off = (size_t)i * E1000_BUF_SIZE;

	assert_spin_locked(&nic->lock);
	if (e1000_tx_ring_full(nic))
		return -EAGAIN;
	memcpy(nic->tx_bufs + off, frame, len);
	d->addr = nic->tx_bufs_dma + off;
	d->length = (uint16_t)len;
	d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	d->status = 0;
	nic->tx_tail = (i + 1) % E1000_NUM_TX_DESC;
	/* the descriptor and the data are in memory before the device hears of them */
	wmb();
	e1000_write(nic, E1000_TDT, nic->tx_tail);
	return 0;
}

/* Retire the descriptors the device has sent (DD set); true if any. */
static bool e1000_clean_tx(struct e1000_nic *nic)
{
	bool freed = false;

	while (nic->tx_clean != nic->tx_tail) {
		struct e1000_tx_desc *d = &nic->tx_ring[nic->tx_clean];

		if (!(READ_ONCE(d->status) & E1000_TXD_STAT_DD))
			break;
		nic->stats.tx_packets++;
		nic->stats.tx_bytes += d->length;
		d->status = 0;
		nic->tx_clean = (nic->tx_clean + 1) % E1000_NUM_TX_DESC;
		freed = true;
	}
	return freed;
}

/* --- receive ----------------------------------------------------------------------- */
/*
 * Queue a good frame for read(). When the queue is full the oldest frame
 * goes, so a slow reader sees recent traffic; with no file open nothing
 * is kept, so opening the device starts with an empty queue.
 */
static void e1000_rx_queue_frame(struct e1000_nic *nic, const uint8_t *data, unsigned int len)
{
	struct e1000_frame *fr;

	if (!nic->open_files) {
		nic->stats.rx_no_reader++;
		return;
	}
	if (nic->rxq_count == E1000_RXQ_LEN) {
		nic->rxq_head = (nic->rxq_head + 1) % E1000_RXQ_LEN;
		nic->rxq_count--;
		nic->stats.rx_dropped++;
	}
	fr = &nic->rxq[(nic->rxq_head + nic->rxq_count) % E1000_RXQ_LEN];
	fr->len = (uint16_t)len;
	memcpy(fr->data, data, len);
	nic->rxq_count++;
}

/*
 * Take every filled descriptor (DD set) off the ring, queue the frames and
 * hand the descriptors back by moving the tail. A frame longer than one
 * buffer cannot happen without RCTL.LPE; its pieces would be dropped.
 * True if a frame was queued.
 */
static bool e1000_clean_rx(struct e1000_nic *nic)
{
	unsigned int done = 0, last = 0;
	bool queued = false, discard = false;

	while (done < E1000_NUM_RX_DESC) {
		unsigned int i = nic->rx_next;
		struct e1000_rx_desc *d = &nic->rx_ring[i];
		const uint8_t *buf = nic->rx_bufs + (size_t)i * E1000_BUF_SIZE;
		unsigned int len;

		if (!(READ_ONCE(d->status) & E1000_RXD_STAT_DD))
			break;
		dma_rmb();	/* the rest of the descriptor only after DD */
		len = d->length;
		if (!(d->status & E1000_RXD_STAT_EOP)) {
			discard = true;		/* part of an oversized frame */
		} else if (discard || (d->errors & E1000_RXD_ERR_FRAME) || len < ETH_HLEN ||
			   len > ETH_FRAME_LEN) {
			nic->stats.rx_errors++;
			discard = false;
		} else {
			nic->stats.rx_packets++;
			nic->stats.rx_bytes += len;
			e1000_rx_queue_frame(nic, buf, len);
			queued = true;
		}
		d->status = 0;
		last = i;
		nic->rx_next = (i + 1) % E1000_NUM_RX_DESC;
		done++;
	}
	if (done)
		e1000_write(nic, E1000_RDT, last);	/* up to @last is ours again */
	return queued;
}

/* --- the interrupt handler ------------------------------------------------------------ */
/*
 * The INTx line may be shared (on q35 the INTA pins of 25 slots meet on
 * four IOAPIC inputs), so the handler first asks the device: ICR holds the
 * causes, and reading it clears them and lowers the line. No enabled cause
 * set means another device interrupted.
 */
irqreturn_t e1000_intr(int irq, void *data)
{
	struct e1000_nic *nic = data;
	uint32_t icr = e1000_read(nic, E1000_ICR);
	bool rx = false, tx = false;

	if (!(icr & E1000_IMS_ENABLE))
		return IRQ_NONE;

	spin_lock(&nic->lock);
	nic->stats.interrupts++;
	if (icr & E1000_ICR_RXO)
		nic->stats.rx_overruns++;
	if (icr & (E1000_ICR_RXT0 | E1000_ICR_RXDMT0 | E1000_ICR_RXO))
		rx = e1000_clean_rx(nic);
	if (icr & E1000_ICR_TXDW)
		tx = e1000_clean_tx(nic);
	spin_unlock(&nic->lock);

	if (rx)
		wake_up(&nic->rx_wait);
	if (tx)
		wake_up(&nic->tx_wait);
	/* link state is read and logged in process context, by the watchdog */
	if (icr & (E1000_ICR_LSC | E1000_ICR_RXSEQ))
		mod_delayed_work(system_wq, &nic->watchdog, 0);
	return IRQ_HANDLED;
}
