/*
 * AHCI 1.3 (Serial ATA Advanced Host Controller Interface): the HBA's
 * memory-mapped registers (ABAR, BAR 5), the in-memory structures it
 * reads and writes by DMA (command list, received FIS, command tables
 * with their PRDTs), and the driver's per-port state. Used by ahci.c.
 */
#ifndef DRIVERS_BLOCK_AHCI_H
#define DRIVERS_BLOCK_AHCI_H

#include <stdint.h>
#include "drivers/block/blkdev.h"
#include "drivers/pci/pci.h"

/* --- generic host control (AHCI 1.3, 3.1) ----------------------------------- */
#define AHCI_CAP		0x00
#define  AHCI_CAP_S64A		(1U << 31)	/* 64-bit DMA addresses */
#define  AHCI_CAP_NCS(cap)	((((cap) >> 8) & 0x1f) + 1)	/* command slots */
#define AHCI_GHC		0x04
#define  AHCI_GHC_HR		(1U << 0)	/* HBA reset */
#define  AHCI_GHC_IE		(1U << 1)	/* interrupt enable */
#define  AHCI_GHC_AE		(1U << 31)	/* AHCI enable */
#define AHCI_IS			0x08		/* one bit per port with an interrupt */
#define AHCI_PI			0x0c		/* ports implemented */
#define AHCI_VS			0x10

/* --- port registers (3.3), at 0x100 + port * 0x80 ---------------------------- */
#define AHCI_PORT(n)		(0x100 + (n) * 0x80)
#define PORT_CLB		0x00
#define PORT_CLBU		0x04
#define PORT_FB			0x08
#define PORT_FBU		0x0c
#define PORT_IS			0x10
#define PORT_IE			0x14
#define  PORT_INT_DHRS		(1U << 0)	/* device to host register FIS */
#define  PORT_INT_PSS		(1U << 1)	/* PIO setup FIS */
#define  PORT_INT_SDBS		(1U << 3)	/* set device bits FIS */
#define  PORT_INT_IFS		(1U << 27)	/* interface fatal error */
#define  PORT_INT_HBDS		(1U << 28)	/* host bus data error */
#define  PORT_INT_HBFS		(1U << 29)	/* host bus fatal error */
#define  PORT_INT_TFES		(1U << 30)	/* task file error */
#define  PORT_INT_ERRORS	(PORT_INT_IFS | PORT_INT_HBDS | PORT_INT_HBFS | PORT_INT_TFES)
#define PORT_CMD		0x18
#define  PORT_CMD_ST		(1U << 0)	/* start the command engine */
#define  PORT_CMD_SUD		(1U << 1)	/* spin up device */
#define  PORT_CMD_POD		(1U << 2)	/* power on device */
#define  PORT_CMD_FRE		(1U << 4)	/* FIS receive enable */
#define  PORT_CMD_FR		(1U << 14)	/* FIS receive running */
#define  PORT_CMD_CR		(1U << 15)	/* command list running */
#define PORT_TFD		0x20
#define  PORT_TFD_ERR		(1U << 0)
#define  PORT_TFD_DRQ		(1U << 3)
#define  PORT_TFD_BSY		(1U << 7)
#define PORT_SIG		0x24
#define  SATA_SIG_ATA		0x00000101	/* a disk */
#define  SATA_SIG_ATAPI		0xeb140101	/* a CD/DVD drive */
#define PORT_SSTS		0x28
#define  PORT_SSTS_DET(s)	((s) & 0xf)	/* 3: device present, link up */
#define PORT_SCTL		0x2c
#define PORT_SERR		0x30
#define PORT_CI			0x38

/* --- ATA commands (ACS-3) ------------------------------------------------------ */
#define ATA_CMD_IDENTIFY	0xec
#define ATA_CMD_READ_DMA_EXT	0x25
#define ATA_CMD_WRITE_DMA_EXT	0x35
#define ATA_CMD_FLUSH_EXT	0xea
#define FIS_TYPE_REG_H2D	0x27

/* --- memory the HBA reads and writes (4.2) ------------------------------------- */
/* One of the 32 entries of a port's command list. */
struct ahci_cmd_hdr {
	uint16_t flags;		/* CFL (FIS length in dwords), W (bit 6), C (bit 10) */
	uint16_t prdtl;		/* PRD entries in the table */
	volatile uint32_t prdbc;	/* bytes transferred, written by the HBA */
	uint32_t ctba;		/* command table, 128-byte aligned */
	uint32_t ctbau;
	uint32_t reserved[4];
};

#define AHCI_HDR_WRITE		(1U << 6)
#define AHCI_HDR_CLEAR_BUSY	(1U << 10)

/* One physical region: up to 4 MiB, an even byte count. */
struct ahci_prd {
	uint32_t dba;
	uint32_t dbau;
	uint32_t reserved;
	uint32_t dbc;		/* byte count - 1; bit 31: interrupt on completion */
};

#define AHCI_PRD_MAX_BYTES	(4U << 20)
#define AHCI_MAX_PRDS		64	/* BLK_MAX_SEGS, and room to split large ones */

/* A command table: the command FIS, the ATAPI command, the PRDT. */
struct ahci_cmd_table {
	uint8_t cfis[64];
	uint8_t acmd[16];
	uint8_t reserved[48];
	struct ahci_prd prd[AHCI_MAX_PRDS];
};

#define AHCI_SLOTS		32
#define AHCI_CL_SIZE		1024	/* command list: 32 headers of 32 bytes */
#define AHCI_FIS_SIZE		256	/* received FIS area */
#define AHCI_TABLES_OFF		2048	/* command tables follow, 128-byte aligned */
#define AHCI_PORT_DMA_SIZE	(AHCI_TABLES_OFF + AHCI_SLOTS * sizeof(struct ahci_cmd_table))

struct ahci_host;

/* A port with a disk behind it: /dev/sdX. */
struct ahci_port {
	struct ahci_host *host;
	volatile uint8_t *regs;			/* AHCI_PORT(no) inside ABAR */
	unsigned int no;
	struct ahci_cmd_hdr *cl;		/* command list */
	struct ahci_cmd_table *tables;		/* one per slot */
	void *dma;
	uint64_t dma_phys;
	uint32_t busy;				/* slots issued and not yet completed */
	struct blk_request *inflight[AHCI_SLOTS];
	uint64_t seg_bus[AHCI_SLOTS][BLK_MAX_SEGS];	/* each in-flight segment's DMA mapping */
	char model[41];
	struct block_device disk;
};

struct ahci_host {
	struct pci_dev *pdev;
	volatile uint8_t *abar;
	unsigned int nr_slots;
	bool dma64;			/* CAP.S64A: PRDs may point above 4 GiB */
	bool msi;
	uint64_t irqs;
	struct ahci_port *ports[32];
};

#endif
