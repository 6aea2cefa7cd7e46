/* Build test (tests/build/run): an out-of-tree module with a header of its
 * own and kernel headers; a change to either must rebuild it. */
#include "kernel/module.h"
#include "hdrdep.h"

static int hdrdep_init(void)
{
	printk(HDRDEP_GREETING);
	return 0;
}
module_init(hdrdep_init);
MODULE_NAME("hdrdep");
MODULE_LICENSE("GPL");
