/*
 * The kernel's own symbol table, for backtraces and %pS. The build links
 * the kernel twice: the second link adds build/ksyms.c (made by
 * scripts/gen-ksyms from the first link's `nm` output), a sorted array of
 * function addresses, sizes and name offsets. Lookups are binary searches.
 */
#include "kernel/kernel.h"
#include "kernel/module.h"
#include "lib/printf.h"
#include "lib/string.h"

struct ksym {
	uint64_t addr;
	uint32_t size;
	uint32_t name;		/* offset into ksym_names */
};

extern const struct ksym ksym_table[];
extern const uint64_t ksym_count;
extern const char ksym_names[];

extern char _text[], _etext[];

const char *ksym_lookup(uintptr_t addr, uintptr_t *offset, uintptr_t *size)
{
	uint64_t lo = 0, hi = ksym_count;
	const struct ksym *s;

	/* the table holds kernel text symbols only: modules are elsewhere */
	if (addr < (uintptr_t)_text || addr >= (uintptr_t)_etext)
		return NULL;
	/* find the last symbol with addr <= @addr */
	while (lo < hi) {
		uint64_t mid = (lo + hi) / 2;

		if (ksym_table[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	s = &ksym_table[lo - 1];
	if (addr >= s->addr + (s->size ? s->size : 1) && s->size)
		return NULL;
	if (offset)
		*offset = addr - s->addr;
	if (size)
		*size = s->size;
	return ksym_names + s->name;
}

int ksym_snprint(char *buf, size_t size, uintptr_t addr)
{
	uintptr_t off, sz;
	const char *name = ksym_lookup(addr, &off, &sz);
	int n;

	if (!name && (n = module_ksym_snprint(buf, size, addr)) > 0)
		return n;
	if (!name)
		return snprintf(buf, size, "0x%016lx", addr);
	return snprintf(buf, size, "%s+0x%lx/0x%lx", name, off, sz);
}

int ksym_snprint_ret(char *buf, size_t size, uintptr_t addr)
{
	uintptr_t off, sz;
	const char *name = ksym_lookup(addr - 1, &off, &sz);
	int n;

	if (!name && (n = module_ksym_snprint_at(buf, size, addr, addr - 1)) > 0)
		return n;
	if (!name)
		return snprintf(buf, size, "0x%016lx", addr);
	return snprintf(buf, size, "%s+0x%lx/0x%lx", name, off + 1, sz);
}

uintptr_t ksym_address(const char *name)
{
	for (uint64_t i = 0; i < ksym_count; i++)
		if (!strcmp(ksym_names + ksym_table[i].name, name))
			return ksym_table[i].addr;
	return 0;
}

static int printf_ksym(char *buf, size_t size, unsigned long addr)
{
	return ksym_snprint(buf, size, addr);
}

/* Let %pS in printk symbolize through this table. */
void ksyms_init(void)
{
	printf_symbol_hook = printf_ksym;
}
