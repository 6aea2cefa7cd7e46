/*
 * Host tests for the module resource tracker (kernel/module/resource.c):
 * a resource is recorded against the fake module whose memory its owner
 * address lies in, and against nothing outside every module; untrack
 * removes exactly one (type, key, arg) record; releasing a module calls
 * each leftover's release once, newest first, with one warning line each,
 * optionally of one type only, and leaves other modules' records alone,
 * even when a release untracks itself the way free_irq does. Out of memory
 * is reported, not hidden. Allocation is counted and ASan checks frees.
 */
#define CONFIG_MODULES 1

#include "lib/printf.c"
#include "kernel/module/resource.c"
#include "tests/host/test.h"

/* --- the kernel around resource.c ------------------------------------------------ */

LIST_HEAD(modules);

/* As in kernel/module/core.c. */
struct module *module_of_addr(uintptr_t addr)
{
	struct module *m;

	list_for_each_entry(m, &modules, node)
		if (addr >= (uintptr_t)m->base && addr < (uintptr_t)m->base + m->size)
			return m;
	return NULL;
}

static int allocs_live;		/* kmalloc'd and not yet freed */
static int fail_allocs;		/* the next this many allocations fail */

void *kmalloc(size_t size)
{
	void *p;

	if (fail_allocs > 0) {
		fail_allocs--;
		return NULL;
	}
	p = malloc(size);
	if (p)
		allocs_live++;
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *ptr)
{
	if (ptr)
		allocs_live--;
	free(ptr);
}

/* printk lines, level prefix stripped; every line must be a warning here. */
static char log_buf[4096];
static size_t log_len;
static int log_lines, log_not_warning;

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (fmt[0] == '\001' && fmt[1]) {
		if (fmt[1] != '4')
			log_not_warning++;
		fmt += 2;
	} else {
		log_not_warning++;
	}
	va_start(ap, fmt);
	n = vsnprintf(log_buf + log_len, sizeof(log_buf) - log_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		log_len += (size_t)n < sizeof(log_buf) - log_len ? (size_t)n
								  : sizeof(log_buf) - log_len - 1;
	log_lines++;
	return n;
}

static int corruptions;

void list_corruption(const char *what, void *entry)
{
	printf("# list_corruption: %s\n", what);
	corruptions++;
}

/* --- fake modules and release callbacks ------------------------------------------ */

static char mem_a[512], mem_b[256], not_a_module[64];
static struct module mod_a, mod_b;

/* Each release call, in order: which callback, with what key and arg. */
struct call {
	char cb;		/* 'p' plain, 'u' untracks itself, 's' untracks a sibling */
	const void *key;
	uintptr_t arg;
};
static struct call calls[32];
static int ncalls;

static void log_call(char cb, const void *key, uintptr_t arg)
{
	if (ncalls < (int)ARRAY_SIZE(calls))
		calls[ncalls] = (struct call){ cb, key, arg };
	ncalls++;
}

static void release_plain(const void *key, uintptr_t arg)
{
	log_call('p', key, arg);
}

/* Like free_irq() through release_irq(): the driver API forgets its own record. */
static void release_untrack_irq(const void *key, uintptr_t arg)
{
	log_call('u', key, arg);
	module_untrack(MRES_IRQ, key, arg);
}

static void release_untrack_ioremap(const void *key, uintptr_t arg)
{
	log_call('u', key, arg);
	module_untrack(MRES_IOREMAP, key, arg);
}

/* Like a PCI driver's remove freeing the IRQ it requested (key 5, arg @arg). */
static void release_untrack_sibling(const void *key, uintptr_t arg)
{
	log_call('s', key, arg);
	module_untrack(MRES_IRQ, (const void *)5, arg);
}

#define KEY(n)	((const void *)(uintptr_t)(n))

/* Drop whatever a failed test left behind, without calling anything. */
static void drop_records(struct module *m)
{
	struct list_head *p, *next;

	if (!m->resources.next)
		return;
	for (p = m->resources.next; p != &m->resources; p = next) {
		next = p->next;
		kfree(list_entry(p, struct module_resource, node));
	}
}

