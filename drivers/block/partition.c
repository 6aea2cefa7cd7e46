/*
 * Partition tables: the MBR (four primary entries, logical partitions in
 * a chain of extended boot records numbered from 5) and GPT (the header
 * at LBA 1 and its entry array, both checked by CRC32), found behind a
 * protective MBR entry of type 0xee. A table is untrusted input: entries
 * outside the disk are ignored, chains are bounded, sizes are checked.
 */
#define pr_fmt(fmt) "part: " fmt

#include "drivers/block/blkdev.h"
#include "lib/crc32.h"
#include "lib/string.h"
#include "mm/mm.h"

#define MBR_TABLE	446
#define MBR_ENTRY	16
#define MBR_TYPE_GPT	0xee
#define MAX_LOGICAL	11		/* partitions 5..15 */
#define GPT_MAX_ENTRIES	128

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static bool is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

static bool mbr_valid(const uint8_t *s)
{
	return s[510] == 0x55 && s[511] == 0xaa;
}

/* Logical partitions: each EBR holds one and a link to the next (relative to @ext). */
static int scan_extended(struct block_device *disk, uint8_t *buf, uint64_t ext, uint64_t ext_len)
{
	uint64_t ebr = ext;
	int found = 0;

	for (int no = 5; no < 5 + MAX_LOGICAL; no++) {
		const uint8_t *e1 = buf + MBR_TABLE, *e2 = e1 + MBR_ENTRY;

		if (blk_rw(disk, BLK_READ, ebr, buf, 1) || !mbr_valid(buf))
			break;
		if (e1[4] && le32(e1 + 12) &&
		    !blkdev_add_partition(disk, no, ebr + le32(e1 + 8), le32(e1 + 12)))
			found++;
		if (!is_extended(e2[4]) || !le32(e2 + 8) || le32(e2 + 8) >= ext_len)
			break;
		ebr = ext + le32(e2 + 8);
	}
	return found;
}

static int scan_gpt(struct block_device *disk, uint8_t *buf)
{
	uint32_t hsize, count, esize, crc;
	uint64_t lba;
	uint8_t *ents;
	int found = 0;
	size_t bytes;

	if (blk_rw(disk, BLK_READ, 1, buf, 1) || memcmp(buf, "EFI PART", 8))
		return -EINVAL;
	hsize = le32(buf + 12);
	if (hsize < 92 || hsize > SECTOR_SIZE)
		return -EINVAL;
	crc = le32(buf + 16);
	memset(buf + 16, 0, 4);
	if (crc32(0, buf, hsize) != crc) {
		pr_warn("%s: GPT header CRC mismatch: ignored\n", disk->name);
		return -EINVAL;
	}
	lba = le64(buf + 72);
	count = le32(buf + 80);
	esize = le32(buf + 84);
	crc = le32(buf + 88);
	if (count > GPT_MAX_ENTRIES || esize < 128 || esize > 512 || esize % 8 ||
	    lba < 2 || lba >= disk->nr_sectors)
		return -EINVAL;
	bytes = ALIGN_UP((size_t)count * esize, (size_t)SECTOR_SIZE);
	if (!bytes)
		return 0;
	ents = kmalloc(bytes);
	if (!ents)
		return -ENOMEM;
	if (blk_rw(disk, BLK_READ, lba, ents, bytes / SECTOR_SIZE) ||
	    crc32(0, ents, (size_t)count * esize) != crc) {
		pr_warn("%s: GPT entries unreadable or CRC mismatch: ignored\n", disk->name);
		kfree(ents);
		return -EINVAL;
	}
	for (uint32_t i = 0, no = 1; i < count && no < BLK_MINORS; i++) {
		const uint8_t *e = ents + (size_t)i * esize;
		uint64_t first = le64(e + 32), last = le64(e + 40);
		static const uint8_t zero[16];

		if (!memcmp(e, zero, 16))
			continue;
		if (last >= first && !blkdev_add_partition(disk, (int)no, first, last - first + 1))
			found++;
		no++;
	}
	kfree(ents);
	return found;
}

int blk_scan_partitions(struct block_device *disk)
{
	uint8_t *buf = kmalloc(SECTOR_SIZE);
	int found = 0;

	if (!buf)
		return -ENOMEM;
	if (blk_rw(disk, BLK_READ, 0, buf, 1) || !mbr_valid(buf))
		goto out;
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = buf + MBR_TABLE + i * MBR_ENTRY;

		if (e[4] == MBR_TYPE_GPT) {
			int n = scan_gpt(disk, buf);

			found = n > 0 ? n : 0;
			goto out;
		}
	}
	for (int i = 0; i < 4; i++) {
		uint8_t *e = buf + MBR_TABLE + i * MBR_ENTRY;
		uint8_t type = e[4];
		uint32_t start = le32(e + 8), len = le32(e + 12);

		if (!type || !len)
			continue;
		if (is_extended(type)) {
			uint8_t *copy = kmalloc(SECTOR_SIZE);

			if (copy) {
				found += scan_extended(disk, copy, start, len);
				kfree(copy);
			}
		} else if (!blkdev_add_partition(disk, i + 1, start, len)) {
			found++;
		}
	}
out:
	kfree(buf);
	return found;
}
