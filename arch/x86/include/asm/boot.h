/*
 * struct boot_info: what the boot loader told us, in a neutral form. The
 * multiboot2 parser in arch/x86/boot fills it before paging is rebuilt, so
 * everything here is a copy or a physical address, never a loader pointer.
 */
#ifndef ASM_BOOT_H
#define ASM_BOOT_H

#include <stdint.h>

#define BOOT_MAX_MMAP		64
#define BOOT_MAX_MODULES	8
#define BOOT_CMDLINE_MAX	512

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED = 2,
	BOOT_MEM_ACPI = 3,
	BOOT_MEM_NVS = 4,
	BOOT_MEM_BAD = 5,
};

struct boot_mem_region {
	uint64_t base;
	uint64_t len;
	uint32_t type;		/* enum boot_mem_type */
};

struct boot_module {
	uint64_t start;		/* physical */
	uint64_t end;
	char name[64];		/* the string after the file in grub.cfg */
};

enum boot_fb_type {
	BOOT_FB_NONE = 0,
	BOOT_FB_RGB = 1,	/* linear framebuffer */
	BOOT_FB_EGA_TEXT = 2,	/* 80x25 text at 0xb8000 */
};

struct boot_framebuffer {
	uint32_t type;		/* enum boot_fb_type */
	uint64_t addr;		/* physical */
	uint32_t pitch, width, height;
	uint8_t bpp;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[64];
	struct boot_mem_region mmap[BOOT_MAX_MMAP];
	unsigned int mmap_count;
	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned int module_count;
	struct boot_framebuffer fb;
	uint64_t rsdp;		/* nonzero when rsdp_copy holds the ACPI RSDP */
	uint8_t rsdp_copy[36];
	uint64_t mbi_start, mbi_end;	/* the loader's info block (physical) */
	uint32_t uefi;		/* booted through UEFI (an EFI system table tag) */
};

extern struct boot_info boot_info;

#endif
