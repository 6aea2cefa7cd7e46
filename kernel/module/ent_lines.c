/*
 * The ent= lines of a module manifest (docs/module-format.md): parse each
 * into a struct module_entitlements, print a set back in the one spelling
 * the parser accepts, and answer "does this set allow that?" for the
 * checks in kernel/module/entitlement.c. Every value has exactly one
 * spelling and the lines one order, so what was signed is what is read.
 * Pure string code: tests/host/test_modsig.c runs it under sanitizers.
 */
#include "kernel/module/entitlement.h"
#include "kernel/kernel.h"
#include "lib/printf.h"
#include "lib/string.h"

static const char *const kind_names[MODULE_ENT_NR_KINDS] = {
	[MODULE_ENT_PCI] = "pci",	[MODULE_ENT_VIRTIO] = "virtio",
	[MODULE_ENT_DMA] = "dma",	[MODULE_ENT_IOPORT] = "ioport",
	[MODULE_ENT_IRQ] = "irq",	[MODULE_ENT_MSR] = "msr",
	[MODULE_ENT_EXPORT] = "export",	[MODULE_ENT_CPU] = "cpu",
};

static const uint8_t kind_max[MODULE_ENT_NR_KINDS] = {
	[MODULE_ENT_PCI] = MODULE_ENT_MAX_PCI,
	[MODULE_ENT_VIRTIO] = MODULE_ENT_MAX_VIRTIO,
	[MODULE_ENT_IOPORT] = MODULE_ENT_MAX_IOPORT,
};

const char *module_ent_kind_name(unsigned int kind)
{
	return kind < MODULE_ENT_NR_KINDS ? kind_names[kind] : "?";
}

/* ---- values: each has one spelling ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly @digits lowercase hex digits. */
static bool fixed_hex(const char *s, size_t len, size_t digits, uint32_t *out)
{
	uint32_t v = 0;

	if (len != digits)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (hexval(s[i]) < 0)
			return false;
		v = v << 4 | (uint32_t)hexval(s[i]);
	}
	*out = v;
	return true;
}

/* "*" or exactly 4 lowercase hex digits. */
static bool id16(const char *s, size_t len, uint32_t *out)
{
	if (len == 1 && s[0] == '*') {
		*out = MODULE_ENT_ANY;
		return true;
	}
	return fixed_hex(s, len, 4, out);
}

/* Decimal @lo..@hi without sign or leading zero. */
static bool decimal(const char *s, size_t len, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint32_t v = 0;

	if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* "0x" and 1-4 lowercase hex digits without leading zero: a port number. */
static bool port(const char *s, size_t len, uint16_t *out)
{
	uint32_t v = 0;

	if (len < 3 || len > 6 || s[0] != '0' || s[1] != 'x' || (len > 3 && s[2] == '0'))
		return false;
	for (size_t i = 2; i < len; i++) {
		if (hexval(s[i]) < 0)
			return false;
		v = v << 4 | (uint32_t)hexval(s[i]);
	}
	*out = (uint16_t)v;
	return true;
}

/* Split @s at the first @c: the part before in *@n, the rest after @c in *@rest. */
static bool split(const char *s, size_t len, char c, size_t *n, const char **rest,
		  size_t *rest_len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == c) {
			*n = i;
			*rest = s + i + 1;
			*rest_len = len - i - 1;
			return true;
		}
	}
	return false;
}

/* ---- one line per kind ---- */

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_pci(const struct module_ent_pci *a, const struct module_ent_pci *b)
{
	int c = cmp_u32(a->vendor, b->vendor);

	if (!c)
		c = cmp_u32(a->device, b->device);
	if (!c)
		c = cmp_u32(a->class, b->class);
	return c ? c : cmp_u32(a->class_mask, b->class_mask);
}

/* "VVVV:DDDD" or "VVVV:DDDD:CCCCCC/MMMMMM", the class bits inside the mask. */
static bool parse_pci(struct module_entitlements *e, const char *v, size_t len)
{
	struct module_ent_pci id = { 0 };
	const char *d, *c, *m;
	size_t vn, dn, dl, cn, cl, ml;

	if (!split(v, len, ':', &vn, &d, &dl) || !id16(v, vn, &id.vendor))
		return false;
	if (split(d, dl, ':', &dn, &c, &cl)) {
		if (!id16(d, dn, &id.device) || !split(c, cl, '/', &cn, &m, &ml) ||
		    !fixed_hex(c, cn, 6, &id.class) || !fixed_hex(m, ml, 6, &id.class_mask) ||
		    !id.class_mask || (id.class & ~id.class_mask))
			return false;
	} else if (!id16(d, dl, &id.device)) {
		return false;
	}
	if (e->npci && cmp_pci(&id, &e->pci[e->npci - 1]) <= 0)
		return false;
	e->pci[e->npci++] = id;
	return true;
}

