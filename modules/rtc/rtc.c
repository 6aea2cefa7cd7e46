/*
 * rtc: the PC's CMOS real-time clock (MC146818) as /dev/rtc0, with the
 * two Linux ioctls busybox hwclock uses: RTC_RD_TIME and RTC_SET_TIME on a
 * struct rtc_time. The clock keeps its fields in BCD or binary and its
 * hour in 12- or 24-hour form, as register B says; a read is repeated
 * until two agree, so it never mixes fields from either side of an update,
 * and a write holds the clock (register B's SET bit) while it changes.
 * read() returns the time as text: "2024-05-01 12:00:00\n".
 */
#include <asm/io.h>
#include <asm/irq.h>
#include <asm/uaccess.h>
#include "drivers/base/device.h"
#include "fs/vfs.h"
#include "kernel/module.h"
#include "lib/printf.h"
#include "lib/string.h"

MODULE_NAME("rtc");
MODULE_VERSION("1.0");
MODULE_DESCRIPTION("CMOS real-time clock as /dev/rtc0 (hwclock)");
MODULE_ENTITLEMENT("ioport=0x70-0x71");	/* the CMOS index and data ports */
MODULE_AUTHOR("Basalt");
MODULE_LICENSE("GPL");

#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71

#define RTC_SECONDS	0x00
#define RTC_MINUTES	0x02
#define RTC_HOURS	0x04
#define RTC_WEEKDAY	0x06	/* 1 = Sunday */
#define RTC_MDAY	0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define  RTC_UIP	0x80	/* an update is in progress */
#define RTC_REG_B	0x0b
#define  RTC_SET	0x80	/* updates halted while set */
#define  RTC_DM_BINARY	0x04
#define  RTC_24H	0x02
#define RTC_CENTURY	0x32	/* ACPI's usual century register (QEMU has it) */
#define RTC_HOUR_PM	0x80	/* in 12-hour mode */

/* Linux's <linux/rtc.h>: _IOR('p', 0x09, struct rtc_time), _IOW('p', 0x0a, ...) */
#define RTC_RD_TIME	0x80247009U
#define RTC_SET_TIME	0x4024700aU

struct rtc_time {
	int tm_sec, tm_min, tm_hour;
	int tm_mday;
	int tm_mon;		/* 0-11 */
	int tm_year;		/* years since 1900 */
	int tm_wday;		/* 0 = Sunday */
	int tm_yday;		/* 0-365 */
	int tm_isdst;
};

/* The clock's fields as stored, before any conversion. */
struct cmos_fields {
	uint8_t sec, min, hour, mday, mon, year, century;
};

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
	outb(CMOS_INDEX, reg);
	outb(CMOS_DATA, v);
}

static unsigned int from_bcd(uint8_t v)
{
	return (v & 0x0f) + (v >> 4) * 10;
}

static uint8_t to_bcd(unsigned int v)
{
	return (uint8_t)((v / 10) << 4 | (v % 10));
}

static bool leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int mon)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return days[mon] + (mon == 1 && leap(year));
}

/* Day of the year (0-365) and day of the week (0 = Sunday) of a date. */
static void fill_days(struct rtc_time *tm)
{
	int year = tm->tm_year + 1900, days = 0;

	tm->tm_yday = tm->tm_mday - 1;
	for (int m = 0; m < tm->tm_mon; m++)
		tm->tm_yday += days_in_month(year, m);
	for (int y = 1970; y < year; y++)
		days += leap(y) ? 366 : 365;
	tm->tm_wday = (4 + days + tm->tm_yday) % 7;	/* 1970-01-01 was a Thursday */
}

static void read_fields(struct cmos_fields *c)
{
	c->sec = cmos_read(RTC_SECONDS);
	c->min = cmos_read(RTC_MINUTES);
	c->hour = cmos_read(RTC_HOURS);
	c->mday = cmos_read(RTC_MDAY);
	c->mon = cmos_read(RTC_MONTH);
	c->year = cmos_read(RTC_YEAR);
	c->century = cmos_read(RTC_CENTURY);
}

static int rtc_read_time(struct rtc_time *tm)
{
	struct cmos_fields a, b;
	unsigned long flags;
	unsigned int hour, century;
	uint8_t regb;
	int tries = 0;

	/* an update takes under 2 ms: wait it out, then read until two reads agree */
	do {
		while ((cmos_read(RTC_REG_A) & RTC_UIP) && ++tries < 100000)
			udelay(10);
		flags = local_irq_save();
		read_fields(&a);
		read_fields(&b);
		regb = cmos_read(RTC_REG_B);
		local_irq_restore(flags);
	} while (memcmp(&a, &b, sizeof(a)) && ++tries < 200000);
	if (memcmp(&a, &b, sizeof(a)))
		return -EIO;

	if (!(regb & RTC_DM_BINARY)) {
		a.sec = from_bcd(a.sec);
		a.min = from_bcd(a.min);
		a.hour = (a.hour & RTC_HOUR_PM) | from_bcd(a.hour & 0x7f);
		a.mday = from_bcd(a.mday);
		a.mon = from_bcd(a.mon);
		a.year = from_bcd(a.year);
		a.century = from_bcd(a.century);
	}
	hour = a.hour & 0x7f;
	if (!(regb & RTC_24H))		/* 12-hour: 12 AM is 0, 12 PM is 12 */
		hour = hour % 12 + ((a.hour & RTC_HOUR_PM) ? 12 : 0);
	century = (a.century >= 19 && a.century <= 21) ? a.century : (a.year < 70 ? 20 : 19);

	*tm = (struct rtc_time){
		.tm_sec = a.sec, .tm_min = a.min, .tm_hour = (int)hour,
		.tm_mday = a.mday, .tm_mon = a.mon - 1,
		.tm_year = (int)(century * 100 + a.year) - 1900,
	};
	if (tm->tm_mon < 0 || tm->tm_mon > 11 || tm->tm_mday < 1 || tm->tm_hour > 23 ||
	    tm->tm_min > 59 || tm->tm_sec > 59) {
		pr_err("rtc: the clock holds an invalid time\n");
		return -EIO;
	}
	fill_days(tm);
	return 0;
}

