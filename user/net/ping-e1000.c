/*
 * ping-e1000: ping over Basalt's raw Ethernet device /dev/e1000-N, with
 * no network stack in the kernel: the program builds the frames itself.
 * It asks for the gateway's MAC with an ARP request, then sends ICMP echo
 * requests (IPv4 and ICMP checksums computed here) and prints each reply
 * the way ping does.
 *
 *   ping-e1000 [-d DEVICE] [-c COUNT] [-W SECONDS] [-s SOURCE] [DESTINATION]
 *
 * The defaults suit QEMU's user-mode networking (slirp): DEVICE
 * /dev/e1000-0, source 10.0.2.15 (the guest), destination 10.0.2.2 (the
 * gateway, which slirp answers itself, for ARP and ping, with TTL 255),
 * one request, 5 s per reply with a retry every second. Our MAC comes
 * from /proc/net/<device name>. While waiting the program answers ARP
 * requests for its own address, in case slirp asks.
 *
 * Exit status: 0 when every request got its reply, 1 on a timeout, 2 on
 * bad usage or a device error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ETH_ALEN	6
#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define ARP_REQUEST	1
#define ARP_REPLY	2
#define IP_HLEN		20
#define ICMP_HLEN	8
#define ICMP_ECHOREPLY	0
#define ICMP_ECHO	8
#define PING_DATA	56		/* 64 bytes of ICMP, as ping sends */
#define FRAME_MAX	1514

static const char *dev_path = "/dev/e1000-0";
static int fd;
static uint8_t my_mac[ETH_ALEN], gw_mac[ETH_ALEN];
static const uint8_t broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static struct in_addr my_ip, dst_ip;

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The Internet checksum (RFC 1071): ones' complement of the ones' complement sum. */
static uint16_t inet_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Our MAC, from the "mac:" line of /proc/net/<basename of the device>. */
static int read_my_mac(void)
{
	char path[256], line[128], *copy = strdup(dev_path);
	unsigned int m[ETH_ALEN];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/net/%s", basename(copy));
	free(copy);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "ping-e1000: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "mac: %x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
			       &m[5]) == ETH_ALEN;
	fclose(f);
	if (!found) {
		fprintf(stderr, "ping-e1000: no mac: line in %s\n", path);
		return -1;
	}
	for (int i = 0; i < ETH_ALEN; i++)
		my_mac[i] = (uint8_t)m[i];
	return 0;
}

static int send_frame(const uint8_t *frame, size_t len)
{
	ssize_t n = write(fd, frame, len);

	if (n == (ssize_t)len)
		return 0;
	fprintf(stderr, "ping-e1000: write %s: %s\n", dev_path,
		n < 0 ? strerror(errno) : "short write");
	return -1;
}

static size_t eth_header(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, my_mac, ETH_ALEN);
	put16(f + 12, type);
	return ETH_HLEN;
}

/* An ARP packet for IPv4 over Ethernet (RFC 826). */
static int send_arp(uint16_t op, const uint8_t *eth_dst, const uint8_t *tha, struct in_addr tpa)
{
	uint8_t f[ETH_HLEN + 28];
	uint8_t *a = f + eth_header(f, eth_dst, ETH_P_ARP);

	put16(a, 1);			/* hardware: Ethernet */
	put16(a + 2, ETH_P_IP);		/* protocol: IPv4 */
	a[4] = ETH_ALEN;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, my_mac, ETH_ALEN);
	memcpy(a + 14, &my_ip, 4);
	memcpy(a + 18, tha, ETH_ALEN);
	memcpy(a + 24, &tpa, 4);
	return send_frame(f, sizeof(f));
}

