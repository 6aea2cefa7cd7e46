/*
 * The C side of the user-copy helpers (asm/uaccess.h): range checks
 * against the user half, then the fault-tolerant copies in uaccess.asm.
 * Each counts the bytes it moved on the running task (kernel/costs.h).
 */
#include <asm/uaccess.h>
#include "kernel/kernel.h"
#include "kernel/sched.h"

size_t __copy_user(void *dst, const void *src, size_t n);
size_t __clear_user(void *dst, size_t n);
long __strncpy_user(char *dst, const char *src, size_t n);

/*
 * The bytes are counted before the copy, so that the common path keeps
 * nothing across it; a fault takes back what was not copied, out of line.
 */
static __attribute__((noinline, cold)) int uncount_from(size_t left)
{
	current->costs.bytes_from_user -= left;
	return -EFAULT;
}

static __attribute__((noinline, cold)) int uncount_to(size_t left)
{
	current->costs.bytes_to_user -= left;
	return -EFAULT;
}

int copy_from_user(void *dst, const void __user *src, size_t n)
{
	size_t left;

	if (!n)
		return 0;
	if (!access_ok(src, n))
		return -EFAULT;
	current->costs.bytes_from_user += n;
	left = __copy_user(dst, src, n);
	return unlikely(left) ? uncount_from(left) : 0;
}

int copy_to_user(void __user *dst, const void *src, size_t n)
{
	size_t left;

	if (!n)
		return 0;
	if (!access_ok(dst, n))
		return -EFAULT;
	current->costs.bytes_to_user += n;
	left = __copy_user(dst, src, n);
	return unlikely(left) ? uncount_to(left) : 0;
}

int clear_user(void __user *dst, size_t n)
{
	size_t left;

	if (!n)
		return 0;
	if (!access_ok(dst, n))
		return -EFAULT;
	current->costs.bytes_to_user += n;
	left = __clear_user(dst, n);
	return unlikely(left) ? uncount_to(left) : 0;
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
	/* the string and its NUL; n bytes when there was no NUL within n */
	current->costs.bytes_from_user += (size_t)len < n ? (size_t)len + 1 : n;
	if ((size_t)len == n)
		return -ENAMETOOLONG;
	return len;
}
