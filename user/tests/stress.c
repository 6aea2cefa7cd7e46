/*
 * Stress: several processes and threads hammering the same kernel objects
 * at once (fork/exit, pipes, shared and private mappings, one directory,
 * futexes), each case a fixed amount of work that takes seconds under QEMU
 * TCG. Every case checks what came out (counts, checksums, contents), not
 * only that nothing crashed, and prints its counts on a "# " line. Workers
 * start together behind a gate so that, with several CPUs, they really run
 * at the same time; each sets its own alarm so a hang fails the case.
 *
 * Not part of "all": run it with basalt.test=stress (or run stress).
 */
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>

#include "tap.h"

#define PAGE		4096
/* from <linux/futex.h>, which musl-gcc does not see */
#define FUTEX_WAIT_PRIVATE	128
#define FUTEX_WAKE_PRIVATE	129
#define WORKER_ALARM	45	/* s; below tap.h's 60 for the case itself */

/* --- helpers --------------------------------------------------------------- */

/* xorshift64*: the same seed gives writer and checker the same numbers. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* Byte @k of pattern stream @stream: any byte can be checked on its own. */
static uint8_t pattern_byte(uint32_t stream, uint64_t k)
{
	uint32_t x = stream * 0x9e3779b9u + (uint32_t)k + (uint32_t)(k >> 32) * 0x85ebca6bu;

	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return (uint8_t)x;
}

/* Zeroed memory shared with the children forked after this call. */
static void *shared_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * The same, with every page touched by the parent first: the cases use it
 * to collect their workers' results, and want those to arrive even when
 * pages the parent never touched before fork fail to be shared (the very
 * thing shared_counters checks, on a mapping made with shared_map()).
 */
static void *shared_alloc(size_t size)
{
	void *p = shared_map(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/*
 * Fork @n workers running fn(i, arg), each held at a gate (a pipe whose
 * write end the parent closes once all exist) and exiting with fn's result.
 * Returns the number started; pids[] gets their ids.
 */
static int spawn_workers(int n, pid_t *pids, int (*fn)(int, void *), void *arg)
{
	int gate[2], started = 0;
	char c;

	if (pipe(gate) != 0)
		return 0;
	for (; started < n; started++) {
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			alarm(WORKER_ALARM);
			close(gate[1]);
			while (read(gate[0], &c, 1) < 0 && errno == EINTR)
				;
			close(gate[0]);
			_exit(fn(started, arg));
		}
		pids[started] = pid;
	}
	close(gate[0]);
	close(gate[1]); /* opens the gate */
	return started;
}

/* Wait for every worker; each must exit 0. Returns how many did. */
static int reap_workers(int n, const pid_t *pids, const char *what)
{
	int good = 0, st;

	for (int i = 0; i < n; i++) {
		if (waitpid(pids[i], &st, 0) != pids[i]) {
			tap_printf("# %s worker %d: waitpid: %s\n", what, i, strerror(errno));
			tap_cur_failed = 1;
		} else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			tap_printf("# %s worker %d %s\n", what, i, tap_wstatus(st));
			tap_cur_failed = 1;
		} else {
			good++;
		}
	}
	return good;
}

/* Run fn(0) .. fn(n - 1) in @n threads and join them: 0 if all ran. */
static int run_threads(int n, void *(*fn)(void *))
{
	pthread_t tids[16];
	int made = 0, joined = 0;

	for (; made < n; made++) {
		int err = pthread_create(&tids[made], NULL, fn, (void *)(intptr_t)made);
		if (err) {
			tap_printf("# pthread_create %d: %s\n", made, strerror(err));
			break;
		}
	}
	for (int i = 0; i < made; i++)
		if (pthread_join(tids[i], NULL) == 0)
			joined++;
	return made == n && joined == n ? 0 : -1;
}

static pthread_barrier_t thread_gate;

/* --- fork/exit storm -------------------------------------------------------- */

#define FORK_WORKERS	4
#define FORK_CHILDREN	150	/* per worker at most, in batches */
#define FORK_MIN	20	/* at least, however slow the host */
#define FORK_MS		15000	/* a worker starts no batch after this */
#define FORK_BATCH	5

struct fork_result {
	int forked, reaped, right_code, stray;
};
static struct fork_result *fork_res;

/* Exit code of child @k of worker @w: all different within a worker. */
static int fork_code(int w, int k)
{
	return 1 + (w * 61 + k) % 250;
}

static int fork_worker(int w, void *arg)
{
	struct fork_result *r = &fork_res[w];
	pid_t me = getpid();
	long long deadline = tap_now_ms() + FORK_MS;

	/*
	 * Bounded in time as well as in count: with 4 vCPUs on 2 loaded host
	 * cores a fork can take a large fraction of a second, and 150 of them
	 * outlasted the worker's alarm.
	 */
	for (int k = 0; k < FORK_CHILDREN && (k < FORK_MIN || tap_now_ms() < deadline);
	     k += FORK_BATCH) {
		pid_t pids[FORK_BATCH];
		for (int b = 0; b < FORK_BATCH; b++) {
			pids[b] = fork();
			if (pids[b] < 0)
				return 2;
			if (pids[b] == 0) /* a child that lost its parent exits 255 */
				_exit(getppid() == me ? fork_code(w, k + b) : 255);
			r->forked++;
		}
		/* reap in whatever order they finish */
		for (int b = 0; b < FORK_BATCH; b++) {
			int st, i;
			pid_t pid = wait(&st);
			for (i = 0; i < FORK_BATCH && pids[i] != pid; i++)
				;
			if (i == FORK_BATCH) {
				r->stray++;
				continue;
			}
			pids[i] = 0;
			r->reaped++;
			if (WIFEXITED(st) && WEXITSTATUS(st) == fork_code(w, k + i))
				r->right_code++;
		}
	}
	/* nothing may be left to wait for */
	return wait(NULL) == -1 && errno == ECHILD ? 0 : 3;
}

