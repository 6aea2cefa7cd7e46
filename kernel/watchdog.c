/*
 * The integrity watchdog: a SHA-512 of the kernel's text and read-only
 * data taken at boot, and of each module's text when it loads, is checked
 * again every CONFIG period by a kernel thread and at every panic; a
 * difference is a panic naming the region ("text" or "module-text"). The
 * same thread repeats the W^X scan of all kernel mappings ("wx"). Like
 * PatchGuard, but with a readable report: a CRC-32 of every 64-byte block
 * of the kernel's regions, also taken at boot, says where the change is
 * (page, symbol and offset of the first changed block).
 */
#define pr_fmt(fmt) "watchdog: " fmt

#include <asm/pgtable.h>
#include "fs/vfs.h"
#include "kernel/kernel.h"
#include "kernel/module.h"
#include "kernel/sched.h"
#include "lib/crc32.h"
#include "lib/printf.h"
#include "lib/sha512.h"
#include "lib/string.h"
#include "mm/mm.h"

extern char _text[], _etext[], _rodata[], _erodata[];

#define BLOCK_SIZE	64

struct region {
	const char *name;
	const void *start;
	size_t len;
	uint8_t hash[SHA512_DIGEST_SIZE];
	uint32_t *block_crc;	/* one per BLOCK_SIZE bytes, NULL if there was no memory */
};

static struct region regions[] = {
	{ .name = ".text", .start = _text },
	{ .name = ".rodata", .start = _rodata },
};
static bool armed;
static unsigned int period_ms = 2000;
static uint64_t checks;

static int set_period(const char *v)
{
	char *end;
	unsigned long long ms = v ? kstrtoull(v, &end, 10) : 0;

	if (!v || *end || ms < 100 || ms > 600000)
		return -EINVAL;
	period_ms = (unsigned int)ms;
	return 0;
}
CMDLINE_OPTION("watchdog.period_ms", set_period);

static void hash_region(const struct region *r, uint8_t out[SHA512_DIGEST_SIZE])
{
	sha512(r->start, r->len, out);
}

/* Check everything once; returns the name of the first bad region or NULL. */
const char *integrity_check(const char **module_name)
{
	uint8_t h[SHA512_DIGEST_SIZE];
	struct module *m;

	*module_name = NULL;
	if (!armed)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
		hash_region(&regions[i], h);
		if (memcmp(h, regions[i].hash, sizeof(h)))
			return regions[i].name;
	}
	list_for_each_entry(m, &modules, node) {
		if (m->state != MODULE_LIVE)
			continue;
		sha512((const void *)m->text_start, m->text_end - m->text_start, h);
		if (memcmp(h, m->text_hash, sizeof(h))) {
			*module_name = m->name;
			return "module-text";
		}
	}
	return NULL;
}

static uint32_t block_crc(const struct region *r, size_t i)
{
	size_t off = i * BLOCK_SIZE;

	return crc32(0, (const uint8_t *)r->start + off, MIN((size_t)BLOCK_SIZE, r->len - off));
}

/* The first block of @r that changed since boot, or NULL (no table, or none found). */
static const void *first_change(const struct region *r)
{
	if (!r->block_crc)
		return NULL;
	for (size_t i = 0; i * BLOCK_SIZE < r->len; i++)
		if (block_crc(r, i) != r->block_crc[i])
			return (const uint8_t *)r->start + i * BLOCK_SIZE;
	return NULL;
}

static const struct region *region_named(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(regions); i++)
		if (!strcmp(regions[i].name, name))
			return &regions[i];
	return NULL;
}

static void check_now(void)
{
	const char *mod, *bad = integrity_check(&mod);
	uintptr_t wx_addr;
	unsigned long wx;

	if (bad && mod)
		panic("module-text", "module %s: text changed since it was loaded (SHA-512 mismatch)",
		      mod);
	if (bad) {
		const void *at = first_change(region_named(bad));

		if (at)
			panic("text", "kernel %s changed since boot (SHA-512 mismatch): first change "
			      "in the %d bytes at %p (%pS), page %#lx", bad, BLOCK_SIZE, at, at,
			      (unsigned long)at & PAGE_MASK);
		panic("text", "kernel %s changed since boot (SHA-512 mismatch)", bad);
	}
	wx = paging_wx_scan(&wx_addr);
	if (wx)
		panic("wx", "%lu kernel mappings are writable and executable, the first at %#lx",
		      wx, wx_addr);
	checks++;
}

static int watchdog_thread(void *arg)
{
	for (;;) {
		sleep_ns((uint64_t)period_ms * 1000000ULL);
		check_now();
	}
	return 0;
}

static long watchdog_show(char *buf, size_t size)
{
	return snprintf(buf, size, "period_ms %u\nchecks %lu\nregions .text %lu bytes, .rodata %lu bytes\n",
			period_ms, checks, regions[0].len, regions[1].len);
}

static int watchdog_init(void)
{
	regions[0].len = (size_t)(_etext - _text);
	regions[1].len = (size_t)(_erodata - _rodata);
	for (size_t i = 0; i < ARRAY_SIZE(regions); i++) {
		struct region *r = &regions[i];
		size_t n = (r->len + BLOCK_SIZE - 1) / BLOCK_SIZE;

		hash_region(r, r->hash);
		r->block_crc = kmalloc(n * sizeof(uint32_t));
		for (size_t b = 0; r->block_crc && b < n; b++)
			r->block_crc[b] = block_crc(r, b);
	}
	armed = true;
	if (!kthread_spawn("watchdog", watchdog_thread, NULL))
		return -ENOMEM;
	procfs_register("watchdog", watchdog_show);
	pr_info("hashed .text (%lu KiB) and .rodata (%lu KiB); checking every %u ms\n",
		regions[0].len >> 10, regions[1].len >> 10, period_ms);
	return 0;
}
late_initcall(watchdog_init);
