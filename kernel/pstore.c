/*
 * A panic record that survives a warm reboot (like Linux's ramoops): the
 * machine-readable panic line is kept, with its CRC, in a small reserved
 * RAM region that neither the firmware nor GRUB touches on a reset. The
 * next boot reports it and serves it as /proc/last_panic. Also
 * /proc/sysrq-trigger: 'c' panics on purpose, 'b' reboots, 'o' powers off.
 */
#define pr_fmt(fmt) "pstore: " fmt

#include <asm/page.h>
#include <asm/setup.h>
#include "fs/vfs.h"
#include "kernel/kernel.h"
#include "lib/crc32.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mm.h"

#define PSTORE_MAGIC	0x54535042	/* "BPST" */

struct pstore_hdr {
	uint32_t magic;
	uint32_t len;		/* bytes of text after the header */
	uint32_t crc;		/* CRC-32 of the text */
	uint32_t boots;		/* boots since the record was written */
};

static struct pstore_hdr *region;
static char *last_panic;
static size_t last_len;

/* Keep @text (the panic record line) in the reserved region. */
void pstore_save(const char *text, size_t len)
{
	if (!region)
		return;
	len = MIN(len, PSTORE_SIZE - sizeof(*region));
	memcpy(region + 1, text, len);
	region->len = (uint32_t)len;
	region->crc = crc32(0, region + 1, len);
	region->boots = 0;
	region->magic = PSTORE_MAGIC;
}

static long last_panic_show(char *buf, size_t size)
{
	if (!last_panic)
		return snprintf(buf, size, "no panic recorded\n");
	memcpy(buf, last_panic, MIN(size, last_len));
	return (long)MIN(size, last_len);
}

static long sysrq_show(char *buf, size_t size)
{
	return snprintf(buf, size, "c: panic  b: reboot  o: power off\n");
}

static long sysrq_write(const char *buf, size_t len)
{
	if (!len)
		return 0;
	switch (buf[0]) {
	case 'c':
		panic("sysrq", "sysrq: crash requested through /proc/sysrq-trigger");
	case 'b':
		machine_reboot();
	case 'o':
		machine_power_off();
	default:
		return -EINVAL;
	}
}

/* Pick up a record left by the previous boot; then arm the region. */
static int pstore_init(void)
{
	struct pstore_hdr *h;

	if (pstore_phys() == 0) {
		pr_warn("no reserved region (too little memory); panics will not survive a reboot\n");
		return 0;
	}
	h = phys_to_virt(pstore_phys());
	if (h->magic == PSTORE_MAGIC && h->len <= PSTORE_SIZE - sizeof(*h) &&
	    crc32(0, h + 1, h->len) == h->crc) {
		last_panic = kmalloc(h->len + 1);
		if (last_panic) {
			memcpy(last_panic, h + 1, h->len);
			last_panic[h->len] = '\n';
			last_len = h->len + 1;
			pr_notice("the previous boot panicked; the record is in /proc/last_panic\n");
		}
	} else if (h->magic == PSTORE_MAGIC) {
		pr_warn("a previous panic record is damaged (CRC mismatch); ignored\n");
	}
	memset(h, 0, sizeof(*h));
	region = h;
	procfs_register("last_panic", last_panic_show);
	procfs_register_rw("sysrq-trigger", sysrq_show, sysrq_write);
	return 0;
}
late_initcall(pstore_init);
