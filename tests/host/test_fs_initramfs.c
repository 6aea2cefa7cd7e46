/*
 * Host tests for fs/initramfs.c: a well-formed newc archive (directories,
 * files, symlinks, device nodes, FIFOs, hard links, modes, owners and
 * times), then malformed ones that must be refused with a message naming
 * the entry: truncated headers, bad magic, non-hex fields, impossible
 * name and data sizes, names without their NUL, names climbing out with
 * "..", a missing trailer. Finally a fixed-seed fuzz of archive bytes,
 * each run unpacked into a fresh tmpfs that is unmounted again, so ASan
 * and LeakSanitizer see any overrun or leak.
 */
#include "tests/host/fs_host.h"
#include "tests/host/test.h"

#define FUZZ_ROUNDS	20000

static struct kstat st;

static long lstat_path(const char *path)
{
	return SC(newfstatat, U(AT_FDCWD), U(path), U(&st), U(AT_SYMLINK_NOFOLLOW));
}

/* Mount a fresh tmpfs on /u and make it the caller's root for unpacking. */
static void sandbox_enter(void)
{
	struct dentry *d;

	if (lstat_path("/u"))
		CHECK_EQ(do_mkdirat(AT_FDCWD, "/u", 0755), 0);
	CHECK_EQ(do_mount("none", "/u", "tmpfs", 0, NULL), 0);
	CHECK_EQ(path_lookup(AT_FDCWD, "/u", LOOKUP_FOLLOW, &d), 0);
	dput(host_task.fs->root);
	host_task.fs->root = d;
}

static void sandbox_leave(void)
{
	dput(host_task.fs->root);
	host_task.fs->root = dget(vfs_root_dentry);
	CHECK_EQ(do_umount("/u", 0), 0);
}

/* Unpack @c in a sandbox; returns initramfs_unpack's result. */
static int unpack_sandboxed(const struct cpio_buf *c)
{
	int err;

	sandbox_enter();
	printk_clear();
	err = initramfs_unpack(c->data, c->len);
	return err;
}

