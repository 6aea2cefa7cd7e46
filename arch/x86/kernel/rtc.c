/*
 * The CMOS real-time clock, read once at boot to set the wall clock:
 * wait for an update to finish, read the date registers twice until they
 * agree, convert from BCD and 12-hour formats, and count seconds since
 * the Unix epoch.
 */
#include <asm/io.h>
#include "arch/x86/x86.h"
#include "kernel/kernel.h"

static uint8_t cmos_read(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static uint8_t bcd(uint8_t v, bool is_bcd)
{
	return is_bcd ? (uint8_t)((v & 0x0f) + (v >> 4) * 10) : v;
}

static uint64_t days_from_civil(int y, unsigned m, unsigned d)
{
	/* days since 1970-01-01 for a proleptic Gregorian date */
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (uint64_t)(era * 146097 + (int)doe - 719468);
}

uint64_t rtc_read_epoch(void)
{
	uint8_t r[6], again[6], regb;
	int spins = 0;

	do {
		while ((cmos_read(0x0a) & 0x80) && ++spins < 1000000)
			;
		for (int i = 0; i < 6; i++)
			r[i] = cmos_read((uint8_t[]){ 0x00, 0x02, 0x04, 0x07, 0x08, 0x09 }[i]);
		for (int i = 0; i < 6; i++)
			again[i] = cmos_read((uint8_t[]){ 0x00, 0x02, 0x04, 0x07, 0x08, 0x09 }[i]);
	} while (__builtin_memcmp(r, again, 6) && ++spins < 2000000);
	regb = cmos_read(0x0b);
	bool is_bcd = !(regb & 0x04);
	bool pm = !(regb & 0x02) && (r[2] & 0x80);
	unsigned sec = bcd(r[0], is_bcd), min = bcd(r[1], is_bcd);
	unsigned hour = bcd(r[2] & 0x7f, is_bcd), day = bcd(r[3], is_bcd);
	unsigned mon = bcd(r[4], is_bcd), year = bcd(r[5], is_bcd) + 2000;

	if (!(regb & 0x02)) {			/* 12-hour clock */
		hour %= 12;
		if (pm)
			hour += 12;
	}
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return 0;
	return days_from_civil((int)year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}
