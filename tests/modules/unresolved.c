/* A module that calls a function the kernel does not export: refused with
 * "unresolved symbol basalt_not_exported". */
#include "kernel/module.h"

int basalt_not_exported(void);

static int unresolved_init(void)
{
	return basalt_not_exported();
}
module_init(unresolved_init);
MODULE_NAME("unresolved");
MODULE_VERSION("1");
MODULE_LICENSE("GPL");