static void good_archive(void)
{
	struct cpio_buf c = { 0 };
	char buf[64];
	int base = pages_in_use;

	cpio_add(&c, ".", S_IFDIR | 0700, 0, 2, NULL, 0, 0, 0);
	cpio_add(&c, "./bin", S_IFDIR | 0755, 0, 2, NULL, 0, 0, 0);
	cpio_add(&c, "bin/busybox", S_IFREG | 04755, 0, 1, "ELF...", 6, 0, 0);
	cpio_add(&c, "bin/sh", S_IFLNK | 0777, 0, 1, "busybox", 7, 0, 0);
	cpio_add(&c, "dev/console", S_IFCHR | 0600, 0, 1, NULL, 0, 5, 1);	/* no dev/ entry */
	cpio_add(&c, "run/fifo", S_IFIFO | 0644, 0, 1, NULL, 0, 0, 0);
	cpio_add(&c, "etc/a", S_IFREG | 0644, 77, 2, NULL, 0, 0, 0);
	cpio_add(&c, "etc/b", S_IFREG | 0644, 77, 2, "linked", 6, 0, 0);
	cpio_add(&c, "/abs/../", S_IFDIR | 0755, 0, 1, NULL, 0, 0, 0);
	cpio_trailer(&c);
	CHECK_EQ(unpack_sandboxed(&c), -EINVAL);	/* the ".." entry is refused... */
	CHECK(strstr(printk_buf, "entry 8 '/abs/../': name leaves the root") != NULL);
	CHECK_EQ(lstat_path("/"), 0);			/* ...the rest is there */
	CHECK_EQ(st.st_mode, S_IFDIR | 0700);
	CHECK_EQ(lstat_path("/bin/busybox"), 0);
	CHECK_EQ(st.st_mode, S_IFREG | 04755);
	CHECK_EQ(st.st_size, 6);
	CHECK_EQ(st.st_mtim.sec, 1700000000);
	CHECK_EQ(lstat_path("/bin/sh"), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(SC(readlink, U("/bin/sh"), U(buf), sizeof(buf)), 7);
	CHECK_EQ(lstat_path("/dev/console"), 0);
	CHECK_EQ(st.st_rdev, MKDEV(5, 1));
	CHECK_EQ(st.st_mode, S_IFCHR | 0600);
	CHECK_EQ(lstat_path("/run/fifo"), 0);
	CHECK(S_ISFIFO(st.st_mode));
	CHECK_EQ(lstat_path("/etc/a"), 0);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_EQ(st.st_size, 6);
	uint64_t ino = st.st_ino;
	CHECK_EQ(lstat_path("/etc/b"), 0);
	CHECK_EQ(st.st_ino, ino);
	CHECK_EQ(lstat_path("/abs"), -ENOENT);
	sandbox_leave();
	CHECK_EQ(pages_in_use, base);	/* unmounting freed every data page */
	free(c.data);
}

/* Unpack @len bytes; expect failure and a message containing @msg. */
static void expect_bad(const void *data, size_t len, const char *msg)
{
	struct cpio_buf c = { (uint8_t *)data, len, len, 0 };
	int err = unpack_sandboxed(&c);

	if (err != -EINVAL || !strstr(printk_buf, msg))
		printf("# expected \"%s\", got %d: %s", msg, err, printk_buf);
	CHECK_EQ(err, -EINVAL);
	CHECK(strstr(printk_buf, msg) != NULL);
	sandbox_leave();
}

static struct cpio_buf one_file(void)
{
	struct cpio_buf c = { 0 };

	cpio_add(&c, "file", S_IFREG | 0644, 0, 1, "0123456789", 10, 0, 0);
	cpio_trailer(&c);
	return c;
}

static void malformed(void)
{
	struct cpio_buf c = one_file();
	uint8_t *m = malloc(c.len);

	expect_bad(c.data, 0, "entry 0 at offset 0: truncated header");
	expect_bad(c.data, 50, "truncated header (50 bytes left)");
	memcpy(m, c.data, c.len);
	memcpy(m, "070707", 6);
	expect_bad(m, c.len, "entry 0 at offset 0: bad magic");
	memcpy(m, c.data, c.len);
	m[6 + 8 * 1 + 3] = 'g';	/* mode */
	expect_bad(m, c.len, "field mode is not hex");
	/* name size: zero, huge, past the end, without its NUL */
	memcpy(m, c.data, c.len);
	memcpy(m + 6 + 8 * 11, "00000000", 8);
	expect_bad(m, c.len, "name size 0 out of range");
	memcpy(m + 6 + 8 * 11, "FFFFFFFF", 8);
	expect_bad(m, c.len, "name size 4294967295 out of range");
	memcpy(m + 6 + 8 * 11, "00000FFF", 8);
	expect_bad(m, c.len, "name runs past the end");
	memcpy(m + 6 + 8 * 11, "00000004", 8);
	expect_bad(m, c.len, "name is not a NUL-terminated string of 4 bytes");
	memcpy(m, c.data, c.len);
	m[110 + 4] = 'X';	/* overwrite the name's NUL */
	expect_bad(m, c.len, "name is not a NUL-terminated string");
	/* data sizes */
	memcpy(m, c.data, c.len);
	memcpy(m + 6 + 8 * 6, "FFFFFFFF", 8);
	expect_bad(m, c.len, "entry 0 'file': 4294967295 bytes of data run past the end");
	memcpy(m + 6 + 8 * 6, "00000100", 8);
	expect_bad(m, c.len, "bytes of data run past the end");
	/* truncated before the trailer, and cut in the trailer's header */
	expect_bad(c.data, 128, "without TRAILER!!!");
	expect_bad(c.data, 140, "entry 1 at offset 128: truncated header");
	/* an unknown file type in an otherwise sound archive */
	struct cpio_buf t = { 0 };
	cpio_add(&t, "weird", 0170644, 0, 1, NULL, 0, 0, 0);
	cpio_add(&t, "ok", S_IFREG | 0644, 0, 1, "x", 1, 0, 0);
	cpio_trailer(&t);
	expect_bad(t.data, t.len, "entry 0 'weird': cannot create (error -22)");
	/* a symlink whose target holds a NUL, one with an empty target */
	struct cpio_buf s = { 0 };
	cpio_add(&s, "l1", S_IFLNK | 0777, 0, 1, "a\0b", 3, 0, 0);
	cpio_add(&s, "l2", S_IFLNK | 0777, 0, 1, NULL, 0, 0, 0);
	cpio_trailer(&s);
	expect_bad(s.data, s.len, "entry 1 'l2': cannot create");
	CHECK(strstr(printk_buf, "entry 0 'l1': cannot create") != NULL);
	/* names: only ".." is fatal for an entry; "./", "//" and "." are cleaned */
	struct cpio_buf n = { 0 };
	cpio_add(&n, "a/../../etc/passwd", S_IFREG | 0644, 0, 1, "pw", 2, 0, 0);
	cpio_add(&n, "..", S_IFDIR | 0755, 0, 1, NULL, 0, 0, 0);
	cpio_add(&n, ".//x//./y", S_IFREG | 0644, 0, 1, "y", 1, 0, 0);
	cpio_trailer(&n);
	CHECK_EQ(unpack_sandboxed(&n), -EINVAL);
	CHECK(strstr(printk_buf, "entry 0 'a/../../etc/passwd': name leaves the root") != NULL);
	CHECK(strstr(printk_buf, "entry 1 '..': name leaves the root") != NULL);
	CHECK_EQ(lstat_path("/x/y"), 0);
	CHECK_EQ(lstat_path("/etc/passwd"), -ENOENT);
	sandbox_leave();
	CHECK_EQ(lstat_path("/etc/passwd"), -ENOENT);	/* nothing escaped to the real root */
	/* trailing zero padding and a second archive after the trailer */
	struct cpio_buf two = { 0 };
	cpio_add(&two, "first", S_IFREG | 0644, 0, 1, "1", 1, 0, 0);
	cpio_trailer(&two);
	cpio_raw(&two, "\0\0\0\0\0\0\0\0", 8);
	cpio_add(&two, "second", S_IFREG | 0644, 0, 1, "2", 1, 0, 0);
	cpio_trailer(&two);
	cpio_raw(&two, "\0\0\0\0", 4);
	CHECK_EQ(unpack_sandboxed(&two), 0);
	CHECK_EQ(lstat_path("/second"), 0);
	sandbox_leave();
	free(c.data);
	free(t.data);
	free(s.data);
	free(n.data);
	free(two.data);
	free(m);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void fuzz(void)
{
	static const char hex[] = "0123456789abcdefFG\0/.";
	struct cpio_buf c = { 0 };
	uint8_t *m;
	int base = pages_in_use, accepted = 0;

	cpio_add(&c, "d", S_IFDIR | 0755, 0, 2, NULL, 0, 0, 0);
	cpio_add(&c, "d/f", S_IFREG | 0644, 0, 1, "contents", 8, 0, 0);
	cpio_add(&c, "d/l", S_IFLNK | 0777, 0, 1, "f", 1, 0, 0);
	cpio_add(&c, "d/h1", S_IFREG | 0644, 9, 2, NULL, 0, 0, 0);
	cpio_add(&c, "d/h2", S_IFREG | 0644, 9, 2, "hard", 4, 0, 0);
	cpio_add(&c, "d/n", S_IFCHR | 0644, 0, 1, NULL, 0, 1, 3);
	cpio_trailer(&c);
	m = malloc(c.len);
	for (int round = 0; round < FUZZ_ROUNDS; round++) {
		size_t len = c.len;
		int flips = 1 + (int)(rnd() % 6);

		memcpy(m, c.data, c.len);
		for (int i = 0; i < flips; i++) {
			size_t at = rnd() % c.len;

			if (rnd() % 2)
				m[at] = (uint8_t)hex[rnd() % (sizeof(hex) - 1)];
			else
				m[at] = (uint8_t)rnd();
		}
		if (rnd() % 4 == 0)
			len = rnd() % c.len;
		/* an exact-size heap copy, so ASan catches any read past the end */
		uint8_t *exact = malloc(len ? len : 1);
		memcpy(exact, m, len);
		sandbox_enter();
		accepted += initramfs_unpack(exact, len) == 0;
		sandbox_leave();
		free(exact);
	}
	printf("# fuzz: %d of %d mutated archives unpacked cleanly\n", accepted, FUZZ_ROUNDS);
	CHECK(accepted < FUZZ_ROUNDS);
	CHECK_EQ(pages_in_use, base);
	free(m);
	free(c.data);
}

int main(void)
{
	test_suite = "fs_initramfs";
	host_boot(NULL, 0);
	RUN(good_archive);
	RUN(malformed);
	RUN(fuzz);
	TEST_EXIT();
}
