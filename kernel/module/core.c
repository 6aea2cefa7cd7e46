/*
 * What the rest of the kernel needs from the module system even when it is
 * configured out (CONFIG_MODULES=n): the (then empty) list of loaded
 * modules, the taint flags, and symbol lookup that finds no module.
 */
#include "kernel/module.h"

LIST_HEAD(modules);
unsigned long kernel_taint;

struct module *module_of_addr(uintptr_t addr)
{
	struct module *m;

	list_for_each_entry(m, &modules, node)
		if (addr >= (uintptr_t)m->base && addr < (uintptr_t)m->base + m->size)
			return m;
	return NULL;
}

#ifndef CONFIG_MODULES
int module_ksym_snprint_at(char *buf, size_t size, uintptr_t addr, uintptr_t lookup)
{
	return 0;
}

int module_ksym_snprint(char *buf, size_t size, uintptr_t addr)
{
	return 0;
}
#endif
