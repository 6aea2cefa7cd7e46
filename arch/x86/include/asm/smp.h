/*
 * Which CPU this is: the number in the per-CPU block GS points at in
 * kernel mode (asm/switch.h). The boot CPU is 0, the CPUs smp.c starts
 * are 1 and up; GS is set before any lock is taken.
 */
#ifndef ASM_SMP_H
#define ASM_SMP_H

static inline unsigned int smp_processor_id(void)
{
	unsigned int id;

	__asm__ volatile("movl %%gs:24, %0" : "=r"(id));
	return id;
}

#endif
