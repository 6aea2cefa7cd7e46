/*
 * Loadable modules: what a module source file uses (module_init/exit,
 * MODULE_* information, module parameters, EXPORT_SYMBOL) and what the
 * kernel keeps about a loaded module. Modules are ELF64 relocatable
 * objects built with the kernel's flags (-mcmodel=kernel), signed with
 * scripts/sign-module, and loaded by init_module/finit_module.
 */
#ifndef KERNEL_MODULE_H
#define KERNEL_MODULE_H

#include <stdint.h>
#include "kernel/kernel.h"
#include "kernel/module/entitlement.h"
#include "lib/list.h"
/* the driver interface: every facility a module may use is one include away */
#ifndef BASALT_HOST_TEST
#include <asm/barrier.h>
#include <asm/io.h>
#include "kernel/ioport.h"
#include "kernel/irq.h"
#include "kernel/kthread.h"
#include "kernel/lock.h"
#include "kernel/timer.h"
#include "kernel/workqueue.h"
#endif

/* --- for module authors -------------------------------------------------------- */

/* "tag=value" strings in .modinfo: name, version, description, license, depends */
#define __MODULE_INFO(tag, id, value)                                           \
	static const char __modinfo_##id[] __attribute__((used, section(".modinfo"), \
							  aligned(1))) = #tag "=" value
#define MODULE_NAME(v)		__MODULE_INFO(name, name, v)
#define MODULE_VERSION(v)	__MODULE_INFO(version, version, v)
#define MODULE_DESCRIPTION(v)	__MODULE_INFO(description, description, v)
#define MODULE_LICENSE(v)	__MODULE_INFO(license, license, v)
#define MODULE_AUTHOR(v)	__MODULE_INFO(author, author, v)
/* comma-separated names of modules this one needs loaded first */
#define MODULE_DEPENDS(v)	__MODULE_INFO(depends, depends, v)

/*
 * What the module may touch (docs/confinement.md). scripts/sign-module
 * copies each into the manifest the signature covers (as ent= lines,
 * docs/module-format.md); the kernel refuses anything else with -EPERM,
 * and refuses the module if its key may not grant what it asks. One per
 * macro:
 *   "dma"                the DMA API (coherent buffers, streaming mappings)
 *   "ioport=0x70-0x71"   port I/O in that range (request_region; the signer
 *                        refuses in/out instructions without it)
 *   "irq=8"              request_irq on that ISA line (the lines of a PCI
 *                        device the module binds need no entitlement)
 *   "msr"                rdmsr/wrmsr
 *   "export"             EXPORT_SYMBOL for other modules
 *   "cpu"                other privileged instructions (cli/sti, hlt,
 *                        control registers, descriptor tables, ...)
 * The devices a driver may bind come from its ID table, named with
 * MODULE_DEVICE_TABLE(pci, table) or MODULE_DEVICE_TABLE(virtio, table);
 * the interrupt lines, BARs (ioremap, pci_iomap) of a PCI device bound to
 * the module need nothing more. A module with EXPORT_SYMBOL needs "export".
 */
