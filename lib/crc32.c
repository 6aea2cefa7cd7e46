/*
 * CRC-32 (see lib/crc32.h), four bits at a time.
 *
 * A 16-entry table keeps the code small and needs no set-up; the table is
 * computed by the compiler from the polynomial, so there are no magic
 * numbers to check. Two lookups per byte are plenty for panic records and
 * file images.
 */
#include "lib/crc32.h"

#define CRC32_POLY 0xedb88320u

/* One bit of the reflected CRC division, and four of them in a row. */
#define CRC_BIT(c) (((c) >> 1) ^ (((c) & 1u) ? CRC32_POLY : 0u))
#define CRC_NIBBLE(n) CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT((uint32_t)(n)))))

static const uint32_t crc_nibble_table[16] = {
	CRC_NIBBLE(0),  CRC_NIBBLE(1),  CRC_NIBBLE(2),  CRC_NIBBLE(3),
	CRC_NIBBLE(4),  CRC_NIBBLE(5),  CRC_NIBBLE(6),  CRC_NIBBLE(7),
	CRC_NIBBLE(8),  CRC_NIBBLE(9),  CRC_NIBBLE(10), CRC_NIBBLE(11),
	CRC_NIBBLE(12), CRC_NIBBLE(13), CRC_NIBBLE(14), CRC_NIBBLE(15),
};

uint32_t crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!buf)
		return 0;
	crc = ~crc;
	for (; len; len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ crc_nibble_table[crc & 0xf];
		crc = (crc >> 4) ^ crc_nibble_table[crc & 0xf];
	}
	return ~crc;
}
