/*
 * The kernel core's public interface: logging (printk and the consoles it
 * writes to), panic and assertions, initcalls, the command line, the
 * kernel's own symbol table and time.
 */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/errno.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define __unused	__attribute__((unused))
#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

/* Errors in pointers, as in Linux: the top 4095 addresses are -errno values. */
#define MAX_ERRNO	4095
#define ERR_PTR(err)	((void *)(intptr_t)(long)(err))
#define PTR_ERR(ptr)	((long)(intptr_t)(ptr))
#define IS_ERR(ptr)	unlikely((uintptr_t)(ptr) >= (uintptr_t)-MAX_ERRNO)
#define IS_ERR_OR_NULL(ptr) (!(ptr) || IS_ERR(ptr))

/* --- printk: Linux-style levels as a "\001N" prefix ------------------------ */
#define KERN_SOH	"\001"
#define KERN_EMERG	KERN_SOH "0"
#define KERN_ALERT	KERN_SOH "1"
#define KERN_CRIT	KERN_SOH "2"
#define KERN_ERR	KERN_SOH "3"
#define KERN_WARNING	KERN_SOH "4"
#define KERN_NOTICE	KERN_SOH "5"
#define KERN_INFO	KERN_SOH "6"
#define KERN_DEBUG	KERN_SOH "7"

