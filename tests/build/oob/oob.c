/* Build test (tests/build/run): a module with an out-of-bounds array write
 * that the compiler lets through. cppcheck (scripts/cppcheck-module) must
 * report it, prefixed with the module's name, and the build must still
 * succeed: the analysis informs, it does not refuse. CI builds with
 * -Werror, and gcc's -Warray-bounds sees this write too, so the warning is
 * switched off here: the test is about cppcheck, which pragmas do not quiet. */
#include "kernel/module.h"

#pragma GCC diagnostic ignored "-Warray-bounds"

static int oob_table[4];

static int oob_init(void)
{
	oob_table[4] = 1;
	return oob_table[0];
}
module_init(oob_init);
MODULE_NAME("oob");
MODULE_LICENSE("GPL");