static int rtc_valid(const struct rtc_time *tm)
{
	int year = tm->tm_year + 1900;

	if (year < 1970 || year > 2199 || tm->tm_mon < 0 || tm->tm_mon > 11 ||
	    tm->tm_mday < 1 || tm->tm_mday > days_in_month(year, tm->tm_mon) ||
	    tm->tm_hour < 0 || tm->tm_hour > 23 || tm->tm_min < 0 || tm->tm_min > 59 ||
	    tm->tm_sec < 0 || tm->tm_sec > 59)
		return -EINVAL;
	return 0;
}

static int rtc_set_time(const struct rtc_time *tm_in)
{
	struct rtc_time tm = *tm_in;
	unsigned int year, hour;
	uint8_t regb, f[8];
	unsigned long flags;
	bool bcd;

	if (rtc_valid(&tm))
		return -EINVAL;
	fill_days(&tm);
	year = (unsigned int)tm.tm_year + 1900;
	regb = cmos_read(RTC_REG_B);
	bcd = !(regb & RTC_DM_BINARY);
	hour = (unsigned int)tm.tm_hour;
	if (!(regb & RTC_24H))
		hour = (hour % 12 ? hour % 12 : 12);
	/* sec, min, hour, weekday, mday, month, year, century in the clock's format */
	const unsigned int v[8] = { (unsigned int)tm.tm_sec, (unsigned int)tm.tm_min, hour,
				    (unsigned int)tm.tm_wday + 1, (unsigned int)tm.tm_mday,
				    (unsigned int)tm.tm_mon + 1, year % 100, year / 100 };
	for (int i = 0; i < 8; i++)
		f[i] = bcd ? to_bcd(v[i]) : (uint8_t)v[i];
	if (!(regb & RTC_24H) && tm.tm_hour >= 12)
		f[2] |= RTC_HOUR_PM;

	flags = local_irq_save();
	cmos_write(RTC_REG_B, regb | RTC_SET);
	cmos_write(RTC_SECONDS, f[0]);
	cmos_write(RTC_MINUTES, f[1]);
	cmos_write(RTC_HOURS, f[2]);
	cmos_write(RTC_WEEKDAY, f[3]);
	cmos_write(RTC_MDAY, f[4]);
	cmos_write(RTC_MONTH, f[5]);
	cmos_write(RTC_YEAR, f[6]);
	cmos_write(RTC_CENTURY, f[7]);
	cmos_write(RTC_REG_B, regb & ~RTC_SET);
	local_irq_restore(flags);
	pr_info("rtc: clock set to %04u-%02d-%02d %02d:%02d:%02d\n", year, tm.tm_mon + 1,
		tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
}

static long rtc_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct rtc_time tm;
	int err;

	switch (cmd) {
	case RTC_RD_TIME:
		err = rtc_read_time(&tm);
		if (err)
			return err;
		return copy_to_user(uarg, &tm, sizeof(tm)) ? -EFAULT : 0;
	case RTC_SET_TIME:
		if (copy_from_user(&tm, uarg, sizeof(tm)))
			return -EFAULT;
		return rtc_set_time(&tm);
	default:
		return -ENOTTY;
	}
}

static long rtc_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct rtc_time tm;
	char text[32];
	int len, err;

	err = rtc_read_time(&tm);
	if (err)
		return err;
	len = snprintf(text, sizeof(text), "%04d-%02d-%02d %02d:%02d:%02d\n",
		       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		       tm.tm_sec);
	if (*pos >= (uint64_t)len)
		return 0;
	n = MIN(n, (size_t)len - *pos);
	memcpy(buf, text + *pos, n);
	*pos += n;
	return (long)n;
}

static const struct file_ops rtc_fops = {
	.read = rtc_read,
	.ioctl = rtc_ioctl,
};

static struct misc_device rtc_dev = {
	.name = "rtc0",
	.mode = 0644,
	.fops = &rtc_fops,
};

static int rtc_init(void)
{
	struct rtc_time tm;
	int err;

	/* claim the ports before the first inb/outb (the ioport= entitlement) */
	if (!request_region(CMOS_INDEX, 2, "rtc"))
		return -EBUSY;
	err = rtc_read_time(&tm);
	if (err) {
		pr_err("rtc: cannot read the CMOS clock\n");
		goto out_release;
	}
	err = misc_register(&rtc_dev);
	if (err)
		goto out_release;
	pr_info("rtc: /dev/rtc0 ready, %s %s clock reads %04d-%02d-%02d %02d:%02d:%02d\n",
		(cmos_read(RTC_REG_B) & RTC_DM_BINARY) ? "binary" : "BCD",
		(cmos_read(RTC_REG_B) & RTC_24H) ? "24-hour" : "12-hour", tm.tm_year + 1900,
		tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
out_release:
	release_region(CMOS_INDEX, 2);
	return err;
}

static void rtc_exit(void)
{
	misc_deregister(&rtc_dev);
	release_region(CMOS_INDEX, 2);
}

module_init(rtc_init);
module_exit(rtc_exit);