/* "N" or "N:VVVV": a device type 1-65535 or "*", and a subsystem vendor. */
static bool parse_virtio(struct module_entitlements *e, const char *v, size_t len)
{
	struct module_ent_virtio id = { .vendor = MODULE_ENT_ANY };
	const struct module_ent_virtio *last = e->nvirtio ? &e->virtio[e->nvirtio - 1] : NULL;
	const char *vend;
	size_t n, vl;

	if (split(v, len, ':', &n, &vend, &vl)) {
		if (!fixed_hex(vend, vl, 4, &id.vendor))
			return false;
	} else {
		n = len;
	}
	if (n == 1 && v[0] == '*')
		id.device = MODULE_ENT_ANY;
	else if (!decimal(v, n, 1, 65535, &id.device))
		return false;
	if (last && (cmp_u32(id.device, last->device) ?: cmp_u32(id.vendor, last->vendor)) <= 0)
		return false;
	e->virtio[e->nvirtio++] = id;
	return true;
}

/* "0xS-0xE", S <= E, after the previous range with a gap (ranges are merged). */
static bool parse_ioport(struct module_entitlements *e, const char *v, size_t len)
{
	struct module_ent_ioport r;
	const char *end;
	size_t n, el;

	if (!split(v, len, '-', &n, &end, &el) || !port(v, n, &r.start) ||
	    !port(end, el, &r.end) || r.start > r.end)
		return false;
	if (e->nioport && (uint32_t)r.start <= (uint32_t)e->ioport[e->nioport - 1].end + 1)
		return false;
	e->ioport[e->nioport++] = r;
	return true;
}

static bool parse_irq(struct module_entitlements *e, const char *v, size_t len)
{
	uint32_t n;

	if (!decimal(v, len, 0, MODULE_ENT_ISA_IRQS - 1, &n) || e->irqs >> n)
		return false;	/* ascending: no line at or above it yet */
	e->irqs |= (uint16_t)(1u << n);
	return true;
}

static unsigned int kind_count(const struct module_entitlements *e, unsigned int kind)
{
	switch (kind) {
	case MODULE_ENT_PCI:
		return e->npci;
	case MODULE_ENT_VIRTIO:
		return e->nvirtio;
	case MODULE_ENT_IOPORT:
		return e->nioport;
	}
	return 0;
}