/* Two loaded modules, A and B, with nothing recorded and an empty log. */
static void setup(void)
{
	drop_records(&mod_a);
	drop_records(&mod_b);
	memset(&mod_a, 0, sizeof(mod_a));
	memset(&mod_b, 0, sizeof(mod_b));
	strcpy(mod_a.name, "A");
	mod_a.base = mem_a;
	mod_a.size = sizeof(mem_a);
	strcpy(mod_b.name, "B");
	mod_b.base = mem_b;
	mod_b.size = sizeof(mem_b);
	list_init(&modules);
	list_add_tail(&mod_a.node, &modules);
	list_add_tail(&mod_b.node, &modules);
	allocs_live = 0;
	fail_allocs = 0;
	log_len = 0;
	log_buf[0] = '\0';
	log_lines = log_not_warning = 0;
	ncalls = 0;
	corruptions = 0;
}

/* How many records @m holds (a never-used list counts as empty). */
static int nrecords(struct module *m)
{
	struct module_resource *r;
	int n = 0;

	if (!m->resources.next)
		return 0;
	list_for_each_entry(r, &m->resources, node)
		n++;
	return n;
}

/* The @i-th oldest record of @m, or NULL. */
static struct module_resource *record(struct module *m, int i)
{
	struct module_resource *r;

	if (!m->resources.next)
		return NULL;
	list_for_each_entry(r, &m->resources, node)
		if (i-- == 0)
			return r;
	return NULL;
}

static int has_record(struct module *m, int type, const void *key, uintptr_t arg)
{
	struct module_resource *r;

	if (!m->resources.next)
		return 0;
	list_for_each_entry(r, &m->resources, node)
		if (r->type == type && r->key == key && r->arg == arg)
			return 1;
	return 0;
}

static int called(int i, char cb, const void *key, uintptr_t arg)
{
	return i < ncalls && calls[i].cb == cb && calls[i].key == key && calls[i].arg == arg;
}

/* The log is exactly @want (every line a warning). */
static int log_is(const char *want)
{
	if (strcmp(log_buf, want)) {
		printf("# log was:\n%s# wanted:\n%s", log_buf, want);
		return 0;
	}
	return !log_not_warning;
}

/* --- the tests ------------------------------------------------------------------- */

static void test_track_inside_module(void)
{
	struct module_resource *r;

	setup();
	CHECK_EQ(module_track((uintptr_t)&mem_a[100], MRES_IRQ, KEY(11), 0x1234, release_plain,
			      "irq %u (%s) requested", 11, "e1000"), 0);
	CHECK_EQ(nrecords(&mod_a), 1);
	CHECK_EQ(nrecords(&mod_b), 0);
	r = record(&mod_a, 0);
	CHECK(r != NULL);
	if (r) {
		CHECK_EQ(r->type, MRES_IRQ);
		CHECK(r->key == KEY(11));
		CHECK_EQ(r->arg, 0x1234);
		CHECK(r->release == release_plain);
		CHECK(strcmp(r->what, "irq 11 (e1000) requested") == 0);
	}
	/* the first and last byte of a module's memory are its own */
	CHECK_EQ(module_track((uintptr_t)mem_b, MRES_KTHREAD, KEY(1), 0, release_plain, "b0"), 0);
	CHECK_EQ(module_track((uintptr_t)&mem_b[sizeof(mem_b) - 1], MRES_KTHREAD, KEY(2), 0,
			      release_plain, "b1"), 0);
	CHECK_EQ(nrecords(&mod_b), 2);
	CHECK_EQ(nrecords(&mod_a), 1);
	CHECK_EQ(allocs_live, 3);
	CHECK_EQ(log_lines, 0);
	CHECK_EQ(ncalls, 0);		/* tracking never releases */
}

