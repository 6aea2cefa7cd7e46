/*
 * File system calls on whatever file system holds $TMPDIR (tmpfs on
 * Basalt): create, read, write, seek, positional I/O, truncate, rename,
 * links, symlinks, directories, metadata, descriptor duplication and
 * flags, close-on-exec, and the errors each one owes its caller.
 */
#include "tap.h"
#include <sys/uio.h>
#include <utime.h>

static void create_write_read(void)
{
	char buf[64] = "";
	int fd = open("f", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "hello ", 6), 6);
	CHECK_EQ(write(fd, "world\n", 6), 6);
	CHECK_ERR(read(fd, buf, 1), EBADF); /* write-only */
	CHECK_EQ(close(fd), 0);
	CHECK_ERR(close(fd), EBADF);
	fd = open("f", O_RDONLY);
	REQUIRE(fd >= 0);
	CHECK_ERR(write(fd, "x", 1), EBADF); /* read-only */
	CHECK_EQ(read(fd, buf, sizeof(buf)), 12);
	CHECK_STR(buf, "hello world\n");
	CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	/* O_TRUNC empties it */
	fd = open("f", O_RDWR | O_TRUNC);
	REQUIRE(fd >= 0);
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 0);
	close(fd);
	/* creat() */
	fd = creat("g", 0600);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(access("g", F_OK), 0);
	CHECK_ERR(open("missing", O_RDONLY), ENOENT);
	CHECK_ERR(open("missing/f", O_RDONLY | O_CREAT, 0644), ENOENT);
}

static void seek(void)
{
	char buf[16] = "";
	int fd = open("s", O_RDWR | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
	CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
	CHECK_EQ(read(fd, buf, 3), 3);
	CHECK_STR(buf, "234");
	CHECK_EQ(lseek(fd, -2, SEEK_END), 8);
	CHECK_EQ(read(fd, buf, 5), 2);
	CHECK_EQ(lseek(fd, -4, SEEK_CUR), 6);
	CHECK_ERR(lseek(fd, -100, SEEK_SET), EINVAL);
	CHECK_ERR(lseek(fd, 0, 42), EINVAL);
	/* writing past the end leaves a hole of zeros */
	CHECK_EQ(lseek(fd, 100, SEEK_SET), 100);
	CHECK_EQ(write(fd, "end", 3), 3);
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 103);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(pread(fd, buf, 4, 50), 4);
	CHECK(buf[0] == 0 && buf[1] == 0 && buf[2] == 0 && buf[3] == 0);
	close(fd);
	int p[2];
	REQUIRE(pipe(p) == 0);
	CHECK_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE);
	close(p[0]);
	close(p[1]);
}

static void pread_pwrite(void)
{
	char buf[16] = "";
	int fd = open("p", O_RDWR | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "abcdefghij", 10), 10);
	CHECK_EQ(pwrite(fd, "XY", 2, 3), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10); /* offset untouched */
	CHECK_EQ(pread(fd, buf, 6, 1), 6);
	CHECK_STR(buf, "bcXYfg");
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
	CHECK_EQ(pread(fd, buf, 5, 1000), 0);
	CHECK_ERR(pread(fd, buf, 1, -1), EINVAL);
	close(fd);
}

static void readv_writev(void)
{
	/* musl's stdio writes through writev */
	char a[4] = "", b[8] = "";
	struct iovec out[3] = { { "one", 3 }, { "", 0 }, { "two2", 4 } };
	struct iovec in[2] = { { a, 3 }, { b, 7 } };
	int fd = open("v", O_RDWR | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0);
	CHECK_EQ(writev(fd, out, 3), 7);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(readv(fd, in, 2), 7);
	CHECK_STR(a, "one");
	CHECK_STR(b, "two2");
	close(fd);
	FILE *f = fopen("stdio", "w+");
	REQUIRE(f);
	CHECK(fprintf(f, "%d %s\n", 42, "stdio") == 9);
	rewind(f);
	int n = 0;
	char w[16];
	CHECK(fscanf(f, "%d %15s", &n, w) == 2);
	CHECK_EQ(n, 42);
	CHECK_STR(w, "stdio");
	fclose(f);
}

