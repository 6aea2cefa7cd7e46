/*
 * getdents64: a directory with many entries lists every name exactly once
 * (plus "." and ".."), across many calls with a small buffer, with correct
 * d_type; rewinding starts over; removed entries disappear; a buffer too
 * small for one entry is EINVAL.
 */
#include "tap.h"
#include <stdint.h>

#define N 300

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void name_of(int i, char *buf, size_t size)
{
	/* "<i>-" padded to 4..59 characters, so records vary in size */
	int len = 4 + (i * 7) % 56;
	int n = snprintf(buf, size, "%d-", i);

	while (n < len && n < (int)size - 1) {
		buf[n] = 'a' + (i + n) % 26;
		n++;
	}
	buf[n] = 0;
}

static void populate(void)
{
	char name[80];

	for (int i = 0; i < N; i++) {
		name_of(i, name, sizeof(name));
		if (i % 10 == 0) {
			if (mkdir(name, 0755) != 0)
				tap_printf("# mkdir %s: %s\n", name, strerror(errno));
		} else if (tap_write_file(name, "", 0) != 0) {
			tap_printf("# create %s: %s\n", name, strerror(errno));
		}
	}
}

/* Find which entry @name is; -1 for "." and "..", -2 if unknown. */
static int index_of(const char *name)
{
	char want[80];

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -1;
	int i = atoi(name);
	if (i < 0 || i >= N)
		return -2;
	name_of(i, want, sizeof(want));
	return strcmp(want, name) ? -2 : i;
}

/* List with raw getdents64 and a @bufsize buffer; count names in @seen. */
static int list_raw(int fd, size_t bufsize, int *seen, int *dots, int *calls)
{
	char buf[4096] __attribute__((aligned(8)));
	long n;

	*dots = 0;
	*calls = 0;
	while ((n = syscall(SYS_getdents64, fd, buf, bufsize)) > 0) {
		(*calls)++;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			int i = index_of(d->d_name);
			if (i == -2) {
				tap_printf("# unexpected entry '%s'\n", d->d_name);
				return -1;
			}
			if (i == -1) {
				(*dots)++;
				if (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN)
					return -1;
			} else {
				seen[i]++;
				int want = i % 10 == 0 ? DT_DIR : DT_REG;
				if (d->d_type != want) {
					tap_printf("# '%s' has d_type %d, want %d\n", d->d_name,
						   d->d_type, want);
					return -1;
				}
			}
			if (d->d_reclen == 0 || d->d_reclen % 8)
				return -1;
			off += d->d_reclen;
		}
	}
	return n < 0 ? -1 : 0;
}

static void many_entries_small_buffer(void)
{
	int seen[N] = { 0 }, dots, calls;
	int fd = open(".", O_RDONLY | O_DIRECTORY);

	REQUIRE(fd >= 0);
	CHECK_EQ(list_raw(fd, 256, seen, &dots, &calls), 0);
	CHECK_EQ(dots, 2);
	CHECK(calls > 10);
	for (int i = 0; i < N; i++)
		if (seen[i] != 1) {
			tap_printf("# entry %d seen %d times\n", i, seen[i]);
			tap_cur_failed = 1;
		}
	/* at the end it keeps returning 0 */
	char buf[512];
	CHECK_EQ(syscall(SYS_getdents64, fd, buf, sizeof(buf)), 0);
	close(fd);
}

static void rewind_lists_again(void)
{
	int seen[N] = { 0 }, dots, calls;
	int fd = open(".", O_RDONLY | O_DIRECTORY);

	REQUIRE(fd >= 0);
	CHECK_EQ(list_raw(fd, 4096, seen, &dots, &calls), 0);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(list_raw(fd, 4096, seen, &dots, &calls), 0);
	CHECK_EQ(dots, 2);
	for (int i = 0; i < N; i++)
		CHECK_EQ(seen[i], 2);
	close(fd);
}

static void readdir_libc(void)
{
	/* opendir/readdir as ls uses them */
	DIR *d = opendir(".");
	struct dirent *de;
	int seen[N] = { 0 }, count = 0;

	REQUIRE(d);
	while ((de = readdir(d)) != NULL) {
		int i = index_of(de->d_name);
		CHECK(i != -2);
		if (i >= 0)
			seen[i]++;
		count++;
	}
	closedir(d);
	CHECK_EQ(count, N + 2);
	for (int i = 0; i < N; i++)
		CHECK_EQ(seen[i], 1);
}

static void removed_entries_vanish(void)
{
	char name[80];
	int seen[N] = { 0 }, dots, calls;

	for (int i = 1; i < N; i += 10) {
		name_of(i, name, sizeof(name));
		CHECK_EQ(unlink(name), 0);
	}
	int fd = open(".", O_RDONLY | O_DIRECTORY);
	REQUIRE(fd >= 0);
	CHECK_EQ(list_raw(fd, 1024, seen, &dots, &calls), 0);
	for (int i = 0; i < N; i++)
		CHECK_EQ(seen[i], i % 10 == 1 ? 0 : 1);
	close(fd);
}

static void errors(void)
{
	char buf[8];
	int fd = open(".", O_RDONLY | O_DIRECTORY);

	REQUIRE(fd >= 0);
	CHECK_ERR(syscall(SYS_getdents64, fd, buf, sizeof(buf)), EINVAL);
	close(fd);
	CHECK_ERR(syscall(SYS_getdents64, fd, buf, sizeof(buf)), EBADF);
	fd = open(tap_argv0, O_RDONLY);
	REQUIRE(fd >= 0);
	char big[256];
	CHECK_ERR(syscall(SYS_getdents64, fd, big, sizeof(big)), ENOTDIR);
	close(fd);
}

static void empty_dir(void)
{
	int seen[N] = { 0 }, dots, calls;

	REQUIRE(mkdir("empty", 0755) == 0);
	int fd = open("empty", O_RDONLY | O_DIRECTORY);
	REQUIRE(fd >= 0);
	CHECK_EQ(list_raw(fd, 4096, seen, &dots, &calls), 0);
	CHECK_EQ(dots, 2);
	close(fd);
	rmdir("empty");
}

int main(int argc, char **argv)
{
	tap_init("getdents", argv[0], 1);
	populate();
	RUN(many_entries_small_buffer);
	RUN(rewind_lists_again);
	RUN(readdir_libc);
	RUN(errors);
	RUN(empty_dir);
	RUN(removed_entries_vanish);
	return tap_done();
}
