/*
 * Minimal host unit-test harness. Each tests/host/test_*.c is one program
 * that #includes the kernel source it tests and uses these macros. Output is
 * one line per test, "ok - host/<suite>/<name>" or "not ok - ...", which the
 * runner (scripts/run-tests) counts. Exit status is non-zero if any failed.
 */
#ifndef BASALT_HOST_TEST_H
#define BASALT_HOST_TEST_H

#include <stdio.h>
#include <stdlib.h>

static int test_failed_count;
static int test_cur_failed;
static const char *test_suite = "unnamed";

/* Check a condition inside a TEST; on failure print where and mark it. */
#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("# %s:%d: CHECK(%s) failed\n", __FILE__,    \
			       __LINE__, #cond);                           \
			test_cur_failed = 1;                               \
		}                                                          \
	} while (0)

#define CHECK_EQ(a, b)                                                     \
	do {                                                               \
		long long _a = (long long)(a), _b = (long long)(b);        \
		if (_a != _b) {                                            \
			printf("# %s:%d: %s == %s failed: %lld != %lld\n",  \
			       __FILE__, __LINE__, #a, #b, _a, _b);        \
			test_cur_failed = 1;                               \
		}                                                          \
	} while (0)

/* Run one test function and report it. */
#define RUN(fn)                                                            \
	do {                                                               \
		test_cur_failed = 0;                                       \
		fn();                                                      \
		printf("%sok - host/%s/%s\n", test_cur_failed ? "not " : "", \
		       test_suite, #fn);                                   \
		test_failed_count += test_cur_failed;                      \
	} while (0)

#define TEST_EXIT() return test_failed_count ? 1 : 0

#endif
