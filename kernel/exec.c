/*
 * execve: replace the calling process's program. Static ELF64 executables
 * (ET_EXEC, and ET_DYN without an interpreter, i.e. static-PIE) and "#!"
 * scripts are accepted. Segments are mapped from the file and paged in on
 * demand; the new stack holds argc, argv, envp and the auxiliary vector
 * that libc's startup reads (AT_PHDR, AT_ENTRY, AT_RANDOM, ...).
 */
#include <asm/desc.h>
#include <asm/ptrace.h>
#include <asm/switch.h>
#include <asm/uaccess.h>
#include "fs/vfs.h"
#include "kernel/sched.h"
#include "kernel/syscall.h"
#include "lib/string.h"
#include "mm/mm.h"

#define ARGS_MAX	(128 * 1024)	/* bytes of argv + envp strings */
#define ARGV_MAX	4096		/* pointers */
#define PIE_BASE	0x0000555555554000ULL

#define AT_NULL		0
#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_BASE		7
#define AT_FLAGS	8
#define AT_ENTRY	9
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_PLATFORM	15
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_RANDOM	25
#define AT_HWCAP2	26
#define AT_EXECFN	31

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD		1
#define PT_INTERP	3
#define PT_PHDR		6
#define PF_X		1
#define PF_W		2
#define PF_R		4

/* argv/envp gathered in kernel memory, so the old address space can go. */
struct exec_args {
	char *buf;		/* strings, NUL-separated */
	size_t used;
	int argc, envc;
};

static int args_add(struct exec_args *a, const char *s, size_t len)
{
	if (a->used + len + 1 > ARGS_MAX)
		return -E2BIG;
	memcpy(a->buf + a->used, s, len);
	a->buf[a->used + len] = '\0';
	a->used += len + 1;
	return 0;
}

static int args_copy_user(struct exec_args *a, char *const __user *uv, int *count)
{
	for (int i = 0; uv; i++) {
		char *p;
		long n;

		if (i >= ARGV_MAX)
			return -E2BIG;
		if (get_user(p, &uv[i]))
			return -EFAULT;
		if (!p)
			break;
		n = strncpy_from_user(a->buf + a->used, p, ARGS_MAX - a->used);
		if (n == -ENAMETOOLONG)
			return -E2BIG;
		if (n < 0)
			return (int)n;
		a->used += n + 1;
		(*count)++;
	}
	return 0;
}

