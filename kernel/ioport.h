/*
 * I/O port regions, with Linux's interface: a driver claims the ports it
 * drives with request_region() before its first inb/outb and gives them
 * back with release_region(). Two drivers cannot hold the same port, a
 * module may only claim ports its manifest grants (ioport: entitlements),
 * and a module that forgets to release is cleaned up when it goes. The
 * claimed regions are listed in /proc/ioports. The instructions themselves
 * cannot be stopped in ring 0: the claim is the checked promise.
 */
#ifndef KERNEL_IOPORT_H
#define KERNEL_IOPORT_H

#include "lib/list.h"

struct resource {
	unsigned long start, end;	/* inclusive */
	const char *name;
	struct list_head node;		/* owned by kernel/ioport.c */
};

/*
 * Claim ports [@start, @start + @n) for @name (kept as a pointer: a string
 * that lives as long as the claim). The region, or NULL: a port is held by
 * someone else, @n is 0 or the range passes 0xffff, out of memory, or a
 * module asks outside its ioport: entitlements (each refusal logs why).
 */
struct resource *request_region(unsigned long start, unsigned long n, const char *name);
/* Give back the region that request_region(@start, @n, ...) returned. */
void release_region(unsigned long start, unsigned long n);

#endif
