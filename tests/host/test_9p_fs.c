/*
 * Host tests for the 9p file system as a whole: the client, the VFS glue
 * and the VFS itself, driven through the sys_* entry points against the
 * in-memory server of tests/host/p9_server.h, which checks every message
 * the client sends. Mount syntax and options, data in and out at the
 * smallest and a middle msize, directories larger than one reply,
 * every name operation, attributes in both directions, changes made on
 * the server behind the client's back, and each kind of broken reply: the
 * call fails with EIO and a log line, and the next one works. No fid may
 * be left on the server after unmounting, and LeakSanitizer checks the
 * kernel side.
 */
#include "tests/host/fs_host.h"
#include "lib/string.c"		/* kstrtoull */
#undef pr_fmt
#include "fs/9p/proto.c"
#undef pr_fmt
#include "fs/9p/client.c"
#undef pr_fmt
#include "fs/9p/vfs_super.c"
#include "fs/9p/vfs_inode.c"
#include "fs/9p/vfs_file.c"
#include "tests/host/p9_server.h"
#include "tests/host/test.h"

#define OPTS "trans=virtio,version=9p2000.L"

/* The client's mutex: one task, so it must always be free when taken. */
void __mutex_init(struct mutex *m, const char *name)
{
	m->owner = NULL;
	m->name = name;
}

void mutex_lock(struct mutex *m)
{
	CHECK(m->owner == NULL);
	m->owner = current;
}

void mutex_unlock(struct mutex *m)
{
	CHECK(m->owner == current);
	m->owner = NULL;
}

static long openp(const char *path, int flags, int mode)
{
	return SC(openat, U(AT_FDCWD), U(path), U(flags), U(mode));
}

static long mnt(const char *source, const char *opts)
{
	return SC(mount, U(source), U("/mnt"), U("9p"), 0, U(opts));
}

static long umnt(void)
{
	return SC(umount2, U("/mnt"), 0);
}

static long stat_path(const char *path, struct kstat *st)
{
	return SC(newfstatat, U(AT_FDCWD), U(path), U(st), 0);
}

static bool logged(const char *s)
{
	return strstr(printk_buf, s) != NULL;
}

/* A server tree: /hello.txt, /dir/inner, /many/f000..f299. */
static void fresh_server(void)
{
	int dir, many;

	for (int i = 0; i < srv.nnodes; i++)
		free(srv.node[i].data);
	srv_reset();
	srv_set_data(srv_make(0, "hello.txt", 0100644), "hello\n", 6);
	dir = srv_make(0, "dir", 040755);
	srv_set_data(srv_make(dir, "inner", 0100600), "inside", 6);
	many = srv_make(0, "many", 040755);
	for (int i = 0; i < 300; i++) {
		char name[8];

		snprintf(name, sizeof(name), "f%03d", i);
		srv_make(many, name, 0100644);
	}
	printk_clear();
}

/* Unmount, and check that the session gave back every fid and broke no rule. */
static void finish_session(void)
{
	CHECK_EQ(umnt(), 0);
	CHECK_EQ(srv_fids_in_use(), 0);
	CHECK(!srv.in_use);
	CHECK_EQ(srv.proto_errors, 0);
}

