/* Build test (tests/build/run): a module that uses only exported symbols,
 * from the kernel (printk, kzalloc, kfree) and from an in-tree module
 * (hello_greet, modules/hello), and exports one of its own that it uses
 * itself (so it declares the "export" entitlement): `make M=` must build
 * and sign it. */
#include "kernel/module.h"
#include "mm/kmalloc.h"
#include "modules/hello/hello.h"

int good_twice(int n);

int good_twice(int n)
{
	return 2 * n;
}
EXPORT_SYMBOL(good_twice);

static int good_init(void)
{
	int *p = kzalloc(sizeof(*p));

	if (!p)
		return -ENOMEM;
	*p = good_twice(hello_greet("good"));
	printk("good: %d\n", *p);
	kfree(p);
	return 0;
}
module_init(good_init);
MODULE_NAME("good");
MODULE_VERSION("1");
MODULE_LICENSE("GPL");
MODULE_ENTITLEMENT("export");
