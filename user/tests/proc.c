/*
 * /proc as busybox's ps, free, uptime and mount read it: /proc/self and
 * /proc/<pid>/stat name the right process, /proc/meminfo, /proc/uptime,
 * /proc/cmdline and /proc/mounts have the fields in Linux's format;
 * /proc/cpuinfo has one well-formed block per CPU that /proc/stat and
 * /sys/devices/system/cpu/online count too.
 */
#include "tap.h"

/* Parse "pid (comm) state ppid ..." */
static int parse_stat(const char *buf, int *pid, char *comm, size_t csize, char *state,
		      int *ppid)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');

	if (!open || !close || close < open)
		return -1;
	*pid = atoi(buf);
	size_t n = close - open - 1;
	if (n >= csize)
		n = csize - 1;
	memcpy(comm, open + 1, n);
	comm[n] = 0;
	if (sscanf(close + 1, " %c %d", state, ppid) != 2)
		return -1;
	return 0;
}

static void self_stat(void)
{
	char buf[1024], comm[32], state;
	int pid, ppid;

	REQUIRE(tap_read_file("/proc/self/stat", buf, sizeof(buf)) > 0);
	REQUIRE(parse_stat(buf, &pid, comm, sizeof(comm), &state, &ppid) == 0);
	CHECK_EQ(pid, getpid());
	CHECK_EQ(ppid, getppid());
	CHECK_STR(comm, "proc"); /* the executable's name */
	CHECK_EQ(state, 'R');
	/* Linux has 52 fields; ps needs at least up to vsize and rss (23, 24) */
	int fields = 0;
	for (char *p = strrchr(buf, ')') + 1; *p; p++)
		if (*p == ' ')
			fields++;
	CHECK(fields + 2 >= 24);
}

static void self_is_a_link(void)
{
	char buf[32] = "", want[32];

	CHECK(readlink("/proc/self", buf, sizeof(buf) - 1) > 0);
	snprintf(want, sizeof(want), "%d", getpid());
	CHECK_STR(buf, want);
}

static void other_process(void)
{
	/* a sleeping child's /proc/<pid>/stat, cmdline and its /proc entry */
	int p[2], st, pid2, ppid;
	char path[64], buf[1024], comm[32], state;

	REQUIRE(pipe(p) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		char c;
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	/* let it block in read: on another CPU it gets there in its own time */
	for (int tries = 0; tries < 100; tries++) {
		tap_msleep(20);
		REQUIRE(tap_read_file(path, buf, sizeof(buf)) > 0);
		REQUIRE(parse_stat(buf, &pid2, comm, sizeof(comm), &state, &ppid) == 0);
		if (state == 'S')
			break;
	}
	CHECK_EQ(pid2, pid);
	CHECK_EQ(ppid, getpid());
	CHECK_EQ(state, 'S');
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	ssize_t n = tap_read_file(path, buf, sizeof(buf));
	/* NUL-separated argv: argv[0] is the path we were started with */
	CHECK(n > 0 && (size_t)n == strlen(buf) + 1);
	CHECK(strstr(buf, "proc") != NULL);
	/* the pid shows up as a directory in /proc */
	int found = 0;
	DIR *d = opendir("/proc");
	REQUIRE(d);
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (atoi(de->d_name) == pid)
			found = 1;
	closedir(d);
	CHECK(found);
	close(p[1]);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	/* and it is gone once reaped */
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	CHECK_ERR(open(path, O_RDONLY), ENOENT);
}

static void zombie_state(void)
{
	int st, pid2, ppid;
	char path[64], buf[1024], comm[32], state;
	pid_t pid = fork();

	REQUIRE(pid >= 0);
	if (pid == 0)
		_exit(0);
	/* wait for it to die without reaping it */
	siginfo_t si;
	CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	REQUIRE(tap_read_file(path, buf, sizeof(buf)) > 0);
	REQUIRE(parse_stat(buf, &pid2, comm, sizeof(comm), &state, &ppid) == 0);
	CHECK_EQ(state, 'Z');
	CHECK_EQ(waitpid(pid, &st, 0), pid);
}

static long meminfo_field(const char *buf, const char *name)
{
	const char *p = strstr(buf, name);
	long v;
	char unit[8];

	if (!p || (p != buf && p[-1] != '\n'))
		return -1;
	if (sscanf(p + strlen(name), ": %ld %7s", &v, unit) != 2 || strcmp(unit, "kB"))
		return -1;
	return v;
}

static void meminfo(void)
{
	char buf[4096];

	REQUIRE(tap_read_file("/proc/meminfo", buf, sizeof(buf)) > 0);
	long total = meminfo_field(buf, "MemTotal");
	long free_kb = meminfo_field(buf, "MemFree");
	CHECK(total > 1024); /* more than a MiB */
	CHECK(free_kb > 0 && free_kb <= total);
	/* the first line is MemTotal, as `free` expects */
	CHECK(strncmp(buf, "MemTotal:", 9) == 0);
	CHECK(meminfo_field(buf, "MemAvailable") >= 0);
}

static void uptime(void)
{
	char buf[128];
	double up1, idle, up2;

	REQUIRE(tap_read_file("/proc/uptime", buf, sizeof(buf)) > 0);
	CHECK_EQ(sscanf(buf, "%lf %lf", &up1, &idle), 2);
	CHECK(up1 > 0);
	CHECK(idle >= 0);
	/* two decimals, newline-terminated, like Linux */
	CHECK(strchr(buf, '.') && buf[strlen(buf) - 1] == '\n');
	tap_msleep(30);
	REQUIRE(tap_read_file("/proc/uptime", buf, sizeof(buf)) > 0);
	CHECK_EQ(sscanf(buf, "%lf", &up2), 1);
	CHECK(up2 >= up1 + 0.01);
}

static void cmdline(void)
{
	char buf[4096];

	ssize_t n = tap_read_file("/proc/cmdline", buf, sizeof(buf));
	CHECK(n > 0);
	CHECK(n > 0 && buf[n - 1] == '\n');
}

static void mounts(void)
{
	char buf[16384];

	REQUIRE(tap_read_file("/proc/mounts", buf, sizeof(buf)) > 0);
	/* "device mountpoint type options 0 0" per line; proc is on /proc */
	int found = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char dev[128], dir[256], type[64], opts[512];
		int a, b;
		if (sscanf(line, "%127s %255s %63s %511s %d %d", dev, dir, type, opts, &a, &b) != 6) {
			tap_printf("# bad line: %s\n", line);
			tap_cur_failed = 1;
			continue;
		}
		if (!strcmp(dir, "/proc") && !strcmp(type, "proc"))
			found = 1;
	}
	CHECK(found);
}