static void mount_syntax(void)
{
	char buf[512];
	long fd, n;

	fresh_server();
	CHECK_EQ(mnt("host", OPTS), 0);
	CHECK(!strcmp(srv.uname, "root") && !strcmp(srv.aname, ""));
	CHECK(logged("9p: mounted \"host\" (msize 65536)"));	/* the server's cap */
	fd = openp("/proc/mounts", O_RDONLY, 0);
	n = SC(read, U(fd), U(buf), sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	SC(close, U(fd));
	CHECK(strstr(buf, "host /mnt 9p rw") != NULL);
	CHECK_EQ(mnt("host", OPTS), -EBUSY);		/* one mount per device */
	finish_session();
	CHECK_EQ(mnt("host", OPTS ",aname=/,cache=loose"), 0);
	CHECK(!strcmp(srv.aname, "/"));
	CHECK(logged("ignoring the mount option \"cache\""));
	finish_session();
	CHECK_EQ(mnt("host", OPTS ",aname=/nowhere"), -ENOENT);
	CHECK(!srv.in_use);
	CHECK_EQ(mnt("host", NULL), 0);			/* the defaults are the same */
	finish_session();
}

static void bad_options(void)
{
	fresh_server();
	CHECK_EQ(mnt("host", "trans=virtio,version=9p2000.u"), -EINVAL);
	CHECK(logged("protocol version \"9p2000.u\" is not supported"));
	CHECK_EQ(mnt("host", "trans=tcp"), -EINVAL);
	CHECK(logged("transport \"tcp\" is not supported"));
	CHECK_EQ(mnt("host", OPTS ",msize=100"), -EINVAL);
	CHECK_EQ(mnt("host", OPTS ",msize=4k"), -EINVAL);
	CHECK_EQ(mnt("host", OPTS ",msize=99999999"), -EINVAL);
	CHECK(logged("bad value \"99999999\" for msize"));
	CHECK_EQ(mnt("other", OPTS), -ENOENT);
	CHECK_EQ(mnt("", OPTS), -EINVAL);
	strcpy(srv.version, "unknown");
	CHECK_EQ(mnt("host", OPTS), -EINVAL);
	CHECK(logged("the server does not speak 9P2000.L"));
	strcpy(srv.version, "9P2000.L");
	srv.fault = F_BIGMSIZE;
	CHECK_EQ(mnt("host", OPTS ",msize=8192"), -EIO);
	srv.fault = F_GARBAGE;
	CHECK_EQ(mnt("host", OPTS), -EIO);
	CHECK(!srv.in_use);
	CHECK_EQ(srv_fids_in_use(), 0);
	CHECK_EQ(mnt("host", OPTS), 0);			/* nothing was left behind */
	finish_session();
}

/* @n bytes of a pattern that changes with @seed. */
static uint8_t *pattern(size_t n, unsigned int seed)
{
	uint8_t *p = malloc(n);

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + seed + i / 4096);
	return p;
}

/* Write and read back 300 KiB at @msize: syscalls and one-call kernel I/O. */
static void data_at(const char *msize)
{
	char opts[64];
	size_t n = 300 * 1024;
	uint8_t *want = pattern(n, (unsigned int)strlen(msize)), *got = calloc(1, n);
	struct file *f;
	int err, node;
	long fd;

	fresh_server();
	snprintf(opts, sizeof(opts), OPTS ",msize=%s", msize);
	CHECK_EQ(mnt("host", opts), 0);
	fd = openp("/mnt/big", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0);
	for (size_t off = 0; off < n; off += 65536)
		CHECK_EQ(SC(write, U(fd), U(want + off), MIN(n - off, 65536)),
			 (long)MIN(n - off, 65536));
	SC(close, U(fd));
	node = srv_lookup("big");
	CHECK(node > 0 && srv.node[node].size == n && !memcmp(srv.node[node].data, want, n));
	CHECK(srv.max_tlen <= srv.msize);
	f = vfs_open("/mnt/big", O_RDONLY, 0, &err);
	CHECK(f != NULL);
	CHECK_EQ(kernel_read(f, got, n, 0), (long)n);	/* one call: the client splits it */
	CHECK(!memcmp(got, want, n));
	CHECK_EQ(kernel_read(f, got, 100, n - 10), 10);
	CHECK_EQ(kernel_read(f, got, 100, n), 0);
	file_put(f);
	f = vfs_open("/mnt/big", O_WRONLY, 0, &err);
	CHECK_EQ(kernel_write(f, want + 1, n - 1, 0), (long)(n - 1));
	file_put(f);
	CHECK(!memcmp(srv.node[node].data, want + 1, n - 1));
	CHECK(srv.max_count <= srv.msize - 11 && srv.max_count >= srv.msize - 24);
	free(want);
	free(got);
	finish_session();
}

static void data_msize_4096(void)
{
	data_at("4096");
}

static void data_msize_8192(void)
{
	data_at("8192");
}

