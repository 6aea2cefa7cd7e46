/* Build test (tests/build/run): a module that calls vfs_open, which the
 * kernel defines but does not export, and a function nobody defines.
 * `make M=` must fail with one modpost error for each, and for nothing
 * else: printk (kernel) and hello_greet (modules/hello) are exported, and
 * undef_local is resolved inside the module by the linker. */
#include "fs/vfs.h"
#include "kernel/module.h"
#include "modules/hello/hello.h"

int undef_not_anywhere(int n);
int undef_local(void);

static int undef_init(void)
{
	int err;
	struct file *f = vfs_open("/", 0, 0, &err);

	printk("undef: %p\n", f);
	return hello_greet("undef") + undef_not_anywhere(undef_local());
}
module_init(undef_init);
MODULE_NAME("undef");
MODULE_LICENSE("GPL");