static void test_track_outside_modules(void)
{
	setup();
	CHECK_EQ(module_track((uintptr_t)not_a_module, MRES_IRQ, KEY(3), 0, release_plain,
			      "kernel's"), 0);
	CHECK_EQ(module_track((uintptr_t)&mem_a[sizeof(mem_a)], MRES_IRQ, KEY(4), 0,
			      release_plain, "one past A"), 0);
	CHECK_EQ(module_track(0, MRES_IRQ, KEY(5), 0, release_plain, "null owner"), 0);
	CHECK_EQ(nrecords(&mod_a), 0);
	CHECK_EQ(nrecords(&mod_b), 0);
	CHECK_EQ(allocs_live, 0);
	CHECK_EQ(log_lines, 0);
}

static void test_track_invalid(void)
{
	setup();
	CHECK_EQ(module_track((uintptr_t)mem_a, -1, KEY(1), 0, release_plain, "x"), -EINVAL);
	CHECK_EQ(module_track((uintptr_t)mem_a, MRES_NR_TYPES, KEY(1), 0, release_plain, "x"),
		 -EINVAL);
	CHECK_EQ(module_track((uintptr_t)mem_a, MRES_IRQ, KEY(1), 0, NULL, "x"), -EINVAL);
	CHECK_EQ(nrecords(&mod_a), 0);
	CHECK_EQ(allocs_live, 0);
}

static void test_track_truncates_what(void)
{
	struct module_resource *r;
	char longname[200];

	setup();
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_EQ(module_track((uintptr_t)mem_a, MRES_PROCFS, KEY(1), 0, release_plain,
			      "/proc/%s registered", longname), 0);
	r = record(&mod_a, 0);
	CHECK(r && strlen(r->what) == sizeof(r->what) - 1);
	CHECK(r && strncmp(r->what, "/proc/nnn", 9) == 0);
}

static void test_track_out_of_memory(void)
{
	setup();
	fail_allocs = 1;
	CHECK_EQ(module_track((uintptr_t)mem_a, MRES_IRQ, KEY(11), 0, release_plain,
			      "irq 11 (e1000) requested"), -ENOMEM);
	CHECK_EQ(nrecords(&mod_a), 0);
	CHECK_EQ(allocs_live, 0);
	CHECK_EQ(log_lines, 1);
	CHECK(log_is("module A: cannot record a resource (out of memory)\n"));
	/* memory back: recording works again */
	CHECK_EQ(module_track((uintptr_t)mem_a, MRES_IRQ, KEY(11), 0, release_plain, "irq"), 0);
	CHECK_EQ(nrecords(&mod_a), 1);
}

static void test_untrack_exact_match(void)
{
	setup();
	module_track((uintptr_t)mem_a, MRES_IRQ, KEY(11), 1, release_plain, "r0");
	module_track((uintptr_t)mem_a, MRES_IRQ, KEY(11), 2, release_plain, "r1");
	module_track((uintptr_t)mem_a, MRES_IRQ, KEY(12), 1, release_plain, "r2");
	module_track((uintptr_t)mem_a, MRES_KTHREAD, KEY(11), 1, release_plain, "r3");
	module_track((uintptr_t)mem_b, MRES_IRQ, KEY(11), 3, release_plain, "b0");
	CHECK_EQ(allocs_live, 5);

	module_untrack(MRES_IRQ, KEY(11), 1);
	CHECK_EQ(nrecords(&mod_a), 3);
	CHECK(!has_record(&mod_a, MRES_IRQ, KEY(11), 1));
	CHECK(record(&mod_a, 0) && strcmp(record(&mod_a, 0)->what, "r1") == 0);
	CHECK(record(&mod_a, 1) && strcmp(record(&mod_a, 1)->what, "r2") == 0);
	CHECK(record(&mod_a, 2) && strcmp(record(&mod_a, 2)->what, "r3") == 0);
	CHECK_EQ(nrecords(&mod_b), 1);
	CHECK_EQ(allocs_live, 4);

	/* no such record (or one never made): nothing changes */
	module_untrack(MRES_IRQ, KEY(11), 1);
	module_untrack(MRES_IOREMAP, KEY(11), 2);
	module_untrack(MRES_IRQ, KEY(99), 0);
	CHECK_EQ(nrecords(&mod_a), 3);
	CHECK_EQ(allocs_live, 4);

	/* the record is found in whichever module holds it */
	module_untrack(MRES_IRQ, KEY(11), 3);
	CHECK_EQ(nrecords(&mod_b), 0);
	CHECK_EQ(nrecords(&mod_a), 3);
	CHECK_EQ(allocs_live, 3);
	CHECK_EQ(ncalls, 0);		/* untracking never releases */
	CHECK_EQ(log_lines, 0);
}

