/* An entitlement test (user/tests/entitle.sh): a module that asks for
 * "msr". scripts/make-bad-modules signs it with the third-party key, whose
 * grants (CONFIG_MODULE_SIG_THIRDPARTY_GRANTS) leave msr out, so the
 * kernel refuses it at load with EACCES before any of its code runs. */
#include "kernel/module.h"

MODULE_NAME("entmsr");
MODULE_VERSION("1");
MODULE_LICENSE("GPL");
MODULE_ENTITLEMENT("msr");

static int entmsr_init(void)
{
	pr_err("entmsr: loaded, though its key may not grant msr\n");
	return 0;
}

static void entmsr_exit(void)
{
}

module_init(entmsr_init);
module_exit(entmsr_exit);
