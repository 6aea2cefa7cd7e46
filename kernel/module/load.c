/*
 * Loading and unloading modules: init_module, finit_module and
 * delete_module, as busybox insmod/rmmod expect. A module is verified
 * (signature, digest, kernel, anti-rollback: kernel/module/signature.c)
 * before its ELF is even parsed, then linked by kernel/module/elf.c into
 * memory near the kernel, made W^X, and only then its init runs. Every
 * refusal has its own errno and one log line naming the module and why.
 */
#include <asm/cpu.h>
#include <asm/pgtable.h>
#include <asm/smp.h>
#include "fs/vfs.h"
#include "kernel/module.h"
#include "kernel/lock.h"
#include "kernel/timer.h"
#include "kernel/workqueue.h"
#include "kernel/module/elf.h"
#include "kernel/module/signature.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/printf.h"
#include "lib/sha512.h"
#include "lib/string.h"
#include "mm/mm.h"

#define MODULE_MAX_SIZE		(64UL << 20)
#define MODULE_ARGS_MAX		1024

extern const struct kernel_symbol __ksymtab_start[], __ksymtab_end[];

#ifdef CONFIG_MODULE_SIG_ENFORCE
static bool sig_enforce = true;
#else
static bool sig_enforce;
#endif

static int set_sig_enforce(const char *v)
{
	if (!v || (strcmp(v, "0") && strcmp(v, "1")))
		return -EINVAL;
	/* the command line may only tighten the policy */
	if (v[0] == '1')
		sig_enforce = true;
	return 0;
}
CMDLINE_OPTION("module.sig_enforce", set_sig_enforce);

struct module *find_module(const char *name)
{
	struct module *m;