static void fork_storm(void)
{
	pid_t pids[FORK_WORKERS];
	int reaped = 0, right = 0, stray = 0;
	long long t0 = tap_now_ms();

	REQUIRE((fork_res = shared_alloc(sizeof(*fork_res) * FORK_WORKERS)) != NULL);
	int n = spawn_workers(FORK_WORKERS, pids, fork_worker, NULL);
	CHECK_EQ(reap_workers(n, pids, "fork"), FORK_WORKERS);
	for (int w = 0; w < n; w++) {
		CHECK(fork_res[w].forked >= FORK_MIN && fork_res[w].forked <= FORK_CHILDREN);
		CHECK_EQ(fork_res[w].reaped, fork_res[w].forked);
		CHECK_EQ(fork_res[w].right_code, fork_res[w].forked);
		CHECK_EQ(fork_res[w].stray, 0);
		reaped += fork_res[w].reaped;
		right += fork_res[w].right_code;
		stray += fork_res[w].stray;
	}
	tap_printf("# fork_storm: %d workers, %d children reaped, %d right exit codes, %d strays, %lld ms\n",
		   n, reaped, right, stray, tap_now_ms() - t0);
}

/* --- pipes: streams with a checksum, PIPE_BUF-atomic records ---------------- */

#define PIPE_PAIRS	4
#define PIPE_BYTES	(1024 * 1024)	/* per pair */

struct pipe_result {
	uint64_t written, read, mismatches, wsum, rsum;
};
static struct pipe_result *pipe_res;
static int (*pipe_fds)[2];

/* Even workers write stream w/2, odd ones read it, in random-sized pieces. */
static int pipe_worker(int w, void *arg)
{
	int pair = w / 2, writer = !(w & 1);
	struct pipe_result *r = &pipe_res[pair];
	uint64_t seed = 0x1234567ull + w, pos = 0;
	uint8_t buf[8192];

	for (int i = 0; i < PIPE_PAIRS; i++) { /* keep only our own end */
		if (i != pair || !writer)
			close(pipe_fds[i][1]);
		if (i != pair || writer)
			close(pipe_fds[i][0]);
	}
	while (writer && pos < PIPE_BYTES) {
		size_t len = 1 + rng_next(&seed) % sizeof(buf), off = 0;
		if (len > PIPE_BYTES - pos)
			len = PIPE_BYTES - pos;
		for (size_t j = 0; j < len; j++) {
			buf[j] = pattern_byte(pair, pos + j);
			r->wsum += buf[j] * (pos + j + 1);
		}
		while (off < len) {
			ssize_t n = write(pipe_fds[pair][1], buf + off, len - off);
			if (n <= 0)
				return 2;
			off += n;
		}
		pos += len;
		r->written = pos;
	}
	while (!writer) {
		ssize_t n = read(pipe_fds[pair][0], buf, 1 + rng_next(&seed) % 6000);
		if (n < 0)
			return 2;
		if (n == 0)
			break;
		for (ssize_t j = 0; j < n; j++, pos++) {
			r->mismatches += buf[j] != pattern_byte(pair, pos);
			r->rsum += buf[j] * (pos + 1);
		}
		r->read = pos;
	}
	return 0;
}

static void pipe_streams(void)
{
	int fds[PIPE_PAIRS][2];
	pid_t pids[2 * PIPE_PAIRS];
	uint64_t total = 0, want_sum = 0, bad = 0;
	long long t0 = tap_now_ms();

	REQUIRE((pipe_res = shared_alloc(sizeof(*pipe_res) * PIPE_PAIRS)) != NULL);
	for (int i = 0; i < PIPE_PAIRS; i++)
		REQUIRE(pipe(fds[i]) == 0);
	pipe_fds = fds;
	int n = spawn_workers(2 * PIPE_PAIRS, pids, pipe_worker, NULL);
	for (int i = 0; i < PIPE_PAIRS; i++) { /* readers see EOF once writers exit */
		close(fds[i][0]);
		close(fds[i][1]);
	}
	CHECK_EQ(reap_workers(n, pids, "pipe"), 2 * PIPE_PAIRS);
	for (uint64_t k = 0; k < PIPE_BYTES; k++)
		want_sum += pattern_byte(0, k) * (k + 1);
	for (int i = 0; i < PIPE_PAIRS; i++) {
		struct pipe_result *r = &pipe_res[i];
		CHECK_EQ(r->written, PIPE_BYTES);
		CHECK_EQ(r->read, PIPE_BYTES);
		CHECK_EQ(r->mismatches, 0);
		CHECK_EQ(r->rsum, r->wsum);
		if (i == 0)
			CHECK_EQ(r->wsum, want_sum);
		total += r->read;
	}
	CHECK_EQ(total, (uint64_t)PIPE_PAIRS * PIPE_BYTES);
	for (int i = 0; i < PIPE_PAIRS; i++)
		bad += pipe_res[i].mismatches;
	tap_printf("# pipe_streams: %d pairs, %llu bytes through, %llu mismatched, %lld ms\n",
		   PIPE_PAIRS, (unsigned long long)total, (unsigned long long)bad,
		   tap_now_ms() - t0);
}

