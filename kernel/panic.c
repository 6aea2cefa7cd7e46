/*
 * panic(): the one path for every fatal condition. It stops interrupts,
 * prints a human-readable dump (reason, registers, control registers, code
 * bytes, stack, symbolized call trace, recent log) and one machine-readable
 * line, "BASALT-PANIC v1 {json} crc32=XXXXXXXX", that scripts/decode-panic
 * and the test runner parse. Then it halts (leaving QEMU through
 * isa-debug-exit when present) or resets, as panic= says. A panic during
 * the panic prints a short raw record and stops.
 *
 * On several CPUs the first CPU to panic owns the dump (panic_cpu). It
 * stops the others with an NMI; each saves its registers, task and
 * frame-pointer trace in its slot of panic_cpus[] and halts, and the dump
 * and the record show every CPU. A CPU that panics while another owns the
 * dump leaves its reason in its slot and waits to be stopped.
 */
#include <asm/cpu.h>
#include <asm/io.h>
#include <asm/irq.h>
#include <asm/pgtable.h>
#include <asm/ptrace.h>
#include <asm/smp.h>
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
#define CPU_FRAMES	16		/* return addresses kept per stopped CPU */
#define STOP_WAIT_US	100000		/* how long the others get to stop */
#define PANIC_CPU_NONE	(-1)

/*
 * What the dump shows of a CPU other than the panicking one. Slot N is
 * written only by CPU N; `stopped` is stored last (release), so a reader
 * that sees it set (acquire) sees the rest. `also_reason` likewise covers
 * `also_msg`.
 */
struct panic_cpu_slot {
	int stopped;
	bool by_nmi;			/* false: stopped itself (NMIs were blocked) */
	bool rip_is_return;
	int pid;
	char comm[TASK_COMM_LEN];
	struct pt_regs regs;
	unsigned int nframes;
	uintptr_t pcs[CPU_FRAMES];
	const char *also_reason;	/* it panicked too, while another CPU dumped */
	char also_msg[128];
};

static struct panic_cpu_slot panic_cpus[NR_CPUS];
/* The dump's view of each slot, fixed once the wait is over. */
static bool cpu_stopped[NR_CPUS];
static const char *cpu_also_reason[NR_CPUS];
static int panic_cpu = PANIC_CPU_NONE;	/* the CPU that owns the dump */

bool panic_in_progress(void)
{
	return __atomic_load_n(&panic_cpu, __ATOMIC_RELAXED) != PANIC_CPU_NONE;
}
static int panic_stop_sent;		/* its NMIs to the others are on their way */

const char *panic_reason;
static int panic_action_reboot;	/* panic=reboot or panic=N */
static unsigned int panic_timeout;
static char panic_msg[256];
static char json[32768];	/* 8 CPUs of 16 frames fit with room to spare */
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

static __noreturn void stop_this_cpu(void)
{
	for (;;) {
		local_irq_disable();
		halt();
	}
}

/* Fill this CPU's slot for the panicking CPU's dump and publish it. */
static void save_this_cpu(unsigned int cpu, const struct pt_regs *regs, bool rip_is_ret,
			  uintptr_t rbp, bool by_nmi)
{
	struct panic_cpu_slot *s = &panic_cpus[cpu];

	s->regs = *regs;
	s->rip_is_return = rip_is_ret;
	s->by_nmi = by_nmi;
	s->pid = current ? current->pid : 0;
	strlcpy(s->comm, current ? current->comm : "?", sizeof(s->comm));
	/* a user-mode rbp is refused by the unwinder's kernel_readable() */
	s->nframes = unwind(rbp, s->pcs, CPU_FRAMES);
	__atomic_store_n(&s->stopped, 1, __ATOMIC_RELEASE);
}

bool panic_nmi(struct pt_regs *regs)
{
	int owner = __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE);
	unsigned int cpu = smp_processor_id();

	if (owner == PANIC_CPU_NONE)
		return false;
	if (owner == (int)cpu)
		return true;	/* a late NMI (the lockup detector?) on the dumping CPU */
	if (cpu < NR_CPUS)
		save_this_cpu(cpu, regs, false, regs->rbp, true);
	stop_this_cpu();
}