/* Insert strings at the front of argv (for "#!" interpreters). */
static int args_prepend(struct exec_args *a, const char *const *v, int n)
{
	size_t len = 0;

	for (int i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	if (a->used + len > ARGS_MAX)
		return -E2BIG;
	memmove(a->buf + len, a->buf, a->used);
	for (int i = 0, off = 0; i < n; i++) {
		strcpy(a->buf + off, v[i]);
		off += strlen(v[i]) + 1;
	}
	a->used += len;
	a->argc += n;
	return 0;
}

/* Drop argv[0] (the interpreter line replaces it with the script path). */
static void args_drop_first(struct exec_args *a)
{
	size_t l = strlen(a->buf) + 1;

	memmove(a->buf, a->buf + l, a->used - l);
	a->used -= l;
	a->argc--;
}

static int check_elf(const struct elf64_ehdr *e, long n)
{
	if (n < (long)sizeof(*e) || memcmp(e->ident, "\177ELF", 4))
		return -ENOEXEC;
	if (e->ident[4] != 2 || e->ident[5] != 1 || e->machine != 62)
		return -ENOEXEC;	/* not ELF64, little-endian, x86-64 */
	if (e->type != 2 && e->type != 3)
		return -ENOEXEC;
	if (e->phentsize != sizeof(struct elf64_phdr) || !e->phnum || e->phnum > 64)
		return -ENOEXEC;
	return 0;
}

struct loaded {
	uint64_t entry, phdr, brk;
	uint16_t phnum;
};

static int load_segments(struct mm *mm, struct file *f, const struct elf64_ehdr *e,
			 struct loaded *out)
{
	struct elf64_phdr ph[64];
	uint64_t base = e->type == 3 ? PIE_BASE : 0, brk = 0;
	long n = kernel_read(f, ph, e->phnum * sizeof(ph[0]), e->phoff);

	if (n != (long)(e->phnum * sizeof(ph[0])))
		return -ENOEXEC;
	out->phdr = 0;
	for (int i = 0; i < e->phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		uint64_t start, end, off;
		unsigned int fl;
		int err;

		if (p->type == PT_INTERP) {
			pr_info("exec: %s: dynamically linked programs are not supported\n",
				current->comm);
			return -ENOEXEC;
		}
		if (p->type == PT_PHDR)
			out->phdr = base + p->vaddr;
		if (p->type != PT_LOAD || !p->memsz)
			continue;
		if (p->filesz > p->memsz || (p->vaddr & ~PAGE_MASK) != (p->offset & ~PAGE_MASK) ||
		    p->vaddr + p->memsz < p->vaddr || base + p->vaddr + p->memsz > USER_MMAP_TOP)
			return -ENOEXEC;
		start = (base + p->vaddr) & PAGE_MASK;
		end = PAGE_ALIGN(base + p->vaddr + p->memsz);
		off = p->offset & PAGE_MASK;
		fl = ((p->flags & PF_R) ? VM_READ : 0) | ((p->flags & PF_W) ? VM_WRITE : 0) |
		     ((p->flags & PF_X) ? VM_EXEC : 0);
		err = mm_map(mm, start, end - start, fl, f, off, p->filesz + (p->vaddr & ~PAGE_MASK));
		if (err)
			return err;
		if (!out->phdr && p->offset <= e->phoff && e->phoff < p->offset + p->filesz)
			out->phdr = base + p->vaddr + (e->phoff - p->offset);
		brk = MAX(brk, end);
	}
	if (!brk)
		return -ENOEXEC;
	out->entry = base + e->entry;
	out->brk = brk;
	out->phnum = e->phnum;
	return 0;
}

/* Build argc/argv/envp/auxv on the new stack (the new mm is active). */
static int setup_stack(struct mm *mm, struct exec_args *a, const struct loaded *ld,
		       const char *path, uint64_t *sp_out)
{
	uint64_t sp = USER_STACK_TOP, strings, execfn, rnd, *vec;
	int nvec = 1 + a->argc + 1 + a->envc + 1 + 2 * 20, i = 0;
	size_t plen = strlen(path) + 1;
	uint64_t rand[2] = { get_random_u64(), get_random_u64() };
	const char *s = a->buf;
	int err;

	sp -= a->used;
	strings = sp;
	sp -= plen;
	execfn = sp;
	sp = (sp - 16) & ~15ULL;
	rnd = sp;
	sp -= nvec * 8;
	sp &= ~15ULL;
	vec = kmalloc(nvec * 8);
	if (!vec)
		return -ENOMEM;
	vec[i++] = a->argc;
	mm->arg_start = strings;
	for (int k = 0; k < a->argc + a->envc; k++) {
		if (k == a->argc) {
			vec[i++] = 0;
			mm->arg_end = mm->env_start = strings + (s - a->buf);
		}
		vec[i++] = strings + (s - a->buf);
		s += strlen(s) + 1;
	}
	if (a->envc == 0)
		mm->arg_end = mm->env_start = strings + (s - a->buf);
	mm->env_end = strings + a->used;
	vec[i++] = 0;
#define AUX(t, v) do { vec[i++] = (t); vec[i++] = (v); } while (0)
	AUX(AT_PHDR, ld->phdr);
	AUX(AT_PHENT, sizeof(struct elf64_phdr));
	AUX(AT_PHNUM, ld->phnum);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_BASE, 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, ld->entry);
	AUX(AT_UID, current->cred.uid);
	AUX(AT_EUID, current->cred.euid);
	AUX(AT_GID, current->cred.gid);
	AUX(AT_EGID, current->cred.egid);
	AUX(AT_HWCAP, 0x178bfbff);	/* fpu..sse2 as CPUID.1:EDX reports them */
	AUX(AT_CLKTCK, 100);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, rnd);
	AUX(AT_EXECFN, execfn);
	AUX(AT_NULL, 0);
#undef AUX
	err = copy_to_user((void *)strings, a->buf, a->used);
	err = err ?: copy_to_user((void *)execfn, path, plen);
	err = err ?: copy_to_user((void *)rnd, rand, sizeof(rand));
	err = err ?: copy_to_user((void *)sp, vec, i * 8);
	kfree(vec);
	mm->start_stack = sp;
	*sp_out = sp;
	return err;
}

/* Past the point of no return: the process becomes the new program. */
static void flush_old_exec(struct mm *mm, const char *path)
{
	struct mm *old = current->mm;
	const char *base = strrchr(path, '/');

	current->mm = mm;
	mm_switch(mm);
	if (old)
		mm_put(old);
	if (current->vfork_done) {
		struct wait_queue *q = current->vfork_done;

		current->vfork_done = NULL;
		wake_up(q);
	}
	files_close_on_exec(current->files);
	for (int i = 0; i < NSIG; i++) {
		struct k_sigaction *ka = &current->sighand->action[i];

		if (ka->handler != SIG_IGN)
			ka->handler = SIG_DFL;
		ka->flags = 0;
		ka->mask = 0;
	}
	current->altstack_sp = current->altstack_size = 0;
	strlcpy(current->comm, base ? base + 1 : path, sizeof(current->comm));
	current->fs_base = 0;
	arch_set_fs_base(0);
	current->flags &= ~TASK_KTHREAD;
	arch_fpu_init_state(current->fpu_state);
	arch_fpu_restore(current->fpu_state);
}

