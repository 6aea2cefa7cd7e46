/*
 * e1000_check: a helper for e1000.sh that checks the rules of the raw
 * Ethernet device /dev/e1000-N (modules/e1000/e1000_chr.c) from a C
 * program, where errno and poll are at hand:
 *
 *   bad frame sizes fail with EINVAL, good ones are sent whole; POLLOUT
 *   when the ring has room; O_NONBLOCK reads of an empty queue fail with
 *   EAGAIN; a reply to an ARP request wakes poll and a blocking read; a
 *   short read returns the frame cut to the buffer; and more frames than
 *   the queue holds drop the oldest, counted in /proc/net/e1000-N.
 *
 *   e1000_check [DEVICE]      (default /dev/e1000-0; needs slirp behind it)
 *
 * Prints "ok - NAME" or "not ok - NAME" per check, as e1000.sh expects;
 * the exit status is the number of failures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RXQ_LEN		32	/* E1000_RXQ_LEN in the driver */

static const char *dev = "/dev/e1000-0";
static unsigned char mac[6];
static int failures;

static void result(const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void result(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok - e1000/chr/%s\n", ok ? "" : "not ", name);
	if (!ok) {
		printf("# ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		failures++;
	}
	fflush(stdout);
}

/* A counter from /proc/net/<device name>, or -1. */
static long long proc_counter(const char *key)
{
	char path[256], line[128], *copy = strdup(dev);
	long long v = -1;
	size_t kl = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/net/%s", basename(copy));
	free(copy);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':')
			v = atoll(line + kl + 1);
	fclose(f);
	return v;
}

static int read_mac(void)
{
	char path[256], line[128], *copy = strdup(dev);
	unsigned int m[6];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/net/%s", basename(copy));
	free(copy);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "mac: %x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
			       &m[5]) == 6;
	fclose(f);
	for (int i = 0; found && i < 6; i++)
		mac[i] = (unsigned char)m[i];
	return found ? 0 : -1;
}

/* Broadcast "who has 10.0.2.2, tell 10.0.2.15": slirp answers every one. */
static ssize_t send_arp_request(int fd)
{
	unsigned char f[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0, 0, 0, 0, 0, 0, 10, 0, 2, 15,
		0, 0, 0, 0, 0, 0, 10, 0, 2, 2,
	};

	memcpy(f + 6, mac, 6);
	memcpy(f + 22, mac, 6);
	return write(fd, f, sizeof(f));
}

/* Read and drop whatever is queued; how many frames that was. */
static int drain(int fd)
{
	unsigned char buf[1514];
	int n = 0;

	while (read(fd, buf, sizeof(buf)) > 0)
		n++;
	return n;
}

static void check_sizes(int fd)
{
	static unsigned char buf[1600];
	ssize_t n;

	memset(buf, 0xff, 12);		/* broadcast destination: nobody minds */
	memcpy(buf + 6, mac, 6);
	buf[12] = 0x88;			/* an experimental EtherType (0x88b5) */
	buf[13] = 0xb5;
	n = write(fd, buf, 13);
	result("write-13-bytes-einval", n < 0 && errno == EINVAL, "write returned %zd (%s)", n,
	       strerror(errno));
	n = write(fd, buf, 1515);
	result("write-1515-bytes-einval", n < 0 && errno == EINVAL, "write returned %zd (%s)",
	       n, strerror(errno));
	n = write(fd, buf, 14);
	result("write-14-bytes", n == 14, "write returned %zd (%s)", n, strerror(errno));
	n = write(fd, buf, 1514);
	result("write-1514-bytes", n == 1514, "write returned %zd (%s)", n, strerror(errno));
}

static void check_nonblock(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	unsigned char buf[64];
	ssize_t n;
	int r;

	r = poll(&p, 1, 0);
	result("poll-pollout", r == 1 && (p.revents & POLLOUT), "poll %d revents %#x", r,
	       p.revents);
	drain(fd);
	n = read(fd, buf, sizeof(buf));
	result("read-empty-eagain", n < 0 && errno == EAGAIN, "read returned %zd (%s)", n,
	       strerror(errno));
}

/* An ARP reply wakes poll; reading 20 bytes of it returns exactly 20. */
static void check_poll_and_short_read(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned char buf[20];
	ssize_t n;
	int r;

	drain(fd);
	n = send_arp_request(fd);
	r = poll(&p, 1, 5000);
	result("poll-pollin-on-reply", n == 42 && r == 1 && (p.revents & POLLIN),
	       "write %zd, poll %d revents %#x", n, r, p.revents);
	n = read(fd, buf, sizeof(buf));
	result("short-read-truncates", n == 20 && buf[12] == 0x08 && buf[13] == 0x06,
	       "read returned %zd, type %02x%02x", n, buf[12], buf[13]);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A blocking read sleeps until the reply arrives (SIGALRM ends it otherwise). */
static void check_blocking_read(void)
{
	int fd = open(dev, O_RDWR);
	unsigned char buf[1514];
	ssize_t n = -1;

	if (fd < 0) {
		result("blocking-read", 0, "open %s: %s", dev, strerror(errno));
		return;
	}
	signal(SIGALRM, on_alarm);
	siginterrupt(SIGALRM, 1);
	if (send_arp_request(fd) == 42) {
		alarm(5);
		n = read(fd, buf, sizeof(buf));
		alarm(0);
	}
	result("blocking-read", n >= 42 && buf[12] == 0x08 && buf[13] == 0x06,
	       "read returned %zd (%s)", n, strerror(errno));
	close(fd);
}

/* 40 replies for a queue of 32: 32 are kept, the oldest 8 are dropped and counted. */
static void check_queue_bound(int fd)
{
	long long dropped = proc_counter("rx_dropped"), rx = proc_counter("rx_packets");
	int sent = 0, kept;

	drain(fd);
	for (int i = 0; i < RXQ_LEN + 8; i++)
		sent += send_arp_request(fd) == 42;
	for (int i = 0; i < 50 && proc_counter("rx_packets") < rx + sent; i++)
		usleep(100000);
	kept = drain(fd);
	result("queue-keeps-32", sent == RXQ_LEN + 8 && kept == RXQ_LEN,
	       "sent %d, %lld received, %d kept", sent, proc_counter("rx_packets") - rx, kept);
	result("queue-drops-counted", proc_counter("rx_dropped") - dropped == sent - kept,
	       "rx_dropped went from %lld to %lld", dropped, proc_counter("rx_dropped"));
}

int main(int argc, char **argv)
{
	int fd;

	if (argc > 1)
		dev = argv[1];
	fd = open(dev, O_RDWR | O_NONBLOCK);
	if (fd < 0 || read_mac()) {
		result("open", 0, "%s: %s", dev, fd < 0 ? strerror(errno) : "no MAC in /proc");
		return 1;
	}
	check_sizes(fd);
	check_nonblock(fd);
	check_poll_and_short_read(fd);
	check_blocking_read();
	check_queue_bound(fd);
	close(fd);
	return failures;
}
