/*
 * mmap, munmap, mprotect, mremap: anonymous memory is zeroed and demand
 * paged, MAP_FIXED places and replaces, a private file mapping shows the
 * file's bytes and keeps writes to itself, protections are enforced (a
 * write to a read-only page, any access to PROT_NONE, and executing a
 * non-executable page each kill a child with SIGSEGV), and a 64 TiB
 * sparse mapping costs what is mapped in it.
 */
#include "tap.h"
#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096

static char *rw_map(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void anonymous(void)
{
	size_t len = 1 << 20;
	char *p = rw_map(len);

	REQUIRE(p);
	CHECK_EQ((uintptr_t)p % PAGE, 0);
	for (size_t i = 0; i < len; i += 997)
		if (p[i] != 0) {
			CHECK_EQ(p[i], 0);
			break;
		}
	memset(p, 0x5c, len);
	CHECK_EQ(p[len - 1], 0x5c);
	CHECK_EQ(munmap(p, len), 0);
	/* zero length and unaligned requests are refused */
	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	CHECK_ERR(munmap(p + 1, PAGE), EINVAL);
}

static void demand_paging(void)
{
	/* far more than we touch; only the touched pages need memory */
	size_t len = 256UL << 20; /* as much as the whole QEMU machine */
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	REQUIRE(p != MAP_FAILED);
	p[0] = 1;
	p[len / 2] = 2;
	p[len - 1] = 3;
	CHECK_EQ(p[0] + p[len / 2] + p[len - 1], 6);
	CHECK_EQ(p[PAGE * 10], 0);
	CHECK_EQ(munmap(p, len), 0);
}

static char *victim;

static void touch_victim(void)
{
	*(volatile char *)victim = 1;
}

static void read_victim(void)
{
	(void)*(volatile char *)victim;
}

static void munmap_then_fault(void)
{
	char *p = rw_map(3 * PAGE);

	REQUIRE(p);
	memset(p, 7, 3 * PAGE);
	/* unmap only the middle page */
	CHECK_EQ(munmap(p + PAGE, PAGE), 0);
	CHECK_EQ(p[0], 7);
	CHECK_EQ(p[2 * PAGE], 7);
	victim = p + PAGE;
	CHECK_KILLED_BY(tap_child(read_victim), SIGSEGV);
	victim = p + 2 * PAGE;
	CHECK_EXITED(tap_child(touch_victim), 0);
	/* unmapping a hole again is not an error */
	CHECK_EQ(munmap(p, 3 * PAGE), 0);
	victim = p;
	CHECK_KILLED_BY(tap_child(read_victim), SIGSEGV);
}

static void fixed(void)
{
	char *p = rw_map(4 * PAGE);

	REQUIRE(p);
	memset(p, 'a', 4 * PAGE);
	/* replace page 1 with fresh zero memory */
	char *q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p + PAGE);
	CHECK_EQ(p[PAGE], 0);
	CHECK_EQ(p[2 * PAGE - 1], 0);
	CHECK_EQ(p[PAGE - 1], 'a');
	CHECK_EQ(p[2 * PAGE], 'a');
	/* MAP_FIXED at a free address we choose */
	CHECK_EQ(munmap(p, 4 * PAGE), 0);
	q = mmap(p + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p + 2 * PAGE);
	if (q != MAP_FAILED) {
		q[0] = 'z';
		CHECK_EQ(q[0], 'z');
		munmap(q, PAGE);
	}
	/* MAP_FIXED needs an aligned address */
	CHECK(mmap(p + 1, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
	      MAP_FAILED);
}

static void hint_is_honoured_when_free(void)
{
	/* without MAP_FIXED a free, aligned hint is used as is (Linux does) */
	char *p = rw_map(PAGE);

	REQUIRE(p);
	munmap(p, PAGE);
	char *q = mmap(p, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(q == p);
	munmap(q, PAGE);
}

static void file_private(void)
{
	static char content[3 * PAGE];
	struct stat st;

	for (size_t i = 0; i < sizeof(content); i++)
		content[i] = 'A' + i % 26;
	memcpy(content + PAGE, "second page", 11);
	REQUIRE(tap_write_file("mapped", content, sizeof(content) - 100) == 0);
	int fd = open("mapped", O_RDWR);
	REQUIRE(fd >= 0);
	REQUIRE(fstat(fd, &st) == 0);

	/* whole file, read-only */
	char *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	REQUIRE(p != MAP_FAILED);
	CHECK(memcmp(p, content, st.st_size) == 0);
	/* past EOF within the last page reads zero */
	CHECK_EQ(p[st.st_size], 0);
	CHECK_EQ(p[3 * PAGE - 1], 0);
	munmap(p, st.st_size);

	/* at an offset, writable: writes stay private */
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PAGE);
	REQUIRE(p != MAP_FAILED);
	CHECK(memcmp(p, "second page", 11) == 0);
	memcpy(p, "PRIVATE", 7);
	char buf[16] = "";
	CHECK_EQ(pread(fd, buf, 11, PAGE), 11);
	CHECK_STR(buf, "second page");
	munmap(p, PAGE);

	/* the mapping outlives the descriptor */
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	REQUIRE(p != MAP_FAILED);
	close(fd);
	CHECK_EQ(p[0], 'A');
	CHECK_EQ(p[27], 'B');
	munmap(p, PAGE);

	/* an unaligned offset is refused */
	fd = open("mapped", O_RDONLY);
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	/* and a write mapping of a read-only descriptor needs MAP_PRIVATE */
	CHECK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
	CHECK_EQ(errno, EACCES);
	close(fd);
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 1000, 0) == MAP_FAILED);
	CHECK_EQ(errno, EBADF);
}