static int exec_file(const char *path, struct exec_args *a, int depth)
{
	union {
		struct elf64_ehdr e;
		char line[256];
	} hdr;
	struct loaded ld;
	struct file *f;
	struct mm *mm;
	uint64_t sp;
	long n;
	int err;

	f = vfs_open(path, O_RDONLY, 0, &err);
	if (!f)
		return err;
	if (!S_ISREG(f->inode->mode) || !(f->inode->mode & 0111)) {
		file_put(f);
		return -EACCES;
	}
	memset(&hdr, 0, sizeof(hdr));
	n = kernel_read(f, &hdr, sizeof(hdr) - 1, 0);
	if (n >= 2 && hdr.line[0] == '#' && hdr.line[1] == '!') {
		char *interp = hdr.line + 2, *arg = NULL, *end;
		const char *pre[3];
		int np = 0;

		file_put(f);
		if (depth >= 4)
			return -ELOOP;
		end = strchr(hdr.line, '\n');
		if (!end)
			return -ENOEXEC;
		*end = '\0';
		while (*interp == ' ' || *interp == '\t')
			interp++;
		for (char *p = interp; *p; p++) {
			if (*p == ' ' || *p == '\t') {
				*p++ = '\0';
				while (*p == ' ' || *p == '\t')
					p++;
				if (*p)
					arg = p;
				break;
			}
		}
		if (!*interp)
			return -ENOEXEC;
		pre[np++] = interp;
		if (arg)
			pre[np++] = arg;
		pre[np++] = path;
		args_drop_first(a);
		err = args_prepend(a, pre, np);
		return err ? err : exec_file(interp, a, depth + 1);
	}
	err = check_elf(&hdr.e, n);
	if (err) {
		file_put(f);
		return err;
	}
	mm = mm_create();
	if (!mm) {
		file_put(f);
		return -ENOMEM;
	}
	err = load_segments(mm, f, &hdr.e, &ld);
	err = err ?: mm_map(mm, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE,
			    VM_READ | VM_WRITE | VM_GROWSDOWN, NULL, 0, 0);
	file_put(f);
	if (err) {
		mm_put(mm);
		return err;
	}
	mm->brk_start = mm->brk = ld.brk;
	flush_old_exec(mm, path);
	if (setup_stack(mm, a, &ld, path, &sp)) {
		pr_info("exec: %s: cannot build the initial stack\n", path);
		do_exit(SIGSEGV);
	}
	memset(current->uregs, 0, sizeof(*current->uregs));
	current->uregs->rip = ld.entry;
	current->uregs->rsp = sp;
	current->uregs->cs = USER_CS;
	current->uregs->ss = USER_DS;
	current->uregs->rflags = 0x202;
	current->iret_needed = true;
	return 0;
}

int do_execve(const char *path, char *const *argv, char *const *envp)
{
	struct exec_args a = { 0 };
	int err = -ENOMEM;

	a.buf = vmalloc(ARGS_MAX);
	if (!a.buf)
		return -ENOMEM;
	for (int i = 0; argv && argv[i]; i++, a.argc++)
		if ((err = args_add(&a, argv[i], strlen(argv[i]))))
			goto out;
	for (int i = 0; envp && envp[i]; i++, a.envc++)
		if ((err = args_add(&a, envp[i], strlen(envp[i]))))
			goto out;
	err = exec_file(path, &a, 0);
out:
	vfree(a.buf);
	return err;
}

/*
 * execve for kernel/mk.c, with the user's argv and envp: the program at
 * kernel path @kpath; or, with @interp, the interpreter of a "#!" script
 * the caller read itself (a file vfs serves): @interp [@arg] @script
 * argv[1]...
 */
int execve_user_args(const char *kpath, const char *interp, const char *arg, const char *script,
		     char *const __user *uargv, char *const __user *uenvp)
{
	struct exec_args a = { 0 };
	const char *pre[3];
	int np = 0, err;

	a.buf = vmalloc(ARGS_MAX);
	if (!a.buf)
		return -ENOMEM;
	err = args_copy_user(&a, uargv, &a.argc);
	err = err ?: args_copy_user(&a, uenvp, &a.envc);
	if (!err && interp) {
		pre[np++] = interp;
		if (arg)
			pre[np++] = arg;
		pre[np++] = script;
		args_drop_first(&a);
		err = args_prepend(&a, pre, np);
	}
	err = err ?: exec_file(interp ? interp : kpath, &a, interp ? 1 : 0);
	vfree(a.buf);
	return err;
}

SYSCALL_DEFINE3(execve, const char __user *, upath, char *const __user *, uargv,
		char *const __user *, uenvp)
{
	struct exec_args a = { 0 };
	char *path = kmalloc(PATH_MAX);
	long n;
	int err;

	a.buf = vmalloc(ARGS_MAX);
	if (!path || !a.buf) {
		err = -ENOMEM;
		goto out;
	}
	n = strncpy_from_user(path, upath, PATH_MAX);
	err = n < 0 ? (int)n : 0;
	err = err ?: args_copy_user(&a, uargv, &a.argc);
	err = err ?: args_copy_user(&a, uenvp, &a.envc);
	err = err ?: exec_file(path, &a, 0);
out:
	kfree(path);
	vfree(a.buf);
	return err;
}
