/*
 * The module linker's core: validating an ELF64 relocatable object, laying
 * its allocated sections out in text / rodata / data regions, resolving
 * symbols and applying x86-64 relocations with range checks. It works on
 * a caller-provided buffer and load address and calls back for symbol
 * lookup, so it runs unchanged in host tests and fuzzing.
 */
#ifndef KERNEL_MODULE_ELF_H
#define KERNEL_MODULE_ELF_H

#include <stddef.h>
#include <stdint.h>

#define MODELF_MAX_SECTIONS	256

/* Where each part of the module goes, relative to the load address. */
struct modelf_layout {
	size_t text_size, rodata_size, data_size;	/* page-aligned */
	size_t rodata_off, data_off;			/* offsets from the start */
	size_t total;
	uint64_t sec_off[MODELF_MAX_SECTIONS];		/* offset of each section, or ~0 */
};

struct modelf {
	const uint8_t *file;
	size_t len;
	const void *ehdr;
	const void *shdrs;
	unsigned int shnum;
	const void *syms;		/* the symbol table */
	unsigned int nsyms;
	const char *strtab;
	size_t strtab_len;
	unsigned int symtab_index;
	struct modelf_layout layout;
	/* after linking */
	uint64_t base;			/* load address */
	uint8_t *image;			/* where the caller's buffer holds it */
};

/* Resolve an undefined symbol; 0 when unknown. */
typedef uint64_t (*modelf_resolve_t)(const char *name, void *ctx);

/* Check the headers and compute the layout; 0 or -ENOEXEC with @err set. */
int modelf_parse(struct modelf *m, const void *file, size_t len, char *err, size_t errlen);
/*
 * Copy sections into @image (layout.total bytes, zeroed by the caller),
 * which will run at @base, then resolve symbols and apply relocations.
 * Returns 0, -ENOENT (unresolved symbol), -ERANGE (relocation out of
 * range) or -ENOEXEC (malformed), with @err naming the problem.
 */
int modelf_link(struct modelf *m, uint8_t *image, uint64_t base, modelf_resolve_t resolve,
		void *ctx, char *err, size_t errlen);
/* modelf_unresolved reports at most this many (each scan is over every relocation). */
#define MODELF_MAX_UNRESOLVED	32

/*
 * Call @report once for every undefined symbol that the loaded sections'
 * relocations need and @resolve does not know; returns how many there were.
 * Run before modelf_link so that one refusal names every missing symbol.
 */
unsigned int modelf_unresolved(const struct modelf *m, modelf_resolve_t resolve, void *ctx,
			       void (*report)(const char *name, void *ctx));
/* Run-time address of a symbol defined in the module, or 0. */
uint64_t modelf_symbol(const struct modelf *m, const char *name);
/* The contents of section @name in the linked image (or the file if not allocated). */
const void *modelf_section(const struct modelf *m, const char *name, size_t *size,
			   uint64_t *addr);
/* Visit every function symbol defined in the module. */
void modelf_for_each_func(const struct modelf *m,
			  void (*fn)(const char *name, uint64_t addr, uint64_t size, void *ctx),
			  void *ctx);

#endif