__printf(1, 2) int printk(const char *fmt, ...);
int vprintk(const char *fmt, va_list ap);

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define pr_err(fmt, ...)	printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...)	printk(KERN_NOTICE pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)	printk(KERN_DEBUG pr_fmt(fmt), ##__VA_ARGS__)

extern int console_loglevel;

/*
 * A console receives every printk line at or above the console log level.
 * write() may be called with interrupts off and must not sleep.
 */
struct console {
	const char *name;
	void (*write)(struct console *con, const char *s, size_t len);
	struct console *next;
};

void register_console(struct console *con);
/* Write raw bytes to every console (panic uses this; no log buffer). */
void console_write_all(const char *s, size_t len);

/* Copy the log buffer (oldest first) into buf; returns bytes copied. */
size_t log_buf_read(char *buf, size_t size);
/* Visit the last @n lines of the log, oldest first. */
void log_buf_tail(unsigned int n, void (*fn)(const char *line, size_t len, void *ctx),
		  void *ctx);

/* --- panic and assertions -------------------------------------------------- */
struct pt_regs;

__noreturn __printf(2, 3) void panic(const char *reason, const char *fmt, ...);
/* The fields of a DMA fault, for the dump and record of the panic that follows (iommu.fault=panic). */
void panic_note_dma_fault(const char *device, uint64_t addr, const char *dir, const char *driver,
			  const char *module, unsigned int reason_code);
/* Panic with the registers of an exception or interrupt frame. */
__noreturn __printf(3, 4) void panic_regs(const char *reason, struct pt_regs *regs,
					  const char *fmt, ...);
extern const char *panic_reason;	/* non-NULL once a panic has begun */
/*
 * The NMI handler asks first: false when no panic is in progress. While
 * another CPU panics, the NMI is its stop request: this CPU's registers and
 * backtrace are saved for the dump and it halts (no return). On the
 * panicking CPU itself the NMI is ignored (true).
 */
bool panic_nmi(struct pt_regs *regs);
/* Console output outside printk (the TTY layer) takes printk's lock too. */
unsigned long console_lock_irqsave(bool *locked);
void console_unlock_irqrestore(unsigned long flags, bool locked);
/* Some CPU is panicking (printk stops waiting for its lock). */
bool panic_in_progress(void);
/*
 * The hard-lockup detector's NMI check: true if the NMI was its own (and is
 * handled). A weak default (arch/x86/cpu/traps.c) says false.
 */
bool watchdog_nmi(struct pt_regs *regs);
/*
 * Re-hash kernel text/rodata and module text (kernel/watchdog.c): NULL if
 * unchanged, else the region's name (*module_name set for a module).
 */
const char *integrity_check(const char **module_name);
/* Keep the panic record line in RAM that survives a warm reboot. */
void pstore_save(const char *text, size_t len);

#define BUG()	panic("bug", "BUG at %s:%d in %s()", __FILE__, __LINE__, __func__)
#define BUG_ON(cond)                                                         \
	do {                                                                 \
		if (unlikely(cond))                                          \
			panic("bug", "BUG_ON(%s) at %s:%d in %s()", #cond,   \
			      __FILE__, __LINE__, __func__);                 \
	} while (0)
#define WARN_ON(cond)                                                        \
	({                                                                   \
		int __c = !!(cond);                                          \
		if (unlikely(__c))                                           \
			pr_warn("WARNING: %s at %s:%d in %s()\n", #cond,     \
				__FILE__, __LINE__, __func__);               \
		__c;                                                         \
	})

/* --- initcalls: drivers register themselves; kmain never names them ------- */
typedef int (*initcall_t)(void);
#define __define_initcall(fn, lvl)                                           \
	static const initcall_t __initcall_##fn                              \
		__attribute__((used, section(".initcall" #lvl))) = fn
#define core_initcall(fn)	__define_initcall(fn, 1)
#define arch_initcall(fn)	__define_initcall(fn, 2)
#define subsys_initcall(fn)	__define_initcall(fn, 4)
#define device_initcall(fn)	__define_initcall(fn, 6)
#define late_initcall(fn)	__define_initcall(fn, 7)
void do_initcalls(void);

/* --- kernel command line -------------------------------------------------- */
/*
 * Options are declared where they are used with CMDLINE_OPTION(); the parser
 * checks every word of the command line against that table, so an unknown
 * option is reported rather than silently ignored.
 */
struct cmdline_option {
	const char *name;
	int (*set)(const char *value);	/* value is NULL for a bare flag */
};
#define CMDLINE_OPTION(optname, fn)                                          \
	static const struct cmdline_option __cmdline_##fn                    \
		__attribute__((used, section(".cmdline_opts"), aligned(8))) = { \
			.name = optname, .set = fn }
#define BOOT_CMDLINE_SIZE 512
/* Split the command line into words (no side effects yet). */
void cmdline_parse(const char *cmdline);
/* Run each option's handler; report unknown options and bad values. */
void cmdline_apply(void);
/* Value of option @name from the command line, or NULL. */
const char *cmdline_get(const char *name);
extern char saved_command_line[];

/* --- symbols ---------------------------------------------------------------- */
/* Name of the function containing @addr; offset and size through pointers. */
const char *ksym_lookup(uintptr_t addr, uintptr_t *offset, uintptr_t *size);
/* Format "func+0x1c/0x80" (or the bare hex address) into buf. */
int ksym_snprint(char *buf, size_t size, uintptr_t addr);
/*
 * The same for a return address: the call may be the function's last
 * instruction (a call to a noreturn function), so look up addr - 1.
 */
int ksym_snprint_ret(char *buf, size_t size, uintptr_t addr);
/* Address of a kernel function by name, or 0. */
uintptr_t ksym_address(const char *name);

/* --- time ------------------------------------------------------------------ */
extern volatile uint64_t jiffies;
/* Nanoseconds since boot, monotonic (TSC calibrated against the PIT). */
uint64_t ktime_ns(void);
uint64_t tsc_khz(void);
void udelay(unsigned long us);
/* Set the wall clock: @epoch_sec is now (read from the RTC at boot). */
void time_set_realtime(uint64_t epoch_sec);
/* struct timespec as the x86-64 ABI passes it to system calls. */
struct kernel_timespec {
	int64_t sec;
	int64_t nsec;
};
/* Read and validate a user timespec as nanoseconds; 0, -EFAULT or -EINVAL. */
int timespec_from_user(const void *utimespec, uint64_t *ns);

/* Wall-clock time in nanoseconds since the Unix epoch. */
uint64_t ktime_real_ns(void);
void mdelay(unsigned long ms);

/* --- misc ------------------------------------------------------------------- */
/* Leave QEMU through isa-debug-exit (no-op on other machines). */
void qemu_exit(uint8_t code);
#define QEMU_EXIT_SUCCESS	0x10	/* QEMU exits with status 33 */
#define QEMU_EXIT_FAILURE	0x11	/* 35 */
#define QEMU_EXIT_PANIC		0x20	/* 65 */

/* Random bits for canaries and AT_RANDOM: RDRAND when present, else TSC mix. */
uint64_t get_random_u64(void);

void kmain(void);
__noreturn void __stack_chk_fail(void);
void ksyms_init(void);
/* Register the boot console (serial); weak no-op if none is configured. */
void early_console_init(void);


#endif
