/*
 * panic(): the one path for every fatal condition. It stops interrupts,
 * prints a human-readable dump (reason, registers, control registers, code
 * bytes, stack, symbolized call trace, recent log) and one machine-readable
 * line, "BASALT-PANIC v1 {json} crc32=XXXXXXXX", that scripts/decode-panic
 * and the test runner parse. Then it halts (leaving QEMU through
 * isa-debug-exit when present) or resets, as panic= says. A panic during
 * the panic prints a short raw record and stops.
 */
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/irq.h>
#include <asm/pgtable.h>
#include <asm/ptrace.h>
#include "kernel/kernel.h"
#include <asm/setup.h>
#include "kernel/module.h"
#include "kernel/sched.h"
#include "lib/json.h"
#include "lib/list.h"
#include "lib/crc32.h"
#include "lib/printf.h"
#include "lib/string.h"

#define MAX_FRAMES	32

const char *panic_reason;
static int panic_action_reboot;	/* panic=reboot or panic=N */
static unsigned int panic_timeout;
static char panic_msg[256];
static char json[16384];
static bool rip_is_return;	/* panic() rather than an exception frame */
static const char *integrity_note = "not checked";
static char integrity_buf[96];

uint64_t __stack_chk_guard;

static int set_panic(const char *v)
{
	if (!v)
		return -EINVAL;
	if (!strcmp(v, "halt")) {
		panic_action_reboot = 0;
	} else if (!strcmp(v, "reboot")) {
		panic_action_reboot = 1;
	} else {
		char *end;
		unsigned long long n = kstrtoull(v, &end, 10);

		if (*end || end == v)
			return -EINVAL;
		panic_action_reboot = n > 0;
		panic_timeout = n;
	}
	return 0;
}
CMDLINE_OPTION("panic", set_panic);

static void out(const char *s)
{
	console_write_all(s, strlen(s));
}

static __printf(1, 2) void outf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write_all(buf, MIN(n, (int)sizeof(buf) - 1));
}

static void symbolize(char *buf, size_t size, uintptr_t pc, bool is_return)
{
	if (is_return)
		ksym_snprint_ret(buf, size, pc);
	else
		ksym_snprint(buf, size, pc);
}

static bool kernel_readable(uintptr_t addr, size_t len)
{
	if (addr < 0xffff800000000000UL)
		return false;
	for (uintptr_t p = addr & PAGE_MASK; p < addr + len; p += PAGE_SIZE)
		if (!kpte_lookup(p, NULL))
			return false;
	return true;
}

/* Return addresses from the frame-pointer chain starting at @rbp. */
static unsigned int unwind(uintptr_t rbp, uintptr_t *pcs, unsigned int max)
{
	unsigned int n = 0;

	while (n < max && rbp && !(rbp & 7) && kernel_readable(rbp, 16)) {
		uintptr_t next = ((uintptr_t *)rbp)[0];
		uintptr_t ret = ((uintptr_t *)rbp)[1];

		if (!ret)
			break;
		pcs[n++] = ret;
		if (next <= rbp)
			break;
		rbp = next;
	}
	return n;
}

static void dump_regs(const struct pt_regs *r)
{
	char sym[128];

	symbolize(sym, sizeof(sym), r->rip, rip_is_return);
	outf("RIP: %04lx:%s (%016lx)\n", r->cs, sym, r->rip);
	outf("RSP: %04lx:%016lx EFLAGS: %08lx\n", r->ss, r->rsp, r->rflags);
	outf("RAX: %016lx RBX: %016lx RCX: %016lx\n", r->rax, r->rbx, r->rcx);
	outf("RDX: %016lx RSI: %016lx RDI: %016lx\n", r->rdx, r->rsi, r->rdi);
	outf("RBP: %016lx R08: %016lx R09: %016lx\n", r->rbp, r->r8, r->r9);
	outf("R10: %016lx R11: %016lx R12: %016lx\n", r->r10, r->r11, r->r12);
	outf("R13: %016lx R14: %016lx R15: %016lx\n", r->r13, r->r14, r->r15);
	outf("CR0: %016lx CR2: %016lx CR3: %016lx\n", read_cr0(), read_cr2(), read_cr3());
	outf("CR4: %016lx EFER: %016lx ERR: %016lx\n", read_cr4(), rdmsr(MSR_EFER),
	     r->error_code);
}

static void dump_code(uintptr_t rip)
{
	out("Code:");
	if (!kernel_readable(rip - 32, 48)) {
		out(" (unreadable)\n");
		return;
	}
	for (int i = -32; i < 16; i++)
		outf(i == 0 ? " <%02x>" : " %02x", ((const uint8_t *)rip)[i]);
	out("\n");
}

