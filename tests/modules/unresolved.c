/* A module that uses a function and a variable the kernel does not export:
 * refused with "unresolved symbol basalt_not_exported" and "unresolved
 * symbol basalt_missing_data", one line each, though the function is
 * called twice (two relocations) and the variable read once. */
#include "kernel/module.h"

int basalt_not_exported(int n);
extern int basalt_missing_data;

static int unresolved_init(void)
{
	return basalt_not_exported(1) + basalt_not_exported(basalt_missing_data);
}
module_init(unresolved_init);
MODULE_NAME("unresolved");
MODULE_VERSION("1");
MODULE_LICENSE("GPL");
