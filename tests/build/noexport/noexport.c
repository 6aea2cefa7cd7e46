/* Build test (tests/build/run): a module that exports a symbol without
 * declaring MODULE_ENTITLEMENT("export"). It compiles and passes modpost,
 * but scripts/sign-module refuses it, so `make M=` fails and leaves no
 * signed .ko. */
#include "kernel/module.h"

int noexport_twice(int n);

int noexport_twice(int n)
{
	return 2 * n;
}
EXPORT_SYMBOL(noexport_twice);

static int noexport_init(void)
{
	return noexport_twice(0);
}
module_init(noexport_init);
MODULE_NAME("noexport");
MODULE_VERSION("1");
MODULE_LICENSE("GPL");