static void dump_stack_window(uintptr_t rsp)
{
	out("Stack:\n");
	for (int i = 0; i < 8; i++) {
		uintptr_t p = rsp + i * 32;

		if (!kernel_readable(p, 32))
			break;
		outf(" %016lx: %016lx %016lx %016lx %016lx\n", p, ((uint64_t *)p)[0],
		     ((uint64_t *)p)[1], ((uint64_t *)p)[2], ((uint64_t *)p)[3]);
	}
}

static void hex8(char out[17], const uint8_t *b)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 8; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[16] = '\0';
}

/* Linux-style taint letters; "-" when clean. */
static const char *taint_string(void)
{
	static char t[8];
	int n = 0;

	if (kernel_taint & TAINT_UNSIGNED_MODULE)
		t[n++] = 'E';
	if (!n)
		t[n++] = '-';
	t[n] = '\0';
	return t;
}

static void dump_modules(void)
{
	struct module *m;
	char hash[17];

	if (list_empty(&modules)) {
		out("Modules linked in: (none)");
	} else {
		out("Modules linked in:");
		list_for_each_entry(m, &modules, node)
			outf(" %s", m->name);
	}
	if (*module_last_unloaded())
		outf(" [last unloaded: %s]", module_last_unloaded());
	out("\n");
	list_for_each_entry(m, &modules, node) {
		hex8(hash, m->text_hash);
		outf("  %-16s base %016lx size %6lu text-sha512 %s key %s\n", m->name,
		     (uintptr_t)m->base, m->size, hash, m->key_id);
	}
}

/* The watchdog's check once more, during the panic itself. */
static void check_integrity_at_panic(const char *reason)
{
	const char *mod = NULL, *bad = integrity_check(&mod);

	if (!bad)
		integrity_note = "kernel text, rodata and module text unchanged";
	else if (mod)
		snprintf(integrity_buf, sizeof(integrity_buf), "module %s text MODIFIED", mod);
	else
		snprintf(integrity_buf, sizeof(integrity_buf), "kernel %s MODIFIED", bad);
	if (bad)
		integrity_note = integrity_buf;
	outf("Integrity: %s\n", integrity_note);
}

static void print_log_line(const char *line, size_t len, void *ctx)
{
	const char *p = line;

	if (len > 3 && line[0] == '<' && line[2] == '>') {	/* drop "<N>" */
		p += 3;
		len -= 3;
	}
	out(" ");
	console_write_all(p, len);
	out("\n");
}

static void json_log_line(const char *line, size_t len, void *ctx)
{
	struct json_buf *j = ctx;

	if (len > 3 && line[0] == '<' && line[2] == '>') {
		line += 3;
		len -= 3;
	}
	json_array_string(j, line, len);
}

/* Keep "BASALT-PANIC v1 {json} crc32=..." in RAM for the next boot. */
static void save_record(const char *js, size_t len, uint32_t crc)
{
	static char line[sizeof(json) + 64];
	size_t n = (size_t)snprintf(line, sizeof(line), "BASALT-PANIC v1 ");

	len = MIN(len, sizeof(line) - n - 20);
	memcpy(line + n, js, len);
	n += len;
	n += (size_t)snprintf(line + n, sizeof(line) - n, " crc32=%08x", crc);
	pstore_save(line, n);
}

