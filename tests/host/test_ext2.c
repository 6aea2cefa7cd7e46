/*
 * Host tests for the block layer, the buffer cache and ext2: images made
 * by e2fsprogs (mke2fs, scripts/mkdisk) are served by a fake disk backed
 * by memory, mounted through the VFS and changed with the file syscalls;
 * the image is then checked by e2fsck and read back with debugfs, so the
 * on-disk format is judged by the reference tools, not by this code.
 * A bounded fuzz loop mounts images with random bytes written over their
 * superblock, group descriptors, inodes and directories: ASan and UBSan
 * must stay silent and every call must return.
 */
#include "tests/host/fs_host.h"
#include "tests/host/test.h"

#undef pr_fmt
#include "lib/crc32.c"
#undef pr_fmt
#include "drivers/block/blkdev.c"
#undef pr_fmt
#include "drivers/block/buffer.c"
#undef pr_fmt
#include "drivers/block/partition.c"
#undef pr_fmt
#include "fs/ext2/super.c"
#include "fs/ext2/inode.c"
#include "fs/ext2/balloc.c"
#include "fs/ext2/bmap.c"
#include "fs/ext2/file.c"
#include "fs/ext2/dir.c"
#include "fs/ext2/namei.c"

#include <time.h>
#include <unistd.h>

void udelay(unsigned long us)
{
}

/* --- a disk in memory ----------------------------------------------------------- */
static uint8_t *img;
static size_t img_size;
static unsigned long nr_requests;

static int mem_submit(struct block_device *bdev, struct blk_request *rq)
{
	uint64_t off = rq->sector * SECTOR_SIZE;

	nr_requests++;
	for (unsigned int i = 0; rq->op != BLK_FLUSH && i < rq->nr_segs; i++) {
		if (off + rq->seg[i].len > img_size)
			abort();	/* blk_submit must have caught it */
		if (rq->op == BLK_READ)
			memcpy(rq->seg[i].buf, img + off, rq->seg[i].len);
		else
			memcpy(img + off, rq->seg[i].buf, rq->seg[i].len);
		off += rq->seg[i].len;
	}
	blk_request_done(rq, 0);
	return 0;
}

static void mem_poll(struct block_device *bdev)
{
}

static const struct block_device_ops mem_ops = { .submit = mem_submit, .poll = mem_poll };
static struct block_device disk = { .ops = &mem_ops };
static char tmpdir[] = "/tmp/basalt-ext2-XXXXXX";
static char path[256];
static bool have_tools;

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void load_image(const char *file)
{
	FILE *f = fopen(file, "rb");

	if (!f)
		abort();
	fseek(f, 0, SEEK_END);
	img_size = (size_t)ftell(f);
	rewind(f);
	free(img);
	img = malloc(img_size);
	if (fread(img, 1, img_size, f) != img_size)
		abort();
	fclose(f);
}

static void save_image(const char *file)
{
	FILE *f = fopen(file, "wb");

	if (!f || fwrite(img, 1, img_size, f) != img_size)
		abort();
	fclose(f);
}

/* --- helpers over the syscalls ----------------------------------------------------- */
static long openp(const char *p, int flags, int mode)
{
	return SC(openat, U(AT_FDCWD), U(p), U(flags), U(mode));
}

/* Deterministic contents: byte i of file @seed. */
static uint8_t pattern(unsigned int seed, uint64_t i)
{
	uint64_t x = (i / 8 + 1) * 0x9e3779b97f4a7c15ULL ^ seed * 0xbf58476d1ce4e5b9ULL;

	x ^= x >> 31;
	return (uint8_t)(x >> (8 * (i % 8)));
}

static long write_pattern(const char *p, unsigned int seed, uint64_t off, uint64_t len)
{
	long fd = openp(p, O_CREAT | O_WRONLY, 0644), n = 0;
	static uint8_t buf[65536];

	if (fd < 0)
		return fd;
	for (uint64_t done = 0; done < len; done += (uint64_t)n) {
		size_t chunk = (size_t)MIN((uint64_t)sizeof(buf), len - done);

		for (size_t i = 0; i < chunk; i++)
			buf[i] = pattern(seed, off + done + i);
		n = SC(pwrite64, U(fd), U(buf), U(chunk), U(off + done));
		if (n <= 0)
			break;
	}
	SC(close, U(fd));
	return n < 0 ? n : 0;
}