/*
 * This CPU panicked while another CPU owns the dump: leave the reason in
 * this CPU's slot and wait, interrupts off, for the owner's NMI, which
 * panic_nmi() answers. If the NMI was sent but does not come, this CPU is
 * inside an NMI handler already (NMIs stay blocked until its iret): it
 * saves the registers of its own panic and stops.
 */
static __noreturn void panic_on_other_cpu(unsigned int cpu, const char *reason,
					  const struct pt_regs *regs, bool rip_is_ret,
					  uintptr_t rbp, const char *fmt, va_list ap)
{
	struct panic_cpu_slot *s;

	if (cpu >= NR_CPUS)
		stop_this_cpu();
	s = &panic_cpus[cpu];
	vsnprintf(s->also_msg, sizeof(s->also_msg), fmt, ap);
	__atomic_store_n(&s->also_reason, reason, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&panic_stop_sent, __ATOMIC_ACQUIRE))
		cpu_relax();
	udelay(1000);		/* an NMI arrives within microseconds */
	save_this_cpu(cpu, regs, rip_is_ret, rbp, false);
	stop_this_cpu();
}

static bool others_stopped(unsigned int self)
{
	for (unsigned int cpu = 0; cpu < cpus_online && cpu < NR_CPUS; cpu++)
		if (cpu != self && !__atomic_load_n(&panic_cpus[cpu].stopped, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

/*
 * NMI every other online CPU and give them STOP_WAIT_US to save their
 * state; then fix the dump's view, so a CPU that stops late cannot make
 * the human dump and the record disagree.
 */
static void stop_other_cpus(unsigned int self)
{
	if (cpus_online > 1) {
		__atomic_store_n(&panic_stop_sent, 1, __ATOMIC_RELEASE);
		smp_send_nmi_allbutself();
		for (unsigned int us = 0; us < STOP_WAIT_US && !others_stopped(self); us += 10)
			udelay(10);
	}
	for (unsigned int cpu = 0; cpu < cpus_online && cpu < NR_CPUS; cpu++) {
		if (cpu == self)
			continue;
		cpu_stopped[cpu] = __atomic_load_n(&panic_cpus[cpu].stopped, __ATOMIC_ACQUIRE);
		cpu_also_reason[cpu] = __atomic_load_n(&panic_cpus[cpu].also_reason,
						       __ATOMIC_ACQUIRE);
	}
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

static void print_trace(uintptr_t rip, bool rip_is_ret, const uintptr_t *pcs, unsigned int n)
{
	char sym[128];

	symbolize(sym, sizeof(sym), rip, rip_is_ret);
	outf(" [<%016lx>] %s\n", rip, sym);
	for (unsigned int i = 0; i < n; i++) {
		symbolize(sym, sizeof(sym), pcs[i], true);
		outf(" [<%016lx>] %s\n", pcs[i], sym);
	}
}

/* After the panicking CPU's own trace: what every other online CPU was doing. */
static void dump_other_cpus(unsigned int self)
{
	char sym[128];

	if (cpus_online <= 1)
		return;
	outf("CPU %u: panicking (registers and Call Trace above)\n", self);
	for (unsigned int cpu = 0; cpu < cpus_online && cpu < NR_CPUS; cpu++) {
		const struct panic_cpu_slot *s = &panic_cpus[cpu];
		const struct pt_regs *r = &s->regs;

		if (cpu == self)
			continue;
		if (!cpu_stopped[cpu]) {
			outf("CPU %u: did not stop\n", cpu);
		} else {
			outf("CPU %u: %s, PID %d Comm %s\n", cpu,
			     s->by_nmi ? "stopped by NMI" : "stopped itself (its NMIs were blocked)",
			     s->pid, s->comm);
			symbolize(sym, sizeof(sym), r->rip, s->rip_is_return);
			outf(" RIP: %04lx:%s (%016lx)\n", r->cs, sym, r->rip);
			outf(" RSP: %016lx RBP: %016lx EFLAGS: %08lx\n", r->rsp, r->rbp, r->rflags);
			out(" Call Trace:\n");
			print_trace(r->rip, s->rip_is_return, s->pcs, s->nframes);
		}
		if (cpu_also_reason[cpu])
			outf("CPU %u was panicking too: %s: %s\n", cpu, cpu_also_reason[cpu],
			     s->also_msg);
	}
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

/* A DMA fault that is the panic's cause (drivers/iommu/intel-iommu.c, iommu.fault=panic). */
static struct {
	bool set;
	char device[16], dir[8], driver[24], module[56];
	uint64_t addr;
	unsigned int reason;
} dma_fault;

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "?");
}

void panic_note_dma_fault(const char *device, uint64_t addr, const char *dir, const char *driver,
			  const char *module, unsigned int reason_code)
{
	copy_str(dma_fault.device, sizeof(dma_fault.device), device);
	copy_str(dma_fault.dir, sizeof(dma_fault.dir), dir);
	copy_str(dma_fault.driver, sizeof(dma_fault.driver), driver);
	copy_str(dma_fault.module, sizeof(dma_fault.module), module);
	dma_fault.addr = addr;
	dma_fault.reason = reason_code;
	dma_fault.set = true;
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
	if (dma_fault.set)
		outf("DMA fault: device %s %s of %#lx, driver %s, module %s, fault reason %#x\n",
		     dma_fault.device, dma_fault.dir, (unsigned long)dma_fault.addr, dma_fault.driver,
		     dma_fault.module, dma_fault.reason);
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

/* @key: [{addr, sym}], frame 0 at @rip (a return address if @rip_is_ret). */
static void emit_frames(struct json_buf *j, const char *key, uintptr_t rip, bool rip_is_ret,
			const uintptr_t *pcs, unsigned int n)
{
	char sym[128];

	json_key_open(j, key, '[');
	for (unsigned int i = 0; i <= n; i++) {
		uintptr_t pc = i == 0 ? rip : pcs[i - 1];

		symbolize(sym, sizeof(sym), pc, i > 0 || rip_is_ret);
		json_open(j, '{');
		json_key_hex(j, "addr", pc);
		json_key_string(j, "sym", sym);
		json_close(j, '}');
	}
	json_close(j, ']');
}

/*
 * "cpus": one entry per online CPU. The panicking CPU's frames are the
 * record's "backtrace"; a stopped CPU's entry has its own registers and
 * frames (frame 0 is where the NMI found it).
 */
static void emit_cpus(struct json_buf *j, const struct pt_regs *own)
{
	unsigned int self = smp_processor_id();

	json_key_open(j, "cpus", '[');
	for (unsigned int cpu = 0; cpu < cpus_online && cpu < NR_CPUS; cpu++) {
		const struct panic_cpu_slot *s = &panic_cpus[cpu];
		bool me = cpu == self, stopped = !me && cpu_stopped[cpu];
		const struct pt_regs *r = me ? own : &s->regs;

		json_open(j, '{');
		json_key_u64(j, "cpu", cpu);
		json_key_bool(j, "panicking", me);
		json_key_bool(j, "stopped", stopped);
		if (me || stopped) {
			json_key_u64(j, "pid", me ? (current ? current->pid : 0) : s->pid);
			json_key_string(j, "comm", me ? (current ? current->comm : "?") : s->comm);
			json_key_hex(j, "rip", r->rip);
			json_key_hex(j, "rsp", r->rsp);
			json_key_hex(j, "rbp", r->rbp);
		}
		if (stopped) {
			json_key_bool(j, "by_nmi", s->by_nmi);
			json_key_bool(j, "rip_is_return", s->rip_is_return);
			emit_frames(j, "frames", r->rip, s->rip_is_return, s->pcs, s->nframes);
		}
		json_key_string(j, "also_panicking", me || !cpu_also_reason[cpu] ?
				"" : cpu_also_reason[cpu]);
		json_key_string(j, "also_message", me || !cpu_also_reason[cpu] ? "" : s->also_msg);
		json_close(j, '}');
	}
	json_close(j, ']');
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
	uint32_t crc;

	json_open(&j, '{');
	json_key_string(&j, "reason", reason);
	json_key_string(&j, "message", panic_msg);
	json_key_u64(&j, "cpu", smp_processor_id());
	json_key_u64(&j, "pid", current ? (uint64_t)current->pid : 0);
	json_key_string(&j, "comm", current ? current->comm : "?");
	json_key_string(&j, "taint", taint_string());
	json_key_string(&j, "last_unloaded", module_last_unloaded());
	json_key_string(&j, "integrity", integrity_note);
	if (dma_fault.set) {
		json_key_open(&j, "dma_fault", '{');
		json_key_string(&j, "device", dma_fault.device);
		json_key_hex(&j, "address", dma_fault.addr);
		json_key_string(&j, "direction", dma_fault.dir);
		json_key_string(&j, "driver", dma_fault.driver);
		json_key_string(&j, "module", dma_fault.module);
		json_key_u64(&j, "fault_reason", dma_fault.reason);
		json_close(&j, '}');
	}
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
	emit_frames(&j, "backtrace", r->rip, rip_is_return, pcs, n);
	emit_cpus(&j, r);
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
	unsigned int self = smp_processor_id();
	uintptr_t pcs[MAX_FRAMES];
	unsigned int n;

	stop_other_cpus(self);	/* first: nothing changes under the dump */
	out("------------[ cut here ]------------\n");
	outf("Kernel panic - not syncing: %s\n", panic_msg);
	outf("reason: %s\n", reason);
	outf("CPU: %u PID: %d Comm: %s Tainted: %s Basalt %s\n", self,
	     current ? current->pid : 0, current ? current->comm : "?", taint_string(),
	     BASALT_VERSION);
	dump_regs(regs);
	dump_code(regs->rip);
	dump_stack_window(regs->rsp);
	n = unwind(rbp, pcs, MAX_FRAMES);
	out("Call Trace:\n");
	print_trace(regs->rip, rip_is_return, pcs, n);
	dump_other_cpus(self);
	dump_modules();
	check_integrity_at_panic(reason);
	out("Last kernel messages:\n");
	log_buf_tail(20, print_log_line, NULL);
	emit_record(reason, regs, pcs, n);
	outf("---[ end Kernel panic - not syncing: %s ]---\n", panic_msg);
	panic_finish();
}

/* Second panic on the CPU that is dumping the first: the bare facts, then stop. */
static __noreturn void nested_panic(const char *reason, uintptr_t rip)
{
	outf("\nBASALT: nested panic '%s' at %016lx while handling '%s'\n", reason, rip,
	     panic_reason ? panic_reason : "?");
	qemu_exit(QEMU_EXIT_PANIC);
	for (;;)
		halt();
}

/*
 * The panic lock: the first CPU to get here owns the dump; a later panic
 * on it is a nested one, a panic on another CPU waits to be stopped.
 */
static __noreturn void panic_begin(const char *reason, const struct pt_regs *regs,
				   bool rip_is_ret, uintptr_t rbp, const char *fmt, va_list ap)
{
	unsigned int cpu = smp_processor_id();
	int owner = PANIC_CPU_NONE;

	if (!__atomic_compare_exchange_n(&panic_cpu, &owner, (int)cpu, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		if (owner == (int)cpu)
			nested_panic(reason, regs->rip);
		panic_on_other_cpu(cpu, reason, regs, rip_is_ret, rbp, fmt, ap);
	}
	panic_reason = reason;
	vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	rip_is_return = rip_is_ret;
	do_panic(reason, regs, rbp);
}

void panic_regs(const char *reason, struct pt_regs *regs, const char *fmt, ...)
{
	va_list ap;

	local_irq_disable();
	va_start(ap, fmt);
	panic_begin(reason, regs, false, regs->rbp, fmt, ap);
}

void panic(const char *reason, const char *fmt, ...)
{
	struct pt_regs regs;
	va_list ap;

	local_irq_disable();
	arch_capture_regs(&regs);
	regs.rip = (uintptr_t)__builtin_return_address(0);
	va_start(ap, fmt);
	/* the trace starts in panic's caller */
	panic_begin(reason, &regs, true, ((uintptr_t *)regs.rbp)[0], fmt, ap);
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