static void emit_record(const char *reason, const struct pt_regs *r,
			const uintptr_t *pcs, unsigned int n)
{
	struct json_buf j = JSON_BUF_INIT(json, sizeof(json));
	static const char *const names[] = { "r15", "r14", "r13", "r12", "r11", "r10",
					     "r9",  "r8",  "rbp", "rdi", "rsi", "rdx",
					     "rcx", "rbx", "rax" };
	const uint64_t *gpr = &r->r15;
	struct module *m;
	char sym[128];
	uint32_t crc;

	json_open(&j, '{');
	json_key_string(&j, "reason", reason);
	json_key_string(&j, "message", panic_msg);
	json_key_u64(&j, "cpu", 0);
	json_key_u64(&j, "pid", current ? (uint64_t)current->pid : 0);
	json_key_string(&j, "comm", current ? current->comm : "?");
	json_key_string(&j, "taint", taint_string());
	json_key_string(&j, "last_unloaded", module_last_unloaded());
	json_key_string(&j, "integrity", integrity_note);
	/* frame 0 is a return address (panic()) or the faulting instruction */
	json_key_u64(&j, "rip_is_return", rip_is_return);
	json_key_u64(&j, "uptime_ns", ktime_ns());
	json_key_open(&j, "regs", '{');
	json_key_hex(&j, "rip", r->rip);
	json_key_hex(&j, "rsp", r->rsp);
	json_key_hex(&j, "rflags", r->rflags);
	json_key_hex(&j, "cs", r->cs);
	json_key_hex(&j, "error_code", r->error_code);
	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++)
		json_key_hex(&j, names[i], gpr[i]);
	json_key_hex(&j, "cr0", read_cr0());
	json_key_hex(&j, "cr2", read_cr2());
	json_key_hex(&j, "cr3", read_cr3());
	json_key_hex(&j, "cr4", read_cr4());
	json_key_hex(&j, "efer", rdmsr(MSR_EFER));
	json_close(&j, '}');
	json_key_open(&j, "backtrace", '[');
	for (unsigned int i = 0; i <= n; i++) {
		uintptr_t pc = i == 0 ? r->rip : pcs[i - 1];

		symbolize(sym, sizeof(sym), pc, i > 0 || rip_is_return);
		json_open(&j, '{');
		json_key_hex(&j, "addr", pc);
		json_key_string(&j, "sym", sym);
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_key_open(&j, "modules", '[');
	list_for_each_entry(m, &modules, node) {
		char hash[17];

		hex8(hash, m->text_hash);
		json_open(&j, '{');
		json_key_string(&j, "name", m->name);
		json_key_hex(&j, "base", (uintptr_t)m->base);
		json_key_u64(&j, "size", m->size);
		json_key_string(&j, "text_sha512", hash);
		json_key_string(&j, "key", m->key_id);
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_key_open(&j, "log", '[');
	log_buf_tail(20, json_log_line, &j);
	json_close(&j, ']');
	json_close(&j, '}');

	crc = crc32(0, json, j.len);
	out("BASALT-PANIC v1 ");
	console_write_all(json, j.len);
	outf(" crc32=%08x\n", crc);
	save_record(json, j.len, crc);
}

static __noreturn void panic_finish(void)
{
	if (panic_action_reboot) {
		outf("Rebooting in %u seconds..\n", panic_timeout);
		mdelay(panic_timeout * 1000UL);
		machine_reboot();
	}
	qemu_exit(QEMU_EXIT_PANIC);
	for (;;) {
		local_irq_disable();
		halt();
	}
}

static __noreturn void do_panic(const char *reason, const struct pt_regs *regs,
				uintptr_t rbp)
{
	uintptr_t pcs[MAX_FRAMES];
	unsigned int n;
	char sym[128];

	out("------------[ cut here ]------------\n");
	outf("Kernel panic - not syncing: %s\n", panic_msg);
	outf("reason: %s\n", reason);
	outf("CPU: 0 PID: %d Comm: %s Tainted: %s Basalt %s\n", current ? current->pid : 0,
	     current ? current->comm : "?", taint_string(), BASALT_VERSION);
	dump_regs(regs);
	dump_code(regs->rip);
	dump_stack_window(regs->rsp);
	n = unwind(rbp, pcs, MAX_FRAMES);
	out("Call Trace:\n");
	symbolize(sym, sizeof(sym), regs->rip, rip_is_return);
	outf(" [<%016lx>] %s\n", regs->rip, sym);
	for (unsigned int i = 0; i < n; i++) {
		symbolize(sym, sizeof(sym), pcs[i], true);
		outf(" [<%016lx>] %s\n", pcs[i], sym);
	}
	dump_modules();
	check_integrity_at_panic(reason);
	out("Last kernel messages:\n");
	log_buf_tail(20, print_log_line, NULL);
	emit_record(reason, regs, pcs, n);
	outf("---[ end Kernel panic - not syncing: %s ]---\n", panic_msg);
	panic_finish();
}

/* Second panic while dumping the first: print the bare facts and stop. */
static __noreturn void nested_panic(const char *reason, uintptr_t rip)
{
	outf("\nBASALT: nested panic '%s' at %016lx while handling '%s'\n", reason, rip,
	     panic_reason);
	qemu_exit(QEMU_EXIT_PANIC);
	for (;;)
		halt();
}

void panic_regs(const char *reason, struct pt_regs *regs, const char *fmt, ...)
{
	va_list ap;

	local_irq_disable();
	if (panic_reason)
		nested_panic(reason, regs->rip);
	panic_reason = reason;
	va_start(ap, fmt);
	vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	va_end(ap);
	do_panic(reason, regs, regs->rbp);
}

void panic(const char *reason, const char *fmt, ...)
{
	struct pt_regs regs;
	va_list ap;

	local_irq_disable();
	if (panic_reason)
		nested_panic(reason, (uintptr_t)__builtin_return_address(0));
	panic_reason = reason;
	va_start(ap, fmt);
	vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	va_end(ap);
	arch_capture_regs(&regs);
	regs.rip = (uintptr_t)__builtin_return_address(0);
	rip_is_return = true;
	/* the trace starts in panic's caller */
	do_panic(reason, &regs, ((uintptr_t *)regs.rbp)[0]);
}

__noreturn void __stack_chk_fail(void)
{
	char sym[128];

	/* a return address: the call may be the function's last instruction */
	ksym_snprint_ret(sym, sizeof(sym), (uintptr_t)__builtin_return_address(0));
	panic("stack-canary", "stack protector: canary overwritten in %s", sym);
}

void list_corruption(const char *what, void *entry)
{
	panic("list", "list corruption: %s (entry %p)", what, entry);
}
