/*
 * What one 4 KiB pwrite costs the whole system, counted (docs/costs.md):
 * `mkcosts FILE N` writes N distinct 4 KiB blocks of FILE with pwrite and
 * prints the growth of /proc/costs (every task's counters, servers
 * included) over the N calls, less what reading /proc/costs itself adds:
 *
 *   calls=N bytes_cross_as=B bytes_from_user=U as_switches=S ipc_messages=M
 *
 * user/tests/mkrun.sh runs it on the kernel's ext2 and, under mkrun, on
 * ext2 through vfs and ext2d, and checks the counts against what each
 * design predicts.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { CROSS, FROM_USER, AS_SWITCHES, IPC, NFIELDS };
static const char *const names[NFIELDS] = { "bytes_cross_as", "bytes_from_user", "as_switches",
					    "ipc_messages" };

static int snapshot(long long v[NFIELDS])
{
	char buf[2048], *p;
	int fd = open("/proc/costs", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (int i = 0; i < NFIELDS; i++) {
		p = strstr(buf, names[i]);
		if (!p)
			return -1;
		v[i] = atoll(p + strlen(names[i]));
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char block[4096];
	long long a[NFIELDS], b[NFIELDS], c[NFIELDS];
	int n = argc > 2 ? atoi(argv[2]) : 0, fd;

	if (argc != 3 || n <= 0) {
		fprintf(stderr, "usage: mkcosts FILE N\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	memset(block, 'c', sizeof(block));
	/* what two snapshots cost with nothing between them */
	if (snapshot(a) || snapshot(b))
		return 1;
	for (int i = 0; i < n; i++)
		if (pwrite(fd, block, sizeof(block), (off_t)i * (off_t)sizeof(block)) != sizeof(block)) {
			perror("pwrite");
			return 1;
		}
	if (snapshot(c))
		return 1;
	printf("calls=%d", n);
	for (int i = 0; i < NFIELDS; i++)
		printf(" %s=%lld", names[i], (c[i] - b[i]) - (b[i] - a[i]));
	printf("\n");
	close(fd);
	return 0;
}