__printf(3, 4)
static int ent_fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (size) {
		va_start(ap, fmt);
		vsnprintf(why, size, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

int module_ent_parse_line(struct module_entitlements *e, const char *v, size_t len,
			  char *why, size_t why_size)
{
	const char *val = NULL;
	size_t klen = len, vlen = 0;
	unsigned int kind;
	bool ok;

	split(v, len, ':', &klen, &val, &vlen);
	for (kind = 0; kind < MODULE_ENT_NR_KINDS; kind++)
		if (strlen(kind_names[kind]) == klen && !memcmp(kind_names[kind], v, klen))
			break;
	if (kind == MODULE_ENT_NR_KINDS)
		return ent_fail(why, why_size, "unknown entitlement '%.*s'", (int)MIN(len, 24), v);
	/* the kinds come in enum order; dma, msr, export and cpu once each */
	if (e->kinds >> (kind + 1))
		return ent_fail(why, why_size, "entitlement '%.*s' out of order", (int)MIN(len, 24),
				v);
	if (!kind_max[kind] && kind != MODULE_ENT_IRQ && (e->kinds & MODULE_ENT_BIT(kind)))
		return ent_fail(why, why_size, "duplicate entitlement '%.*s'", (int)MIN(len, 24), v);
	if (kind_max[kind] && kind_count(e, kind) == kind_max[kind])
		return ent_fail(why, why_size, "too many %s entitlements (at most %u)",
				kind_names[kind], kind_max[kind]);
	switch (kind) {
	case MODULE_ENT_PCI:
		ok = val && parse_pci(e, val, vlen);
		break;
	case MODULE_ENT_VIRTIO:
		ok = val && parse_virtio(e, val, vlen);
		break;
	case MODULE_ENT_IOPORT:
		ok = val && parse_ioport(e, val, vlen);
		break;
	case MODULE_ENT_IRQ:
		ok = val && parse_irq(e, val, vlen);
		break;
	default:
		ok = !val;	/* dma, msr, export, cpu take no value */
		break;
	}
	if (!ok)
		return ent_fail(why, why_size, "bad entitlement '%.*s'", (int)MIN(len, 24), v);
	e->kinds |= MODULE_ENT_BIT(kind);
	return 0;
}

/* ---- printing, in the parser's order ---- */

struct out {
	char *buf;
	size_t size, len;
	const char *prefix, *sep;
};

static void append(struct out *o, const char *s)
{
	size_t l = strlen(s);

	if (o->len < o->size)
		memcpy(o->buf + o->len, s, MIN(l, o->size - o->len));
	o->len += l;
}

/* One entitlement: prefix, the value, separator. */
__printf(2, 3)
static void emit(struct out *o, const char *fmt, ...)
{
	char item[48];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	append(o, o->prefix);
	append(o, item);
	append(o, o->sep);
}

static void emit_id16(char *s, size_t size, uint32_t v)
{
	if (v == MODULE_ENT_ANY)
		strlcpy(s, "*", size);
	else
		snprintf(s, size, "%04x", v);
}

size_t module_ent_format(const struct module_entitlements *e, const char *prefix,
			 const char *sep, char *buf, size_t size)
{
	struct out o = { buf, size, 0, prefix, sep };
	char v[8], d[8];

	for (unsigned int i = 0; i < e->npci; i++) {
		const struct module_ent_pci *p = &e->pci[i];

		emit_id16(v, sizeof(v), p->vendor);
		emit_id16(d, sizeof(d), p->device);
		if (p->class_mask)
			emit(&o, "pci:%s:%s:%06x/%06x", v, d, p->class, p->class_mask);
		else
			emit(&o, "pci:%s:%s", v, d);
	}
	for (unsigned int i = 0; i < e->nvirtio; i++) {
		const struct module_ent_virtio *p = &e->virtio[i];

		if (p->device == MODULE_ENT_ANY)
			strlcpy(d, "*", sizeof(d));
		else
			snprintf(d, sizeof(d), "%u", p->device);
		if (p->vendor == MODULE_ENT_ANY)
			emit(&o, "virtio:%s", d);
		else
			emit(&o, "virtio:%s:%04x", d, p->vendor);
	}
	if (e->kinds & MODULE_ENT_BIT(MODULE_ENT_DMA))
		emit(&o, "dma");
	for (unsigned int i = 0; i < e->nioport; i++)
		emit(&o, "ioport:0x%x-0x%x", e->ioport[i].start, e->ioport[i].end);
	for (unsigned int n = 0; n < MODULE_ENT_ISA_IRQS; n++)
		if (e->irqs & (1u << n))
			emit(&o, "irq:%u", n);
	for (unsigned int k = MODULE_ENT_MSR; k < MODULE_ENT_NR_KINDS; k++)
		if (e->kinds & MODULE_ENT_BIT(k))
			emit(&o, "%s", kind_names[k]);
	if (size)
		buf[MIN(o.len, size - 1)] = '\0';
	return o.len;
}

/* ---- questions the checks ask ---- */

bool module_ent_has_pci(const struct module_entitlements *e, uint32_t vendor,
			uint32_t device, uint32_t class)
{
	for (unsigned int i = 0; i < e->npci; i++) {
		const struct module_ent_pci *p = &e->pci[i];

		if ((p->vendor == MODULE_ENT_ANY || p->vendor == vendor) &&
		    (p->device == MODULE_ENT_ANY || p->device == device) &&
		    !((p->class ^ class) & p->class_mask))
			return true;
	}
	return false;
}

bool module_ent_has_virtio(const struct module_entitlements *e, uint32_t device,
			   uint32_t vendor)
{
	for (unsigned int i = 0; i < e->nvirtio; i++) {
		const struct module_ent_virtio *p = &e->virtio[i];

		if ((p->device == MODULE_ENT_ANY || p->device == device) &&
		    (p->vendor == MODULE_ENT_ANY || p->vendor == vendor))
			return true;
	}
	return false;
}

bool module_ent_has_ports(const struct module_entitlements *e, unsigned long start,
			  unsigned long n)
{
	if (!n || start + n - 1 < start)
		return false;
	for (unsigned int i = 0; i < e->nioport; i++)
		if (start >= e->ioport[i].start && start + n - 1 <= e->ioport[i].end)
			return true;
	return false;
}
