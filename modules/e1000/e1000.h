/*
 * The e1000 driver's private state, shared by its three files:
 *
 *   e1000_main.c  the PCI driver: probe, hardware setup, remove, watchdog
 *   e1000_ring.c  descriptor rings, transmit, receive, interrupt handler
 *   e1000_chr.c   /dev/e1000-N (one frame per read or write), /proc/net/e1000-N
 *
 * One struct e1000_nic per adapter. Its lock protects the rings, the
 * receive queue and the counters against the interrupt handler.
 */
#ifndef E1000_H
#define E1000_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/io.h>
#include "drivers/base/device.h"
#include "drivers/pci/pci.h"
#include "kernel/irq.h"
#include "kernel/lock.h"
#include "kernel/wait.h"
#include "kernel/workqueue.h"
#include "modules/e1000/e1000_hw.h"

#define E1000_MAX_NICS		4	/* /dev/e1000-0 .. /dev/e1000-3 */
#define E1000_NUM_TX_DESC	64	/* ring sizes: multiples of 8 (128 bytes) */
#define E1000_NUM_RX_DESC	64
#define E1000_BUF_SIZE		2048	/* one receive or transmit buffer */
#define E1000_RXQ_LEN		32	/* frames kept for read() */

/* the interrupt causes the driver handles (ICR/IMS bits) */
#define E1000_IMS_ENABLE	(E1000_ICR_TXDW | E1000_ICR_LSC | E1000_ICR_RXSEQ | \
				 E1000_ICR_RXDMT0 | E1000_ICR_RXO | E1000_ICR_RXT0)

#define ETH_HLEN		14	/* destination, source, type */
#define ETH_FRAME_LEN		1514	/* the largest frame without its CRC */

/* Counts since probe, shown in /proc/net/e1000-N. */
struct e1000_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t rx_dropped;	/* queue full: the oldest frame made room */
	uint64_t rx_no_reader;	/* arrived while no file was open */
	uint64_t rx_errors;	/* bad frames the hardware flagged, or too long */
	uint64_t rx_overruns;	/* RXO interrupts: the hardware ran out of room */
	uint64_t rx_missed;	/* hardware MPC: no room in the FIFO, frame lost */
	uint64_t rx_no_buffer;	/* hardware RNBC: the ring was full for a while */
	uint64_t tx_packets, tx_bytes;
	uint64_t tx_ring_full;	/* writes that had to wait for a descriptor */
	uint64_t interrupts;	/* handled (not counting other devices' on the line) */
	uint64_t crc_errors;	/* hardware CRCERRS */
};

/* One received frame waiting for read(). */
struct e1000_frame {
	uint16_t len;
	uint8_t data[ETH_FRAME_LEN];
};

struct e1000_nic {
	struct pci_dev *pdev;
	void *regs;			/* BAR0 */
	int index;			/* N in e1000-N */
	char name[16];			/* "e1000-N": device node, proc file, IRQ name */
	char proc_name[24];		/* "net/e1000-N" */
	uint8_t mac[6];
	unsigned int irq;

	spinlock_t lock;		/* rings, rxq, stats, gone */
	bool gone;			/* remove() has started: readers and writers leave */

	/* transmit ring: software fills at tx_tail, hardware finishes at tx_clean */
	struct e1000_tx_desc *tx_ring;
	dma_addr_t tx_ring_dma;
	uint8_t *tx_bufs;		/* E1000_NUM_TX_DESC buffers of E1000_BUF_SIZE */
	dma_addr_t tx_bufs_dma;
	unsigned int tx_tail, tx_clean;
	struct wait_queue tx_wait;	/* writers waiting for a free descriptor */

	/* receive ring: hardware fills, software takes frames at rx_next */
	struct e1000_rx_desc *rx_ring;
	dma_addr_t rx_ring_dma;
	uint8_t *rx_bufs;
	dma_addr_t rx_bufs_dma;
	unsigned int rx_next;

	/* frames for read(): a ring of E1000_RXQ_LEN, oldest at rxq_head */
	struct e1000_frame *rxq;
	unsigned int rxq_head, rxq_count;
	struct wait_queue rx_wait;	/* readers and pollers */
	int open_files;

	bool link_up;
	unsigned int speed;		/* Mb/s while the link is up */
	bool full_duplex;
	struct delayed_work watchdog;	/* link state and hardware counters */

	struct e1000_stats stats;
	struct misc_device misc;
};

/* The adapters, by index N (main.c); NULL where there is none. */
extern struct e1000_nic *e1000_nics[E1000_MAX_NICS];

/* Registers are 32-bit MMIO words at their offset into BAR0. */
static inline uint32_t e1000_read(struct e1000_nic *nic, unsigned int reg)
{
	return readl((uint8_t *)nic->regs + reg);
}

static inline void e1000_write(struct e1000_nic *nic, unsigned int reg, uint32_t v)
{
	writel(v, (uint8_t *)nic->regs + reg);
}

/* --- e1000_ring.c --------------------------------------------------------------- */
int e1000_rings_alloc(struct e1000_nic *nic);
void e1000_rings_free(struct e1000_nic *nic);
/* Program the rings into the hardware and start the receiver and transmitter. */
void e1000_rings_start(struct e1000_nic *nic);
/* Stop both units; the rings stay allocated. */
void e1000_rings_stop(struct e1000_nic *nic);
/* Queue one frame; -EAGAIN when the ring is full (lock held by the caller). */
int e1000_xmit_locked(struct e1000_nic *nic, const void *frame, size_t len);
bool e1000_tx_ring_full(struct e1000_nic *nic);
irqreturn_t e1000_intr(int irq, void *data);

/* --- e1000_chr.c ---------------------------------------------------------------- */
int e1000_chr_register(struct e1000_nic *nic);
void e1000_chr_unregister(struct e1000_nic *nic);

#endif
