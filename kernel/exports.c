/*
 * The kernel's core interface for modules. A module links only against
 * symbols exported with EXPORT_SYMBOL (kernel/module.h); subsystems export
 * their driver-facing functions next to their definitions (drivers/pci,
 * drivers/base), while this file lists what every module may need from
 * code that predates modules: logging, memory, strings, user copies,
 * wait queues and sleeping, time and /proc entries.
 */
#include <asm/irq.h>
#include <asm/pgtable.h>
#include <asm/uaccess.h>
#include "fs/vfs.h"
#include "kernel/kernel.h"
#include "kernel/module.h"
#include "kernel/sched.h"
#include "kernel/signal.h"
#include "lib/list.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

/* logging and fatal errors */
EXPORT_SYMBOL(printk);
EXPORT_SYMBOL(vprintk);
EXPORT_SYMBOL(panic);
EXPORT_SYMBOL(snprintf);
EXPORT_SYMBOL(vsnprintf);
EXPORT_SYMBOL(list_corruption);
EXPORT_SYMBOL(ksym_address);

/* memory */
EXPORT_SYMBOL(kmalloc);
EXPORT_SYMBOL(kzalloc);
EXPORT_SYMBOL(kfree);
EXPORT_SYMBOL(vmalloc);
EXPORT_SYMBOL(vfree);
EXPORT_SYMBOL(pmm_alloc_pages);
EXPORT_SYMBOL(pmm_free_pages);
/* page tables (modules/crashtest damages them on purpose) */
EXPORT_SYMBOL(kmap_page);
EXPORT_SYMBOL(kunmap_page);
EXPORT_SYMBOL(kprotect_page);
EXPORT_SYMBOL(kpte_lookup);

/* strings (the compiler also emits calls to memcpy and memset) */
EXPORT_SYMBOL(memcpy);
EXPORT_SYMBOL(memmove);
EXPORT_SYMBOL(memset);
EXPORT_SYMBOL(memcmp);
EXPORT_SYMBOL(strlen);
EXPORT_SYMBOL(strnlen);
EXPORT_SYMBOL(strcmp);
EXPORT_SYMBOL(strncmp);
EXPORT_SYMBOL(strchr);
EXPORT_SYMBOL(strrchr);
EXPORT_SYMBOL(strstr);
EXPORT_SYMBOL(strcpy);
EXPORT_SYMBOL(strncpy);
EXPORT_SYMBOL(strlcpy);
EXPORT_SYMBOL(kstrtoull);
EXPORT_SYMBOL(kstrtoll);

/* user memory (ioctl arguments) */
EXPORT_SYMBOL(copy_to_user);
EXPORT_SYMBOL(copy_from_user);
EXPORT_SYMBOL(clear_user);
EXPORT_SYMBOL(strncpy_from_user);

/* wait queues, sleeping and signals (wait_event* expand to these; current is read through GS) */
EXPORT_SYMBOL(wait_queue_init);
EXPORT_SYMBOL(wait_entry_add);
EXPORT_SYMBOL(wait_entry_remove);
EXPORT_SYMBOL(wake_up);
EXPORT_SYMBOL(wake_up_locked);
EXPORT_SYMBOL(prepare_to_wait);
EXPORT_SYMBOL(finish_wait);
EXPORT_SYMBOL(schedule);
EXPORT_SYMBOL(schedule_until);
EXPORT_SYMBOL(sleep_ns);

/* time */
EXPORT_SYMBOL(jiffies);
EXPORT_SYMBOL(ktime_ns);
EXPORT_SYMBOL(ktime_real_ns);
EXPORT_SYMBOL(udelay);
EXPORT_SYMBOL(mdelay);

/* devices */
EXPORT_SYMBOL(procfs_register);
EXPORT_SYMBOL(procfs_register_rw);
EXPORT_SYMBOL(procfs_register_data);
EXPORT_SYMBOL(procfs_unregister);
EXPORT_SYMBOL(poll_wait);

#ifdef CONFIG_STACKPROTECTOR
/* modules are built with the kernel's flags, so they check the same canary */
extern uint64_t __stack_chk_guard;
EXPORT_SYMBOL(__stack_chk_guard);
EXPORT_SYMBOL(__stack_chk_fail);
#endif