static void files(void)
{
	struct kstat st;
	char buf[64];
	long fd;
	int node;

	fresh_server();
	CHECK_EQ(mnt("host", OPTS), 0);
	fd = openp("/mnt/hello.txt", O_RDONLY, 0);
	CHECK_EQ(SC(read, U(fd), U(buf), sizeof(buf)), 6);
	CHECK(!memcmp(buf, "hello\n", 6));
	SC(close, U(fd));
	CHECK_EQ(stat_path("/mnt/hello.txt", &st), 0);
	node = srv_lookup("hello.txt");
	CHECK(st.st_size == 6 && st.st_ino == 1000 + (uint64_t)node && S_ISREG(st.st_mode));
	/* appends land at the end the server has, even one grown behind our back */
	fd = openp("/mnt/hello.txt", O_WRONLY | O_APPEND, 0);
	CHECK_EQ(SC(write, U(fd), U("A"), 1), 1);
	srv_resize(node, 10);
	CHECK_EQ(SC(write, U(fd), U("B"), 1), 1);
	SC(close, U(fd));
	CHECK(srv.node[node].size == 11 && srv.node[node].data[6] == 'A' &&
	      srv.node[node].data[10] == 'B');
	/* a held file sees the server's changes when its name is walked again */
	fd = openp("/mnt/hello.txt", O_RDONLY, 0);
	srv_resize(node, 3);
	CHECK_EQ(stat_path("/mnt/hello.txt", &st), 0);
	CHECK_EQ(st.st_size, 3);
	SC(close, U(fd));
	fd = openp("/mnt/hello.txt", O_WRONLY | O_TRUNC, 0);
	CHECK(fd >= 0 && srv.node[node].size == 0);
	CHECK_EQ(SC(ftruncate, U(fd), 5000), 0);
	CHECK_EQ(srv.node[node].size, 5000);
	CHECK_EQ(SC(fsync, U(fd)), 0);
	SC(close, U(fd));
	/* a new file that its mode forbids writing is still written by its creator */
	fd = openp("/mnt/ro", O_CREAT | O_WRONLY | O_EXCL, 0444);
	CHECK_EQ(SC(write, U(fd), U("xyz"), 3), 3);
	SC(close, U(fd));
	node = srv_lookup("ro");
	CHECK(node > 0 && srv.node[node].mode == 0100444 && srv.node[node].size == 3);
	CHECK_EQ(openp("/mnt/ro", O_CREAT | O_WRONLY | O_EXCL, 0644), -EEXIST);
	CHECK_EQ(openp("/mnt/nope", O_RDONLY, 0), -ENOENT);
	CHECK_EQ(openp("/mnt/dir", O_WRONLY, 0), -EISDIR);
	finish_session();
}

static void names(void)
{
	struct kstat st;
	struct timespec64 ts[2] = { { 111, 0 }, { 222, 0 } };
	char buf[64];
	int node;

	fresh_server();
	CHECK_EQ(mnt("host", OPTS), 0);
	CHECK_EQ(SC(mkdir, U("/mnt/new"), 0750), 0);
	CHECK(srv_lookup("new") > 0 && srv.node[srv_lookup("new")].mode == 040750);
	CHECK_EQ(SC(mkdir, U("/mnt/new"), 0750), -EEXIST);
	CHECK_EQ(SC(rename, U("/mnt/hello.txt"), U("/mnt/new/moved")), 0);
	CHECK(srv_lookup("hello.txt") < 0 && srv_lookup("new/moved") > 0);
	CHECK_EQ(SC(rename, U("/mnt/dir/inner"), U("/mnt/new/moved")), 0);	/* over it */
	CHECK(srv.node[srv_lookup("new/moved")].size == 6 && srv_lookup("dir/inner") < 0);
	CHECK_EQ(SC(rmdir, U("/mnt/new")), -ENOTEMPTY);
	CHECK_EQ(SC(unlink, U("/mnt/new/moved")), 0);
	CHECK_EQ(SC(unlink, U("/mnt/new/moved")), -ENOENT);
	CHECK_EQ(SC(rmdir, U("/mnt/new")), 0);
	CHECK(srv_lookup("new") < 0);
	CHECK_EQ(SC(symlink, U("dir/target"), U("/mnt/ln")), 0);
	CHECK_EQ(SC(readlink, U("/mnt/ln"), U(buf), sizeof(buf)), 10);
	CHECK(!memcmp(buf, "dir/target", 10));
	CHECK_EQ(SC(link, U("/mnt/many/f001"), U("/mnt/hard")), 0);
	CHECK_EQ(stat_path("/mnt/hard", &st), 0);
	CHECK_EQ(st.st_nlink, 2);
	node = srv_lookup("hard");
	CHECK_EQ(SC(chmod, U("/mnt/hard"), 0600), 0);
	CHECK_EQ(srv.node[node].mode, 0100600);
	CHECK_EQ(SC(chown, U("/mnt/hard"), 7, 8), 0);
	CHECK(srv.node[node].uid == 7 && srv.node[node].gid == 8);
	CHECK_EQ(SC(utimensat, U(AT_FDCWD), U("/mnt/hard"), U(ts), 0), 0);
	CHECK(srv.node[node].atime == 111 && srv.node[node].mtime == 222);
	CHECK_EQ(stat_path("/mnt/many/f001", &st), 0);
	CHECK(st.st_mtim.sec == 222 && (st.st_mode & 07777) == 0600 && st.st_uid == 7);
	CHECK_EQ(SC(mknod, U("/mnt/fifo"), S_IFIFO | 0644, 0), 0);
	CHECK_EQ(srv.node[srv_lookup("fifo")].mode, S_IFIFO | 0644);
	finish_session();
}