static void not_writable(void)
{
	/* root may open it for writing (as on Linux), but not write to it */
	int fd = open("/proc/meminfo", O_WRONLY);
	if (fd >= 0) {
		CHECK(write(fd, "x", 1) < 0);
		close(fd);
	}
	CHECK_ERR(open("/proc/no-such-file", O_RDONLY), ENOENT);
	CHECK(mkdir("/proc/newdir", 0755) < 0);
}

/* The CPUs in a Linux cpu list ("0", "0-3", "0-3,6"); -1 when malformed. */
static int cpulist_count(const char *s)
{
	int n = 0, a, b, len;

	while (*s && *s != '\n') {
		if (sscanf(s, "%d%n", &a, &len) != 1)
			return -1;
		s += len;
		b = a;
		if (*s == '-' && sscanf(s + 1, "%d%n", &b, &len) == 1)
			s += 1 + len;
		if (b < a)
			return -1;
		n += b - a + 1;
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -1;
	}
	return n;
}

/* The value of "@key<tabs>: value" in one cpuinfo block, or NULL. */
static const char *cpuinfo_field(const char *block, const char *key, char *val, size_t size)
{
	size_t klen = strlen(key);

	for (const char *p = block; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) || (p[klen] != '\t' && p[klen] != ':'))
			continue;
		const char *colon = strchr(p, ':'), *end = strchr(p, '\n');
		if (!colon || (end && colon > end))
			return NULL;
		colon += colon[1] == ' ' ? 2 : 1;
		size_t n = end ? (size_t)(end - colon) : strlen(colon);
		n = n < size - 1 ? n : size - 1;
		memcpy(val, colon, n);
		val[n] = 0;
		return val;
	}
	return NULL;
}

/* Is @s a number (with an optional fraction) greater than 0? */
static int positive_number(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	return end != s && *end == 0 && v > 0;
}

static char cpuinfo_buf[1 << 20];

#define BAD(...)                       \
	do {                           \
		tap_printf(__VA_ARGS__); \
		bad = 1;               \
	} while (0)

