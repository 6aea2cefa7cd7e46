/*
 * CRC-32 as used by zlib, gzip, PNG and Ethernet (IEEE 802.3 polynomial,
 * bit-reflected, initial value and final XOR of 0xffffffff). The panic
 * record is framed with it, so scripts on the host can check it with
 * Python's zlib.crc32().
 */
#ifndef BASALT_LIB_CRC32_H
#define BASALT_LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/*
 * Extend @crc, the CRC of the data so far (0 to start), over @len bytes at
 * @buf, exactly like zlib's crc32(): crc32(crc32(0, a, n), b, m) equals the
 * CRC of a followed by b, and a NULL @buf returns 0, the starting value.
 */
uint32_t crc32(uint32_t crc, const void *buf, size_t len);

#endif
