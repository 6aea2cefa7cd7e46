/*
 * Vectors for message-signalled interrupts. PCI devices that use MSI get
 * a vector of their own from MSI_VECTOR_FIRST..MSI_VECTOR_LAST (above the
 * IOAPIC's ISA range, below the timer) and a message that the device
 * writes to the local APIC's address window: destination = this CPU's
 * APIC id, fixed delivery, edge triggered, data = the vector.
 */
#define pr_fmt(fmt) "msi: " fmt

#include <asm/irq.h>
#include <asm/ptrace.h>
#include "arch/x86/x86.h"
#include "kernel/kernel.h"
#include "kernel/module.h"

#define MSI_ADDRESS_BASE	0xfee00000U
#define MSI_DEST_SHIFT		12
#define NR_MSI_VECTORS		(MSI_VECTOR_LAST - MSI_VECTOR_FIRST + 1)

struct msi_vector {
	irq_handler_t fn;
	void *ctx;
	bool used;
};

static struct msi_vector msi_vectors[NR_MSI_VECTORS];

/* First-level handler: hand the device's handler its vector number. */
static void msi_entry(struct pt_regs *regs, void *ctx)
{
	struct msi_vector *v = ctx;

	v->fn(MSI_VECTOR_FIRST + (unsigned int)(v - msi_vectors), v->ctx);
}

int msi_alloc_vector(irq_handler_t fn, void *ctx, struct msi_msg *msg)
{
	unsigned long flags = local_irq_save();
	int vec = -ENOSPC;

	for (unsigned int i = 0; i < NR_MSI_VECTORS; i++) {
		struct msi_vector *v = &msi_vectors[i];

		if (v->used)
			continue;
		v->fn = fn;
		v->ctx = ctx;
		if (x86_set_vector_handler(MSI_VECTOR_FIRST + i, msi_entry, v))
			continue;	/* taken by someone else: leave it */
		v->used = true;
		vec = (int)(MSI_VECTOR_FIRST + i);
		break;
	}
	local_irq_restore(flags);
	if (vec < 0) {
		pr_err("no free vector for a message-signalled interrupt\n");
		return vec;
	}
	msg->address = MSI_ADDRESS_BASE | ((uint64_t)lapic_id() << MSI_DEST_SHIFT);
	msg->data = (uint32_t)vec;	/* fixed delivery, edge: the upper bits stay 0 */
	return vec;
}

void msi_free_vector(unsigned int vector)
{
	unsigned long flags;
	struct msi_vector *v;

	if (vector < MSI_VECTOR_FIRST || vector > MSI_VECTOR_LAST) {
		pr_warn("freeing vector %u, which is not an MSI vector\n", vector);
		return;
	}
	v = &msi_vectors[vector - MSI_VECTOR_FIRST];
	flags = local_irq_save();
	if (v->used) {
		x86_clear_vector_handler(vector);
		v->used = false;
		v->fn = NULL;
		v->ctx = NULL;
	}
	local_irq_restore(flags);
}

uint64_t msi_vector_count(unsigned int vector)
{
	return vector < 256 ? irq_count[vector] : 0;
}
EXPORT_SYMBOL(msi_vector_count);
