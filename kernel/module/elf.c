/*
 * ELF64 relocatable objects for the module loader (see elf.h). Every
 * offset, size, index and string read from the file is bounds-checked
 * before use: the file was signed, but the linker must not trust that for
 * memory safety, and the fuzz tests feed it unsigned garbage directly.
 */
#include <stdbool.h>
#include "kernel/module/elf.h"
#include "kernel/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define ET_REL		1
#define EM_X86_64	62
#define SHT_PROGBITS	1
#define SHT_SYMTAB	2
#define SHT_STRTAB	3
#define SHT_RELA	4
#define SHT_NOBITS	8
#define SHT_REL		9
#define SHF_WRITE	0x1
#define SHF_ALLOC	0x2
#define SHF_EXECINSTR	0x4
#define SHN_UNDEF	0
#define SHN_LORESERVE	0xff00
#define SHN_ABS		0xfff1
#define SHN_COMMON	0xfff2
#define STT_FUNC	2
#define STT_SECTION	3
#define STB_LOCAL	0

#define R_X86_64_NONE	0
#define R_X86_64_64	1
#define R_X86_64_PC32	2
#define R_X86_64_PLT32	4
#define R_X86_64_32	10
#define R_X86_64_32S	11
#define R_X86_64_PC64	24

#define PAGE		4096UL
#define NO_OFFSET	(~0ULL)

struct ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
	uint32_t link, info;
	uint64_t addralign, entsize;
};

struct sym {
	uint32_t name;
	uint8_t info, other;
	uint16_t shndx;
	uint64_t value, size;
};

struct rela {
	uint64_t offset, info;
	int64_t addend;
};

#define FAIL(code, ...)                                                        \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return (code);                                                 \
	} while (0)

static const struct shdr *sh(const struct modelf *m, unsigned int i)
{
	return (const struct shdr *)m->shdrs + i;
}

static const struct sym *symbol(const struct modelf *m, unsigned int i)
{
	return (const struct sym *)m->syms + i;
}

