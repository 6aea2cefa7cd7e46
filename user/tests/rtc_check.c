/*
 * rtc_check: a helper for modules.sh. Sets /dev/rtc0 (the rtc module) to
 * 23:59:58 on 29 February 2040 with RTC_SET_TIME, waits for the clock to
 * roll over into March, checks what RTC_RD_TIME reports, and puts the
 * system time back into the clock. Prints what it saw; exit status 0 only
 * if every check passed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* <linux/rtc.h>, which musl does not ship */
struct rtc_time {
	int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday, tm_isdst;
};
#define RTC_RD_TIME	0x80247009U
#define RTC_SET_TIME	0x4024700aU

static void show(const char *what, const struct rtc_time *t)
{
	printf("%s: %04d-%02d-%02d %02d:%02d:%02d wday %d yday %d\n", what, t->tm_year + 1900,
	       t->tm_mon + 1, t->tm_mday, t->tm_hour, t->tm_min, t->tm_sec, t->tm_wday,
	       t->tm_yday);
}

int main(void)
{
	struct rtc_time set = { .tm_sec = 58, .tm_min = 59, .tm_hour = 23, .tm_mday = 29,
				.tm_mon = 1, .tm_year = 140 };
	struct rtc_time got, bad = set;
	int fd = open("/dev/rtc0", O_RDWR), failed = 0;
	time_t now;

	if (fd < 0) {
		perror("/dev/rtc0");
		return 1;
	}
	if (ioctl(fd, RTC_SET_TIME, &set) != 0) {
		perror("RTC_SET_TIME");
		return 1;
	}
	if (ioctl(fd, RTC_RD_TIME, &got) != 0) {
		perror("RTC_RD_TIME");
		return 1;
	}
	show("set", &got);
	/* a Wednesday, the 60th day (yday 59) of a leap year */
	if (got.tm_year != 140 || got.tm_mon != 1 || got.tm_mday != 29 || got.tm_wday != 3 ||
	    got.tm_yday != 59) {
		printf("FAIL: the date read back is not the one set\n");
		failed = 1;
	}
	sleep(3);
	ioctl(fd, RTC_RD_TIME, &got);
	show("3 s later", &got);
	if (got.tm_mon != 2 || got.tm_mday != 1 || got.tm_hour != 0 || got.tm_min != 0 ||
	    got.tm_sec > 3 || got.tm_wday != 4) {
		printf("FAIL: the clock did not roll over to 2040-03-01 00:00:0x\n");
		failed = 1;
	}
	bad.tm_mday = 30;	/* 30 February */
	if (ioctl(fd, RTC_SET_TIME, &bad) == 0) {
		printf("FAIL: RTC_SET_TIME accepted 30 February\n");
		failed = 1;
	}
	if (ioctl(fd, 0x7001, 0) == 0) {	/* RTC_AIE_ON: not supported */
		printf("FAIL: an unknown ioctl succeeded\n");
		failed = 1;
	}

	now = time(NULL);
	struct tm *tm = gmtime(&now);
	struct rtc_time back = { tm->tm_sec, tm->tm_min, tm->tm_hour, tm->tm_mday, tm->tm_mon,
				 tm->tm_year, tm->tm_wday, tm->tm_yday, 0 };
	if (ioctl(fd, RTC_SET_TIME, &back) != 0) {
		perror("RTC_SET_TIME (restore)");
		failed = 1;
	}
	close(fd);
	return failed;
}
