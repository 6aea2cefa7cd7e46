/*
 * Copy-on-write after fork: parent and child write the same pages (data,
 * bss, heap, stack, anonymous private mappings) and each must see only its
 * own writes. MAP_SHARED memory, by contrast, stays shared.
 */
#include "tap.h"
#include <sys/mman.h>

#define PAGE 4096

static char data_page[PAGE] __attribute__((aligned(PAGE))) = "initial data";
static char bss_page[PAGE] __attribute__((aligned(PAGE)));

/*
 * Fork; the child writes 'C' over @mem and reports what it sees back through
 * a pipe; meanwhile the parent writes 'P'. Both must see only their own byte,
 * and the child must have started from the parent's pre-fork content 'O'.
 */
static void isolate(volatile char *mem, size_t len)
{
	int to_child[2], to_parent[2], st;
	char c, report[3];

	memset((char *)mem, 'O', len);
	REQUIRE(pipe(to_child) == 0 && pipe(to_parent) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		report[0] = mem[0];
		for (size_t i = 0; i < len; i++)
			mem[i] = 'C';
		/* wait until the parent has written too */
		if (read(to_child[0], &c, 1) != 1)
			_exit(2);
		report[1] = mem[0];
		report[2] = mem[len - 1];
		for (size_t i = 0; i < len; i++)
			if (mem[i] != 'C')
				_exit(3);
		write(to_parent[1], report, 3);
		_exit(0);
	}
	for (size_t i = 0; i < len; i++)
		mem[i] = 'P';
	CHECK_EQ(write(to_child[1], "g", 1), 1);
	CHECK_EQ(read(to_parent[0], report, 3), 3);
	CHECK_EQ(report[0], 'O');
	CHECK_EQ(report[1], 'C');
	CHECK_EQ(report[2], 'C');
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
	for (size_t i = 0; i < len; i++) {
		if (mem[i] != 'P') {
			tap_printf("# parent byte %zu is '%c' after the child wrote\n", i, mem[i]);
			tap_cur_failed = 1;
			break;
		}
	}
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

static void data(void)
{
	CHECK_STR(data_page, "initial data");
	isolate(data_page, sizeof(data_page));
}

static void bss(void)
{
	CHECK_EQ(bss_page[100], 0);
	isolate(bss_page, sizeof(bss_page));
}

static void heap(void)
{
	char *p = malloc(3 * PAGE);

	REQUIRE(p);
	isolate(p, 3 * PAGE);
	free(p);
}

static void stack(void)
{
	volatile char buf[2 * PAGE];

	isolate(buf, sizeof(buf));
}

static void anon_private(void)
{
	char *p = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	REQUIRE(p != MAP_FAILED);
	isolate(p, 16 * PAGE);
	munmap(p, 16 * PAGE);
}

static void untouched_before_fork(void)
{
	/* pages never touched before fork are zero in both, then private */
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int st;

	REQUIRE(p != MAP_FAILED);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		if (p[PAGE] != 0)
			_exit(2);
		p[PAGE] = 'C';
		_exit(p[PAGE] == 'C' ? 0 : 3);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
	CHECK_EQ(p[PAGE], 0);
	munmap(p, 4 * PAGE);
}

static void many_pages(void)
{
	/* the child writes every other page; the parent's copy is unchanged */
	enum { N = 64 };
	unsigned char *p = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int st;

	REQUIRE(p != MAP_FAILED);
	for (int i = 0; i < N; i++)
		memset(p + i * PAGE, i, PAGE);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < N; i += 2)
			memset(p + i * PAGE, 0xEE, PAGE);
		for (int i = 0; i < N; i++)
			if (p[i * PAGE + 17] != (i % 2 ? i : 0xEE))
				_exit(2);
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
	for (int i = 0; i < N; i++)
		for (int j = 0; j < PAGE; j += 511)
			if (p[i * PAGE + j] != i) {
				tap_printf("# page %d byte %d changed to 0x%x\n", i, j,
					   p[i * PAGE + j]);
				tap_cur_failed = 1;
				return;
			}
	munmap(p, N * PAGE);
}

static void grandchild(void)
{
	/* a second fork from the child shares nothing writable either */
	static volatile int v = 1;
	int st;
	pid_t pid = fork();

	REQUIRE(pid >= 0);
	if (pid == 0) {
		v = 2;
		pid_t g = fork();
		if (g < 0)
			_exit(4);
		if (g == 0) {
			v = 3;
			_exit(v == 3 ? 0 : 1);
		}
		if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
			_exit(5);
		_exit(v == 2 ? 0 : 6);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EXITED(st, 0);
	CHECK_EQ(v, 1);
}

static void shared_anon(void)
{
	/* MAP_SHARED anonymous memory is the one thing fork does share */
	volatile int *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			       -1, 0);
	int st;

	REQUIRE(p != MAP_FAILED);
	p[0] = 1;
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		p[0] = 2;
		p[1] = 0x5a5a;
		_exit(0);
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK_EQ(p[0], 2);
	CHECK_EQ(p[1], 0x5a5a);
	munmap((void *)p, PAGE);
}

int main(int argc, char **argv)
{
	tap_init("cow", argv[0], 0);
	RUN(data);
	RUN(bss);
	RUN(heap);
	RUN(stack);
	RUN(anon_private);
	RUN(untouched_before_fork);
	RUN(many_pages);
	RUN(grandchild);
	RUN(shared_anon);
	return tap_done();
}