static void test_release_all_newest_first(void)
{
	setup();
	module_track((uintptr_t)mem_a, MRES_IRQ, KEY(11), 0x10, release_plain,
		     "irq %u (%s) requested", 11, "e1000");
	module_track((uintptr_t)mem_a, MRES_KTHREAD, KEY(0x20), 0, release_plain,
		     "kthread %s (pid %d)", "e1000-wd", 7);
	module_track((uintptr_t)mem_a, MRES_PROCFS, KEY(0x30), 0, release_plain,
		     "/proc/%s registered", "e1000");
	module_track((uintptr_t)mem_a, MRES_IOREMAP, KEY(0x40), 0, release_plain,
		     "ioremap of %zu bytes at %#lx", (size_t)4096, 0xfebc0000UL);

	CHECK_EQ(module_release_resources(&mod_a, "exit", -1), 4);
	CHECK_EQ(ncalls, 4);
	CHECK(called(0, 'p', KEY(0x40), 0));
	CHECK(called(1, 'p', KEY(0x30), 0));
	CHECK(called(2, 'p', KEY(0x20), 0));
	CHECK(called(3, 'p', KEY(11), 0x10));
	CHECK_EQ(log_lines, 4);
	CHECK(log_is("module A: exit left ioremap of 4096 bytes at 0xfebc0000; unmapped\n"
		     "module A: exit left /proc/e1000 registered; removed\n"
		     "module A: exit left kthread e1000-wd (pid 7); stopped\n"
		     "module A: exit left irq 11 (e1000) requested; freed\n"));
	CHECK_EQ(nrecords(&mod_a), 0);
	CHECK(mod_a.resources.next && list_empty(&mod_a.resources));
	CHECK_EQ(allocs_live, 0);

	/* nothing left: a second release does nothing and says nothing */
	CHECK_EQ(module_release_resources(&mod_a, "exit", -1), 0);
	CHECK_EQ(ncalls, 4);
	CHECK_EQ(log_lines, 4);
}

static void test_release_every_verb(void)
{
	static const char *const verbs[MRES_NR_TYPES] = {
		[MRES_IRQ] = "freed",
		[MRES_KTHREAD] = "stopped",
		[MRES_MISCDEV] = "deregistered",
		[MRES_PROCFS] = "removed",
		[MRES_PCI_DRIVER] = "unregistered",
		[MRES_DMA_COHERENT] = "freed",
		[MRES_IOREMAP] = "unmapped",
		[MRES_VIRTIO_DRIVER] = "unregistered",
		[MRES_IOPORT] = "released",
	};
	char want[1024];
	size_t len = 0;

	setup();
	for (int t = 0; t < MRES_NR_TYPES; t++)
		module_track((uintptr_t)mem_a, t, KEY(t), 0, release_plain, "res%d", t);
	for (int t = MRES_NR_TYPES - 1; t >= 0; t--)
		len += snprintf(want + len, sizeof(want) - len, "module A: init left res%d; %s\n",
				t, verbs[t]);
	CHECK_EQ(module_release_resources(&mod_a, "init", -1), MRES_NR_TYPES);
	CHECK(log_is(want));
	CHECK_EQ(allocs_live, 0);
}

static void test_release_never_used(void)
{
	setup();
	CHECK(mod_a.resources.next == NULL);	/* as a kzalloc'd module starts */
	CHECK_EQ(module_release_resources(&mod_a, "exit", -1), 0);
	CHECK_EQ(module_release_resources(&mod_a, "exit", MRES_IRQ), 0);
	CHECK_EQ(log_lines, 0);
	module_untrack(MRES_IRQ, KEY(1), 0);	/* walks A and B, both never used */
	CHECK_EQ(corruptions, 0);
}