static void truncate_calls(void)
{
	struct stat st;
	char buf[8];
	int fd = open("t", O_RDWR | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "abcdefgh", 8), 8);
	CHECK_EQ(ftruncate(fd, 3), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 3);
	CHECK_EQ(ftruncate(fd, 6), 0);
	CHECK_EQ(pread(fd, buf, 8, 0), 6);
	CHECK(memcmp(buf, "abc\0\0\0", 6) == 0);
	CHECK_EQ(truncate("t", 1), 0);
	CHECK_EQ(stat("t", &st), 0);
	CHECK_EQ(st.st_size, 1);
	CHECK_ERR(ftruncate(fd, -1), EINVAL);
	close(fd);
	fd = open("t", O_RDONLY);
	CHECK_ERR(ftruncate(fd, 0), EINVAL); /* not open for writing */
	close(fd);
}

static void append(void)
{
	char buf[32] = "";
	int fd = open("a", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);

	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "first", 5), 5);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "second", 6), 6);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11);
	close(fd);
	/* two descriptors appending interleave without overwriting */
	int f1 = open("a", O_WRONLY | O_APPEND), f2 = open("a", O_WRONLY | O_APPEND);
	REQUIRE(f1 >= 0 && f2 >= 0);
	CHECK_EQ(write(f1, "1", 1), 1);
	CHECK_EQ(write(f2, "2", 1), 1);
	CHECK_EQ(write(f1, "3", 1), 1);
	close(f1);
	close(f2);
	CHECK_EQ(tap_read_file("a", buf, sizeof(buf)), 14);
	CHECK_STR(buf, "firstsecond123");
}

