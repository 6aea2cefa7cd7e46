/*
 * Host tests for the VFS, tmpfs, devfs and the file syscalls, driven
 * through the sys_* entry points with host pointers standing in for user
 * memory: path walks (dots, mounts, symlinks and their limit), error
 * numbers, permissions, file data, directories and readdir during
 * unlinks, rename rules, links, descriptors, devices, statx and EFAULT.
 * LeakSanitizer checks that every inode, dentry and page is freed.
 */
#include "tests/host/fs_host.h"
#include "tests/host/test.h"

static long openp(const char *path, int flags, int mode)
{
	return SC(openat, U(AT_FDCWD), U(path), U(flags), U(mode));
}

static long write_str(int fd, const char *s)
{
	return SC(write, U(fd), U(s), U(strlen(s)));
}

/* Create @path holding @s. */
static void make_file(const char *path, const char *s)
{
	long fd = openp(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	CHECK(fd >= 0);
	CHECK_EQ(write_str((int)fd, s), (long)strlen(s));
	SC(close, U(fd));
}

/* The contents of @path (static buffer), or "" on error. */
static const char *read_file(const char *path)
{
	static char buf[512];
	long fd = openp(path, O_RDONLY, 0), n;

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = SC(read, U(fd), U(buf), sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	SC(close, U(fd));
	return buf;
}

static long stat_path(const char *path, struct kstat *st, int flags)
{
	return SC(newfstatat, U(AT_FDCWD), U(path), U(st), U(flags));
}

static const char *cwd(void)
{
	static char buf[PATH_MAX];

	if (SC(getcwd, U(buf), sizeof(buf)) < 0)
		strcpy(buf, "?");
	return buf;
}

static long do_chdir(const char *p)
{
	return SC(chdir, U(p));
}

static void boot_tree(void)
{
	struct kstat st;

	CHECK_EQ(stat_path("/dev/null", &st, 0), 0);
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(st.st_rdev, MKDEV(1, 3));
	CHECK_EQ(stat_path("/proc", &st, 0), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(stat_path("/tmp", &st, 0), 0);
	CHECK_EQ(st.st_mode & 07777, 01777);
	CHECK_EQ(stat_path("/", &st, 0), 0);
	CHECK_EQ(st.st_mode & 07777, 0755);
}

static void path_walk(void)
{
	char longname[NAME_MAX + 2], *longpath;
	struct kstat st, root;

	CHECK_EQ(SC(mkdir, U("/w"), 0755), 0);
	CHECK_EQ(SC(mkdir, U("/w/a"), 0755), 0);
	make_file("/w/a/f", "data");
	CHECK_EQ(stat_path("/", &root, 0), 0);
	CHECK_EQ(stat_path("/..", &st, 0), 0);
	CHECK_EQ(st.st_ino, root.st_ino);
	CHECK_EQ(stat_path("/../../w/./a/../a//f", &st, 0), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(stat_path("/w/a/f/", &st, 0), -ENOTDIR);
	CHECK_EQ(stat_path("/w/a/f/x", &st, 0), -ENOTDIR);
	CHECK_EQ(stat_path("/w/a/nope", &st, 0), -ENOENT);
	CHECK_EQ(stat_path("/w/nope/x", &st, 0), -ENOENT);
	CHECK_EQ(stat_path("", &st, 0), -ENOENT);
	memset(longname, 'n', NAME_MAX + 1);
	longname[NAME_MAX + 1] = '\0';
	CHECK_EQ(stat_path(longname, &st, 0), -ENAMETOOLONG);
	longname[NAME_MAX] = '\0';
	CHECK_EQ(stat_path(longname, &st, 0), -ENOENT);
	longpath = malloc(PATH_MAX + 10);
	memset(longpath, '/', PATH_MAX + 9);
	longpath[PATH_MAX + 9] = '\0';
	CHECK_EQ(stat_path(longpath, &st, 0), -ENAMETOOLONG);
	free(longpath);
	/* relative walks from the cwd and from a directory fd */
	CHECK_EQ(do_chdir("/w/a"), 0);
	CHECK_EQ(strcmp(cwd(), "/w/a"), 0);
	CHECK_EQ(stat_path("f", &st, 0), 0);
	CHECK_EQ(stat_path("../a/f", &st, 0), 0);
	CHECK_EQ(do_chdir(".."), 0);
	CHECK_EQ(strcmp(cwd(), "/w"), 0);
	long dfd = openp("/w/a", O_RDONLY | O_DIRECTORY, 0);
	CHECK(dfd >= 0);
	CHECK_EQ(SC(newfstatat, U(dfd), U("f"), U(&st), 0), 0);
	CHECK_EQ(SC(newfstatat, U(dfd), U(""), U(&st), U(AT_EMPTY_PATH)), 0);
	CHECK(S_ISDIR(st.st_mode));
	long ffd = openp("/w/a/f", O_RDONLY, 0);
	CHECK_EQ(SC(newfstatat, U(ffd), U("x"), U(&st), 0), -ENOTDIR);
	CHECK_EQ(SC(newfstatat, U(99), U("x"), U(&st), 0), -EBADF);
	CHECK_EQ(SC(fchdir, U(dfd)), 0);
	CHECK_EQ(strcmp(cwd(), "/w/a"), 0);
	CHECK_EQ(SC(fchdir, U(ffd)), -ENOTDIR);
	SC(close, U(dfd));
	SC(close, U(ffd));
	CHECK_EQ(do_chdir("/"), 0);
}

static void symlinks(void)
{
	char buf[64], name[32], target[32];
	struct kstat st;
	long n;

	CHECK_EQ(SC(mkdir, U("/s"), 0755), 0);
	make_file("/s/real", "R");
	CHECK_EQ(SC(symlink, U("real"), U("/s/rel")), 0);
	CHECK_EQ(SC(symlink, U("/s"), U("/s/abs")), 0);
	CHECK_EQ(SC(symlink, U("nowhere"), U("/s/dangling")), 0);
	CHECK_EQ(SC(symlink, U("loop2"), U("/s/loop1")), 0);
	CHECK_EQ(SC(symlink, U("loop1"), U("/s/loop2")), 0);
	CHECK_EQ(SC(symlink, U(""), U("/s/empty")), -ENOENT);
	CHECK_EQ(SC(symlink, U("x"), U("/s/real")), -EEXIST);
	CHECK_EQ(strcmp(read_file("/s/rel"), "R"), 0);
	CHECK_EQ(strcmp(read_file("/s/abs/abs/abs/rel"), "R"), 0);
	CHECK_EQ(stat_path("/s/rel", &st, 0), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(stat_path("/s/rel", &st, AT_SYMLINK_NOFOLLOW), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(st.st_size, 4);
	CHECK_EQ(stat_path("/s/dangling", &st, 0), -ENOENT);
	CHECK_EQ(stat_path("/s/loop1", &st, 0), -ELOOP);
	CHECK_EQ(stat_path("/s/loop1/x", &st, 0), -ELOOP);
	CHECK_EQ(stat_path("/s/abs/", &st, AT_SYMLINK_NOFOLLOW), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(openp("/s/rel", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	n = SC(readlink, U("/s/abs"), U(buf), sizeof(buf));
	CHECK_EQ(n, 2);
	CHECK_EQ(memcmp(buf, "/s", 2), 0);
	CHECK_EQ(SC(readlink, U("/s/real"), U(buf), sizeof(buf)), -EINVAL);
	CHECK_EQ(SC(readlink, U("/s/abs"), U(buf), 1), 1);
	/* a chain of exactly 40 links resolves, 41 do not */
	for (int i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "/s/c%d", i);
		snprintf(target, sizeof(target), i == 1 ? "real" : "c%d", i - 1);
		CHECK_EQ(SC(symlink, U(target), U(name)), 0);
	}
	CHECK_EQ(stat_path("/s/c40", &st, 0), 0);
	CHECK_EQ(stat_path("/s/c41", &st, 0), -ELOOP);
	/* O_CREAT through a dangling link is refused, O_EXCL sees the link */
	CHECK_EQ(openp("/s/rel", O_CREAT | O_EXCL | O_WRONLY, 0644), -EEXIST);
}

static void mount_points(void)
{
	char buf[256];
	struct kstat st, mnt;

	CHECK_EQ(SC(mkdir, U("/m"), 0755), 0);
	make_file("/m/under", "u");
	CHECK_EQ(SC(mount, U("none"), U("/m"), U("tmpfs"), 0, 0), 0);
	CHECK_EQ(stat_path("/m/under", &st, 0), -ENOENT);
	CHECK_EQ(stat_path("/m", &mnt, 0), 0);
	CHECK_EQ(mnt.st_mode & 07777, 01777);
	CHECK_EQ(SC(mkdir, U("/m/d"), 0755), 0);
	CHECK_EQ(stat_path("/m/d/../..", &st, 0), 0);
	CHECK_EQ(stat_path("/m/d/../../m/d", &st, 0), 0);
	CHECK_EQ(do_chdir("/m/d"), 0);
	CHECK_EQ(strcmp(cwd(), "/m/d"), 0);
	CHECK_EQ(do_chdir("../.."), 0);
	CHECK_EQ(strcmp(cwd(), "/"), 0);
	CHECK_EQ(do_chdir("/m"), 0);
	CHECK_EQ(SC(umount2, U("/m"), 0), -EBUSY);
	CHECK_EQ(do_chdir("/"), 0);
	CHECK_EQ(SC(mount, U("x"), U("/m"), U("nosuchfs"), 0, 0), -ENODEV);
	CHECK_EQ(SC(mount, U("x"), U("/m/d/nope"), U("tmpfs"), 0, 0), -ENOENT);
	CHECK_EQ(SC(rmdir, U("/m")), -EBUSY);
	CHECK_EQ(SC(rename, U("/m/d"), U("/w/d")), -EXDEV);
	strcpy(buf, read_file("/proc/mounts"));
	CHECK(strstr(buf, "rootfs / tmpfs rw 0 0\n") != NULL);
	CHECK(strstr(buf, "devtmpfs /dev devtmpfs") != NULL);
	CHECK(strstr(buf, "proc /proc proc") != NULL);
	CHECK(strstr(buf, "none /m tmpfs") != NULL);
	CHECK_EQ(SC(umount2, U("/m"), 0), 0);
	CHECK_EQ(strcmp(read_file("/m/under"), "u"), 0);
	CHECK_EQ(SC(umount2, U("/m"), 0), -EINVAL);
	CHECK_EQ(SC(umount2, U("/"), 0), -EBUSY);
	CHECK(strstr(read_file("/proc/mounts"), " /m ") == NULL);
	CHECK(strstr(read_file("/proc/filesystems"), "nodev\ttmpfs\n") != NULL);
}

static void permissions(void)
{
	struct kstat st;
	struct file *f;

	make_file("/tmp/secret", "s");
	CHECK_EQ(SC(chmod, U("/tmp/secret"), 0600), 0);
	CHECK_EQ(SC(mkdir, U("/tmp/closed"), 0700), 0);
	make_file("/tmp/closed/inner", "i");
	make_file("/tmp/script", "#!/bin/sh\n");
	host_task.cred = (struct cred){ 1000, 1000, 1000, 1000 };
	CHECK_EQ(openp("/tmp/secret", O_RDONLY, 0), -EACCES);
	CHECK_EQ(stat_path("/tmp/closed/inner", &st, 0), -EACCES);
	CHECK_EQ(SC(access, U("/tmp/script"), 4), 0);
	CHECK_EQ(SC(access, U("/tmp/script"), 2), -EACCES);
	CHECK_EQ(SC(chmod, U("/tmp/secret"), 0777), -EPERM);
	CHECK_EQ(SC(chown, U("/tmp/script"), 1000, 1000), -EPERM);
	CHECK_EQ(SC(mkdir, U("/w/mine"), 0755), -EACCES);
	CHECK_EQ(SC(mount, U("none"), U("/tmp"), U("tmpfs"), 0, 0), -EPERM);
	make_file("/tmp/own", "o");	/* /tmp is world-writable */
	CHECK_EQ(stat_path("/tmp/own", &st, 0), 0);
	CHECK_EQ(st.st_uid, 1000);
	host_task.cred = (struct cred){ 1001, 1001, 1001, 1001 };
	CHECK_EQ(SC(unlink, U("/tmp/own")), -EPERM);	/* sticky /tmp */
	host_task.cred = (struct cred){ 0, 0, 0, 0 };
	CHECK_EQ(strcmp(read_file("/tmp/secret"), "s"), 0);
	CHECK_EQ(stat_path("/tmp/closed/inner", &st, 0), 0);
	/* exec needs some x bit, even for root */
	f = vfs_open("/tmp/script", O_RDONLY, 0, &(int){ 0 });
	CHECK(f != NULL);
	CHECK_EQ(vfs_may_exec(f), -EACCES);
	CHECK_EQ(SC(chmod, U("/tmp/script"), 0700), 0);
	CHECK_EQ(vfs_may_exec(f), 0);
	file_put(f);
	CHECK_EQ(SC(chown, U("/tmp/own"), 5, 6), 0);
	CHECK_EQ(stat_path("/tmp/own", &st, 0), 0);
	CHECK_EQ(st.st_uid, 5);
	CHECK_EQ(st.st_gid, 6);
	CHECK_EQ(SC(unlink, U("/tmp/own")), 0);
	CHECK_EQ(SC(umask, 077), 022);
	make_file("/tmp/masked", "");
	CHECK_EQ(stat_path("/tmp/masked", &st, 0), 0);
	CHECK_EQ(st.st_mode & 0777, 0600);
	CHECK_EQ(SC(umask, 022), 077);
}

static void file_io(void)
{
	char buf[8192];
	struct kstat st;
	long fd;
	int i;

	fd = openp("/tmp/data", O_CREAT | O_RDWR | O_EXCL, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(openp("/tmp/data", O_CREAT | O_EXCL | O_RDWR, 0644), -EEXIST);
	CHECK_EQ(write_str((int)fd, "hello"), 5);
	CHECK_EQ(SC(lseek, U(fd), 10000, SEEK_SET), 10000);
	CHECK_EQ(write_str((int)fd, "end"), 3);
	CHECK_EQ(SC(fstat, U(fd), U(&st)), 0);
	CHECK_EQ(st.st_size, 10003);
	CHECK_EQ(SC(pread64, U(fd), U(buf), 8192, 0), 8192);
	CHECK_EQ(memcmp(buf, "hello", 5), 0);
	for (i = 5; i < 8192 && !buf[i]; i++)
		;
	CHECK_EQ(i, 8192);	/* the hole reads as zeros */
	CHECK_EQ(SC(pread64, U(fd), U(buf), 100, 10001), 2);
	CHECK_EQ(SC(pread64, U(fd), U(buf), 100, 20000), 0);
	CHECK_EQ(SC(pread64, U(fd), U(buf), 100, -1), -EINVAL);
	CHECK_EQ(SC(pwrite64, U(fd), U("XY"), 2, 1), 2);
	CHECK_EQ(SC(lseek, U(fd), 0, SEEK_CUR), 10003);
	CHECK_EQ(SC(lseek, U(fd), -3, SEEK_END), 10000);
	CHECK_EQ(SC(lseek, U(fd), -1, SEEK_SET), -EINVAL);
	CHECK_EQ(SC(lseek, U(fd), 0, 7), -EINVAL);
	CHECK_EQ(SC(ftruncate, U(fd), 3), 0);
	CHECK_EQ(SC(ftruncate, U(fd), 5000), 0);
	CHECK_EQ(SC(pread64, U(fd), U(buf), 10, 0), 10);
	CHECK_EQ(memcmp(buf, "hXY\0\0\0\0\0\0\0", 10), 0);	/* shrink zeroed the tail */
	SC(close, U(fd));
	CHECK_EQ(SC(truncate, U("/tmp/data"), 0), 0);
	make_file("/tmp/app", "a");
	fd = openp("/tmp/app", O_WRONLY | O_APPEND, 0);
	SC(lseek, U(fd), 0, SEEK_SET);
	CHECK_EQ(write_str((int)fd, "b"), 1);
	SC(close, U(fd));
	CHECK_EQ(strcmp(read_file("/tmp/app"), "ab"), 0);
	fd = openp("/tmp/app", O_WRONLY | O_TRUNC, 0);
	SC(close, U(fd));
	CHECK_EQ(strcmp(read_file("/tmp/app"), ""), 0);
	CHECK_EQ(openp("/tmp", O_WRONLY, 0), -EISDIR);
	CHECK_EQ(openp("/tmp/app", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	CHECK_EQ(openp("/tmp/", O_CREAT | O_RDWR, 0644), -EISDIR);
	CHECK_EQ(openp("/tmp/newdir/", O_CREAT | O_RDWR, 0644), -EISDIR);
	CHECK_EQ(openp(".", O_CREAT | O_EXCL | O_WRONLY, 0644), -EEXIST);
	fd = openp("/tmp", O_RDONLY, 0);
	CHECK_EQ(SC(read, U(fd), U(buf), 10), -EISDIR);
	CHECK_EQ(SC(write, U(fd), U(buf), 10), -EBADF);
	SC(close, U(fd));
	/* readv/writev */
	struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } };
	fd = openp("/tmp/vec", O_CREAT | O_RDWR, 0644);
	CHECK_EQ(SC(writev, U(fd), U(iov), 2), 5);
	char x[2], y[8];
	struct iovec riov[2] = { { x, 2 }, { y, 8 } };
	SC(lseek, U(fd), 0, SEEK_SET);
	CHECK_EQ(SC(readv, U(fd), U(riov), 2), 5);
	CHECK_EQ(memcmp(y, "cde", 3), 0);
	SC(close, U(fd));
	/* an unlinked file lives while open */
	fd = openp("/tmp/vec", O_RDONLY, 0);
	CHECK_EQ(SC(unlink, U("/tmp/vec")), 0);
	CHECK_EQ(SC(read, U(fd), U(buf), 100), 5);
	CHECK_EQ(SC(fstat, U(fd), U(&st)), 0);
	CHECK_EQ(st.st_nlink, 0);
	SC(close, U(fd));
}

static void directories(void)
{
	char buf[256], name[32];
	struct kstat st, sub;
	int seen = 0, dots = 0;
	long fd, n;

	CHECK_EQ(SC(mkdir, U("/d"), 0755), 0);
	CHECK_EQ(SC(mkdir, U("/d"), 0755), -EEXIST);
	CHECK_EQ(SC(mkdir, U("/d/"), 0755), -EEXIST);
	CHECK_EQ(SC(mkdir, U("/d/x/y"), 0755), -ENOENT);
	CHECK_EQ(SC(mkdir, U("/d/sub/"), 0755), 0);
	CHECK_EQ(stat_path("/d", &st, 0), 0);
	CHECK_EQ(st.st_nlink, 3);
	CHECK_EQ(stat_path("/d/sub", &sub, 0), 0);
	CHECK_EQ(sub.st_nlink, 2);
	make_file("/d/sub/f", "");
	CHECK_EQ(SC(rmdir, U("/d/sub")), -ENOTEMPTY);
	CHECK_EQ(SC(rmdir, U("/d/sub/f")), -ENOTDIR);
	CHECK_EQ(SC(unlink, U("/d/sub")), -EISDIR);
	CHECK_EQ(SC(unlink, U("/d/sub/f/")), -ENOTDIR);
	CHECK_EQ(SC(rmdir, U("/d/sub/.")), -EINVAL);
	CHECK_EQ(SC(rmdir, U("/d/sub/..")), -ENOTEMPTY);
	CHECK_EQ(SC(unlinkat, U(AT_FDCWD), U("/d/sub/f"), 0), 0);
	CHECK_EQ(SC(unlinkat, U(AT_FDCWD), U("/d/sub"), U(AT_REMOVEDIR)), 0);
	CHECK_EQ(stat_path("/d", &st, 0), 0);
	CHECK_EQ(st.st_nlink, 2);
	/* 300 entries read with a small buffer while each one is unlinked */
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "/d/entry%03d", i);
		make_file(name, "");
	}
	fd = openp("/d", O_RDONLY | O_DIRECTORY, 0);
	CHECK_EQ(SC(getdents64, U(fd), U(buf), 10), -EINVAL);
	while ((n = SC(getdents64, U(fd), U(buf), sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);

			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				dots++;
			else {
				CHECK_EQ(d->d_type, S_IFREG >> 12);
				snprintf(name, sizeof(name), "/d/%s", d->d_name);
				CHECK_EQ(SC(unlink, U(name)), 0);
				seen++;
			}
			off += d->d_reclen;
		}
	}
	CHECK_EQ(n, 0);
	CHECK_EQ(seen, 300);
	CHECK_EQ(dots, 2);
	CHECK_EQ(SC(lseek, U(fd), 0, SEEK_SET), 0);
	n = SC(getdents64, U(fd), U(buf), sizeof(buf));
	CHECK_EQ(n, 2 * 24);	/* only "." and ".." are left */
	SC(close, U(fd));
	CHECK_EQ(SC(rmdir, U("/d")), 0);
	fd = openp("/tmp/app", O_RDONLY, 0);
	CHECK_EQ(SC(getdents64, U(fd), U(buf), sizeof(buf)), -ENOTDIR);
	SC(close, U(fd));
	/* a removed working directory */
	CHECK_EQ(SC(mkdir, U("/gone"), 0755), 0);
	CHECK_EQ(do_chdir("/gone"), 0);
	CHECK_EQ(SC(rmdir, U("/gone")), 0);
	CHECK_EQ(SC(getcwd, U(buf), sizeof(buf)), -ENOENT);
	CHECK_EQ(openp("x", O_CREAT | O_RDWR, 0644), -ENOENT);
	CHECK_EQ(do_chdir("/"), 0);
	CHECK_EQ(SC(getcwd, U(buf), 1), -ERANGE);
	CHECK_EQ(SC(getcwd, U(buf), 2), 2);
}

static void renames(void)
{
	struct kstat st, st2;

	CHECK_EQ(SC(mkdir, U("/r"), 0755), 0);
	CHECK_EQ(SC(mkdir, U("/r/a"), 0755), 0);
	CHECK_EQ(SC(mkdir, U("/r/a/b"), 0755), 0);
	CHECK_EQ(SC(mkdir, U("/r/full"), 0755), 0);
	make_file("/r/full/f", "");
	make_file("/r/one", "1");
	make_file("/r/two", "2");
	CHECK_EQ(SC(rename, U("/r/one"), U("/r/two")), 0);
	CHECK_EQ(strcmp(read_file("/r/two"), "1"), 0);
	CHECK_EQ(stat_path("/r/one", &st, 0), -ENOENT);
	CHECK_EQ(SC(rename, U("/r/a"), U("/r/a/b/c")), -EINVAL);
	CHECK_EQ(SC(rename, U("/r/a"), U("/r/a")), 0);
	CHECK_EQ(SC(rename, U("/r/a"), U("/r/full")), -ENOTEMPTY);
	CHECK_EQ(SC(rename, U("/r/two"), U("/r/a")), -EISDIR);
	CHECK_EQ(SC(rename, U("/r/a"), U("/r/two")), -ENOTDIR);
	CHECK_EQ(SC(rename, U("/r/nope"), U("/r/x")), -ENOENT);
	CHECK_EQ(SC(rename, U("/r/two/"), U("/r/x")), -ENOTDIR);
	CHECK_EQ(SC(renameat2, U(AT_FDCWD), U("/r/two"), U(AT_FDCWD), U("/r/full/f"), 1), -EEXIST);
	CHECK_EQ(SC(rename, U("/r/."), U("/r/x")), -EBUSY);
	/* a directory moves with a working directory inside it */
	CHECK_EQ(do_chdir("/r/a/b"), 0);
	CHECK_EQ(stat_path("/r", &st, 0), 0);
	CHECK_EQ(st.st_nlink, 4);
	CHECK_EQ(SC(rename, U("/r/a"), U("/r/full/moved")), 0);
	CHECK_EQ(strcmp(cwd(), "/r/full/moved/b"), 0);
	CHECK_EQ(stat_path("/r", &st, 0), 0);
	CHECK_EQ(st.st_nlink, 3);
	CHECK_EQ(stat_path("..", &st, 0), 0);
	CHECK_EQ(stat_path("/r/full/moved", &st2, 0), 0);
	CHECK_EQ(st.st_ino, st2.st_ino);
	CHECK_EQ(do_chdir("/"), 0);
	/* an empty directory may be replaced by a directory */
	CHECK_EQ(SC(mkdir, U("/r/empty"), 0755), 0);
	CHECK_EQ(SC(rename, U("/r/full/moved"), U("/r/empty")), 0);
	CHECK_EQ(stat_path("/r/empty/b", &st, 0), 0);
	/* hard links */
	make_file("/r/h1", "hl");
	CHECK_EQ(SC(link, U("/r/h1"), U("/r/h2")), 0);
	CHECK_EQ(SC(link, U("/r/h1"), U("/r/h2")), -EEXIST);
	CHECK_EQ(SC(link, U("/r/empty"), U("/r/dirlink")), -EPERM);
	CHECK_EQ(SC(link, U("/r/h1"), U("/dev/h")), -EXDEV);
	CHECK_EQ(stat_path("/r/h2", &st, 0), 0);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_EQ(SC(rename, U("/r/h1"), U("/r/h2")), 0);	/* same inode: no-op */
	CHECK_EQ(stat_path("/r/h1", &st, 0), 0);
	CHECK_EQ(SC(unlink, U("/r/h1")), 0);
	CHECK_EQ(strcmp(read_file("/r/h2"), "hl"), 0);
	CHECK_EQ(stat_path("/r/h2", &st, 0), 0);
	CHECK_EQ(st.st_nlink, 1);
}

static void descriptors(void)
{
	long a, b, c;
	int fds[2];

	a = openp("/dev/null", O_RDWR, 0);
	CHECK(a >= 0);
	b = SC(dup, U(a));
	CHECK_EQ(b, a + 1);
	CHECK_EQ(SC(close, U(a)), 0);
	CHECK_EQ(SC(close, U(a)), -EBADF);
	CHECK_EQ(SC(dup, U(b)), a);	/* lowest free */
	CHECK_EQ(SC(dup2, U(b), 100), 100);
	CHECK_EQ(SC(dup2, U(b), U(b)), b);
	CHECK_EQ(SC(dup2, U(555), 3), -EBADF);
	CHECK_EQ(SC(dup3, U(b), U(b), 0), -EINVAL);
	CHECK_EQ(SC(dup3, U(b), 101, U(O_CLOEXEC)), 101);
	CHECK_EQ(SC(fcntl, 101, 1, 0), 1);	/* F_GETFD: FD_CLOEXEC */
	CHECK_EQ(SC(fcntl, U(b), 1030, 50), 50);	/* F_DUPFD_CLOEXEC */
	CHECK_EQ(SC(fcntl, U(b), 0, 50), 51);
	CHECK_EQ(SC(fcntl, U(b), 3, 0), O_RDWR);	/* F_GETFL */
	CHECK_EQ(SC(fcntl, U(b), 4, U(O_NONBLOCK | O_APPEND)), 0);
	CHECK_EQ(SC(fcntl, U(b), 3, 0), O_RDWR | O_NONBLOCK | O_APPEND);
	int on = 0;
	CHECK_EQ(SC(ioctl, U(b), 0x5421, U(&on)), 0);	/* FIONBIO off */
	CHECK_EQ(SC(fcntl, U(b), 3, 0), O_RDWR | O_APPEND);
	CHECK_EQ(SC(ioctl, U(b), 0x5451, 0), 0);	/* FIOCLEX */
	CHECK_EQ(SC(fcntl, U(b), 1, 0), 1);
	CHECK_EQ(SC(ioctl, U(b), 0x5401, 0), -ENOTTY);
	CHECK_EQ(SC(ioctl, 999, 0x5401, 0), -EBADF);
	files_close_on_exec(host_task.files);
	CHECK(fd_get(101) == NULL);
	CHECK(fd_get(50) == NULL);
	CHECK(fd_get((int)b) == NULL);
	CHECK(fd_get(51) != NULL);
	CHECK(fd_get(100) != NULL);
	SC(close, 51);
	SC(close, 100);
	SC(close, U(a));
	/* the table holds MAX_FDS descriptors, then EMFILE */
	c = 0;
	for (int i = 0; i < MAX_FDS + 1; i++)
		if (openp("/", O_RDONLY, 0) == -EMFILE)
			c++;
	CHECK(c >= 1);
	CHECK_EQ(SC(pipe2, U(fds), 0), -EMFILE);
	for (int i = 0; i < MAX_FDS; i++)
		SC(close, U(i));
	CHECK(fd_get(0) == NULL);
	/* fork copies the table; the files are shared */
	a = openp("/dev/zero", O_RDONLY, 0);
	struct files *copy = files_dup(host_task.files);
	CHECK(copy->fd[a] == host_task.files->fd[a]);
	CHECK_EQ(copy->fd[a]->refcount, 2);
	files_put(copy);
	CHECK_EQ(host_task.files->fd[a]->refcount, 1);
	SC(close, U(a));
}

static void devices(void)
{
	char buf[16];
	long fd;

	fd = openp("/dev/null", O_RDWR, 0);
	CHECK_EQ(SC(read, U(fd), U(buf), sizeof(buf)), 0);
	CHECK_EQ(write_str((int)fd, "gone"), 4);
	CHECK_EQ(SC(lseek, U(fd), 100, SEEK_SET), 0);
	SC(close, U(fd));
	fd = openp("/dev/zero", O_RDONLY, 0);
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(SC(read, U(fd), U(buf), sizeof(buf)), 16);
	CHECK_EQ(buf[0] | buf[15], 0);
	SC(close, U(fd));
	fd = openp("/dev/full", O_WRONLY, 0);
	CHECK_EQ(write_str((int)fd, "x"), -ENOSPC);
	SC(close, U(fd));
	fd = openp("/dev/urandom", O_RDONLY, 0);
	CHECK_EQ(SC(read, U(fd), U(buf), 11), 11);
	SC(close, U(fd));
	printk_clear();
	fd = openp("/dev/kmsg", O_WRONLY, 0);
	CHECK_EQ(write_str((int)fd, "<3>from user\n"), 13);
	CHECK(strstr(printk_buf, "from user\n") != NULL);
	SC(close, U(fd));
	/* nodes anywhere open their driver; unknown numbers give ENXIO */
	CHECK_EQ(SC(mknod, U("/tmp/mynull"), U(S_IFCHR | 0666), U(MKDEV(1, 3))), 0);
	fd = openp("/tmp/mynull", O_RDWR, 0);
	CHECK_EQ(write_str((int)fd, "gone"), 4);
	SC(close, U(fd));
	CHECK_EQ(SC(mknod, U("/tmp/nodev"), U(S_IFCHR | 0666), U(MKDEV(99, 1))), 0);
	CHECK_EQ(openp("/tmp/nodev", O_RDWR, 0), -ENXIO);
	CHECK_EQ(SC(mknod, U("/tmp/bad"), U(0170000 | 0666), 0), -EINVAL);
	CHECK_EQ(devfs_register("null", 0666, MKDEV(1, 3), &null_fops, NULL), -EBUSY);
	CHECK_EQ(devfs_register("a/b", 0666, MKDEV(1, 200), &null_fops, NULL), -EINVAL);
	char log[64];
	long n = SC(syslog, 3, U(log), sizeof(log));
	CHECK(n > 0);
	CHECK_EQ(SC(syslog, 10, 0, 0), 65536);
	CHECK_EQ(SC(syslog, 3, U(BAD_UPTR), 10), -EFAULT);
}

static void stat_calls(void)
{
	struct statx sx;
	struct kstatfs sfs;
	struct timespec64 ts[2] = { { 1000, 5 }, { 2000, UTIME_OMIT } };
	struct kstat st;

	make_file("/tmp/sx", "12345");
	CHECK_EQ(SC(statx, U(AT_FDCWD), U("/tmp/sx"), 0, 0x7ff, U(&sx)), 0);
	CHECK_EQ(sx.stx_size, 5);
	CHECK_EQ(sx.stx_mode & S_IFMT, S_IFREG);
	CHECK_EQ(sx.stx_mask, 0x7ff);
	CHECK_EQ(SC(statx, U(AT_FDCWD), U("/dev/zero"), 0, 0x7ff, U(&sx)), 0);
	CHECK_EQ(sx.stx_rdev_major, 1);
	CHECK_EQ(sx.stx_rdev_minor, 5);
	CHECK_EQ(SC(statfs, U("/tmp"), U(&sfs)), 0);
	CHECK_EQ(sfs.f_type, TMPFS_MAGIC);
	CHECK_EQ(SC(statfs, U("/proc"), U(&sfs)), 0);
	CHECK_EQ(sfs.f_type, PROC_SUPER_MAGIC);
	CHECK_EQ(SC(utimensat, U(AT_FDCWD), U("/tmp/sx"), U(ts), 0), 0);
	CHECK_EQ(stat_path("/tmp/sx", &st, 0), 0);
	CHECK_EQ(st.st_atim.sec, 1000);
	CHECK_EQ(st.st_atim.nsec, 5);
	CHECK(st.st_mtim.sec != 2000);
	ts[1].nsec = 1000000000;
	CHECK_EQ(SC(utimensat, U(AT_FDCWD), U("/tmp/sx"), U(ts), 0), -EINVAL);
	CHECK_EQ(SC(utimensat, U(AT_FDCWD), U("/tmp/sx"), 0, 0), 0);
	CHECK_EQ(SC(newfstatat, U(AT_FDCWD), U("/tmp/sx"), U(&st), 0x8000), -EINVAL);
}

static void faults(void)
{
	struct kstat st;
	long fd = openp("/tmp/sx", O_RDWR, 0);

	CHECK_EQ(SC(read, U(fd), U(BAD_UPTR), 4), -EFAULT);
	CHECK_EQ(SC(write, U(fd), U(BAD_UPTR), 4), -EFAULT);
	CHECK_EQ(SC(fstat, U(fd), U(BAD_UPTR)), -EFAULT);
	CHECK_EQ(stat_path(BAD_UPTR, &st, 0), -EFAULT);
	CHECK_EQ(SC(openat, U(AT_FDCWD), U(BAD_UPTR), 0, 0), -EFAULT);
	CHECK_EQ(SC(pipe2, U(BAD_UPTR), 0), -EFAULT);
	CHECK(fd_get(3) == NULL || fd_get(3) == fd_get((int)fd));
	CHECK_EQ(SC(getdents64, U(fd), U(BAD_UPTR), 100), -ENOTDIR);
	SC(close, U(fd));
}

int main(void)
{
	struct cpio_buf c = { 0 };

	test_suite = "fs";
	cpio_add(&c, ".", S_IFDIR | 0755, 0, 2, NULL, 0, 0, 0);
	cpio_add(&c, "tmp", S_IFDIR | 01777, 0, 2, NULL, 0, 0, 0);
	cpio_trailer(&c);
	host_boot(c.data, c.len);
	free(c.data);
	RUN(boot_tree);
	RUN(path_walk);
	RUN(symlinks);
	RUN(mount_points);
	RUN(permissions);
	RUN(file_io);
	RUN(directories);
	RUN(renames);
	RUN(descriptors);
	RUN(devices);
	RUN(stat_calls);
	RUN(faults);
	TEST_EXIT();
}
