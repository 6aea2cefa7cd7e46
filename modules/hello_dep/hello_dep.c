/*
 * hello_dep: a module that needs another. It declares MODULE_DEPENDS("hello")
 * and calls hello_greet(), which hello exports, so the loader refuses it
 * until hello is loaded and refuses to unload hello while it is.
 */
#include "kernel/module.h"
#include "modules/hello/hello.h"

MODULE_NAME("hello_dep");
MODULE_VERSION("1.0");
MODULE_DESCRIPTION("Calls a function exported by the hello module");
MODULE_AUTHOR("Basalt");
MODULE_LICENSE("GPL");
MODULE_DEPENDS("hello");

static int hello_dep_init(void)
{
	int n = hello_greet("hello_dep");

	pr_info("hello_dep: hello has now given %d greeting(s)\n", n);
	return 0;
}

static void hello_dep_exit(void)
{
	pr_info("hello_dep: unloaded\n");
}

module_init(hello_dep_init);
module_exit(hello_dep_exit);
