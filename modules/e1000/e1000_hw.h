/*
 * The Intel 8254x registers and descriptors this driver uses, with the
 * names of Intel's "PCI/PCI-X Family of Gigabit Ethernet Controllers
 * Software Developer's Manual" (chapter 13 for registers, chapter 3 for
 * descriptors). Offsets are into BAR0, the 128 KiB memory-mapped register
 * window; every register is 32 bits wide. Only the 82540EM/82545EM subset
 * QEMU emulates is described.
 */
#ifndef E1000_HW_H
#define E1000_HW_H

#include <stdint.h>

/* --- general registers (SDM 13.4) ------------------------------------------------ */
#define E1000_CTRL		0x0000	/* device control */
#define  E1000_CTRL_FD		(1U << 0)	/* full duplex (when not auto-detected) */
#define  E1000_CTRL_LRST	(1U << 3)	/* link reset */
#define  E1000_CTRL_ASDE	(1U << 5)	/* auto-speed detection */
#define  E1000_CTRL_SLU		(1U << 6)	/* set link up */
#define  E1000_CTRL_ILOS	(1U << 7)	/* invert loss-of-signal */
#define  E1000_CTRL_RST		(1U << 26)	/* device reset, self-clearing */
#define  E1000_CTRL_VME		(1U << 30)	/* VLAN mode */
#define  E1000_CTRL_PHY_RST	(1U << 31)
#define E1000_STATUS		0x0008	/* device status, read-only */
#define  E1000_STATUS_FD	(1U << 0)	/* full duplex */
#define  E1000_STATUS_LU	(1U << 1)	/* link up */
#define  E1000_STATUS_SPEED_SHIFT 6		/* 00: 10, 01: 100, 1x: 1000 Mb/s */
#define  E1000_STATUS_SPEED_MASK (3U << 6)
#define E1000_EERD		0x0014	/* EEPROM read (82540/82545/82546) */
#define  E1000_EERD_START	(1U << 0)
#define  E1000_EERD_DONE	(1U << 4)
#define  E1000_EERD_ADDR_SHIFT	8		/* word address in bits 15:8 */
#define  E1000_EERD_DATA_SHIFT	16		/* the word read, bits 31:16 */
#define E1000_FCAL		0x0028	/* flow control address and type */
#define E1000_FCAH		0x002c
#define E1000_FCT		0x0030
#define E1000_FCTTV		0x0170	/* flow control transmit timer */

/* --- interrupts (SDM 13.4.17-13.4.21); one bit layout for all five -------------- */
#define E1000_ICR		0x00c0	/* cause: reading clears every bit */
#define E1000_ITR		0x00c4	/* throttling: minimum gap, 256 ns units */
#define E1000_ICS		0x00c8	/* cause set: raise causes by hand */
#define E1000_IMS		0x00d0	/* mask set: write 1 to enable a cause */
#define E1000_IMC		0x00d8	/* mask clear: write 1 to disable one */
#define  E1000_ICR_TXDW		(1U << 0)	/* transmit descriptor written back */
#define  E1000_ICR_TXQE		(1U << 1)	/* transmit queue empty */
#define  E1000_ICR_LSC		(1U << 2)	/* link status change */
#define  E1000_ICR_RXSEQ	(1U << 3)	/* receive sequence error */
#define  E1000_ICR_RXDMT0	(1U << 4)	/* receive descriptors below threshold */
#define  E1000_ICR_RXO		(1U << 6)	/* receiver overrun (FIFO full) */
#define  E1000_ICR_RXT0		(1U << 7)	/* receiver timer: frames arrived */

/* --- receive (SDM 13.4.22-13.4.31) ------------------------------------------------ */
#define E1000_RCTL		0x0100	/* receive control */
#define  E1000_RCTL_EN		(1U << 1)
#define  E1000_RCTL_SBP		(1U << 2)	/* store bad packets */
#define  E1000_RCTL_UPE		(1U << 3)	/* unicast promiscuous */
#define  E1000_RCTL_MPE		(1U << 4)	/* multicast promiscuous */
#define  E1000_RCTL_LPE		(1U << 5)	/* long packets (over 1522 bytes) */
#define  E1000_RCTL_RDMTS_HALF	(0U << 8)	/* RXDMT0 when half the ring is free */
#define  E1000_RCTL_BAM		(1U << 15)	/* accept broadcast */
#define  E1000_RCTL_BSIZE_2048	(0U << 16)	/* with BSEX clear: 2048-byte buffers */
#define  E1000_RCTL_SECRC	(1U << 26)	/* strip the Ethernet CRC */
#define E1000_RDBAL		0x2800	/* ring base, low and high 32 bits */
#define E1000_RDBAH		0x2804
#define E1000_RDLEN		0x2808	/* ring size in bytes, a multiple of 128 */
#define E1000_RDH		0x2810	/* head: the next descriptor hardware fills */
#define E1000_RDT		0x2818	/* tail: one past the last one it may fill */
#define E1000_RDTR		0x2820	/* receive delay timer */
#define E1000_RADV		0x282c	/* receive absolute delay */
#define E1000_MTA(n)		(0x5200 + 4 * (n))	/* multicast table, 128 words */
#define E1000_MTA_WORDS		128
#define E1000_RAL(n)		(0x5400 + 8 * (n))	/* receive address n, low */
#define E1000_RAH(n)		(0x5404 + 8 * (n))	/* high 16 bits, and: */
#define  E1000_RAH_AV		(1U << 31)	/* address valid */
#define E1000_RAR_ENTRIES	16