static void mprotect_readonly(void)
{
	char *p = rw_map(2 * PAGE);

	REQUIRE(p);
	p[0] = 'w';
	REQUIRE(mprotect(p, PAGE, PROT_READ) == 0);
	CHECK_EQ(p[0], 'w');
	victim = p;
	CHECK_KILLED_BY(tap_child(touch_victim), SIGSEGV);
	/* the neighbour page keeps its protection */
	victim = p + PAGE;
	CHECK_EXITED(tap_child(touch_victim), 0);
	/* and back to writable */
	REQUIRE(mprotect(p, PAGE, PROT_READ | PROT_WRITE) == 0);
	p[0] = 'x';
	CHECK_EQ(p[0], 'x');
	/* musl rounds the address down, so ask the kernel directly */
	CHECK_ERR(syscall(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL);
	munmap(p, 2 * PAGE);
}

static void map_readonly_write_faults(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	REQUIRE(p != MAP_FAILED);
	CHECK_EQ(p[5], 0);
	victim = p;
	CHECK_KILLED_BY(tap_child(touch_victim), SIGSEGV);
	munmap(p, PAGE);
}

static void prot_none(void)
{
	char *p = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	REQUIRE(p != MAP_FAILED);
	victim = p;
	CHECK_KILLED_BY(tap_child(read_victim), SIGSEGV);
	REQUIRE(mprotect(p, PAGE, PROT_READ) == 0);
	CHECK_EXITED(tap_child(read_victim), 0);
	munmap(p, PAGE);
}

static void call_victim(void)
{
	((void (*)(void))victim)();
}

static void no_execute(void)
{
	/* a "ret" in a page without PROT_EXEC must not run (NX) */
	char *p = rw_map(PAGE);

	REQUIRE(p);
	p[0] = (char)0xc3;
	victim = p;
	CHECK_KILLED_BY(tap_child(call_victim), SIGSEGV);
	REQUIRE(mprotect(p, PAGE, PROT_READ | PROT_EXEC) == 0);
	CHECK_EXITED(tap_child(call_victim), 0);
	munmap(p, PAGE);
	/* the stack is not executable either */
	char stackcode[16] = { (char)0xc3 };
	victim = stackcode;
	CHECK_KILLED_BY(tap_child(call_victim), SIGSEGV);
}

static void remap(void)
{
	/* musl's realloc grows large blocks with mremap */
	char *p = rw_map(2 * PAGE);

	REQUIRE(p);
	memset(p, 'm', 2 * PAGE);
	char *q = mremap(p, 2 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
	REQUIRE(q != MAP_FAILED);
	CHECK_EQ(q[0], 'm');
	CHECK_EQ(q[2 * PAGE - 1], 'm');
	CHECK_EQ(q[2 * PAGE], 0);
	q[64 * PAGE - 1] = 1;
	q = mremap(q, 64 * PAGE, PAGE, 0);
	REQUIRE(q != MAP_FAILED);
	CHECK_EQ(q[0], 'm');
	munmap(q, PAGE);
	/* and realloc of a big block keeps its contents */
	char *b = malloc(300000);
	REQUIRE(b);
	memset(b, 'r', 300000);
	b = realloc(b, 3000000);
	REQUIRE(b);
	CHECK_EQ(b[299999], 'r');
	free(b);
}

/*
 * A 64 TiB MAP_NORESERVE mapping with a few pages touched: fork, mprotect,
 * mremap and munmap cost what is mapped, not the range (every empty page
 * table is skipped), so twenty rounds take well under a minute. Walking
 * each 4 KiB page of the range would take about 20 minutes per round.
 */
static void huge_sparse(void)
{
	const size_t len = 1ULL << 46;
	long long t0 = tap_now_ms();
	int rounds = 0;

	for (; rounds < 20; rounds++) {
		char *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			       -1, 0);
		char *mid;
		pid_t pid;
		int st;

		if (p == MAP_FAILED) {
			CHECK(p != MAP_FAILED);
			return;
		}
		mid = p + len / 2;
		if (mprotect(mid, PAGE, PROT_READ | PROT_WRITE) != 0 ||
		    mprotect(p, len, PROT_READ | PROT_WRITE) != 0)
			break;
		p[0] = 1;
		mid[0] = 2;
		p[len - 1] = 3;
		pid = fork();
		if (pid == 0)
			_exit(p[0] == 1 && mid[0] == 2 && p[len - 1] == 3 ? 0 : 1);
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			break;
		if (munmap(p, len) != 0)
			break;
	}
	CHECK_EQ(rounds, 20);
	CHECK(tap_now_ms() - t0 < 60000);
	printf("# 20 rounds of 64 TiB: %lld ms\n", tap_now_ms() - t0);
}

static void many_mappings(void)
{
	/* lots of small mappings, then unmapping them in a different order */
	enum { N = 200 };
	char *maps[N];

	for (int i = 0; i < N; i++) {
		maps[i] = rw_map(PAGE);
		REQUIRE(maps[i]);
		maps[i][0] = (char)i;
	}
	for (int i = 0; i < N; i += 2)
		CHECK_EQ(munmap(maps[i], PAGE), 0);
	for (int i = 1; i < N; i += 2)
		CHECK_EQ(maps[i][0], (char)i);
	for (int i = 1; i < N; i += 2)
		CHECK_EQ(munmap(maps[i], PAGE), 0);
}

int main(int argc, char **argv)
{
	tap_init("mmap", argv[0], 1);
	RUN(anonymous);
	RUN(demand_paging);
	RUN(munmap_then_fault);
	RUN(fixed);
	RUN(hint_is_honoured_when_free);
	RUN(file_private);
	RUN(mprotect_readonly);
	RUN(map_readonly_write_faults);
	RUN(prot_none);
	RUN(no_execute);
	RUN(remap);
	RUN(many_mappings);
	RUN(huge_sparse);
	return tap_done();
}