/* Does @p hold zeros up to @off, then the pattern for @len bytes, and nothing more? */
static bool check_pattern(const char *p, unsigned int seed, uint64_t off, uint64_t len)
{
	long fd = openp(p, O_RDONLY, 0), n;
	static uint8_t buf[65536];
	uint64_t pos = 0;
	bool ok = fd >= 0;

	while (ok && (n = SC(read, U(fd), U(buf), sizeof(buf))) > 0) {
		for (long i = 0; i < n; i++, pos++) {
			uint8_t want = pos < off ? 0 : pattern(seed, pos);

			if (buf[i] != want) {
				printf("# %s: byte %lu is %#x, want %#x\n", p, (unsigned long)pos,
				       buf[i], want);
				ok = false;
				break;
			}
		}
	}
	if (ok && pos != off + len) {
		printf("# %s: %lu bytes, want %lu\n", p, (unsigned long)pos,
		       (unsigned long)(off + len));
		ok = false;
	}
	SC(close, U(fd));
	return ok;
}

/* debugfs on the saved image must see the same bytes. */
static bool host_sees(const char *fs_path, const char *image, uint64_t offset, unsigned int seed,
		      uint64_t off, uint64_t len)
{
	char out[300];
	FILE *f;
	int c;
	uint64_t pos = 0;
	bool ok = true;

	snprintf(out, sizeof(out), "%s/dump", tmpdir);
	unlink(out);
	if (run("debugfs -R 'dump %s %s' '%s?offset=%lu' >/dev/null 2>&1", fs_path, out, image,
		(unsigned long)offset))
		return false;
	f = fopen(out, "rb");
	if (!f)
		return false;
	while (ok && (c = fgetc(f)) != EOF) {
		ok = (uint8_t)c == (pos < off ? 0 : pattern(seed, pos));
		pos++;
	}
	fclose(f);
	if (!ok || pos != off + len)
		printf("# debugfs: %s differs at byte %lu\n", fs_path, (unsigned long)pos);
	return ok && pos == off + len;
}

/* Create an empty file (or open an existing one) and close it again. */
static long touchp(const char *p)
{
	long fd = openp(p, O_CREAT | O_WRONLY, 0644);

	if (fd >= 0)
		SC(close, U(fd));
	return fd < 0 ? fd : 0;
}

static int mkdirp(const char *p)
{
	return (int)SC(mkdirat, U(AT_FDCWD), U(p), 0755);
}

static bool once;

static void setup(void)
{
	if (once)
		return;
	once = true;
	host_boot(NULL, 0);
	ext2_init();
	mkdirp("/mnt");
	have_tools = !run("command -v mke2fs >/dev/null && command -v e2fsck >/dev/null && "
			  "command -v debugfs >/dev/null") &&
		     mkdtemp(tmpdir);
}

/* A fresh image @file (made by scripts/mkdisk), attached as /dev/vda (once). */
static bool attach(const char *file)
{
	load_image(file);
	if (!disk.name[0]) {
		disk.nr_sectors = img_size / SECTOR_SIZE;
		blkdev_register_disk(&disk, "vd");
	}
	return blkdev_by_name("vda1") != NULL;
}

