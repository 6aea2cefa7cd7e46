/*
 * Bad pointers from user space get EFAULT, never a crash or a peek into
 * kernel memory: unmapped, NULL, read-only (for writes), kernel-half and
 * non-canonical addresses, and strings that run off the end of a mapping.
 * Raw syscall(2) is used so that libc never touches the bad pointer itself.
 */
#include "tap.h"
#include <sys/mman.h>
#include <sys/utsname.h>

#define PAGE 4096
#define KERNEL_TEXT ((void *)0xffffffff80100000UL)
#define DIRECT_MAP ((void *)0xffff800000100000UL)
#define NONCANONICAL ((void *)0x0000800000000000UL)

/* below Linux's mmap_min_addr, never mapped */
#define LOW ((void *)0x1000)

/*
 * An address that is certainly unmapped: mapped, then unmapped. Make other
 * mappings before calling this, or they may land on the freed page.
 */
static char *unmapped(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, PAGE);
	return p;
}

static void read_into_bad(void)
{
	int p[2];
	char *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *bad = unmapped();

	REQUIRE(bad && ro != MAP_FAILED);
	REQUIRE(pipe(p) == 0);
	void *targets[] = { bad, LOW, NULL, ro, KERNEL_TEXT, DIRECT_MAP, NONCANONICAL };
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		REQUIRE(write(p[1], "data", 4) == 4);
		CHECK_ERR(syscall(SYS_read, p[0], targets[i], 4), EFAULT);
		char buf[8];
		/* drain whatever is left so the next round starts clean */
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		while (read(p[0], buf, sizeof(buf)) > 0)
			;
		fcntl(p[0], F_SETFL, 0);
	}
	CHECK_EQ(ro[0], 0);
	/* a file read too */
	int fd = open("/proc/self/stat", O_RDONLY);
	if (fd < 0)
		fd = open(tap_argv0, O_RDONLY);
	REQUIRE(fd >= 0);
	CHECK_ERR(syscall(SYS_read, fd, bad, 16), EFAULT);
	CHECK_ERR(syscall(SYS_read, fd, KERNEL_TEXT, 16), EFAULT);
	close(fd);
	close(p[0]);
	close(p[1]);
}

static void read_straddling(void)
{
	/* the buffer starts mapped and runs into an unmapped page */
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fds[2];
	static char big[64];

	REQUIRE(p != MAP_FAILED);
	munmap(p + PAGE, PAGE);
	REQUIRE(pipe(fds) == 0);
	memset(big, 'q', sizeof(big));
	REQUIRE(write(fds[1], big, sizeof(big)) == sizeof(big));
	long r = syscall(SYS_read, fds[0], p + PAGE - 8, 64);
	/* Linux may copy the first 8 bytes and return a short count */
	CHECK(r == 8 || (r == -1 && errno == EFAULT));
	munmap(p, PAGE);
	close(fds[0]);
	close(fds[1]);
}

static void write_from_bad(void)
{
	int p[2];
	char *bad = unmapped();

	REQUIRE(bad);
	REQUIRE(pipe(p) == 0);
	CHECK_ERR(syscall(SYS_write, p[1], NULL, 10), EFAULT);
	CHECK_ERR(syscall(SYS_write, p[1], bad, 10), EFAULT);
	CHECK_ERR(syscall(SYS_write, p[1], LOW, 10), EFAULT);
	CHECK_ERR(syscall(SYS_write, p[1], KERNEL_TEXT, 10), EFAULT);
	CHECK_ERR(syscall(SYS_write, p[1], DIRECT_MAP, 10), EFAULT);
	/* nothing reached the pipe */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	char c;
	CHECK_ERR(read(p[0], &c, 1), EAGAIN);
	/* writev with a bad iovec array and with a bad base */
	struct iovec iov = { .iov_base = bad, .iov_len = 4 };
	CHECK_ERR(syscall(SYS_writev, p[1], bad, 1), EFAULT);
	CHECK_ERR(syscall(SYS_writev, p[1], &iov, 1), EFAULT);
	close(p[0]);
	close(p[1]);
}