static int send_echo(uint16_t id, uint16_t seq)
{
	uint8_t f[ETH_HLEN + IP_HLEN + ICMP_HLEN + PING_DATA];
	uint8_t *ip = f + eth_header(f, gw_mac, ETH_P_IP), *icmp = ip + IP_HLEN;
	long long t = now_us();

	memset(ip, 0, IP_HLEN);
	ip[0] = 0x45;			/* version 4, 5 words of header */
	put16(ip + 2, IP_HLEN + ICMP_HLEN + PING_DATA);
	put16(ip + 4, seq);		/* identification */
	put16(ip + 6, 0x4000);		/* don't fragment */
	ip[8] = 64;			/* TTL */
	ip[9] = 1;			/* ICMP */
	memcpy(ip + 12, &my_ip, 4);
	memcpy(ip + 16, &dst_ip, 4);
	put16(ip + 10, inet_csum(ip, IP_HLEN));

	icmp[0] = ICMP_ECHO;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, id);
	put16(icmp + 6, seq);
	memcpy(icmp + ICMP_HLEN, &t, sizeof(t));	/* the send time, for a check */
	for (int i = sizeof(t); i < PING_DATA; i++)
		icmp[ICMP_HLEN + i] = (uint8_t)i;
	put16(icmp + 2, inet_csum(icmp, ICMP_HLEN + PING_DATA));
	return send_frame(f, sizeof(f));
}

/*
 * Wait until @deadline (now_us) for one frame; its length, 0 on timeout,
 * -1 on an error. Frames may carry padding after their payload (a
 * receiver pads to 60 bytes), so parsers use the lengths inside.
 */
static ssize_t recv_frame(uint8_t *buf, long long deadline)
{
	for (;;) {
		long long left = deadline - now_us();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int r;

		if (left <= 0)
			return 0;
		r = poll(&p, 1, (int)((left + 999) / 1000));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (p.revents & (POLLERR | POLLHUP | POLLNVAL))) {
			fprintf(stderr, "ping-e1000: poll %s: %s\n", dev_path,
				r < 0 ? strerror(errno) : "device gone");
			return -1;
		}
		if (r == 0)
			continue;
		n = read(fd, buf, FRAME_MAX);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			fprintf(stderr, "ping-e1000: read %s: %s\n", dev_path, strerror(errno));
			return -1;
		}
		if (n >= ETH_HLEN)
			return n;
	}
}

/*
 * Handle ARP in any received frame: answer requests for our address and
 * report (1) a reply from the destination, filling gw_mac.
 */
static int handle_arp(const uint8_t *f, ssize_t n)
{
	const uint8_t *a = f + ETH_HLEN;
	struct in_addr spa, tpa;

	if (n < ETH_HLEN + 28 || get16(f + 12) != ETH_P_ARP || get16(a) != 1 ||
	    get16(a + 2) != ETH_P_IP || a[4] != ETH_ALEN || a[5] != 4)
		return 0;
	memcpy(&spa, a + 14, 4);
	memcpy(&tpa, a + 24, 4);
	if (get16(a + 6) == ARP_REQUEST && tpa.s_addr == my_ip.s_addr) {
		send_arp(ARP_REPLY, a + 8, a + 8, spa);
		return 0;
	}
	if (get16(a + 6) == ARP_REPLY && spa.s_addr == dst_ip.s_addr &&
	    tpa.s_addr == my_ip.s_addr) {
		memcpy(gw_mac, a + 8, ETH_ALEN);
		return 1;
	}
	return 0;
}

/* Ask for the destination's MAC: a broadcast request every second until @timeout_s. */
static int resolve(int timeout_s)
{
	long long deadline = now_us() + timeout_s * 1000000LL;
	uint8_t buf[FRAME_MAX];

	while (now_us() < deadline) {
		long long retry = now_us() + 1000000;

		if (send_arp(ARP_REQUEST, broadcast, (const uint8_t[ETH_ALEN]){ 0 }, dst_ip))
			return -1;
		for (;;) {
			ssize_t n = recv_frame(buf, retry < deadline ? retry : deadline);

			if (n < 0)
				return -1;
			if (n == 0)
				break;
			if (handle_arp(buf, n))
				return 1;
		}
	}
	return 0;
}