static void exclusive(void)
{
	int fd = open("x", O_WRONLY | O_CREAT | O_EXCL, 0644);

	CHECK(fd >= 0);
	close(fd);
	CHECK_ERR(open("x", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	CHECK_EQ(symlink("nowhere", "dangling"), 0);
	/* O_EXCL does not follow a symlink, even a dangling one */
	CHECK_ERR(open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	CHECK_ERR(open(".", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
}

static void rename_calls(void)
{
	char buf[16];
	struct stat st;

	REQUIRE(tap_write_file("r1", "one", 3) == 0);
	REQUIRE(tap_write_file("r2", "two", 3) == 0);
	CHECK_EQ(rename("r1", "r3"), 0);
	CHECK_ERR(stat("r1", &st), ENOENT);
	CHECK_EQ(tap_read_file("r3", buf, sizeof(buf)), 3);
	CHECK_STR(buf, "one");
	/* over an existing file: replaced atomically */
	CHECK_EQ(rename("r3", "r2"), 0);
	CHECK_EQ(tap_read_file("r2", buf, sizeof(buf)), 3);
	CHECK_STR(buf, "one");
	CHECK_ERR(stat("r3", &st), ENOENT);
	/* into another directory, and directories themselves */
	REQUIRE(mkdir("rd", 0755) == 0);
	CHECK_EQ(rename("r2", "rd/moved"), 0);
	CHECK_EQ(stat("rd/moved", &st), 0);
	CHECK_EQ(rename("rd", "rd2"), 0);
	CHECK_EQ(stat("rd2/moved", &st), 0);
	CHECK_ERR(rename("nonexistent", "z"), ENOENT);
	/* a directory cannot move into itself; a file cannot replace a dir */
	CHECK_ERR(rename("rd2", "rd2/sub"), EINVAL);
	REQUIRE(tap_write_file("plain", "p", 1) == 0);
	CHECK_ERR(rename("plain", "rd2"), EISDIR);
	CHECK_ERR(rename("rd2", "plain"), ENOTDIR);
	/* renaming to itself is a no-op */
	CHECK_EQ(rename("plain", "plain"), 0);
	CHECK_EQ(stat("plain", &st), 0);
}

static void unlink_calls(void)
{
	char buf[16] = "";
	struct stat st;

	REQUIRE(tap_write_file("u", "still here", 10) == 0);
	int fd = open("u", O_RDONLY);
	REQUIRE(fd >= 0);
	CHECK_EQ(unlink("u"), 0);
	CHECK_ERR(stat("u", &st), ENOENT);
	CHECK_ERR(unlink("u"), ENOENT);
	/* an open file outlives its name */
	CHECK_EQ(read(fd, buf, sizeof(buf)), 10);
	CHECK_STR(buf, "still here");
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_nlink, 0);
	close(fd);
	REQUIRE(mkdir("ud", 0755) == 0);
	CHECK_ERR(unlink("ud"), EISDIR);
}

static void hard_links(void)
{
	struct stat a, b;
	char buf[16];

	REQUIRE(tap_write_file("l1", "linked", 6) == 0);
	CHECK_EQ(link("l1", "l2"), 0);
	CHECK_EQ(stat("l1", &a), 0);
	CHECK_EQ(stat("l2", &b), 0);
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(a.st_dev, b.st_dev);
	CHECK_EQ(a.st_nlink, 2);
	/* a write through one name shows through the other */
	int fd = open("l2", O_WRONLY | O_APPEND);
	CHECK_EQ(write(fd, "!", 1), 1);
	close(fd);
	CHECK_EQ(tap_read_file("l1", buf, sizeof(buf)), 7);
	CHECK_STR(buf, "linked!");
	CHECK_EQ(unlink("l1"), 0);
	CHECK_EQ(stat("l2", &b), 0);
	CHECK_EQ(b.st_nlink, 1);
	CHECK_ERR(link("l2", "l2"), EEXIST);
	CHECK_ERR(link("nope", "l3"), ENOENT);
	REQUIRE(mkdir("ld", 0755) == 0);
	CHECK_ERR(link("ld", "ld2"), EPERM); /* no hard links to directories */
}

static void symlinks(void)
{
	char buf[64];
	struct stat st;

	REQUIRE(mkdir("sd", 0755) == 0);
	REQUIRE(tap_write_file("sd/target", "via link", 8) == 0);
	CHECK_EQ(symlink("sd/target", "abs_rel"), 0);
	CHECK_EQ(symlink("target", "sd/rel"), 0); /* relative to the link's dir */
	CHECK_EQ(symlink("sd", "dirlink"), 0);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(readlink("abs_rel", buf, sizeof(buf)), 9);
	CHECK_STR(buf, "sd/target");
	/* readlink does not NUL-terminate and truncates silently */
	memset(buf, 'z', sizeof(buf));
	CHECK_EQ(readlink("abs_rel", buf, 4), 4);
	CHECK_EQ(buf[4], 'z');
	CHECK_EQ(tap_read_file("abs_rel", buf, sizeof(buf)), 8);
	CHECK_STR(buf, "via link");
	CHECK_EQ(tap_read_file("sd/rel", buf, sizeof(buf)), 8);
	CHECK_EQ(tap_read_file("dirlink/rel", buf, sizeof(buf)), 8);
	CHECK_EQ(lstat("abs_rel", &st), 0);
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(st.st_size, 9);
	CHECK_EQ(stat("abs_rel", &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(stat("dirlink", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_ERR(readlink("sd/target", buf, sizeof(buf)), EINVAL);
	CHECK_EQ(symlink("missing", "dang"), 0);
	CHECK_ERR(stat("dang", &st), ENOENT);
	CHECK_EQ(lstat("dang", &st), 0);
	CHECK_ERR(open("abs_rel", O_RDONLY | O_NOFOLLOW), ELOOP);
	/* loops end in ELOOP */
	CHECK_EQ(symlink("loop2", "loop1"), 0);
	CHECK_EQ(symlink("loop1", "loop2"), 0);
	CHECK_ERR(open("loop1", O_RDONLY), ELOOP);
	/* unlink removes the link, not the target */
	CHECK_EQ(unlink("abs_rel"), 0);
	CHECK_EQ(stat("sd/target", &st), 0);
}

static void directories(void)
{
	struct stat st;

	CHECK_EQ(mkdir("d", 0755), 0);
	CHECK_ERR(mkdir("d", 0755), EEXIST);
	CHECK_EQ(mkdir("d/e", 0755), 0);
	CHECK_EQ(stat("d", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_nlink, 3); /* ".", its entry in the parent, "e/.." */
	CHECK_ERR(rmdir("d"), ENOTEMPTY);
	CHECK_ERR(mkdir("nodir/x", 0755), ENOENT);
	REQUIRE(tap_write_file("d/file", "", 0) == 0);
	CHECK_ERR(mkdir("d/file/x", 0755), ENOTDIR);
	CHECK_ERR(open("d/file/x", O_RDONLY), ENOTDIR);
	CHECK_ERR(rmdir("d/file"), ENOTDIR);
	CHECK_ERR(open("d", O_WRONLY), EISDIR);
	CHECK_ERR(open("d/file", O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERR(rmdir("d/e/."), EINVAL);
	CHECK_EQ(rmdir("d/e"), 0);
	CHECK_ERR(stat("d/e", &st), ENOENT);
	CHECK_EQ(unlink("d/file"), 0);
	CHECK_EQ(rmdir("d"), 0);
	/* "." and ".." and repeated slashes resolve */
	CHECK_EQ(mkdir("dots", 0755), 0);
	CHECK_EQ(mkdir("dots/y", 0755), 0);
	CHECK_EQ(stat("dots/./y/../y//", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	struct stat root, up;
	CHECK_EQ(stat("/", &root), 0);
	CHECK_EQ(stat("/..", &up), 0);
	CHECK_EQ(root.st_ino, up.st_ino);
}

static void cwd(void)
{
	char here[256], buf[256];

	REQUIRE(getcwd(here, sizeof(here)));
	REQUIRE(mkdir("cw", 0755) == 0);
	CHECK_EQ(chdir("cw"), 0);
	CHECK(getcwd(buf, sizeof(buf)) != NULL);
	char want[300];
	snprintf(want, sizeof(want), "%s/cw", here);
	CHECK_STR(buf, want);
	REQUIRE(tap_write_file("inside", "i", 1) == 0);
	CHECK_EQ(chdir(".."), 0);
	CHECK_EQ(access("cw/inside", R_OK), 0);
	errno = 0;
	CHECK(getcwd(buf, 2) == NULL && errno == ERANGE);
	int dfd = open("cw", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	CHECK_EQ(fchdir(dfd), 0);
	CHECK_EQ(access("inside", F_OK), 0);
	close(dfd);
	CHECK_ERR(chdir("inside"), ENOTDIR);
	CHECK_EQ(chdir(here), 0);
}

static void metadata(void)
{
	struct stat a, b;

	REQUIRE(tap_write_file("m", "12345", 5) == 0);
	CHECK_EQ(stat("m", &a), 0);
	CHECK(S_ISREG(a.st_mode));
	CHECK_EQ(a.st_size, 5);
	CHECK_EQ(a.st_nlink, 1);
	int fd = open("m", O_RDONLY);
	REQUIRE(fd >= 0);
	CHECK_EQ(fstat(fd, &b), 0);
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(a.st_dev, b.st_dev);
	CHECK_EQ(a.st_mode, b.st_mode);
	close(fd);
	/* mode bits and umask */
	mode_t old = umask(022);
	fd = open("mode", O_CREAT | O_WRONLY, 0777);
	close(fd);
	CHECK_EQ(stat("mode", &a), 0);
	CHECK_EQ(a.st_mode & 07777, 0755);
	CHECK_EQ(chmod("mode", 0600), 0);
	CHECK_EQ(stat("mode", &a), 0);
	CHECK_EQ(a.st_mode & 07777, 0600);
	umask(old);
	/* times: utime sets them, writes move mtime forward */
	struct utimbuf ut = { .actime = 1000000000, .modtime = 1234567890 };
	CHECK_EQ(utime("m", &ut), 0);
	CHECK_EQ(stat("m", &a), 0);
	CHECK_EQ(a.st_mtime, 1234567890);
	CHECK_EQ(a.st_atime, 1000000000);
	fd = open("m", O_WRONLY | O_APPEND);
	CHECK_EQ(write(fd, "6", 1), 1);
	close(fd);
	CHECK_EQ(stat("m", &a), 0);
	CHECK(a.st_mtime > 1234567890);
	CHECK_EQ(a.st_size, 6);
	/* fstatat with AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH */
	CHECK_EQ(fstatat(AT_FDCWD, "m", &b, AT_SYMLINK_NOFOLLOW), 0);
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(access("m", R_OK | W_OK), 0);
	CHECK_ERR(access("nothere", F_OK), ENOENT);
}

static void dup_calls(void)
{
	char buf[8] = "";
	int fd = open("dup", O_RDWR | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0);
	int d = dup(fd);
	CHECK(d >= 0 && d != fd);
	/* duplicates share the file offset */
	CHECK_EQ(write(fd, "abc", 3), 3);
	CHECK_EQ(lseek(d, 0, SEEK_CUR), 3);
	CHECK_EQ(dup2(fd, 20), 20);
	CHECK_EQ(lseek(20, 1, SEEK_SET), 1);
	CHECK_EQ(read(fd, buf, 2), 2);
	CHECK_STR(buf, "bc");
	/* dup2 onto itself returns it; onto an open fd closes that first */
	CHECK_EQ(dup2(fd, fd), fd);
	int other = open("other", O_RDWR | O_CREAT, 0644);
	REQUIRE(other >= 0);
	CHECK_EQ(dup2(fd, other), other);
	CHECK_EQ(lseek(other, 0, SEEK_CUR), 3);
	CHECK_ERR(dup2(fd, -1), EBADF);
	CHECK_ERR(dup2(999, 21), EBADF);
	CHECK_ERR(dup(999), EBADF);
	/* dup3 with O_CLOEXEC */
	CHECK_EQ(dup3(fd, 22, O_CLOEXEC), 22);
	CHECK(fcntl(22, F_GETFD) & FD_CLOEXEC);
	CHECK_EQ(fcntl(20, F_GETFD) & FD_CLOEXEC, 0);
	/* lowest free descriptor is reused */
	close(d);
	int n = open("dup", O_RDONLY);
	CHECK_EQ(n, d);
	close(n);
	close(20);
	close(22);
	close(other);
	close(fd);
}

static void fcntl_calls(void)
{
	int fd = open("fc", O_RDWR | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	CHECK_EQ(fcntl(fd, F_GETFL) & O_APPEND, 0);
	CHECK_EQ(fcntl(fd, F_SETFL, O_APPEND), 0);
	CHECK(fcntl(fd, F_GETFL) & O_APPEND);
	CHECK_EQ(write(fd, "ab", 2), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "cd", 2), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4);
	/* F_DUPFD returns the lowest free fd >= the argument */
	int d = fcntl(fd, F_DUPFD, 30);
	CHECK(d >= 30);
	CHECK_EQ(fcntl(d, F_GETFD), 0);
	int c = fcntl(fd, F_DUPFD_CLOEXEC, 30);
	CHECK(c > 30);
	CHECK_EQ(fcntl(c, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	/* the status flags are shared with duplicates, fd flags are not */
	CHECK(fcntl(d, F_GETFL) & O_APPEND);
	CHECK_EQ(fcntl(d, F_GETFD), 0);
	CHECK_ERR(fcntl(999, F_GETFD), EBADF);
	close(c);
	close(d);
	close(fd);
}

static void cloexec_across_exec(void)
{
	int keep = open("ce", O_RDWR | O_CREAT, 0644);
	int drop = open("ce", O_RDWR | O_CLOEXEC);
	int st;
	char a[12], b[12];

	REQUIRE(keep >= 0 && drop >= 0);
	snprintf(a, sizeof(a), "%d", keep);
	snprintf(b, sizeof(b), "%d", drop);
	char *argv[] = { tap_argv0, "--fds", a, b, NULL };
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		execv(tap_argv0, argv);
		_exit(99);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
	close(keep);
	close(drop);
}

static int check_fds(const char *keep, const char *drop)
{
	if (fcntl(atoi(keep), F_GETFD) != 0)
		return 1;
	if (fcntl(atoi(drop), F_GETFD) != -1 || errno != EBADF)
		return 2;
	return 0;
}

static void many_descriptors(void)
{
	/* at least 256 open files, as shells and make expect */
	int fds[256], n = 0;

	for (; n < 256; n++) {
		fds[n] = open(".", O_RDONLY);
		if (fds[n] < 0)
			break;
	}
	CHECK_EQ(n, 256);
	while (n-- > 0)
		close(fds[n]);
}

static void big_file(void)
{
	/* several MiB through the page cache, checked at odd offsets */
	enum { CHUNK = 65536, N = 64 };
	static unsigned char buf[CHUNK];
	int fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0);
	for (int i = 0; i < N; i++) {
		memset(buf, i, CHUNK);
		REQUIRE(write(fd, buf, CHUNK) == CHUNK);
	}
	struct stat st;
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, (long)CHUNK * N);
	for (int i = 0; i < N - 1; i += 7) {
		unsigned char two[2];
		CHECK_EQ(pread(fd, two, 2, (off_t)i * CHUNK + CHUNK - 1), 2);
		CHECK_EQ(two[0], i);
		CHECK_EQ(two[1], i + 1);
	}
	unsigned char last[4];
	CHECK_EQ(pread(fd, last, 4, (off_t)N * CHUNK - 1), 1);
	CHECK_EQ(last[0], N - 1);
	close(fd);
	CHECK_EQ(unlink("big"), 0);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--fds"))
		return check_fds(argv[2], argv[3]);
	tap_init("files", argv[0], 1);
	RUN(create_write_read);
	RUN(seek);
	RUN(pread_pwrite);
	RUN(readv_writev);
	RUN(truncate_calls);
	RUN(append);
	RUN(exclusive);
	RUN(rename_calls);
	RUN(unlink_calls);
	RUN(hard_links);
	RUN(symlinks);
	RUN(directories);
	RUN(cwd);
	RUN(metadata);
	RUN(dup_calls);
	RUN(fcntl_calls);
	RUN(cloexec_across_exec);
	RUN(many_descriptors);
	RUN(big_file);
	return tap_done();
}
