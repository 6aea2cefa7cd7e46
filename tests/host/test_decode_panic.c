/*
 * Host tests for scripts/decode-panic, run through popen. Serial logs saved
 * from real boots (tests/panic-logs/, raw: \r and ANSI escapes included)
 * check record parsing, the CRC check and the report; they are decoded
 * without ELF files, so they do not depend on the current build. Records
 * made here, at test time, from the addresses nm finds in build/basalt.elf
 * and build/modules/hello.ko.unsigned check symbolization to file:line for
 * kernel and module frames, and that a frame the ELF places elsewhere is
 * flagged. The CRC of those records comes from the kernel's own lib/crc32.c.
 */
#include "../../lib/crc32.c"

#include <stdbool.h>
#include <limits.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"

#define DECODE		"scripts/decode-panic"
#define NO_ELF		" --kernel /nonexistent/basalt.elf --modules /nonexistent "
#define LOGS		"tests/panic-logs/"
#define KERNEL_ELF	"build/basalt.elf"
#define HELLO_KO	"build/modules/hello.ko.unsigned"
#define MOD_BASE	0xffffffffa0001000ULL

static char tmp_path[] = "/tmp/decode-panic-test-XXXXXX";

/* Run @cmd (stderr merged); its output, malloc'ed, and its exit status. */
static char *run(const char *cmd, int *status)
{
	char full[1024];
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	FILE *p;
	int st;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	p = popen(full, "r");
	if (!p || !buf) {
		*status = -1;
		return buf ? (buf[0] = '\0', buf) : NULL;
	}
	for (size_t n; (n = fread(buf + len, 1, cap - len - 1, p)) > 0;) {
		len += n;
		if (cap - len < 4096)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return buf;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	*len = n;
	return buf;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

/* Does the line of @out that contains @a also contain @b? */
static bool line_has(const char *out, const char *a, const char *b)
{
	const char *p = out ? strstr(out, a) : NULL;
	const char *start, *end;

	if (!p)
		return false;
	for (start = p; start > out && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	if (!end)
		end = p + strlen(p);
	for (const char *q = start; q + strlen(b) <= end; q++)
		if (!strncmp(q, b, strlen(b)))
			return true;
	return false;
}

/* Address of function @sym in @obj by nm, or 0. */
static uint64_t nm_addr(const char *obj, const char *sym)
{
	char cmd[256], line[512], name[256], type;
	unsigned long long a, found = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm %s", obj);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, "%llx %c %255s", &a, &type, name) == 3 &&
		    (type == 'T' || type == 't') && !strcmp(name, sym))
			found = a;
	pclose(p);
	return found;
}

/*
 * Write a log holding one record of @frames (JSON fragments) with its CRC;
 * @cpus, when not NULL, is the fragment inside its "cpus" list.
 */
static void write_record(const char *reason, const char *frames, const char *cpus,
			 bool bad_crc)
{
	char json[8192], log[9000];
	uint32_t crc;
	int n;

	snprintf(json, sizeof(json),
		 "{\"reason\":\"%s\",\"message\":\"made by test_decode_panic\",\"cpu\":0,"
		 "\"pid\":42,\"comm\":\"hosttest\",\"taint\":\"-\",\"uptime_ns\":1500000000,"
		 "\"regs\":{\"rip\":\"0x1\",\"rsp\":\"0x2\"},\"backtrace\":[%s],%s%s%s"
		 "\"modules\":[{\"name\":\"hello\",\"base\":\"%#llx\",\"size\":8192}],"
		 "\"log\":[\"[    1.0] booted\"]}",
		 reason, frames, cpus ? "\"cpus\":[" : "", cpus ? cpus : "", cpus ? "]," : "",
		 (unsigned long long)MOD_BASE);
	crc = crc32(0, json, strlen(json)) ^ (bad_crc ? 1 : 0);
	n = snprintf(log, sizeof(log),
		     "\x1b[0mboot noise\r\n\x1b[1;31mBASALT-PANIC v1 %s crc32=%08x\x1b[0m\r\n"
		     "---[ end ]---\r\n", json, crc);
	write_file(tmp_path, log, n);
}

static void saved_module_record(void)
{
	int st;
	char *out = run(DECODE NO_ELF LOGS "module-bug.log", &st);

	CHECK_EQ(st, 0);
	CHECK(strstr(out, "BASALT panic record 1 (crc32 "));
	CHECK(strstr(out, " ok)"));
	CHECK(strstr(out, "reason:   bug"));
	CHECK(strstr(out, "BUG_ON(ct_bug_condition) at modules/crashtest/crashtest.c:"));
	CHECK(strstr(out, "process:  pid 7 (sh) on cpu 0"));
	CHECK(strstr(out, "RIP: ffffffffa000"));
	CHECK(strstr(out, "crashtest        base 0xffffffffa0001000 size "));
	/* the kernel's own symbols, and a warning that nothing was resolved */
	CHECK(line_has(out, "#0 ", "crashtest_bug+0x"));
	CHECK(line_has(out, "#0 ", "[crashtest]"));
	CHECK(strstr(out, "crashtest_write+0x"));
	CHECK(strstr(out, "proc_entry_write+0x"));
	CHECK(strstr(out, "warning: kernel: cannot read /nonexistent/basalt.elf"));
	CHECK(strstr(out, "crashtest: firing 'bug'"));	/* the record's log */
	CHECK(!strstr(out, "MISMATCH"));
	free(out);
}

static void saved_trap_and_watchdog_records(void)
{
	int st;
	char *out = run(DECODE NO_ELF "--no-log " LOGS "kernel-null-deref.log", &st);

	CHECK_EQ(st, 0);
	CHECK(strstr(out, "reason:   null-deref"));
	CHECK(line_has(out, "#0 ", "crash_null+0x"));
	CHECK(strstr(out, "CR2: 0000000000000008"));
	CHECK(strstr(out, "modules:  (none)"));
	CHECK(!strstr(out, "last kernel messages"));
	free(out);
	out = run(DECODE NO_ELF LOGS "module-text.log", &st);
	CHECK_EQ(st, 0);
	CHECK(strstr(out, "reason:   module-text"));
	CHECK(strstr(out, "module crashtest text MODIFIED"));
	CHECK(strstr(out, "watchdog_thread+0x"));
	free(out);
}

/* One changed byte in the JSON, or in the CRC itself: exit 1, said clearly. */
static void damaged_record_fails(void)
{
	size_t len;
	char *log = slurp(LOGS "module-bug.log", &len), *p, *out;
	char cmd[256];
	int st;

	CHECK(log != NULL);
	if (!log)
		return;
	p = strstr(log, "\"pid\":7,");
	CHECK(p != NULL);
	if (p)
		p[6] = '8';
	write_file(tmp_path, log, len);
	snprintf(cmd, sizeof(cmd), DECODE NO_ELF "%s", tmp_path);
	out = run(cmd, &st);
	CHECK_EQ(st, 1);
	CHECK(strstr(out, "CRC MISMATCH"));
	CHECK(strstr(out, "the record is damaged"));
	free(out);

	if (p)
		p[6] = '7';
	p = strstr(log, "crc32=");
	CHECK(p != NULL);
	if (p)
		p[6] = p[6] == '0' ? '1' : '0';
	write_file(tmp_path, log, len);
	out = run(cmd, &st);
	CHECK_EQ(st, 1);
	CHECK(strstr(out, "CRC MISMATCH"));
	free(out);
	free(log);
}

static void no_record_and_no_file(void)
{
	char cmd[256], *out;
	int st;
	const char *text = "Basalt 0.1.0\r\n/ # \r\n";

	write_file(tmp_path, text, strlen(text));
	snprintf(cmd, sizeof(cmd), DECODE " %s", tmp_path);
	out = run(cmd, &st);
	CHECK_EQ(st, 2);
	CHECK(strstr(out, "no BASALT-PANIC record"));
	free(out);
	out = run(DECODE " /nonexistent/serial.log", &st);
	CHECK_EQ(st, 2);
	free(out);
}

/* Two logs on stdin: both records decoded, in order. */
static void several_records_from_stdin(void)
{
	int st;
	char *out = run("cat " LOGS "kernel-null-deref.log " LOGS "module-bug.log | "
			DECODE NO_ELF, &st);
	const char *one = strstr(out, "BASALT panic record 1 "),
		   *two = strstr(out, "BASALT panic record 2 ");

	CHECK_EQ(st, 0);
	CHECK(one && two && one < two);
	CHECK(two && strstr(two, "reason:   bug"));
	CHECK(one && two && strstr(one, "reason:   null-deref") < two);
	free(out);
}

/* A record made from this build: every frame resolves to its source file. */
static void symbolizes_this_build(void)
{
	uint64_t kfree_a = nm_addr(KERNEL_ELF, "kfree");
	uint64_t kmalloc_a = nm_addr(KERNEL_ELF, "kmalloc");
	uint64_t greet = MOD_BASE + nm_addr(HELLO_KO, "hello_greet");
	char frames[1024], cmd[256], *out;
	int st;

	CHECK(kfree_a && kmalloc_a);
	snprintf(frames, sizeof(frames),
		 "{\"addr\":\"%#llx\",\"sym\":\"kfree+0x0/0x1\"},"
		 "{\"addr\":\"%#llx\",\"sym\":\"hello_greet+0x5/0x1 [hello]\"},"
		 "{\"addr\":\"%#llx\",\"sym\":\"kmalloc+0x5/0x1\"}",
		 (unsigned long long)kfree_a, (unsigned long long)greet + 5,
		 (unsigned long long)kmalloc_a + 5);
	write_record("exception", frames, NULL, false);
	snprintf(cmd, sizeof(cmd), DECODE " %s", tmp_path);
	out = run(cmd, &st);
	CHECK_EQ(st, 0);
	CHECK(strstr(out, "process:  pid 42 (hosttest) on cpu 0"));
	CHECK(strstr(out, "uptime:   1.500000000 s"));
	CHECK(line_has(out, "kfree+0x0/", "mm/kmalloc.c:"));
	CHECK(line_has(out, "kfree+0x0/", "(kfree)"));
	CHECK(line_has(out, "hello_greet+0x5/", "modules/hello/hello.c:"));
	CHECK(line_has(out, "hello_greet+0x5/", "(hello_greet)"));
	CHECK(line_has(out, "kmalloc+0x5/", "mm/kmalloc.c:"));
	CHECK(!strstr(out, "MISMATCH"));
	CHECK(!strstr(out, "warning"));
	if (test_cur_failed)
		printf("# decode-panic said:\n%s", out);
	free(out);

	/* the same record with a wrong CRC is still reported, but fails */
	write_record("exception", frames, NULL, true);
	out = run(cmd, &st);
	CHECK_EQ(st, 1);
	CHECK(strstr(out, "CRC MISMATCH"));
	free(out);
}

/* Frames whose symbol the ELF puts elsewhere: another build's record. */
static void flags_elf_mismatch(void)
{
	uint64_t kmalloc_a = nm_addr(KERNEL_ELF, "kmalloc");
	uint64_t greet = MOD_BASE + nm_addr(HELLO_KO, "hello_greet");
	char frames[512], cmd[256], *out;
	int st;

	snprintf(frames, sizeof(frames),
		 "{\"addr\":\"%#llx\",\"sym\":\"kfree+0x4/0x40\"},"
		 "{\"addr\":\"%#llx\",\"sym\":\"hello_greet+0x0/0x40 [hello]\"}",
		 (unsigned long long)kmalloc_a + 4, (unsigned long long)greet + 0x40);
	write_record("bug", frames, NULL, false);
	snprintf(cmd, sizeof(cmd), DECODE " --no-log %s", tmp_path);
	out = run(cmd, &st);
	CHECK_EQ(st, 0);
	CHECK(strstr(out, "MISMATCH: the ELF does not place kfree here"));
	CHECK(strstr(out, "MISMATCH: the ELF does not place hello_greet here"));
	CHECK(strstr(out, "2 frame(s) disagree with the ELF files"));
	free(out);
}

/* The text from the line of @out that starts with @head up to the next "  cpu " line. */
static char *cpu_section(const char *out, const char *head)
{
	const char *p = out ? strstr(out, head) : NULL, *end;

	if (!p)
		return strdup("");
	end = strstr(p + strlen(head), "\n  cpu ");
	return strndup(p, end ? (size_t)(end - p) : strlen(p));
}

/* A -smp 4 boot's record (tests/panic-logs/smp4-bug.log): every CPU shown. */
static void saved_smp_record(void)
{
	int st;
	char *out = run(DECODE NO_ELF "--no-log " LOGS "smp4-bug.log", &st), *sec;

	CHECK_EQ(st, 0);
	CHECK(strstr(out, "reason:   bug"));
	CHECK(strstr(out, "cpus:     4 online"));
	CHECK(strstr(out, "\n  cpu 0: panicking, pid 0 (swapper): the backtrace above\n"));
	for (int cpu = 1; cpu < 4; cpu++) {
		char head[64];

		snprintf(head, sizeof(head), "\n  cpu %d: stopped by NMI, pid ", cpu);
		sec = cpu_section(out, head);
		CHECK(strstr(sec, head));
		/* each stopped CPU has its own registers and frames, from its record entry */
		CHECK(strstr(sec, "    RIP: ffffffff8"));
		CHECK(line_has(sec, "    #0  ", "ap_entry+0x"));
		CHECK(line_has(sec, "    #1  ", "000000000000807c"));
		CHECK(!strstr(sec, "crash_bug"));
		free(sec);
	}
	CHECK(!strstr(out, "did not stop"));
	free(out);
}

/*
 * A record of four CPUs made from this build: each CPU's frames resolve to
 * file:line in its own section, a CPU that did not stop and one that was
 * panicking too are said so, and a mismatch in a CPU's frame is counted.
 */
static void symbolizes_every_cpu(void)
{
	uint64_t kfree_a = nm_addr(KERNEL_ELF, "kfree");
	uint64_t kmalloc_a = nm_addr(KERNEL_ELF, "kmalloc");
	uint64_t greet = MOD_BASE + nm_addr(HELLO_KO, "hello_greet");
	char frames[256], cpus[2048], cmd[256], *out, *sec;
	int st;

	CHECK(kfree_a && kmalloc_a);
	snprintf(frames, sizeof(frames), "{\"addr\":\"%#llx\",\"sym\":\"kmalloc+0x5/0x1\"}",
		 (unsigned long long)kmalloc_a + 5);
	snprintf(cpus, sizeof(cpus),
		 "{\"cpu\":0,\"panicking\":false,\"stopped\":true,\"pid\":3,\"comm\":\"kworker\","
		 "\"rip\":\"%#llx\",\"rsp\":\"0x10\",\"rbp\":\"0x20\",\"by_nmi\":true,"
		 "\"rip_is_return\":false,\"frames\":[{\"addr\":\"%#llx\",\"sym\":\"kfree+0x0/0x1\"},"
		 "{\"addr\":\"%#llx\",\"sym\":\"hello_greet+0x5/0x1 [hello]\"}],"
		 "\"also_panicking\":\"\",\"also_message\":\"\"},"
		 "{\"cpu\":1,\"panicking\":true,\"stopped\":false,\"pid\":42,\"comm\":\"hosttest\","
		 "\"rip\":\"0x1\",\"rsp\":\"0x2\",\"rbp\":\"0x3\",\"also_panicking\":\"\","
		 "\"also_message\":\"\"},"
		 "{\"cpu\":2,\"panicking\":false,\"stopped\":false,\"also_panicking\":\"\","
		 "\"also_message\":\"\"},"
		 "{\"cpu\":3,\"panicking\":false,\"stopped\":true,\"pid\":9,\"comm\":\"sh\","
		 "\"rip\":\"%#llx\",\"rsp\":\"0x10\",\"rbp\":\"0x20\",\"by_nmi\":false,"
		 "\"rip_is_return\":true,\"frames\":[{\"addr\":\"%#llx\",\"sym\":\"kfree+0x4/0x40\"}],"
		 "\"also_panicking\":\"redzone\",\"also_message\":\"kmalloc: redzone at 0x5\"}",
		 (unsigned long long)kfree_a, (unsigned long long)kfree_a,
		 (unsigned long long)greet + 5, (unsigned long long)kmalloc_a + 4,
		 (unsigned long long)kmalloc_a + 4);
	write_record("bug", frames, cpus, false);
	snprintf(cmd, sizeof(cmd), DECODE " --no-log %s", tmp_path);
	out = run(cmd, &st);
	CHECK_EQ(st, 0);
	CHECK(strstr(out, "cpus:     4 online"));
	CHECK(strstr(out, "\n  cpu 1: panicking, pid 42 (hosttest): the backtrace above\n"));
	sec = cpu_section(out, "\n  cpu 0: stopped by NMI, pid 3 (kworker)\n");
	CHECK(line_has(sec, "    #0  ", "kfree+0x0/"));
	CHECK(line_has(sec, "kfree+0x0/", "mm/kmalloc.c:"));
	CHECK(line_has(sec, "    #1  ", "hello_greet+0x5/"));
	CHECK(line_has(sec, "hello_greet+0x5/", "modules/hello/hello.c:"));
	CHECK(!strstr(sec, "MISMATCH"));
	free(sec);
	CHECK(strstr(out, "\n  cpu 2: did not stop\n"));
	sec = cpu_section(out, "\n  cpu 3: stopped itself, pid 9 (sh)\n");
	CHECK(strstr(sec, "MISMATCH: the ELF does not place kfree here"));
	CHECK(strstr(sec, "\n    was panicking too: redzone: kmalloc: redzone at 0x5"));
	free(sec);
	/* the panicking CPU's own backtrace is still resolved */
	CHECK(line_has(out, "kmalloc+0x5/", "mm/kmalloc.c:"));
	CHECK(strstr(out, "1 frame(s) disagree with the ELF files"));
	if (test_cur_failed)
		printf("# decode-panic said:\n%s", out);
	free(out);
}

int main(int argc, char **argv)
{
	int fd;

	test_suite = "decode_panic";
	/* run from the tree's root: build/host/test_decode_panic is 3 levels down */
	if (access(DECODE, X_OK) && argc > 0) {
		char dir[PATH_MAX];

		if (!realpath(argv[0], dir))
			return 1;
		for (int i = 0; i < 3; i++)
			if (strrchr(dir, '/'))
				*strrchr(dir, '/') = '\0';
		if (chdir(dir[0] ? dir : "/"))
			return 1;
	}
	fd = mkstemp(tmp_path);
	if (fd < 0)
		return 1;
	close(fd);
	RUN(saved_module_record);
	RUN(saved_trap_and_watchdog_records);
	RUN(damaged_record_fails);
	RUN(no_record_and_no_file);
	RUN(several_records_from_stdin);
	RUN(symbolizes_this_build);
	RUN(flags_elf_mismatch);
	RUN(saved_smp_record);
	RUN(symbolizes_every_cpu);
	unlink(tmp_path);
	TEST_EXIT();
}