#define REC_WRITERS	4
#define REC_COUNT	1000	/* records per writer */
#define REC_MAGIC	0x5eed
#define REC_MIN		16

/* One write(2) of hdr.len bytes, at most PIPE_BUF: must arrive whole. */
struct record_hdr {
	uint16_t magic;
	uint16_t writer;
	uint32_t seq;
	uint32_t len;
};

static int rec_fd;

static uint32_t rec_len(int w, uint32_t seq)
{
	uint64_t s = 0x9e3779b97f4a7c15ull ^ ((uint64_t)w << 32 | seq);

	return REC_MIN + rng_next(&s) % (PIPE_BUF - REC_MIN + 1);
}

static uint8_t rec_byte(int w, uint32_t seq, uint32_t j)
{
	return (uint8_t)(w * 37 + seq * 11 + j);
}

static int record_writer(int w, void *arg)
{
	uint8_t buf[PIPE_BUF];
	struct record_hdr *h = (struct record_hdr *)buf;

	for (uint32_t seq = 0; seq < REC_COUNT; seq++) {
		*h = (struct record_hdr){ REC_MAGIC, w, seq, rec_len(w, seq) };
		for (uint32_t j = sizeof(*h); j < h->len; j++)
			buf[j] = rec_byte(w, seq, j);
		if (write(rec_fd, buf, h->len) != (ssize_t)h->len)
			return 2; /* a short blocking write of <= PIPE_BUF is a bug */
	}
	return 0;
}