static void test_release_one_type(void)
{
	setup();
	module_track((uintptr_t)mem_a, MRES_IRQ, KEY(10), 0, release_plain, "irq 10");
	module_track((uintptr_t)mem_a, MRES_KTHREAD, KEY(0x20), 0, release_plain, "kthread");
	module_track((uintptr_t)mem_a, MRES_IRQ, KEY(11), 0, release_plain, "irq 11");
	module_track((uintptr_t)mem_a, MRES_DMA_COHERENT, KEY(0x40), 4096, release_plain,
		     "dma");

	CHECK_EQ(module_release_resources(&mod_a, "exit", MRES_IRQ), 2);
	CHECK_EQ(ncalls, 2);
	CHECK(called(0, 'p', KEY(11), 0));
	CHECK(called(1, 'p', KEY(10), 0));
	CHECK(log_is("module A: exit left irq 11; freed\n"
		     "module A: exit left irq 10; freed\n"));
	CHECK_EQ(nrecords(&mod_a), 2);
	CHECK(record(&mod_a, 0) && record(&mod_a, 0)->type == MRES_KTHREAD);
	CHECK(record(&mod_a, 1) && record(&mod_a, 1)->type == MRES_DMA_COHERENT);
	CHECK_EQ(allocs_live, 2);

	/* no IRQs left; a type it has none of */
	CHECK_EQ(module_release_resources(&mod_a, "exit", MRES_IRQ), 0);
	CHECK_EQ(module_release_resources(&mod_a, "exit", MRES_MISCDEV), 0);
	CHECK_EQ(nrecords(&mod_a), 2);

	/* then the rest, as release_leftovers() does */
	CHECK_EQ(module_release_resources(&mod_a, "exit", -1), 2);
	CHECK(called(2, 'p', KEY(0x40), 4096));
	CHECK(called(3, 'p', KEY(0x20), 0));
	CHECK_EQ(ncalls, 4);
	CHECK_EQ(allocs_live, 0);
}

static void test_release_untracks_itself(void)
{
	setup();
	module_track((uintptr_t)mem_a, MRES_IRQ, KEY(10), 0xd0, release_untrack_irq, "irq 10");
	module_track((uintptr_t)mem_a, MRES_IRQ, KEY(11), 0xd1, release_untrack_irq, "irq 11");
	module_track((uintptr_t)mem_a, MRES_IRQ, KEY(11), 0xd2, release_untrack_irq, "irq 11b");

	CHECK_EQ(module_release_resources(&mod_a, "exit", -1), 3);
	CHECK_EQ(ncalls, 3);
	CHECK(called(0, 'u', KEY(11), 0xd2));
	CHECK(called(1, 'u', KEY(11), 0xd1));
	CHECK(called(2, 'u', KEY(10), 0xd0));
	CHECK_EQ(log_lines, 3);
	CHECK_EQ(nrecords(&mod_a), 0);
	CHECK_EQ(allocs_live, 0);	/* each record freed exactly once (ASan: no double) */
	CHECK_EQ(corruptions, 0);
}

static void test_release_untracks_sibling(void)
{
	setup();
	module_track((uintptr_t)mem_a, MRES_IRQ, KEY(5), 0xd0, release_plain, "irq 5");
	module_track((uintptr_t)mem_a, MRES_PCI_DRIVER, KEY(0x50), 0xd0,
		     release_untrack_sibling, "PCI driver e1000");
	module_track((uintptr_t)mem_a, MRES_KTHREAD, KEY(0x60), 0, release_plain, "kthread");

	/* the driver's remove frees its IRQ: no warning for it, no second release */
	CHECK_EQ(module_release_resources(&mod_a, "exit", -1), 2);
	CHECK_EQ(ncalls, 2);
	CHECK(called(0, 'p', KEY(0x60), 0));
	CHECK(called(1, 's', KEY(0x50), 0xd0));
	CHECK(log_is("module A: exit left kthread; stopped\n"
		     "module A: exit left PCI driver e1000; unregistered\n"));
	CHECK_EQ(nrecords(&mod_a), 0);
	CHECK_EQ(allocs_live, 0);
	CHECK_EQ(corruptions, 0);
}

