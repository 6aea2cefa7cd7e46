/*
 * edu-dma: DMA round trips through modules/edu's /dev/edu_dma, for
 * `make bench-confinement` (user/tests/confinement-bench.sh). Each
 * pwrite at offset 0 sends SIZE bytes to the device by DMA and has them
 * come back into a second buffer, which the driver compares. QEMU's edu
 * finishes each transfer 100 ms (of virtual time) after it starts, so the
 * wall time is the device's; what confinement costs is the CPU's part,
 * which the driver counts in /proc/edu_dma (all ticks of a round trip,
 * and those spent waiting for the device). Prints
 *   bench confine edu-dma-<tag> cpu=<ticks per round trip> bytes=<SIZE> n=<N>
 * with ticks of the TSC (under -icount shift=0 one tick is one guest
 * instruction). usage: edu-dma TAG N SIZE
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The driver's counters: round trips, ticks in them, ticks waiting for the device. */
static int stats(unsigned long long *rt, unsigned long long *ticks, unsigned long long *dev)
{
	FILE *f = fopen("/proc/edu_dma", "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "round_trips %llu ticks %llu device_ticks %llu", rt, ticks, dev) == 3;
	fclose(f);
	return ok ? 0 : -1;
}

/* One round trip at the device's offset 0 (the file has no pwrite: open it anew). */
static int round_trip(const char *buf, unsigned long size)
{
	int fd = open("/dev/edu_dma", O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, buf, size);
	close(fd);
	return n == (ssize_t)size ? 0 : -1;
}

int main(int argc, char **argv)
{
	unsigned long long rt0, tk0, dv0, rt1, tk1, dv1;
	unsigned long n, size;
	char *buf;

	if (argc != 4 || !(n = strtoul(argv[2], NULL, 0)) || !(size = strtoul(argv[3], NULL, 0)) ||
	    size > 4095) {
		fprintf(stderr, "usage: edu-dma TAG N SIZE (SIZE at most 4095)\n");
		return 2;
	}
	buf = malloc(size);
	if (!buf)
		return 1;
	for (unsigned long i = 0; i < size; i++)
		buf[i] = (char)(i * 7 + 1);
	if (round_trip(buf, size)) {	/* warm up, and check it works */
		perror("edu-dma: /dev/edu_dma");
		return 1;
	}
	if (stats(&rt0, &tk0, &dv0)) {
		fprintf(stderr, "edu-dma: cannot read /proc/edu_dma\n");
		return 1;
	}
	for (unsigned long i = 0; i < n; i++) {
		if (round_trip(buf, size)) {
			perror("edu-dma: write");
			return 1;
		}
	}
	if (stats(&rt1, &tk1, &dv1) || rt1 - rt0 != n) {
		fprintf(stderr, "edu-dma: the driver counted %llu round trips, not %lu\n", rt1 - rt0,
			n);
		return 1;
	}
	printf("bench confine edu-dma-%s cpu=%llu bytes=%lu n=%lu\n", argv[1],
	       ((tk1 - tk0) - (dv1 - dv0)) / n, size, n);
	return 0;
}
