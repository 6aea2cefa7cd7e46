/* A well-formed module without MODULE_VERSION: sign-module gives it version
 * "0", and user/tests/modules.sh checks that it loads, shows in lsmod and
 * unloads. Built, checked by modpost and signed like an in-tree module. */
#include "kernel/module.h"

static int noversion_init(void)
{
	pr_info("noversion: loaded without a MODULE_VERSION\n");
	return 0;
}

static void noversion_exit(void)
{
	pr_info("noversion: unloaded\n");
}

module_init(noversion_init);
module_exit(noversion_exit);
MODULE_NAME("noversion");
MODULE_LICENSE("GPL");
