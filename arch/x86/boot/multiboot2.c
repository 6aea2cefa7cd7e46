/*
 * Multiboot2 information parser. Runs before paging is rebuilt, while the
 * boot page tables still identity-map the low 4 GiB, and copies everything
 * later code needs into struct boot_info so nothing points into GRUB's
 * information block afterwards. Unknown tags are skipped.
 */
#include <asm/boot.h>
#include "arch/x86/x86.h"
#include "lib/string.h"

#define MB2_TAG_END		0
#define MB2_TAG_CMDLINE		1
#define MB2_TAG_LOADER		2
#define MB2_TAG_MODULE		3
#define MB2_TAG_MMAP		6
#define MB2_TAG_FRAMEBUFFER	8
#define MB2_TAG_EFI32		11
#define MB2_TAG_EFI64		12
#define MB2_TAG_ACPI_OLD	14
#define MB2_TAG_ACPI_NEW	15

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
	uint32_t reserved;
};

struct mb2_fb {
	struct mb2_tag tag;
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp, type;
	uint16_t reserved;
	uint8_t color[6];	/* RGB: red pos/size, green pos/size, blue pos/size */
};

struct boot_info boot_info;

static void copy_string(char *dst, size_t size, const struct mb2_tag *tag,
			size_t offset)
{
	size_t n = tag->size > offset ? tag->size - offset : 0;

	if (n >= size)
		n = size - 1;
	memcpy(dst, (const char *)tag + offset, n);
	dst[n] = '\0';
}

static void parse_mmap(struct boot_info *bi, const struct mb2_tag *tag)
{
	const uint32_t *hdr = (const uint32_t *)(tag + 1);
	uint32_t entry_size = hdr[0];
	const uint8_t *p = (const uint8_t *)(hdr + 2);
	const uint8_t *end = (const uint8_t *)tag + tag->size;

	if (entry_size < sizeof(struct mb2_mmap_entry))
		return;
	for (; p + entry_size <= end && bi->mmap_count < BOOT_MAX_MMAP; p += entry_size) {
		const struct mb2_mmap_entry *e = (const void *)p;
		struct boot_mem_region *r = &bi->mmap[bi->mmap_count++];

		r->base = e->base;
		r->len = e->len;
		r->type = e->type >= BOOT_MEM_USABLE && e->type <= BOOT_MEM_BAD ?
				  e->type : BOOT_MEM_RESERVED;
	}
}

static void parse_module(struct boot_info *bi, const struct mb2_tag *tag)
{
	const uint32_t *w = (const uint32_t *)(tag + 1);
	struct boot_module *m;

	if (bi->module_count >= BOOT_MAX_MODULES)
		return;
	m = &bi->modules[bi->module_count++];
	m->start = w[0];
	m->end = w[1];
	copy_string(m->name, sizeof(m->name), tag, 16);
}

static void parse_fb(struct boot_info *bi, const struct mb2_tag *tag)
{
	const struct mb2_fb *fb = (const void *)tag;

	bi->fb.addr = fb->addr;
	bi->fb.pitch = fb->pitch;
	bi->fb.width = fb->width;
	bi->fb.height = fb->height;
	bi->fb.bpp = fb->bpp;
	if (fb->type == 1) {
		bi->fb.type = BOOT_FB_RGB;
		bi->fb.red_pos = fb->color[0];
		bi->fb.red_size = fb->color[1];
		bi->fb.green_pos = fb->color[2];
		bi->fb.green_size = fb->color[3];
		bi->fb.blue_pos = fb->color[4];
		bi->fb.blue_size = fb->color[5];
	} else if (fb->type == 2) {
		bi->fb.type = BOOT_FB_EGA_TEXT;
	}
}

/* Fill @bi from the Multiboot2 information block at physical @mbi. */
void multiboot2_parse(uint64_t mbi, struct boot_info *bi)
{
	uint32_t total = *(const uint32_t *)mbi;
	const uint8_t *p = (const uint8_t *)mbi + 8;
	const uint8_t *end = (const uint8_t *)mbi + total;

	bi->mbi_start = mbi;
	bi->mbi_end = mbi + total;
	while (p + sizeof(struct mb2_tag) <= end) {
		const struct mb2_tag *tag = (const void *)p;

		if (tag->type == MB2_TAG_END || tag->size < 8)
			break;
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			copy_string(bi->cmdline, sizeof(bi->cmdline), tag, 8);
			break;
		case MB2_TAG_LOADER:
			copy_string(bi->loader, sizeof(bi->loader), tag, 8);
			break;
		case MB2_TAG_MODULE:
			parse_module(bi, tag);
			break;
		case MB2_TAG_MMAP:
			parse_mmap(bi, tag);
			break;
		case MB2_TAG_FRAMEBUFFER:
			parse_fb(bi, tag);
			break;
		case MB2_TAG_EFI32:
		case MB2_TAG_EFI64:
			bi->uefi = 1;
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* prefer the ACPI 2.0 copy (it has the XSDT) */
			if (!bi->rsdp || tag->type == MB2_TAG_ACPI_NEW) {
				size_t n = tag->size - 8 < sizeof(bi->rsdp_copy) ? tag->size - 8 : sizeof(bi->rsdp_copy);

				memcpy(bi->rsdp_copy, tag + 1, n);
				bi->rsdp = 1;
			}
			break;
		}
		p += (tag->size + 7) & ~7U;
	}
}