/* --- tests ---------------------------------------------------------------------- */
static void test_partitions_and_mount(void)
{
	struct kstat st;

	setup();
	if (!have_tools) {
		printf("# e2fsprogs missing: skipping\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/a.img", tmpdir);
	CHECK_EQ(run("scripts/mkdisk -s 80 -b 1024 -I 128 -d user/disk %s", path), 0);
	CHECK(attach(path));
	CHECK_EQ(blkdev_by_name("vda1")->start, 2048);
	CHECK_EQ(SC(newfstatat, U(AT_FDCWD), U("/dev/vda1"), U(&st), 0), 0);
	CHECK(S_ISBLK(st.st_mode));
	CHECK_EQ(st.st_rdev, MKDEV(254, 1));
	CHECK_EQ(do_mount("/dev/vda1", "/mnt", "ext2", 0, NULL), 0);
	CHECK_EQ(do_mount("/dev/vda1", "/tmp", "ext2", 0, NULL), -EBUSY);
}

struct wfile {
	const char *name;
	unsigned int seed;
	uint64_t off, len;	/* a hole of off bytes, then len bytes of pattern */
};

/* With 1 KiB blocks: direct (12 KiB), single (268 KiB), double (64 MiB) and triple indirect. */
static const struct wfile files[] = {
	{ "/mnt/w/empty", 1, 0, 0 },	{ "/mnt/w/one", 2, 0, 1 },
	{ "/mnt/w/b1023", 3, 0, 1023 }, { "/mnt/w/b1024", 4, 0, 1024 },
	{ "/mnt/w/b1025", 5, 0, 1025 }, { "/mnt/w/s300k", 6, 0, 300 * 1024 },
	{ "/mnt/w/m3", 7, 0, 3 << 20 }, { "/mnt/w/sparse", 8, 5 << 20, 4096 },
	{ "/mnt/w/triple", 9, 70ULL << 20, 5000 },
};

static void test_write_files(void)
{
	if (!have_tools)
		return;
	CHECK_EQ(mkdirp("/mnt/w"), 0);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (!files[i].len && !files[i].off)
			CHECK_EQ(touchp(files[i].name), 0);
		else
			CHECK_EQ(write_pattern(files[i].name, files[i].seed, files[i].off,
					       files[i].len), 0);
		CHECK(check_pattern(files[i].name, files[i].seed, files[i].off, files[i].len));
	}
}

static void test_names(void)
{
	static const char target[] = "/a/long/symlink/target/that/does/not/fit/in/the/inode/"
				     "so/it/takes/a/block";
	char buf[256];
	struct kstat st;

	if (!have_tools)
		return;
	CHECK_EQ(mkdirp("/mnt/d1"), 0);
	CHECK_EQ(mkdirp("/mnt/d1/sub"), 0);
	CHECK_EQ(mkdirp("/mnt/d2"), 0);
	CHECK_EQ(write_pattern("/mnt/d1/f", 11, 0, 5000), 0);
	CHECK_EQ(SC(linkat, U(AT_FDCWD), U("/mnt/d1/f"), U(AT_FDCWD), U("/mnt/d2/hard"), 0), 0);
	CHECK_EQ(SC(newfstatat, U(AT_FDCWD), U("/mnt/d2/hard"), U(&st), 0), 0);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_EQ(SC(symlinkat, U("d1/f"), U(AT_FDCWD), U("/mnt/fast")), 0);
	CHECK_EQ(SC(symlinkat, U(target), U(AT_FDCWD), U("/mnt/slow")), 0);
	CHECK_EQ(SC(readlinkat, U(AT_FDCWD), U("/mnt/slow"), U(buf), sizeof(buf)),
		 (long)strlen(target));
	CHECK(check_pattern("/mnt/fast", 11, 0, 5000));
	/* a directory moves to another parent: link counts follow */
	CHECK_EQ(SC(renameat2, U(AT_FDCWD), U("/mnt/d1/sub"), U(AT_FDCWD), U("/mnt/d2/sub"), 0), 0);
	CHECK_EQ(SC(newfstatat, U(AT_FDCWD), U("/mnt/d1"), U(&st), 0), 0);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_EQ(SC(newfstatat, U(AT_FDCWD), U("/mnt/d2"), U(&st), 0), 0);
	CHECK_EQ(st.st_nlink, 3);
	/* rename over an existing file; then unlink, rmdir, truncate, attributes */
	CHECK_EQ(write_pattern("/mnt/d2/victim", 12, 0, 100), 0);
	CHECK_EQ(SC(renameat2, U(AT_FDCWD), U("/mnt/d2/hard"), U(AT_FDCWD), U("/mnt/d2/victim"),
		    0), 0);
	CHECK(check_pattern("/mnt/d2/victim", 11, 0, 5000));
	CHECK_EQ(SC(unlinkat, U(AT_FDCWD), U("/mnt/d1/f"), 0), 0);
	CHECK_EQ(SC(unlinkat, U(AT_FDCWD), U("/mnt/d2"), AT_REMOVEDIR), -ENOTEMPTY);
	CHECK_EQ(SC(truncate, U("/mnt/d2/victim"), 1500), 0);
	CHECK(check_pattern("/mnt/d2/victim", 11, 0, 1500));
	CHECK_EQ(write_pattern("/mnt/d1/cut", 13, 0, 3 << 20), 0);
	CHECK_EQ(SC(truncate, U("/mnt/d1/cut"), 200000), 0);
	CHECK(check_pattern("/mnt/d1/cut", 13, 0, 200000));
	CHECK_EQ(SC(truncate, U("/mnt/d1/cut"), 300000), 0);
	{
		long fd = openp("/mnt/d1/cut", O_RDONLY, 0);
		uint8_t z[4096], zero[4096] = { 0 };

		CHECK_EQ(SC(pread64, U(fd), U(z), sizeof(z), 250000), (long)sizeof(z));
		CHECK(!memcmp(z, zero, sizeof(z)));	/* the cut tail reads as zeros */
		SC(close, U(fd));
	}
	CHECK_EQ(SC(fchmodat, U(AT_FDCWD), U("/mnt/d2/victim"), 0600, 0), 0);
	CHECK_EQ(SC(fchownat, U(AT_FDCWD), U("/mnt/d2/victim"), 1000, 100000, 0), 0);
	CHECK_EQ(SC(mknodat, U(AT_FDCWD), U("/mnt/fifo"), S_IFIFO | 0644, 0), 0);
	for (int i = 0; i < 200; i++) {		/* a directory of several blocks */
		snprintf(buf, sizeof(buf), "/mnt/d1/entry-with-a-longish-name-%03d", i);
		CHECK_EQ(touchp(buf), 0);
	}
	for (int i = 0; i < 200; i += 2) {
		snprintf(buf, sizeof(buf), "/mnt/d1/entry-with-a-longish-name-%03d", i);
		CHECK_EQ(SC(unlinkat, U(AT_FDCWD), U(buf), 0), 0);
	}
	SC(sync);
}