static void pipe_atomic_records(void)
{
	static uint8_t buf[4 * PIPE_BUF];
	int fds[2], next[REC_WRITERS] = { 0 }, records = 0, bad = 0;
	pid_t pids[REC_WRITERS];
	size_t have = 0;
	uint64_t bytes = 0, seed = 99;
	long long t0 = tap_now_ms();

	REQUIRE(pipe(fds) == 0);
	rec_fd = fds[1];
	int n = spawn_workers(REC_WRITERS, pids, record_writer, NULL);
	close(fds[1]);
	/* read in odd sizes so the pipe fills and writers wait for room */
	for (;;) {
		ssize_t got = read(fds[0], buf + have, 1 + rng_next(&seed) % (sizeof(buf) - have));
		if (got <= 0)
			break;
		bytes += got;
		if (bad)
			continue; /* lost sync: just drain, the case has failed */
		have += got;
		size_t off = 0;
		while (!bad && have - off >= sizeof(struct record_hdr)) {
			struct record_hdr h;
			memcpy(&h, buf + off, sizeof(h));
			if (h.magic != REC_MAGIC || h.writer >= REC_WRITERS ||
			    h.seq != (uint32_t)next[h.writer] || h.len != rec_len(h.writer, h.seq)) {
				tap_printf("# record %d: bad header magic %#x writer %u seq %u len %u\n",
					   records, h.magic, h.writer, h.seq, h.len);
				bad = 1;
				break;
			}
			if (have - off < h.len)
				break;
			for (uint32_t j = sizeof(h); j < h.len && !bad; j++)
				if (buf[off + j] != rec_byte(h.writer, h.seq, j)) {
					tap_printf("# record %d (writer %u seq %u): byte %u interleaved\n",
						   records, h.writer, h.seq, j);
					bad = 1;
				}
			next[h.writer]++;
			records++;
			off += h.len;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	close(fds[0]);
	CHECK_EQ(reap_workers(n, pids, "record writer"), REC_WRITERS);
	CHECK_EQ(bad, 0);
	CHECK_EQ(have, 0);
	CHECK_EQ(records, REC_WRITERS * REC_COUNT);
	for (int w = 0; w < REC_WRITERS; w++)
		CHECK_EQ(next[w], REC_COUNT);
	tap_printf("# pipe_atomic_records: %d writers, %d whole records, %llu bytes, %lld ms\n",
		   n, records, (unsigned long long)bytes, tap_now_ms() - t0);
}

/* --- shared memory counters and mmap/munmap churn --------------------------- */

#define SHM_PROCS	4
#define SHM_ITERS	200000
#define SHM_TICKET_EVERY 16
#define SHM_TICKETS	(SHM_PROCS * SHM_ITERS / SHM_TICKET_EVERY)

struct shm_area {
	struct {
		volatile uint64_t n;	/* written by its worker only */
		char pad[56];
	} own[SHM_PROCS];
	uint64_t total;			/* __atomic by everyone */
	uint32_t ticket;
	uint8_t log[SHM_TICKETS];	/* log[ticket] = worker + 1 */
};
static struct shm_area *shm;

static int shm_worker(int w, void *arg)
{
	for (int i = 1; i <= SHM_ITERS; i++) {
		shm->own[w].n++;
		__atomic_fetch_add(&shm->total, 1, __ATOMIC_SEQ_CST);
		if (i % SHM_TICKET_EVERY == 0) {
			uint32_t t = __atomic_fetch_add(&shm->ticket, 1, __ATOMIC_SEQ_CST);
			if (t >= SHM_TICKETS || shm->log[t])
				return 2; /* a ticket handed out twice */
			shm->log[t] = w + 1;
		}
	}
	return 0;
}

/*
 * The counters live in a MAP_SHARED|MAP_ANONYMOUS mapping the parent makes
 * but does not touch before forking: every page of it must still be one
 * page for all the processes. Expected to fail on Basalt until fork shares
 * the pages of a shared mapping that are not present yet (today each
 * process faults in a private zero page there, and the parent reads 0).
 */
static void shared_counters(void)
{
	pid_t pids[SHM_PROCS];
	int per[SHM_PROCS + 1] = { 0 };
	long long t0 = tap_now_ms();

	REQUIRE((shm = shared_map(sizeof(*shm))) != NULL);
	int n = spawn_workers(SHM_PROCS, pids, shm_worker, NULL);
	CHECK_EQ(reap_workers(n, pids, "shm"), SHM_PROCS);
	for (int w = 0; w < SHM_PROCS; w++)
		CHECK_EQ(shm->own[w].n, SHM_ITERS);
	CHECK_EQ(shm->total, SHM_PROCS * SHM_ITERS);
	CHECK_EQ(shm->ticket, SHM_TICKETS);
	for (int t = 0; t < SHM_TICKETS; t++)
		per[shm->log[t] <= SHM_PROCS ? shm->log[t] : 0]++;
	CHECK_EQ(per[0], 0); /* every ticket was taken and logged */
	for (int w = 1; w <= SHM_PROCS; w++)
		CHECK_EQ(per[w], SHM_ITERS / SHM_TICKET_EVERY);
	tap_printf("# shared_counters: %d processes, total %llu, %u tickets, %lld ms\n", n,
		   (unsigned long long)shm->total, shm->ticket, tap_now_ms() - t0);
}

#define CHURN_PROCS	4
#define CHURN_ROUNDS	500
#define CHURN_MAX_PAGES	16

struct churn_result {
	int maps, pages, dirty_fresh, bad_content, shared_ok;
};
static struct churn_result *churn_res;

/* Is every word of fresh anonymous memory zero? */
static int page_is_zero(const uint64_t *p)
{
	for (int i = 0; i < PAGE / 8; i++)
		if (p[i])
			return 0;
	return 1;
}

static int churn_worker(int w, void *arg)
{
	struct churn_result *r = &churn_res[w];
	uint64_t seed = 777 + w;

	for (int round = 0; round < CHURN_ROUNDS; round++) {
		int np = 1 + rng_next(&seed) % CHURN_MAX_PAGES;
		uint8_t *p = mmap(NULL, np * PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 2;
		r->maps++;
		for (int i = 0; i < np; i++) {
			r->dirty_fresh += !page_is_zero((uint64_t *)(p + i * PAGE));
			memset(p + i * PAGE, (uint8_t)(w * 16 + round + i), PAGE);
		}
		/* punch out a middle page; the rest must keep its contents */
		int hole = np >= 3 ? np / 2 : -1;
		if (hole >= 0 && munmap(p + hole * PAGE, PAGE) != 0)
			return 3;
		for (int i = 0; i < np; i++)
			if (i != hole && (p[i * PAGE] != (uint8_t)(w * 16 + round + i) ||
					  p[i * PAGE + PAGE - 1] != (uint8_t)(w * 16 + round + i)))
				r->bad_content++;
		r->pages += np;
		if (munmap(p, np * PAGE) != 0) /* the hole inside is fine */
			return 4;

		/* now and then a shared page a grandchild writes to */
		if (round % 25 == 0) {
			volatile uint32_t *s = shared_alloc(PAGE);
			if (!s)
				return 5;
			pid_t pid = fork();
			if (pid == 0) {
				s[0] = 0xc0de0000u + round;
				_exit(0);
			}
			if (pid < 0 || waitpid(pid, NULL, 0) != pid)
				return 6;
			r->shared_ok += s[0] == 0xc0de0000u + round;
			munmap((void *)s, PAGE);
		}
	}
	return 0;
}

static void mmap_churn(void)
{
	pid_t pids[CHURN_PROCS];
	int maps = 0, pages = 0;
	long long t0 = tap_now_ms();

	REQUIRE((churn_res = shared_alloc(sizeof(*churn_res) * CHURN_PROCS)) != NULL);
	int n = spawn_workers(CHURN_PROCS, pids, churn_worker, NULL);
	CHECK_EQ(reap_workers(n, pids, "churn"), CHURN_PROCS);
	for (int w = 0; w < n; w++) {
		struct churn_result *r = &churn_res[w];
		CHECK_EQ(r->maps, CHURN_ROUNDS);
		CHECK_EQ(r->dirty_fresh, 0);
		CHECK_EQ(r->bad_content, 0);
		CHECK_EQ(r->shared_ok, (CHURN_ROUNDS + 24) / 25);
		maps += r->maps;
		pages += r->pages;
	}
	tap_printf("# mmap_churn: %d processes, %d mappings, %d pages, %lld ms\n", n, maps,
		   pages, tap_now_ms() - t0);
}

/* --- threads of one process: shared writes, a token ring, munmap ------------ */

#define THREADS		4
#define THREAD_ITERS	500000
#define SLOT_WORDS	256
#define RING_ROUNDS	500	/* at most; each turn needs one given CPU */
#define RING_MIN_ROUNDS	10	/* at least, however slow the host */
#define RING_MS		15000	/* the ring stops at a round boundary after this */
#define RING_WORDS	64

static struct {
	uint64_t counter;
	uint32_t slot[THREADS][SLOT_WORDS];	/* each thread writes its own row */
	uint64_t done[THREADS];
	uint32_t token;				/* whose turn in the ring */
	uint32_t rounds;			/* rounds the ring runs: thread 0 may cut it */
	long long ring_deadline;		/* tap_now_ms() */
	uint32_t msg[RING_WORDS];		/* written by the token holder */
	int ring_bad[THREADS];
} tw;

static void *counter_thread(void *arg)
{
	int t = (intptr_t)arg;

	pthread_barrier_wait(&thread_gate);
	for (int i = 0; i < THREAD_ITERS; i++) {
		__atomic_fetch_add(&tw.counter, 1, __ATOMIC_RELAXED);
		tw.slot[t][i % SLOT_WORDS] = (uint32_t)t << 24 | i;
	}
	tw.done[t] = THREAD_ITERS;
	return NULL;
}

/*
 * Thread t takes turns r * THREADS + t: it checks the message the previous
 * holder wrote with plain stores, writes its own and passes the token on.
 * With more vCPUs than host cores a turn can wait for the host to run one
 * given vCPU, so the ring is bounded in time too: past RING_MS, thread 0
 * ends it at the start of its next turn, when every thread has finished
 * the round before (each then sees tw.rounds and stops).
 */
static void *ring_thread(void *arg)
{
	int t = (intptr_t)arg;

	pthread_barrier_wait(&thread_gate);
	for (uint32_t r = 0;; r++) {
		uint32_t turn = r * THREADS + t;

		for (;;) {
			if (r >= __atomic_load_n(&tw.rounds, __ATOMIC_ACQUIRE))
				return NULL;
			if (__atomic_load_n(&tw.token, __ATOMIC_ACQUIRE) == turn)
				break;
			sched_yield();
		}
		if (t == 0 && r >= RING_MIN_ROUNDS && tap_now_ms() > tw.ring_deadline) {
			__atomic_store_n(&tw.rounds, r, __ATOMIC_RELEASE);	/* round r never starts */
			return NULL;
		}
		for (int i = 0; i < RING_WORDS && turn; i++)
			tw.ring_bad[t] += tw.msg[i] != ((turn - 1) ^ (i * 0x01010101u));
		for (int i = 0; i < RING_WORDS; i++)
			tw.msg[i] = turn ^ (i * 0x01010101u);
		__atomic_store_n(&tw.token, turn + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void threads_share_writes(void)
{
	long long t0 = tap_now_ms();
	int last_bad = 0, ring_bad = 0;

	REQUIRE(pthread_barrier_init(&thread_gate, NULL, THREADS) == 0);
	REQUIRE(run_threads(THREADS, counter_thread) == 0);
	CHECK_EQ(tw.counter, (uint64_t)THREADS * THREAD_ITERS);
	for (int t = 0; t < THREADS; t++) {
		CHECK_EQ(tw.done[t], THREAD_ITERS);
		/* word j was last written by the last iteration i with i % SLOT_WORDS == j */
		for (int j = 0; j < SLOT_WORDS; j++) {
			uint32_t i = (THREAD_ITERS - 1 - j) / SLOT_WORDS * SLOT_WORDS + j;
			last_bad += tw.slot[t][j] != ((uint32_t)t << 24 | i);
		}
	}
	CHECK_EQ(last_bad, 0);

	tw.rounds = RING_ROUNDS;
	tw.ring_deadline = tap_now_ms() + RING_MS;
	REQUIRE(run_threads(THREADS, ring_thread) == 0);
	CHECK(tw.rounds >= RING_MIN_ROUNDS && tw.rounds <= RING_ROUNDS);
	CHECK_EQ(tw.token, THREADS * tw.rounds);
	for (int t = 0; t < THREADS; t++)
		ring_bad += tw.ring_bad[t];
	CHECK_EQ(ring_bad, 0);
	pthread_barrier_destroy(&thread_gate);
	tap_printf("# threads_share_writes: %d threads, counter %llu, %d stale slot words, %u ring turns, %d bad messages, %lld ms\n",
		   THREADS, (unsigned long long)tw.counter, last_bad, tw.token, ring_bad,
		   tap_now_ms() - t0);
}

#define UNMAP_ROUNDS	100
#define UNMAP_PAGES	4

/* The reader thread spins on a page the main thread unmaps under it. */
static struct {
	volatile uint32_t *page;	/* current region, published by main */
	int round;			/* main: round r is mapped */
	int seen;			/* reader: it has read round r */
	int unmapped;			/* main: round r is gone */
	int faulted;			/* reader: round r faulted */
	int reads_ok, faults, addr_ok, stale;
	void *fault_addr;
	pid_t reader_tid;
	sigjmp_buf env;
} um;

static void unmap_segv(int sig, siginfo_t *si, void *uc)
{
	if (gettid() != um.reader_tid)
		_exit(7); /* only the reader may fault */
	um.fault_addr = si->si_addr;
	siglongjmp(um.env, 1);
}

static void wait_for(int *flag, int value)
{
	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) != value)
		sched_yield();
}

static void *unmap_reader(void *arg)
{
	um.reader_tid = gettid();
	for (int r = 1; r <= UNMAP_ROUNDS; r++) {
		wait_for(&um.round, r);
		volatile uint32_t *p = um.page;
		for (int i = 0; i < UNMAP_PAGES; i++) /* in this CPU's TLB now */
			um.reads_ok += p[i * PAGE / 4] == (uint32_t)r;
		__atomic_store_n(&um.seen, r, __ATOMIC_RELEASE);
		if (sigsetjmp(um.env, 1) == 0) {
			/* keep touching it; once munmap has returned, no access may succeed */
			for (unsigned long k = 0;; k++) {
				int gone = __atomic_load_n(&um.unmapped, __ATOMIC_ACQUIRE) == r;
				if (r & 1)
					(void)p[(k % UNMAP_PAGES) * PAGE / 4];
				else
					p[(k % UNMAP_PAGES) * PAGE / 4] = k;
				if (gone && ++um.stale > 1000)
					break; /* a stale TLB entry: give up, the check fails */
				if (k % 64 == 63)
					sched_yield();
			}
		} else {
			um.faults++;
			uintptr_t a = (uintptr_t)um.fault_addr, base = (uintptr_t)p;
			um.addr_ok += a >= base && a < base + UNMAP_PAGES * PAGE;
		}
		__atomic_store_n(&um.faulted, r, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void threads_see_munmap(void)
{
	struct sigaction sa = { .sa_sigaction = unmap_segv, .sa_flags = SA_SIGINFO };
	pthread_t reader;
	long long t0 = tap_now_ms();

	REQUIRE(sigaction(SIGSEGV, &sa, NULL) == 0);
	REQUIRE(pthread_create(&reader, NULL, unmap_reader, NULL) == 0);
	for (int r = 1; r <= UNMAP_ROUNDS; r++) {
		uint32_t *p = mmap(NULL, UNMAP_PAGES * PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		REQUIRE(p != MAP_FAILED);
		for (int i = 0; i < UNMAP_PAGES; i++)
			p[i * PAGE / 4] = r;
		um.page = p;
		__atomic_store_n(&um.round, r, __ATOMIC_RELEASE);
		wait_for(&um.seen, r);
		tap_msleep(1); /* let the reader spin on it for a while */
		REQUIRE(munmap(p, UNMAP_PAGES * PAGE) == 0);
		__atomic_store_n(&um.unmapped, r, __ATOMIC_RELEASE);
		wait_for(&um.faulted, r);
	}
	CHECK_EQ(pthread_join(reader, NULL), 0);
	CHECK_EQ(um.reads_ok, UNMAP_ROUNDS * UNMAP_PAGES);
	CHECK_EQ(um.faults, UNMAP_ROUNDS);
	CHECK_EQ(um.addr_ok, UNMAP_ROUNDS);
	CHECK_EQ(um.stale, 0);
	tap_printf("# threads_see_munmap: %d rounds, %d reads before, %d faults after (%d at the right address), %d stale accesses, %lld ms\n",
		   UNMAP_ROUNDS, um.reads_ok, um.faults, um.addr_ok, um.stale, tap_now_ms() - t0);
}

/* --- threads x processes: mutexes and fork inside threaded processes ------- */

#define TP_PROCS	3
#define TP_ITERS	20000	/* mutex-protected increments per thread */
#define TP_FORKS	10	/* children forked and reaped per thread */

struct tp_result {
	uint64_t counter;
	int forks_ok;
};
static struct tp_result *tp_res;
static int tp_worker_index;
static pthread_mutex_t tp_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t tp_counter;	/* private to each worker process */

static void *tp_thread(void *arg)
{
	int t = (intptr_t)arg, st;
	struct tp_result *r = &tp_res[tp_worker_index];

	pthread_barrier_wait(&thread_gate);
	for (int i = 0; i < TP_ITERS; i++) {
		pthread_mutex_lock(&tp_lock);
		tp_counter++;
		pthread_mutex_unlock(&tp_lock);
	}
	/* fork from a thread while the others run: the child has one thread */
	for (int f = 0; f < TP_FORKS; f++) {
		int code = 1 + t * TP_FORKS + f;
		pid_t pid = fork();
		if (pid == 0)
			_exit(code);
		if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		    WEXITSTATUS(st) == code)
			__atomic_fetch_add(&r->forks_ok, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int tp_worker(int w, void *arg)
{
	tp_worker_index = w;
	if (pthread_barrier_init(&thread_gate, NULL, THREADS) != 0)
		return 2;
	if (run_threads(THREADS, tp_thread) != 0)
		return 3;
	tp_res[w].counter = tp_counter;
	return 0;
}

static void threads_in_processes(void)
{
	pid_t pids[TP_PROCS];
	uint64_t total = 0;
	int forks = 0;
	long long t0 = tap_now_ms();

	REQUIRE((tp_res = shared_alloc(sizeof(*tp_res) * TP_PROCS)) != NULL);
	int n = spawn_workers(TP_PROCS, pids, tp_worker, NULL);
	CHECK_EQ(reap_workers(n, pids, "threaded"), TP_PROCS);
	for (int w = 0; w < n; w++) {
		CHECK_EQ(tp_res[w].counter, (uint64_t)THREADS * TP_ITERS);
		CHECK_EQ(tp_res[w].forks_ok, THREADS * TP_FORKS);
		total += tp_res[w].counter;
		forks += tp_res[w].forks_ok;
	}
	tap_printf("# threads_in_processes: %d processes x %d threads, mutex counters %llu, %d forks from threads reaped right, %lld ms\n",
		   n, THREADS, (unsigned long long)total, forks, tap_now_ms() - t0);
}

/* --- files: create, check, unlink in one directory ------------------------- */

#define FILE_PROCS	4
#define FILE_ROUNDS	100
#define FILE_BATCH	4
#define FILE_MAX	12000
#define FILE_DIR	"stress"

struct file_result {
	int created, verified, unlinked, errors;
	int listings, names_seen, bad_names;	/* the lister's */
	int err_line, err_errno;	/* where the first failed round stopped */
};
static struct file_shared {
	struct file_result r[FILE_PROCS + 1];	/* the last is the lister's */
	int done;				/* writers finished */
} *files;

static uint32_t file_stream(int w, int round, int b)
{
	return (w * 1000 + round) * 16 + b;
}

static void file_name(char *buf, size_t size, int w, int round, int b)
{
	snprintf(buf, size, FILE_DIR "/w%d-r%d-b%d", w, round, b);
}

/* Write, read back and unlink FILE_BATCH files: 0, or the line that failed. */
static int file_worker_round(struct file_result *r, int w, int round, uint64_t *seed)
{
	static uint8_t buf[FILE_MAX], back[FILE_MAX + 1];
	size_t len[FILE_BATCH];
	char name[64];
	struct stat sb;

	for (int b = 0; b < FILE_BATCH; b++) {
		file_name(name, sizeof(name), w, round, b);
		len[b] = 1 + rng_next(seed) % FILE_MAX;
		for (size_t j = 0; j < len[b]; j++)
			buf[j] = pattern_byte(file_stream(w, round, b), j);
		int fd = open(name, O_CREAT | O_EXCL | O_WRONLY, 0600);
		if (fd < 0)
			return __LINE__;
		r->created++;
		ssize_t n = write(fd, buf, len[b]);
		if (close(fd) != 0 || n != (ssize_t)len[b])
			return __LINE__;
	}
	for (int b = 0; b < FILE_BATCH; b++) {
		file_name(name, sizeof(name), w, round, b);
		if (stat(name, &sb) != 0 || sb.st_size != (off_t)len[b])
			return __LINE__;
		if (tap_read_file(name, (char *)back, sizeof(back)) != (ssize_t)len[b])
			return __LINE__;
		size_t j = 0;
		while (j < len[b] && back[j] == pattern_byte(file_stream(w, round, b), j))
			j++;
		if (j != len[b])
			return __LINE__;
		r->verified++;
	}
	for (int b = 0; b < FILE_BATCH; b++) {
		file_name(name, sizeof(name), w, round, b);
		if (unlink(name) != 0 || (stat(name, &sb) == 0 || errno != ENOENT))
			return __LINE__;
		r->unlinked++;
	}
	return 0;
}

/* Workers 0..FILE_PROCS-1 make files; the last one lists the directory. */
static int file_worker(int w, void *arg)
{
	struct file_result *r = &files->r[w];
	uint64_t seed = 4242 + w;
	int a, b, c, n;
	char tail;

	if (w < FILE_PROCS) {
		for (int round = 0; round < FILE_ROUNDS; round++) {
			/* half-way, wait for the lister to have run (one CPU may not let it) */
			while (round == FILE_ROUNDS / 2 &&
			       !__atomic_load_n(&files->r[FILE_PROCS].listings, __ATOMIC_ACQUIRE))
				sched_yield();
			int line = file_worker_round(r, w, round, &seed);
			if (line && !r->errors++) {
				r->err_line = line;
				r->err_errno = errno;
			}
		}
		__atomic_fetch_add(&files->done, 1, __ATOMIC_SEQ_CST);
		return 0;
	}
	/* every name seen while the others work must be one of theirs */
	do {
		DIR *d = opendir(FILE_DIR);
		struct dirent *de;
		if (!d)
			return 2;
		while ((de = readdir(d)) != NULL) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			n = sscanf(de->d_name, "w%d-r%d-b%d%c", &a, &b, &c, &tail);
			r->bad_names += n != 3 || a < 0 || a >= FILE_PROCS || b < 0 ||
					b >= FILE_ROUNDS || c < 0 || c >= FILE_BATCH;
			r->names_seen++;
		}
		closedir(d);
		__atomic_fetch_add(&r->listings, 1, __ATOMIC_RELEASE);
		tap_msleep(2);
	} while (__atomic_load_n(&files->done, __ATOMIC_SEQ_CST) < FILE_PROCS);
	return 0;
}

static void files_one_dir(void)
{
	pid_t pids[FILE_PROCS + 1];
	int created = 0, verified = 0, unlinked = 0, left = 0;
	long long t0 = tap_now_ms();
	struct file_result *lister;
	struct dirent *de;

	REQUIRE(mkdir(FILE_DIR, 0755) == 0);
	REQUIRE((files = shared_alloc(sizeof(*files))) != NULL);
	int n = spawn_workers(FILE_PROCS + 1, pids, file_worker, NULL);
	CHECK_EQ(reap_workers(n, pids, "file"), FILE_PROCS + 1);
	for (int w = 0; w < FILE_PROCS; w++) {
		struct file_result *r = &files->r[w];
		if (r->errors)
			tap_printf("# file worker %d: %d failed rounds, the first at line %d (errno %d: %s)\n",
				   w, r->errors, r->err_line, r->err_errno, strerror(r->err_errno));
		CHECK_EQ(r->errors, 0);
		CHECK_EQ(r->created, FILE_ROUNDS * FILE_BATCH);
		CHECK_EQ(r->verified, FILE_ROUNDS * FILE_BATCH);
		CHECK_EQ(r->unlinked, FILE_ROUNDS * FILE_BATCH);
		created += r->created;
		verified += r->verified;
		unlinked += r->unlinked;
	}
	lister = &files->r[FILE_PROCS];
	CHECK(lister->listings > 0);
	CHECK_EQ(lister->bad_names, 0);
	DIR *d = opendir(FILE_DIR);
	REQUIRE(d != NULL);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			if (left++ < 5)
				tap_printf("# left behind: %s\n", de->d_name);
		}
	closedir(d);
	CHECK_EQ(left, 0);
	CHECK_EQ(rmdir(FILE_DIR), 0);
	tap_printf("# files_one_dir: %d processes, %d created, %d verified, %d unlinked, %d left, %d listings saw %d names, %lld ms\n",
		   FILE_PROCS, created, verified, unlinked, left, lister->listings,
		   lister->names_seen, tap_now_ms() - t0);
}

/* --- futex: ping-pong, a barrier, a pthread mutex --------------------------- */

#define PINGPONG_ROUNDS	20000
#define BARRIER_ROUNDS	2000
#define MUTEX_ITERS	200000

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

/* Sleep on @word until it holds @want; count the FUTEX_WAITs that slept. */
static void futex_wait_for(uint32_t *word, uint32_t want, int *slept)
{
	uint32_t v;

	while ((v = __atomic_load_n(word, __ATOMIC_ACQUIRE)) != want)
		if (futex(word, FUTEX_WAIT_PRIVATE, v, NULL) == 0)
			(*slept)++;
}

static struct {
	uint32_t word;			/* ping-pong: 2i ping's turn, 2i+1 pong's */
	int rounds[2], slept[2], overwoken[2];
	uint32_t arrived, generation;	/* barrier */
	int passed[THREADS];
	int barrier_bad[THREADS];
	pthread_mutex_t lock;
	uint64_t locked_counter;	/* plain ++ under the mutex */
} fx;

static void *pingpong_thread(void *arg)
{
	int side = (intptr_t)arg; /* 0 ping, 1 pong */

	for (uint32_t i = 0; i < PINGPONG_ROUNDS; i++) {
		futex_wait_for(&fx.word, 2 * i + side, &fx.slept[side]);
		__atomic_store_n(&fx.word, 2 * i + side + 1, __ATOMIC_RELEASE);
		long woken = futex(&fx.word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
		fx.overwoken[side] += woken < 0 || woken > 1; /* only the other side sleeps here */
		fx.rounds[side]++;
	}
	return NULL;
}

/* A barrier built on one futex word: the last to arrive bumps the generation. */
static void *barrier_thread(void *arg)
{
	int t = (intptr_t)arg, dummy = 0;

	for (uint32_t r = 0; r < BARRIER_ROUNDS; r++) {
		if (__atomic_add_fetch(&fx.arrived, 1, __ATOMIC_ACQ_REL) == (r + 1) * THREADS) {
			__atomic_store_n(&fx.generation, r + 1, __ATOMIC_RELEASE);
			futex(&fx.generation, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
		} else {
			futex_wait_for(&fx.generation, r + 1, &dummy);
		}
		/* everyone of this round has arrived, nobody of the next one yet could */
		uint32_t a = __atomic_load_n(&fx.arrived, __ATOMIC_ACQUIRE);
		fx.barrier_bad[t] += a < (r + 1) * THREADS || a > (r + 2) * THREADS;
		fx.passed[t]++;
	}
	return NULL;
}

static void *mutex_thread(void *arg)
{
	pthread_barrier_wait(&thread_gate);
	for (int i = 0; i < MUTEX_ITERS; i++) {
		pthread_mutex_lock(&fx.lock);
		fx.locked_counter++;
		pthread_mutex_unlock(&fx.lock);
	}
	return NULL;
}

static void futex_pingpong(void)
{
	uint32_t word = 5;
	struct timespec ts = { 0, 10 * 1000000 };
	long long t0 = tap_now_ms();
	int passed = 0;

	/* the basics first: a changed value and a timeout */
	CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL), EAGAIN);
	CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 5, &ts), ETIMEDOUT);
	CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL), 0);

	REQUIRE(run_threads(2, pingpong_thread) == 0);
	CHECK_EQ(fx.rounds[0], PINGPONG_ROUNDS);
	CHECK_EQ(fx.rounds[1], PINGPONG_ROUNDS);
	CHECK_EQ(fx.word, 2 * PINGPONG_ROUNDS);
	CHECK_EQ(fx.overwoken[0] + fx.overwoken[1], 0);

	REQUIRE(run_threads(THREADS, barrier_thread) == 0);
	CHECK_EQ(fx.arrived, THREADS * BARRIER_ROUNDS);
	CHECK_EQ(fx.generation, BARRIER_ROUNDS);
	for (int t = 0; t < THREADS; t++) {
		CHECK_EQ(fx.barrier_bad[t], 0);
		passed += fx.passed[t];
	}
	CHECK_EQ(passed, THREADS * BARRIER_ROUNDS);

	REQUIRE(pthread_mutex_init(&fx.lock, NULL) == 0);
	REQUIRE(pthread_barrier_init(&thread_gate, NULL, THREADS) == 0);
	REQUIRE(run_threads(THREADS, mutex_thread) == 0);
	CHECK_EQ(fx.locked_counter, (uint64_t)THREADS * MUTEX_ITERS);
	pthread_barrier_destroy(&thread_gate);
	tap_printf("# futex_pingpong: %d+%d rounds (slept %d+%d), barrier %d passes, mutex counter %llu, %lld ms\n",
		   fx.rounds[0], fx.rounds[1], fx.slept[0], fx.slept[1], passed,
		   (unsigned long long)fx.locked_counter, tap_now_ms() - t0);
}

int main(int argc, char **argv)
{
	tap_init("stress", argv[0], 1);
	RUN(fork_storm);
	RUN(pipe_streams);
	RUN(pipe_atomic_records);
	RUN(shared_counters);
	RUN(mmap_churn);
	RUN(threads_share_writes);
	RUN(threads_see_munmap);
	RUN(threads_in_processes);
	RUN(files_one_dir);
	RUN(futex_pingpong);
	return tap_done();
}
