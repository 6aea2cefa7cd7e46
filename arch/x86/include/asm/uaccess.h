/*
 * Copying between kernel and user memory. Every access to a user pointer
 * goes through these helpers: they check the range lies in the user half,
 * open SMAP for exactly the copy (stac/clac), and recover from a fault
 * through the exception table, so a bad pointer yields -EFAULT instead of
 * a kernel crash.
 */
#ifndef ASM_UACCESS_H
#define ASM_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <asm/page.h>

#define __user

static inline bool access_ok(const void __user *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;

	return a < USER_END && n <= USER_END - a;
}

/* 0 on success, -EFAULT if any byte could not be copied. */
int copy_from_user(void *dst, const void __user *src, size_t n);
int copy_to_user(void __user *dst, const void *src, size_t n);
int clear_user(void __user *dst, size_t n);
/*
 * Copy a NUL-terminated string of at most @n bytes including the NUL.
 * Returns its length, -EFAULT, or -ENAMETOOLONG if no NUL within @n.
 */
long strncpy_from_user(char *dst, const char __user *src, size_t n);

#define get_user(x, ptr) copy_from_user(&(x), (ptr), sizeof(*(ptr)))
#define put_user(x, ptr)                                                     \
	({                                                                   \
		__typeof__(*(ptr)) __v = (x);                                \
		copy_to_user((ptr), &__v, sizeof(__v));                      \
	})

#endif