/* Is @f the echo reply to (@id, @seq)? Its TTL in *ttl. Checksums are verified. */
static int is_reply(const uint8_t *f, ssize_t n, uint16_t id, uint16_t seq, int *ttl)
{
	const uint8_t *ip = f + ETH_HLEN, *icmp;
	size_t ihl, tot;

	if (n < ETH_HLEN + IP_HLEN || get16(f + 12) != ETH_P_IP || (ip[0] >> 4) != 4)
		return 0;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	tot = get16(ip + 2);
	if (ihl < IP_HLEN || tot < ihl + ICMP_HLEN || (size_t)n < ETH_HLEN + tot || ip[9] != 1 ||
	    memcmp(ip + 12, &dst_ip, 4) || memcmp(ip + 16, &my_ip, 4))
		return 0;
	icmp = ip + ihl;
	if (icmp[0] != ICMP_ECHOREPLY || get16(icmp + 4) != id || get16(icmp + 6) != seq)
		return 0;
	if (inet_csum(ip, ihl) || inet_csum(icmp, tot - ihl)) {
		fprintf(stderr, "ping-e1000: reply icmp_seq=%u has a bad checksum\n", seq);
		return 0;
	}
	*ttl = ip[8];
	return (int)(tot - ihl);
}

/* Send echo request @seq (again every second) until its reply or @timeout_s. */
static int ping_once(uint16_t id, uint16_t seq, int timeout_s)
{
	long long start = now_us(), deadline = start + timeout_s * 1000000LL;
	uint8_t buf[FRAME_MAX];
	int ttl, len;

	while (now_us() < deadline) {
		long long sent = now_us(), retry = sent + 1000000;

		if (send_echo(id, seq))
			return -1;
		for (;;) {
			ssize_t n = recv_frame(buf, retry < deadline ? retry : deadline);

			if (n < 0)
				return -1;
			if (n == 0)
				break;
			handle_arp(buf, n);
			len = is_reply(buf, n, id, seq, &ttl);
			if (len > 0) {
				long long us = now_us() - sent;

				printf("%d bytes from %s: icmp_seq=%u ttl=%d time=%lld.%03lld ms\n",
				       len, inet_ntoa(dst_ip), seq, ttl, us / 1000, us % 1000);
				fflush(stdout);
				return 1;
			}
		}
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: ping-e1000 [-d DEVICE] [-c COUNT] [-W SECONDS] [-s SOURCE] "
			"[DESTINATION]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *src = "10.0.2.15", *dst = "10.0.2.2";
	int count = 1, timeout_s = 5, received = 0, opt, r;
	uint16_t id = (uint16_t)getpid();

	while ((opt = getopt(argc, argv, "d:c:W:s:")) != -1) {
		switch (opt) {
		case 'd': dev_path = optarg; break;
		case 'c': count = atoi(optarg); break;
		case 'W': timeout_s = atoi(optarg); break;
		case 's': src = optarg; break;
		default: return usage();
		}
	}
	if (optind < argc)
		dst = argv[optind++];
	if (optind != argc || count < 1 || timeout_s < 1 || !inet_aton(src, &my_ip) ||
	    !inet_aton(dst, &dst_ip))
		return usage();

	fd = open(dev_path, O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "ping-e1000: %s: %s\n", dev_path, strerror(errno));
		return 2;
	}
	if (read_my_mac())
		return 2;
	printf("PING %s from %s %s: %d data bytes\n", dst, src, dev_path, PING_DATA);
	r = resolve(timeout_s);
	if (r < 0)
		return 2;
	if (r == 0) {
		printf("ping-e1000: no ARP reply from %s within %d s\n", dst, timeout_s);
		return 1;
	}
	printf("ARP: %s is at %02x:%02x:%02x:%02x:%02x:%02x\n", dst, gw_mac[0], gw_mac[1],
	       gw_mac[2], gw_mac[3], gw_mac[4], gw_mac[5]);
	for (int seq = 1; seq <= count; seq++) {
		r = ping_once(id, (uint16_t)seq, timeout_s);
		if (r < 0)
			return 2;
		if (r == 0)
			printf("no reply to icmp_seq=%d within %d s\n", seq, timeout_s);
		received += r;
	}
	printf("--- %s ping statistics ---\n%d packets transmitted, %d received\n", dst, count,
	       received);
	close(fd);
	return received == count ? 0 : 1;
}