/* A NUL-terminated string at @off in a string table of @len bytes, or NULL. */
static const char *str_at(const char *tab, size_t len, uint64_t off)
{
	if (off >= len || strnlen(tab + off, len - off) == len - off)
		return NULL;
	return tab + off;
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int check_sections(struct modelf *m, char *err, size_t errlen)
{
	for (unsigned int i = 1; i < m->shnum; i++) {
		const struct shdr *s = sh(m, i);

		if (s->type != SHT_NOBITS &&
		    (s->offset > m->len || s->size > m->len - s->offset))
			FAIL(-ENOEXEC, "section %u lies outside the file", i);
		if (s->addralign > PAGE || (s->addralign & (s->addralign - 1)))
			FAIL(-ENOEXEC, "section %u has a bad alignment", i);
		if ((s->flags & SHF_ALLOC) && s->size > (64UL << 20))
			FAIL(-ENOEXEC, "section %u is too large", i);
		if (s->type == SHT_REL)
			FAIL(-ENOEXEC, "REL relocations (without addends) are not supported");
		if ((s->type == SHT_SYMTAB || s->type == SHT_RELA) && (s->offset & 7))
			FAIL(-ENOEXEC, "section %u is misaligned in the file", i);
	}
	/* every section is inside the file now; find the symbol table */
	for (unsigned int i = 1; i < m->shnum; i++) {
		const struct shdr *s = sh(m, i);

		if (s->type == SHT_SYMTAB) {
			if (m->syms)
				FAIL(-ENOEXEC, "more than one symbol table");
			if (s->entsize != sizeof(struct sym) || s->link >= m->shnum ||
			    sh(m, s->link)->type != SHT_STRTAB)
				FAIL(-ENOEXEC, "malformed symbol table");
			m->syms = m->file + s->offset;
			m->nsyms = s->size / sizeof(struct sym);
			m->symtab_index = i;
			m->strtab = (const char *)m->file + sh(m, s->link)->offset;
			m->strtab_len = sh(m, s->link)->size;
		}
	}
	if (!m->syms || m->nsyms == 0)
		FAIL(-ENOEXEC, "no symbol table");
	return 0;
}

/* Place every allocated section in its region: text, then rodata, then data. */
static void compute_layout(struct modelf *m)
{
	struct modelf_layout *l = &m->layout;
	size_t cur[3] = { 0, 0, 0 };

	for (unsigned int i = 0; i < m->shnum; i++)
		l->sec_off[i] = NO_OFFSET;
	for (unsigned int i = 1; i < m->shnum; i++) {
		const struct shdr *s = sh(m, i);
		int region;

		if (!(s->flags & SHF_ALLOC))
			continue;
		region = (s->flags & SHF_EXECINSTR) ? 0 : (s->flags & SHF_WRITE) ? 2 : 1;
		cur[region] = align_up(cur[region], s->addralign ? s->addralign : 1);
		l->sec_off[i] = cur[region] | ((uint64_t)region << 60);
		cur[region] += s->size;
	}
	l->text_size = align_up(cur[0], PAGE);
	l->rodata_size = align_up(cur[1], PAGE);
	l->data_size = align_up(cur[2], PAGE);
	l->rodata_off = l->text_size;
	l->data_off = l->text_size + l->rodata_size;
	l->total = l->data_off + l->data_size;
	for (unsigned int i = 1; i < m->shnum; i++) {
		uint64_t o = l->sec_off[i];
		unsigned int region = o >> 60;

		if (o == NO_OFFSET)
			continue;
		o &= (1ULL << 60) - 1;
		l->sec_off[i] = o + (region == 1 ? l->rodata_off : region == 2 ? l->data_off : 0);
	}
}

int modelf_parse(struct modelf *m, const void *file, size_t len, char *err, size_t errlen)
{
	const struct ehdr *e = file;

	memset(m, 0, sizeof(*m));
	m->file = file;
	m->len = len;
	if (len < sizeof(*e) || memcmp(e->ident, "\177ELF", 4))
		FAIL(-ENOEXEC, "not an ELF file");
	if (e->ident[4] != 2 || e->ident[5] != 1 || e->type != ET_REL || e->machine != EM_X86_64)
		FAIL(-ENOEXEC, "not an x86-64 ELF64 relocatable object");
	if (e->shentsize != sizeof(struct shdr) || e->shnum < 2 || e->shnum > MODELF_MAX_SECTIONS)
		FAIL(-ENOEXEC, "bad section header table");
	if (e->shoff > len || (uint64_t)e->shnum * sizeof(struct shdr) > len - e->shoff ||
	    (e->shoff & 7))
		FAIL(-ENOEXEC, "section headers lie outside the file");
	m->ehdr = e;
	m->shdrs = (const uint8_t *)file + e->shoff;
	m->shnum = e->shnum;
	if (check_sections(m, err, errlen))
		return -ENOEXEC;
	compute_layout(m);
	if (m->layout.total == 0)
		FAIL(-ENOEXEC, "the module has no loadable sections");
	return 0;
}

static int sym_value(struct modelf *m, unsigned int idx, modelf_resolve_t resolve, void *ctx,
		     uint64_t *out, char *err, size_t errlen)
{
	const struct sym *s;
	const char *name;

	if (idx >= m->nsyms)
		FAIL(-ENOEXEC, "relocation names symbol %u of %u", idx, m->nsyms);
	s = symbol(m, idx);
	name = str_at(m->strtab, m->strtab_len, s->name);
	if (!name)
		FAIL(-ENOEXEC, "symbol %u has a bad name", idx);
	if (s->shndx == SHN_UNDEF) {
		if (idx == 0) {
			*out = 0;
			return 0;
		}
		*out = resolve(name, ctx);
		if (!*out)
			FAIL(-ENOENT, "unresolved symbol %s", name);
		return 0;
	}
	if (s->shndx == SHN_ABS) {
		*out = s->value;
		return 0;
	}
	if (s->shndx == SHN_COMMON)
		FAIL(-ENOEXEC, "common symbol %s (build with -fno-common)", name);
	if (s->shndx >= m->shnum || m->layout.sec_off[s->shndx] == NO_OFFSET)
		FAIL(-ENOEXEC, "symbol %s is in a section that is not loaded", name);
	if (s->value > sh(m, s->shndx)->size)
		FAIL(-ENOEXEC, "symbol %s lies outside its section", name);
	*out = m->base + m->layout.sec_off[s->shndx] + s->value;
	return 0;
}

static int apply_rela(struct modelf *m, const struct shdr *rs, modelf_resolve_t resolve,
		      void *ctx, char *err, size_t errlen)
{
	const struct shdr *target;
	const struct rela *r;
	size_t n;

	if (rs->info >= m->shnum || rs->link != m->symtab_index)
		FAIL(-ENOEXEC, "relocation section points at a bad section");
	target = sh(m, rs->info);
	if (!(target->flags & SHF_ALLOC))
		return 0;			/* debug info and the like */
	if (rs->entsize != sizeof(struct rela))
		FAIL(-ENOEXEC, "bad relocation entry size");
	r = (const struct rela *)(m->file + rs->offset);
	n = rs->size / sizeof(*r);
	for (size_t i = 0; i < n; i++) {
		uint32_t type = (uint32_t)r[i].info, width = 0;
		uint64_t s, off = r[i].offset, p, v;
		uint8_t *loc;
		int ret;

		switch (type) {
		case R_X86_64_NONE:
			continue;
		case R_X86_64_64:
		case R_X86_64_PC64:
			width = 8;
			break;
		case R_X86_64_PC32:
		case R_X86_64_PLT32:
		case R_X86_64_32:
		case R_X86_64_32S:
			width = 4;
			break;
		default:
			FAIL(-ENOEXEC, "unsupported relocation type %u", type);
		}
		if (off > target->size || width > target->size - off)
			FAIL(-ENOEXEC, "relocation at %#lx outside its section", (unsigned long)off);
		ret = sym_value(m, (unsigned int)(r[i].info >> 32), resolve, ctx, &s, err, errlen);
		if (ret)
			return ret;
		loc = m->image + m->layout.sec_off[rs->info] + off;
		p = m->base + m->layout.sec_off[rs->info] + off;
		v = s + (uint64_t)r[i].addend;
		switch (type) {
		case R_X86_64_64:
			memcpy(loc, &v, 8);
			break;
		case R_X86_64_PC64:
			v -= p;
			memcpy(loc, &v, 8);
			break;
		case R_X86_64_PC32:
		case R_X86_64_PLT32: {
			int64_t d = (int64_t)(v - p);
			int32_t d32 = (int32_t)d;

			if (d != d32)
				FAIL(-ERANGE, "relocation out of range: PC32 to %#lx from %#lx",
				     (unsigned long)s, (unsigned long)p);
			memcpy(loc, &d32, 4);
			break;
		}
		case R_X86_64_32: {
			uint32_t v32 = (uint32_t)v;

			if (v != v32)
				FAIL(-ERANGE, "relocation out of range: R_X86_64_32 of %#lx",
				     (unsigned long)v);
			memcpy(loc, &v32, 4);
			break;
		}
		case R_X86_64_32S: {
			int32_t v32 = (int32_t)v;

			if ((int64_t)v != v32)
				FAIL(-ERANGE, "relocation out of range: R_X86_64_32S of %#lx",
				     (unsigned long)v);
			memcpy(loc, &v32, 4);
			break;
		}
		}
	}
	return 0;
}

/* Is undefined symbol @idx the target of a relocation that modelf_link applies? */
static bool sym_needed(const struct modelf *m, unsigned int idx)
{
	for (unsigned int i = 1; i < m->shnum; i++) {
		const struct shdr *rs = sh(m, i);
		const struct rela *r;

		if (rs->type != SHT_RELA || rs->info >= m->shnum || rs->link != m->symtab_index ||
		    !(sh(m, rs->info)->flags & SHF_ALLOC) || rs->entsize != sizeof(*r))
			continue;
		r = (const struct rela *)(m->file + rs->offset);
		for (size_t j = 0; j < rs->size / sizeof(*r); j++)
			if ((r[j].info >> 32) == idx && (uint32_t)r[j].info != R_X86_64_NONE)
				return true;
	}
	return false;
}

unsigned int modelf_unresolved(const struct modelf *m, modelf_resolve_t resolve, void *ctx,
			       void (*report)(const char *name, void *ctx))
{
	unsigned int n = 0;

	for (unsigned int i = 1; i < m->nsyms; i++) {
		const struct sym *s = symbol(m, i);
		const char *name = str_at(m->strtab, m->strtab_len, s->name);

		/* a bad name is left for modelf_link to refuse as malformed */
		if (s->shndx != SHN_UNDEF || !name || resolve(name, ctx) || !sym_needed(m, i))
			continue;
		report(name, ctx);
		if (++n == MODELF_MAX_UNRESOLVED)
			break;		/* a module for another kernel: enough said */
	}
	return n;
}

int modelf_link(struct modelf *m, uint8_t *image, uint64_t base, modelf_resolve_t resolve,
		void *ctx, char *err, size_t errlen)
{
	m->image = image;
	m->base = base;
	for (unsigned int i = 1; i < m->shnum; i++) {
		const struct shdr *s = sh(m, i);

		if (m->layout.sec_off[i] == NO_OFFSET || s->type == SHT_NOBITS)
			continue;
		memcpy(image + m->layout.sec_off[i], m->file + s->offset, s->size);
	}
	for (unsigned int i = 1; i < m->shnum; i++) {
		int ret;

		if (sh(m, i)->type != SHT_RELA)
			continue;
		ret = apply_rela(m, sh(m, i), resolve, ctx, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

uint64_t modelf_symbol(const struct modelf *m, const char *name)
{
	for (unsigned int i = 1; i < m->nsyms; i++) {
		const struct sym *s = symbol(m, i);
		const char *n = str_at(m->strtab, m->strtab_len, s->name);

		if (!n || strcmp(n, name) || (s->info >> 4) == STB_LOCAL)
			continue;
		if (s->shndx == SHN_UNDEF || s->shndx >= m->shnum ||
		    m->layout.sec_off[s->shndx] == NO_OFFSET || s->value > sh(m, s->shndx)->size)
			return 0;
		return m->base + m->layout.sec_off[s->shndx] + s->value;
	}
	return 0;
}

const void *modelf_section(const struct modelf *m, const char *name, size_t *size,
			   uint64_t *addr)
{
	const struct ehdr *e = m->ehdr;
	const struct shdr *names;

	if (e->shstrndx >= m->shnum)
		return NULL;
	names = sh(m, e->shstrndx);
	if (names->type != SHT_STRTAB)
		return NULL;
	for (unsigned int i = 1; i < m->shnum; i++) {
		const struct shdr *s = sh(m, i);
		const char *n = str_at((const char *)m->file + names->offset, names->size, s->name);

		if (!n || strcmp(n, name))
			continue;
		*size = s->size;
		if (m->layout.sec_off[i] != NO_OFFSET && m->image) {
			if (addr)
				*addr = m->base + m->layout.sec_off[i];
			return m->image + m->layout.sec_off[i];
		}
		if (addr)
			*addr = 0;
		return s->type == SHT_NOBITS ? NULL : m->file + s->offset;
	}
	return NULL;
}

void modelf_for_each_func(const struct modelf *m,
			  void (*fn)(const char *name, uint64_t addr, uint64_t size, void *ctx),
			  void *ctx)
{
	for (unsigned int i = 1; i < m->nsyms; i++) {
		const struct sym *s = symbol(m, i);
		const char *n = str_at(m->strtab, m->strtab_len, s->name);

		if (!n || (s->info & 0xf) != STT_FUNC || s->shndx == SHN_UNDEF ||
		    s->shndx >= m->shnum || m->layout.sec_off[s->shndx] == NO_OFFSET)
			continue;
		fn(n, m->base + m->layout.sec_off[s->shndx] + s->value, s->size, ctx);
	}
}
