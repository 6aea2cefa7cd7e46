/*
 * The C side of the user-copy helpers (asm/uaccess.h): range checks
 * against the user half, then the fault-tolerant copies in uaccess.asm.
 */
#include <asm/uaccess.h>
#include "kernel/kernel.h"

size_t __copy_user(void *dst, const void *src, size_t n);
size_t __clear_user(void *dst, size_t n);
long __strncpy_user(char *dst, const char *src, size_t n);

int copy_from_user(void *dst, const void __user *src, size_t n)
{
	if (!n)
		return 0;
	if (!access_ok(src, n) || __copy_user(dst, src, n))
		return -EFAULT;
	return 0;
}

int copy_to_user(void __user *dst, const void *src, size_t n)
{
	if (!n)
		return 0;
	if (!access_ok(dst, n) || __copy_user(dst, src, n))
		return -EFAULT;
	return 0;
}

int clear_user(void __user *dst, size_t n)
{
	if (!n)
		return 0;
	if (!access_ok(dst, n) || __clear_user(dst, n))
		return -EFAULT;
	return 0;
}

long strncpy_from_user(char *dst, const char __user *src, size_t n)
{
	long len;

	if ((uintptr_t)src >= USER_END)
		return -EFAULT;
	/* never let the string run past the user half */
	if (n > USER_END - (uintptr_t)src)
		n = USER_END - (uintptr_t)src;
	len = __strncpy_user(dst, src, n);
	if (len < 0)
		return -EFAULT;
	if ((size_t)len == n)
		return -ENAMETOOLONG;
	return len;
}
