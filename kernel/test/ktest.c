/*
 * The in-kernel test runner (see kernel/ktest.h). Tests are collected by
 * the linker into .ktest. ktest=all runs every test, ktest=a,b selected
 * ones; ktest.crash=NAME instead fires one deliberate fault to prove the
 * panic path (the QEMU runner checks the dump).
 */
#include "kernel/ktest.h"
#include "lib/string.h"

extern const struct ktest __ktest_start[], __ktest_end[];
static const char *selection;

static int set_ktest(const char *v)
{
	if (!v || !*v)
		return -EINVAL;
	selection = v;
	return 0;
}
CMDLINE_OPTION("ktest", set_ktest);

/* Is @name in the comma-separated selection? */
static bool selected(const char *name)
{
	size_t n = strlen(name);
	const char *p = selection;

	if (!strcmp(selection, "all"))
		return true;
	while (p && *p) {
		if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

void ktest_run(void)
{
	unsigned int passed = 0, failed = 0;

	ktest_crash_run();
	if (!selection)
		return;
	printk("ktest: running in-kernel tests (%s)\n", selection);
	for (const struct ktest *t = __ktest_start; t < __ktest_end; t++) {
		int r;

		if (!selected(t->name))
			continue;
		r = t->fn();
		printk("%sok - kernel/%s\n", r ? "not " : "", t->name);
		if (r)
			failed++;
		else
			passed++;
	}
	printk("ktest: %u passed, %u failed\n", passed, failed);
	qemu_exit(failed ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
}
