/*
 * Pinning and checking the placement of /bin/syscall-lat's two-process
 * round trips (place.h). The same calls mean the same on Linux and on
 * Basalt: sched_setaffinity with a one-CPU mask moves the caller before
 * it returns, and getcpu says where the caller runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>

#include "place.h"

const struct placement placements[] = {
	{ "-", -1, -1 },
	{ "same-cpu", 0, 0 },
	{ "two-cpus", 0, 1 },
};
const int nplacements = sizeof(placements) / sizeof(placements[0]);

static cpu_set_t start_set;

void place_save(void)
{
	if (sched_getaffinity(0, sizeof(start_set), &start_set) < 0)
		CPU_ZERO(&start_set);
}

void place_restore(void)
{
	if (CPU_COUNT(&start_set))
		sched_setaffinity(0, sizeof(start_set), &start_set);
}

int place_possible(const struct placement *pl)
{
	return (pl->client_cpu < 0 || CPU_ISSET(pl->client_cpu, &start_set)) &&
	       (pl->server_cpu < 0 || CPU_ISSET(pl->server_cpu, &start_set));
}

const struct placement *place_find(const char *label)
{
	for (int i = 0; i < nplacements; i++)
		if (!strcmp(placements[i].label, label))
			return &placements[i];
	return NULL;
}

int place_here(void)
{
	int cpu = sched_getcpu();

	return cpu < 0 ? -1 : cpu;
}

int place_pin(int cpu, struct place_report *r)
{
	cpu_set_t set;

	r->want = cpu;
	r->after = -1;
	r->err = 0;
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			r->err = errno;
			r->before = -1;
			return -r->err;
		}
	}
	r->before = place_here();
	return 0;
}

const char *place_check(const struct place_report *r)
{
	if (r->err)
		return "setaffinity-failed";
	if (r->want < 0)
		return NULL;
	if (r->before < 0 || r->after < 0)
		return "no-getcpu";
	if (r->before != r->want || r->after != r->want)
		return "misplaced";
	return NULL;
}

struct place_report *place_shared(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0xff, 4096);		/* every field -1 until written */
	return p;
}