/* Unmount, then let e2fsck and debugfs judge the image. */
static void test_fsck_clean(void)
{
	if (!have_tools)
		return;
	CHECK_EQ(do_umount("/mnt", 0), 0);
	save_image(path);
	CHECK_EQ(run("e2fsck -fn '%s?offset=1048576' >%s/fsck.log 2>&1 || cat %s/fsck.log", path,
		     tmpdir, tmpdir), 0);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		CHECK(host_sees(files[i].name + 4, path, 1 << 20, files[i].seed, files[i].off,
				files[i].len));
	CHECK(host_sees("/d2/victim", path, 1 << 20, 11, 0, 1500));
	CHECK_EQ(run("debugfs -R 'stat /d2/victim' '%s?offset=1048576' 2>/dev/null | tr -s ' ' | "
		     "grep -c -e 'User: 1000 Group: 100000 ' -e 'Mode: 0600 ' | grep -q 2", path), 0);
	CHECK_EQ(run("debugfs -R 'cat /slow' '%s?offset=1048576' 2>/dev/null | grep -q '^/a/long'",
		     path), 0);
}

/* Mount again: everything written is there. */
static void test_remount_reads_back(void)
{
	if (!have_tools)
		return;
	CHECK_EQ(do_mount("/dev/vda1", "/mnt", "ext2", 0, NULL), 0);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		CHECK(check_pattern(files[i].name, files[i].seed, files[i].off, files[i].len));
	CHECK(check_pattern("/mnt/d2/victim", 11, 0, 1500));
	/* free everything: the counts must come back (e2fsck checks them) */
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		CHECK_EQ(SC(unlinkat, U(AT_FDCWD), U(files[i].name), 0), 0);
	CHECK_EQ(SC(unlinkat, U(AT_FDCWD), U("/mnt/w"), AT_REMOVEDIR), 0);
	CHECK_EQ(do_umount("/mnt", 0), 0);
	save_image(path);
	CHECK_EQ(run("e2fsck -fn '%s?offset=1048576' >%s/fsck.log 2>&1 || cat %s/fsck.log", path,
		     tmpdir, tmpdir), 0);
}