/* --- transmit (SDM 13.4.33-13.4.44) ----------------------------------------------- */
#define E1000_TCTL		0x0400	/* transmit control */
#define  E1000_TCTL_EN		(1U << 1)
#define  E1000_TCTL_PSP		(1U << 3)	/* pad short packets to 64 bytes */
#define  E1000_TCTL_CT_SHIFT	4		/* collision threshold */
#define  E1000_TCTL_COLD_SHIFT	12		/* collision distance */
#define E1000_TIPG		0x0410	/* inter-packet gap */
#define  E1000_TIPG_IPGR1_SHIFT	10
#define  E1000_TIPG_IPGR2_SHIFT	20
#define E1000_TDBAL		0x3800
#define E1000_TDBAH		0x3804
#define E1000_TDLEN		0x3808
#define E1000_TDH		0x3810	/* head: the next descriptor hardware sends */
#define E1000_TDT		0x3818	/* tail: one past the last one software queued */
#define E1000_TIDV		0x3820	/* transmit interrupt delay */

/* --- statistics (SDM 13.7): 32-bit counters that clear when read ----------------- */
#define E1000_CRCERRS		0x4000	/* frames with a bad CRC */
#define E1000_MPC		0x4010	/* missed: no room in the receive FIFO */
#define E1000_RNBC		0x40a0	/* receive no buffers: the ring was full */

/* --- EEPROM words (SDM 5.6) -------------------------------------------------------- */
#define E1000_EEPROM_MAC_WORDS	3	/* words 0-2: the MAC, low byte first */
#define E1000_EEPROM_WORDS	0x40	/* words 0-0x3f sum to the signature */
#define E1000_EEPROM_SUM	0xbaba

/*
 * A legacy transmit descriptor (SDM 3.3.3): one buffer of one frame. The
 * driver fills addr, length and cmd; the hardware sets DD in status when
 * it is done with the buffer (if cmd asked with RS).
 */
struct e1000_tx_desc {
	uint64_t addr;		/* bus address of the data */
	uint16_t length;	/* bytes in this buffer */
	uint8_t cso;		/* checksum offset (unused) */
	uint8_t cmd;
	uint8_t status;
	uint8_t css;		/* checksum start (unused) */
	uint16_t special;	/* VLAN tag (unused) */
} __attribute__((packed));

#define E1000_TXD_CMD_EOP	(1U << 0)	/* end of packet: the frame's last buffer */
#define E1000_TXD_CMD_IFCS	(1U << 1)	/* insert the Ethernet CRC */
#define E1000_TXD_CMD_RS	(1U << 3)	/* report status: set DD when done */
#define E1000_TXD_STAT_DD	(1U << 0)	/* descriptor done */

/*
 * A receive descriptor (SDM 3.2.3): the driver fills addr; the hardware
 * writes the frame into that buffer and then length, status and errors.
 */
struct e1000_rx_desc {
	uint64_t addr;		/* bus address of a buffer of RCTL.BSIZE bytes */
	uint16_t length;	/* bytes the hardware stored */
	uint16_t csum;		/* packet checksum (unused) */
	uint8_t status;
	uint8_t errors;
	uint16_t special;
} __attribute__((packed));

#define E1000_RXD_STAT_DD	(1U << 0)	/* descriptor done */
#define E1000_RXD_STAT_EOP	(1U << 1)	/* the frame's last descriptor */
#define E1000_RXD_ERR_CE	(1U << 0)	/* CRC or alignment error */
#define E1000_RXD_ERR_SE	(1U << 1)	/* symbol error */
#define E1000_RXD_ERR_SEQ	(1U << 2)	/* sequence error */
#define E1000_RXD_ERR_CXE	(1U << 4)	/* carrier extension error */
#define E1000_RXD_ERR_RXE	(1U << 7)	/* data error */
#define E1000_RXD_ERR_FRAME	(E1000_RXD_ERR_CE | E1000_RXD_ERR_SE | E1000_RXD_ERR_SEQ | \
				 E1000_RXD_ERR_CXE | E1000_RXD_ERR_RXE)

#endif