/* Check one processor's block; 0 when well formed. */
static int cpuinfo_block(const char *b, int index, unsigned int *apicid)
{
	static const char *const keys[] = {
		"vendor_id", "cpu family", "model", "model name", "stepping", "microcode",
		"cpu MHz", "physical id", "siblings", "core id", "cpu cores", "apicid",
		"initial apicid", "fpu", "cpuid level", "wp", "flags", "bogomips",
		"clflush size", "cache_alignment", "address sizes", "power management",
	};
	char v[4096], *tok, *save;
	int bad = 0, phys, virt;
	unsigned int sib, cores;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!cpuinfo_field(b, keys[i], v, sizeof(v))) {
			tap_printf("# processor %d: no \"%s\" line\n", index, keys[i]);
			bad = 1;
		}
	if (bad)
		return -1;
	if (atoi(cpuinfo_field(b, "processor", v, sizeof(v))) != index)
		BAD("# block %d says processor %s\n", index, v);
	if (!positive_number(cpuinfo_field(b, "cpu MHz", v, sizeof(v))) ||
	    !strchr(v, '.'))
		BAD("# processor %d: cpu MHz \"%s\"\n", index, v);
	if (!positive_number(cpuinfo_field(b, "bogomips", v, sizeof(v))))
		BAD("# processor %d: bogomips \"%s\"\n", index, v);
	sib = atoi(cpuinfo_field(b, "siblings", v, sizeof(v)));
	cores = atoi(cpuinfo_field(b, "cpu cores", v, sizeof(v)));
	if (cores < 1 || sib < cores)
		BAD("# processor %d: %u siblings, %u cores\n", index, sib, cores);
	*apicid = atoi(cpuinfo_field(b, "apicid", v, sizeof(v)));
	if (sscanf(cpuinfo_field(b, "address sizes", v, sizeof(v)),
		   "%d bits physical, %d bits virtual", &phys, &virt) != 2 || phys < 32 ||
	    virt < 48)
		BAD("# processor %d: address sizes \"%s\"\n", index, v);
	if (atoi(cpuinfo_field(b, "clflush size", v, sizeof(v))) < 8)
		BAD("# processor %d: clflush size \"%s\"\n", index, v);
	/* flags: lowercase names; every x86-64 CPU has these */
	int fpu = 0, lm = 0, sse2 = 0;
	cpuinfo_field(b, "flags", v, sizeof(v));
	for (tok = strtok_r(v, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		fpu |= !strcmp(tok, "fpu");
		lm |= !strcmp(tok, "lm");
		sse2 |= !strcmp(tok, "sse2");
		if (strspn(tok, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(tok))
			BAD("# processor %d: flag \"%s\"\n", index, tok);
	}
	if (!fpu || !lm || !sse2)
		BAD("# processor %d: fpu, lm or sse2 missing\n", index);
	return bad ? -1 : 0;
}

static void cpuinfo(void)
{
	unsigned int apicids[1024];
	char online[256], stat[1 << 16], *b, *next;
	int n = 0;

	REQUIRE(tap_read_file("/proc/cpuinfo", cpuinfo_buf, sizeof(cpuinfo_buf)) > 0);
	/* blocks end in a blank line, the last one too */
	CHECK(strncmp(cpuinfo_buf, "processor\t: 0\n", 14) == 0);
	CHECK(strlen(cpuinfo_buf) >= 2 && !strcmp(cpuinfo_buf + strlen(cpuinfo_buf) - 2, "\n\n"));
	for (b = cpuinfo_buf; *b && n < 1024; b = next, n++) {
		next = strstr(b, "\n\n");
		if (!next)
			break;
		next[1] = 0;
		next += 2;
		CHECK(cpuinfo_block(b, n, &apicids[n]) == 0);
		for (int i = 0; i < n; i++)
			if (apicids[i] == apicids[n])
				tap_printf("# processors %d and %d: apicid %u\n", i, n, apicids[n]),
					tap_cur_failed = 1;
	}
	REQUIRE(n > 0);
	REQUIRE(tap_read_file("/sys/devices/system/cpu/online", online, sizeof(online)) > 0);
	tap_printf("# /proc/cpuinfo: %d processors, online %s", n, online);
	CHECK_EQ(cpulist_count(online), n);
	/* "cpu  ..." then one "cpuN" line per online CPU */
	REQUIRE(tap_read_file("/proc/stat", stat, sizeof(stat)) > 0);
	CHECK(strncmp(stat, "cpu  ", 5) == 0);
	int lines = 0;
	for (char *p = strstr(stat, "\ncpu"); p; p = strstr(p + 1, "\ncpu"))
		lines += p[4] >= '0' && p[4] <= '9';
	CHECK_EQ(lines, n);
	/*
	 * musl counts the CPUs in the affinity mask: a subset of these (all of
	 * them once the scheduler runs tasks on every CPU; CPU 0 until then)
	 */
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	tap_printf("# sysconf(_SC_NPROCESSORS_CONF): %ld\n", conf);
	CHECK(conf >= 1 && conf <= n);
}

int main(int argc, char **argv)
{
	tap_init("proc", argv[0], 0);
	RUN(self_stat);
	RUN(self_is_a_link);
	RUN(other_process);
	RUN(zombie_state);
	RUN(meminfo);
	RUN(uptime);
	RUN(cmdline);
	RUN(mounts);
	RUN(not_writable);
	RUN(cpuinfo);
	return tap_done();
}