/* Walk a tree, reading everything, at most @depth deep. */
static void walk(const char *dir, int depth)
{
	char buf[4096], child[512];
	long fd = openp(dir, O_RDONLY | O_DIRECTORY, 0), n;

	if (fd < 0 || depth > 6)
		goto out;
	while ((n = SC(getdents64, U(fd), U(buf), sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct { uint64_t ino; int64_t off; uint16_t reclen; uint8_t type; char name[]; }
				*d = (void *)(buf + off);
			struct kstat st;

			off += d->reclen;
			if (!strcmp(d->name, ".") || !strcmp(d->name, ".."))
				continue;
			snprintf(child, sizeof(child), "%s/%s", dir, d->name);
			if (SC(newfstatat, U(AT_FDCWD), U(child), U(&st), AT_SYMLINK_NOFOLLOW))
				continue;
			if (S_ISDIR(st.st_mode)) {
				walk(child, depth + 1);
			} else if (S_ISLNK(st.st_mode)) {
				SC(readlinkat, U(AT_FDCWD), U(child), U(buf), 64);
			} else if (S_ISREG(st.st_mode)) {
				long f = openp(child, O_RDONLY, 0);
				char data[4096];

				for (int k = 0; f >= 0 && k < 64; k++)
					if (SC(read, U(f), U(data), sizeof(data)) <= 0)
						break;
				SC(close, U(f));
			}
		}
	}
out:
	if (fd >= 0)
		SC(close, U(fd));
}

/* Random bytes over metadata: mount refuses, or reads and writes fail cleanly. */
static void test_fuzz_metadata(void)
{
	uint8_t *pristine;
	size_t size;
	unsigned int seed = 12345, mounted = 0, refused = 0;
	time_t t0 = time(NULL);
	uint64_t part = 1 << 20;

	if (!have_tools)
		return;
	CHECK_EQ(run("scripts/mkdisk -s 80 -b 1024 -I 128 -d user/disk %s", path), 0);
	load_image(path);
	pristine = malloc(img_size);
	memcpy(pristine, img, img_size);
	size = img_size;
	for (int iter = 0; iter < 400 && time(NULL) - t0 < 6; iter++) {
		/* superblock, group descriptors, bitmaps and inode table, root directory */
		static const uint64_t regions[][2] = {
			{ 1024, 1024 }, { 2048, 1024 }, { 3072, 64 * 1024 }, { 260 * 1024, 64 * 1024 },
		};
		int flips = 1 + (int)(rand_r(&seed) % 8);

		memcpy(img, pristine, size);
		for (int k = 0; k < flips; k++) {
			const uint64_t *r = regions[rand_r(&seed) % ARRAY_SIZE(regions)];

			img[part + r[0] + rand_r(&seed) % r[1]] = (uint8_t)rand_r(&seed);
		}
		printk_clear();
		if (do_mount("/dev/vda1", "/mnt", "ext2", 0, NULL)) {
			refused++;
			bdev_invalidate(blkdev_by_name("vda1"));
			continue;
		}
		mounted++;
		walk("/mnt", 0);
		write_pattern("/mnt/new", 1, 0, 20000);
		mkdirp("/mnt/newdir");
		SC(unlinkat, U(AT_FDCWD), U("/mnt/hello.txt"), 0);
		SC(renameat2, U(AT_FDCWD), U("/mnt/docs"), U(AT_FDCWD), U("/mnt/newdir/docs"), 0);
		CHECK_EQ(do_umount("/mnt", 0), 0);
	}
	printf("# fuzz: %u mounted, %u refused in %lds\n", mounted, refused,
	       (long)(time(NULL) - t0));
	CHECK(mounted > 0 && refused > 0);
	free(pristine);
}

int main(void)
{
	test_suite = "ext2";
	RUN(test_partitions_and_mount);
	RUN(test_write_files);
	RUN(test_names);
	RUN(test_fsck_clean);
	RUN(test_remount_reads_back);
	RUN(test_fuzz_metadata);
	if (have_tools)
		run("rm -rf %s", tmpdir);
	TEST_EXIT();
}