static void path_pointers(void)
{
	char *bad = unmapped();

	REQUIRE(bad);
	CHECK_ERR(syscall(SYS_open, (char *)1, O_RDONLY, 0), EFAULT);
	CHECK_ERR(syscall(SYS_open, NULL, O_RDONLY, 0), EFAULT);
	CHECK_ERR(syscall(SYS_open, bad, O_RDONLY, 0), EFAULT);
	CHECK_ERR(syscall(SYS_open, LOW, O_RDONLY, 0), EFAULT);
	CHECK_ERR(syscall(SYS_open, KERNEL_TEXT, O_RDONLY, 0), EFAULT);
	CHECK_ERR(syscall(SYS_open, NONCANONICAL, O_RDONLY, 0), EFAULT);
	CHECK_ERR(syscall(SYS_stat, bad, NULL), EFAULT);
	CHECK_ERR(syscall(SYS_mkdir, bad, 0755), EFAULT);
	CHECK_ERR(syscall(SYS_unlink, KERNEL_TEXT), EFAULT);
	CHECK_ERR(syscall(SYS_chdir, bad), EFAULT);
	char *argv[] = { "x", NULL };
	CHECK_ERR(syscall(SYS_execve, bad, argv, NULL), EFAULT);
}

static void path_runs_off_mapping(void)
{
	/* a name with no NUL before the end of its mapping */
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	REQUIRE(p != MAP_FAILED);
	munmap(p + PAGE, PAGE);
	memset(p, 'a', PAGE);
	CHECK_ERR(syscall(SYS_open, p + PAGE - 10, O_RDONLY, 0), EFAULT);
	/* a name longer than PATH_MAX is ENAMETOOLONG, not a fault */
	p[PAGE - 1] = 0;
	CHECK_ERR(syscall(SYS_open, p, O_RDONLY, 0), ENAMETOOLONG);
	munmap(p, PAGE);
}

static void struct_out_pointers(void)
{
	char *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *bad = unmapped();

	REQUIRE(bad && ro != MAP_FAILED);
	CHECK_ERR(syscall(SYS_fstat, 0, bad), EFAULT);
	CHECK_ERR(syscall(SYS_stat, "/", ro), EFAULT);
	CHECK_ERR(syscall(SYS_uname, bad), EFAULT);
	CHECK_ERR(syscall(SYS_uname, KERNEL_TEXT), EFAULT);
	CHECK_ERR(syscall(SYS_pipe, bad), EFAULT);
	CHECK_ERR(syscall(SYS_pipe, ro), EFAULT);
	CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad), EFAULT);
	CHECK_ERR(syscall(SYS_gettimeofday, DIRECT_MAP, NULL), EFAULT);
	CHECK_ERR(syscall(SYS_getcwd, bad, 100), EFAULT);
	CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, bad, NULL, 8), EFAULT);
	CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, LOW, NULL, 8), EFAULT);
	CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, bad, NULL, 8), EFAULT);
	CHECK_ERR(syscall(SYS_nanosleep, bad, NULL), EFAULT);
	CHECK_ERR(syscall(SYS_getdents64, open(".", O_RDONLY | O_DIRECTORY), bad, 4096), EFAULT);
	/* read-only memory stayed untouched */
	CHECK_EQ(ro[0], 0);
}

static void wait_status_pointer(void)
{
	int st;
	pid_t pid = fork();

	REQUIRE(pid >= 0);
	if (pid == 0)
		_exit(0);
	/* Linux reaps the child and then fails to store the status */
	CHECK_ERR(syscall(SYS_wait4, pid, KERNEL_TEXT, 0, NULL), EFAULT);
	waitpid(pid, &st, WNOHANG);
}

int main(int argc, char **argv)
{
	tap_init("efault", argv[0], 0);
	RUN(read_into_bad);
	RUN(read_straddling);
	RUN(write_from_bad);
	RUN(path_pointers);
	RUN(path_runs_off_mapping);
	RUN(struct_out_pointers);
	RUN(wait_status_pointer);
	return tap_done();
}
