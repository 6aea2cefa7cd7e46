/* Build test (tests/build/run): calls kzalloc without including
 * mm/kmalloc.h. An implicit declaration is an error for modules, so the
 * build must fail and leave no object and no .ko. */
#include "kernel/module.h"

static void *buffer;

static int noinclude_init(void)
{
	buffer = kzalloc(64);
	return buffer ? 0 : -ENOMEM;
}
module_init(noinclude_init);
MODULE_NAME("noinclude");
MODULE_LICENSE("GPL");
