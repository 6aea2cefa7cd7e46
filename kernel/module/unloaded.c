/*
 * The memory of modules that have gone. Module memory is handed out next-fit
 * (mm/vmalloc.c), so a former module's pages stay unmapped for a long time;
 * the page-fault handler asks here whether a faulting kernel address was
 * one, and the panic then says which module it was (reason
 * module-use-after-free). Every panic dump also names the last module
 * unloaded, as Linux's oops does.
 */
#include "kernel/kernel.h"
#include "kernel/module.h"
#include "lib/string.h"

#define UNLOADED_KEPT	64

struct unloaded_module {
	char name[MODULE_NAME_LEN];
	uintptr_t base;
	size_t size;
};

static struct unloaded_module unloaded[UNLOADED_KEPT];
static unsigned int unloaded_next;	/* ring index of the next slot */
static char last_unloaded[MODULE_NAME_LEN];

void module_remember_unloaded(const char *name, uintptr_t base, size_t size)
{
	struct unloaded_module *u = &unloaded[unloaded_next++ % UNLOADED_KEPT];

	strlcpy(u->name, name, sizeof(u->name));
	u->base = base;
	u->size = size;
	strlcpy(last_unloaded, name, sizeof(last_unloaded));
}

const char *module_unloaded_at(uintptr_t addr)
{
	/* newest first: a range reused later belongs to its latest owner */
	for (unsigned int i = 0; i < UNLOADED_KEPT; i++) {
		struct unloaded_module *u = &unloaded[(unloaded_next - 1 - i) % UNLOADED_KEPT];

		if (u->size && addr >= u->base && addr < u->base + u->size)
			return module_of_addr(addr) ? NULL : u->name;
	}
	return NULL;
}

const char *module_last_unloaded(void)
{
	return last_unloaded;
}