/* All names of /mnt/many through getdents64 in small pieces: each once. */
static void readdir_many(void)
{
	static char seen[300];
	char buf[512];
	long fd, n;
	int total = 0;

	fresh_server();
	memset(seen, 0, sizeof(seen));
	CHECK_EQ(mnt("host", OPTS ",msize=4096"), 0);
	fd = openp("/mnt/many", O_RDONLY | O_DIRECTORY, 0);
	while ((n = SC(getdents64, U(fd), U(buf), sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			int i;

			if (sscanf(d->d_name, "f%d", &i) == 1 && i >= 0 && i < 300)
				seen[i]++;
			total++;
			off += d->d_reclen;
		}
	}
	CHECK_EQ(n, 0);
	CHECK_EQ(total, 302);		/* with . and .. */
	for (int i = 0; i < 300; i++)
		CHECK_EQ(seen[i], 1);
	CHECK(srv.nmsgs[P9_TREADDIR] > 3);
	CHECK_EQ(SC(lseek, U(fd), 0, SEEK_SET), 0);	/* rewinddir */
	CHECK(SC(getdents64, U(fd), U(buf), sizeof(buf)) > 0);
	srv.fault = F_DIRLOOP;
	CHECK_EQ(SC(lseek, U(fd), 0, SEEK_SET), 0);
	CHECK_EQ(SC(getdents64, U(fd), U(buf), sizeof(buf)), -EIO);
	CHECK(logged("Rreaddir leads back to offset 0"));
	SC(close, U(fd));
	finish_session();
}

/* Each broken reply fails its call with EIO and a log line; the next call works. */
static void bad_replies(void)
{
	static const struct {
		enum fault fault;
		const char *log;
	} cases[] = {
		{ F_TAG, "bad reply to Twalk: wrong tag" },
		{ F_SHORT, "size field larger than the reply" },
		{ F_SIZE, "size field larger than the reply" },
		{ F_TYPE, "unexpected message type" },
		{ F_ERRNO, "Rlerror with a bad error number" },
		{ F_GARBAGE, "malformed reply to Twalk" },
	};
	struct kstat st;
	char buf[16];
	long fd;

	fresh_server();
	CHECK_EQ(mnt("host", OPTS), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		printk_clear();
		srv.fault = cases[i].fault;
		srv.fault_on = P9_TWALK;
		CHECK_EQ(stat_path("/mnt/hello.txt", &st), -EIO);
		if (!logged(cases[i].log))
			printf("# case %zu: no \"%s\" in the log: %s", i, cases[i].log, printk_buf);
		CHECK(logged(cases[i].log));
		CHECK_EQ(stat_path("/mnt/hello.txt", &st), 0);
	}
	fd = openp("/mnt/hello.txt", O_RDWR, 0);
	srv.fault = F_COUNT;
	srv.fault_on = P9_TREAD;
	CHECK_EQ(SC(read, U(fd), U(buf), sizeof(buf)), -EIO);
	CHECK_EQ(SC(pread64, U(fd), U(buf), sizeof(buf), 0), 6);
	srv.fault = F_COUNT;
	srv.fault_on = P9_TWRITE;
	CHECK_EQ(SC(write, U(fd), U("x"), 1), -EIO);
	CHECK(logged("Rwrite says 16386 bytes of 1 were written"));
	CHECK_EQ(SC(write, U(fd), U("x"), 1), 1);
	srv.fault = F_TAG;
	srv.fault_on = P9_TCLUNK;
	SC(close, U(fd));		/* the fid is gone for the client either way */
	srv.fault_on = 0;
	CHECK_EQ(umnt(), 0);
	/* the walks whose replies were spoiled made fids the client never knew of */
	CHECK(srv_fids_in_use() <= (int)ARRAY_SIZE(cases));
	CHECK_EQ(srv.proto_errors, 0);
}

int main(void)
{
	test_suite = "9p_fs";
	host_boot(NULL, 0);
	v9fs_init();
	CHECK_EQ(SC(mkdir, U("/mnt"), 0755), 0);
	RUN(mount_syntax);
	RUN(bad_options);
	RUN(data_msize_4096);
	RUN(data_msize_8192);
	RUN(files);
	RUN(names);
	RUN(readdir_many);
	RUN(bad_replies);
	for (int i = 0; i < srv.nnodes; i++)
		free(srv.node[i].data);
	TEST_EXIT();
}
