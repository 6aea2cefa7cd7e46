/*
 * hello: the smallest useful Basalt module. It greets the kernel log
 * greeting_count times when loaded, says goodbye when unloaded, and exports
 * hello_greet() for other modules (hello_dep). docs/module-guide.md walks
 * through this file line by line.
 */
#include "kernel/module.h"
#include "modules/hello/hello.h"

MODULE_NAME("hello");
MODULE_VERSION("1.0");
MODULE_DESCRIPTION("Greets the kernel log on load and unload");
MODULE_AUTHOR("Basalt");
MODULE_LICENSE("GPL");

static int greeting_count = 1;
module_param_int(greeting_count, "how many greetings to print at load (0-10)");

static int greetings_given;

int hello_greet(const char *who)
{
	pr_info("hello: hello, %s\n", who);
	return ++greetings_given;
}
EXPORT_SYMBOL(hello_greet);
MODULE_ENTITLEMENT("export");

static int hello_init(void)
{
	if (greeting_count < 0 || greeting_count > 10) {
		pr_err("hello: greeting_count=%d is out of range (0-10)\n", greeting_count);
		return -EINVAL;
	}
	for (int i = 1; i <= greeting_count; i++)
		pr_info("hello: hello, world (%d of %d)\n", i, greeting_count);
	return 0;
}

static void hello_exit(void)
{
	pr_info("hello: goodbye, world (%d greeting(s) given to other modules)\n",
		greetings_given);
}

module_init(hello_init);
module_exit(hello_exit);
