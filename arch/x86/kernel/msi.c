/*
 * Messages for message-signalled interrupts. A PCI device using MSI or
 * MSI-X writes a message to the local APIC's address window: destination
 * = this CPU's APIC id, fixed delivery, edge triggered, data = the vector.
 * Vectors come from MSI_VECTOR_FIRST..MSI_VECTOR_LAST, above the IOAPIC's
 * range and below the timer; the IRQ core hands them out.
 */
#include <asm/irq.h>
#include "arch/x86/x86.h"

#define MSI_ADDRESS_BASE	0xfee00000U
#define MSI_DEST_SHIFT		12

void msi_compose_msg(unsigned int vector, struct msi_msg *msg)
{
	/* every device interrupt goes to the boot CPU, whoever set it up */
	msg->address = MSI_ADDRESS_BASE | ((uint64_t)cpu_apic_id(0) << MSI_DEST_SHIFT);
	msg->data = vector;	/* fixed delivery, edge: the upper bits stay 0 */
}