#define __MODINFO_CAT2(a, b)	a##b
#define __MODINFO_CAT(a, b)	__MODINFO_CAT2(a, b)
#define __MODULE_INFO_N(tag, value, n)                                        \
	static const char __MODINFO_CAT(__modinfo_##tag##_, n)[]              \
		__attribute__((used, section(".modinfo"), aligned(1))) = #tag "=" value
#define MODULE_ENTITLEMENT(v)	__MODULE_INFO_N(entitlement, v, __COUNTER__)
/* "pci_table=edu_ids": the signer reads the table's IDs from the module's ELF */
#define MODULE_DEVICE_TABLE(type, table)                                      \
	__MODULE_INFO_N(type##_table, #table, __COUNTER__)

/* The loader calls init_module() after linking and cleanup_module() at rmmod. */
#define module_init(fn)                                                        \
	int init_module(void) __attribute__((alias(#fn)));                     \
	static inline initcall_t __module_init_check(void) { return fn; }
#define module_exit(fn)                                                        \
	void cleanup_module(void) __attribute__((alias(#fn)));                 \
	static inline void (*__module_exit_check(void))(void) { return fn; }

/* Module parameters: `insmod m.ko name=value`. */
enum module_param_type { MODULE_PARAM_INT, MODULE_PARAM_BOOL, MODULE_PARAM_STRING };

struct module_param {
	const char *name;
	int type;		/* enum module_param_type */
	void *addr;		/* int *, bool *, or char[size] for strings */
	unsigned int size;	/* for strings: the buffer size */
	const char *desc;
};

#define module_param_int(var, desc_)                                            \
	static const struct module_param __param_##var                         \
		__attribute__((used, section("__param"), aligned(8))) = {      \
			#var, MODULE_PARAM_INT, &(var), sizeof(var), desc_ }
#define module_param_bool(var, desc_)                                           \
	static const struct module_param __param_##var                         \
		__attribute__((used, section("__param"), aligned(8))) = {      \
			#var, MODULE_PARAM_BOOL, &(var), sizeof(var), desc_ }
#define module_param_string(var, desc_)                                         \
	static const struct module_param __param_##var                         \
		__attribute__((used, section("__param"), aligned(8))) = {      \
			#var, MODULE_PARAM_STRING, (var), sizeof(var), desc_ }

/* --- symbol exports (kernel and modules) ------------------------------------------ */
struct kernel_symbol {
	uintptr_t addr;
	const char *name;
};

/* Make @sym available to modules (the loader links only against these). */
#define EXPORT_SYMBOL(sym)                                                      \
	static const char __kstrtab_##sym[] = #sym;                            \
	static const struct kernel_symbol __ksymtab_##sym                      \
		__attribute__((used, section("__ksymtab"), aligned(8))) = {    \
			(uintptr_t)&sym, __kstrtab_##sym }

/* --- the kernel's view ----------------------------------------------------------- */
#define MODULE_NAME_LEN	56

enum module_state { MODULE_LOADING, MODULE_LIVE, MODULE_GOING };

struct module {
	char name[MODULE_NAME_LEN];
	char version[32];
	int state;			/* enum module_state */
	int refcount;			/* modules that depend on this one, plus users */
	void *base;			/* the module's memory (text, rodata, data) */
	size_t size;
	uintptr_t text_start, text_end;
	const struct kernel_symbol *syms;	/* its exports */
	unsigned int nsyms;
	/* its symbol table, for backtraces (name of each function) */
	const struct kernel_symbol *funcs;
	unsigned int nfuncs;
	uint64_t *func_sizes;
	struct module *deps[8];
	unsigned int ndeps;
	int (*init)(void);
	void (*exit)(void);
	uint8_t text_hash[64];		/* SHA-512 of the text at load (watchdog) */
	char key_id[17];
	uint32_t secver;
	/* what its manifest lets it touch; unsigned modules are not confined */
	struct module_entitlements ent;
	bool confined;
	bool faulted;			/* module_mark_faulted(): refused everything since */
	char fault_why[64];
	uint64_t verify_cycles, link_cycles;
	void *file_copy;		/* the ELF (names in symbol tables point here) */
	void *funcs_alloc;
	struct list_head resources;	/* struct module_resource: what it holds */
	struct list_head node;
};

/* Taint flags (Linux's bit numbers), shown in /proc/sys/kernel/tainted. */
#define TAINT_UNSIGNED_MODULE	(1UL << 13)
extern unsigned long kernel_taint;

struct module *find_module(const char *name);
/* The loaded module whose memory holds @addr, or NULL (the kernel's own). */
struct module *module_of_addr(uintptr_t addr);

/* --- what a module holds (kernel/module/resource.c) ----------------------------------- */
/*
 * The kernel records every resource a module acquires through its API
 * (an IRQ handler, a kthread, a /dev or /proc node, a PCI driver, a DMA
 * buffer, an MMIO mapping) against the module whose code or data @owner
 * points into: the handler, the ops table, or the caller's return address.
 * When the module's exit returns, or its init fails, whatever it still
 * holds is released with one warning line each, so nothing can call into
 * its memory afterwards. Timers and work items are found on their own
 * pending lists instead (kernel/timer.c, kernel/workqueue.c).
 */
enum module_resource_type {
	MRES_IRQ,		/* key: irq number, arg: dev_id */
	MRES_KTHREAD,		/* key: struct task */
	MRES_MISCDEV,		/* key: struct misc_device */
	MRES_PROCFS,		/* key: the struct proc_entry */
	MRES_PCI_DRIVER,	/* key: struct pci_driver */
	MRES_DMA_COHERENT,	/* key: kernel address, arg: size */
	MRES_IOREMAP,		/* key: kernel address */
	MRES_VIRTIO_DRIVER,	/* key: struct virtio_driver */
	MRES_IOPORT,		/* key: first port, arg: count */
	MRES_NR_TYPES
};

struct module_resource {
	struct list_head node;		/* in module->resources, oldest first */
	int type;			/* enum module_resource_type */
	const void *key;
	uintptr_t arg;
	void (*release)(const void *key, uintptr_t arg);
	char what[64];			/* "irq 11 (e1000) requested" */
};

#ifdef CONFIG_MODULES
/* Record a resource for the module @owner points into (nothing for the kernel's). */
__printf(6, 7) int module_track(uintptr_t owner, int type, const void *key, uintptr_t arg,
				void (*release)(const void *key, uintptr_t arg),
				const char *fmt, ...);
/* Forget it again (the driver released it itself). */
void module_untrack(int type, const void *key, uintptr_t arg);
/*
 * Release what @m still holds of @type (-1: everything), newest first,
 * warning once per resource ("exit" or "init" in @when); how many.
 */
unsigned int module_release_resources(struct module *m, const char *when, int type);
/* One warning line about a resource found at release: "module M: exit left X; VERB". */
void module_warn_left(struct module *m, const char *when, const char *what, const char *verb);
#else
static inline int module_track(uintptr_t owner, int type, const void *key, uintptr_t arg,
			       void (*release)(const void *key, uintptr_t arg),
			       const char *fmt, ...)
{
	return 0;
}
static inline void module_untrack(int type, const void *key, uintptr_t arg) {}
#endif

/* --- entitlements (kernel/module/entitlement.c, docs/confinement.md) ------------------ */
/*
 * Each check finds the calling module by address (a return address, a
 * driver structure), as the resource tracker does. Kernel code and unsigned
 * modules are not confined: every check lets them through. A refusal logs
 * one line, "module M: <call> refused: no entitlement <what>", and the
 * caller returns -EPERM (NULL, DMA_MAPPING_ERROR). A faulted module is
 * refused every DMA, MMIO, interrupt and port request from then on.
 */
struct device;
#ifdef CONFIG_MODULES
/* dma_alloc_coherent, dma_map_single (@api names it in the log): needs "dma". */
bool module_may_dma(const void *caller, const struct device *dev, const char *api);
/* ioremap, pci_iomap (@api): [phys, phys + size) in a BAR of a PCI device bound to it. */
bool module_may_ioremap(const void *caller, uint64_t phys, size_t size, const char *api);
/* request_irq: a line or vector of a PCI device bound to it, or an ISA line with irq:N. */
bool module_may_request_irq(const void *caller, unsigned int irq);
/* request_region: every port inside one of its ioport: ranges. */
bool module_may_request_region(const void *caller, unsigned long start, unsigned long n);
/* The bus binding @dev_name (vendor:device, class) to the driver structure @drv. */
bool module_may_bind_pci(const void *drv, const char *dev_name, uint32_t vendor,
			 uint32_t device, uint32_t class);
bool module_may_bind_virtio(const void *drv, const char *dev_name, uint32_t device,
			    uint32_t vendor);

/*
 * For code that catches a module's device misbehaving (an IOMMU fault): mark
 * @m faulted, with @why ("DMA write to 0x1000 outside its mappings") shown
 * in /proc/modules ("(faulted)" after the address) and in
 * /proc/module_entitlements. From then on the module is refused every DMA,
 * MMIO, interrupt and port request; rmmod still works. Safe in interrupt
 * context; the first reason is kept. NULL is ignored (the kernel's own).
 */
void module_mark_faulted(struct module *m, const char *why);
/* The same for the module whose memory holds @addr (any of its code or data). */
void module_mark_faulted_addr(const void *addr, const char *why);
#else
static inline bool module_may_dma(const void *caller, const struct device *dev,
				  const char *api) { return true; }
static inline bool module_may_ioremap(const void *caller, uint64_t phys, size_t size,
				      const char *api)
{
	return true;
}
static inline bool module_may_request_irq(const void *caller, unsigned int irq) { return true; }
static inline bool module_may_request_region(const void *caller, unsigned long start,
					     unsigned long n) { return true; }
static inline bool module_may_bind_pci(const void *drv, const char *dev_name, uint32_t vendor,
				       uint32_t device, uint32_t class) { return true; }
static inline bool module_may_bind_virtio(const void *drv, const char *dev_name,
					  uint32_t device, uint32_t vendor) { return true; }
static inline void module_mark_faulted(struct module *m, const char *why) {}
static inline void module_mark_faulted_addr(const void *addr, const char *why) {}
#endif

/* --- unloaded modules (kernel/module/unloaded.c) ------------------------------------- */
/* Remember [base, base+size) as @name's former memory. */
void module_remember_unloaded(const char *name, uintptr_t base, size_t size);
/* The unloaded module whose former memory held @addr, or NULL. */
const char *module_unloaded_at(uintptr_t addr);
/* The last module unloaded ("" if none), for panic dumps. */
const char *module_last_unloaded(void);

extern struct list_head modules;

/* Take/drop a reference on a module (a device opened through it, ...). */
bool try_module_get(struct module *m);
void module_put(struct module *m);

/* Symbolize @addr inside a loaded module: "func+0x12/0x40 [name]" or 0. */
int module_ksym_snprint(char *buf, size_t size, uintptr_t addr);
int module_ksym_snprint_at(char *buf, size_t size, uintptr_t addr, uintptr_t lookup);

#endif