static void test_release_leaves_other_module(void)
{
	setup();
	module_track((uintptr_t)mem_b, MRES_IRQ, KEY(9), 0xb0, release_untrack_irq, "b irq");
	module_track((uintptr_t)mem_a, MRES_IRQ, KEY(10), 0xa0, release_untrack_irq, "a irq");
	module_track((uintptr_t)mem_b, MRES_PROCFS, KEY(0x70), 0, release_plain, "b proc");
	module_track((uintptr_t)mem_a, MRES_PROCFS, KEY(0x80), 0, release_plain, "a proc");

	CHECK_EQ(module_release_resources(&mod_a, "exit", -1), 2);
	CHECK_EQ(ncalls, 2);
	CHECK(called(0, 'p', KEY(0x80), 0));
	CHECK(called(1, 'u', KEY(10), 0xa0));
	CHECK(log_is("module A: exit left a proc; removed\n"
		     "module A: exit left a irq; freed\n"));
	CHECK_EQ(nrecords(&mod_a), 0);
	CHECK_EQ(nrecords(&mod_b), 2);
	CHECK(record(&mod_b, 0) && strcmp(record(&mod_b, 0)->what, "b irq") == 0);
	CHECK(record(&mod_b, 1) && strcmp(record(&mod_b, 1)->what, "b proc") == 0);
	CHECK_EQ(allocs_live, 2);

	CHECK_EQ(module_release_resources(&mod_b, "exit", -1), 2);
	CHECK_EQ(ncalls, 4);
	CHECK_EQ(allocs_live, 0);
}

/*
 * The same (type, key, arg) recorded twice by one module, e.g. ioremap()
 * of one register block twice: both are left over, so both are released
 * and both named. The first release's untrack must not take the second.
 */
static void test_release_duplicate_key(void)
{
	setup();
	module_track((uintptr_t)mem_a, MRES_IOREMAP, KEY(0x9000), 0, release_untrack_ioremap,
		     "ioremap first");
	module_track((uintptr_t)mem_a, MRES_IOREMAP, KEY(0x9000), 0, release_untrack_ioremap,
		     "ioremap second");

	CHECK_EQ(module_release_resources(&mod_a, "exit", -1), 2);
	CHECK_EQ(ncalls, 2);
	CHECK(log_is("module A: exit left ioremap second; unmapped\n"
		     "module A: exit left ioremap first; unmapped\n"));
	CHECK_EQ(nrecords(&mod_a), 0);
	CHECK_EQ(allocs_live, 0);
}

/*
 * Two modules map the same device memory (the direct map gives both the
 * same address). Releasing A's leftover must not erase B's record.
 */
static void test_release_same_key_other_module(void)
{
	setup();
	module_track((uintptr_t)mem_b, MRES_IOREMAP, KEY(0x9000), 0, release_untrack_ioremap,
		     "ioremap by B");
	module_track((uintptr_t)mem_a, MRES_IOREMAP, KEY(0x9000), 0, release_untrack_ioremap,
		     "ioremap by A");

	CHECK_EQ(module_release_resources(&mod_a, "exit", -1), 1);
	CHECK_EQ(ncalls, 1);
	CHECK_EQ(nrecords(&mod_b), 1);
	CHECK(has_record(&mod_b, MRES_IOREMAP, KEY(0x9000), 0));
	CHECK_EQ(allocs_live, 1);
}

int main(void)
{
	test_suite = "modresource";
	RUN(test_track_inside_module);
	RUN(test_track_outside_modules);
	RUN(test_track_invalid);
	RUN(test_track_truncates_what);
	RUN(test_track_out_of_memory);
	RUN(test_untrack_exact_match);
	RUN(test_release_all_newest_first);
	RUN(test_release_every_verb);
	RUN(test_release_never_used);
	RUN(test_release_one_type);
	RUN(test_release_untracks_itself);
	RUN(test_release_untracks_sibling);
	RUN(test_release_leaves_other_module);
	RUN(test_release_duplicate_key);
	RUN(test_release_same_key_other_module);
	setup();			/* frees what the last test left */
	TEST_EXIT();
}