	list_for_each_entry(m, &modules, node)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

bool try_module_get(struct module *m)
{
	if (!m || m->state != MODULE_LIVE)
		return false;
	m->refcount++;
	return true;
}

void module_put(struct module *m)
{
	if (m && m->refcount > 0)
		m->refcount--;
}

/* Symbols a module may link against: kernel exports, then live modules'. */
static uint64_t resolve(const char *name, void *ctx)
{
	struct module *self = ctx, *m;

	for (const struct kernel_symbol *s = __ksymtab_start; s < __ksymtab_end; s++)
		if (!strcmp(s->name, name))
			return s->addr;
	list_for_each_entry(m, &modules, node) {
		if (m == self || m->state != MODULE_LIVE)
			continue;
		for (unsigned int i = 0; i < m->nsyms; i++)
			if (!strcmp(m->syms[i].name, name))
				return m->syms[i].addr;
	}
	return 0;
}

static void report_unresolved(const char *name, void *ctx)
{
	struct module *mod = ctx;

	pr_err("module %s: unresolved symbol %s\n", mod->name, name);
}

/* The value of "tag=" in the .modinfo strings, copied into @out. */
static bool modinfo_get(const char *info, size_t len, const char *tag, char *out, size_t size)
{
	size_t tl = strlen(tag);

	for (size_t i = 0; i < len;) {
		const char *s = info + i;
		size_t n = strnlen(s, len - i);

		if (n > tl && !strncmp(s, tag, tl) && s[tl] == '=') {
			strlcpy(out, s + tl + 1, MIN(size, n - tl));
			return true;
		}
		i += n + 1;
	}
	return false;
}

static int set_params(struct module *mod, const struct module_param *p, size_t np,
		      const char *args)
{
	char buf[MODULE_ARGS_MAX], *s = buf;

	strlcpy(buf, args, sizeof(buf));
	while (*s) {
		char *name = s, *val = NULL, *end;
		size_t i;

		while (*s && *s != ' ')
			s++;
		if (*s)
			*s++ = '\0';
		if (!*name)
			continue;
		val = strchr(name, '=');
		if (val)
			*val++ = '\0';
		for (i = 0; i < np && strcmp(p[i].name, name); i++)
			;
		if (i == np) {
			pr_err("module %s: unknown parameter '%s'\n", mod->name, name);
			return -EINVAL;
		}
		if (p[i].type == MODULE_PARAM_STRING) {
			if (!val || strlen(val) >= p[i].size)
				return -EINVAL;
			strcpy(p[i].addr, val);
		} else if (p[i].type == MODULE_PARAM_BOOL) {
			*(bool *)p[i].addr = !val || (val[0] == '1' || val[0] == 'y' || val[0] == 'Y');
		} else {
			long long v = val ? kstrtoll(val, &end, 0) : 0;

			if (!val || *end || end == val) {
				pr_err("module %s: parameter '%s' needs a number\n", mod->name, name);
				return -EINVAL;
			}
			*(int *)p[i].addr = (int)v;
		}
	}
	return 0;
}

struct func_collect {
	struct module *mod;
	unsigned int n;
	struct kernel_symbol *funcs;
	uint64_t *sizes;
};

static void collect_func(const char *name, uint64_t addr, uint64_t size, void *ctx)
{
	struct func_collect *c = ctx;

	if (c->funcs) {
		c->funcs[c->n].addr = addr;
		c->funcs[c->n].name = name;
		c->sizes[c->n] = size;
	}
	c->n++;
}

/*
 * Text RX, rodata R, data RW+NX: W^X before any of the module's code runs.
 * One TLB flush on every CPU after the last page: no CPU keeps a writable
 * entry for the text it may then run (none can run it yet: the module is
 * published only after this).
 */
static void protect(struct module *mod, const struct modelf *e)
{
	uintptr_t base = (uintptr_t)mod->base;

	for (size_t off = 0; off < e->layout.total; off += PAGE_SIZE) {
		uint64_t fl = off < e->layout.rodata_off ? PAGE_KERNEL_RX :
			      off < e->layout.data_off ? PAGE_KERNEL_RO : PAGE_KERNEL_RW;

		kprotect_page_local(base + off, fl);
	}
	smp_flush_tlb_kernel();
}

static void free_module(struct module *mod)
{
	for (unsigned int i = 0; i < mod->ndeps; i++)
		module_put(mod->deps[i]);
	if (mod->base)
		vfree(mod->base);
	kfree(mod->funcs_alloc);
	kfree(mod->file_copy);
	kfree(mod);
}

/*
 * Whatever the module still holds once its exit returned (or its init
 * failed), each released with a warning line: its PCI drivers first, so
 * their remove() gives back what probe() took in the driver's own way;
 * then interrupt handlers, so nothing new starts from a device; then its
 * threads, which might still arm timers or queue work; then timers and
 * work items whose functions are in its text (timers twice: work may arm
 * one); then the rest.
 */
static void release_leftovers(struct module *mod, const char *when)
{
	uintptr_t start = (uintptr_t)mod->base, end = start + mod->size;

	module_release_resources(mod, when, MRES_PCI_DRIVER);
	module_release_resources(mod, when, MRES_IRQ);
	module_release_resources(mod, when, MRES_KTHREAD);
	timers_cancel_range(start, end, mod->name, when);
	works_cancel_range(start, end, mod->name, when);
	timers_cancel_range(start, end, mod->name, when);
	module_release_resources(mod, when, -1);
}

static int resolve_deps(struct module *mod, const char *depends)
{
	char list[128], *p = list;

	strlcpy(list, depends, sizeof(list));
	while (*p) {
		char *name = p;
		struct module *d;

		while (*p && *p != ',')
			p++;
		if (*p)
			*p++ = '\0';
		if (!*name)
			continue;
		d = find_module(name);
		if (!d || !try_module_get(d)) {
			pr_err("module %s: depends on %s, which is not loaded\n", mod->name, name);
			return -ENOENT;
		}
		if (mod->ndeps == ARRAY_SIZE(mod->deps))
			return -E2BIG;
		mod->deps[mod->ndeps++] = d;
	}
	return 0;
}

/* Link the verified ELF payload into @mod; 0 or -errno with a log line. */
static int link_module(struct module *mod, const void *elf, size_t len, const char *args)
{
	char err[160], info_name[MODULE_NAME_LEN] = "", depends[128] = "";
	struct func_collect fc = { .mod = mod };
	const struct module_param *params;
	const char *info;
	struct modelf e;
	size_t n = 0;
	int ret;

	ret = modelf_parse(&e, elf, len, err, sizeof(err));
	if (ret)
		goto fail;
	info = modelf_section(&e, ".modinfo", &n, NULL);
	if (!info || !modinfo_get(info, n, "name", info_name, sizeof(info_name)) ||
	    strcmp(info_name, mod->name)) {
		snprintf(err, sizeof(err), "malformed ELF: .modinfo name '%s' does not match '%s'",
			 info_name, mod->name);
		ret = -ENOEXEC;
		goto fail;
	}
	modinfo_get(info, n, "depends", depends, sizeof(depends));
	ret = resolve_deps(mod, depends);
	if (ret)
		return ret;
	/* one line per missing symbol, not just the first the linker meets */
	n = modelf_unresolved(&e, resolve, mod, report_unresolved);
	if (n == MODELF_MAX_UNRESOLVED)
		pr_err("module %s: more unresolved symbols may follow; not listed\n", mod->name);
	if (n)
		return -ENOENT;
	mod->base = module_alloc(e.layout.total);
	if (!mod->base)
		return -ENOMEM;
	mod->size = e.layout.total;
	memset(mod->base, 0, e.layout.total);
	ret = modelf_link(&e, mod->base, (uint64_t)mod->base, resolve, mod, err, sizeof(err));
	if (ret)
		goto fail;
	mod->text_start = (uintptr_t)mod->base;
	mod->text_end = mod->text_start + e.layout.text_size;
	mod->syms = modelf_section(&e, "__ksymtab", &n, NULL);
	mod->nsyms = mod->syms ? n / sizeof(struct kernel_symbol) : 0;
	if (mod->confined && mod->nsyms &&
	    !(mod->ent.kinds & MODULE_ENT_BIT(MODULE_ENT_EXPORT))) {
		pr_err("module %s: exports %u symbol(s) refused: no entitlement export\n",
		       mod->name, mod->nsyms);
		return -EPERM;
	}
	params = modelf_section(&e, "__param", &n, NULL);
	ret = set_params(mod, params, params ? n / sizeof(*params) : 0, args);
	if (ret)
		return ret;
	mod->init = (int (*)(void))modelf_symbol(&e, "init_module");
	mod->exit = (void (*)(void))modelf_symbol(&e, "cleanup_module");
	/* function names for backtraces; the names stay in file_copy */
	modelf_for_each_func(&e, collect_func, &fc);
	mod->funcs_alloc = kzalloc(fc.n * (sizeof(struct kernel_symbol) + sizeof(uint64_t)) + 1);
	if (mod->funcs_alloc) {
		fc.funcs = mod->funcs_alloc;
		fc.sizes = (uint64_t *)(fc.funcs + fc.n);
		fc.n = 0;
		modelf_for_each_func(&e, collect_func, &fc);
		mod->funcs = fc.funcs;
		mod->func_sizes = fc.sizes;
		mod->nfuncs = fc.n;
	}
	protect(mod, &e);
	sha512((const void *)mod->text_start, mod->text_end - mod->text_start, mod->text_hash);
	return 0;
fail:
	pr_err("module %s: %s\n", mod->name, err);
	return ret;
}

static int load_module(const void *data, size_t len, const char *args)
{
	struct module_manifest man;
	char reason[160];
	struct module *mod;
	size_t payload = len;
	uint64_t t0 = rdtsc(), t1, t2;
	uintptr_t wx_bad;
	int ret;

	if (current->cred.euid != 0)
		return -EPERM;
	ret = module_sig_check(data, len, &payload, &man, reason, sizeof(reason));
	t1 = rdtsc();
	if (ret == -ENODATA && !sig_enforce) {
		/* permissive policy: an unsigned module loads and taints the kernel */
		pr_warn("module: loading an unsigned module taints the kernel; it is not confined by entitlements\n");
		kernel_taint |= TAINT_UNSIGNED_MODULE;
		memset(&man, 0, sizeof(man));
		payload = len;
	} else if (ret) {
		pr_err("module %s: %s\n", man.name[0] ? man.name : "(unknown)", reason);
		return ret;
	}
	mod = kzalloc(sizeof(*mod));
	if (!mod)
		return -ENOMEM;
	/* names (symbol tables, .modinfo) point into the file: keep a copy */
	mod->file_copy = kmalloc(payload);
	if (!mod->file_copy) {
		kfree(mod);
		return -ENOMEM;
	}
	memcpy(mod->file_copy, data, payload);
	if (man.name[0]) {
		strlcpy(mod->name, man.name, sizeof(mod->name));
	} else {
		/* unsigned (permissive): take the name from .modinfo */
		struct modelf e;
		char err[80];
		size_t n;
		const char *info;

		if (modelf_parse(&e, mod->file_copy, payload, err, sizeof(err)) ||
		    !(info = modelf_section(&e, ".modinfo", &n, NULL)) ||
		    !modinfo_get(info, n, "name", mod->name, sizeof(mod->name))) {
			pr_err("module: malformed ELF: no module name\n");
			free_module(mod);
			return -ENOEXEC;
		}
		strlcpy(man.name, mod->name, sizeof(man.name));
	}
	strlcpy(mod->version, man.version, sizeof(mod->version));
	strlcpy(mod->key_id, man.key_id[0] ? man.key_id : "unsigned", sizeof(mod->key_id));
	mod->secver = man.secver;
	mod->ent = man.ent;
	mod->confined = man.key_id[0] != '\0';	/* unsigned modules are not */
	if (find_module(mod->name)) {
		pr_err("module %s: already loaded\n", mod->name);
		free_module(mod);
		return -EEXIST;
	}
	mod->state = MODULE_LOADING;
	ret = link_module(mod, mod->file_copy, payload, args);
	if (ret) {
		free_module(mod);
		return ret;
	}
	if (paging_wx_scan(&wx_bad))
		panic("wx", "module %s left a writable and executable mapping at %#lx",
		      mod->name, wx_bad);
	t2 = rdtsc();
	mod->verify_cycles = t1 - t0;
	mod->link_cycles = t2 - t1;
	list_add_tail(&mod->node, &modules);
	pr_debug("module %s: verified in %lu cycles (%lu us), linked in %lu cycles (%lu us)\n",
		 mod->name, mod->verify_cycles, mod->verify_cycles * 1000 / (tsc_khz() ?: 1),
		 mod->link_cycles, mod->link_cycles * 1000 / (tsc_khz() ?: 1));
	if (mod->init) {
		unsigned int depth = lock_held_depth();

		ret = mod->init();
		lock_check_released(depth, mod->name, "init");
		if (ret) {
			pr_err("module %s: init failed with error %d\n", mod->name, ret);
			release_leftovers(mod, "init");
			list_del(&mod->node);
			module_remember_unloaded(mod->name, (uintptr_t)mod->base, mod->size);
			free_module(mod);
			return ret < 0 ? ret : -EINVAL;
		}
	}
	mod->state = MODULE_LIVE;
	if (man.key_id[0])
		module_sig_accept(&man);
	pr_info("module %s %s loaded at %p (%lu KiB, key %s%s)\n", mod->name, mod->version,
		mod->base, mod->size >> 10, mod->key_id, mod->confined ? "" : ", unconfined");
	return 0;
}

static int copy_args(char *args, const char __user *uargs)
{
	long n;

	if (!uargs) {
		args[0] = '\0';
		return 0;
	}
	n = strncpy_from_user(args, uargs, MODULE_ARGS_MAX);
	return n < 0 ? (int)n : 0;
}

SYSCALL_DEFINE3(init_module, const void __user *, umod, unsigned long, len,
		const char __user *, uargs)
{
	char args[MODULE_ARGS_MAX];
	void *buf;
	int ret;

	if (current->cred.euid != 0)
		return -EPERM;
	if (!len || len > MODULE_MAX_SIZE)
		return -EFBIG;
	ret = copy_args(args, uargs);
	if (ret)
		return ret;
	buf = vmalloc(len);
	if (!buf)
		return -ENOMEM;
	ret = copy_from_user(buf, umod, len);
	if (!ret)
		ret = load_module(buf, len, args);
	vfree(buf);
	return ret;
}

SYSCALL_DEFINE3(finit_module, int, fd, const char __user *, uargs, int, flags)
{
	char args[MODULE_ARGS_MAX];
	struct file *f = fd_get(fd);
	uint64_t size;
	void *buf;
	long n;
	int ret;

	if (current->cred.euid != 0)
		return -EPERM;
	if (!f)
		return -EBADF;
	if (!S_ISREG(f->inode->mode))
		return -EINVAL;
	size = f->inode->size;
	if (!size || size > MODULE_MAX_SIZE)
		return -EFBIG;
	ret = copy_args(args, uargs);
	if (ret)
		return ret;
	buf = vmalloc(size);
	if (!buf)
		return -ENOMEM;
	n = kernel_read(f, buf, size, 0);
	ret = n == (long)size ? load_module(buf, size, args) : (n < 0 ? (int)n : -EIO);
	vfree(buf);
	return ret;
}

SYSCALL_DEFINE2(delete_module, const char __user *, uname, unsigned int, flags)
{
	char name[MODULE_NAME_LEN];
	struct module *mod, *m;
	long n;

	if (current->cred.euid != 0)
		return -EPERM;
	n = strncpy_from_user(name, uname, sizeof(name));
	if (n < 0)
		return n == -ENAMETOOLONG ? -ENOENT : n;
	mod = find_module(name);
	if (!mod)
		return -ENOENT;
	if (mod->refcount > 0) {
		list_for_each_entry(m, &modules, node)
			for (unsigned int i = 0; i < m->ndeps; i++)
				if (m->deps[i] == mod) {
					pr_err("module %s: in use by module %s\n", name, m->name);
					return -EBUSY;
				}
		pr_err("module %s: in use (%d references)\n", name, mod->refcount);
		return -EBUSY;
	}
	mod->state = MODULE_GOING;
	if (mod->exit) {
		unsigned int depth = lock_held_depth();

		mod->exit();
		lock_check_released(depth, mod->name, "exit");
	}
	release_leftovers(mod, "exit");
	list_del(&mod->node);
	module_remember_unloaded(mod->name, (uintptr_t)mod->base, mod->size);
	pr_info("module %s unloaded\n", name);
	free_module(mod);
	return 0;
}

int module_ksym_snprint(char *buf, size_t size, uintptr_t addr)
{
	return module_ksym_snprint_at(buf, size, addr, addr);
}

/* Symbolize @addr, looking it up as @lookup (addr - 1 for return addresses). */
int module_ksym_snprint_at(char *buf, size_t size, uintptr_t addr, uintptr_t lookup)
{
	struct module *m;

	list_for_each_entry(m, &modules, node) {
		if (lookup < m->text_start || lookup >= m->text_end)
			continue;
		for (unsigned int i = 0; i < m->nfuncs; i++) {
			uintptr_t a = m->funcs[i].addr, sz = m->func_sizes[i];

			if (lookup >= a && lookup < a + (sz ? sz : 1))
				return snprintf(buf, size, "%s+0x%lx/0x%lx [%s]", m->funcs[i].name,
						addr - a, sz, m->name);
		}
		return snprintf(buf, size, "0x%lx [%s]", addr, m->name);
	}
	return 0;
}

/*
 * /proc/modules in Linux's format, for busybox lsmod: name, size, users,
 * the modules using it, state, address; then, where Linux puts its taint
 * flags, "(faulted)" for a module marked faulted.
 */
static long proc_modules_show(char *buf, size_t size)
{
	struct module *m, *u;
	size_t len = 0;

	list_for_each_entry(m, &modules, node) {
		bool any = false;

		len += snprintf(buf + len, size > len ? size - len : 0, "%s %lu %d ", m->name,
				m->size, m->refcount);
		list_for_each_entry(u, &modules, node)
			for (unsigned int i = 0; i < u->ndeps; i++)
				if (u->deps[i] == m) {
					len += snprintf(buf + len, size > len ? size - len : 0, "%s,",
							u->name);
					any = true;
				}
		len += snprintf(buf + len, size > len ? size - len : 0, "%s %s 0x%016lx%s\n",
				any ? "" : "-",
				m->state == MODULE_LIVE ? "Live" : m->state == MODULE_LOADING ?
				"Loading" : "Unloading", (uintptr_t)m->base,
				READ_ONCE(m->faulted) ? " (faulted)" : "");
	}
	return (long)len;	/* too long for @size: procfs calls again with more room */
}

static long proc_tainted_show(char *buf, size_t size)
{
	return snprintf(buf, size, "%lu\n", kernel_taint);
}

static int modules_init(void)
{
	procfs_register("modules", proc_modules_show);
	procfs_register("sys/kernel/tainted", proc_tainted_show);
	pr_info("modules: signature enforcement %s, %u trusted key(s)\n",
		sig_enforce ? "on" : "off (unsigned modules taint the kernel)",
		trusted_key_count);
	return 0;
}
late_initcall(modules_init);
